"""Push documents to Label Studio, pull annotations back, load pulled annotations offline.

The committed files under ``annotations/labelstudio/`` are the source of truth (DESIGN.md);
the server is where annotators work. ``push`` is idempotent (Label Studio happily imports the
same task twice, so existing ``data.doc_id``s are listed first); ``pull`` checks every task
before it writes any file, and writes a file only when its content changed, so pulling twice
changes nothing.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newscorpus._fs import write_atomic
from newscorpus.annotate.config import label_config
from newscorpus.annotate.convert import (
    ORIGIN_KEY,
    RESTORED_KEY,
    Restorable,
    annotations_digest,
    file_records,
    id_key,
    pulled_file,
    reanchor_result,
    restorable,
    restore_record,
    result_from_records,
    task_data,
    text_sha256,
)
from newscorpus.annotate.prelabel import MODEL_VERSION, gazetteer, prelabel
from newscorpus.model.errors import LabelStudioError, RecordError
from newscorpus.model.labels import LabelScheme
from newscorpus.model.records import Claim, Document, Entity
from newscorpus.project import Project

if TYPE_CHECKING:  # the SDK takes ~1 s to import: `newscorpus build` never needs it
    from newscorpus.annotate.labelstudio import Client, RemoteTask

__all__ = [
    "PullReport",
    "PushReport",
    "Settings",
    "load_annotations",
    "pull",
    "push",
    "resolve_project",
]

log = logging.getLogger(__name__)

SETTINGS_FILE = "labelstudio.json"
PULL_DIR = "labelstudio"


@dataclass(frozen=True, slots=True)
class Settings:
    """``annotations/labelstudio.json``: committed, no secrets (URL and token are env only)."""

    project_title: str = "newscorpus"
    annotators: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, project: Project) -> Settings:
        path = project.annotations / SETTINGS_FILE
        if not path.exists():
            return cls()
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            return cls(str(d.get("project_title") or "newscorpus"),
                       {str(k): str(v) for k, v in (d.get("annotators") or {}).items()})
        except (OSError, ValueError, AttributeError) as exc:
            raise RecordError(f"unreadable: {exc}", path=project.rel(path)) from exc


def pull_dir(project: Project) -> Path:
    return project.annotations / PULL_DIR


def resolve_project(client: Client, scheme: LabelScheme, *, project_id: int | None,
                    title: str, create: bool) -> int:
    """The project to use: ``project_id`` if given (it must exist), else the one titled
    ``title`` (created with the generated config when ``create``)."""
    if project_id is not None:
        if not client.project_exists(project_id):
            raise LabelStudioError(f"Label Studio at {client.url} has no project {project_id}",
                                   url=client.url, status=404)
        return project_id
    found = client.project_by_title(title)
    if found is not None:
        return found
    if not create:
        raise LabelStudioError(f"Label Studio at {client.url} has no project titled "
                               f"{title!r}: push first, or pass --project-id", url=client.url,
                               status=404)
    log.info("creating project %r", title)
    return client.create_project(title, label_config(scheme))


# --------------------------------------------------------------------------- push


@dataclass
class PushReport:
    """What a push did; ``flagged`` lists regions a text change left uncertain."""

    project_id: int = 0
    created: int = 0
    unchanged: int = 0
    updated: int = 0
    reanchored: int = 0
    drafts_reanchored: int = 0
    predictions: int = 0
    restored: int = 0
    flagged: list[str] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)


def _prediction(doc: Document, gaz: Mapping[str, str]) -> dict[str, Any] | None:
    ents, claims = prelabel(doc, gaz)
    if not ents and not claims:
        return None
    return {"model_version": MODEL_VERSION, "score": 0.5,
            "result": result_from_records(ents, claims)}


def push(project: Project, client: Client, *, project_id: int | None = None,
         title: str | None = None, prelabels: bool = True,
         documents: Iterable[Document], restore: bool = False) -> PushReport:
    """Send every document (one task each) with pre-annotations; idempotent.

    A document whose text changed (new normaliser) gets its task updated; its annotations
    and drafts are re-anchored to the new text, its predictions replaced. Regions whose
    boundary fell inside changed text are listed in ``flagged``, never dropped.

    With ``restore``, a document that gets a new task (or has an empty one) also gets its
    committed annotations (``annotations/labelstudio/<doc_id>.json``) re-created on it, each
    by its annotator's account (``annotations/labelstudio.json`` maps accounts to annotators;
    an unmapped annotator gets ``<name>@newscorpus.invalid``). The task remembers which
    committed annotation each one is (``RESTORED_KEY``), so a pull gives back the same ids
    and annotators: a fresh server starts from the corpus, not from predictions alone. Every
    file is checked and every account found before anything is sent; a restore that stops
    halfway is finished by the next ``push --restore``.
    """
    from newscorpus.annotate.labelstudio import RemoteTask

    settings = Settings.load(project)
    scheme = project.label_scheme()
    rep = PushReport()
    rep.project_id = pid = resolve_project(client, scheme, project_id=project_id,
                                           title=title or settings.project_title, create=True)
    if client.label_config(pid).strip() != label_config(scheme).strip():
        log.warning("project %d's labeling config is not the one generated from the label "
                    "scheme: annotators may see labels the pull will refuse (paste the output "
                    "of `newscorpus annotate config` into its settings)", pid)
    by_doc: dict[str, RemoteTask] = {}
    for t in sorted(client.tasks(pid), key=lambda t: t.id):
        if t.doc_id is None:
            continue
        if t.doc_id in by_doc:
            rep.duplicates.append(t.id)
            log.warning("task %d duplicates task %d (document %s): not touched", t.id,
                        by_doc[t.doc_id].id, t.doc_id)
            continue
        by_doc[t.doc_id] = t
    docs = list(documents)
    gaz: dict[str, str] = {}
    if prelabels:
        ents, _ = load_annotations(project, docs, scheme=scheme)
        gaz = gazetteer(ents)
    # what to restore, checked before anything is sent: doc id -> (file content, annotations)
    plans: dict[str, tuple[Mapping[str, Any], list[Restorable]]] = {}
    for doc in docs:
        plan = _restore_plan(project, doc, scheme)
        if plan is None:
            continue
        remote = by_doc.get(doc.id)
        if remote is not None and remote.restored is not None:
            restore_record(remote.restored, where=f"{client.url} project {pid}",
                           task=f"task {remote.id}")
        if not restore:
            if remote is None:
                log.warning("document %s has committed annotations that this server will not "
                            "have (`annotate push --restore` brings them)", doc.id)
            elif remote.restored is not None and remote.restored.get("pending"):
                log.warning("task %d (document %s): a restore stopped halfway; `annotate push "
                            "--restore` finishes it", remote.id, doc.id)
            continue
        if remote is not None and remote.restored is None and client.annotations(remote.id):
            log.warning("task %d (document %s) has annotations made on this server and none "
                        "restored: its committed annotations are not restored there (a pull "
                        "will refuse to drop them)", remote.id, doc.id)
            continue
        if remote is not None and remote.restored is not None \
                and not remote.restored.get("pending"):
            continue  # restored already
        plans[doc.id] = plan
    users: dict[str, int] = {}
    if plans:
        emails = {name: email for email, name in settings.annotators.items()}
        email_of = {a.annotator: emails.get(a.annotator, f"{a.annotator}@newscorpus.invalid")
                    for _, todo in plans.values() for a in todo}
        by_email = client.user_ids(sorted(set(email_of.values())))
        users = {name: by_email[email] for name, email in email_of.items()}
    # the project's stamp: the one its tasks carry, or a new one for a project without any
    stamp = next((t.origin for t in by_doc.values() if t.origin), None) or secrets.token_hex(4)
    new: list[dict[str, Any]] = []
    by_id = {d.id: d for d in docs}
    for doc in docs:
        remote = by_doc.get(doc.id)
        if remote is None:
            task: dict[str, Any] = {"data": _data(doc, stamp)}
            pred = _prediction(doc, gaz) if prelabels else None
            if pred is not None:
                task["predictions"] = [pred]
                rep.predictions += 1
            new.append(task)
            continue
        if remote.text_sha256 == text_sha256(doc.text) and remote.text == doc.text:
            rep.unchanged += 1
        else:
            _update(client, remote, doc, gaz if prelabels else None, rep)
        if doc.id in plans:  # an empty task, or a restore that stopped halfway
            rep.restored += _restore(client, remote, doc, *plans[doc.id], users, stamp)
    ids = client.import_tasks(pid, new)
    rep.created = len(new)
    if len(ids) != len(new):
        raise LabelStudioError(f"{client.url} returned {len(ids)} task id(s) for {len(new)} "
                               "imported task(s)")
    for tid, task in zip(ids, new, strict=True):
        doc_id = task["data"]["doc_id"]
        if doc_id in plans:
            doc = by_id[doc_id]
            fresh = RemoteTask(tid, doc_id, doc.text, text_sha256(doc.text), None, stamp)
            rep.restored += _restore(client, fresh, doc, *plans[doc_id], users, stamp)
    return rep


def _restore_plan(project: Project, doc: Document, scheme: LabelScheme
                  ) -> tuple[Mapping[str, Any], list[Restorable]] | None:
    """The committed annotations of ``doc`` ready to re-create (checked), or None."""
    path = pull_dir(project) / f"{doc.id}.json"
    if not path.is_file():
        return None
    where = project.rel(path)
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordError(f"unreadable: {exc}", path=where) from exc
    todo = restorable(content, doc, scheme, where=where)
    return (content, todo) if todo else None


def _restore(client: Client, remote: RemoteTask, doc: Document, content: Mapping[str, Any],
             todo: Sequence[Restorable], users: Mapping[str, int], stamp: str) -> int:
    """Re-create the committed annotations of ``doc`` on task ``remote``; how many.

    The task's data lists what is still to do (``pending``) before the first annotation is
    made and after each one, so a restore that stops halfway is resumed. An annotation made
    just before a stop, never recorded, is found on the task (same annotator and result)
    and adopted, not made twice; a pending one the committed file no longer has is dropped
    (the file moved on, so pull will want ``--replace`` or a fresh restore). A task pushed
    before stamps existed gets the project's ``stamp`` here: it holds no work but this
    restore's, so no id it gave out changes.
    """
    def data(rec: Mapping[str, Any]) -> dict[str, Any]:
        return _data(doc, remote.origin or stamp, rec)

    if remote.restored is None:
        rec: dict[str, Any] = {
            "from_origin": content.get("origin"), "task_id": content.get("task_id"),
            "base": annotations_digest(content), "annotations": {},
            "pending": sorted((a.id for a in todo), key=id_key)}
        client.update_task_data(remote.id, data(rec))
        on_server: list[dict[str, Any]] = []
    else:
        rec = {**remote.restored, "annotations": dict(remote.restored.get("annotations") or {}),
               "pending": list(remote.restored.get("pending") or [])}
        on_server = [a for a in client.annotations(remote.id)
                     if str(a.get("id")) not in rec["annotations"]]
    wanted = {a.id for a in todo}
    gone = [i for i in rec["pending"] if i not in wanted]
    if gone:
        log.warning("task %d: %d pending annotation(s) are no longer in the committed file; "
                    "dropped from the restore", remote.id, len(gone))
        rec["pending"] = [i for i in rec["pending"] if i in wanted]
        client.update_task_data(remote.id, data(rec))
    n = 0
    for a in todo:
        if a.id not in rec["pending"]:
            continue
        match = next((x for x in on_server if _same_work(x, a, users[a.annotator])), None)
        if match is not None:
            on_server.remove(match)  # one server annotation stands for one committed one
            sid = int(match["id"])
        else:
            sid = client.create_annotation(remote.id, a.result, completed_by=users[a.annotator],
                                           was_cancelled=a.skipped, ground_truth=a.ground_truth)
        rec["annotations"][str(sid)] = {"id": a.id, "annotator": a.annotator}
        rec["pending"] = [i for i in rec["pending"] if i != a.id]
        client.update_task_data(remote.id, data(rec))
        n += 1
    return n


def _same_work(server: Mapping[str, Any], a: Restorable, user: int) -> bool:
    """Is the server's annotation the restored annotation ``a`` (same account and result)?"""
    by = server.get("completed_by")
    uid = by.get("id") if isinstance(by, Mapping) else by

    def key(result: Any) -> list[tuple[str, str, str]]:
        return sorted((str(r.get("id")), str(r.get("from_name")),
                       json.dumps({k: v for k, v in (r.get("value") or {}).items()
                                   if k not in ("raw_start", "raw_end")}, sort_keys=True))
                      for r in result or [])

    return uid == user and key(server.get("result")) == key(a.result)


