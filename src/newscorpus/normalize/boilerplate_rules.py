"""Boilerplate patterns as named data: each deletion traces back to one rule id here.

A retired rule is deleted, not commented out; the page that motivated it stays as a
regression case in ``tests/cases/boilerplate.jsonl``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["EMBED_ATTRIBUTIONS", "HINT", "RULES", "Rule"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A compiled pattern whose every match is deleted, and why it is safe to delete."""

    id: str
    pattern: re.Pattern[str]
    why: str


RULES: tuple[Rule, ...] = (
    # A "Read more" link left alone on its own line, with the line breaks before it, so the
    # paragraph break around it stays one blank line. Only the bare link text: a paragraph
    # that merely starts with "Read more" ("Read more about it in ...") is an article line.
    # (Written so that a failed try costs one pass over the whitespace: ``\n\s*\n`` matches what
    # ``(?:\n[^\S\n]*)+\n`` does, without a state kept per line to go back through, and
    # ``[^\S\n]*[:.…»›>]?[^\S\n]*`` matched the same as the end but tried every split of a run.)
    Rule(
        id="boilerplate.read_more",
        pattern=re.compile(
            r"(?:^|\n\s*\n)[^\S\n]*read[^\S\n]+more[^\S\n]*(?:[:.…»›>][^\S\n]*)?"
            r"(?=\n|\Z)",
            re.IGNORECASE,
        ),
        why="link text of a related-article box that scrapers keep as a line of its own",
    ),
    # "Read More – Source" is a feed footer some aggregators append, often glued to the
    # article's last word ("...that threatRead More – Source"); it is never article text.
    Rule(
        id="boilerplate.read_more_source",
        pattern=re.compile(
            r"[^\S\n]*read[^\S\n]+more[^\S\n]*[–—-][^\S\n]*source[^\S\n]*(?=\n|\Z)",
            re.IGNORECASE,
        ),
        why="aggregator footer linking to the source page",
    ),
)

#: Text that every match of every rule above contains: a text without it has nothing to
#: delete, and this one search costs a tenth of running the rules (most articles have none).
#: A new rule must keep this true (tests/test_boilerplate.py checks it on every case).
#: ``boilerplate.strip`` also finds the matches from it, to stay linear in the text: it tries a
#: rule only before each place this matches, at the start of the whitespace there, at its first
#: line break and after its last one. So a rule's match must be whitespace, this, then text on
#: the same line, as the two above are (tests/test_normalize_linear.py compares with finditer).
HINT = re.compile(r"read[^\S\n]+more", re.IGNORECASE)

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")

#: The attribution line that closes an embedded social-media post, as embed widgets render
#: it in text: "— Name (@handle) January 3, 2020" (X/Twitter) or "A post shared by Name
#: (@handle) on Jan 3, 2020 at 5:01pm PST" (Instagram). The post is that line plus the
#: paragraph before it.
EMBED_ATTRIBUTIONS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"^[—–-]{{1,2}}[^\S\n]*[^\n]{{0,80}}\(@\w{{1,30}}\)[^\S\n]*{_MONTH}"
               rf"[^\S\n]+\d{{1,2}},[^\S\n]*\d{{4}}[^\S\n]*$", re.MULTILINE),
    re.compile(rf"^A post shared by [^\n]{{0,80}}\(@[\w.]{{1,30}}\)[^\S\n]+on[^\S\n]+{_MONTH}"
               rf"[^\n]{{0,40}}$", re.MULTILINE),
)
