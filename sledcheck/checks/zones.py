"""D301 keep-out and D302 height limit: parts inside prisms (outline x height range) where they may not be."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..load.rules import Option
from .engine import Finding, Rule
from .evidence import HeightEvidence, ZoneIntrusionEvidence

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading meshes or models
    import numpy as np
    import shapely

    from ..load.schema import Section
    from ..load.zones import Zone
    from ..model.assembly import Assembly, Part

MIN_DEPTH_MM = 1e-4   # touching a zone's boundary is not an intrusion (default of the rules' min_depth)


def _read_depth(sec: Section, key: str) -> float:
    return float(sec.quantity(key, "length", positive=True).m_as("mm"))


MIN_DEPTH = Option("min_depth", MIN_DEPTH_MM, "intrusions shallower than this [length] are not reported "
                   f"(default {MIN_DEPTH_MM} mm: touching the boundary is not an intrusion)", _read_depth)


def _heights(assembly: Assembly, zone: Zone) -> tuple[float, float, float]:
    """(reference, low, high) absolute heights [mm] of the zone."""
    reference = float(assembly.part(zone.above).bounds[1][2]) if zone.above else 0.0
    low = reference + zone.z[0] if zone.z[0] is not None else -math.inf
    high = reference + zone.z[1] if zone.z[1] is not None else math.inf
    return reference, low, high


def _applies(zone: Zone, part: Part) -> bool:
    if part.name == zone.above or any(part.selected_by(token) for token in zone.allow):
        return False
    return not zone.roles or any(part.selected_by(token) for token in zone.roles)


def _intrusions(assembly: Assembly, kind: str) -> Iterable[tuple[Zone, Part, list, float, float, float]]:
    from ..geometry.clip import clip_to_prism

    for zone in assembly.design.zones:
        if zone.kind != kind:
            continue
        reference, low, high = _heights(assembly, zone)
        x0, y0, x1, y1 = zone.polygon.bounds
        for part in assembly.parts:
            if not _applies(zone, part):
                continue
            lo, hi = part.bounds
            if lo[0] >= x1 or hi[0] <= x0 or lo[1] >= y1 or hi[1] <= y0 or lo[2] >= high or hi[2] <= low:
                continue
            pieces = clip_to_prism(part.mesh, part.triangle_boxes, zone.polygon, low, high, solid=part.health.closed)
            if pieces:
                yield zone, part, pieces, reference, low, high


def reach_inside(polygon: shapely.Polygon, pieces: list) -> float:
    """How far [mm] the pieces' footprint reaches in from the outline's edge: the largest r for which the
    footprint meets the outline shrunk by r (bisection on mitred negative buffers, to 1 nm)."""
    import numpy as np
    import shapely

    triangles = np.concatenate([p.vertices[p.faces][:, :, :2] for p in pieces])
    footprint = shapely.union_all(shapely.buffer(shapely.polygons(triangles), 1e-6))
    low, high = 0.0, float(np.sqrt(polygon.area))
    if not footprint.intersects(polygon.buffer(-1e-3)):
        return 0.0
    while high - low > 1e-6:
        middle = (low + high) / 2
        if footprint.intersects(polygon.buffer(-middle, join_style="mitre")):
            low = middle
        else:
            high = middle
    return low


def _point(values: np.ndarray) -> tuple[float, float, float]:
    return (float(values[0]), float(values[1]), float(values[2]))


def _keepouts(assembly: Assembly) -> Iterable[Finding]:
    import numpy as np

    from ..units import Q_

    for zone, part, pieces, _ref, low, high in _intrusions(assembly, "keepout"):
        vertices = np.concatenate([p.vertices for p in pieces])
        depths = {"horizontal": reach_inside(zone.polygon, pieces)}
        if np.isfinite(low):
            depths["from below"] = float(vertices[:, 2].max() - low)
        if np.isfinite(high):
            depths["from above"] = float(high - vertices[:, 2].min())
        how, depth = min(depths.items(), key=lambda kv: kv[1])
        if depth <= KEEPOUT.option(assembly, "min_depth"):
            continue
        box_lo, box_hi = vertices.min(axis=0), vertices.max(axis=0)
        allowed = f" (allowed: {', '.join(zone.allow)})" if zone.allow else ""
        yield KEEPOUT.finding(
            f"{part.name} ({part.role}) intrudes {depth:.2f} mm ({how}) into keep-out zone '{zone.name}'{allowed}; "
            f"the intruding region spans x {box_lo[0]:.1f}-{box_hi[0]:.1f}, y {box_lo[1]:.1f}-{box_hi[1]:.1f}, "
            f"z {box_lo[2]:.1f}-{box_hi[2]:.1f} mm",
            subjects=(part.name,), measured=Q_(depth, "mm"), limit=Q_(0, "mm"), anchor=_zone_anchor(assembly, zone),
            evidence=ZoneIntrusionEvidence(zone=zone.name, depth_mm=depth, direction=how,
                                           region_mm=(_point(box_lo), _point(box_hi))))


def _height_limits(assembly: Assembly) -> Iterable[Finding]:
    from ..units import Q_

    for zone, part, pieces, reference, low, _high in _intrusions(assembly, "height"):
        top = float(max(p.vertices[:, 2].max() for p in pieces))
        over = top - low
        if over <= HEIGHT_LIMIT.option(assembly, "min_depth"):
            continue
        ref = f" ({top - reference:.2f} mm above the top of {zone.above})" if zone.above else ""
        limit_text = f"{low:.2f} mm" + (f" ({low - reference:.2f} mm above {zone.above})" if zone.above else "")
        yield HEIGHT_LIMIT.finding(
            f"{part.name} rises to {top:.2f} mm{ref} inside height limit '{zone.name}', limit {limit_text}: "
            f"{over:.2f} mm too high",
            subjects=(part.name,), measured=Q_(top - reference, "mm"), limit=Q_(low - reference, "mm"),
            anchor=_zone_anchor(assembly, zone),
            evidence=HeightEvidence(zone=zone.name, over_mm=over, top_mm=top))


def _zone_anchor(assembly: Assembly, zone: Zone) -> tuple[str | int, ...]:
    design = assembly.design
    if zone.pack is not None:
        return ("spec-line", zone.pack, zone.line)
    key = "keepouts" if zone.kind == "keepout" else "height_limits"
    same = [z for z in design.zones if z.kind == zone.kind and z.pack is None]
    return ("design", key, same.index(zone))


KEEPOUT = Rule(
    code="D301", name="keep-out", severity="error",
    summary="A part enters a keep-out zone (an outline extruded over a height range) it is not allowed in.",
    explanation="Keep-outs come from designs and spec packs: e.g. 'nothing but connectors in this zone'. The part's "
                "mesh is clipped to the zone; the depth is the shallower of how far it reaches in from the side "
                "and from the top or bottom of the zone.",
    fix="Move or reshape the part, or, if it belongs there, add its role or name to the zone's allow list.",
    check=_keepouts,
    options=(MIN_DEPTH,),
    configured_by="keepouts: [{name, rect: [x0, y0, x1, y1] | outline: [[x, y], ...], z: [lo, hi], above: PART, "
                  "allow}]",
)
HEIGHT_LIMIT = Rule(
    code="D302", name="height-limit", severity="error",
    summary="A part rises above the height limit of a region (e.g. 12.5 mm above the board top).",
    explanation="The part's mesh is clipped to the region's outline above the limit; its highest point there is "
                "compared with the limit, measured from the top of the `above` part when given.",
    fix="Lower the part in that region (shorter component, different placement), or change the limit with a reason.",
    check=_height_limits,
    options=(MIN_DEPTH,),
    configured_by="height_limits: [{name, rect | outline, max: 12.5 mm, above: board, roles: [...], allow: [...]}]",
)
