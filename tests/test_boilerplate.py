"""Boilerplate removal, embeds and truncation: regression cases as data, plus behaviours."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newscorpus.normalize import invert, normalize
from newscorpus.normalize.boilerplate import find_embeds, is_truncated
from newscorpus.normalize.boilerplate_rules import HINT, RULES

CASES = [json.loads(line) for line in
         (Path(__file__).parent / "cases" / "boilerplate.jsonl").read_text().splitlines() if line]


@pytest.mark.parametrize("case", [
    pytest.param(c, id=c["label"], marks=[pytest.mark.xfail(strict=True)]
                 if c["expect"] == "xfail" else []) for c in CASES])
def test_boilerplate_case(case: dict[str, Any]) -> None:
    out = normalize(case["raw"], rules=["boilerplate", "whitespace"])
    assert out.text == case["expected"]
    assert invert(out.text, out.edits) == case["raw"]


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_every_rule_match_contains_the_hint(case: dict[str, Any]) -> None:
    """The prefilter may skip a text only if no rule could delete anything in it."""
    for rule in RULES:
        for m in rule.pattern.finditer(case["raw"]):
            assert HINT.search(m.group()), (rule.id, m.group())


def test_strip_records_the_rule_that_deleted_each_piece() -> None:
    out = normalize("One.\n\nRead more\n\nTwo wordsRead More – Source", rules=["boilerplate"])
    assert [(e.rule, e.before) for e in out.edits] == [
        ("boilerplate.read_more", "\n\nRead more"),
        ("boilerplate.read_more_source", "Read More – Source"),
    ]


def test_embedded_post_is_kept_as_text_and_marked() -> None:
    raw = ("Intro paragraph.\n\nBig escalation by the minister today.\n\n"
           "— Jane Doe (@jdoe) January 3, 2020\n\nNext paragraph.")
    out = normalize(raw)
    assert out.text == raw
    [mark] = out.marks
    assert mark.kind == "embed.social"
    assert out.text[mark.start:mark.end].startswith("Big escalation")
    assert out.text[mark.start:mark.end].endswith("January 3, 2020")


def test_instagram_attribution_is_found() -> None:
    t = "A photo of the rally.\nA post shared by Jane Doe (@jane.doe) on Jan 3, 2020 at 5:01pm"
    [mark] = find_embeds(t)
    assert t[mark.start:mark.end] == t


def test_cut_off_last_sentence_is_flagged_truncated() -> None:
    assert normalize("Start.\n\nThe envoy warned that the talksRead More – Source").truncated


def test_complete_article_is_not_truncated() -> None:
    assert not normalize("Start.\n\nThe envoy warned that the talks would fail.").truncated
    assert not is_truncated("Body text ends well.\n\nCopyright 2020 Reuters")
