"""Croissant (MLCommons 1.0) metadata of a release: files, record sets and fields, as JSON-LD.

Pure: built from the features and the file list, so it needs no extra package at run time;
the tests load it with ``mlcroissant`` to prove it valid.
"""

from __future__ import annotations

from typing import Any

from datasets import ClassLabel, Features, Value

__all__ = ["CONTEXT", "render"]

CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

_DTYPES = {"string": "sc:Text", "bool": "sc:Boolean", "int64": "sc:Integer",
           "int32": "sc:Integer", "float64": "sc:Float", "float32": "sc:Float"}


def _field(table: str, name: str, feat: Any) -> dict[str, Any] | None:
    if isinstance(feat, ClassLabel):
        dtype = "sc:Integer"
        desc = "class label: " + ", ".join(f"{i}={n}" for i, n in enumerate(feat.names))
    elif isinstance(feat, Value) and feat.dtype in _DTYPES:
        dtype, desc = _DTYPES[feat.dtype], None
    else:
        return None  # nested columns (lists, structs) are described in the dataset card
    out: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{table}/{name}",
        "name": name,
        "dataType": dtype,
        "source": {"fileSet": {"@id": f"{table}-files"}, "extract": {"column": name}},
    }
    if desc:
        out["description"] = desc
    return out


def render(*, name: str, version: str, date: str, description: str, cite_as: str,
           license: str | None, features: dict[str, Features], tables: list[str]
           ) -> dict[str, Any]:
    """The ``croissant.json`` document of a release holding ``tables``."""
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": name,
        "description": description,
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "citeAs": cite_as,
        "datePublished": date,
        "version": version,
        "url": f"https://huggingface.co/datasets/{name}",
        "distribution": [
            {"@type": "cr:FileSet", "@id": f"{t}-files", "name": f"{t}-files",
             "encodingFormat": "application/x-parquet", "includes": f"data/{t}/*.parquet"}
            for t in tables
        ],
        "recordSet": [
            {"@type": "cr:RecordSet", "@id": t, "name": t,
             "field": [f for n, feat in features[t].items() if (f := _field(t, n, feat))]}
            for t in tables
        ],
    }
    if license:
        doc["license"] = license
    return doc
