"""The Label Studio round trip against the REAL server that scripts/test.sh starts.

Every test makes its own project (a unique title) and deletes it afterwards; the only fake
server of the suite is in test_annotate_garbage.py.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newscorpus.annotate import load_annotations, pull, push
from newscorpus.annotate.convert import result_from_records
from newscorpus.annotate.labelstudio import Client, connect
from newscorpus.model.errors import LabelStudioError, RecordError
from newscorpus.model.records import Claim, Document, Entity, Span
from newscorpus.pipeline import iter_documents
from newscorpus.project import Project

pytestmark = pytest.mark.labelstudio
runner = CliRunner()


def _docs(project: Project) -> list[Document]:
    """The corpus's documents, as the CLI hands them to push and pull."""
    return list(iter_documents(project))


def _app():  # type: ignore[no-untyped-def]
    from newscorpus.cli.main import app

    return app


@pytest.fixture
def client(ls_env: tuple[str, str]) -> Client:
    return connect()


@pytest.fixture
def title(client: Client) -> Iterator[str]:
    """A project title of this test only; the project is deleted afterwards."""
    name = f"test-{secrets.token_hex(4)}"
    yield name
    pid = client.project_by_title(name)
    if pid is not None:
        client.delete_project(pid)


@pytest.fixture
def seed(seeded_dir: Path) -> tuple[Project, Document]:
    project = Project(seeded_dir)
    return project, next(iter_documents(project))


def _find(doc: Document, text: str, after: int = 0) -> tuple[int, int]:
    s = doc.text.index(text, after)
    return s, s + len(text)


def _annotation(doc: Document) -> list[dict[str, object]]:
    """A small human annotation of the seed: two entities, one claim with speaker and cue."""
    q = "We have woken up to a more dangerous world"
    cs, ce = _find(doc, q)
    ss, se = _find(doc, "Amélie de Montchalin")
    gs, ge = _find(doc, "Iran")
    us, ue = _find(doc, "said", ce)
    ents = [Entity(doc.id, "x:x:e1", ss, se, doc.text[ss:se], "PERSON", "", "human"),
            Entity(doc.id, "x:x:e2", gs, ge, "Iran", "GPE", "", "human")]
    claim = Claim(doc.id, "x:x:c1", cs, ce, q, "opinion", False, "x:x:e1",
                  Span(us, ue, "said"), "", "human")
    return result_from_records(ents, [claim])


def _task_id(client: Client, title: str) -> int:
    pid = client.project_by_title(title)
    assert pid is not None
    (task,) = client.tasks(pid)
    return task.id


def _pulled(root: Path) -> dict[str, str]:
    folder = root / "annotations" / "labelstudio"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.json"))}


