"""JSON Schema (draft 2020-12) checks of records, with errors that name record and field.

Pure: the caller passes the schema dict (``Project.schema``) and says where the record is from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from newscorpus.model.errors import SchemaError

__all__ = ["check_record", "iter_errors", "validator"]

_FORMATS = Draft202012Validator.FORMAT_CHECKER


def validator(schema: Mapping[str, Any], others: Iterable[Mapping[str, Any]] = ()
              ) -> Draft202012Validator:
    """A validator with format checks (dates, URIs) on; the schema itself is checked first.

    ``others`` are schemas that ``schema`` may ``$ref`` by their ``$id`` (relative refs such
    as ``edit.schema.json`` resolve against the referring schema's ``$id``).
    """
    Draft202012Validator.check_schema(schema)
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012))
        for s in others if "$id" in s
    )
    return Draft202012Validator(schema, format_checker=_FORMATS, registry=registry)


def _field(err: jsonschema.ValidationError) -> str:
    path = ".".join(str(p) for p in err.absolute_path)
    if err.validator == "required" and isinstance(err.message, str):
        missing = err.message.split("'")[1] if "'" in err.message else ""
        return f"{path}.{missing}" if path else missing
    return path or "(record)"


def iter_errors(record: Mapping[str, Any], v: Draft202012Validator, *, path: str,
                record_id: str | int) -> Iterator[SchemaError]:
    """Every schema violation of one record, as ``SchemaError`` (first by field path)."""
    for err in sorted(v.iter_errors(record), key=lambda e: list(map(str, e.absolute_path))):
        yield SchemaError(_message(err), path=path, record=record_id, field=_field(err))


def _message(err: jsonschema.ValidationError) -> str:
    """The message, with ``anyOf`` spelled out ("is not a 'date' or a 'date-time'")."""
    if err.validator in ("anyOf", "oneOf") and err.context:
        subs = [e.message for e in err.context if e.validator != "type"]
        if subs:
            return " and ".join(dict.fromkeys(subs))
    return err.message


def check_record(record: Mapping[str, Any], v: Draft202012Validator, *, path: str,
                 record_id: str | int) -> None:
    """Raise the first violation as ``SchemaError`` naming path, record and field."""
    for err in iter_errors(record, v, path=path, record_id=record_id):
        raise err
