"""Records <-> Label Studio JSON (tasks, predictions, annotations, pulled files). Pure.

Label Studio accepts anything it is sent: spans whose ``text`` is not the document's, labels
that are not in the config, relations to nowhere. So everything that comes back from it (or
from a pulled file) is checked here, and a mismatch is a ``RecordError`` naming the task, the
annotation and the field, e.g. ``task 12 annotation 40 [region c3 value.text]: ...``.

Result items follow ``newscorpus.annotate.config``: a span of ``entities``, ``claims`` or
``cues``; per-region ``claim_type`` / ``checkworthy`` choices sharing the claim region's id;
``speaker`` and ``cue`` relations from a claim.

Pulled files (``annotations/labelstudio/<doc_id>.json``) keep each span's raw offsets too
(``raw_start``/``raw_end`` in its ``value``): the raw article never changes, so when a new
normaliser changes the text, the spans are re-anchored through the new edit log
(``OffsetMap``) with no server.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newscorpus.annotate.config import (
    CHECKWORTHY,
    CHECKWORTHY_VALUES,
    CLAIM_LABEL,
    CLAIM_TYPE,
    CLAIMS,
    CUE_LABEL,
    CUE_RELATION,
    CUES,
    ENTITIES,
    SPEAKER_RELATION,
    TEXT,
)
from newscorpus.model.errors import RecordError
from newscorpus.model.labels import LabelScheme
from newscorpus.model.offsets import OffsetMap
from newscorpus.model.records import Claim, Document, Entity, Span

__all__ = [
    "FILE_FORMAT",
    "ORIGIN_KEY",
    "RESTORED_KEY",
    "Pulled",
    "Restorable",
    "annotations_digest",
    "annotator_id",
    "file_records",
    "id_key",
    "pulled_file",
    "reanchor_result",
    "records_from_result",
    "restorable",
    "restore_record",
    "result_from_records",
    "task_data",
    "text_sha256",
]

#: Written into every pulled file, so a reader knows what it is reading.
FILE_FORMAT = "newscorpus.labelstudio/1"
#: Task data key of the project's stamp: a random id ``push`` gives every task of one project
#: on one server. Pulled files carry it (``origin``) and ids of annotations made there are
#: ``"<stamp>-<server id>"``, so work from two servers never shares an id, and a pull can tell
#: the server a file came from from any other one (task and annotation ids restart at 1 on
#: every fresh server, so they cannot).
ORIGIN_KEY = "newscorpus_origin"
#: Task data key where ``push --restore`` records what it re-created: ``{"from_origin": <the
#: file's origin>, "task_id": <the file's task id>, "base": <digest of the file's annotations
#: it restored>, "annotations": {"<server id>": {"id": <committed id>, "annotator": <name>}},
#: "pending": [<committed ids not re-created yet>]}``. Pull maps them back, so record ids and
#: annotators survive a move to another server, and accepts the new server over the file only
#: while the file is still what was restored (``base``).
RESTORED_KEY = "newscorpus_restored"
_SPAN_CONTROLS = (ENTITIES, CLAIMS, CUES)
_CHOICE_CONTROLS = (CLAIM_TYPE, CHECKWORTHY)


def text_sha256(text: str) -> str:
    """Fingerprint of a normalised text: tells a changed document from an unchanged one."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def task_data(doc: Document) -> dict[str, Any]:
    """The ``data`` of the one Label Studio task of ``doc``.

    >>> from newscorpus.model.records import Source
    >>> d = Document("d1", Source(), None, "Hi.", "x", "0.1", (), "train")
    >>> sorted(task_data(d))
    ['doc_id', 'normalizer_version', 'text', 'text_sha256']
    """
    return {"text": doc.text, "doc_id": doc.id, "normalizer_version": doc.normalizer_version,
            "text_sha256": text_sha256(doc.text)}


