"""Recognition of straight plate-fin heat sinks on axis-aligned meshes in millimetres.

Fins must be parallel to a coordinate plane and the base normal to an axis. Callers convert meshes to mm
first (a part's mesh as loaded may be in metres). The part's sections come from a shared
:class:`~sledcheck.geometry.sections.Sections`, and the result is kept there.

What is read as drawn: a fin bank smaller than its base plate (the bank's length and width are the sink's),
rails, a pedestal or feet under the plate (not base thickness: the base is the plate the fins stand on),
outer fins or rails taller than the others (the bank has the inner fins' height) and fins crossed by heat
pipes or their holes (the crossings are not a base). Each such reading is said in ``notes``.

Pin-fin sinks (round pins, in-line or staggered, read by :mod:`.pinfins`) are recognised on the same sections
with the same base reading (plate, pedestal, rails); :func:`recognise_heatsink` is the entry point for either
kind, :func:`recognise_plate_fin` the plate-fin view of it (a pin-fin sink is not a plate-fin one). The airflow
through pins runs along y, the lanes' direction (x when the pins stand along y).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import shapely
import trimesh

from .fin_sections import (
    FIN_ELONGATION,
    PIERCED_CHANNEL_FILL,
    PIERCED_FIN_FILL,
    Kind,
    Rows,
    bbox,
    classify,
    edge_only,
    fills,
    pierced,
    same_fins,
)
from .once import PerObject
from .pinfins import PinGrid, read_pins
from .sections import AXES, AxisName, Sample, Sections, in_plane_axes, levels, tolerance
from .vectors import cross_rows

__all__ = ["BelowBase", "NotRecognised", "PinFinGeometry", "PlateFinGeometry", "recognise_heatsink",
           "recognise_plate_fin"]

Bounds = tuple[tuple[float, float, float], tuple[float, float, float]]


@dataclass(frozen=True)
class BelowBase:
    """Material under the base plate, on the side away from the fins (lengths [mm], area [mm2]).

    ``kind`` is "pedestal" (one compact boss, the block that meets the package), "rails" (strips at least
    four times longer than wide), "feet" (several compact pieces) or "rim" (a frame around a recess in the
    plate's underside). ``height`` runs from the plate's
    underside to the feature's far end; ``area`` is its smallest cross-section.
    """

    kind: str
    pieces: int
    height: float  #: [mm]
    area: float  #: smallest cross-section [mm2]
    bounds: Bounds  #: (min, max) [mm]

#: Sections of the first, quick look along an axis; the full set is only cut if these show fins or pins.
_QUICK_SECTIONS = 6


class _OnBase:
    """What a plate-fin and a pin-fin sink share: the pedestal under the plate and the fin (pin) tips' level."""

    below_base: tuple[BelowBase, ...]
    base_normal: str
    bank_bounds: Bounds

    @property
    def pedestal(self) -> BelowBase | None:
        """The pedestal under the base plate, if there is one."""
        return next((b for b in self.below_base if b.kind == "pedestal"), None)

    @property
    def tip(self) -> float:
        """Level of the inner fins' (or the pins') tips along the base normal [mm]."""
        a, up = "xyz".index(self.base_normal[1]), self.base_normal[0] == "+"
        return self.bank_bounds[1][a] if up else self.bank_bounds[0][a]


@dataclass(frozen=True)
class PlateFinGeometry(_OnBase):
    """A straight plate-fin heat sink recognised on a mesh (all lengths [mm]).

    ``fin_thickness`` and ``fin_gap`` are medians over the fins / channels, read at the cross-section nearest
    to mid fin height; ``*_min`` / ``*_max`` show the spread (edge fins are often thicker). ``length`` and
    ``width`` are the fin bank's extent along / across the flow (the region that has fins, contract.md);
    ``base_length`` and ``base_width`` the base plate's, which may be larger. ``fin_height`` runs from the
    channel floor to the inner fins' tips (taller outer fins are in ``notes``), ``base_thickness`` is the plate
    the fins stand on (a pedestal or rails under it are ``below_base``).
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
    length: float  #: fin bank along the flow [mm]
    width: float  #: fin bank across the flow [mm]
    fin_length: float  #: longest fin along the flow [mm]
    fin_array_width: float  #: outer face of the first fin to outer face of the last [mm]
    flow_axis: AxisName  #: the axis the fins (and the air) run along
    base_normal: str  #: direction the fins point from the base, e.g. "+z" [-]
    fin_centres: tuple[float, ...]  #: fin mid-planes, coordinate across the flow [mm]
    base_bounds: Bounds  #: base plate (min, max) [mm]
    base_length: float  #: base plate along the flow [mm]
    base_width: float  #: base plate across the flow [mm]
    bank_bounds: Bounds  #: fin bank, channel floor to the inner fins' tips (min, max) [mm]
    below_base: tuple[BelowBase, ...] = ()  #: pedestal, rails or feet under the plate
    notes: tuple[str, ...] = ()  #: how the geometry was read where it is not a plain plate-fin sink
    source: str = "cad"  #: "cad" (recognised from the mesh) or "declared" (given in the design)

    @property
    def fin_pitch(self) -> float:
        """Mean centre-to-centre fin spacing [mm]."""
        if self.fin_count < 2:
            return 0.0
        return (self.fin_centres[-1] - self.fin_centres[0]) / (self.fin_count - 1)


@dataclass(frozen=True)
class PinFinGeometry(_OnBase):
    """A cylindrical pin-fin heat sink recognised on a mesh (or declared), all lengths [mm].

    ``length`` and ``width`` are the pin field's extent along / across the flow (outer pin faces, contract.md),
    ``base_length`` / ``base_width`` the plate's. ``fin_height`` runs from the base top to the pin tips,
    ``base_thickness`` is the plate the pins stand on (a pedestal or rails under it are ``below_base``).
    ``pin_centres`` are (along, across) world coordinates of the pins' axes.
    """

    pin_count: int
    pin_diameter: float
    pitch_along: float
    pitch_across: float
    layout: str
    rows: int
    per_row: int
    fin_height: float
    base_thickness: float
    length: float
    width: float
    flow_axis: AxisName
    base_normal: str
    base_bounds: Bounds
    base_length: float
    base_width: float
    bank_bounds: Bounds
    pin_centres: tuple[tuple[float, float], ...] = ()
    below_base: tuple[BelowBase, ...] = ()
    notes: tuple[str, ...] = ()
    source: str = "cad"


    @property
    def clear_gap(self) -> float:
        """Clear gap between neighbouring pins of a row, S_T - D [mm]."""
        return self.pitch_across - self.pin_diameter


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
    result: PlateFinGeometry | PinFinGeometry | NotRecognised
    severity: int  #: how far the axis got: 0 nothing, 1 fins without base, 2 pins with base, 3 recognised


def _runs(kinds: list[Kind], *want: str) -> list[tuple[int, int]]:
    """Maximal runs [i, j] of consecutive samples of the kinds ``want`` with the same flow direction."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(kinds):
        if kinds[i].kind not in want:
            i += 1
            continue
        j = i
        while j + 1 < len(kinds) and kinds[j + 1].kind in want and kinds[j + 1].fin_rows.d == kinds[i].fin_rows.d:
            j += 1
        runs.append((i, j))
        i = j + 1
    return runs


def _find_base(
    samples: list[Sample], kinds: list[Kind], start: int, step: int, fins_box: np.ndarray, extent: float,
    rows: Rows | None = None,
) -> int | None:
    """Index of the base section walking from ``start`` in direction ``step``, or None.

    Sections that are neither fins nor solid (fillets, chamfers, a pedestal edge) may lie between the fins
    and the base if together they are thinner than a quarter of the part; so may a solid-looking section of
    the fins ``rows`` crossed by a heat pipe at their root (:func:`~.fin_sections.pierced`). More fins or
    pins stop the walk.
    """
    skipped = 0.0
    k = start + step
    while 0 <= k < len(samples):
        s = samples[k]
        if kinds[k].kind == "solid" and not (rows is not None and pierced(s.polygons, rows)):
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


@dataclass(frozen=True)
class _Flat:
    """A mesh's faces whose unit normal lies within acos(0.99) of an axis: that normal component [-], each
    face's centre along the axis [mm] and its area [mm2] (as trimesh computes them)."""

    normal: np.ndarray
    height: np.ndarray
    area: np.ndarray


_flats = PerObject()   # per mesh and axis
_FLAT_SLICE = 1 << 18


def _flat(mesh: trimesh.Trimesh, axis: int) -> _Flat:
    """The faces of ``mesh`` facing either way along ``axis`` (:class:`_Flat`), found once per mesh and axis in
    slices of faces: trimesh's cached ``triangles``, normals, centres and areas of a 1.2 M-face sink would
    keep 180 MB for the rest of the run. The values are trimesh's formulas, so the same numbers."""
    return _flats.get(mesh, lambda: _flat_faces(mesh, axis), axis)


def _flat_faces(mesh: trimesh.Trimesh, axis: int) -> _Flat:
    vertices, faces = np.asarray(mesh.vertices, dtype=np.float64), np.asarray(mesh.faces)
    normal, height, area = [], [], []
    for start in range(0, len(faces), _FLAT_SLICE):
        tri = vertices[faces[start:start + _FLAT_SLICE]]
        vectors = np.diff(tri, axis=1)
        crosses = cross_rows(vectors[:, 0], vectors[:, 1])                 # trimesh.triangles.cross, bitwise
        norm = np.sqrt(np.dot(crosses * crosses, [1.0, 1.0, 1.0]))          # trimesh.util.unitize
        valid = norm > trimesh.tol.zero
        norm[valid] **= -1
        component = np.where(valid, crosses[:, axis] * norm, 0.0)          # (zero where trimesh pads)
        keep = np.abs(component) > 0.99
        normal.append(component[keep])
        height.append(tri[keep].mean(axis=1)[:, axis])                     # Trimesh.triangles_center
        area.append(np.sqrt((crosses[keep] ** 2).sum(axis=1)) / 2.0)       # trimesh.triangles.area
    return _Flat(*(np.concatenate(x) if x else np.zeros(0) for x in (normal, height, area)))


def _face_level(mesh: trimesh.Trimesh, axis: int, sign: int, between: tuple[float, float], near: float,
                tol: float) -> float:
    """The vertex level in ``between`` with most face area facing ``sign`` along ``axis`` [mm] (the channel
    floor, the fin tips, the plate's underside); without such faces the level nearest ``near``."""
    lo, hi = min(between), max(between)
    flat = _flat(mesh, axis)
    heights = flat.height
    facing = flat.normal * sign > 0.99
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
    np.add.at(area, nearest[close], flat.area[sel][close])
    if area.max() <= 0:
        return float(lv[int(np.argmin(np.abs(lv - near)))])
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
            pins = _measure_pins(mesh, axis, samples, kinds, (i, j), below, above, reason, tol)
            best_pins = _Candidate(cover, pins, 3 if isinstance(pins, PinFinGeometry) else 2)

    kinds = _bridge_pierced(samples, kinds)
    fin_runs = _runs(kinds, "fins", "pierced")
    if not fin_runs:
        if best_pins is not None:
            return best_pins
        return _Candidate(0.0, NotRecognised("no parallel fins found"), 0)

    best: _Candidate | None = None
    for i, j in fin_runs:
        cover = samples[j].hi - samples[i].lo
        box = bbox([p for s in samples[i : j + 1] for p in s.polygons])
        rows = kinds[i].fin_rows
        below = _find_base(samples, kinds, i, -1, box, extent, rows)
        above = _find_base(samples, kinds, j, +1, box, extent, rows)
        counts = [len(kinds[k].fin_rows.pieces) for k in range(i, j + 1) if kinds[k].kind == "fins"]
        what = f"{int(np.bincount(counts).argmax())} parallel fins normal to {name}"
        if below is None and above is None:
            cand = _Candidate(cover, NotRecognised(f"{what} but no base plate at either end"), 1)
        elif below is not None and above is not None:
            reason = f"{what} are closed by plates at both ends (slotted block or shrouded fins)"
            cand = _Candidate(cover, NotRecognised(reason), 1)
        else:
            sign, base_k, fin_k, tip_k = (1, below, i, j) if below is not None else (-1, above, j, i)
            assert base_k is not None
            edges = _edge_sections(samples, tip_k, sign, kinds[tip_k].fin_rows)
            if _is_open(samples, kinds, tip_k + sign * edges[0], sign, cover):
                geometry = _measure(mesh, axis, sign, samples, kinds, (i, j), base_k, fin_k, tip_k, edges, tol)
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


def _bridge_pierced(samples: list[Sample], kinds: list[Kind]) -> list[Kind]:
    """``kinds`` with each block of sections between two sections of the same fins that reads as those fins
    crossed by pipes or their holes marked "pierced", so that the crossing neither splits the fins nor passes
    for a base: every section of the block leaves the channels mostly open and one at least still holds the
    fins (:func:`~.fin_sections.fills`; where pipes are separate bodies filling the fins' holes, the coincident
    walls may cost some sections pieces)."""
    out = list(kinds)
    i, n = 0, len(kinds)
    while i < n:
        if kinds[i].kind != "fins":
            i += 1
            continue
        b = i + 1
        while b < n and kinds[b].kind != "fins":
            b += 1
        block = [fills(samples[k].polygons, kinds[i].fin_rows) for k in range(i + 1, b)] if b < n else []
        if block and same_fins(kinds[i].fin_rows, kinds[b].fin_rows) \
                and all(channel < PIERCED_CHANNEL_FILL for _, channel in block) \
                and any(fin > PIERCED_FIN_FILL for fin, _ in block):
            for k in range(i + 1, b):
                out[k] = Kind("pierced", kinds[i].rows, kinds[k].pieces)
        i = b
    return out


def _edge_sections(samples: list[Sample], tip_k: int, sign: int, rows: Rows) -> tuple[int, bool, bool]:
    """How many sections beyond the fins' tip section hold only the outer fins of ``rows`` (taller edge fins or
    rails), and whether the first / last fin is among them."""
    k, count, first, last = tip_k + sign, 0, False, False
    while 0 <= k < len(samples):
        which = edge_only(samples[k].polygons, rows)
        if which is None:
            break
        count, first, last = count + 1, first or which[0], last or which[1]
        k += sign
    return count, first, last


def _area(sample: Sample) -> float:
    return float(sum(p.area for p in sample.polygons))


def _facing_area(mesh: trimesh.Trimesh, axis: int, sign: int, level: float, tol: float) -> float:
    """Area [mm2] of the flat faces at ``level`` [mm] facing ``sign`` along ``axis``."""
    flat = _flat(mesh, axis)
    facing = flat.normal * sign > 0.99
    at = np.abs(flat.height - level) <= 10 * tol
    return float(flat.area[facing & at].sum())


def _plate(mesh: trimesh.Trimesh, axis: int, sign: int, samples: list[Sample], base_k: int, base_far: float,
           tol: float) -> tuple[float, int | None]:
    """The base plate's underside [mm] and the first section beyond it (None when the plate reaches the mesh's
    bound): sections away from the fins belong to the plate while they span at least 90 % of the base section
    found next to the fins and keep 80 % of its area, or where the plate narrows without a step (a chamfer or a
    draft: the flat underside there is less than half the area it loses); a pedestal, rails, feet or a rim
    around a recess do not."""
    ref, last, k = samples[base_k], base_k, base_k - sign
    ref_box, ref_area = bbox(ref.polygons), _area(ref)
    while 0 <= k < len(samples):
        s = samples[k]
        if not (s.polygons and _covers(bbox(s.polygons), ref_box) and _area(s) >= 0.8 * ref_area):
            level = _face_level(mesh, axis, -sign, (s.height, samples[last].height), samples[last].height, tol)
            if _facing_area(mesh, axis, -sign, level, tol) >= 0.5 * (ref_area - _area(s)):
                return level, k
        last, k = k, k - sign
    return base_far, None


def _below_base(mesh: trimesh.Trimesh, axis: int, sign: int, samples: list[Sample], first_k: int,
                underside: float, plate_box: np.ndarray, tol: float) -> tuple[BelowBase, ...]:
    """What stands under the plate (beyond ``underside`` [mm], away from the fins), read from the first
    non-empty section beyond it: a piece spanning 90 % of the plate (``plate_box``) is a rim around a recess
    ("rim"), strips at least :data:`~.fin_sections.FIN_ELONGATION` times longer than wide are rails, one
    compact piece is a pedestal, several are feet."""
    beyond = [samples[k] for k in (range(first_k, -1, -1) if sign > 0 else range(first_k, len(samples)))]
    near = next((s for s in beyond if s.polygons), None)
    if near is None:
        return ()
    u, v = in_plane_axes(axis)
    h = mesh.vertices[:, axis]
    under = mesh.vertices[(underside - h) * sign > tol]
    pieces = np.asarray(near.polygons, dtype=object)
    b = shapely.bounds(pieces)
    span = np.stack([b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], axis=1)
    rim = np.array([_covers(piece, plate_box) for piece in b], dtype=bool)
    rail = ~rim & (span.max(axis=1) >= FIN_ELONGATION * span.min(axis=1))
    compact = ~rim & ~rail
    out = []
    sections = [shapely.union_all(np.asarray(s.polygons, dtype=object)) for s in beyond if s.polygons]
    for kind, sel in (("rim", rim), ("rails", rail), ("pedestal" if compact.sum() == 1 else "feet", compact)):
        if not sel.any():
            continue
        far = 0.0
        for lo_p, hi_p in zip(b[sel, :2], b[sel, 2:], strict=True):
            inside = ((under[:, u] >= lo_p[0] - tol) & (under[:, u] <= hi_p[0] + tol)
                      & (under[:, v] >= lo_p[1] - tol) & (under[:, v] <= hi_p[1] + tol))
            if inside.any():
                far = max(far, float(((underside - under[inside, axis]) * sign).max()))
        region = shapely.union_all(shapely.box(b[sel, 0], b[sel, 1], b[sel, 2], b[sel, 3]))
        areas = [a for a in (float(shapely.area(shapely.intersection(m, region))) for m in sections) if a > 0]
        lo_uv, hi_uv = b[sel, :2].min(axis=0), b[sel, 2:].max(axis=0)
        lo3, hi3 = np.zeros(3), np.zeros(3)
        lo3[[u, v]], hi3[[u, v]] = lo_uv, hi_uv
        lo3[axis], hi3[axis] = sorted((underside, underside - sign * far))
        out.append(BelowBase(kind=kind, pieces=int(sel.sum()), height=far, area=min(areas),
                             bounds=(_triple(lo3), _triple(hi3))))
    return tuple(out)


def _plate_and_below(mesh: trimesh.Trimesh, axis: int, sign: int, samples: list[Sample], base_k: int,
                     base_far: float, tol: float) -> tuple[float, tuple[BelowBase, ...]]:
    """The base plate's underside [mm] (:func:`_plate`) and what stands under it (:func:`_below_base`)."""
    underside, beyond_k = _plate(mesh, axis, sign, samples, base_k, base_far, tol)
    below = () if beyond_k is None else \
        _below_base(mesh, axis, sign, samples, beyond_k, underside, bbox(samples[base_k].polygons), tol)
    return underside, below


def _footprint(mesh: trimesh.Trimesh, axis: int, underside: float, base_top: float, tol: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """The base plate's box (min, max) [mm] from the vertices of the plate (chamfers and holes do not shrink
    it), from its underside to its top along ``axis``."""
    slab_lo, slab_hi = min(underside, base_top), max(underside, base_top)
    h = mesh.vertices[:, axis]
    slab = mesh.vertices[(h >= slab_lo - tol) & (h <= slab_hi + tol)]
    fmin, fmax = slab.min(axis=0), slab.max(axis=0)
    fmin[axis], fmax[axis] = slab_lo, slab_hi
    return fmin, fmax


def _below_notes(below: tuple[BelowBase, ...], base_thickness: float) -> list[str]:
    out = []
    for feature in below:
        what = {"pedestal": "a pedestal", "rails": f"{feature.pieces} rail" + "s" * (feature.pieces > 1),
                "feet": f"{feature.pieces} feet", "rim": "a rim around a recess"}[feature.kind]
        out.append(f"{what} {feature.height:.4g} mm tall under the {base_thickness:.4g} mm base plate: not "
                   "counted as base thickness")
    return out


def _measure_pins(mesh: trimesh.Trimesh, axis: int, samples: list[Sample], kinds: list[Kind], run: tuple[int, int],
                  below_k: int | None, above_k: int | None, reason: str, tol: float) -> PinFinGeometry | NotRecognised:
    """A pin-fin sink whose pins (the run of "pins" sections) stand on the base found at ``below_k`` or
    ``above_k`` (exactly one is set), or the plate-fin reading's ``reason`` with why the pins are not an
    array :mod:`.pinfins` reads. The pins are read at the run's pin section nearest mid pin height; the flow
    runs along y (x when the pins stand along y)."""
    i, j = run
    sign, base_k, pin_k = (1, below_k, i) if below_k is not None else (-1, above_k, j)
    assert base_k is not None
    lo_b, hi_b = (float(x) for x in mesh.bounds[:, axis])
    base_far, tip = (lo_b, hi_b) if sign > 0 else (hi_b, lo_b)
    base_top = _face_level(mesh, axis, sign, (samples[base_k].height, samples[pin_k].height),
                           samples[pin_k].height, tol)
    mid = 0.5 * (base_top + tip)
    k = min((q for q in range(i, j + 1) if kinds[q].kind == "pins"), key=lambda q: abs(samples[q].height - mid))
    u, v = in_plane_axes(axis)
    flow = (u, v).index(1 if axis != 1 else 0)          # in-plane index of y (of x for pins along y)
    d_axis, c_axis = (u, v)[flow], (u, v)[1 - flow]
    grid = read_pins(samples[k].polygons, flow)
    if not isinstance(grid, PinGrid):
        return NotRecognised(f"{reason}: {grid}")
    underside, below = _plate_and_below(mesh, axis, sign, samples, base_k, base_far, tol)
    base_thickness = abs(base_top - underside)
    fmin, fmax = _footprint(mesh, axis, underside, base_top, tol)
    along = np.array([c[0] for c in grid.centres])
    across = np.array([c[1] for c in grid.centres])
    r = grid.diameter / 2
    bank_lo, bank_hi = np.zeros(3), np.zeros(3)
    bank_lo[d_axis], bank_hi[d_axis] = float(along.min() - r), float(along.max() + r)
    bank_lo[c_axis], bank_hi[c_axis] = float(across.min() - r), float(across.max() + r)
    bank_lo[axis], bank_hi[axis] = sorted((base_top, tip))
    length, width = float(bank_hi[d_axis] - bank_lo[d_axis]), float(bank_hi[c_axis] - bank_lo[c_axis])
    base_length, base_width = float(fmax[d_axis] - fmin[d_axis]), float(fmax[c_axis] - fmin[c_axis])
    notes = [f"{len(grid.centres)} round pins of {grid.diameter:.4g} mm in {grid.rows} rows, {grid.layout}, pitch "
             f"{grid.pitch_along:.4g} mm along the flow ({AXES[d_axis]}) x {grid.pitch_across:.4g} mm across"]
    if length < 0.9 * base_length or width < 0.9 * base_width:
        notes.append(f"the pins cover {width:.4g} x {length:.4g} mm of the {base_width:.4g} x {base_length:.4g} mm "
                     "base plate (across x along the flow): the pin field's size is used")
    notes += _below_notes(below, base_thickness)
    return PinFinGeometry(
        pin_count=len(grid.centres), pin_diameter=grid.diameter, pitch_along=grid.pitch_along,
        pitch_across=grid.pitch_across, layout=grid.layout, rows=grid.rows, per_row=grid.per_row,
        fin_height=abs(tip - base_top), base_thickness=base_thickness, length=length, width=width,
        flow_axis=AXES[d_axis], base_normal=("+" if sign > 0 else "-") + AXES[axis],
        base_bounds=(_triple(fmin), _triple(fmax)), base_length=base_length, base_width=base_width,
        bank_bounds=(_triple(bank_lo), _triple(bank_hi)), pin_centres=grid.centres, below_base=below,
        notes=tuple(notes))


def _fins_of(rows: Rows) -> tuple[np.ndarray, np.ndarray, str]:
    """The fins' across-flow faces (lo, hi) [mm] in a fin section, and a note when some were joined: a row that
    is not one strip (a heat pipe or boss running up through several fins joins them into one piece) and spans
    more than a pitch holds the fins of the median thickness that the plain fins' lattice (the nearest plain
    fin's mid-plane plus whole median pitches) puts wholly inside it, if its area is 0.8 to 2 times theirs;
    other rows are one fin each."""
    lo, hi = rows.c_lo.copy(), rows.c_hi.copy()
    strip = rows.strips
    idx = np.flatnonzero(strip)
    mids = 0.5 * (lo + hi)
    adjacent = np.diff(idx) == 1
    if (~strip).sum() == 0 or adjacent.sum() == 0:
        return lo, hi, ""
    t = float(np.median((hi - lo)[strip]))
    pitch = float(np.median(np.diff(mids[idx])[adjacent]))
    slack = 0.25 * (pitch - t)
    out_lo, out_hi, hidden = [], [], 0
    for r, (a, b) in enumerate(zip(lo, hi, strict=True)):
        centres = np.empty(0)
        if not strip[r] and b - a >= pitch + t:
            anchor = mids[idx[np.argmin(np.abs(idx - r))]]
            m = np.arange(np.ceil((a + t / 2 - slack - anchor) / pitch), np.floor((b - t / 2 + slack - anchor) / pitch)
                          + 1)
            centres = anchor + m * pitch
            # the fins must really be there: the piece's area is that of as many full-length fins, give or
            # take what joins them (a solid boss or block between fins is no fins)
            fins_area = len(centres) * t * (rows.d_hi[r] - rows.d_lo[r])
            if not 0.8 * fins_area <= rows.area[r] <= 2.0 * fins_area:
                centres = np.empty(0)
        if len(centres) < 2:
            out_lo.append(a)
            out_hi.append(b)
            continue
        out_lo += list(centres - t / 2)
        out_hi += list(centres + t / 2)
        hidden += len(centres)
    if not hidden:
        return lo, hi, ""
    return np.asarray(out_lo), np.asarray(out_hi), (
        f"{hidden} fins joined into wider pieces (a pipe or boss through them) are counted from the "
        f"{pitch:.3g} mm pitch of the others")


def _triple(x: np.ndarray) -> tuple[float, float, float]:
    return float(x[0]), float(x[1]), float(x[2])


def _measure(
    mesh: trimesh.Trimesh,
    axis: int,
    sign: int,
    samples: list[Sample],
    kinds: list[Kind],
    run: tuple[int, int],
    base_k: int,
    fin_k: int,
    tip_k: int,
    edges: tuple[int, bool, bool],
    tol: float,
) -> PlateFinGeometry:
    """Exact dimensions of a plate-fin sink whose fins (run of samples) sit on the base at ``base_k``; ``edges``
    says how many sections beyond ``tip_k`` hold only taller outer fins (:func:`_edge_sections`)."""
    lo_b, hi_b = (float(x) for x in mesh.bounds[:, axis])
    base_far, bound_tip = (lo_b, hi_b) if sign > 0 else (hi_b, lo_b)
    base_top = _face_level(mesh, axis, sign, (samples[base_k].height, samples[fin_k].height),
                           samples[fin_k].height, tol)
    notes = []
    tip = bound_tip
    if edges[0]:
        inner = (samples[tip_k].height, samples[tip_k + sign].height)
        tip = _face_level(mesh, axis, sign, inner, samples[tip_k].height, tol)
        which = "both outer fins rise" if edges[1] and edges[2] else "one outer fin rises"
        notes.append(f"{which} {abs(bound_tip - tip):.4g} mm above the others (to {abs(bound_tip - base_top):.4g} "
                     f"mm): the bank is taken with the inner fins' height, {abs(tip - base_top):.4g} mm")
    fin_height = abs(tip - base_top)
    underside, below = _plate_and_below(mesh, axis, sign, samples, base_k, base_far, tol)
    base_thickness = abs(base_top - underside)

    # fins measured at the run's plain fin section nearest mid fin height
    mid = 0.5 * (base_top + tip)
    i, j = run
    k = min((q for q in range(i, j + 1) if kinds[q].kind == "fins"), key=lambda q: abs(samples[q].height - mid))
    rows = kinds[k].fin_rows
    fin_lo, fin_hi, joined = _fins_of(rows)
    thick = fin_hi - fin_lo
    gaps = fin_lo[1:] - fin_hi[:-1]
    if joined:
        notes.append(joined)
    u, v = in_plane_axes(axis)
    d_axis, c_axis = (u, v)[rows.d], (u, v)[1 - rows.d]
    crossed = sum(samples[q].hi - samples[q].lo for q in range(i, j + 1) if kinds[q].kind == "pierced")
    if crossed:
        notes.append(f"the fins are crossed by pipes or their holes over {crossed:.3g} mm of their height: "
                     "read as fins, not as a base")

    fmin, fmax = _footprint(mesh, axis, underside, base_top, tol)
    base_length, base_width = float(fmax[d_axis] - fmin[d_axis]), float(fmax[c_axis] - fmin[c_axis])

    bank_lo, bank_hi = np.zeros(3), np.zeros(3)
    bank_lo[d_axis], bank_hi[d_axis] = float(rows.d_lo.min()), float(rows.d_hi.max())
    bank_lo[c_axis], bank_hi[c_axis] = float(rows.c_lo[0]), float(rows.c_hi[-1])
    bank_lo[axis], bank_hi[axis] = sorted((base_top, tip))
    length, width = float(bank_hi[d_axis] - bank_lo[d_axis]), float(bank_hi[c_axis] - bank_lo[c_axis])
    if length < 0.9 * base_length or width < 0.9 * base_width:
        notes.append(f"the fin bank covers {width:.4g} x {length:.4g} mm of the {base_width:.4g} x "
                     f"{base_length:.4g} mm base plate (across x along the flow): the bank's size is used")
    notes += _below_notes(below, base_thickness)

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
        length=length,
        width=width,
        fin_length=float((rows.d_hi - rows.d_lo).max()),
        fin_array_width=float(rows.c_hi[-1] - rows.c_lo[0]),
        flow_axis=AXES[d_axis],
        base_normal=("+" if sign > 0 else "-") + AXES[axis],
        fin_centres=tuple(float(x) for x in 0.5 * (fin_lo + fin_hi)),
        base_bounds=(_triple(fmin), _triple(fmax)),
        base_length=base_length,
        base_width=base_width,
        bank_bounds=(_triple(bank_lo), _triple(bank_hi)),
        below_base=below,
        notes=tuple(notes),
    )


def recognise_heatsink(sections: Sections) -> PlateFinGeometry | PinFinGeometry | NotRecognised:
    """Recognise a straight plate-fin or a cylindrical pin-fin heat sink on an axis-aligned mesh in millimetres
    (once per ``sections``: the single recognition of a part).

    Each axis is tried as the base normal: sections parallel to the base at the middles of the gaps between
    vertex heights are classified (parallel fin strips, many pieces = pins, one solid = base). A run of fin
    sections with a solid base section at exactly one end is a plate-fin sink; its fins point away from the
    base. The channel floor (base top) is the vertex level with the most face area facing the fins, the fin
    tips are the mesh bound on the fin side. A run of pin sections on a base is a pin-fin sink when its pins
    are round and on an in-line or staggered grid (:func:`~.pinfins.read_pins`); the base is read as for
    plate fins.
    """
    return sections.derived("heatsink", lambda: _recognise(sections), _moved)


def recognise_plate_fin(sections: Sections) -> PlateFinGeometry | NotRecognised:
    """The plate-fin reading of :func:`recognise_heatsink`: a pin-fin sink is not recognised as a plate-fin
    one (its reason says it is a pin-fin sink)."""
    found = recognise_heatsink(sections)
    if isinstance(found, PinFinGeometry):
        return NotRecognised(f"pin-fin: {found.pin_count} round pins on a base normal to {found.base_normal[1]} "
                             "(a pin-fin heat sink, not plate fins)")
    return found


def _moved(result: PlateFinGeometry | PinFinGeometry | NotRecognised, offset: np.ndarray
           ) -> PlateFinGeometry | PinFinGeometry | NotRecognised:
    """The same sink translated by ``offset`` [mm] (a twin's result)."""
    if isinstance(result, PinFinGeometry):
        d, c = "xyz".index(result.flow_axis), 3 - "xyz".index(result.flow_axis) - "xyz".index(result.base_normal[1])
        lo, hi = (_triple(np.asarray(b) + offset) for b in result.base_bounds)
        blo, bhi = (_triple(np.asarray(b) + offset) for b in result.bank_bounds)
        return replace(result, pin_centres=tuple((a + float(offset[d]), b + float(offset[c]))
                                                 for a, b in result.pin_centres),
                       base_bounds=(lo, hi), bank_bounds=(blo, bhi),
                       below_base=tuple(replace(x, bounds=(_triple(np.asarray(x.bounds[0]) + offset),
                                                           _triple(np.asarray(x.bounds[1]) + offset)))
                                        for x in result.below_base))
    if not isinstance(result, PlateFinGeometry):
        return result
    across = 3 - "xyz".index(result.flow_axis) - "xyz".index(result.base_normal[1])

    def shift(bounds: Bounds) -> Bounds:
        lo, hi = (_triple(np.asarray(b) + offset) for b in bounds)
        return lo, hi

    return replace(result, fin_centres=tuple(float(c + offset[across]) for c in result.fin_centres),
                   base_bounds=shift(result.base_bounds), bank_bounds=shift(result.bank_bounds),
                   below_base=tuple(replace(b, bounds=shift(b.bounds)) for b in result.below_base))


def _recognise(sections: Sections) -> PlateFinGeometry | PinFinGeometry | NotRecognised:
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
