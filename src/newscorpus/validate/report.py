"""What a validation found: one ``CheckResult`` per rule, gathered in a ``ValidationReport``.

Why plain records rather than GX result objects: the CLI, the build hook and the JSON
summary all need the same few facts (table, rule, pass/fail, how many rows, which ids), and
they must not depend on how Great Expectations shapes its results from one version to the
next. The report is also what ``--json`` prints, so its dict form is a stable contract.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscorpus.model.errors import ExpectationError

__all__ = ["CheckResult", "ValidationReport", "merge_checks", "write_report", "write_summary"]

#: How many record ids a failure message names.
SHOWN_IDS = 5


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One rule over one table: passed or failed, with the first failing record ids.

    ``kind`` is ``schema`` (JSON Schema of every record), ``expectation`` (a GX
    expectation) or ``contract`` (files agree with the label scheme: columns, ClassLabels).
    """

    table: str
    check: str  # stable id, "entities.label_in_scheme"
    rule: str  # for humans, "label is in the label scheme"
    kind: str
    success: bool
    evaluated: int = 0  # rows looked at
    unexpected: int = 0  # rows that broke the rule
    ids: tuple[str, ...] = ()  # first failing record ids
    values: tuple[str, ...] = ()  # first offending values, when they say something
    details: tuple[str, ...] = ()  # e.g. schema messages naming record and field

    def message(self) -> str:
        """``entities [entities.label_in_scheme]: label is in the label scheme: 1 of 3 ...``.

        >>> CheckResult("entities", "entities.id_unique", "id is unique", "expectation",
        ...             False, 4, 2, ("e1", "e1")).message()
        'entities [entities.id_unique]: id is unique: 2 of 4 row(s) fail; ids: e1, e1'
        """
        head = f"{self.table} [{self.check}]: {self.rule}"
        if self.success:
            return f"{head}: ok ({self.evaluated:,} row(s))"
        msg = f"{head}: {self.unexpected:,} of {self.evaluated:,} row(s) fail"
        if self.ids:
            msg += "; ids: " + ", ".join(self.ids[:SHOWN_IDS])
        if self.values:
            msg += "; values: " + ", ".join(self.values[:SHOWN_IDS])
        if self.details:
            msg += "; " + "; ".join(self.details[:SHOWN_IDS])
        return msg

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "check": self.check,
            "rule": self.rule,
            "kind": self.kind,
            "success": self.success,
            "evaluated": self.evaluated,
            "unexpected": self.unexpected,
            "ids": list(self.ids),
            "values": list(self.values),
            "details": list(self.details),
        }


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Every check of one validation run, in a fixed order (table, then rule id)."""

    origin: str  # "corpus" or the dataset folder validated
    checks: tuple[CheckResult, ...]
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows validated
    docs_index: Path | None = None  # Data Docs index.html, when written

    @property
    def success(self) -> bool:
        return all(c.success for c in self.checks)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if not c.success)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` summary: no timestamps or paths that change between runs but one."""
        return {
            "origin": self.origin,
            "success": self.success,
            "rows": dict(self.rows),
            "checks": len(self.checks),
            "failed": len(self.failures),
            "data_docs": str(self.docs_index) if self.docs_index else None,
            "results": [c.to_dict() for c in self.checks],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def raise_for_failures(self) -> None:
        """Raise ``ExpectationError`` listing every failed rule (the build hook uses this)."""
        if self.success:
            return
        lines = [c.message() for c in self.failures]
        raise ExpectationError(
            f"{self.origin}: {len(lines)} of {len(self.checks)} check(s) failed:\n  "
            + "\n  ".join(lines), failures=lines)


#: Data Docs assets that only decorate the report (logos, animations, web fonts): ~4 MB that
#: every release would otherwise carry. The HTML pages and their style sheets stay.
_DECORATION = ("static/images", "static/fonts")


def write_summary(report: ValidationReport, docs_dir: Path) -> Path:
    """Write ``summary.json`` next to the Data Docs and drop their decoration; its path."""
    import shutil

    docs_dir.mkdir(parents=True, exist_ok=True)
    for sub in _DECORATION:
        shutil.rmtree(docs_dir / sub, ignore_errors=True)
    d = report.to_dict()
    d["data_docs"] = "index.html" if report.docs_index else None
    path = docs_dir / "summary.json"
    path.write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def merge_checks(merged: dict[str, CheckResult], part: Iterable[CheckResult]
                 ) -> dict[str, CheckResult]:
    """Fold one shard's results into the run's: one result per check id, in first-seen
    order; rows and failures add up, the first failing ids and messages are kept."""
    out = dict(merged)
    for c in part:
        prev = out.get(c.check)
        if prev is None:
            out[c.check] = c
            continue
        out[c.check] = CheckResult(
            prev.table, prev.check, prev.rule, prev.kind, prev.success and c.success,
            prev.evaluated + c.evaluated, prev.unexpected + c.unexpected,
            (prev.ids + c.ids)[:2 * SHOWN_IDS], (prev.values + c.values)[:2 * SHOWN_IDS],
            (prev.details + c.details)[:2 * SHOWN_IDS])
    return out


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>newscorpus quality: {origin}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}}
.pass{{color:#176f2c}}.fail{{color:#b00020;font-weight:bold}}</style></head><body>
<h1>newscorpus data quality: {origin}</h1>
<p>{verdict}: {n_failed} of {n_checks} check(s) failed. Rows: {rows}.
JSON Schema checks of every record and the Great Expectations suites in
<code>validation/</code>, run shard by shard and merged; <code>summary.json</code> has the
same results.</p>
<table><thead><tr><th></th><th>check</th><th>rule</th><th>kind</th><th>rows</th>
<th>failing</th><th>first ids / details</th></tr></thead><tbody>
{body}
</tbody></table></body></html>
"""


def write_report(report: ValidationReport, docs_dir: Path) -> ValidationReport:
    """Write ``index.html`` (one row per check) and ``summary.json`` into ``docs_dir``.

    Why not GX Data Docs: they are one site per GX run, and a corpus is validated as many
    shard runs, on several processes; their merged results are what a reader needs.
    """
    from html import escape

    docs_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for c in report.checks:
        status = '<td class="pass">pass</td>' if c.success else '<td class="fail">FAIL</td>'
        notes = "; ".join((*c.ids[:SHOWN_IDS], *c.details[:SHOWN_IDS]))
        rows.append(f"<tr>{status}<td>{escape(c.check)}</td><td>{escape(c.rule)}</td>"
                    f"<td>{escape(c.kind)}</td><td>{c.evaluated:,}</td>"
                    f"<td>{c.unexpected:,}</td><td>{escape(notes)}</td></tr>")
    page = _PAGE.format(
        origin=escape(report.origin), verdict="PASSED" if report.success else "FAILED",
        n_failed=len(report.failures), n_checks=len(report.checks),
        rows=escape(", ".join(f"{t} {n:,}" for t, n in report.rows.items())),
        body="\n".join(rows))
    index = docs_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    done = ValidationReport(report.origin, report.checks, report.rows, index)
    write_summary(done, docs_dir)
    return done
