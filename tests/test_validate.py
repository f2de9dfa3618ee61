"""The validation gate end to end: each bad input corrupts a copy and must exit 1, precisely.

A dataset folder is built once from the shipped corpus (with the real build, so it already
passed the gate); every test copies it, adds small entity/claim tables written as real typed
Parquet, breaks one thing, and runs ``newscorpus validate DIR`` through the real entry point.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from newscorpus.cli.main import app
from newscorpus.pipeline import build
from newscorpus.project import Project, find_project
from newscorpus.release import features, write_table
from newscorpus.validate import validate_tables
from newscorpus.validate.tables import parse_card
from tests.conftest import REPO

runner = CliRunner()

DOC_ID = "19efab646f741469"
ENTITY_FILE = "data/entities/train-00000-of-00001.parquet"
CLAIM_FILE = "data/claims/train-00000-of-00001.parquet"
DOC_FILE = "data/documents/train-00000-of-00001.parquet"

Rows = list[dict[str, Any]]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dataset folder built (and so validated) once from the shipped corpus."""
    root = tmp_path_factory.mktemp("template")
    for name in ("schemas", "corpus", "validation"):
        shutil.copytree(REPO / name, root / name)
    build(Project(root))
    return root / "build" / "dataset"


@pytest.fixture
def vproject(seeded_dir: Path) -> Path:
    """The seeded project with the committed GX suites, as the working directory."""
    shutil.copytree(REPO / "validation", seeded_dir / "validation")
    return seeded_dir


@pytest.fixture
def folder(vproject: Path, template: Path) -> Path:
    """A fresh copy of the built folder, without its report."""
    out = vproject / "copy"
    shutil.copytree(template, out, ignore=shutil.ignore_patterns("quality"))
    return out


def _text(folder: Path) -> str:
    text: str = pq.read_table(folder / DOC_FILE).column("text")[0].as_py()
    return text


def _span(text: str, word: str, **kw: Any) -> dict[str, Any]:
    start = text.index(word)
    return {"doc_id": DOC_ID, "start": start, "end": start + len(word), "text": word,
            "annotator": "ann1", "origin": "human", **kw}


def annotations(text: str) -> tuple[Rows, Rows]:
    """Five entities and two claims (one without speaker or cue) on the seed article."""
    ents = [
        _span(text, "Iran", id="e1", label="GPE"),
        _span(text, "Soleimani", id="e2", label="PERSON"),
        _span(text, "Baghdad", id="e3", label="GPE"),
        _span(text, "Donald Trump", id="e4", label="PERSON"),
        _span(text, "Amélie de Montchalin", id="e5", label="PERSON"),
    ]
    said = text.index("said France")
    claim = _span(text, "We have woken up to a more dangerous world", id="c1",
                  claim_type="opinion", checkworthy=False, speaker_entity_id="e5",
                  cue={"start": said, "end": said + 4, "text": "said"})
    # No cue: a null struct in Parquet, which pandas would read with float offsets.
    bare = _span(text, "Iran has vowed to avenge the death", id="c2", claim_type="factual",
                 checkworthy=True, speaker_entity_id=None, cue=None)
    return ents, [claim, bare]


def write_annotations(folder: Path, change: Callable[[Rows, Rows], None] | None = None
                      ) -> None:
    """Write entities and claims Parquet (typed, ClassLabel) after ``change`` breaks them."""
    ents, claims = annotations(_text(folder))
    if change is not None:
        change(ents, claims)
    feats = features(find_project().label_scheme())
    write_table(folder / "data" / "entities", feats["entities"], [("train", r) for r in ents])
    write_table(folder / "data" / "claims", feats["claims"], [("train", r) for r in claims])
    _declare(folder, ["entities", "claims"])


def _declare(folder: Path, tables: list[str]) -> None:
    """Add configs for ``tables`` to the card, as a build with annotations writes them."""
    card = folder / "README.md"
    front, body = parse_card(card.read_text(encoding="utf-8"))
    for t in tables:
        front["configs"].append({"config_name": t, "data_files": [
            {"split": "train", "path": f"data/{t}/train-*.parquet"}]})
    card.write_text(f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n{body}",
                    encoding="utf-8")


def validate(folder: Path, *args: str) -> Any:
    return runner.invoke(app, ["validate", str(folder), *args])


