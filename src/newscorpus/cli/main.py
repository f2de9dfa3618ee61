"""newscorpus: ingest, normalise, annotate, validate, build and release the corpus.

Exit codes: 0 done (also "nothing to do"), 1 the data or a server said no, 2 wrong usage.
Results go to stdout, progress and diagnostics to stderr.
"""

from __future__ import annotations

import datetime
import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.logging import RichHandler
from rich.progress import MofNCompleteColumn, Progress

from newscorpus import __version__
from newscorpus.cli._engine import RayOption, ShardSizeOption, WorkersOption, make_executor
from newscorpus.cli._errors import err_console, handle_errors
from newscorpus.cli.annotate import annotate_app
from newscorpus.cli.corpus import corpus_app
from newscorpus.cli.validate import validate_cmd
from newscorpus.engine import DEFAULT_SHARD_SIZE
from newscorpus.ingest import batch_records, ingest_paths
from newscorpus.ingest.files import decode
from newscorpus.model.errors import NewscorpusError
from newscorpus.normalize import FAMILIES, normalize
from newscorpus.project import Project, find_project

app = typer.Typer(
    name="newscorpus",
    help=__doc__,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold the Label Studio token
    rich_markup_mode="rich",
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"newscorpus {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True,
                                         help="More log output (-vv for debug).")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[
        min(verbose, 2)]
    logging.basicConfig(level=level, format="%(message)s", force=True,
                        handlers=[RichHandler(console=err_console, show_path=False)])


@app.command()
@handle_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(
        help="Article files (.txt), folders of them, or JSONL files with one "
             '{"text": ..., "title"?, "url"?, "publisher"?, "published_at"?, '
             '"retrieved_at"?, "license"?} per line.', show_default=False)],
    publisher: Annotated[str | None, typer.Option(help="Publisher, e.g. 'FRANCE 24'.")] = None,
    url: Annotated[str | None, typer.Option(help="Article URL (http/https).")] = None,
    published_at: Annotated[str | None, typer.Option(
        help="Publication date, ISO 8601 (2020-01-03 or 2020-01-03T10:00:00Z).")] = None,
    retrieved_at: Annotated[str | None, typer.Option(help="When it was scraped, ISO 8601.")
                            ] = None,
    license: Annotated[str | None, typer.Option(
        help="SPDX id or short statement; leave out when unknown (recorded as null).")] = None,
    title: Annotated[str | None, typer.Option(
        help="Headline (default: the article's first line).")] = None,
    encoding: Annotated[str, typer.Option(
        help="Codec of the raw files when they are not UTF-8 (recorded per article).")
                        ] = "utf-8",
) -> None:
    """Add raw articles to [bold]corpus/[/]: bytes kept exactly, one source record each.

    The whole batch is checked first (readable, not empty, not over 50 MB per article, not
    HTML, not a duplicate); if anything is wrong nothing is written. Unknown metadata stays
    null. Batches of any size stream, and concurrent ingests wait for each other.

    Example: newscorpus ingest article.txt --publisher "FRANCE 24" --published-at 2020-01-03
    """
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(map(str, missing))}",
                                 param_hint="PATHS")
    project = find_project()
    meta = {"publisher": publisher, "url": url, "published_at": published_at,
            "retrieved_at": retrieved_at, "license": license, "title": title}
    batch = ingest_paths(project, paths, encoding=encoding, meta=meta)
    try:
        for r in batch_records(project, batch):
            print(f"{r['id']}\t{r['original_name']}")
    except NewscorpusError as exc:  # committed, but a migrate rewrote the file since
        err_console.print(f"warning: cannot list the ids: {exc}", markup=False)
    err_console.print(f"ingested {batch.count} article(s) into {project.rel(project.corpus)}/")


def _rules_option(value: str | None) -> list[str] | None:
    if value is None:
        return None
    rules = [r.strip() for r in value.split(",") if r.strip()]
    unknown = [r for r in rules if r not in FAMILIES]
    if unknown or not rules:
        raise typer.BadParameter(f"unknown rule family {', '.join(unknown) or '(none)'}; "
                                 f"choose from {', '.join(FAMILIES)}")
    return rules


@app.command("normalize")
@handle_errors
def normalize_cmd(
    file: Annotated[Path | None, typer.Argument(
        help="Text file to normalise (default: standard input).", exists=True,
        dir_okay=False, show_default=False)] = None,
    rules: Annotated[str | None, typer.Option(
        help=f"Comma-separated rule families to run (default: all of {', '.join(FAMILIES)}).",
        show_default=False)] = None,
    edits: Annotated[bool, typer.Option(
        "--edits", help="Print the edit log as JSONL (one edit per line) instead of the text.")
                     ] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object: text, edits, marks, truncated.")] = False,
    encoding: Annotated[str, typer.Option(help="Codec of the input.")] = "utf-8",
) -> None:
    """Print the normalised text of FILE (or stdin) exactly; --edits prints its edit log instead.

    Every edit names its rule and can be undone: raw = invert(text, edits).

    Example: newscorpus normalize --rules apostrophe,boilerplate --edits article.txt
    """
    plan = _rules_option(rules)
    data = file.read_bytes() if file is not None else sys.stdin.buffer.read()
    text = decode(data, origin=str(file) if file else "<stdin>", encoding=encoding)
    out = normalize(text, rules=plan)
    if as_json:
        print(json.dumps({"text": out.text, "edits": [e.to_dict() for e in out.edits],
                          "marks": [m.to_dict() for m in out.marks],
                          "truncated": out.truncated}, ensure_ascii=False))
    elif edits:
        for e in out.edits:
            print(json.dumps(e.to_dict(), ensure_ascii=False))
    else:
        sys.stdout.write(out.text)  # exactly the text (no added newline): invert() needs it


