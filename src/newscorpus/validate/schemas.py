"""JSON Schema checks of every record of the corpus tables, and the schemas' generated enums.

Why a schema stage before Great Expectations: a record that is not even well-formed (a
missing field, a string where an integer belongs, an unknown label) should be named with
its file, record id and field, the way ``newscorpus ingest`` names bad input. The GX suite
then checks what a schema cannot see: uniqueness, offsets against the document, references
between tables.

The label enums of ``entity.schema.json`` and ``claim.schema.json`` are generated from the
label scheme (``fill_enums``), so ``schemas/label_scheme.json`` stays the one source of truth.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator

from newscorpus.model.errors import SchemaError
from newscorpus.model.labels import LabelScheme
from newscorpus.model.schema import iter_errors
from newscorpus.validate.report import CheckResult

__all__ = [
    "ENUM_FIELDS",
    "SCHEMA_OF_TABLE",
    "check_frame",
    "check_records",
    "check_table",
    "fill_enums",
    "frame_records",
    "render_schema",
]

#: Which schema file (``schemas/<name>.schema.json``) describes one row of each table.
SCHEMA_OF_TABLE: dict[str, str] = {
    "sources": "source",
    "documents": "document",
    "entities": "entity",
    "claims": "claim",
}

#: The enum fields each generated schema takes from the label scheme.
ENUM_FIELDS: dict[str, tuple[str, str]] = {
    "entity": ("label", "entity_names"),
    "claim": ("claim_type", "claim_type_names"),
}

#: How many failing records a check keeps as examples (the report names the first few).
MAX_EXAMPLES = 5

_BATCH_ROWS = 65_536


def fill_enums(name: str, schema: Mapping[str, Any], scheme: LabelScheme) -> dict[str, Any]:
    """``schema`` with its label enum set from ``scheme`` (unchanged for other schemas).

    >>> from newscorpus.model.labels import Label
    >>> s = LabelScheme("1", (Label("ORG", "o"),), (Label("factual", "f"),), "", "", "", (), "")
    >>> fill_enums("entity", {"properties": {"label": {"enum": []}}}, s)
    {'properties': {'label': {'enum': ['ORG']}}}
    """
    out = copy.deepcopy(dict(schema))
    if name in ENUM_FIELDS:
        field, attr = ENUM_FIELDS[name]
        out["properties"][field]["enum"] = list(getattr(scheme, attr))
    return out


def render_schema(schema: Mapping[str, Any]) -> str:
    """The file text of a generated schema: stable key order, two-space indent, final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def frame_records(df: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """Rows of ``df`` as plain Python values (no numpy scalars), in batches.

    Arrow does the conversion: numpy integers become ``int``, NaN/None become ``None`` and
    nested lists/structs become lists/dicts, which is what ``jsonschema`` type checks expect.
    """
    for lo in range(0, len(df), _BATCH_ROWS):
        part = df.iloc[lo:lo + _BATCH_ROWS]
        try:
            table = pa.Table.from_pandas(part, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise SchemaError(f"cannot convert rows {lo}..{lo + len(part) - 1}: {exc}") from exc
        yield from table.to_pylist()


def check_records(records: Iterable[Mapping[str, Any]], v: Draft202012Validator, *,
                  path: str, id_field: str = "id") -> tuple[int, int, list[SchemaError]]:
    """Check every record; (records seen, records failing, first few errors)."""
    seen = failing = 0
    examples: list[SchemaError] = []
    for n, rec in enumerate(records, start=1):
        seen += 1
        rid = rec.get(id_field)
        record_id: str | int = rid if isinstance(rid, str) and rid else n
        errs = list(iter_errors(rec, v, path=path, record_id=record_id))
        if errs:
            failing += 1
            if len(examples) < MAX_EXAMPLES:
                examples.append(errs[0])
    return seen, failing, examples


def check_table(table: str, records: Iterable[Mapping[str, Any]], v: Draft202012Validator, *,
                path: str, schema_name: str) -> CheckResult:
    """One report line: do all rows of ``table`` match ``schemas/<schema_name>.schema.json``?"""
    seen, failing, examples = check_records(records, v, path=path)
    return CheckResult(
        table=table,
        check=f"{table}.schema",
        rule=f"every record matches schemas/{schema_name}.schema.json",
        kind="schema",
        success=failing == 0,
        evaluated=seen,
        unexpected=failing,
        ids=tuple(str(e.record) for e in examples),
        details=tuple(str(e) for e in examples),
    )


#: Top-level keywords under which a record is valid iff each of its fields is valid on its
#: own (no keyword relates two fields), so fields can be checked column by column.
_COLUMNAR_KEYWORDS = {"$schema", "$id", "title", "description", "type", "required",
                      "additionalProperties", "properties", "$defs"}


def _columnar(schema: Mapping[str, Any]) -> bool:
    return (set(schema) <= _COLUMNAR_KEYWORDS and schema.get("type") == "object"
            and schema.get("additionalProperties") is False
            and isinstance(schema.get("properties"), Mapping))


def _bad_rows(col: pd.Series, sub: Validator) -> np.ndarray[Any, Any]:
    """Rows whose value fails ``sub``: each distinct value is checked once when values are
    scalars; nested values (lists, structs) are checked row by row."""
    try:
        arr = pa.Array.from_pandas(col)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise SchemaError(f"cannot convert column {col.name!r}: {exc}") from exc
    if pa.types.is_nested(arr.type):
        fast = _bad_nested(arr, sub.schema, sub)
        if fast is not None:
            return fast
        return np.fromiter((not sub.is_valid(v) for v in arr.to_pylist()), dtype=bool,
                           count=len(arr))
    return _bad_scalars(arr, sub)


#: Keywords that only describe: a schema made of these and the checked ones is columnar.
_NOTES = {"$schema", "$id", "title", "description", "$defs", "$comment"}


def _resolve(schema: Any, v: Validator) -> Any:
    """Follow a lone ``$ref`` (the edit log's items), or give up (None)."""
    if isinstance(schema, Mapping) and "$ref" in schema:
        if set(schema) - _NOTES - {"$ref"}:
            return None
        try:
            return v._resolver.lookup(schema["$ref"]).contents  # type: ignore[attr-defined]
        except Exception:  # an unresolvable ref: the row-by-row path reports it
            return None
    return schema


def _allows_null(schema: Mapping[str, Any]) -> bool:
    t = schema.get("type")
    return t == "null" or (isinstance(t, list) and "null" in t)


def _bad_nested(arr: pa.Array, schema: Any, v: Validator) -> np.ndarray[Any, Any] | None:
    """Rows of a list or struct column that fail ``schema``, checked field by field over the
    flattened values (each distinct leaf value once), or None when the schema relates
    values in ways a column cannot show (then the caller checks row by row).

    Why: the edit log is a list of structs; row by row it was as slow as normalising.
    """
    schema = _resolve(schema, v)
    if not isinstance(schema, Mapping):
        return None
    n = len(arr)
    nulls = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        if set(schema) - _NOTES - {"type", "items"} or schema.get("type") not in (
                "array", ["array", "null"], ["null", "array"]):
            return None
        items = _resolve(schema.get("items", {}), v)
        if not isinstance(items, Mapping):
            return None
        bad = nulls & (not _allows_null(schema))
        flat = arr.flatten()
        if len(flat):
            inner = _bad_nested(flat, items, v) if pa.types.is_nested(flat.type) else \
                _bad_scalars(flat, v.evolve(schema=items))
            if inner is None:
                return None
            parents = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False))
            bad[np.unique(parents[inner])] = True
        return bad
    if pa.types.is_struct(arr.type):
        if set(schema) - _NOTES - {"type", "required", "additionalProperties", "properties"} \
                or schema.get("additionalProperties") is not False \
                or schema.get("type") not in ("object", ["object", "null"], ["null", "object"]):
            return None
        props = schema.get("properties") or {}
        names = [arr.type.field(i).name for i in range(arr.type.num_fields)]
        bad = nulls & (not _allows_null(schema))
        if [c for c in schema.get("required", ()) if c not in names] or \
                [c for c in names if c not in props]:
            return np.asarray(bad | ~nulls)  # a missing or extra key fails every struct
        for name, child in zip(names, arr.flatten(), strict=True):  # offsets applied
            sub = _resolve(props[name], v)
            if not isinstance(sub, Mapping):
                return None
            part = _bad_nested(child, sub, v) if pa.types.is_nested(child.type) else \
                _bad_scalars(child, v.evolve(schema=sub))
            if part is None:
                return None
            bad |= part & ~nulls
        return bad
    return None if n else np.zeros(0, dtype=bool)


