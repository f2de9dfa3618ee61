"""The labeling config is generated from the label scheme: all of it, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from typer.testing import CliRunner

from newscorpus.annotate.config import label_config
from newscorpus.cli.main import app
from newscorpus.project import Project

REPO = Path(__file__).resolve().parent.parent


def _scheme_vocabulary() -> set[tuple[str, str]]:
    """(kind, value) pairs the scheme file asks for, read from the JSON directly."""
    raw = json.loads((REPO / "schemas" / "label_scheme.json").read_text(encoding="utf-8"))
    claim = raw["claim"]
    want = {("label", x["name"]) for x in raw["entity_labels"]}
    want |= {("choice", x["name"]) for x in claim["claim_types"]}
    want |= {("choice", "true"), ("choice", "false")}  # checkworthy, a boolean
    want |= {("label", "claim"), ("label", "cue")}  # the claim span and its cue span
    want |= {("relation", "speaker"), ("relation", "cue")}  # claim -> speaker, claim -> cue
    want |= {("control", n) for n in ("entities", "claims", "cues", "claim_type",
                                      "checkworthy")}
    assert {k for k in claim} >= {"claim_types", "checkworthy", "speaker", "cue"}
    return want


def _config_vocabulary(xml: str) -> set[tuple[str, str]]:
    root = ET.fromstring(xml)
    got: set[tuple[str, str]] = set()
    for el in root.iter():
        if el.tag in ("Label", "Choice", "Relation"):
            got.add((el.tag.lower(), el.attrib["value"]))
        elif el.tag in ("Labels", "Choices"):
            got.add(("control", el.attrib["name"]))
    return got


def test_config_has_every_scheme_label_and_nothing_else() -> None:
    xml = label_config(Project(REPO).label_scheme())
    assert _config_vocabulary(xml) == _scheme_vocabulary()


def test_claim_attributes_are_per_region_and_required() -> None:
    root = ET.fromstring(label_config(Project(REPO).label_scheme()))
    for ch in root.iter("Choices"):
        assert ch.attrib["perRegion"] == "true" and ch.attrib["required"] == "true"
        assert ch.attrib["whenLabelValue"] == "claim"


def test_committed_config_is_the_generated_one() -> None:
    committed = (REPO / "annotations" / "label_config.xml").read_text(encoding="utf-8")
    assert committed == label_config(Project(REPO).label_scheme()), (
        "run `newscorpus annotate config` and commit annotations/label_config.xml")


def test_cli_config_writes_the_file(project_dir: Path) -> None:
    res = CliRunner().invoke(app, ["annotate", "config"])
    assert res.exit_code == 0
    out = project_dir / "annotations" / "label_config.xml"
    assert res.stdout.strip() == str(out)
    assert out.read_text(encoding="utf-8") == label_config(Project(project_dir).label_scheme())
