"""Lint and types are part of the suite: ruff on everything, mypy --strict on src/."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, check=False)


def test_ruff_is_clean() -> None:
    res = _run("ruff", "check", "src", "tests", "scripts")
    assert res.returncode == 0, res.stdout + res.stderr


def test_mypy_strict_is_clean() -> None:
    res = _run("mypy")
    assert res.returncode == 0, res.stdout + res.stderr
