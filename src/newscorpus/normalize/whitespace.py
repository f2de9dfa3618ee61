"""Whitespace rules: line ends, trailing spaces, runs of spaces and of blank lines.

Paragraphs (blank-line separated) are the article's structure, so a blank line is kept and
only runs of them shrink; single tabs and no-break spaces inside a line are left alone.
"""

from __future__ import annotations

import re

from newscorpus.model.records import Rewrite
from newscorpus.normalize._editlog import Replacement, rewrite

__all__ = ["RULES", "collapse_blank_lines", "collapse_spaces", "strip_ends",
           "strip_trailing", "unify_newlines"]

_CR = re.compile(r"\r\n?")
_TRAILING = re.compile(r"[^\S\n]+(?=\n)")
_SPACES = re.compile(r"[^\S\n]{2,}")
_BLANK_LINES = re.compile(r"\n{3,}")
_LEADING = re.compile(r"\A\s+")
_END = re.compile(r"\s+\Z")


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
    reps = [Replacement(m.start(), m.end(), "", "whitespace.strip")
            for m in (_LEADING.search(text), _END.search(text)) if m]
    if len(reps) == 2 and reps[0].end > reps[1].start:  # all whitespace: one edit
        reps = [Replacement(0, len(text), "", "whitespace.strip")]
    return rewrite(text, reps)


RULES = (unify_newlines, strip_trailing, collapse_spaces, collapse_blank_lines, strip_ends)
