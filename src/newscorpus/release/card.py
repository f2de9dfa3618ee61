"""The dataset card (README.md of a dataset folder), generated from the build's numbers.

Nobody types a number into the card: configs, features, split sizes and rule counts all come
from the ``BuildInfo`` of the build that wrote the files next to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from datasets import DatasetInfo, Features

from newscorpus.model.labels import LabelScheme
from newscorpus.release.agreement import Agreement
from newscorpus.release.citation import cite_as
from newscorpus.release.tables import CLAIM_FIELDS, DOCUMENT_FIELDS, ENTITY_FIELDS, TABLE_ORDER

__all__ = ["BuildInfo", "render"]

MISSING = "[More Information Needed]"


@dataclass
class BuildInfo:
    """What a build wrote, for the card and the manifest."""

    name: str
    version: str
    normalizer_version: str
    scheme: LabelScheme
    features: dict[str, Features]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> split -> rows
    nbytes: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> split -> bytes
    rule_edits: Counter[str] = field(default_factory=Counter)  # rule id -> edits
    rule_docs: Counter[str] = field(default_factory=Counter)  # rule id -> documents
    licenses: Counter[str] = field(default_factory=Counter)  # license (or "unknown") -> docs
    publishers: Counter[str] = field(default_factory=Counter)
    truncated: int = 0
    date: str | None = None
    label_counts: dict[str, Counter[str]] = field(default_factory=dict)  # table -> label -> n
    annotators: Counter[str] = field(default_factory=Counter)  # annotator id -> spans
    origins: Counter[str] = field(default_factory=Counter)  # origin -> spans
    agreement: dict[str, Agreement | None] = field(default_factory=dict)  # table -> IAA
    checkworthy: int = 0  # claims marked check-worthy
    annotator_notes: dict[str, str] = field(default_factory=dict)  # annotator id -> who

    def tally(self, table: str, row: Mapping[str, Any]) -> None:
        """Count one written row for the card (labels, annotators, origins, edits)."""
        if table == "documents":
            rules = [e["rule"] for e in row["edits"]]
            self.rule_edits.update(rules)
            self.rule_docs.update(set(rules))
            self.licenses[row["source"]["license"] or "unknown"] += 1
            self.publishers[row["source"]["publisher"] or "unknown"] += 1
            self.truncated += bool(row["truncated"])
            return
        key = "label" if table == "entities" else "claim_type"
        self.label_counts.setdefault(table, Counter())[str(row[key])] += 1
        self.checkworthy += bool(row.get("checkworthy"))
        self.annotators[str(row["annotator"])] += 1
        self.origins[str(row["origin"])] += 1


def _front_matter(info: BuildInfo) -> dict[str, Any]:
    tables = [t for t in TABLE_ORDER if info.counts.get(t)]
    licenses = set(info.licenses)
    configs = []
    dataset_info = []
    for t in tables:
        splits = info.counts[t]
        cfg: dict[str, Any] = {
            "config_name": t,
            "data_files": [{"split": s, "path": f"data/{t}/{s}-*.parquet"} for s in splits],
        }
        if t == tables[0]:
            cfg["default"] = True
        configs.append(cfg)
        yd = DatasetInfo(features=info.features[t])._to_yaml_dict()
        dataset_info.append({
            "config_name": t,
            "features": yd["features"],
            "splits": [{"name": s, "num_bytes": info.nbytes.get(t, {}).get(s, 0),
                        "num_examples": n} for s, n in splits.items()],
        })
    return {
        "language": ["en"],
        "license": next(iter(licenses)) if len(licenses) == 1 and "unknown" not in licenses
        else ("unknown" if licenses <= {"unknown"} else "other"),
        "pretty_name": info.name,
        "task_categories": ["token-classification", "text-classification"],
        "tags": ["news", "named-entities", "claims", "check-worthiness"],
        "configs": configs,
        "dataset_info": dataset_info,
    }


def _table(rows: Sequence[Sequence[str]], head: Sequence[str]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _agreement(info: BuildInfo) -> str:
    lines = []
    for table, ag in sorted(info.agreement.items()):
        if ag is not None:
            lines.append(f"- {table}: mean pairwise exact-match F1 {ag.mean_f1:.3f} over "
                         f"{ag.pairs:,} annotator pair(s) in {ag.documents:,} document(s)")
    if not lines:
        return ("No document has two human annotators yet, so agreement cannot be measured: "
                f"{MISSING}")
    return "\n".join(lines)


def render(info: BuildInfo) -> str:
    """The whole README.md: YAML front matter, then the card's sections."""
    fm = yaml.safe_dump(_front_matter(info), sort_keys=False, allow_unicode=True)
    docs = info.counts.get("documents", {})
    n_docs = sum(docs.values())
    split_rows = [(t, s, f"{n:,}") for t in TABLE_ORDER for s, n in info.counts.get(t, {}).items()]
    rule_rows = [(f"`{r}`", f"{info.rule_edits[r]:,}", f"{info.rule_docs[r]:,}")
                 for r in sorted(info.rule_edits)]
    lic_rows = [(lic, f"{n:,}") for lic, n in sorted(info.licenses.items())]
    ents = info.label_counts.get("entities", Counter())
    claims = info.label_counts.get("claims", Counter())
    ent_rows = [(f"`{lb.name}`", lb.definition, f"{ents[lb.name]:,}")
                for lb in info.scheme.entity_labels]
    claim_rows = [(f"`{lb.name}`", lb.definition, f"{claims[lb.name]:,}")
                  for lb in info.scheme.claim_types]
    field_rows = [(f"`{k}`", v) for k, v in DOCUMENT_FIELDS.items()]
    configs = [t for t in TABLE_ORDER if info.counts.get(t)]
    parts = [
        f"---\n{fm}---\n",
        f"# {info.name} {info.version}\n",
        "An English news corpus whose articles were damaged by scrapers (stripped apostrophes,"
        " left-over boilerplate) and repaired by a logged, reversible normaliser, with entity"
        " and claim annotations made in Label Studio.\n",
        f"This folder holds {n_docs:,} document(s), normaliser version"
        f" `{info.normalizer_version}`, label scheme `{info.scheme.version}`."
        " Generated by `newscorpus build`; do not edit by hand.\n",
        "## How to load\n",
        "```python\nfrom datasets import load_dataset\n"
        + "".join(f'{t} = load_dataset("path/to/this/folder", "{t}")\n' for t in configs)
        + "```\n",
        "pandas, polars and DuckDB read the same files (labels are integers there; their names"
        " are in the `huggingface` key of the Parquet schema metadata):\n",
        "```python\nimport pandas as pd, polars as pl, duckdb\n"
        'pd.read_parquet("data/documents")\npl.read_parquet("data/documents/*.parquet")\n'
        "duckdb.sql(\"select id, title from 'data/documents/*.parquet'\")\n```\n",
        "## Splits\n",
        _table(split_rows, ("table", "split", "rows")) + "\n",
        "Splits are fixed by a hash of the document id, so a document never changes split"
        " between versions.\n",
        "## Data Fields\n",
        "### documents\n",
        _table(field_rows, ("field", "meaning")) + "\n",
        "### entities\n",
        _table([(f"`{k}`", v) for k, v in ENTITY_FIELDS.items()], ("field", "meaning")) + "\n",
        "### claims\n",
        _table([(f"`{k}`", v) for k, v in CLAIM_FIELDS.items()], ("field", "meaning")) + "\n",
        "## Initial Data Collection and Normalization\n",
        "Raw articles are kept byte for byte in the repository's `corpus/raw/`. The normaliser"
        " rules that changed text in this folder, with the number of edits and of documents"
        " they touched:\n",
        (_table(rule_rows, ("rule", "edits", "documents")) if rule_rows
         else "No rule changed any text.") + "\n",
        f"Documents marked truncated by the scraper: {info.truncated:,}.\n",
        "## Annotation process\n",
        "Annotators work in Label Studio on the normalised text, one task per document, following"
        " the guidelines in the repository's `annotations/guidelines.md`. Pre-annotations"
        " (attribution patterns for claims, a gazetteer and capitalisation heuristics for"
        " entities) are shown as suggestions; a span enters the corpus only once an annotator"
        " has kept it, and then its `origin` is `human`. Spans a model made and nobody reviewed"
        " keep `origin` `model:<name>@<version>`.\n",
        "### Who are the annotators?\n",
        (_table([(f"`{a}`", f"{n:,}", info.annotator_notes.get(a, MISSING))
                 for a, n in sorted(info.annotators.items())],
                ("annotator", "spans", "who")) if info.annotators
         else "No annotations yet.") + "\n",
        "### Spans by origin\n",
        (_table([(f"`{o}`", f"{n:,}") for o, n in sorted(info.origins.items())],
                ("origin", "spans")) if info.origins else "No annotations yet.") + "\n",
        "### Inter-annotator agreement\n",
        _agreement(info) + "\n",
        "## Labels\n",
        "### Entity labels\n",
        _table(ent_rows, ("label", "definition", "spans")) + "\n",
        "### Claim types\n",
        _table(claim_rows, ("claim_type", "definition", "claims")) + "\n",
        f"`checkworthy`: {info.scheme.checkworthy_definition} In this folder:"
        f" {info.checkworthy:,} of {sum(claims.values()):,} claims.\n",
        f"Speaker: {info.scheme.speaker_definition}\n",
        f"Cue: {info.scheme.cue_definition}\n",
        "## Data quality\n",
        "Every table passed the JSON Schemas and the Great Expectations suites of the"
        " repository's `validation/` before this folder was published (a failing check stops"
        " the build). `quality/summary.json` lists each check with its result and"
        " `quality/index.html` is the Great Expectations report.\n",
        "## Licensing Information\n",
        _table(lic_rows, ("license of the source", "documents")) + "\n",
        "`unknown` means the publisher's terms were not recorded: such text is included for"
        " research on the corpus tooling and must not be redistributed beyond it.\n",
        "## Bias, Risks, and Limitations\n",
        "- The corpus is small and drawn from few outlets; label counts above show how thin"
        " each class is. Do not train production models on it alone.\n"
        "- Apostrophe restoration is precise before bold: it leaves a stripped apostrophe alone"
        " when unsure, so some remain missing; every change is in `edits` with its rule and"
        " confidence, and `corpus/raw/` keeps the text as received.\n"
        "- Articles cut off by the scraper are kept and flagged `truncated`; claims near the"
        " end of such articles may be incomplete.\n"
        "- Entity and claim judgements (claim type, check-worthiness) are one annotator's"
        " unless agreement figures are given above.\n"
        f"- {MISSING} on the demographic and political balance of the sources.\n",
        "## Citation\n",
        ("```bibtex\n" + cite_as(info.version, info.date) + "\n```\n" if info.date else
         "This folder is a local build, not a release: cite a published version instead.\n"),
        "The repository's `CITATION.cff` holds the same citation for the latest release.\n",
    ]
    return "\n".join(parts)
