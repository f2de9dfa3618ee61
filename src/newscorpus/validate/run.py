"""The validation gate: JSON Schema per record, then the GX suites, in one report.

Three entry points share one core: ``validate_tables`` (DataFrames in, report out),
``validate_folder`` (a built dataset folder: what ``newscorpus build`` checks before it
publishes, and ``newscorpus validate DIR``) and ``validate_corpus`` (the project's corpus and
annotations, built in memory: ``newscorpus validate``). None of them prints or exits; the
caller decides what a failure means (``ValidationReport.raise_for_failures``).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from jsonschema import Draft202012Validator

from newscorpus.model.errors import RecordError, ReleaseError, SchemaError
from newscorpus.model.labels import LabelScheme
from newscorpus.model.records import Document
from newscorpus.project import Project, find_project
from newscorpus.validate.expectations import build_suites, load_suites, run_suites
from newscorpus.validate.manifest import is_release, manifest_checks
from newscorpus.validate.report import CheckResult, ValidationReport
from newscorpus.validate.schemas import (
    ENUM_FIELDS,
    SCHEMA_OF_TABLE,
    check_frame,
    check_table,
    fill_enums,
)
from newscorpus.validate.tables import (
    check_frames,
    edits_table,
    empty_table,
    read_folder,
    require_columns,
)

__all__ = [
    "DOCS_FOLDER",
    "project_contracts",
    "project_suites",
    "release_docs_dir",
    "validate_corpus",
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


def validate_folder(path: Path, project: Project | None = None, *,
                    docs_dir: Path | None = None, origin: str | None = None,
                    write_docs: bool = True) -> ValidationReport:
    """Validate a built dataset folder (README.md + data/<table>/<split>-*.parquet).

    The Data Docs site goes to ``path/quality/`` unless ``docs_dir`` says otherwise; a
    release (a folder with ``manifest.json``, or CITATION.cff / croissant.json /
    CHANGES.md) is immutable and never written to: its report goes to
    ``<project>/build/validate/<folder name>/quality/`` (``release_docs_dir``), and its
    manifest's checksums and row counts are checked too. Raises ``SchemaError`` when a
    file cannot be read or has wrong columns, or the folder has no documents table.
    """
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
    schemas = {t: project.schema(SCHEMA_OF_TABLE[t]) for t in _RECORD_TABLES}
    found = read_folder(path, scheme, schemas)
    suites = project_suites(project, scheme)
    contracts = (*project_contracts(project, scheme, suites), *found.contracts,
                 *manifest_checks(path, found.rows))
    return validate_tables(
        found.tables, scheme, validators=_validators(project), suites=suites,
        docs_dir=docs_dir if write_docs else None,
        origin=origin or str(path), paths={t: f"data/{t}" for t in _RECORD_TABLES},
        contracts=contracts)


def validate_corpus(project: Project, *, docs_dir: Path | None = None,
                    write_docs: bool = True) -> ValidationReport:
    """Validate the project's corpus (and annotations, once there are any), built in memory.

    Source records are checked against ``source.schema.json``, every document is normalised
    as ``newscorpus build`` would, and the raw text of ``corpus/raw`` is what the edit logs
    must rebuild. The Data Docs site goes to ``build/validate/corpus/quality/`` by default
    (``corpus_docs_dir``): not into ``build/dataset/``, which ``newscorpus build`` replaces
    only when it wrote it.
    """
    from newscorpus.ingest import decode, load_sources
    from newscorpus.pipeline import iter_documents

    scheme = project.label_scheme()
    sources = load_sources(project)
    src_path = project.rel(project.sources)
    checks = [check_table("sources", sources, project.validator("source"), path=src_path,
                          schema_name="source")]
    documents = list(iter_documents(project))
    rows = [doc.to_dict() for doc in documents]
    raw_texts: dict[str, str] = {}
    for rec in sources:
        doc_id, raw_path = rec.get("id"), rec.get("raw_path")
        if isinstance(doc_id, str) and isinstance(raw_path, str):
            f = project.corpus / raw_path
            try:
                raw_texts[doc_id] = decode(f.read_bytes(), origin=project.rel(f),
                                           encoding=str(rec.get("encoding") or "utf-8"))
            except OSError as exc:
                raise RecordError(f"raw file unreadable: {exc.strerror}", path=src_path,
                                  record=doc_id, field="raw_path") from exc
    tables: dict[str, pd.DataFrame] = {
        "documents": pd.DataFrame(rows) if rows else empty_table("documents")}
    paths = {"documents": src_path}
    annotations = _annotations(project, documents, scheme)
    for table, (df, where) in annotations.items():
        tables[table], paths[table] = df, where
    suites = project_suites(project, scheme)
    report = validate_tables(
        tables, scheme, validators=_validators(project), suites=suites, raw_texts=raw_texts,
        docs_dir=(docs_dir or corpus_docs_dir(project))
        if write_docs else None,
        origin="corpus", paths=paths,
        contracts=tuple(project_contracts(project, scheme, suites)))
    return ValidationReport(report.origin, (*checks, *report.checks),
                            {"sources": len(sources), **report.rows}, report.docs_index)


def _annotations(project: Project, documents: list[Document], scheme: LabelScheme
                 ) -> dict[str, tuple[pd.DataFrame, str]]:
    """Entities and claims of the committed annotations (``newscorpus.annotate``'s loader).

    Without the annotate stage (or its loader) the corpus has no annotation tables, which
    validate as empty.
    """
    try:
        from newscorpus.annotate import load_annotations
    except ImportError:
        log.info("newscorpus.annotate has no load_annotations: no annotation tables")
        return {}
    entities, claims = load_annotations(project, documents, scheme=scheme)
    where = project.rel(project.annotations)
    out: dict[str, tuple[pd.DataFrame, str]] = {}
    for table, records in (("entities", entities), ("claims", claims)):
        rows = [r.to_dict() for r in records]
        out[table] = (pd.DataFrame(rows) if rows else empty_table(table), where)
    return out
