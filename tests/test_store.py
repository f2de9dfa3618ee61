"""The corpus store under real processes: concurrent ingests, kill -9, big JSONL, migration.

No mocks: ingests run as real ``newscorpus ingest`` processes (the console script, or forked
from one process that imported the CLI once, so that 100 rounds take seconds rather than
minutes), and crashes are real SIGKILLs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newscorpus.cli.main import app
from newscorpus.ingest import MAX_BYTES, iter_sources, load_sources, raw_file, raw_rel
from newscorpus.ingest.files import Candidate
from newscorpus.ingest.store import _line, _read_sources, _record, locked
from newscorpus.model.errors import RecordError
from newscorpus.project import Project
from tests.conftest import REPO

runner = CliRunner()
SCRIPT = Path(sys.executable).parent / "newscorpus"
CLI = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "newscorpus.cli.main"]


def _article(k: int, *, words: int = 30) -> str:
    body = " ".join(f"word{(k * 7 + i) % 97}" for i in range(words))
    return f"Headline number {k}\n\nStory {k} begins. {body}.\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _records(root: Path) -> list[dict[str, Any]]:
    path = root / "corpus" / "sources.jsonl"
    if not path.exists():
        return []
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), "sources.jsonl ends in a torn line"
    return [json.loads(line) for line in data.split(b"\n") if line.strip()]


def _assert_consistent(root: Path) -> list[dict[str, Any]]:
    """Every record has its raw file (right bytes), every raw file a record; no leftovers."""
    corpus = root / "corpus"
    assert not (corpus / ".journal").exists() and not (corpus / ".staging").exists()
    records = _records(root)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "an article recorded twice"
    on_disk = {p.relative_to(corpus).as_posix() for p in (corpus / "raw").rglob("*")
               if p.is_file()} if (corpus / "raw").exists() else set()
    assert on_disk == {r["raw_path"] for r in records}
    for r in records:
        data = (corpus / r["raw_path"]).read_bytes()
        assert _sha(data) == r["raw_sha256"] and r["id"] == r["raw_sha256"][:16]
        assert r["raw_path"] == raw_rel(r["id"])
    return records


def _ingest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "ingest", *args], cwd=root, capture_output=True, text=True,
                          timeout=300, check=False)


# --------------------------------------------------------------------------- concurrency

_ZYGOTE = r"""
import json, os, sys, time
from pathlib import Path
from newscorpus.cli.main import main
from newscorpus.project import Project

