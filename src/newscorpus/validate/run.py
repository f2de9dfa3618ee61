"""The validation gate: JSON Schema per record, then the GX suites, in one report.

Three entry points share one core: ``validate_tables`` (DataFrames in, report out),
``validate_folder`` (a built dataset folder, streamed one shard of files at a time:
``newscorpus validate DIR``); the pipeline validates the corpus with the same
``validate_tables`` inside its build step. None of them prints or exits; the caller decides
what a failure means (``ValidationReport.raise_for_failures``).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from jsonschema import Draft202012Validator

from newscorpus.model.errors import ReleaseError, SchemaError
from newscorpus.model.labels import LabelScheme
from newscorpus.project import Project, find_project
from newscorpus.validate.expectations import build_suites, load_suites, run_suites
from newscorpus.validate.manifest import is_release, manifest_checks
from newscorpus.validate.report import CheckResult, ValidationReport, merge_checks, write_report
from newscorpus.validate.schemas import (
    ENUM_FIELDS,
    SCHEMA_OF_TABLE,
    check_frame,
    fill_enums,
)
from newscorpus.validate.tables import (
    card_rows_check,
    check_frames,
    edits_table,
    empty_table,
    folder_parts,
    parse_card,
    read_card,
    read_part,
    require_columns,
)

if TYPE_CHECKING:
    from newscorpus.engine import Executor

__all__ = [
    "DOCS_FOLDER",
    "check_folder_part",
    "corpus_docs_dir",
    "project_contracts",
    "project_suites",
    "release_docs_dir",
    "validate_folder",
    "validate_tables",
]

log = logging.getLogger(__name__)

#: Where the Data Docs report goes, inside the validated dataset folder (for a release,
#: which is immutable, inside ``build/validate/<release>/`` instead).
DOCS_FOLDER = "quality"

_RECORD_TABLES = ("documents", "entities", "claims")


def validate_tables(
    tables: Mapping[str, pd.DataFrame],
    scheme: LabelScheme,
    *,
    validators: Mapping[str, Draft202012Validator] | None = None,
    suites: Mapping[str, Mapping[str, Any]] | None = None,
    raw_texts: Mapping[str, str] | None = None,
    docs_dir: Path | None = None,
    origin: str = "tables",
    paths: Mapping[str, str] | None = None,
    contracts: tuple[CheckResult, ...] = (),
) -> ValidationReport:
    """Validate ``documents`` (required), ``entities``, ``claims`` (and ``edits``).

    Tables are pandas DataFrames with labels as names. ``edits`` defaults to the documents'
    edit logs, flattened. ``validators`` (table -> JSON Schema validator) turns on the record
    checks; ``suites`` defaults to ``build_suites(scheme)``; ``raw_texts`` (doc id -> raw
    text) makes the rebuild check compare with the raw corpus too; ``docs_dir`` receives the
    GX Data Docs site. ``paths`` names each table's file for messages.
    """
    if "documents" not in tables:
        raise SchemaError("no documents table", path=origin)
    paths = dict(paths or {})
    full: dict[str, pd.DataFrame] = {}
    for table in _RECORD_TABLES:
        df = tables.get(table)
        if df is None:
            df = empty_table(table)
        require_columns(table, df, path=paths.get(table, table))
        full[table] = df
    edits = tables.get("edits")
    if edits is None:
        edits = edits_table(full["documents"])
    else:
        require_columns("edits", edits, path=paths.get("edits", "edits"))
    full["edits"] = edits

    checks: list[CheckResult] = list(contracts)
    if validators is not None:
        for table in _RECORD_TABLES:
            if table in validators:
                checks.append(check_frame(table, full[table], validators[table],
                                          path=paths.get(table, table),
                                          schema_name=SCHEMA_OF_TABLE[table]))
    frames = check_frames(full, raw_texts=raw_texts)
    results, index = run_suites(frames, suites if suites is not None else build_suites(scheme),
                                docs_dir=docs_dir)
    checks.extend(results)
    rows = {t: len(full[t]) for t in ("documents", "edits", "entities", "claims")}
    log.info("validated %s: %d checks, %d failed", origin, len(checks),
             sum(not c.success for c in checks))
    return ValidationReport(origin=origin, checks=tuple(checks), rows=rows, docs_index=index)


def project_suites(project: Project, scheme: LabelScheme) -> dict[str, dict[str, Any]]:
    """The committed suites of ``validation/``, or (no such folder) those built from scheme."""
    if project.validation.is_dir():
        return load_suites(project.validation)
    log.info("no %s folder: using suites built from the label scheme", project.validation)
    return build_suites(scheme)


def project_contracts(project: Project, scheme: LabelScheme,
                      suites: Mapping[str, Mapping[str, Any]]) -> list[CheckResult]:
    """Do the committed schemas' enums and suites still follow the label scheme?

    A stale file (the scheme changed, ``scripts/gen_validation.py`` was not run) fails here,
    so labels can never drift apart between the contracts.
    """
    out = []
    for name in ENUM_FIELDS:
        schema = project.schema(name)
        ok = schema == fill_enums(name, schema, scheme)
        out.append(CheckResult(
            table="contracts", check=f"contracts.{name}_schema_enum",
            rule=f"schemas/{name}.schema.json enums equal the label scheme", kind="contract",
            success=ok, evaluated=1, unexpected=int(not ok),
            details=() if ok else ("regenerate with scripts/gen_validation.py",)))
    built = build_suites(scheme)
    stale = [t for t, s in built.items() if dict(suites.get(t, {})) != s]
    out.append(CheckResult(
        table="contracts", check="contracts.suites_current",
        rule="validation/ suites equal the suites built from the label scheme",
        kind="contract", success=not stale, evaluated=len(built), unexpected=len(stale),
        ids=tuple(stale),
        details=("regenerate with scripts/gen_validation.py",) if stale else ()))
    return out


def _validators(project: Project) -> dict[str, Draft202012Validator]:
    return {t: project.validator(SCHEMA_OF_TABLE[t]) for t in _RECORD_TABLES}


def release_docs_dir(path: Path, project: Project) -> Path:
    """Where the report on release ``path`` goes: ``build/validate/<name>/quality/``."""
    return project.root / "build" / "validate" / (path.resolve().name or "root") / DOCS_FOLDER


def corpus_docs_dir(project: Project) -> Path:
    """Where the report on the project's corpus goes: ``build/validate/corpus/quality/``."""
    return project.root / "build" / "validate" / "corpus" / DOCS_FOLDER