def annotator_id(email: str | None, user_id: object, names: Mapping[str, str]) -> str:
    """A neutral annotator id: the project's mapping, else a pseudonym of the account.

    Emails are personal data and never reach the corpus; an unmapped account becomes
    ``user-<10 hex>`` (stable, from the email).

    >>> annotator_id("a@example.org", 3, {"a@example.org": "annotator-1"})
    'annotator-1'
    >>> annotator_id("b@example.org", 4, {})
    'user-c12c654577'
    """
    if email and email in names:
        return names[email]
    key = email or f"id:{user_id}"
    return "user-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


# --------------------------------------------------------------------------- records -> LS


def _span_item(rid: str, control: str, label: str, start: int, end: int, text: str
               ) -> dict[str, Any]:
    return {"id": rid, "from_name": control, "to_name": TEXT, "type": "labels",
            "value": {"start": start, "end": end, "text": text, "labels": [label]}}


def _choice_item(rid: str, control: str, value: str, start: int, end: int, text: str
                 ) -> dict[str, Any]:
    return {"id": rid, "from_name": control, "to_name": TEXT, "type": "choices",
            "value": {"start": start, "end": end, "text": text, "choices": [value]}}


def _relation(from_id: str, to_id: str, label: str) -> dict[str, Any]:
    return {"from_id": from_id, "to_id": to_id, "type": "relation", "direction": "right",
            "labels": [label]}


def _region_id(record_id: str) -> str:
    """Region ids are the last part of a record id (``doc:annotation:region``)."""
    return record_id.rsplit(":", 1)[-1]


def result_from_records(entities: Sequence[Entity], claims: Sequence[Claim]
                        ) -> list[dict[str, Any]]:
    """Label Studio result items for records (for predictions, and for re-imports).

    >>> e = Entity("d", "d:p:e1", 0, 3, "Bob", "PERSON", "m", "model:m@1")
    >>> [(r["from_name"], r["value"]["labels"]) for r in result_from_records([e], [])]
    [('entities', ['PERSON'])]
    """
    out = [_span_item(_region_id(e.id), ENTITIES, e.label, e.start, e.end, e.text)
           for e in entities]
    rels: list[dict[str, Any]] = []
    for c in claims:
        rid = _region_id(c.id)
        out.append(_span_item(rid, CLAIMS, CLAIM_LABEL, c.start, c.end, c.text))
        out.append(_choice_item(rid, CLAIM_TYPE, c.claim_type, c.start, c.end, c.text))
        out.append(_choice_item(rid, CHECKWORTHY, "true" if c.checkworthy else "false",
                                c.start, c.end, c.text))
        if c.speaker_entity_id is not None:
            rels.append(_relation(rid, _region_id(c.speaker_entity_id), SPEAKER_RELATION))
        if c.cue is not None:
            cid = f"{rid}-cue"
            out.append(_span_item(cid, CUES, CUE_LABEL, c.cue.start, c.cue.end, c.cue.text))
            rels.append(_relation(rid, cid, CUE_RELATION))
    return out + rels


# --------------------------------------------------------------------------- LS -> records


@dataclass(frozen=True, slots=True)
class _Region:
    rid: str
    control: str
    label: str
    start: int
    end: int
    text: str


