"""Publishing a version: semver checks, git state, the release's extra files, atomic rename."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from newscorpus.model.errors import ReleaseError
from newscorpus.release import changes, citation, croissant, manifest
from newscorpus.release.card import BuildInfo

__all__ = ["check_version", "existing_versions", "finalize", "git_state", "latest",
           "parse_version"]

# [0-9], not \d: \d also takes other scripts' digits ("1٣.0.0")
_SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


def parse_version(version: str) -> tuple[int, int, int]:
    """``"1.2.3"`` -> ``(1, 2, 3)``; anything else is refused.

    >>> parse_version("0.10.2")
    (0, 10, 2)
    """
    m = _SEMVER.fullmatch(version)
    if not m:
        raise ReleaseError(f"{version!r} is not a version X.Y.Z (semver, no leading zeros)")
    return int(m[1]), int(m[2]), int(m[3])


def existing_versions(releases: Path) -> list[str]:
    """Published versions (folders named X.Y.Z), oldest first."""
    if not releases.is_dir():
        return []
    found = [p.name for p in releases.iterdir() if p.is_dir() and _SEMVER.fullmatch(p.name)]
    return sorted(found, key=parse_version)


def latest(releases: Path) -> str | None:
    vs = existing_versions(releases)
    return vs[-1] if vs else None


def check_version(releases: Path, version: str) -> None:
    """Refuse a version that exists or is not greater than the latest."""
    new = parse_version(version)
    if (releases / version).exists():
        raise ReleaseError(f"releases/{version} exists: a published version is never "
                           "changed; release a new version instead")
    last = latest(releases)
    if last is not None and new <= parse_version(last):
        raise ReleaseError(f"{version} is not greater than the latest release {last}")


def git_state(root: Path) -> tuple[str | None, bool]:
    """(HEAD commit, working tree dirty?) of the repository at ``root``; (None, True) if none."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain"], cwd=root,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None, True
    return head, bool(status.strip())


def finalize(folder: Path, info: BuildInfo, *, releases: Path, version: str, date: str,
             git_commit: str | None, git_dirty: bool) -> None:
    """Add CITATION.cff, croissant.json, CHANGES.md and (last) manifest.json to ``folder``."""
    licenses = set(info.licenses)
    license = next(iter(licenses)) if len(licenses) == 1 and "unknown" not in licenses else None
    (folder / "CITATION.cff").write_text(
        citation.render(version=version, date=date, license=license), encoding="utf-8")
    tables = [t for t in info.counts if info.counts[t]]
    doc = croissant.render(
        name="newscorpus", version=version, date=date,
        description="English news articles, normalised reversibly, with entity and claim "
                    "annotations.",
        cite_as=citation.cite_as(version, date), license=license, features=info.features,
        tables=tables)
    (folder / "croissant.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    prev = latest(releases)
    diffs = changes.diff_folders(releases / prev if prev else None, folder)
    (folder / "CHANGES.md").write_text(changes.render(version, prev, diffs), encoding="utf-8")
    m = manifest.render(folder, version=version, date=date, git_commit=git_commit,
                        git_dirty=git_dirty, normalizer_version=info.normalizer_version,
                        label_scheme_version=info.scheme.version, rows=info.counts,
                        features=info.features)
    (folder / "manifest.json").write_text(json.dumps(m, indent=2, sort_keys=False) + "\n",
                                          encoding="utf-8")
