"""``--ray ADDRESS`` against a real Ray head node: the same bytes as the local pool, and clean
failures (an address nobody answers on, a worker killed mid-shard). No mocks: the CLI runs as
a subprocess, the cluster is ``scripts/raycluster.py``'s (see the ``ray_address`` fixture).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.ray
pytest.importorskip("ray", reason="the ray extra is not installed (pip install -e '.[ray]')")

SHARD_SIZE = 50
#: How long a build may take on this corpus before the test calls it hung.
BUILD_TIMEOUT = 600
#: How long an unreachable address may take to be reported (a TCP connect to a port nobody
#: listens on is refused at once; Ray's own retries would take minutes).
UNREACHABLE_TIMEOUT = 60

_PUBLISHERS = ["Harbour Gazette", "Northern Ledger", "Valley Times", "City Wire", "Coast Post"]
_PLACES = ["Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Perth", "Accra", "Bergen"]
_PEOPLE = ["Maria Alves", "John Okafor", "Aiko Tanaka", "Luis Mena", "Kadri Tamm",
           "Grace Mensah", "Erik Berg", "Sophie Martin"]
_ORGS = ["the ministry", "the central bank", "the port authority", "the city council",
         "the national railway", "the football federation", "the university"]
_TOPICS = ["budget", "strike", "election", "flood defences", "harbour expansion",
           "rail timetable", "tax reform", "water supply"]
#: Sentence templates, some with the damage the normaliser repairs (possessives with their
#: apostrophe stripped, boilerplate left in by a scraper).
_SENTENCES = [
    "{person} said on {day} that {org} would review the {topic} before the end of the year.",
    "The {topic} has divided opinion in {place} for months, according to local reports.",
    "{org_cap} announced a new plan for the {topic} after talks with unions in {place}.",
    "Critics say the plan does not go far enough, while supporters call it a first step.",
    "The councils decision on the {topic} was welcomed by residents of {place}.",
    "{person} told reporters: \"We expect a decision within {n} weeks.\"",
    "Figures published on {day} show a rise of {n} per cent compared with last year.",
    "The governments proposal for the {topic} will be debated in parliament next month.",
    "Officials in {place} declined to comment on the {topic} when asked on {day}.",
    "More than {n} people attended a public meeting about the {topic} in {place}.",
    "Its not the first time the {topic} has been delayed, {person} noted.",
    "The mayors office said the {topic} would cost about {n} million euros.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_BOILERPLATE = ["Read More – Source", "Share this article", "Advertisement"]


def _article(i: int, rng: random.Random, sentences: int) -> str:
    topic, place = rng.choice(_TOPICS), rng.choice(_PLACES)
    title = f"{place} {topic} update number {i}"
    paras = []
    for _ in range(max(1, sentences // 3)):
        para = []
        for _ in range(3):
            org = rng.choice(_ORGS)
            para.append(rng.choice(_SENTENCES).format(
                person=rng.choice(_PEOPLE), day=rng.choice(_DAYS), org=org,
                org_cap=org[0].upper() + org[1:], topic=topic, place=place,
                n=rng.randint(2, 900)))
        paras.append(" ".join(para))
    if rng.random() < 0.3:
        paras.append(rng.choice(_BOILERPLATE))
    return f"{title}\n\n" + "\n\n".join(paras) + "\n"


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = BUILD_TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newscorpus.cli.main", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def _env(cache: Path) -> dict[str, str]:
    """The CLI's environment: a fresh normalisation cache (so it does not hide work) and no
    RAY_ADDRESS (only ``--ray`` sends a build to Ray here)."""
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env["NEWSCORPUS_CACHE_DIR"] = str(cache)
    return env


def _ingest_generated(project: Path, tmp: Path, count: int, sentences: int) -> None:
    """``count`` generated articles (from the templates above, seeded) added with
    ``newscorpus ingest`` of a folder of .txt files."""
    rng = random.Random(14)
    folder = tmp / f"generated-{count}"
    folder.mkdir()
    for i in range(count):
        (folder / f"article-{i:05d}.txt").write_text(_article(i, rng, sentences),
                                                     encoding="utf-8")
    res = _cli("ingest", str(folder), "--publisher", rng.choice(_PUBLISHERS),
               "--published-at", "2024-05-06", "--license", "CC-BY-4.0", cwd=project)
    assert res.returncode == 0, res.stderr


def _tree(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``root``."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ray_build_is_byte_identical_to_local(seeded_dir: Path, tmp_path: Path,
                                              ray_address: str) -> None:
    _ingest_generated(seeded_dir, tmp_path, 300, 6)
    trees = {}
    for name, engine in [("w1", ["--workers", "1"]), ("w2", ["--workers", "2"]),
                         ("ray", ["--ray", ray_address])]:
        # A folder each: a dataset's bytes do not depend on where it is built either.
        out = tmp_path / f"out-{name}"
        res = _cli("build", "--out", str(out), "--shard-size", str(SHARD_SIZE), *engine,
                   cwd=seeded_dir, env=_env(tmp_path / f"cache-{name}"))
        assert res.returncode == 0, f"{name}: {res.stderr}"
        trees[name] = _tree(out)
    docs = [p for p in trees["w1"] if p.startswith("data/documents/")]
    assert len(docs) >= 301 // SHARD_SIZE, docs  # several shards, several files
    assert "README.md" in trees["w1"]
    assert sorted(trees["w2"]) == sorted(trees["w1"])
    assert sorted(trees["ray"]) == sorted(trees["w1"])
    assert trees["w2"] == trees["w1"]
    assert trees["ray"] == trees["w1"]


def test_unreachable_ray_address_fails_cleanly(seeded_dir: Path, tmp_path: Path) -> None:
    address = f"127.0.0.1:{_free_port()}"
    out = tmp_path / "out"
    t0 = time.monotonic()
    res = _cli("build", "--out", str(out), "--ray", address, cwd=seeded_dir,
               env=_env(tmp_path / "cache"), timeout=UNREACHABLE_TIMEOUT)
    took = time.monotonic() - t0
    assert res.returncode == 1, res.stderr
    assert address in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()
    print(f"unreachable address reported in {took:.1f} s")


def _shard_workers(gcs_port: int) -> list[int]:
    """Pids of this cluster's Ray workers running a shard right now: their title is the
    task's name (``ps``), and their parent raylet was given our GCS port (another cluster on
    the machine, a colleague's, is left alone)."""
    ps = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True,
                        check=True)
    pids = []
    for line in ps.stdout.splitlines()[1:]:
        pid, ppid, *args = line.split(None, 2)
        if not (args and args[0].startswith("ray::_ray_run_shard")):
            continue
        try:
            parent = Path(f"/proc/{ppid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.startswith(b"--gcs-address=") and a.endswith(b":%d" % gcs_port)
               for a in parent):
            pids.append(int(pid))
    return pids