root, rounds, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.chdir(root)
# warm what every process would build alike (jsonschema compiles its format regexes lazily)
Project(Path(root)).validator("source").is_valid({"url": "https://example.org/"})
results = []
for r in range(rounds):
    gate_r, gate_w = os.pipe()
    kids = []
    for side in (0, 1):
        pid = os.fork()
        if pid == 0:  # a newscorpus process of its own: `newscorpus ingest <inbox>`
            os.close(gate_w)
            log = os.open(os.path.join(work, f"{r}-{side}.log"),
                          os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.read(gate_r, 1)  # the barrier: both sides are released together
            start = time.monotonic()
            sys.argv = ["newscorpus", "ingest", os.path.join(work, f"{r}-{side}")]
            code = 0
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
            end = time.monotonic()
            with open(os.path.join(work, f"{r}-{side}.time"), "w") as fh:
                fh.write(f"{start} {end}")
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        kids.append(pid)
    os.close(gate_r)
    os.write(gate_w, b"go")
    os.close(gate_w)
    results.append([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in kids])
print(json.dumps(results))
"""


def test_concurrent_ingests_x100_lose_no_record_and_never_interleave(project_dir: Path,
                                                                      tmp_path: Path) -> None:
    rounds, per_batch = 100, 3
    work = tmp_path / "work"
    batches: dict[str, list[str]] = {}
    for r in range(rounds):
        for side in (0, 1):
            inbox = work / f"{r}-{side}"
            inbox.mkdir(parents=True)
            ids = []
            for j in range(per_batch):
                text = _article(r * 10 + side * 5 + j)
                (inbox / f"a{j}.txt").write_text(text)
                ids.append(_sha(text.encode())[:16])
            batches[f"{r}-{side}"] = ids
    out = subprocess.run([sys.executable, "-c", _ZYGOTE, str(project_dir), str(rounds),
                          str(work)], capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr
    codes = json.loads(out.stdout)
    failed = [(r, side, (work / f"{r}-{side}.log").read_text())
              for r, pair in enumerate(codes) for side, code in enumerate(pair) if code]
    assert not failed, failed[:3]

    records = _assert_consistent(project_dir)
    assert len(records) == rounds * 2 * per_batch
    position = {rec["id"]: k for k, rec in enumerate(records)}
    for name, ids in batches.items():  # a batch's records are contiguous: no interleaving
        at = sorted(position[i] for i in ids)
        assert at == list(range(at[0], at[0] + per_batch)), name
    overlapping = 0
    for r in range(rounds):
        (s0, e0), (s1, e1) = (map(float, (work / f"{r}-{s}.time").read_text().split())
                              for s in (0, 1))
        overlapping += s0 < e1 and s1 < e0
    assert overlapping >= rounds * 0.9  # they really ran at the same time


def test_same_bytes_twice_in_one_batch_is_refused_with_nothing_written(
        project_dir: Path) -> None:
    inbox = project_dir / "inbox"
    inbox.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (inbox / name).write_text(_article(1 if name != "b.txt" else 2))
    res = runner.invoke(app, ["ingest", str(inbox)])
    assert res.exit_code == 1
    assert "c.txt: same bytes as" in res.stderr and "a.txt in this batch" in res.stderr
    corpus = project_dir / "corpus"
    assert sorted(p.name for p in corpus.iterdir()) == [".lock"]  # the lock file only


def test_two_console_script_ingests_started_together_both_succeed(project_dir: Path,
                                                                 tmp_path: Path) -> None:
    gate = tmp_path / "go"
    wait = f"while [ ! -e {gate} ]; do sleep 0.01; done; exec {' '.join(CLI)} ingest"
    procs = []
    for side in (0, 1):
        art = tmp_path / f"side{side}.txt"
        art.write_text(_article(1000 + side))
        procs.append(subprocess.Popen(["sh", "-c", f"{wait} {art}"], cwd=project_dir,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
    gate.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert len(_assert_consistent(project_dir)) == 2


# --------------------------------------------------------------------------- O(1) adds


def test_duplicate_check_and_append_never_parse_sources_jsonl(project_dir: Path) -> None:
    art = project_dir / "a.txt"
    art.write_text(_article(1))
    assert _ingest(project_dir, str(art)).returncode == 0
    sources = project_dir / "corpus" / "sources.jsonl"
    good = sources.read_bytes()
    sources.write_bytes(b"{not json: a reader would choke here}\n" + good)

    dup = _ingest(project_dir, str(art))
    assert dup.returncode == 1
    assert "already in the corpus as" in dup.stderr and "sources.jsonl" not in dup.stderr

    new = project_dir / "b.txt"
    new.write_text(_article(2))
    res = _ingest(project_dir, str(new))
    assert res.returncode == 0, res.stderr
    lines = sources.read_bytes().split(b"\n")
    assert lines[0] == b"{not json: a reader would choke here}" and len(lines) == 4


def test_ingest_writes_the_sharded_layout(project_dir: Path) -> None:
    art = project_dir / "a.txt"
    art.write_text(_article(3))
    assert runner.invoke(app, ["ingest", str(art)]).exit_code == 0
    [rec] = _assert_consistent(project_dir)
    assert rec["raw_path"] == f"raw/{rec['id'][:2]}/{rec['id']}.txt"
    assert raw_file(Project(project_dir), rec).read_bytes() == art.read_bytes()


# --------------------------------------------------------------------------- crashes


def _big_jsonl(path: Path, n: int, start: int = 0) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for k in range(start, start + n):
            fh.write(json.dumps({"text": _article(k, words=60)}) + "\n")


def _wait_for(cond: Any, proc: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.0005)
    return False


@pytest.mark.parametrize("phase", ["staging", "journal", "placed", "appending"])
def test_kill_9_mid_batch_then_next_ingest_leaves_a_consistent_corpus(
        project_dir: Path, tmp_path: Path, phase: str) -> None:
    first = tmp_path / "first.txt"
    first.write_text(_article(-1))
    assert _ingest(project_dir, str(first)).returncode == 0
    big = tmp_path / "big.jsonl"
    _big_jsonl(big, 2000)
    corpus = project_dir / "corpus"
    sources = corpus / "sources.jsonl"
    size0 = sources.stat().st_size
    cond = {
        "staging": lambda: (corpus / ".staging" / "records.jsonl").exists(),
        "journal": lambda: (corpus / ".journal").exists(),
        "placed": lambda: (corpus / ".journal").exists() and sum(
            1 for _ in (corpus / "raw").rglob("*.txt")) > 50,
        "appending": lambda: sources.stat().st_size > size0,
    }[phase]
    proc = subprocess.Popen([*CLI, "ingest", str(big)], cwd=project_dir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hit = _wait_for(cond, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if not hit:
        pytest.skip(f"the batch finished before phase {phase!r} could be caught")
    assert proc.returncode == -signal.SIGKILL

    # a reader that cannot settle the corpus sees whole batches, each record with its file
    seen = list(_read_sources(Project(project_dir)))
    assert all((corpus / r["raw_path"]).is_file() for r in seen)
    assert len(seen) in (1, 2001)

    nxt = tmp_path / "next.txt"
    nxt.write_text(_article(-2))
    res = _ingest(project_dir, str(nxt))
    assert res.returncode == 0, res.stderr
    records = _assert_consistent(project_dir)
    assert len(records) in (2, 2002)  # the killed batch is in whole or not at all
    assert not [p for p in corpus.iterdir() if p.name not in ("raw", "sources.jsonl", ".lock")]

    again = _ingest(project_dir, str(big))  # undone: it goes in; committed: refused whole
    assert again.returncode == (0 if len(records) == 2 else 1), again.stderr
    assert len(_assert_consistent(project_dir)) == 2002


def _stage_by_hand(project: Project, text: str, *, appended: str) -> bytes:
    """Leave corpus/ as a writer killed after step 4 (and part of step 5) would."""
    data = text.encode()
    line = _line(_record(Candidate(data, "utf-8", text, "c.txt"), _sha(data),
                         "2024-01-01T00:00:00Z"))
    rec = json.loads(line)
    staging = project.corpus / ".staging"
    staging.mkdir()
    (staging / "records.jsonl").write_bytes(line)
    placed = project.corpus / rec["raw_path"]
    placed.parent.mkdir(parents=True, exist_ok=True)
    placed.write_bytes(data)
    size = project.sources.stat().st_size
    (project.corpus / ".journal").write_text(json.dumps({
        "kind": "ingest", "sources_size": size, "records_bytes": len(line),
        "records_sha256": _sha(line)}))
    part = {"none": b"", "torn": line[: len(line) // 2], "all": line}[appended]
    with project.sources.open("ab") as fh:
        fh.write(part)
    return line


@pytest.mark.parametrize("appended", ["none", "torn", "all"])
def test_a_journal_undoes_an_uncommitted_batch_and_keeps_a_committed_one(
        project_dir: Path, appended: str) -> None:
    a = project_dir / "a.txt"
    a.write_text(_article(10))
    assert runner.invoke(app, ["ingest", str(a)]).exit_code == 0
    project = Project(project_dir)
    _stage_by_hand(project, _article(11), appended=appended)
    assert [r["title"] for r in _read_sources(project)] == ["Headline number 10"]

    b = project_dir / "b.txt"
    b.write_text(_article(12))
    res = runner.invoke(app, ["ingest", str(b)])
    assert res.exit_code == 0, res.output
    titles = [r["title"] for r in _assert_consistent(project_dir)]
    kept = ["Headline number 11"] if appended == "all" else []
    assert titles == ["Headline number 10", *kept, "Headline number 12"]


@pytest.mark.parametrize("appended", ["torn", "all"])
def test_a_reader_settles_a_dead_writers_batch_but_not_a_live_ones(project_dir: Path,
                                                                   appended: str) -> None:
    a = project_dir / "a.txt"
    a.write_text(_article(13))
    assert runner.invoke(app, ["ingest", str(a)]).exit_code == 0
    project = Project(project_dir)
    _stage_by_hand(project, _article(14), appended=appended)
    with locked(project):  # a writer at work: the reader skips its batch, repairs nothing
        assert [r["title"] for r in iter_sources(project)] == ["Headline number 13"]
        assert (project.corpus / ".journal").exists()
    titles = [r["title"] for r in iter_sources(project)]  # the writer is gone: settled
    assert titles == ["Headline number 13"] + (["Headline number 14"] if appended == "all"
                                               else [])
    _assert_consistent(project_dir)


def test_a_torn_last_line_without_journal_is_an_error_naming_file_and_line(
        project_dir: Path) -> None:
    a = project_dir / "a.txt"
    a.write_text(_article(20))
    assert runner.invoke(app, ["ingest", str(a)]).exit_code == 0
    sources = project_dir / "corpus" / "sources.jsonl"
    with sources.open("ab") as fh:
        fh.write(b'{"id": "00')
    b = project_dir / "b.txt"
    b.write_text(_article(21))
    res = runner.invoke(app, ["ingest", str(b)])
    assert res.exit_code == 1
    assert "corpus/sources.jsonl:2: the last line is cut short" in res.stderr
    with pytest.raises(RecordError) as err:
        load_sources(Project(project_dir))
    assert (err.value.path, err.value.record) == ("corpus/sources.jsonl", 2)
    assert len(list((project_dir / "corpus" / "raw").rglob("*.txt"))) == 1  # nothing written


def test_a_whole_last_line_without_newline_gets_one_before_the_append(project_dir: Path) -> None:
    a = project_dir / "a.txt"
    a.write_text(_article(22))
    assert runner.invoke(app, ["ingest", str(a)]).exit_code == 0
    sources = project_dir / "corpus" / "sources.jsonl"
    sources.write_bytes(sources.read_bytes().rstrip(b"\n"))  # a hand edit dropped it
    b = project_dir / "b.txt"
    b.write_text(_article(23))
    assert runner.invoke(app, ["ingest", str(b)]).exit_code == 0
    assert len(_assert_consistent(project_dir)) == 2


# --------------------------------------------------------------------------- big inputs


def test_jsonl_file_over_50_mb_of_small_articles_is_accepted(project_dir: Path,
                                                             tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    pad = "x" * (2**20)
    with big.open("w", encoding="utf-8") as fh:
        for k in range(55):
            fh.write(json.dumps({"text": f"Story {k}\n\n{pad} {k}\n"}) + "\n")
    assert big.stat().st_size > MAX_BYTES
    res = _ingest(project_dir, str(big))
    assert res.returncode == 0, res.stderr
    assert len(_assert_consistent(project_dir)) == 55


def test_one_jsonl_article_over_50_mb_is_refused_naming_its_line(project_dir: Path,
                                                                 tmp_path: Path) -> None:
    big = tmp_path / "batch.jsonl"
    with big.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": _article(1)}) + "\n")
        fh.write(json.dumps({"text": "Huge\n\n" + "y" * MAX_BYTES}) + "\n")
    res = runner.invoke(app, ["ingest", str(big)])
    assert res.exit_code == 1
    assert "batch.jsonl:2 [bytes]" in res.stderr and "50 MB limit for one article" in res.stderr
    assert not (project_dir / "corpus").exists()


def test_memory_stays_flat_for_a_jsonl_file_far_bigger_than_one_article(
        project_dir: Path, tmp_path: Path) -> None:
    def peak_mb(args: list[str]) -> float:
        probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
                 "stdout=subprocess.DEVNULL); "
                 "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        out = subprocess.run([sys.executable, "-c", probe, *args], cwd=project_dir,
                             capture_output=True, text=True, check=True, timeout=300)
        return int(out.stdout) / 1024

    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps({"text": "Small story\n\n" + "z" * 2**20}) + "\n")
    base = peak_mb([*CLI, "ingest", str(small)])
    big = tmp_path / "big.jsonl"
    pad = "w" * (2**20)
    with big.open("w", encoding="utf-8") as fh:
        for k in range(200):
            fh.write(json.dumps({"text": f"Story {k}\n\n{pad} {k}\n"}) + "\n")
    peak = peak_mb([*CLI, "ingest", str(big)])
    assert len(_assert_consistent(project_dir)) == 201
    assert peak < base + 50, (base, peak)  # a 200 MB file: no more than one article's worth


# --------------------------------------------------------------------------- raw_file


def test_raw_file_refuses_a_path_outside_corpus_raw(project_dir: Path) -> None:
    project = Project(project_dir)
    for bad in ("../../x/secret.txt", "raw/../../x/secret.txt", "/etc/passwd", "sources.jsonl",
                "raw"):
        with pytest.raises(RecordError) as err:
            raw_file(project, {"id": "0123456789abcdef", "raw_path": bad})
        e = err.value
        assert (e.path, e.record, e.field) == ("corpus/sources.jsonl", "0123456789abcdef",
                                               "raw_path")
    outside = project_dir / "elsewhere"
    outside.mkdir()
    (project_dir / "corpus" / "raw").mkdir(parents=True)
    (project_dir / "corpus" / "raw" / "01").symlink_to(outside)
    with pytest.raises(RecordError):
        raw_file(project, {"id": "0123456789abcdef", "raw_path": "raw/01/0123456789abcdef.txt"})


def test_iter_sources_names_file_and_line_of_a_bad_record(project_dir: Path) -> None:
    sources = project_dir / "corpus" / "sources.jsonl"
    sources.parent.mkdir()
    sources.write_text('{"id": "a"}\n\n[1, 2]\n')
    it = iter_sources(Project(project_dir))
    assert next(it) == {"id": "a"}
    with pytest.raises(RecordError, match=r"corpus/sources.jsonl:3: not a JSON object"):
        next(it)


# --------------------------------------------------------------------------- migration


def _old_layout(root: Path, n: int) -> None:
    """The repository's corpus plus ``n`` articles written as the old ingest wrote them."""
    shutil.copytree(REPO / "corpus", root / "corpus")
    corpus = root / "corpus"
    for rec in list(iter_sources(Project(root))):  # the shipped corpus, flat again if migrated
        flat = f"raw/{rec['id']}.txt"
        if rec["raw_path"] != flat:
            (corpus / flat).write_bytes((corpus / rec["raw_path"]).read_bytes())
            (corpus / rec["raw_path"]).unlink()
            (corpus / rec["raw_path"]).parent.rmdir()
            rec["raw_path"] = flat
            (corpus / "sources.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n")
    with (corpus / "sources.jsonl").open("a", encoding="utf-8") as fh:
        for k in range(n):
            data = _article(500 + k).encode()
            doc_id = _sha(data)[:16]
            (corpus / "raw" / f"{doc_id}.txt").write_bytes(data)
            rec = _record(Candidate(data, "utf-8", data.decode(), f"old{k}.txt"), _sha(data),
                          "2024-01-01T00:00:00Z")
            rec["raw_path"] = f"raw/{doc_id}.txt"
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def test_migrate_keeps_ids_and_bytes_and_a_rerun_is_a_no_op(project_dir: Path) -> None:
    _old_layout(project_dir, 5)
    corpus = project_dir / "corpus"
    before = {r["id"]: _sha((corpus / r["raw_path"]).read_bytes()) for r in _records(project_dir)}
    assert len(before) == 6 and all(r["raw_path"].count("/") == 1 for r in _records(project_dir))

    res = runner.invoke(app, ["corpus", "migrate"])
    assert res.exit_code == 0, res.output
    assert "moved 6 raw file(s)" in res.stderr
    records = _assert_consistent(project_dir)
    assert {r["id"]: _sha(raw_file(Project(project_dir), r).read_bytes()) for r in records
            } == before
    assert all(_sha((corpus / r["raw_path"]).read_bytes()) == r["raw_sha256"] for r in records)
    assert not list((corpus / "raw").glob("*.txt"))

    snapshot = (corpus / "sources.jsonl").read_bytes()
    again = runner.invoke(app, ["corpus", "migrate"])
    assert again.exit_code == 0 and "nothing to migrate" in again.stderr
    assert (corpus / "sources.jsonl").read_bytes() == snapshot
    _assert_consistent(project_dir)


def test_an_unmigrated_old_corpus_keeps_working(project_dir: Path) -> None:
    _old_layout(project_dir, 2)
    old = _records(project_dir)
    project = Project(project_dir)
    assert all(raw_file(project, r).is_file() for r in old)
    dup = project_dir / "dup.txt"
    dup.write_text(_article(500))
    res = runner.invoke(app, ["ingest", str(dup)])
    assert res.exit_code == 1 and "already in the corpus as" in res.stderr
    new = project_dir / "new.txt"
    new.write_text(_article(600))
    assert runner.invoke(app, ["ingest", str(new)]).exit_code == 0
    records = _records(project_dir)
    assert records[:3] == old and records[3]["raw_path"] == raw_rel(records[3]["id"])
    assert runner.invoke(app, ["corpus", "migrate"]).exit_code == 0
    _assert_consistent(project_dir)


def test_an_interrupted_migration_is_finished_by_the_next_ingest(project_dir: Path) -> None:
    _old_layout(project_dir, 3)
    corpus = project_dir / "corpus"
    rec = _records(project_dir)[1]  # killed after linking one file, before the rewrite
    twin = corpus / raw_rel(rec["id"])
    twin.parent.mkdir(parents=True)
    os.link(corpus / rec["raw_path"], twin)
    (corpus / ".journal").write_text('{"kind": "migrate"}\n')
    art = project_dir / "a.txt"
    art.write_text(_article(700))
    res = runner.invoke(app, ["ingest", str(art)])
    assert res.exit_code == 0, res.output
    assert len(_assert_consistent(project_dir)) == 5
