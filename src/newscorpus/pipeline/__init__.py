"""The main job, end to end: corpus (+ annotations) -> validated dataset folder.

This is the one place that strings the stages together; each stage stays unaware of the
others and they meet at the records of ``newscorpus.model``. The work is a list of shards
(``engine.shards_of``: fixed slices of ``sources.jsonl``) run by one executor, locally or on
Ray (``newscorpus.engine``); the driver here only merges their small results, checks what
spans shards (unique ids, orphan annotation files), names the files and publishes.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from newscorpus._fs import drop_lock, locked_tmpdir, remove_stale, write_atomic
from newscorpus.engine import DEFAULT_SHARD_SIZE, EngineError, Executor, LocalExecutor, Shard
from newscorpus.ingest import iter_sources
from newscorpus.model.errors import RecordError, ReleaseError
from newscorpus.model.records import Document
from newscorpus.normalize import NORMALIZER_VERSION, normalize
from newscorpus.pipeline.cache import NormCache
from newscorpus.pipeline.inputs import fingerprint, load_build, save_build
from newscorpus.pipeline.shard import (
    ShardResult,
    ShardTask,
    part_name,
    read_raw,
    run_shard,
    to_document,
)
from newscorpus.project import Project
from newscorpus.release import BuildInfo, features
from newscorpus.release.agreement import pairwise_f1
from newscorpus.release.card import render
from newscorpus.release.dataset import check_replaceable, publish
from newscorpus.release.tables import TABLE_ORDER
from newscorpus.validate import ValidationReport, project_contracts, project_suites
from newscorpus.validate.report import CheckResult, merge_checks, write_report
from newscorpus.validate.run import DOCS_FOLDER, corpus_docs_dir
from newscorpus.validate.tables import card_checks, card_rows_check, parse_card

__all__ = ["DEFAULT_OUT", "DEFAULT_SHARD_SIZE", "RunStats", "build", "iter_documents",
           "release", "validate_corpus"]

log = logging.getLogger(__name__)

DEFAULT_OUT = Path("build/dataset")
DATASET_NAME = "newscorpus"



@dataclass
class RunStats:
    """What a run did, for the one-line summary and ``$NEWSCORPUS_STATS``."""

    command: str
    documents: int = 0
    shards: int = 0
    workers: int = 1
    engine: str = "local"
    normalize_calls: int = 0
    cache_hits: int = 0
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        """``build: 1,000 documents in 1 shard(s) on 2 local worker(s), 1,000 normalised...``"""
        where = f"{self.workers} {self.engine} worker(s)"
        spans = ", ".join(f"{n:,} {t}" for t, n in self.rows.items() if t != "documents")
        return (f"{self.command}: {self.documents:,} documents in {self.shards} shard(s) on "
                f"{where}; normalised {self.normalize_calls:,}, from cache "
                f"{self.cache_hits:,}{'; ' + spans if spans else ''}; {self.seconds:.1f} s")

    def record(self) -> None:
        """Append one JSON line to ``$NEWSCORPUS_STATS`` when it is set (benchmarks read it)."""
        target = os.environ.get("NEWSCORPUS_STATS")
        if not target:
            return
        d = {"command": self.command, "documents": self.documents, "shards": self.shards,
             "workers": self.workers, "engine": self.engine,
             "normalize_calls": self.normalize_calls, "cache_hits": self.cache_hits,
             "seconds": round(self.seconds, 3), "rows": self.rows}
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(d) + "\n")


def iter_documents(project: Project) -> Iterator[Document]:
    """Every corpus article, normalised, in ``sources.jsonl`` order (streamed, one at a time;
    for ``annotate push``/``pull``, which need documents, not files)."""
    src_path = project.rel(project.sources)
    seen: set[str] = set()
    for n, rec in enumerate(iter_sources(project), start=1):
        doc_id, raw, sha, encoding = read_raw(project, rec, n=n, where=src_path)
        if doc_id in seen:
            raise RecordError(f"duplicate id {doc_id}", path=src_path, record=n, field="id")
        seen.add(doc_id)
        yield to_document(rec, doc_id, sha, encoding, normalize(raw))


def _tasks(project: Project, shard_size: int, out: Path | None, cache: NormCache
           ) -> Iterator[ShardTask]:
    """The shards of ``sources.jsonl``, read as they are handed out (never all at once)."""
    batch: list[dict[str, Any]] = []
    k = start = 0
    cache_dir = str(cache.folder) if cache.folder is not None else None
    for rec in iter_sources(project):
        batch.append(rec)
        if len(batch) == shard_size:
            yield ShardTask(str(project.root), Shard(k, start, start + len(batch)),
                            tuple(batch), str(out) if out else None, cache_dir, shard_size)
            k, start, batch = k + 1, start + len(batch), []
    if batch:
        yield ShardTask(str(project.root), Shard(k, start, start + len(batch)), tuple(batch),
                        str(out) if out else None, cache_dir, shard_size)


@dataclass
class _Merged:
    """The driver's running sums over shard results (small, whatever the corpus size)."""

    info: BuildInfo
    stats: RunStats
    checks: dict[str, CheckResult] = field(default_factory=dict)
    doc_ids: list[np.ndarray[Any, Any]] = field(default_factory=list)
    raw_paths: list[np.ndarray[Any, Any]] = field(default_factory=list)
    span_ids: dict[str, list[np.ndarray[Any, Any]]] = field(default_factory=dict)
    parts: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # table>split>shards
    human: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, r: ShardResult) -> None:
        self.checks = merge_checks(self.checks, r.checks)
        self.doc_ids.append(r.doc_ids)
        self.raw_paths.append(r.raw_paths)
        for t, ids in r.span_ids.items():
            self.span_ids.setdefault(t, []).append(ids)
        for t, splits in r.rows.items():
            for s, n in splits.items():
                self.parts.setdefault(t, {}).setdefault(s, []).append(r.shard.index)
                c = self.info.counts.setdefault(t, {})
                c[s] = c.get(s, 0) + n
                b = self.info.nbytes.setdefault(t, {})
                b[s] = b.get(s, 0) + r.nbytes[t][s]
        self.info.merge(r.tally)
        for t, rows in r.human.items():
            self.human.setdefault(t, []).extend(rows)
        self.stats.documents += len(r.doc_ids)
        self.stats.shards += 1
        self.stats.normalize_calls += r.normalize_calls
        self.stats.cache_hits += r.cache_hits


