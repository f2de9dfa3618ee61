"""Findings of the bad-input and crash campaign (issue 16) that touch the build path: each
test failed before its fix. Real processes and real kills; no mocks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from newscorpus._fs import LOCK_NAME
from newscorpus.cli.main import app

runner = CliRunner()


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_annotate_config_out_never_overwrites_corpus_records(seeded_dir: Path) -> None:
    before = _tree(seeded_dir / "corpus")
    res = runner.invoke(app, ["annotate", "config", "--out", "corpus/sources.jsonl"])
    assert res.exit_code == 2
    assert "project data" in res.output
    assert _tree(seeded_dir / "corpus") == before


def test_annotate_config_out_never_overwrites_another_file(seeded_dir: Path) -> None:
    notes = seeded_dir / "notes.txt"
    notes.write_text("my notes\n")
    res = runner.invoke(app, ["annotate", "config", "--out", str(notes)])
    assert res.exit_code == 2
    assert notes.read_text() == "my notes\n"


def test_annotate_config_replaces_its_own_config(seeded_dir: Path) -> None:
    for _ in range(2):  # the second run replaces the first run's file
        res = runner.invoke(app, ["annotate", "config"])
        assert res.exit_code == 0, res.output
    assert (seeded_dir / "annotations" / "label_config.xml").read_text().startswith("<View")


def test_version_with_non_ascii_digits_is_refused(seeded_dir: Path) -> None:
    res = runner.invoke(app, ["release", "1\u0663.0.0", "--allow-dirty"])
    assert res.exit_code == 2
    assert not (seeded_dir / "releases").exists()


def test_validate_fails_a_document_whose_split_disagrees_with_its_id(seeded_dir: Path) -> None:
    assert runner.invoke(app, ["build"]).exit_code == 0
    out = seeded_dir / "build" / "dataset"
    [f] = list((out / "data" / "documents").glob("*.parquet"))
    t = pq.read_table(f)
    i = t.schema.get_field_index("split")
    pq.write_table(t.set_column(i, "split", pa.array(["test"] * t.num_rows)), f)
    res = runner.invoke(app, ["validate", str(out)])
    assert res.exit_code == 1
    assert "documents.split_matches_id" in res.stderr
    assert "19efab646f741469" in res.stderr


def test_validate_names_orphan_raw_files_and_temp_leftovers(seeded_dir: Path) -> None:
    raw = seeded_dir / "corpus" / "raw"
    (raw / "ab").mkdir()
    (raw / "ab" / "abcdef0123456789.txt").write_text("an article without a record\n")
    (raw / "19" / ".19efab646f741469.txt.x1y2.tmp").write_text("half")
    res = runner.invoke(app, ["validate"])
    assert res.exit_code == 1
    assert "corpus.raw_files_referenced" in res.stderr
    assert "corpus/raw/ab/abcdef0123456789.txt" in res.stderr
    assert ".19efab646f741469.txt.x1y2.tmp" in res.stderr


def _many(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"a{i:04d}.txt").write_text(
            f"Story {i}\n\nThe councils plan for the river was set out on day {i}. "
            f"Its not clear who pays; the ministers aides dont say.\n" * 3)
    return folder


def test_killed_build_leaves_nothing_the_next_build_trips_on(seeded_dir: Path,
                                                             tmp_path: Path) -> None:
    assert runner.invoke(app, ["ingest", str(_many(tmp_path / "in", 400))]).exit_code == 0
    env = {**os.environ, "NEWSCORPUS_CACHE_DIR": ""}
    proc = subprocess.Popen([sys.executable, "-m", "newscorpus.cli.main", "build",
                             "--workers", "1", "--shard-size", "50"], cwd=seeded_dir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    build = seeded_dir / "build"
    deadline = time.monotonic() + 120
    while not list(build.glob(".dataset.tmp-*/data")) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the first shard's files are being written
    proc.send_signal(signal.SIGKILL)  # a real kill -9, mid-build
    proc.wait()
    assert list(build.glob(".dataset.tmp-*")), "the kill came too late to test anything"
    res = runner.invoke(app, ["build", "--workers", "1", "--shard-size", "50"])
    assert res.exit_code == 0, res.output
    assert not list(build.glob(".dataset.tmp-*"))
    assert (build / "dataset" / "README.md").is_file()


def test_release_after_a_killed_release_is_not_refused_as_dirty(seeded_dir: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=seeded_dir, check=True)
    subprocess.run([*git, "add", "-A"], cwd=seeded_dir, check=True)
    subprocess.run([*git, "commit", "-qm", "corpus"], cwd=seeded_dir, check=True)
    # what a kill -9 leaves: the staging folder, its lock file held by nobody any more
    stale = seeded_dir / "releases" / ".0.2.0.staging-k9xyz"
    (stale / "0.2.0" / "data").mkdir(parents=True)
    (stale / LOCK_NAME).touch()
    res = runner.invoke(app, ["release", "0.2.0"])
    assert res.exit_code == 0, res.output
    assert not stale.exists()
    assert (seeded_dir / "releases" / "0.2.0" / "manifest.json").is_file()


def _descendants(pid: int) -> list[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every process below ``pid``, from /proc."""
    procs: dict[int, tuple[int, str]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        procs[int(d.name)] = (ppid, cmd)
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for p, (pp, cmd) in procs.items():
            if pp == parent:
                out.append((p, pp, cmd))
                todo.append(p)
    return out


def test_killed_local_worker_fails_the_build_naming_the_shard(seeded_dir: Path,
                                                              tmp_path: Path) -> None:
    # 1,000 articles in 20 shards: a build long enough that the kill lands mid-shard
    assert runner.invoke(app, ["ingest", str(_many(tmp_path / "in", 1000))]).exit_code == 0
    env = {**os.environ, "NEWSCORPUS_CACHE_DIR": ""}
    proc = subprocess.Popen([sys.executable, "-m", "newscorpus.cli.main", "build",
                             "--workers", "2", "--shard-size", "50"], cwd=seeded_dir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    victim = None
    while victim is None and time.monotonic() < deadline and proc.poll() is None:
        tree = _descendants(proc.pid)
        servers = {p for p, _, cmd in tree if "forkserver" in cmd}
        # a worker is a process the forkserver forked (its parent is the forkserver)
        victim = next((p for p, pp, _ in tree if pp in servers), None)
        time.sleep(0.05)
    assert victim is not None, "no worker process appeared"
    time.sleep(0.5)  # let it get into its shard
    os.kill(victim, signal.SIGKILL)  # a real kill -9 of a real worker
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1
    assert "a worker process died" in err and "shard " in err
    assert "Traceback" not in err
    build = seeded_dir / "build"
    assert not (build / "dataset").exists()
    assert not list(build.glob(".dataset.tmp-*"))