def records_from_result(
    result: Sequence[Mapping[str, Any]], *, doc: Document, scheme: LabelScheme,
    annotation: str, annotator: str, origin: str, where: str | None = None,
    name: str | None = None,
) -> tuple[list[Entity], list[Claim]]:
    """Check one annotation's (or prediction's) result against ``doc`` and the scheme.

    ``annotation`` goes into record ids (``<doc>:<annotation>:<region>``); ``name`` (default
    ``annotation <annotation>``) and ``where`` (the file or URL it came from) go into errors.
    Raises ``RecordError`` on the first problem.
    """
    rec = name or f"annotation {annotation}"

    def fail(reason: str, fld: str) -> RecordError:
        return RecordError(reason, path=where, record=rec, field=fld)

    regions: dict[str, _Region] = {}
    choices: dict[tuple[str, str], str] = {}
    relations: list[tuple[str, str, str, int]] = []
    allowed = {ENTITIES: set(scheme.entity_names), CLAIMS: {CLAIM_LABEL}, CUES: {CUE_LABEL}}
    allowed_choices = {CLAIM_TYPE: set(scheme.claim_type_names),
                       CHECKWORTHY: set(CHECKWORTHY_VALUES)}
    for i, item in enumerate(result):
        if not isinstance(item, Mapping):
            raise fail("result item is not an object", f"result[{i}]")
        kind = item.get("type")
        if kind == "relation":
            labels = item.get("labels") or []
            if len(labels) != 1 or labels[0] not in (SPEAKER_RELATION, CUE_RELATION):
                raise fail(f"relation label {labels!r} is not one of "
                           f"{[SPEAKER_RELATION, CUE_RELATION]}", f"result[{i}].labels")
            relations.append((str(item.get("from_id")), str(item.get("to_id")), labels[0], i))
            continue
        rid = str(item.get("id") or "")
        control = item.get("from_name")
        fld = f"region {rid or '?'}"
        if not rid:
            raise fail("result item has no region id", f"result[{i}].id")
        value = item.get("value")
        if not isinstance(value, Mapping):
            raise fail("no value", f"{fld} value")
        if kind == "labels":
            if control not in allowed:
                raise fail(f"unknown control {control!r}: not in the label config",
                           f"{fld} from_name")
            labels = value.get("labels")
            if not isinstance(labels, list) or len(labels) != 1:
                raise fail(f"a span needs exactly one label, got {labels!r}",
                           f"{fld} value.labels")
            label = labels[0]
            if label not in allowed[control]:
                raise fail(f"label {label!r} is not in the label scheme "
                           f"(allowed for {control}: {sorted(allowed[control])})",
                           f"{fld} value.labels")
            start, end, text = value.get("start"), value.get("end"), value.get("text")
            if not (isinstance(start, int) and isinstance(end, int)
                    and 0 <= start < end <= len(doc.text)):
                raise fail(f"offsets [{start!r}, {end!r}) are not a non-empty span of the "
                           f"{len(doc.text)}-character text", f"{fld} value.start")
            if text != doc.text[start:end]:
                raise fail(f"text {text!r} is not the document's text "
                           f"{doc.text[start:end]!r} at [{start}, {end})", f"{fld} value.text")
            if rid in regions:
                raise fail("region id used twice", f"{fld} id")
            regions[rid] = _Region(rid, str(control), label, start, end, text)
        elif kind == "choices":
            if control not in allowed_choices:
                raise fail(f"unknown control {control!r}: not in the label config",
                           f"{fld} from_name")
            vals = value.get("choices")
            if not isinstance(vals, list) or len(vals) != 1 or vals[0] not in allowed_choices[
                    str(control)]:
                raise fail(f"{control} must be one of {sorted(allowed_choices[str(control)])}, "
                           f"got {vals!r}", f"{fld} value.choices")
            choices[(rid, str(control))] = vals[0]
        else:
            raise fail(f"result type {kind!r} is not used by the label config",
                       f"result[{i}].type")

    entities: dict[str, Entity] = {}
    for r in regions.values():
        if r.control == ENTITIES:
            entities[r.rid] = Entity(doc.id, f"{doc.id}:{annotation}:{r.rid}", r.start, r.end,
                                     r.text, r.label, annotator, origin)
    for rid, ctl in choices:
        reg = regions.get(rid)
        if reg is None or reg.control != CLAIMS:
            raise fail(f"{ctl} is set on a region that is not a claim", f"region {rid} {ctl}")
    speaker: dict[str, str] = {}
    cue: dict[str, Span] = {}
    cued: set[str] = set()
    for a, b, label, i in relations:
        ra, rb = regions.get(a), regions.get(b)
        if ra is None or rb is None:
            raise fail(f"{label} relation points to a region that does not exist "
                       f"({a} -> {b})", f"result[{i}].to_id")
        if rb.control == CLAIMS and ra.control != CLAIMS:  # drawn the other way round
            ra, rb = rb, ra
        if ra.control != CLAIMS:
            raise fail(f"{label} relation must start at a claim, not at {ra.label}",
                       f"result[{i}].from_id")
        if label == SPEAKER_RELATION:
            if rb.control != ENTITIES or rb.label not in scheme.speaker_labels:
                raise fail(f"speaker of claim {ra.rid} must be an entity labelled one of "
                           f"{list(scheme.speaker_labels)}, not {rb.label} {rb.text!r}",
                           f"result[{i}].to_id")
            if ra.rid in speaker:
                raise fail(f"claim {ra.rid} has two speakers", f"result[{i}].to_id")
            speaker[ra.rid] = entities[rb.rid].id
        else:
            if rb.control != CUES:
                raise fail(f"cue of claim {ra.rid} must be a cue span, not {rb.label}",
                           f"result[{i}].to_id")
            if ra.rid in cue:
                raise fail(f"claim {ra.rid} has two cues", f"result[{i}].to_id")
            cue[ra.rid] = Span(rb.start, rb.end, rb.text)
            cued.add(rb.rid)
    for r in regions.values():
        if r.control == CUES and r.rid not in cued:
            raise fail(f"cue {r.text!r} is not linked to a claim (draw a cue relation from "
                       "the claim to it)", f"region {r.rid}")
    claims: list[Claim] = []
    for r in regions.values():
        if r.control != CLAIMS:
            continue
        for ctl in _CHOICE_CONTROLS:
            if (r.rid, ctl) not in choices:
                raise fail(f"claim {r.text[:40]!r} has no {ctl}", f"region {r.rid} {ctl}")
        claims.append(Claim(
            doc.id, f"{doc.id}:{annotation}:{r.rid}", r.start, r.end, r.text,
            choices[(r.rid, CLAIM_TYPE)], choices[(r.rid, CHECKWORTHY)] == "true",
            speaker.get(r.rid), cue.get(r.rid), annotator, origin))
    ents = sorted(entities.values(), key=lambda e: (e.start, e.end, e.label, e.id))
    return ents, sorted(claims, key=lambda c: (c.start, c.end, c.id))


