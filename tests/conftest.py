"""Shared fixtures: an isolated project folder, the seed article, offline Hugging Face."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "article-001.txt"

# Everything here runs offline: datasets must never try the Hub.
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


@pytest.fixture(autouse=True)
def _hf_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
              ) -> None:
    """A private datasets cache, so a test never reads another test's (or a user's) cache."""
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path_factory.mktemp("hf-cache")))
    monkeypatch.delenv("NEWSCORPUS_ROOT", raising=False)


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty project (the repo's schemas, no corpus) as the working directory."""
    root = tmp_path / "proj"
    shutil.copytree(REPO / "schemas", root / "schemas")
    monkeypatch.chdir(root)
    yield root


@pytest.fixture
def seeded_dir(project_dir: Path) -> Path:
    """A project holding the repository's shipped corpus (the seed article)."""
    shutil.copytree(REPO / "corpus", project_dir / "corpus")
    return project_dir


@pytest.fixture
def seed_bytes() -> bytes:
    return (REPO / "corpus" / "raw" / "19efab646f741469.txt").read_bytes()
