"""The Great Expectations suites: defined here, stored as JSON in ``validation/``, run by GX.

Why the suites are files: reviewers see a rule change as a diff of ``validation/*.json``, and
CI runs exactly what was reviewed. ``build_suites`` is the one definition; ``write_suites``
(via ``scripts/gen_validation.py``) regenerates the files and a test proves the committed
files equal the regenerated ones. The files are deterministic: no ids, no timestamps and no
GX version (``suite.to_json_dict()`` taken before any context sees the suite).

Why an ephemeral context: a file-mode context writes UUIDs into its files on every run,
which churn in git. The run builds a throw-away context, loads the suite dicts, and runs one
checkpoint per table over a pandas DataFrame, with an ``UpdateDataDocsAction`` writing the
HTML report into a folder the caller chooses (next to the data).

Cross-table rules (a doc_id names a document, a span's text equals the document slice, the
edit log rebuilds the raw text) have no built-in GX expectation: ``validate.tables``
computes them as boolean check columns with pandas, and the suites expect those columns to
be ``True``, so they show in the GX report like every other rule.

GX and pydantic errors are caught here and raised as ``ExpectationError``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from newscorpus.model.errors import ExpectationError
from newscorpus.model.labels import LabelScheme
from newscorpus.validate.report import SHOWN_IDS, CheckResult

__all__ = [
    "CHECK_COLUMNS",
    "ID_COLUMN",
    "ORIGIN_PATTERN",
    "SUITE_TABLES",
    "build_suites",
    "load_suites",
    "render_suite",
    "run_suites",
    "write_suites",
]

log = logging.getLogger(__name__)

#: The tables with a suite, in the order they run and appear in reports.
SUITE_TABLES = ("documents", "edits", "entities", "claims")

#: The column naming a row in failure messages (edits have no id of their own).
ID_COLUMN: dict[str, str] = {
    "documents": "id",
    "edits": "edit_id",
    "entities": "id",
    "claims": "id",
}

#: ``origin`` of a span: a person, or a model pre-annotation kept as it was. The schemas'
#: pattern, with a non-capturing group (pandas warns about capturing ones).
ORIGIN_PATTERN = r"^(?:human|model:[^@]+@.+)$"

#: Boolean check columns (computed with pandas in ``validate.tables``) per table, with the
#: rule each stands for. ``<NA>`` means "not applicable" (e.g. no speaker), which GX skips.
CHECK_COLUMNS: dict[str, dict[str, str]] = {
    "documents": {
        "edits_rebuild_raw": "the edit log rebuilds the raw text, whose sha256 is raw_sha256",
        "split_matches_id": "split is the one the id hashes to (a document never moves)",
    },
    "edits": {
        "doc_exists": "doc_id names a document",
        "within_document": "0 <= start <= end <= len(document.text)",
        "after_equals_slice": "after equals document.text[start:end]",
    },
    "entities": {
        "doc_exists": "doc_id names a document",
        "within_document": "0 <= start < end <= len(document.text)",
        "text_equals_slice": "text equals document.text[start:end]",
    },
    "claims": {
        "doc_exists": "doc_id names a document",
        "within_document": "0 <= start < end <= len(document.text)",
        "text_equals_slice": "text equals document.text[start:end]",
        "speaker_in_document": "speaker_entity_id names an entity of the same document",
        "cue_equals_slice": "cue lies in the document and its text equals the slice",
    },
}

_SPLITS = ["train", "validation", "test"]


def _specs(scheme: LabelScheme) -> dict[str, list[tuple[str, str, str, dict[str, Any]]]]:
    """(check id, rule, GX expectation class, kwargs) per table, in report order."""

    def not_null(table: str, cols: tuple[str, ...]) -> list[tuple[str, str, str, dict[str, Any]]]:
        return [(f"{table}.{c}_not_null", f"{c} is never null", "ExpectColumnValuesToNotBeNull",
                 {"column": c}) for c in cols]

    def checks(table: str) -> list[tuple[str, str, str, dict[str, Any]]]:
        return [(f"{table}.{col}", rule, "ExpectColumnValuesToBeInSet",
                 {"column": col, "value_set": [True]})
                for col, rule in CHECK_COLUMNS[table].items()]

    def spans(table: str, label_col: str, names: tuple[str, ...], what: str
              ) -> list[tuple[str, str, str, dict[str, Any]]]:
        return [
            (f"{table}.id_unique", "id is unique", "ExpectColumnValuesToBeUnique",
             {"column": "id"}),
            (f"{table}.start_before_end", "start < end",
             "ExpectColumnPairValuesAToBeGreaterThanB", {"column_A": "end", "column_B": "start"}),
            (f"{table}.start_non_negative", "start >= 0", "ExpectColumnValuesToBeBetween",
             {"column": "start", "min_value": 0}),
            (f"{table}.{label_col}_in_scheme", f"{label_col} is one of the scheme's {what}",
             "ExpectColumnValuesToBeInSet", {"column": label_col, "value_set": list(names)}),
            # per annotator: two annotators marking the same span is agreement, not a duplicate
            (f"{table}.span_unique", f"(doc_id, annotator, start, end, {label_col}) is unique",
             "ExpectCompoundColumnsToBeUnique",
             {"column_list": ["doc_id", "annotator", "start", "end", label_col]}),
            (f"{table}.origin_format", "origin is human or model:<name>@<version>",
             "ExpectColumnValuesToMatchRegex", {"column": "origin", "regex": ORIGIN_PATTERN}),
        ]

    span_cols = ("doc_id", "id", "start", "end", "text")
    return {
        "documents": [
            *not_null("documents", ("id", "text", "raw_sha256", "split", "normalizer_version")),
            ("documents.id_unique", "id is unique", "ExpectColumnValuesToBeUnique",
             {"column": "id"}),
            ("documents.split_known", "split is train, validation or test",
             "ExpectColumnValuesToBeInSet", {"column": "split", "value_set": _SPLITS}),
            *checks("documents"),
        ],
        "edits": [
            *not_null("edits", ("doc_id", "raw_start", "raw_end", "start", "end", "rule")),
            ("edits.start_not_after_end", "start <= end",
             "ExpectColumnPairValuesAToBeGreaterThanB",
             {"column_A": "end", "column_B": "start", "or_equal": True}),
            ("edits.raw_start_not_after_raw_end", "raw_start <= raw_end",
             "ExpectColumnPairValuesAToBeGreaterThanB",
             {"column_A": "raw_end", "column_B": "raw_start", "or_equal": True}),
            *checks("edits"),
        ],
        "entities": [
            *not_null("entities", (*span_cols, "label", "annotator", "origin")),
            *spans("entities", "label", scheme.entity_names, "entity labels"),
            *checks("entities"),
        ],
        "claims": [
            *not_null("claims", (*span_cols, "claim_type", "checkworthy", "annotator",
                                 "origin")),
            *spans("claims", "claim_type", scheme.claim_type_names, "claim types"),
            ("claims.checkworthy_boolean", "checkworthy is true or false",
             "ExpectColumnValuesToBeInSet", {"column": "checkworthy",
                                             "value_set": [True, False]}),
            *checks("claims"),
        ],
    }


def build_suites(scheme: LabelScheme) -> dict[str, dict[str, Any]]:
    """The suites as JSON dicts, one per table: the content of ``validation/<table>.json``.

    Every expectation carries ``meta.check`` (a stable id the report matches results on,
    since GX returns them out of order) and ``meta.rule`` (what it means, for people).
    """
    import great_expectations as gx

    suites: dict[str, dict[str, Any]] = {}
    for table, specs in _specs(scheme).items():
        try:
            exps = [getattr(gx.expectations, cls)(**kw, meta={"check": check, "rule": rule})
                    for check, rule, cls, kw in specs]
            d: dict[str, Any] = gx.ExpectationSuite(
                name=table, expectations=exps,
                meta={"label_scheme_version": scheme.version,
                      "generated_by": "newscorpus.validate.expectations.build_suites"},
            ).to_json_dict()
        except Exception as exc:  # GX raises pydantic and its own errors alike
            raise ExpectationError(f"cannot build the {table} suite: {exc}") from exc
        d.pop("id", None)
        meta = d.get("meta")
        if isinstance(meta, dict):
            meta.pop("great_expectations_version", None)  # no churn when GX is upgraded
        suites[table] = d
    return suites


def render_suite(suite: Mapping[str, Any]) -> str:
    """The file text of a suite: sorted keys, two-space indent, final newline."""
    return json.dumps(suite, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_suites(folder: Path, scheme: LabelScheme) -> list[Path]:
    """(Re)write ``folder/<table>.json`` for every suite; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, suite in build_suites(scheme).items():
        path = folder / f"{table}.json"
        path.write_text(render_suite(suite), encoding="utf-8")
        written.append(path)
    return written


