"""The Label Studio labeling config, generated from the label scheme (pure).

The scheme file is the one source of truth: annotators see exactly its entity labels and claim
attributes, and nothing else, so an annotation can always be turned back into records the
scheme allows. The names below are the contract between this config, ``convert`` (which reads
results by ``from_name``) and the annotation guidelines.

The layout: entities are spans of ``<Labels name="entities">``; a claim is a span of
``<Labels name="claims">`` with two per-region attributes (``<Choices perRegion="true">``
``claim_type`` and ``checkworthy``) and two relations, ``speaker`` (to the entity that makes
the claim) and ``cue`` (to a span of ``<Labels name="cues">``, the attribution word).

>>> from newscorpus.model.labels import Label, LabelScheme
>>> s = LabelScheme("1", (Label("PERSON", "a person"),), (Label("factual", "a fact"),),
...                 "c", "w", "s", ("PERSON",), "q")
>>> 'value="PERSON"' in label_config(s) and 'name="claim_type"' in label_config(s)
True
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from newscorpus.model.labels import LabelScheme

__all__ = [
    "CHECKWORTHY",
    "CHECKWORTHY_VALUES",
    "CLAIMS",
    "CLAIM_LABEL",
    "CLAIM_TYPE",
    "CUES",
    "CUE_LABEL",
    "CUE_RELATION",
    "ENTITIES",
    "SPEAKER_RELATION",
    "TEXT",
    "label_config",
]

#: The object tag (``$text`` of the task) every control points at.
TEXT = "text"
#: Control names (``from_name`` of a result) and the label values they carry.
ENTITIES = "entities"
CLAIMS = "claims"
CLAIM_LABEL = "claim"
CUES = "cues"
CUE_LABEL = "cue"
CLAIM_TYPE = "claim_type"
CHECKWORTHY = "checkworthy"
#: ``checkworthy`` is a boolean in the records; annotators pick one of these two.
CHECKWORTHY_VALUES = ("true", "false")
#: Relation labels, always from a claim region.
SPEAKER_RELATION = "speaker"
CUE_RELATION = "cue"

# Distinct, readable highlight colours, assigned in the scheme's order.
_PALETTE = ("#f4a261", "#2a9d8f", "#e9c46a", "#8ab17d", "#90be6d", "#b5838d", "#6d597a",
            "#577590", "#ffb4a2", "#a8dadc")


def label_config(scheme: LabelScheme) -> str:
    """The ``<View>`` XML for ``scheme``: stable (same scheme, same bytes), pretty-printed."""
    view = ET.Element("View")
    ET.SubElement(view, "Header", value="$doc_id")
    rels = ET.SubElement(view, "Relations")
    ET.SubElement(rels, "Relation", value=SPEAKER_RELATION)
    ET.SubElement(rels, "Relation", value=CUE_RELATION)
    ents = ET.SubElement(view, "Labels", name=ENTITIES, toName=TEXT)
    for i, lb in enumerate(scheme.entity_labels):
        ET.SubElement(ents, "Label", value=lb.name, hint=lb.definition,
                      background=_PALETTE[i % len(_PALETTE)])
    claims = ET.SubElement(view, "Labels", name=CLAIMS, toName=TEXT)
    ET.SubElement(claims, "Label", value=CLAIM_LABEL, hint=scheme.claim_definition,
                  background="#e63946")
    cues = ET.SubElement(view, "Labels", name=CUES, toName=TEXT)
    ET.SubElement(cues, "Label", value=CUE_LABEL, hint=scheme.cue_definition,
                  background="#adb5bd")
    ET.SubElement(view, "Text", name=TEXT, value="$text")
    # Shown only while a claim region is selected: they are the claim's own attributes.
    when = {"perRegion": "true", "required": "true", "visibleWhen": "region-selected",
            "whenLabelValue": CLAIM_LABEL, "toName": TEXT, "choice": "single-radio"}
    ctype = ET.SubElement(view, "Choices", {"name": CLAIM_TYPE, "showInline": "true", **when})
    for lb in scheme.claim_types:
        ET.SubElement(ctype, "Choice", value=lb.name, hint=lb.definition)
    cw = ET.SubElement(view, "Choices", {"name": CHECKWORTHY, "showInline": "true", **when})
    for v in CHECKWORTHY_VALUES:
        ET.SubElement(cw, "Choice", value=v, hint=scheme.checkworthy_definition)
    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode") + "\n"
