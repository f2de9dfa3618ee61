"""CHANGES.md: what a release adds, removes and changes against the previous one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

__all__ = ["TableDiff", "diff_folders", "render"]

#: Columns that identify a row, per table; every other column counts for "changed".
KEYS = {"documents": "id", "entities": "id", "claims": "id"}
_SHOW = 10


@dataclass
class TableDiff:
    table: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0


def _fingerprints(folder: Path, table: str) -> dict[str, str]:
    """Row id -> sha256 of the row's other columns (streamed batch by batch)."""
    out: dict[str, str] = {}
    files = sorted((folder / "data" / table).glob("*.parquet"))
    key = KEYS[table]
    for f in files:
        pf = pq.ParquetFile(f)
        for batch in pf.iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                rid = str(row.pop(key))
                row.pop("split", None)
                blob = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
                out[rid] = hashlib.sha256(blob.encode()).hexdigest()
    return out


def diff_folders(old: Path | None, new: Path) -> list[TableDiff]:
    """Per-table diff of two dataset folders (``old`` None: everything is added)."""
    diffs = []
    for table in KEYS:
        b = _fingerprints(new, table)
        a = _fingerprints(old, table) if old is not None else {}
        d = TableDiff(table)
        d.added = sorted(set(b) - set(a))
        d.removed = sorted(set(a) - set(b))
        both = set(a) & set(b)
        d.changed = sorted(k for k in both if a[k] != b[k])
        d.unchanged = len(both) - len(d.changed)
        diffs.append(d)
    return diffs


def render(version: str, previous: str | None, diffs: list[TableDiff]) -> str:
    head = (f"# Changes in {version}\n\n"
            + (f"Compared with {previous}.\n" if previous else "First release: no previous "
               "version, every row is new.\n"))
    rows = ["| table | added | removed | changed | unchanged |", "|---|---|---|---|---|"]
    rows += [f"| {d.table} | {len(d.added):,} | {len(d.removed):,} | {len(d.changed):,} | "
             f"{d.unchanged:,} |" for d in diffs]
    parts = [head, "\n".join(rows) + "\n"]
    for d in diffs:
        for kind, ids in (("added", d.added), ("removed", d.removed), ("changed", d.changed)):
            if ids and (previous or kind != "added"):
                more = f" (and {len(ids) - _SHOW:,} more)" if len(ids) > _SHOW else ""
                parts.append(f"- {d.table} {kind}: " + ", ".join(f"`{i}`" for i in ids[:_SHOW])
                             + more + "\n")
    return "\n".join(parts)