#: Arrow types that are exactly one JSON Schema ``type`` (no value of them is another).
_ARROW_TYPES: dict[str, Any] = {
    "string": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
    "integer": pa.types.is_integer,
    "number": lambda t: pa.types.is_integer(t) or pa.types.is_floating(t),
    "boolean": pa.types.is_boolean,
}
_BOUNDS = {"minimum": pc.less, "maximum": pc.greater}


def _bad_typed(arr: pa.Array, schema: Any) -> np.ndarray[Any, Any] | None:
    """``type`` (+ ``minimum``/``maximum``/``minLength``) answered from the Arrow type and
    compute kernels, without a Python call per value; None when the schema asks more."""
    if not isinstance(schema, Mapping) or set(schema) - _NOTES - {"type", *_BOUNDS,
                                                                   "minLength"}:
        return None
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list):
        return None
    kinds = [t for t in types if t != "null"]
    if len(kinds) != 1 or kinds[0] not in _ARROW_TYPES or not _ARROW_TYPES[kinds[0]](arr.type):
        return None
    if "minLength" in schema and kinds[0] != "string":
        return None
    bad = pa.array(np.zeros(len(arr), dtype=bool))
    for key, op in _BOUNDS.items():
        if key in schema:
            bad = pc.or_(bad, op(arr, schema[key]).fill_null(False))
    if "minLength" in schema:
        bad = pc.or_(bad, pc.less(pc.utf8_length(arr), schema["minLength"]).fill_null(False))
    out = np.asarray(bad.to_numpy(zero_copy_only=False), dtype=bool)
    if "null" not in types:
        out |= np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return out


