"""Benchmark: a synthetic corpus streamed into a release vs plain ``pyarrow.parquet.write_table``.

    .venv/bin/python tests/bench/bench_release.py --docs 10000        # quick
    .venv/bin/python tests/bench/bench_release.py --docs 1000000      # the issue's scale

Both sides write the same rows (documents of ~300 words with a few edits each, generated
deterministically here) with the same Arrow schema. "release" streams them through
``newscorpus.release.write_dataset`` (record batches per split, ClassLabel encoding, card) and
then ``finalize`` (CITATION.cff, croissant.json, CHANGES.md, manifest with sha256 of every
file). "plain" builds one ``pa.Table`` in memory and calls ``pq.write_table`` once. Each side
runs in its own process so the peak RSS figures do not mix. Reported: seconds, docs/s, peak
RSS at 10 % of the documents and at the end, and the time ratio release/plain.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_SENTENCE = ("the minister said that talks on the budget would resume after a week of strikes in "
         "several cities while officials warned of delays to rail and port services across the "
         "region and opposition leaders called for an inquiry into the spending")
WORDS = tuple(_SENTENCE.split())


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def docs(n: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(1)
    for k in range(n):
        words = [rng.choice(WORDS) for _ in range(300)]
        text = " ".join(words)
        doc_id = f"{k:016x}"
        edits = [{"raw_start": p, "raw_end": p, "start": p + i, "end": p + i + 1, "before": "",
                  "after": "'", "rule": "apostrophe.possessive", "confidence": 0.99}
                 for i, p in enumerate(sorted(rng.sample(range(len(text)), 3)))]
        yield {"id": doc_id, "title": " ".join(words[:8]), "text": text,
               "source": {"publisher": "Synthetic", "url": None, "published_at": "2024-01-01",
                          "retrieved_at": None, "license": "CC0-1.0"},
               "raw_sha256": "0" * 64, "normalizer_version": "0.1.0", "edits": edits,
               "split": ("train", "validation", "test")[k % 10 // 8 if k % 10 < 9 else 2],
               "encoding": "utf-8", "truncated": False, "marks": []}


def run_release(n: int, out: Path) -> dict[str, Any]:
    from datasets import disable_progress_bars

    from newscorpus.model.labels import LabelScheme
    from newscorpus.release import BuildInfo, features, write_dataset
    from newscorpus.release.publish import finalize

    disable_progress_bars()
    repo = Path(__file__).resolve().parents[2]
    scheme = LabelScheme.from_dict(json.loads((repo / "schemas/label_scheme.json").read_text()))
    info = BuildInfo(name="bench", version="0.0.1", normalizer_version="0.1.0", scheme=scheme,
                     features=features(scheme))
    marks: dict[str, float] = {}

    def rows() -> Iterator[tuple[str, str, dict[str, Any]]]:
        for k, d in enumerate(docs(n)):
            if k == n // 10:
                marks["rss_at_10pct_mib"] = _rss_mib()
            yield "documents", d["split"], d

    t0 = time.perf_counter()
    folder = write_dataset(out / "0.0.1", info, rows())
    finalize(folder, info, releases=out / "none", version="0.0.1", date="2026-01-01",
             git_commit=None, git_dirty=True)
    secs = time.perf_counter() - t0
    return {"seconds": secs, "peak_rss_mib": _rss_mib(), **marks}


def run_plain(n: int, out: Path) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from newscorpus.model.labels import LabelScheme
    from newscorpus.release import features

    repo = Path(__file__).resolve().parents[2]
    scheme = LabelScheme.from_dict(json.loads((repo / "schemas/label_scheme.json").read_text()))
    schema = features(scheme)["documents"].arrow_schema
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    rows = []
    for k, d in enumerate(docs(n)):
        if k == n // 10:
            marks["rss_at_10pct_mib"] = _rss_mib()
        rows.append(d)
    table = pa.Table.from_pylist(rows, schema=schema)
    del rows
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out / "documents.parquet", compression="zstd")
    secs = time.perf_counter() - t0
    return {"seconds": secs, "peak_rss_mib": _rss_mib(), **marks}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--mode", choices=["both", "release", "plain"], default="both")
    a = ap.parse_args()
    if a.mode != "both":
        with tempfile.TemporaryDirectory() as tmp:
            fn = run_release if a.mode == "release" else run_plain
            print(json.dumps(fn(a.docs, Path(tmp))))
        return
    res = {}
    for mode in ("release", "plain"):
        out = subprocess.run([sys.executable, __file__, "--docs", str(a.docs), "--mode", mode],
                             capture_output=True, text=True, check=True).stdout
        res[mode] = json.loads(out.strip().splitlines()[-1])
    r, p = res["release"], res["plain"]
    print(f"documents: {a.docs:,} (~300 words each)")
    for name, x in (("release (streamed)", r), ("plain write_table", p)):
        print(f"  {name:20s} {x['seconds']:8.1f} s  {a.docs / x['seconds']:9,.0f} docs/s  "
              f"peak RSS at 10%: {x.get('rss_at_10pct_mib', 0):7.0f} MiB  "
              f"at end: {x['peak_rss_mib']:7.0f} MiB")
    print(f"  time ratio release/plain: {r['seconds'] / p['seconds']:.2f}x (target <= 2x); "
          f"peak RSS release: {r['peak_rss_mib']:.0f} MiB (target < 1024 MiB)")


if __name__ == "__main__":
    main()
