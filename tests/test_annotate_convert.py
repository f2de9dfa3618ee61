"""Pure conversions: records <-> Label Studio JSON, checks, re-anchoring, pre-annotation."""

from __future__ import annotations

from typing import Any

import pytest

from newscorpus.annotate.convert import (
    ORIGIN_KEY,
    RESTORED_KEY,
    file_records,
    pulled_file,
    reanchor_result,
    records_from_result,
    result_from_records,
)
from newscorpus.annotate.prelabel import ORIGIN, gazetteer, prelabel
from newscorpus.model.errors import RecordError
from newscorpus.model.labels import LabelScheme
from newscorpus.model.records import Claim, Document, Edit, Entity, Source, Span
from newscorpus.normalize import normalize
from newscorpus.project import Project
from tests.conftest import REPO

TEXT = '"Iran will retaliate," said Ian Bond, the director, on Friday.'


def _doc(text: str = TEXT, edits: tuple[Edit, ...] = ()) -> Document:
    return Document("0123456789abcdef", Source(), None, text, "x", "0.1", edits, "train")


@pytest.fixture(scope="module")
def scheme() -> LabelScheme:
    return Project(REPO).label_scheme()


def _records(doc: Document) -> tuple[list[Entity], list[Claim]]:
    s = doc.text.index("Ian Bond")
    q = doc.text.index("Iran will")
    cue = doc.text.index("said")
    ent = Entity(doc.id, "a:1:e1", s, s + 8, "Ian Bond", "PERSON", "ann", "human")
    claim = Claim(doc.id, "a:1:c1", q, q + 19, "Iran will retaliate", "prediction", True,
                  "a:1:e1", Span(cue, cue + 4, "said"), "ann", "human")
    return [ent], [claim]


def _read(result: list[dict[str, Any]], doc: Document, scheme: LabelScheme
          ) -> tuple[list[Entity], list[Claim]]:
    return records_from_result(result, doc=doc, scheme=scheme, annotation="1",
                               annotator="ann", origin="human", name="task 7 annotation 1")


def test_records_round_trip_through_label_studio_json(scheme: LabelScheme) -> None:
    doc = _doc()
    ents, claims = _records(doc)
    back_e, back_c = _read(result_from_records(ents, claims), doc, scheme)
    assert [(e.text, e.label) for e in back_e] == [("Ian Bond", "PERSON")]
    (c,) = back_c
    assert (c.text, c.claim_type, c.checkworthy) == ("Iran will retaliate", "prediction", True)
    assert c.cue == Span(TEXT.index("said"), TEXT.index("said") + 4, "said")
    assert c.speaker_entity_id == back_e[0].id == f"{doc.id}:1:e1"


def _one(result: list[dict[str, Any]], control: str) -> dict[str, Any]:
    return next(r for r in result if r.get("from_name") == control)


@pytest.mark.parametrize(("mutate", "field", "reason"), [
    (lambda r: _one(r, "entities")["value"].update(text="Ian Bont"), "value.text",
     "is not the document's text"),
    (lambda r: _one(r, "entities")["value"].update(labels=["POLITICIAN"]), "value.labels",
     "not in the label scheme"),
    (lambda r: _one(r, "entities")["value"].update(end=10_000), "value.start", "offsets"),
    (lambda r: _one(r, "claim_type")["value"].update(choices=["rumour"]), "value.choices",
     "claim_type must be one of"),
    (lambda r: r.remove(_one(r, "checkworthy")), "checkworthy", "has no checkworthy"),
], ids=["text", "label", "offsets", "claim_type", "missing-checkworthy"])
def test_bad_result_is_rejected_naming_task_annotation_and_field(
        scheme: LabelScheme, mutate: Any, field: str, reason: str) -> None:
    doc = _doc()
    result = result_from_records(*_records(doc))
    mutate(result)
    with pytest.raises(RecordError) as info:
        _read(result, doc, scheme)
    assert info.value.record == "task 7 annotation 1"
    assert field in str(info.value.field) and reason in info.value.reason


def test_speaker_relation_must_point_to_an_entity(scheme: LabelScheme) -> None:
    doc = _doc()
    result = result_from_records(*_records(doc))
    rel = next(r for r in result if r.get("labels") == ["speaker"])
    rel["to_id"] = "c1-cue"
    with pytest.raises(RecordError, match="speaker of claim c1 must be an entity"):
        _read(result, doc, scheme)
    rel["to_id"] = "nowhere"
    with pytest.raises(RecordError, match="does not exist"):
        _read(result, doc, scheme)


def test_cue_without_claim_is_rejected(scheme: LabelScheme) -> None:
    doc = _doc()
    result = [r for r in result_from_records(*_records(doc)) if r.get("labels") != ["cue"]]
    with pytest.raises(RecordError, match="not linked to a claim"):
        _read(result, doc, scheme)


def test_reanchor_moves_spans_after_an_insertion() -> None:
    old = "In Washingtons view, Iran said no."
    new = "In Washington's view, Iran said no."
    result = result_from_records(
        [Entity("d", "a:1:e1", 3, 14, "Washingtons", "GPE", "a", "human"),
         Entity("d", "a:1:e2", 21, 25, "Iran", "GPE", "a", "human")], [])
    moved, flagged = reanchor_result(result, old, new)
    assert [r["value"]["text"] for r in moved] == ["Washington's", "Iran"]
    assert flagged == []


def test_reanchor_flags_a_boundary_inside_changed_text() -> None:
    result = result_from_records([Entity("d", "a:1:e1", 0, 5, "12345", "DATE", "a", "h")], [])
    moved, flagged = reanchor_result(result, "12345 x", "abcdef x")
    assert flagged == ["e1"]
    assert moved[0]["value"]["text"] == "abcdef"


