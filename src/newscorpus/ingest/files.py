"""Reading raw articles from files, folders and JSONL, and writing them into a corpus."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newscorpus._fs import write_atomic
from newscorpus.model.errors import IngestError, RecordError
from newscorpus.model.schema import iter_errors
from newscorpus.project import Project

__all__ = ["MAX_BYTES", "Candidate", "collect", "decode", "load_sources", "write"]

#: Larger files are refused: no news article is 50 MB, a dump or a binary is.
MAX_BYTES = 50 * 1024 * 1024

TEXT_SUFFIXES = {".txt", ".text", ""}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
META_FIELDS = ("title", "publisher", "url", "published_at", "retrieved_at", "license")

_HTML = re.compile(r"\A\s*(<!doctype\s+html|<html\b|<head\b|<body\b)", re.IGNORECASE)
_TAGS = re.compile(r"</?(p|div|span|a|br|script|style|article|section)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A raw article that passed every check and can be written."""

    data: bytes
    encoding: str
    text: str
    origin: str  # "path" or "path:line" for messages and the source record
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def id(self) -> str:
        return self.sha256[:16]


def decode(data: bytes, *, origin: str, encoding: str = "utf-8") -> str:
    """Decode raw bytes strictly; a bad byte is an error naming its offset.

    >>> decode(b"caf\\xc3\\xa9", origin="a.txt")
    'café'
    >>> decode(b"caf\\xe9", origin="a.txt")
    Traceback (most recent call last):
    ...
    newscorpus.model.errors.IngestError: a.txt [bytes]: not valid utf-8 at byte 3 (0xe9); \
if you know the file's encoding, ingest it with --encoding (e.g. --encoding cp1252)
    """
    try:
        info = codecs.lookup(encoding)
    except LookupError as exc:
        raise IngestError(f"unknown encoding {encoding!r}", path=origin,
                          field="encoding") from exc
    if not getattr(info, "_is_text_encoding", True):
        raise IngestError(f"{encoding!r} is not a text encoding", path=origin,
                          field="encoding")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        hint = ("if you know the file's encoding, ingest it with --encoding "
                "(e.g. --encoding cp1252)") if encoding.lower().replace("_", "-") in (
                    "utf-8", "utf8") else "the bytes do not fit that encoding either"
        raise IngestError(f"not valid {encoding} at byte {exc.start} (0x{bad}); {hint}",
                          path=origin, field="bytes") from exc
    if text.encode(encoding) != data:  # e.g. UTF-16's byte-order mark: not byte-exact
        raise IngestError(f"{encoding} does not give these bytes back exactly (a byte-order "
                          "mark or a non-canonical form): convert the file to UTF-8 first",
                          path=origin, field="encoding")
    return text


def _check_text(data: bytes, text: str, origin: str) -> None:
    if not data.strip() or not text.strip():
        raise IngestError("empty: no text to ingest", path=origin, field="bytes")
    if "\x00" in text:
        raise IngestError("holds NUL characters: a binary file, not an article",
                          path=origin, field="bytes")
    if _HTML.search(text) or len(_TAGS.findall(text[:20000])) >= 5:
        raise IngestError("looks like HTML: extract the article text first (ingest takes "
                          "plain text)", path=origin, field="bytes")


def _read_file(path: Path, encoding: str) -> bytes:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise IngestError(f"{size:,} bytes is over the {MAX_BYTES // 2**20} MB limit for one "
                          "article", path=str(path), field="bytes")
    return path.read_bytes()


def _from_text_file(path: Path, encoding: str, meta: Mapping[str, Any]) -> Candidate:
    data = _read_file(path, encoding)
    text = decode(data, origin=str(path), encoding=encoding)
    _check_text(data, text, str(path))
    return Candidate(data, encoding, text, str(path), dict(meta))


def _from_jsonl(path: Path, meta: Mapping[str, Any]) -> Iterator[Candidate]:
    data = _read_file(path, "utf-8")
    text = decode(data, origin=str(path))
    # JSON lines end at "\n" only: str.splitlines() would also cut at U+2028 or U+0085,
    # which JSON allows inside strings
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        origin = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise IngestError(f"not a JSON object: {exc}", path=str(path), record=n) from exc
        if not isinstance(obj, dict):
            raise IngestError("not a JSON object", path=str(path), record=n)
        body = obj.get("text")
        if not isinstance(body, str):
            raise IngestError("needs a string 'text'", path=str(path), record=n, field="text")
        unknown = set(obj) - {"text", *META_FIELDS}
        if unknown:
            raise IngestError(f"unknown keys {sorted(unknown)} (known: text, "
                              f"{', '.join(META_FIELDS)})", path=str(path), record=n)
        raw = body.encode("utf-8")
        _check_text(raw, body, origin)
        line_meta = {**meta, **{k: obj[k] for k in META_FIELDS if k in obj}}
        yield Candidate(raw, "utf-8", body, origin, line_meta)


