"""Feature recognition on part meshes: straight plate-fin heat sinks and circular through-holes.

All lengths are plain floats in millimetres; callers convert meshes to mm before calling (a STEP file loaded
through trimesh + cascadio is in metres). Features are read from planar cross-sections perpendicular to the
x, y or z axis, so the part must be axis-aligned (fins parallel to a coordinate plane, holes along an axis).

Sections are only taken between two distinct vertex heights along the section axis, never through a vertex
plane, so a prismatic CAD part is cut where its cross-section is constant and the recovered dimensions are
exact up to floating-point error. Curved faces are recovered up to the tessellation (chord) error.

In-plane (2-D) coordinates of a section normal to an axis are the two remaining axes in xyz order:
normal x -> (y, z), normal y -> (x, z), normal z -> (x, y).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
import trimesh
from scipy.optimize import linear_sum_assignment
from shapely.geometry import Polygon

__all__ = [
    "Hole",
    "HoleMatch",
    "NotRecognised",
    "PlateFinGeometry",
    "compare_hole_patterns",
    "find_through_holes",
    "in_plane_axes",
    "recognise_plate_fin",
]

AxisName = Literal["x", "y", "z"]
_AXES: tuple[AxisName, AxisName, AxisName] = ("x", "y", "z")

#: At most this many cross-sections are taken along one axis (the longest gaps between vertex heights).
_MAX_SECTIONS = 32
#: Sections of the first, quick look along an axis; the full set is only cut if these show fins or pins.
_QUICK_SECTIONS = 6
#: A fin is a cross-section strip at least this many times longer than it is thick.
_FIN_ELONGATION = 4.0
#: A fin strip fills at least this fraction of its bounding rectangle (rounded or chamfered ends allowed).
_FIN_FILL = 0.5
#: Fewer parallel strips than this is not a heat sink.
_MIN_FINS = 3
#: A section with at least this many separate pieces that do not form single-piece rows is pin-like.
_MIN_PINS = 6


# --------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class PlateFinGeometry:
    """A straight plate-fin heat sink recognised on a mesh (all lengths [mm]).

    ``fin_thickness`` and ``fin_gap`` are medians over the fins / channels, read at the cross-section nearest
    to mid fin height; ``*_min`` / ``*_max`` show the spread (edge fins are often thicker). ``length`` and
    ``width`` are the base footprint along / across the flow; ``fin_length`` and ``fin_array_width`` are the
    extent of the fins themselves, which may be smaller than the base.
    """

    fin_count: int
    fin_thickness: float  #: median fin thickness [mm]
    fin_thickness_min: float  #: [mm]
    fin_thickness_max: float  #: [mm]
    fin_gap: float  #: median clear gap between neighbouring fins [mm]
    fin_gap_min: float  #: [mm]
    fin_gap_max: float  #: [mm]
    fin_height: float  #: from the channel floor (base top) to the fin tips [mm]
    base_thickness: float  #: from the base's outer face to the channel floor [mm]
    length: float  #: base footprint along the flow [mm]
    width: float  #: base footprint across the flow [mm]
    fin_length: float  #: longest fin along the flow [mm]
    fin_array_width: float  #: outer face of the first fin to outer face of the last [mm]
    flow_axis: AxisName  #: the axis the fins (and the air) run along
    base_normal: str  #: direction the fins point from the base, e.g. "+z" [-]
    fin_centres: tuple[float, ...]  #: fin mid-planes, coordinate across the flow [mm]
    base_bounds: tuple[tuple[float, float, float], tuple[float, float, float]]  #: base slab (min, max) [mm]

    @property
    def fin_pitch(self) -> float:
        """Mean centre-to-centre fin spacing [mm]."""
        if self.fin_count < 2:
            return 0.0
        return (self.fin_centres[-1] - self.fin_centres[0]) / (self.fin_count - 1)


@dataclass(frozen=True)
class NotRecognised:
    """The mesh is not a straight plate-fin heat sink; ``reason`` says why (for reports)."""

    reason: str

    def __bool__(self) -> bool:
        return False


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


# --------------------------------------------------------------------------------------------------------
# Sections


def in_plane_axes(axis: str | int) -> tuple[int, int]:
    """Indices of the two in-plane axes for a section normal to ``axis`` (xyz order)."""
    a = _axis_index(axis)
    u, v = (i for i in range(3) if i != a)
    return u, v


def _axis_index(axis: str | int) -> int:
    if isinstance(axis, (int, np.integer)) and 0 <= int(axis) < 3:
        return int(axis)
    if isinstance(axis, str) and axis.lower() in _AXES:
        return _AXES.index(axis.lower())  # type: ignore[arg-type]
    raise ValueError(f"axis must be 'x', 'y' or 'z', not {axis!r}")


def _tolerance(mesh: trimesh.Trimesh) -> float:
    """Length below which two vertex heights are the same level [mm]."""
    return max(1e-9, 1e-7 * float(np.max(mesh.extents)))


def _levels(values: np.ndarray, tol: float) -> np.ndarray:
    """Distinct sorted values, merging runs closer than ``tol``."""
    s = np.sort(np.asarray(values, dtype=float))
    if s.size == 0:
        return s
    return s[np.concatenate(([True], np.diff(s) > tol))]


@dataclass(frozen=True)
class _Sample:
    height: float  #: section height [mm]
    lo: float  #: the vertex level just below [mm]
    hi: float  #: the vertex level just above [mm]
    polygons: tuple[Polygon, ...]


def _section(mesh: trimesh.Trimesh, axis: int, height: float) -> tuple[Polygon, ...]:
    """Cross-section polygons at ``height`` along ``axis``, in in-plane coordinates [mm]."""
    origin = np.zeros(3)
    origin[axis] = height
    normal = np.zeros(3)
    normal[axis] = 1.0
    path = mesh.section(plane_origin=origin, plane_normal=normal)
    if path is None or len(path.entities) == 0:
        return ()
    u, v = in_plane_axes(axis)
    planar = trimesh.path.Path2D(entities=path.entities, vertices=path.vertices[:, [u, v]])
    return tuple(p for p in planar.polygons_full if p is not None and p.area > 0)


class _Sections:
    """Cross-sections of one mesh, computed on demand and kept (sectioning dominates the run time)."""

    def __init__(self, mesh: trimesh.Trimesh) -> None:
        self.mesh = mesh
        self._cache: dict[tuple[int, float], tuple[Polygon, ...]] = {}

    def samples(self, axis: int, max_sections: int = _MAX_SECTIONS) -> list[_Sample]:
        """Sections at the middles of the longest gaps between distinct vertex heights, sorted by height."""
        out = []
        for height, lo, hi in _sample_heights(self.mesh, axis, max_sections):
            key = (axis, height)
            if key not in self._cache:
                self._cache[key] = _section(self.mesh, axis, height)
            out.append(_Sample(height, lo, hi, self._cache[key]))
        return out


def _sample_heights(mesh: trimesh.Trimesh, axis: int, max_sections: int) -> list[tuple[float, float, float]]:
    """(height, level below, level above) at the middles of the longest gaps between vertex heights [mm]."""
    tol = _tolerance(mesh)
    levels = _levels(mesh.vertices[:, axis], tol)
    if levels.size < 2:
        return []
    lo, hi = levels[:-1], levels[1:]
    gaps = hi - lo
    keep = np.flatnonzero(gaps > 1e3 * tol)
    if keep.size > max_sections:
        keep = keep[np.argsort(-gaps[keep], kind="stable")[:max_sections]]
    keep = np.sort(keep)
    return [(float(h), float(lo[i]), float(hi[i])) for i, h in zip(keep, 0.5 * (lo[keep] + hi[keep]), strict=True)]


# --------------------------------------------------------------------------------------------------------
# Plate-fin recognition


@dataclass(frozen=True)
class _Rows:
    """Section pieces grouped into rows across a candidate flow direction ``d`` (0 = u, 1 = v)."""

    d: int
    c_lo: np.ndarray  #: row start across the flow [mm]
    c_hi: np.ndarray  #: row end across the flow [mm]
    d_lo: np.ndarray  #: row start along the flow [mm]
    d_hi: np.ndarray  #: row end along the flow [mm]
    pieces: np.ndarray  #: pieces per row
    area: np.ndarray  #: section area per row [mm2]

    @property
    def strips(self) -> np.ndarray:
        """Rows that look like one plate fin: a single, long, well-filled strip."""
        thick = self.c_hi - self.c_lo
        span = self.d_hi - self.d_lo
        with np.errstate(divide="ignore", invalid="ignore"):
            return (self.pieces == 1) & (span >= _FIN_ELONGATION * thick) & (self.area >= _FIN_FILL * span * thick)


def _rows(bounds: np.ndarray, areas: np.ndarray, d: int, tol: float) -> _Rows:
    """Group pieces whose across-flow intervals overlap into rows."""
    c = 1 - d
    c0, c1 = bounds[:, c], bounds[:, c + 2]
    order = np.argsort(c0, kind="stable")
    c0, c1 = c0[order], c1[order]
    reach = np.maximum.accumulate(c1)
    new_row = np.concatenate(([True], c0[1:] > reach[:-1] + tol))
    row = np.cumsum(new_row) - 1
    n = int(row[-1]) + 1

    def agg(ufunc: np.ufunc, values: np.ndarray, init: float) -> np.ndarray:
        out = np.full(n, init)
        ufunc.at(out, row, values)
        return out

    return _Rows(
        d=d,
        c_lo=agg(np.minimum, c0, np.inf),
        c_hi=agg(np.maximum, c1, -np.inf),
        d_lo=agg(np.minimum, bounds[order, d], np.inf),
        d_hi=agg(np.maximum, bounds[order, d + 2], -np.inf),
        pieces=agg(np.add, np.ones(len(order)), 0.0).astype(int),
        area=agg(np.add, areas[order], 0.0),
    )


@dataclass(frozen=True)
class _Kind:
    kind: str  #: "fins" | "pins" | "solid" | "other" | "empty"
    rows: _Rows | None = None
    pieces: int = 0


def _classify(polygons: Sequence[Polygon], tol: float) -> _Kind:
    """What a section parallel to a would-be base looks like."""
    if not polygons:
        return _Kind("empty")
    geoms = np.asarray(polygons, dtype=object)
    bounds = shapely.bounds(geoms)
    areas = shapely.area(geoms)
    total = float(areas.sum())
    n = len(polygons)
    best: _Kind | None = None
    if n >= _MIN_FINS:
        for d in (0, 1):
            rows = _rows(bounds, areas, d, tol)
            strips = rows.strips
            ok = (
                strips.sum() >= _MIN_FINS
                and strips.sum() >= 0.8 * len(strips)
                and rows.area[strips].sum() >= 0.6 * total
            )
            if ok and (best is None or rows.area[strips].sum() > best.rows.area[best.rows.strips].sum()):
                best = _Kind("fins", rows, n)
        if best is not None:
            return best
    if n >= _MIN_PINS:
        # a regular array: most pieces of about the same size, rows of several pieces
        med = np.median(areas)
        regular = np.mean((areas >= 0.5 * med) & (areas <= 2.0 * med)) >= 0.8
        for d in (0, 1):
            rows = _rows(bounds, areas, d, tol)
            if regular and len(rows.pieces) >= _MIN_FINS and np.median(rows.pieces) >= 2:
                return _Kind("pins", rows, n)
    big = int(np.argmax(areas))
    b = bounds[big]
    fill = areas[big] / max((b[2] - b[0]) * (b[3] - b[1]), 1e-300)
    if areas[big] >= 0.8 * total and fill >= 0.3:
        return _Kind("solid", None, n)
    return _Kind("other", None, n)


def _bbox(polygons: Sequence[Polygon]) -> np.ndarray:
    b = shapely.bounds(np.asarray(polygons, dtype=object))
    return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


def _covers(outer: np.ndarray, inner: np.ndarray, frac: float = 0.9) -> bool:
    """Does bounding box ``outer`` span at least ``frac`` of ``inner`` in both in-plane directions?"""
    for k in (0, 1):
        overlap = min(outer[k + 2], inner[k + 2]) - max(outer[k], inner[k])
        if overlap < frac * (inner[k + 2] - inner[k]):
            return False
    return True


@dataclass(frozen=True)
class _Candidate:
    """One axis's best reading: either a geometry or a reason, with a score to rank axes."""

    score: float
    result: PlateFinGeometry | NotRecognised
    severity: int  #: how far the axis got: 0 nothing, 1 fins without base, 2 pins with base, 3 recognised


