"""The main job end to end: the shipped corpus -> Parquet that datasets reads, typed, offline."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest
from typer.testing import CliRunner

from newscorpus.cli.main import app
from newscorpus.normalize import invert
from newscorpus.pipeline import build
from newscorpus.project import find_project

runner = CliRunner()
datasets.disable_progress_bars()


def test_build_writes_dataset_that_load_dataset_reads_offline(
        seeded_dir: Path, seed_bytes: bytes) -> None:
    res = runner.invoke(app, ["build"])
    assert res.exit_code == 0, res.output
    out = seeded_dir / "build" / "dataset"
    assert res.stdout.strip() == str(out)
    ds = datasets.load_dataset(str(out), "documents")
    [split] = list(ds)
    doc = ds[split][0]
    raw = seed_bytes.decode("utf-8")
    assert doc["title"].startswith("A more dangerous world")
    edits = [_edit(e) for e in doc["edits"]]
    assert invert(doc["text"], edits) == raw  # the row alone gives the raw text back
    assert doc["source"]["publisher"] == "FRANCE 24"
    assert doc["source"]["license"] is None
    f = ds[split].features
    assert f["text"] == datasets.Value("string")
    assert f["edits"].feature["rule"] == datasets.Value("string")
    assert f["edits"].feature["raw_start"] == datasets.Value("int64")
    assert f["truncated"] == datasets.Value("bool")


def _edit(d: dict[str, object]):  # type: ignore[no-untyped-def]
    from newscorpus.model.records import Edit

    return Edit.from_dict(d)


def test_default_config_loads_without_a_name(seeded_dir: Path) -> None:
    build(find_project())
    ds = datasets.load_dataset(str(seeded_dir / "build" / "dataset"))
    assert sum(len(s) for s in ds.values()) == 1


def test_card_declares_configs_features_and_counts(seeded_dir: Path) -> None:
    info = build(find_project())
    card = (seeded_dir / "build" / "dataset" / "README.md").read_text()
    assert card.startswith("---\n")
    import yaml

    fm = yaml.safe_load(card.split("---\n")[1])
    [cfg] = fm["configs"]
    assert cfg["config_name"] == "documents" and cfg["default"] is True
    [di] = fm["dataset_info"]
    assert [f["name"] for f in di["features"]][:3] == ["id", "title", "text"]
    assert {s["name"]: s["num_examples"] for s in di["splits"]} == info.counts["documents"]


def test_build_is_refused_and_leaves_nothing_when_a_record_is_invalid(seeded_dir: Path) -> None:
    src = seeded_dir / "corpus" / "sources.jsonl"
    rec = json.loads(src.read_text())
    rec["url"] = "not a url"
    src.write_text(json.dumps(rec) + "\n")
    res = runner.invoke(app, ["build"])
    assert res.exit_code == 1
    assert f"corpus/sources.jsonl:{rec['id']} [source.url]" in res.stderr
    assert not (seeded_dir / "build" / "dataset").exists()
    assert not list((seeded_dir / "build").glob(".dataset.tmp-*"))


def test_failed_build_keeps_the_previous_dataset(seeded_dir: Path) -> None:
    out = seeded_dir / "build" / "dataset"
    build(find_project())
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    raw = next(p for p in (seeded_dir / "corpus" / "raw").rglob("*") if p.is_file())
    raw.write_bytes(raw.read_bytes() + b"tampered")
    res = runner.invoke(app, ["build"])
    assert res.exit_code == 1
    assert "[raw_sha256]" in res.stderr and "the raw file changed" in res.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_build_outside_a_project_says_how_to_fix(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["build"])
    assert res.exit_code == 1
    assert "no newscorpus project here" in res.stderr


def test_two_builds_write_identical_parquet(seeded_dir: Path) -> None:
    a = seeded_dir / "a"
    b = seeded_dir / "b"
    build(find_project(), a)
    build(find_project(), b)
    fa = sorted(a.rglob("*.parquet"))
    assert fa and [p.read_bytes() for p in fa] == [
        (b / p.relative_to(a)).read_bytes() for p in fa]


@pytest.mark.parametrize("target", [".", "", "corpus", "corpus/raw", "schemas", "..", "src"])
def test_build_refuses_an_out_inside_the_project_sources(seeded_dir: Path, target: str) -> None:
    before = sorted(str(p.relative_to(seeded_dir)) for p in seeded_dir.rglob("*"))
    res = runner.invoke(app, ["build", "--out", target])
    assert res.exit_code == 2
    assert "part of the project" in res.stderr
    assert sorted(str(p.relative_to(seeded_dir)) for p in seeded_dir.rglob("*")) == before


def test_build_never_replaces_a_folder_it_did_not_write(seeded_dir: Path) -> None:
    other = seeded_dir / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    res = runner.invoke(app, ["build", "--out", str(other)])
    assert res.exit_code == 1
    assert "was not written by newscorpus build" in res.stderr
    assert (other / "mine.txt").read_text() == "keep me"


def test_build_never_replaces_a_release(seeded_dir: Path) -> None:
    rel = seeded_dir / "published"
    build(find_project(), rel)
    (rel / "manifest.json").write_text("{}")
    res = runner.invoke(app, ["build", "--out", str(rel)])
    assert res.exit_code == 1 and "published release" in res.stderr
    assert (rel / "manifest.json").read_text() == "{}"


def test_annotations_of_a_missing_document_stop_the_build(seeded_dir: Path) -> None:
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "annotations", seeded_dir / "annotations")
    (seeded_dir / "annotations/labelstudio/aaaaaaaaaaaaaaaa.json").write_text("{}")
    res = runner.invoke(app, ["build"])
    assert res.exit_code == 1
    assert "annotations/labelstudio/aaaaaaaaaaaaaaaa.json" in res.stderr
    assert "belong to no corpus document" in res.stderr
    assert not (seeded_dir / "build" / "dataset").exists()
