"""The label scheme: entity labels and claim attributes, the one source of truth.

``schemas/label_scheme.json`` is parsed here into a frozen ``LabelScheme``; the Label Studio
config, JSON Schema enums, Parquet ``ClassLabel`` names and the dataset card derive from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from newscorpus.model.errors import RecordError

__all__ = ["Label", "LabelScheme"]


@dataclass(frozen=True, slots=True)
class Label:
    """One label name with its one-line definition."""

    name: str
    definition: str


@dataclass(frozen=True, slots=True)
class LabelScheme:
    """Entity labels and claim attributes, in the scheme file's order."""

    version: str
    entity_labels: tuple[Label, ...]
    claim_types: tuple[Label, ...]
    claim_definition: str
    checkworthy_definition: str
    speaker_definition: str
    speaker_labels: tuple[str, ...]
    cue_definition: str

    @property
    def entity_names(self) -> tuple[str, ...]:
        return tuple(lb.name for lb in self.entity_labels)

    @property
    def claim_type_names(self) -> tuple[str, ...]:
        return tuple(lb.name for lb in self.claim_types)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, path: str = "schemas/label_scheme.json"
                  ) -> LabelScheme:
        """Parse and check a scheme (unique, upper-case entity names; non-empty definitions)."""
        try:
            ents = tuple(Label(x["name"], x["definition"]) for x in d["entity_labels"])
            c = d["claim"]
            types = tuple(Label(x["name"], x["definition"]) for x in c["claim_types"])
            scheme = cls(
                version=str(d["version"]),
                entity_labels=ents,
                claim_types=types,
                claim_definition=c["definition"],
                checkworthy_definition=c["checkworthy"]["definition"],
                speaker_definition=c["speaker"]["definition"],
                speaker_labels=tuple(c["speaker"]["labels"]),
                cue_definition=c["cue"]["definition"],
            )
        except (KeyError, TypeError) as exc:
            raise RecordError(f"missing or malformed key {exc}", path=path) from exc
        for kind, labels in (("entity_labels", ents), ("claim_types", types)):
            names = [lb.name for lb in labels]
            if len(set(names)) != len(names):
                raise RecordError("duplicate label name", path=path, field=kind)
            for lb in labels:
                if not lb.name or not lb.definition.strip():
                    raise RecordError(f"label {lb.name!r} needs a name and a definition",
                                      path=path, field=kind)
        unknown = set(scheme.speaker_labels) - set(scheme.entity_names)
        if unknown:
            raise RecordError(f"speaker labels not in entity_labels: {sorted(unknown)}",
                              path=path, field="claim.speaker.labels")
        return scheme
