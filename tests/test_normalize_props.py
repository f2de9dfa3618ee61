"""Invariants of the whole normaliser, for any text: exact inversion, idempotence, offsets."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from newscorpus.model.offsets import OffsetMap
from newscorpus.model.records import Rewrite
from newscorpus.normalize import FAMILIES, apply, invert, normalize

# Text that exercises the rules: whitespace runs, combining marks, quotes, apostrophes.
_PIECES = st.sampled_from([" ", "  ", "\t", "\n", "\n\n\n", "\r\n", "\r", "\u00a0", "\ufeff",
                           "e\u0301", "\u0301", "\u1100\u1161", "'", "\u2019", "s", "dont",
                           "Its ", "Irans ", "Read more", "Read More – Source", "."])
TEXTS = st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=5))).map("".join))
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(TEXTS)
@example("\ufeff  a\r\n\r\n\r\n b \u0301")
def test_invert_after_normalize_returns_raw(raw: str) -> None:
    out = normalize(raw)
    assert invert(out.text, out.edits) == raw
    assert apply(raw, out.edits) == out.text


@FAST
@given(TEXTS)
def test_second_normalize_makes_no_edit(raw: str) -> None:
    out = normalize(raw)
    assert normalize(out.text).edits == ()


@FAST
@given(TEXTS)
def test_edits_are_sorted_disjoint_and_match_both_texts(raw: str) -> None:
    out = normalize(raw)
    prev_raw = prev_norm = 0
    for e in out.edits:
        assert prev_raw <= e.raw_start <= e.raw_end <= len(raw)
        assert prev_norm <= e.start <= e.end <= len(out.text)
        assert raw[e.raw_start : e.raw_end] == e.before
        assert out.text[e.start : e.end] == e.after
        assert e.before != e.after
        prev_raw, prev_norm = e.raw_end, e.end


@FAST
@given(TEXTS)
def test_offsets_map_into_range_and_monotonically(raw: str) -> None:
    out = normalize(raw)
    m = OffsetMap.from_edits(out.edits)
    to_raw = [m.to_raw(i) for i in range(len(out.text) + 1)]
    assert all(0 <= r <= len(raw) for r in to_raw)
    assert to_raw == sorted(to_raw)
    to_norm = [m.to_norm(j) for j in range(len(raw) + 1)]
    assert all(0 <= n <= len(out.text) for n in to_norm)
    assert to_norm == sorted(to_norm)


@FAST
@given(TEXTS, st.data())
def test_unchanged_spans_map_to_identical_raw_text(raw: str, data: st.DataObject) -> None:
    out = normalize(raw)
    n = len(out.text)
    a = data.draw(st.integers(0, n))
    b = data.draw(st.integers(a, n))
    assume(a < b)  # an empty span sits on both sides of an insertion: no single answer
    m = OffsetMap.from_edits(out.edits)
    rs, re_ = m.span_to_raw(a, b)
    assert 0 <= rs <= re_ <= len(raw)
    touched = any((e.start < b and a < e.end) or (e.start == e.end and a < e.start < b)
                  for e in out.edits)
    if not touched:
        assert raw[rs:re_] == out.text[a:b]
        # and back: an untouched span maps back onto itself
        assert m.span_to_norm(rs, re_) == (a, b)


def test_normalize_refuses_bytes() -> None:
    with pytest.raises(TypeError, match=r"decode in newscorpus\.ingest"):
        normalize(b"bytes")  # type: ignore[arg-type]


def test_unknown_rule_family_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown rule family 'nope'"):
        normalize("x", rules=["nope"])


def test_rules_subset_runs_only_those_families() -> None:
    raw = "cafe\u0301  x"
    assert normalize(raw, rules=["whitespace"]).text == "cafe\u0301 x"
    assert normalize(raw, rules=["unicode"]).text == "caf\u00e9  x"


RULES = [fn for fns in FAMILIES.values() for fn in fns]


@FAST
@pytest.mark.parametrize("rule", RULES, ids=lambda fn: f"{fn.__module__}.{fn.__name__}")
@given(raw=TEXTS)
def test_every_rule_is_idempotent(rule: Callable[[str], Rewrite], raw: str) -> None:
    # normalize() skips a rule on the text that rule itself returned: that needs this.
    once = rule(raw)
    assert rule(once.text).edits == ()
