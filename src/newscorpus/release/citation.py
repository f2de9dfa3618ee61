"""CITATION.cff (Citation File Format 1.2.0) of the corpus, following the latest release."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["TITLE", "cite_as", "render"]

TITLE = "newscorpus: an annotated news corpus with a reversible normaliser"


def render(*, version: str, date: str, license: str | None = None) -> str:
    """The CITATION.cff text for ``version`` released on ``date`` (YYYY-MM-DD)."""
    doc: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this corpus, please cite the version you used as below.",
        "type": "dataset",
        "title": TITLE,
        "version": version,
        "date-released": date,
        "authors": [{"name": "The newscorpus maintainers"}],
        "abstract": (
            "English news articles as scraped (kept byte for byte), normalised by a logged and "
            "reversible normaliser (apostrophe restoration, boilerplate removal, Unicode and "
            "whitespace), with entity and claim annotations made in Label Studio."
        ),
        "keywords": ["news", "corpus", "named entities", "claims", "check-worthiness",
                     "apostrophe restoration"],
    }
    if license:
        doc["license"] = license
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def cite_as(version: str, date: str) -> str:
    """A BibTeX entry for the same citation (for the card and Croissant's citeAs)."""
    year = date[:4]
    return (f"@misc{{newscorpus_{version.replace('.', '_')},\n"
            f"  title = {{{TITLE}}},\n  author = {{{{The newscorpus maintainers}}}},\n"
            f"  year = {{{year}}},\n  note = {{Version {version}, released {date}}}\n}}")
