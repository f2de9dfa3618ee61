#!/usr/bin/env python3
"""Build ``src/newscorpus/normalize/apostrophe_stats.json`` for the apostrophe restorer.

usage: python scripts/build_apostrophe_stats.py [TRAIN.jsonl] [--out PATH] [--report] [--no-forest]

TRAIN.jsonl holds correct articles (``{"id", "text"}`` per line; default
``../shared/data/apostrophes/train.jsonl``). The script strips their apostrophes the way a bad
scraper does (all of them; in other copies half of them, and none), runs the restorer's own scanner
on the stripped text and learns, for the three learned decisions ("X's", "Xs'", "it's"):

* log-likelihood tables for the word before/after (only lower-case words seen at least
  ``MIN_COUNT`` times; rarer words fall back to their shape: ``<L>`` lower case, ``<C>``
  capitalised, ``<N>`` number, ``<P>`` punctuation);
* logistic-regression weights over those table values and the scanner's other features
  (word frequencies from ``wordfreq``, parts of speech from ``lemminflect``, case, document
  evidence);
* for "X's", gradient-boosted trees (LightGBM, ``pip install -e '.[stats]'``) over the same
  features and a few more, monotone in the document counts, exported as plain split/leaf
  lists with rows to check the interpreter against, and a calibration of their score fitted
  out of fold (five folds of documents). ``--no-forest`` leaves them out.

Tables are cross-fitted (two folds) when the weights are fitted, so the weights do not trust
the tables more than they deserve. The output holds only numbers and single common words, never
article text. ``--report`` prints out-of-fold precision/recall per threshold and how each
closed-class rule does on the data.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import math
import pathlib
import random
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from newscorpus.normalize import apostrophe as ap  # noqa: E402

APOS = "'\u2019"
MIN_COUNT = 5
S_TABLES = ["next", "prev", "next2", "nsuf", "form"]
S_FEATURES = ["lex", "lex_cap", "lex_acr", "z_poss", "z_plain", "z_base", "unknown", "cap_mid",
              "cap_init", "acronym", "digit", "doc_base", "doc_plain", "doc_apos",
              "doc_apos_pl", "noun1", "noun2", "doc_a", "doc_b", "ratio", "doc_apos_r",
              "sing_det", "pred1", "doc_name", "c_v", "c_none", *ap.POS_FEATURES, *S_TABLES]
ITS_TABLES = ["next", "next2", "nsuf", "prev"]
ITS_FEATURES = ["initial", "noun1", "noun2", "pred1", "pred2", "doc_a", "doc_b", "ratio",
                *ap.POS_FEATURES, *ITS_TABLES]
CLOSED_FEATURES = ["prior", "doc_a", "doc_b", "ratio"]
# The signs the fixed point needs (see _Doc.doc_a): a feature fitted the other way is dropped.
SIGNS = {"doc_a": -1, "doc_b": +1, "ratio": +1, "doc_apos_r": +1}
# Words after these are nouns or adjectives; after those, verbs or adverbs.
DETERMINERS = frozenset(["the", "a", "an", "his", "her", "their", "our", "my", "your", "this",
                         "these", "those", "every"])
PRONOUNS = frozenset(["he", "she", "it", "they", "we", "i", "you", "who", "will", "would", "can",
                      "could", "should", "may", "might", "must", "to"])
# What follows these is what follows "it's": adjectives, participles, "a", "not", ...
COPULAS = frozenset(["is", "was", "isn't", "wasn't"])


def noun_lexicon(docs: list[dict[str, Any]], after: frozenset[str] = PRONOUNS
                 ) -> dict[str, float]:
    """How noun-like each word is: log P(w | after a determiner) / P(w | after ``after``)
    (pronouns and modals: verbs follow; copulas: what follows "is")."""
    det: collections.Counter[str] = collections.Counter()
    pro: collections.Counter[str] = collections.Counter()
    for d in docs:
        words = [w.lower() for w in ap._WORD.findall(d["text"])]
        for a, b in itertools.pairwise(words):
            if a in DETERMINERS:
                det[b] += 1
            elif a in after:
                pro[b] += 1
    n_det, n_pro = sum(det.values()), sum(pro.values())
    out = {}
    for w in set(det) | set(pro):
        if det[w] + pro[w] >= 3 and w.isalpha() and w.islower():
            out[w] = round(llr(det[w], pro[w], n_det, n_pro), 2)
    return dict(sorted(out.items()))


def strip(gold: str, rate: float, rng: random.Random) -> tuple[str, set[int]]:
    """Stripped text and the positions (in it) where apostrophes were removed."""
    out: list[str] = []
    removed: set[int] = set()
    n = len(gold)
    open_sq = 0
    for i, c in enumerate(gold):
        if c == "\n":
            open_sq = 0
        prev = gold[i - 1] if i else " "
        nxt = gold[i + 1] if i + 1 < n else " "
        if c in APOS or c == "\u2018":
            if c in APOS and prev.isalnum() and nxt.isalnum():
                if rate >= 1.0 or rng.random() < rate:
                    removed.add(len(out))
                    continue
            elif not prev.isalnum() and nxt.isalnum() and c in "'\u2018":
                if not prev.isdigit():
                    open_sq += 1
            elif c in APOS and prev.isalnum() and not nxt.isalnum():
                if open_sq > 0:
                    open_sq -= 1
                elif (prev in "sS" and i >= 2 and gold[i - 2].isalpha()
                      and (rate >= 1.0 or rng.random() < rate)):
                    removed.add(len(out))
                    continue
        out.append(c)
    return "".join(out), removed


class Row:
    __slots__ = ("bare", "keys", "label", "static")

    def __init__(self, static: dict[str, float], keys: dict[str, tuple[str, str]],
                 label: int, bare: bool = False) -> None:
        self.static = static
        self.keys = keys
        self.label = label
        self.bare = bare  # from a document with no apostrophes (the restorer's base bar)


def collect(docs: list[dict[str, Any]]) -> tuple[dict[str, list[Row]], dict[str, list[int]],
                                                   collections.Counter[str]]:
    """Rows per learned model, fold index per row, and closed-rule outcomes."""
    rows: dict[str, list[Row]] = {"possessive_lower": [], "possessive_upper": [],
                                  "plural_possessive": [], "closed": [],
                                  **{w: [] for w in ap._WORD_MODELS}}
    folds: dict[str, list[int]] = {k: [] for k in rows}
    closed: collections.Counter[str] = collections.Counter()
    missed: collections.Counter[str] = collections.Counter()
    for n, d in enumerate(docs):
        for rate in (1.0, 0.5, 0.0):
            stripped, gold = strip(d["text"], rate, random.Random(f"{rate}:{d['id']}"))
            doc = ap._scan(stripped)
            if not doc.toks:
                continue
            _, s_cands = ap._propose(doc)
            fold = n % 10  # tables are cross-fitted on fold % 2, the forest on fold % 5
            for i, tok in enumerate(doc.toks):
                low = doc.forms[i]
                if low in ap._WORD_MODELS and "'" not in tok and "\u2019" not in tok:
                    if ap._followed_by_apos(doc, i) or not tok[1:].islower():
                        continue
                    keys = ap._its_keys(doc, i)
                    off = ap._WORD_MODELS[low][0]
                    rows[low].append(Row(ap._its_static(doc, i, keys), keys,
                                         int(doc.starts[i] + off in gold)))
                    folds[low].append(fold)
                    continue
                if "'" in tok or "\u2019" in tok:
                    continue
                if ap._followed_by_apos(doc, i) or ap._preceded_by_apos(doc, i):
                    continue
                c = ap._closed(doc, i)
                if c is not None:
                    ok = doc.starts[i] + c[0] in gold
                    if rate == 1.0:
                        closed[f"{c[1]}:{doc.forms[i]}:{'ok' if ok else 'WRONG'}"] += 1
                    rows["closed"].append(Row(ap._closed_static(doc, c[2]), {}, int(ok)))
                    folds["closed"].append(fold)
            if not s_cands:
                continue
            plain_ctx = ap._plain_contexts(doc, s_cands)
            for i in s_cands:
                keys = ap._s_keys(doc, i)
                static = ap._s_forest_static(doc, i, plain_ctx, keys)
                gated = ap._ends_phrase(doc, i) and not static["doc_apos"]
                for name, pos in ((ap._possessive_model(doc.toks[i]), doc.ends[i] - 1),
                                  ("plural_possessive", doc.ends[i])):
                    if gated and name != "plural_possessive":
                        if pos in gold:
                            missed[name] += 1  # left out by the punctuation gate
                        continue
                    rows[name].append(Row(static, keys, int(pos in gold),
                                          bare=doc.bare))
                    folds[name].append(fold)
    for name, n in missed.items():
        closed[f"gate:{name}:WRONG"] = n
    return rows, folds, closed


def common_form(form: str) -> bool:
    """Is "Xs" or "X's" a common English word (Zipf >= 3 in wordfreq)? Only those get their
    own entry in the word-form table: names of one outlet's news would not generalise."""
    z_poss, z_plain, _ = ap._lexical(form)
    return max(z_poss, z_plain) >= 3.0