def _runs(kinds: list[_Kind], want: str) -> list[tuple[int, int]]:
    """Maximal runs [i, j] of consecutive samples of kind ``want`` with the same flow direction."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(kinds):
        if kinds[i].kind != want:
            i += 1
            continue
        j = i
        while j + 1 < len(kinds) and kinds[j + 1].kind == want and kinds[j + 1].rows.d == kinds[i].rows.d:
            j += 1
        runs.append((i, j))
        i = j + 1
    return runs


def _find_base(
    samples: list[_Sample], kinds: list[_Kind], start: int, step: int, fins_box: np.ndarray, extent: float
) -> int | None:
    """Index of the base section walking from ``start`` in direction ``step``, or None.

    Sections that are neither fins nor solid (fillets, chamfers, a pedestal edge) may lie between the fins
    and the base if together they are thinner than a quarter of the part; more fins or pins stop the walk.
    """
    skipped = 0.0
    k = start + step
    while 0 <= k < len(samples):
        s = samples[k]
        if kinds[k].kind == "solid":
            return k if _covers(_bbox(s.polygons), fins_box) else None
        if kinds[k].kind in ("fins", "pins"):
            return None
        skipped += s.hi - s.lo
        if skipped > 0.25 * extent:
            return None
        k += step
    return None


def _is_open(samples: list[_Sample], kinds: list[_Kind], start: int, step: int, run_height: float) -> bool:
    """Do the fins end freely: beyond ``start`` only small pieces (tip chamfers, rounds) or nothing?"""
    beyond = range(start + step, len(samples)) if step > 0 else range(start - 1, -1, -1)
    covered = 0.0
    for k in beyond:
        if kinds[k].kind not in ("other", "empty"):
            return False
        covered += samples[k].hi - samples[k].lo
    return covered <= 0.25 * run_height


def _base_top(mesh: trimesh.Trimesh, axis: int, sign: int, between: tuple[float, float], tol: float) -> float:
    """The channel floor: the vertex level in ``between`` with most face area facing the fin side [mm]."""
    lo, hi = min(between), max(between)
    heights = mesh.triangles_center[:, axis]
    facing = mesh.face_normals[:, axis] * sign > 0.99
    levels = _levels(mesh.vertices[:, axis], tol)
    levels = levels[(levels > lo) & (levels < hi)]
    if levels.size == 0:
        return 0.5 * (lo + hi)
    sel = facing & (heights > lo) & (heights < hi)
    idx = np.clip(np.searchsorted(levels, heights[sel]), 0, levels.size - 1)
    prev = np.clip(idx - 1, 0, levels.size - 1)
    nearest = np.where(np.abs(levels[prev] - heights[sel]) < np.abs(levels[idx] - heights[sel]), prev, idx)
    close = np.abs(levels[nearest] - heights[sel]) <= 10 * tol
    area = np.zeros(levels.size)
    np.add.at(area, nearest[close], mesh.area_faces[sel][close])
    if area.max() <= 0:
        # no flat floor: take the level nearest the fins
        return float(levels[-1] if sign > 0 else levels[0])
    return float(levels[int(np.argmax(area))])


def _axis_candidate(mesh: trimesh.Trimesh, axis: int, samples: list[_Sample]) -> _Candidate:
    name = _AXES[axis]
    tol = _tolerance(mesh)
    if not samples:
        return _Candidate(0.0, NotRecognised(f"no cross-sections along {name}"), 0)
    kinds = [_classify(s.polygons, 1e3 * tol) for s in samples]
    lo_b, hi_b = (float(x) for x in mesh.bounds[:, axis])
    extent = hi_b - lo_b
    u, v = in_plane_axes(axis)

    # pin-fin: a run of many-piece sections next to a solid base
    best_pins: _Candidate | None = None
    for i, j in _runs(kinds, "pins"):
        box = _bbox([p for s in samples[i : j + 1] for p in s.polygons])
        below = _find_base(samples, kinds, i, -1, box, extent)
        above = _find_base(samples, kinds, j, +1, box, extent)
        if (below is None) == (above is None):
            continue
        cover = samples[j].hi - samples[i].lo
        if not _is_open(samples, kinds, j if below is not None else i, 1 if below is not None else -1, cover):
            continue
        rows = kinds[(i + j) // 2].rows
        flow = _AXES[(u, v)[rows.d]]
        reason = (
            f"pin-fin: fins are broken along the flow ({len(rows.pieces)} rows of about "
            f"{int(np.median(rows.pieces))} pieces along {flow}, {kinds[(i + j) // 2].pieces} pieces "
            f"on a base normal to {name})"
        )
        if best_pins is None or cover > best_pins.score:
            best_pins = _Candidate(cover, NotRecognised(reason), 2)

    fin_runs = _runs(kinds, "fins")
    if not fin_runs:
        if best_pins is not None:
            return best_pins
        return _Candidate(0.0, NotRecognised("no parallel fins found"), 0)

    best: _Candidate | None = None
    for i, j in fin_runs:
        cover = samples[j].hi - samples[i].lo
        box = _bbox([p for s in samples[i : j + 1] for p in s.polygons])
        below = _find_base(samples, kinds, i, -1, box, extent)
        above = _find_base(samples, kinds, j, +1, box, extent)
        counts = [len(kinds[k].rows.pieces) for k in range(i, j + 1)]
        what = f"{int(np.bincount(counts).argmax())} parallel fins normal to {name}"
        if below is None and above is None:
            cand = _Candidate(cover, NotRecognised(f"{what} but no base plate at either end"), 1)
        elif below is not None and above is not None:
            reason = f"{what} are closed by plates at both ends (slotted block or shrouded fins)"
            cand = _Candidate(cover, NotRecognised(reason), 1)
        else:
            sign, base_k, fin_k, tip_k = (1, below, i, j) if below is not None else (-1, above, j, i)
            assert base_k is not None
            if _is_open(samples, kinds, tip_k, sign, cover):
                geometry = _measure(mesh, axis, sign, samples, kinds, (i, j), base_k, fin_k, tol)
                cand = _Candidate(cover, geometry, 3)
            else:
                reason = (
                    f"{what} stand on a base but their far ends are joined to more material "
                    "(slotted block, shroud or a second fin bank), not free fin tips"
                )
                cand = _Candidate(cover, NotRecognised(reason), 1)
        if best is None or (cand.severity, cand.score) > (best.severity, best.score):
            best = cand
    assert best is not None
    if best_pins is not None and best.severity < best_pins.severity:
        return best_pins
    return best


def _measure(
    mesh: trimesh.Trimesh,
    axis: int,
    sign: int,
    samples: list[_Sample],
    kinds: list[_Kind],
    run: tuple[int, int],
    base_k: int,
    fin_k: int,
    tol: float,
) -> PlateFinGeometry:
    """Exact dimensions of a plate-fin sink whose fins (run of samples) sit on the base at ``base_k``."""
    lo_b, hi_b = (float(x) for x in mesh.bounds[:, axis])
    base_far, tip = (lo_b, hi_b) if sign > 0 else (hi_b, lo_b)
    base_top = _base_top(mesh, axis, sign, (samples[base_k].height, samples[fin_k].height), tol)
    fin_height = abs(tip - base_top)
    base_thickness = abs(base_top - base_far)

    # fins measured at the run's section nearest mid fin height
    mid = 0.5 * (base_top + tip)
    i, j = run
    k = min(range(i, j + 1), key=lambda q: abs(samples[q].height - mid))
    rows = kinds[k].rows
    thick = rows.c_hi - rows.c_lo
    gaps = rows.c_lo[1:] - rows.c_hi[:-1]
    u, v = in_plane_axes(axis)
    d_axis, c_axis = (u, v)[rows.d], (u, v)[1 - rows.d]

    # base footprint from the vertices of the base slab (chamfers and holes do not shrink it)
    slab_lo, slab_hi = min(base_far, base_top), max(base_far, base_top)
    h = mesh.vertices[:, axis]
    slab = mesh.vertices[(h >= slab_lo - tol) & (h <= slab_hi + tol)]
    fmin, fmax = slab.min(axis=0), slab.max(axis=0)
    fmin[axis], fmax[axis] = slab_lo, slab_hi

    return PlateFinGeometry(
        fin_count=len(thick),
        fin_thickness=float(np.median(thick)),
        fin_thickness_min=float(thick.min()),
        fin_thickness_max=float(thick.max()),
        fin_gap=float(np.median(gaps)) if gaps.size else 0.0,
        fin_gap_min=float(gaps.min()) if gaps.size else 0.0,
        fin_gap_max=float(gaps.max()) if gaps.size else 0.0,
        fin_height=fin_height,
        base_thickness=base_thickness,
        length=float(fmax[d_axis] - fmin[d_axis]),
        width=float(fmax[c_axis] - fmin[c_axis]),
        fin_length=float((rows.d_hi - rows.d_lo).max()),
        fin_array_width=float(rows.c_hi[-1] - rows.c_lo[0]),
        flow_axis=_AXES[d_axis],
        base_normal=("+" if sign > 0 else "-") + _AXES[axis],
        fin_centres=tuple(float(x) for x in 0.5 * (rows.c_lo + rows.c_hi)),
        base_bounds=(
            (float(fmin[0]), float(fmin[1]), float(fmin[2])),
            (float(fmax[0]), float(fmax[1]), float(fmax[2])),
        ),
    )


def recognise_plate_fin(mesh: trimesh.Trimesh) -> PlateFinGeometry | NotRecognised:
    """Recognise a straight plate-fin heat sink on an axis-aligned mesh in millimetres.

    Each axis is tried as the base normal: sections parallel to the base at the middles of the gaps between
    vertex heights are classified (parallel fin strips, many pieces = pins, one solid = base). A run of fin
    sections with a solid base section at exactly one end is a plate-fin sink; its fins point away from the
    base. The channel floor (base top) is the vertex level with the most face area facing the fins, the fin
    tips are the mesh bound on the fin side.
    """
    if len(mesh.faces) == 0:
        return NotRecognised("empty mesh")
    return _recognise(_Sections(mesh))


def _recognise(sections: _Sections) -> PlateFinGeometry | NotRecognised:
    candidates = []
    for a in range(3):
        # quick look at the few longest slabs first: a finned region is one of them
        quick = sections.samples(a, _QUICK_SECTIONS)
        tol = 1e3 * _tolerance(sections.mesh)
        if not any(_classify(q.polygons, tol).kind in ("fins", "pins") for q in quick):
            candidates.append(_Candidate(0.0, NotRecognised("no parallel fins found"), 0))
            continue
        candidates.append(_axis_candidate(sections.mesh, a, sections.samples(a)))
    return max(candidates, key=lambda c: (c.severity, c.score)).result


# --------------------------------------------------------------------------------------------------------
# Holes


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


def find_through_holes(mesh: trimesh.Trimesh, axis: str | None = None) -> list[Hole]:
    """Circular through-holes of a part's plate or base along ``axis`` [mm].

    ``axis`` defaults to the base normal if the mesh is a plate-fin heat sink, else the thinnest extent.

    The plate is the run of sections with at least 3/4 of the largest cross-section area (for a heat sink:
    the base, not the fins). Holes are the circular interiors of the section at its mid-thickness; a hole
    counts if its centre is open in every section of the plate, and its diameter is the smallest one met
    (counterbores and chamfers are larger). Centre and diameter are re-fitted to the mesh vertices on the
    hole wall where they lie on one circle, which removes the chord error of the section. Sorted by centre.
    """
    if len(mesh.faces) == 0:
        return []
    sections = _Sections(mesh)
    if axis is not None:
        a = _axis_index(axis)
    else:
        sink = _recognise(sections)
        a = _axis_index(sink.base_normal[1]) if isinstance(sink, PlateFinGeometry) else int(np.argmin(mesh.extents))
    samples = sections.samples(a)
    if not samples:
        return []
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
    tol = _tolerance(mesh)
    inside = [s for s in slab if s.lo + tol < mid < s.hi - tol]
    plane = inside[0].polygons if inside else _section(mesh, a, mid)
    if not inside and not plane:
        plane, mid = samples[top].polygons, samples[top].height

    u, v = in_plane_axes(a)
    h = mesh.vertices[:, a]
    wall_points = mesh.vertices[(h >= lo - tol) & (h <= hi + tol)][:, [u, v]]
    circles = _holes_in(plane)
    if not circles:
        return []
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
        holes.append(Hole(center=(xyz[0], xyz[1], xyz[2]), diameter=float(diameter), axis=_AXES[a]))
    holes.sort(key=lambda h: tuple(round(c, 6) for c in h.center))
    return holes


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