# --------------------------------------------------------------------------- re-anchoring


def _map_pos(ops: Sequence[tuple[str, int, int, int, int]], pos: int, *, end: bool
             ) -> tuple[int, bool]:
    """Position in the new text for ``pos`` of the old one; ``True`` when exact."""
    for tag, i1, i2, j1, j2 in ops:
        inside = (i1 < pos <= i2) if end else (i1 <= pos < i2)
        if not inside:
            continue
        if tag == "equal":
            return j1 + pos - i1, True
        if end and pos == i2:
            return j2, True
        if not end and pos == i1:
            return j1, True
        return (j2 if end else j1), False
    return (ops[-1][4] if ops else 0), True


def _kept(ops: Sequence[tuple[str, int, int, int, int]], start: int, end: int) -> bool:
    """True when some of the span's old characters survive unchanged."""
    return any(tag == "equal" and i1 < end and start < i2 for tag, i1, i2, _, _ in ops)


def reanchor_result(result: Sequence[Mapping[str, Any]], old_text: str, new_text: str
                    ) -> tuple[list[dict[str, Any]], list[str]]:
    """Move a result's spans from ``old_text`` to ``new_text`` (a re-normalised document).

    An edit inside a span moves its end and changes its text ("Irans" -> "Iran's"), which is
    exact. A span whose boundary falls inside changed text, or whose every character changed,
    is clamped to the change and its region id is returned as flagged; a flagged span that
    would be empty keeps its old offsets (its text then no longer matches, and ``pull``
    refuses it until an annotator fixes it).

    >>> r = [_span_item("e1", ENTITIES, "GPE", 6, 11, "Irans")]
    >>> new, flagged = reanchor_result(r, "as in Irans war", "as in Iran's war")
    >>> new[0]["value"]["text"], new[0]["value"]["end"], flagged
    ("Iran's", 12, [])
    """
    ops = difflib.SequenceMatcher(None, old_text, new_text, autojunk=False).get_opcodes()
    out: list[dict[str, Any]] = []
    flagged: list[str] = []
    for item in result:
        new = json.loads(json.dumps(item))  # deep copy, JSON types only
        value = new.get("value")
        if isinstance(value, dict) and isinstance(value.get("start"), int) and isinstance(
                value.get("end"), int):
            s, ok1 = _map_pos(ops, value["start"], end=False)
            e, ok2 = _map_pos(ops, value["end"], end=True)
            ok2 = ok2 and _kept(ops, value["start"], value["end"])
            if s < e:
                value["start"], value["end"] = s, e
                if "text" in value:
                    value["text"] = new_text[s:e]
            if not (ok1 and ok2 and s < e) and item.get("id") not in flagged:
                flagged.append(str(item.get("id")))
        out.append(new)
    return out, flagged


