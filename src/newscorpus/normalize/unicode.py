"""Unicode rules: canonical composition (NFC) and a leading byte-order mark.

NFC only merges canonically equivalent sequences (``e`` + U+0301 -> ``é``), so it never
changes what a reader sees; compatibility folding (NFKC: ``ﬁ`` -> ``fi``, ``²`` -> ``2``) is
left alone on purpose because it does.
"""

from __future__ import annotations

import re
import unicodedata

from newscorpus.model.records import Rewrite
from newscorpus.normalize._editlog import Replacement, rewrite

__all__ = ["RULES", "compose_nfc", "drop_bom"]

# A run of non-ASCII characters with the one character before it: ASCII characters never
# compose with what precedes them, so NFC of each such chunk equals NFC of the whole text.
_NON_ASCII_RUN = re.compile(r".?[^\x00-\x7f]+", re.DOTALL)

# Combining classes as bytes (0 for a starter): runs of non-starters, and long ones. Python
# puts a run in canonical order by insertion sort, in time quadratic in its length (a run of
# 100,000 marks in reverse order took minutes); a longer run than this is sorted here first.
_MARKS = re.compile(rb"[^\x00]{2,}")
_LONG_MARKS = re.compile(rb"[^\x00]{33,}")


def _classes(s: str) -> bytes:
    return bytes(map(unicodedata.combining, s))


def _nfc(chunk: str) -> str:
    """``unicodedata.normalize("NFC", chunk)``, in time linear in long runs of marks too.

    >>> s = "a" + "\u0301\u0316" * 40
    >>> _nfc(s) == unicodedata.normalize("NFC", s)
    True
    """
    if not _LONG_MARKS.search(_classes(chunk)):
        return unicodedata.normalize("NFC", chunk)
    # NFD by hand: decompose each character, then sort each run of non-starters by class
    # (stably: the canonical ordering); NFC of text already in that order sorts nothing.
    nfd = "".join([unicodedata.normalize("NFD", c) for c in chunk])
    parts: list[str] = []
    pos = 0
    for m in _MARKS.finditer(_classes(nfd)):
        parts.append(nfd[pos : m.start()])
        parts.append("".join(sorted(nfd[m.start() : m.end()], key=unicodedata.combining)))
        pos = m.end()
    parts.append(nfd[pos:])
    return unicodedata.normalize("NFC", "".join(parts))


def compose_nfc(text: str) -> Rewrite:
    """Compose canonically equivalent sequences (Unicode NFC), one edit per changed run.

    Leaves text that is already NFC (all ASCII, precomposed letters) untouched.

    >>> compose_nfc("cafe\\u0301").text == "caf\\u00e9"
    True
    >>> compose_nfc("café").edits
    ()
    """
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return Rewrite(text)
    reps = []
    for m in _NON_ASCII_RUN.finditer(text):
        chunk = m.group()
        fixed = _nfc(chunk)
        if fixed == chunk:
            continue
        # trim the common prefix/suffix so the edit covers only what changed
        p = 0
        while p < min(len(chunk), len(fixed)) and chunk[p] == fixed[p]:
            p += 1
        q = 0
        while (q < min(len(chunk), len(fixed)) - p and chunk[-1 - q] == fixed[-1 - q]):
            q += 1
        reps.append(Replacement(m.start() + p, m.end() - q, fixed[p : len(fixed) - q],
                                "unicode.nfc"))
    return rewrite(text, reps)


def drop_bom(text: str) -> Rewrite:
    """Remove byte-order marks (U+FEFF) at the start of the text.

    Leaves a U+FEFF inside the text alone (it is a zero-width no-break space there).

    >>> drop_bom("\\ufeffHello").text
    'Hello'
    >>> drop_bom("Hel\\ufefflo").edits
    ()
    """
    n = len(text) - len(text.lstrip("\ufeff"))
    if not n:
        return Rewrite(text)
    return rewrite(text, [Replacement(0, n, "", "unicode.bom")])


RULES = (drop_bom, compose_nfc)
