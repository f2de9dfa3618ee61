"""A server that answers garbage: the one fault a real Label Studio cannot be made to show.

So this test, and only this one, uses a FAKE local HTTP server (127.0.0.1, a free port) that
answers every request with 200 and an HTML page, as a wrong URL (a proxy, another web app)
would. The toolkit must say so clearly and exit 1, with no traceback and no file written.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newscorpus.cli.main import app


class _Garbage(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        body = b"<html><body>It works!</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def garbage_url() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize("cmd", ["push", "pull"])
def test_server_answering_garbage_is_a_clear_error(
        cmd: str, garbage_url: str, seeded_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", garbage_url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "k" * 40)
    res = CliRunner().invoke(app, ["annotate", cmd])
    assert res.exit_code == 1
    assert f"Label Studio at {garbage_url} answered garbage" in res.stderr
    assert "Traceback" not in res.stderr and "k" * 40 not in res.stderr
    assert not (seeded_dir / "annotations" / "labelstudio").exists()
