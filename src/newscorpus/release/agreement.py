"""Inter-annotator agreement: pairwise exact-match F1 where a document has several annotators.

Exact match of ``(start, end, label)`` is the strict measure used for span annotation (as in
CoNLL-style evaluation); F1 is symmetric, so the pair's order does not matter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

__all__ = ["Agreement", "pairwise_f1"]


@dataclass(frozen=True, slots=True)
class Agreement:
    """Mean pairwise F1 over ``pairs`` annotator pairs in ``documents`` documents."""

    documents: int
    pairs: int
    mean_f1: float


def pairwise_f1(rows: Iterable[Mapping[str, Any]], label_key: str) -> Agreement | None:
    """Agreement of human annotators on the same documents; ``None`` if no document has two.

    >>> rows = [dict(doc_id="d", annotator="a", origin="human", start=0, end=4, label="ORG"),
    ...         dict(doc_id="d", annotator="b", origin="human", start=0, end=4, label="ORG"),
    ...         dict(doc_id="d", annotator="b", origin="human", start=9, end=12, label="GPE")]
    >>> pairwise_f1(rows, "label")
    Agreement(documents=1, pairs=1, mean_f1=0.6667)
    """
    spans: dict[str, dict[str, set[tuple[int, int, Any]]]] = defaultdict(lambda: defaultdict(set))
    for r in rows:
        if r.get("origin") == "human":
            spans[r["doc_id"]][r["annotator"]].add((r["start"], r["end"], r[label_key]))
    scores: list[float] = []
    docs = 0
    for by_annotator in spans.values():
        if len(by_annotator) < 2:
            continue
        docs += 1
        for a, b in combinations(sorted(by_annotator), 2):
            sa, sb = by_annotator[a], by_annotator[b]
            total = len(sa) + len(sb)
            scores.append(2 * len(sa & sb) / total if total else 1.0)
    if not scores:
        return None
    return Agreement(docs, len(scores), round(sum(scores) / len(scores), 4))
