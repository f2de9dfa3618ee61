"""The engine options every sharded command shares: --workers, --ray, --shard-size."""

from __future__ import annotations

import os
import re
from typing import Annotated, Any

import typer

from newscorpus.engine import Executor, executor_for

__all__ = ["RayOption", "ShardSizeOption", "WorkersOption", "make_executor"]

WorkersOption = Annotated[int | None, typer.Option(
    "--workers", "-j", min=1, show_default=False,
    help="Local worker processes. [default: every core of this machine]")]
RayOption = Annotated[str | None, typer.Option(
    "--ray", metavar="ADDRESS", show_default=False,
    help="Run the shards on the Ray cluster at ADDRESS (host:port of `ray start --head`; "
         "default: $RAY_ADDRESS when set). Same output bytes as a local run; needs the "
         "ray extra (pip install -e '.[ray]').")]
ShardSizeOption = Annotated[int, typer.Option(
    "--shard-size", min=1,
    help="Documents per shard: the unit of work and of output file. Outputs are the same "
         "for any worker count or engine, not for another shard size.")]


_ADDRESS = re.compile(r"(ray://)?[\w.\-\[\]:]+:\d{1,5}|auto")


def make_executor(workers: int | None, ray: str | None) -> Executor[Any, Any]:
    """Ray when --ray (or $RAY_ADDRESS) names a cluster, else a local pool."""
    if ray is not None and workers is not None:
        raise typer.BadParameter("--workers is for local runs; a Ray cluster uses its own "
                                 "CPUs", param_hint="--workers")
    if ray is not None and not _ADDRESS.fullmatch(ray):
        raise typer.BadParameter(f"{ray!r} is not a Ray address: give HOST:PORT of a head "
                                 "node (e.g. 127.0.0.1:6379), ray://HOST:PORT or auto",
                                 param_hint="--ray")
    address = ray if ray is not None else (os.environ.get("RAY_ADDRESS") or None)
    if address is not None and workers is not None:
        address = None  # an explicit --workers wins over a stray $RAY_ADDRESS
    return executor_for(workers, address)
