"""Benchmark the validation gate on synthetic data: GX versus the same checks in plain pandas.

Not collected by pytest (``tests/bench`` is excluded); run it by hand:

    .venv/bin/python tests/bench/bench_validate.py                 # 1,000,000 entities, 10,000 docs
    .venv/bin/python tests/bench/bench_validate.py --entities 100000 --docs 1000 --json

Stages, each timed, each with its own peak RSS (the kernel's high-water mark is reset between
stages through /proc/self/clear_refs):

1. ``check columns``: the pandas computation of the cross-table check columns
   (``validate.tables.check_frames``), shared by both ways of checking;
2. ``GX``: the committed suites run by ``validate.expectations.run_suites`` (ephemeral
   context, one checkpoint per table, SUMMARY results with the first failing ids; no Data
   Docs unless ``--docs``);
3. ``pandas``: every expectation of the same suites evaluated as a plain pandas expression,
   also collecting the first failing ids;
4. ``JSON Schema``: every entity record through the entity schema, the way the gate does it
   (``check_frame``: each distinct value of a column checked once); ``--record-rows N``
   also times N records the plain record-by-record way, for comparison.

The targets (issue 6): GX no more than 3x plain pandas, peak RSS under 2 GiB.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from newscorpus.project import Project
from newscorpus.validate.expectations import ID_COLUMN, build_suites, load_suites, run_suites
from newscorpus.validate.schemas import check_frame, check_table, frame_records
from newscorpus.validate.tables import check_frames, edits_table

REPO = Path(__file__).resolve().parents[2]
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo")


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # Linux: resets VmHWM, the peak RSS
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stage(name: str, fn: Callable[[], Any], out: dict[str, Any]) -> Any:
    _reset_peak()
    t0 = time.perf_counter()
    value = fn()
    out[name] = {"seconds": round(time.perf_counter() - t0, 3),
                 "peak_rss_mib": round(_peak_mib(), 1)}
    print(f"{name:>14}: {out[name]['seconds']:8.2f} s   peak RSS {out[name]['peak_rss_mib']:8.1f}"
          " MiB", file=sys.stderr)
    return value


def synthetic(n_entities: int, n_docs: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Documents of words; entities on distinct words; one claim per 20 entities."""
    rng = random.Random(seed)
    labels = ("PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "EVENT", "DATE")
    types = ("factual", "statistical", "causal", "prediction", "opinion")
    per_doc = -(-n_entities // n_docs)
    docs: list[dict[str, Any]] = []
    ents: dict[str, list[Any]] = {k: [] for k in ("doc_id", "id", "start", "end", "text",
                                                  "label", "annotator", "origin")}
    claims: list[dict[str, Any]] = []
    n = 0
    for d in range(n_docs):
        words = [rng.choice(WORDS) for _ in range(per_doc + 20)]
        text = " ".join(words)
        doc_id = hashlib.sha256(f"doc{d}".encode()).hexdigest()[:16]
        docs.append({"id": doc_id, "text": text, "edits": [],
                     "raw_sha256": hashlib.sha256(text.encode()).hexdigest(),
                     "split": "train", "normalizer_version": "0.1.0", "encoding": "utf-8"})
        pos = 0
        first_ids = []
        for w_i, w in enumerate(words):
            if w_i < per_doc and n < n_entities:
                eid = f"e{n}"
                for k, v in (("doc_id", doc_id), ("id", eid), ("start", pos),
                             ("end", pos + len(w)), ("text", w), ("label", labels[n % 8]),
                             ("annotator", "ann1"), ("origin", "human")):
                    ents[k].append(v)
                if w_i < 3:
                    first_ids.append((eid, pos, w))
                n += 1
            pos += len(w) + 1
        for c in range(max(1, per_doc // 20)):
            if len(first_ids) < 2:
                break
            (sid, _, _), (_, cs, cw) = first_ids[0], first_ids[1]
            claims.append({"doc_id": doc_id, "id": f"c{d}-{c}", "start": cs, "end": cs + len(cw),
                           "text": cw, "claim_type": types[c % 5], "checkworthy": bool(c % 2),
                           "speaker_entity_id": sid, "cue": None, "annotator": "ann1",
                           "origin": "human"})
            first_ids = first_ids[:1] + first_ids[2:] if c else first_ids
    return {"documents": pd.DataFrame(docs), "entities": pd.DataFrame(ents),
            "claims": pd.DataFrame(claims)}


def pandas_checks(frames: dict[str, pd.DataFrame], suites: dict[str, dict[str, Any]]
                  ) -> dict[str, tuple[int, list[Any]]]:
    """Every expectation of ``suites`` as a pandas expression: (unexpected, first ids)."""
    out: dict[str, tuple[int, list[Any]]] = {}
    for table, suite in suites.items():
        df = frames[table]
        ids = df[ID_COLUMN[table]]
        for exp in suite["expectations"]:
            kw, kind = exp["kwargs"], exp["type"]
            if kind == "expect_column_values_to_not_be_null":
                bad = df[kw["column"]].isna()
            elif kind == "expect_column_values_to_be_unique":
                col = df[kw["column"]]
                bad = col.duplicated(keep=False) & col.notna()
            elif kind == "expect_column_pair_values_a_to_be_greater_than_b":
                a, b = df[kw["column_A"]], df[kw["column_B"]]
                bad = ~((a >= b) if kw.get("or_equal") else (a > b))
            elif kind == "expect_column_values_to_be_between":
                bad = df[kw["column"]] < kw["min_value"]
            elif kind == "expect_column_values_to_be_in_set":
                col = df[kw["column"]]
                bad = ~col.isin(kw["value_set"]) & col.notna()
            elif kind == "expect_compound_columns_to_be_unique":
                bad = df.duplicated(subset=kw["column_list"], keep=False)
            elif kind == "expect_column_values_to_match_regex":
                col = df[kw["column"]]
                bad = ~col.astype(str).str.match(kw["regex"]) & col.notna()
            else:
                raise SystemExit(f"no pandas equivalent for {kind}")
            bad = bad.fillna(False).astype(bool)
            out[exp["meta"]["check"]] = (int(bad.sum()), ids[bad].head(10).tolist())
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--record-rows", type=int, default=20_000,
                    help="entity records also checked record by record (0: skip)")
    ap.add_argument("--docs-dir", type=Path, default=None,
                    help="also write the GX Data Docs there (timed inside the GX stage)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    args = ap.parse_args(argv)

    project = Project(REPO)
    scheme = project.label_scheme()
    suites = (load_suites(project.validation) if project.validation.is_dir()
              else build_suites(scheme))
    import great_expectations  # noqa: F401  (import time is not the GX run's)

    figures: dict[str, Any] = {"entities": args.entities, "docs": args.docs}
    tables = _stage("synthesise", lambda: synthetic(args.entities, args.docs), figures)
    tables["edits"] = edits_table(tables["documents"])
    figures["claims"] = len(tables["claims"])
    frames = _stage("check columns", lambda: check_frames(tables), figures)
    results, _ = _stage("GX", lambda: run_suites(frames, suites, docs_dir=args.docs_dir),
                        figures)
    plain = _stage("pandas", lambda: pandas_checks(frames, suites), figures)
    v = project.validator("entity")
    res = _stage("JSON Schema", lambda: check_frame(
        "entities", tables["entities"], v, path="entities", schema_name="entity"), figures)
    assert res.success, res.message()
    if args.record_rows:
        sample = tables["entities"].head(args.record_rows)
        _stage("per record", lambda: check_table(
            "entities", frame_records(sample), v, path="entities", schema_name="entity"),
            figures)
        figures["per record"]["rows"] = len(sample)
        figures["per record"]["rows_per_second"] = round(
            len(sample) / max(figures["per record"]["seconds"], 1e-9))

    # Both ways must agree, or the comparison means nothing.
    for r in results:
        assert r.success and plain[r.check][0] == 0, r.message()
    gx_s, pd_s = figures["GX"]["seconds"], figures["pandas"]["seconds"]
    cols_s = figures["check columns"]["seconds"]
    figures["ratio_gx_to_pandas"] = round(gx_s / pd_s, 2)
    figures["ratio_with_check_columns"] = round((gx_s + cols_s) / (pd_s + cols_s), 2)
    figures["peak_rss_mib"] = max(v["peak_rss_mib"] for v in figures.values()
                                  if isinstance(v, dict))
    figures["expectations"] = len(results)
    print(f"GX / pandas: {figures['ratio_gx_to_pandas']}x on the expectations, "
          f"{figures['ratio_with_check_columns']}x including the check columns; "
          f"process peak RSS {figures['peak_rss_mib']} MiB (target: <= 3x, < 2048 MiB)",
          file=sys.stderr)
    if args.json:
        print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