def _duplicates(chunks: list[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    """Values that occur more than once across the chunks (sorted, 8 bytes a row)."""
    if not chunks:
        return np.zeros(0, dtype=np.uint64)
    allv = np.sort(np.concatenate(chunks))
    dup: np.ndarray[Any, Any] = np.unique(allv[1:][allv[1:] == allv[:-1]])
    return dup


def _run(project: Project, executor: Executor[Any, Any], out: Path | None, *,
         command: str, shard_size: int, info: BuildInfo,
         progress: Callable[[int], None] | None) -> _Merged:
    cache = NormCache.for_project(project.root, NORMALIZER_VERSION)
    merged = _Merged(info=info, stats=RunStats(command, workers=executor.workers,
                                               engine=executor.engine))
    for r in executor.map(run_shard, _tasks(project, shard_size, out, cache),
                          ShardTask.describe):
        merged.add(r)
        if progress is not None:
            progress(merged.stats.documents)
    # a run of fewer shards than workers used only that many (one shard runs in-process)
    merged.stats.workers = min(merged.stats.workers, max(1, merged.stats.shards))
    src_path = project.rel(project.sources)
    dup = _duplicates(merged.doc_ids)
    if len(dup):
        raise RecordError(f"{len(dup)} id(s) occur more than once, e.g. {int(dup[0]):016x}",
                          path=src_path, field="id")
    ids = np.sort(np.concatenate(merged.doc_ids)) if merged.doc_ids else np.zeros(0, np.uint64)
    _refuse_orphan_annotations(project, ids)
    for table in ("entities", "claims"):
        bad = _duplicates(merged.span_ids.get(table, []))
        check = merged.checks.get(f"{table}.id_unique")
        if len(bad) and check is not None and check.success:
            merged.checks[check.check] = CheckResult(
                table, check.check, check.rule, check.kind, False, check.evaluated, len(bad),
                details=(f"{len(bad)} id(s) repeat across shards",))
    return merged


def _refuse_orphan_annotations(project: Project, ids: np.ndarray[Any, Any]) -> None:
    """Annotation files must belong to a corpus document: never drop one without a word."""
    folder = project.annotations / "labelstudio"
    orphans = []
    for p in sorted(folder.glob("*.json")):
        try:
            key = np.uint64(int(p.stem, 16)) if len(p.stem) == 16 else None
        except ValueError:
            key = None
        pos = int(np.searchsorted(ids, key)) if key is not None else len(ids)
        if key is None or pos >= len(ids) or ids[pos] != key:
            orphans.append(p)
    if orphans:
        names = ", ".join(project.rel(p) for p in orphans[:5])
        raise RecordError(f"{len(orphans)} annotation file(s) belong to no corpus document: "
                          f"{names} (ingest the article, or remove the file)",
                          path=project.rel(folder))


def _annotator_notes(project: Project) -> dict[str, str]:
    """``annotations/annotators.json``: who each neutral annotator id is, for the card."""
    path = project.annotations / "annotators.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordError(f"unreadable: {exc}", path=project.rel(path)) from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise RecordError("must map annotator ids to one-line descriptions",
                          path=project.rel(path))
    return {str(k): v for k, v in data.items()}


def _name_parts(tmp: Path, merged: _Merged) -> None:
    """``.shard-k-split`` -> ``<split>-0000i-of-0000n``; tables without rows get no files."""
    for table in TABLE_ORDER:
        folder = tmp / "data" / table
        total = sum(merged.info.counts.get(table, {}).values())
        for split, shards in merged.parts.get(table, {}).items():
            n = len(shards)
            for i, k in enumerate(sorted(shards)):
                part = folder / part_name(k, split)
                if total == 0 or merged.info.counts[table].get(split, 0) == 0:
                    part.unlink()
                else:
                    part.rename(folder / f"{split}-{i:05d}-of-{n:05d}.parquet")
        if total == 0:
            shutil.rmtree(folder, ignore_errors=True)
            merged.info.counts.pop(table, None)
            merged.info.nbytes.pop(table, None)
        else:
            for split in [s for s, n in merged.info.counts[table].items() if n == 0]:
                merged.info.counts[table].pop(split)
                merged.info.nbytes[table].pop(split, None)


def _report(project: Project, merged: _Merged, origin: str, card: str | None,
            folder: Path | None) -> ValidationReport:
    scheme = merged.info.scheme
    contracts = project_contracts(project, scheme, project_suites(project, scheme))
    if card is not None and folder is not None:
        contracts += card_checks(card, scheme)
        contracts.append(card_rows_check(parse_card(card)[0], merged.info.counts, folder))
    checks = (*contracts, *merged.checks.values())
    rows = {t: sum(merged.info.counts.get(t, {}).values()) for t in TABLE_ORDER}
    return ValidationReport(origin=origin, checks=tuple(checks), rows=rows, docs_index=None)


def build(project: Project, out: Path | None = None, *, version: str = "0.0.0-dev",
          date: str | None = None, progress: Callable[[int], None] | None = None,
          executor: Executor[Any, Any] | None = None, shard_size: int = DEFAULT_SHARD_SIZE,
          stats: RunStats | None = None) -> BuildInfo:
    """Build the dataset folder (default ``build/dataset``); returns what it wrote.

    The folder is assembled in a temporary sibling and renamed into place only when every
    shard is written and the gate (JSON Schemas + GX suites + contracts) passed. ``progress``
    gets the number of documents done so far.
    """
    out = (out if out is not None else project.root / DEFAULT_OUT).resolve()
    t0 = time.monotonic()
    default = out == (project.root / DEFAULT_OUT).resolve()
    key = fingerprint(project, shard_size) if default else None
    if out.exists() or out.is_symlink():
        check_replaceable(out)
    scheme = project.label_scheme()
    info = BuildInfo(name=DATASET_NAME, version=version, normalizer_version=NORMALIZER_VERSION,
                     scheme=scheme, features=features(scheme), date=date)
    info.annotator_notes = _annotator_notes(project)
    try:
        remove_stale(out.parent, f".{out.name}.tmp-*")  # a killed build's leftovers
        tmp = locked_tmpdir(out.parent, f".{out.name}.tmp-")
    except OSError as exc:
        raise ReleaseError(f"cannot write a dataset at {out}: {exc.strerror}") from exc
    own = executor is None
    ex = executor if executor is not None else LocalExecutor()
    try:
        merged = _run(project, ex, tmp, command="build", shard_size=shard_size, info=info,
                      progress=progress)
        _name_parts(tmp, merged)
        info.agreement = {t: pairwise_f1(r, "label") for t, r in merged.human.items()}
        card = render(info)
        (tmp / "README.md").write_text(card, encoding="utf-8")
        report = _report(project, merged, "newscorpus build", card, tmp)
        # the written report names no folder: a dataset's files are the same wherever built
        write_report(report, tmp / DOCS_FOLDER)
        ValidationReport(project.rel(out), report.checks, report.rows).raise_for_failures()
        drop_lock(tmp)
        publish(tmp, out)
        if key is not None and key == fingerprint(project, shard_size):  # unchanged meanwhile
            save_build(out, key, info)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        drop_lock(tmp)
        raise
    finally:
        if own:
            ex.close()
    merged.stats.seconds = time.monotonic() - t0
    merged.stats.rows = {t: sum(c.values()) for t, c in info.counts.items()}
    if stats is not None:
        stats.__dict__.update(merged.stats.__dict__)
    return info


def _raw_files_check(project: Project, merged: _Merged) -> CheckResult:
    """Does every file in ``corpus/raw/`` belong to a source record? An orphan (a record
    lost) or a leftover temp file is named; 8 bytes a file, whatever the corpus size."""
    from newscorpus.pipeline.shard import id_hashes

    known = np.sort(np.concatenate(merged.raw_paths)) if merged.raw_paths else \
        np.zeros(0, np.uint64)
    orphans: list[str] = []
    seen = 0
    for dirpath, _dirs, files in os.walk(project.raw_dir):
        rels = [Path(dirpath, f).relative_to(project.corpus).as_posix() for f in files]
        seen += len(rels)
        hashes = id_hashes(rels)
        pos = np.searchsorted(known, hashes)
        found = (pos < len(known)) & (known[np.minimum(pos, max(len(known) - 1, 0))] == hashes)
        orphans += [r for r, ok in zip(rels, found.tolist(), strict=True) if not ok]
    orphans.sort()
    return CheckResult(
        "corpus", "corpus.raw_files_referenced",
        "every file in corpus/raw/ is the raw file of a source record (no orphan, no "
        "leftover temp file)", "contract", not orphans, seen, len(orphans),
        ids=tuple(f"corpus/{o}" for o in orphans[:10]),
        details=("an interrupted ingest or a lost record: re-ingest the article, or remove "
                 "the file",) if orphans else ())


def validate_corpus(project: Project, *, executor: Executor[Any, Any] | None = None,
                    docs_dir: Path | None = None, write_docs: bool = True,
                    shard_size: int = DEFAULT_SHARD_SIZE, stats: RunStats | None = None
                    ) -> ValidationReport:
    """Validate the project's corpus and annotations, shard by shard, writing no dataset.

    The same step as ``build`` (so the same verdict), with the normalisation cache: after a
    build nothing is normalised again. The report goes to ``build/validate/corpus/quality/``.
    """
    t0 = time.monotonic()
    scheme = project.label_scheme()
    info = BuildInfo(name=DATASET_NAME, version="", normalizer_version=NORMALIZER_VERSION,
                     scheme=scheme, features={})
    own = executor is None
    ex = executor if executor is not None else LocalExecutor()
    try:
        merged = _run(project, ex, None, command="validate", shard_size=shard_size, info=info,
                      progress=None)
    finally:
        if own:
            ex.close()
    rows = {"sources": merged.stats.documents,
            "documents": merged.stats.documents,
            "edits": sum(info.rule_edits.values()),
            "entities": sum(info.label_counts.get("entities", {}).values()),
            "claims": sum(info.label_counts.get("claims", {}).values())}
    report = _report(project, merged, "corpus", None, None)
    report = ValidationReport(report.origin, (*report.checks, _raw_files_check(project, merged)),
                              rows, None)
    if write_docs:
        target = docs_dir or corpus_docs_dir(project)
        shutil.rmtree(target, ignore_errors=True)
        report = write_report(report, target)
    merged.stats.seconds = time.monotonic() - t0
    if stats is not None:
        stats.__dict__.update(merged.stats.__dict__)
    return report


def _reuse_build(project: Project, folder: Path, *, version: str, date: str,
                 shard_size: int, stats: RunStats) -> BuildInfo | None:
    """Copy ``build/dataset`` (hard links when possible) into ``folder`` with the release's
    card, when it was built from exactly the project's current inputs; else None."""
    t0 = time.monotonic()
    built = (project.root / DEFAULT_OUT).resolve()
    scheme = project.label_scheme()
    info = BuildInfo(name=DATASET_NAME, version=version, normalizer_version=NORMALIZER_VERSION,
                     scheme=scheme, features=features(scheme), date=date)
    if not load_build(built, fingerprint(project, shard_size), info):
        log.info("build/dataset is missing or older than the corpus: building the release")
        return None

    def link(src: str, dst: str) -> object:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        return dst

    shutil.copytree(built, folder, copy_function=link)
    card = render(info)
    (folder / "README.md").unlink()  # a link to the build's card: never write through it
    (folder / "README.md").write_text(card, encoding="utf-8")
    problems = [c for c in card_checks(card, scheme) if not c.success]
    if problems:
        raise ReleaseError(f"the release card disagrees with the label scheme: "
                           f"{problems[0].message()}")
    stats.documents = sum(info.counts.get("documents", {}).values())
    stats.rows = {t: sum(c.values()) for t, c in info.counts.items()}
    stats.seconds = time.monotonic() - t0
    log.info("released the validated build/dataset (%d documents)", stats.documents)
    return info


def release(project: Project, version: str, *, allow_dirty: bool = False,
            date: str | None = None, executor: Executor[Any, Any] | None = None,
            shard_size: int = DEFAULT_SHARD_SIZE, stats: RunStats | None = None) -> Path:
    """Build, validate and publish ``releases/<version>/`` immutably; update CITATION.cff.

    Refuses an existing or smaller version and (unless ``allow_dirty``) a working tree with
    uncommitted changes. Everything is assembled in a hidden staging folder and renamed into
    place last: a failure at any step leaves no release folder. When ``build/dataset`` was
    built (and so validated) from exactly the current inputs, that folder is what is
    published; otherwise the release is built afresh, its documents from the normalisation
    cache that ``build``/``validate`` filled, so nothing is normalised twice.
    """
    from datetime import UTC, datetime

    from newscorpus.release import citation
    from newscorpus.release.publish import check_version, finalize, git_state

    releases = project.releases
    remove_stale(releases, ".*.staging-*")  # before git is asked: they make the tree dirty
    check_version(releases, version)
    commit, dirty = git_state(project.root)
    if dirty and not allow_dirty:
        raise ReleaseError("the working tree has uncommitted changes (or is not a git "
                           "repository): commit first, or pass --allow-dirty to record it")
    date = date or datetime.now(UTC).date().isoformat()
    releases.mkdir(parents=True, exist_ok=True)
    staging = locked_tmpdir(releases, f".{version}.staging-")
    run = RunStats("release")
    try:
        folder = staging / version
        info = _reuse_build(project, folder, version=version, date=date,
                            shard_size=shard_size, stats=run)
        if info is None:
            info = build(project, folder, version=version, date=date, executor=executor,
                         shard_size=shard_size, stats=run)
        finalize(folder, info, releases=releases, version=version, date=date,
                 git_commit=commit, git_dirty=dirty)
        target = releases / version
        check_version(releases, version)  # nobody published it meanwhile
        folder.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        drop_lock(staging)
    write_atomic(project.root / "CITATION.cff", citation.render(version=version, date=date))
    run.command = "release"
    if stats is not None:
        stats.__dict__.update(run.__dict__)
    return target


__all__ += ["EngineError"]
