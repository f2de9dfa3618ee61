"""The normalisation cache: each article is normalised once per normaliser version.

``build``, ``validate`` and ``release`` all need every document's normalised text and edit
log; normalising is most of their time. A shard's results are kept in one Parquet file
under ``build/cache/normalized/<normaliser version>/`` (or ``$NEWSCORPUS_CACHE_DIR``), keyed
by the sha256 of the shard's ``(id, raw_sha256, encoding)`` list: a changed article, a new
normaliser or a different shard layout gives another key, so a stale entry is never read.
Appending articles changes only the last shard's key. The cache is never committed and can
be deleted at any time; it is written atomically (temp file + rename), so concurrent runs
and a crash leave either a whole entry or none.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newscorpus._fs import write_atomic
from newscorpus.model.records import Edit, Mark, Rewrite

__all__ = ["CACHE_ENV", "NormCache", "cache_key"]

CACHE_ENV = "NEWSCORPUS_CACHE_DIR"

log = logging.getLogger(__name__)

_EDIT = pa.struct([("raw_start", pa.int64()), ("raw_end", pa.int64()), ("start", pa.int64()),
                   ("end", pa.int64()), ("before", pa.string()), ("after", pa.string()),
                   ("rule", pa.string()), ("confidence", pa.float64())])
_MARK = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("kind", pa.string())])
SCHEMA = pa.schema([("id", pa.string()), ("raw_sha256", pa.string()), ("encoding", pa.string()),
                    ("text", pa.string()), ("edits", pa.list_(_EDIT)),
                    ("marks", pa.list_(_MARK)), ("truncated", pa.bool_())])


def cache_key(version: str, entries: Sequence[tuple[str, str, str]]) -> str:
    """Key of a shard: normaliser version + every (id, raw_sha256, encoding), in order."""
    h = hashlib.sha256(json.dumps([version, list(entries)]).encode("utf-8"))
    return h.hexdigest()


class NormCache:
    """One folder of shard entries for one normaliser version (``None``: caching off)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @classmethod
    def for_project(cls, root: Path, version: str) -> NormCache:
        base = os.environ.get(CACHE_ENV)
        if base == "":
            return cls(None)  # NEWSCORPUS_CACHE_DIR= (empty) turns the cache off
        folder = Path(base) if base else root / "build" / "cache"
        return cls(folder / "normalized" / version)

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.parquet"

    def _read(self, key: str) -> list[dict[str, Any]] | None:
        try:
            rows: list[dict[str, Any]] = pq.read_table(self._path(key), schema=SCHEMA).to_pylist()
        except (OSError, pa.ArrowInvalid):
            return None  # absent or damaged: recompute (and overwrite)
        return rows

    def get(self, key: str, entries: Sequence[tuple[str, str, str]], *, slot: str
            ) -> list[Rewrite | None]:
        """The shard's results in order, ``None`` where an article must be normalised.

        A whole entry under ``key`` answers every article; failing that, the last entry
        written for the same ``slot`` (shard size and position) answers the articles it
        has with the same (id, raw_sha256, encoding): appending to the corpus changes the
        last shard, and only its new articles are normalised.
        """
        missing: list[Rewrite | None] = [None] * len(entries)
        if self.folder is None:
            return missing
        rows = self._read(key)
        if rows is None:
            try:
                prev = (self.folder / "slots" / slot).read_text(encoding="ascii").strip()
            except OSError:
                return missing
            rows = self._read(prev) or []
        found = {(r["id"], r["raw_sha256"], r["encoding"]): r for r in rows}
        out = list(missing)
        for i, k in enumerate(entries):
            r = found.get(k)
            if r is not None:
                out[i] = Rewrite(r["text"], tuple(Edit(**e) for e in r["edits"]),
                                 tuple(Mark(**m) for m in r["marks"]), bool(r["truncated"]))
        return out

    def put(self, key: str, entries: Sequence[tuple[str, str, str]],
            results: Sequence[Rewrite], *, slot: str) -> None:
        """Store a shard's results (atomically; a failure to write only costs speed)."""
        if self.folder is None:
            return
        path = self._path(key)
        table = pa.Table.from_pylist(
            [{"id": i, "raw_sha256": sha, "encoding": enc, "text": r.text,
              "edits": [e.to_dict() for e in r.edits],
              "marks": [m.to_dict() for m in r.marks], "truncated": r.truncated}
             for (i, sha, enc), r in zip(entries, results, strict=True)], schema=SCHEMA)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(fd)
            try:
                pq.write_table(table, tmp, compression="zstd")
                os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
            write_atomic(self.folder / "slots" / slot, key + "\n")
        except OSError as exc:  # a full disk or read-only cache: the build goes on uncached
            log.warning("normalisation cache not written (%s): the next run normalises again",
                        exc.strerror or exc)
