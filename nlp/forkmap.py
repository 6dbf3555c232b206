"""A pure function over many items on every core, results in the items' order.

The stance model's fit splits the labelled documents into sentences, computes their
context features and fits 64 independent classifiers: each step is a list of pure
tasks. :func:`fork_map` runs them in a pool forked from this process, so the workers
inherit the items and the function (closures included) instead of receiving them:
only index ranges go to a worker and only results come back. Each task runs exactly
as it would here, so the results are the same on any number of cores.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from threadpoolctl import threadpool_limits

from kb.children import die_with_parent

T = TypeVar("T")
R = TypeVar("R")

#: The items and function of the running ``fork_map`` (read by the forked workers).
_ITEMS: Sequence[Any] = ()
_FN: Callable[[Any], Any] | None = None
#: Index ranges per worker: enough for an even finish when task costs differ.
SPANS_PER_WORKER = 8


def workers_here() -> int:
    """One worker per core, up to four (as ``kb tag``)."""
    return min(os.cpu_count() or 1, 4)


def one_thread() -> threadpool_limits:
    """BLAS and OpenMP on one thread, in this process (for good, or within ``with``):
    as forked workers run, so that sums come out the same on any number of cores."""
    return threadpool_limits(limits=1)


def one_thread_each(arm: Callable[[], None]) -> None:
    """A forked worker: dies with its parent, and runs BLAS and OpenMP on one thread.
    The thread pools a worker inherits from its parent are not its own: left as they
    are, each classifier fit ran five times slower in a worker than in the parent."""
    arm()
    one_thread()
    # What the worker inherited (the model, pipelines, lexicons) is never garbage:
    # frozen, no collection walks it again; and a worker makes millions of short-lived
    # objects, so collections run less often (1.3 s to 0.3 s of collecting when the
    # whole corpus is tagged in one process).
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def _run(span: tuple[int, int]) -> list[Any]:
    assert _FN is not None
    return [_FN(item) for item in _ITEMS[span[0] : span[1]]]


def spans(n: int, parts: int) -> list[tuple[int, int]]:
    """``[0, n)`` cut into at most ``parts`` consecutive ranges of near-equal length."""
    parts = max(1, min(parts, n))
    cuts = [round(k * n / parts) for k in range(parts + 1)]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def fork_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    workers: int | None = None,
    per_task: int = 0,
    meanwhile: Callable[[], object] | None = None,
) -> list[R]:
    """``[fn(x) for x in items]``, on ``workers`` forked processes (one per core by
    default; in this process when that is one, or for fewer than two items).
    ``per_task``: items per task (default: the items cut into ``SPANS_PER_WORKER``
    ranges per worker); 1 for tasks of very different cost given costliest first.
    ``meanwhile``: this process's own work, done while the workers run."""
    global _ITEMS, _FN
    workers = workers or workers_here()
    if workers < 2 or len(items) < 2 or _FN is not None:
        # A fork_map inside a fork_map's task runs in its worker, sequentially.
        with one_thread():
            if meanwhile is not None:
                meanwhile()
            return [fn(x) for x in items]
    ranges = (
        [(k, min(k + per_task, len(items))) for k in range(0, len(items), per_task)]
        if per_task
        else spans(len(items), workers * SPANS_PER_WORKER)
    )
    _ITEMS, _FN = items, fn
    try:
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=one_thread_each,
            initargs=(die_with_parent(),),
        ) as pool:
            parts = pool.map(_run, ranges)  # every task is submitted here
            if meanwhile is not None:
                meanwhile()
            return [r for part in parts for r in part]
    finally:
        _ITEMS, _FN = (), None
