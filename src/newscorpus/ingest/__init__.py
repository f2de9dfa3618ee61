"""Ingest: raw articles -> ``corpus/raw/<id[:2]>/<id>.txt`` (bytes exactly) + a record each
appended to ``corpus/sources.jsonl``.

A batch is checked whole before anything is written: one bad file refuses the batch, so a
corpus never holds half an ingest. Ids are content addresses (sha256 of the bytes), so the
same article ingested twice is found and refused instead of stored twice. ``store`` says how
the corpus stays consistent under concurrent writers and crashes.
"""

from newscorpus.ingest.files import (
    MAX_BYTES,
    Candidate,
    collect,
    decode,
    scan,
)
from newscorpus.ingest.migrate import Migrated, migrate
from newscorpus.ingest.store import (
    Ingested,
    add,
    batch_records,
    ingest_paths,
    iter_sources,
    load_sources,
    raw_file,
    raw_rel,
    write,
)

__all__ = [
    "MAX_BYTES",
    "Candidate",
    "Ingested",
    "Migrated",
    "add",
    "batch_records",
    "collect",
    "decode",
    "ingest_paths",
    "iter_sources",
    "load_sources",
    "migrate",
    "raw_file",
    "raw_rel",
    "scan",
    "write",
]
