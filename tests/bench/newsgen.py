"""Synthetic news articles for the scale benchmark: deterministic, fast, streamed to JSONL.

    .venv/bin/python tests/bench/newsgen.py --docs 1000000 --out /tmp/news   # ~1 min

Each article is a headline line, a blank line and ~400 words in paragraphs, made from the
templates and word lists below (nothing is read from ``../shared/data``). Like the corpus's
scraped pages, most articles have their apostrophes stripped ("the ministers plan", "dont",
"its clear", "Washingtons") and some carry boilerplate: bare "Read more" link lines, "Read
more: <headline>" lines, "Share this article", and a "Read More – Source" footer glued to the
cut-off last word. One article in ten keeps its apostrophes (a publisher that does not lose
them). Every article is unique: its index is written into it as a figure and a date.

Speed comes from filling the sentence templates once into a pool per seed and drawing whole
sentences from it per article; only the index-bearing sentence is formatted per article.
Output is split into files of ``per_file`` articles (``part-00000.jsonl``, ...) so that no
file comes near ingest's 50 MB limit per file.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["articles", "write_jsonl"]

FIRST = ("Maria", "James", "Amina", "Pierre", "Li", "Olga", "Carlos", "Fatima", "Tomas",
         "Grace", "Ahmed", "Sofia", "Daniel", "Ngozi", "Hiroshi", "Elena", "Samuel", "Priya",
         "Viktor", "Leila", "Kwame", "Ingrid", "Mateo", "Yasmin", "Robert", "Chloe", "Ivan",
         "Aisha", "Lars", "Mei")
LAST = ("Okafor", "Dubois", "Novak", "Haddad", "Kowalski", "Mensah", "Lindqvist", "Moreau",
        "Tanaka", "Fischer", "Alvarez", "Petrov", "Osei", "Brennan", "Castillo", "Nakamura",
        "Rahman", "Keller", "Adeyemi", "Romano", "Sorensen", "Varga", "Chandra", "Whitaker",
        "Ibrahim", "Lefebvre", "Kruger", "Bianchi", "Mwangi", "Halloran")
CITIES = ("Washington", "London", "Berlin", "Nairobi", "Lagos", "Paris", "Madrid", "Warsaw",
          "Tokyo", "Ottawa", "Canberra", "Brussels", "Geneva", "Cairo", "Lima", "Dublin",
          "Vienna", "Oslo", "Seoul", "Manila", "Accra", "Lisbon", "Prague", "Athens")
COUNTRIES = ("France", "Germany", "Kenya", "Nigeria", "Japan", "Canada", "Brazil", "Poland",
             "Spain", "Egypt", "Peru", "Ireland", "Norway", "Ghana", "Portugal", "Greece",
             "India", "Mexico", "Chile", "Sweden")
ORGS = ("the National Grid Authority", "the Central Bank", "the Health Ministry",
        "the Transport Workers Union", "the Finance Ministry", "the Electoral Commission",
        "the Port Authority", "Meridian Energy", "the Red Cross", "the World Bank",
        "the Chamber of Commerce", "Northstar Airlines", "the Supreme Court",
        "the Teachers Federation", "the Water Board", "Atlas Mining", "the Statistics Office",
        "the Interior Ministry", "the City Council", "the Farmers Association")
ROLES = ("the finance minister", "a government spokesperson", "the opposition leader",
         "the union's general secretary", "the company's chief executive", "the mayor",
         "a senior official", "the health minister", "an economist at the Central Bank",
         "the party's chairwoman", "a police spokesman", "the regional governor")
OUTLETS = ("reporters", "local radio", "a press conference", "the state broadcaster",
           "parliament", "a news agency")
POSSESSORS = ("the government's", "the ministry's", "the company's", "the council's",
              "the ministers'", "the country's", "the union's", "the city's", "the bank's",
              "the party's", "the president's", "the court's", "the region's", "the board's")
THINGS = ("plan", "budget", "decision", "proposal", "offer", "report", "strategy", "deal",
          "reform", "investigation", "forecast", "response", "policy", "bill")
NOUNS = ("inflation", "the strike", "the outage", "the deficit", "the election", "the talks",
         "the merger", "the drought", "the protests", "fuel prices", "the shortage",
         "the recovery", "the ceasefire", "the inquiry", "rail services", "the harvest")
VERBS = ("delay", "approve", "reject", "review", "expand", "suspend", "fund", "challenge",
         "support", "extend", "cut", "revise")
VERBS_PAST = ("announced", "rejected", "approved", "criticised", "defended", "suspended",
              "welcomed", "questioned", "revised", "postponed", "confirmed", "blocked")
ADJ = ("enough", "realistic", "fair", "sustainable", "final", "popular", "affordable", "legal")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
PEOPLE = ("workers", "residents", "passengers", "students", "farmers", "nurses", "voters",
          "protesters", "families", "drivers")
PUBLISHERS = ("The Daily Ledger", "Northern Courier", "Metro Wire", "Coastal Times",
              "The Evening Standard Post", "Capital Bulletin", "Global Dispatch",
              "Harbour Herald")
LICENSES = ("CC-BY-4.0", "CC0-1.0", "proprietary", None)

# {P} person, {S} surname, {R} role, {O} organisation, {C} city, {N} country, {X} possessor,
# {T} thing, {Y} noun phrase, {V} verb, {D} verb past, {A} adjective, {W} weekday,
# {M} month, {K} number, {E} people, {U} outlet. Apostrophes are written and stripped later.
SENTENCES = (
    "{P}, {R}, said {X} {T} would {V} spending on {Y} by {M}.",
    "\"We don't expect {Y} to end before {M},\" {S} said.",
    "It's clear that {C}'s {T} has {D} the terms set by {O}, according to {P}.",
    "{N}'s {R2} told {U} in {C} that the {T} wasn't {A}.",
    "{X} {T} comes after {K} {E} were affected by {Y} in {C} on {W}.",
    "\"There's no question of a {T} here,\" said {P}, who {D} the idea last {W}.",
    "Officials in {C} said they couldn't {V} the {T} until {O} had {D} its own figures.",
    "{S}'s office was {D} by {O}, which said it wouldn't {V} the {T} any further.",
    "Critics say the {T} isn't {A}, and {O} has warned that {C}'s costs rose {K} per cent.",
    "It's the {ORD} time this year that {O} has {D} {X} {T}.",
    "\"They're going to {V} it whatever we say,\" {S} told {U}.",
    "{O} said it had {D} {X} {T} after talks with {N}'s government.",
    "The {T} is expected to {V} support for {K} {E} in {C}, {P} said.",
    "\"I can't see how {Y} gets any better if nobody will {V} the {T},\" said {P}.",
    "Analysts in {C} said {Y} had hit {X} {T} harder than {O} expected.",
    "{P} said on {W} that {O} would {V} the {T} if {Y} continued into {M}.",
    "\"It doesn't matter who signs it,\" said {S}, \"what matters is whether it's {A}.\"",
    "{X} {T} was {D} on {W} by {K} votes to {K2}, officials said.",
    "Residents of {C} said they hadn't been told about the {T} until {M}.",
    "\"We've asked {O} for answers and we haven't had them,\" said {P}.",
    "{C}'s {R2} said the {T} would be {D} once {Y} eased.",
    "The row over {X} {T} has dominated {N}'s politics since {M}.",
)
HEADLINES = (
    "{O} {VS} {T} as {Y} {GROWS} in {C}",
    "{C} braces for {Y} after {X} {T} stalls",
    "{S} says {X} {T} is not {A}",
    "{N} to {V} {T} amid row over {Y}",
    "What {X} {T} means for {E} in {C}",
)
ORDINALS = ("second", "third", "fourth", "fifth", "sixth")
VS = ("unveils", "rejects", "backs", "delays", "defends", "scraps")
GROWS = ("deepens", "worsens", "spreads", "eases", "drags on")
# The index-bearing sentence: the article's own figure and date, so no two are the same.
FIGURE = ("Figures published by {O} on {date} put the number of {E} affected at {fig:,}.",
          "By {date}, {fig:,} {E} had signed a petition against {X} {T}, {S} said.",
          "The {T} covers {fig:,} {E} across {N}, according to figures released on {date}.")
BOILERPLATE_SHARE = "Share this article"
READ_MORE_SOURCE = "Read More – Source"
EPOCH = datetime.date(2015, 1, 1)


def _strip(text: str) -> str:
    return text.replace("'", "")


def _fill(template: str, rng: random.Random) -> str:
    k = rng.randrange(2, 900)
    return template.format(
        P=f"{rng.choice(FIRST)} {rng.choice(LAST)}", S=rng.choice(LAST), R=rng.choice(ROLES),
        R2=rng.choice(ROLES).removeprefix("the ").removeprefix("a ").removeprefix("an "),
        O=rng.choice(ORGS), C=rng.choice(CITIES), N=rng.choice(COUNTRIES),
        X=rng.choice(POSSESSORS), T=rng.choice(THINGS), Y=rng.choice(NOUNS),
        V=rng.choice(VERBS), D=rng.choice(VERBS_PAST), A=rng.choice(ADJ), W=rng.choice(DAYS),
        M=rng.choice(MONTHS), K=k, K2=rng.randrange(1, k), E=rng.choice(PEOPLE),
        U=rng.choice(OUTLETS), ORD=rng.choice(ORDINALS), VS=rng.choice(VS),
        GROWS=rng.choice(GROWS))


def _sentence_case(s: str) -> str:
    return s[0].upper() + s[1:] if s[0].islower() else s


class _Pools:
    """Sentences, headlines and figure lines filled once per seed, kept and stripped."""

    def __init__(self, seed: int, size: int = 8192) -> None:
        rng = random.Random(seed * 7919 + 1)
        kept = [_sentence_case(_fill(rng.choice(SENTENCES), rng)) for _ in range(size)]
        self.sentences = (kept, [_strip(s) for s in kept])
        self.words = [len(s.split()) for s in kept]
        heads = [_sentence_case(_fill(rng.choice(HEADLINES), rng)) for _ in range(size // 4)]
        self.headlines = (heads, [_strip(h) for h in heads])
        # {fig} and {date} survive the first fill: they are the article's own
        figs = [_fill(rng.choice(FIGURE).replace("{fig:,}", "{{fig:,}}")
                      .replace("{date}", "{{date}}"), rng) for _ in range(size // 4)]
        self.figures = (figs, [_strip(f) for f in figs])


class _Writer:
    """One seeded stream of articles; ``article(i)`` must be called for i = 0, 1, 2, ..."""

    def __init__(self, seed: int, words: int) -> None:
        self.pools = _Pools(seed)
        self.rng = random.Random(seed)
        self.words = words

    def article(self, index: int) -> dict[str, Any]:
        pools, rnd = self.pools, self.rng.random
        stripped = rnd() >= 0.1
        sentences, headlines = pools.sentences[stripped], pools.headlines[stripped]
        figures, n_words = pools.figures[stripped], pools.words
        n_pool, n_head = len(sentences), len(headlines)
        title = headlines[int(rnd() * n_head)]
        date = EPOCH + datetime.timedelta(days=index % 3650)
        fig = figures[int(rnd() * len(figures))].format(
            fig=1000 + index * 7, date=f"{date.day} {MONTHS[date.month - 1]}")
        body: list[str] = [title, ""]
        para: list[str] = []
        target = self.words - 40 + int(rnd() * 81)
        count, fig_at, para_len = 0, 2 + int(rnd() * 6), 2 + int(rnd() * 4)
        while count < target:
            if len(para) >= para_len:
                body.append(" ".join(para))
                body.append("")
                para = []
                para_len = 2 + int(rnd() * 4)
                roll = rnd()
                if roll < 0.06:
                    body += ["Read more", ""]
                elif roll < 0.09:
                    body += [f"Read more: {headlines[int(rnd() * n_head)]}", ""]
            if fig_at == 0:
                para.append(fig)
                count += len(fig.split())
            k = int(rnd() * n_pool)
            para.append(sentences[k])
            count += n_words[k]
            fig_at -= 1
        last = " ".join(para)
        roll = rnd()
        if roll < 0.3:  # the scraper cut the last sentence and glued the feed footer to it
            cut = len(last) // 2 + int(rnd() * (len(last) // 2 - 1))
            while cut > 1 and not last[cut - 1].isalpha():
                cut -= 1
            last = last[:cut] + READ_MORE_SOURCE
        body.append(last)
        if 0.3 <= roll < 0.45:
            body += ["", BOILERPLATE_SHARE]
        publisher = PUBLISHERS[index % len(PUBLISHERS)]
        out = {"text": "\n".join(body) + "\n", "title": title, "publisher": publisher,
               "published_at": date.isoformat(),
               "url": f"https://news.example.org/{_SLUGS[publisher]}/{date.isoformat()}/{index}"}
        lic = LICENSES[index % len(LICENSES)]
        if lic is not None:
            out["license"] = lic
        return out


_SLUGS = {p: p.lower().replace(" ", "-") for p in PUBLISHERS}


def articles(n: int, seed: int = 0, *, words: int = 400) -> Iterator[dict[str, Any]]:
    """The first ``n`` articles of the stream ``seed`` (JSONL records for ``ingest``)."""
    w = _Writer(seed, words)
    for i in range(n):
        yield w.article(i)


def write_jsonl(folder: Path, n: int, seed: int = 0, *, per_file: int = 10_000,
                chunk: int = 1000) -> list[Path]:
    """Write ``n`` articles as ``folder/part-NNNNN.jsonl`` files; return their paths.

    Streams: at most ``chunk`` encoded lines are held before they are written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    paths: list[Path] = []
    stream = articles(n, seed)
    for part, first in enumerate(range(0, n, per_file)):
        path = folder / f"part-{part:05d}.jsonl"
        last = min(n, first + per_file)
        with path.open("w", encoding="utf-8", newline="\n") as f:
            for lo in range(first, last, chunk):
                f.write("".join([dumps(next(stream)) + "\n"
                                 for _ in range(min(last, lo + chunk) - lo)]))
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--out", type=Path, required=True, help="folder for the part-*.jsonl files")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-file", type=int, default=10_000)
    ap.add_argument("--print", type=int, default=0, metavar="K",
                    help="also print the text of the first K articles")
    a = ap.parse_args()
    t0 = time.perf_counter()
    paths = write_jsonl(a.out, a.docs, a.seed, per_file=a.per_file)
    secs = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in paths)
    print(f"{a.docs:,} articles in {len(paths)} file(s), {size / 2**20:,.1f} MiB, "
          f"{secs:.1f} s ({a.docs / max(secs, 1e-9):,.0f} articles/s)", file=sys.stderr)
    for doc in articles(a.print, a.seed):
        print(doc["text"])


if __name__ == "__main__":
    main()
