"""Where steps run: one executor for a local process pool or a Ray cluster.

A stage's work is a *step* over a *shard* (a fixed, numbered slice of the corpus), in the
manner of datatrove's ``PipelineExecutor``: steps know nothing about where they run, and the
executor knows nothing about what they do. Everything a step needs travels in its argument,
everything it produced comes back as its (small, picklable) result or as files it wrote
itself, so the same list of steps gives the same bytes whatever the engine and worker count.

- ``LocalExecutor(1)`` runs steps in this process (no pickling, easy to debug);
- ``LocalExecutor(n)`` runs them on ``n`` worker processes;
- ``RayExecutor(address)`` runs them as Ray tasks on a running cluster (``ray start``).
  Output folders must be on a filesystem every node sees (one machine, or shared storage).

Results come back in shard order, with at most ``2 x workers`` shards in flight, so the
caller can stream them into files and memory stays flat however many shards there are.
A step that raises, or a worker that dies, stops the run with an ``EngineError`` naming
the shard; no result after it is used.
"""

from __future__ import annotations

import itertools
import logging
import os
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from newscorpus.model.errors import NewscorpusError

__all__ = ["DEFAULT_SHARD_SIZE", "EngineError", "Executor", "LocalExecutor", "RayExecutor",
           "Shard", "executor_for", "shards_of"]

log = logging.getLogger(__name__)

A = TypeVar("A")
R = TypeVar("R")

#: Documents per shard. A shard is the unit of work, of retry and of output file: 5,000
#: news articles (~400 words) make a ~10 MB documents file and keep a worker under ~300 MB,
#: while 1M articles still make only 200 tasks, so per-task costs (a GX run, a Ray task,
#: a Parquet footer) stay a few percent. Fixed, so the files are the same for any engine.
DEFAULT_SHARD_SIZE = 5_000

#: How long to wait for a Ray cluster to answer before saying it is unreachable.
RAY_CONNECT_TIMEOUT_S = 20.0


class EngineError(NewscorpusError):
    """A shard could not be run (the step failed, a worker died, the cluster is gone)."""


@dataclass(frozen=True, slots=True)
class Shard:
    """Documents ``[start, stop)`` of the corpus, in ``sources.jsonl`` order; the unit of work,
    of retry and of output (its files are named after ``index``)."""

    index: int
    start: int
    stop: int

    def describe(self) -> str:
        """``shard 3 (documents 30000..39999)``, for messages."""
        return f"shard {self.index} (documents {self.start}..{self.stop - 1})"


def shards_of(total: int, size: int) -> list[Shard]:
    """Fixed-size shards over ``total`` documents: the layout depends on nothing else.

    >>> [s.describe() for s in shards_of(5, 2)]
    ['shard 0 (documents 0..1)', 'shard 1 (documents 2..3)', 'shard 2 (documents 4..4)']
    """
    if size < 1:
        raise ValueError("shard size must be at least 1")
    return [Shard(k, lo, min(lo + size, total)) for k, lo in enumerate(range(0, total, size))]


