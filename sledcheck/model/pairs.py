"""Pairs of parts: which may touch, what gap each pair needs, and what the geometry says about each pair.

Measured once per assembly (:func:`analyse_pairs`) and shared by the interference (D101), clearance (D201)
and contact (D103) rules. Pairs are pruned with bounding boxes inflated by the pair's required gap before
any exact query, and exact queries only look at triangles near the other part. Pairs of STEP parts whose mesh
answer lies within the tessellation error of a limit are measured again on the exact B-rep
(:func:`refine_exact`). Declared fits (a screw in a clearance hole, a press fit, a pad) judge their pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..geometry.proximity import (
    Gap,
    Overlap,
    boxes_near,
    minimum_gap,
    overlap_volume,
    penetration_depth,
    winding_numbers,
)
from ..load.design import Design, Fit
from ..load.exact import ExactQuery, ExactSide, exact_gaps
from .assembly import Assembly, Part

#: Two surfaces closer than this are touching [mm] (float32 STL coordinates near 1 m resolve ~0.06 um).
TOUCH_MM = 1e-3
#: Shared volume below this is numerical noise of touching faces, not interference [mm^3].
VOLUME_EPS_MM3 = 1e-3
#: Pairs are measured (and reported in the JSON ``gaps``, passing or not) when they come within this distance
#: or twice their required gap, whichever is larger [mm].
REPORT_REACH_MM = 2.0


@dataclass(frozen=True)
class Requirement:
    """The minimum gap a pair needs [mm], and the design line of the clearance entry that set it (0 if none)."""

    minimum: float
    line: int
    index: int | None


@dataclass(frozen=True)
class PairResult:
    """What the geometry says about two parts that came within their required gap of each other."""

    a: str
    b: str
    contact: bool              # declared as allowed to touch
    required: Requirement
    gap: Gap                   # distance 0: touching or overlapping
    overlap: Overlap | None    # None when either part is not closed (not measurable)
    measurable: bool
    fit: Fit | None = None     # the declared fit between the two, if any
    exact: str = "mesh"        # "brep": gap (and overlap) measured on the exact B-rep; "mesh": on the meshes
    chord_mm: float = 0.0      # how far the meshes may be from the exact surfaces, both parts together [mm]
    exact_failed: str = ""     # why the exact measurement this pair needed failed ('' when it did not)

    @property
    def interferes(self) -> bool:
        return self.gap.distance <= TOUCH_MM and self.overlap is not None and self.overlap.volume > VOLUME_EPS_MM3

    @property
    def touching(self) -> bool:
        return self.gap.distance <= TOUCH_MM and not self.interferes

    @property
    def fit_depth(self) -> float:
        """How far the parts press into each other [mm]: the overlap depth, or minus the gap when apart."""
        if self.interferes:
            assert self.overlap is not None
            return self.overlap.depth
        return -self.gap.distance

    @property
    def fit_verdict(self) -> str | None:
        """For a declared fit: "fit" (as declared), "interference" (an overlap it does not allow, or deeper than
        its range), "loose" (a press fit or pad with less overlap than its range) or "unmeasured" (touching or
        overlapping where a part is not closed); None without a fit."""
        if self.fit is None:
            return None
        if self.gap.distance <= TOUCH_MM and not self.measurable:
            return "unmeasured"          # touching or overlapping, and a part is not closed: never a pass
        if self.fit.range_mm is None:   # a clearance hole: may come close, never overlap
            return "interference" if self.interferes else "fit"
        low, high = self.fit.range_mm
        slack = TOUCH_MM                # the mesh's own error is not given to the fit: no wrong pass
        if self.fit_depth > high + slack:
            return "interference"
        return "loose" if self.fit_depth < low - slack else "fit"

    @property
    def status(self) -> str:
        """"interference" (overlap), "contact" (a declared contact touching), "fit" (as a declared fit allows),
        "clearance" (closer than required, touching without a declared contact, or a loose press fit) or
        "clear"."""
        verdict = self.fit_verdict
        if verdict is not None:
            return {"fit": "fit", "interference": "interference", "loose": "clearance",
                    "unmeasured": "clearance"}[verdict]
        if self.interferes:
            return "interference"
        if self.gap.distance <= TOUCH_MM:
            return "contact" if self.contact else "clearance"
        return "clearance" if self.gap.distance < self.required.minimum else "clear"


def is_contact(design: Design, a: Part, b: Part) -> bool:
    """Is the pair declared in ``contacts`` (by part names or roles, either order)?"""
    return any((a.selected_by(x) and b.selected_by(y)) or (b.selected_by(x) and a.selected_by(y))
               for x, y, _ in design.contacts)


def fit_for(design: Design, a: Part, b: Part) -> Fit | None:
    """The most specific declared fit between the pair, as for clearances: part names (2 each) beat entry
    names and roles (1 each); among equals the first."""
    best: tuple[int, Fit | None] = (-1, None)
    for fit in design.fits:
        x, y = fit.between
        for first, second in ((a, b), (b, a)):
            if first.selected_by(x) and second.selected_by(y):
                score = (2 if x == first.name else 1) + (2 if y == second.name else 1)
                if score > best[0]:
                    best = (score, fit)
    return best[1]


def requirement(design: Design, a: Part, b: Part) -> Requirement:
    """The most specific clearance entry for the pair: part names (2 each) beat roles (1 each) beat the default.

    Among equally specific entries the largest minimum wins (the conservative reading).
    """
    best: tuple[int, float, int, int | None] = (-1, 0.0, 0, None)
    for index, entry in enumerate(design.clearances):
        if entry.between:
            x, y = entry.between
            score = -1
            for first, second in ((a, b), (b, a)):
                if first.selected_by(x) and second.selected_by(y):
                    score = max(score, (2 if x == first.name else 1) + (2 if y == second.name else 1))
            if score < 0:
                continue
        else:
            score = 0
        minimum = entry.minimum_mm
        if (score, minimum) > best[:2]:
            best = (score, minimum, entry.line, index)
    return Requirement(minimum=max(best[1], 0.0), line=best[2], index=best[3])


def _contained(a: Part, b: Part) -> tuple[Gap, Overlap] | None:
    """When one part's box lies inside the other's, both are closed and their surfaces do not meet: the shared
    volume, if any. Measured with manifold3d only when :func:`may_nest` finds a shell of one inside the other
    (the surfaces being apart, nothing else can share volume)."""
    a_in_b = np.all(a.bounds[0] >= b.bounds[0]) and np.all(a.bounds[1] <= b.bounds[1])
    b_in_a = np.all(b.bounds[0] >= a.bounds[0]) and np.all(b.bounds[1] <= a.bounds[1])
    if not (a_in_b or b_in_a) or not (a.health.closed and b.health.closed):
        return None
    if not (may_nest(a, b) or may_nest(b, a)) or a.solid is None or b.solid is None:
        return None
    overlap = overlap_volume(a.solid, b.solid)
    if overlap.volume <= VOLUME_EPS_MM3:
        return None
    centre = tuple(float(v) for v in (np.asarray(overlap.bounds[0]) + np.asarray(overlap.bounds[1])) / 2)
    return Gap(0.0, centre, centre), overlap  # type: ignore[arg-type]


def may_nest(inner: Part, outer: Part) -> bool:
    """Can a shell of ``inner`` lie inside the closed ``outer``, given that their surfaces do not meet? Each
    shell's surface is connected and crosses no surface of ``outer``, so it lies wholly inside or wholly outside
    it, and one vertex of it decides (:func:`winding_numbers`); shells whose boxes leave ``outer``'s box are
    outside. If no shell of either part is inside the other, the closed solids share no volume: a region both
    enclose would be bounded by pieces of their surfaces, each then inside the other part. True when unsure."""
    shells = inner.shells
    lo, hi = outer.bounds
    within = np.all((shells.boxes[:, 0] >= lo) & (shells.boxes[:, 1] <= hi), axis=1)
    if not within.any():
        return False
    winding = winding_numbers(shells.points[within], outer.mesh.vertices, outer.mesh.faces, outer.triangle_boxes)
    return winding is None or bool(np.any(winding != 0))


def analyse_pairs(assembly: Assembly, progress: Callable[[str], None] | None = None) -> tuple[PairResult, ...]:
    """Every pair of parts within its reach (the larger of :data:`REPORT_REACH_MM` and twice its required gap),
    or touching, with gap, points and overlap; the rules judge them against their required gaps."""
    parts = assembly.parts
    design = assembly.design
    n = len(parts)
    if n < 2:
        return ()
    # prune with the widest reach any pair can have, then judge each candidate by its own requirement
    widest = max([REPORT_REACH_MM] + [2.0 * c.minimum_mm for c in design.clearances]) + TOUCH_MM
    bounds = np.stack([p.bounds for p in parts])
    candidates = boxes_near(bounds, widest)
    quick = design.tolerances is None   # tolerance stacks follow every pair's closest points
    results = []
    lo_i, hi_i = bounds[candidates[:, 0], 0], bounds[candidates[:, 0], 1]
    lo_j, hi_j = bounds[candidates[:, 1], 0], bounds[candidates[:, 1], 1]
    box_gap = np.max(np.maximum(lo_i - hi_j, lo_j - hi_i), axis=1).tolist()   # per candidate [mm]
    # one box inside the other: the only pairs :func:`_contained` can answer
    nested = (np.all((lo_i >= lo_j) & (hi_i <= hi_j), axis=1)
              | np.all((lo_j >= lo_i) & (hi_j <= hi_i), axis=1)).tolist()
    for count, (i, j) in enumerate(candidates.tolist(), start=1):
        if progress:
            progress(f"pairs: {count}/{len(candidates)} near each other ({n * (n - 1) // 2} in all)")
        need = requirement(design, parts[i], parts[j])
        reach = max(REPORT_REACH_MM, 2.0 * need.minimum) + TOUCH_MM
        if box_gap[count - 1] > reach:
            continue
        a, b = parts[i], parts[j]
        low = np.maximum(a.bounds[0], b.bounds[0]) - reach
        high = np.minimum(a.bounds[1], b.bounds[1]) + reach
        region = np.array([low, high])
        gap = minimum_gap(a.mesh, a.triangle_boxes, b.mesh, b.triangle_boxes, region, small_whole=quick)
        chord = _chord(a, b)
        again = quick and gap is not None and _at_limit(gap.distance, need.minimum, reach, chord)
        if again:
            gap = minimum_gap(a.mesh, a.triangle_boxes, b.mesh, b.triangle_boxes, region)
        whole = quick and not again   # the gap came from the quick query
        if (gap is None or gap.distance > TOUCH_MM) and nested[count - 1]:
            # surfaces apart: either disjoint, or one closed part wholly inside the other
            inside = _contained(a, b)
            if inside is not None:
                results.append(PairResult(a=a.name, b=b.name, contact=is_contact(design, a, b), required=need,
                                          gap=inside[0], overlap=inside[1], measurable=True,
                                          fit=fit_for(design, a, b), chord_mm=_chord(a, b)))
                continue
        if gap is None or gap.distance > reach:
            continue
        overlap = None
        if gap.distance <= TOUCH_MM and a.health.closed and b.health.closed:
            shared = np.minimum(a.bounds[1], b.bounds[1]) - np.maximum(a.bounds[0], b.bounds[0])
            if shared.min() <= TOUCH_MM:   # boxes meet in a face: no volume can be shared (a seated contact)
                overlap = Overlap(0.0, ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0)))
            elif a.solid is not None and b.solid is not None:
                overlap = overlap_volume(a.solid, b.solid)
        contact, fit = is_contact(design, a, b), fit_for(design, a, b)
        if whole and _points_shown(gap.distance, need.minimum, chord, contact, fit, overlap is not None):
            gap = minimum_gap(a.mesh, a.triangle_boxes, b.mesh, b.triangle_boxes, region)
            assert gap is not None
        results.append(PairResult(a=a.name, b=b.name, contact=contact, required=need, gap=gap, overlap=overlap,
                                  measurable=overlap is not None, fit=fit, chord_mm=chord))
    return tuple(refine_exact(assembly, _with_penetration(assembly, results), progress))


#: a quick gap this close to a limit is measured again on the region's triangles [mm] (float64 distances of the
#: same closest triangles differ by ~1e-13 mm)
LIMIT_SLACK_MM = 1e-6


def _at_limit(distance_mm: float, required_mm: float, reach_mm: float, chord_mm: float) -> bool:
    """Is a quick gap (:func:`minimum_gap` with ``small_whole``) within :data:`LIMIT_SLACK_MM` of a distance
    a decision turns on (touching, the pair's reach, its required gap, that plus the chord error)? Such gaps
    are measured again as they always were, so every decision is the same."""
    slack = LIMIT_SLACK_MM
    return (abs(distance_mm - TOUCH_MM) <= slack or abs(distance_mm - reach_mm) <= slack
            or abs(distance_mm - required_mm) <= slack
            or abs(distance_mm - max(required_mm, TOUCH_MM) - chord_mm) <= slack)


def _points_shown(distance_mm: float, required_mm: float, chord_mm: float, contact: bool, fit: Fit | None,
                  measurable: bool) -> bool:
    """Can the pair's closest points reach a finding? D101 shows them for a touch it cannot measure, D201 for
    a touch or a shortfall of a pair that is neither a declared contact nor a fit (also when a failed exact
    measurement takes the chord error off the gap). Such pairs are measured again on the region's triangles
    only, as they always were, so the points shown are the same (where many point pairs are closest, FCL may
    pick another with more triangles); a clear pair's points are never shown, and designs with tolerances,
    whose stacks follow every pair's points, never take the quick query."""
    if distance_mm <= TOUCH_MM and not measurable:
        return True
    return not contact and fit is None and distance_mm < max(required_mm, TOUCH_MM) + chord_mm + LIMIT_SLACK_MM


def _with_penetration(assembly: Assembly, pairs: list[PairResult]) -> list[PairResult]:
    """Fit pairs that overlap get the depth of their deepest point (what a fit's range and its message are
    about); measured only there, since it samples the shared region."""
    out = []
    for pair in pairs:
        if pair.fit is not None and pair.interferes and pair.overlap is not None:
            a, b = assembly.part(pair.a), assembly.part(pair.b)
            if a.solid is not None and b.solid is not None:
                depth = penetration_depth(a.solid, b.solid, a.mesh, b.mesh)
                pair = replace(pair, overlap=replace(pair.overlap, penetration=depth))
        out.append(pair)
    return out


def _disagreement(pair: PairResult, exact_mm: float) -> str:
    """Why an exact distance cannot belong to the meshes measured ('' when it can): the mesh lies within the
    chord error of the exact surface, so the two distances differ by at most the chord errors of both parts."""
    mesh_mm = pair.gap.distance if pair.gap.distance > TOUCH_MM else 0.0
    if pair.interferes and exact_mm > pair.chord_mm + TOUCH_MM:
        return f"the B-rep says {exact_mm:.3f} mm apart where the meshes overlap"
    if abs(exact_mm - mesh_mm) > pair.chord_mm + 10 * TOUCH_MM and not pair.interferes:
        return f"the B-rep distance {exact_mm:.4f} mm is not within the chord error of the mesh's {mesh_mm:.4f} mm"
    return ""


def _chord(a: Part, b: Part) -> float:
    return (a.chord_error_mm or 0.0) + (b.chord_error_mm or 0.0)


def needs_exact(pair: PairResult) -> bool:
    """Is the mesh answer below the pair's required gap or within the tessellation error of it, of touching,
    or of a declared fit's range? (Far from every limit, the chord error cannot change the verdict.)"""
    if pair.chord_mm <= 0 or (pair.contact and pair.fit is None and pair.touching):
        return False   # a declared contact that touches without overlap is what it should be
    near = pair.chord_mm + TOUCH_MM
    depth = pair.overlap.depth if pair.interferes and pair.overlap is not None else 0.0
    value = pair.gap.distance if pair.gap.distance > TOUCH_MM else -depth
    if value <= pair.required.minimum + near or abs(value) <= near:
        return True
    return pair.fit is not None and pair.fit.range_mm is not None and any(
        abs(-value - edge) <= near for edge in pair.fit.range_mm)


def refine_exact(assembly: Assembly, pairs: list[PairResult],
                 progress: Callable[[str], None] | None = None) -> list[PairResult]:
    """Measure again on the exact B-rep (OpenCASCADE) the pairs of STEP parts whose mesh answer is within the
    tessellation error of a limit (:func:`needs_exact`); the others, and any the exact query fails on, keep
    their mesh values."""
    chosen = [k for k, pair in enumerate(pairs) if needs_exact(pair) and assembly.part(pair.a).breps
              and assembly.part(pair.b).breps]
    if not chosen:
        return pairs
    if progress:
        progress(f"exact gaps: {len(chosen)} pairs within the tessellation error of a limit")
    queries = [ExactQuery(ExactSide(assembly.part(pairs[k].a).breps), ExactSide(assembly.part(pairs[k].b).breps),
                          overlap=True) for k in chosen]
    out = list(pairs)
    for k, exact in zip(chosen, exact_gaps(queries), strict=True):
        pair = pairs[k]
        problem = exact.reason if not exact.ok or exact.distance_mm is None or exact.points_mm is None else \
            _disagreement(pair, exact.distance_mm)
        if problem:
            # no exact answer (or one that cannot be the same geometry): judge on the mesh, less its chord error,
            # so a failed exact measurement never turns a real shortfall into a pass
            if pair.gap.distance > TOUCH_MM:
                gap = Gap(max(pair.gap.distance - pair.chord_mm, 0.0), pair.gap.point_a, pair.gap.point_b)
                out[k] = replace(pair, gap=gap, exact_failed=problem)
            else:
                out[k] = replace(pair, exact_failed=problem)
            continue
        assert exact.distance_mm is not None and exact.points_mm is not None
        if exact.distance_mm > TOUCH_MM:
            gap, overlap = Gap(exact.distance_mm, *exact.points_mm), None
        else:
            mesh = pair.overlap
            if exact.overlap_mm3 is None or (exact.overlap_mm3 <= VOLUME_EPS_MM3 and pair.interferes
                                             and mesh is not None and mesh.depth > pair.chord_mm + TOUCH_MM):
                # touching on the B-rep, but its shared volume was not measured (a side is no solid, a boolean
                # failed) or contradicts a mesh overlap deeper than the chord error: the mesh answer stands
                out[k] = replace(pair, exact_failed=exact.reason or "the B-rep overlap contradicts the meshes'")
                continue
            bounds = mesh.bounds if mesh is not None else (exact.points_mm[0], exact.points_mm[0])
            gap = Gap(0.0, *exact.points_mm)
            overlap = Overlap(exact.overlap_mm3, bounds, mesh.penetration if mesh is not None else None)
        out[k] = replace(pair, gap=gap, overlap=overlap, measurable=True, exact="brep")
    return out
