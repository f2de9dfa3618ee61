r"""Whitespace rules: line ends, trailing spaces, runs of spaces and of blank lines.

Paragraphs (blank-line separated) are the article's structure, so a blank line is kept and
only runs of them shrink; single tabs and no-break spaces inside a line are left alone.

Every rule is linear in the length of the text: a pattern that a regex engine would retry at
each position of a long whitespace run (``[^\S\n]+(?=\n)``, ``\s+\Z``: 100,000 spaces took
a minute) is matched only where a run starts, or found with ``str.rstrip``, with the same
edits (tests/test_normalize_linear.py compares them with those patterns).
"""

from __future__ import annotations

import re

from newscorpus.model.records import Rewrite
from newscorpus.normalize._editlog import Replacement, rewrite

__all__ = ["RULES", "collapse_blank_lines", "collapse_spaces", "strip_ends",
           "strip_trailing", "unify_newlines"]

_CR = re.compile(r"\r\n?")
# maximal runs of spaces and tabs (any whitespace but a line break) followed by "\n": the
# lookbehind lets a match start only where a run starts, so each run is scanned once (linear;
# the plain ``[^\S\n]+(?=\n)`` retried every start inside a run: quadratic)
_TRAILING = re.compile(r"(?<![^\S\n])[^\S\n]+(?=\n)")
_SPACES = re.compile(r"[^\S\n]{2,}")
_BLANK_LINES = re.compile(r"\n{3,}")


def _sub(text: str, pattern: re.Pattern[str], after: str, rule: str) -> Rewrite:
    return rewrite(text, (Replacement(m.start(), m.end(), after, rule)
                          for m in pattern.finditer(text)))


def unify_newlines(text: str) -> Rewrite:
    r"""Turn Windows and old-Mac line ends into ``\n``.

    Leaves ``\n`` alone.

    >>> unify_newlines("a\r\nb\rc").text
    'a\nb\nc'
    >>> unify_newlines("a\nb").edits
    ()
    """
    return _sub(text, _CR, "\n", "whitespace.newline")


def strip_trailing(text: str) -> Rewrite:
    r"""Drop spaces and tabs at the end of a line.

    Leaves spaces inside a line alone.

    >>> strip_trailing("a  \nb").text
    'a\nb'
    >>> strip_trailing("a b\nc").edits
    ()
    """
    return _sub(text, _TRAILING, "", "whitespace.trailing")


def collapse_spaces(text: str) -> Rewrite:
    """Shrink a run of two or more spaces/tabs inside a line to one space.

    Leaves a single tab or no-break space alone.

    >>> collapse_spaces("a  \\t b").text
    'a b'
    >>> collapse_spaces("a\\u00a0b").edits
    ()
    """
    return _sub(text, _SPACES, " ", "whitespace.collapse")


def collapse_blank_lines(text: str) -> Rewrite:
    r"""Shrink three or more line breaks to one blank line (two breaks).

    Leaves paragraph breaks (one blank line) alone.

    >>> collapse_blank_lines("a\n\n\n\nb").text
    'a\n\nb'
    >>> collapse_blank_lines("a\n\nb").edits
    ()
    """
    return _sub(text, _BLANK_LINES, "\n\n", "whitespace.blank_lines")


def strip_ends(text: str) -> Rewrite:
    r"""Drop whitespace at the start and the end of the text.

    Leaves whitespace between words alone.

    >>> strip_ends("  a b\n").text
    'a b'
    >>> strip_ends("a b").edits
    ()
    """
    n = len(text)
    body = text.strip()  # str.strip and regex \s agree on what whitespace is
    if len(body) == n:
        return Rewrite(text)
    if not body:  # all whitespace: one edit
        return rewrite(text, [Replacement(0, n, "", "whitespace.strip")])
    start = n - len(text.lstrip())
    end = len(text.rstrip())
    return rewrite(text, [Replacement(0, start, "", "whitespace.strip"),
                          Replacement(end, n, "", "whitespace.strip")])


RULES = (unify_newlines, strip_trailing, collapse_spaces, collapse_blank_lines, strip_ends)
