"""The one exception tree of newscorpus: errors carry their evidence as attributes.

``str(err)`` is for humans (``corpus/sources.jsonl:3 [url]: not a URL``); the attributes are
for programs. The CLI catches ``NewscorpusError`` once and exits 1.
"""

from __future__ import annotations

__all__ = [
    "ExpectationError",
    "IngestError",
    "LabelStudioError",
    "NewscorpusError",
    "RecordError",
    "ReleaseError",
    "SchemaError",
]


class NewscorpusError(Exception):
    """Base of every error the toolkit raises on purpose."""


class RecordError(NewscorpusError, ValueError):
    """A record (file line, document, span) is wrong: says where and which field."""

    def __init__(
        self,
        reason: str,
        *,
        path: str | None = None,
        record: str | int | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.path = path
        self.record = record
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or ""
        if self.record is not None:
            where = f"{where}:{self.record}" if where else str(self.record)
        if self.field:
            where = f"{where} [{self.field}]" if where else f"[{self.field}]"
        return f"{where}: {self.reason}" if where else self.reason


class IngestError(RecordError):
    """A raw article cannot be ingested (unreadable, empty, too large, duplicate...)."""


class SchemaError(RecordError):
    """A record does not match its JSON Schema."""


class ExpectationError(NewscorpusError):
    """The data-quality suite failed; ``failures`` lists what failed."""

    def __init__(self, message: str, failures: list[str] | None = None) -> None:
        self.failures = failures or []
        super().__init__(message)


class LabelStudioError(NewscorpusError):
    """Label Studio refused or could not be reached. Never carries the token."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(message)


class ReleaseError(NewscorpusError):
    """A release (or build) was refused or failed; nothing was published."""
