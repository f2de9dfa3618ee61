"""Pre-annotation by rules (pure): suggestions for annotators, never gold.

Two small models, both explainable to an annotator in one sentence:

- **claims**: a quotation or reported clause with its attribution pattern ("X said", "said X",
  "X told FRANCE 24", "according to X", "X warned that ..."): the claim span, its cue word
  and its speaker entity;
- **entities**: a gazetteer built from the corpus's own human annotations (what annotators
  already labelled, labelled the same way again), then capitalised-span heuristics for names
  the gazetteer does not know yet.

Everything they produce has origin ``model:newscorpus-rules@<version>``; it reaches the corpus
only when an annotator submitted it in Label Studio (then it is ``human``).

>>> from newscorpus.model.records import Source
>>> d = Document("d1", Source(), None, '"Iran will retaliate," said Ian Bond on Friday.', "x",
...              "0", (), "train")
>>> ents, claims = prelabel(d, {})
>>> [(e.text, e.label) for e in ents]
[('Ian Bond', 'PERSON'), ('Friday', 'DATE')]
>>> c = claims[0]
>>> c.text, c.claim_type, c.cue.text if c.cue else None
('Iran will retaliate', 'prediction', 'said')
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from newscorpus.model.records import Claim, Document, Entity, Span

__all__ = ["MODEL_NAME", "MODEL_VERSION", "ORIGIN", "gazetteer", "prelabel"]

MODEL_NAME = "newscorpus-rules"
MODEL_VERSION = f"{MODEL_NAME}@1.0"
ORIGIN = f"model:{MODEL_VERSION}"

_CUES = ("said", "says", "say", "told", "added", "warned", "stressed", "argued", "explained",
         "wrote", "blasted", "claimed", "insisted", "noted", "urged")
_CUE = "|".join(_CUES)
_NAME_WORD = r"[A-Z][\w-]*"  # no apostrophe: "Iran's" is "Iran" + a possessive
_NAME = rf"{_NAME_WORD}(?:[ ]+(?:al-|bin[ ]|de[ ]|of[ ]|for[ ])?{_NAME_WORD})*"  # one line, no dots
_PRONOUNS = r"(?:he|she|they|it|He|She|They|It)"
_QUOTE = re.compile(r"[“\"]([^“”\"\n]{12,}?)[”\"]")
# after a quote: ', said Ellie Geranmayeh' / ', Geranmayeh told FRANCE 24' / ', she added'
_AFTER_CUE_FIRST = re.compile(rf"\s*,?\s*(?P<cue>{_CUE})\s+(?P<spk>{_NAME}|{_PRONOUNS})")
_AFTER_SPK_FIRST = re.compile(rf"\s*,?\s*(?P<spk>{_NAME}|{_PRONOUNS})\s+(?P<cue>{_CUE})\b")
# before a quote, in the same sentence: 'Russia, a key ally ..., blasted “' / 'She added: “'
_BEFORE = re.compile(rf"(?P<cue>{_CUE}|according to)\s*:?\s*$")
# reported speech: 'Daragahi warned that US troops ... exposed.'
_REPORTED = re.compile(
    rf"(?P<spk>{_NAME})\s+(?P<cue>said|says|say|warned|argued|claimed|insisted)\s+"
    r"(?:that\s+)?(?P<claim>[a-zA-Z][^.“”\"]{15,}?)(?=[.;]\s|[.;]$|$)", re.M)
_ACCORDING = re.compile(rf"(?P<claim>[A-Z][^.“”\"]{{15,}}?),?\s+(?P<cue>according to)\s+"
                        rf"(?P<spk>{_NAME})")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n)\s*$")

_STOP = {"The", "A", "An", "But", "And", "In", "As", "It", "This", "That", "He", "She", "They",
         "We", "His", "Her", "Its", "While", "Such", "No", "If", "Read", "More", "Among", "Up",
         "Therefore", "What", "Lamenting", "Military", "Proxy", "Precipitating", "Analysts",
         "On", "At", "For", "Of", "To", "Meting", "There", "These", "Those", "One", "Secretary",
         "General", "President", "Ayatollah", "State", "Department"}
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DATE = re.compile(
    rf"\b(?:(?:{'|'.join(_MONTHS)})\s+\d{{1,2}}(?:,\s*\d{{4}})?|(?:{'|'.join(_DAYS)})|"
    r"\d+\s+years|(?:19|20)\d\d)\b")
_ORG_WORDS = ("Force", "Forces", "Council", "Department", "Organisation", "Organization",
              "Ministry", "Army", "Guard", "Party", "Centre", "Center", "Agency", "Relations",
              "Reform", "Independent", "Hezbollah", "Hamas", "Taliban")
_TITLES = re.compile(r"(?:President|General|Secretary of State|leader|minister|official|"
                     r"correspondent|director|fellow|Ayatollah)\s*,?\s*$")
_NORP = re.compile(r"^[A-Z][a-z]+(?:ian|ese|ish|aqi|eli)$")
_LOC_WORDS = ("East", "West", "Gulf", "Sea", "Ocean", "Asia", "Africa", "Europe")
_GPE_WORDS = ("States", "Kingdom", "Emirates", "Republic")


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    label: str


def gazetteer(entities: Iterable[Entity]) -> dict[str, str]:
    """Surface text -> its most frequent human label (ties: the label seen first).

    >>> e = Entity("d", "i", 0, 4, "Iran", "GPE", "a", "human")
    >>> gazetteer([e, e])
    {'Iran': 'GPE'}
    """
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for e in entities:
        if e.origin == "human":
            votes[e.text][e.label] += 1
    return {t: c.most_common(1)[0][0] for t, c in sorted(votes.items())}


def _guess(text: str, name: str, start: int) -> str | None:
    """The label of a capitalised span the gazetteer does not know, or None when unsure."""
    words = name.split()
    if words[-1] in _ORG_WORDS or words[-1] == "State" or any(
            w in ("Council", "Organisation") for w in words):
        return "ORG"
    if words[-1] in _LOC_WORDS:
        return "LOC"
    if words[-1] in _GPE_WORDS:
        return "GPE"
    if len(words) == 1 and _NORP.match(name) and name not in _STOP:
        return "NORP"
    if _TITLES.search(text[max(0, start - 40):start]):
        return "PERSON"
    if 2 <= len(words) <= 3 and all(w[0].isupper() for w in words):
        return "PERSON"
    return None


def _entities(doc: Document, gaz: Mapping[str, str]) -> list[_Hit]:
    text = doc.text
    taken = [False] * (len(text) + 1)
    hits: list[_Hit] = []

    def add(s: int, e: int, label: str) -> None:
        if s < e and not any(taken[s:e]):
            for i in range(s, e):
                taken[i] = True
            hits.append(_Hit(s, e, label))

    for surface in sorted(gaz, key=lambda s: (-len(s), s)):  # longest first
        for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            add(m.start(), m.end(), gaz[surface])
    for m in _DATE.finditer(text):
        add(m.start(), m.end(), "DATE")
    for m in re.finditer(_NAME, text):
        name = m.group(0).rstrip("-")
        s = m.start()
        words = name.split()
        while words and words[0] in _STOP:  # "The State Department" -> "State Department"
            s += len(words[0]) + 1
            words = words[1:]
        if not words:
            continue
        name = " ".join(words)
        if len(words) == 1 and _SENTENCE_START.search(text[:s]) and name not in gaz:
            continue  # a capitalised first word says nothing
        label = gaz.get(name) or _guess(text, name, s)
        if label is not None:
            add(s, s + len(name), label)
    return sorted(hits, key=lambda h: (h.start, h.end))


def _claim_type(text: str) -> str:
    low = text.lower()
    if re.search(r"\d|\bhundreds?\b|\bthousands?\b|\bpercent\b|\bfew\b", low):
        return "statistical"
    if re.search(r"\b(will|could|would|going to|may|might)\b", low):
        return "prediction"
    if re.search(r"\b(caus\w*|because|led to|result\w*)\b", low):
        return "causal"
    if re.search(r"\b(dangerous|humiliating|important|difficult|bad|pointless|lawless)\b", low):
        return "opinion"
    return "factual"


def prelabel(doc: Document, gaz: Mapping[str, str]) -> tuple[list[Entity], list[Claim]]:
    """Suggested entities and claims of ``doc`` (record ids ``<doc>:pred:<region>``)."""
    text = doc.text
    hits = _entities(doc, gaz)
    found: list[tuple[int, int, int, int, int, int]] = []  # claim, cue, speaker spans

    def speaker_span(s: int, e: int, name: str) -> tuple[int, int]:
        if re.fullmatch(_PRONOUNS, name):
            return -1, -1
        return s, e

    for m in _QUOTE.finditer(text):
        cs, ce = m.start(1), m.end(1)
        while ce > cs and text[ce - 1] in ",. ":
            ce -= 1
        after = text[m.end():m.end() + 80]
        am = _AFTER_CUE_FIRST.match(after) or _AFTER_SPK_FIRST.match(after)
        if am:
            base = m.end()
            ss, se = speaker_span(base + am.start("spk"), base + am.end("spk"), am.group("spk"))
            found.append((cs, ce, base + am.start("cue"), base + am.end("cue"), ss, se))
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[line_start:m.start()]
        bm = _BEFORE.search(before)
        if bm:
            sm = re.match(rf"(?:As\s+)?({_NAME}|{_PRONOUNS})", before)
            ss, se = (-1, -1)
            if sm:
                ss, se = speaker_span(line_start + sm.start(1), line_start + sm.end(1),
                                      sm.group(1))
            found.append((cs, ce, line_start + bm.start("cue"), line_start + bm.end("cue"),
                          ss, se))
    for rx in (_REPORTED, _ACCORDING):
        for m in rx.finditer(text):
            cs, ce = m.start("claim"), m.end("claim")
            if any(not (ce <= f[0] or cs >= f[1]) for f in found):
                continue
            name = m.group("spk")
            words = name.split()
            s = m.start("spk")
            while len(words) > 1 and words[0] in _STOP:
                s += len(words[0]) + 1
                words = words[1:]
            found.append((cs, ce, m.start("cue"), m.end("cue"), s, s + len(" ".join(words))))

    by_span = {(h.start, h.end): h for h in hits}
    claims: list[Claim] = []
    for cs, ce, qs, qe, ss, se in sorted(found):
        speaker_id = None
        if ss >= 0:
            hit = by_span.get((ss, se)) or next(
                (h for h in hits if h.start < se and ss < h.end), None)  # overlapping
            if hit is None:
                hit = _Hit(ss, se, "PERSON")
                hits.append(hit)
                by_span[(ss, se)] = hit
            if hit.label in ("PERSON", "ORG", "GPE", "NORP"):
                speaker_id = f"{doc.id}:pred:e{hit.start}-{hit.end}"
        ctext = text[cs:ce]
        ctype = _claim_type(ctext)
        claims.append(Claim(doc.id, f"{doc.id}:pred:c{cs}-{ce}", cs, ce, ctext, ctype,
                            ctype in ("factual", "statistical", "causal"), speaker_id,
                            Span(qs, qe, text[qs:qe]), MODEL_VERSION, ORIGIN))
    entities = [Entity(doc.id, f"{doc.id}:pred:e{h.start}-{h.end}", h.start, h.end,
                       text[h.start:h.end], h.label, MODEL_VERSION, ORIGIN)
                for h in sorted(hits, key=lambda h: (h.start, h.end))]
    return entities, claims
