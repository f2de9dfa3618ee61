"""The command line as a user meets it: help that teaches, exit codes 0/1/2, clean stdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newscorpus.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize("cmd", [[], ["ingest"], ["normalize"], ["build"]])
def test_every_command_has_help(cmd: list[str]) -> None:
    res = runner.invoke(app, [*cmd, "--help"])
    assert res.exit_code == 0
    assert "Usage" in res.stdout


def test_normalize_reads_stdin_and_prints_text() -> None:
    res = runner.invoke(app, ["normalize"], input="a  b \n\n\n\nc\n")
    assert res.exit_code == 0
    assert res.stdout == "a b\n\nc"  # exactly the normalised text


def test_normalize_edits_prints_jsonl_that_names_rules(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("a  b")
    res = runner.invoke(app, ["normalize", "--edits", str(f)])
    assert res.exit_code == 0
    [edit] = [json.loads(line) for line in res.stdout.splitlines()]
    assert edit["rule"] == "whitespace.collapse"
    assert (edit["raw_start"], edit["raw_end"], edit["before"], edit["after"]) == (1, 3, "  ", " ")


def test_normalize_unknown_rule_is_a_usage_error() -> None:
    res = runner.invoke(app, ["normalize", "--rules", "whitespace,bogus"], input="x")
    assert res.exit_code == 2
    assert "bogus" in res.stderr


def test_normalize_non_utf8_input_names_the_byte(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_bytes(b"ok \xff")
    res = runner.invoke(app, ["normalize", str(f)])
    assert res.exit_code == 1
    assert "x.txt [bytes]: not valid utf-8 at byte 3 (0xff)" in res.stderr
    assert res.stdout == ""
