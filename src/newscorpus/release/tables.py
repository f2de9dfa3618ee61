"""The tables of a dataset folder and their typed features (``datasets.Features``).

Label columns are ``ClassLabel`` whose names come from the label scheme, so a researcher
gets typed labels from ``load_dataset`` and the Parquet files carry the names too.
"""

from __future__ import annotations

from typing import Any

from datasets import ClassLabel, Features, List, Value

from newscorpus.model.labels import LabelScheme

__all__ = ["CLAIM_FIELDS", "DOCUMENT_FIELDS", "ENTITY_FIELDS", "TABLE_ORDER", "features",
           "features_for"]

#: Tables in the order they appear in the card; the first is the default config.
TABLE_ORDER = ("documents", "entities", "claims")

_EDIT = {
    "raw_start": Value("int64"),
    "raw_end": Value("int64"),
    "start": Value("int64"),
    "end": Value("int64"),
    "before": Value("string"),
    "after": Value("string"),
    "rule": Value("string"),
    "confidence": Value("float64"),
}

#: One-line description of every column, for the card's "Data Fields".
DOCUMENT_FIELDS: dict[str, str] = {
    "id": "stable document id: the first 16 hex digits of the sha256 of the raw bytes",
    "title": "headline (the first line of the article unless the source gave one)",
    "text": "normalised article text; every span offset indexes this string (code points)",
    "source": "publisher, url, published_at, retrieved_at, license (null when unknown)",
    "raw_sha256": "sha256 of the raw bytes as received, kept in corpus/raw/",
    "normalizer_version": "version of the normaliser that produced text and edits",
    "edits": "edit log raw -> text: raw_start, raw_end, start, end, before, after, rule, "
             "confidence; replaying it undoes the normalisation exactly",
    "split": "train / validation / test, fixed by a hash of the id",
    "encoding": "codec that decodes the raw bytes",
    "truncated": "true when the scraper cut the article's last sentence",
    "marks": "spans the normaliser found but left as text (kind, e.g. embed.social)",
}


#: The same for the annotation tables.
ENTITY_FIELDS: dict[str, str] = {
    "doc_id": "id of the document (documents.id)",
    "id": "stable id of the mention",
    "start": "start offset in the document's normalised text (code points, inclusive)",
    "end": "end offset (exclusive); text == document.text[start:end]",
    "text": "the mention as it reads in the normalised text",
    "label": "entity type (ClassLabel; names and definitions under Labels)",
    "annotator": "neutral id of the annotator, or the model that proposed it",
    "origin": "`human`, or `model:<name>@<version>` for an unreviewed pre-annotation",
}
CLAIM_FIELDS: dict[str, str] = {
    "doc_id": "id of the document (documents.id)",
    "id": "stable id of the claim",
    "start": "start offset of the claim span in the normalised text",
    "end": "end offset (exclusive); text == document.text[start:end]",
    "text": "the claim as it reads",
    "claim_type": "kind of claim (ClassLabel; definitions under Labels)",
    "checkworthy": "whether a fact-checker would want to verify it",
    "speaker_entity_id": "entities.id of who makes the claim (null: the article itself)",
    "cue": "attribution word or phrase (start, end, text) such as 'said', or null",
    "annotator": "neutral id of the annotator, or the model that proposed it",
    "origin": "`human`, or `model:<name>@<version>` for an unreviewed pre-annotation",
}


def features(scheme: LabelScheme) -> dict[str, Features]:
    """Features of every table, labels from ``scheme``."""
    span = {"start": Value("int64"), "end": Value("int64"), "text": Value("string")}
    return {
        "documents": Features({
            "id": Value("string"),
            "title": Value("string"),
            "text": Value("string"),
            "source": {
                "publisher": Value("string"),
                "url": Value("string"),
                "published_at": Value("string"),
                "retrieved_at": Value("string"),
                "license": Value("string"),
            },
            "raw_sha256": Value("string"),
            "normalizer_version": Value("string"),
            "edits": List(_EDIT),
            "split": Value("string"),
            "encoding": Value("string"),
            "truncated": Value("bool"),
            "marks": List({"start": Value("int64"), "end": Value("int64"),
                           "kind": Value("string")}),
        }),
        "entities": Features({
            "doc_id": Value("string"),
            "id": Value("string"),
            "start": Value("int64"),
            "end": Value("int64"),
            "text": Value("string"),
            "label": ClassLabel(names=list(scheme.entity_names)),
            "annotator": Value("string"),
            "origin": Value("string"),
        }),
        "claims": Features({
            "doc_id": Value("string"),
            "id": Value("string"),
            "start": Value("int64"),
            "end": Value("int64"),
            "text": Value("string"),
            "claim_type": ClassLabel(names=list(scheme.claim_type_names)),
            "checkworthy": Value("bool"),
            "speaker_entity_id": Value("string"),
            "cue": span,
            "annotator": Value("string"),
            "origin": Value("string"),
        }),
    }


def features_for(table: str, scheme: LabelScheme) -> Features:
    return features(scheme)[table]


def encode_row(row: dict[str, Any], feats: Features) -> dict[str, Any]:
    """Class-label strings -> their integer ids (checked: an unknown name is an error)."""
    out = dict(row)
    for name, feat in feats.items():
        if isinstance(feat, ClassLabel) and isinstance(out.get(name), str):
            out[name] = feat.str2int(out[name])
    return out
