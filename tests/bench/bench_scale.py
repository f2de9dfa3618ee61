"""Benchmark: the whole pipeline at scale, ingest -> build -> validate -> release (issue 14).

    .venv/bin/python tests/bench/bench_scale.py --docs 2000 --workers-compare-docs 2000  # quick
    .venv/bin/python tests/bench/bench_scale.py --docs 100000 1000000    # the issue's figures

For each ``--docs`` size, a fresh project is made in a temporary folder (the repository's
``schemas/``, ``validation/`` and annotation settings, no annotations, a git commit) and fed
synthetic news articles from ``newsgen.py`` (~400 words, stripped apostrophes, boilerplate;
nothing comes from ``../shared/data``). Each stage then runs as the real console script,
``newscorpus`` next to this Python, in that project:

    ingest <jsonl folder> / build --workers W / validate --workers W /
    release 0.1.0 --allow-dirty --workers W

and is measured from outside: wall time, docs/s, peak RSS of the whole process tree (the sum
of VmRSS over the process and its descendants, sampled every 0.2 s), the peak of the largest
single process (also from the kernel's own count at exit, ``wait4``), the peak PSS of the
tree (shared pages counted once: forked workers share much of their parent), and normalize
calls per document from ``$NEWSCORPUS_STATS`` (the target is 1 over build + validate +
release: the cache means each article is normalised once).

Then, on ``--workers-compare-docs`` documents, each build starting from an empty
normalisation cache (``$NEWSCORPUS_CACHE_DIR``): ``build --workers 1`` against
``build --workers 2`` (ratio t1/t2), and ``build --ray`` on a local Ray head started here
(``scripts/raycluster.py``: ``ray start --head --block`` on 127.0.0.1 and free ports, stopped
by process id after) against the local ``--workers 2`` build: the time ratio and whether every
output file is byte-identical.

Targets (issue 14, on 2 cores): 1M documents end to end in under 30 minutes; peak RSS under
1 GiB, with 100k and 1M within 10 % of each other (give both sizes in one run); 2 workers at
least 1.8x one worker; Ray output byte-identical to local. Exit code 1 only when a command
failed (its stderr tail is printed); the targets are reported, not enforced.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsgen import write_jsonl

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NEWSCORPUS = BIN / "newscorpus"
RAY = BIN / "ray"
STAGES = ("ingest", "build", "validate", "release")
NORMALIZING = ("build", "validate", "release")
MIB = 1024 * 1024
T0 = time.perf_counter()


def note(msg: str) -> None:
    print(f"[bench_scale +{time.perf_counter() - T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


# --- process-tree memory ------------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        kids[ppid].append(int(entry.name))
    return kids


def _tree(pid: int) -> list[int]:
    kids = _children()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


def _proc_kib(pid: int, file: str, key: bytes) -> int:
    try:
        with open(f"/proc/{pid}/{file}", "rb") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


@dataclass
class Peak:
    """Highest figures seen so far, in MiB."""

    tree_rss: float = 0.0
    one_rss: float = 0.0
    tree_pss: float = 0.0
    procs: int = 0
    parts: list[float] = field(default_factory=list)  # per process at the tree's peak

    def sample(self, pid: int) -> float:
        pids = _tree(pid)
        rss = [_proc_kib(p, "status", b"VmRSS:") for p in pids]
        pss = sum(_proc_kib(p, "smaps_rollup", b"Pss:") for p in pids)
        if sum(rss) / 1024 > self.tree_rss:
            self.parts = sorted((r / 1024 for r in rss if r), reverse=True)
        self.tree_rss = max(self.tree_rss, sum(rss) / 1024)
        self.one_rss = max(self.one_rss, max(rss, default=0) / 1024)
        self.tree_pss = max(self.tree_pss, pss / 1024)
        self.procs = max(self.procs, len(pids))
        return sum(rss) / 1024


# --- running commands ---------------------------------------------------------------------

@dataclass
class Run:
    name: str
    argv: list[str]
    seconds: float = 0.0
    returncode: int = 0
    peak: Peak = field(default_factory=Peak)
    stats: list[dict[str, Any]] = field(default_factory=list)
    log: Path | None = None

    @property
    def normalize_calls(self) -> int | None:
        calls = [s.get("normalize_calls") for s in self.stats]
        if not calls or any(not isinstance(c, int) for c in calls):
            return None
        return sum(c for c in calls if isinstance(c, int))

    def tail(self, lines: int = 30) -> str:
        if self.log is None or not self.log.exists():
            return ""
        text = self.log.with_suffix(".err").read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def base_env(project: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NEWSCORPUS_CACHE_DIR", "NEWSCORPUS_STATS", "NEWSCORPUS_ROOT",
                         "RAY_ADDRESS")}
    env.update(NEWSCORPUS_ROOT=str(project), NO_COLOR="1", TERM="dumb", COLUMNS="160",
               RAY_USAGE_STATS_ENABLED="0", PYTHONUNBUFFERED="1")
    return env


def run(name: str, args: Sequence[str], *, project: Path, logs: Path,
        env: dict[str, str] | None = None, label: str = "") -> Run:
    """Run ``newscorpus ARGS`` in ``project``; time it and follow its process tree's memory."""
    logs.mkdir(parents=True, exist_ok=True)
    stem = logs / name
    stats_file = stem.with_suffix(".stats.jsonl")
    stats_file.unlink(missing_ok=True)
    env = dict(env if env is not None else base_env(project))
    env["NEWSCORPUS_STATS"] = str(stats_file)
    r = Run(name, [str(NEWSCORPUS), *args], log=stem.with_suffix(".out"))
    note(f"{label or name}: {' '.join(['newscorpus', *args])}")
    with stem.with_suffix(".out").open("wb") as out, stem.with_suffix(".err").open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(r.argv, cwd=project, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        next_note = t0 + 15
        while True:
            now_rss = r.peak.sample(proc.pid)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                r.seconds = time.perf_counter() - t0
                proc.returncode = r.returncode = os.waitstatus_to_exitcode(status)
                # the kernel's high-water mark of the largest process of the tree
                r.peak.one_rss = max(r.peak.one_rss, usage.ru_maxrss / 1024)
                break
            if time.perf_counter() >= next_note:
                next_note += 15
                note(f"{label or name}: running {time.perf_counter() - t0:6.0f} s, RSS tree "
                     f"{now_rss:6.0f} MiB (peak {r.peak.tree_rss:.0f})")
            time.sleep(0.2)
    if stats_file.exists():
        for line in stats_file.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                r.stats.append(json.loads(line))
    note(f"{label or name}: exit {r.returncode} after {r.seconds:.1f} s, peak RSS tree "
         f"{r.peak.tree_rss:.0f} MiB")
    return r


class Failed(Exception):
    def __init__(self, r: Run) -> None:
        super().__init__(f"{r.name} failed (exit {r.returncode})")
        self.run = r


def checked(r: Run) -> Run:
    if r.returncode != 0:
        raise Failed(r)
    return r


def supports(command: str, option: str) -> bool:
    """Whether ``newscorpus COMMAND --help`` lists OPTION (the engine may not have landed)."""
    env = base_env(REPO)
    env.pop("NEWSCORPUS_ROOT")
    out = subprocess.run([str(NEWSCORPUS), command, "--help"], capture_output=True, text=True,
                         env=env, cwd=REPO, check=False)
    return option in out.stdout + out.stderr


# --- the project ----------------------------------------------------------------------------

def make_project(root: Path) -> Path:
    """A fresh newscorpus project: contracts copied from the repository, no corpus, no
    annotations, committed in a new git repository."""
    root.mkdir(parents=True)
    for d in ("schemas", "validation"):
        shutil.copytree(REPO / d, root / d)
    (root / "annotations" / "labelstudio").mkdir(parents=True)
    for f in (REPO / "annotations").iterdir():
        if f.is_file():
            shutil.copy2(f, root / "annotations" / f.name)
    (root / ".gitignore").write_text("build/\n", encoding="utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
           "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "bench project"], cwd=root, check=True)
    return root


def generate(folder: Path, n: int, seed: int) -> float:
    t0 = time.perf_counter()
    paths = write_jsonl(folder, n, seed)
    secs = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in paths) / MIB
    note(f"generated {n:,} articles ({size:,.0f} MiB JSONL) in {secs:.1f} s")
    return secs


def tree_digest(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h = hashlib.sha256()
            with p.open("rb") as f:
                for block in iter(lambda f=f: f.read(1 << 20), b""):
                    h.update(block)
            out[str(p.relative_to(folder))] = h.hexdigest()
    return out


# --- Ray --------------------------------------------------------------------------------------

def _raycluster() -> Any:
    """The project's own ``scripts/raycluster.py`` (standard library only): a head node on
    127.0.0.1 and free ports, stopped by process id (never ``ray stop``)."""
    spec = importlib.util.spec_from_file_location("raycluster", REPO / "scripts/raycluster.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("no scripts/raycluster.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["raycluster"] = mod  # its dataclass looks itself up there
    spec.loader.exec_module(mod)
    return mod


@contextlib.contextmanager
def ray_head(cpus: int) -> Iterator[str]:
    """A local Ray head of our own for the comparison; yields its address."""
    rc = _raycluster()
    temp = Path(tempfile.mkdtemp(prefix="bsray-", dir="/tmp"))  # short: Ray's socket paths
    t0 = time.perf_counter()
    cluster = None
    try:
        cluster = rc.start(RAY, temp, num_cpus=cpus)
        note(f"ray head up on {cluster.address} in {time.perf_counter() - t0:.1f} s")
        yield str(cluster.address)
    finally:
        if cluster is not None:
            cluster.stop()
            note("ray head stopped")
        shutil.rmtree(temp, ignore_errors=True)


# --- the benchmark ----------------------------------------------------------------------------

def pipeline(n: int, root: Path, a: argparse.Namespace, engine: dict[str, list[str]],
             res: dict[str, Any]) -> None:
    """Generate n articles and run every stage on them in a fresh project under ``root``;
    the figures go into ``res`` as they come (a failed stage leaves the earlier ones)."""
    project = make_project(root / "project")
    logs = root / "logs"
    runs: list[Run] = []
    res.update(docs=n, runs=runs, project=project, generate_seconds=0.0)
    res["generate_seconds"] = generate(root / "input", n, a.seed)
    for stage in STAGES:
        if stage not in a.stages:
            continue
        args = {"ingest": ["ingest", str(root / "input")],
                "build": ["build", *engine["build"]],
                "validate": ["validate", *(["build/dataset"] if a.validate == "build" else []),
                             *engine["validate"]],
                "release": ["release", "0.1.0", "--allow-dirty", *engine["release"]]}[stage]
        runs.append(run(stage, args, project=project, logs=logs, label=f"{stage} ({n:,} docs)"))
        checked(runs[-1])
        if stage == "ingest" and not a.keep:
            shutil.rmtree(root / "input")


def print_table(res: dict[str, Any]) -> None:
    n = res["docs"]
    runs: list[Run] = [r for r in res["runs"] if r.returncode == 0]
    if not runs:
        return
    print(f"\ndocuments: {n:,} (~400 words each; generated in {res['generate_seconds']:.1f} s, "
          "not counted)")
    head = (f"  {'stage':10s} {'seconds':>9s} {'docs/s':>9s} {'RSS tree':>9s} {'RSS max 1':>9s} "
            f"{'PSS tree':>9s} {'procs':>5s} {'normalize/doc':>13s}")
    print(head)
    print("  " + "-" * (len(head) - 2))
    for r in runs:
        calls = r.normalize_calls
        per_doc = f"{calls / n:13.3f}" if calls is not None else f"{'n/a':>13s}"
        if r.name == "ingest" and calls is None:
            per_doc = f"{'-':>13s}"
        print(f"  {r.name:10s} {r.seconds:9.1f} {n / r.seconds:9,.0f} {r.peak.tree_rss:9.0f} "
              f"{r.peak.one_rss:9.0f} {r.peak.tree_pss:9.0f} {r.peak.procs:5d} {per_doc}")
    total = sum(r.seconds for r in runs)
    print(f"  {'total':10s} {total:9.1f} {n / total:9,.0f} "
          f"{max(r.peak.tree_rss for r in runs):9.0f} {max(r.peak.one_rss for r in runs):9.0f} "
          f"{max(r.peak.tree_pss for r in runs):9.0f}")
    calls = [r.normalize_calls for r in runs if r.name in NORMALIZING]
    if calls and all(c is not None for c in calls):
        print(f"  normalize calls over build + validate + release: {sum(calls):,} = "
              f"{sum(calls) / n:.3f} per document (target 1)")
    print("  (RSS/PSS in MiB, peaks sampled every 0.2 s; 'RSS max 1' is the largest single "
          "process)")
    for r in runs:
        if len(r.peak.parts) > 1:
            print(f"  {r.name} at its RSS tree peak: "
                  + " + ".join(f"{x:.0f}" for x in r.peak.parts) + " MiB")


def compare(m: int, a: argparse.Namespace, root: Path, reuse: Path | None,
            engine_ok: bool, ray_ok: bool) -> dict[str, Any]:
    """workers 1 vs 2, and Ray vs local, on m documents, each from an empty cache."""
    out: dict[str, Any] = {"docs": m}
    if not engine_ok:
        note("comparisons skipped: `newscorpus build` has no --workers option yet")
        return out
    project = reuse
    if project is None:
        project = make_project(root / "project")
        generate(root / "input", m, a.seed)
        checked(run("ingest", ["ingest", str(root / "input")], project=project,
                    logs=root / "logs", label=f"compare ingest ({m:,} docs)"))
        shutil.rmtree(root / "input")

    def build(name: str, extra: list[str]) -> Run:
        dest = root / name
        shutil.rmtree(dest, ignore_errors=True)
        env = base_env(project)
        env["NEWSCORPUS_CACHE_DIR"] = str(dest / "cache")  # empty: every article normalised
        return checked(run(f"build-{name}", ["build", "--out", str(dest / "dataset"), *extra,
                                             *a.shard_args],
                           project=project, logs=root / "logs", env=env,
                           label=f"build {name} ({m:,} docs)"))

    best: dict[str, Run] = {}
    for rep in range(a.repeat):
        for name, extra in (("w1", ["--workers", "1"]), ("w2", ["--workers", "2"])):
            r = build(name, extra)
            if name not in best or r.seconds < best[name].seconds:
                best[name] = r
            if rep < a.repeat - 1:
                shutil.rmtree(root / name, ignore_errors=True)
    out["w1"], out["w2"] = best["w1"], best["w2"]
    if a.no_ray:
        return out
    if not ray_ok:
        note("Ray comparison skipped: `newscorpus build` has no --ray option yet")
        return out
    with ray_head(a.ray_cpus) as address:
        rays = [build("ray", ["--ray", address]) for _ in range(a.repeat)]
    out["ray"] = min(rays, key=lambda r: r.seconds)
    local, remote = tree_digest(root / "w2" / "dataset"), tree_digest(root / "ray" / "dataset")
    out["files"] = len(local)
    out["differ"] = sorted(k for k in local.keys() | remote.keys()
                           if local.get(k) != remote.get(k))
    return out


def print_compare(c: dict[str, Any]) -> None:
    m = c["docs"]
    if "w1" not in c:
        return
    print(f"\nbuild from an empty cache, {m:,} documents:")
    rows = [("--workers 1", c["w1"]), ("--workers 2", c["w2"])]
    if "ray" in c:
        rows.append(("--ray (local head)", c["ray"]))
    for label, r in rows:
        calls = r.normalize_calls
        shards = ", ".join(f"{s.get('shards')} shard(s) on {s.get('workers')} {s.get('engine')} "
                           "worker(s)" for s in r.stats[-1:])
        print(f"  {label:20s} {r.seconds:8.1f} s {m / r.seconds:9,.0f} docs/s  peak RSS tree "
              f"{r.peak.tree_rss:6.0f} MiB  normalize calls "
              f"{'n/a' if calls is None else f'{calls:,}'}  {shards}")
    print("  (a Ray build's tree is the driver only: Ray's workers belong to the head node)")
    shards = [st.get("shards") for st in c["w2"].stats]
    if shards and isinstance(shards[-1], int) and shards[-1] < 4:
        print(f"  note: {shards[-1]} shard(s) for 2 workers: too few to share out evenly; "
              "use more documents or a smaller --shard-size")
    print(f"  ratio workers 2 : workers 1 (t1/t2): {c['w1'].seconds / c['w2'].seconds:.2f}x")
    if "ray" in c:
        same = "byte-identical" if not c["differ"] else (
            f"{len(c['differ'])} file(s) differ: {', '.join(c['differ'][:5])}")
        print(f"  ratio Ray : local --workers 2 (t_ray/t_local): "
              f"{c['ray'].seconds / c['w2'].seconds:.2f}x; output {same} "
              f"({c['files']} files compared by sha256)")


def print_targets(results: list[dict[str, Any]], c: dict[str, Any]) -> None:
    def line(what: str, figure: str, ok: bool | None) -> None:
        mark = "n/a " if ok is None else ("PASS" if ok else "FAIL")
        print(f"  {mark}  {what:44s} {figure}")

    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\ntargets (issue 14, on 2 cores; this machine has {os.cpu_count()} CPUs, load "
          f"average now {load} over 1/5/15 min: other work skews the times):")
    big = max(results, key=lambda r: r["docs"])
    total = sum(r.seconds for r in big["runs"])
    if set(STAGES) <= {r.name for r in big["runs"]}:
        if big["docs"] >= 1_000_000:
            line("1M docs end to end < 30 min", f"{total / 60:.1f} min at {big['docs']:,}",
                 total < 1800 * big["docs"] / 1_000_000)
        else:
            proj = total * 1_000_000 / big["docs"] / 60
            line("1M docs end to end < 30 min", f"{total / 60:.1f} min at {big['docs']:,} docs; "
                 f"linear projection to 1M: {proj:.0f} min (not measured)", None)
    peak = max(max(r.peak.tree_rss for r in res["runs"]) for res in results)
    one = max(max(r.peak.one_rss for r in res["runs"]) for res in results)
    pss = max(max(r.peak.tree_pss for r in res["runs"]) for res in results)
    line("peak RSS < 1 GiB (process tree)", f"{peak:.0f} MiB (largest process {one:.0f}, "
         f"tree PSS {pss:.0f})", peak < 1024)
    if len(results) >= 2:
        small = min(results, key=lambda r: r["docs"])
        p_small = max(r.peak.tree_rss for r in small["runs"])
        p_big = max(r.peak.tree_rss for r in big["runs"])
        ratio = p_big / p_small
        line(f"peak RSS {big['docs']:,} vs {small['docs']:,} within 10 %",
             f"{p_big:.0f} / {p_small:.0f} MiB = {ratio:.2f}x", abs(ratio - 1) <= 0.10)
    else:
        line("peak RSS 100k vs 1M within 10 %", "needs two sizes: --docs 100000 1000000", None)
    if "w1" in c:
        ratio = c["w1"].seconds / c["w2"].seconds
        line("workers 2 >= 1.8x workers 1", f"{ratio:.2f}x ({c['docs']:,} docs)", ratio >= 1.8)
    else:
        line("workers 2 >= 1.8x workers 1", "not measured (no --workers in the CLI)", None)
    if "ray" in c:
        line("Ray output byte-identical to local", "yes" if not c["differ"] else
             f"no: {len(c['differ'])} of {c['files']} files differ", not c["differ"])
    else:
        line("Ray output byte-identical to local", "not measured", None)
    for res in results:
        calls = [r.normalize_calls for r in res["runs"] if r.name in NORMALIZING]
        if calls and all(c is not None for c in calls):
            per = sum(c for c in calls if c is not None) / res["docs"]
            line(f"normalize calls per document = 1 ({res['docs']:,})", f"{per:.3f}",
                 abs(per - 1) < 1e-9)


def as_json(results: list[dict[str, Any]], c: dict[str, Any]) -> dict[str, Any]:
    def run_dict(r: Run) -> dict[str, Any]:
        return {"stage": r.name, "argv": r.argv[1:], "seconds": round(r.seconds, 3),
                "peak_rss_tree_mib": round(r.peak.tree_rss, 1),
                "peak_rss_process_mib": round(r.peak.one_rss, 1),
                "peak_pss_tree_mib": round(r.peak.tree_pss, 1), "processes": r.peak.procs,
                "rss_at_tree_peak_mib": [round(x, 1) for x in r.peak.parts],
                "normalize_calls": r.normalize_calls, "stats": r.stats}

    return {"pipeline": [{"docs": res["docs"], "generate_seconds": res["generate_seconds"],
                          "stages": [run_dict(r) for r in res["runs"]]} for res in results],
            "compare": {k: run_dict(v) if isinstance(v, Run) else v for k, v in c.items()}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, nargs="+", default=[100_000], metavar="N",
                    help="corpus size(s); two sizes also give the RSS flatness ratio")
    ap.add_argument("--workers-compare-docs", type=int, metavar="M",
                    help="documents for the workers 2:1 and Ray:local builds "
                         "[default: min(N, 20000)]")
    ap.add_argument("--workers", type=int, default=2,
                    help="--workers for build, validate and release in the main run")
    ap.add_argument("--stages", default=",".join(STAGES),
                    help="comma-separated stages to run (ingest always runs)")
    ap.add_argument("--validate", choices=("corpus", "build"), default="corpus",
                    help="validate the corpus (`newscorpus validate`) or the built folder")
    ap.add_argument("--no-ray", action="store_true", help="skip the Ray comparison")
    ap.add_argument("--no-compare", action="store_true", help="skip both comparisons")
    ap.add_argument("--shard-size", type=int, metavar="S",
                    help="--shard-size for every build, validate and release [default: the "
                         "CLI's]; the workers comparison needs at least 2 shards per worker")
    ap.add_argument("--ray-cpus", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of each comparison build; the fastest counts")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", type=Path, metavar="DIR",
                    help="work in DIR (must not exist) and keep everything")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    a = ap.parse_args()
    a.stages = {s.strip() for s in a.stages.split(",") if s.strip()} | {"ingest"}
    if unknown := a.stages - set(STAGES):
        ap.error(f"unknown stage(s): {', '.join(sorted(unknown))}")
    if not NEWSCORPUS.exists():
        ap.error(f"no {NEWSCORPUS}: run with the project's venv (pip install -e .)")
    m = a.workers_compare_docs or min(min(a.docs), 20_000)
    if a.keep:
        if a.keep.exists():
            ap.error(f"--keep {a.keep}: already exists")
        a.keep.mkdir(parents=True)
        work = a.keep.resolve()
    else:
        work = Path(tempfile.mkdtemp(prefix="bench_scale-"))
    engine_ok = supports("build", "--workers")
    ray_ok = supports("build", "--ray")
    engine = {cmd: ["--workers", str(a.workers)] if supports(cmd, "--workers") else []
              for cmd in NORMALIZING}
    shard = ["--shard-size", str(a.shard_size)] if a.shard_size else []
    if shard and not supports("build", "--shard-size"):
        ap.error("--shard-size: `newscorpus build` has no such option yet")
    for cmd in NORMALIZING:
        engine[cmd] += shard if supports(cmd, "--shard-size") else []
    a.shard_args = shard
    for cmd, opts in engine.items():
        if not opts:
            note(f"`newscorpus {cmd} --help` lists no --workers: running it without")
    note(f"working in {work}")
    results: list[dict[str, Any]] = []
    c: dict[str, Any] = {"docs": m}
    try:
        for n in sorted(set(a.docs)):
            res: dict[str, Any] = {}
            results.append(res)
            pipeline(n, work / f"n{n}", a, engine, res)
            print_table(res)
            sys.stdout.flush()
            if not a.keep and n != m:
                shutil.rmtree(work / f"n{n}", ignore_errors=True)
        if not a.no_compare:
            reuse = next((r["project"] for r in results if r["docs"] == m), None)
            c = compare(m, a, work / "compare", reuse, engine_ok, ray_ok)
            print_compare(c)
        print_targets(results, c)
        if a.json:
            a.json.write_text(json.dumps(as_json(results, c), indent=1) + "\n",
                              encoding="utf-8")
    except Failed as exc:
        r = exc.run
        print(f"\nFAILED: {' '.join(['newscorpus', *r.argv[1:]])} exited {r.returncode} "
              f"after {r.seconds:.1f} s; stderr tail ({r.log and r.log.with_suffix('.err')}):",
              file=sys.stderr)
        print(r.tail(), file=sys.stderr)
        for done in results:
            if done.get("runs"):
                print_table(done)
        return 1
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
