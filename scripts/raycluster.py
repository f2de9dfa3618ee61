"""Start and stop a real local Ray head node for tests (``newscorpus build --ray ADDRESS``).

Standard library only, like ``scripts/labelstudio.py``:

    python scripts/raycluster.py run [--ray-bin PATH] -- CMD ...   # a cluster around CMD

``run`` starts ``ray start --head`` on 127.0.0.1 with 2 CPUs, no dashboard and no usage
stats, on free ports it picks itself (the GCS port and every other port Ray would otherwise
take from its fixed defaults, so it does not collide with Label Studio or another cluster),
with a private ``--temp-dir``. It waits until the node answers, runs CMD with
``NEWSCORPUS_TEST_RAY_ADDRESS=127.0.0.1:PORT`` in its environment (not ``RAY_ADDRESS``, which
would send every build of the test suite to Ray), stops the cluster when CMD ends, fails or
is interrupted (SIGINT/SIGTERM), removes the temp dir and exits with CMD's exit code.

How it stops: the head runs as ``ray start --head --block`` in a session of its own, and only
the processes this script started are ended, by id: SIGTERM to ``ray start`` (which ends its
GCS, raylet, agents and workers), SIGKILL to its process group if that is not enough, and
SIGKILL to any process left in its session (workers lead process groups of their own) or
whose command line names our private temp dir. ``ray stop`` is
not used: it ends every Ray process of the machine by name, including a user's own clusters.
If this script itself is SIGKILLed, the kernel sends SIGTERM to ``ray start`` (Linux).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV_VAR = "NEWSCORPUS_TEST_RAY_ADDRESS"
HOST = "127.0.0.1"

#: ``ray start`` options that take a port; each gets a free one (Ray's defaults are fixed
#: numbers, some in the range the OS hands out, where Label Studio's free port comes from).
#: (``--ray-client-server-port`` is left out: the plain ``ray`` package has no client
#: server and refuses the option.)
_PORT_OPTIONS = ("--port", "--node-manager-port", "--object-manager-port",
                 "--dashboard-agent-listen-port", "--dashboard-agent-grpc-port",
                 "--metrics-export-port", "--runtime-env-agent-port")


def _say(msg: str) -> None:
    print(f"[ray] {msg}", file=sys.stderr, flush=True)


def default_ray_bin() -> Path:
    """``ray`` next to this Python, else in the project's .venv, else on PATH."""
    for cand in (Path(sys.executable).parent / "ray", REPO / ".venv" / "bin" / "ray"):
        if cand.exists():
            return cand
    found = shutil.which("ray")
    if found is None:
        raise RuntimeError("no `ray` command found: install the ray extra "
                           "(pip install -e '.[ray]') or pass --ray-bin")
    return Path(found)


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports nobody listens on right now (the OS picks them)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def _answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        return s.connect_ex((HOST, port)) == 0


