"""Circular through-holes of a part's plate or base, and matching them against an expected pattern.

All lengths [mm] in the mesh frame; holes must run along a coordinate axis. The part's sections come from a
shared :class:`~sledcheck.geometry.sections.Sections`, and the holes found are kept there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import shapely
from scipy.optimize import linear_sum_assignment
from shapely.geometry import Polygon

from .heatsinks import PinFinGeometry, PlateFinGeometry, recognise_heatsink
from .sections import AXES, AxisName, Sections, axis_index, in_plane_axes, tolerance

__all__ = ["Hole", "HoleMatch", "compare_hole_patterns", "find_through_holes", "in_plane_axes"]


@dataclass(frozen=True)
class Hole:
    """A circular through-hole; ``center`` is in the mesh frame [mm], on the plate's mid-plane."""

    center: tuple[float, float, float]  #: [mm]
    diameter: float  #: smallest diameter through the plate [mm]
    axis: AxisName  #: the hole axis

    @property
    def position(self) -> tuple[float, float]:
        """Centre in the plane normal to the axis (see :func:`in_plane_axes`) [mm]."""
        u, v = in_plane_axes(self.axis)
        return (self.center[u], self.center[v])

    def moved(self, offset: Sequence[float] | np.ndarray) -> Hole:
        """The same hole translated by ``offset`` [mm]."""
        x, y, z = (float(c + d) for c, d in zip(self.center, offset, strict=True))
        return replace(self, center=(x, y, z))


@dataclass(frozen=True)
class HoleMatch:
    """One expected hole position paired with a found hole; either side is None when unmatched.

    ``offset`` is the in-plane distance found - expected [mm] and ``delta`` its components (None unless
    both sides are present); ``within_tolerance`` is False for every unmatched entry.
    """

    expected: tuple[float, float] | None  #: [mm]
    found: Hole | None
    offset: float | None  #: [mm]
    delta: tuple[float, float] | None  #: [mm]
    within_tolerance: bool



