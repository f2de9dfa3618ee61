"""The tables to validate, and the check columns that carry cross-table rules into GX.

Why check columns: GX has no expectation for "this span's text equals a slice of another
table's text". Computing such a rule with pandas as a boolean column (``<NA>`` where it does
not apply) and expecting the column to be ``True`` keeps every rule in one GX report, with
the failing record ids, instead of a second, hand-made report beside it.

Readers: ``read_folder`` reads a built dataset folder (README.md + data/<table>/*.parquet),
refusing a file whose columns differ from the record's JSON Schema and decoding ClassLabel
integers back to names, and checks the card's declared configs and row counts against the
files (a folder without a documents table is refused); ``corpus_tables`` builds the same
tables from the project.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from newscorpus.model.errors import RecordError, SchemaError
from newscorpus.model.labels import LabelScheme
from newscorpus.model.records import Edit
from newscorpus.model.splits import split_for
from newscorpus.normalize import invert
from newscorpus.validate.report import CheckResult

__all__ = [
    "EDIT_COLUMNS",
    "LABEL_COLUMNS",
    "REQUIRED_COLUMNS",
    "card_checks",
    "card_rows_check",
    "check_frames",
    "edits_table",
    "empty_table",
    "folder_parts",
    "parse_card",
    "read_card",
    "read_part",
    "require_columns",
]

#: Columns a caller's table must have (``validate_tables``); the rest is optional.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("id", "text", "raw_sha256", "edits", "split", "normalizer_version"),
    "edits": ("doc_id", "raw_start", "raw_end", "start", "end", "before", "after", "rule"),
    "entities": ("doc_id", "id", "start", "end", "text", "label", "annotator", "origin"),
    "claims": ("doc_id", "id", "start", "end", "text", "claim_type", "checkworthy",
               "speaker_entity_id", "cue", "annotator", "origin"),
}

#: ClassLabel columns: table -> (column, LabelScheme attribute with the names).
LABEL_COLUMNS: dict[str, tuple[str, str]] = {
    "entities": ("label", "entity_names"),
    "claims": ("claim_type", "claim_type_names"),
}

EDIT_COLUMNS = ("doc_id", "edit_id", "raw_start", "raw_end", "start", "end", "before", "after",
                "rule", "confidence")


def require_columns(table: str, df: pd.DataFrame, *, path: str) -> None:
    """Refuse a table that lacks a column its rules need (named in the error)."""
    missing = [c for c in REQUIRED_COLUMNS.get(table, ()) if c not in df.columns]
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(map(repr, missing))}", path=path,
                          field=missing[0])


def empty_table(table: str) -> pd.DataFrame:
    """A table with its required columns and no rows (no annotations yet)."""
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in REQUIRED_COLUMNS[table]})


def edits_table(documents: pd.DataFrame) -> pd.DataFrame:
    """The documents' edit logs as one row per edit (``edit_id`` = ``<doc_id>#<n>``)."""
    rows: list[tuple[Any, ...]] = []
    for doc_id, edits in zip(documents["id"].tolist(), documents["edits"].tolist(), strict=True):
        for n, e in enumerate(_seq(edits)):
            g = e.get if isinstance(e, Mapping) else (lambda k: None)
            rows.append((doc_id, f"{doc_id}#{n}", g("raw_start"), g("raw_end"), g("start"),
                         g("end"), g("before"), g("after"), g("rule"), g("confidence")))
    return pd.DataFrame(rows, columns=list(EDIT_COLUMNS)) if rows else pd.DataFrame(
        {c: pd.Series([], dtype=object) for c in EDIT_COLUMNS})


def _seq(x: Any) -> Sequence[Any]:
    """A list cell as a sequence (pandas gives numpy arrays from Parquet, lists from dicts)."""
    if x is None or (isinstance(x, float) and x != x):
        return ()
    if isinstance(x, np.ndarray):
        return list(x)
    return x if isinstance(x, Sequence) and not isinstance(x, str) else ()


