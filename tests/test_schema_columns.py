"""The column-wise JSON Schema check gives the record-by-record verdict, row for row.

``check_frame`` answers simple property schemas from Arrow types and kernels and checks the
edit log's fields column by column; these tests break one field at a time and compare
its failing rows with ``jsonschema`` run on every record.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from newscorpus.project import Project
from newscorpus.validate.schemas import check_frame, check_table, frame_records
from tests.conftest import REPO

_EDIT = {"raw_start": 0, "raw_end": 3, "start": 0, "end": 4, "before": "dont",
         "after": "don't", "rule": "apostrophe.nt", "confidence": 0.9}


def _doc(n: int) -> dict[str, Any]:
    return {"id": f"{n:016x}", "source": {"publisher": "Wire", "url": None,
                                          "published_at": "2020-01-03", "retrieved_at": None,
                                          "license": None},
            "title": f"Title {n}", "text": "We don't know.", "raw_sha256": "a" * 64,
            "normalizer_version": "0.6.0", "edits": [dict(_EDIT), dict(_EDIT)],
            "split": "train", "encoding": "utf-8", "truncated": False,
            "marks": [{"start": 0, "end": 2, "kind": "embed.social"}]}


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(row: dict[str, Any]) -> None:
        target: Any = row
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return apply


BREAKS = {
    "negative edit offset": _set(("edits", 1, "start"), -1),
    "confidence above 1": _set(("edits", 0, "confidence"), 1.5),
    "bad rule name": _set(("edits", 0, "rule"), "Not A Rule"),
    "null edit text": _set(("edits", 0, "after"), None),
    "empty text": _set(("text",), ""),
    "null title is fine": _set(("title",), None),
    "empty title": _set(("title",), ""),
    "negative mark": _set(("marks", 0, "end"), -5),
    "bad split": _set(("split",), "dev"),
    "null edits list": _set(("edits",), None),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_column_check_fails_the_rows_that_fail_record_by_record(name: str) -> None:
    v = Project(REPO).validator("document")
    rows = [_doc(n) for n in range(6)]
    for n in (1, 4):
        BREAKS[name](rows[n])
    df = pd.DataFrame(copy.deepcopy(rows))
    fast = check_frame("documents", df, v, path="t", schema_name="document")
    slow = check_table("documents", frame_records(df), v, path="t", schema_name="document")
    assert (fast.success, fast.unexpected, fast.ids) == (slow.success, slow.unexpected,
                                                         slow.ids)
    if name != "null title is fine":
        assert fast.unexpected == 2