def _data(doc: Document, origin: str | None, restored: Mapping[str, Any] | None = None
          ) -> dict[str, Any]:
    """A task's data: the document's, the project's stamp and the restore record (kept
    through text updates, so a task never forgets where its annotations came from)."""
    data = task_data(doc)
    if origin is not None:
        data[ORIGIN_KEY] = origin
    if restored is not None:
        data[RESTORED_KEY] = dict(restored)
    return data


def _update(client: Client, remote: RemoteTask, doc: Document, gaz: Mapping[str, str] | None,
            rep: PushReport) -> None:
    old = remote.text or ""
    client.update_task_data(remote.id, _data(doc, remote.origin, remote.restored))
    rep.updated += 1
    for a in client.annotations(remote.id):
        result, flagged = reanchor_result(a.get("result") or [], old, doc.text)
        client.update_annotation(int(a["id"]), result)
        rep.reanchored += 1
        rep.flagged += [f"task {remote.id} annotation {a['id']} region {r}" for r in flagged]
    for d in client.drafts(remote.id):  # unfinished work moves with the text too
        result, flagged = reanchor_result(d.get("result") or [], old, doc.text)
        client.update_draft(int(d["id"]), result)
        rep.drafts_reanchored += 1
        rep.flagged += [f"task {remote.id} draft {d['id']} region {r}" for r in flagged]
    for p in client.predictions(remote.id):
        if gaz is None:  # keep the model's work, moved to the new text
            result, _ = reanchor_result(p.get("result") or [], old, doc.text)
            client.delete_prediction(int(p["id"]))
            client.create_prediction(remote.id, result, model_version=str(p.get("model_version")),
                                     score=float(p.get("score") or 0.0))
        else:
            client.delete_prediction(int(p["id"]))
    if gaz is not None and (pred := _prediction(doc, gaz)) is not None:
        client.create_prediction(remote.id, pred["result"], model_version=MODEL_VERSION,
                                 score=float(pred["score"]))
        rep.predictions += 1


