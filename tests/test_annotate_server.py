"""scripts/labelstudio.py: the environment Label Studio runs in (pure parts; the server itself
is exercised by every test marked ``labelstudio``)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import _server_script

ls = _server_script()


def test_server_env_drops_stray_variables_and_stops_outside_calls(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("USERNAME", "PASSWORD", "USER_TOKEN", "PORT", "HOST",
                 "LABEL_STUDIO_PORT", "HEARTEX_HOST", "LABEL_STUDIO_API_KEY"):
        monkeypatch.setenv(name, "stray")
    env = ls.server_env(tmp_path)
    assert not {"USERNAME", "PASSWORD", "USER_TOKEN", "PORT", "HOST", "LABEL_STUDIO_PORT",
                "HEARTEX_HOST", "LABEL_STUDIO_API_KEY"} & set(env)
    assert env["LABEL_STUDIO_BASE_DATA_DIR"] == str(tmp_path)
    assert env["SENTRY_DSN"] == "" and env["COLLECT_ANALYTICS"] == "false"
    assert env["LABEL_STUDIO_LATEST_VERSION_CHECK"] == "false"


def test_free_port_is_free() -> None:
    port = ls.free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_label_studio_version_is_pinned() -> None:
    assert ls.VERSION == "1.23.2"
