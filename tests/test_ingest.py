"""Ingest through the real CLI: bytes kept exactly, bad input refused with nothing written."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newscorpus.cli.main import app
from newscorpus.ingest import MAX_BYTES
from tests.conftest import REPO, SEED

runner = CliRunner()


def _sources(root: Path) -> list[dict[str, object]]:
    path = root / "corpus" / "sources.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().split("\n") if line]


def _nothing_written(root: Path) -> bool:
    return not (root / "corpus").exists() or not any((root / "corpus").rglob("*"))


def test_shipped_seed_bytes_equal_the_original() -> None:
    if not SEED.exists():
        pytest.skip("../shared/seed is not beside this clone")
    [rec] = [json.loads(x) for x in (REPO / "corpus/sources.jsonl").read_text().splitlines()]
    raw = (REPO / "corpus" / rec["raw_path"]).read_bytes()
    assert raw == SEED.read_bytes()
    assert rec["raw_sha256"] == hashlib.sha256(raw).hexdigest()
    assert rec["id"] == rec["raw_sha256"][:16]
    assert rec["publisher"] == "FRANCE 24" and rec["published_at"] == "2020-01-03"
    assert rec["license"] is None and rec["url"] is None  # unknown, not invented


def test_ingest_keeps_bytes_and_records_metadata(project_dir: Path) -> None:
    art = project_dir / "a.txt"
    art.write_bytes(b"Headline here\n\nBody with  odd   spacing\r\n")
    res = runner.invoke(app, ["ingest", str(art), "--publisher", "Example News",
                              "--url", "https://example.org/a", "--published-at", "2024-06-01"])
    assert res.exit_code == 0, res.output
    [rec] = _sources(project_dir)
    assert rec["raw_path"] == f"raw/{str(rec['id'])[:2]}/{rec['id']}.txt"  # sharded layout
    assert (project_dir / "corpus" / str(rec["raw_path"])).read_bytes() == art.read_bytes()
    assert rec["title"] == "Headline here"
    assert rec["url"] == "https://example.org/a" and rec["license"] is None


def test_ingest_same_article_twice_is_refused_without_second_row(project_dir: Path) -> None:
    art = project_dir / "a.txt"
    art.write_text("Title\n\nSome text.\n")
    assert runner.invoke(app, ["ingest", str(art)]).exit_code == 0
    res = runner.invoke(app, ["ingest", str(art)])
    assert res.exit_code == 1
    assert "already in the corpus as" in res.stderr and "a.txt" in res.stderr
    assert len(_sources(project_dir)) == 1


def test_ingest_refuses_non_utf8_naming_the_byte(project_dir: Path) -> None:
    art = project_dir / "latin.txt"
    art.write_bytes("Caf\u00e9 society\n".encode("cp1252"))
    res = runner.invoke(app, ["ingest", str(art)])
    assert res.exit_code == 1
    assert "latin.txt [bytes]: not valid utf-8 at byte 3 (0xe9)" in res.stderr
    assert "--encoding" in res.stderr
    assert _nothing_written(project_dir)


def test_ingest_with_declared_encoding_keeps_bytes_and_records_codec(project_dir: Path) -> None:
    art = project_dir / "latin.txt"
    art.write_bytes("Caf\u00e9 society\n".encode("cp1252"))
    res = runner.invoke(app, ["ingest", str(art), "--encoding", "cp1252"])
    assert res.exit_code == 0, res.output
    [rec] = _sources(project_dir)
    assert rec["encoding"] == "cp1252"
    assert (project_dir / "corpus" / str(rec["raw_path"])).read_bytes() == art.read_bytes()


def test_ingest_refuses_empty_file(project_dir: Path) -> None:
    art = project_dir / "empty.txt"
    art.write_bytes(b"  \n")
    res = runner.invoke(app, ["ingest", str(art)])
    assert res.exit_code == 1
    assert "empty.txt [bytes]: empty" in res.stderr
    assert _nothing_written(project_dir)


def test_ingest_refuses_file_over_50_mb(project_dir: Path) -> None:
    art = project_dir / "huge.txt"
    with art.open("wb") as fh:  # sparse: no 50 MB of writes needed
        fh.truncate(MAX_BYTES + 1)
    res = runner.invoke(app, ["ingest", str(art)])
    assert res.exit_code == 1
    assert "huge.txt [bytes]" in res.stderr and "50 MB limit" in res.stderr
    assert _nothing_written(project_dir)


def test_ingest_refuses_html(project_dir: Path) -> None:
    art = project_dir / "page.txt"
    art.write_text("<!DOCTYPE html><html><body><p>Hi</p></body></html>")
    res = runner.invoke(app, ["ingest", str(art)])
    assert res.exit_code == 1
    assert "page.txt [bytes]: looks like HTML" in res.stderr
    assert _nothing_written(project_dir)


def test_ingest_folder_with_mixed_files_refuses_whole_batch(project_dir: Path) -> None:
    folder = project_dir / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text("Title\n\nFine text.\n")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    res = runner.invoke(app, ["ingest", str(folder)])
    assert res.exit_code == 1
    assert "photo.jpg" in res.stderr and "neither text" in res.stderr
    assert _nothing_written(project_dir)


def test_ingest_folder_of_text_files_takes_all(project_dir: Path) -> None:
    folder = project_dir / "inbox"
    folder.mkdir()
    for k in range(3):
        (folder / f"{k}.txt").write_text(f"Title {k}\n\nText {k}.\n")
    res = runner.invoke(app, ["ingest", str(folder)])
    assert res.exit_code == 0, res.output
    assert len(_sources(project_dir)) == 3


def test_ingest_jsonl_names_the_bad_line_and_field(project_dir: Path) -> None:
    src = project_dir / "batch.jsonl"
    src.write_text(json.dumps({"text": "Ok\n\nFine."}) + "\n" + json.dumps({"body": "x"}) + "\n")
    res = runner.invoke(app, ["ingest", str(src)])
    assert res.exit_code == 1
    assert "batch.jsonl:2" in res.stderr
    assert _nothing_written(project_dir)


def test_ingest_bad_date_names_the_field(project_dir: Path) -> None:
    art = project_dir / "a.txt"
    art.write_text("Title\n\nText.\n")
    res = runner.invoke(app, ["ingest", str(art), "--published-at", "3 January 2020"])
    assert res.exit_code == 1
    assert "[published_at]" in res.stderr
    assert _nothing_written(project_dir)


def test_ingest_missing_path_is_a_usage_error(project_dir: Path) -> None:
    res = runner.invoke(app, ["ingest", "nope.txt"])
    assert res.exit_code == 2
    assert "nope.txt" in res.stderr
    assert _nothing_written(project_dir)


def test_ingest_refuses_a_codec_that_does_not_give_the_bytes_back(project_dir: Path) -> None:
    art = project_dir / "be.txt"
    art.write_bytes(b"\xfe\xff" + "It was a quiet day in the city.\n".encode("utf-16-be"))
    res = runner.invoke(app, ["ingest", str(art), "--encoding", "utf-16"])
    assert res.exit_code == 1
    assert "be.txt [encoding]: utf-16 does not give these bytes back exactly" in res.stderr
    assert _nothing_written(project_dir)


def test_ingest_refuses_a_non_text_codec(project_dir: Path) -> None:
    art = project_dir / "a.txt"
    art.write_text("Title\n\nText.\n")
    res = runner.invoke(app, ["ingest", str(art), "--encoding", "rot13"])
    assert res.exit_code == 1 and "'rot13' is not a text encoding" in res.stderr
    assert _nothing_written(project_dir)


@pytest.mark.parametrize("name", ["arts.json", "arts.csv"])
def test_ingest_refuses_a_named_file_that_is_not_text_or_jsonl(project_dir: Path,
                                                                name: str) -> None:
    f = project_dir / name
    f.write_text('[{"text": "A"}]')
    res = runner.invoke(app, ["ingest", str(f)])
    assert res.exit_code == 1 and "neither text (.txt) nor JSONL" in res.stderr
    assert _nothing_written(project_dir)


def test_line_separators_inside_metadata_keep_sources_readable(project_dir: Path) -> None:
    a = project_dir / "a.txt"
    a.write_text("Title\n\nText.\n")
    assert runner.invoke(app, ["ingest", str(a), "--publisher", "Foo\u2028Bar"]).exit_code == 0
    src = project_dir / "batch.jsonl"
    src.write_text(json.dumps({"text": "Body\u0085text here.", "title": "T\u2028x"},
                              ensure_ascii=False) + "\n")
    assert runner.invoke(app, ["ingest", str(src)]).exit_code == 0
    assert [r["publisher"] for r in _sources(project_dir)] == ["Foo\u2028Bar", None]