def _check_out(root: Path, out: Path) -> None:
    """--out may not be the project, a folder above it, or one of its source folders."""
    target = out.resolve()
    root = root.resolve()
    protected = [root / d for d in ("corpus", "annotations", "schemas", "validation",
                                    "releases", "src", "tests", "scripts", ".git")]
    if target == root or target in root.parents or any(
            target == p or p in target.parents for p in protected):
        raise typer.BadParameter(f"{out} is part of the project (or above it): a dataset "
                                 "folder goes elsewhere, e.g. build/dataset", param_hint="--out")


@app.command()
@handle_errors
def build(
    out: Annotated[Path | None, typer.Option(
        help="Dataset folder to write (replaced atomically). [default: build/dataset]",
        show_default=False)] = None,
    workers: WorkersOption = None,
    ray: RayOption = None,
    shard_size: ShardSizeOption = DEFAULT_SHARD_SIZE,
) -> None:
    """The main job: corpus + annotations -> a validated dataset folder. No server needed.

    Writes README.md (dataset card) and data/<table>/<split>-NNNNN-of-NNNNN.parquet, which
    datasets.load_dataset(folder, "documents") reads offline with typed features. Shards run
    on every local core (or a Ray cluster); each article is normalised once per normaliser
    version (the results are cached in build/cache/, so validate and release reuse them).

    Example: newscorpus build --workers 4
    """
    from newscorpus.pipeline import RunStats
    from newscorpus.pipeline import build as run_build

    project = find_project()
    if out is not None:
        _check_out(project.root, out)
    stats = RunStats("build")
    with make_executor(workers, ray) as ex, _progress("building") as bar:
        task = bar.add_task("normalising, checking and writing", total=_count(project))
        info = run_build(project, out, executor=ex, shard_size=shard_size, stats=stats,
                         progress=lambda n: bar.update(task, completed=n))
    target = out if out is not None else project.root / "build" / "dataset"
    for table, splits in info.counts.items():
        err_console.print(f"{table}: " + ", ".join(f"{s} {n:,}" for s, n in splits.items()))
    err_console.print(stats.line())
    stats.record()
    print(target)


def _count(project: Project) -> int:
    """Source records, for the progress bar (a line count: no JSON parsed)."""
    if not project.sources.is_file():
        return 0
    with project.sources.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def _progress(what: str) -> Progress:
    return Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=err_console,
                    transient=True)


@app.command()
@handle_errors
def release(
    version: Annotated[str, typer.Argument(help="The new version, X.Y.Z (semver), greater "
                                                "than every published one.",
                                           show_default=False)],
    allow_dirty: Annotated[bool, typer.Option(
        "--allow-dirty", help="Release from a working tree with uncommitted changes "
                              "(recorded in the manifest).")] = False,
    date: Annotated[str | None, typer.Option(
        help="Release date YYYY-MM-DD. [default: today, UTC]", show_default=False)] = None,
    workers: WorkersOption = None,
    ray: RayOption = None,
    shard_size: ShardSizeOption = DEFAULT_SHARD_SIZE,
) -> None:
    """Build, validate and publish releases/X.Y.Z/ immutably, and update CITATION.cff.

    The folder holds the dataset card, data/<table>/<split>-*.parquet, manifest.json
    (checksums of every file), CITATION.cff, croissant.json and CHANGES.md (the diff with the
    previous release). An existing or smaller version is refused; a failure leaves nothing.
    Documents come from the normalisation cache of the last build or validate.

    Example: newscorpus release 0.2.0
    """
    from newscorpus.pipeline import RunStats
    from newscorpus.pipeline import release as run_release
    from newscorpus.release.publish import parse_version

    try:
        parse_version(version)
    except NewscorpusError as exc:
        raise typer.BadParameter(str(exc), param_hint="VERSION") from None
    if date is not None:
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            raise typer.BadParameter(f"{date!r} is not a date YYYY-MM-DD",
                                     param_hint="--date") from None
    project = find_project()
    stats = RunStats("release")
    with make_executor(workers, ray) as ex, _progress("releasing") as bar:
        task = bar.add_task(f"releasing {version}", total=_count(project))
        target = run_release(project, version, allow_dirty=allow_dirty, date=date,
                             executor=ex, shard_size=shard_size, stats=stats)
        bar.update(task, completed=stats.documents)
    err_console.print(stats.line())
    stats.record()
    err_console.print(f"published {project.rel(target)}; commit it with CITATION.cff")
    print(target)


app.command("validate")(validate_cmd)
app.add_typer(annotate_app)
app.add_typer(corpus_app)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
