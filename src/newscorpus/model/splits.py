"""Deterministic splits: a document's split follows from its id alone, so it never moves."""

from __future__ import annotations

import hashlib

__all__ = ["SPLITS", "split_for"]

#: Split names with their share of documents, in percent (cumulative order matters).
SPLITS: tuple[tuple[str, int], ...] = (("train", 80), ("validation", 10), ("test", 10))


def split_for(doc_id: str) -> str:
    """The split of a document, from a hash of its id (80/10/10).

    >>> split_for("0123456789abcdef") in {"train", "validation", "test"}
    True
    >>> split_for("0123456789abcdef") == split_for("0123456789abcdef")
    True
    """
    bucket = int(hashlib.sha256(f"split:{doc_id}".encode()).hexdigest()[:8], 16) % 100
    acc = 0
    for name, share in SPLITS:
        acc += share
        if bucket < acc:
            return name
    return SPLITS[-1][0]
