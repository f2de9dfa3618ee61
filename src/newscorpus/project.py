"""Where a newscorpus repository keeps things (DESIGN.md's layout), found from any subfolder.

Every command works on a project root: the nearest folder above the working directory that
has ``schemas/label_scheme.json``, or ``$NEWSCORPUS_ROOT`` when set.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from jsonschema import Draft202012Validator

from newscorpus.model.errors import NewscorpusError, RecordError
from newscorpus.model.labels import LabelScheme
from newscorpus.model.schema import validator

__all__ = ["Project", "find_project"]

SCHEME_FILE = Path("schemas/label_scheme.json")


@dataclass(frozen=True, slots=True)
class Project:
    """Paths of one project; creating it touches nothing on disk."""

    root: Path

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def raw_dir(self) -> Path:
        return self.corpus / "raw"

    @property
    def sources(self) -> Path:
        return self.corpus / "sources.jsonl"

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    @property
    def annotations(self) -> Path:
        return self.root / "annotations"

    @property
    def validation(self) -> Path:
        return self.root / "validation"

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    def rel(self, path: Path) -> str:
        """``path`` relative to the root when inside it (for messages)."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    def label_scheme(self) -> LabelScheme:
        path = self.root / SCHEME_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RecordError(f"cannot read the label scheme: {exc}", path=str(path)) from exc
        return LabelScheme.from_dict(data, path=self.rel(path))

    def schema(self, name: str) -> dict[str, object]:
        """The JSON Schema ``schemas/<name>.schema.json``."""
        path = self.schemas / f"{name}.schema.json"
        try:
            data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RecordError(f"cannot read schema: {exc}", path=str(path)) from exc
        return data


    def validator(self, name: str) -> Draft202012Validator:
        """A format-checking validator of ``schemas/<name>.schema.json`` (refs resolved)."""
        others = [self.schema(p.name.removesuffix(".schema.json"))
                  for p in sorted(self.schemas.glob("*.schema.json"))]
        return validator(self.schema(name), others)


def find_project(start: Path | None = None) -> Project:
    """The project containing ``start`` (default: the working directory)."""
    env = os.environ.get("NEWSCORPUS_ROOT")
    if env:
        root = Path(env)
        if not (root / SCHEME_FILE).is_file():
            raise NewscorpusError(f"NEWSCORPUS_ROOT={env} has no {SCHEME_FILE}")
        return Project(root)
    here = (start or Path.cwd()).resolve()
    for cand in (here, *here.parents):
        if (cand / SCHEME_FILE).is_file():
            return Project(cand)
    raise NewscorpusError(
        f"no newscorpus project here: no {SCHEME_FILE} in {here} or above "
        "(run inside a clone, or set NEWSCORPUS_ROOT)"
    )