class _Docs:
    """Document texts addressed by position, so 1M spans never copy a document's text."""

    def __init__(self, documents: pd.DataFrame) -> None:
        docs = documents.dropna(subset=["id"]).drop_duplicates(subset=["id"], keep="first")
        self.index = pd.Index(docs["id"].to_numpy(dtype=object))
        self.texts: list[Any] = docs["text"].tolist()
        self.lengths = np.array([len(t) if isinstance(t, str) else -1 for t in self.texts]
                                + [-1], dtype=np.int64)  # the last slot answers code -1

    def codes(self, doc_ids: pd.Series) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Position of each row's document (-1: no such document)."""
        if not len(doc_ids):
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self.index.get_indexer(doc_ids.to_numpy(dtype=object)),
                          dtype=np.int64)


def _floats(s: pd.Series) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A column as float64 (NaN where missing or not a number): exact for offsets < 2**53."""
    return np.asarray(pd.to_numeric(s, errors="coerce"), dtype=np.float64)


def _boolean(values: np.ndarray[Any, Any], na: np.ndarray[Any, Any]) -> pd.Series:
    """A nullable boolean column: ``values``, with ``<NA>`` where ``na``."""
    arr = pd.array(values.astype(bool), dtype="boolean")
    arr[na] = pd.NA
    return pd.Series(arr)


def _exists(doc_ids: pd.Series, codes: np.ndarray[Any, Any]) -> pd.Series:
    return _boolean(codes >= 0, doc_ids.isna().to_numpy())


def _slices(docs: _Docs, codes: np.ndarray[Any, Any], starts: pd.Series, ends: pd.Series,
            texts: pd.Series, *, strict: bool) -> tuple[pd.Series, pd.Series]:
    """(within_document, text_equals_slice) per row; ``<NA>`` where they do not apply.

    Bounds are vectorised; only the slice comparison loops in Python, over the rows whose
    bounds hold, reading each document's text by position (no per-row copy of it).
    """
    s, e = _floats(starts), _floats(ends)
    have = (codes >= 0) & ~np.isnan(s) & ~np.isnan(e)
    lens = docs.lengths[codes]
    with np.errstate(invalid="ignore"):
        whole = (s == np.floor(s)) & (e == np.floor(e))
        ok = have & whole & (s >= 0) & (e <= lens) & ((s < e) if strict else (s <= e))
    rows = np.flatnonzero(ok)
    equal = np.zeros(len(codes), dtype=bool)
    if len(rows):
        xs = texts.to_numpy(dtype=object)[rows].tolist()
        dt = docs.texts
        equal[rows] = [dt[c][a:b] == x for c, a, b, x in zip(
            codes[rows].tolist(), s[rows].astype(np.int64).tolist(),
            e[rows].astype(np.int64).tolist(), xs, strict=True)]
    return _boolean(ok, ~have), _boolean(equal, ~ok)


def _rebuilds_raw(documents: pd.DataFrame, raw_texts: Mapping[str, str] | None
                  ) -> pd.Series:
    """Does invert(text, edits) give a text whose sha256 is raw_sha256 (and the corpus raw)?"""
    encodings = (documents["encoding"].tolist() if "encoding" in documents.columns
                 else ["utf-8"] * len(documents))
    out: list[bool | None] = []
    for doc_id, text, edits, sha, enc in zip(
            documents["id"].tolist(), documents["text"].tolist(), documents["edits"].tolist(),
            documents["raw_sha256"].tolist(), encodings, strict=True):
        if not isinstance(text, str) or not isinstance(sha, str):
            out.append(None)  # null text / sha: the not-null expectations say so
            continue
        try:
            log = [Edit.from_dict(dict(e)) for e in _seq(edits)]
            raw = invert(text, log)
            ok = hashlib.sha256(raw.encode(enc or "utf-8", "surrogateescape")).hexdigest() == sha
        except (ValueError, TypeError, KeyError, LookupError, IndexError):
            ok = False
        if ok and raw_texts is not None and doc_id in raw_texts:
            ok = raw_texts[doc_id] == raw
        out.append(ok)
    return pd.Series(pd.array(out, dtype="boolean"))


def _split_matches(documents: pd.DataFrame) -> pd.Series:
    """Is each document in the split its id hashes to? ``<NA>`` where id or split is null."""
    out: list[bool | None] = [
        None if not isinstance(i, str) or not isinstance(s, str) else split_for(i) == s
        for i, s in zip(documents["id"].tolist(), documents["split"].tolist(), strict=True)]
    return pd.Series(pd.array(out, dtype="boolean"))


def check_frames(tables: Mapping[str, pd.DataFrame], *,
                 raw_texts: Mapping[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """The frames GX validates: the tables' columns plus the check columns of each table.

    ``tables`` holds ``documents``, ``edits``, ``entities`` and ``claims`` with the
    ``REQUIRED_COLUMNS``; labels are names (strings). ``raw_texts`` (document id -> raw
    text) adds "equals the corpus raw text" to the rebuild check.
    """
    documents = tables["documents"].reset_index(drop=True)
    docs = _Docs(documents)
    frames: dict[str, pd.DataFrame] = {}

    frame = documents[["id", "text", "raw_sha256", "split", "normalizer_version"]]
    frames["documents"] = frame.assign(edits_rebuild_raw=_rebuilds_raw(documents, raw_texts),
                                       split_matches_id=_split_matches(documents))

    edits = tables["edits"].reset_index(drop=True)
    if "edit_id" not in edits.columns:
        edits = edits.assign(edit_id=[f"{d}#{n}" for n, d in enumerate(edits["doc_id"])])
    codes = docs.codes(edits["doc_id"])
    within, equal = _slices(docs, codes, edits["start"], edits["end"], edits["after"],
                            strict=False)
    keep = [c for c in EDIT_COLUMNS if c in edits.columns and c not in ("before", "after")]
    frames["edits"] = edits[keep].assign(
        doc_exists=_exists(edits["doc_id"], codes), within_document=within,
        after_equals_slice=equal)

    for table in ("entities", "claims"):
        spans = tables[table].reset_index(drop=True)
        codes = docs.codes(spans["doc_id"])
        within, equal = _slices(docs, codes, spans["start"], spans["end"], spans["text"],
                                strict=True)
        checks = {"doc_exists": _exists(spans["doc_id"], codes), "within_document": within,
                  "text_equals_slice": equal}
        if table == "claims":
            checks["speaker_in_document"] = _speakers(spans, tables["entities"])
            checks["cue_equals_slice"] = _cues(spans, docs, codes)
        frames[table] = spans[[c for c in REQUIRED_COLUMNS[table] if c != "cue"]].assign(
            **checks)
    return frames


def _speakers(claims: pd.DataFrame, entities: pd.DataFrame) -> pd.Series:
    """True when (doc_id, speaker_entity_id) is an entity; ``<NA>`` when there is no speaker."""
    speaker = claims["speaker_entity_id"]
    none = speaker.isna().to_numpy()
    if not len(claims):
        return _boolean(np.zeros(0, dtype=bool), none)
    named = entities[entities["id"].isin(speaker.dropna().unique())]
    keys = set(zip(named["doc_id"].tolist(), named["id"].tolist(), strict=True))
    found = np.array([(d, s) in keys for d, s in zip(claims["doc_id"].tolist(),
                                                     speaker.tolist(), strict=True)],
                     dtype=bool)
    return _boolean(found, none)


def _whole(v: Any) -> int | None:
    """An offset as ``int`` (whole floats too, as JSON Schema's integer allows), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return int(v)
    return None


def _cues(claims: pd.DataFrame, docs: _Docs, codes: np.ndarray[Any, Any]) -> pd.Series:
    """True when the cue lies in the document and its text equals the slice; ``<NA>``: none."""
    out = np.zeros(len(claims), dtype=bool)
    na = np.ones(len(claims), dtype=bool)
    for i, (cue, c) in enumerate(zip(claims["cue"].tolist(), codes.tolist(), strict=True)):
        if not isinstance(cue, Mapping) or c < 0 or not isinstance(docs.texts[c], str):
            continue
        t = docs.texts[c]
        s, e, x = _whole(cue.get("start")), _whole(cue.get("end")), cue.get("text")
        na[i] = False
        out[i] = bool(s is not None and e is not None and 0 <= s < e <= len(t)
                      and t[s:e] == x)
    return _boolean(out, na)


# --- reading a built dataset folder -------------------------------------------------------


def _split_of(f: Path) -> str:
    """``train`` of ``train-00000-of-00001.parquet`` (the card's ``<split>-*.parquet``)."""
    return f.stem.split("-", 1)[0]


def _class_names(schema: pa.Schema, column: str) -> list[str] | None:
    """ClassLabel names of ``column`` from the ``huggingface`` Parquet metadata, if any."""
    meta = (schema.metadata or {}).get(b"huggingface")
    if not meta:
        return None
    try:
        feats = json.loads(meta)["info"]["features"]
        names = feats[column]["names"]
    except (ValueError, KeyError, TypeError):
        return None
    return [str(n) for n in names]


def _decode_labels(col: pd.Series, names: Sequence[str]) -> pd.Series:
    """ClassLabel integers -> names; an out-of-range integer becomes ``<unknown label N>``."""
    if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        return col.astype(object)
    lookup = dict(enumerate(names))
    return pd.Series([None if v is None or v != v else lookup.get(int(v), f"<unknown label {v}>")
                      for v in col.tolist()], dtype=object)


def read_card(folder: Path, scheme: LabelScheme) -> tuple[str, list[CheckResult]]:
    """The dataset card's text and its checks against the scheme.

    A missing card, or one that is not UTF-8, raises ``SchemaError``/``RecordError`` naming
    the file; so does a folder without ``data/documents/*.parquet``.
    """
    readme = folder / "README.md"
    where = str(readme)
    if not readme.is_file():
        raise SchemaError("not a dataset folder: no README.md (dataset card)", path=str(folder))
    try:
        card = readme.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start]
        raise RecordError(f"the dataset card is not UTF-8 text (byte 0x{bad:02x} at offset "
                          f"{exc.start})", path=where) from exc
    except OSError as exc:
        raise RecordError(f"cannot read the dataset card: {exc.strerror}", path=where) from exc
    if not sorted((folder / "data" / "documents").glob("*.parquet")):
        raise SchemaError("no documents table: a dataset folder must have "
                          "data/documents/<split>-*.parquet", path=str(folder),
                          field="documents")
    return card, card_checks(card, scheme, path=where)


