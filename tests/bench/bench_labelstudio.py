"""Benchmark push and pull of synthetic documents against the REAL Label Studio server.

Not collected by pytest (``tests/bench`` is excluded); run it by hand:

    .venv/bin/python tests/bench/bench_labelstudio.py              # 1,000 documents
    .venv/bin/python tests/bench/bench_labelstudio.py --docs 200 --json

It uses ``LABEL_STUDIO_URL``/``LABEL_STUDIO_API_KEY`` when set, else starts a fresh server the
way ``scripts/test.sh`` does (``scripts/labelstudio.py``) and stops it afterwards.

Measured in one run, each in a project of its own (deleted afterwards):

1. ``bulk import``: ONE ``import_tasks`` call with the same tasks ``push`` sends (data +
   rule predictions), computed beforehand: the floor any push has to pay;
2. ``push``: ``newscorpus.annotate.push`` of the documents (list existing tasks, pre-label,
   one bulk import); then ``push again`` (idempotent: lists, compares, imports nothing);
3. ``pull``: ``newscorpus.annotate.pull`` of a project whose every task has one submitted
   annotation (imported with the tasks): snapshot export, checks, one file per document;
   then ``pull again`` (nothing changes, nothing is written).

Reported: seconds, documents/s, and the ratio of each to the bulk import call.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from newscorpus.annotate import pull, push  # noqa: E402
from newscorpus.annotate.convert import result_from_records, task_data  # noqa: E402
from newscorpus.annotate.labelstudio import Client, connect  # noqa: E402
from newscorpus.annotate.prelabel import MODEL_VERSION, prelabel  # noqa: E402
from newscorpus.model.records import Document, Entity, Source  # noqa: E402
from newscorpus.model.splits import split_for  # noqa: E402
from newscorpus.pipeline import iter_documents  # noqa: E402
from newscorpus.project import Project  # noqa: E402


def synthetic(n: int, seed: int = 7) -> list[Document]:
    """``n`` documents of 8-14 paragraphs shuffled from the seed article (~2-4 KB each)."""
    base = next(iter_documents(Project(REPO)))
    paras = [p for p in base.text.split("\n\n") if len(p) > 80]
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        text = f"Synthetic report {i}\n\n" + "\n\n".join(rng.sample(paras, rng.randint(8, 14)))
        doc_id = f"{i:016x}"
        docs.append(Document(doc_id, Source(), None, text, "0" * 64, base.normalizer_version,
                             (), split_for(doc_id)))
    return docs


def _annotated_task(doc: Document) -> dict[str, Any]:
    """A task with one submitted annotation: the first capitalised word as a PERSON."""
    s = next(i for i, ch in enumerate(doc.text) if ch.isupper())
    e = s
    while e < len(doc.text) and doc.text[e].isalpha():
        e += 1
    ent = Entity(doc.id, "b:1:e1", s, e, doc.text[s:e], "PERSON", "bench", "human")
    return {"data": task_data(doc), "annotations": [{"result": result_from_records([ent], [])}]}


@contextlib.contextmanager
def _server() -> Iterator[None]:
    if os.environ.get("LABEL_STUDIO_URL") and os.environ.get("LABEL_STUDIO_API_KEY"):
        yield
        return
    spec = importlib.util.spec_from_file_location("_ls", REPO / "scripts" / "labelstudio.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    with mod.test_server() as (url, key):
        os.environ["LABEL_STUDIO_URL"], os.environ["LABEL_STUDIO_API_KEY"] = url, key
        try:
            yield
        finally:
            del os.environ["LABEL_STUDIO_URL"], os.environ["LABEL_STUDIO_API_KEY"]


def _timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def run(n: int) -> dict[str, Any]:
    docs = synthetic(n)
    tmp = Path(tempfile.mkdtemp(prefix="bench-ls-"))
    shutil.copytree(REPO / "schemas", tmp / "schemas")
    project = Project(tmp)
    client: Client = connect()
    scheme = project.label_scheme()
    from newscorpus.annotate.config import label_config

    tag = secrets.token_hex(3)
    titles = {k: f"bench-{k}-{tag}" for k in ("bulk", "push", "pull")}
    ids: list[int] = []
    try:
        # 1. the floor: one bulk import of exactly what push sends
        tasks = []
        for d in docs:
            ents, claims = prelabel(d, {})
            t: dict[str, Any] = {"data": task_data(d)}
            if ents or claims:
                t["predictions"] = [{"model_version": MODEL_VERSION, "score": 0.5,
                                     "result": result_from_records(ents, claims)}]
            tasks.append(t)
        ids.append(pid := client.create_project(titles["bulk"], label_config(scheme)))
        bulk_s, _ = _timed(lambda: client.import_tasks(pid, tasks))
        # 2. push, twice
        push_s, rep = _timed(lambda: push(project, client, title=titles["push"],
                                          documents=docs))
        ids.append(rep.project_id)
        assert rep.created == n, rep
        push2_s, rep2 = _timed(lambda: push(project, client, title=titles["push"],
                                            documents=docs))
        assert rep2.created == 0 and rep2.unchanged == n, rep2
        # 3. pull, twice, of a project where every task has one annotation
        ids.append(pid3 := client.create_project(titles["pull"], label_config(scheme)))
        client.import_tasks(pid3, [_annotated_task(d) for d in docs])
        pull_s, prep = _timed(lambda: pull(project, client, project_id=pid3, documents=docs))
        assert len(prep.written) == n and prep.entities == n, prep
        pull2_s, prep2 = _timed(lambda: pull(project, client, project_id=pid3,
                                             documents=docs))
        assert not prep2.written and prep2.unchanged == n, prep2
    finally:
        for pid in ids:
            with contextlib.suppress(Exception):
                client.delete_project(pid)
        shutil.rmtree(tmp, ignore_errors=True)

    def row(name: str, s: float) -> dict[str, Any]:
        return {"stage": name, "seconds": round(s, 3), "docs_per_s": round(n / s, 1),
                "ratio_to_bulk_import": round(s / bulk_s, 2)}

    return {"documents": n, "stages": [row("bulk import (1 call)", bulk_s),
                                        row("push", push_s), row("push again", push2_s),
                                        row("pull", pull_s), row("pull again", pull2_s)]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    with _server():
        res = run(args.docs)
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(f"{res['documents']:,} synthetic documents against a real Label Studio")
    print(f"{'stage':<22}{'seconds':>9}{'docs/s':>10}{'x bulk':>8}")
    for r in res["stages"]:
        print(f"{r['stage']:<22}{r['seconds']:>9.2f}{r['docs_per_s']:>10.1f}"
              f"{r['ratio_to_bulk_import']:>8.2f}")


if __name__ == "__main__":
    main()
