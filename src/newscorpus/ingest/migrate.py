"""Moving an old flat corpus (``raw/<id>.txt``) to the sharded layout of ``store``.

Apart from the store because it runs once per corpus; it shares the store's lock and
journal, so an interrupted migration is finished by the next ingest (``store.recover``).
Steps, each safe to repeat: link every raw file at its new path, rewrite the records'
``raw_path`` atomically, then remove the old names.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newscorpus._fs import fsync_dir
from newscorpus.ingest.store import (
    _FLAT,
    STAGING_NAME,
    _clean_up,
    _flat_rel,
    _line,
    _read_sources,
    _write_journal,
    locked,
    raw_file,
    raw_rel,
    recover,
)
from newscorpus.model.errors import RecordError
from newscorpus.project import Project

__all__ = ["Migrated", "migrate"]

@dataclass(frozen=True, slots=True)
class Migrated:
    """What ``migrate`` did: records moved to the sharded layout, old flat files removed,
    and flat files no record points at (left alone: they are not ours to delete)."""

    moved: int
    removed: int
    left: tuple[str, ...]


def _flat_records(project: Project) -> Iterator[dict[str, Any]]:
    for rec in _read_sources(project):
        doc_id = rec.get("id")
        if isinstance(doc_id, str) and rec.get("raw_path") == _flat_rel(doc_id):
            yield rec


def _flat_files(project: Project) -> Iterator[str]:
    """Names of ``raw/<id>.txt`` files (the old flat layout)."""
    if not project.raw_dir.is_dir():
        return
    with os.scandir(project.raw_dir) as it:
        names = sorted(e.name for e in it if _FLAT.fullmatch(e.name) and e.is_file())
    yield from names


def _link(project: Project, src: Path, dst: Path) -> None:
    """Make ``dst`` hold ``src``'s bytes, whole or not at all (a hard link, else a copy)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
        return
    except OSError:
        pass  # a file system without hard links: copy through staging
    staging = project.corpus / STAGING_NAME
    staging.mkdir(exist_ok=True)
    tmp = staging / dst.name
    shutil.copyfile(src, tmp)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.rename(tmp, dst)


def migrate(project: Project) -> Migrated:
    """Move a corpus of the old flat layout (``raw/<id>.txt``) to ``raw/<id[:2]>/<id>.txt``.

    Ids and bytes stay as they are; only files move and ``raw_path`` changes. Under the lock,
    in an order that survives a kill anywhere (a journal makes the next writer finish it):
    raw files are linked at their new paths, ``sources.jsonl`` is rewritten whole (a temp
    file renamed over it), then the old names are removed. Running it again does nothing.
    """
    if not project.sources.exists() and not project.raw_dir.is_dir():
        return Migrated(0, 0, ())
    with locked(project):
        recover(project)
        if next(_flat_records(project), None) is None and not any(
                (project.corpus / raw_rel(name[:16])).exists() for name in _flat_files(project)):
            return Migrated(0, 0, tuple(_flat_files(project)))
        _write_journal(project, {"kind": "migrate"})
        done = _migrate_steps(project)
        _clean_up(project)
    return done


def _migrate_steps(project: Project) -> Migrated:
    """The migration's steps; each is idempotent, so a rerun finishes an interrupted one."""
    moved = 0
    for rec in _flat_records(project):
        src, dst = raw_file(project, rec), project.corpus / raw_rel(rec["id"])
        if not dst.exists():
            if not src.exists():
                raise RecordError("raw file missing", path=project.rel(project.sources),
                                  record=rec["id"], field="raw_path")
            _link(project, src, dst)
            moved += 1
    if next(_flat_records(project), None) is not None:
        _rewrite_sources(project)
    removed, left = 0, []
    for name in _flat_files(project):
        flat, twin = project.raw_dir / name, project.corpus / raw_rel(name[:16])
        if twin.exists() and (os.path.samefile(flat, twin)
                              or filecmp.cmp(flat, twin, shallow=False)):
            flat.unlink()
            removed += 1
        else:
            left.append(project.rel(flat))
    fsync_dir(project.raw_dir)
    return Migrated(moved, removed, tuple(left))


def _rewrite_sources(project: Project) -> None:
    """``sources.jsonl`` with every flat ``raw_path`` made sharded, renamed over the old.

    Other lines are copied byte for byte.
    """
    staging = project.corpus / STAGING_NAME
    staging.mkdir(exist_ok=True)
    tmp = staging / "sources.jsonl"
    rel = project.rel(project.sources)
    with project.sources.open("rb") as src, tmp.open("wb") as out:
        for n, line in enumerate(src, start=1):
            try:
                rec = json.loads(line) if line.strip() else None
            except ValueError as exc:
                raise RecordError(f"truncated or invalid JSON: {exc}", path=rel,
                                  record=n) from exc
            doc_id = rec.get("id") if isinstance(rec, dict) else None
            if isinstance(rec, dict) and isinstance(doc_id, str) and (
                    rec.get("raw_path") == _flat_rel(doc_id)):
                rec["raw_path"] = raw_rel(doc_id)
                line = _line(rec)
            out.write(line if line.endswith(b"\n") else line + b"\n")
        out.flush()
        os.fsync(out.fileno())
    os.chmod(tmp, project.sources.stat().st_mode & 0o777)
    os.replace(tmp, project.sources)
    fsync_dir(project.corpus)


def finish_migration(project: Project) -> None:
    """Finish a migration a dead process started (the store's recovery, under the lock)."""
    _migrate_steps(project)