@dataclass(frozen=True, slots=True)
class FolderPart:
    """One group of aligned files of a dataset folder: ``data/<table>/<name>`` per table."""

    root: str  # the project root (schemas, scheme, suites)
    folder: str
    name: str

    def describe(self) -> str:
        return f"{self.folder}/data/*/{self.name}"


@dataclass
class PartResult:
    """What one group's check found (small: checks, row counts, id hashes)."""

    checks: list[CheckResult]
    rows: dict[str, dict[str, int]]
    ids: dict[str, np.ndarray[Any, np.dtype[np.uint64]]]
    totals: dict[str, int]


def _hashes(values: Any) -> np.ndarray[Any, np.dtype[np.uint64]]:
    out = [hashlib.blake2b(str(v).encode("utf-8"), digest_size=8).digest() for v in values
           if isinstance(v, str)]
    return np.frombuffer(b"".join(out), dtype="<u8").astype(np.uint64)


def check_folder_part(part: FolderPart) -> PartResult:
    """The step of ``validate_folder``: read one group of files, run every per-row check."""
    project = Project(Path(part.root))
    folder = Path(part.folder)
    scheme = project.label_scheme()
    schemas = {t: project.schema(SCHEMA_OF_TABLE[t]) for t in _RECORD_TABLES}
    tables: dict[str, pd.DataFrame] = {}
    contracts: list[CheckResult] = []
    rows: dict[str, dict[str, int]] = {}
    split = part.name.split("-", 1)[0]
    for table in _RECORD_TABLES:
        df, found, n = read_part(folder, table, part.name, scheme, schemas[table])
        tables[table] = df
        contracts += found
        if (folder / "data" / table / part.name).is_file():
            rows.setdefault(table, {})[split] = n
    report = validate_tables(
        tables, scheme, validators=_validators(project),
        suites=project_suites(project, scheme), origin=part.describe(),
        paths={t: f"data/{t}/{part.name}" for t in _RECORD_TABLES})
    ids = {t: _hashes(tables[t]["id"].tolist()) for t in _RECORD_TABLES}
    return PartResult([*contracts, *report.checks], rows, ids, dict(report.rows))