def _die_with_parent() -> None:
    """Linux: ``ray start`` gets SIGTERM when this script dies, even by SIGKILL, and then
    stops the node (its own handler)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _our_pids(session: int, text: str) -> list[int]:
    """Processes (other than us) in session ``session`` or whose command line contains
    ``text`` (Linux /proc): Ray workers lead process groups of their own, in the session of
    ``ray start``, and retitle themselves (``ray::IDLE``); its agents name the temp dir."""
    pids = []
    for d in Path("/proc").glob("[0-9]*"):
        if int(d.name) == os.getpid():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (d / "stat").read_text()
            sid = int(stat[stat.rindex(")") + 2:].split()[3])
            if sid == session or text.encode() in (d / "cmdline").read_bytes():
                pids.append(int(d.name))
    return pids


def _tail(path: Path, lines: int = 20) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


@dataclass
class Cluster:
    """A head node this script started: ``ray start --block`` leads a session of its own."""

    proc: subprocess.Popen[bytes]
    address: str
    temp_dir: Path
    log: Path

    def stop(self, timeout: float = 20.0) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _say(f"ray start did not stop in {timeout:.0f} s: killing its process group")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        # Workers left their process group (not the session); agents name our temp dir.
        deadline = time.monotonic() + 5
        while ((left := _our_pids(self.proc.pid, str(self.temp_dir)))
               and time.monotonic() < deadline):
            for pid in left:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
        if left:
            _say(f"processes still running after stop: {left}")


def start(ray_bin: Path, temp_dir: Path, *, num_cpus: int = 2, timeout: float = 60.0,
          attempts: int = 3) -> Cluster:
    """Start a head node on 127.0.0.1 on free ports and wait until it answers.

    If a port was taken between our pick and Ray's bind, ``ray start`` fails: we try again
    on other free ports.
    """
    last = ""
    for attempt in range(attempts):
        ports = free_ports(len(_PORT_OPTIONS))
        log = temp_dir / f"ray-start-{attempt}.log"
        cmd = [str(ray_bin), "start", "--head", "--block", "--node-ip-address", HOST,
               "--num-cpus", str(num_cpus), "--include-dashboard", "false",
               "--disable-usage-stats", "--temp-dir", str(temp_dir / "r")]
        for opt, port in zip(_PORT_OPTIONS, ports, strict=True):
            cmd += [opt, str(port)]
        # The cluster needs no Label Studio token (test.sh runs us inside labelstudio.py).
        env = {k: v for k, v in os.environ.items()
               if k not in ("RAY_ADDRESS", "LABEL_STUDIO_API_KEY")}
        env["RAY_USAGE_STATS_ENABLED"] = "0"
        with log.open("wb") as fh:
            proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    preexec_fn=_die_with_parent)
        cl = Cluster(proc, f"{HOST}:{ports[0]}", temp_dir, log)
        t0 = time.monotonic()
        try:
            while time.monotonic() - t0 < timeout:
                if proc.poll() is not None:
                    last = f"ray start exited with {proc.returncode}:\n{_tail(log)}"
                    break
                if b"Ray runtime started" in log.read_bytes() and _answers(ports[0]):
                    return cl
                time.sleep(0.1)
            else:
                last = f"no answer on port {ports[0]} after {timeout:.0f} s:\n{_tail(log)}"
        except BaseException:
            cl.stop()
            raise
        cl.stop()
    raise RuntimeError(f"could not start a Ray head node: {last}")


@contextlib.contextmanager
def test_cluster(ray_bin: Path | None = None, base: Path | None = None) -> Iterator[str]:
    """A fresh head node for one test run: yields its address ``127.0.0.1:PORT``, then stops
    it and removes its temp dir."""
    exe = ray_bin or default_ray_bin()
    # Short path: Ray puts unix sockets under it (108-byte limit).
    tmp = Path(tempfile.mkdtemp(prefix="nc-ray-", dir=base))
    cl: Cluster | None = None
    try:
        t0 = time.monotonic()
        cl = start(exe, tmp)
        _say(f"head node up at {cl.address} in {time.monotonic() - t0:.1f} s")
        yield cl.address
    finally:
        if cl is not None:
            t1 = time.monotonic()
            cl.stop()
            _say(f"head node stopped in {time.monotonic() - t1:.1f} s")
        shutil.rmtree(tmp, ignore_errors=True)


class _Interrupted(Exception):
    pass


def _interrupt(signum: int, frame: object) -> None:
    raise _Interrupted(signum)


def _run_cmd(cmd: list[str], env: dict[str, str]) -> int:
    """Run CMD to the end. On Ctrl-C (which reaches CMD too, through the terminal's process
    group) CMD gets 10 s to finish its own clean-up; on SIGTERM, or after those 10 s, it gets
    SIGTERM, then SIGKILL 10 s later."""
    proc = subprocess.Popen(cmd, env=env)
    try:
        return proc.wait()
    except (_Interrupted, KeyboardInterrupt) as exc:
        sigint = isinstance(exc, KeyboardInterrupt) or exc.args == (signal.SIGINT,)
        for sig in ((None,) if sigint else ()) + (signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(sig)
            try:
                proc.wait(timeout=10)
                break
            except (_Interrupted, KeyboardInterrupt, subprocess.TimeoutExpired):
                continue
        raise


def _cmd_run(args: argparse.Namespace) -> int:
    cmd = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        _say("run needs a command after --")
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        with test_cluster(Path(args.ray_bin) if args.ray_bin else None) as address:
            env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
            env[ENV_VAR] = address
            return _run_cmd(cmd, env)
    except (_Interrupted, KeyboardInterrupt):
        _say("interrupted")
        return 130
    except (RuntimeError, OSError) as exc:
        _say(str(exc))
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="start a fresh head node around a command")
    p_run.add_argument("--ray-bin", default=None,
                       help="the `ray` command (default: next to this Python, .venv, PATH)")
    p_run.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    return _cmd_run(args)


if __name__ == "__main__":
    sys.exit(main())
