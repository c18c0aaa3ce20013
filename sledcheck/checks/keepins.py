"""D304: a part outside a design guide's 3-D keep-in volume (a pack's ``keepins:`` prism over a socket: rect or
outline and a z range, placed on a reference part or in sled coordinates). On a reference the prism is drawn in
the reference's own frame: turned with it about z (:attr:`~sledcheck.model.assembly.Part.turn`), centred on its
bounding-box centre in that frame; a reference turned about x or y places no prism (a warning). The excess is
measured on the mesh: a box's sides exactly (extreme vertices projected on the reference's axes), a polygon's
by the largest distance outside it."""

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
    below, above, in the reference's frame; a polygon's horizontal excess is named by the direction it points),
    the volume's and the part's boxes [mm, sled coordinates; the volume's is the box around the turned prism],
    the reference part the volume was placed on, the reference's turn about z [deg] and the prism's outline
    [mm, sled coordinates, its corners in order]."""

    keepin: str
    pack: str
    reference: str | None
    excess_mm: tuple[tuple[str, float], ...]
    volume_mm: Box
    part_mm: Box
    turn_deg: float = 0.0
    outline_mm: tuple[tuple[float, float], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"keepin": self.keepin, "pack": self.pack, "reference": self.reference,
                "excess_mm": {side: _r(v) for side, v in self.excess_mm},
                "volume_mm": [[_r(v) for v in self.volume_mm[0]], [_r(v) for v in self.volume_mm[1]]],
                "part_mm": [[_r(v) for v in self.part_mm[0]], [_r(v) for v in self.part_mm[1]]],
                "turn_deg": _r(self.turn_deg), "outline_mm": [[_r(x), _r(y)] for x, y in self.outline_mm]}


@dataclass(frozen=True)
class Placed:
    """A keep-in placed for a part: its outline [mm, sled coordinates], z range [mm], the reference's own x-y
    axes in sled coordinates (``axes``: columns, a 2x2 orthogonal matrix; None for sled axes) and its turn about z
    [deg]; ``top_mm`` is where z is measured from (the reference's top, 0 in sled coordinates)."""

    outline: tuple[tuple[float, float], ...]
    z: tuple[float, float]
    centre: tuple[float, float]
    axes: np.ndarray | None
    turn_deg: float
    mirrored: bool
    top_mm: float

    @property
    def frame_text(self) -> str:
        """How side names are meant: '' in sled axes, else ' (the reference's frame, turned 90 deg)'."""
        if self.axes is None:
            return ""
        return f" (the reference's frame, turned {_deg(self.turn_deg)} deg{', mirrored' if self.mirrored else ''})"


def _deg(value: float) -> str:
    return f"{round(value, 4):g}"


def _placed(volume: KeepIn, reference: Part | None) -> Placed | str:
    """The keep-in placed on ``reference`` (in sled coordinates without one): its outline turned into the
    reference's own frame about the reference's bounding-box centre in that frame (x-y) and its top (z); a
    message when the reference's frame cannot carry it (tilted about x or y, or not known)."""
    import numpy as np

    assert volume.outline is not None and volume.z is not None
    if reference is None:
        return Placed(outline=volume.outline, z=volume.z, centre=(0.0, 0.0), axes=None, turn_deg=0.0,
                      mirrored=False, top_mm=0.0)
    turn = reference.turn
    rlo, rhi = reference.bounds
    if turn is None:
        return (f"{reference.name}'s bodies are drawn in frames turned differently from one another, so the frame "
                "the keep-in is drawn in is not known (pick the socket's body, not its sub-assembly)")
    if turn.tilted:
        how = ("upside down (turned 180 deg about x or y; an IDF component on the BOTTOM side is)"
               if turn.tilt_deg > 180.0 - 1e-6 else f"tilted {_deg(turn.tilt_deg)} deg about x or y")
        return (f"{reference.name} is {how}: the keep-in is drawn over an upright part (z up from its top), so "
                "it cannot be placed on it; check this part by hand or place the volume in sled coordinates")
    top = float(rhi[2])
    if turn.identity:   # sled axes: the bounding box is the own frame's (and the numbers are as they always were)
        ox, oy = float(rlo[0] + rhi[0]) / 2, float(rlo[1] + rhi[1]) / 2
        outline = tuple((x + ox, y + oy) for x, y in volume.outline)
        return Placed(outline=outline, z=(volume.z[0] + top, volume.z[1] + top), centre=(ox, oy), axes=None,
                      turn_deg=0.0, mirrored=False, top_mm=top)
    axes = np.array(turn.axes, float).T   # columns: the reference's own +x and +y in sled x-y
    own = np.asarray(reference.mesh.vertices, float)[:, :2] @ axes   # its vertices in its own x-y (axes^-1 = axes^T)
    centre = axes @ ((own.min(axis=0) + own.max(axis=0)) / 2)
    corners = np.asarray(volume.outline, float) @ axes.T + centre
    return Placed(outline=tuple((float(x), float(y)) for x, y in corners), z=(volume.z[0] + top, volume.z[1] + top),
                  centre=(float(centre[0]), float(centre[1])), axes=axes, turn_deg=turn.z_deg,
                  mirrored=turn.mirrored, top_mm=top)


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


def _direction(vector: np.ndarray, axes: np.ndarray | None = None) -> str:
    """The side a horizontal offset [sled x-y] points to, by its larger component along ``axes`` (the columns:
    the reference's own +x and +y; sled axes when None): '+x', '-y', ..."""
    if axes is not None:
        vector = vector @ axes
    axis = 0 if abs(vector[0]) >= abs(vector[1]) else 1
    return ("+" if vector[axis] >= 0 else "-") + "xy"[axis]


def _polygon_excess(polygon: shapely.Polygon, part: Part, axes: np.ndarray | None = None) -> tuple[float, str]:
    """How far [mm] the part's footprint reaches outside ``polygon`` (sled coordinates, turned with its
    reference), and towards which side (named along ``axes``, the reference's own x-y; sled axes when None).

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
        return float(distance[far]), _side_towards(polygon, points[far], axes)
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
    return high, _side_towards(polygon, rest.representative_point(), axes) if not rest.is_empty else ""


def _side_towards(polygon: shapely.Polygon, point: shapely.Point, axes: np.ndarray | None = None) -> str:
    """The side of ``polygon`` a point outside it lies beyond: the direction from its nearest point (along
    ``axes``, as :func:`_direction`)."""
    import numpy as np
    import shapely

    (x0, y0), (x1, y1) = shapely.get_coordinates(shapely.shortest_line(polygon, point))
    return _direction(np.array([x1 - x0, y1 - y0]), axes)


def _keepin_excess(volume: KeepIn, placed: Placed, part: Part) -> tuple[list[tuple[str, float]], Box]:
    """Each side of the placed volume the part reaches beyond, and by how much [mm] (sides within
    :data:`KEEPIN_MIN_EXCESS_MM` left out; a rect's sides in the reference's frame); and the box around the
    volume [mm, sled axes]."""
    import numpy as np
    import shapely

    polygon = shapely.Polygon(placed.outline)
    x0, y0, x1, y1 = polygon.bounds
    z0, z1 = placed.z
    lo, hi = part.bounds
    sides: list[tuple[str, float]] = []
    if volume.rect and placed.axes is None:   # an axis-aligned box: each side's excess is the part's extreme beyond
        sides += [("-x", x0 - float(lo[0])), ("+x", float(hi[0]) - x1), ("-y", y0 - float(lo[1])),   # it (exact)
                  ("+y", float(hi[1]) - y1)]
    elif volume.rect:   # a turned box is convex: its sides' excesses are the extreme vertices on its own axes
        assert volume.outline is not None and placed.axes is not None
        own_lo, own_hi = np.min(volume.outline, axis=0), np.max(volume.outline, axis=0)
        own = (np.asarray(part.mesh.vertices, float)[:, :2] - placed.centre) @ placed.axes
        low, high = own.min(axis=0), own.max(axis=0)
        sides += [("-x", float(own_lo[0] - low[0])), ("+x", float(high[0] - own_hi[0])),
                  ("-y", float(own_lo[1] - low[1])), ("+y", float(high[1] - own_hi[1]))]
    else:
        excess, side = _polygon_excess(polygon, part, placed.axes)
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
                if volume.relative_to:
                    found = _reference(assembly, volume, part)
                    if isinstance(found, str):
                        yield KEEPIN.finding(
                            f"{part.name}: {pack.name} keep-in '{volume.name}' could not be placed: {found}",
                            subjects=(part.name,), anchor=anchor, severity="warning")
                        continue
                    reference = found
                placed = _placed(volume, reference)
                if isinstance(placed, str):
                    assert reference is not None
                    yield KEEPIN.finding(
                        f"{part.name}: {pack.name} keep-in '{volume.name}' could not be placed: {placed}",
                        subjects=(part.name, reference.name), anchor=anchor, severity="warning")
                    continue
                sides, box = _keepin_excess(volume, placed, part)
                if not sides:
                    continue
                worst = max(value for _, value in sides)
                if reference is None:
                    where = "in sled coordinates"
                elif placed.axes is None:
                    where = f"placed on {reference.name} ({reference.role}; x-y from its centre, z from its top " \
                            f"at {placed.top_mm:.2f} mm)"
                else:
                    where = f"placed on {reference.name} ({reference.role}, turned {_deg(placed.turn_deg)} deg " \
                            f"about z; x-y from its centre in its own frame, z from its top at {placed.top_mm:.2f} mm)"
                frame = placed.frame_text
                told = "; ".join(
                    f"{value:.2f} mm beyond {_SIDE_TEXT.get(side, f'its outline (towards {side})')}"
                    + (frame if side not in ("below", "above") else "") for side, value in sides)
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
                                                     (float(hi[0]), float(hi[1]), float(hi[2]))),
                                            turn_deg=placed.turn_deg, outline_mm=placed.outline))



KEEPIN = Rule(
    code="D304", name="keep-in", severity="error",
    summary="A part reaches outside the 3-D keep-in volume a design guide allows it (the space over its socket).",
    explanation="A pack's 'keepins:' entry is a prism (rect or outline, and a z range) that the parts it names "
                "must stay inside, placed on a reference part (relative_to: x-y from its bounding-box centre, z "
                "from its top; the one declared in contact, else the one under the part) or in sled coordinates. "
                "On a reference turned about z (the design's rotation, its STEP instance placement, its IDF "
                "placement) the prism turns with it: drawn in the reference's own frame, about its bounding-box "
                "centre in that frame. Each side the part's mesh reaches beyond is reported with how far, named "
                "in the reference's frame; a box's sides exactly (the mesh's extreme vertices projected on the "
                "reference's axes), a polygon's horizontal excess as the largest distance outside it. A keep-in "
                "that cannot be placed (no reference under the part; a reference tilted about x or y or upside "
                "down, such as an IDF component on the bottom side) is a warning.",
    fix="Trim the part (fin height, base overhang) to the volume, or confirm the guide's volume.",
    check=_keepins, reports=("S101",), configured_by="specs: a pack with keepins: [{name, parts, relative_to, "
                                                     "rect | outline, z}]",
)

RULES = (KEEPIN,)
