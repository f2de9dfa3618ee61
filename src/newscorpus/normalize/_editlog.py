"""Edit-log algebra: build a rule's edits, compose passes, replay and undo.

A log is a tuple of ``Edit`` sorted by position, non-overlapping on both sides. ``apply`` and
``invert`` only need the log plus one side's text, which is what makes the log a contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from newscorpus.model.records import Edit, Rewrite

__all__ = ["Replacement", "apply", "compose", "invert", "rewrite"]


class Replacement(NamedTuple):
    """``text[start:end]`` becomes ``after``; what a rule proposes before it is an ``Edit``."""

    start: int
    end: int
    after: str
    rule: str
    confidence: float = 1.0


def rewrite(text: str, replacements: Iterable[Replacement]) -> Rewrite:
    """Apply non-overlapping replacements (any order) and log one edit per real change.

    >>> r = rewrite("dont", [Replacement(3, 3, "'", "apostrophe.negation")])
    >>> r.text, r.edits[0].start, r.edits[0].end
    ("don't", 3, 4)
    >>> rewrite("same", [Replacement(0, 1, "s", "x.noop")]).edits
    ()
    """
    out: list[str] = []
    edits: list[Edit] = []
    pos = 0
    norm_pos = 0
    for r in sorted(replacements, key=lambda r: (r.start, r.end)):
        if r.start < pos or r.end < r.start or r.end > len(text):
            raise ValueError(f"replacement {r!r} overlaps another or leaves the text")
        before = text[r.start : r.end]
        if before == r.after:
            continue
        out.append(text[pos : r.start])
        norm_pos += r.start - pos
        edits.append(
            Edit(r.start, r.end, norm_pos, norm_pos + len(r.after), before, r.after, r.rule,
                 r.confidence)
        )
        out.append(r.after)
        norm_pos += len(r.after)
        pos = r.end
    if not edits:
        return Rewrite(text)
    out.append(text[pos:])
    return Rewrite("".join(out), tuple(edits))


def apply(raw: str, edits: Sequence[Edit]) -> str:
    """Replay a log on the raw text: the normalised text."""
    parts: list[str] = []
    pos = 0
    for e in edits:
        parts.append(raw[pos : e.raw_start])
        parts.append(e.after)
        pos = e.raw_end
    parts.append(raw[pos:])
    return "".join(parts)


def invert(normalized_text: str, edits: Sequence[Edit]) -> str:
    """Undo a log on the normalised text: the raw text, exactly.

    >>> from newscorpus.normalize import normalize
    >>> raw = "cafe\\u0301  au lait \\n"
    >>> out = normalize(raw)
    >>> out.text
    'café au lait'
    >>> invert(out.text, out.edits) == raw
    True
    """
    if isinstance(normalized_text, bytes):
        raise TypeError("decode in newscorpus.ingest, not here")
    parts: list[str] = []
    pos = 0
    for e in edits:
        if normalized_text[e.start : e.end] != e.after:
            raise ValueError(
                f"edit {e.rule} at [{e.start}, {e.end}) expects {e.after!r}, text has "
                f"{normalized_text[e.start : e.end]!r}: wrong text for this edit log"
            )
        parts.append(normalized_text[pos : e.start])
        parts.append(e.before)
        pos = e.end
    parts.append(normalized_text[pos:])
    return "".join(parts)


def compose(raw: str, first: Sequence[Edit], mid: str, second: Sequence[Edit], norm: str
            ) -> tuple[Edit, ...]:
    """One log raw -> norm from logs raw -> mid and mid -> norm.

    Edits of the two passes that touch in ``mid`` merge into one edit whose ``rule`` joins
    both ids with ``+`` (confidence: the lower one); a merged edit that changes nothing goes.
    """
    # (mid_start, mid_end, pass, edit): pass 1 edits sit at [start, end) in mid,
    # pass 2 edits at [raw_start, raw_end).
    items = [(e.start, e.end, 1, e) for e in first] + [(e.raw_start, e.raw_end, 2, e)
                                                       for e in second]
    items.sort(key=lambda t: (t[0], t[1], t[2]))
    clusters: list[list[tuple[int, int, int, Edit]]] = []
    cs = ce = -1
    for it in items:
        a, b = it[0], it[1]
        if clusters and (a < ce or (a == ce and (a == b or cs == ce))):
            clusters[-1].append(it)
            ce = max(ce, b)
        else:
            clusters.append([it])
            cs, ce = a, b
    out: list[Edit] = []
    d1 = 0  # mid - raw, from pass-1 edits before the current cluster
    d2 = 0  # norm - mid, from pass-2 edits before the current cluster
    for cl in clusters:
        ms = min(i[0] for i in cl)
        me = max(i[1] for i in cl)
        c1 = sum(len(i[3].after) - len(i[3].before) for i in cl if i[2] == 1)
        c2 = sum(len(i[3].after) - len(i[3].before) for i in cl if i[2] == 2)
        rs, re_ = ms - d1, me - d1 - c1
        ns, ne = ms + d2, me + d2 + c2
        d1 += c1
        d2 += c2
        before, after = raw[rs:re_], norm[ns:ne]
        if before == after:
            continue
        edits = [i[3] for i in cl]
        rules: list[str] = []
        for e in edits:
            for r in e.rule.split("+"):
                if r not in rules:
                    rules.append(r)
        out.append(Edit(rs, re_, ns, ne, before, after, "+".join(rules),
                        min(e.confidence for e in edits)))
    return tuple(out)
