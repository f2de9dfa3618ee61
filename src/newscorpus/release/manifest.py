"""manifest.json: what a release holds, and the checksums that prove it did not change."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from datasets import Features

__all__ = ["file_sha256", "render", "schema_fingerprint", "verify"]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def schema_fingerprint(features: dict[str, Features]) -> str:
    """sha256 of the tables' features as canonical JSON: changes iff a column or label does."""
    canon = json.dumps({t: f.to_dict() for t, f in sorted(features.items())}, sort_keys=True,
                       separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canon.encode()).hexdigest()


def render(folder: Path, *, version: str, date: str, git_commit: str | None, git_dirty: bool,
           normalizer_version: str, label_scheme_version: str,
           rows: dict[str, dict[str, int]], features: dict[str, Features]) -> dict[str, Any]:
    """The manifest of ``folder``; lists every file but ``manifest.json`` with its sha256."""
    files = {
        str(p.relative_to(folder)): {"sha256": file_sha256(p), "bytes": p.stat().st_size}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    return {
        "name": "newscorpus",
        "version": version,
        "date": date,
        "git_commit": git_commit,
        "git_dirty": git_dirty,
        "normalizer_version": normalizer_version,
        "label_scheme_version": label_scheme_version,
        "rows": rows,
        "schema_fingerprint": schema_fingerprint(features),
        "files": files,
    }


def verify(folder: Path) -> list[str]:
    """Files of ``folder`` whose sha256 differs from its manifest (or that are missing/extra)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed: dict[str, dict[str, Any]] = manifest["files"]
    problems = []
    for rel, meta in sorted(listed.items()):
        p = folder / rel
        if not p.is_file():
            problems.append(f"{rel}: missing")
        elif file_sha256(p) != meta["sha256"]:
            problems.append(f"{rel}: sha256 differs from the manifest")
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        if p.is_file() and rel != "manifest.json" and rel not in listed:
            problems.append(f"{rel}: not in the manifest")
    return problems
