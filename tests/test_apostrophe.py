"""Behaviour of the apostrophe-restoration family (``newscorpus.normalize.apostrophe``)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newscorpus.normalize import FAMILIES, apostrophe, apply, invert, normalize
from newscorpus.normalize.apostrophe import FOREST_MIN, THRESHOLD, restore

CASES = [json.loads(line) for line in
         (Path(__file__).parent / "cases" / "apostrophe.jsonl").read_text("utf-8").splitlines()
         if line.strip()]
RULE_IDS = {"apostrophe.possessive", "apostrophe.plural_possessive", "apostrophe.negation",
            "apostrophe.contraction", "apostrophe.its", "apostrophe.name"}


@pytest.mark.parametrize("case", [
    pytest.param(c, id=c["label"], marks=[pytest.mark.xfail(strict=True, reason="known gap")]
                 if c["expect"] == "xfail" else []) for c in CASES])
def test_restore_regression_cases(case: dict[str, Any]) -> None:
    # a known gap that starts passing fails (strict), so the case list cannot go stale
    assert restore(case["raw"]).text == case["expected"]


def test_restore_adds_apostrophe_to_dont() -> None:
    out = restore("We dont know.")
    assert out.text == "We don't know."
    (edit,) = out.edits
    assert (edit.raw_start, edit.raw_end, edit.before, edit.after) == (6, 6, "", "'")
    assert edit.rule == "apostrophe.negation"
    assert THRESHOLD <= edit.confidence <= 1.0


def test_restore_leaves_1990s_alone() -> None:
    assert restore("Sales peaked in the 1990s and fell in the 2000s.").edits == ()


def test_restore_keeps_curly_style() -> None:
    out = restore("Brazil\u2019s team beat Perus team, and they dont mind.")
    assert out.text == "Brazil\u2019s team beat Peru\u2019s team, and they don\u2019t mind."
    assert {e.after for e in out.edits} == {"\u2019"}


def test_restore_uses_ascii_when_document_is_ascii() -> None:
    out = restore("Brazil's team beat Perus team.")
    assert out.text == "Brazil's team beat Peru's team."


def test_restore_leaves_clean_text_alone() -> None:
    clean = ("The government's plan, which ministers didn't publish, was criticised. "
             "It's not clear whether the company will cut its prices in the 1990s style. "
             "Analysts say the firms' profits rose for years.")
    assert restore(clean).edits == ()


def test_restore_labels_each_edit_with_its_rule() -> None:
    out = restore("Im sure theres a plan. Its not over: the countrys leader and ONeill "
                  "agree that they dont care.")
    rules = {e.rule for e in out.edits}
    assert rules == {"apostrophe.contraction", "apostrophe.possessive", "apostrophe.its",
                     "apostrophe.name", "apostrophe.negation"}
    assert rules <= RULE_IDS


@pytest.mark.parametrize("text", ["", " ", "\n\n", "日本語のテキスト", "Привет мир", "\ud800",
                                  "a\udcffs dont", "'s", "s'", "''", "\u2019s x", "O'", "1s 2s"])
def test_restore_accepts_any_text(text: str) -> None:
    out = restore(text)
    assert invert(out.text, out.edits) == text
    assert restore(out.text).edits == ()


def test_restore_refuses_bytes() -> None:
    with pytest.raises(TypeError, match=r"decode in newscorpus\.ingest"):
        restore(b"dont")  # type: ignore[arg-type]


def test_apostrophe_family_runs_between_unicode_and_whitespace() -> None:
    order = list(FAMILIES)
    assert order.index("unicode") < order.index("apostrophe") < order.index("whitespace")
    out = normalize("They  dont know ", rules=["apostrophe"])
    assert out.text == "They  don't know "
    assert apply("They  dont know ", out.edits) == out.text


_PIECES = st.sampled_from([" ", "  ", "\n", ". ", ", ", "'", "\u2019", "\u2018", "s", "S",
                           "dont", "its", "Its", "Irans", "countrys", "Iran's", "Iran\u2019s",
                           "critics", "critics'", "the", "own", "not", "a", "new", "is",
                           "ONeill", "Ill", "well", "were", "be", "Williams", "1990s", "UKs",
                           "theres", "lets", "go", "Im", "said", "plan", "it's", "sides",
                           "his", "St", "Marys", "Helens", "New", "Years", "Day", "Radio",
                           "1s", "BBC", "Ones", "Standard", " & ", "Poors", "and", "but",
                           "going", "wed", "hell", "decide", "oclock", "rocknroll", "dOr",
                           "Lord", "Scarman", "Scarmans", "year-olds", "taken", "gonna", "A",
                           "have", "also"])
TEXTS = st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=4)),
                                      max_size=40).map("".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
@example("Irans leader. Irans army and Irans. Iran's Irans x")
@example("critics' views critics anger")
@example("his sides lead. The sides defence and the sides. St Marys. St Marys ground. "
         "New Years Day. Lord Scarman said. Lord Scarmans nephew and Scarmans")
@example("Im here and were going. The were going. Im A Celebrity. wed decide and wed")
def test_restore_is_a_fixed_point(text: str) -> None:
    first = apostrophe._restore(text)  # without the memory of recent outputs
    assert apostrophe._restore(first.text).edits == ()
    assert restore(restore(text).text).edits == ()
    # only apostrophes are inserted: removing the inserted ones gives the input back
    assert invert(first.text, first.edits) == text
    assert all(e.before == "" and e.after in ("'", "\u2019") for e in first.edits)
    assert all(e.rule in RULE_IDS and THRESHOLD <= e.confidence <= 1.0 for e in first.edits)


def test_fast_and_reference_scores_agree() -> None:
    text = ("The countrys leader met Irans envoy. Governments plans and the firms profits "
            "fell while Williams said the years best results came from the BBCs news teams.")
    doc = apostrophe._scan(text)
    _, cands = apostrophe._propose(doc)
    ctx = apostrophe._plain_contexts(doc, cands)
    assert cands
    for i in cands:
        model = apostrophe._possessive_model(doc.toks[i])
        fast = apostrophe._s_prob(doc, i, ctx, model)
        slow = apostrophe._s_prob_slow(doc, i, ctx, model)
        floor = FOREST_MIN if model in apostrophe._stats().forests else THRESHOLD
        assert fast == pytest.approx(slow, abs=1e-9) or (fast == 0.0 and slow < floor)


def _shipped_stats() -> dict[str, Any]:
    text = (Path(apostrophe.__file__).parent / "apostrophe_stats.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_shipped_forests_score_as_lightgbm_did() -> None:
    # the build script stores rows with the scores LightGBM gave them: the interpreter here
    # must walk the exported trees to the same leaves (a wrong split rule or child order
    # would change the scores, not just round them)
    stats = apostrophe._stats()
    assert set(stats.forests) == {"possessive_lower", "possessive_upper"}
    for name, forest in stats.forests.items():
        check = _shipped_stats()[name]["forest"]["check"]
        assert len(check) == 20
        assert len({round(c["score"], 6) for c in check}) > 5  # rows that tell trees apart
        for row in check:
            assert len(row["x"]) == len(forest.features)
            assert forest.score(row["x"]) == pytest.approx(row["score"], abs=1e-9)
            assert forest.walk(row["x"]) == pytest.approx(row["score"], abs=1e-9)


def test_shipped_calibrations_let_the_trees_decide() -> None:
    # a calibration flattened by an outlier score (slope near 0) would give every candidate
    # in the band the same probability, whatever the trees say
    for forest in apostrophe._stats().forests.values():
        for a in (forest.a, forest.a_bare):
            assert 0.1 < a < 5.0


def test_compiled_trees_take_the_walked_branches() -> None:
    # the compiled ifs must split as the walk does, also at a threshold itself (<= goes left)
    rng = random.Random(5)
    for forest in apostrophe._stats().forests.values():
        cuts: dict[int, list[float]] = {}
        stack = list(forest.trees)
        while stack:
            node = stack.pop()
            if isinstance(node, tuple):
                cuts.setdefault(node[0], []).append(node[1])
                stack += [node[2], node[3]]
        for _ in range(300):
            x = [rng.choice(cuts.get(f, [0.0])) + rng.choice([0.0, 0.0, -1e-9, 1e-9])
                 for f in range(len(forest.features))]
            assert forest.score(x) == forest.walk(x)


def test_forest_features_are_what_the_build_fitted() -> None:
    # the forest reads its features by name: every one must be a table or a static feature
    for name, forest in apostrophe._stats().forests.items():
        model = getattr(apostrophe._stats(), name)
        known = set(model.tables) | set(model.weights) | set(apostrophe.EXTRA_FEATURES)
        assert set(forest.features) <= known, set(forest.features) - known


# texts that keep their own apostrophes, with stripped possessives the trees are asked about
MIXED_TEXTS = [
    "Unions fear the groups factories in Wales will close. Workers don't know when it's due.",
    "The committees report will be published. It's said ministers haven't seen it. I'm sure.",
]


@pytest.mark.parametrize("text", MIXED_TEXTS)
def test_trees_only_add_caution_where_the_document_keeps_apostrophes(text: str) -> None:
    doc = apostrophe._scan(text)
    assert doc.bar > THRESHOLD  # the text has apostrophes of its own
    _, cands = apostrophe._propose(doc)
    ctx = apostrophe._plain_contexts(doc, cands)
    stats = apostrophe._stats()
    in_band = 0
    for i in cands:
        p_lr = apostrophe._s_prob_slow(doc, i, ctx, apostrophe._possessive_model(doc.toks[i]))
        in_band += FOREST_MIN <= p_lr < apostrophe.FOREST_MAX
        p = apostrophe._s_proposal(doc, i, stats, ctx)
        assert p.confidence <= p_lr + 1e-12
    assert in_band  # the trees were asked


def test_trees_decide_the_band_and_only_the_band() -> None:
    # in a stripped text (bar = THRESHOLD) a candidate the logistic model finds between
    # FOREST_MIN and FOREST_MAX likely gets the trees' probability, calibrated for documents
    # without apostrophes; any other keeps the logistic one (what the trees add is measured
    # by tests/bench/bench_apostrophes.py)
    text = ("Officials said the banks profits rose. The clubs manager said the groups factories "
            "and the charitys director were fine. Analysts didnt say more.")
    doc = apostrophe._scan(text)
    assert doc.bar == THRESHOLD
    _, cands = apostrophe._propose(doc)
    ctx = apostrophe._plain_contexts(doc, cands)
    stats = apostrophe._stats()
    decided = 0
    for i in cands:
        if apostrophe._ends_phrase(doc, i):
            continue  # "X's." only where the text writes it so: not the models' call
        model = apostrophe._possessive_model(doc.toks[i])
        forest = stats.forests[model]
        p_lr = apostrophe._s_prob(doc, i, ctx, model)
        p = apostrophe._s_proposal(doc, i, stats, ctx).confidence
        if FOREST_MIN <= p_lr < apostrophe.FOREST_MAX:
            vector = apostrophe._s_vector(doc, i, ctx, model, forest.features)
            assert p == forest.prob(vector, bare=True)
            decided += 1
        else:
            assert p == p_lr
    assert decided >= 2
