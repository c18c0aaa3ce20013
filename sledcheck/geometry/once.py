"""Results computed once, also when two threads ask for one at the same time.

The pipeline computes the heavy geometric analyses (heat-sink recognition, holes, the thermal model) on a
second core while the fit rules run; a rule that needs one of them then waits for it instead of computing it
again. :class:`Once` is that rendezvous: the first caller of a key computes it, later callers wait for its
value (or its exception); a thread that asks again for the key it is computing (a recursion) computes it
itself, as it would without threads. Under :func:`not_waiting` a caller is told (:class:`Busy`) instead of
waiting, so it can compute something else first (a rule that needs several results computes those no other
thread has started, then waits for the rest).
"""

from __future__ import annotations

import contextvars
import threading
import weakref
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["Busy", "Once", "PerObject", "not_waiting"]

T = TypeVar("T")


class Busy(Exception):  # noqa: N818  (a state, not an error: the caller goes on with something else)
    """Another thread is computing the result asked for (raised only under :func:`not_waiting`)."""


_NOT_WAITING = contextvars.ContextVar("sledcheck_not_waiting", default=False)


@contextmanager
def not_waiting() -> Iterator[None]:
    """Within this block, :meth:`Once.get` of a result another thread is computing raises :class:`Busy`
    (results computed on the way, for the block's own results, wait as usual)."""
    token = _NOT_WAITING.set(True)
    try:
        yield
    finally:
        _NOT_WAITING.reset(token)


class _Pending:
    def __init__(self) -> None:
        self.owner = threading.get_ident()
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class Once:
    """Compute-once access to ``values`` (a plain dict that holds only finished results, so readers of the
    dict never see a result in progress)."""

    def __init__(self, values: MutableMapping[Any, Any] | None = None) -> None:
        self.values: MutableMapping[Any, Any] = {} if values is None else values
        self._pending: dict[Any, _Pending] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        """``values[key]``, computing it with ``compute()`` if no one has (or waiting for the one who is)."""
        with self._lock:
            if key in self.values:
                return self.values[key]
            pending = self._pending.get(key)
            mine = pending is None
            if pending is None:
                pending = self._pending[key] = _Pending()
        if not mine:
            if pending.owner == threading.get_ident():   # asked again while computing it: as without threads
                return compute()
            if _NOT_WAITING.get():
                raise Busy(key)
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.value
        token = _NOT_WAITING.set(False)   # what this result needs on the way is waited for
        try:
            value = compute()
        except BaseException as err:
            with self._lock:
                del self._pending[key]
            pending.error = err
            pending.done.set()
            raise
        finally:
            _NOT_WAITING.reset(token)
        with self._lock:
            self.values[key] = value
            del self._pending[key]
        pending.value = value
        pending.done.set()
        return value


class PerObject:
    """Values computed once per live object (a mesh, an array), by identity, and dropped when it is collected:
    what is derived from a part's geometry (a BVH, block boxes, its flat faces) is kept beside it, never past it.
    Two threads asking at once may both compute; the values are the same."""

    def __init__(self) -> None:
        self._values: dict[tuple[Any, ...], Any] = {}

    def get(self, owner: object, compute: Callable[[], T], *extra: Any) -> T:
        """The value for ``owner`` (and ``extra``, hashable), computing it with ``compute()`` the first time."""
        key = (id(owner), *extra)
        if key in self._values:
            return self._values[key]
        value = self._values[key] = compute()
        weakref.finalize(owner, self._values.pop, key, None)
        return value
