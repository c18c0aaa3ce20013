"""geometry.once.Once: a result computed once when two threads ask for it at the same time, the waiter getting
the first caller's value or exception, a recursive request computing as it would without threads, and a caller
under not_waiting told Busy instead of waiting (but waiting for what its own result needs)."""

from __future__ import annotations

import threading
import time

import pytest

from sledcheck.geometry.once import Busy, Once, PerObject, not_waiting


def test_two_threads_share_one_computation() -> None:
    once, calls, got = Once(), [], []

    def slow() -> int:
        calls.append(threading.get_ident())
        time.sleep(0.2)
        return 42

    threads = [threading.Thread(target=lambda: got.append(once.get("k", slow))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [42, 42, 42] and len(calls) == 1 and once.values == {"k": 42}


def test_the_waiter_gets_the_first_callers_exception_and_nothing_is_kept() -> None:
    once, started = Once(), threading.Event()

    def fails() -> int:
        started.set()
        time.sleep(0.2)
        raise ValueError("bad mesh")

    errors: list[BaseException] = []

    def first() -> None:
        try:
            once.get("k", fails)
        except ValueError as err:
            errors.append(err)

    t = threading.Thread(target=first)
    t.start()
    started.wait()
    with pytest.raises(ValueError, match="bad mesh"):
        once.get("k", lambda: 1)   # waits for the first caller, then meets its error
    t.join()
    assert len(errors) == 1 and "k" not in once.values
    assert once.get("k", lambda: 7) == 7   # a later request computes afresh


def test_a_recursive_request_computes_as_without_threads() -> None:
    once = Once()
    depth = []

    def compute() -> int:
        depth.append(1)
        return 5 if len(depth) > 1 else once.get("k", compute) + 1

    assert once.get("k", compute) == 6


def test_not_waiting_tells_busy_but_a_result_in_the_making_still_waits() -> None:
    once, started, release = Once(), threading.Event(), threading.Event()

    def held() -> int:
        started.set()
        release.wait(5)
        return 1

    t = threading.Thread(target=lambda: once.get("a", held))
    t.start()
    started.wait()
    with not_waiting():
        with pytest.raises(Busy):
            once.get("a", lambda: 2)                        # another thread computes it: told, not kept waiting
        assert once.get("b", lambda: 3) == 3                  # nobody computes it: computed here
        threading.Timer(0.2, release.set).start()
        assert once.get("c", lambda: once.get("a", lambda: 4) + 10) == 11   # c needs a: waits for it
    assert once.get("a", lambda: 5) == 1 and once.values == {"a": 1, "b": 3, "c": 11}
    t.join()


def test_per_object_values_are_computed_once_and_leave_with_their_object() -> None:
    import gc

    import numpy as np

    cache, calls = PerObject(), []
    owner = np.zeros(3)

    def compute(tag: str) -> str:
        calls.append(tag)
        return tag

    assert cache.get(owner, lambda: compute("x"), 0) == "x" and cache.get(owner, lambda: compute("y"), 0) == "x"
    assert cache.get(owner, lambda: compute("z"), 1) == "z" and calls == ["x", "z"]   # one value per extra key
    del owner
    gc.collect()
    assert not cache._values   # dropped with the array: a new object at the same address computes afresh
