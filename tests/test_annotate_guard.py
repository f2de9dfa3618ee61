"""The pull guard and the restore bookkeeping, as pure functions (no server).

The real-server round trips are in test_annotate_labelstudio.py; these pin the decisions on
states a healthy server does not produce on demand (a cloned server, a crash between two calls).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newscorpus.annotate import sync
from newscorpus.annotate.convert import Restorable, restorable
from newscorpus.annotate.labelstudio import RemoteTask
from newscorpus.model.errors import RecordError
from newscorpus.model.records import Document, Source
from newscorpus.project import Project
from tests.conftest import REPO


def _file(tmp_path: Path, content: dict[str, Any]) -> Path:
    path = tmp_path / "d.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def _ann(aid: Any, who: str, status: str = "submitted") -> dict[str, Any]:
    return {"id": aid, "annotator": who, "status": status, "result": []}


def test_same_stamp_but_another_author_for_an_id_is_refused(tmp_path: Path) -> None:
    """A copy of a server shares its stamp: an id whose author differs gives it away."""
    old = {"origin": "s1", "task_id": 1, "annotations": [_ann("s1-1", "a1"), _ann("s1-4", "a1")]}
    new = {"origin": "s1", "task_id": 1, "annotations": [_ann("s1-1", "a1"), _ann("s1-4", "a2")]}
    with pytest.raises(RecordError, match="annotation s1-4 is by another annotator"):
        sync._refuse_foreign_overwrite(_file(tmp_path, old), new, "srv", "d.json")


def test_same_server_may_delete_some_annotations(tmp_path: Path) -> None:
    old = {"origin": "s1", "task_id": 1, "annotations": [_ann("s1-1", "a1"), _ann("s1-2", "a2")]}
    new = {"origin": "s1", "task_id": 1, "annotations": [_ann("s1-1", "a1")]}
    sync._refuse_foreign_overwrite(_file(tmp_path, old), new, "srv", "d.json")


def test_file_with_only_skips_is_protected_from_another_server(tmp_path: Path) -> None:
    old = {"origin": "s1", "task_id": 1, "annotations": [_ann("s1-1", "a1", "skipped")]}
    new = {"origin": "s2", "task_id": 1, "annotations": []}
    with pytest.raises(RecordError, match="another project or server"):
        sync._refuse_foreign_overwrite(_file(tmp_path, old), new, "srv", "d.json")


def test_a_file_with_a_duplicate_annotation_id_cannot_be_restored() -> None:
    content = json.loads((REPO / "annotations/labelstudio/19efab646f741469.json").read_text())
    content["annotations"] = [content["annotations"][0], dict(content["annotations"][0])]
    project = Project(REPO)
    from newscorpus.pipeline import iter_documents

    doc = next(iter_documents(project))
    with pytest.raises(RecordError, match="annotation id 2 appears twice"):
        restorable(content, doc, project.label_scheme(), where="f.json")


class _Client:
    """Records calls; the server already has annotation 101 (made just before a crash)."""

    url = "http://fake"

    def __init__(self) -> None:
        self.on_server = [{"id": 101, "completed_by": 7, "result": []}]
        self.created: list[int] = []
        self.data: dict[str, Any] = {}

    def annotations(self, task_id: int) -> list[dict[str, Any]]:
        return list(self.on_server)

    def create_annotation(self, task_id: int, result: Any, **kw: Any) -> int:
        sid = 200 + len(self.created)
        self.created.append(sid)
        return sid

    def update_task_data(self, task_id: int, data: dict[str, Any]) -> None:
        self.data = data


def test_resume_adopts_one_server_annotation_for_one_committed_annotation() -> None:
    """Two identical skips by one annotator; the first was made before the crash: the
    resume adopts it for one of them and makes the other, never one for both."""
    doc = Document("0123456789abcdef", Source(), None, "Text.", "x", "0.3.0", (), "train")
    todo = [Restorable("a-5", "ann", True, False, []), Restorable("a-9", "ann", True, False, [])]
    rec = {"from_origin": "a", "task_id": 3, "base": "b", "annotations": {},
           "pending": ["a-5", "a-9"]}
    client = _Client()
    remote = RemoteTask(1, doc.id, doc.text, None, rec, None)  # pushed before stamps
    n = sync._restore(client, remote, doc, {}, todo, {"ann": 7}, "s1")  # type: ignore[arg-type]
    assert n == 2 and client.created == [200]
    restored = client.data["newscorpus_restored"]
    assert restored["pending"] == []
    assert sorted(v["id"] for v in restored["annotations"].values()) == ["a-5", "a-9"]
    assert set(restored["annotations"]) == {"101", "200"}
    assert client.data["newscorpus_origin"] == "s1", "the project's stamp, so new ids are unique"
