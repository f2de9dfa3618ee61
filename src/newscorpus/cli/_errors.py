"""One place where toolkit errors become a message on stderr and exit code 1."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from newscorpus.model.errors import NewscorpusError

__all__ = ["err_console", "handle_errors", "out_console"]

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a command; a ``NewscorpusError`` (or an ``OSError``) prints ``error: ...``, exits 1."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except NewscorpusError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(1) from None
        except OSError as exc:  # disk full, permission denied...: a message, not a traceback
            where = f"{exc.filename}: " if exc.filename else ""
            err_console.print(f"[bold red]error:[/] {escape(where + (exc.strerror or str(exc)))}",
                              highlight=False)
            raise typer.Exit(1) from None

    return wrapper
