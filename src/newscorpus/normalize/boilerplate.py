"""Boilerplate rules: delete link and footer text scrapers leave in, and find what stays.

Deletions come from the named patterns of ``boilerplate_rules``. Embedded social-media posts
are article content (a quoted tweet is a source), so they are kept and only *marked*; a
last sentence cut off by the scraper is flagged as truncation, not repaired.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from newscorpus.model.records import Edit, Mark, Rewrite
from newscorpus.normalize._editlog import Replacement, rewrite
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
    >>> strip("It ended.Read More – SourceRead More – Source").text
    'It ended.'
    """
    first = _strip_once(text)
    if not first.edits:
        return first
    # A removal can bare another piece ("Read moreRead More – Source"), so passes repeat
    # until one removes nothing. A new piece can only be where the last pass removed one: on
    # the line a removal cut short (a footer glued before the one removed), or, where only
    # whitespace stands before a removal, at the next "read more" line, whose blank lines
    # grew. So a pass after the first reads only those lines and the whitespace before them,
    # in the raw text around what is deleted. A pass over the whole text for each of n glued
    # footers took time quadratic in n.
    deleted = _Deleted(len(text))
    pieces: list[tuple[int, int, str, int]] = []  # raw [start, end), rule id, pass
    new = [(e.raw_start, e.raw_end, e.rule) for e in first.edits]
    cores = [m.start() for m in _CORE.finditer(text)]  # a removal makes no new one
    n_pass = 1
    while True:
        for a, b, rule in new:
            pieces.append((a, b, rule, n_pass))
            deleted.add(a, b)
        new = _next_pass(text, deleted, {deleted.group_start(a) for a, _, _ in new}, cores)
        if not new:
            break
        n_pass += 1
    if n_pass == 1:
        return first
    return _joined(text, pieces, n_pass)


