"""The HTTP adapter to Label Studio (``label_studio_sdk.LabelStudio``, SDK 2.x).

Only this module talks to the server. Every SDK or HTTP failure leaves it as a
``LabelStudioError`` carrying the URL and the HTTP status and never the token, so ``cli``
prints one clean line and exits 1. Methods return plain JSON-like dicts: the SDK's pydantic
types stay here, and ``convert`` stays pure.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar, cast

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError
from label_studio_sdk.core.parse_error import ParsingError
from pydantic import ValidationError

from newscorpus.annotate.convert import ORIGIN_KEY, RESTORED_KEY
from newscorpus.model.errors import LabelStudioError

__all__ = ["DEFAULT_URL", "Client", "RemoteTask", "connect"]

log = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8080"
_HOW_TO_START = ("start it with `python scripts/labelstudio.py serve` (see README, "
                 "'Annotating') or set LABEL_STUDIO_URL to a running server")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RemoteTask:
    """The parts of a task that push compares with the corpus."""

    id: int
    doc_id: str | None
    text: str | None
    text_sha256: str | None
    #: ``data.newscorpus_restored``: which committed annotations push --restore re-created
    restored: Mapping[str, Any] | None = None
    #: ``data.newscorpus_origin``: the stamp push gave the project's tasks (None: older tasks)
    origin: str | None = None


def connect(url: str | None = None, api_key: str | None = None, *, timeout: float = 120.0
            ) -> Client:
    """A client for ``url`` (default ``$LABEL_STUDIO_URL``) with ``$LABEL_STUDIO_API_KEY``.

    The token comes from the environment only, never from a file or an option, so it never
    lands in shell history, the repository or a log.
    """
    url = (url or os.environ.get("LABEL_STUDIO_URL") or DEFAULT_URL).rstrip("/")
    key = api_key if api_key is not None else os.environ.get("LABEL_STUDIO_API_KEY", "")
    if not key:
        raise LabelStudioError(
            f"no token for Label Studio at {url}: set LABEL_STUDIO_API_KEY (Account & "
            "Settings -> Access Token in the browser)", url=url)
    return Client(url, key, timeout=timeout)


class Client:
    """Calls of one Label Studio server, errors wrapped (see the module docstring)."""

    def __init__(self, url: str, api_key: str, *, timeout: float = 120.0) -> None:
        self.url = url
        self._key = api_key
        # Used as Any: its generated TypedDict/pydantic signatures add nothing here, since
        # every answer is turned into plain JSON and checked by ``convert``.
        self._ls: Any = cast(Any, LabelStudio)(base_url=url, api_key=api_key, timeout=timeout)

    def __repr__(self) -> str:  # never show the token
        return f"Client({self.url!r})"

    # ------------------------------------------------------------------ error wrapping

    def _fail(self, what: str, exc: BaseException) -> NoReturn:
        url = self.url
        status: int | None = None
        if isinstance(exc, httpx.ConnectError):
            msg = f"cannot reach Label Studio at {url} ({_reason(exc)}): {_HOW_TO_START}"
        elif isinstance(exc, httpx.TimeoutException):
            msg = f"Label Studio at {url} did not answer in time while trying to {what}"
        elif isinstance(exc, ApiError):
            status = exc.status_code
            if status is not None and 200 <= status < 300:
                msg = (f"Label Studio at {url} answered garbage while trying to {what} "
                       f"(HTTP {status}, not the JSON of its API): is that URL really "
                       "Label Studio?")
            elif status == 401:
                msg = (f"Label Studio at {url} refused the token (401) while trying to {what}: "
                       f"check LABEL_STUDIO_API_KEY{_detail(exc.body, self._key)}")
            elif status == 404:
                msg = f"Label Studio at {url}: not found (404) while trying to {what}"
            else:
                msg = (f"Label Studio at {url} refused to {what} (HTTP {status})"
                       f"{_detail(exc.body, self._key)}")
        elif isinstance(exc, ParsingError | ValidationError | ValueError):
            msg = (f"Label Studio at {url} answered garbage while trying to {what} "
                   f"({type(exc).__name__}): is that URL really Label Studio?")
            status = getattr(exc, "status_code", None)
        else:  # other httpx transport errors
            msg = f"cannot talk to Label Studio at {url} while trying to {what}: {_reason(exc)}"
        raise LabelStudioError(msg.replace(self._key, "***"), url=url, status=status) from None

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except (ApiError, ParsingError, ValidationError, httpx.HTTPError, ValueError) as exc:
            self._fail(what, exc)

    def _raw(self, what: str, method: str, path: str, **kw: Any) -> Any:
        """A request the SDK has no typed method for (drafts); same error handling."""
        def go() -> Any:
            resp = self._ls._client_wrapper.httpx_client.request(path, method=method, **kw)
            if resp.status_code >= 400:
                raise ApiError(status_code=resp.status_code, body=resp.text)
            return resp.json() if resp.content else None
        return self._call(what, go)

    # ------------------------------------------------------------------ calls

    def whoami(self) -> dict[str, Any]:
        """The current user: checks URL and token in one cheap call."""
        return _plain(self._call("check the token", self._ls.users.whoami))

    def project_exists(self, project_id: int) -> bool:
        try:
            self._ls.projects.get(id=project_id)
        except ApiError as exc:
            if exc.status_code == 404:
                return False
            self._fail(f"read project {project_id}", exc)
        except (ParsingError, ValidationError, httpx.HTTPError, ValueError) as exc:
            self._fail(f"read project {project_id}", exc)
        return True

    def project_by_title(self, title: str) -> int | None:
        """The id of the (oldest) project called ``title``, if any."""
        def find() -> int | None:
            ids = [p.id for p in self._ls.projects.list(page_size=100)
                   if p.title == title and p.id is not None]
            return min(ids) if ids else None
        return self._call(f"list projects (looking for {title!r})", find)

    def label_config(self, project_id: int) -> str:
        p = self._call(f"read project {project_id}",
                       lambda: self._ls.projects.get(id=project_id))
        return str(p.label_config or "")

    def create_project(self, title: str, label_config: str) -> int:
        p = self._call(f"create project {title!r}", lambda: self._ls.projects.create(
            title=title, label_config=label_config))
        if p.id is None:
            raise LabelStudioError(f"Label Studio at {self.url} created a project without id",
                                   url=self.url)
        return int(p.id)

    def delete_project(self, project_id: int) -> None:
        self._call(f"delete project {project_id}",
                   lambda: self._ls.projects.delete(id=project_id))

    def tasks(self, project_id: int) -> list[RemoteTask]:
        """Every task of the project (the pager follows the pages)."""
        def go() -> list[RemoteTask]:
            out = []
            for t in self._ls.tasks.list(project=project_id, fields="task_only",
                                         page_size=1000):
                data = t.data or {}
                restored = data.get(RESTORED_KEY)
                out.append(RemoteTask(int(t.id), _str(data.get("doc_id")),
                                      _str(data.get("text")), _str(data.get("text_sha256")),
                                      restored if isinstance(restored, Mapping) else None,
                                      _str(data.get(ORIGIN_KEY))))
            return out
        return self._call(f"list the tasks of project {project_id}", go)

    def import_tasks(self, project_id: int, tasks: Sequence[Mapping[str, Any]]) -> list[int]:
        """One bulk import call; returns the new task ids in order."""
        if not tasks:
            return []
        r = self._call(f"import {len(tasks)} task(s) into project {project_id}",
                       lambda: self._ls.projects.import_tasks(
                           id=project_id, request=list(tasks), return_task_ids=True))
        return [int(i) for i in (r.task_ids or [])]

    def update_task_data(self, task_id: int, data: Mapping[str, Any]) -> None:
        self._call(f"update task {task_id}",
                   lambda: self._ls.tasks.update(id=str(task_id), data=dict(data)))

    def annotations(self, task_id: int) -> list[dict[str, Any]]:
        """Every annotation of the task, skipped ones too (the annotations endpoint leaves
        those out, the task itself has them)."""
        task = self._call(f"read task {task_id}", lambda: self._ls.tasks.get(id=str(task_id)))
        return [_plain(a) for a in (task.annotations or [])]

    def create_annotation(self, task_id: int, result: Sequence[Mapping[str, Any]], *,
                          completed_by: int | None = None, was_cancelled: bool = False,
                          lead_time: float | None = None, ground_truth: bool = False) -> int:
        kw: dict[str, Any] = {"result": [dict(r) for r in result],
                              "was_cancelled": was_cancelled, "ground_truth": ground_truth}
        if completed_by is not None:
            kw["completed_by"] = completed_by
        if lead_time is not None:
            kw["lead_time"] = lead_time
        a = self._call(f"annotate task {task_id}",
                       lambda: self._ls.annotations.create(id=task_id, **kw))
        return int(a.id)

    def update_annotation(self, annotation_id: int, result: Sequence[Mapping[str, Any]]
                          ) -> None:
        self._call(f"update annotation {annotation_id}", lambda: self._ls.annotations.update(
            id=annotation_id, result=[dict(r) for r in result]))

    def delete_annotation(self, annotation_id: int) -> None:
        self._call(f"delete annotation {annotation_id}",
                   lambda: self._ls.annotations.delete(id=annotation_id))

    def create_draft(self, task_id: int, result: Sequence[Mapping[str, Any]]) -> int:
        d = self._raw(f"save a draft on task {task_id}", "POST", f"api/tasks/{task_id}/drafts",
                      json={"result": [dict(r) for r in result], "lead_time": 1})
        return int(d["id"])

    def drafts(self, task_id: int) -> list[dict[str, Any]]:
        """Every annotator's unsubmitted drafts of the task."""
        got = self._raw(f"list the drafts of task {task_id}", "GET",
                        f"api/tasks/{task_id}/drafts")
        if not isinstance(got, list):
            raise LabelStudioError(f"{self.url} answered the drafts of task {task_id} with "
                                   f"{type(got).__name__}, not a list", url=self.url)
        return [d for d in got if isinstance(d, dict)]

    def update_draft(self, draft_id: int, result: Sequence[Mapping[str, Any]]) -> None:
        self._raw(f"update draft {draft_id}", "PATCH", f"api/drafts/{draft_id}",
                  json={"result": [dict(r) for r in result]})

    def predictions(self, task_id: int) -> list[dict[str, Any]]:
        return [_plain(p) for p in self._call(
            f"list the predictions of task {task_id}",
            lambda: self._ls.predictions.list(task=task_id))]

    def create_prediction(self, task_id: int, result: Sequence[Mapping[str, Any]], *,
                          model_version: str, score: float) -> int:
        p = self._call(f"add a prediction to task {task_id}", lambda: self._ls.predictions.create(
            task=task_id, result=[dict(r) for r in result], model_version=model_version,
            score=score))
        return int(p.id)

    def delete_prediction(self, prediction_id: int) -> None:
        self._call(f"delete prediction {prediction_id}",
                   lambda: self._ls.predictions.delete(id=prediction_id))

    def user_ids(self, emails: Iterable[str]) -> dict[str, int]:
        """The account id of each email (one listing), made without a password if missing."""
        users = self._call("list the users", lambda: self._ls.users.list())
        known = {(u.email or "").lower(): int(u.id) for u in users}
        out: dict[str, int] = {}
        for email in emails:
            uid = known.get(email.lower())
            out[email] = uid if uid is not None else self.create_user(email)
            known[email.lower()] = out[email]
        return out

    def user_id(self, email: str) -> int:
        """The id of the account with ``email``, made (without a password) if there is none."""
        return self.user_ids([email])[email]

    def create_user(self, email: str) -> int:
        u = self._call(f"create user {email}", lambda: self._ls.users.create(
            username=email.split("@")[0], email=email))
        return int(u.id)

    def export(self, project_id: int, *, poll: float = 0.2, timeout: float = 600.0
               ) -> list[dict[str, Any]]:
        """A snapshot export: every task with full predictions, drafts, all annotations
        (skipped and ground truth too) and the annotators' accounts."""
        what = f"export project {project_id}"
        snap = self._call(what, lambda: self._ls.projects.exports.create(
            project_id, title="newscorpus pull",
            serialization_options={"predictions": {"only_id": False},
                                   "drafts": {"only_id": False},
                                   "annotations__completed_by": {"only_id": False},
                                   "include_annotation_history": False},
            annotation_filter_options={"usual": True, "ground_truth": True, "skipped": True}))
        export_id = int(snap.id)
        try:
            t0 = time.monotonic()
            status = str(snap.status or "")
            while status not in ("completed", "failed"):
                if time.monotonic() - t0 > timeout:
                    raise LabelStudioError(f"Label Studio at {self.url}: export {export_id} "
                                           f"not ready after {timeout:.0f} s", url=self.url)
                time.sleep(poll)
                cur = self._call(what, lambda: self._ls.projects.exports.get(
                    project_id, export_pk=export_id))
                status = str(cur.status or "")
            if status == "failed":
                raise LabelStudioError(f"Label Studio at {self.url}: export {export_id} of "
                                       f"project {project_id} failed", url=self.url)
            raw = self._call(what, lambda: b"".join(self._ls.projects.exports.download(
                project_id, export_pk=export_id, export_type="JSON")))
        finally:
            with contextlib.suppress(LabelStudioError):
                self._call(what, lambda: self._ls.projects.exports.delete(
                    project_id, export_pk=export_id))
        try:
            data = json.loads(raw)
        except ValueError as exc:
            self._fail(what, exc)
        if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
            raise LabelStudioError(f"Label Studio at {self.url} answered garbage while trying "
                                   f"to {what} (not a list of tasks)", url=self.url)
        return data


def _plain(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    d: dict[str, Any] = obj.model_dump(mode="json", by_alias=True)
    return d


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return "connection refused" if "refused" in text.lower() else text


def _detail(body: Any, key: str) -> str:
    """A short server explanation (``detail``) for the message, token scrubbed."""
    if isinstance(body, Mapping):
        body = body.get("detail") or body.get("validation_errors") or body
    text = body if isinstance(body, str) else json.dumps(body, default=str)
    if text.lstrip()[:1] == "<":
        return " (an HTML error page: see the server's log)"
    text = " ".join(text.split())[:300].replace(key, "***") if text else ""
    return f": {text}" if text else ""