def read_part(folder: Path, table: str, name: str, scheme: LabelScheme,
              schema: Mapping[str, Any]) -> tuple[pd.DataFrame, list[CheckResult], int]:
    """One Parquet file ``data/<table>/<name>`` as a frame with labels as names.

    Its columns must be exactly the properties of the table's JSON Schema (a missing or
    extra column raises ``SchemaError`` naming the file); ClassLabel names in its metadata
    are checked against ``scheme`` (a contract check). A missing file is an empty table.
    """
    f = folder / "data" / table / name
    if not f.is_file():
        return empty_table(table), [], 0
    rel = str(f.relative_to(folder))
    expected = list(schema.get("properties", {}))
    try:
        t = pq.read_table(f)
    except (OSError, pa.ArrowInvalid) as exc:
        raise SchemaError(f"unreadable Parquet file: {exc}", path=rel) from exc
    missing = [c for c in expected if c not in t.column_names]
    extra = [c for c in t.column_names if c not in expected]
    if missing:
        raise SchemaError(f"missing column {missing[0]!r} (the {table} schema requires it)",
                          path=rel, field=missing[0])
    if extra:
        raise SchemaError(f"unexpected column {extra[0]!r} (not in the {table} schema)",
                          path=rel, field=extra[0])
    contracts = [_names_check(table, rel, t.schema, scheme)] if table in LABEL_COLUMNS else []
    t = t.select(expected)
    df = t.to_pandas()
    for col in t.column_names:  # pandas turns ints in nullable structs into floats
        if pa.types.is_nested(t.schema.field(col).type):
            df[col] = pd.Series(t.column(col).to_pylist(), dtype=object)
    if table in LABEL_COLUMNS:
        col, attr = LABEL_COLUMNS[table]
        df[col] = _decode_labels(df[col], getattr(scheme, attr))
    if not len(df):
        df = empty_table(table) if not len(df.columns) else df
    return df, contracts, t.num_rows


