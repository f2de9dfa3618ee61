"""What a build was made from, so a release can publish that build instead of redoing it.

``newscorpus build`` writes ``build/.<dataset>.inputs.json`` (the fingerprint below and the
card's tallies) next to the folder it validated.
``newscorpus release`` publishes that folder when the fingerprint still matches the
project: same corpus records, annotations, schemas, suites, normaliser, toolkit source and
shard size. Anything else rebuilds (from the normalisation cache). The fingerprint reads
every input file once (a few seconds per GB); the raw articles are covered by their
sha256s in ``sources.jsonl``, which the build checked.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from newscorpus._fs import write_atomic
from newscorpus.normalize import NORMALIZER_VERSION
from newscorpus.project import Project
from newscorpus.release import BuildInfo
from newscorpus.release.agreement import Agreement

__all__ = ["fingerprint", "load_build", "save_build"]

_PACKAGE = Path(__file__).resolve().parent.parent


def _hash_file(h: Any, path: Path) -> None:
    h.update(str(path).encode("utf-8") + b"\0")
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    h.update(b"\0")


def fingerprint(project: Project, shard_size: int) -> str:
    """sha256 over every input of a build (relative names and bytes), in a fixed order."""
    h = hashlib.sha256(json.dumps([NORMALIZER_VERSION, shard_size]).encode())
    groups = [
        (project.root, [project.sources] if project.sources.is_file() else []),
        (project.root, sorted(project.annotations.glob("labelstudio/*.json"))),
        (project.root, sorted(p for p in [project.annotations / "annotators.json"]
                              if p.is_file())),
        (project.root, sorted(project.schemas.glob("*.json"))),
        (project.root, sorted(project.validation.glob("*.json"))),
        (_PACKAGE, sorted(p for p in _PACKAGE.rglob("*") if p.is_file()
                          and p.suffix in (".py", ".json", ".gz"))),
    ]
    for base, files in groups:
        for f in files:
            h.update(str(f.relative_to(base)).encode("utf-8"))
            _hash_file(h, f)
    return h.hexdigest()


_COUNTERS = ("rule_edits", "rule_docs", "licenses", "publishers", "annotators", "origins")


def _sidecar(out: Path) -> Path:
    return out.with_name(f".{out.name}.inputs.json")


def save_build(out: Path, key: str, info: BuildInfo) -> None:
    """Record what ``out`` was built from, and the card's tallies (after it was published)."""
    tallies: dict[str, Any] = {k: dict(getattr(info, k)) for k in _COUNTERS}
    tallies |= {"counts": info.counts, "nbytes": info.nbytes, "truncated": info.truncated,
                "checkworthy": info.checkworthy, "annotator_notes": info.annotator_notes,
                "label_counts": {t: dict(c) for t, c in info.label_counts.items()},
                "agreement": {t: None if a is None else [a.documents, a.pairs, a.mean_f1]
                              for t, a in info.agreement.items()}}
    write_atomic(_sidecar(out), json.dumps({"fingerprint": key, "tallies": tallies},
                                           ensure_ascii=False))


def load_build(out: Path, key: str, info: BuildInfo) -> bool:
    """Fill ``info``'s tallies from the build at ``out`` when it was built from exactly these
    inputs (``key``); False (and ``info`` untouched) otherwise."""
    try:
        recorded = json.loads(_sidecar(out).read_text(encoding="utf-8"))
        if recorded["fingerprint"] != key or not (out / "README.md").is_file():
            return False
        t = recorded["tallies"]
        for k in _COUNTERS:
            setattr(info, k, Counter(t[k]))
        info.counts, info.nbytes = t["counts"], t["nbytes"]
        info.truncated, info.checkworthy = int(t["truncated"]), int(t["checkworthy"])
        info.annotator_notes = dict(t["annotator_notes"])
        info.label_counts = {k: Counter(v) for k, v in t["label_counts"].items()}
        info.agreement = {k: None if v is None else Agreement(*v)
                          for k, v in t["agreement"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True
