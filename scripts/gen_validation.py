"""Regenerate the contracts that follow the label scheme: schema enums and the GX suites.

Run after changing ``schemas/label_scheme.json``; commit what changes. A test proves the
committed files equal what this writes, and ``newscorpus validate`` fails on stale ones.

    .venv/bin/python scripts/gen_validation.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from newscorpus.project import find_project
from newscorpus.validate.expectations import write_suites
from newscorpus.validate.schemas import ENUM_FIELDS, fill_enums, render_schema


def main() -> int:
    project = find_project(Path(__file__).resolve().parent.parent)
    scheme = project.label_scheme()
    changed = []
    for name in ENUM_FIELDS:
        path = project.schemas / f"{name}.schema.json"
        text = render_schema(fill_enums(name, json.loads(path.read_text("utf-8")), scheme))
        if path.read_text("utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    before = {p: p.read_text("utf-8") for p in project.validation.glob("*.json")}
    for path in write_suites(project.validation, scheme):
        if before.get(path) != path.read_text("utf-8"):
            changed.append(path)
    for path in changed:
        print(f"wrote {project.rel(path)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