def build_table(rows: Iterable[Row], slot: str) -> dict[str, float]:
    pos: collections.Counter[str] = collections.Counter()
    neg: collections.Counter[str] = collections.Counter()
    shape_of: dict[str, str] = {}
    for r in rows:
        key, shape = r.keys[slot]
        shape_of[key] = shape
        (pos if r.label else neg)[key] += 1
    n_pos, n_neg = max(sum(pos.values()), 1), max(sum(neg.values()), 1)
    # rare lower-case words are pooled into their shape
    pooled_pos: collections.Counter[str] = collections.Counter()
    pooled_neg: collections.Counter[str] = collections.Counter()
    table: dict[str, float] = {}
    for key in set(pos) | set(neg):
        shape = shape_of[key]
        if key == shape or pos[key] + neg[key] < MIN_COUNT or (
                slot == "form" and not common_form(key)):
            pooled_pos[shape] += pos[key]
            pooled_neg[shape] += neg[key]
        else:
            table[key] = llr(pos[key], neg[key], n_pos, n_neg)
    for shape in ("<L>", "<C>", "<N>", "<P>", "<E>", "<X>"):
        table[shape] = llr(pooled_pos[shape], pooled_neg[shape], n_pos, n_neg)
    return table


def llr(p: int, n: int, n_pos: int, n_neg: int, a: float = 0.5) -> float:
    v = math.log((p + a) / n_pos) - math.log((n + a) / n_neg)
    return max(-6.0, min(6.0, v))