# --------------------------------------------------------------------------- pull


@dataclass
class PullReport:
    """What a pull found and wrote."""

    project_id: int = 0
    tasks: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    annotations: Counter[str] = field(default_factory=Counter)
    drafts: int = 0
    entities: int = 0
    claims: int = 0
    not_in_project: list[str] = field(default_factory=list)


def _dumps(content: Mapping[str, Any]) -> str:
    """Stable, diff-friendly JSON: sorted keys, and one line per region, so a diff shows
    exactly which regions an annotator added, moved or removed.

    >>> print(_dumps({"b": [{"result": [{"id": "e1", "x": 1}, {"id": "e2"}]}], "a": 1}), end="")
    {
      "a": 1,
      "b": [
        {
          "result": [
            {"id": "e1", "x": 1},
            {"id": "e2"}
          ]
        }
      ]
    }
    """
    def dump(v: Any, ind: int, key: str | None = None) -> str:
        pad, inner = "  " * ind, "  " * (ind + 1)
        if key == "result" and isinstance(v, list) and v:
            rows = [inner + json.dumps(r, ensure_ascii=False, sort_keys=True) for r in v]
            return "[\n" + ",\n".join(rows) + f"\n{pad}]"
        if isinstance(v, dict) and v:
            rows = [f"{inner}{json.dumps(k)}: {dump(v[k], ind + 1, k)}" for k in sorted(v)]
            return "{\n" + ",\n".join(rows) + f"\n{pad}}}"
        if isinstance(v, list) and v:
            return "[\n" + ",\n".join(inner + dump(x, ind + 1) for x in v) + f"\n{pad}]"
        return json.dumps(v, ensure_ascii=False)

    return dump(content, 0) + "\n"


