"""``newscorpus corpus migrate``: upkeep of the corpus store itself.

Kept apart from ``ingest`` because it rewrites ``sources.jsonl`` (once), which ingest never
does.
"""

from __future__ import annotations

import typer
from rich.markup import escape

from newscorpus.cli._errors import err_console, handle_errors
from newscorpus.ingest import migrate
from newscorpus.project import find_project

__all__ = ["corpus_app"]

corpus_app = typer.Typer(
    name="corpus",
    help="Upkeep of corpus/: move an old corpus to the current raw layout.",
    no_args_is_help=True,
)


@corpus_app.command("migrate")
@handle_errors
def migrate_cmd() -> None:
    """Move raw files from corpus/raw/<id>.txt to corpus/raw/<id[:2]>/<id>.txt.

    Ids and bytes stay as they are; raw_path in sources.jsonl follows the files. Safe to
    interrupt (the next ingest or migrate finishes it) and to run again (then it does
    nothing). Commit corpus/ afterwards.

    Example: newscorpus corpus migrate && git add -A corpus
    """
    project = find_project()
    done = migrate(project)
    for name in done.left:
        err_console.print(f"warning: {escape(name)}: no record points at it; left alone")
    if not done.moved and not done.removed:
        err_console.print("nothing to migrate: corpus/raw already uses raw/<id[:2]>/<id>.txt")
        return
    err_console.print(f"moved {done.moved} raw file(s) to raw/<id[:2]>/<id>.txt, removed "
                      f"{done.removed} old name(s); commit corpus/")