# --------------------------------------------------------------------------- pulled files


@dataclass(frozen=True, slots=True)
class Pulled:
    """One document's annotations as pulled: the file content and its records."""

    doc_id: str
    content: dict[str, Any]
    entities: list[Entity] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)


def _item_key(item: Mapping[str, Any]) -> tuple[Any, ...]:
    v = item.get("value") or {}
    if item.get("type") == "relation":
        return (1, 0, 0, "", str(item.get("from_id")), str(item.get("to_id")),
                json.dumps(item.get("labels")))
    return (0, v.get("start", 0), v.get("end", 0), str(item.get("id")),
            str(item.get("from_name")), "", "")


def _stable_result(result: Iterable[Mapping[str, Any]], omap: OffsetMap) -> list[dict[str, Any]]:
    """Sorted result items with only the keys that carry meaning, plus raw offsets."""
    out: list[dict[str, Any]] = []
    for item in result:
        if item.get("type") == "relation":
            out.append({"type": "relation", "from_id": item.get("from_id"),
                        "to_id": item.get("to_id"), "direction": item.get("direction"),
                        "labels": item.get("labels")})
            continue
        value = dict(item.get("value") or {})
        if isinstance(value.get("start"), int) and isinstance(value.get("end"), int):
            value["raw_start"], value["raw_end"] = omap.span_to_raw(value["start"],
                                                                     value["end"])
        kept = {k: item[k] for k in ("id", "from_name", "to_name", "type", "origin")
                if k in item}
        kept["value"] = value
        out.append(kept)
    return sorted(out, key=_item_key)


