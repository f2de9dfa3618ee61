"""Every normaliser rule is linear in its input (issue 14, item 7).

Two kinds of test: the linear rewrites give exactly the edits of the simple (but quadratic)
code they replace, kept here as the reference, on generated text full of the runs that made
it slow; and long pathological inputs normalise and invert exactly.

No test here measures time (``tests/bench/bench_linear.py`` does, as ratios). The long inputs
are sized so that a quadratic regression shows anyway, as a test that runs for minutes instead
of about a second: with the code before, 200,000 spaces took ``strip_trailing`` and
``strip_ends`` about a minute each, 200,000 marks in reverse order NFC about 50 s, 40,000
'"Were going' about a minute, 20,000 glued footers the boilerplate loop about 8 minutes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newscorpus.model.records import Mark, Rewrite
from newscorpus.normalize import boilerplate, invert, normalize, unicode, whitespace
from newscorpus.normalize._editlog import Replacement, compose, rewrite
from newscorpus.normalize.boilerplate_rules import EMBED_ATTRIBUTIONS

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------------------------
# reference implementations: the code before the linear rewrite, quadratic on long runs
# --------------------------------------------------------------------------------------------
_OLD_TRAILING = re.compile(r"[^\S\n]+(?=\n)")
_OLD_LEADING = re.compile(r"\A\s+")
_OLD_END = re.compile(r"\s+\Z")


def _old_strip_trailing(text: str) -> Rewrite:
    return rewrite(text, (Replacement(m.start(), m.end(), "", "whitespace.trailing")
                          for m in _OLD_TRAILING.finditer(text)))


def _old_strip_ends(text: str) -> Rewrite:
    reps = [Replacement(m.start(), m.end(), "", "whitespace.strip")
            for m in (_OLD_LEADING.search(text), _OLD_END.search(text)) if m]
    if len(reps) == 2 and reps[0].end > reps[1].start:
        reps = [Replacement(0, len(text), "", "whitespace.strip")]
    return rewrite(text, reps)


# The boilerplate rules as they were; "read_more" ended in ``[^\S\n]*[:.…»›>]?[^\S\n]*``.
_OLD_RULES = (
    ("boilerplate.read_more", re.compile(
        r"(?:^|(?:\n[^\S\n]*)+\n)[^\S\n]*read[^\S\n]+more[^\S\n]*[:.…»›>]?[^\S\n]*(?=\n|\Z)",
        re.IGNORECASE)),
    ("boilerplate.read_more_source", re.compile(
        r"[^\S\n]*read[^\S\n]+more[^\S\n]*[–—-][^\S\n]*source[^\S\n]*(?=\n|\Z)", re.IGNORECASE)),
)
_OLD_PARA_BREAK = re.compile(r"\n[^\S\n]*\n")


def _old_strip_once(text: str) -> Rewrite:
    reps: list[Replacement] = []
    taken: list[tuple[int, int]] = []
    for rule_id, pattern in _OLD_RULES:
        for m in pattern.finditer(text):
            a, b = m.start(), m.end()
            if a == b or any(a < y and x < b for x, y in taken):
                continue
            taken.append((a, b))
            reps.append(Replacement(a, b, "", rule_id))
    return rewrite(text, reps)


def _old_strip(text: str) -> Rewrite:
    out = _old_strip_once(text)
    while out.edits:
        again = _old_strip_once(out.text)
        if not again.edits:
            break
        out = Rewrite(again.text, compose(text, out.edits, out.text, again.edits, again.text))
    return out


def _old_find_embeds(text: str) -> tuple[Mark, ...]:
    marks: list[Mark] = []
    for pat in EMBED_ATTRIBUTIONS:
        for m in pat.finditer(text):
            breaks = list(_OLD_PARA_BREAK.finditer(text, 0, m.start()))
            if breaks and breaks[-1].end() == m.start():
                start = breaks[-2].end() if len(breaks) >= 2 else 0
            else:
                start = breaks[-1].end() if breaks else 0
            marks.append(Mark(start, m.end(), "embed.social"))
    return tuple(sorted(set(marks), key=lambda mk: (mk.start, mk.end)))


# Whitespace of every kind the rules tell apart (line breaks, spaces and tabs, other Unicode
# spaces, the ASCII separators \x1c-\x1f that str.isspace and regex \s both count) in runs.
_WS = st.sampled_from([" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85",
                       "\u00a0", "\u2003", "\u2028", "\u3000"])
_WS_RUN = st.lists(_WS, min_size=1, max_size=12).map("".join)
_WORDS = st.sampled_from(["a", "b.", "x y", "\u00e9", "'", "Read more", "\u200b"])
WS_TEXT = st.lists(st.one_of(_WS_RUN, _WORDS, st.text(max_size=3)), max_size=30).map("".join)


@SETTINGS
@given(WS_TEXT)
@example("")
@example(" \n")
@example("a \t\u00a0\nb  ")
@example("\u00a0\n\n ")
def test_strip_trailing_equals_reference(text: str) -> None:
    assert whitespace.strip_trailing(text) == _old_strip_trailing(text)


@SETTINGS
@given(WS_TEXT)
@example("")
@example("   ")
@example(" a ")
@example("a\u2028")
def test_strip_ends_equals_reference(text: str) -> None:
    assert whitespace.strip_ends(text) == _old_strip_ends(text)


# Pieces of boilerplate and what stands around it: cores glued to words and to each other
# ("moread more" holds a second core), footers glued together, the punctuation and dashes
# the rules allow, blank lines with spaces in them.
_BOILER = st.sampled_from([
    "Read more", "read  MORE", "Read more:", "Read More – Source", "read more - source",
    "read", "more", "moread more", "Source", "source", " ", "\t", "\u00a0", "\n", "\n\n",
    "\n \n", ":", "»", "–", "-", ".", "x", "Words.", "\u2014 Jane Doe (@jdoe) January 3, 2020",
    "A post shared by Jane (@jane) on Jan 3, 2020",
])
BOILER_TEXT = st.lists(st.one_of(_BOILER, _WS_RUN), max_size=25).map("".join)


@SETTINGS
@given(BOILER_TEXT)
@example("Read more\n\nRead more")
@example("read moread more - source")
@example("x\n\nRead More – Source\nRead more")
@example("\n\nRead moreRead More – SourceRead More – Source")
@example("x\n\nRead More – SourceRead More – Source\n \nRead more\n\nRead more")
@example("Read more  \n\nRead more\nRead More – SourceRead More – Source")
def test_strip_equals_reference(text: str) -> None:
    assert boilerplate._strip_once(text) == _old_strip_once(text)
    assert boilerplate.strip(text) == _old_strip(text)


@SETTINGS
@given(BOILER_TEXT)
@example("Post.\n\n\u2014 Jane Doe (@jdoe) January 3, 2020\n\n")
def test_find_embeds_equals_reference(text: str) -> None:
    assert boilerplate.find_embeds(text) == _old_find_embeds(text)


_OLD_NON_ASCII_RUN = re.compile(r".?[^\x00-\x7f]+", re.DOTALL)


def _old_compose_nfc(text: str) -> Rewrite:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return Rewrite(text)
    reps = []
    for m in _OLD_NON_ASCII_RUN.finditer(text):
        chunk = m.group()
        fixed = unicodedata.normalize("NFC", chunk)
        if fixed == chunk:
            continue
        p = 0
        while p < min(len(chunk), len(fixed)) and chunk[p] == fixed[p]:
            p += 1
        q = 0
        while (q < min(len(chunk), len(fixed)) - p and chunk[-1 - q] == fixed[-1 - q]):
            q += 1
        reps.append(Replacement(m.start() + p, m.end() - q, fixed[p : len(fixed) - q],
                                "unicode.nfc"))
    return rewrite(text, reps)


# Starters that compose (with marks, with each other: Hangul jamo, Oriya vowel signs), marks of
# many combining classes (1, 7, 10, 129, 220, 230, 240), precomposed letters, ASCII; and runs
# of 30 to 90 marks, longer than the run ``unicode._nfc`` sorts by itself.
_MARK = st.sampled_from(["\u0301", "\u0316", "\u0345", "\u05b0", "\u0334", "\u093c",
                         "\u0f71", "\u0308", "\u0327", "\u031b", "\u0300"])
_CHAR = st.one_of(_MARK, st.sampled_from(["a", "e", "o", "u", "A", " ", "\u00e9", "\u01d8",
                                           "\u1e69", "\u1100", "\u1161", "\u11a8", "\uac00",
                                           "\u0b47", "\u0b3e", "\u0915", "\u212b"]))
MARK_TEXT = st.lists(st.one_of(_CHAR, st.lists(_MARK, min_size=30, max_size=90).map("".join)),
                     max_size=12).map("".join)


@SETTINGS
@given(MARK_TEXT)
@example("a" + "\u0301\u0316" * 40)
def test_compose_nfc_equals_reference(text: str) -> None:
    out = unicode.compose_nfc(text)
    assert out == _old_compose_nfc(text)
    assert out.text == unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------------------------
# long pathological inputs: normalise, then invert exactly
# --------------------------------------------------------------------------------------------
N = 200_000

LONG: dict[str, Callable[[], str]] = {
    "spaces": lambda: "a" + " " * N + "b",
    "tabs": lambda: "a" + "\t" * N + "b",
    "no-break spaces": lambda: "a" + "\u00a0" * N + "b",
    "trailing spaces": lambda: "a" + " " * N + "\nb" + " " * N,
    "newlines": lambda: "a" + "\n" * N + "b",
    "mixed whitespace": lambda: "a" + " \t\u00a0\n\r\u2003" * (N // 6) + "b",
    "only whitespace": lambda: " \n\t\u00a0" * (N // 4),
    "blank lines": lambda: "a\n \n" * (N // 4) + "b",
    "its not clear": lambda: "its not clear " * 20_000,
    # each "Were" opens a sentence (after a quote) that no full stop ends: the restorer asked
    # where each one ends by a search to the end of the text
    "were going": lambda: '"Were going ' * 40_000,
    "one word": lambda: "x" * N,
    "read more": lambda: "Read more " * 20_000,
    "read more lines": lambda: "Read more\n\n" * 20_000,
    "read more, spaces": lambda: "x\n\nRead more" + " " * N + "y",
    "read more, newlines": lambda: "x" + "\n \n" * (N // 4) + "Read more y",
    # each pass of the boilerplate rule bares the footer before the one it removed
    "source footers": lambda: "Words." + "Read More \u2013 Source" * 20_000,
    # line i holds i glued footers: line after line is emptied, one pass after another, and
    # each time the next line's blank lines grow (the old loop: 300 passes over 810 KB)
    "footer stairs": lambda: "".join("Read More \u2013 Source" * i + "\n" for i in range(300)),
    "embedded posts": lambda: "Post.\n\n\u2014 Jane Doe (@jdoe) January 3, 2020\n\n" * 5_000,
    # a mark run in reverse canonical order: Python sorts it in quadratic time
    "combining marks": lambda: "a" + "\u0301\u0316" * (N // 2),
}


@pytest.mark.parametrize("kind", list(LONG))
def test_long_input_normalises_and_inverts(kind: str) -> None:
    raw = LONG[kind]()
    out = normalize(raw)
    assert invert(out.text, out.edits) == raw
    assert normalize(out.text).edits == ()
