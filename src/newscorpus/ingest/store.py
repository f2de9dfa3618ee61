"""The corpus store: raw bytes in ``corpus/raw/<id[:2]>/<id>.txt``, one record per article
appended to ``corpus/sources.jsonl``.

**Layout.** A raw file lives at ``raw/<first two hex digits of its id>/<id>.txt``: 256
folders, filled evenly because ids are sha256 digits (about 3,900 files each at a million
articles, 39,000 at ten million), the fan-out git uses for its own objects. One level rather
than two: a small corpus stays small (no 65,536 near-empty folders), and a folder of tens of
thousands of names is still quick for the file system, ``ls`` and git's tree objects. The
record's ``raw_path`` (relative to ``corpus/``) says where the file is and readers always go
through it (``raw_file``), so a corpus in the old flat layout (``raw/<id>.txt``) keeps
working unmigrated; ``migrate`` moves it.

**Adding is O(1) in corpus size.** An article is in the corpus iff its raw file exists (at
its sharded path, or the flat one of an old corpus): the duplicate check is two ``stat``
calls, never a read of ``sources.jsonl``, and records are appended, never rewritten.

**Concurrency.** Writers hold an exclusive ``flock`` on ``corpus/.lock`` for the whole write
of a batch (``migrate`` for its whole run), so concurrent ingests never lose or interleave a
record: the second one waits. Readers never wait: ``sources.jsonl`` only grows, every line
they can see already has its raw file, and they stop at the mark of a batch being committed
(a reader that finds a dead writer's journal, the lock free, settles it first).

**Crash consistency.** A batch is written in steps, and a kill -9 after any of them is safe:

1. under the lock, finish or undo whatever an interrupted writer left (below);
2. stage: raw files and the batch's record lines go to ``corpus/.staging/`` (seen by neither
   readers nor the duplicate check);
3. journal: ``corpus/.journal`` notes the size of ``sources.jsonl`` before the batch and the
   length and sha256 of the lines to append (written whole to a temp name, then renamed);
4. place: each staged raw file is renamed to its path under ``raw/``;
5. commit: the lines are appended to ``sources.jsonl`` (``O_APPEND``, fsync). Once they are all
   there, the batch is in;
6. clean up: the journal is removed, then the staging folder.

The next writer, under the lock, reads what is left. A journal whose lines are all in
``sources.jsonl`` means a committed batch: only step 6 is left. A journal without them means
an uncommitted one: a torn tail of ``sources.jsonl`` is cut back to the journal's size and the
raw files step 4 had placed are removed. A staging folder without a journal is deleted. So
any kill leaves the whole batch or none of it, never a record without its raw file nor a raw
file without its record. A torn last line of ``sources.jsonl`` without a journal is no write of
ours: it is an error naming the file and line, repaired by hand.

**Memory.** A batch is read twice, one article at a time, keeping nothing per article:
pass 1 checks every article and its record; pass 2, under the lock, checks again and stages,
and must produce the very record lines pass 1 checked (same sha256) or nothing is written.
The same bytes twice in one batch show in pass 2, as a staged name that already exists; the
batch is then refused before its journal, the corpus untouched. So memory stays flat
whatever the batch or corpus size (a folder's file names are sorted one folder at a time).

**Durability.** Staged raw files, the journal, the names placed in ``raw/`` and the appended
lines are fsynced in that order, so a power cut is survived like a kill. A batch of more than
``SYNC_EACH`` articles calls ``os.sync()`` once per step instead of an fsync per file.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from newscorpus._fs import fsync_dir
from newscorpus.ingest.files import Candidate, scan
from newscorpus.model.errors import IngestError, RecordError
from newscorpus.model.schema import iter_errors
from newscorpus.project import Project

__all__ = [
    "Ingested",
    "add",
    "batch_records",
    "ingest_paths",
    "iter_sources",
    "load_sources",
    "locked",
    "raw_file",
    "raw_rel",
    "recover",
    "stored_raw",
    "write",
]

LOCK_NAME = ".lock"
JOURNAL_NAME = ".journal"
STAGING_NAME = ".staging"
#: Up to this many staged raw files are fsynced one by one; a bigger batch syncs once.
SYNC_EACH = 256
#: Bytes per read and write when copying lines: a batch under this size is one write.
_CHUNK = 8 * 2**20
_FLAT = re.compile(r"[0-9a-f]{16}\.txt")


def raw_rel(doc_id: str) -> str:
    """Where the raw file of ``doc_id`` goes, relative to ``corpus/``.

    >>> raw_rel("19efab646f741469")
    'raw/19/19efab646f741469.txt'
    """
    return f"raw/{doc_id[:2]}/{doc_id}.txt"


def _flat_rel(doc_id: str) -> str:
    return f"raw/{doc_id}.txt"


def stored_raw(project: Project, doc_id: str) -> Path | None:
    """The raw file of ``doc_id`` when the corpus holds it (either layout): two stats, O(1)."""
    corpus = str(project.corpus)  # plain strings: this runs twice per article
    for rel in (raw_rel(doc_id), _flat_rel(doc_id)):
        if os.path.exists(f"{corpus}/{rel}"):
            return project.corpus / rel
    return None


@contextlib.contextmanager
def locked(project: Project) -> Iterator[None]:
    """Hold the corpus's write lock (``corpus/.lock``), waiting while another writer has it.

    The kernel drops an ``flock`` when its holder dies, so a killed writer never leaves the
    corpus locked.
    """
    project.corpus.mkdir(parents=True, exist_ok=True)
    fd = os.open(project.corpus / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- reading


def _journal(project: Project) -> dict[str, Any] | None:
    path = project.corpus / JOURNAL_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise RecordError(f"unreadable journal: {exc}", path=project.rel(path)) from exc
    if not isinstance(obj, dict):
        raise RecordError("unreadable journal: not a JSON object", path=project.rel(path))
    return obj


def _settle(project: Project) -> None:
    """Finish a dead writer's batch before reading, when nobody holds the lock (best effort).

    So that a reader after a kill -9 sees the corpus as the next ingest would leave it. A
    writer at work (lock busy) or a read-only corpus is left alone: the reader then skips
    the unfinished batch's lines instead.
    """
    corpus = project.corpus
    if not (corpus / JOURNAL_NAME).exists() and not (corpus / STAGING_NAME).exists():
        return
    try:
        fd = os.open(corpus / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        recover(project)
    except OSError:
        return
    finally:
        os.close(fd)


def iter_sources(project: Project) -> Iterator[dict[str, Any]]:
    """The records of ``corpus/sources.jsonl``, one line at a time (none when there is none).

    Errors name the file and line. A batch a killed writer left is finished or undone first
    (``recover``); the lines of one being committed right now are left out (they come after
    its journal's mark), so a reader sees whole batches, each record with its raw file.
    """
    _settle(project)
    yield from _read_sources(project)


def _read_sources(project: Project) -> Iterator[dict[str, Any]]:
    path = project.sources
    rel = project.rel(path)
    journal = _journal(project)
    limit = journal.get("sources_size") if journal and journal.get("kind") == "ingest" else None
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return
    with fh:
        end = 0
        for n, read in enumerate(fh, start=1):
            line = read
            end += len(line)
            if isinstance(limit, int) and end > limit:
                return
            torn = not line.endswith(b"\n")
            if torn:
                if _journal(project) is not None:
                    return  # a batch is being appended: its lines are not in yet
                line += fh.readline()  # or its append has just finished
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                what = "truncated or invalid JSON"
                if torn:
                    what = ("the last line is cut short (no newline at the end: an interrupted "
                            "write left no journal to repair it)")
                raise RecordError(f"{what}: {exc}", path=rel, record=n) from exc
            if not isinstance(obj, dict):
                raise RecordError("not a JSON object", path=rel, record=n)
            yield obj


def load_sources(project: Project) -> list[dict[str, Any]]:
    """Every record of ``corpus/sources.jsonl`` as a list (``iter_sources`` streams)."""
    return list(iter_sources(project))


@functools.lru_cache(maxsize=1024)
def _inside(path: str, raw_dir: str) -> bool:
    """Does ``path`` resolve inside ``raw_dir``? Asked per folder (256 of them), not per file:
    resolving every path was a tenth of a cached build's time."""
    return Path(path).resolve().is_relative_to(Path(raw_dir).resolve())


def raw_file(project: Project, record: Mapping[str, Any]) -> Path:
    """The raw file of a source record: ``corpus/`` joined with its ``raw_path``.

    The path must stay inside ``corpus/raw/``: a record cannot make a reader open any other
    file (``../../x/secret.txt`` or a symlinked folder pointing elsewhere is refused).
    """
    doc_id = record.get("id")
    ident = str(doc_id) if doc_id is not None else None
    raw_path = record.get("raw_path")
    if not isinstance(raw_path, str) or not raw_path:
        raise RecordError("missing raw_path", path=project.rel(project.sources), record=ident,
                          field="raw_path")
    pure = PurePosixPath(raw_path)
    path = project.corpus / raw_path
    if (pure.is_absolute() or "\\" in raw_path or ".." in pure.parts or len(pure.parts) < 2
            or pure.parts[0] != "raw"
            or not _inside(str(path.parent), str(project.raw_dir))
            or (path.is_symlink() and not _inside(str(path), str(project.raw_dir)))):
        raise RecordError(f"{raw_path!r} points outside corpus/raw/: refused",
                          path=project.rel(project.sources), record=ident, field="raw_path")
    return path


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True, slots=True)
class Ingested:
    """A committed batch: ``count`` records, ``size`` bytes at ``offset`` in sources.jsonl."""

    count: int
    offset: int
    size: int
    sha256: str


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return None


