"""The build step: one shard of source records -> its documents, spans, checks and files.

This is the unit every engine runs (``newscorpus.engine``): everything it needs is in its
``ShardTask`` (plain data, picklable), everything it produced is in its ``ShardResult`` or in
the Parquet parts it wrote under the task's staging folder. ``build``, ``validate`` and
``release`` all run it, so the three see the same documents and the same checks, and the
normalisation cache (``pipeline.cache``) makes each article's normalisation happen once.

Per shard it reads each raw file (sha256 checked), normalises (or takes the cache),
attaches the committed annotations, checks the rows against the JSON Schemas and the GX
suites, and writes ``data/<table>/.shard-<k>-<split>.parquet``: one file per table for
every split the shard has documents in, so the files of a split line up across tables
(the k-th ``entities`` file holds the spans of the k-th ``documents`` file), which lets a
validator read a folder one shard at a time.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from newscorpus.annotate import load_annotations
from newscorpus.engine import Shard
from newscorpus.ingest import decode, raw_file
from newscorpus.model.errors import RecordError
from newscorpus.model.labels import LabelScheme
from newscorpus.model.records import Document, Rewrite, Source
from newscorpus.model.splits import split_for
from newscorpus.normalize import NORMALIZER_VERSION, normalize
from newscorpus.pipeline.cache import NormCache, cache_key
from newscorpus.project import Project
from newscorpus.release import BuildInfo, features
from newscorpus.release.tables import TABLE_ORDER, encode_row
from newscorpus.validate import validate_tables
from newscorpus.validate.report import CheckResult
from newscorpus.validate.schemas import SCHEMA_OF_TABLE, check_frame
from newscorpus.validate.tables import empty_table

__all__ = ["ShardResult", "ShardTask", "id_hashes", "part_name", "run_shard"]

_SPLIT_ORDER = ("train", "validation", "test")


@dataclass(frozen=True, slots=True)
class ShardTask:
    """One shard's work order: the records, where to write, whether to keep the cache."""

    root: str
    shard: Shard
    records: tuple[dict[str, Any], ...]
    out: str | None = None  # staging folder of the dataset (None: check only, write nothing)
    cache_dir: str | None = None  # the normalisation cache folder (None: no cache)
    shard_size: int = 0  # the run's shard size (names the cache slot of this position)

    def describe(self) -> str:
        return self.shard.describe()


@dataclass
class ShardResult:
    """What one shard produced (small: counts, checks, id hashes; the rows are in files)."""

    shard: Shard
    doc_ids: np.ndarray[Any, np.dtype[np.uint64]]
    raw_paths: np.ndarray[Any, np.dtype[np.uint64]]  # hashes of the records' raw_path
    span_ids: dict[str, np.ndarray[Any, np.dtype[np.uint64]]]
    rows: dict[str, dict[str, int]]  # table -> split -> rows written
    nbytes: dict[str, dict[str, int]]  # table -> split -> Arrow bytes
    checks: list[CheckResult]
    tally: BuildInfo
    human: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    normalize_calls: int = 0
    cache_hits: int = 0
    seconds: float = 0.0


def part_name(shard: int, split: str) -> str:
    """Staging name of a shard's file for one split (renamed when every shard is done)."""
    return f".shard-{shard:05d}-{split}.parquet"


def id_hashes(ids: Sequence[str]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """64-bit hashes of record ids: 8 bytes a row for the corpus-wide uniqueness checks."""
    return np.fromiter((int.from_bytes(hashlib.blake2b(i.encode("utf-8"), digest_size=8)
                                       .digest(), "little") for i in ids),
                       dtype=np.uint64, count=len(ids))


@functools.lru_cache(maxsize=4)
def _context(root: str) -> tuple[Project, LabelScheme, dict[str, Any], dict[str, Any]]:
    """Per worker process: the project, its scheme, validators and suites (read once)."""
    from newscorpus.validate import project_suites

    project = Project(Path(root))
    scheme = project.label_scheme()
    validators = {t: project.validator(SCHEMA_OF_TABLE[t]) for t in (*TABLE_ORDER, "sources")}
    return project, scheme, validators, project_suites(project, scheme)


def read_raw(project: Project, rec: Mapping[str, Any], *, n: int, where: str
             ) -> tuple[str, str, str, str]:
    """(id, raw text, raw sha256, encoding) of one source record; every check applied:
    an id, a raw file inside ``corpus/raw/``, bytes matching the recorded sha256."""
    doc_id = rec.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        raise RecordError("missing id", path=where, record=n, field="id")
    f = raw_file(project, rec)
    try:
        data = f.read_bytes()
    except OSError as exc:
        raise RecordError(f"raw file unreadable: {exc.strerror}", path=where,
                          record=doc_id, field="raw_path") from exc
    sha = hashlib.sha256(data).hexdigest()
    if sha != rec.get("raw_sha256"):
        raise RecordError(f"corpus/{rec['raw_path']} has sha256 {sha[:12]}..., the record says "
                          "otherwise: the raw file changed", path=where, record=doc_id,
                          field="raw_sha256")
    encoding = str(rec.get("encoding") or "utf-8")
    raw = decode(data, origin=f"corpus/{rec['raw_path']}", encoding=encoding)
    return doc_id, raw, sha, encoding


def to_document(rec: Mapping[str, Any], doc_id: str, sha: str, encoding: str,
                out: Rewrite) -> Document:
    """The document record of a source record and its normalisation."""
    return Document(
        id=doc_id,
        source=Source(rec.get("publisher"), rec.get("url"), rec.get("published_at"),
                      rec.get("retrieved_at"), rec.get("license")),
        title=rec.get("title"), text=out.text, raw_sha256=sha,
        normalizer_version=NORMALIZER_VERSION, edits=out.edits, split=split_for(doc_id),
        encoding=encoding, truncated=out.truncated, marks=out.marks)


def _documents(project: Project, task: ShardTask, where: str
               ) -> tuple[list[Document], dict[str, str], int, int]:
    """Read, check and normalise (or take from the cache) the shard's articles."""
    raws: list[str] = []
    keys: list[tuple[str, str, str]] = []
    for n, rec in enumerate(task.records, start=task.shard.start + 1):
        doc_id, raw, sha, encoding = read_raw(project, rec, n=n, where=where)
        raws.append(raw)
        keys.append((doc_id, sha, encoding))
    ids = [k[0] for k in keys]
    cache = NormCache(Path(task.cache_dir) if task.cache_dir else None)
    key = cache_key(NORMALIZER_VERSION, keys)
    slot = f"{task.shard_size}-{task.shard.index:05d}"
    found = cache.get(key, keys, slot=slot)
    outs = [r if r is not None else normalize(raw) for r, raw in zip(found, raws, strict=True)]
    calls = sum(r is None for r in found)
    hits = len(found) - calls
    if calls:
        cache.put(key, keys, outs, slot=slot)
    docs = [to_document(rec, doc_id, sha, encoding, out)
            for rec, (doc_id, sha, encoding), out in zip(task.records, keys, outs, strict=True)]
    return docs, dict(zip(ids, raws, strict=True)), calls, hits


def _frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows) if rows else empty_table(table)