def test_push_then_pull_round_trips_a_human_annotation(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, doc = seed
    rep = push(project, client, documents=_docs(project), title=title)
    assert (rep.created, rep.predictions) == (1, 1)
    tid = _task_id(client, title)
    client.create_annotation(tid, _annotation(doc), lead_time=3.0)
    got = pull(project, client, documents=_docs(project), title=title)
    assert got.annotations == {"submitted": 1}
    ents, claims = load_annotations(project, [doc])
    assert sorted((e.text, e.label) for e in ents) == [("Amélie de Montchalin", "PERSON"),
                                                      ("Iran", "GPE")]
    (c,) = claims
    assert c.text == "We have woken up to a more dangerous world"
    assert c.cue is not None and c.cue.text == "said"
    speaker = next(e for e in ents if e.id == c.speaker_entity_id)
    assert speaker.text == "Amélie de Montchalin"
    assert {e.origin for e in ents} == {"human"} and c.annotator == "user-" + c.annotator[5:]
    for e in ents:
        assert doc.text[e.start:e.end] == e.text


def test_push_twice_creates_no_duplicate(client: Client, title: str,
                                         seed: tuple[Project, Document]) -> None:
    project, _ = seed
    push(project, client, documents=_docs(project), title=title)
    again = push(project, client, documents=_docs(project), title=title)
    assert (again.created, again.unchanged) == (0, 1)
    pid = client.project_by_title(title)
    assert pid is not None and len(client.tasks(pid)) == 1


def test_cli_push_and_pull_twice_changes_nothing(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, doc = seed
    res = runner.invoke(_app(), ["annotate", "push", "--title", title])
    assert res.exit_code == 0, res.stderr
    client.create_annotation(_task_id(client, title), _annotation(doc))
    first = runner.invoke(_app(), ["annotate", "pull", "--title", title])
    assert first.exit_code == 0, first.stderr
    assert first.stdout.strip() == f"annotations/labelstudio/{doc.id}.json"
    before = _pulled(project.root)
    second = runner.invoke(_app(), ["annotate", "pull", "--title", title])
    assert second.exit_code == 0 and second.stdout == ""
    assert _pulled(project.root) == before


def test_pulled_file_is_sorted_stable_json(client: Client, title: str,
                                           seed: tuple[Project, Document]) -> None:
    project, doc = seed
    push(project, client, documents=_docs(project), title=title)
    client.create_annotation(_task_id(client, title), _annotation(doc))
    pull(project, client, documents=_docs(project), title=title)
    text = _pulled(project.root)[f"{doc.id}.json"]
    data = json.loads(text)
    result = data["annotations"][0]["result"]
    starts = [r["value"]["start"] for r in result if "value" in r]
    assert starts == sorted(starts)
    lines = text.splitlines()
    for region in result:  # one line per region, keys sorted: a diff names the region
        assert any(line.strip().rstrip(",") == json.dumps(region, ensure_ascii=False,
                                                          sort_keys=True) for line in lines)
    assert list(data) == sorted(data) and text.endswith("}\n")
    assert data["predictions"][0]["model_version"].startswith("newscorpus-rules@")


def test_several_annotators_are_all_kept(client: Client, title: str,
                                         seed: tuple[Project, Document]) -> None:
    project, doc = seed
    push(project, client, documents=_docs(project), title=title)
    tid = _task_id(client, title)
    other = client.create_user(f"ann-{secrets.token_hex(3)}@example.org")
    client.create_annotation(tid, _annotation(doc))
    client.create_annotation(tid, _annotation(doc)[:1], completed_by=other)
    pull(project, client, documents=_docs(project), title=title)
    ents, claims = load_annotations(project, [doc])
    by = {}
    for e in ents:
        by.setdefault(e.annotator, []).append(e.text)
    assert len(by) == 2 and sorted(map(len, by.values())) == [1, 2]
    assert len(claims) == 1


def test_deleted_and_updated_annotations_are_reflected(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, doc = seed
    push(project, client, documents=_docs(project), title=title)
    tid = _task_id(client, title)
    keep = client.create_annotation(tid, _annotation(doc))
    gone = client.create_annotation(tid, _annotation(doc))
    pull(project, client, documents=_docs(project), title=title)
    assert len(load_annotations(project, [doc])[1]) == 2
    client.delete_annotation(gone)
    client.update_annotation(keep, _annotation(doc)[:1])  # only the person is left
    pull(project, client, documents=_docs(project), title=title)
    ents, claims = load_annotations(project, [doc])
    assert [e.text for e in ents] == ["Amélie de Montchalin"] and claims == []


def test_skipped_and_draft_annotations_give_no_records(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, doc = seed
    push(project, client, documents=_docs(project), title=title)
    tid = _task_id(client, title)
    client.create_annotation(tid, [], was_cancelled=True)
    client.create_draft(tid, _annotation(doc))
    rep = pull(project, client, documents=_docs(project), title=title)
    assert rep.annotations == {"skipped": 1} and rep.drafts == 1
    data = json.loads(_pulled(project.root)[f"{doc.id}.json"])
    assert [a["status"] for a in data["annotations"]] == ["skipped"]
    assert sum(data["drafts_not_pulled"].values()) == 1
    assert load_annotations(project, [doc]) == ([], [])


def test_unknown_label_from_the_server_is_rejected(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, doc = seed
    push(project, client, documents=_docs(project), title=title)
    result = _annotation(doc)
    result[0]["value"]["labels"] = ["POLITICIAN"]  # type: ignore[index]
    client.create_annotation(_task_id(client, title), result)  # the server accepts it
    res = runner.invoke(_app(), ["annotate", "pull", "--title", title])
    assert res.exit_code == 1
    assert "'POLITICIAN' is not in the label scheme" in res.stderr
    assert "annotation" in res.stderr and "value.labels" in res.stderr
    assert not (project.root / "annotations" / "labelstudio").exists()


def test_span_text_mismatch_is_rejected_and_nothing_written(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, doc = seed
    push(project, client, documents=_docs(project), title=title)
    result = _annotation(doc)
    result[0]["value"]["text"] = "Amelie de Montchalin"  # type: ignore[index]
    client.create_annotation(_task_id(client, title), result)
    with pytest.raises(RecordError) as info:
        pull(project, client, documents=_docs(project), title=title)
    msg = str(info.value)
    assert "task " in msg and "annotation " in msg and "value.text" in msg
    assert not (project.root / "annotations" / "labelstudio").exists()


def test_task_whose_text_no_longer_matches_the_corpus_is_refused(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, doc = seed
    stale = dataclasses.replace(doc, text=doc.text.replace("We have woken", "We had woken", 1))
    push(project, client, title=title, documents=[stale])
    res = runner.invoke(_app(), ["annotate", "pull", "--title", title])
    assert res.exit_code == 1
    assert "no longer matches" in res.stderr and "annotate push" in res.stderr
    assert "[data.text]" in res.stderr


def test_changed_text_is_pushed_and_annotations_reanchored(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, doc = seed
    old = dataclasses.replace(doc, text=doc.text.replace("The killing on", "The  killing on", 1))
    assert old.text != doc.text
    push(project, client, title=title, documents=[old])
    tid = _task_id(client, title)
    client.create_annotation(tid, _annotation(old))
    client.create_annotation(tid, _annotation(old), was_cancelled=True)  # skipped, with spans
    client.create_draft(tid, _annotation(old))  # someone's unfinished work on the same task
    # the real text: one space less before all spans
    rep = push(project, client, documents=_docs(project), title=title)
    assert (rep.updated, rep.reanchored, rep.drafts_reanchored, rep.flagged) == (1, 2, 1, [])
    pull(project, client, documents=_docs(project), title=title)
    ents, (claim,) = load_annotations(project, [doc])
    assert claim.text == "We have woken up to a more dangerous world"
    assert {e.text for e in ents} == {"Amélie de Montchalin", "Iran"}
    (draft,) = client.drafts(tid)
    for work in [draft, *client.annotations(tid)]:  # drafts and skipped annotations moved too
        for item in work["result"]:
            v = item.get("value") or {}
            if "start" in v:
                assert doc.text[v["start"]:v["end"]] == v["text"]


def test_server_down_names_the_url_and_how_to_start_it(
        seed: tuple[Project, Document], monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once closed: nobody listens there
    monkeypatch.setenv("LABEL_STUDIO_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "x" * 40)
    for cmd in ("push", "pull"):
        res = runner.invoke(_app(), ["annotate", cmd])
        assert res.exit_code == 1
        assert f"cannot reach Label Studio at http://127.0.0.1:{port}" in res.stderr
        assert "scripts/labelstudio.py serve" in res.stderr
        assert "Traceback" not in res.stderr


def test_wrong_token_is_a_401_that_never_shows_the_token(
        ls_env: tuple[str, str], seed: tuple[Project, Document],
        monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "wrong" + secrets.token_hex(16)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", wrong)
    res = runner.invoke(_app(), ["annotate", "pull"])
    assert res.exit_code == 1
    assert "refused the token (401)" in res.stderr and ls_env[0] in res.stderr
    assert wrong not in res.stderr + res.stdout
    with pytest.raises(LabelStudioError) as info:
        connect().whoami()
    assert info.value.status == 401 and info.value.url == ls_env[0]


def test_missing_project_id_is_refused(client: Client, seed: tuple[Project, Document]) -> None:
    for cmd in ("push", "pull"):
        res = runner.invoke(_app(), ["annotate", cmd, "--project-id", "987654"])
        assert res.exit_code == 1
        assert "has no project 987654" in res.stderr


def test_missing_token_and_bad_project_id_are_usage_errors(seeded_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    res = runner.invoke(_app(), ["annotate", "pull", "--project-id", "zero"])
    assert res.exit_code == 2
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    res = runner.invoke(_app(), ["annotate", "pull"])
    assert res.exit_code == 1 and "LABEL_STUDIO_API_KEY" in res.stderr


def test_pull_from_another_server_never_erases_committed_annotations(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, doc = seed
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "annotations", project.root / "annotations", dirs_exist_ok=True)
    before = _pulled(project.root)
    committed = load_annotations(project, [doc])
    assert committed[0], "the shipped corpus has human annotations of the seed"
    # a project that has never seen these annotations
    push(project, client, documents=_docs(project), title=title)
    tid = _task_id(client, title)
    for _ in range(2):  # ids 1 and 2 on a fresh server: id 2 is also the committed one's id
        client.create_annotation(tid, _annotation(doc))
    with pytest.raises(RecordError, match=r"another project or server|no longer has") as err:
        pull(project, client, documents=_docs(project), title=title)
    assert f"{doc.id}.json [annotations]" in str(err.value)
    assert _pulled(project.root) == before
    # meant: the server's work replaces it
    pull(project, client, documents=_docs(project), title=title, replace=True)
    ents, claims = load_annotations(project, [doc])
    assert (len(ents), len(claims)) == (4, 2)
    assert len({e.id for e in ents}) == 4


def test_pull_refuses_when_every_annotation_vanished(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, doc = seed
    push(project, client, documents=_docs(project), title=title)
    ann = client.create_annotation(_task_id(client, title), _annotation(doc))
    pull(project, client, documents=_docs(project), title=title)
    client.delete_annotation(ann)
    with pytest.raises(RecordError, match="no longer has"):
        pull(project, client, documents=_docs(project), title=title)
    assert len(load_annotations(project, [doc])[0]) == 2
    pull(project, client, documents=_docs(project), title=title, replace=True)
    assert load_annotations(project, [doc]) == ([], [])


def _with_committed_annotations(project: Project) -> None:
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "annotations", project.root / "annotations", dirs_exist_ok=True)


def test_restore_on_a_fresh_server_brings_the_corpus_annotations_back_unchanged(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    """A new annotator's server starts from the corpus: same records after a round trip."""
    project, doc = seed
    _with_committed_annotations(project)
    committed = load_annotations(project, [doc])
    assert len(committed[0]) > 100, "the shipped seed annotation"
    rep = push(project, client, documents=_docs(project), title=title, restore=True)
    assert (rep.created, rep.restored) == (1, 1)
    (ann,) = client.annotations(_task_id(client, title))
    by = ann["completed_by"]
    assert client.user_id("annotator-1@example.org") == (by["id"] if isinstance(by, dict)
                                                         else by)
    # no --replace needed: same lineage
    pulled = pull(project, client, documents=_docs(project), title=title)
    assert pulled.annotations == {"submitted": 1}
    assert load_annotations(project, [doc]) == committed  # ids, spans, labels, annotators
    again = pull(project, client, documents=_docs(project), title=title)
    assert again.written == []


def test_restored_annotation_edited_on_the_server_keeps_its_id_and_annotator(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, doc = seed
    _with_committed_annotations(project)
    ents, _ = load_annotations(project, [doc])
    push(project, client, documents=_docs(project), title=title, restore=True)
    tid = _task_id(client, title)
    (ann,) = client.annotations(tid)
    dropped = next(r for r in ann["result"] if r["from_name"] == "entities"
                   and not any(x.get("to_id") == r["id"] for x in ann["result"]))
    client.update_annotation(int(ann["id"]), [r for r in ann["result"] if r is not dropped])
    other = client.create_annotation(  # a second annotator's work
        tid, _annotation(doc), completed_by=client.user_id("second@example.org"))
    pull(project, client, documents=_docs(project), title=title)
    after, _ = load_annotations(project, [doc])
    restored = [e for e in after if e.annotator == "annotator-1"]
    assert {e.id for e in restored} == {e.id for e in ents} - {f"{doc.id}:2:{dropped['id']}"}
    (added,) = {e.id.split(":")[1] for e in after if e.annotator != "annotator-1"}
    assert added.endswith(f"-{other}"), "namespaced by the restore, never a committed id"
    assert len({e.id for e in after}) == len(after)


def test_two_servers_restored_from_one_commit_cannot_erase_each_others_work(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    """B and C restored side by side; B's new work is pulled; a pull from C is refused."""
    project, doc = seed
    _with_committed_annotations(project)
    title_c = f"{title}-c"
    try:
        push(project, client, documents=_docs(project), title=title, restore=True)
        push(project, client, documents=_docs(project), title=title_c, restore=True)
        ann_b = client.create_annotation(_task_id(client, title), _annotation(doc),
                                         completed_by=client.user_id("b@example.org"))
        ann_c = client.create_annotation(_task_id(client, title_c), _annotation(doc),
                                         completed_by=client.user_id("c@example.org"))
        pull(project, client, documents=_docs(project), title=title)
        before = _pulled(project.root)
        ids = [a["id"] for a in json.loads(before[f"{doc.id}.json"])["annotations"]]
        assert ids[0] == 2 and len(ids) == 2 and str(ids[1]).endswith(f"-{ann_b}")
        with pytest.raises(RecordError, match=r"has changed since .* was restored") as err:
            # C's annotation ann_c would replace B's
            pull(project, client, documents=_docs(project), title=title_c)
        assert f"{doc.id}.json [annotations]" in str(err.value)
        assert _pulled(project.root) == before
        assert ann_c > 0
    finally:
        pid = client.project_by_title(title_c)
        if pid is not None:
            client.delete_project(pid)


def test_restore_that_stopped_halfway_is_refused_by_pull_and_finished_by_push(
        client: Client, title: str, seed: tuple[Project, Document],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The one fake here: the server failing mid-restore, which a healthy server won't do
    on demand. Everything else is the real server."""
    project, doc = seed
    _with_committed_annotations(project)
    committed = load_annotations(project, [doc])

    def down(*args: object, **kw: object) -> int:
        raise LabelStudioError("connection reset (injected)")

    with monkeypatch.context() as m:
        m.setattr(client, "create_annotation", down)
        with pytest.raises(LabelStudioError, match="injected"):
            push(project, client, documents=_docs(project), title=title, restore=True)
    with pytest.raises(RecordError, match="has not finished restoring"):
        pull(project, client, documents=_docs(project), title=title)
    rep = push(project, client, documents=_docs(project), title=title, restore=True)
    assert (rep.created, rep.restored) == (0, 1)
    assert len(client.annotations(_task_id(client, title))) == 1
    pull(project, client, documents=_docs(project), title=title)
    assert load_annotations(project, [doc]) == committed
    again = push(project, client, documents=_docs(project), title=title, restore=True)
    assert again.restored == 0 and len(client.annotations(_task_id(client, title))) == 1


def test_cli_push_restore_reports_what_it_restored(
        client: Client, title: str, seed: tuple[Project, Document]) -> None:
    project, _ = seed
    _with_committed_annotations(project)
    res = runner.invoke(_app(), ["annotate", "push", "--restore", "--title", title])
    assert res.exit_code == 0, res.stderr
    assert "1 task(s) created" in res.stderr
    assert "1 committed annotation(s) restored" in res.stderr
    again = runner.invoke(_app(), ["annotate", "push", "--restore", "--title", title])
    assert "1 unchanged" in again.stderr and "0 committed annotation(s) restored" in again.stderr


def test_plain_push_then_restore_fills_the_empty_task(
        client: Client, title: str, seed: tuple[Project, Document],
        caplog: pytest.LogCaptureFixture) -> None:
    """The README's old order (push, then push --restore) still ends with the corpus there."""
    project, doc = seed
    _with_committed_annotations(project)
    committed = load_annotations(project, [doc])
    with caplog.at_level("WARNING"):
        assert push(project, client, documents=_docs(project), title=title).restored == 0
    assert "annotate push --restore" in caplog.text
    rep = push(project, client, documents=_docs(project), title=title, restore=True)
    assert (rep.created, rep.unchanged, rep.restored) == (0, 1, 1)
    pull(project, client, documents=_docs(project), title=title)
    assert load_annotations(project, [doc]) == committed


def test_restore_that_stopped_after_making_an_annotation_adopts_it_instead_of_doubling(
        client: Client, title: str, seed: tuple[Project, Document],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake fault (the server dropping the call that records the annotation just made):
    the next push finds the annotation on the task and records it, making no second one."""
    project, doc = seed
    _with_committed_annotations(project)
    committed = load_annotations(project, [doc])
    real = client.update_task_data
    calls = []

    def flaky(task_id: int, data: object) -> None:
        calls.append(task_id)
        if len(calls) == 2:  # 1: the pending list, 2: the record after the annotation
            raise LabelStudioError("connection reset (injected)")
        real(task_id, data)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(client, "update_task_data", flaky)
        with pytest.raises(LabelStudioError, match="injected"):
            push(project, client, documents=_docs(project), title=title, restore=True)
    assert len(client.annotations(_task_id(client, title))) == 1
    assert push(project, client, documents=_docs(project), title=title, restore=True).restored == 1
    assert len(client.annotations(_task_id(client, title))) == 1
    pull(project, client, documents=_docs(project), title=title)
    assert load_annotations(project, [doc]) == committed