class _Deleted:
    """The raw text's deleted spans, merged where they touch, in order."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, a: int, b: int) -> None:
        i = bisect.bisect_left(self.ends, a)  # the first span that ends at a or later
        j = bisect.bisect_right(self.starts, b)  # past the last span that starts by b
        if i < j:
            a, b = min(a, self.starts[i]), max(b, self.ends[j - 1])
        self.starts[i:j] = [a]
        self.ends[i:j] = [b]

    def group_start(self, pos: int) -> int:
        """The start of the span that holds ``pos``."""
        return self.starts[bisect.bisect_right(self.starts, pos) - 1]

    def end_at(self, start: int) -> int:
        """The end of the span that starts at ``start``."""
        return self.ends[bisect.bisect_left(self.starts, start)]

    def end_before(self, pos: int) -> int:
        """Where the last span before ``pos`` ends (0 if none): a kept stretch starts there."""
        k = bisect.bisect_left(self.starts, pos)
        return self.ends[k - 1] if k else 0

    def start_after(self, pos: int) -> int:
        """Where the first span from ``pos`` on starts (the text's end if none)."""
        k = bisect.bisect_left(self.starts, pos)
        return self.starts[k] if k < len(self.starts) else self.size


def _next_pass(text: str, deleted: _Deleted, cuts: set[int], cores: list[int]
               ) -> list[tuple[int, int, str]]:
    """The pieces ``_strip_once`` would find in the text left after ``deleted``, as raw spans
    with their rule, when the last pass deleted up to the raw positions ``cuts``."""
    found: set[tuple[int, int, str]] = set()
    for cut in sorted(cuts):
        if cut == 0 or text[cut - 1].isspace():
            # only whitespace before the cut: the next line's "read more", if it starts it
            q = _solid_after(text, deleted, cut)
            k = bisect.bisect_left(cores, q)
            if k == len(cores) or cores[k] != q:
                continue
        else:
            # the line the cut ends: a piece ending there holds its last "read more"
            k = bisect.bisect_left(cores, cut) - 1
            if k < 0 or cores[k] < deleted.end_before(cut) or "\n" in text[cores[k] : cut]:
                continue
        found.update(_pieces_at(text, deleted, cores[k]))
    return sorted(found)


def _pieces_at(text: str, deleted: _Deleted, core: int) -> list[tuple[int, int, str]]:
    """``_strip_once``'s pieces on the line of the "read more" at raw position ``core``, in
    the text left after ``deleted``: it reads that line and the whitespace before it."""
    start = _block_start(text, deleted, core)
    end = deleted.start_after(core)
    nl = text.find("\n", core, end)
    if nl >= 0:
        end, after = nl, "\n"
    else:  # the line ends where a deleted span starts: a line break or the end follows it
        g = deleted.end_at(end) if end < len(text) else end
        after = text[g : g + 1]
    # the kept stretches from start to end, with where each starts in the window and raw
    window_at: list[int] = []
    raw_at: list[int] = []
    parts = ["" if start == 0 else "\0"]  # no "\0": the text starts there
    at = len(parts[0])
    pos = start
    while True:
        hi = min(deleted.start_after(pos), end)
        window_at.append(at)
        raw_at.append(pos)
        parts.append(text[pos:hi])
        at += hi - pos
        if hi >= end:
            break
        pos = deleted.end_at(hi)
    parts.append(after)

    def to_raw(i: int) -> int:
        k = bisect.bisect_right(window_at, i) - 1
        return raw_at[k] + i - window_at[k]

    out = _strip_once("".join(parts))
    return [(to_raw(e.raw_start), to_raw(e.raw_end - 1) + 1, e.rule) for e in out.edits]


def _block_start(text: str, deleted: _Deleted, pos: int) -> int:
    """Where the whitespace before raw position ``pos`` starts in the text left after
    ``deleted`` (a raw position after a kept character that is no space, or 0)."""
    while True:
        lo = deleted.end_before(pos)
        ws = _ws_start(text, lo, pos)
        if ws > lo or lo == 0:
            return ws
        pos = deleted.group_start(lo - 1)  # all space back to a deleted span: go on before it


def _solid_after(text: str, deleted: _Deleted, cut: int) -> int:
    """The raw position of the first character that is no space after the deleted span at
    ``cut``, in the text left after ``deleted`` (the text's length if none)."""
    pos = deleted.end_at(cut)
    while pos < len(text):
        hi = deleted.start_after(pos)
        width = 64
        while True:  # the spaces from pos on, in doubling windows
            b = min(hi, pos + width)
            piece = text[pos:b]
            solid = len(piece) - len(piece.lstrip())
            if solid < len(piece):
                return pos + solid
            if b == hi:
                break
            width *= 2
        if hi >= len(text):
            break
        pos = deleted.end_at(hi)
    return len(text)


def _joined(text: str, pieces: list[tuple[int, int, str, int]], n_pass: int) -> Rewrite:
    """The edit log that composing the passes' logs one by one gives.

    Composing merges every two deletions that touch (or hold one another) in the raw text,
    except two of the last pass: the later one starts an edit of its own (what touches both
    goes with the earlier). The rule ids of a merged edit are in the order of the text.
    """
    edits: list[Edit] = []
    kept: list[str] = []
    pos = gone = 0  # raw position after the last edit; raw characters deleted before it
    start = end = -1
    rules: list[str] = []
    has_last = False

    def flush() -> None:
        nonlocal pos, gone
        kept.append(text[pos:start])
        norm = start - gone
        edits.append(Edit(start, end, norm, norm, text[start:end], "", "+".join(rules)))
        gone += end - start
        pos = end

    for a, b, rule, k in sorted(pieces):
        last = k == n_pass
        if a <= end and not (last and has_last):
            end = max(end, b)
            has_last |= last
            if rule not in rules:
                rules.append(rule)
            continue
        if end >= 0:
            flush()
        start, end, rules, has_last = a, b, [rule], last
    flush()
    kept.append(text[pos:])
    return Rewrite("".join(kept), tuple(edits))


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
