"""Where ``kb tag`` runs its per-document work: three engines, one interface.

Each engine is a :class:`concurrent.futures.Executor` whose workers hold the same
state (the mention finder's names and dockets, the stance model, the Notice
questions) before the first task, so :func:`nlp.tag_worker.analyse_chunk` gives the same
answer wherever it runs and the results are stored in submission order:

- ``inline``: in this process, one task after the other (the single-process reference);
- ``fork``: a process pool forked from this one (the default; workers inherit what is
  loaded and die with the parent);
- ``dask``: a ``dask.distributed`` cluster, local (``workers`` processes) or the one at
  ``scheduler``; each worker receives the state once, through a worker plugin. Dask is
  an optional extra (``pip install '.[dask]'``).
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from kb.children import die_with_parent
from kb.errors import UsageError
from nlp import tag_worker
from nlp.forkmap import one_thread
from nlp.tag_worker import WorkerState

ENGINES = ("inline", "fork", "dask")


class InlineExecutor(Executor):
    """Runs each task at once, in this process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))  # an error is raised here, to the caller
        return future


@contextmanager
def executor(
    engine: str, state: WorkerState, workers: int, scheduler: str | None = None
) -> Iterator[Executor]:
    """An executor of ``engine`` whose workers hold ``state``; shut down on exit."""
    if engine == "inline":
        tag_worker.install(state)
        with one_thread():
            yield InlineExecutor()
    elif engine == "fork":
        # Forked workers inherit the pipelines and models loaded in this process instead
        # of loading their own, and the kernel kills them when it dies, however it dies.
        tag_worker.install(state)
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=tag_worker.arm_worker,
            initargs=(die_with_parent(),),
        ) as pool:
            yield pool
    elif engine == "dask":
        with _dask(state, workers, scheduler) as pool:
            yield pool
    else:
        raise UsageError(f"unknown engine (one of {', '.join(ENGINES)})", item=engine)


@contextmanager
def _dask(state: WorkerState, workers: int, scheduler: str | None) -> Iterator[Executor]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise UsageError(
            "kb tag --workers/--scheduler needs Dask: pip install '.[dask]'", item="dask"
        ) from exc
    from nlp.tag_dask import StatePlugin

    # The scheduler and nanny narrate every start and stop at INFO; kb reports its own.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
            client = Client(cluster)
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler: {exc}", item=scheduler) from exc
    try:
        client.register_plugin(StatePlugin(state), name="kb-tag-state")
        with client.get_executor(pure=False) as pool:
            yield pool
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