def load_suites(folder: Path) -> dict[str, dict[str, Any]]:
    """The committed suites ``folder/<table>.json``; a missing or broken file is an error."""
    suites: dict[str, dict[str, Any]] = {}
    for table in SUITE_TABLES:
        path = folder / f"{table}.json"
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ExpectationError(f"{path}: cannot read the {table} suite ({exc.strerror}); "
                                   "regenerate with scripts/gen_validation.py") from exc
        except ValueError as exc:
            raise ExpectationError(f"{path}: not valid JSON: {exc}") from exc
        if not isinstance(d, dict) or d.get("name") != table:
            raise ExpectationError(f"{path}: not the {table} suite")
        suites[table] = d
    return suites


def _quiet_context() -> Any:
    """An in-memory GX context: no files, no analytics, no progress bars on stderr."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def run_suites(frames: Mapping[str, pd.DataFrame], suites: Mapping[str, Mapping[str, Any]],
               *, docs_dir: Path | None = None) -> tuple[list[CheckResult], Path | None]:
    """Run each table's suite over its frame; one ``CheckResult`` per expectation.

    With ``docs_dir``, the checkpoints' ``UpdateDataDocsAction`` writes the Data Docs site
    there; the second value is its ``index.html``.
    """
    import great_expectations as gx
    from great_expectations.checkpoint.actions import UpdateDataDocsAction
    from great_expectations.exceptions.exceptions import GreatExpectationsError

    results: list[CheckResult] = []
    try:
        ctx = _quiet_context()
        site = "newscorpus_quality"
        actions: list[Any] = []
        if docs_dir is not None:
            docs_dir.mkdir(parents=True, exist_ok=True)
            ctx.add_data_docs_site(site_name=site, site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(docs_dir.resolve())},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            })
            actions = [UpdateDataDocsAction(name="data_docs", site_names=[site])]
        source = ctx.data_sources.add_pandas("newscorpus")
        for table in SUITE_TABLES:
            if table not in frames or table not in suites:
                continue
            d = {k: v for k, v in suites[table].items() if k != "id"}
            suite = ctx.suites.add(gx.ExpectationSuite(**json.loads(json.dumps(d))))
            batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe(
                "all_rows")
            vd = ctx.validation_definitions.add(
                gx.ValidationDefinition(name=table, data=batch, suite=suite))
            cp = ctx.checkpoints.add(gx.Checkpoint(
                name=f"{table}_checkpoint", validation_definitions=[vd], actions=actions,
                result_format={"result_format": "SUMMARY",
                               "unexpected_index_column_names": [ID_COLUMN[table]],
                               "partial_unexpected_count": 2 * SHOWN_IDS}))
            with _no_fingerprint():
                run = cp.run(batch_parameters={"dataframe": frames[table]})
            for vr in run.run_results.values():
                results.extend(_table_results(table, suites[table], vr, len(frames[table])))
    except (GreatExpectationsError, ValueError, TypeError, KeyError) as exc:
        raise ExpectationError(f"Great Expectations could not run: {exc}") from exc
    index = docs_dir / "index.html" if docs_dir is not None else None
    return results, index


@contextlib.contextmanager
def _no_fingerprint() -> Iterator[None]:
    """Skip GX's md5 fingerprint of the whole DataFrame while a checkpoint runs.

    GX hashes every row of a batch under 1 GB (``HASH_THRESHOLD``) only to store the hash
    as a batch marker, which nothing here reads; on 1M entity rows that is a third of the GX
    run. The constant is read at call time, so lowering it for the run (and restoring it)
    turns the hash off; a GX without it is left alone.
    """
    from great_expectations.execution_engine import pandas_execution_engine as engine

    old = getattr(engine, "HASH_THRESHOLD", None)
    if old is None:
        yield
        return
    engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = old


def _raised(info: Any) -> str | None:
    """The exception message GX caught while evaluating an expectation, if any."""
    if not isinstance(info, Mapping):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "exception")
    for v in info.values():  # 1.x nests the info by metric id
        msg = _raised(v)
        if msg:
            return msg
    return None


def _table_results(table: str, suite: Mapping[str, Any], vr: Any, n_rows: int
                   ) -> list[CheckResult]:
    """CheckResults in the suite's order (GX returns results out of order)."""
    by_check: dict[str, Any] = {}
    for res in vr.results:
        meta = res.expectation_config.meta or {}
        by_check[str(meta.get("check"))] = res
    id_col = ID_COLUMN[table]
    out = []
    for exp in suite["expectations"]:
        check, rule = exp["meta"]["check"], exp["meta"]["rule"]
        res = by_check.get(check)
        if res is None:
            out.append(CheckResult(table, check, rule, "expectation", False, n_rows,
                                   details=("GX returned no result for this expectation",)))
            continue
        r = res.result or {}
        raised = _raised(res.exception_info)
        ids = tuple(str(x.get(id_col)) for x in r.get("partial_unexpected_index_list") or ()
                    if isinstance(x, Mapping))
        values: tuple[str, ...] = ()
        column = exp["kwargs"].get("column")
        if column and column not in CHECK_COLUMNS[table]:
            values = tuple(dict.fromkeys(repr(_plain(v)) for v in
                                         r.get("partial_unexpected_list") or ()))
        out.append(CheckResult(
            table=table, check=check, rule=rule, kind="expectation",
            success=bool(res.success) and raised is None,
            evaluated=int(r.get("element_count", n_rows) or n_rows),
            unexpected=int(r.get("unexpected_count") or 0) if raised is None else n_rows,
            ids=ids, values=values,
            details=(f"could not be evaluated: {raised}",) if raised else (),
        ))
    return out


def _plain(v: Any) -> Any:
    """numpy scalars -> Python, so reprs read like the data (``3``, not ``np.int64(3)``)."""
    item = getattr(v, "item", None)
    return item() if callable(item) else v