def _rewrite(path: Path, change: Callable[[Rows], None], *, drop: str | None = None) -> None:
    t = pq.read_table(path)
    rows = t.to_pylist()
    change(rows)
    out = pa.Table.from_pylist(rows, schema=t.schema)
    if drop is not None:
        out = out.drop_columns([drop])
    pq.write_table(out, path)


# --- clean inputs -----------------------------------------------------------------------


def test_clean_shipped_corpus_validates_and_writes_data_docs(vproject: Path) -> None:
    res = runner.invoke(app, ["validate"])
    assert res.exit_code == 0, res.output
    assert res.stdout == ""  # stdout carries only --json output
    assert "documents.edits_rebuild_raw" in res.stderr
    assert "FAIL" not in res.stderr
    index = vproject / "build" / "validate" / "corpus" / "quality" / "index.html"
    assert index.is_file()
    # not inside build/dataset: the README's build must still be able to replace that
    assert not (vproject / "build" / "dataset").exists()
    assert "documents" in index.read_text(encoding="utf-8")


def test_json_summary_goes_to_stdout(vproject: Path) -> None:
    res = runner.invoke(app, ["validate", "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["success"] is True and summary["failed"] == 0
    assert summary["rows"]["documents"] == 1
    checks = {r["check"] for r in summary["results"]}
    assert {"entities.span_unique", "claims.speaker_in_document",
            "documents.edits_rebuild_raw", "sources.schema"} <= checks


def test_built_folder_with_correct_annotations_validates(folder: Path) -> None:
    write_annotations(folder)
    res = validate(folder, "--json")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["rows"] == {"documents": 1, "edits": summary["rows"]["edits"],
                               "entities": 5, "claims": 2}
    assert (folder / "quality" / "index.html").is_file()


def test_missing_folder_is_a_usage_error(vproject: Path) -> None:
    res = runner.invoke(app, ["validate", str(vproject / "nope")])
    assert res.exit_code == 2
    assert "does not exist" in res.stderr


# --- bad inputs: each exits 1 naming table, rule and record ------------------------------


def test_offset_off_by_one_fails_span_text_check(folder: Path) -> None:
    def shift(ents: Rows, claims: Rows) -> None:
        ents[1]["start"] += 1
        ents[1]["end"] += 1

    write_annotations(folder, shift)
    res = validate(folder)
    assert res.exit_code == 1
    assert ("entities [entities.text_equals_slice]: text equals document.text[start:end]: "
            "1 of 5 row(s) fail; ids: e2") in res.stderr


def test_offset_past_the_document_end_fails_bounds_check(folder: Path) -> None:
    n = len(_text(folder))

    def past(ents: Rows, claims: Rows) -> None:
        ents[0]["start"], ents[0]["end"] = n - 3, n + 1

    write_annotations(folder, past)
    res = validate(folder)
    assert res.exit_code == 1
    assert ("entities [entities.within_document]: 0 <= start < end <= len(document.text): "
            "1 of 5 row(s) fail; ids: e1") in res.stderr


def test_span_text_not_equal_to_slice(folder: Path) -> None:
    def typo(ents: Rows, claims: Rows) -> None:
        ents[2]["text"] = "Bagdad"

    write_annotations(folder, typo)
    res = validate(folder)
    assert res.exit_code == 1
    assert ("entities [entities.text_equals_slice]: text equals document.text[start:end]: "
            "1 of 5 row(s) fail; ids: e3") in res.stderr


def test_unknown_label(folder: Path) -> None:
    def unknown(ents: Rows, claims: Rows) -> None:
        ents[0]["label"] = 99  # a ClassLabel index outside the scheme's names

    write_annotations(folder, unknown)
    res = validate(folder)
    assert res.exit_code == 1
    assert ("entities [entities.label_in_scheme]: label is one of the scheme's entity labels: "
            "1 of 5 row(s) fail; ids: e1; values: '<unknown label 99>'") in res.stderr
    assert ("data/entities/train-00000-of-00001.parquet:e1 [label]: '<unknown label 99>' "
            "is not one of") in res.stderr


def test_unknown_label_name_in_tables(vproject: Path) -> None:
    text = "Iran said so."
    import hashlib

    docs = pd.DataFrame([{"id": "0123456789abcdef", "text": text, "edits": [],
                          "raw_sha256": hashlib.sha256(text.encode()).hexdigest(),
                          "split": "train", "normalizer_version": "0.1.0"}])
    ents = pd.DataFrame([{"doc_id": "0123456789abcdef", "id": "e1", "start": 0, "end": 4,
                          "text": "Iran", "label": "MISC", "annotator": "a", "origin": "human"}])
    report = validate_tables({"documents": docs, "entities": ents},
                             find_project().label_scheme())
    [fail] = report.failures
    assert fail.message() == ("entities [entities.label_in_scheme]: label is one of the "
                              "scheme's entity labels: 1 of 1 row(s) fail; ids: e1; "
                              "values: 'MISC'")


def test_duplicate_id(folder: Path) -> None:
    def dup(ents: Rows, claims: Rows) -> None:
        ents[2]["id"] = "e2"

    write_annotations(folder, dup)
    res = validate(folder)
    assert res.exit_code == 1
    assert "entities [entities.id_unique]: id is unique: 2 of 5 row(s) fail; ids: e2, e2" \
        in res.stderr


def test_two_annotators_marking_the_same_span_is_agreement_not_a_duplicate(
        folder: Path) -> None:
    def second_annotator(ents: Rows, claims: Rows) -> None:
        ents.append({**ents[0], "id": "e9", "annotator": "ann2"})

    write_annotations(folder, second_annotator)
    res = validate(folder)
    assert res.exit_code == 0, res.output


def test_same_annotator_marking_a_span_twice_fails(folder: Path) -> None:
    def twice(ents: Rows, claims: Rows) -> None:
        ents.append({**ents[0], "id": "e9"})

    write_annotations(folder, twice)
    res = validate(folder)
    assert res.exit_code == 1
    assert ("entities [entities.span_unique]: (doc_id, annotator, start, end, label) is "
            "unique: 2 of 6 row(s) fail") in res.stderr


def test_entity_on_missing_document(folder: Path) -> None:
    def orphan(ents: Rows, claims: Rows) -> None:
        ents[3]["doc_id"] = "ffffffffffffffff"

    write_annotations(folder, orphan)
    res = validate(folder)
    assert res.exit_code == 1
    assert ("entities [entities.doc_exists]: doc_id names a document: 1 of 5 row(s) fail; "
            "ids: e4") in res.stderr


def test_claim_speaker_pointing_to_missing_entity(folder: Path) -> None:
    def nobody(ents: Rows, claims: Rows) -> None:
        claims[0]["speaker_entity_id"] = "e99"

    write_annotations(folder, nobody)
    res = validate(folder)
    assert res.exit_code == 1
    assert ("claims [claims.speaker_in_document]: speaker_entity_id names an entity of the "
            "same document: 1 of 2 row(s) fail; ids: c1") in res.stderr


def test_edit_log_that_does_not_rebuild_the_raw_text(folder: Path) -> None:
    def tamper(rows: Rows) -> None:
        rows[0]["edits"][0]["before"] += "x"

    _rewrite(folder / DOC_FILE, tamper)
    res = validate(folder)
    assert res.exit_code == 1
    assert ("documents [documents.edits_rebuild_raw]: the edit log rebuilds the raw text, "
            f"whose sha256 is raw_sha256: 1 of 1 row(s) fail; ids: {DOC_ID}") in res.stderr


def test_parquet_file_with_a_missing_column(folder: Path) -> None:
    write_annotations(folder)
    _rewrite(folder / ENTITY_FILE, lambda rows: None, drop="label")
    res = validate(folder)
    assert res.exit_code == 1
    assert (f"error: {ENTITY_FILE} [label]: missing column 'label' (the entities schema "
            "requires it)") in res.stderr


def test_truncated_jsonl_line(vproject: Path) -> None:
    src = vproject / "corpus" / "sources.jsonl"
    line = src.read_text(encoding="utf-8").rstrip("\n")
    src.write_text(line[: len(line) // 2], encoding="utf-8")
    res = runner.invoke(app, ["validate"])
    assert res.exit_code == 1
    assert "error: corpus/sources.jsonl:1: the last line is cut short" in res.stderr


# --- the build gate ----------------------------------------------------------------------


def test_build_with_failing_expectation_exits_1_and_leaves_nothing(vproject: Path) -> None:
    suite_file = vproject / "validation" / "documents.json"
    suite = json.loads(suite_file.read_text(encoding="utf-8"))
    for exp in suite["expectations"]:
        if exp["meta"]["check"] == "documents.split_known":
            exp["kwargs"]["value_set"] = ["no-such-split"]
    suite_file.write_text(json.dumps(suite), encoding="utf-8")
    res = runner.invoke(app, ["build"])
    assert res.exit_code == 1
    assert "documents [documents.split_known]: split is train, validation or test: " \
           f"1 of 1 row(s) fail; ids: {DOC_ID}" in res.stderr
    assert not (vproject / "build" / "dataset").exists()
    assert not list((vproject / "build").glob(".dataset.tmp-*"))


def test_build_after_validate_replaces_nothing_it_did_not_write(vproject: Path) -> None:
    # scripts/test.sh runs the data gate first; the README's build must still work after it
    assert runner.invoke(app, ["validate"]).exit_code == 0
    res = runner.invoke(app, ["build"])
    assert res.exit_code == 0, res.output
    assert (vproject / "build" / "validate" / "corpus" / "quality" / "index.html").is_file()
    assert (vproject / "build" / "dataset" / "quality" / "index.html").is_file()


def test_build_publishes_its_quality_report(vproject: Path) -> None:
    res = runner.invoke(app, ["build"])
    assert res.exit_code == 0, res.output
    assert (vproject / "build" / "dataset" / "quality" / "index.html").is_file()


def test_columnwise_schema_check_says_what_record_by_record_says(vproject: Path) -> None:
    from newscorpus.validate.schemas import check_frame, check_table, frame_records

    text = "Iran: Soleimani, Baghdad, Donald Trump."
    ents = [_span(text, w, id=f"e{n}", label="GPE")
            for n, w in enumerate(("Iran", "Soleimani", "Baghdad", "Donald Trump"), start=1)]
    ents[1]["label"], ents[2]["origin"], ents[3]["start"] = "MISC", "bot", -1
    df = pd.DataFrame(ents)
    v = find_project().validator("entity")
    fast = check_frame("entities", df, v, path="data/entities", schema_name="entity")
    slow = check_table("entities", frame_records(df), v, path="data/entities",
                       schema_name="entity")
    assert fast == slow
    assert fast.ids == ("e2", "e3", "e4") and fast.unexpected == 3


# --- release folders: immutable, checked against their manifest and card -----------------


RELEASE = REPO / "releases" / "0.1.0"


@pytest.fixture
def release_copy(vproject: Path) -> Path:
    """A copy of the published release 0.1.0 (with its manifest and report)."""
    out = vproject / "copies" / "0.1.0"
    shutil.copytree(RELEASE, out)
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_validating_a_release_never_writes_into_it(vproject: Path, release_copy: Path
                                                   ) -> None:
    before = _snapshot(release_copy)
    res = validate(release_copy)
    assert res.exit_code == 0, res.output
    assert _snapshot(release_copy) == before  # still matches its manifest.json
    report = vproject / "build" / "validate" / "0.1.0" / "quality" / "index.html"
    assert report.is_file()
    assert f"Data Docs: {report}" in res.stderr
    assert "a release is immutable and is never written to" in res.stderr
    for check in ("manifest.files_sha256", "manifest.no_unlisted_files", "manifest.rows_match",
                  "card.rows_match_data"):
        assert check in res.stderr


def _shift_labels(folder: Path) -> None:
    """Shift every entity ClassLabel int by one: still valid labels, another meaning."""
    n = len(find_project().label_scheme().entity_names)
    _rewrite(folder / ENTITY_FILE, lambda rows: [r.update(label=(r["label"] + 1) % n)
                                                 for r in rows])


def _edit_rows(folder: Path) -> None:
    manifest = folder / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["rows"]["entities"]["train"] = 190
    manifest.write_text(json.dumps(data, indent=2), encoding="utf-8")


@pytest.mark.parametrize(("corrupt", "message"), [
    (_shift_labels,
     f"manifest [manifest.files_sha256]: every file the manifest lists exists with its sha256: "
     f"1 of 19 row(s) fail; ids: {ENTITY_FILE}; {ENTITY_FILE}: sha256 differs from the "
     "manifest"),
    (_edit_rows,
     "manifest [manifest.rows_match]: the manifest's rows per table and split equal the rows "
     "read: 1 of 3 row(s) fail; ids: entities/train; entities/train: the manifest says 190 "
     "row(s), 194 read"),
    (lambda f: (f / "manifest.json").unlink(),
     "manifest [manifest.present]: a release folder has its manifest.json: 1 of 1 row(s) "
     "fail; ids: manifest.json; no manifest.json, yet the folder is a release (it has "
     "CITATION.cff, croissant.json, CHANGES.md)"),
    (lambda f: (f / "data" / "notes.txt").write_text("x", encoding="utf-8"),
     "manifest [manifest.no_unlisted_files]: every file of the folder is listed in the "
     "manifest: 1 of 19 row(s) fail; ids: data/notes.txt; data/notes.txt: not in the "
     "manifest"),
], ids=["shifted-classlabels", "edited-rows", "deleted-manifest", "unlisted-file"])
def test_release_that_differs_from_its_manifest_fails(
        release_copy: Path, corrupt: Callable[[Path], object], message: str) -> None:
    assert len(json.loads((RELEASE / "manifest.json").read_text())["files"]) == 19
    corrupt(release_copy)
    res = validate(release_copy, "--json")
    assert res.exit_code == 1
    assert message in res.stderr
    check = message.split("[", 1)[1].split("]", 1)[0]
    summary = json.loads(res.stdout)
    assert check in {r["check"] for r in summary["results"] if not r["success"]}


def _set_card_count(folder: Path) -> None:
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8")
    assert "    num_examples: 1\n" in text
    card.write_text(text.replace("    num_examples: 1\n", "    num_examples: 2\n", 1),
                    encoding="utf-8")


@pytest.mark.parametrize(("corrupt", "message"), [
    (lambda f: shutil.rmtree(f / "data"),
     "[documents]: no documents table: a dataset folder must have "
     "data/documents/<split>-*.parquet"),
    (_set_card_count,
     "card [card.rows_match_data]: every config the card declares has files, its "
     "num_examples equal the rows read, and every data/<table>/ with Parquet files is a "
     "declared config: 1 of 1 row(s) fail; ids: README.md; documents/train: "
     "the card says 2 row(s), 1 read"),
], ids=["no-data", "card-count"])
def test_folder_whose_data_disagrees_with_its_card_fails(
        folder: Path, corrupt: Callable[[Path], object], message: str) -> None:
    corrupt(folder)
    res = validate(folder)
    assert res.exit_code == 1
    assert message in res.stderr


def test_release_missing_a_declared_config_fails(release_copy: Path) -> None:
    shutil.rmtree(release_copy / "data" / "claims")
    res = validate(release_copy)
    assert res.exit_code == 1
    assert ("card [card.rows_match_data]: every config the card declares has files, its "
            "num_examples equal the rows read, and every data/<table>/ with Parquet files is a "
            "declared config: 1 of 3 row(s) fail; ids: README.md; config "
            "claims is declared but data/claims/ has no Parquet file") in res.stderr


def test_release_with_a_table_the_card_does_not_declare_fails(release_copy: Path) -> None:
    """Parquet files no config names would be shipped but never offered by load_dataset."""
    extra = release_copy / "data" / "relations"
    extra.mkdir()
    shutil.copy(next((release_copy / "data" / "claims").glob("*.parquet")),
                extra / "train-00000-of-00001.parquet")
    res = validate(release_copy)
    assert res.exit_code == 1
    assert ("data/relations/ has Parquet files but the card declares no config relations: "
            "load_dataset would not offer them") in res.stderr


def _latin1_card(folder: Path) -> None:
    card = folder / "README.md"
    card.write_bytes(card.read_bytes().replace(b"pretty_name: newscorpus",
                                               b"pretty_name: newscorpus caf\xe9", 1))


def _bad_front_matter(folder: Path) -> None:
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("dataset_info:\n", "dataset_info: 5\nold_info:\n", 1),
                    encoding="utf-8")


@pytest.mark.parametrize(("corrupt", "message"), [
    (_latin1_card, "README.md: the dataset card is not UTF-8 text (byte 0xe9 at offset "),
    (_bad_front_matter, "README.md [dataset_info]: must be a list of configs, not int"),
], ids=["not-utf8", "dataset_info-int"])
def test_unreadable_card_is_a_message_not_a_traceback(
        release_copy: Path, corrupt: Callable[[Path], object], message: str) -> None:
    corrupt(release_copy)
    res = validate(release_copy)
    assert res.exit_code == 1
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert f"error: {release_copy}/{message}" in res.stderr
    assert "Traceback" not in res.output
