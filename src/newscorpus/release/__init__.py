"""Release: typed Parquet tables, the dataset card, and (later) manifests and citations."""

from newscorpus.release.card import BuildInfo, render
from newscorpus.release.dataset import write_dataset
from newscorpus.release.parquet import TableWriter, write_table
from newscorpus.release.tables import TABLE_ORDER, features

__all__ = ["TABLE_ORDER", "BuildInfo", "TableWriter", "features", "render", "write_dataset",
           "write_table"]
