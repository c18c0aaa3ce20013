"""Pairs of parts: which may touch, what gap each pair needs, and what the geometry says about each pair.

Measured once per assembly (:func:`analyse_pairs`) and shared by the interference (D101), clearance (D201)
and contact (D103) rules. Pairs are pruned with bounding boxes inflated by the pair's required gap before
any exact query, and exact queries only look at triangles near the other part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..geometry.proximity import Gap, Overlap, boxes_overlap, minimum_gap, overlap_volume
from ..load.design import Design
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

    @property
    def interferes(self) -> bool:
        return self.gap.distance <= TOUCH_MM and self.overlap is not None and self.overlap.volume > VOLUME_EPS_MM3

    @property
    def touching(self) -> bool:
        return self.gap.distance <= TOUCH_MM and not self.interferes

    @property
    def status(self) -> str:
        """"interference" (overlap), "contact" (a declared contact touching), "clearance" (closer than required,
        or touching without a declared contact) or "clear"."""
        if self.interferes:
            return "interference"
        if self.gap.distance <= TOUCH_MM:
            return "contact" if self.contact else "clearance"
        return "clearance" if self.gap.distance < self.required.minimum else "clear"


def is_contact(design: Design, a: Part, b: Part) -> bool:
    """Is the pair declared in ``contacts`` (by part names or roles, either order)?"""
    return any((a.selected_by(x) and b.selected_by(y)) or (b.selected_by(x) and a.selected_by(y))
               for x, y, _ in design.contacts)


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
    """When one part's box lies inside the other's and both are closed: the shared volume, if any."""
    a_in_b = np.all(a.bounds[0] >= b.bounds[0]) and np.all(a.bounds[1] <= b.bounds[1])
    b_in_a = np.all(b.bounds[0] >= a.bounds[0]) and np.all(b.bounds[1] <= a.bounds[1])
    if not (a_in_b or b_in_a) or a.solid is None or b.solid is None:
        return None
    overlap = overlap_volume(a.solid, b.solid)
    if overlap.volume <= VOLUME_EPS_MM3:
        return None
    centre = tuple(float(v) for v in (np.asarray(overlap.bounds[0]) + np.asarray(overlap.bounds[1])) / 2)
    return Gap(0.0, centre, centre), overlap  # type: ignore[arg-type]


def analyse_pairs(assembly: Assembly, progress: Callable[[str], None] | None = None) -> tuple[PairResult, ...]:
    """Every pair of parts within its reach (the larger of :data:`REPORT_REACH_MM` and twice its required gap),
    or touching, with gap, points and overlap; the rules judge them against their required gaps."""
    parts = assembly.parts
    design = assembly.design
    n = len(parts)
    if n < 2:
        return ()
    required = np.zeros((n, n))
    reqs: dict[tuple[int, int], Requirement] = {}
    for i in range(n):
        for j in range(i + 1, n):
            reqs[i, j] = requirement(design, parts[i], parts[j])
            required[i, j] = required[j, i] = reqs[i, j].minimum
    bounds = np.stack([p.bounds for p in parts])
    inflation = np.maximum(REPORT_REACH_MM, 2.0 * required) + TOUCH_MM
    results = []
    candidates = boxes_overlap(bounds, inflation)
    for count, (i, j) in enumerate(candidates, start=1):
        if progress:
            progress(f"pairs: {count}/{len(candidates)} near each other ({n * (n - 1) // 2} in all)")
        a, b = parts[i], parts[j]
        reach = inflation[i, j]
        low = np.maximum(a.bounds[0], b.bounds[0]) - reach
        high = np.minimum(a.bounds[1], b.bounds[1]) + reach
        gap = minimum_gap(a.mesh, a.triangle_boxes, b.mesh, b.triangle_boxes, np.array([low, high]))
        if gap is None or gap.distance > TOUCH_MM:
            # surfaces apart: either disjoint, or one closed part wholly inside the other
            inside = _contained(a, b)
            if inside is not None:
                results.append(PairResult(a=a.name, b=b.name, contact=is_contact(design, a, b), required=reqs[i, j],
                                          gap=inside[0], overlap=inside[1], measurable=True))
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
        results.append(PairResult(a=a.name, b=b.name, contact=is_contact(design, a, b), required=reqs[i, j],
                                  gap=gap, overlap=overlap, measurable=overlap is not None))
    return tuple(results)
