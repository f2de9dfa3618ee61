#!/usr/bin/env python3
"""Benchmark: is ``normalize`` linear in the length of pathological inputs?

usage: python tests/bench/bench_linear.py [--size N]

For each input kind (runs of spaces, tabs, no-break spaces, mixed whitespace, newlines,
"its not clear " repeated, ...) times ``normalize`` (all families) on the input at size n and
at size 10n, the fastest of three runs each (taken in turn, the garbage collector off as
``timeit`` has it), in the same process. A linear rule takes about
10 times as long on the longer input; a quadratic one 100 times. Prints kind, t(n), t(10n),
their ratio and PASS when the ratio is at most 12, else FAIL; exits 1 on any FAIL. The figures
are ratios measured in the same run, so they do not depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from newscorpus.normalize import normalize  # noqa: E402

MAX_RATIO = 12.0


def _repeat(piece: str) -> Callable[[int], str]:
    """``piece`` repeated to about n characters."""
    return lambda n: piece * max(1, n // len(piece))


#: Input kind -> the input of (about) n characters.
KINDS: dict[str, Callable[[int], str]] = {
    "spaces": lambda n: "a" + " " * n + "b",
    "tabs": lambda n: "a" + "\t" * n + "b",
    "no-break spaces": lambda n: "a" + "\u00a0" * n + "b",
    "mixed whitespace": lambda n: "a" + _repeat(" \t\u00a0\n\r\u2003")(n) + "b",
    "trailing spaces": lambda n: "a" + " " * n + "\nb" + " " * n,
    "newlines": lambda n: "a" + "\n" * n + "b",
    "blank lines": lambda n: "a" + _repeat("\n \n")(n) + "b",
    "its not clear": _repeat("its not clear "),
    "were going": _repeat('"Were going '),
    "one word": lambda n: "x" * n,
    "read more": _repeat("Read more "),
    "read more lines": _repeat("Read more\n\n"),
    "read more, spaces": lambda n: "x\n\nRead more" + " " * n + "y",
    "read more, newlines": lambda n: "x" + "\n" * n + "Read more y",
    "source footers": lambda n: "Words." + _repeat("Read More \u2013 Source")(n),
    "footer stairs": lambda n: "".join("Read More \u2013 Source" * i + "\n"
                                       for i in range(int((n / 9) ** 0.5))),
    "embedded posts": _repeat("Post.\n\n\u2014 Jane Doe (@jdoe) January 3, 2020\n\n"),
    "combining marks": lambda n: "a" + _repeat("\u0301\u0316")(n),
}


def best_of(small: str, large: str, runs: int = 3) -> tuple[float, float]:
    """The fastest of ``runs`` timings of ``normalize`` on each text, taken in turn (so that
    both see the same load on the machine) with the garbage collector off, as ``timeit``
    times: a collection that happens to fall into one run is not the rule's cost."""
    best = [float("inf"), float("inf")]
    enabled = gc.isenabled()
    try:
        for _ in range(runs):
            for k, text in enumerate((small, large)):
                gc.collect()
                gc.disable()
                t0 = time.perf_counter()
                normalize(text)
                best[k] = min(best[k], time.perf_counter() - t0)
                gc.enable()
    finally:
        if enabled:
            gc.enable()
        else:
            gc.disable()
    return best[0], best[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Is normalize() linear on pathological inputs?")
    ap.add_argument("--size", type=int, default=100_000, help="n (default 100000)")
    ap.add_argument("--kind", action="append", choices=list(KINDS),
                    help="only this kind (repeatable; default all)")
    args = ap.parse_args(argv)
    n = args.size
    normalize("warm up: its not clear")  # loads the apostrophe statistics
    print(f"normalize() on inputs of n = {n:,} and 10n characters, fastest of 3 runs")
    print(f"{'kind':<22} {'t(n) s':>9} {'t(10n) s':>9} {'ratio':>7}  verdict")
    failed = False
    for kind in args.kind or list(KINDS):
        make = KINDS[kind]
        t1, t10 = best_of(make(n), make(10 * n))
        ratio = t10 / t1
        ok = ratio <= MAX_RATIO
        failed |= not ok
        print(f"{kind:<22} {t1:9.4f} {t10:9.4f} {ratio:7.1f}  {'PASS' if ok else 'FAIL'}",
              flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
