"""``newscorpus annotate config | push | pull``: the Label Studio round trip.

The server URL comes from ``LABEL_STUDIO_URL`` (default http://127.0.0.1:8080) and the token
from ``LABEL_STUDIO_API_KEY``, never from an option: options end up in shell history.
Exit codes: 0 done, 1 the server refused or the data is invalid, 2 wrong usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newscorpus._fs import write_atomic
from newscorpus.cli._errors import err_console, handle_errors
from newscorpus.project import find_project

__all__ = ["annotate_app"]

annotate_app = typer.Typer(
    name="annotate",
    help="Label Studio: write the labeling config, push documents, pull annotations.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # the client holds the token
)

CONFIG_FILE = Path("annotations/label_config.xml")

ProjectId = Annotated[int | None, typer.Option(
    "--project-id", min=1, help="Label Studio project id (default: the project titled as in "
    "annotations/labelstudio.json, created by push when missing).", show_default=False)]
Title = Annotated[str | None, typer.Option(
    "--title", help="Project title to use instead of annotations/labelstudio.json's.",
    show_default=False)]


@annotate_app.command("config")
@handle_errors
def config_cmd(
    out: Annotated[Path | None, typer.Option(
        "--out", help="Where to write it ('-' for stdout). [default: "
        "annotations/label_config.xml]", show_default=False)] = None,
) -> None:
    """Write the Label Studio labeling config generated from schemas/label_scheme.json."""
    from newscorpus.annotate.config import label_config

    project = find_project()
    xml = label_config(project.label_scheme())
    if out is not None and str(out) == "-":
        print(xml, end="")
        return
    target = out if out is not None else project.root / CONFIG_FILE
    _check_config_target(project.root, target)
    write_atomic(target, xml)
    print(target)


def _check_config_target(root: Path, target: Path) -> None:
    """--out may replace a labeling config, never corpus data or another file.

    Refused: anything inside the corpus, the pulled annotations, the contracts, releases or
    the code, a folder, and an existing file that is not a Label Studio config (``<View``).
    """
    path = target.resolve()
    root = root.resolve()
    guarded = [root / d for d in ("corpus", "annotations/labelstudio", "schemas",
                                  "validation", "releases", "src", "tests", "scripts", ".git")]
    if path.is_dir() or any(path == g or g in path.parents for g in guarded):
        raise typer.BadParameter(f"{target} is project data or code: write the config to "
                                 f"{CONFIG_FILE} (the default) or a new file",
                                 param_hint="--out")
    if path.exists():
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:4096].lstrip()
        except OSError as exc:
            raise typer.BadParameter(f"{target}: {exc.strerror}", param_hint="--out") from None
        if not head.startswith("<View"):
            raise typer.BadParameter(f"{target} exists and is not a Label Studio config: "
                                     "refusing to overwrite it (choose a new file)",
                                     param_hint="--out")


@annotate_app.command("push")
@handle_errors
def push_cmd(
    project_id: ProjectId = None,
    title: Title = None,
    prelabel: Annotated[bool, typer.Option(
        "--prelabel/--no-prelabel", help="Send rule-based pre-annotations as predictions.")
                        ] = True,
    restore: Annotated[bool, typer.Option(
        "--restore", help="Also re-create the committed annotations (annotations/labelstudio/) "
                          "on documents that get a new task, under their annotators' "
                          "accounts; a later pull keeps their ids and annotators.")] = False,
) -> None:
    """Send every corpus document to Label Studio, one task each, with pre-annotations.

    Idempotent: documents already there are left alone; a document whose normalised text
    changed is updated and its annotations are re-anchored (uncertain regions are listed).
    On a fresh server, --restore brings the corpus's annotations along, so annotators review
    and correct them instead of starting again from predictions.
    """
    from newscorpus.annotate import push
    from newscorpus.annotate.labelstudio import connect
    from newscorpus.pipeline import iter_documents

    project = find_project()
    client = connect()
    with err_console.status("pushing to Label Studio..."):
        rep = push(project, client, documents=iter_documents(project),
                   project_id=project_id, title=title, prelabels=prelabel,
                   restore=restore)
    err_console.print(
        f"project {rep.project_id}: {rep.created} task(s) created, {rep.updated} updated, "
        f"{rep.unchanged} unchanged; {rep.predictions} prediction(s); "
        f"{rep.reanchored} annotation(s) and {rep.drafts_reanchored} draft(s) re-anchored"
        + (f"; {rep.restored} committed annotation(s) restored" if restore else ""))
    for f in rep.flagged:
        err_console.print(f"[yellow]check:[/] {f} (boundary inside changed text)")
    for t in rep.duplicates:
        err_console.print(f"[yellow]warning:[/] task {t} duplicates another task's document")
    print(rep.project_id)


@annotate_app.command("pull")
@handle_errors
def pull_cmd(
    project_id: ProjectId = None,
    title: Title = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Overwrite committed annotations that came from another project or "
                          "server (by default such a pull is refused).")] = False,
) -> None:
    """Pull every annotation into annotations/labelstudio/<doc_id>.json (checked first).

    Submitted annotations become entity and claim records (origin human, one annotator id
    each); skipped ones are kept as skipped; drafts are counted, not pulled. Nothing is
    written if any task fails its checks; unchanged files are not touched.
    """
    from newscorpus.annotate import pull
    from newscorpus.annotate.labelstudio import connect
    from newscorpus.pipeline import iter_documents

    project = find_project()
    client = connect()
    with err_console.status("pulling from Label Studio..."):
        rep = pull(project, client, documents=iter_documents(project),
                   project_id=project_id, title=title, replace=replace)
    ann = ", ".join(f"{n} {k}" for k, n in sorted(rep.annotations.items())) or "none"
    err_console.print(
        f"project {rep.project_id}: {rep.tasks} task(s), annotations: {ann}; "
        f"{rep.entities} entities, {rep.claims} claims; {len(rep.written)} file(s) written, "
        f"{rep.unchanged} unchanged")
    if rep.drafts:
        err_console.print(f"[yellow]note:[/] {rep.drafts} draft(s) not pulled (unsubmitted)")
    for doc_id in rep.not_in_project:
        err_console.print(f"[yellow]note:[/] {doc_id}.json has no task in this project (kept)")
    for path in rep.written:
        print(path)
