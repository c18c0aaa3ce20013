"""Results shared between meshes of identical geometry up to a translation (e.g. two heat sinks from one file).

Two meshes are twins when their face arrays are equal and their vertices, taken relative to each mesh's
minimum corner, agree to the rounding of the coordinates they were stored with: :data:`ATOL`, or
:data:`REL_TOL` times the largest coordinate (copies of one heat sink exported at their own places in a
binary STL are rounded to float32 there, a few 1e-5 mm at 300 mm from the origin, so an exact test would
never match them). A result computed on one is handed to the other moved by the offset between their minimum
corners; it then differs from a fresh computation only by that rounding.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from .once import Once, PerObject

if TYPE_CHECKING:
    import trimesh

__all__ = ["ATOL", "REL_TOL", "Twins", "geometry_key", "same_shape"]

T = TypeVar("T")

#: Vertices of twins agree to this, relative to their minimum corners [mm] ...
ATOL = 1e-9
#: ... or to this fraction of their largest coordinate: four float32 rounding steps (2^-24 each), the most two
#: copies stored in single precision at different places can differ by.
REL_TOL = 2.0 ** -22


def geometry_key(vertices: np.ndarray, faces: np.ndarray, *extra: int) -> bytes:
    """A hash of a mesh's sizes and faces (and ``extra`` flags): meshes that can be twins hash alike, whatever
    their placement (the faces of one file's copies are equal; their vertices are compared by
    :func:`same_shape`)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(np.asarray([*np.shape(vertices), *np.shape(faces), *extra], dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(faces, dtype=np.int64).tobytes())
    return digest.digest()


def same_shape(relative: np.ndarray, other: np.ndarray, scale_mm: float, atol: float = ATOL) -> bool:
    """Do two vertex arrays, each relative to its own minimum corner [mm], agree to ``atol`` [mm] or to
    :data:`REL_TOL` x ``scale_mm`` (the largest coordinate magnitude of the two meshes where they lie)?"""
    return relative.shape == other.shape and bool(
        np.allclose(relative, other, rtol=0.0, atol=max(atol, REL_TOL * scale_mm)))


@dataclass
class _Group:
    relative: np.ndarray  #: vertices minus the minimum corner [mm]
    faces: np.ndarray
    scale_mm: float       #: the largest coordinate magnitude where the mesh lies [mm]


class Twins:
    """A registry of geometries (one per assembly) and the results computed on them."""

    def __init__(self) -> None:
        self._groups: dict[bytes, list[_Group]] = {}
        self._of = PerObject()   # per mesh: its minimum corner and group
        self._lock = threading.Lock()
        self._results = Once()   # (group, name) -> (origin [mm], result): once, whichever thread asks first

    def derived(self, mesh: trimesh.Trimesh, name: str, compute: Callable[[], T],
                move: Callable[[T, np.ndarray], T]) -> T:
        """``compute()`` on ``mesh``, or a twin's result moved by ``move(result, offset [mm])``."""
        with self._lock:
            origin, group = self._grouped(mesh)
        their_origin, result = self._results.get((id(group), name), lambda: (origin, compute()))
        offset = origin - their_origin
        shared: T = result   # stored by this same name, so of this type
        return shared if not offset.any() else move(shared, offset)

    def _grouped(self, mesh: trimesh.Trimesh) -> tuple[np.ndarray, _Group]:
        """The mesh's minimum corner [mm] and its group, found once per mesh (every result asks)."""
        def find() -> tuple[np.ndarray, _Group]:
            vertices = np.asarray(mesh.vertices, dtype=float)
            origin = vertices.min(axis=0) if len(vertices) else np.zeros(3)
            return origin, self._group(vertices, np.asarray(mesh.faces, dtype=np.int64), origin)

        return self._of.get(mesh, find)

    def _group(self, vertices: np.ndarray, faces: np.ndarray, origin: np.ndarray) -> _Group:
        relative = vertices - origin
        scale_mm = float(max(np.abs(origin).max(), np.abs(vertices.max(axis=0)).max())) if len(vertices) else 0.0
        groups = self._groups.setdefault(geometry_key(relative, faces), [])
        for group in groups:
            if np.array_equal(group.faces, faces) and same_shape(group.relative, relative,
                                                                 max(group.scale_mm, scale_mm)):
                return group
        groups.append(_Group(relative, faces, scale_mm))
        return groups[-1]
