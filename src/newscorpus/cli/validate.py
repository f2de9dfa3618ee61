"""``newscorpus validate [RELEASE_DIR] [--json]``: the data-quality gate of CI and releases.

One pass/fail line per rule goes to stderr as a table; stdout carries only the ``--json``
summary, so ``newscorpus validate --json > report.json`` stays clean. Exit 1 names the
table, the rule and the first failing record ids; exit 2 is a missing folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from newscorpus.cli._engine import RayOption, ShardSizeOption, WorkersOption, make_executor
from newscorpus.cli._errors import err_console, handle_errors
from newscorpus.engine import DEFAULT_SHARD_SIZE
from newscorpus.project import find_project
from newscorpus.validate.report import SHOWN_IDS, ValidationReport

__all__ = ["render_table", "validate_cmd"]


def render_table(report: ValidationReport, *, width: int = 80) -> Table:
    """One line per check: status, check id, rows, failing rows, first ids (and the rule
    when the terminal is wide enough; failures name their rule below the table anyway)."""
    table = Table(title=f"newscorpus validate: {report.origin}", title_justify="left")
    table.add_column("", width=4)
    table.add_column("check", no_wrap=True, min_width=30)
    table.add_column("rows", justify="right", width=9)
    table.add_column("failing", justify="right", width=7)
    table.add_column("first ids", overflow="ellipsis", no_wrap=True, max_width=24)
    wide = width >= 150
    if wide:
        table.add_column("rule", overflow="ellipsis", no_wrap=True, max_width=width - 110)
    for c in report.checks:
        status = "[green]pass[/]" if c.success else "[bold red]FAIL[/]"
        cells = [status, c.check, f"{c.evaluated:,}", f"{c.unexpected:,}" if not c.success else "",
                 escape(", ".join(c.ids[:SHOWN_IDS]))]
        table.add_row(*cells, *([escape(c.rule)] if wide else []))
    return table


@handle_errors
def validate_cmd(
    release_dir: Annotated[Path | None, typer.Argument(
        help="A built dataset folder (README.md + data/); default: the project's corpus.",
        exists=True, file_okay=False, dir_okay=True, show_default=False)] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the JSON summary (every check) on stdout.")] = False,
    workers: WorkersOption = None,
    ray: RayOption = None,
    shard_size: ShardSizeOption = DEFAULT_SHARD_SIZE,
) -> None:
    """JSON Schema + Great Expectations over the corpus (or a built dataset folder).

    Writes the Data Docs HTML report: build/validate/corpus/quality/ for the corpus,
    RELEASE_DIR/quality/ for a built folder, build/validate/<name>/quality/ for a release
    (a folder with manifest.json is immutable: never written to; its manifest's checksums
    and row counts are checked). Exit 1 when any check fails.

    Example: newscorpus validate build/dataset --json > report.json
    """
    from newscorpus.pipeline import RunStats, validate_corpus
    from newscorpus.validate import validate_folder

    project = find_project()
    stats = RunStats("validate")
    with make_executor(workers, ray) as ex, err_console.status("validating..."):
        if release_dir is not None:
            report = validate_folder(release_dir, project, executor=ex)
            stats.workers, stats.engine = ex.workers, ex.engine
            stats.documents = report.rows.get("documents", 0)
        else:
            report = validate_corpus(project, executor=ex, shard_size=shard_size, stats=stats)
    err_console.print(render_table(report, width=err_console.width))
    if release_dir is None:
        err_console.print(stats.line())
    stats.record()
    if report.docs_index is not None:
        note = ""
        if release_dir is not None and not report.docs_index.resolve().is_relative_to(
                release_dir.resolve()):
            note = (f" (not in {escape(str(release_dir))}: a release is immutable and is "
                    "never written to)")
        err_console.print(f"Data Docs: {escape(str(report.docs_index))}{note}")
    if as_json:
        print(report.to_json())
    report.raise_for_failures()
    err_console.print(f"[green]ok[/]: {len(report.checks)} checks passed")
