"""Boilerplate rules: delete link and footer text scrapers leave in, and find what stays.

Deletions come from the named patterns of ``boilerplate_rules``. Embedded social-media posts
are article content (a quoted tweet is a source), so they are kept and only *marked*; a
last sentence cut off by the scraper is flagged as truncation, not repaired.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from newscorpus.model.records import Mark, Rewrite
from newscorpus.normalize._editlog import Replacement, compose, rewrite
from newscorpus.normalize.boilerplate_rules import EMBED_ATTRIBUTIONS, HINT, RULES

__all__ = ["RULES_FNS", "find_embeds", "inspect", "is_truncated", "strip"]

_PARA_BREAK = re.compile(r"\n[^\S\n]*\n")
_WORD = re.compile(r"\w+")
_SENTENCE_END = set(".!?\"'”’»)]…")


def strip(text: str) -> Rewrite:
    """Delete "Read more" link lines and a trailing "Read More – Source" footer.

    Leaves paragraphs that only mention reading more ("Read more about the plan here.") alone.

    >>> strip("Iran vowed revenge.\\n\\nRead more\\n\\nThe general was killed.").text
    'Iran vowed revenge.\\n\\nThe general was killed.'
    >>> strip("Read more about the plan in our guide.").edits
    ()
    """
    out = _strip_once(text)
    while out.edits:  # a removal can bare another piece ("Read moreRead More – Source")
        again = _strip_once(out.text)
        if not again.edits:
            break
        out = Rewrite(again.text, compose(text, out.edits, out.text, again.edits, again.text))
    return out


def _strip_once(text: str) -> Rewrite:
    if not HINT.search(text):
        return Rewrite(text)
    cores = [m.start() for m in _CORE.finditer(text)]
    reps: list[Replacement] = []
    taken: list[tuple[int, int]] = []  # sorted and disjoint: a rule's match may not overlap
    for rule in RULES:
        starts = [x for x, _ in taken]
        found: list[tuple[int, int]] = []
        for a, b in _matches(rule.pattern, text, cores):
            k = bisect.bisect_left(starts, b) - 1  # the last taken span starting before b
            if a == b or (k >= 0 and taken[k][1] > a):
                continue
            found.append((a, b))
            reps.append(Replacement(a, b, "", rule.id))
        taken = sorted(taken + found)
    return rewrite(text, reps)


# Every place HINT matches, overlapping ones too ("read moread more" has two).
_CORE = re.compile(f"(?={HINT.pattern})", HINT.flags)


def _matches(pattern: re.Pattern[str], text: str, cores: list[int]) -> Iterator[tuple[int, int]]:
    """The spans ``pattern.finditer(text)`` finds, in time linear in the text.

    A rule's match is whitespace, a HINT match (a core), then text on the core's line, and it
    starts at the start of the text, at the first line break of the whitespace before the core
    or after the last one (boilerplate_rules.HINT). ``finditer`` would try every position of a
    long whitespace run and scan the rest of the run from each; here a core's run is found
    once and the pattern tried only where a match can start.
    """
    pos = 0  # where finditer would search on from: the end of the last match
    for c in cores:
        if c < pos:
            continue
        ws = _ws_start(text, pos, c)
        first = text.find("\n", ws, c)
        if first < 0:
            tries: tuple[int, ...] = (ws,)
        else:
            after_last = text.rfind("\n", ws, c) + 1
            tries = (ws, first, after_last) if ws < first else (first, after_last)
        for s in tries:
            m = pattern.match(text, s)
            if m:
                yield m.start(), m.end()
                pos = m.end()
                break


def _ws_start(text: str, lo: int, hi: int) -> int:
    """Where the whitespace that ends at ``hi`` starts (not before ``lo``), read backwards in
    doubling windows so that the cost is the run's length, not the text's."""
    if hi == lo or not text[hi - 1].isspace():
        return hi
    width = 64
    while True:
        a = max(lo, hi - width)
        kept = len(text[a:hi].rstrip())
        if kept or a == lo:
            return a + kept
        width *= 2


def find_embeds(text: str) -> tuple[Mark, ...]:
    """Spans of embedded social-media posts: the post paragraph plus its attribution line.

    >>> t = "Intro.\\n\\nBig news today.\\n\\n— Jane Doe (@jdoe) January 3, 2020\\n\\nMore."
    >>> [t[m.start:m.end] for m in find_embeds(t)]
    ['Big news today.\\n\\n— Jane Doe (@jdoe) January 3, 2020']
    >>> find_embeds("No post here.")
    ()
    """
    marks: list[Mark] = []
    ends: list[int] | None = None  # ends of the paragraph breaks, found once
    for pat in EMBED_ATTRIBUTIONS:
        for m in pat.finditer(text):
            if ends is None:
                ends = [b.end() for b in _PARA_BREAK.finditer(text)]
            # the post is the paragraph just before the attribution line (or the lines above
            # it in the same paragraph when no blank line separates them); the first k breaks
            # end by the line's start (none runs across it: the line starts with a letter
            # or a dash)
            k = bisect.bisect_right(ends, m.start())
            if k and ends[k - 1] == m.start():
                start = ends[k - 2] if k >= 2 else 0
            else:
                start = ends[k - 1] if k else 0
            marks.append(Mark(start, m.end(), "embed.social"))
    return tuple(sorted(set(marks), key=lambda mk: (mk.start, mk.end)))


def is_truncated(text: str) -> bool:
    r"""Whether the last paragraph stops mid-sentence (a scraper cut the article short).

    It does when the paragraph ends in a word that starts lower-case or in a comma (after at
    least three words), or in any word after eight or more; a short last line that ends in a
    capitalised word or a number (a credit, dateline or heading) is not judged.

    >>> is_truncated("It began.\n\nLamenting a dangerous escalation that threat")
    True
    >>> is_truncated("It ended as it began, quietly.\n\nCopyright Reuters 2020")
    False
    """
    body = text.rstrip()
    if not body or body[-1] in _SENTENCE_END:
        return False
    words = _WORD.findall(_PARA_BREAK.split(body)[-1])
    n_words = len(words)
    mid_sentence = (bool(words) and words[-1][0].islower()) or body[-1] in ",;"
    return (mid_sentence and n_words >= 3) or n_words >= 8


def inspect(text: str) -> Rewrite:
    """Marks and the truncation flag of an already normalised text (no edits)."""
    return Rewrite(text, (), find_embeds(text), is_truncated(text))


RULES_FNS = (strip,)
