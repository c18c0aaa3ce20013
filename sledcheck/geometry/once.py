"""Results computed once, also when two threads ask for one at the same time.

The pipeline computes the heavy geometric analyses (heat-sink recognition, holes, the thermal model) on a
second core while the fit rules run; a rule that needs one of them then waits for it instead of computing it
again. :class:`Once` is that rendezvous: the first caller of a key computes it, later callers wait for its
value (or its exception); a thread that asks again for the key it is computing (a recursion) computes it
itself, as it would without threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping
from typing import Any, TypeVar

__all__ = ["Once"]

T = TypeVar("T")


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
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.value
        try:
            value = compute()
        except BaseException as err:
            with self._lock:
                del self._pending[key]
            pending.error = err
            pending.done.set()
            raise
        with self._lock:
            self.values[key] = value
            del self._pending[key]
        pending.value = value
        pending.done.set()
        return value
