"""Boilerplate rules: delete link and footer text scrapers leave in, and find what stays.

Deletions come from the named patterns of ``boilerplate_rules``. Embedded social-media posts
are article content (a quoted tweet is a source), so they are kept and only *marked*; a
last sentence cut off by the scraper is flagged as truncation, not repaired.
"""

from __future__ import annotations

import re

from newscorpus.model.records import Mark, Rewrite
from newscorpus.normalize._editlog import Replacement, compose, rewrite
from newscorpus.normalize.boilerplate_rules import EMBED_ATTRIBUTIONS, HINT, RULES

__all__ = ["RULES_FNS", "find_embeds", "inspect", "is_truncated", "strip"]

_PARA_BREAK = re.compile(r"\n[^\S\n]*\n")
_WORD = re.compile(r"\w+")
_SENTENCE_END = set(".!?\"'”’»)]…")


def strip(text: str) -> Rewrite:
    """Delete "Read more" link lines and a trailing "Read More – Source" footer.

    Leaves paragraphs that only mention reading more ("Read more about the plan here.") alone.

    >>> strip("Iran vowed revenge.\\n\\nRead more\\n\\nThe general was killed.").text
    'Iran vowed revenge.\\n\\nThe general was killed.'
    >>> strip("Read more about the plan in our guide.").edits
    ()
    """
    out = _strip_once(text)
    while out.edits:  # a removal can bare another piece ("Read moreRead More – Source")
        again = _strip_once(out.text)
        if not again.edits:
            break
        out = Rewrite(again.text, compose(text, out.edits, out.text, again.edits, again.text))
    return out


def _strip_once(text: str) -> Rewrite:
    if not HINT.search(text):
        return Rewrite(text)
    reps: list[Replacement] = []
    taken: list[tuple[int, int]] = []
    for rule in RULES:
        for m in rule.pattern.finditer(text):
            a, b = m.start(), m.end()
            if a == b or any(a < y and x < b for x, y in taken):
                continue
            taken.append((a, b))
            reps.append(Replacement(a, b, "", rule.id))
    return rewrite(text, reps)


def find_embeds(text: str) -> tuple[Mark, ...]:
    """Spans of embedded social-media posts: the post paragraph plus its attribution line.

    >>> t = "Intro.\\n\\nBig news today.\\n\\n— Jane Doe (@jdoe) January 3, 2020\\n\\nMore."
    >>> [t[m.start:m.end] for m in find_embeds(t)]
    ['Big news today.\\n\\n— Jane Doe (@jdoe) January 3, 2020']
    >>> find_embeds("No post here.")
    ()
    """
    marks: list[Mark] = []
    for pat in EMBED_ATTRIBUTIONS:
        for m in pat.finditer(text):
            # the post is the paragraph just before the attribution line (or the lines above
            # it in the same paragraph when no blank line separates them)
            breaks = list(_PARA_BREAK.finditer(text, 0, m.start()))
            if breaks and breaks[-1].end() == m.start():
                start = breaks[-2].end() if len(breaks) >= 2 else 0
            else:
                start = breaks[-1].end() if breaks else 0
            marks.append(Mark(start, m.end(), "embed.social"))
    return tuple(sorted(set(marks), key=lambda mk: (mk.start, mk.end)))


def is_truncated(text: str) -> bool:
    r"""Whether the last paragraph stops mid-sentence (a scraper cut the article short).

    It does when the paragraph ends in a word that starts lower-case or in a comma (after at
    least three words), or in any word after eight or more; a short last line that ends in a
    capitalised word or a number (a credit, dateline or heading) is not judged.

    >>> is_truncated("It began.\n\nLamenting a dangerous escalation that threat")
    True
    >>> is_truncated("It ended as it began, quietly.\n\nCopyright Reuters 2020")
    False
    """
    body = text.rstrip()
    if not body or body[-1] in _SENTENCE_END:
        return False
    words = _WORD.findall(_PARA_BREAK.split(body)[-1])
    n_words = len(words)
    mid_sentence = (bool(words) and words[-1][0].islower()) or body[-1] in ",;"
    return (mid_sentence and n_words >= 3) or n_words >= 8


def inspect(text: str) -> Rewrite:
    """Marks and the truncation flag of an already normalised text (no edits)."""
    return Rewrite(text, (), find_embeds(text), is_truncated(text))


RULES_FNS = (strip,)