def collect(paths: Iterable[Path], *, encoding: str = "utf-8",
            meta: Mapping[str, Any] | None = None) -> list[Candidate]:
    """Read and check every article under ``paths``; raise on the first bad one.

    Folders are walked in sorted order; a file that is neither text nor JSONL is an error
    (nothing is skipped silently).
    """
    meta = {k: v for k, v in (meta or {}).items() if v is not None}
    out: list[Candidate] = []
    for p in paths:
        if not p.exists():
            raise IngestError("no such file or folder", path=str(p))
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        if not p.is_dir() and p.suffix.lower() not in TEXT_SUFFIXES | JSONL_SUFFIXES:
            raise IngestError(f"{p.suffix} files are neither text (.txt) nor JSONL (.jsonl): "
                              "ingest plain-text articles, or convert to JSONL with a text "
                              "field", path=str(p))
        if p.is_dir():
            odd = [f for f in files if f.suffix.lower() not in TEXT_SUFFIXES | JSONL_SUFFIXES
                   and not f.name.startswith(".")]
            if odd:
                names = ", ".join(str(f) for f in odd[:5])
                raise IngestError(f"{len(odd)} file(s) are neither text (.txt) nor JSONL "
                                  f"(.jsonl): {names}; move them out or name files one by one",
                                  path=str(p))
            files = [f for f in files if not f.name.startswith(".")]
            if not files:
                raise IngestError("folder holds no articles", path=str(p))
        for f in files:
            if f.suffix.lower() in JSONL_SUFFIXES:
                out.extend(_from_jsonl(f, meta))
            else:
                out.append(_from_text_file(f, encoding, meta))
    return out


def load_sources(project: Project) -> list[dict[str, Any]]:
    """The source records of ``corpus/sources.jsonl`` (empty when there is none yet)."""
    path = project.sources
    if not path.exists():
        return []
    rows: list[dict[str, Any]] = []
    rel = project.rel(path)
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise RecordError(f"truncated or invalid JSON: {exc}", path=rel, record=n) from exc
        if not isinstance(obj, dict):
            raise RecordError("not a JSON object", path=rel, record=n)
        rows.append(obj)
    return rows


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return None


def _record(c: Candidate, now: str) -> dict[str, Any]:
    return {
        "id": c.id,
        "raw_path": f"raw/{c.id}.txt",
        "raw_sha256": c.sha256,
        "raw_bytes": len(c.data),
        "encoding": c.encoding,
        "original_name": Path(c.origin).name if ":" not in Path(c.origin).name else c.origin,
        "title": c.meta.get("title") or _first_line(c.text),
        "publisher": c.meta.get("publisher"),
        "url": c.meta.get("url"),
        "published_at": c.meta.get("published_at"),
        "retrieved_at": c.meta.get("retrieved_at"),
        "license": c.meta.get("license"),
        "ingested_at": now,
    }


def write(project: Project, candidates: list[Candidate], *, now: str | None = None
          ) -> list[dict[str, Any]]:
    """Add the candidates to the corpus; refuse the whole batch if any is already there.

    Raw files are written first, ``sources.jsonl`` last (atomically), so a crash leaves at
    most unreferenced raw files, never a source row without its bytes.
    """
    now = now or datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    existing = {r.get("id"): r for r in load_sources(project)}
    seen: dict[str, str] = {}
    for c in candidates:
        if c.id in existing:
            prev = existing[c.id].get("original_name")
            raise IngestError(f"already in the corpus as {c.id} (ingested from {prev}); "
                              "nothing written", path=c.origin)
        if c.id in seen:
            raise IngestError(f"same bytes as {seen[c.id]} in this batch (id {c.id}); "
                              "nothing written", path=c.origin)
        seen[c.id] = c.origin
    records = [_record(c, now) for c in candidates]
    v = project.validator("source")
    for c, rec in zip(candidates, records, strict=True):
        for err in iter_errors(rec, v, path=c.origin, record_id=c.id):
            raise IngestError(err.reason, path=c.origin, field=err.field)
    for c in candidates:
        write_atomic(project.raw_dir / f"{c.id}.txt", c.data)
    old = project.sources.read_bytes() if project.sources.exists() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    new = "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records)
    write_atomic(project.sources, old + new.encode("utf-8"))
    return records
