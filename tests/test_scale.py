"""Sharded builds: aligned shard files, one normalisation per article, the validated build
released as it is, duplicates across shards caught, streaming folder validation."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
from pathlib import Path

import datasets
import duckdb
import pytest
from typer.testing import CliRunner

from newscorpus.cli.main import app
from tests.conftest import REPO

runner = CliRunner()
datasets.disable_progress_bars()

_WORDS = ("minister", "council", "river", "market", "harbour", "festival", "union", "court",
          "station", "budget", "school", "hospital", "bridge", "factory", "election")


def _articles(folder: Path, n: int, seed: int = 7) -> Path:
    """``n`` small articles written by this test (nothing from ../shared/data)."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        w = rnd.sample(_WORDS, 4)
        body = (f"The {w[0]}s plan for the {w[1]} was announced on day {i}.\n\n"
                f"Officials said the {w[2]} would reopen, and the {w[3]}s report dont say "
                f"when. Its not clear who will pay {i * 37 % 1000} million.\n")
        (folder / f"a{i:04d}.txt").write_text(f"Headline {i}: {w[0]} and {w[1]}\n\n{body}",
                                              encoding="utf-8")
    return folder


@pytest.fixture
def corpus(seeded_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped corpus plus 23 generated articles; its own cache and stats file."""
    monkeypatch.setenv("NEWSCORPUS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NEWSCORPUS_STATS", str(tmp_path / "stats.jsonl"))
    res = runner.invoke(app, ["ingest", str(_articles(tmp_path / "in", 23)),
                              "--publisher", "Test Wire"])
    assert res.exit_code == 0, res.output
    return seeded_dir


def _stats(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "stats.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_shard_files_line_up_across_tables_and_load(corpus: Path) -> None:
    res = runner.invoke(app, ["build", "--workers", "1", "--shard-size", "5"])
    assert res.exit_code == 0, res.output
    out = corpus / "build" / "dataset"
    docs = sorted(p.name for p in (out / "data" / "documents").glob("*.parquet"))
    assert len(docs) > 3  # 24 documents in 5 shards, most shards with train documents
    for name in docs:
        split, k, _, n = name.removesuffix(".parquet").split("-")
        assert split in {"train", "validation", "test"} and int(k) < int(n)
    # the entities files carry the names of documents files: shard k of both tables
    ents = sorted(p.name for p in (out / "data" / "entities").glob("*.parquet"))
    assert set(ents) <= set(docs)
    ds = datasets.load_dataset(str(out), "documents")
    assert sum(len(s) for s in ds.values()) == 24
    rows = duckdb.sql(f"select count(*) from '{out}/data/documents/*.parquet'").fetchall()
    assert rows == [(24,)]


def test_each_article_is_normalised_once_across_build_validate_release(
        corpus: Path, tmp_path: Path) -> None:
    for args in (["build"], ["validate"], ["release", "0.2.0", "--allow-dirty"]):
        res = runner.invoke(app, [*args, "--shard-size", "10"])
        assert res.exit_code == 0, res.output
    stats = _stats(tmp_path)
    assert [s["command"] for s in stats] == ["build", "validate", "release"]
    assert sum(int(str(s["normalize_calls"])) for s in stats) == 24
    assert stats[1]["cache_hits"] == 24


def test_release_publishes_the_build_it_validated(corpus: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["build"]).exit_code == 0
    res = runner.invoke(app, ["release", "0.2.0", "--allow-dirty"])
    assert res.exit_code == 0, res.output
    built = _digests(corpus / "build" / "dataset" / "data")
    released = _digests(corpus / "releases" / "0.2.0" / "data")
    assert released == built
    assert _stats(tmp_path)[-1]["normalize_calls"] == 0
    card = (corpus / "releases" / "0.2.0" / "README.md").read_text()
    assert "0.2.0" in card
    assert "0.0.0-dev" not in card
    # the build's own card is left as it was (the release card is a new file, not a link)
    assert "0.0.0-dev" in (corpus / "build" / "dataset" / "README.md").read_text()
    ds = datasets.load_dataset(str(corpus / "releases" / "0.2.0"), "documents")
    assert sum(len(s) for s in ds.values()) == 24


def test_release_builds_afresh_when_the_corpus_changed_after_the_build(
        corpus: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["build"]).exit_code == 0
    extra = _articles(tmp_path / "more", 1, seed=99)
    (extra / "a0000.txt").write_text("A late story\n\nThe councils vote was delayed.\n")
    assert runner.invoke(app, ["ingest", str(extra)]).exit_code == 0
    res = runner.invoke(app, ["release", "0.2.0", "--allow-dirty"])
    assert res.exit_code == 0, res.output
    ds = datasets.load_dataset(str(corpus / "releases" / "0.2.0"), "documents")
    assert sum(len(s) for s in ds.values()) == 25
    assert _stats(tmp_path)[-1]["normalize_calls"] == 1  # only the new article


def test_duplicate_ids_in_different_shards_are_refused(corpus: Path) -> None:
    src = corpus / "corpus" / "sources.jsonl"
    lines = src.read_text().splitlines()
    src.write_text("\n".join([*lines, lines[0]]) + "\n")  # the first record again, at the end
    res = runner.invoke(app, ["build", "--shard-size", "4"])
    assert res.exit_code == 1
    first = json.loads(lines[0])["id"]
    assert f"e.g. {first}" in res.stderr and "sources.jsonl" in res.stderr
    assert not (corpus / "build" / "dataset").exists()


def test_two_workers_write_the_bytes_of_one(corpus: Path, tmp_path: Path) -> None:
    outs = []
    for w in ("1", "2"):
        out = tmp_path / f"w{w}"
        res = runner.invoke(app, ["build", "--workers", w, "--shard-size", "4",
                                  "--out", str(out)])
        assert res.exit_code == 0, res.output
        outs.append(_digests(out))
    assert outs[0] == outs[1]


def test_validate_of_a_sharded_folder_names_the_file_of_a_bad_span(corpus: Path) -> None:
    import pyarrow.parquet as pq

    shutil.copytree(REPO / "annotations", corpus / "annotations")  # the seed's spans
    assert runner.invoke(app, ["build", "--shard-size", "5"]).exit_code == 0
    out = corpus / "build" / "dataset"
    [ents] = [p for p in (out / "data" / "entities").glob("*.parquet")
              if pq.read_metadata(p).num_rows]
    t = pq.read_table(ents)
    text = t.column("text").to_pylist()
    text[0] = text[0] + "x"
    import pyarrow as pa

    pq.write_table(t.set_column(t.schema.get_field_index("text"), "text",
                                pa.array(text, pa.string())), ents)
    res = runner.invoke(app, ["validate", str(out)])
    assert res.exit_code == 1
    assert "entities.text_equals_slice" in res.stderr
    assert "1 of" in res.stderr


def test_worker_option_refuses_zero(corpus: Path) -> None:
    res = runner.invoke(app, ["build", "--workers", "0"])
    assert res.exit_code == 2


def test_help_teaches_the_engine_options() -> None:
    out = subprocess.run(["newscorpus", "build", "--help"], capture_output=True, text=True,
                         env={"COLUMNS": "200", "PATH": str(Path(__file__).parents[1] / ".venv"
                                                             / "bin")}, check=False).stdout
    for option in ("--workers", "--ray", "--shard-size"):
        assert option in out
