"""Reading raw articles from files, folders and JSONL, one article at a time.

Nothing here writes: ``scan`` yields checked ``Candidate`` articles and ``store`` puts them
into the corpus. Only one article's bytes are held at a time, so the store can read a batch
twice (check it whole, then write it) with flat memory.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscorpus.model.errors import IngestError

__all__ = ["MAX_BYTES", "Candidate", "collect", "decode", "scan"]

#: Larger files are refused: no news article is 50 MB, a dump or a binary is.
MAX_BYTES = 50 * 1024 * 1024
#: A JSONL line may be longer than its article (escapes such as ``\u00e9``, metadata), but a
#: line this long cannot hold an article within ``MAX_BYTES``: refused before it is read whole.
MAX_LINE = 6 * MAX_BYTES + 2**20

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


def _too_big(size: int, *, path: str, record: int | None = None) -> IngestError:
    return IngestError(f"{size:,} bytes is over the {MAX_BYTES // 2**20} MB limit for one "
                       "article", path=path, record=record, field="bytes")


def _read_file(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise _too_big(size, path=str(path))
    data = path.read_bytes()
    if len(data) > MAX_BYTES:  # grew since the stat
        raise _too_big(len(data), path=str(path))
    return data


def _from_text_file(path: Path, encoding: str, meta: Mapping[str, Any]) -> Candidate:
    data = _read_file(path)
    text = decode(data, origin=str(path), encoding=encoding)
    _check_text(data, text, str(path))
    return Candidate(data, encoding, text, str(path), dict(meta))


def _jsonl_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` of a JSONL file, read one line at a time.

    Lines end at ``\\n`` only (a binary read does not cut at U+2028 or U+0085, which JSON
    allows inside strings). A line longer than ``MAX_LINE`` is refused before it is read whole.
    """
    with path.open("rb") as fh:
        n = 0
        while True:
            line = fh.readline(MAX_LINE + 1)
            if not line:
                return
            n += 1
            if len(line) > MAX_LINE:
                raise IngestError(f"line is over {MAX_LINE // 2**20} MB: no article of at most "
                                  f"{MAX_BYTES // 2**20} MB is that long", path=str(path),
                                  record=n, field="bytes")
            yield n, line


def _from_jsonl(path: Path, meta: Mapping[str, Any]) -> Iterator[Candidate]:
    """One candidate per line; the 50 MB limit holds per article, not for the file."""
    for n, line in _jsonl_lines(path):
        if not line.strip():
            continue
        origin = f"{path}:{n}"
        try:
            obj = json.loads(decode(line, origin=origin))
        except ValueError as exc:
            if isinstance(exc, IngestError):
                raise
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
        try:
            raw = body.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate escaped as \udXXX
            raise IngestError(f"text holds a lone surrogate at {exc.start}: not Unicode text",
                              path=str(path), record=n, field="text") from exc
        if len(raw) > MAX_BYTES:
            raise _too_big(len(raw), path=str(path), record=n)
        _check_text(raw, body, origin)
        line_meta = {**meta, **{k: obj[k] for k in META_FIELDS if k in obj}}
        yield Candidate(raw, "utf-8", body, origin, line_meta)


def _is_article(name: str) -> bool:
    return Path(name).suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` in sorted path order, one folder's names in memory at a time.

    Same order as ``sorted(folder.rglob("*"))`` without holding every path of a folder of a
    million files; symlinked folders are not followed (no cycles).
    """
    with os.scandir(folder) as it:
        entries = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in it)
    for name, is_dir in entries:
        if is_dir:
            yield from _walk(folder / name)
        else:
            path = folder / name
            if path.is_file():
                yield path


def _check_folder(folder: Path) -> None:
    """Refuse a folder holding other files than articles, or none, before reading any."""
    odd: list[Path] = []
    n_odd = n_articles = 0
    for f in _walk(folder):
        if f.name.startswith("."):
            continue
        if _is_article(f.name):
            n_articles += 1
        else:
            n_odd += 1
            if len(odd) < 5:
                odd.append(f)
    if n_odd:
        names = ", ".join(str(f) for f in odd)
        raise IngestError(f"{n_odd} file(s) are neither text (.txt) nor JSONL (.jsonl): "
                          f"{names}; move them out or name files one by one", path=str(folder))
    if not n_articles:
        raise IngestError("folder holds no articles", path=str(folder))


def scan(paths: Iterable[Path], *, encoding: str = "utf-8",
         meta: Mapping[str, Any] | None = None) -> Iterator[Candidate]:
    """Read and check every article under ``paths``, one at a time; raise on the first bad one.

    Only one article's bytes are in memory at a time, so a folder of a million files or a
    JSONL file of gigabytes streams. Folders are walked in sorted order; a file that is
    neither text nor JSONL is an error (nothing is skipped silently). Calling it again reads
    the inputs again (the store's second pass).
    """
    meta = {k: v for k, v in (meta or {}).items() if v is not None}
    paths = list(paths)
    for p in paths:
        if not p.exists():
            raise IngestError("no such file or folder", path=str(p))
        if p.is_dir():
            _check_folder(p)
        elif not _is_article(p.name):
            raise IngestError(f"{p.suffix} files are neither text (.txt) nor JSONL (.jsonl): "
                              "ingest plain-text articles, or convert to JSONL with a text "
                              "field", path=str(p))
    for p in paths:
        files = _walk(p) if p.is_dir() else iter([p])
        for f in files:
            if p.is_dir() and f.name.startswith("."):
                continue
            if f.suffix.lower() in JSONL_SUFFIXES:
                yield from _from_jsonl(f, meta)
            else:
                yield _from_text_file(f, encoding, meta)


def collect(paths: Iterable[Path], *, encoding: str = "utf-8",
            meta: Mapping[str, Any] | None = None) -> list[Candidate]:
    """Every article under ``paths`` as a list: for small batches (``scan`` streams)."""
    return list(scan(paths, encoding=encoding, meta=meta))


