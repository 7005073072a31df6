"""Where the Monte Carlo's blocks run: in this thread, a thread or process pool, or a Dask cluster.

Conventions, stated once for the module:

* the unit of work is a **chunk**, a range ``lo .. hi - 1`` of whole block numbers. A chunk
  runs as ``run_chunk(plan, lo, hi)``: a module-level function of a small, picklable plan, so
  the same call works in a thread, in a ``spawn``-ed process and on a Dask worker;
* chunks may finish in any order. Each result goes to ``collect`` as it arrives, and the
  collector places it by its block number, so results never depend on where or in what order
  the chunks ran (:mod:`basket.montecarlo.model` gives each block its own seed for the same reason);
* ``concurrent.futures``, ``multiprocessing`` and ``dask.distributed`` are imported only when
  asked for; a missing ``distributed`` raises :class:`basket.errors.SimulationError` naming the
  pip extra.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from basket.errors import SimulationError

__all__ = ["run_blocks"]


def run_blocks(
    run_chunk: Callable[[Any, int, int], Any],
    plan: Any,
    collect: Callable[[Any], None],
    *,
    n_blocks: int,
    blocks_per_chunk: int | None = None,
    workers: int = 1,
    executor: str = "thread",
    scheduler: Any = None,
    heavy_blocks: int = 0,
) -> None:
    """Run blocks ``0 .. n_blocks - 1`` in chunks and hand each chunk's result to ``collect``.

    Parameters
    ----------
    run_chunk : callable
        ``run_chunk(plan, lo, hi)`` computes blocks ``lo`` to ``hi - 1``. For processes or Dask
        it and ``plan`` must be picklable (a module-level function).
    plan : object
        Everything ``run_chunk`` needs, sent once to each worker.
    collect : callable
        Called in this thread with each chunk's result, in completion order.
    n_blocks : int
        Number of blocks, >= 1.
    blocks_per_chunk : int, optional
        Blocks per chunk. Default: one per chunk in this thread or a thread pool (cheap tasks,
        good balance), ``n_blocks // (16 * workers)`` with processes (amortises pickling), and
        ``n_blocks // 64`` on Dask (at most about 64 tasks); at least one.
    workers : int, default 1
        Threads or processes; 1 runs the chunks here, in order.
    executor : {"thread", "process"}, default "thread"
        The pool used when ``workers > 1``. Processes are started with ``spawn``.
    scheduler : distributed.Client or str, optional
        Run the chunks on a Dask cluster instead: a client, or a scheduler address such as
        ``tcp://10.0.0.5:8786`` (a client made here is closed here).
    heavy_blocks : int, default 0
        The first blocks that cost much more than the others (they follow paths day by day
        for the fan): with chunks chosen here, each of them is a chunk of its own, submitted
        first, so they spread over the workers instead of landing on one.

    Returns
    -------
    None
        Results reach the caller only through ``collect``.

    Raises
    ------
    SimulationError
        ``dask.distributed`` not installed, an unreachable scheduler address, or a
        ``scheduler`` that is neither a client nor a string.

    Examples
    --------
    >>> done = []
    >>> run_blocks(lambda plan, lo, hi: [plan * b for b in range(lo, hi)], 10, done.extend,
    ...            n_blocks=5, blocks_per_chunk=2)
    >>> done
    [0, 10, 20, 30, 40]
    """
    if blocks_per_chunk is not None:
        per = max(1, blocks_per_chunk)
    elif scheduler is not None:
        per = max(1, n_blocks // 64)                    # at most ~64 tasks on a cluster
    elif executor == "process" and workers > 1:
        per = max(1, n_blocks // (16 * workers))        # amortise pickling
    else:
        per = 1                                         # threads: cheap tasks, good balance
    alone = min(heavy_blocks, n_blocks) if blocks_per_chunk is None and per > 1 else 0
    chunks = [(b, b + 1) for b in range(alone)]
    chunks += [(lo, min(lo + per, n_blocks)) for lo in range(alone, n_blocks, per)]
    if scheduler is not None:
        _run_dask(run_chunk, plan, chunks, scheduler, collect)
        return
    if workers == 1:
        for lo, hi in chunks:
            collect(run_chunk(plan, lo, hi))
        return
    import concurrent.futures as cf

    pool: cf.Executor
    if executor == "process":
        import multiprocessing

        pool = cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    else:
        pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="basket-sim")
    with pool:
        futures = [pool.submit(run_chunk, plan, lo, hi) for lo, hi in chunks]
        for fut in cf.as_completed(futures):
            collect(fut.result())


def _client_class(distributed: Any) -> Any:
    """``distributed.Client`` whose failed connection does not block the interpreter.

    A ``Client(address)`` that fails to connect is left half-built with its event loop
    running; its ``__del__`` then waits 60 s to close it. This subclass stops that loop instead.
    """

    class _Client(distributed.Client):  # type: ignore[misc]
        def __del__(self) -> None:
            if getattr(self, "status", None) == "connecting":
                self._loop_runner.stop()
                return
            super().__del__()

    return _Client


def _run_dask(run_chunk: Callable[[Any, int, int], Any], plan: Any,
              chunks: list[tuple[int, int]], scheduler: Any,
              collect: Callable[[Any], None]) -> None:
    try:
        import distributed
    except ImportError:
        raise SimulationError(
            "running on a Dask cluster needs dask.distributed: pip install 'libra-basket[dask]'"
        ) from None
    own = isinstance(scheduler, str)
    if own:
        try:
            client = _client_class(distributed)(scheduler, set_as_default=False)
        except (OSError, ValueError, TypeError) as exc:
            raise SimulationError(
                f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); "
                "give its address as tcp://host:8786"
            ) from None
    elif hasattr(scheduler, "submit") and hasattr(scheduler, "scatter"):
        client = scheduler
    else:
        raise SimulationError(
            f"scheduler {scheduler!r} is neither a distributed.Client nor an address string"
        )
    try:
        [shared] = client.scatter([plan], broadcast=True)
        futures = [client.submit(run_chunk, shared, lo, hi, pure=False) for lo, hi in chunks]
        for fut in distributed.as_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
            collect(fut.result())
            fut.release()
    finally:
        if own:
            client.close()