def test_pulled_file_survives_a_new_normaliser_with_no_server(scheme: LabelScheme) -> None:
    raw = "Irans  leader Ali Khamenei warned."
    old = normalize(raw, rules=["whitespace"])
    new = normalize(raw)
    assert old.text != new.text or old.edits != new.edits
    doc_old = _doc(old.text, old.edits)
    s = old.text.index("Ali Khamenei")
    ent = Entity(doc_old.id, "x:1:e1", s, s + 12, "Ali Khamenei", "PERSON", "a", "human")
    task = {"id": 3, "data": {"text": old.text},
            "annotations": [{"id": 9, "completed_by": {"id": 1, "email": "a@x.org"},
                             "result": result_from_records([ent], [])}]}
    got = pulled_file(task, doc_old, scheme, names={"a@x.org": "annotator-1"}, where="t")
    doc_new = _doc(new.text, new.edits)
    (e,) = file_records(got.content, doc_new, scheme, where="f.json")[0]
    assert e.text == "Ali Khamenei" and new.text[e.start:e.end] == e.text
    assert e.annotator == "annotator-1"


def test_restore_record_gives_back_committed_ids_and_annotators(scheme: LabelScheme) -> None:
    """What push --restore writes into a task's data, read back by pull (no server)."""
    doc = _doc()
    s = doc.text.index("Ian Bond")
    ent = Entity(doc.id, "x:1:e1", s, s + 8, "Ian Bond", "PERSON", "a", "human")
    result = result_from_records([ent], [])
    rec = {"from_origin": None, "task_id": 1, "base": "b", "pending": [],
           "annotations": {"7": {"id": 2, "annotator": "annotator-1"}}}
    task = {"id": 40, "data": {"text": doc.text, ORIGIN_KEY: "s1", RESTORED_KEY: rec},
            "annotations": [
                {"id": 7, "completed_by": {"id": 5, "email": "new@x.org"}, "result": result},
                {"id": 8, "completed_by": {"id": 6, "email": "b@x.org"}, "result": result}]}
    got = pulled_file(task, doc, scheme, names={"b@x.org": "annotator-2"}, where="t")
    assert (got.content["origin"], got.content["task_id"]) == ("s1", 40)
    assert got.content["restored_from"] == {"from_origin": None, "task_id": 1, "base": "b",
                                            "pending": []}
    assert [(a["id"], a["annotator"]) for a in got.content["annotations"]] == [
        (2, "annotator-1"), ("s1-8", "annotator-2")]  # made on this server: its stamp
    assert sorted(e.id for e in got.entities) == [f"{doc.id}:2:e1", f"{doc.id}:s1-8:e1"]


@pytest.mark.parametrize("bad", [[1, 2], {"base": "b", "annotations": {"7": {"id": 2}}},
                                 {"base": "b", "annotations": {"7": {"id": [2]}}},
                                 {"annotations": {}}, {"base": "b", "annotations": {},
                                                       "pending": 3}])
def test_malformed_restore_map_names_the_task_and_field(scheme: LabelScheme, bad: Any) -> None:
    doc = _doc()
    task = {"id": 40, "data": {"text": doc.text, RESTORED_KEY: bad}, "annotations": []}
    with pytest.raises(RecordError, match=rf"task 40 \[data\.{RESTORED_KEY}\]"):
        pulled_file(task, doc, scheme, names={}, where="t")


def test_prelabel_finds_attribution_patterns() -> None:
    text = ("“Troops are exposed,” said Ellie Geranmayeh. "
            "“The US acted alone,” Geranmayeh told FRANCE 24. "
            "Borzou Daragahi said it was unlikely Iran would respond. "
            "The strike was legal, according to Mike Pompeo.")
    ents, claims = prelabel(_doc(text), {"FRANCE 24": "ORG"})
    got = {(c.text, c.cue.text if c.cue else None) for c in claims}
    assert got == {("Troops are exposed", "said"), ("The US acted alone", "told"),
                   ("it was unlikely Iran would respond", "said"),
                   ("The strike was legal", "according to")}
    by_id = {e.id: e.text for e in ents}
    speakers = sorted(by_id[c.speaker_entity_id] for c in claims if c.speaker_entity_id)
    assert speakers == ["Borzou Daragahi", "Ellie Geranmayeh", "Geranmayeh", "Mike Pompeo"]
    assert ("FRANCE 24", "ORG") in {(e.text, e.label) for e in ents}
    assert {e.origin for e in ents} | {c.origin for c in claims} == {ORIGIN}


def test_gazetteer_learns_from_human_annotations_only() -> None:
    human = Entity("d", "1", 0, 4, "Quds", "ORG", "a", "human")
    model = Entity("d", "2", 0, 4, "Quds", "GPE", "m", ORIGIN)
    assert gazetteer([human, model, model]) == {"Quds": "ORG"}


def test_committed_annotations_match_the_current_corpus_text() -> None:
    """The shipped seed annotations load with no server, re-anchored if the text changed."""
    from newscorpus.annotate import load_annotations
    from newscorpus.pipeline import iter_documents

    project = Project(REPO)
    docs = list(iter_documents(project))
    ents, claims = load_annotations(project, docs)
    texts = {d.id: d.text for d in docs}
    assert ents and claims
    for e in ents:
        assert texts[e.doc_id][e.start:e.end] == e.text and e.origin == "human"
    ids = {e.id for e in ents}
    for c in claims:
        assert texts[c.doc_id][c.start:c.end] == c.text
        assert c.speaker_entity_id is None or c.speaker_entity_id in ids
        assert c.cue is None or texts[c.doc_id][c.cue.start:c.cue.end] == c.cue.text
    assert {e.annotator for e in ents} == {"annotator-1"}
