"""Streaming Parquet writing: rows in, ``data/<table>/<split>-0000k-of-0000n.parquet`` out.

Rows are buffered per split into Arrow record batches, so memory stays flat whatever the
corpus size; shards rotate at ``rows_per_shard`` and are renamed with their final count at
the end. The files carry the ``huggingface`` schema metadata, so ``datasets`` restores the
typed features (ClassLabel included) even without the card.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Features

from newscorpus.release.tables import encode_row

__all__ = ["TableWriter", "write_table"]


@dataclass
class _Split:
    rows: list[dict[str, Any]] = field(default_factory=list)
    shards: list[Path] = field(default_factory=list)
    writer: pq.ParquetWriter | None = None
    in_shard: int = 0
    total: int = 0
    nbytes: int = 0


class TableWriter:
    """Writes one table's rows into per-split shard files under ``folder``."""

    def __init__(self, folder: Path, feats: Features, *, batch_rows: int = 2048,
                 rows_per_shard: int = 500_000) -> None:
        self.folder = folder
        self.feats = feats
        self.schema: pa.Schema = feats.arrow_schema
        self.batch_rows = batch_rows
        self.rows_per_shard = rows_per_shard
        self._splits: dict[str, _Split] = {}
        #: Arrow bytes per split (the card's ``num_bytes``), known after ``close``.
        self.nbytes: dict[str, int] = {}

    def add(self, split: str, row: dict[str, Any]) -> None:
        s = self._splits.setdefault(split, _Split())
        s.rows.append(encode_row(row, self.feats))
        if len(s.rows) >= self.batch_rows:
            self._flush(split, s)

    def _flush(self, split: str, s: _Split) -> None:
        if not s.rows:
            return
        batch = pa.RecordBatch.from_pylist(s.rows, schema=self.schema)
        s.rows.clear()
        if s.writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f".{split}-{len(s.shards):05d}.parquet.part"
            s.shards.append(path)
            s.writer = pq.ParquetWriter(path, self.schema, compression="zstd",
                                        write_statistics=True)
        s.writer.write_batch(batch)
        s.in_shard += batch.num_rows
        s.total += batch.num_rows
        s.nbytes += batch.nbytes
        if s.in_shard >= self.rows_per_shard:
            s.writer.close()
            s.writer = None
            s.in_shard = 0

    def close(self) -> dict[str, int]:
        """Flush, close and name the shards ``<split>-0000k-of-0000n.parquet``; row counts."""
        counts: dict[str, int] = {}
        for split, s in sorted(self._splits.items()):
            self._flush(split, s)
            if s.writer is not None:
                s.writer.close()
                s.writer = None
            n = len(s.shards)
            for k, part in enumerate(s.shards):
                part.rename(self.folder / f"{split}-{k:05d}-of-{n:05d}.parquet")
            counts[split] = s.total
            self.nbytes[split] = s.nbytes
        return counts


def write_table(folder: Path, feats: Features, rows: Iterable[tuple[str, dict[str, Any]]],
                **kw: Any) -> dict[str, int]:
    """Write ``(split, row)`` pairs; returns rows per split."""
    w = TableWriter(folder, feats, **kw)
    for split, row in rows:
        w.add(split, row)
    return w.close()
