"""The seed article, edit by edit: every stripped apostrophe and both boilerplate pieces.

The raw offsets below were read off ``corpus/raw/19/19efab646f741469.txt`` by hand (word start +
length of the base). ``KNOWN_MISSES`` are apostrophes the restorer leaves out on purpose
(not confident enough); each is an xfail that turns into a failure once it is fixed, so the
list cannot go stale.
"""

from __future__ import annotations

import pytest

from newscorpus.model.records import Edit
from newscorpus.normalize import invert, normalize
from tests.conftest import REPO

RAW = (REPO / "corpus" / "raw" / "19" / "19efab646f741469.txt").read_text(encoding="utf-8")

# raw offset of the missing apostrophe -> (word as it should read, rule)
APOSTROPHES: dict[int, tuple[str, str]] = {
    220: ("Washington's", "apostrophe.possessive"),
    707: ("country's", "apostrophe.possessive"),
    1982: ("Iran's", "apostrophe.possessive"),
    2376: ("Qaeda's", "apostrophe.possessive"),
    2425: ("group's", "apostrophe.possessive"),
    2993: ("It's", "apostrophe.its"),
    3078: ("24's", "apostrophe.possessive"),
    3785: ("Iran's", "apostrophe.possessive"),
    4000: ("Lebanon's", "apostrophe.possessive"),
    4021: ("Yemen's", "apostrophe.possessive"),
    4307: ("country's", "apostrophe.possessive"),
    4910: ("Washington's", "apostrophe.possessive"),
    6136: ("Iraq's", "apostrophe.possessive"),
    6168: ("harm's", "apostrophe.possessive"),
    6859: ("harm's", "apostrophe.possessive"),
    6895: ("it's", "apostrophe.its"),
    7097: ("there's", "apostrophe.contraction"),
    7592: ("country's", "apostrophe.possessive"),
    7992: ("Friday's", "apostrophe.possessive"),
    8666: ("country's", "apostrophe.possessive"),
}
KNOWN_MISSES = {2425}  # "the Islamic State (IS) groups Abu Bakr": group's

BOILERPLATE = [
    (334, 346, "\n\n\nRead more", "boilerplate.read_more"),
    (8842, 8860, "Read More – Source", "boilerplate.read_more_source"),
]

OUT = normalize(RAW)
APOS_EDITS = {e.raw_start: e for e in OUT.edits if e.rule.startswith("apostrophe.")}


def test_seed_edits_are_exactly_the_expected_ones() -> None:
    expected = set(APOSTROPHES) - KNOWN_MISSES
    assert set(APOS_EDITS) == expected
    others = [(e.raw_start, e.raw_end, e.before, e.rule) for e in OUT.edits
              if not e.rule.startswith("apostrophe.")]
    assert others == [(a, b, before, rule) for a, b, before, rule in BOILERPLATE]


@pytest.mark.parametrize("raw_pos", sorted(set(APOSTROPHES) - KNOWN_MISSES))
def test_seed_apostrophe_is_restored_with_its_rule(raw_pos: int) -> None:
    word, rule = APOSTROPHES[raw_pos]
    e: Edit = APOS_EDITS[raw_pos]
    assert (e.before, e.after, e.rule) == ("", "'", rule)
    assert e.raw_end == raw_pos
    base = word[: word.index("'")]
    assert OUT.text[e.start - len(base) : e.start + len(word) - len(base)] == word


@pytest.mark.parametrize("raw_pos", sorted(KNOWN_MISSES))
@pytest.mark.xfail(strict=True, reason="known miss: below the restorer's confidence threshold")
def test_seed_known_miss(raw_pos: int) -> None:
    assert raw_pos in APOS_EDITS


def test_seed_is_marked_truncated_with_its_tweet_marked() -> None:
    assert OUT.truncated
    assert OUT.text.endswith('Lamenting "a dangerous escalation" that threat')
    [mark] = OUT.marks
    assert mark.kind == "embed.social"
    assert OUT.text[mark.start:mark.end].startswith("No doubt #Soleimani")
    assert OUT.text[mark.start:mark.end].endswith("(@CER_IanBond) January 3, 2020")


def test_seed_inverts_to_its_raw_bytes() -> None:
    assert invert(OUT.text, OUT.edits).encode("utf-8") == (
        REPO / "corpus" / "raw" / "19" / "19efab646f741469.txt").read_bytes()


def test_seed_keeps_its_mixed_quotes() -> None:
    # annotators see the author's characters: curly and straight quotes stay as they came
    assert "“What the Trump administration" in OUT.text
    assert '"We have woken up' in OUT.text
