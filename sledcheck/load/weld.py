"""Weld duplicate vertices: CAD exports write each triangle's corners separately (STL) or split vertices
per face (STEP, GLB), so closed volumes only show once coincident vertices are merged."""

from __future__ import annotations

import numpy as np

from .sorting import sorted_with_order

#: Vertices that round to the same multiple of this, in the file's own units, are one vertex (trimesh's default
#: merge tolerance: some real exports hold distinct vertices 1e-7 apart, which a coarser weld would collapse).
QUANTUM = 1e-8
#: A mesh's metadata key saying it was welded as read (at :data:`QUANTUM`): :func:`weld` would give it back.
WELDED = "sledcheck:welded"
_PRIMES = np.array([-7046029254386353131, -4658895280553007687, 6364136223846793005], dtype=np.int64)
#: vertices snapped and hashed per slice of this many, so the integer copies of a large mesh never all exist
_CHUNK = 1 << 20


def weld(vertices: np.ndarray, faces: np.ndarray, quantum: float = QUANTUM) -> tuple[np.ndarray, np.ndarray]:
    """Merge vertices that coincide to ``quantum``; returns the unique vertices (float64) and re-indexed faces.

    Vertices are snapped to integer multiples of ``quantum`` and grouped by a 64-bit hash of the three integers
    (one 1-D sort, several times faster than row-wise unique); a hash collision, which would merge distinct
    vertices, is detected and falls back to an exact lexicographic sort. Each group keeps its lowest-numbered
    vertex and groups are numbered in the order they first occur, so the answer depends on neither the sort's
    handling of ties nor where the mesh lies: two copies of one triangle soup at different places get equal
    faces (:mod:`sledcheck.geometry.twins` relies on it). Welding a welded mesh gives it back unchanged (all
    its vertices are distinct). ``vertices`` may be float32 (a binary STL's corners): they are snapped in
    float64, as if converted first.
    """
    welded, inverse = _weld(vertices, quantum)
    if inverse is None:
        return welded, np.asarray(faces, dtype=np.int64)
    return welded, inverse[np.asarray(faces, dtype=np.int64)]


def weld_corners(corners: np.ndarray, quantum: float = QUANTUM) -> tuple[np.ndarray, np.ndarray]:
    """:func:`weld` of a triangle soup: ``corners`` (3 F, 3), three per triangle in order (a binary STL)."""
    welded, inverse = _weld(corners, quantum)
    if inverse is None:
        return welded, np.arange(len(corners), dtype=np.int64).reshape(-1, 3)
    return welded, inverse.reshape(-1, 3)


def _weld(vertices: np.ndarray, quantum: float) -> tuple[np.ndarray, np.ndarray | None]:
    """The welded vertices (float64) and each input vertex's new index (None: the input is already welded)."""
    v = np.asarray(vertices)
    if v.dtype not in (np.float32, np.float64):
        v = v.astype(np.float64)
    if len(v) == 0:
        return v.astype(np.float64).reshape(0, 3), None
    hashed = np.empty(len(v), dtype=np.int64)
    for start in range(0, len(v), _CHUNK):
        key = _snapped(v[start:start + _CHUNK], quantum) * _PRIMES
        hashed[start:start + _CHUNK] = key[:, 0] ^ key[:, 1] ^ key[:, 2]
    del key
    if len(v) == 1:
        return np.asarray(v, dtype=np.float64), None
    inverse = np.empty(len(v), dtype=np.int64)
    first = _groups(hashed, inverse, pack=True)
    collision = _merges_distinct(v, quantum, first, inverse)
    if collision:   # the packed hash's shorter key met a collision: the whole 64-bit hash
        first = _groups(hashed, inverse, pack=False)
        collision = _merges_distinct(v, quantum, first, inverse)
    del hashed
    if collision:   # two distinct vertices share a hash: do it exactly
        q = _snapped(v, quantum)
        order = np.lexsort((q[:, 2], q[:, 1], q[:, 0]))
        rows = q[order]
        new = np.empty(len(order), dtype=bool)
        new[0] = True
        new[1:] = np.any(rows[1:] != rows[:-1], axis=1)
        inverse[order] = np.cumsum(new) - 1
        first = order[new]
    if len(first) == len(v):   # nothing merged: the input, unchanged
        return np.asarray(v, dtype=np.float64), None
    is_first = np.zeros(len(v), dtype=bool)   # groups renumbered in the order they first occur: a group's
    is_first[first] = True                     # number is how many groups' first vertices come before its own
    renumber = (np.cumsum(is_first) - 1)[first]
    for s in range(0, len(v), _CHUNK):         # in place, a slice at a time
        inverse[s:s + _CHUNK] = renumber[inverse[s:s + _CHUNK]]
    return v[np.flatnonzero(is_first)].astype(np.float64), inverse


def _groups(hashed: np.ndarray, inverse: np.ndarray, pack: bool) -> np.ndarray:
    """Group equal hashes: fills ``inverse`` with each vertex's group and returns each group's lowest vertex.

    ``pack``: the hash's top 63 - b bits (b the bits of a vertex number) are sorted with the vertex numbers
    packed below them (:func:`~sledcheck.load.sorting.sorted_with_order`, a sort of values); the shorter key
    collides more often (:func:`_weld` then asks again without packing). Otherwise the 64-bit hashes are
    argsorted."""
    n = len(hashed)
    bits = max((n - 1).bit_length(), 1)
    if pack and bits <= PACK_MAX_BITS:
        keys = (hashed.view(np.uint64) >> np.uint64(bits + 1)).view(np.int64)   # non-negative, below 2^(63 - b)
        order, keys = sorted_with_order(keys, 1 << (63 - bits))
    else:
        order = np.argsort(hashed)                 # unstable (quicksort) and ~3x faster than a stable sort
        keys = hashed[order]
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    del keys
    inverse[order] = np.cumsum(new) - 1
    return np.minimum.reduceat(order, np.flatnonzero(new))   # the lowest index of each group


#: the most bits vertex numbers may take from the hash when packed (the hash keeps at least 64 - this)
PACK_MAX_BITS = 26


def _merges_distinct(v: np.ndarray, quantum: float, first: np.ndarray, inverse: np.ndarray) -> bool:
    """Would the grouping merge vertices that do not snap alike (a hash collision)? Each vertex is compared with
    its group's first: most are the same coordinates written again, and only the others are snapped."""
    kept = v[first]
    for s in range(0, len(v), _CHUNK):
        mine, theirs = v[s:s + _CHUNK], kept[inverse[s:s + _CHUNK]]
        differ = np.flatnonzero((mine != theirs).any(axis=1))
        if len(differ) and not np.array_equal(_snapped(mine[differ], quantum), _snapped(theirs[differ], quantum)):
            return True
    return False


def _snapped(v: np.ndarray, quantum: float) -> np.ndarray:
    """Coordinates as integer multiples of ``quantum`` (computed in float64)."""
    return np.round(np.asarray(v, dtype=np.float64) / quantum).astype(np.int64)
