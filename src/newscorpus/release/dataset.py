"""Write a dataset folder atomically: a temporary sibling, renamed into place when complete."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from newscorpus.model.errors import ReleaseError
from newscorpus.release.card import GENERATED_MARK, BuildInfo, render
from newscorpus.release.parquet import TableWriter
from newscorpus.release.tables import TABLE_ORDER

__all__ = ["check_replaceable", "publish", "write_dataset"]

Rows = Iterable[tuple[str, str, dict[str, Any]]]  # (table, split, row)


def check_replaceable(out: Path) -> None:
    """Refuse to replace anything but an earlier build: never a release, a project, a file."""
    card = out / "README.md"
    if not out.is_dir() or out.is_symlink():
        raise ReleaseError(f"{out} exists and is not a dataset folder: choose another --out")
    if (out / "manifest.json").exists():
        raise ReleaseError(f"{out} is a published release: it is never overwritten")
    try:
        ours = card.is_file() and GENERATED_MARK in card.read_text(encoding="utf-8",
                                                                     errors="replace")
    except OSError:
        ours = False
    if not ours or (out / ".git").exists():
        raise ReleaseError(f"{out} exists and was not written by newscorpus build: refusing to "
                           "replace it (choose a new --out, or remove it yourself)")


def publish(tmp: Path, out: Path) -> None:
    """Put the finished folder ``tmp`` at ``out`` (replacing an earlier build) by renames."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp's folder is private (0700); a dataset is not
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)


def write_dataset(out: Path, info: BuildInfo, rows: Rows, *, replace: bool = True,
                  before_publish: Callable[[Path], None] | None = None) -> Path:
    """Stream ``rows`` into ``out`` (README.md + data/<table>/<split>-*.parquet).

    Nothing appears at ``out`` until every file is written; on any error the temporary
    folder is removed and an existing ``out`` is left as it was. ``before_publish`` gets the
    finished temporary folder (e.g. to validate it) and may raise to stop the publication.
    """
    out = out.resolve()
    if out.exists() or out.is_symlink():
        if not replace:
            raise ReleaseError(f"{out} exists and is never overwritten")
        check_replaceable(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.tmp-"))
    except OSError as exc:
        raise ReleaseError(f"cannot write a dataset at {out}: {exc.strerror}") from exc
    try:
        writers = {t: TableWriter(tmp / "data" / t, info.features[t]) for t in TABLE_ORDER}
        for table, split, row in rows:
            writers[table].add(split, row)
        info.counts = {t: c for t, w in writers.items() if (c := w.close())}
        info.nbytes = {t: w.nbytes for t, w in writers.items() if t in info.counts}
        (tmp / "README.md").write_text(render(info), encoding="utf-8")
        if before_publish is not None:
            before_publish(tmp)
        publish(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