def folder_parts(folder: Path, tables: Iterable[str] = ("documents", "entities", "claims")
                 ) -> list[str]:
    """The file names to validate together: ``documents``'s, then any other table's file
    that has no documents file of its name (its spans then name no document)."""
    names = [f.name for f in sorted((folder / "data" / "documents").glob("*.parquet"))]
    seen = set(names)
    for table in tables:
        for f in sorted((folder / "data" / table).glob("*.parquet")):
            if f.name not in seen:
                seen.add(f.name)
                names.append(f.name)
    return names


def parse_card(card: str, *, path: str = "README.md") -> tuple[dict[str, Any], str]:
    """The card's YAML front matter (``{}`` when there is none) and its body.

    Malformed YAML, or ``dataset_info`` / ``configs`` of the wrong shape, raise
    ``RecordError`` naming ``path`` and the field.
    """
    import yaml

    parts = card.split("---\n")
    has_front = card.startswith("---\n") and len(parts) > 2
    try:
        front = yaml.safe_load(parts[1]) if has_front else None
    except yaml.YAMLError as exc:
        raise SchemaError(f"dataset card front matter is not YAML: {exc}", path=path) from exc
    body = parts[-1] if len(parts) > 2 else card
    if not isinstance(front, dict):
        return {}, body
    for key in ("dataset_info", "configs"):
        value = front.get(key)
        if value is None:
            continue
        if isinstance(value, dict):  # the Hub allows a single config as a mapping
            value = front[key] = [value]
        if not isinstance(value, list):
            raise RecordError(f"must be a list of configs, not {type(value).__name__}",
                              path=path, field=key)
        for n, cfg in enumerate(value):
            _card_config(cfg, path=path, field=f"{key}[{n}]")
    return front, body


