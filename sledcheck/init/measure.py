"""Every pair of units within reach measured as check measures it (meshes, then the exact B-rep)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..geometry.proximity import Overlap, boxes_near, minimum_gap, overlap_volume, penetration_depth
from ..load.exact import ExactQuery, ExactSide, exact_gaps
from ..model.pairs import TOUCH_MM, VOLUME_EPS_MM3
from .entries import EntryBuilder
from .model import Pair, Unit, required_gap
from .settings import _NO_OVERLAP, FIT_REACH_MM, REACH_MM


class PairMeasure(EntryBuilder):
    """Pairs of units measured."""

    def _measure(self) -> dict[tuple[int, int], Pair]:
        """Every pair of units within REACH_MM: gap and overlap, as ``check`` measures them (meshes, then the
        exact B-rep for the pairs within the tessellation error of a limit)."""
        units = self.units_list
        if len(units) < 2:
            return {}
        pairs: dict[tuple[int, int], Pair] = {}
        for i, j in boxes_near(self.all_bounds, REACH_MM + TOUCH_MM).tolist():
            a, b = units[int(i)], units[int(j)]
            low = np.maximum(a.bounds[0], b.bounds[0]) - REACH_MM - TOUCH_MM
            high = np.minimum(a.bounds[1], b.bounds[1]) + REACH_MM + TOUCH_MM
            gap = minimum_gap(a.mesh, a.boxes, b.mesh, b.boxes, np.array([low, high]))
            if gap is None or gap.distance > TOUCH_MM:
                inside = self._contained(a, b)
                if inside is not None:
                    pairs[(a.index, b.index)] = Pair(a.index, b.index, 0.0, inside)
                    continue
            if gap is None or gap.distance > REACH_MM:
                continue
            overlap: Overlap | None = None
            if gap.distance > TOUCH_MM:
                overlap = _NO_OVERLAP
            elif a.health.closed and b.health.closed:
                shared = np.minimum(a.bounds[1], b.bounds[1]) - np.maximum(a.bounds[0], b.bounds[0])
                if shared.min() <= TOUCH_MM:
                    overlap = _NO_OVERLAP          # boxes meet in a face: a seated contact
                elif a.solid is not None and b.solid is not None:
                    overlap = overlap_volume(a.solid, b.solid)
                    if overlap.volume > VOLUME_EPS_MM3:   # how deep: what a suggested press fit's range needs
                        overlap = replace(overlap, penetration=penetration_depth(a.solid, b.solid, a.mesh, b.mesh))
            pairs[(a.index, b.index)] = Pair(a.index, b.index, float(gap.distance), overlap)
        return self._refine(pairs)

    def _refine(self, pairs: dict[tuple[int, int], Pair]) -> dict[tuple[int, int], Pair]:
        """The pairs of STEP units whose mesh answer is within the chord error of touching, of the clearance or
        of a fastener's fit reach, measured again on the exact B-rep (as ``check`` does); a failed query keeps
        the mesh value. Pairs that touch without overlap on the meshes are contacts to be, and ``check`` does
        not measure a declared contact that touches again, so neither does init (unless a fastener's fit
        judges the pair)."""
        units = self.units_list
        chosen = []
        for key, pair in pairs.items():
            a, b = units[pair.a], units[pair.b]
            chord = a.chord + b.chord
            if chord <= 0 or not a.breps or not b.breps:
                continue
            if pair.touching and "fastener" not in (a.role, b.role):
                continue   # a contact to be: check does not measure a touching contact again either
            near = chord + TOUCH_MM
            value = pair.gap if pair.gap > TOUCH_MM else -(pair.overlap.depth if pair.overlaps and pair.overlap
                                                           else 0.0)
            limit = max(required_gap(a.role, b.role), FIT_REACH_MM if "fastener" in (a.role, b.role) else 0.0)
            if value <= limit + near or abs(value) <= near:
                chosen.append(key)
        if not chosen:
            return pairs
        queries = [ExactQuery(ExactSide(units[pairs[k].a].breps), ExactSide(units[pairs[k].b].breps), overlap=True)
                   for k in chosen]
        out = dict(pairs)
        for key, exact in zip(chosen, exact_gaps(queries), strict=True):
            pair = pairs[key]
            if not exact.ok or exact.distance_mm is None:
                continue
            if exact.distance_mm > TOUCH_MM:
                out[key] = replace(pair, gap=exact.distance_mm, overlap=_NO_OVERLAP, exact=True)
            elif exact.overlap_mm3 is not None:   # (not measured on the B-rep: the mesh answer stands)
                mesh = pair.overlap
                bounds = mesh.bounds if mesh is not None else _NO_OVERLAP.bounds
                out[key] = replace(pair, gap=0.0, overlap=Overlap(exact.overlap_mm3, bounds,
                                                                  mesh.penetration if mesh else None), exact=True)
        return out

    def _gap(self, a: Unit, b: Unit) -> float:
        """The exact minimum gap between two units, however far apart [mm]."""
        pair = self.pair(a, b)
        if pair is not None:
            return pair.gap
        region = np.array([np.minimum(a.bounds[0], b.bounds[0]), np.maximum(a.bounds[1], b.bounds[1])])
        gap = minimum_gap(a.mesh, a.boxes, b.mesh, b.boxes, region)
        return float(gap.distance) if gap is not None else float("inf")

    @staticmethod
    def _contained(a: Unit, b: Unit) -> Overlap | None:
        """When one closed unit's box lies inside the other's: their shared volume, if any."""
        a_in_b = np.all(a.bounds[0] >= b.bounds[0]) and np.all(a.bounds[1] <= b.bounds[1])
        b_in_a = np.all(b.bounds[0] >= a.bounds[0]) and np.all(b.bounds[1] <= a.bounds[1])
        if not (a_in_b or b_in_a) or a.solid is None or b.solid is None:
            return None
        found = overlap_volume(a.solid, b.solid)
        return found if found.volume > VOLUME_EPS_MM3 else None

    def pair(self, a: Unit, b: Unit) -> Pair | None:
        return self.pairs.get((min(a.index, b.index), max(a.index, b.index)))

    def fit_eligible(self, pair: Pair) -> bool:
        """A fastener within FIT_REACH_MM of a part that is not a fastener, without overlap."""
        roles = {self.units_list[pair.a].role, self.units_list[pair.b].role}
        return ("fastener" in roles and len(roles) == 2 and pair.gap <= FIT_REACH_MM and not pair.overlaps
                and pair.overlap is not None)

    def close(self, pair: Pair) -> bool:
        """Closer than the clearance written for it (touching and overlapping included)."""
        return pair.gap < required_gap(self.units_list[pair.a].role, self.units_list[pair.b].role)
