"""newscorpus: an annotated news corpus and the toolkit that builds it.

The stages (``ingest``, ``normalize``, ``annotate``, ``validate``, ``release``) meet only at
the records in ``newscorpus.model``; ``newscorpus.cli`` is the only part that prints or exits.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
