"""Release folders: ``manifest.json`` checks, and where a release's report may go.

A release (``releases/X.Y.Z/``) is immutable: its ``manifest.json`` lists every file with
its sha256 and the rows per table and split. Validating it must prove the files are the
ones published (``newscorpus.release.manifest.verify``) and that the rows the manifest
declares are the rows read, and must never write into it. A folder that looks like a
release (it has CITATION.cff, croissant.json or CHANGES.md) but lost its manifest fails.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from newscorpus.model.errors import RecordError
from newscorpus.validate.report import CheckResult

__all__ = ["MANIFEST", "RELEASE_MARKERS", "is_release", "manifest_checks", "release_markers"]

MANIFEST = "manifest.json"

#: Files only ``newscorpus release`` writes: a folder with one of them is a release.
RELEASE_MARKERS = ("CITATION.cff", "croissant.json", "CHANGES.md")


def release_markers(folder: Path) -> list[str]:
    """The release-only files ``folder`` has."""
    return [m for m in RELEASE_MARKERS if (folder / m).is_file()]


def is_release(folder: Path) -> bool:
    """Is ``folder`` a (possibly damaged) release, which is never written to?"""
    return (folder / MANIFEST).is_file() or bool(release_markers(folder))


def _load(folder: Path) -> tuple[int, dict[str, dict[str, int]]]:
    """How many files the manifest lists, and its ``rows`` (table -> split -> rows).

    A manifest that cannot be read, or whose ``files`` / ``rows`` have the wrong shape,
    raises ``RecordError`` naming the file and field.
    """
    path = str(folder / MANIFEST)
    try:
        data: Any = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 text (offset {exc.start})", path=path) from exc
    except OSError as exc:
        raise RecordError(f"cannot read: {exc.strerror}", path=path) from exc
    except ValueError as exc:
        raise RecordError(f"not valid JSON: {exc}", path=path) from exc
    if not isinstance(data, dict):
        raise RecordError("must be a JSON object", path=path)
    files = data.get("files")
    if not isinstance(files, dict) or not all(
            isinstance(m, dict) and isinstance(m.get("sha256"), str) for m in files.values()):
        raise RecordError("must map each file to {sha256, bytes}", path=path, field="files")
    rows = data.get("rows")
    if not isinstance(rows, dict) or not all(
            isinstance(s, dict) and all(isinstance(n, int) and not isinstance(n, bool)
                                        for n in s.values()) for s in rows.values()):
        raise RecordError("must map table -> split -> row count", path=path, field="rows")
    return len(files), {str(t): {str(k): int(n) for k, n in s.items()}
                        for t, s in rows.items()}


def manifest_checks(folder: Path, rows: Mapping[str, Mapping[str, int]]) -> list[CheckResult]:
    """Checks of a release folder against its ``manifest.json``; none for a plain build.

    ``rows`` is table -> split -> rows read from the folder's Parquet files.
    """
    from newscorpus.release.manifest import verify

    if not (folder / MANIFEST).is_file():
        markers = release_markers(folder)
        if not markers:
            return []
        return [CheckResult(
            table="manifest", check="manifest.present",
            rule="a release folder has its manifest.json", kind="contract", success=False,
            evaluated=1, unexpected=1, ids=(MANIFEST,),
            details=(f"no {MANIFEST}, yet the folder is a release (it has "
                     f"{', '.join(markers)})",))]
    n_files, declared = _load(folder)
    problems = verify(folder)
    unlisted = [p for p in problems if p.endswith(": not in the manifest")]
    changed = [p for p in problems if p not in unlisted]
    mismatched = []
    for table in sorted(set(declared) | {t for t, s in rows.items() if any(s.values())}):
        want = {s: n for s, n in declared.get(table, {}).items() if n}
        got = {s: n for s, n in rows.get(table, {}).items() if n}
        for split in sorted(set(want) | set(got)):
            if want.get(split, 0) != got.get(split, 0):
                mismatched.append(f"{table}/{split}: the manifest says "
                                  f"{want.get(split, 0):,} row(s), {got.get(split, 0):,} read")

    def check(name: str, rule: str, evaluated: int, bad: list[str]) -> CheckResult:
        return CheckResult(
            table="manifest", check=f"manifest.{name}", rule=rule, kind="contract",
            success=not bad, evaluated=evaluated, unexpected=len(bad),
            ids=tuple(b.split(": ", 1)[0] for b in bad), details=tuple(bad))

    return [
        check("present", "a release folder has its manifest.json", 1, []),
        check("files_sha256", "every file the manifest lists exists with its sha256",
              n_files, changed),
        check("no_unlisted_files", "every file of the folder is listed in the manifest",
              n_files, unlisted),
        check("rows_match", "the manifest's rows per table and split equal the rows read",
              sum(len(s) for s in declared.values()), mismatched),
    ]
