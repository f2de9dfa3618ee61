"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

__all__ = ["drop_lock", "fsync_dir", "locked_tmpdir", "remove_stale", "write_atomic"]

log = logging.getLogger(__name__)

#: The lock file inside a working folder: held (flock) by the process that writes the folder.
LOCK_NAME = ".newscorpus.lock"
_HELD: dict[str, int] = {}


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8 with ``\\n`` line ends) to ``path`` via a renamed temp file.

    The file gets the usual permissions (0666 less the umask), not mkstemp's private 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fsync_dir(path: Path) -> None:
    """Make the names in folder ``path`` durable (a rename or unlink survives a power cut)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def locked_tmpdir(parent: Path, prefix: str) -> Path:
    """A new private folder in ``parent`` whose lock this process holds while it lives.

    Why: a ``kill -9`` leaves such a folder behind, and only the lock tells a later run
    whether its writer is dead (``remove_stale``) or still at work.
    """
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=prefix))
    fd = os.open(tmp / LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    _HELD[str(tmp)] = fd
    return tmp


def drop_lock(tmp: Path) -> None:
    """Remove the folder's lock file (before the folder is published) and release it."""
    fd = _HELD.pop(str(tmp), None)
    (tmp / LOCK_NAME).unlink(missing_ok=True)
    if fd is not None:
        os.close(fd)


def remove_stale(parent: Path, pattern: str, *, grace_s: float = 600.0) -> list[Path]:
    """Delete the folders matching ``pattern`` in ``parent`` that a dead process left.

    A folder whose lock nobody holds is stale; one without a lock file is stale once it is
    ``grace_s`` old (its writer died before locking, or it predates the locks). Live
    writers' folders are left alone. Returns what was removed (each is logged).
    """
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    for d in sorted(parent.glob(pattern)):
        if not d.is_dir() or d.is_symlink():
            continue
        lock = d / LOCK_NAME
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            if time.time() - d.stat().st_mtime < grace_s:
                continue
            fd = -1
        try:
            if fd >= 0:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its writer is alive
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
            log.warning("removed %s, left by an interrupted run", d)
        finally:
            if fd >= 0:
                os.close(fd)
    return removed
