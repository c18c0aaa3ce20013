"""Weld duplicate vertices: CAD exports write each triangle's corners separately (STL) or split vertices
per face (STEP, GLB), so closed volumes only show once coincident vertices are merged."""

from __future__ import annotations

import numpy as np

#: Vertices that round to the same multiple of this, in the file's own units, are one vertex (trimesh's default
#: merge tolerance: some real exports hold distinct vertices 1e-7 apart, which a coarser weld would collapse).
QUANTUM = 1e-8
_PRIMES = np.array([-7046029254386353131, -4658895280553007687, 6364136223846793005], dtype=np.int64)


def weld(vertices: np.ndarray, faces: np.ndarray, quantum: float = QUANTUM) -> tuple[np.ndarray, np.ndarray]:
    """Merge vertices that coincide to ``quantum``; returns the unique vertices and re-indexed faces.

    Vertices are snapped to integer multiples of ``quantum`` and grouped by a 64-bit hash of the three integers
    (one 1-D sort, several times faster than row-wise unique); a hash collision, which would merge distinct
    vertices, is detected and falls back to an exact lexicographic sort. Each group keeps its lowest-numbered
    vertex and groups are numbered in hash order, so the answer does not depend on the sort's handling of ties.
    """
    v = np.asarray(vertices, dtype=np.float64)
    f = np.asarray(faces, dtype=np.int64)
    if len(v) == 0:
        return v.reshape(0, 3), f.reshape(0, 3)
    q = np.round(v / quantum).astype(np.int64)
    key = q * _PRIMES
    hashed = key[:, 0] ^ key[:, 1] ^ key[:, 2]
    del key
    order = np.argsort(hashed)                     # unstable (quicksort) and ~3x faster than a stable sort
    sorted_hash = hashed[order]
    new = np.empty(len(order), dtype=bool)
    new[0] = True
    np.not_equal(sorted_hash[1:], sorted_hash[:-1], out=new[1:])
    inverse = np.empty(len(v), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    first = np.minimum.reduceat(order, np.flatnonzero(new))   # the lowest index of each group
    if not np.array_equal(q[first][inverse], q):   # a collision: do it exactly
        order = np.lexsort((q[:, 2], q[:, 1], q[:, 0]))
        rows = q[order]
        new = np.empty(len(order), dtype=bool)
        new[0] = True
        new[1:] = np.any(rows[1:] != rows[:-1], axis=1)
        inverse[order] = np.cumsum(new) - 1
        first = order[new]
    return v[first], inverse[f]
