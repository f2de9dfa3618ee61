"""Shared fixtures: an isolated project folder, the seed article, offline Hugging Face."""

from __future__ import annotations

import os
import shutil
import sys
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
    return (REPO / "corpus" / "raw" / "19" / "19efab646f741469.txt").read_bytes()


# --------------------------------------------------------------------------- Label Studio


def _server_script():  # type: ignore[no-untyped-def]
    """``scripts/labelstudio.py`` as a module (it is a script, not part of the package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_ls_script", REPO / "scripts" / "labelstudio.py")
    assert spec is not None and spec.loader is not None
    mod = sys.modules.get(spec.name) or importlib.util.module_from_spec(spec)
    if spec.name not in sys.modules:
        sys.modules[spec.name] = mod  # dataclasses look their module up there
        spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def labelstudio() -> Iterator[tuple[str, str]]:
    """``(url, token)`` of the real Label Studio server of this test run.

    ``scripts/test.sh`` starts one (fresh data dir, free port, random token) and exports
    ``LABEL_STUDIO_URL``/``LABEL_STUDIO_API_KEY``; when pytest runs on its own, this fixture
    starts one the same way and stops it at the end of the session. Each test works in its
    own project, so tests do not see each other's tasks.
    """
    url, key = os.environ.get("LABEL_STUDIO_URL"), os.environ.get("LABEL_STUDIO_API_KEY")
    if url and key:
        yield url, key
        return
    with _server_script().test_server() as (url, key):
        yield url, key


@pytest.fixture
def ls_env(labelstudio: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The server's URL and token in this test's environment (what the CLI reads)."""
    url, key = labelstudio
    monkeypatch.setenv("LABEL_STUDIO_URL", url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", key)
    return url, key


# --------------------------------------------------------------------------- Ray


def _ray_script():  # type: ignore[no-untyped-def]
    """``scripts/raycluster.py`` as a module (it is a script, not part of the package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_ray_script", REPO / "scripts" / "raycluster.py")
    assert spec is not None and spec.loader is not None
    mod = sys.modules.get(spec.name) or importlib.util.module_from_spec(spec)
    if spec.name not in sys.modules:
        sys.modules[spec.name] = mod  # dataclasses look their module up there
        spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    """``127.0.0.1:PORT`` of the real Ray head node of this test run (for ``--ray``).

    ``scripts/test.sh`` starts one (``scripts/raycluster.py``: 2 CPUs, free ports, private temp
    dir) and exports ``NEWSCORPUS_TEST_RAY_ADDRESS``; when pytest runs on its own, this fixture
    starts one the same way and stops it at the end of the session. Never ``RAY_ADDRESS``:
    that would send every build of the suite to Ray.
    """
    address = os.environ.get("NEWSCORPUS_TEST_RAY_ADDRESS")
    if address:
        yield address
        return
    pytest.importorskip("ray", reason="the ray extra is not installed (pip install -e '.[ray]')")
    with _ray_script().test_cluster() as address:
        yield address
