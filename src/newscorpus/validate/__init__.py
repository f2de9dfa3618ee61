"""Validation: JSON Schema checks of every record, then the Great Expectations suites.

``validate_tables`` checks pandas tables (the build step runs it on every shard),
``validate_folder`` a built dataset folder; ``newscorpus.pipeline.validate_corpus`` checks the
project's corpus with the build's own step. Each returns a ``ValidationReport`` with one
``CheckResult`` per rule; nothing here prints or exits.
"""

from newscorpus.validate.expectations import build_suites, load_suites, write_suites
from newscorpus.validate.report import CheckResult, ValidationReport
from newscorpus.validate.run import (
    DOCS_FOLDER,
    project_contracts,
    project_suites,
    validate_folder,
    validate_tables,
)
from newscorpus.validate.tables import REQUIRED_COLUMNS

__all__ = [
    "DOCS_FOLDER",
    "REQUIRED_COLUMNS",
    "CheckResult",
    "ValidationReport",
    "build_suites",
    "load_suites",
    "project_contracts",
    "project_suites",
    "validate_folder",
    "validate_tables",
    "write_suites",
]