def pull(project: Project, client: Client, *, project_id: int | None = None,
         title: str | None = None, documents: Iterable[Document],
         replace: bool = False) -> PullReport:
    """Export the project, check every task, then write one file per annotated document.

    Nothing is written unless every task passed its checks. A file is rewritten only when
    its content changed; a task whose annotations were all deleted gets its file emptied,
    never removed, so the history stays in git.

    A committed file with human annotations that came from another task (another project or
    server, e.g. a fresh one) is not overwritten unless ``replace``: a pull from an empty
    server would otherwise erase the corpus's annotations.
    """
    settings = Settings.load(project)
    scheme = project.label_scheme()
    rep = PullReport()
    rep.project_id = pid = resolve_project(client, scheme, project_id=project_id,
                                           title=title or settings.project_title, create=False)
    where = f"{client.url} project {pid}"
    tasks = client.export(pid)
    docs = {d.id: d for d in documents}
    out = pull_dir(project)
    seen: dict[str, int] = {}
    contents: dict[str, str] = {}
    for task in sorted(tasks, key=lambda t: int(t.get("id") or 0)):
        tid = task.get("id")
        doc_id = (task.get("data") or {}).get("doc_id")
        if not isinstance(doc_id, str) or doc_id not in docs:
            raise RecordError(f"data.doc_id {doc_id!r} is not a document of the corpus",
                              path=where, record=f"task {tid}", field="data.doc_id")
        if doc_id in seen:
            raise RecordError(f"document {doc_id} has two tasks ({seen[doc_id]} and {tid}): "
                              "delete the duplicate in Label Studio", path=where,
                              record=f"task {tid}", field="data.doc_id")
        seen[doc_id] = int(tid or 0)
        got = pulled_file(task, docs[doc_id], scheme, names=settings.annotators, where=where)
        rep.tasks += 1
        anns = got.content["annotations"]
        rep.annotations.update(a["status"] for a in anns)
        rep.drafts += sum(got.content["drafts_not_pulled"].values())
        rep.entities += len(got.entities)
        rep.claims += len(got.claims)
        if anns or got.content["drafts_not_pulled"] or (out / f"{doc_id}.json").exists():
            contents[doc_id] = _dumps(got.content)
    if not replace:
        for doc_id in sorted(contents):
            _refuse_foreign_overwrite(out / f"{doc_id}.json", json.loads(contents[doc_id]),
                                      where, project.rel(out / f"{doc_id}.json"))
    out.mkdir(parents=True, exist_ok=True)
    for doc_id in sorted(contents):
        path = out / f"{doc_id}.json"
        if path.exists() and path.read_text(encoding="utf-8") == contents[doc_id]:
            rep.unchanged += 1
            continue
        write_atomic(path, contents[doc_id])
        rep.written.append(project.rel(path))
    rep.not_in_project = sorted(p.stem for p in out.glob("*.json") if p.stem not in seen)
    return rep


