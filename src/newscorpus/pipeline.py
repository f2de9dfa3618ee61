"""The main job, end to end: corpus (+ annotations) -> validated dataset folder.

This is the one place that strings the stages together; each stage stays unaware of the
others and they meet at the records of ``newscorpus.model``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from newscorpus.annotate import load_annotations
from newscorpus.ingest import decode, load_sources
from newscorpus.model.errors import RecordError
from newscorpus.model.records import Document, Source
from newscorpus.model.schema import iter_errors
from newscorpus.model.splits import split_for
from newscorpus.normalize import NORMALIZER_VERSION, invert, normalize
from newscorpus.project import Project
from newscorpus.release import BuildInfo, features, write_dataset
from newscorpus.release.agreement import pairwise_f1
from newscorpus.validate import validate_folder
from newscorpus.validate.report import write_summary
from newscorpus.validate.run import DOCS_FOLDER

__all__ = ["DEFAULT_OUT", "build", "iter_documents", "release"]

DEFAULT_OUT = Path("build/dataset")
DATASET_NAME = "newscorpus"


def iter_documents(project: Project) -> Iterator[Document]:
    """Every corpus article, normalised, in ``sources.jsonl`` order (streamed)."""
    src_path = project.rel(project.sources)
    seen: set[str] = set()
    for n, rec in enumerate(load_sources(project), start=1):
        doc_id = rec.get("id")
        if not isinstance(doc_id, str):
            raise RecordError("missing id", path=src_path, record=n, field="id")
        if doc_id in seen:
            raise RecordError(f"duplicate id {doc_id}", path=src_path, record=n, field="id")
        seen.add(doc_id)
        raw_file = project.corpus / str(rec.get("raw_path", f"raw/{doc_id}.txt"))
        try:
            data = raw_file.read_bytes()
        except OSError as exc:
            raise RecordError(f"raw file unreadable: {exc.strerror}", path=src_path,
                              record=doc_id, field="raw_path") from exc
        sha = hashlib.sha256(data).hexdigest()
        if sha != rec.get("raw_sha256"):
            raise RecordError(f"{project.rel(raw_file)} has sha256 {sha[:12]}..., the record "
                              "says otherwise: the raw file changed", path=src_path,
                              record=doc_id, field="raw_sha256")
        encoding = str(rec.get("encoding") or "utf-8")
        raw = decode(data, origin=project.rel(raw_file), encoding=encoding)
        out = normalize(raw)
        if invert(out.text, out.edits) != raw:  # the log is the contract: never ship a bad one
            raise RecordError("edit log does not rebuild the raw text (normaliser bug)",
                              path=src_path, record=doc_id, field="edits")
        yield Document(
            id=doc_id,
            source=Source(rec.get("publisher"), rec.get("url"), rec.get("published_at"),
                          rec.get("retrieved_at"), rec.get("license")),
            title=rec.get("title"),
            text=out.text,
            raw_sha256=sha,
            normalizer_version=NORMALIZER_VERSION,
            edits=out.edits,
            split=split_for(doc_id),
            encoding=encoding,
            truncated=out.truncated,
            marks=out.marks,
        )


def _refuse_orphan_annotations(project: Project, ids: set[str]) -> None:
    """Annotation files must belong to a corpus document: never drop one without a word."""
    folder = project.annotations / "labelstudio"
    orphans = sorted(p for p in folder.glob("*.json") if p.stem not in ids)
    if orphans:
        names = ", ".join(project.rel(p) for p in orphans[:5])
        raise RecordError(f"{len(orphans)} annotation file(s) belong to no corpus document: "
                          f"{names} (ingest the article, or remove the file)",
                          path=project.rel(folder))


def _annotator_notes(project: Project) -> dict[str, str]:
    """``annotations/annotators.json``: who each neutral annotator id is, for the card."""
    path = project.annotations / "annotators.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordError(f"unreadable: {exc}", path=project.rel(path)) from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise RecordError("must map annotator ids to one-line descriptions",
                          path=project.rel(path))
    return {str(k): v for k, v in data.items()}


def build(project: Project, out: Path | None = None, *, version: str = "0.0.0-dev",
          date: str | None = None, progress: Callable[[int], None] | None = None
          ) -> BuildInfo:
    """Build the dataset folder (default ``build/dataset``); returns what it wrote.

    ``progress`` is called with the number of documents done so far (for a progress bar).
    """
    out = out if out is not None else project.root / DEFAULT_OUT
    scheme = project.label_scheme()
    info = BuildInfo(name=DATASET_NAME, version=version, normalizer_version=NORMALIZER_VERSION,
                     scheme=scheme, features=features(scheme), date=date)
    doc_validator = project.validator("document")
    src_path = project.rel(project.sources)
    info.annotator_notes = _annotator_notes(project)

    def rows() -> Iterator[tuple[str, str, dict[str, Any]]]:
        ids: set[str] = set()
        for done, doc in enumerate(iter_documents(project), start=1):
            ids.add(doc.id)
            row = doc.to_dict()
            for err in iter_errors(row, doc_validator, path=src_path, record_id=doc.id):
                raise err
            yield "documents", doc.split, row
            if progress is not None:
                progress(done)
            entities, claims = load_annotations(project, [doc], scheme=scheme)
            yield from (("entities", doc.split, e.to_dict()) for e in entities)
            yield from (("claims", doc.split, c.to_dict()) for c in claims)
        _refuse_orphan_annotations(project, ids)

    def tallied(rows: Iterator[tuple[str, str, dict[str, Any]]]
                ) -> Iterator[tuple[str, str, dict[str, Any]]]:
        human: dict[str, list[dict[str, Any]]] = {"entities": [], "claims": []}
        for table, split, row in rows:
            info.tally(table, row)
            if table in human and row.get("origin") == "human":
                human[table].append({k: row[k] for k in ("doc_id", "annotator", "origin",
                                                         "start", "end")}
                                    | {"label": row.get("label", row.get("claim_type"))})
            yield table, split, row
        info.agreement = {t: pairwise_f1(r, "label") for t, r in human.items()}

    def gate(tmp: Path) -> None:
        """A folder whose data fails JSON Schema or the GX suites is never published."""
        report = validate_folder(tmp, project, origin=project.rel(out))
        write_summary(report, tmp / DOCS_FOLDER)
        report.raise_for_failures()

    write_dataset(out, info, tallied(rows()), before_publish=gate)
    return info


def release(project: Project, version: str, *, allow_dirty: bool = False,
            date: str | None = None) -> Path:
    """Build, validate and publish ``releases/<version>/`` immutably; update CITATION.cff.

    Refuses an existing or smaller version and (unless ``allow_dirty``) a working tree with
    uncommitted changes. Everything is assembled in a hidden staging folder and renamed into
    place last: a failure at any step leaves no release folder.
    """
    import shutil
    import tempfile
    from datetime import UTC, datetime

    from newscorpus._fs import write_atomic
    from newscorpus.model.errors import ReleaseError
    from newscorpus.release import citation
    from newscorpus.release.publish import check_version, finalize, git_state

    releases = project.releases
    check_version(releases, version)
    commit, dirty = git_state(project.root)
    if dirty and not allow_dirty:
        raise ReleaseError("the working tree has uncommitted changes (or is not a git "
                           "repository): commit first, or pass --allow-dirty to record it")
    date = date or datetime.now(UTC).date().isoformat()
    releases.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=releases, prefix=f".{version}.staging-"))
    try:
        folder = staging / version
        info = build(project, folder, version=version, date=date)
        finalize(folder, info, releases=releases, version=version, date=date,
                 git_commit=commit, git_dirty=dirty)
        target = releases / version
        check_version(releases, version)  # nobody published it meanwhile
        folder.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_atomic(project.root / "CITATION.cff", citation.render(version=version, date=date))
    return target