def _fit_circle(points: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Least-squares (Kasa) circle through 2-D points: centre [mm], radius [mm], relative radius spread."""
    mean = points.mean(axis=0)
    p = points - mean
    a = np.column_stack([2.0 * p, np.ones(len(p))])
    b = (p**2).sum(axis=1)
    (cx, cy, c), *_ = np.linalg.lstsq(a, b, rcond=None)
    r = math.sqrt(max(c + cx * cx + cy * cy, 0.0))
    dist = np.hypot(p[:, 0] - cx, p[:, 1] - cy)
    spread = float(np.ptp(dist) / r) if r > 0 else math.inf
    return np.array([cx, cy]) + mean, r, spread


def _circle(ring: shapely.LinearRing) -> tuple[np.ndarray, float] | None:
    """Centre [mm] and diameter [mm] of a ring that is a tessellated circle, else None.

    Collinear points (where a section crosses a facet diagonal) are dropped first: the remaining corners of
    a tessellated circle lie on the true circle. Tests: at least 8 corners, radius spread <= 3 %, no angular
    gap over 60 degrees between corners, and isoperimetric ratio 4 pi A / P^2 >= 0.9.
    """
    pts = np.asarray(ring.coords)[:-1, :2]
    if len(pts) < 8:
        return None
    e1 = pts - np.roll(pts, 1, axis=0)
    e2 = np.roll(pts, -1, axis=0) - pts
    cross = np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
    norm = np.hypot(*e1.T) * np.hypot(*e2.T)
    corners = pts[cross > 1e-6 * np.maximum(norm, 1e-300)]
    if len(corners) < 8:
        return None
    centre, r, spread = _fit_circle(corners)
    if spread > 0.03 or r <= 0:
        return None
    ang = np.sort(np.arctan2(corners[:, 1] - centre[1], corners[:, 0] - centre[0]))
    gaps = np.diff(np.concatenate([ang, [ang[0] + 2 * math.pi]]))
    if gaps.max() > math.pi / 3:
        return None
    poly = Polygon(ring)
    if 4 * math.pi * poly.area / ring.length**2 < 0.9:
        return None
    return centre, 2.0 * r


def _refine_circle(points: np.ndarray, centre: np.ndarray, diameter: float) -> tuple[np.ndarray, float] | None:
    """Re-fit a hole to the mesh vertices on its wall (they lie on the true circle, section points may not).

    ``points`` are in-plane vertex coordinates within the plate; those between 0.995 and 1.08 of the section
    radius are used. None if fewer than 6 such vertices or they do not lie on one circle (spread > 0.5 %).
    """
    r0 = 0.5 * diameter
    dist = np.hypot(points[:, 0] - centre[0], points[:, 1] - centre[1])
    wall = points[(dist >= 0.995 * r0) & (dist <= 1.08 * r0)]
    if len(wall) < 6:
        return None
    c, r, spread = _fit_circle(wall)
    if spread > 0.005 or np.hypot(*(c - centre)) > 0.1 * r0:
        return None
    return c, 2.0 * r


def _round_rings(polygons: Sequence[Polygon]) -> list[shapely.LinearRing]:
    """Interior rings whose isoperimetric ratio 4 pi A / P^2 is at least 0.9 (cheap, vectorised pre-test)."""
    rings = [ring for p in polygons for ring in p.interiors]
    if not rings:
        return []
    arr = np.asarray(rings, dtype=object)
    ratio = 4 * math.pi * shapely.area(shapely.polygons(arr)) / np.maximum(shapely.length(arr), 1e-300) ** 2
    return [r for r, ok in zip(rings, ratio >= 0.9, strict=True) if ok]


def _holes_in(polygons: Sequence[Polygon]) -> list[tuple[np.ndarray, float]]:
    return [c for ring in _round_rings(polygons) if (c := _circle(ring)) is not None]


def find_through_holes(sections: Sections, axis: str | None = None) -> tuple[Hole, ...]:
    """Circular through-holes of a part's plate or base along ``axis`` [mm] (once per ``sections`` and axis).

    ``axis`` defaults to the base normal if the mesh is a plate-fin heat sink, else the thinnest extent.

    The plate is the run of sections with at least 3/4 of the largest cross-section area (for a heat sink:
    the base, not the fins). Holes are the circular interiors of the section at its mid-thickness; a hole
    counts if its centre is open in every section of the plate, and its diameter is the smallest one met
    (counterbores and chamfers are larger). Centre and diameter are re-fitted to the mesh vertices on the
    hole wall where they lie on one circle, which removes the chord error of the section. Sorted by centre.
    """
    return sections.derived(f"holes:{axis}", lambda: _find(sections, axis), _moved)


def _moved(holes: tuple[Hole, ...], offset: np.ndarray) -> tuple[Hole, ...]:
    return _sorted(h.moved(offset) for h in holes)


def _sorted(holes: Iterable[Hole]) -> tuple[Hole, ...]:
    return tuple(sorted(holes, key=lambda h: tuple(round(c, 6) for c in h.center)))


def _find(sections: Sections, axis: str | None) -> tuple[Hole, ...]:
    if sections.empty:
        return ()
    mesh = sections.mesh
    if axis is not None:
        a = axis_index(axis)
    else:
        sink = recognise_heatsink(sections)
        a = (axis_index(sink.base_normal[1]) if isinstance(sink, PlateFinGeometry | PinFinGeometry)
             else int(np.argmin(mesh.extents)))
    samples = sections.samples(a)
    if not samples:
        return ()
    areas = np.array([sum(p.area for p in s.polygons) for s in samples])
    top = int(np.argmax(areas))
    first = last = top
    while first > 0 and areas[first - 1] >= 0.75 * areas[top]:
        first -= 1
    while last + 1 < len(samples) and areas[last + 1] >= 0.75 * areas[top]:
        last += 1
    slab = samples[first : last + 1]
    lo, hi = slab[0].lo, slab[-1].hi
    mid = 0.5 * (lo + hi)
    tol = tolerance(mesh)
    inside = [s for s in slab if s.lo + tol < mid < s.hi - tol]
    plane = inside[0].polygons if inside else sections.at(a, mid)
    if not inside and not plane:
        plane, mid = samples[top].polygons, samples[top].height

    u, v = in_plane_axes(a)
    h = mesh.vertices[:, a]
    wall_points = mesh.vertices[(h >= lo - tol) & (h <= hi + tol)][:, [u, v]]
    circles = _holes_in(plane)
    if not circles:
        return ()
    centres = np.array([c for c, _ in circles])
    best_d = np.array([d for _, d in circles])
    best_c = centres.copy()
    through = np.ones(len(circles), dtype=bool)
    for s in slab:
        # the narrowest circular opening around each centre, and whether material covers a centre
        rings = _round_rings(s.polygons)
        if rings:
            tree = shapely.STRtree(shapely.polygons(np.asarray(rings, dtype=object)))
            for k, r in zip(*tree.query(shapely.points(centres), predicate="within"), strict=True):
                fit = _circle(rings[r])
                if fit is not None and np.hypot(*(fit[0] - centres[k])) < 0.25 * best_d[k] and fit[1] < best_d[k]:
                    best_c[k], best_d[k] = fit
        if s.polygons:
            material = shapely.multipolygons(np.asarray(s.polygons, dtype=object))
            through &= ~shapely.intersects_xy(material, centres[:, 0], centres[:, 1])

    holes: list[Hole] = []
    for k in np.flatnonzero(through):
        best_centre, diameter = best_c[k], float(best_d[k])
        refined = _refine_circle(wall_points, best_centre, diameter)
        if refined is not None:
            best_centre, diameter = refined
        xyz = [0.0, 0.0, 0.0]
        xyz[a], xyz[u], xyz[v] = mid, float(best_centre[0]), float(best_centre[1])
        holes.append(Hole(center=(xyz[0], xyz[1], xyz[2]), diameter=float(diameter), axis=AXES[a]))
    return _sorted(holes)


def compare_hole_patterns(
    found: Sequence[Hole],
    expected: Sequence[tuple[float, float]],
    tolerance: float,
    max_offset: float | None = None,
) -> list[HoleMatch]:
    """Pair expected hole positions with found holes (minimum total distance) and report offsets [mm].

    ``expected`` holds in-plane positions (see :func:`in_plane_axes`) in the mesh frame [mm]; all ``found``
    holes must share one axis. Pairs further apart than ``max_offset`` [mm] (if given) are left unmatched.
    Returns one entry per expected position (in the given order, ``found`` None when unmatched) followed by
    the unmatched found holes in their given order.
    """
    if tolerance < 0:
        raise ValueError("tolerance must be >= 0")
    axes = {h.axis for h in found}
    if len(axes) > 1:
        raise ValueError(f"found holes have different axes: {sorted(axes)}")
    exp = np.asarray(expected, dtype=float).reshape(-1, 2)
    pos = np.array([h.position for h in found], dtype=float).reshape(-1, 2)
    pair: dict[int, int] = {}
    if len(exp) and len(pos):
        cost = np.hypot(exp[:, None, 0] - pos[None, :, 0], exp[:, None, 1] - pos[None, :, 1])
        rows, cols = linear_sum_assignment(cost)
        pair = {
            int(r): int(c) for r, c in zip(rows, cols, strict=True) if max_offset is None or cost[r, c] <= max_offset
        }
    out: list[HoleMatch] = []
    for i, e in enumerate(exp):
        e_t = (float(e[0]), float(e[1]))
        if i in pair:
            f = found[pair[i]]
            dx, dy = pos[pair[i]] - e
            off = float(math.hypot(dx, dy))
            out.append(HoleMatch(e_t, f, off, (float(dx), float(dy)), off <= tolerance))
        else:
            out.append(HoleMatch(e_t, None, None, None, False))
    used = set(pair.values())
    out.extend(HoleMatch(None, f, None, None, False) for k, f in enumerate(found) if k not in used)
    return out
