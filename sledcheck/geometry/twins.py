"""Results shared between meshes of identical geometry up to a translation (e.g. two heat sinks from one file).

Two meshes are twins when their face arrays are equal and their vertices, taken relative to each mesh's
minimum corner, agree to :data:`ATOL`. A result computed on one is handed to the other moved by the offset
between their minimum corners; it then differs from a fresh computation only by floating-point rounding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import trimesh

__all__ = ["ATOL", "Twins"]

T = TypeVar("T")

#: Vertices of twins agree to this, relative to their minimum corners [mm].
ATOL = 1e-9
#: Grid of the coarse hash that finds candidate twins [mm] (far above the rounding of a translation).
_GRID = 1e-3


@dataclass
class _Group:
    relative: np.ndarray  #: vertices minus the minimum corner [mm]
    faces: np.ndarray
    results: dict[str, tuple[np.ndarray, object]] = field(default_factory=dict)  #: name -> (origin [mm], result)


class Twins:
    """A registry of geometries (one per assembly) and the results computed on them."""

    def __init__(self) -> None:
        self._groups: dict[bytes, list[_Group]] = {}

    def derived(self, mesh: trimesh.Trimesh, name: str, compute: Callable[[], T],
                move: Callable[[T, np.ndarray], T]) -> T:
        """``compute()`` on ``mesh``, or a twin's result moved by ``move(result, offset [mm])``."""
        origin = np.asarray(mesh.bounds[0], dtype=float) if len(mesh.vertices) else np.zeros(3)
        group = self._group(mesh, origin)
        if name not in group.results:
            group.results[name] = (origin, compute())
        their_origin, result = group.results[name]
        offset = origin - their_origin
        shared: T = result  # type: ignore[assignment]   # stored by this same name, so of this type
        return shared if not offset.any() else move(shared, offset)

    def _group(self, mesh: trimesh.Trimesh, origin: np.ndarray) -> _Group:
        relative = np.asarray(mesh.vertices, dtype=float) - origin
        faces = np.asarray(mesh.faces, dtype=np.int64)
        digest = hashlib.blake2b(digest_size=16)
        digest.update(np.asarray(relative.shape + faces.shape, dtype=np.int64).tobytes())
        digest.update(np.round(relative / _GRID).astype(np.int64).tobytes())
        digest.update(faces.tobytes())
        groups = self._groups.setdefault(digest.digest(), [])
        for group in groups:
            if np.array_equal(group.faces, faces) and np.allclose(group.relative, relative, rtol=0.0, atol=ATOL):
                return group
        groups.append(_Group(relative, faces))
        return groups[-1]
