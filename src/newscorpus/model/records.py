"""The records of DESIGN.md as frozen dataclasses: the contract every stage meets at.

Offsets are ``str`` indices (code points) into the normalised text, half-open ``[start, end)``;
``raw_*`` fields index the raw (decoded) text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "Claim",
    "Document",
    "Edit",
    "Entity",
    "Mark",
    "Rewrite",
    "Source",
    "Span",
]


@dataclass(frozen=True, slots=True)
class Edit:
    """One change from raw to normalised text; the fields are DESIGN.md's."""

    raw_start: int  # [raw_start, raw_end) in the raw text
    raw_end: int
    start: int  # [start, end) in the normalised text
    end: int
    before: str  # raw_text[raw_start:raw_end], kept so the edit can be undone
    after: str  # norm_text[start:end]
    rule: str  # "apostrophe.possessive"
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        # spelled out: dataclasses.asdict deep-copies and was a tenth of a build's time
        return {"raw_start": self.raw_start, "raw_end": self.raw_end, "start": self.start,
                "end": self.end, "before": self.before, "after": self.after,
                "rule": self.rule, "confidence": self.confidence}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Edit:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class Mark:
    """A span the normaliser found but did not change (e.g. an embedded tweet).

    Offsets index the normalised text; marks never alter text, so they are not edits.
    """

    start: int
    end: int
    kind: str  # "embed.social"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A text and the edits that turned its input into it (ftfy's ``ExplainedText``)."""

    text: str
    edits: tuple[Edit, ...] = ()
    marks: tuple[Mark, ...] = ()
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    """Where a raw article came from. Unknown fields are ``None``, never invented."""

    publisher: str | None = None
    url: str | None = None
    published_at: str | None = None  # ISO 8601 date or date-time
    retrieved_at: str | None = None
    license: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Document:
    """A normalised article; ``edits`` rebuild the raw text exactly."""

    id: str
    source: Source
    title: str | None
    text: str
    raw_sha256: str
    normalizer_version: str
    edits: tuple[Edit, ...]
    split: str
    encoding: str = "utf-8"
    truncated: bool = False
    marks: tuple[Mark, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source.to_dict(),
            "title": self.title,
            "text": self.text,
            "raw_sha256": self.raw_sha256,
            "normalizer_version": self.normalizer_version,
            "edits": [e.to_dict() for e in self.edits],
            "split": self.split,
            "encoding": self.encoding,
            "truncated": self.truncated,
            "marks": [m.to_dict() for m in self.marks],
        }


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open slice of a document's normalised text, with the text it covers."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity mention (labels from the label scheme)."""

    doc_id: str
    id: str
    start: int
    end: int
    text: str
    label: str
    annotator: str
    origin: str  # "human" or "model:<name>@<version>"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim span with its type, check-worthiness, speaker and cue."""

    doc_id: str
    id: str
    start: int
    end: int
    text: str
    claim_type: str
    checkworthy: bool
    speaker_entity_id: str | None
    cue: Span | None
    annotator: str
    origin: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