def _record(c: Candidate, sha: str, now: str) -> dict[str, Any]:
    doc_id = sha[:16]
    return {
        "id": doc_id,
        "raw_path": raw_rel(doc_id),
        "raw_sha256": sha,
        "raw_bytes": len(c.data),
        "encoding": c.encoding,
        "original_name": Path(c.origin).name if ":" not in Path(c.origin).name else c.origin,
        "title": c.meta.get("title") or _first_line(c.text),
        "publisher": c.meta.get("publisher"),
        "url": c.meta.get("url"),
        "published_at": c.meta.get("published_at"),
        "retrieved_at": c.meta.get("retrieved_at"),
        "license": c.meta.get("license"),
        "ingested_at": now,
    }


def _line(record: Mapping[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def _refuse_stored(project: Project, c: Candidate, doc_id: str) -> None:
    stored = stored_raw(project, doc_id)
    if stored is not None:
        raise IngestError(f"already in the corpus as {doc_id} ({project.rel(stored)}); "
                          "nothing written", path=c.origin)


def add(project: Project, articles: Callable[[], Iterable[Candidate]], *,
        now: str | None = None) -> Ingested:
    """Add a batch to the corpus, whole or not at all; ``articles()`` is read twice.

    Pass 1 checks every article and its record (bytes, text, schema, not already in the
    corpus) and keeps nothing per article; pass 2 writes under the lock (module docstring).
    """
    now = now or _now()
    v = project.validator("source")
    digest = hashlib.sha256()
    count = 0
    for c in articles():
        sha = c.sha256
        _refuse_stored(project, c, sha[:16])
        rec = _record(c, sha, now)
        for err in iter_errors(rec, v, path=c.origin, record_id=sha[:16]):
            raise IngestError(err.reason, path=c.origin, field=err.field)
        digest.update(_line(rec))
        count += 1
    if not count:
        return Ingested(0, 0, 0, digest.hexdigest())
    with locked(project):
        recover(project)
        return _commit(project, articles, now, count, digest.hexdigest())


def ingest_paths(project: Project, paths: Sequence[Path], *, encoding: str = "utf-8",
                 meta: Mapping[str, Any] | None = None, now: str | None = None) -> Ingested:
    """Add every article under ``paths`` (files, folders, JSONL), streamed: see ``add``."""
    return add(project, lambda: scan(paths, encoding=encoding, meta=meta), now=now)


def write(project: Project, candidates: Sequence[Candidate], *, now: str | None = None
          ) -> list[dict[str, Any]]:
    """Add candidates already in memory; the records written (small batches and tests)."""
    return list(batch_records(project, add(project, lambda: candidates, now=now)))


def batch_records(project: Project, batch: Ingested) -> Iterator[dict[str, Any]]:
    """The records a committed batch added, read back from ``sources.jsonl``.

    Raises ``RecordError`` when those bytes are no longer there (a ``migrate`` rewrote the
    file since).
    """
    if not batch.count:
        return
    rel = project.rel(project.sources)
    digest = hashlib.sha256()
    with project.sources.open("rb") as fh:
        fh.seek(batch.offset)
        left = batch.size
        while left:
            chunk = fh.read(min(left, _CHUNK))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
        if left or digest.hexdigest() != batch.sha256:
            raise RecordError("the batch's lines are no longer where they were written "
                              "(the file was rewritten since)", path=rel)
        fh.seek(batch.offset)
        for _ in range(batch.count):
            yield json.loads(fh.readline())


def _stage_raw(path: Path, data: bytes, *, sync: bool) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _commit(project: Project, articles: Callable[[], Iterable[Candidate]], now: str,
            count: int, expected: str) -> Ingested:
    """Pass 2 (under the lock): stage, journal, place, append, clean up.

    The same bytes twice in the batch show here, as a staged name that exists already: the
    batch is refused before its journal, so the corpus is untouched.
    """
    staging = project.corpus / STAGING_NAME
    staging.mkdir()
    lines = staging / "records.jsonl"
    sync_each = count <= SYNC_EACH
    try:
        offset = _sources_end(project)
        digest = hashlib.sha256()
        n = 0
        with lines.open("wb") as out:
            for c in articles():
                sha = c.sha256
                doc_id = sha[:16]
                _refuse_stored(project, c, doc_id)
                try:
                    _stage_raw(staging / f"{doc_id}.txt", c.data, sync=sync_each)
                except FileExistsError:
                    first = next(a.origin for a in articles() if a.id == doc_id)
                    raise IngestError(f"same bytes as {first} in this batch (id {doc_id}); "
                                      "nothing written", path=c.origin) from None
                line = _line(_record(c, sha, now))
                digest.update(line)
                n += 1
                out.write(line)
            out.flush()
            os.fsync(out.fileno())
        if n != count or digest.hexdigest() != expected:
            raise IngestError("the input changed while it was being ingested (pass 2 read "
                              "other articles than pass 1 checked); nothing written")
        if not sync_each:
            os.sync()
        size = lines.stat().st_size
        _write_journal(project, {"kind": "ingest", "sources_size": offset,
                                 "records_bytes": size, "records_sha256": expected})
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        _place(project, lines, sync_each=sync_each)
        _append(project, lines, offset)
    except BaseException:
        with contextlib.suppress(Exception):  # if this fails too, the next writer recovers
            recover(project)  # undoes the uncommitted batch (or tidies a committed one)
        raise
    _clean_up(project)
    return Ingested(count, offset, size, expected)


def _write_journal(project: Project, entry: Mapping[str, Any]) -> None:
    """Write ``corpus/.journal`` whole or not at all (temp name in staging, fsync, rename)."""
    staging = project.corpus / STAGING_NAME
    staging.mkdir(exist_ok=True)
    tmp = staging / "journal.tmp"
    with tmp.open("wb") as fh:
        fh.write(json.dumps(entry).encode("utf-8") + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.rename(tmp, project.corpus / JOURNAL_NAME)
    fsync_dir(project.corpus)


def _clean_up(project: Project) -> None:
    (project.corpus / JOURNAL_NAME).unlink()  # lost in a power cut? recovery redoes this
    shutil.rmtree(project.corpus / STAGING_NAME)


def _line_start(fh: BinaryIO, end: int) -> int:
    """Offset where the line ending at ``end`` starts (read backwards in 64 KB steps)."""
    pos = end
    while pos > 0:
        step = min(pos, 2**16)
        fh.seek(pos - step)
        chunk = fh.read(step)
        k = chunk.rfind(b"\n")
        if k >= 0:
            return pos - step + k + 1
        pos -= step
    return 0


def _sources_end(project: Project) -> int:
    """The size of ``sources.jsonl``, once it ends with a whole line.

    A last line without its newline that still parses gets the newline (a hand edit); one
    that does not is an error naming the line (O(corpus), on this error only).
    """
    path = project.sources
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return 0
    if not size:
        return 0
    with path.open("rb+") as fh:
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return size
        start = _line_start(fh, size)
        fh.seek(start)
        last = fh.read(size - start)
        try:
            whole = isinstance(json.loads(last), dict)
        except ValueError:
            whole = False
        if not whole:
            fh.seek(0)
            n = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(_CHUNK), b"")) + 1
            raise RecordError("the last line is cut short (no newline at the end, not a JSON "
                              "object): an interrupted write that left no journal; repair or "
                              "remove that line, then ingest again", path=project.rel(path),
                              record=n)
        fh.seek(size)
        fh.write(b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    return size + 1


def _place(project: Project, lines: Path, *, sync_each: bool) -> None:
    """Rename each staged raw file to its ``raw_path`` (step 4), durably before step 5."""
    staging = lines.parent
    made: set[Path] = set()
    with lines.open("rb") as fh:
        for line in fh:
            rec = json.loads(line)
            target = project.corpus / rec["raw_path"]
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.rename(staging / f"{rec['id']}.txt", target)
    if not sync_each:
        os.sync()
        return
    for folder in made:
        fsync_dir(folder)
    fsync_dir(project.raw_dir)


def _append(project: Project, lines: Path, offset: int) -> None:
    """Append the batch's lines to ``sources.jsonl`` (step 5: the commit)."""
    path = project.sources
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        if os.fstat(fd).st_size != offset:
            raise RecordError("changed under the lock: another program writes it without "
                              "taking corpus/.lock", path=project.rel(path))
        with lines.open("rb") as src:
            while chunk := src.read(_CHUNK):  # one write for a batch under 8 MB
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    if not offset:
        fsync_dir(project.corpus)


# --------------------------------------------------------------------------- recovery


def _same_bytes(fh: BinaryIO, start: int, other: Path, length: int) -> bool:
    """Whether ``length`` bytes of ``fh`` from ``start`` equal the start of ``other``."""
    fh.seek(start)
    with other.open("rb") as src:
        while length:
            a = fh.read(min(length, _CHUNK))
            if not a or a != src.read(len(a)):
                return False
            length -= len(a)
    return True


def recover(project: Project) -> None:
    """Finish or undo what an interrupted writer left in ``corpus/`` (call under the lock)."""
    journal = _journal(project)
    staging = project.corpus / STAGING_NAME
    if journal is not None:
        kind = journal.get("kind")
        if kind == "ingest":
            _recover_ingest(project, journal)
        elif kind == "migrate":
            from newscorpus.ingest.migrate import finish_migration  # it imports this module

            shutil.rmtree(staging, ignore_errors=True)
            finish_migration(project)
        else:
            raise RecordError(f"unknown journal kind {kind!r}",
                              path=project.rel(project.corpus / JOURNAL_NAME))
        (project.corpus / JOURNAL_NAME).unlink()
        fsync_dir(project.corpus)
    if staging.exists():
        shutil.rmtree(staging)


def _recover_ingest(project: Project, journal: Mapping[str, Any]) -> None:
    """Keep a committed batch, undo an uncommitted one (module docstring)."""
    start, length = journal.get("sources_size"), journal.get("records_bytes")
    journal_at = project.rel(project.corpus / JOURNAL_NAME)
    if not isinstance(start, int) or not isinstance(length, int):
        raise RecordError("unreadable journal: no sources_size or records_bytes",
                          path=journal_at)
    lines = project.corpus / STAGING_NAME / "records.jsonl"
    if not lines.is_file() or lines.stat().st_size != length:
        raise RecordError(f"the journal's staged records ({project.rel(lines)}) are missing "
                          "or incomplete: nothing repaired", path=journal_at)
    path = project.sources
    size = path.stat().st_size if path.exists() else 0
    if size > start:
        with path.open("rb+") as fh:
            if size == start + length and _same_bytes(fh, start, lines, length):
                return  # committed: only the clean-up was left
            if size < start + length and _same_bytes(fh, start, lines, size - start):
                fh.truncate(start)  # a torn append: cut it back
                fh.flush()
                os.fsync(fh.fileno())
                size = start
    if size != start:
        raise RecordError(f"holds {size:,} bytes, which the journal of an interrupted ingest "
                          f"({start:,} bytes + its batch) does not explain: another program "
                          "wrote it; nothing repaired", path=project.rel(path))
    folders: set[Path] = set()
    with lines.open("rb") as src:
        for line in src:
            target = project.corpus / json.loads(line)["raw_path"]
            target.unlink(missing_ok=True)  # placed by this batch: absent before (checked)
            folders.add(target.parent)
    for folder in folders:
        if folder.exists():
            fsync_dir(folder)