def pulled_file(task: Mapping[str, Any], doc: Document, scheme: LabelScheme, *,
                names: Mapping[str, str], where: str) -> Pulled:
    """Check one exported task against ``doc`` and turn it into a file and records.

    Submitted annotations become records (origin ``human``); skipped ones are kept in the
    file with status ``skipped`` and give no records; drafts are counted per annotator and
    not pulled (they are unfinished). Predictions are kept with their ``model_version``.
    """
    tid = task.get("id")
    data = task.get("data") or {}
    if data.get("text") != doc.text:
        raise RecordError(
            f"the task's text no longer matches document {doc.id} (task normaliser "
            f"{data.get('normalizer_version')!r}, corpus {doc.normalizer_version!r}): run "
            "`newscorpus annotate push` to update and re-anchor it, then pull again",
            path=where, record=f"task {tid}", field="data.text")
    omap = OffsetMap.from_edits(doc.edits)
    stamp = data.get(ORIGIN_KEY) if isinstance(data.get(ORIGIN_KEY), str) else None
    lineage = restore_record(data.get(RESTORED_KEY), where=where, task=f"task {tid}")
    restored: Mapping[str, Mapping[str, Any]] = lineage["annotations"] if lineage else {}
    anns: list[dict[str, Any]] = []
    entities: list[Entity] = []
    claims: list[Claim] = []
    for a in task.get("annotations") or []:
        by = a.get("completed_by")
        email = by.get("email") if isinstance(by, Mapping) else None
        uid = by.get("id") if isinstance(by, Mapping) else by
        orig = restored.get(str(a.get("id")))
        if orig is not None:
            aid, who = orig["id"], str(orig["annotator"])
        else:
            # made on this server: namespaced by its stamp (tasks pushed before stamps: as is)
            aid = f"{stamp}-{a.get('id')}" if stamp else a.get("id")
            who = annotator_id(email, uid, names)
        skipped = bool(a.get("was_cancelled"))
        result = a.get("result") or []
        if not skipped:
            ents, cls = records_from_result(result, doc=doc, scheme=scheme,
                                            annotation=str(aid), annotator=who,
                                            origin="human", where=where,
                                            name=f"task {tid} annotation {a.get('id')}")
            entities += ents
            claims += cls
        anns.append({"id": aid, "annotator": who,
                     "status": "skipped" if skipped else "submitted",
                     "ground_truth": bool(a.get("ground_truth")),
                     "result": _stable_result(result, omap)})
    preds: list[dict[str, Any]] = []
    for p in task.get("predictions") or []:
        if not isinstance(p, Mapping):
            raise RecordError("predictions came back as ids only: export with full "
                              "predictions", path=where, record=f"task {tid}",
                              field="predictions")
        records_from_result(p.get("result") or [], doc=doc, scheme=scheme,
                            annotation=f"p{p.get('id')}", annotator=str(p.get("model_version")),
                            origin=f"model:{p.get('model_version')}", where=where,
                            name=f"task {tid} prediction {p.get('id')}")
        preds.append({"id": p.get("id"), "model_version": p.get("model_version"),
                      "score": p.get("score"), "result": _stable_result(p.get("result") or [],
                                                                        omap)})
    drafts: dict[str, int] = {}
    for d in task.get("drafts") or []:
        user = d.get("user") if isinstance(d, Mapping) else None
        who = annotator_id(user if isinstance(user, str) else None, user, names)
        drafts[who] = drafts.get(who, 0) + 1
    content = {
        "format": FILE_FORMAT,
        "doc_id": doc.id,
        "normalizer_version": doc.normalizer_version,
        "text_sha256": text_sha256(doc.text),
        "origin": stamp,
        "task_id": tid,
        "annotations": sorted(anns, key=lambda x: (str(x["annotator"]), id_key(x["id"]))),
        "drafts_not_pulled": dict(sorted(drafts.items())),
        "predictions": sorted(preds, key=lambda x: int(x["id"] or 0)),
    }
    if lineage:
        content["restored_from"] = {k: lineage.get(k) for k in
                                    ("from_origin", "task_id", "base", "pending")}
    return Pulled(doc.id, content, entities, claims)


def annotations_digest(content: Mapping[str, Any]) -> str:
    """A fingerprint of a pulled file's annotations: has the file moved on since a restore?"""
    blob = json.dumps(content.get("annotations") or [], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def id_key(aid: Any) -> tuple[int, int, str]:
    """Sort key of an annotation id: server ids (ints) first, then namespaced ones."""
    return (0, aid, "") if isinstance(aid, int) else (1, 0, str(aid))


def restore_record(raw: Any, *, where: str, task: str) -> dict[str, Any] | None:
    """A task's ``RESTORED_KEY`` data, checked (None when absent)."""
    if raw is None:
        return None
    anns = raw.get("annotations") if isinstance(raw, Mapping) else None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("base"), str) \
            or not isinstance(raw.get("from_origin"), str | None) \
            or not isinstance(raw.get("pending", []), list) \
            or not isinstance(anns, Mapping) or not all(
                isinstance(v, Mapping) and isinstance(v.get("id"), int | str)
                and isinstance(v.get("annotator"), str) for v in anns.values()):
        raise RecordError("must be {\"from_origin\": str|null, \"task_id\": ..., \"base\": str, "
                          "\"annotations\": {server id: {\"id\": ..., \"annotator\": str}}, "
                          "\"pending\": [...]} as push --restore writes it", path=where,
                          record=task, field=f"data.{RESTORED_KEY}")
    return {**raw, "annotations": {str(k): v for k, v in anns.items()},
            "pending": list(raw.get("pending") or [])}


@dataclass(frozen=True, slots=True)
class Restorable:
    """A committed annotation, moved to the document's current text, to re-create on a
    server (``push --restore``)."""

    id: int | str
    annotator: str
    skipped: bool
    ground_truth: bool
    result: list[dict[str, Any]]


