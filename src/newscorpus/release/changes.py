"""CHANGES.md: what a release adds, removes and changes against the previous one.

Memory stays proportional to the *previous* release only: its rows are reduced to an 8-byte
digest per id, then the new release is streamed past them batch by batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

__all__ = ["TableDiff", "diff_folders", "render"]

#: Columns that identify a row, per table; every other column counts for "changed".
KEYS = {"documents": "id", "entities": "id", "claims": "id"}
_SHOW = 10


@dataclass
class TableDiff:
    """Counts per kind of change, with the first ids (sorted per batch) as examples."""

    table: str
    added: int = 0
    removed: int = 0
    changed: int = 0
    unchanged: int = 0
    examples: dict[str, list[str]] = field(
        default_factory=lambda: {"added": [], "removed": [], "changed": []})

    def note(self, kind: str, rid: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.examples[kind]) < _SHOW:
            self.examples[kind].append(rid)


def _rows(folder: Path, table: str) -> Iterator[tuple[str, bytes]]:
    """(row id, 8-byte digest of the row's other columns), streamed."""
    key = KEYS[table]
    for f in sorted((folder / "data" / table).glob("*.parquet")):
        for batch in pq.ParquetFile(f).iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                rid = str(row.pop(key))
                row.pop("split", None)
                blob = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
                yield rid, hashlib.blake2b(blob.encode(), digest_size=8).digest()


def diff_folders(old: Path | None, new: Path) -> list[TableDiff]:
    """Per-table diff of two dataset folders (``old`` None: everything is added)."""
    diffs = []
    for table in KEYS:
        d = TableDiff(table)
        before = dict(_rows(old, table)) if old is not None else {}
        for rid, digest in _rows(new, table):
            was = before.pop(rid, None)
            if was is None:
                d.note("added", rid)
            elif was != digest:
                d.note("changed", rid)
            else:
                d.unchanged += 1
        for rid in sorted(before):
            d.note("removed", rid)
        diffs.append(d)
    return diffs


def render(version: str, previous: str | None, diffs: list[TableDiff]) -> str:
    head = (f"# Changes in {version}\n\n"
            + (f"Compared with {previous}.\n" if previous else "First release: no previous "
               "version, every row is new.\n"))
    rows = ["| table | added | removed | changed | unchanged |", "|---|---|---|---|---|"]
    rows += [f"| {d.table} | {d.added:,} | {d.removed:,} | {d.changed:,} | "
             f"{d.unchanged:,} |" for d in diffs]
    parts = [head, "\n".join(rows) + "\n"]
    if previous:
        for d in diffs:
            for kind, ids in d.examples.items():
                n = getattr(d, kind)
                if n:
                    more = f" (and {n - len(ids):,} more)" if n > len(ids) else ""
                    parts.append(f"- {d.table} {kind}: " + ", ".join(f"`{i}`" for i in ids)
                                 + more + "\n")
    return "\n".join(parts)