def matrix(rows: list[Row], names: list[str], tables: dict[str, dict[str, float]]
           ) -> NDArray[np.float64]:
    x = np.zeros((len(rows), len(names) + 1))
    x[:, 0] = 1.0
    for k, r in enumerate(rows):
        for j, name in enumerate(names, start=1):
            if name in tables:
                key, shape = r.keys[name]
                t = tables[name]
                x[k, j] = t.get(key, t.get(shape, 0.0))
            else:
                x[k, j] = r.static.get(name, 0.0)
    return x


def fit_lr(x: NDArray[np.float64], y: NDArray[np.float64], l2: float = 1.0) -> NDArray[np.float64]:
    """Logistic regression by Newton's method with an L2 penalty (not on the bias)."""
    w = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[0] = 0.0
    for _ in range(50):
        z = np.clip(x @ w, -30, 30)
        p = 1.0 / (1.0 + np.exp(-z))
        g = x.T @ (p - y) + reg * w
        h = (x * (p * (1 - p))[:, None]).T @ x + np.diag(reg + 1e-9)
        step = np.linalg.solve(h, g)
        w -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return w


def learn(rows: list[Row], folds: list[int], names: list[str], slots: list[str],
          report: bool, label: str, forest: bool = False) -> dict[str, Any]:
    y = np.array([r.label for r in rows], dtype=float)
    fold10 = np.array(folds)
    fold = fold10 % 2
    f_names = [*names, *ap.EXTRA_FEATURES] if forest else names
    # cross-fitted tables: rows of fold k get tables built from the other fold
    x_all = np.zeros((len(rows), len(f_names) + 1))
    for k in (0, 1):
        train_rows = [r for r, f in zip(rows, fold, strict=True) if f != k]
        tables = {s: build_table(train_rows, s) for s in slots}
        idx = np.where(fold == k)[0]
        x_all[idx] = matrix([rows[i] for i in idx], f_names, tables)
    x = x_all[:, : len(names) + 1].copy()
    w = fit_lr(x, y)
    for _ in range(len(names)):
        bad = [j for j, n in enumerate(names, start=1) if n in SIGNS and w[j] * SIGNS[n] < 0]
        if not bad:
            break
        x[:, bad] = 0.0
        w = fit_lr(x, y)
    if report:
        # out-of-fold weights as well, for an honest precision/recall curve
        p = np.zeros(len(rows))
        for k in (0, 1):
            tr, te = fold != k, fold == k
            wk = fit_lr(x[tr], y[tr])
            p[te] = 1.0 / (1.0 + np.exp(-np.clip(x[te] @ wk, -30, 30)))
        print(f"== {label}: {len(rows)} candidates, {int(y.sum())} positive")
        for t in (0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99):
            sel = p >= t
            tp = int((y[sel] == 1).sum())
            fp = int(sel.sum()) - tp
            print(f"   t={t:.2f} TP={tp:5d} FP={fp:4d} P={tp / max(tp + fp, 1):.4f} "
                  f"R={tp / max(y.sum(), 1):.4f}")
        for name, v in zip(["bias", *names], w, strict=True):
            print(f"   {name:12s} {v:+.3f}")
        OOF.append((p, y))
    final_tables = {s: build_table(rows, s) for s in slots}
    extra = {}
    if forest:
        bare = np.array([r.bare for r in rows], dtype=bool)
        extra["forest"] = learn_forest(x_all, y, fold10 % 5, f_names, x @ w, bare, report,
                                       label)
    return {
        **extra,
        "weights": {n: round(float(v), 4) for n, v in zip(["bias", *names], w, strict=True)},
        "tables": {s: {k: round(v, 3) for k, v in sorted(t.items())}
                   for s, t in final_tables.items()},
    }


