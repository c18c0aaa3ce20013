"""D304: a part outside a design guide's 3-D keep-in volume (a pack's ``keepins:`` prism over a socket: rect or
outline and a z range, placed on a reference part or in sled coordinates). The excess is measured on the mesh:
a box's sides exactly (extreme vertices), a polygon's by the largest distance outside it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .engine import Finding, Rule
from .envelope import SPEC_VALUE_UNSET
from .evidence import Box, Evidence
from .mechanics import in_contact, overlap_xy

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading meshes or models
    import numpy as np
    import shapely

    from ..load.specs import KeepIn
    from ..model.assembly import Assembly, Part

KEEPIN_MIN_EXCESS_MM = 1e-4   # reaching a keep-in's boundary is not leaving it (as D301's min_depth)


def _r(value: float) -> float:
    return round(float(value), 6)


@dataclass(frozen=True)
class KeepInEvidence(Evidence):
    """A part reaching outside a keep-in volume: how far beyond each side it reaches [mm] (sides -x, +x, -y, +y,
    below, above; a polygon's horizontal excess is named by the direction it points), the volume's and the
    part's boxes [mm, sled coordinates] and the reference part the volume was placed on."""

    keepin: str
    pack: str
    reference: str | None
    excess_mm: tuple[tuple[str, float], ...]
    volume_mm: Box
    part_mm: Box

    def to_json(self) -> dict[str, Any]:
        return {"keepin": self.keepin, "pack": self.pack, "reference": self.reference,
                "excess_mm": {side: _r(v) for side, v in self.excess_mm},
                "volume_mm": [[_r(v) for v in self.volume_mm[0]], [_r(v) for v in self.volume_mm[1]]],
                "part_mm": [[_r(v) for v in self.part_mm[0]], [_r(v) for v in self.part_mm[1]]]}


def _reference(assembly: Assembly, volume: KeepIn, part: Part) -> Part | str:
    """The part ``volume`` is placed on for ``part``: among those ``relative_to`` selects, the one declared in
    contact with it, else the one whose box it overlaps most seen from above; a message when there is none."""
    candidates = [p for p in assembly.parts if p is not part and any(p.selected_by(t) for t in volume.relative_to)]
    if not candidates:
        return f"no part is selected by relative_to: {', '.join(volume.relative_to)}"
    touching = [p for p in candidates if in_contact(assembly, p, part)]
    if len(touching) == 1:
        return touching[0]
    pool = touching or candidates
    best = max(pool, key=lambda p: (overlap_xy(p, part), p.name))
    if overlap_xy(best, part) <= 0.0:
        return (f"none of the parts relative_to: {', '.join(volume.relative_to)} selects lies under it "
                f"({', '.join(sorted(p.name for p in candidates)[:5])})")
    return best


def _direction(vector: np.ndarray) -> str:
    """The side a horizontal offset points to, by its larger component: '+x', '-y', ..."""
    axis = 0 if abs(vector[0]) >= abs(vector[1]) else 1
    return ("+" if vector[axis] >= 0 else "-") + "xy"[axis]


def _polygon_excess(polygon: shapely.Polygon, part: Part) -> tuple[float, str]:
    """How far [mm] the part's footprint reaches outside ``polygon``, and towards which side.

    For a convex outline the distance to it is a convex function, so its maximum over the part is at a mesh
    vertex (exact). For a non-convex one the maximum can lie inside a face (a part spanning a notch), so the
    footprint (the union of the triangles seen from above) is tested against the outline grown by r (round
    joins: the exact offset, to 64 segments a quarter circle), bisected to 1e-6 mm."""
    import numpy as np
    import shapely

    vertices = np.asarray(part.mesh.vertices, float)
    if polygon.equals(polygon.convex_hull):
        points = shapely.points(vertices[:, :2])
        distance = shapely.distance(polygon, points)
        far = int(np.argmax(distance))
        if distance[far] <= 0.0:
            return 0.0, ""
        return float(distance[far]), _side_towards(polygon, points[far])
    triangles = vertices[np.asarray(part.mesh.faces)][:, :, :2]
    footprint = shapely.union_all(shapely.buffer(shapely.polygons(triangles), 1e-7))
    if polygon.covers(footprint):
        return 0.0, ""
    low, high = 0.0, float(np.sqrt(footprint.area)) + float(np.sqrt(polygon.area)) + 1.0
    while high - low > 1e-6:
        middle = (low + high) / 2
        if polygon.buffer(middle, quad_segs=64).covers(footprint):
            high = middle
        else:
            low = middle
    rest = footprint.difference(polygon.buffer(low, quad_segs=64))
    return high, _side_towards(polygon, rest.representative_point()) if not rest.is_empty else ""


def _side_towards(polygon: shapely.Polygon, point: shapely.Point) -> str:
    """The side of ``polygon`` a point outside it lies beyond: the direction from its nearest point."""
    import numpy as np
    import shapely

    (x0, y0), (x1, y1) = shapely.get_coordinates(shapely.shortest_line(polygon, point))
    return _direction(np.array([x1 - x0, y1 - y0]))


def _keepin_excess(volume: KeepIn, origin: tuple[float, float, float], part: Part
                   ) -> tuple[list[tuple[str, float]], Box]:
    """Each side of the volume (placed at ``origin`` [mm]) the part reaches beyond, and by how much [mm]
    (sides within :data:`KEEPIN_MIN_EXCESS_MM` left out); and the volume's box [mm]."""
    import shapely

    assert volume.outline is not None and volume.z is not None
    ox, oy, oz = origin
    outline = [(x + ox, y + oy) for x, y in volume.outline]
    polygon = shapely.Polygon(outline)
    x0, y0, x1, y1 = polygon.bounds
    z0, z1 = volume.z[0] + oz, volume.z[1] + oz
    lo, hi = part.bounds
    sides: list[tuple[str, float]] = []
    if volume.rect:   # an axis-aligned box: each side's excess is the part's extreme beyond it (a vertex: exact)
        sides += [("-x", x0 - float(lo[0])), ("+x", float(hi[0]) - x1), ("-y", y0 - float(lo[1])),
                  ("+y", float(hi[1]) - y1)]
    else:
        excess, side = _polygon_excess(polygon, part)
        sides.append((side or "outline", excess))
    sides += [("below", z0 - float(lo[2])), ("above", float(hi[2]) - z1)]
    box: Box = ((x0, y0, z0), (x1, y1, z1))
    return [(side, value) for side, value in sides if value > KEEPIN_MIN_EXCESS_MM], box


_SIDE_TEXT = {"-x": "its -x side", "+x": "its +x side", "-y": "its -y side", "+y": "its +y side",
              "below": "its bottom", "above": "its top"}


def _keepins(assembly: Assembly) -> Iterable[Finding]:
    from ..units import Q_

    for pack in assembly.design.specs:
        for volume in pack.keepins:
            held = [p for p in assembly.parts if any(p.selected_by(t) for t in volume.parts)]
            anchor = ("spec-line", pack.name, volume.line)
            if not held:
                continue
            if volume.outline is None:
                yield SPEC_VALUE_UNSET.finding(
                    f"{pack.name} keep-in '{volume.name}' has no geometry ({volume.note or volume.status}); "
                    f"{KEEPIN.code} {KEEPIN.name} was not checked for {', '.join(p.name for p in held)}",
                    anchor=anchor)
                continue
            for part in held:
                reference: Part | None = None
                origin = (0.0, 0.0, 0.0)
                if volume.relative_to:
                    found = _reference(assembly, volume, part)
                    if isinstance(found, str):
                        yield KEEPIN.finding(
                            f"{part.name}: {pack.name} keep-in '{volume.name}' could not be placed: {found}",
                            subjects=(part.name,), anchor=anchor, severity="warning")
                        continue
                    reference = found
                    rlo, rhi = reference.bounds
                    origin = (float(rlo[0] + rhi[0]) / 2, float(rlo[1] + rhi[1]) / 2, float(rhi[2]))
                sides, box = _keepin_excess(volume, origin, part)
                if not sides:
                    continue
                worst = max(value for _, value in sides)
                where = f"placed on {reference.name} ({reference.role}; x-y from its centre, z from its top " \
                        f"at {origin[2]:.2f} mm)" if reference is not None else "in sled coordinates"
                told = "; ".join(f"{value:.2f} mm beyond {_SIDE_TEXT.get(side, f'its outline (towards {side})')}"
                                 for side, value in sides)
                clause = f", {volume.clause}" if volume.clause else ""
                lo, hi = part.bounds
                yield KEEPIN.finding(
                    f"{part.name} ({part.role}) leaves {pack.name} keep-in '{volume.name}'{clause} ({where}): "
                    f"{told}", subjects=(part.name, reference.name) if reference is not None else (part.name,),
                    measured=Q_(worst, "mm"), limit=Q_(0, "mm"), anchor=anchor,
                    evidence=KeepInEvidence(keepin=volume.name, pack=pack.name,
                                            reference=reference.name if reference is not None else None,
                                            excess_mm=tuple(sides), volume_mm=box,
                                            part_mm=((float(lo[0]), float(lo[1]), float(lo[2])),
                                                     (float(hi[0]), float(hi[1]), float(hi[2])))))



KEEPIN = Rule(
    code="D304", name="keep-in", severity="error",
    summary="A part reaches outside the 3-D keep-in volume a design guide allows it (the space over its socket).",
    explanation="A pack's 'keepins:' entry is a prism (rect or outline, and a z range) that the parts it names "
                "must stay inside, placed on a reference part (relative_to: x-y from its bounding-box centre, z "
                "from its top; the one declared in contact, else the one under the part) or in sled coordinates. "
                "Each side the part's mesh reaches beyond is reported with how far; a box's sides exactly (the "
                "mesh's extreme vertices), a polygon's horizontal excess as the largest distance outside it. A "
                "keep-in that cannot be placed (no reference under the part) is a warning.",
    fix="Trim the part (fin height, base overhang) to the volume, or confirm the guide's volume.",
    check=_keepins, reports=("S101",), configured_by="specs: a pack with keepins: [{name, parts, relative_to, "
                                                     "rect | outline, z}]",
)

RULES = (KEEPIN,)
