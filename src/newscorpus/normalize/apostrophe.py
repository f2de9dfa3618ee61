"""Apostrophe rules: put back apostrophes that a scraper stripped.

Scrapers often drop apostrophes: "Washingtons stand-off", "the countrys leader", "Its very
difficult", "dont", "theres". ``restore`` puts them back, precise before bold: an insertion it
is not sure of (confidence below ``THRESHOLD``) is not made. It only ever inserts apostrophes,
never changes or removes a character, and copies the document's apostrophe style (U+2019 when
the document's word-internal apostrophes are mostly U+2019, else ASCII ``'``).

Evidence, in order of weight:

* closed classes: negations (``dont``), and contractions whose stripped form is not a word
  (``theres``, ``youre``, ``Im``); forms that cannot be anything but a possessive (a year
  that is no decade, ``2002s``; ``Strausss``; ``AT&Ts``);
* fixed patterns (``_PATTERN_CONF``: made where words are stripped, not in a document that
  keeps its apostrophes): "its" before a predicate (``its not clear``, ``its very difficult
  to``, ``its unlikely to``; ``its possible that`` when the model already leans to "it's"),
  "were" that can have no subject (``"Were delighted``, ``I think were doing``: "we're"),
  ``this years winner``, ``in two years time``, ``a days work`` (a singular determiner),
  ``Fridays strike`` (a weekday before a noun, not ``on Fridays``), ``each others work``
  and a few idioms (``out of harms way``);
* word frequencies from ``wordfreq`` (``countrys`` is rare, ``country's`` common);
* context: what follows and precedes the word (a possessive is followed by a noun phrase;
  ``its own`` vs ``it's not``), as log-likelihood tables learned by
  ``scripts/build_apostrophe_stats.py`` (only single-word counts and weights are shipped),
  and the parts of speech and inflections that ``lemminflect``'s English lexicon allows the
  next words ("factories" is only a plural noun, so "the groups factories" cannot be a
  plural subject and its verb);
* for "Xs" a second stage: gradient-boosted trees (``_Forest``: three forests fitted with
  LightGBM by the same script, averaged, and calibrated out of fold, apart for documents
  without apostrophes) decide the candidates the logistic model finds
  between ``FOREST_MIN`` and ``FOREST_MAX`` likely, since they can weigh one cue by another
  (a determiner before, a noun after, the singular seen after "the" elsewhere in the text);
* the document itself: the base used alone elsewhere (``Iran``), the form written with an
  apostrophe elsewhere (``Iran's``), or the form used where no possessive can stand
  (``Williams said``).

A document that already has apostrophes of its own raises the bar (``MIXED_THRESHOLD``,
``CLEAN_THRESHOLD``): there, a word without one is more often written so on purpose.

Decisions depend on the apostrophe-free forms of the words around them; the few document
counts that insertions do change (apostrophes present, stripped words left, forms written with
an apostrophe) only ever make a second run more cautious, or are settled inside the first run,
so a second run changes nothing: ``restore(restore(x).text).edits == ()``.

Not restored: plural possessives other than ``years' time`` and names in s after a title
("Mr Gates company" -> "Mr Gates'"): "critics' views" is too often a plural noun modifier
("the players union"); "were" -> "we're" where a subject may stand
before it ("they think were stolen", "as were two others"). Fixed patterns cover idioms and
names whose apostrophe no context is needed for ("o'clock", "rock'n'roll", "New Year's",
"St Mary's", "Standard & Poor's").
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from typing import Any

from newscorpus.model.records import Rewrite
from newscorpus.normalize._editlog import Replacement, rewrite

__all__ = ["CLEAN_THRESHOLD", "MIXED_THRESHOLD", "RULES", "THRESHOLD", "restore"]

#: Insertions with a lower confidence are not made.
THRESHOLD = 0.9
#: In a document that has some apostrophes of its own next to stripped words, a word without
#: one is more likely written so on purpose: insertions need this confidence there ...
MIXED_THRESHOLD = 0.95
#: ... and this one in a document that keeps its apostrophes (hardly any stripped word).
CLEAN_THRESHOLD = 0.99


def _bar(n_apos: int, ratio: float) -> float:
    """The confidence an insertion needs in a document with ``n_apos`` apostrophes and that
    share of stripped words among its apostrophe-bearing words. It never falls when
    apostrophes are added, so a second run is no bolder than the first."""
    if n_apos >= 3 and ratio <= 0.15:
        return CLEAN_THRESHOLD
    if n_apos >= 1 and ratio < 0.9:
        return MIXED_THRESHOLD
    return THRESHOLD
_LOGIT_THRESHOLD = math.log(THRESHOLD / (1.0 - THRESHOLD))
#: The possessive candidates that the logistic model finds at least this likely are decided
#: by the second stage (``_Forest``), where one is shipped.
FOREST_MIN = 0.3
#: ... and at most this likely: above it the trees hardly ever disagree (and they cost time).
FOREST_MAX = 0.97
_LOGIT_FOREST_MIN = math.log(FOREST_MIN / (1.0 - FOREST_MIN))
_LOGIT_FOREST_MAX = math.log(FOREST_MAX / (1.0 - FOREST_MAX))
# Document counts enter the models as log(1 + n), capped here.
_MAX_LOG_COUNT = math.log1p(100)

_APOS = "'\u2019"
# A word: letters/digits with internal apostrophes ("Iran's", "rock'n'roll").
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_WORD_SPLIT = re.compile(r"([^\W_]+(?:['\u2019][^\W_]+)*)")
_INTERNAL_APOS = re.compile(r"(?<=[^\W_])['\u2019](?=[^\W_])")
# Characters that end a sentence or open a new clause-initial position.
_BOUNDARY = frozenset('.!?:;"\u201c\u201d\u2018([\n\u2014\u2013')

_STATS_FILE = "apostrophe_stats.json"

# Negations whose stripped form is not an English word: the apostrophe goes before the "t".
_NEGATIONS = frozenset([
    "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "hasnt", "havent", "hadnt",
    "couldnt", "wouldnt", "shouldnt", "mustnt", "neednt", "mightnt", "shant", "aint", "darent",
    "oughtnt",
])
# Contractions whose stripped form is not an English word: form -> length of the suffix.
_CONTRACTIONS = {
    **{w: 2 for w in ["youre", "theyre", "whatre"]},
    **{w: 2 for w in [
        "youve", "theyve", "weve", "whove", "couldve", "wouldve", "shouldve", "mightve", "mustve",
    ]},
    **{w: 2 for w in ["youll", "theyll", "itll", "thatll", "wholl", "whatll", "therell", "thisll",
                      "howll", "whatve"]},
    **{w: 1 for w in ["youd", "theyd", "hed", "whod", "itd", "thatd", "thered", "whatd", "whered",
                      "howd", "whyd"]},
    "yall": 3,  # "y'all"
    "maam": 2,  # "ma'am"
    **{w: 1 for w in ["thats", "theres", "heres", "whats", "whos", "hes", "shes", "wheres"]},
    "oclock": 5,  # "four oclock" -> "four o'clock"
}
# Stripped words with two apostrophes: form -> their offsets in the word.
_MULTI = {"rocknroll": (4, 5)}  # "rock'n'roll"
# I-contractions keep the capital I: "Im", "Ive", "Ill", "Id".
_I_FORMS = {"Im": 1, "Ive": 1, "Ill": 1, "Id": 1}
# Stripped contractions that are also words ("hell", "well", "shed"): only made when a
# clause starts before them and a verb follows, e.g. "but well win" -> "but we'll win".
_AMBIGUOUS = {"well": 2, "hell": 2, "shell": 2, "wed": 1, "shed": 1}
_CLAUSE_START = frozenset([
    "and", "but", "so", "because", "if", "then", "that", "think", "thought", "hope", "know", "sure",
    "maybe", "hopefully", "said", "says", "when", "now",
])
_AUX_NEXT = frozenset([
    "be", "have", "never", "not", "just", "like", "love", "rather", "always", "also", "probably",
    "still", "definitely", "only", "been", "had", "got", "go", "get", "make", "take", "need", "see",
    "do", "try", "keep", "continue", "win", "play",
])
_LETS_NEXT = frozenset([
    "go", "hope", "see", "face", "be", "not", "just", "get", "look", "make", "take", "wait",
    "remember",
])
# Words after which "wont"/"cant" are nouns ("as is his wont", "political cant").
_NOUN_PREV = frozenset([
    "the", "a", "an", "his", "her", "their", "its", "my", "our", "your", "of", "such",
    "political", "pious", "religious", "mere",
])


# --------------------------------------------------------------------------------------------
# evidence: word frequencies and learned tables
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Model:
    """A logistic model over named features, some of them looked up in learned tables."""

    weights: Mapping[str, float] = field(default_factory=dict)
    tables: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def table(self, name: str, key: str, shape: str) -> float:
        t = self.tables.get(name)
        if not t:
            return 0.0
        v = t.get(key)
        if v is None:
            v = t.get(shape, 0.0)
        return v

    def prob(self, static: Mapping[str, float], keys: Mapping[str, tuple[str, str]]) -> float:
        """P(apostrophe) from table-free features and the keys to look up in the tables."""
        w = self.weights
        if not w:
            return 0.0
        z = w.get("bias", 0.0)
        for k, v in static.items():
            z += w.get(k, 0.0) * v
        for k, (key, shape) in keys.items():
            if k in w:
                z += w[k] * self.table(k, key, shape)
        if z < -30.0:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True, slots=True)
class _Forest:
    """Gradient-boosted trees (learned by ``scripts/build_apostrophe_stats.py`` with
    LightGBM) and the calibration of their score: P = sigmoid(a * score + b); in a document
    without apostrophes of its own, where ``THRESHOLD`` is the bar, P = sigmoid(a_bare *
    score + b_bare), fitted on such documents alone (the trees are more often right there
    than the rows of all documents together say).

    A tree is a leaf value or a node ``(feature, threshold, left, right)``: a row goes left
    when ``x[feature] <= threshold`` (LightGBM's rule). ``score`` runs them compiled to
    nested ifs (``_compile_trees``), about twice as fast as walking the tuples."""

    features: tuple[str, ...] = ()
    trees: tuple[Any, ...] = ()
    a: float = 1.0
    b: float = 0.0
    a_bare: float = 1.0
    b_bare: float = 0.0
    score: Callable[[Sequence[float]], float] = field(default=lambda x: 0.0, repr=False)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> _Forest:
        """From the stats file, where each tree is [features, thresholds, left, right, leaves]
        and a child below 0 is the leaf ``~child``."""

        def node(t: list[list[Any]], k: int) -> Any:
            if k < 0:
                return float(t[4][~k])
            return (int(t[0][k]), float(t[1][k]), node(t, t[2][k]), node(t, t[3][k]))

        trees = tuple(node(t, 0) for t in data["trees"])
        return cls(features=tuple(data["features"]), trees=trees, score=_compile_trees(trees),
                   a=float(data["a"]), b=float(data["b"]),
                   a_bare=float(data.get("a_bare", data["a"])),
                   b_bare=float(data.get("b_bare", data["b"])))

    def walk(self, x: Sequence[float]) -> float:
        """``score`` by walking the trees (the reference the compiled code must match)."""
        z = 0.0
        for node in self.trees:
            while node.__class__ is tuple:
                f, t, left, right = node
                node = left if x[f] <= t else right
            z += node
        return z

    def prob(self, x: list[float], bare: bool = False) -> float:
        """The calibrated probability; ``bare``: in a document without apostrophes."""
        z = self.a_bare * self.score(x) + self.b_bare if bare else self.a * self.score(x) + self.b
        if z < -30.0:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))


def _emit_tree(node: Any, depth: int, lines: list[str]) -> None:
    """Append one tree's nested ifs, indented ``depth`` spaces, to ``lines``."""
    pad = " " * depth
    if node.__class__ is tuple:
        f, t, left, right = node
        lines.append(f"{pad}if x[{int(f)}] <= {float(t)!r}:")
        _emit_tree(left, depth + 1, lines)
        lines.append(f"{pad}else:")
        _emit_tree(right, depth + 1, lines)
    else:
        lines.append(f"{pad}z += {float(node)!r}")


def _compile_trees(trees: Sequence[Any], chunk: int = 50) -> Callable[[Sequence[float]], float]:
    """The trees as Python functions of nested ifs, ``chunk`` trees each (one function of
    them all would take the compiler a lot of memory). Their source is written here from
    the parsed numbers (ints and floats, by ``repr``, which round-trips), never taken from
    the stats file as text."""
    parts: list[Callable[[Sequence[float], float], float]] = []
    for start in range(0, len(trees), chunk):
        lines = ["def score(x, z):"]  # z: the sum so far, added to in the walk's order
        for tree in trees[start:start + chunk]:
            _emit_tree(tree, 1, lines)
        lines.append(" return z")
        namespace: dict[str, Any] = {}
        exec(compile("\n".join(lines), "<apostrophe trees>", "exec"), namespace)
        parts.append(namespace["score"])
    funcs = tuple(parts)

    def score(x: Sequence[float]) -> float:
        z = 0.0
        for fn in funcs:
            z = fn(x, z)
        return z

    return score


@dataclass(frozen=True, slots=True)
class _Stats:
    # "X's" for lower-case "Xs" (common nouns) and for the rest (names, acronyms)
    possessive_lower: _Model = _Model()
    possessive_upper: _Model = _Model()
    plural_possessive: _Model = _Model()
    its: _Model = _Model()
    were: _Model = _Model()
    closed: _Model = _Model()
    # how noun-like a word is: log P(word | after "the", "his", ...) / P(word | after "he", ...)
    nouns: Mapping[str, float] = field(default_factory=dict)
    # second stage of the possessive models (``FOREST_MIN``), by model name
    forests: Mapping[str, _Forest] = field(default_factory=dict)
    # how much a word behaves like what follows "is": log P(word | after "is", "was") /
    # P(word | after "the", ...); high for "not", "a", "vital", "expected"
    preds: Mapping[str, float] = field(default_factory=dict)


def _load_stats() -> _Stats:
    try:
        raw = resources.files("newscorpus.normalize").joinpath(_STATS_FILE).read_text("utf-8")
    except (FileNotFoundError, OSError):
        return _Stats()
    return _parse_stats(raw)


def _parse_stats(raw: str) -> _Stats:
    """The stats in ``raw`` (the JSON that ``scripts/build_apostrophe_stats.py`` writes)."""
    data: dict[str, Any] = json.loads(raw)
    models = {}
    for name in ("possessive_lower", "possessive_upper", "plural_possessive", "closed",
                 *_WORD_MODELS):
        m = data.get(name, {})
        models[name] = _Model(
            weights={str(k): float(v) for k, v in m.get("weights", {}).items()},
            tables={str(t): {str(k): float(v) for k, v in tab.items()}
                    for t, tab in m.get("tables", {}).items()},
        )
    forests = {}
    for name in ("possessive_lower", "possessive_upper"):
        f = data.get(name, {}).get("forest")
        if f:
            forests[name] = _Forest.parse(f)
    nouns = {str(k): float(v) for k, v in data.get("nouns", {}).items()}
    preds = {str(k): float(v) for k, v in data.get("preds", {}).items()}
    return _Stats(nouns=nouns, preds=preds, forests=forests, **models)


_STATS: _Stats | None = None
_FREQ: dict[str, float] | None = None


def _stats() -> _Stats:
    global _STATS
    if _STATS is None:
        _STATS = _load_stats()
    return _STATS


def _freq() -> dict[str, float]:
    global _FREQ
    if _FREQ is None:
        try:
            import wordfreq

            _FREQ = wordfreq.get_frequency_dict("en")  # shared with wordfreq's cache, read only
        except Exception:  # pragma: no cover - wordfreq is a dependency; degrade, don't crash
            _FREQ = {}
    return _FREQ


def _zipf(f: float) -> float:
    """wordfreq's Zipf scale (log10 per billion words), 0 for unknown words."""
    return math.log10(f) + 9.0 if f > 1e-9 else 0.0


@lru_cache(maxsize=1 << 16)
def _lexical(lower: str) -> tuple[float, float, float]:
    """(Zipf of "X's", Zipf of "Xs", Zipf of "X") for a stripped lower-case form "Xs"."""
    fr = _freq()
    base = lower[:-1]
    return (_zipf(fr.get(base + "'s", 0.0)), _zipf(fr.get(lower, 0.0)),
            _zipf(fr.get(base, 0.0)))


_POS_BITS = {"NOUN": 1, "PROPN": 1, "VERB": 2, "AUX": 2, "ADJ": 4, "ADV": 8}
_POS_N, _POS_V, _POS_A, _POS_ADV = 1, 2, 4, 8


@lru_cache(maxsize=1 << 16)
def _pos(lower: str) -> int:
    """The parts of speech lemminflect's English lexicon allows for a lower-case word, as bits
    (``_POS_N``, ``_POS_V``, ``_POS_A``, 8 for adverbs; 0 when it does not know the word).

    A general lexicon, not one learned from news: "factories" can only be a noun, so "the
    groups factories" is "the group's factories", whatever outlet wrote it."""
    lemmas = _lemmas()
    if lemmas is None or not lower.isalpha():
        return 0
    bits = 0
    for upos in lemmas(lower):
        bits |= _POS_BITS.get(upos, 0)
    return bits


_LEMMAS: Any = None


def _lemmas() -> Any:
    """lemminflect's ``getAllLemmas`` (word -> {upos: lemmas}), or None without it."""
    global _LEMMAS
    if _LEMMAS is None:
        try:
            from lemminflect import getAllLemmas

            _LEMMAS = lru_cache(maxsize=1 << 16)(getAllLemmas)  # callers only read the dict
        except Exception:  # pragma: no cover - lemminflect is a dependency; degrade
            _LEMMAS = False
    return _LEMMAS or None


def _pos_features(word: str, shape: str, prefix: str) -> dict[str, float]:
    """Part-of-speech features of a neighbouring word (lower case words only)."""
    if shape != "<L>":
        return {}
    if word in _CLOSED_CLASS:
        return {prefix + "_cc": 1.0}
    b = _pos(word)
    out: dict[str, float] = {}
    if not b:
        out[prefix + "_none"] = 1.0
    elif not b & _POS_V:
        out[prefix + ("_n" if b & _POS_N else "_a" if b & _POS_A else "_o")] = 1.0
    elif b & (_POS_N | _POS_A):
        out[prefix + "_nv"] = 1.0
    else:
        out[prefix + "_v"] = 1.0
    return out


@lru_cache(maxsize=1 << 16)
def _inflection(lower: str) -> int:
    """How lemminflect's lexicon inflects a lower-case word: bit 1 a plural noun or a
    third-person verb ("factories", "offers"), 2 a past form ("said"), 4 an -ing form,
    8 a noun that is its own lemma though it ends in s ("news", "series"), 16 a comparative
    or superlative ("worst")."""
    lemmas = _lemmas()
    if lemmas is None or not lower.isalpha():
        return 0
    bits = 0
    for upos, forms in lemmas(lower).items():
        for lemma in forms:
            if upos == "ADJ" and lemma != lower:
                bits |= 16
            if lemma == lower:
                if upos == "NOUN" and lower.endswith("s"):
                    bits |= 8
            elif upos in ("NOUN", "VERB") and lower.endswith("s"):
                bits |= 1
            elif upos == "VERB":
                bits |= 4 if lower.endswith("ing") else 2
    return bits


#: Features only the forest weighs (``_s_extra``).
EXTRA_FEATURES = ("doc_det_base", "p1_sform", "p1_past", "p1_ing", "next_the", "c_own",
                  "next_cap_z", "next_caps2", "prev_title", "doc_pl_quant", "next_z", "p2_sform",
                  "p2_past", "p2_sing_verb", "p2_pl_verb", "det_obj")


POS_FEATURES = tuple(f"{p}_{k}" for p in ("p1", "p2")
                     for k in ("none", "n", "a", "o", "nv", "v", "cc"))


# --------------------------------------------------------------------------------------------
# scanning
# --------------------------------------------------------------------------------------------
def _shape(tok: str) -> str:
    c = tok[0]
    if c.isdigit():
        return "<N>"
    if c.isupper():
        return "<C>"
    return "<L>"


@dataclass(slots=True)
class _Doc:
    """Tokens of one text and what the document as a whole says about word forms."""

    text: str
    starts: list[int]
    ends: list[int]
    toks: list[str]
    gaps: list[str]  # gaps[i]: the text before word i; gaps[-1]: after the last word
    forms: list[str]  # lower case, apostrophes removed
    forms_set: set[str]
    apos_forms: set[str]  # lower-case forms written with an apostrophe (normalised to ')
    curly: bool
    # How clean the document looks: log(1 + apostrophes it has), log(1 + stripped closed-class
    # words such as "dont" it has). Insertions raise the first and lower the second, and the
    # models may only weigh them that way round (-, +), so a second run inserts nothing new.
    doc_a: float
    doc_b: float
    # stripped words (closed-class ones and "countrys"-like ones) / (those + apostrophes):
    # how stripped the document looks (0.5 when it has neither); insertions can only lower
    # it, and it is weighed positively.
    ratio: float
    # The confidence an insertion needs here (``_bar``).
    bar: float
    _bigrams: set[tuple[str, str]] | None = None
    _title_next: set[str] | None = None
    _sentence_ends: list[int] | None = None  # for ``_asks``
    _followers: dict[frozenset[str], set[str]] = field(default_factory=dict)

    @property
    def bare(self) -> bool:
        """Has the document no apostrophes of its own (so ``THRESHOLD`` is its bar)?"""
        return self.bar <= THRESHOLD

    def follows(self, words: frozenset[str], form: str) -> bool:
        """Does the (apostrophe-free, lower-case) ``form`` follow one of ``words`` after a
        space somewhere: a determiner ("the film"), a plural quantifier ("two groups")?"""
        seen = self._followers.get(words)
        if seen is None:
            f = self.forms
            seen = self._followers[words] = {f[j + 1] for j in range(len(f) - 1)
                                             if f[j] in words and self.gaps[j + 1] == " "}
        return form in seen

    def after_title(self, form: str) -> bool:
        """Does the (apostrophe-free, lower-case) ``form`` follow "Mr", "Ms", "Dr", ...
        somewhere where no possessive can stand ("Mr Gates said", "Mr Gate.")?"""
        if self._title_next is None:
            f, t = self.forms, self.toks
            last = len(f) - 1
            self._title_next = {f[j + 1] for j in range(last)
                                if f[j] in _TITLES and t[j][0].isupper()
                                and self.gaps[j + 1] in (" ", ". ")
                                and (j + 1 == last or _no_possessive_after(self, j + 1))}
        return form in self._title_next


    def has_bigram(self, first: str, second: str) -> bool:
        """Do the (apostrophe-free, lower-case) words ``first second`` follow each other
        somewhere in the text ("Michael Owen" as evidence for "Michael Owens pass")?"""
        if self._bigrams is None:
            self._bigrams = set(zip(self.forms, self.forms[1:], strict=False))
        return (first, second) in self._bigrams

    def adjacent_after(self, i: int) -> bool:
        """Is token i followed by token i+1 with a single space between (no punctuation)?"""
        if i + 1 >= len(self.toks):
            return False
        gap = self.gaps[i + 1]
        return gap == " " or (gap[:1] in _APOS and gap[1:] == " " and self.toks[i][-1] in "sS")

    def initial(self, i: int) -> bool:
        """Does token i start a sentence or clause (after . ! ? : quotes, brackets, dashes)?"""
        j = self.starts[i] - 1
        text = self.text
        while j >= 0 and text[j] in " \t":
            j -= 1
        if j < 0:
            return True
        c = text[j]
        if c in _BOUNDARY or c == "-":
            return True
        # an opening single quote: 'Its ...
        return c in _APOS and (j == 0 or not text[j - 1].isalnum())

    def next_key(self, i: int) -> tuple[str, str]:
        """(key, shape) of the word after token i: its lower-case form when it is a lower-case
        word, else its shape: ``<C>`` capitalised, ``<N>`` number, ``<P>`` punctuation,
        ``<E>`` end of text."""
        if i + 1 >= len(self.toks):
            return "<E>", "<E>"
        if not self.adjacent_after(i):
            return "<P>", "<P>"
        shape = _shape(self.toks[i + 1])
        return (self.forms[i + 1] if shape == "<L>" else shape), shape

    def next2_key(self, i: int) -> tuple[str, str]:
        if i + 1 >= len(self.toks) or not self.adjacent_after(i):
            return "<X>", "<X>"
        return self.next_key(i + 1)

    def prev_key(self, i: int) -> tuple[str, str]:
        if i == 0 or self.initial(i) or not self.adjacent_after(i - 1):
            return "<P>", "<P>"
        shape = _shape(self.toks[i - 1])
        return (self.forms[i - 1] if shape == "<L>" else shape), shape


_STRIPPED_CLOSED = _NEGATIONS | set(_CONTRACTIONS)
_STRONG_LEX = 1.0  # Zipf("X's") - Zipf("Xs") above which "Xs" is taken for a stripped "X's"
_TRAILING_S = re.compile(r"(?<=[sS])['\u2019](?![^\W_])")


def _scan(text: str) -> _Doc:
    parts = _WORD_SPLIT.split(text)  # gap, word, gap, word, ..., gap
    toks = parts[1::2]
    gaps = parts[0::2]
    cum = list(accumulate(map(len, parts)))
    starts = cum[0:-1:2]
    ends = cum[1::2]
    # lower-casing the joined words is one C call; NUL never occurs inside a word
    lowered = "\0".join(toks).lower().split("\0") if toks else []
    forms = lowered
    apos_forms: set[str] = set()
    n_curly = n_ascii = 0
    if "'" in text or "\u2019" in text:
        forms = list(lowered)
        for i, t in enumerate(lowered):
            if "'" in t or "\u2019" in t:
                apos_forms.add(t.replace("\u2019", "'"))
                forms[i] = t.replace("'", "").replace("\u2019", "")
        for m in _INTERNAL_APOS.finditer(text):
            if m.group() == "'":
                n_ascii += 1
            else:
                n_curly += 1
        # a word-final s' ("critics' views"); closing quotes look the same and count too
        for m in _TRAILING_S.finditer(text):
            k = bisect.bisect_left(ends, m.start())
            if k < len(ends) and ends[k] == m.start():
                apos_forms.add(forms[k] + "'")
    n_trailing = sum(1 for f in apos_forms if f[-1] == "'")
    n_stripped = sum(map(_STRIPPED_CLOSED.__contains__, lowered))
    n_stripped += sum(map(_I_FORMS.__contains__, toks))
    n_apos = n_curly + n_ascii + n_trailing
    # words that are hardly ever written without their apostrophe ("countrys", "Irans")
    n_strong = 0
    for f, n in Counter([f for f in lowered if f[-1] == "s" and len(f) > 3]).items():
        if "'" not in f and "\u2019" not in f:
            z_poss, z_plain, _ = _lexical(f)
            if z_poss - z_plain > _STRONG_LEX:
                n_strong += n
    evidence = n_stripped + n_strong
    ratio = evidence / (evidence + n_apos) if evidence + n_apos else 0.5
    return _Doc(text, starts, ends, toks, gaps, forms, set(forms), apos_forms, n_curly > n_ascii,
                min(math.log1p(n_apos), _MAX_LOG_COUNT),
                min(math.log1p(n_stripped), _MAX_LOG_COUNT), ratio,
                _bar(n_apos, ratio))


def _followed_by_apos(doc: _Doc, i: int) -> bool:
    e = doc.ends[i]
    return e < len(doc.text) and doc.text[e] in _APOS


def _preceded_by_apos(doc: _Doc, i: int) -> bool:
    s = doc.starts[i]
    return s > 0 and doc.text[s - 1] in _APOS and s > 1 and doc.text[s - 2].isalnum()


# --------------------------------------------------------------------------------------------
# closed classes and fixed patterns
# --------------------------------------------------------------------------------------------
def _is_plain_case(tok: str) -> bool:
    """All lower case, or one capital followed by lower case ("dont", "Dont")."""
    return tok.islower() or (tok[0].isupper() and (len(tok) == 1 or tok[1:].islower()))


# O'Neill, D'Arcy, d'Estaing, L'Equipe, l'Enfance, N'Dour; d'Or (Palme d'Or, Ballon d'Or)
_NAME = re.compile(r"[ODdLlN][A-Z][a-z]{2,}|dOr")


# Words that are no verbs though the noun lexicon scores them low.
_FUNCTION_WORDS = frozenset([
    "what", "who", "which", "where", "when", "why", "how", "you", "i", "he", "she", "it", "we",
    "they", "the", "a", "an", "at", "of", "to", "in", "on", "for", "with", "as", "by", "from",
    "and", "but", "or", "if", "so", "that", "this", "there", "here", "than", "then", "not",
    "too", "very", "also", "up", "down", "out", "off", "over", "into", "about",
])


# Prepositions before an age group or a decade ("Under 16s", "Over 50s", "Since 2000s").
_PREPOSITIONS = frozenset(["under", "over", "since", "until", "till", "after", "before", "during",
                           "in", "into", "of", "from", "by", "for", "through", "throughout"])


# Words after which "wed", "hell", "shed", "shell" are the verbs or the noun ("to wed", "will
# wed", "the shell").
_NOT_BEFORE_CONTRACTION = frozenset(["to", "will", "would", "can", "could", "should", "may",
                                     "might", "must", "newly", "the", "a", "of", "in", "from"])
_LETS_ADVERBS = frozenset(["also", "just", "especially", "all", "now", "never", "not", "really"])


def _verb_base_after(doc: _Doc, i: int) -> bool:
    """Is the word after token i a verb's base form that can be no noun ("have", "celebrate";
    lemminflect's lexicon), or, after an adverb ("also", "just"), any verb's base form ("lets
    also question")? Not a pronoun ("them") and not "people" (a verb, too)."""
    j = i + 1
    if _plain_next(doc, i) is None:
        return False
    adverb = doc.forms[j] in _LETS_ADVERBS
    if adverb:
        if _plain_next(doc, j) is None:
            return False
        j += 1
    word = doc.forms[j]
    lemmas = _lemmas()
    if lemmas is None or word in _CLOSED_CLASS or not doc.toks[j].islower():
        return False
    found = lemmas(word)
    return word in found.get("VERB", ()) and (adverb or "NOUN" not in found)


def _title_word_after(doc: _Doc, i: int) -> bool:
    """Is the capitalised word after token i a function word or a verb that no noun or name
    can be ("Im A Celebrity", "Ive Been High", "Im Not Scared"), so token i starts a title?"""
    low = doc.forms[i + 1]
    if low in _FUNCTION_WORDS or low in ("been", "not", "still", "gonna", "never", "so", "just"):
        return True
    b = _pos(low)
    return bool(b & _POS_V) and not b & (_POS_N | _POS_A)


def _prev_word(doc: _Doc, i: int, openers: frozenset[str] | None = None) -> str:
    """``doc.prev_key(i)``'s key, but the lower-case form of a capitalised word before token
    i ("And lets", "But were") when it is one of ``openers`` (any, when None)."""
    prev, shape = doc.prev_key(i)
    if shape == "<C>" and (openers is None or doc.forms[i - 1] in openers):
        return doc.forms[i - 1]
    return prev


def _base_verb(word: str) -> bool:
    """Is the lower-case ``word`` a verb's base form ("push", "stay"), by the noun lexicon
    and its ending?"""
    return (word not in _FUNCTION_WORDS and _stats().nouns.get(word, 0.0) < _VERB_MAX
            and not word.endswith(("ed", "s", "ing", "en")))


def _closed(doc: _Doc, i: int) -> tuple[int, str, float] | None:
    """(offset in token, rule id, confidence) for a closed-class word, else None."""
    tok = doc.toks[i]
    low = doc.forms[i]
    if low in _NEGATIONS and _is_plain_case(tok):
        return len(tok) - 1, "apostrophe.negation", 0.99
    if low in _CONTRACTIONS and _is_plain_case(tok):
        return len(tok) - _CONTRACTIONS[low], "apostrophe.contraction", 0.98
    if tok in _I_FORMS:
        nxt, _ = doc.next_key(i)
        prev, pshape = doc.prev_key(i)
        if tok == "Ive" and ((pshape == "<C>" and doc.forms[i - 1] not in _CLAUSE_START
                              and doc.forms[i - 1] not in _FUNCTION_WORDS)
                             or prev in ("mr", "sir")):
            return None  # Jony Ive (but "Now Ive got my chance")
        if nxt == "<C>" and _title_word_after(doc, i):
            return 1, "apostrophe.contraction", 0.95  # a title: "Im A Celebrity", "Ive Been"
        if nxt in ("<P>", "<E>", "<C>"):
            return None  # "Im Kwon-taek", "Ive, who": a name
        if tok in ("Im", "Ive"):
            return 1, "apostrophe.contraction", 0.97
        if nxt not in _AUX_NEXT and doc.initial(i) and _stats().nouns.get(nxt, 0.0) > 0.5:
            return None  # "Ill health"
        return 1, "apostrophe.contraction", 0.95
    if len(tok) == 2 and tok[1] == "s" and tok[0].isupper() and i > 0 \
            and doc.gaps[i] in ("&", "-") and doc.toks[i - 1][0].isupper():
        # the end of a name before a noun: "AT&Ts shareholders", "Jay-Zs album"
        nxt, nshape = doc.next_key(i)
        if nshape == "<C>" or (nshape == "<L>" and _stats().nouns.get(nxt, 0.0) > _VERB_MAX
                               and nxt not in _PHRASE_NEXT and nxt != "of"):
            return 1, "apostrophe.possessive", 0.97
        return None
    if low.endswith("sss") and len(tok) >= 5 and tok.isalpha() and _is_plain_case(tok) \
            and not _ends_phrase(doc, i):
        # no English word ends in "sss": "Strausss opera" -> "Strauss's"
        return len(tok) - 1, "apostrophe.possessive", 0.97
    if low.endswith("ss") and len(tok) >= 5 and tok[0].isupper() and tok[1:].islower() \
            and low[:-1] not in _STRIPPED_CLOSED and not _ends_phrase(doc, i) \
            and _freq().get(low, 0.0) == 0.0 and tok[:-1] in doc.toks:
        # a name that ends in s, written so elsewhere, with "'s" after it (the style of many
        # outlets): "Joness goal" beside "Jones" is "Jones's goal"
        return len(tok) - 1, "apostrophe.possessive", 0.95
    if tok[-1] == "s" and len(tok) == 5 and tok[:-1].isdigit() and tok[-2] != "0":
        # a year that is no decade: "2002s best film" -> "2002's"
        return 4, "apostrophe.possessive", 0.97
    if tok[-1] == "s" and tok[:-1].isdigit() and len(tok) <= 4:
        # "Radio 4s flagship", "FRANCE 24s correspondent" -> "Radio 4's", "FRANCE 24's";
        # decades and ages ("the 1990s", "her 20s") have no name before them, and at the start
        # of a sentence only a word that starts no phrase is taken for one ("Radio 1s chart",
        # not "His 1970s", "Under 16s")
        prev, pshape = doc.prev_key(i)
        nxt, nshape = doc.next_key(i)
        before = doc.forms[i - 1] if i > 0 else ""
        if pshape == "<C>" and before not in _PREPOSITIONS and (not doc.initial(i - 1) or (
                tok[-2] != "0" and before not in _CLOSED_CLASS and before not in _DETERMINERS)) \
                and (nshape == "<C>" or (nshape == "<L>" and (
                    _stats().nouns.get(nxt, 0.0) > 0.0 or _only_noun(nxt)))):
            return len(tok) - 1, "apostrophe.possessive", 0.95
        return None
    if not _is_plain_case(tok):
        if _NAME.fullmatch(tok):
            return 1, "apostrophe.name", 0.95
        return None
    if low in ("cant", "wont"):
        prev, _ = doc.prev_key(i)
        nxt, _ = doc.next_key(i)
        if prev in _NOUN_PREV or nxt in ("<P>", "<E>"):
            return None
        return 3, "apostrophe.negation", 0.95
    if low in _AMBIGUOUS:
        if not (tok.islower() or (low in ("well", "hell", "wed") and doc.initial(i))):
            return None  # "Shell" is a company
        prev = _prev_word(doc, i, _CLAUSE_START)  # "But well see", "And hell be back"
        nxt, _ = doc.next_key(i)
        if nxt in _AUX_NEXT and (prev in _CLAUSE_START or prev == "<P>"):
            return len(tok) - _AMBIGUOUS[low], "apostrophe.contraction", 0.92
        if low in ("well", "hell") and (prev == "<P>" or (prev in _CLAUSE_START and prev != "so")) \
                and _base_verb(nxt):
            # "but well push on", "hell stay": a verb's base form after it
            return len(tok) - _AMBIGUOUS[low], "apostrophe.contraction", 0.92
        if low in ("wed", "hell", "shed", "shell") and prev not in _NOT_BEFORE_CONTRACTION \
                and _verb_base_after(doc, i):
            # "we'd", "he'll", "she'd", "she'll" before a verb's base form that is no noun:
            # "between us wed decide", "of course hell learn" (the verb "wed" or "shed"
            # takes an object: "to shed light", "newly wed couple")
            return len(tok) - _AMBIGUOUS[low], "apostrophe.contraction", 0.92
        return None
    if low == "lets":
        nxt, _ = doc.next_key(i)
        prev = _prev_word(doc, i, _CLAUSE_START)  # "And lets be clear"
        if nxt in _LETS_NEXT and (prev == "<P>" or prev in _CLAUSE_START):
            return 3, "apostrophe.contraction", 0.93
        if prev == "<P>" and nxt not in ("<P>", "<E>", "<C>", "<N>") and _base_verb(nxt) \
                and _plain_next(doc, i) is not None:
            # opening a sentence or quote before a verb's base form: "Lets put this into
            # perspective" (with a subject, "lets" is the verb: "Google lets users ...")
            return 3, "apostrophe.contraction", 0.93
        if (prev == "<P>" or (prev in _CLAUSE_START and prev != "that")) \
                and _verb_base_after(doc, i):
            # "but lets have a debate", "and lets also question why" ("a service that lets
            # people", "lets users": the verb)
            return 3, "apostrophe.contraction", 0.93
        return None
    return None


# --------------------------------------------------------------------------------------------
# fixed patterns: "its" before a predicate, "two years time", "out of harms way"
# --------------------------------------------------------------------------------------------
#: The confidence of the fixed patterns below: enough where the document has stripped words
#: (``THRESHOLD``) or a mix (``MIXED_THRESHOLD``), not enough in a document that keeps its
#: apostrophes (``CLEAN_THRESHOLD``), where "its a" may be the author's own spelling.
_PATTERN_CONF = 0.97

# After a possessive "its" comes a noun phrase; these words start a predicate instead, so
# "its" before them is "it's": "its not clear", "its been", "its a shame", "its the best".
_ITS_PRED = frozenset(["not", "a", "an", "the", "been", "no", "my", "our", "his", "your",
                       "their", "all", "about", "like", "got", "gonna"])
# In a title, these capitalised words after "Its" start its predicate ("Its A Wonderful Life").
_ITS_TITLE_NEXT = _ITS_PRED - {"my", "our", "his", "your", "their"} | {
    "now", "only", "never", "just", "so", "too", "over"}
# Adverbs that start a predicate when an adjective or participle follows ("its very
# difficult", "its just begun"), but may sit in a noun phrase ("its very existence").
_ITS_ADV = frozenset([
    "very", "so", "too", "really", "just", "quite", "pretty", "always", "also", "never",
    "still", "already", "probably", "definitely", "absolutely", "obviously", "certainly",
    "clearly", "actually", "extremely", "totally", "completely", "incredibly", "particularly",
    "much", "fairly", "rather", "highly", "hugely", "simply", "even", "now", "only", "slightly",
])
# Adverbs that modify a verb or a sentence, never a noun phrase's adjective, so "its" before
# one and a word is "it's" ("its also clear", "its never easy", "its still watching"): in
# train 78 such: 77 "it's", and one the text leaves without ("other factors its probably
# only"). Degree adverbs can sit in a noun phrase: "its highly successful boss".
_ITS_VERB_ADV = frozenset(["really", "too", "quite", "just", "always", "never", "also", "still",
                           "probably", "definitely", "certainly", "obviously", "clearly",
                           "actually", "simply", "surely"])
_NOT_BEFORE_ITS_TIME = _PREPOSITIONS | {"at", "on", "ahead"}  # "in its time", "at its time"
_PRED_MIN = 0.4  # how predicate-like (``preds``) the word after the adverb must be ...
_NOUN_MAX = 1.5  # ... and at most this noun-like
# A strongly predicate-like word ("unlikely", "amazing", "expected") after "its" that ends
# the phrase (punctuation, or one of these words after it) cannot be a modifier of a noun:
# "its unlikely to", "its amazing that", "its crazy."
_ADJ_PRED_MIN = 1.0
_ADJ_NOUN_MAX = 0.5
_PHRASE_NEXT = frozenset([
    "to", "that", "for", "with", "in", "at", "on", "by", "from", "about", "because", "but",
    "and", "if", "when", "as", "than", "the", "a", "an", "this", "it", "he", "she", "they",
    "we", "you", "i", "not", "so", "or",
])


def _plain_next(doc: _Doc, i: int) -> str | None:
    """The lower-case word after token i when it follows after one space and is not the
    first part of a hyphenated word ("so-called"), else None."""
    j = i + 1
    if j >= len(doc.toks) or doc.gaps[j] != " " or not doc.toks[j].islower():
        return None
    if j + 1 < len(doc.toks) and doc.gaps[j + 1][:1] in "-\u2010\u2011":
        return None
    return doc.forms[j]


def _its_predicate(doc: _Doc, i: int) -> bool:
    """Is "its" (token i) followed by words that start a predicate ("its not clear"), also in
    a title ("Its A Wonderful Life", "Its Now or Never")?"""
    nxt = _plain_next(doc, i)
    if nxt is None:
        return doc.adjacent_after(i) and doc.toks[i + 1][0].isupper() \
            and not doc.toks[i + 1][1:].isupper() and doc.forms[i + 1] in _ITS_TITLE_NEXT
    if nxt in _ITS_PRED:
        return True
    if nxt in _ITS_VERB_ADV:
        return _plain_next(doc, i + 1) is not None  # "its still watching", not "its still-born"
    if nxt == "time":
        # "feel its time to move on", "its time for them" (not "in its time")
        return _plain_next(doc, i + 1) in ("to", "for") \
            and _prev_word(doc, i) not in _NOT_BEFORE_ITS_TIME
    if nxt == "going":
        return _plain_next(doc, i + 1) == "to"
    if nxt in _ITS_ADV or _pos(nxt) == _POS_ADV:
        nxt2 = _plain_next(doc, i + 1)
        if nxt2 is None:
            return False
        stats = _stats()
        # "its very difficult to", "its fairly meaningless", but not "its much larger rival"
        return ((stats.preds.get(nxt2, 0.0) >= _PRED_MIN
                 and stats.nouns.get(nxt2, 0.0) <= _NOUN_MAX) or _only_adjective(nxt2)) \
            and _ends_phrase_at(doc, i + 2)
    stats = _stats()
    if (_only_adjective(nxt) or _adjective_no_noun(nxt)) and _ends_phrase_at(doc, i + 1):
        return True  # "its unusual to", "its amazing," (no noun follows an adjective here)
    if stats.preds.get(nxt, 0.0) < _ADJ_PRED_MIN or stats.nouns.get(nxt, 9.0) > _ADJ_NOUN_MAX:
        return False
    # "its crazy.", "its unlikely to" (but "its thinking." is a noun)
    return _ends_phrase_at(doc, i + 1) and not nxt.endswith("ing")


# Closed-class words that lemminflect's lexicon also lists as nouns ("such", "each", "via").
_CLOSED_CLASS = frozenset([
    "such", "whose", "which", "what", "each", "both", "many", "much", "more", "most", "few",
    "several", "all", "any", "some", "them", "us", "him", "her", "our", "your", "their", "my",
    "via", "per", "behind", "inside", "outside", "now", "then", "here", "there", "due", "own",
    "other", "another", "same", "one", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "ten", "themselves", "himself", "herself", "itself", "ourselves", "yourself", "who",
    "whom",
]) | _FUNCTION_WORDS | _PHRASE_NEXT


def _only_noun(word: str) -> bool:
    """Can the lower-case ``word`` be a noun but no verb, and is it no closed-class word?"""
    b = _pos(word)
    return bool(b & _POS_N) and not b & _POS_V and word not in _CLOSED_CLASS


def _only_adjective(word: str) -> bool:
    """Can the lower-case ``word`` only be an adjective (lemminflect's lexicon: no noun, no
    verb), and no superlative ("at its worst", "its highest in a decade")?"""
    if _pos(word) & ~_POS_ADV != _POS_A:
        return False
    return not (word.endswith("st") and _inflection(word) & 16)


_PRED_NOUN_MIN = -1.0  # how predicate-like (``preds``) a word that can be a noun must be ...
_ITS_NOUNS_BEFORE_TO = frozenset(["right", "part", "back"])


def _its_adjective_to(doc: _Doc, i: int) -> bool:
    """Is "its" (token i) followed by an adjective and "to" or "for" ("its possible to", "its
    good for him")? The adjective must be no noun by lemminflect's lexicon, or stand far more
    often after "is" than after "the" (``preds``): "its economy to", "its future for" stay,
    and so do the nouns of "its right to", "to do its part to", "its back to the wall". On
    train 54 right; the 4 wrong are the gold text's own omissions ("its good to see")."""
    nxt = _plain_next(doc, i)
    if nxt is None or nxt in _ITS_NOUNS_BEFORE_TO or nxt in _CLOSED_CLASS \
            or i + 2 >= len(doc.toks) or not doc.adjacent_after(i + 1) \
            or doc.forms[i + 2] not in ("to", "for"):
        return False
    if _adjective_no_noun(nxt):
        return True
    if not _pos(nxt) & _POS_A or _inflection(nxt) & 16:
        return False
    pred = _stats().preds.get(nxt, 0.0)
    return pred > _PRED_NOUN_MIN and pred != 0.0


_ITS_ING_NEXT = frozenset(["the", "a", "an"])


def _its_participle(doc: _Doc, i: int) -> bool:
    """Is "its" (token i) followed by a verb form that can be nothing else (lemminflect's
    lexicon) and then by a word no noun phrase goes on with: a past participle before a
    function word or an adverb ("its taken a lot", "its voted for", "its grown awfully
    fast"), an -ing form before "the"/"a" or an adverb ("its getting the balance", "its
    growing unbelievably fast")? After a possessive "its" such a form would modify the noun
    that follows ("its planned share sale", "its struggling car business"). On train: 13
    right, none wrong, beyond what the other "its" rules find."""
    nxt = _plain_next(doc, i)
    if nxt is None or i + 2 >= len(doc.toks) or not doc.adjacent_after(i + 1) \
            or not doc.toks[i + 2].islower():
        return False
    lemmas = _lemmas()
    if lemmas is None:
        return False
    found = lemmas(nxt)
    if not found or not set(found) <= {"VERB", "AUX"}:
        return False
    after = doc.forms[i + 2]
    adverb = after not in _FUNCTION_WORDS and after not in _CLOSED_CLASS \
        and _pos(after) == _POS_ADV  # lemminflect lists "to" and "at" as adverbs, too
    if nxt.endswith("ing"):
        return after in _ITS_ING_NEXT or adverb
    participle = not nxt.endswith("s") and any(lem != nxt for lem in found.get("VERB", ()))
    return participle and (after in _FUNCTION_WORDS or adverb)


def _adjective_no_noun(word: str) -> bool:
    """Can the lower-case ``word`` be an adjective but no noun (a verb's participle, too:
    "amazing", "deliberate"), and is it no superlative or closed-class word?"""
    b = _pos(word)
    return bool(b & _POS_A) and not b & _POS_N and word not in _CLOSED_CLASS \
        and not _inflection(word) & 16


#: How sure the "its" model must be already for ``_its_extraposed`` to settle it.
_ITS_EXTRAPOSED_MIN = 0.6


def _its_extraposed(doc: _Doc, i: int) -> bool:
    """Is "its" (token i) followed by one word and then "to" or "that" ("its possible to",
    "its amazing that")? After a possessive "its" that word is the head noun ("its decision
    to", "its view that"), which the model scores low; a word the model already leans to read
    as a predicate is one here. Not at the start of a sentence, where the model gives head
    nouns more ("Its warning that prices would rise came true")."""
    if doc.initial(i) or _plain_next(doc, i) is None or i + 2 >= len(doc.toks) \
            or doc.gaps[i + 2] != " ":
        return False
    return doc.forms[i + 2] in ("to", "that") and doc.toks[i + 2].islower()


def _ends_phrase_at(doc: _Doc, j: int) -> bool:
    """Does no noun follow word j: punctuation, the end, or a word of ``_PHRASE_NEXT``?"""
    if j + 1 >= len(doc.toks):
        return True
    gap = doc.gaps[j + 1]
    if gap == " ":
        return doc.toks[j + 1].islower() and doc.forms[j + 1] in _PHRASE_NEXT
    return gap.lstrip(" ")[:1] in ".,;:!?"


_NOT_PARTICIPLES = frozenset(["thing", "bring", "sting", "swing", "spring", "string", "during",
                              "nothing", "something", "anything", "everything"])


# Words that start a subject: "Were they ...?", "Were the results ...?" is a question.
_SUBJECT_START = frozenset([
    "i", "you", "he", "she", "it", "we", "they", "there", "the", "a", "an", "these", "those",
    "this", "that", "all", "both", "some", "many", "any", "his", "her", "their", "our", "my",
    "your", "its", "such", "most", "several", "no", "few", "each", "every", "either", "neither",
])
# Words after which a finite "were" would have no subject: "I think were doing", "if were
# going", "what were doing", "so were going". Only with a progressive or "not" after it:
# "items they think were stolen" has its subject earlier, "as were" is an inversion, and the
# inversions "so were the others", "what were they" have a subject after (``_SUBJECT_START``).
_WERE_PREV = frozenset(["think", "hope", "sure", "if", "because", "what", "so", "when", "while",
                        "once", "although", "though", "unless", "until", "whether"])
_WERE_PROGRESSIVE = frozenset(["not", "going", "never", "still", "just", "now", "all"])
# Verbs of thinking and saying in their base form, which take a clause: "I think were
# deserved winners", "make sure were focused", "to claim were going" (8 in train, none with
# the verb "were"). The third person ("he says were sold") and the past ("what it said were
# specifications") are left alone: a relative clause's "were" has its subject earlier.
_WERE_THINK = frozenset(["think", "believe", "hope", "reckon", "guess", "suppose", "sure",
                         "claim", "insist", "admit", "realise", "realize", "doubt", "bet"])
_SUBJECT_PRONOUNS = frozenset(["i", "we", "you", "they", "he", "she"])
_WERE_NOUN_MAX = 0.5  # a word more noun-like than this after "Were" starts its subject


def _were_contraction(doc: _Doc, i: int) -> bool:
    """Is "were" (token i) "we're"? Only where it can have no subject: it opens a sentence or
    a quote ("Were delighted with the result") and what follows does not start one
    ("Were the talks to fail", "Were voters misled?"), or it follows "think", "if", ...
    before an -ing form or "not" ("I think were doing well")."""
    nxt = _plain_next(doc, i)
    if nxt is None:
        return False
    if i >= 2 and doc.forms[i - 1] in _WERE_THINK and doc.toks[i - 1].islower() \
            and doc.gaps[i] == " " and nxt not in _SUBJECT_PRONOUNS and nxt != "it" \
            and not _relative_subject(doc, i - 2):
        return True  # "I dont think were the only ones"
    if nxt in _SUBJECT_START or nxt in _NOT_PARTICIPLES:
        return False
    progressive = nxt in _WERE_PROGRESSIVE or (len(nxt) >= 5 and nxt.endswith("ing"))
    if doc.toks[i][0] == "W" and _opens_sentence(doc.text, doc.starts[i]):
        if not progressive and (
                # "Were interest rates to rise"; a word lemminflect knows as no noun starts no
                # subject ("Were very busy", "Were comfortable with the price")
                (_stats().nouns.get(nxt, 0.0) > _WERE_NOUN_MAX
                 and (_pos(nxt) & _POS_N or not _pos(nxt)))
                # "Were prices to rise", "Were economic conditions to deteriorate"
                or "to" in doc.forms[i + 2:i + 4]):
            return False
        return not _asks(doc, doc.ends[i])
    prev = _prev_word(doc, i)  # "What were doing", "But were confident"
    if progressive and prev in _WERE_PREV \
            and not (prev in _WERE_THINK and i >= 2 and _relative_subject(doc, i - 2)):
        return True  # not "the parts they think were missing"
    # "and/but were going": a subject shared with the clause before would have a verb in the
    # past there ("the players were tired but were happy"); in a clause in the present it
    # is "we're" ("Im here with my mates and were going"). On train 7 right, none wrong.
    return prev in ("and", "but") and (progressive or _only_adjective(nxt)) \
        and not _past_before(doc, i)


def _relative_subject(doc: _Doc, j: int) -> bool:
    """Is token j a pronoun after a noun ("the items they think were stolen"), so the start
    of a relative clause whose "were" belongs to the noun?"""
    if doc.forms[j] not in _SUBJECT_PRONOUNS or j == 0 or not doc.adjacent_after(j - 1):
        return False
    before = doc.toks[j - 1]
    if before[0].isupper():
        return not doc.initial(j - 1)  # "But I think" starts a clause
    return before.isalpha() and before not in _CLOSED_CLASS and bool(_pos(before) & _POS_N)


_PAST_FORMS = frozenset(["was", "were", "had", "been", "did"])
_SENTENCE_GAP = frozenset('.!?\n"\u201c\u201d')


def _past_before(doc: _Doc, i: int, span: int = 25) -> bool:
    """Is there a verb in the past ("was", "said", "rose") among the words of the sentence
    before token i (at most ``span`` of them)? Apostrophes do not count, so the answer is the
    same after insertions."""
    j = i - 1
    while j >= 0 and i - j <= span:
        if any(c in _SENTENCE_GAP for c in doc.gaps[j + 1]):
            return False
        f = doc.forms[j]
        if f in _PAST_FORMS or (doc.toks[j].islower() and _inflection(f) & 2):
            return True
        j -= 1
    return False


def _asks(doc: _Doc, start: int) -> bool:
    """Does the sentence going on at ``start`` end with a question mark?

    The sentence ends are found once per text: a search from each "Were" to the next end
    took time quadratic in a long text without one ('"Were going ' repeated)."""
    if doc._sentence_ends is None:
        doc._sentence_ends = [m.start() for m in _SENTENCE_END.finditer(doc.text)]
    ends = doc._sentence_ends
    k = bisect.bisect_left(ends, start)
    return k < len(ends) and doc.text[ends[k]] == "?"


_SENTENCE_END = re.compile(r"[.!?\n]")


def _opens_sentence(text: str, start: int) -> bool:
    """Does a sentence or a quotation start at ``start`` (after . ! ? or a new line, not an
    ellipsis; or after an opening quote)?"""
    j = start - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    if j < 0 or text[j] == "\n":
        return True
    c = text[j]
    if c in ".!?":
        return not (c == "." and j > 0 and text[j - 1] == ".")
    if c in "\"'\u201c\u2018":
        # an opening quote: at the start, or after a space, a new line or a colon
        k = j - 1
        return k < 0 or text[k] in " \t\n:(" or (c in "\u201c\u2018")
    return False


# Plural possessives of time: "in two years time" -> "in two years' time".
_TIME_UNITS = frozenset(["seconds", "minutes", "hours", "days", "weeks", "months", "years",
                         "decades"])
_QUANTITIES = frozenset([
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "few", "several",
])
# "this/last/next" + a period: "this years winner" -> "this year's winner".
_PERIODS = frozenset(["years", "weeks", "months", "days", "seasons", "nights", "mornings",
                      "evenings", "afternoons", "summers", "winters", "autumns", "weekends",
                      "decades", "quarters", "terms"])
_DEICTIC = frozenset(["this", "last", "next"])
_SIDE_PREV = frozenset(["his", "her", "their", "our", "my", "your", "home", "own"])
_DETERMINERS = frozenset(["the", "a", "an", "its", "his", "her", "their", "my", "our", "your",
                          "these", "those", "this", "that"])
# Fixed phrases with a possessive: stripped form -> (the next word, the words that may come
# before, or None for any).
_IDIOMS: dict[str, tuple[str, frozenset[str] | None]] = {
    "harms": ("way", frozenset(["of", "in", "into"])),
    "arms": ("length", frozenset(["at"])),
    "stones": ("throw", frozenset(["a"])),
    "devils": ("advocate", None),
    "beginners": ("luck", None),
    "valentines": ("day", None),
}


def _s_pattern(doc: _Doc, i: int) -> tuple[int, str] | None:
    """(offset in token, rule id) of a fixed possessive pattern at token i, else None."""
    tok = doc.toks[i]
    low = doc.forms[i]
    if ((tok in _WEEKDAYS or low in _DAY_PARTS) and _weekday_possessive(doc, i)) \
            or (low in _ONE_UNITS and _one_unit_possessive(doc, i)):
        return len(tok) - 1, "apostrophe.possessive"
    if not tok.islower():
        if i > 0 and tok[0].isupper():
            if tok == "Years" and doc.toks[i - 1] == "New" and doc.gaps[i] == " " \
                    and doc.adjacent_after(i) and (doc.toks[i + 1][0].isupper()
                                                   or _pos(doc.forms[i + 1]) & _POS_N):
                return 4, "apostrophe.possessive"  # "New Years Day", "New Years Eve"
            if _saint_possessive(doc, i) or _station_possessive(doc, i) or _poors(doc, i) \
                    or _prime_minister(doc, i):
                return len(tok) - 1, "apostrophe.possessive"
        if not (low == "valentines" and tok[1:].islower()):
            return None
    if low in ("mens", "womens", "childrens", "elses") and not (
            low == "mens" and i + 1 < len(doc.toks) and doc.forms[i + 1] == "rea"):
        # no words without 's ("mens rea" aside), also before punctuation: "nobody elses."
        return len(tok) - 1, "apostrophe.possessive"
    if i > 0 and doc.gaps[i] == " " and (low, doc.forms[i - 1]) in _RECIPROCAL \
            and not _ends_phrase(doc, i):
        return len(tok) - 1, "apostrophe.possessive"  # "each others work": no plural here
    if low == "ones" and i > 0 and doc.gaps[i] == "-" and doc.forms[i - 1] == "no" \
            and not _ends_phrase(doc, i):
        return 3, "apostrophe.possessive"  # "no-ones fault", "No-ones doing it"
    if low == "olds" and i >= 3 and doc.gaps[i] == "-" and doc.forms[i - 1] == "year" \
            and doc.gaps[i - 1] == "-" and doc.forms[i - 3] == "the" and doc.adjacent_after(i) \
            and (doc.toks[i + 1][0].isupper() or _only_noun(doc.forms[i + 1])):
        # "the 24-year-olds enthusiasm" (in train and dev "the N-year-old's" 8 times, the
        # plural "the N-year-olds" before a word never)
        return 3, "apostrophe.possessive"
    if low == "sides" and i > 0 and doc.gaps[i] == " " and doc.forms[i - 1] in _SIDE_PREV \
            and doc.adjacent_after(i) and doc.forms[i + 1] not in _CLOSED_CLASS:
        # a team: "his sides lead", "the home sides forward power" (none without 's in
        # train or dev; "on their sides." ends the phrase)
        return 4, "apostrophe.possessive"
    if low in _PERIODS and i > 0 and doc.gaps[i] == " " and doc.forms[i - 1] in _DEICTIC \
            and i + 1 < len(doc.toks) and doc.gaps[i + 1] == " " \
            and (i < 2 or doc.initial(i - 1) or doc.forms[i - 2] not in _DETERMINERS):
        # "this years winner", "last weeks vote" (but "the last years of his life")
        return len(tok) - 1, "apostrophe.possessive"
    if low in _TIME_UNITS:
        if _plain_next(doc, i) != "time" or i == 0 or doc.gaps[i] != " ":
            return None
        prev = doc.forms[i - 1]
        if prev in _QUANTITIES or prev.isdigit():
            return len(tok), "apostrophe.plural_possessive"
        return None
    idiom = _IDIOMS.get(low)
    if idiom is None:
        return None
    nxt = doc.toks[i + 1].lower() if i + 1 < len(doc.toks) and doc.gaps[i + 1] == " " else None
    if nxt != idiom[0]:
        return None
    before = idiom[1]
    if before is not None and (i == 0 or doc.gaps[i] != " " or doc.forms[i - 1] not in before):
        return None
    return len(tok) - 1, "apostrophe.possessive"


# The reciprocal pronouns ("each other", "one another") have no plural.
_RECIPROCAL = frozenset([("others", "each"), ("anothers", "one")])
_WEEKDAYS = frozenset(["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays",
                       "Sundays"])
_DAY_PARTS = frozenset(["nights", "mornings", "afternoons", "evenings"])
# Words before a weekday that make "Fridays" a plural: "on Fridays", "most Sundays".
_HABITUAL = frozenset(["on", "most", "all", "some", "many", "every", "the", "two", "three",
                       "several", "few", "other", "alternate", "successive", "consecutive"])


def _weekday(doc: _Doc, i: int) -> int | None:
    """The index of the weekday in "Fridays" or "Friday nights" at token i, else None."""
    tok = doc.toks[i]
    if tok in _WEEKDAYS:
        return i
    if doc.forms[i] in _DAY_PARTS and tok.islower() and i > 0 and doc.gaps[i] == " " \
            and doc.toks[i - 1] + "s" in _WEEKDAYS:
        return i - 1
    return None


def _habitual(doc: _Doc, day: int) -> bool:
    """Does the word before the weekday at ``day`` make it a plural: "on Fridays", "most
    Sundays", or a name: "Happy Mondays"? ("Last Saturdays show" is one Saturday's.)"""
    if day == 0 or doc.initial(day):
        return False
    prev = doc.forms[day - 1]
    return prev in _HABITUAL or (doc.toks[day - 1][0].isupper() and prev not in _DEICTIC)


def _weekday_possessive(doc: _Doc, i: int) -> bool:
    """Is "Xs" (token i) a weekday's, or a weekday night's, before a noun: "Fridays strike",
    "at Sundays Oscars", "Mondays 3-2 win", "Wednesday nights game"? (In train 151 such,
    without 's only after "on" and in the band name "Happy Mondays".)"""
    day = _weekday(doc, i)
    return day is not None and not _habitual(doc, day) and _noun_phrase_next(doc, i)


def _noun_phrase_next(doc: _Doc, i: int) -> bool:
    """Does a noun phrase go on after token i: a name, a number, or a lower-case word that
    can be a noun, an adjective or an -ing form (not a verb, not a closed-class word)?"""
    if not doc.adjacent_after(i) or doc.gaps[i + 1] != " ":
        return False
    nxt = doc.toks[i + 1]
    if not nxt.islower():
        return nxt[0].isupper() or nxt[0].isdigit()
    if nxt in _CLOSED_CLASS or nxt in _AUXILIARIES:
        return False
    return bool(_pos(nxt) & (_POS_N | _POS_A)) or bool(_inflection(nxt) & 4)


_COPULAS = frozenset(["is", "was", "are", "were", "be", "been"])
# Verbs a noun phrase does not go on with that lemminflect also lists as nouns ("are").
_AUXILIARIES = _COPULAS | {"has", "have", "had", "will", "would", "can", "could", "may",
                           "might", "must", "should"}
# Singular determiners before a period: "a days work", "one years supply".
# (those of ``_SINGULAR_DET`` that do not point: "this/last/next years" is ``_DEICTIC``'s)
_ONE = frozenset(["a", "an", "one", "another", "each", "every"])
_ONE_UNITS = _TIME_UNITS | {"nights", "seasons", "weekends"}


def _one_unit_possessive(doc: _Doc, i: int) -> bool:
    """Is "Xs" (token i) a period after a singular determiner, so a possessive: "a days
    work", "one years supply", "a fair days pay"? A singular determiner cannot go with the
    plural ("a few days" is the plural's own phrase). In train 25 such, none without 's."""
    if doc.forms[i] not in _ONE_UNITS or not doc.toks[i].islower() or i == 0 \
            or doc.gaps[i] != " ":
        return False
    j = i - 1
    if doc.forms[j] not in _ONE:
        w = doc.forms[j]
        if j == 0 or doc.gaps[j] != " " or w in _QUANTITIES or w in _CLOSED_CLASS \
                or w in ("dozen", "couple", "thousand", "million", "further", "extra") \
                or not _pos(w) & _POS_A or doc.forms[j - 1] not in _ONE:
            return False  # "a fair days pay" but not "a few days later"
    return _noun_phrase_next(doc, i)


def _prime_minister(doc: _Doc, i: int) -> bool:
    """Is token i the "Ministers" of "Prime Ministers Questions", "Prime Ministers question
    time" (one prime minister's: 5 in train and dev, the plural there never before a word)?
    Not after a number or a plural quantifier ("two Prime Ministers have")."""
    if doc.toks[i] != "Ministers" or doc.toks[i - 1] != "Prime" or doc.gaps[i] != " " \
            or not doc.adjacent_after(i):
        return False
    if i >= 2 and (doc.forms[i - 2] in _PLURAL_QUANT or doc.forms[i - 2] in ("former", "all")
                   or doc.toks[i - 2].isdigit()):
        return False
    nxt = doc.toks[i + 1]
    return nxt[0].isupper() or _only_noun(doc.forms[i + 1])


def _poors(doc: _Doc, i: int) -> bool:
    """Is token i the "Poors" of "Standard & Poors" (the rating agency, "Standard & Poor's")?"""
    if doc.toks[i] != "Poors" or i < 2:
        return False
    return (doc.toks[i - 1] == "Standard" and doc.gaps[i] == " & ") \
        or doc.toks[i - 2:i] == ["Standard", "and"]


_STATION_NUMBERS = frozenset(["Ones", "Twos", "Threes", "Fours", "Fives"])


def _station_possessive(doc: _Doc, i: int) -> bool:
    """Is "Xs" (token i) a broadcaster's channel before a word: "BBC Ones Panorama", "Radio
    Fours Today", "Five Lives Sportsweek"? (31 such in train and dev, none without 's.)"""
    tok = doc.toks[i]
    if (tok not in _STATION_NUMBERS and tok != "Lives") or i == 0 or doc.gaps[i] != " " \
            or _ends_phrase(doc, i):
        return False
    prev = doc.toks[i - 1]
    return (tok in _STATION_NUMBERS and prev in ("BBC", "Radio", "Channel")) \
        or (tok == "Lives" and prev == "Five" and doc.toks[i + 1][0].isupper())


def _saint_possessive(doc: _Doc, i: int) -> bool:
    """Is "Xs" (token i) after "St" a saint's name with "'s" (a church, school or ground: "St
    Marys", "St Pauls", "St Fintians High School")? Not a place whose name ends in s ("St
    Helens", "St Andrews", "St Albans", "St James"): wordfreq knows those better without an
    apostrophe; a saint's name it does not know at all is taken for one."""
    tok = doc.toks[i]
    if i == 0 or len(tok) < 4 or not (tok[0].isupper() and tok[1:].islower()) \
            or doc.toks[i - 1] not in ("St", "Saint") or doc.gaps[i] not in (" ", ". "):
        return False
    z_poss, z_plain, _ = _lexical(doc.forms[i])
    return z_poss >= z_plain


_PLURAL_QUANT = frozenset(["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                           "many", "several", "these", "those", "both", "few", "other",
                           "various", "numerous"])
_TITLES = frozenset(["mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady"])


def _titled_name_possessive(doc: _Doc, i: int) -> bool:
    """Is "Xs" (token i) a name that ends in s, before a noun, so "Xs'" (the style of the
    BBC and others): "Mr Gates company" with "Mr Gates" elsewhere (and never "Mr Gate")?
    Only before a word that can be a noun but no verb ("Mr Gates plans" may be the verb), and
    not after a determiner ("the Jones family" is a name as a modifier)."""
    tok = doc.toks[i]
    if len(tok) < 4 or not (tok[0].isupper() and tok[1:].islower()) or doc.initial(i):
        return False
    nxt = _plain_next(doc, i)
    if nxt is None or not _only_noun(nxt):
        return False
    if i > 0 and doc.forms[i - 1] in _DETERMINERS:
        return False
    low = doc.forms[i]
    return doc.after_title(low) and not doc.after_title(low[:-1])


def _titled_base_possessive(doc: _Doc, i: int) -> bool:
    """Is "Xs" (token i) after a title the possessive of a name the text gives without the s:
    "Lord Scarmans nephew" with "Lord Scarman said" elsewhere, and never "Lord Scarmans"
    where no possessive can stand? (Out of fold on train: 6 more right, none wrong.)"""
    tok = doc.toks[i]
    if i == 0 or len(tok) < 4 or not (tok[0].isupper() and tok[1:].islower()):
        return False
    prev = doc.toks[i - 1]
    if doc.forms[i - 1] not in _TITLES or not prev[0].isupper() or doc.gaps[i] != " " \
            or _ends_phrase(doc, i):
        return False
    low = doc.forms[i]
    return doc.after_title(low[:-1]) and not doc.after_title(low)


# --------------------------------------------------------------------------------------------
# learned models: features
# --------------------------------------------------------------------------------------------
Keys = dict[str, tuple[str, str]]


def _suffix_key(key: tuple[str, str]) -> tuple[str, str]:
    """The last three letters of a lower-case word ("-ion"), else its shape."""
    word, shape = key
    if shape == "<L>" and len(word) >= 5:
        return "-" + word[-3:], shape
    return shape, shape


def _its_keys(doc: _Doc, i: int) -> Keys:
    nxt = doc.next_key(i)
    return {"next": nxt, "next2": doc.next2_key(i), "nsuf": _suffix_key(nxt),
            "prev": doc.prev_key(i)}


def _noun(keys: Keys, slot: str) -> float:
    key, shape = keys[slot]
    if shape != "<L>":
        return 0.0
    return _stats().nouns.get(key, 0.0)


def _pred(keys: Keys, slot: str) -> float:
    key, shape = keys[slot]
    if shape != "<L>":
        return 0.0
    return _stats().preds.get(key, 0.0)


def _its_static(doc: _Doc, i: int, keys: Keys) -> dict[str, float]:
    return {"initial": 1.0 if doc.initial(i) else 0.0, "noun1": _noun(keys, "next"),
            "noun2": _noun(keys, "next2"), "pred1": _pred(keys, "next"),
            "pred2": _pred(keys, "next2"), "doc_a": doc.doc_a, "doc_b": doc.doc_b,
            "ratio": doc.ratio, **_pos_features(*keys["next"], "p1"),
            **_pos_features(*keys["next2"], "p2")}


def _s_keys(doc: _Doc, i: int) -> Keys:
    nxt = doc.next_key(i)
    low = doc.forms[i]
    return {"next": nxt, "prev": doc.prev_key(i), "next2": doc.next2_key(i),
            "nsuf": _suffix_key(nxt), "form": (low, "<L>")}


def _s_lexical(tok: str, low: str, initial: bool) -> dict[str, float]:
    """Features of the stripped word "Xs" itself: frequencies and case."""
    base = tok[:-1]
    z_poss, z_plain, z_base = _lexical(low)
    lower = tok[0].islower()
    acronym = len(base) >= 2 and base.isupper()
    digit = base.isdigit()
    cap = not lower and not acronym and not digit
    lex = z_poss - z_plain
    return {
        "lex": lex,
        "lex_cap": lex if cap else 0.0,
        "lex_acr": lex if acronym else 0.0,
        "z_poss": z_poss,
        "z_plain": z_plain,
        "z_base": z_base,
        "unknown": 1.0 if z_poss == 0.0 and z_plain == 0.0 else 0.0,
        "cap_mid": 1.0 if cap and not initial else 0.0,
        "cap_init": 1.0 if cap and initial else 0.0,
        "acronym": 1.0 if acronym else 0.0,
        "digit": 1.0 if digit else 0.0,
        "c_v": 1.0 if lower and _pos(low) & _POS_V else 0.0,
        "c_none": 1.0 if lower and not _pos(low) else 0.0,
    }


def _s_context(doc: _Doc, i: int, plain_ctx: Mapping[str, int], keys: Keys
               ) -> dict[str, float]:
    """Features of the words around "Xs" and of the document."""
    low = doc.forms[i]
    base = low[:-1]
    own_plain = 1 if i + 1 >= len(doc.toks) or _no_possessive_after(doc, i) else 0
    others_plain = plain_ctx.get(low, 0) - own_plain
    return {
        "doc_base": 1.0 if base in doc.forms_set else 0.0,
        "doc_plain": min(math.log1p(max(others_plain, 0)), _MAX_LOG_COUNT),
        "doc_apos": 1.0 if base + "'s" in doc.apos_forms else 0.0,
        "doc_apos_pl": 1.0 if low + "'" in doc.apos_forms else 0.0,
        "noun1": _noun(keys, "next"),
        "noun2": _noun(keys, "next2"),
        "pred1": _pred(keys, "next"),
        "doc_a": doc.doc_a,
        "doc_b": doc.doc_b,
        "ratio": doc.ratio,
        "doc_apos_r": doc.ratio if base + "'s" in doc.apos_forms else 0.0,
        "sing_det": 1.0 if keys["prev"][0] in _SINGULAR_DET else 0.0,
        "doc_name": 1.0 if _name_evidence(doc, i) else 0.0,
        **_pos_features(*keys["next"], "p1"),
        **_pos_features(*keys["next2"], "p2"),
    }


def _s_extra(doc: _Doc, i: int, keys: Keys) -> dict[str, float]:
    """Features of "Xs" that only the forest weighs: the singular after a determiner
    elsewhere ("the film" for "the films launch"), how the next word is inflected (after a
    plural subject no "-s" verb can follow: "the groups factories"), a title after a name
    ("Bennetts The History Boys"), how common a capitalised next word is as a word and
    whether a name goes on after it, a title before ("Sir Edwards hopes"), the form after a
    plural quantifier elsewhere ("two groups"), plurals that are their own lemma ("news"),
    and what governs "the Xs": a preposition, a copula or a verb ("following the firms
    collapse" is a noun phrase, so "collapse" is no verb of "the firms")."""
    low = doc.forms[i]
    out: dict[str, float] = {}
    if doc.follows(_DETERMINERS, low[:-1]):
        out["doc_det_base"] = 1.0
    nkey, nshape = keys["next"]
    if nshape == "<L>":
        _inflection_features(nkey, "p1", out)
        out["next_z"] = _zipf(_freq().get(nkey, 0.0))
        n2key, n2shape = keys["next2"]
        if n2shape == "<L>":
            # the word after the next one: a verb there makes the next word a noun ("the
            # committees report contained"), and its number tells the head's
            if n2key in ("is", "was", "has", "does"):
                out["p2_sing_verb"] = 1.0
            elif n2key in ("are", "were", "have", "do"):
                out["p2_pl_verb"] = 1.0
            else:
                _inflection_features(n2key, "p2", out)
    elif nshape == "<C>":
        nxt = doc.toks[i + 1]
        if nxt in ("The", "A", "An"):
            out["next_the"] = 1.0
        # how common the capitalised word is as a word ("South", "Strictly") or a name
        out["next_cap_z"] = _zipf(_freq().get(doc.forms[i + 1], 0.0))
        if i + 2 < len(doc.toks) and doc.adjacent_after(i + 1) and doc.toks[i + 2][0].isupper():
            out["next_caps2"] = 1.0
    if i > 0 and doc.forms[i - 1] in _TITLES and doc.toks[i - 1][0].isupper():
        out["prev_title"] = 1.0
    if i >= 2 and doc.forms[i - 1] in _DETERMINERS and doc.gaps[i] == " " \
            and doc.adjacent_after(i - 2) and doc.toks[i - 2].islower():
        # what governs the noun phrase "the Xs ...": a preposition or a verb wants an object
        # ("following the firms collapse": no clause can start there), a copula a complement
        before = doc.forms[i - 2]
        if before in _OBJ_PREPOSITIONS:
            out["det_obj"] = 1.0
        elif before in _COPULAS:
            out["det_obj"] = 2.0
        elif _pos(before) & _POS_V and not _pos(before) & _POS_N:
            out["det_obj"] = 3.0
    if doc.follows(_PLURAL_QUANT, low):
        out["doc_pl_quant"] = 1.0
    if _inflection(low) & 8:
        out["c_own"] = 1.0
    return out


# Prepositions that take a noun phrase as their object.
_OBJ_PREPOSITIONS = _PREPOSITIONS | frozenset([
    "at", "on", "with", "to", "about", "following", "against", "among", "without", "like",
    "within", "across", "behind", "despite", "amid", "towards", "toward", "upon", "via"])


def _inflection_features(word: str, prefix: str, out: dict[str, float]) -> None:
    """``prefix_sform`` / ``_past`` / ``_ing`` for a lower-case neighbour, into ``out`` (the
    forest reads only the names in ``EXTRA_FEATURES``)."""
    b = _inflection(word)
    if b & 1:
        out[prefix + "_sform"] = 1.0
    if b & 2:
        out[prefix + "_past"] = 1.0
    if b & 4:
        out[prefix + "_ing"] = 1.0


def _s_forest_static(doc: _Doc, i: int, plain_ctx: Mapping[str, int], keys: Keys
                     ) -> dict[str, float]:
    """The table-free features the forest reads: the logistic model's and ``_s_extra``."""
    return {**_s_static(doc, i, plain_ctx, keys), **_s_extra(doc, i, keys)}


def _name_evidence(doc: _Doc, i: int) -> bool:
    """After a capitalised word ("Michael Owens"), does the text also have the pair without
    the s ("Michael Owen")?"""
    if i == 0 or doc.initial(i) or not doc.adjacent_after(i - 1):
        return False
    prev = doc.toks[i - 1]
    return prev[0].isupper() and doc.has_bigram(doc.forms[i - 1], doc.forms[i][:-1])


# Determiners that take a singular noun: "a days work" can only be "a day's work".
_SINGULAR_DET = frozenset(["a", "an", "each", "every", "one", "another", "this", "that",
                           "either", "neither", "last", "next"])


def _s_static(doc: _Doc, i: int, plain_ctx: Mapping[str, int], keys: Keys
              ) -> dict[str, float]:
    """Table-free features of the stripped word ``doc.toks[i]`` ("Xs") for "X's" or "Xs'"."""
    return {**_s_lexical(doc.toks[i], doc.forms[i], doc.initial(i)),
            **_s_context(doc, i, plain_ctx, keys)}


@lru_cache(maxsize=1 << 16)
def _s_lexical_z(model_name: str, tok: str, initial: bool) -> float:
    """The part of a model's score that depends on the word alone (cached per word)."""
    model: _Model = getattr(_stats(), model_name)
    low = tok.lower()
    z = model.weights.get("bias", 0.0)
    w = model.weights
    for k, v in _s_lexical(tok, low, initial).items():
        z += w.get(k, 0.0) * v
    if "form" in w:
        z += w["form"] * model.table("form", low, "<L>")
    return z


def _s_prob(doc: _Doc, i: int, plain_ctx: Mapping[str, int], model_name: str) -> float:
    """``model.prob(_s_static(...), _s_keys(...))``, computed faster (same value)."""
    stats = _stats()
    model: _Model = getattr(stats, model_name)
    w = model.weights
    if not w:
        return 0.0
    toks = doc.toks
    forms = doc.forms
    z = _s_lexical_z(model_name, toks[i], doc.initial(i))
    floor = _LOGIT_FOREST_MIN if model_name in stats.forests else _LOGIT_THRESHOLD
    if z + _context_bound(model_name) < floor:
        return 0.0  # no context could lift it to the threshold
    tables = model.tables
    nouns = stats.nouns
    n = len(toks)
    low = forms[i]
    # the word after, and the one after that
    noun1 = noun2 = pred1 = 0.0
    adjacent = i + 1 < n and doc.adjacent_after(i)
    if adjacent:
        nshape = _shape(toks[i + 1])
        nkey = forms[i + 1] if nshape == "<L>" else nshape
        if nshape == "<L>":
            noun1 = nouns.get(nkey, 0.0)
            pred1 = stats.preds.get(nkey, 0.0)
        if i + 2 >= n:
            n2key = n2shape = "<E>"
        elif not doc.adjacent_after(i + 1):
            n2key = n2shape = "<P>"
        else:
            n2shape = _shape(toks[i + 2])
            n2key = forms[i + 2] if n2shape == "<L>" else n2shape
            if n2shape == "<L>":
                noun2 = nouns.get(n2key, 0.0)
    else:
        nkey = nshape = "<E>" if i + 1 >= n else "<P>"
        n2key = n2shape = "<X>"
    if nshape == "<L>":
        z += _pos_z(model_name, nkey, "p1")
    if n2shape == "<L>":
        z += _pos_z(model_name, n2key, "p2")
    pkey, pshape = doc.prev_key(i)
    for name, key, shape in (("next", nkey, nshape), ("next2", n2key, n2shape),
                             ("prev", pkey, pshape)):
        wk = w.get(name)
        if wk:
            t = tables[name]
            v = t.get(key)
            z += wk * (t.get(shape, 0.0) if v is None else v)
    wk = w.get("nsuf")
    if wk:
        skey = "-" + nkey[-3:] if nshape == "<L>" and len(nkey) >= 5 else nshape
        t = tables["nsuf"]
        v = t.get(skey)
        z += wk * (t.get(nshape, 0.0) if v is None else v)
    base = low[:-1]
    others_plain = plain_ctx.get(low, 0) - (1 if not adjacent or _no_possessive_after(doc, i)
                                            else 0)
    apos_forms = doc.apos_forms
    z += (w.get("noun1", 0.0) * noun1 + w.get("noun2", 0.0) * noun2 + w.get("pred1", 0.0) * pred1
          + w.get("doc_a", 0.0) * doc.doc_a + w.get("doc_b", 0.0) * doc.doc_b
          + w.get("doc_plain", 0.0) * min(math.log1p(max(others_plain, 0)), _MAX_LOG_COUNT))
    if base in doc.forms_set:
        z += w.get("doc_base", 0.0)
    z += w.get("ratio", 0.0) * doc.ratio
    if pkey in _SINGULAR_DET:
        z += w.get("sing_det", 0.0)
    if pshape == "<C>" and _name_evidence(doc, i):
        z += w.get("doc_name", 0.0)
    if apos_forms:
        if base + "'s" in apos_forms:
            z += w.get("doc_apos", 0.0) + w.get("doc_apos_r", 0.0) * doc.ratio
        if low + "'" in apos_forms:
            z += w.get("doc_apos_pl", 0.0)
    if z < -30.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def _s_prob_slow(doc: _Doc, i: int, plain_ctx: Mapping[str, int], model_name: str) -> float:
    """The reference for ``_s_prob`` (what the build script fits)."""
    model: _Model = getattr(_stats(), model_name)
    keys = _s_keys(doc, i)
    return model.prob(_s_static(doc, i, plain_ctx, keys), keys)


@lru_cache(maxsize=1 << 16)
def _pos_z(model_name: str, word: str, prefix: str) -> float:
    """What the part-of-speech features of a lower-case neighbour add to a model's score."""
    model: _Model = getattr(_stats(), model_name)
    w = model.weights
    return sum(w.get(k, 0.0) * v for k, v in _pos_features(word, "<L>", prefix).items())


def _s_vector(doc: _Doc, i: int, plain_ctx: Mapping[str, int], model_name: str,
              names: tuple[str, ...]) -> list[float]:
    """The features of candidate i in the order ``names`` (what the forest was fitted on:
    table values for the table slots, the static features for the rest)."""
    model: _Model = getattr(_stats(), model_name)
    keys = _s_keys(doc, i)
    static = _s_forest_static(doc, i, plain_ctx, keys)
    return [model.table(n, *keys[n]) if n in model.tables else static.get(n, 0.0)
            for n in names]


@lru_cache(maxsize=8)
def _context_bound(model_name: str) -> float:
    """The most the context features can add to a model's score (for early rejection)."""
    stats = _stats()
    model: _Model = getattr(stats, model_name)
    w = model.weights
    nouns = list(stats.nouns.values()) or [0.0]
    preds = list(stats.preds.values()) or [0.0]
    ranges = {"doc_base": (0.0, 1.0), "doc_apos": (0.0, 1.0), "doc_apos_pl": (0.0, 1.0),
              "doc_plain": (0.0, _MAX_LOG_COUNT), "doc_a": (0.0, _MAX_LOG_COUNT),
              "doc_b": (0.0, _MAX_LOG_COUNT), "ratio": (0.0, 1.0), "doc_apos_r": (0.0, 1.0),
              "sing_det": (0.0, 1.0), "doc_name": (0.0, 1.0),
              **{k: (0.0, 1.0) for k in POS_FEATURES},
              "noun1": (min(nouns), max(nouns)),
              "noun2": (min(nouns), max(nouns)), "pred1": (min(preds), max(preds))}
    for name, tab in model.tables.items():
        if name != "form" and tab:
            ranges[name] = (min(0.0, *tab.values()), max(0.0, *tab.values()))
    bound = 0.0
    for name, (lo, hi) in ranges.items():
        wk = w.get(name, 0.0)
        bound += max(wk * lo, wk * hi, 0.0)
    return bound


# Words in s that no "'s" can be hidden in (verbs, pronouns, adverbs): a fifth of all the
# words in s of news text, skipped before any scoring.
_NEVER_POSSESSIVE = frozenset([
    "was", "has", "does", "says", "this", "his", "hers", "ours", "yours", "theirs", "thus",
    "less", "unless", "across", "always", "perhaps", "whereas", "towards", "afterwards",
    "besides", "sometimes", "nevertheless", "yes", "plus",
])


def _s_candidate(doc: _Doc, i: int) -> bool:
    """May the models be asked about "Xs" (token i), after ``_s_pattern`` found nothing?"""
    tok = doc.toks[i]
    if len(tok) < 3 or tok[-1] != "s" or tok[-2] in "'\u2019" or tok[-3:] == "sss":
        return False
    low = doc.forms[i]
    if low in _NEVER_POSSESSIVE:
        return False
    if tok in _WEEKDAYS or low in _DAY_PARTS:
        day = _weekday(doc, i)
        if day is not None and _habitual(doc, day):
            return False  # "on Fridays;": no evidence elsewhere makes it a possessive
    if low in _TIME_UNITS and _plain_next(doc, i) == "time":
        return False  # "over the years time" (``_s_pattern`` took "two/a/this years time")
    if tok[-2] == "S" and not tok[:-1].isupper():
        return False  # only an acronym ends in "Ss": "USs" for "US's"
    if "'" in tok or "\u2019" in tok:
        return False
    base = tok[:-1]
    if base.isdigit():
        return False  # "1990s", "20s": numbers are left alone
    if not (base.isalpha() or (base.isalnum() and base[0].isalpha() and base.isupper())):
        return False  # letters, or a name like "U2", "ITV1" ("U2s latest album")
    return not (_followed_by_apos(doc, i) or _preceded_by_apos(doc, i))


def _plain_contexts(doc: _Doc, cands: list[int]) -> dict[str, int]:
    """How often each candidate form stands where no possessive can (before punctuation or a
    verb).

    Counted over all words, with or without apostrophes, so insertions do not change it.
    """
    wanted = {doc.forms[i] for i in cands}
    counts: dict[str, int] = {}
    forms = doc.forms
    last = len(forms) - 1
    for i, f in enumerate(forms):
        if f in wanted and (i == last or _no_possessive_after(doc, i)):
            counts[f] = counts.get(f, 0) + 1
    return counts


def _no_possessive_after(doc: _Doc, i: int) -> bool:
    """Is word i (not the last) followed by punctuation or a verb ("Williams said")?"""
    if not doc.adjacent_after(i):
        return True
    nxt = doc.toks[i + 1]
    return nxt.islower() and _stats().nouns.get(doc.forms[i + 1], 0.0) < _VERB_MAX


_VERB_MAX = -2.0  # noun score below which a word is taken for a verb


# --------------------------------------------------------------------------------------------
# the rule
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Proposal:
    pos: int
    rule: str
    confidence: float


def _propose(doc: _Doc) -> tuple[list[_Proposal], list[int]]:
    """Insertions of the fixed rules and "its" (with their confidence, also those below the
    threshold), and the indices of the words for the possessive models."""
    stats = _stats()
    out: list[_Proposal] = []
    s_cands: list[int] = []
    toks = doc.toks
    forms = doc.forms
    for i in _candidates(doc):
        tok = toks[i]
        if "'" in tok or "\u2019" in tok:
            continue
        low = forms[i]
        if low in _WORD_MODELS:
            if tok[1:].islower() and not _followed_by_apos(doc, i):
                off, rule = _WORD_MODELS[low]
                model: _Model = getattr(stats, low)
                p = 0.0
                if model.weights:
                    keys = _its_keys(doc, i)
                    p = model.prob(_its_static(doc, i, keys), keys)
                if (_its_predicate(doc, i) if low == "its" else _were_contraction(doc, i)) \
                        or (low == "its" and (
                            _its_participle(doc, i) or _its_adjective_to(doc, i)
                            or (p >= _ITS_EXTRAPOSED_MIN and _its_extraposed(doc, i)))):
                    p = max(p, _PATTERN_CONF)
                if model.weights or p:
                    out.append(_Proposal(doc.starts[i] + off, rule, p))
            continue
        if _followed_by_apos(doc, i) or _preceded_by_apos(doc, i):
            continue
        multi = _MULTI.get(low)
        if multi is not None:
            if _is_plain_case(tok):
                out.extend(_Proposal(doc.starts[i] + off, "apostrophe.contraction",
                                     _closed_confidence(doc, 0.98)) for off in multi)
            continue
        c = _closed(doc, i)
        if c is not None:
            off, rule, conf = c
            out.append(_Proposal(doc.starts[i] + off, rule, _closed_confidence(doc, conf)))
            if rule == "apostrophe.name" and low[-1] == "s" and low[:-1] in doc.forms_set \
                    and not _ends_phrase(doc, i):
                # "OSullivans goal" with "OSullivan" elsewhere: "O'Sullivan's goal"
                out.append(_Proposal(doc.ends[i] - 1, "apostrophe.possessive",
                                     _closed_confidence(doc, 0.93)))
            continue
        if low in _RESERVED:
            continue
        if _titled_name_possessive(doc, i):
            out.append(_Proposal(doc.ends[i], "apostrophe.possessive", _PATTERN_CONF))
            continue
        if _titled_base_possessive(doc, i):
            out.append(_Proposal(doc.ends[i] - 1, "apostrophe.possessive", _PATTERN_CONF))
            continue
        pat = _s_pattern(doc, i)
        if pat is not None:
            off, rule = pat
            out.append(_Proposal(doc.starts[i] + off, rule, _PATTERN_CONF))
            continue
        if _s_candidate(doc, i):
            s_cands.append(i)
    return out, s_cands


_NAME_IN_TEXT = re.compile(r"(?<![^\W_])(?:[ODdLlN][A-Z][a-z]{2,}|dOr)(?![^\W_])")


def _candidates(doc: _Doc) -> list[int]:
    """Indices of the words any rule may change: closed-class forms, "its", words ending
    in s, and O'/D' names."""
    forms = doc.forms
    idx = [i for i, f in enumerate(forms) if f[-1] == "s" or f in _CLOSED_FORMS]
    for m in _NAME_IN_TEXT.finditer(doc.text):
        k = bisect.bisect_left(doc.starts, m.start())
        if k < len(forms) and doc.starts[k] == m.start() and forms[k][-1] != "s" \
                and forms[k] not in _CLOSED_FORMS:
            idx.append(k)
    idx.sort()
    return idx


def _closed_static(doc: _Doc, conf: float) -> dict[str, float]:
    return {"prior": math.log(conf / (1.0 - conf)), "doc_a": doc.doc_a, "doc_b": doc.doc_b,
            "ratio": doc.ratio}


def _closed_confidence(doc: _Doc, conf: float) -> float:
    """A closed-class rule's confidence, lowered in a document that otherwise looks clean
    (many apostrophes, hardly any stripped words: "dont" there is the author's)."""
    model = _stats().closed
    if not model.weights:
        return conf
    return model.prob(_closed_static(doc, conf), {})


_RESERVED = _NEGATIONS | set(_CONTRACTIONS) | set(_AMBIGUOUS) | {"lets", "cant", "wont"}
# Words decided by a learned model of their context: form -> (offset, rule id).
_WORD_MODELS = {"its": (2, "apostrophe.its"), "were": (2, "apostrophe.contraction")}
_CLOSED_FORMS = _RESERVED | {w.lower() for w in _I_FORMS} | set(_WORD_MODELS) | set(_MULTI)


def _s_proposal(doc: _Doc, i: int, stats: _Stats, plain_ctx: Mapping[str, int]) -> _Proposal:
    """The better of "X's" and "Xs'" for the stripped word "Xs"."""
    if _ends_phrase(doc, i) and doc.forms[i][:-1] + "'s" not in doc.apos_forms:
        # "X's" before punctuation ("at McDonald's.") only when the document writes it so
        return _Proposal(doc.ends[i] - 1, "apostrophe.possessive", 0.0)
    model_name = _possessive_model(doc.toks[i])
    p_poss = _s_prob(doc, i, plain_ctx, model_name)
    forest = stats.forests.get(model_name)
    if forest is not None and FOREST_MIN <= p_poss < FOREST_MAX:
        p_forest = forest.prob(_s_vector(doc, i, plain_ctx, model_name, forest.features),
                               bare=doc.bare)
        # Where the document has apostrophes of its own, a word without one is more often
        # spelled so on purpose than the training rows show: there the trees may only make
        # the logistic model more cautious ("a number of PVRs incorporating").
        p_poss = p_forest if doc.bare else min(p_poss, p_forest)
    # "Xs'" has no model in the shipped stats: on the training data neither the context nor
    # the document's own "Xs'" told it from a plural noun modifier ("the players union")
    # precisely enough (scripts/build_apostrophe_stats.py --report), so it is not made.
    p_pl = _s_prob(doc, i, plain_ctx, "plural_possessive") if stats.plural_possessive.weights \
        else 0.0
    if p_pl > p_poss:
        return _Proposal(doc.ends[i], "apostrophe.plural_possessive", p_pl)
    return _Proposal(doc.ends[i] - 1, "apostrophe.possessive", p_poss)


def _ends_phrase(doc: _Doc, i: int) -> bool:
    """Is word i followed by punctuation that ends a phrase (or by the end of the text)?"""
    if i + 1 >= len(doc.toks):
        return True
    gap = doc.gaps[i + 1]
    if gap == " ":
        return False
    rest = gap.lstrip(" ")
    if rest != gap and rest[:1] in "\"\u201c\u2018'(":
        return False  # an opening quote or bracket: the phrase goes on
    return rest[:1] in _PHRASE_END


_PHRASE_END = frozenset('.,;:!?)]}"\u201d\u2019\n-\u2013\u2014')


def _possessive_model(tok: str) -> str:
    return "possessive_lower" if tok[0].islower() else "possessive_upper"


def _s_new_form(doc: _Doc, i: int, p: _Proposal) -> str:
    """The apostrophe form proposal ``p`` writes for word i: "iran's" or "critics'"."""
    low = doc.forms[i]
    return low + "'" if p.rule == "apostrophe.plural_possessive" else low[:-1] + "'s"


def _decide(doc: _Doc) -> list[_Proposal]:
    """The insertions to make: every proposal at or above ``THRESHOLD``.

    A form written with an apostrophe is evidence for the form's other stripped occurrences,
    so the possessive models are asked again, with that evidence, until nothing changes; this
    is what a second run would see, so the result is a fixed point.
    """
    stats = _stats()
    bar = doc.bar
    props, s_cands = _propose(doc)
    chosen = [p for p in props if p.confidence >= bar]
    if not s_cands:
        return chosen
    # the fixed rules' insertions are evidence for the models too, as they will be for a
    # second run ("his sides lead" -> "side's": "the sides defence")
    for p in chosen:
        k = bisect.bisect_right(doc.starts, p.pos) - 1
        if k >= 0 and p.pos <= doc.ends[k]:
            off = p.pos - doc.starts[k]
            form = doc.forms[k]
            doc.apos_forms.add(form[:off] + "'" + form[off:])
    plain_ctx = _plain_contexts(doc, s_cands)
    pending = s_cands
    while pending:
        added: set[str] = set()
        rest: list[int] = []
        for i in pending:
            p = _s_proposal(doc, i, stats, plain_ctx)
            if p.confidence >= bar:
                chosen.append(p)
                added.add(_s_new_form(doc, i, p))
            else:
                rest.append(i)
        added -= doc.apos_forms
        if not added:
            break
        doc.apos_forms |= added
        pending = [i for i in rest
                   if doc.forms[i][:-1] + "'s" in added or doc.forms[i] + "'" in added]
    return chosen


def restore(text: str) -> Rewrite:
    """Put back apostrophes a scraper dropped ("dont" -> "don't", "Irans" -> "Iran's").

    Leaves words that are plausibly right as they stand alone: plurals and verbs ("years
    later", "she says"), names ending in s, decades ("1990s"), "its own", and anything below
    ``THRESHOLD``.

    >>> restore("We dont know what the countrys leaders think. Its not clear.").text
    "We don't know what the country's leaders think. It's not clear."
    >>> restore("The company said its profits rose in the 1990s.").edits
    ()
    """
    if not isinstance(text, str):
        raise TypeError("decode in newscorpus.ingest, not here")
    return _restore(text)


def _restore(text: str) -> Rewrite:
    if not text:
        return Rewrite(text)
    doc = _scan(text)
    if not doc.toks:
        return Rewrite(text)
    chosen = _decide(doc)
    if not chosen:
        return Rewrite(text)
    mark = "\u2019" if doc.curly else "'"
    return rewrite(text, [Replacement(p.pos, p.pos, mark, p.rule, round(p.confidence, 4))
                          for p in chosen])


RULES = (restore,)
