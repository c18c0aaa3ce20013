"""The planar cross-sections of one mesh along the x, y and z axes, cut once and kept.

Sections are only taken between two distinct vertex heights along the section axis, never through a vertex
plane, so a prismatic CAD part is cut where its cross-section is constant and dimensions read off it are
exact up to floating-point error. Curved faces are recovered up to the tessellation (chord) error.

A :class:`Sections` object is made once per part and shared by everything that reads the part's features
(heat-sink and hole recognition); it also keeps their results (:meth:`Sections.derived`), and hands them to
a part of identical geometry up to a translation when both are registered in the same :class:`Twins`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import trimesh
from shapely.geometry import Polygon

from . import planar
from .twins import Twins

__all__ = ["AXES", "AxisName", "Sample", "Sections", "axis_index", "in_plane_axes", "levels", "tolerance"]

AxisName = Literal["x", "y", "z"]
AXES: tuple[AxisName, AxisName, AxisName] = ("x", "y", "z")
T = TypeVar("T")

#: At most this many cross-sections are taken along one axis (the longest gaps between vertex heights).
MAX_SECTIONS = 32


def axis_index(axis: str | int) -> int:
    """0, 1 or 2 for ``"x"``, ``"y"``, ``"z"`` (or an index); ValueError otherwise."""
    if isinstance(axis, (int, np.integer)) and 0 <= int(axis) < 3:
        return int(axis)
    if isinstance(axis, str) and axis.lower() in AXES:
        return "xyz".index(axis.lower())
    raise ValueError(f"axis must be 'x', 'y' or 'z', not {axis!r}")


def in_plane_axes(axis: str | int) -> tuple[int, int]:
    """Indices of the two in-plane axes for a section normal to ``axis`` (xyz order).

    Normal x -> (y, z), normal y -> (x, z), normal z -> (x, y).
    """
    return planar.in_plane_axes(axis_index(axis))


def tolerance(mesh: trimesh.Trimesh) -> float:
    """Length below which two vertex heights are the same level [mm]."""
    return max(1e-9, 1e-7 * float(np.max(mesh.extents)))


def levels(values: np.ndarray, tol: float) -> np.ndarray:
    """Distinct sorted values, merging runs closer than ``tol`` [mm]."""
    s = np.sort(np.asarray(values, dtype=float))
    if s.size == 0:
        return s
    return s[np.concatenate(([True], np.diff(s) > tol))]


@dataclass(frozen=True)
class Sample:
    """One cross-section between two neighbouring vertex levels."""

    height: float  #: section height [mm]
    lo: float  #: the vertex level just below [mm]
    hi: float  #: the vertex level just above [mm]
    polygons: tuple[Polygon, ...]  #: in in-plane coordinates [mm]


def sample_heights(mesh: trimesh.Trimesh, axis: int, max_sections: int) -> list[tuple[float, float, float]]:
    """(height, level below, level above) at the middles of the longest gaps between vertex heights [mm]."""
    tol = tolerance(mesh)
    lv = levels(mesh.vertices[:, axis], tol)
    if lv.size < 2:
        return []
    lo, hi = lv[:-1], lv[1:]
    gaps = hi - lo
    keep = np.flatnonzero(gaps > 1e3 * tol)
    if keep.size > max_sections:
        keep = keep[np.argsort(-gaps[keep], kind="stable")[:max_sections]]
    keep = np.sort(keep)
    return [(float(h), float(lo[i]), float(hi[i])) for i, h in zip(keep, 0.5 * (lo[keep] + hi[keep]), strict=True)]


class Sections:
    """Cross-sections of one mesh [mm], cut on demand and kept by (axis, height), and the results derived
    from them. ``twins`` (optional) shares derived results between meshes of identical geometry.

    The mesh must not change afterwards (make a new ``Sections`` for a moved or edited mesh).
    """

    def __init__(self, mesh: trimesh.Trimesh, twins: Twins | None = None, boxes: np.ndarray | None = None) -> None:
        self.mesh = mesh
        self._boxes = boxes   # per-triangle boxes (F, 2, 3) [mm] when the caller has them (a part's)
        self._polygons: dict[tuple[int, float], tuple[Polygon, ...]] = {}
        self._spans: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._derived: dict[str, object] = {}
        self._twins = twins

    @property
    def empty(self) -> bool:
        """True for a mesh without faces."""
        return len(self.mesh.faces) == 0

    def at(self, axis: int, height: float) -> tuple[Polygon, ...]:
        """The section at ``height`` [mm] along axis index ``axis``, in in-plane coordinates [mm]."""
        key = (axis, height)
        if key not in self._polygons:
            if axis not in self._spans:   # each face's extent along the axis, once: a section reads only the
                if self._boxes is not None:   # faces that cross its plane
                    self._spans[axis] = (self._boxes[:, 0, axis], self._boxes[:, 1, axis])
                else:
                    along = self.mesh.vertices[:, axis][self.mesh.faces]
                    self._spans[axis] = (along.min(axis=1), along.max(axis=1))
            self._polygons[key] = planar.section_polygons(self.mesh, axis, height, self._spans[axis])
        return self._polygons[key]

    def samples(self, axis: int, max_sections: int = MAX_SECTIONS) -> list[Sample]:
        """Sections at the middles of the longest gaps between distinct vertex heights, sorted by height."""
        return [Sample(h, lo, hi, self.at(axis, h)) for h, lo, hi in sample_heights(self.mesh, axis, max_sections)]

    def derived(self, name: str, compute: Callable[[], T], move: Callable[[T, np.ndarray], T]) -> T:
        """The result ``name`` computed from these sections, once; from a twin's result moved by
        ``move(result, offset [mm])`` when a mesh of the same geometry has computed it already."""
        if name not in self._derived:
            if self._twins is None:
                self._derived[name] = compute()
            else:
                self._derived[name] = self._twins.derived(self.mesh, name, compute, move)
        return self._derived[name]  # type: ignore[return-value]