def _bad_scalars(arr: pa.Array, sub: Validator) -> np.ndarray[Any, Any]:
    """Rows of a scalar column whose value fails ``sub`` (each distinct value checked once)."""
    fast = _bad_typed(arr, sub.schema)
    if fast is not None:
        return fast
    bad = [v for v in arr.unique().to_pylist() if not sub.is_valid(v)]
    if not bad:
        return np.zeros(len(arr), dtype=bool)
    mask = pc.is_in(arr, value_set=pa.array([v for v in bad if v is not None], type=arr.type))
    out = np.asarray(mask.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    if None in bad:
        out |= np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return out


def check_frame(table: str, df: pd.DataFrame, v: Draft202012Validator, *, path: str,
                schema_name: str) -> CheckResult:
    """``check_table`` over a DataFrame, column by column when the schema allows it.

    Why: per-record ``jsonschema`` runs at ~20k records/s, a minute for 1M entities. When no
    keyword relates two fields (``_COLUMNAR_KEYWORDS``), a record is valid iff every field
    is, so each distinct value of a column is checked once against its property's schema.
    The few failing records shown are then re-checked whole, so messages are the same as
    record by record. Other schemas fall back to record by record.
    """
    schema = v.schema
    if not isinstance(schema, Mapping) or not _columnar(schema) or not len(df):
        return check_table(table, frame_records(df), v, path=path, schema_name=schema_name)
    props: Mapping[str, Any] = schema["properties"]
    bad = np.zeros(len(df), dtype=bool)
    if [c for c in schema.get("required", ()) if c not in df.columns] or \
            [c for c in df.columns if c not in props]:
        bad[:] = True  # a missing or extra column fails every record
    else:
        # A property's schema keeps the root's $id and $defs, so its refs resolve the same.
        base = {k: schema[k] for k in ("$id", "$defs") if k in schema}
        for col in df.columns:
            bad |= _bad_rows(df[col], v.evolve(schema={**base, **props[col]}))
    rows = np.flatnonzero(bad)
    examples: list[SchemaError] = []
    for i in rows[:MAX_EXAMPLES].tolist():
        [rec] = list(frame_records(df.iloc[i:i + 1]))
        rid = rec.get("id")
        errs = iter_errors(rec, v, path=path, record_id=rid if isinstance(rid, str) and rid
                           else i + 1)
        examples.extend(list(errs)[:1])
    return CheckResult(
        table=table,
        check=f"{table}.schema",
        rule=f"every record matches schemas/{schema_name}.schema.json",
        kind="schema",
        success=not len(rows),
        evaluated=len(df),
        unexpected=len(rows),
        ids=tuple(str(e.record) for e in examples),
        details=tuple(str(e) for e in examples),
    )