def run_shard(task: ShardTask) -> ShardResult:
    """Build one shard: documents + spans -> checks (+ Parquet parts when ``task.out``)."""
    t0 = time.monotonic()
    project, scheme, validators, suites = _context(task.root)
    where = project.rel(project.sources)
    source_rows = pd.DataFrame(list(task.records))
    checks = [check_frame("sources", source_rows, validators["sources"], path=where,
                          schema_name="source")] if len(source_rows) else []
    docs, raw_texts, calls, hits = _documents(project, task, where)
    entities, claims = load_annotations(project, docs, scheme=scheme)
    rows: dict[str, list[dict[str, Any]]] = {
        "documents": [d.to_dict() for d in docs],
        "entities": [e.to_dict() for e in entities],
        "claims": [c.to_dict() for c in claims]}
    tables = {t: _frame(t, r) for t, r in rows.items()}
    report = validate_tables(
        tables, scheme, validators={t: validators[t] for t in TABLE_ORDER}, suites=suites,
        raw_texts=raw_texts, origin=task.describe(),
        paths={"documents": where, "entities": project.rel(project.annotations),
               "claims": project.rel(project.annotations)})
    checks.extend(report.checks)

    tally = BuildInfo(name="", version="", normalizer_version=NORMALIZER_VERSION,
                      scheme=scheme, features={})
    human: dict[str, list[dict[str, Any]]] = {"entities": [], "claims": []}
    for table in TABLE_ORDER:
        for row in rows[table]:
            tally.tally(table, row)
            if table in human and row.get("origin") == "human":
                human[table].append({k: row[k] for k in ("doc_id", "annotator", "origin",
                                                         "start", "end")}
                                    | {"label": row.get("label", row.get("claim_type"))})
    counts: dict[str, dict[str, int]] = {t: {} for t in TABLE_ORDER}
    nbytes: dict[str, dict[str, int]] = {t: {} for t in TABLE_ORDER}
    if task.out is not None:
        _write_parts(Path(task.out), task.shard.index, rows, scheme, counts, nbytes)
    return ShardResult(
        shard=task.shard,
        doc_ids=np.fromiter((int(d.id, 16) if _hex16(d.id) else 0 for d in docs),
                            dtype=np.uint64, count=len(docs)),
        raw_paths=id_hashes([str(r.get("raw_path")) for r in task.records]),
        span_ids={t: id_hashes([r["id"] for r in rows[t]]) for t in ("entities", "claims")},
        rows=counts, nbytes=nbytes, checks=checks, tally=tally, human=human,
        normalize_calls=calls, cache_hits=hits, seconds=time.monotonic() - t0)


def _hex16(s: str) -> bool:
    return len(s) == 16 and all(c in "0123456789abcdef" for c in s)


def _by_split(rows: list[dict[str, Any]], split_of: Mapping[str, str], key: str
              ) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(split_of.get(r[key], "train"), []).append(r)
    for s in _SPLIT_ORDER:
        yield s, groups.get(s, [])


def _write_parts(out: Path, shard: int, rows: Mapping[str, list[dict[str, Any]]],
                 scheme: LabelScheme, counts: dict[str, dict[str, int]],
                 nbytes: dict[str, dict[str, int]]) -> None:
    """One Parquet file per (table, split) the shard has documents in: aligned files."""
    feats = features(scheme)
    split_of = {r["id"]: r["split"] for r in rows["documents"]}
    present = {r["split"] for r in rows["documents"]}
    for table in TABLE_ORDER:
        key = "id" if table == "documents" else "doc_id"
        folder = out / "data" / table
        folder.mkdir(parents=True, exist_ok=True)
        schema = feats[table].arrow_schema
        for split, part in _by_split(rows[table], split_of, key):
            if split not in present:
                continue
            data = pa.Table.from_pylist([encode_row(r, feats[table]) for r in part],
                                        schema=schema)
            pq.write_table(data, folder / part_name(shard, split), compression="zstd",
                           write_statistics=True)
            counts[table][split] = data.num_rows
            nbytes[table][split] = data.nbytes
