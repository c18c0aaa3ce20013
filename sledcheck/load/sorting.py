"""Sorting millions of integer keys with the order that sorts them, at the speed of a sort of values."""

from __future__ import annotations

import numpy as np

__all__ = ["sorted_with_order"]


def sorted_with_order(keys: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``keys`` (non-negative, below ``bound``; overwritten) sorted, and the order that sorts them.

    When a key and an index fit in 63 bits together, the index is packed below the key and the packed values are
    sorted in place (numpy's vectorised sort, several times faster than an argsort; ties in index order); else an
    argsort. Only the order of a non-manifold edge's uses (three or more) may differ between the two, and with
    it whether they count as wound alike."""
    n = len(keys)
    bits = max((n - 1).bit_length(), 1)
    if (bound - 1).bit_length() + bits <= 63:
        keys <<= bits
        keys |= np.arange(n, dtype=keys.dtype)
        keys.sort()
        order = keys & ((1 << bits) - 1)
        keys >>= bits
        return order, keys
    order = np.argsort(keys)
    return order, keys[order]
