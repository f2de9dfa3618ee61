"""Records, the label scheme, offset maps and errors: what every stage shares. Pure."""

from newscorpus.model.errors import (
    ExpectationError,
    IngestError,
    LabelStudioError,
    NewscorpusError,
    RecordError,
    ReleaseError,
    SchemaError,
)
from newscorpus.model.labels import Label, LabelScheme
from newscorpus.model.offsets import OffsetMap
from newscorpus.model.records import Claim, Document, Edit, Entity, Mark, Rewrite, Source, Span

__all__ = [
    "Claim",
    "Document",
    "Edit",
    "Entity",
    "ExpectationError",
    "IngestError",
    "Label",
    "LabelScheme",
    "LabelStudioError",
    "Mark",
    "NewscorpusError",
    "OffsetMap",
    "RecordError",
    "ReleaseError",
    "Rewrite",
    "SchemaError",
    "Source",
    "Span",
]