def _repeats(chunks: list[np.ndarray[Any, Any]]) -> int:
    if not chunks:
        return 0
    allv = np.sort(np.concatenate(chunks))
    return int(np.unique(allv[1:][allv[1:] == allv[:-1]]).size)


def validate_folder(path: Path, project: Project | None = None, *,
                    docs_dir: Path | None = None, origin: str | None = None,
                    write_docs: bool = True, executor: Executor[Any, Any] | None = None
                    ) -> ValidationReport:
    """Validate a built dataset folder (README.md + data/<table>/<split>-*.parquet).

    Streams: the files of one shard (the same name in every table) are read and checked
    together, on ``executor``'s workers, and only their results are kept; uniqueness across
    shards is checked on 8-byte id hashes. The report goes to ``path/quality/`` unless
    ``docs_dir`` says otherwise; a release (a folder with ``manifest.json``, or CITATION.cff
    / croissant.json / CHANGES.md) is immutable and never written to: its report goes to
    ``<project>/build/validate/<folder name>/quality/`` (``release_docs_dir``), and its
    manifest's checksums and row counts are checked too. Raises ``SchemaError`` when a
    file cannot be read or has wrong columns, or the folder has no documents table.
    """
    from newscorpus.engine import LocalExecutor

    project = project if project is not None else find_project()
    release = is_release(path)
    if write_docs:
        if docs_dir is None and release:
            docs_dir = release_docs_dir(path, project)
            shutil.rmtree(docs_dir, ignore_errors=True)  # ours alone: no stale runs in it
        elif docs_dir is None:
            docs_dir = path / DOCS_FOLDER
        elif release and docs_dir.resolve().is_relative_to(path.resolve()):
            raise ReleaseError(f"{docs_dir} is inside the release {path}, which is immutable: "
                               "its report is never written there")
    scheme = project.label_scheme()
    card, card_found = read_card(path, scheme)
    suites = project_suites(project, scheme)
    merged: dict[str, CheckResult] = {}
    rows: dict[str, dict[str, int]] = {}
    ids: dict[str, list[np.ndarray[Any, Any]]] = {}
    totals: dict[str, int] = {}
    parts = [FolderPart(str(project.root), str(path), n) for n in folder_parts(path)]
    ex = executor if executor is not None else LocalExecutor()
    try:
        for r in ex.map(check_folder_part, parts, FolderPart.describe):
            merged = merge_checks(merged, r.checks)
            for t, splits in r.rows.items():
                for s, n in splits.items():
                    rows.setdefault(t, {})[s] = rows.get(t, {}).get(s, 0) + n
            for t, h in r.ids.items():
                ids.setdefault(t, []).append(h)
            for t, n in r.totals.items():
                totals[t] = totals.get(t, 0) + n
    finally:
        if executor is None:
            ex.close()
    for table in _RECORD_TABLES:
        key = f"{table}.id_unique"
        n = _repeats(ids.get(table, []))
        c = merged.get(key)
        if n and c is not None and c.success:
            merged[key] = CheckResult(c.table, c.check, c.rule, c.kind, False, c.evaluated, n,
                                      details=(f"{n} id(s) repeat across files",))
    contracts = [*project_contracts(project, scheme, suites), *card_found,
                 card_rows_check(parse_card(card, path=str(path / "README.md"))[0], rows,
                                 path, path=str(path / "README.md")),
                 *manifest_checks(path, rows)]
    report = ValidationReport(origin=origin or str(path),
                              checks=(*contracts, *merged.values()), rows=totals)
    if write_docs and docs_dir is not None:
        report = write_report(report, docs_dir)
    return report
