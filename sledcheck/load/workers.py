"""Per-part work on the machine's cores: an ordered map over threads.

The heavy per-part steps (reading a binary STL and welding it, measuring a part's health) spend their time in
numpy sorts and arithmetic, which release the GIL, so threads share the work without copying meshes between
processes. Results come back in input order and each item's work does not depend on the others, so the
answer is the same whatever the worker count; the first failing item (in input order) raises, as it would
when run one after another. ``SLEDCHECK_WORKERS`` sets the count (1: no threads); the default is the number
of CPUs, at most :data:`MAX_DEFAULT`.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from ..errors import SledcheckError

T = TypeVar("T")
R = TypeVar("R")

#: default worker count at most (beyond it the memory of parts in flight grows faster than the time falls)
MAX_DEFAULT = 4


def worker_count() -> int:
    """Threads for per-part work: ``SLEDCHECK_WORKERS`` (a positive integer), else the CPUs up to
    :data:`MAX_DEFAULT`; a bad value is an error naming the variable."""
    raw = os.environ.get("SLEDCHECK_WORKERS", "").strip()
    if not raw:
        return max(1, min(MAX_DEFAULT, os.cpu_count() or 1))
    if not raw.isdigit() or int(raw) < 1:
        raise SledcheckError(f"SLEDCHECK_WORKERS={raw!r} is not a positive whole number",
                             hint="set it to the number of threads for per-part work (1: none), or unset it")
    return int(raw)


def ordered_map(work: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> list[R]:
    """``[work(x) for x in items]``, on ``workers`` threads (default :func:`worker_count`); each call runs in a
    copy of the caller's context (context variables such as the shared mesh cache carry over)."""
    count = worker_count() if workers is None else workers
    if count <= 1 or len(items) < 2:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(count, len(items))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, work, item) for item in items]
        try:
            return [future.result() for future in futures]
        finally:
            for future in futures:
                future.cancel()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's BLAS (OpenBLAS, MKL) on one thread while the block runs; restored after.

    sledcheck's parallelism is its own threads. OpenBLAS's threads spin while they wait for each other, so on a
    machine whose other cores are busy (a CI runner, a sweep's workers) a thermal model's matrix products took
    minutes instead of seconds: the step-sled example's check beside two busy processes ran past 150 s with
    BLAS threads and took 12.6 s on one."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