def test_killed_ray_worker_fails_the_build_naming_the_shard(
        seeded_dir: Path, tmp_path: Path, ray_address: str) -> None:
    # Long articles, many shards: the build runs for several seconds on the 2-CPU cluster.
    _ingest_generated(seeded_dir, tmp_path, 600, 60)
    out = tmp_path / "out"
    log = tmp_path / "build.stderr"
    with log.open("w") as err:  # a file, not a pipe: progress lines cannot fill it and block
        proc = subprocess.Popen(
            [sys.executable, "-m", "newscorpus.cli.main", "build", "--out", str(out),
             "--shard-size", str(SHARD_SIZE), "--ray", ray_address],
            cwd=seeded_dir, env=_env(tmp_path / "cache"), stdout=subprocess.DEVNULL,
            stderr=err)
    gcs_port = int(ray_address.rsplit(":", 1)[1])
    try:
        killed, killed_at = None, 0.0
        t0 = time.monotonic()
        while killed is None and proc.poll() is None and time.monotonic() - t0 < BUILD_TIMEOUT:
            for pid in _shard_workers(gcs_port):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
                killed, killed_at = pid, time.monotonic() - t0
                break
            else:
                time.sleep(0.05)
        proc.wait(timeout=BUILD_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = log.read_text()
    assert killed is not None, f"no ray::_ray_run_shard worker seen; the build said: {stderr}"
    print(f"worker {killed} killed {killed_at:.1f} s into the build")
    assert proc.returncode == 1, stderr
    assert re.search(r"shard \d+", stderr), stderr
    assert "Traceback" not in stderr, stderr
    assert not out.exists()