def _refuse_foreign_overwrite(path: Path, new: Mapping[str, Any], where: str, rel: str
                              ) -> None:
    """Refuse a pull that would drop human annotations the server never had.

    That happens when the server is another one (a fresh server, another project: other
    task id), when all of the file's annotations are gone from the task, or, for a task that
    ``push --restore`` made, when the file holds annotations made elsewhere after the restore
    (another server restored from the same commit, or the original one).
    """
    if not path.is_file():
        return
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordError(f"unreadable: {exc}", path=rel) from exc

    def submitted(content: Mapping[str, Any]) -> set[Any]:
        return {a.get("id") for a in content.get("annotations") or []
                if a.get("status") == "submitted"}

    mine = submitted(old)
    if not old.get("annotations"):
        return
    rf = new.get("restored_from")
    same_server = (old.get("origin") == new.get("origin") and new.get("origin") is not None) \
        or (old.get("origin") is None and new.get("origin") is None
            and old.get("task_id") == new.get("task_id"))
    if rf is not None and rf.get("pending"):
        reason = (f"{where} has not finished restoring this document ({len(rf['pending'])} "
                  "annotation(s) pending): run `newscorpus annotate push --restore` again")
    elif same_server and (clash := _changed_authors(old, new)):
        reason = (f"annotation {clash} is by another annotator on {where} than in the file: "
                  "a copy of the server (same stamp) that went its own way, or "
                  "annotations/labelstudio.json now maps the account to another name")
    elif same_server or (rf is not None and rf.get("from_origin") == old.get("origin")
                         and rf.get("base") == annotations_digest(old)):
        # its own server, or one restored from exactly this file: it may delete, not lose all
        if not mine or mine & submitted(new):
            return
        reason = f"holds {len(mine)} submitted annotation(s) that {where} no longer has"
    elif rf is not None:
        reason = (f"has changed since {where} was restored from it (work pulled from another "
                  "server since): pulling would undo it")
    else:
        reason = (f"came from another project or server (task {old.get('task_id')}, origin "
                  f"{old.get('origin')}); {where} has this document as task "
                  f"{new.get('task_id')}, origin {new.get('origin')}")
    raise RecordError(f"{reason}. Nothing written; pull from the project the annotations "
                      "came from, or pass --replace to overwrite them", path=rel,
                      field="annotations")


