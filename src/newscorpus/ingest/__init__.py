"""Ingest: raw articles -> ``corpus/raw/<id>.txt`` (bytes exactly) + ``corpus/sources.jsonl``.

A batch is checked whole before anything is written: one bad file refuses the batch, so a
corpus never holds half an ingest. Ids are content addresses (sha256 of the bytes), so the
same article ingested twice is found and refused instead of stored twice.
"""

from newscorpus.ingest.files import (
    MAX_BYTES,
    Candidate,
    collect,
    decode,
    load_sources,
    write,
)

__all__ = ["MAX_BYTES", "Candidate", "collect", "decode", "load_sources", "write"]