def _card_config(cfg: Any, *, path: str, field: str) -> None:
    """Refuse a front-matter config whose shape the checks below cannot read."""
    if not isinstance(cfg, dict):
        raise RecordError(f"must be a mapping, not {type(cfg).__name__}", path=path, field=field)
    if not isinstance(cfg.get("config_name", "default"), str):
        raise RecordError("must be a string", path=path, field=f"{field}.config_name")
    for key in ("features", "splits", "data_files"):
        items = cfg.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise RecordError("must be a list of mappings", path=path, field=f"{field}.{key}")
    for n, split in enumerate(cfg.get("splits") or []):
        num = split.get("num_examples")
        if not isinstance(split.get("name"), str):
            raise RecordError("must be a string", path=path, field=f"{field}.splits[{n}].name")
        if num is not None and (isinstance(num, bool) or not isinstance(num, int) or num < 0):
            raise RecordError(f"must be a non-negative integer, not {num!r}", path=path,
                              field=f"{field}.splits[{n}].num_examples")
    for n, feat in enumerate(cfg.get("features") or []):
        dtype = feat.get("dtype")
        if not isinstance(dtype, dict) or "class_label" not in dtype:
            continue
        where = f"{field}.features[{n}].dtype.class_label.names"
        label = dtype.get("class_label")
        names = label.get("names") if isinstance(label, dict) else None
        if not isinstance(names, dict):
            raise RecordError("must be a mapping of index to name", path=path, field=where)
        for k in names:
            if isinstance(k, bool) or not isinstance(k, int | str) or not str(k).isdigit():
                raise RecordError(f"index {k!r} is not a whole number", path=path, field=where)