class Executor(ABC, Generic[A, R]):
    """Runs ``step(arg)`` for each argument somewhere; yields the results in order."""

    #: ``local`` or ``ray``, for reports.
    engine: str = "local"
    workers: int = 1

    @abstractmethod
    def map(self, step: Callable[[A], R], args: Iterable[A],
            describe: Callable[[A], str]) -> Iterator[R]:
        """Results of ``step`` over ``args``, in order; ``EngineError`` names a failed one."""

    def close(self) -> None:
        """Release workers or the cluster connection."""

    def __enter__(self) -> Executor[A, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _ordered(submit: Callable[[A], Any], wait: Callable[[Any, A], R], args: Iterable[A],
             window: int) -> Iterator[R]:
    """Submit at most ``window`` ahead; yield results in submission order."""
    pending: deque[tuple[Any, A]] = deque()
    it = iter(args)
    for arg in it:
        pending.append((submit(arg), arg))
        if len(pending) >= window:
            fut, a = pending.popleft()
            yield wait(fut, a)
    while pending:
        fut, a = pending.popleft()
        yield wait(fut, a)


class LocalExecutor(Executor[A, R]):
    """This process (``workers == 1``) or a pool of ``workers`` processes."""

    def __init__(self, workers: int | None = None, *, preload: Sequence[str] = ()) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.preload = list(preload)
        self._pool: Any = None

    def map(self, step: Callable[[A], R], args: Iterable[A],
            describe: Callable[[A], str]) -> Iterator[R]:
        it = iter(args)
        head = [a for _, a in zip(range(2), it, strict=False)]
        if self.workers == 1 or len(head) < 2:  # one shard: no pool to start
            for arg in (*head, *it):
                try:
                    yield step(arg)
                except NewscorpusError:
                    raise
                except Exception as exc:
                    raise EngineError(f"{describe(arg)} failed: {exc!r}") from exc
            return
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool
        from multiprocessing import get_context

        if self._pool is None:
            # forkserver: workers start clean (no copy of the driver's threads or memory);
            # the modules it preloads are shared, copy-on-write, by every worker it forks
            ctx = get_context("forkserver")
            ctx.set_forkserver_preload(self.preload)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx)

        def wait(fut: Any, arg: A) -> R:
            try:
                return fut.result()  # type: ignore[no-any-return]
            except NewscorpusError:
                raise
            except BrokenProcessPool as exc:
                raise EngineError(f"{describe(arg)}: a worker process died (killed, or out "
                                  "of memory); nothing was published") from exc
            except Exception as exc:
                raise EngineError(f"{describe(arg)} failed: {exc!r}") from exc

        try:
            yield from _ordered(lambda a: self._pool.submit(step, a), wait,
                                itertools.chain(head, it), 2 * self.workers)
        except BaseException:
            self.close(cancel=True)
            raise

    def close(self, cancel: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None


def _ray_run_shard(step: Callable[[Any], Any], arg: Any) -> Any:
    """The Ray task: one step over one shard (its name is what ``ps`` shows on a worker)."""
    return step(arg)


class RayExecutor(Executor[A, R]):
    """Ray tasks on the cluster at ``address`` (``host:port`` of a ``ray start --head``).

    Tasks are not retried: a worker that dies fails the run with the shard named, and the
    caller publishes nothing (a new run redoes only the shards its cache lacks).
    """

    engine = "ray"

    def __init__(self, address: str) -> None:
        try:
            import ray
        except ImportError as exc:
            raise EngineError("--ray needs Ray: install the ray extra "
                              "(pip install -e '.[ray]')") from exc
        self.address = address
        self._ray = ray
        _check_reachable(address)
        try:
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False,
                     configure_logging=False)
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError, its own types
            raise EngineError(f"cannot join the Ray cluster at {address}: {exc}") from exc
        cpus = ray.cluster_resources().get("CPU", 1)  # type: ignore[no-untyped-call]
        self.workers = max(1, int(cpus))
        self._task = ray.remote(max_retries=0, num_cpus=1)(_ray_run_shard)

    def map(self, step: Callable[[A], R], args: Iterable[A],
            describe: Callable[[A], str]) -> Iterator[R]:
        ray = self._ray
        step_ref = ray.put(step)

        def wait(ref: Any, arg: A) -> R:
            try:
                return ray.get(ref)  # type: ignore[no-any-return]
            except ray.exceptions.RayTaskError as exc:
                cause = exc.as_instanceof_cause()
                if isinstance(cause, NewscorpusError):
                    raise cause from None
                raise EngineError(f"{describe(arg)} failed on the Ray cluster at "
                                  f"{self.address}: {exc.cause!r}") from None
            except ray.exceptions.RayError as exc:
                raise EngineError(f"{describe(arg)}: its Ray worker died or the cluster at "
                                  f"{self.address} went away ({type(exc).__name__}); "
                                  "nothing was published") from None

        refs: list[Any] = []
        try:
            def submit(a: A) -> Any:
                ref = self._task.remote(step_ref, a)
                refs.append(ref)
                return ref
            yield from _ordered(submit, wait, args, 2 * self.workers)
        except BaseException:
            for ref in refs:
                try:
                    ray.cancel(ref, force=True)
                except Exception:  # already finished or gone
                    log.debug("could not cancel a Ray task", exc_info=True)
            raise

    def close(self) -> None:
        if self._ray.is_initialized():
            self._ray.shutdown()


def _check_reachable(address: str) -> None:
    """Fail fast, with the address named, when nothing listens there (Ray would retry for
    a minute and print its own tracebacks)."""
    import socket

    host, _, port = address.rpartition(":")
    if address.startswith(("ray://", "auto")) or not port.isdigit():
        return  # Ray resolves these itself
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)),
                                      timeout=RAY_CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        raise EngineError(f"no Ray cluster answers at {address} ({exc.strerror or exc}): "
                          "start one with `ray start --head`, or leave out --ray") from None


#: What local workers import before they fork: the step and the libraries it runs (Great
#: Expectations alone is ~120 MB), so two workers share those pages instead of each
#: holding its own copy.
PRELOAD = ("newscorpus.pipeline.shard", "great_expectations")


def executor_for(workers: int | None = None, ray_address: str | None = None
                 ) -> Executor[Any, Any]:
    """The executor a command asked for: Ray when an address is given, else local."""
    if ray_address:
        return RayExecutor(ray_address)
    return LocalExecutor(workers, preload=PRELOAD)


def run_steps(executor: Executor[A, R], step: Callable[[A], R], args: Sequence[A],
              describe: Callable[[A], str]) -> Iterator[R]:
    """``executor.map`` (a seam for progress reporting and tests)."""
    return executor.map(step, args, describe)