OOF: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []

# The second stage (``ap._Forest``): gradient-boosted trees over the same features, for the
# candidates the logistic model finds at least ``ap.FOREST_MIN`` likely. Trees can weigh one
# feature by another ("the" before, a noun after, the base seen in the text), which the
# linear model cannot. Monotone in the document counts that insertions change, as the
# fixed point needs (``SIGNS``; a form written with an apostrophe elsewhere only helps).
# 150 trees of 15 leaves: as good out of fold as 300 at half the learning rate. Three such
# forests (``SEEDS``), their scores averaged: on train 2-fold CV, TP 8179 / FP 63 and 8173 / 64
# for two triples of seeds, against 8154-8168 / 63-70 for one forest of each seed alone.
FOREST: dict[str, Any] = {"n_estimators": 150, "learning_rate": 0.1, "num_leaves": 15,
                          "min_child_samples": 20, "subsample": 0.8, "subsample_freq": 1,
                          "colsample_bytree": 0.8, "verbose": -1}
# One forest per seed, their scores averaged (bagging): a single forest's decisions near the
# bar move with its random subsamples and with any small change of the training rows.
SEEDS = (7, 8, 9)
MONOTONE = {**SIGNS, "doc_apos": +1, "doc_apos_pl": +1}


class Bag:
    """Forests fitted with different seeds; their mean raw score is the bag's score."""

    def __init__(self, models: list[Any]) -> None:
        self.models = models

    def raw(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        scores: NDArray[np.float64] = np.mean(
            [m.predict_proba(x, raw_score=True) for m in self.models], axis=0)
        return scores


def fit_forest(x: NDArray[np.float64], y: NDArray[np.float64], names: list[str]) -> Bag:
    import lightgbm  # build-time only: pip install -e '.[stats]'

    models = []
    for seed in SEEDS:
        model = lightgbm.LGBMClassifier(
            monotone_constraints=[MONOTONE.get(n, 0) for n in names], random_state=seed,
            **FOREST)
        model.fit(x[:, 1:], y)
        models.append(model)
    return Bag(models)


def export_tree(root: dict[str, Any]) -> list[list[float]]:
    """One tree of LightGBM's dump as [features, thresholds, left, right, leaf values]; a
    child < 0 is the leaf ~child. A row goes left when ``x[feature] <= threshold``."""
    feats: list[float] = []
    thr: list[float] = []
    left: list[float] = []
    right: list[float] = []
    leaves: list[float] = []

    def walk(node: dict[str, Any]) -> int:
        if "leaf_value" in node:
            leaves.append(float(node["leaf_value"]))
            return ~(len(leaves) - 1)
        assert node["decision_type"] == "<=", node["decision_type"]
        k = len(feats)
        feats.append(node["split_feature"])
        thr.append(float(node["threshold"]))
        left.append(0)
        right.append(0)
        left[k] = walk(node["left_child"])
        right[k] = walk(node["right_child"])
        return k

    top = walk(root)
    if top < 0:  # a tree of one leaf
        return [[0], [1e300], [top], [top], leaves]
    return [feats, thr, left, right, leaves]


def export_forest(bag: Bag) -> list[list[list[float]]]:
    """All the bag's trees, their leaves divided by the number of forests (so the sum over
    the trees is the bag's mean score)."""
    out = []
    for model in bag.models:
        for info in model.booster_.dump_model()["tree_info"]:
            tree = export_tree(info["tree_structure"])
            tree[4] = [v / len(bag.models) for v in tree[4]]
            out.append(tree)
    return out


_SCORE_CLIP = 30.0


def learn_forest(x: NDArray[np.float64], y: NDArray[np.float64], fold: NDArray[np.int_],
                 names: list[str], lr_score: NDArray[np.float64], bare: NDArray[np.bool_],
                 report: bool, label: str) -> dict[str, Any]:
    """The bag of forests, and a logistic calibration of its score fitted out of fold (trees are
    sure of their training rows): P = sigmoid(a * score + b), and (a_bare, b_bare) fitted on
    the rows of documents without apostrophes, where the restorer's bar is ``THRESHOLD``
    (elsewhere it is higher, and the rows of all documents together understate how often
    the trees are right in a bare one)."""
    oof = np.zeros(len(y))
    for k in np.unique(fold):
        tr, te = fold != k, fold == k
        m = fit_forest(x[tr], y[tr], names)
        oof[te] = m.raw(x[te, 1:])
    # A leaf of a few rows of one label can get an extreme value (-1e5 seen with some seeds):
    # such a row is certain either way, but one outlier would flatten the calibration's fit.
    np.clip(oof, -_SCORE_CLIP, _SCORE_CLIP, out=oof)
    # calibrate on the rows the forest will see: those the logistic model finds likely enough
    band = (lr_score >= ap._LOGIT_FOREST_MIN) & (lr_score < ap._LOGIT_FOREST_MAX)
    cal = fit_lr(np.column_stack([np.ones(int(band.sum())), oof[band]]), y[band], l2=0.0)
    b, a = float(cal[0]), float(cal[1])
    bb = band & bare
    cal = fit_lr(np.column_stack([np.ones(int(bb.sum())), oof[bb]]), y[bb], l2=0.0)
    b_bare, a_bare = float(cal[0]), float(cal[1])
    if report:
        p = 1.0 / (1.0 + np.exp(-np.clip(a * oof[band] + b, -30, 30)))
        yb = y[band]
        print(f"== {label} forest (out of fold, {int(band.sum())} rows in the band): "
              f"a={a:.3f} b={b:.3f}; {int(bb.sum())} bare: a={a_bare:.3f} b={b_bare:.3f}")
        for t in (0.8, 0.85, 0.9, 0.93, 0.95, 0.97):
            sel = p >= t
            tp = int((yb[sel] == 1).sum())
            print(f"   t={t:.2f} TP={tp:5d} FP={int(sel.sum()) - tp:4d}")
    model = fit_forest(x, y, names)
    trees = export_forest(model)
    # rows to check the runtime interpreter against LightGBM (numbers only)
    rng = np.random.default_rng(0)
    idx = rng.choice(len(y), size=min(20, len(y)), replace=False)
    check = [[round(float(v), 6) for v in x[i, 1:]] for i in idx]
    scores = model.raw(np.array(check))
    return {"features": names, "a": round(a, 6), "b": round(b, 6),
            "a_bare": round(a_bare, 6), "b_bare": round(b_bare, 6), "trees": trees,
            "check": [{"x": c, "score": float(sc)} for c, sc in zip(check, scores, strict=True)]}


def report_overall() -> None:
    """Precision/recall of all learned decisions together, out of fold, per threshold."""
    p = np.concatenate([a for a, _ in OOF])
    y = np.concatenate([b for _, b in OOF])
    print(f"== all learned models together (out of fold; {int(y.sum())} positive)")
    for t in (0.7, 0.8, 0.85, 0.9, 0.93, 0.95):
        sel = p >= t
        tp = int((y[sel] == 1).sum())
        fp = int(sel.sum()) - tp
        print(f"   t={t:.2f} TP={tp:5d} FP={fp:4d} P={tp / max(tp + fp, 1):.4f} "
              f"R={tp / max(y.sum(), 1):.4f}")


def main(argv: list[str]) -> int:
    apx = argparse.ArgumentParser(description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    apx.add_argument("data", nargs="?",
                     default=str(ROOT.parent / "shared/data/apostrophes/train.jsonl"))
    apx.add_argument("--out", default=str(ROOT / "src/newscorpus/normalize/apostrophe_stats.json"))
    apx.add_argument("--report", action="store_true")
    apx.add_argument("--no-forest", action="store_true",
                     help="logistic models only (no LightGBM needed)")
    a = apx.parse_args(argv)
    with open(a.data, encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh if line.strip()]
    nouns = noun_lexicon(docs)
    preds = {w: -v for w, v in noun_lexicon(docs, COPULAS).items()}
    ap._STATS = ap._Stats(nouns=nouns, preds=preds)  # scan with no learned models
    rows, folds, closed = collect(docs)
    if a.report:
        print("== closed-class rules (form: ok/WRONG)")
        agg: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
        for k, v in closed.items():
            rule, form, res = k.split(":")
            agg[f"{rule}:{form}"][0 if res == "ok" else 1] += v
        for k, (ok, bad) in sorted(agg.items(), key=lambda t: -t[1][1]):
            print(f"   {k:40s} {ok:5d} {bad:4d}")
    if a.report:
        learn(rows["plural_possessive"], folds["plural_possessive"], S_FEATURES, S_TABLES,
              a.report, "plural_possessive")
        OOF.pop()  # reported, not used
    out = {
        "about": "Learned by scripts/build_apostrophe_stats.py: logistic weights, "
                 "log-likelihood tables of single words and gradient-boosted trees over "
                 "numeric features; no text.",
        **{name: learn(rows[name], folds[name], S_FEATURES, S_TABLES, a.report, name,
                       forest=not a.no_forest)
           for name in ("possessive_lower", "possessive_upper")},
        # too weak to use (see --report); "Xs'" is left to the document-evidence rule
        "plural_possessive": {"weights": {}, "tables": {}},
        "nouns": nouns,
        "preds": preds,
        "closed": learn(rows["closed"], folds["closed"], CLOSED_FEATURES, [], a.report,
                        "closed"),
        **{w: learn(rows[w], folds[w], ITS_FEATURES, ITS_TABLES, a.report, w)
           for w in ap._WORD_MODELS},
    }
    if a.report:
        report_overall()
    pathlib.Path(a.out).write_text(json.dumps(out, indent=0, sort_keys=True) + "\n",
                                   encoding="utf-8")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