def card_checks(card: str, scheme: LabelScheme, *, path: str = "README.md") -> list[CheckResult]:
    """Does the dataset card agree with the scheme (ClassLabel names, the label tables)?"""
    problems: list[str] = []
    front, body = parse_card(card, path=path)
    if not front:
        problems.append("no YAML front matter")
    for cfg in front.get("dataset_info") or []:
        table = cfg.get("config_name")
        if table not in LABEL_COLUMNS:
            continue
        col, attr = LABEL_COLUMNS[table]
        for feat in cfg.get("features") or []:
            if feat.get("name") != col:
                continue
            dtype = feat.get("dtype")
            names = (dtype.get("class_label") or {}).get("names") if isinstance(dtype, dict) \
                else None
            got = [str(v) for _, v in sorted((names or {}).items(), key=lambda kv: int(kv[0]))]
            if got != list(getattr(scheme, attr)):
                problems.append(f"{table}.{col} ClassLabel names {got} differ from the scheme")
    for name in (*scheme.entity_names, *scheme.claim_type_names):
        if f"`{name}`" not in body:
            problems.append(f"label {name} is not described in the card")
    return [CheckResult(
        table="card", check="card.labels_match_scheme",
        rule="the dataset card's ClassLabel names and label tables equal the label scheme",
        kind="contract", success=not problems, evaluated=1, unexpected=min(len(problems), 1),
        ids=("README.md",) if problems else (), details=tuple(problems))]


def _file_rows(folder: Path, table: str) -> dict[str, int]:
    """Rows per split of ``folder/data/<table>/*.parquet`` (for a config no reader reads)."""
    counts: dict[str, int] = {}
    for f in sorted((folder / "data" / table).glob("*.parquet")):
        try:
            n = pq.ParquetFile(f).metadata.num_rows
        except (OSError, pa.ArrowInvalid) as exc:
            raise SchemaError(f"unreadable Parquet file: {exc}",
                              path=str(f.relative_to(folder))) from exc
        counts[_split_of(f)] = counts.get(_split_of(f), 0) + n
    return counts


def card_rows_check(front: Mapping[str, Any], rows: Mapping[str, Mapping[str, int]],
                    folder: Path, *, path: str = "README.md") -> CheckResult:
    """Do the card's configs have files, and its ``num_examples`` equal the rows read? And
    is every ``data/<table>/`` with Parquet files a config the card declares?

    ``front`` comes from ``parse_card``; ``rows`` is table -> split -> rows read.
    """
    problems: list[str] = []
    declared: dict[str, dict[str, int | None]] = {}
    for key in ("configs", "dataset_info"):
        for cfg in front.get(key) or []:
            name = str(cfg.get("config_name", "default"))
            splits = declared.setdefault(name, {})
            for s in cfg.get("splits") or []:
                splits[s["name"]] = s.get("num_examples")
    if declared:
        # the other way round: data the card does not declare is data no reader is offered
        for sub in sorted(p for p in (folder / "data").glob("*") if p.is_dir()):
            if sub.name not in declared and any(sub.glob("*.parquet")):
                problems.append(f"data/{sub.name}/ has Parquet files but the card declares no "
                                f"config {sub.name}: load_dataset would not offer them")
    for name, splits in declared.items():
        got = dict(rows[name]) if name in rows else _file_rows(folder, name)
        if not got:
            problems.append(f"config {name} is declared but data/{name}/ has no Parquet file")
            continue
        for split, n in splits.items():
            if n is not None and got.get(split, 0) != n:
                problems.append(f"{name}/{split}: the card says {n:,} row(s), "
                                f"{got.get(split, 0):,} read")
    return CheckResult(
        table="card", check="card.rows_match_data",
        rule="every config the card declares has files, its num_examples equal the rows "
             "read, and every data/<table>/ with Parquet files is a declared config",
        kind="contract", success=not problems, evaluated=len(declared),
        unexpected=len(problems), ids=("README.md",) if problems else (),
        details=tuple(problems))


def _names_check(table: str, rel: str, schema: pa.Schema, scheme: LabelScheme) -> CheckResult:
    col, attr = LABEL_COLUMNS[table]
    want = list(getattr(scheme, attr))
    got = _class_names(schema, col)
    ok = got is None or got == want  # no metadata: the card's features decide (checked apart)
    return CheckResult(
        table=table, check=f"{table}.classlabel_names",
        rule=f"ClassLabel names of {col} equal the label scheme's", kind="contract",
        success=ok, evaluated=1, unexpected=0 if ok else 1, ids=() if ok else (rel,),
        details=() if ok else (f"{rel}: {got} != scheme {want}",))
