"""Positions between raw and normalised text: the only code that converts offsets.

An edit log (sorted, non-overlapping ``Edit`` records) defines a piecewise shift. Outside
edits a position moves by the length change of the edits before it; inside an edit it is
clamped into the other side's range, so both directions stay monotone and in range.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from newscorpus.model.records import Edit

__all__ = ["OffsetMap"]


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps ``raw`` <-> ``norm`` positions through an edit log.

    >>> e = Edit(raw_start=3, raw_end=3, start=3, end=4, before="", after="'", rule="x.y")
    >>> m = OffsetMap.from_edits([e])
    >>> [m.to_raw(i) for i in range(6)]
    [0, 1, 2, 3, 3, 4]
    >>> [m.to_norm(i) for i in range(5)]
    [0, 1, 2, 4, 5]
    """

    edits: tuple[Edit, ...]
    _norm_starts: tuple[int, ...]
    _raw_starts: tuple[int, ...]

    @classmethod
    def from_edits(cls, edits: Sequence[Edit]) -> OffsetMap:
        es = tuple(sorted(edits, key=lambda e: (e.raw_start, e.raw_end)))
        return cls(es, tuple(e.start for e in es), tuple(e.raw_start for e in es))

    def to_raw(self, norm_pos: int) -> int:
        """Raw position of a normalised position (inside an edit: clamped to its raw range)."""
        return _map(norm_pos, self.edits, self._norm_starts, norm_side=True)

    def to_norm(self, raw_pos: int) -> int:
        """Normalised position of a raw position (inside an edit: clamped to its new range)."""
        return _map(raw_pos, self.edits, self._raw_starts, norm_side=False)

    def span_to_raw(self, norm_start: int, norm_end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` covering a normalised span (widened to whole edits)."""
        start = self.to_raw(norm_start)
        return start, max(start, self._end(norm_end, norm_side=True))

    def span_to_norm(self, raw_start: int, raw_end: int) -> tuple[int, int]:
        """Normalised ``[start, end)`` covering a raw span (widened to whole edits)."""
        start = self.to_norm(raw_start)
        return start, max(start, self._end(raw_end, norm_side=False))

    def _end(self, pos: int, *, norm_side: bool) -> int:
        # An end is mapped by the edits that start before it only: a deletion or insertion
        # that starts exactly at the end lies outside the span; one it cuts is taken whole.
        starts = self._norm_starts if norm_side else self._raw_starts
        k = bisect_left(starts, pos) - 1
        if k < 0:
            return pos
        e = self.edits[k]
        t, other_t = (e.end, e.raw_end) if norm_side else (e.raw_end, e.end)
        return other_t if pos < t else pos - t + other_t


def _map(pos: int, edits: tuple[Edit, ...], starts: tuple[int, ...], *, norm_side: bool) -> int:
    k = bisect_right(starts, pos) - 1  # last edit starting at or before pos
    if k < 0:
        return pos
    e = edits[k]
    if norm_side:
        s, t, other_s, other_t = e.start, e.end, e.raw_start, e.raw_end
    else:
        s, t, other_s, other_t = e.raw_start, e.raw_end, e.start, e.end
    if pos >= t:
        return pos - t + other_t
    return other_s + min(pos - s, other_t - other_s)  # inside the edit: clamp