def restorable(content: Mapping[str, Any], doc: Document, scheme: LabelScheme, *,
               where: str) -> list[Restorable]:
    """The annotations of a pulled file (submitted and skipped; drafts are not in files),
    each checked against ``doc`` and without the raw offsets the server does not need."""
    file_records(content, doc, scheme, where=where)  # every submitted span checked first
    ids = [a.get("id") for a in content.get("annotations") or []]
    dup = next((i for n, i in enumerate(ids) if i in ids[:n]), None)
    if dup is not None:
        raise RecordError(f"annotation id {dup!r} appears twice: each annotation needs its own "
                          "id to be restored", path=where, field="annotations")
    move = _mover(content, doc, where=where)
    out: list[Restorable] = []
    for a in content.get("annotations") or []:
        clean = []
        for item in move(a.get("result") or [], str(a.get("id"))):
            v = item.get("value")
            if isinstance(v, Mapping):
                item = {**item, "value": {k: x for k, x in v.items()
                                          if k not in ("raw_start", "raw_end")}}
            clean.append(dict(item))
        aid = a.get("id")
        out.append(Restorable(aid if isinstance(aid, int | str) else str(aid),
                              str(a.get("annotator")), a.get("status") == "skipped",
                              bool(a.get("ground_truth")), clean))
    return out


def file_records(content: Mapping[str, Any], doc: Document, scheme: LabelScheme, *,
                 where: str, predictions: bool = False) -> tuple[list[Entity], list[Claim]]:
    """Records of a pulled file for the current ``doc``, with no server.

    When the document's text changed since the pull (a new normaliser), spans are moved by
    their raw offsets through the document's current edit log; the raw article never changes.
    """
    if content.get("format") != FILE_FORMAT or content.get("doc_id") != doc.id:
        raise RecordError(f"not a {FILE_FORMAT} file of document {doc.id}", path=where,
                          field="format")
    move = _mover(content, doc, where=where)
    entities: list[Entity] = []
    claims: list[Claim] = []
    sources: list[tuple[str, str, str, list[Any]]] = []
    for a in content.get("annotations") or []:
        if a.get("status") == "submitted":
            sources.append((str(a.get("id")), str(a.get("annotator")), "human",
                            a.get("result") or []))
    if predictions:
        for p in content.get("predictions") or []:
            mv = str(p.get("model_version"))
            sources.append((f"p{p.get('id')}", mv, f"model:{mv}", p.get("result") or []))
    for ann, who, origin, result in sources:
        ents, cls = records_from_result(move(result, ann), doc=doc, scheme=scheme, annotation=ann,
                                        annotator=who, origin=origin, where=where)
        entities += ents
        claims += cls
    return entities, claims


def _mover(content: Mapping[str, Any], doc: Document, *, where: str
           ) -> Callable[[Sequence[Mapping[str, Any]], str], list[dict[str, Any]]]:
    """``move(result, annotation)``: a stored result on ``doc``'s current text. When the text
    changed since the pull (a new normaliser), spans move by their raw offsets through the
    document's current edit log; the raw article never changes."""
    if content.get("text_sha256") == text_sha256(doc.text):
        return lambda result, ann: [dict(item) for item in result]
    omap = OffsetMap.from_edits(doc.edits)
    return lambda result, ann: _rebase(result, doc.text, omap, where=where, ann=ann)


def _rebase(result: Sequence[Mapping[str, Any]], text: str, omap: OffsetMap, *, where: str,
            ann: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in result:
        new = dict(item)
        v = item.get("value")
        if isinstance(v, Mapping) and "raw_start" in v:
            s, e = omap.span_to_norm(int(v["raw_start"]), int(v["raw_end"]))
            if s >= e:
                raise RecordError("span vanished when the text was re-normalised; re-annotate "
                                  "it", path=where, record=ann, field=f"region {item.get('id')}")
            new["value"] = {**v, "start": s, "end": e, "text": text[s:e]}
        out.append(new)
    return out