def _changed_authors(old: Mapping[str, Any], new: Mapping[str, Any]) -> Any:
    """An annotation id both files have under different annotators (an author never
    changes, so the server is not the one the file came from), else None."""
    before = {a.get("id"): a.get("annotator") for a in old.get("annotations") or []}
    for a in new.get("annotations") or []:
        aid = a.get("id")
        if aid in before and before[aid] != a.get("annotator"):
            return aid
    return None


# --------------------------------------------------------------------------- offline


def load_annotations(project: Project, documents: Iterable[Document], *,
                     scheme: LabelScheme | None = None, predictions: bool = False,
                     ) -> tuple[list[Entity], list[Claim]]:
    """Entity and claim records of the committed annotations of ``documents``; no server.

    Submitted human annotations only (``predictions=True`` adds the stored pre-annotations,
    origin ``model:<name>@<version>``). Spans are re-anchored when a document's normalised
    text changed since the pull; every span is checked against the current text.
    """
    scheme = scheme or project.label_scheme()
    folder = pull_dir(project)
    entities: list[Entity] = []
    claims: list[Claim] = []
    for doc in documents:
        path = folder / f"{doc.id}.json"
        if not path.is_file():
            continue
        where = project.rel(path)
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RecordError(f"unreadable: {exc}", path=where) from exc
        ents, cls = file_records(content, doc, scheme, where=where, predictions=predictions)
        entities += ents
        claims += cls
    return entities, claims
