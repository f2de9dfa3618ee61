"""Install, initialise, start and stop a local Label Studio server for tests and annotators.

Standard library only, so any Python >= 3.11 runs it before the toolkit is installed.

    python scripts/labelstudio.py install            # .venv-ls with label-studio==1.23.2
    python scripts/labelstudio.py run -- CMD ...     # fresh server on a free port around CMD
    python scripts/labelstudio.py serve --data-dir D # an annotator's own server, foreground

Why a script and not a one-liner: Label Studio 1.23.2 has traps that a plain
``label-studio start`` falls into (../shared/notes/label-studio.md):

- a busy port is silently replaced by port+1, so we pick a free port ourselves and check
  that the server answering ``/health`` on it is ours (our token is accepted there);
- ``--host`` is a URL prefix, the bind address is ``--internal-host``;
- new organisations refuse legacy tokens unless created with ``--enable-legacy-api-token``;
- unprefixed ``USERNAME``/``PASSWORD``/``USER_TOKEN``/``PORT``/``HOST`` variables from CI change
  its behaviour, and without three variables it calls Sentry and the package index.

``run`` generates a random token per run, hands it to CMD only through the environment
(``LABEL_STUDIO_URL``, ``LABEL_STUDIO_API_KEY``) and never prints it; the user name, password
and token reach ``label-studio init`` through its environment, not its argv (``ps``). The
server is stopped when CMD ends, fails or is interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VERSION = "1.23.2"
DEFAULT_VENV = REPO / ".venv-ls"
TEST_USER = "annotator-1@example.org"

#: Variables Label Studio reads with or without its prefixes; stray ones from CI or a shell
#: would change its behaviour (create users, move the port), so they never reach it.
_STRAY = ("USERNAME", "PASSWORD", "USER_TOKEN", "PORT", "HOST", "ENABLE_LEGACY_API_TOKEN")


def _say(msg: str) -> None:
    print(f"[labelstudio] {msg}", file=sys.stderr, flush=True)


def ls_bin(venv: Path) -> Path:
    return venv / "bin" / "label-studio"


def install(venv: Path = DEFAULT_VENV, python: str = sys.executable) -> Path:
    """Create ``venv`` with ``label-studio==VERSION`` unless it already has that version."""
    exe = ls_bin(venv)
    py = venv / "bin" / "python"
    if exe.exists() and py.exists():
        probe = subprocess.run(
            [str(py), "-c", "import importlib.metadata as m; print(m.version('label-studio'))"],
            capture_output=True, text=True, check=False)
        if probe.stdout.strip() == VERSION:
            return exe
    t0 = time.monotonic()
    _say(f"installing label-studio=={VERSION} into {venv} (about a minute, ~1 GB)")
    if not py.exists():
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    f"label-studio=={VERSION}"], check=True)
    _say(f"installed in {time.monotonic() - t0:.0f} s")
    return exe


def server_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment Label Studio runs in: no stray variables, no outside calls."""
    env = {k: v for k, v in os.environ.items()
           if not any(k in (n, f"LABEL_STUDIO_{n}", f"HEARTEX_{n}") for n in _STRAY)}
    env.pop("LABEL_STUDIO_API_KEY", None)
    env.pop("LABEL_STUDIO_URL", None)
    env.update({
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra or {})
    return env


def init(exe: Path, data_dir: Path, *, username: str, password: str, token: str) -> None:
    """Create the database, the user, its token and an organisation that accepts the token."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(data_dir, {"LABEL_STUDIO_USERNAME": username,
                                "LABEL_STUDIO_PASSWORD": password,
                                "LABEL_STUDIO_USER_TOKEN": token})
    log = data_dir / "init.log"
    with log.open("wb") as fh:
        res = subprocess.run([str(exe), "init", "-q", "--data-dir", str(data_dir),
                              "--enable-legacy-api-token"],
                             env=env, stdout=fh, stderr=subprocess.STDOUT, check=False,
                             stdin=subprocess.DEVNULL)
    if res.returncode != 0:
        raise RuntimeError(f"label-studio init failed ({res.returncode}); see {log}")


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, token: str | None = None, timeout: float = 2.0) -> tuple[int, bytes]:
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return int(resp.status), resp.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), b""


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when this script dies, even by SIGKILL, so a killed
    test run never leaves a server behind (elsewhere ``Server.stop`` is all there is)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Server:
    """A running server that this script started (its process group is ours to stop)."""

    proc: subprocess.Popen[bytes]
    url: str
    data_dir: Path
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


def start(exe: Path, data_dir: Path, *, token: str | None, port: int | None = None,
          timeout: float = 120.0, attempts: int = 3) -> Server:
    """Start on 127.0.0.1 on a free port and wait until ``/health`` answers there.

    If the port was taken between our check and the server's bind, Label Studio would move to
    port+1 on its own: we detect that (its log says so, or our token is refused on the port)
    and start again on another free port.
    """
    last = ""
    for _ in range(attempts):
        p = port or free_port()
        log = data_dir / f"server-{p}.log"
        fh = log.open("wb")
        proc = subprocess.Popen(
            [str(exe), "start", "--no-browser", "--internal-host", "127.0.0.1",
             "--port", str(p), "--data-dir", str(data_dir)],
            env=server_env(data_dir), stdout=fh, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent)
        fh.close()
        srv = Server(proc, f"http://127.0.0.1:{p}", data_dir, log)
        t0 = time.monotonic()
        try:
            while time.monotonic() - t0 < timeout:
                if proc.poll() is not None:
                    last = f"server exited with {proc.returncode}; see {log}"
                    break
                if b"is in use" in log.read_bytes():
                    last = f"port {p} was taken; Label Studio moved elsewhere"
                    break
                try:
                    status, body = _get(f"{srv.url}/health")
                except (OSError, urllib.error.URLError):
                    time.sleep(0.25)
                    continue
                if status == 200 and b"UP" in body:
                    if token is None or _get(f"{srv.url}/api/current-user/whoami",
                                             token)[0] == 200:
                        return srv
                    last = f"the server on port {p} does not accept our token"
                    break
                time.sleep(0.25)
            else:
                last = f"no /health answer on port {p} after {timeout:.0f} s; see {log}"
        except BaseException:
            srv.stop()
            raise
        srv.stop()
        if port is not None:
            break
    raise RuntimeError(f"could not start Label Studio: {last}")


@contextlib.contextmanager
def test_server(venv: Path = DEFAULT_VENV, base: Path | None = None) -> Iterator[tuple[str, str]]:
    """A fresh, initialised server for one test run: yields ``(url, token)``, then stops it."""
    exe = install(venv)
    tmp = Path(tempfile.mkdtemp(prefix="newscorpus-ls-", dir=base))
    token = secrets.token_hex(20)
    srv: Server | None = None
    try:
        t0 = time.monotonic()
        init(exe, tmp / "data", username=TEST_USER, password=secrets.token_urlsafe(16),
             token=token)
        t1 = time.monotonic()
        srv = start(exe, tmp / "data", token=token)
        t2 = time.monotonic()
        _say(f"server up at {srv.url} (init {t1 - t0:.1f} s, start {t2 - t1:.1f} s)")
        yield srv.url, token
    finally:
        if srv is not None:
            srv.stop()
            _say("server stopped")
        shutil.rmtree(tmp, ignore_errors=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _cmd_run(args: argparse.Namespace) -> int:
    cmd = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        _say("run needs a command after --")
        return 2
    # Ctrl-C / SIGTERM reach CMD through our process group; we only make sure to clean up.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with test_server(Path(args.venv)) as (url, token):
            env = dict(os.environ, LABEL_STUDIO_URL=url, LABEL_STUDIO_API_KEY=token)
            return subprocess.run(cmd, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 130
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        _say(str(exc))
        return 1


def _cmd_serve(args: argparse.Namespace) -> int:
    """An annotator's server: initialised on first use with the token from the environment."""
    token = os.environ.get("LABEL_STUDIO_API_KEY", "")
    if len(token) < 20:
        _say("set LABEL_STUDIO_API_KEY to a token of 20+ characters first, e.g. export "
             "LABEL_STUDIO_API_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(20))')")
        return 2
    exe = install(Path(args.venv))
    data_dir = Path(args.data_dir).expanduser().resolve()
    if not (data_dir / "label_studio.sqlite3").exists():
        password = os.environ.get("LABEL_STUDIO_PASSWORD") or getpass.getpass(
            f"password for the new user {args.username}: ")
        _say(f"initialising {data_dir} (~25 s, once)")
        init(exe, data_dir, username=args.username, password=password, token=token)
    signal.signal(signal.SIGTERM, _interrupt)
    srv = start(exe, data_dir, token=token, port=args.port)
    _say(f"Label Studio at {srv.url} (log: {srv.log}); Ctrl-C stops it")
    _say(f"export LABEL_STUDIO_URL={srv.url}")
    try:
        while srv.proc.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--venv", default=str(DEFAULT_VENV), help="Label Studio's own venv")
    sub = ap.add_subparsers(dest="command", required=True)
    p_inst = sub.add_parser("install", help=f"create the venv with label-studio=={VERSION}")
    p_inst.add_argument("--python", default=sys.executable)
    p_run = sub.add_parser("run", help="start a fresh test server around a command")
    p_run.add_argument("cmd", nargs=argparse.REMAINDER)
    p_serve = sub.add_parser("serve", help="an annotator's own server (foreground)")
    p_serve.add_argument("--data-dir", default="~/.local/share/newscorpus-labelstudio")
    p_serve.add_argument("--port", type=int, default=None, help="default: a free port")
    p_serve.add_argument("--username", default=TEST_USER, help="email of the user to create")
    args = ap.parse_args(argv)
    if args.command == "install":
        install(Path(args.venv), args.python)
        return 0
    if args.command == "run":
        return _cmd_run(args)
    return _cmd_serve(args)


if __name__ == "__main__":
    sys.exit(main())
