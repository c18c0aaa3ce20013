"""Recognition of straight plate-fin heat sinks on axis-aligned meshes in millimetres.

Fins must be parallel to a coordinate plane and the base normal to an axis. Callers convert meshes to mm
first (a part's mesh as loaded may be in metres). The part's sections come from a shared
:class:`~sledcheck.geometry.sections.Sections`, and the result is kept there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import trimesh

from .fin_sections import Kind, bbox, classify
from .sections import AXES, AxisName, Sample, Sections, in_plane_axes, levels, tolerance

__all__ = ["NotRecognised", "PlateFinGeometry", "recognise_plate_fin"]

#: Sections of the first, quick look along an axis; the full set is only cut if these show fins or pins.
_QUICK_SECTIONS = 6


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


def _runs(kinds: list[Kind], want: str) -> list[tuple[int, int]]:
    """Maximal runs [i, j] of consecutive samples of kind ``want`` with the same flow direction."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(kinds):
        if kinds[i].kind != want:
            i += 1
            continue
        j = i
        while j + 1 < len(kinds) and kinds[j + 1].kind == want and kinds[j + 1].fin_rows.d == kinds[i].fin_rows.d:
            j += 1
        runs.append((i, j))
        i = j + 1
    return runs


def _find_base(
    samples: list[Sample], kinds: list[Kind], start: int, step: int, fins_box: np.ndarray, extent: float
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
            return k if _covers(bbox(s.polygons), fins_box) else None
        if kinds[k].kind in ("fins", "pins"):
            return None
        skipped += s.hi - s.lo
        if skipped > 0.25 * extent:
            return None
        k += step
    return None


def _is_open(samples: list[Sample], kinds: list[Kind], start: int, step: int, run_height: float) -> bool:
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
    lv = levels(mesh.vertices[:, axis], tol)
    lv = lv[(lv > lo) & (lv < hi)]
    if lv.size == 0:
        return 0.5 * (lo + hi)
    sel = facing & (heights > lo) & (heights < hi)
    idx = np.clip(np.searchsorted(lv, heights[sel]), 0, lv.size - 1)
    prev = np.clip(idx - 1, 0, lv.size - 1)
    nearest = np.where(np.abs(lv[prev] - heights[sel]) < np.abs(lv[idx] - heights[sel]), prev, idx)
    close = np.abs(lv[nearest] - heights[sel]) <= 10 * tol
    area = np.zeros(lv.size)
    np.add.at(area, nearest[close], mesh.area_faces[sel][close])
    if area.max() <= 0:
        # no flat floor: take the level nearest the fins
        return float(lv[-1] if sign > 0 else lv[0])
    return float(lv[int(np.argmax(area))])


def _axis_candidate(mesh: trimesh.Trimesh, axis: int, samples: list[Sample]) -> _Candidate:
    name = AXES[axis]
    tol = tolerance(mesh)
    if not samples:
        return _Candidate(0.0, NotRecognised(f"no cross-sections along {name}"), 0)
    kinds = [classify(s.polygons, 1e3 * tol) for s in samples]
    lo_b, hi_b = (float(x) for x in mesh.bounds[:, axis])
    extent = hi_b - lo_b
    u, v = in_plane_axes(axis)

    # pin-fin: a run of many-piece sections next to a solid base
    best_pins: _Candidate | None = None
    for i, j in _runs(kinds, "pins"):
        box = bbox([p for s in samples[i : j + 1] for p in s.polygons])
        below = _find_base(samples, kinds, i, -1, box, extent)
        above = _find_base(samples, kinds, j, +1, box, extent)
        if (below is None) == (above is None):
            continue
        cover = samples[j].hi - samples[i].lo
        if not _is_open(samples, kinds, j if below is not None else i, 1 if below is not None else -1, cover):
            continue
        rows = kinds[(i + j) // 2].fin_rows
        flow = AXES[(u, v)[rows.d]]
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
        box = bbox([p for s in samples[i : j + 1] for p in s.polygons])
        below = _find_base(samples, kinds, i, -1, box, extent)
        above = _find_base(samples, kinds, j, +1, box, extent)
        counts = [len(kinds[k].fin_rows.pieces) for k in range(i, j + 1)]
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
    samples: list[Sample],
    kinds: list[Kind],
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
    rows = kinds[k].fin_rows
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
        flow_axis=AXES[d_axis],
        base_normal=("+" if sign > 0 else "-") + AXES[axis],
        fin_centres=tuple(float(x) for x in 0.5 * (rows.c_lo + rows.c_hi)),
        base_bounds=(
            (float(fmin[0]), float(fmin[1]), float(fmin[2])),
            (float(fmax[0]), float(fmax[1]), float(fmax[2])),
        ),
    )


def recognise_plate_fin(sections: Sections) -> PlateFinGeometry | NotRecognised:
    """Recognise a straight plate-fin heat sink on an axis-aligned mesh in millimetres (once per ``sections``).

    Each axis is tried as the base normal: sections parallel to the base at the middles of the gaps between
    vertex heights are classified (parallel fin strips, many pieces = pins, one solid = base). A run of fin
    sections with a solid base section at exactly one end is a plate-fin sink; its fins point away from the
    base. The channel floor (base top) is the vertex level with the most face area facing the fins, the fin
    tips are the mesh bound on the fin side.
    """
    return sections.derived("plate_fin", lambda: _recognise(sections), _moved)


def _moved(result: PlateFinGeometry | NotRecognised, offset: np.ndarray) -> PlateFinGeometry | NotRecognised:
    """The same sink translated by ``offset`` [mm] (a twin's result)."""
    if not isinstance(result, PlateFinGeometry):
        return result
    across = 3 - "xyz".index(result.flow_axis) - "xyz".index(result.base_normal[1])
    lo, hi = (tuple(float(c + d) for c, d in zip(b, offset, strict=True)) for b in result.base_bounds)
    return replace(result, fin_centres=tuple(float(c + offset[across]) for c in result.fin_centres),
                   base_bounds=(lo, hi))  # type: ignore[arg-type]


def _recognise(sections: Sections) -> PlateFinGeometry | NotRecognised:
    if sections.empty:
        return NotRecognised("empty mesh")
    candidates = []
    tol = 1e3 * tolerance(sections.mesh)
    for a in range(3):
        # quick look at the few longest slabs first: a finned region is one of them
        quick = sections.samples(a, _QUICK_SECTIONS)
        if not any(classify(q.polygons, tol).kind in ("fins", "pins") for q in quick):
            candidates.append(_Candidate(0.0, NotRecognised("no parallel fins found"), 0))
            continue
        candidates.append(_axis_candidate(sections.mesh, a, sections.samples(a)))
    return max(candidates, key=lambda c: (c.severity, c.score)).result
