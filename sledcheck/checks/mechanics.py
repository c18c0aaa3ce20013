"""Heat-sink mass and loads against a design guide's limits (spec-pack values, load/specs.py GUIDE_VALUES).

L000 a limit needs a heat sink's mass and it is unknown; L001 mass; L002 centre-of-gravity height above the
board; L101 the mounting preload outside the static load window; L102 the shock load (mass x g-level x
g_n) above the allowed dynamic load; L201 a heat sink heavier than the board-attach limit that is not attached
to the chassis; L301 a TIM bond line thicker than allowed; L302 a TIM pressure (preload / TIM area) below the
minimum; D303 a part under a heat sink's footprint taller than the limit above the board; D304 a part outside a
3-D keep-in volume (over its socket); T101 a component's lane flow below its airflow budget. Masses and centres of
gravity: sledcheck/model/mass.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .engine import Finding, Rule
from .envelope import SPEC_VALUE_UNSET
from .evidence import Box, Evidence

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading meshes or models
    import numpy as np
    import shapely

    from ..load.specs import AirflowBudget, KeepIn, SpecValue
    from ..load.thermal import ThermalSpec
    from ..model.assembly import Assembly, Part
    from ..model.mass import MassProperties
    from ..model.thermal.results import LaneResult, ScenarioResult

STANDARD_GRAVITY_M_S2 = 9.80665   # g_n, CGPM 1901 (3rd CGPM), exact by definition
TOLERANCE_MM = 1e-6
KEEPIN_MIN_EXCESS_MM = 1e-4   # reaching a keep-in's boundary is not leaving it (as D301's min_depth)
#: Roles never counted as "a component under the heat sink" (D303): the board, the enclosure, the sink itself,
#: what holds it; parts declared in contact with the sink (its package, its pad) are left out too.
NOT_UNDER = frozenset({"heatsink", "pcb", "tray", "lid", "fastener"})


def _limits(assembly: Assembly, key: str, unit: str) -> Iterator[tuple[str, float]]:
    """(pack name, limit [unit]) of every pack that sets ``key`` (unset ones: :func:`_unset`)."""
    for pack in assembly.design.specs:
        value = pack.values.get(key)
        if value is not None and value.quantity is not None:
            yield pack.name, float(value.quantity.m_as(unit))


def _unset(assembly: Assembly, rule: Rule, key: str, needed: bool) -> Iterator[Finding]:
    """S101 for every pack that leaves ``key`` unset, when something would be checked against it."""
    if not needed:
        return
    for pack in assembly.design.specs:
        value = pack.values.get(key)
        if value is not None and value.quantity is None:
            yield SPEC_VALUE_UNSET.finding(
                f"{pack.name} {key} is not set ({value.note or value.status}); {rule.code} {rule.name} was not "
                f"checked against it", anchor=("spec", pack.name, key))


def _heatsinks(assembly: Assembly) -> list[Part]:
    return [p for p in assembly.parts if p.role == "heatsink"]


def _board_top(assembly: Assembly, part: Part) -> tuple[float, str]:
    """The top [mm] of the highest board (role pcb) under ``part`` (its xy box overlapping), and its name; else
    the assembly's lowest point, said so."""
    lo, hi = part.bounds
    tops = [(float(b.bounds[1][2]), b.name) for b in assembly.parts
            if b.role == "pcb" and b.bounds[1][2] <= lo[2] + TOLERANCE_MM
            and b.bounds[0][0] < hi[0] and b.bounds[1][0] > lo[0] and b.bounds[0][1] < hi[1] and b.bounds[1][1] > lo[1]]
    if tops:
        return max(tops)
    return float(assembly.bounds[0][2]), "the assembly's lowest point (no board under it)"


def _mass_of(mass: MassProperties) -> str:
    return f"{mass.mass_kg:.3f} kg ({mass.basis})"


def _mass_unknown(assembly: Assembly) -> Iterable[Finding]:
    from ..model.mass import assembly_mass

    keys = ("heatsink_mass_max", "heatsink_cog_height_max", "dynamic_load_max", "board_attach_mass_max")
    needed = sorted({key for pack in assembly.design.specs for key in keys
                     if pack.values.get(key) is not None and pack.values[key].quantity is not None})
    if not needed:
        return
    masses = assembly_mass(assembly)
    for sink in _heatsinks(assembly):
        mass = masses[sink.name]
        if mass.mass_kg is None:
            yield MASS_UNKNOWN.finding(
                f"{sink.name}: its mass is unknown ({mass.basis}), so {', '.join(needed)} could not be checked",
                subjects=(sink.name,))


def _mass(assembly: Assembly) -> Iterable[Finding]:
    from ..model.mass import assembly_mass
    from ..units import Q_

    masses = assembly_mass(assembly)
    yield from _unset(assembly, HEATSINK_MASS, "heatsink_mass_max", bool(_heatsinks(assembly)))
    for pack, limit in _limits(assembly, "heatsink_mass_max", "kg"):
        for sink in _heatsinks(assembly):
            mass = masses[sink.name]
            if mass.mass_kg is not None and mass.mass_kg > limit:
                yield HEATSINK_MASS.finding(
                    f"{sink.name} weighs {_mass_of(mass)}, over the {pack} limit {limit:.3f} kg by "
                    f"{mass.mass_kg - limit:.3f} kg", subjects=(sink.name,), measured=Q_(mass.mass_kg, "kg"),
                    limit=Q_(limit, "kg"), anchor=("spec", pack, "heatsink_mass_max"),
                    data={"basis": mass.basis})


def _cog_height(assembly: Assembly) -> Iterable[Finding]:
    from ..model.mass import assembly_mass
    from ..units import Q_

    masses = assembly_mass(assembly)
    yield from _unset(assembly, COG_HEIGHT, "heatsink_cog_height_max", bool(_heatsinks(assembly)))
    for pack, limit in _limits(assembly, "heatsink_cog_height_max", "mm"):
        for sink in _heatsinks(assembly):
            cog = masses[sink.name].cog_mm
            if cog is None or masses[sink.name].mass_kg is None:
                continue   # L000 says so
            top, board = _board_top(assembly, sink)
            height = cog[2] - top
            if height > limit + TOLERANCE_MM:
                yield COG_HEIGHT.finding(
                    f"{sink.name}'s centre of gravity is {height:.2f} mm above the top of {board} "
                    f"(z = {cog[2]:.2f} mm; {masses[sink.name].basis}), over the {pack} limit {limit:.2f} mm by "
                    f"{height - limit:.2f} mm", subjects=(sink.name,), measured=Q_(height, "mm"),
                    limit=Q_(limit, "mm"), anchor=("spec", pack, "heatsink_cog_height_max"),
                    data={"center_of_gravity_mm": list(cog), "board": board})


def _preload(assembly: Assembly) -> Iterable[Finding]:
    from ..units import Q_

    sinks = _heatsinks(assembly)
    yield from _unset(assembly, MOUNTING_PRELOAD, "static_load_min", bool(sinks))
    yield from _unset(assembly, MOUNTING_PRELOAD, "static_load_max", bool(sinks))
    for pack_obj in assembly.design.specs:
        low_v, high_v = pack_obj.values.get("static_load_min"), pack_obj.values.get("static_load_max")
        if low_v is None and high_v is None:
            continue
        low = float(low_v.quantity.m_as("N")) if low_v is not None and low_v.quantity is not None else None
        high = float(high_v.quantity.m_as("N")) if high_v is not None and high_v.quantity is not None else None
        if low is None and high is None:
            continue
        window = f"{low:g} N" if low is not None else "0 N"
        window += f" .. {high:g} N" if high is not None else " or more"
        for sink in sinks:
            mech = sink.spec.mechanical
            preload = mech.preload_n if mech is not None else None
            if preload is None or mech is None:
                yield MOUNTING_PRELOAD.finding(
                    f"{sink.name} declares no preload (mechanical: springs and spring_force, or clamp_force), so "
                    f"the {pack_obj.name} static load window {window} was not checked", subjects=(sink.name,),
                    severity="warning", anchor=_anchor(pack_obj.name, low_v, high_v))
                continue
            if low is not None and preload < low - 1e-9:
                key, bound, how = "static_load_min", low, f"below the {pack_obj.name} minimum {low:g} N by " \
                                                          f"{low - preload:g} N (too little pressure on the TIM)"
            elif high is not None and preload > high + 1e-9:
                key, bound, how = "static_load_max", high, f"above the {pack_obj.name} maximum {high:g} N by " \
                                                           f"{preload - high:g} N (overloads the package)"
            else:
                continue
            yield MOUNTING_PRELOAD.finding(
                f"{sink.name}'s mounting preload {preload:g} N ({mech.preload_basis}) is {how}; allowed {window}",
                subjects=(sink.name,), measured=Q_(preload, "N"), limit=Q_(bound, "N"),
                anchor=("spec", pack_obj.name, key), data={"preload_basis": mech.preload_basis})


def _anchor(pack: str, *values: SpecValue | None) -> tuple[str, str, str]:
    key = next(v.key for v in values if v is not None)
    return ("spec", pack, key)


def _shock(assembly: Assembly) -> Iterable[Finding]:
    from ..model.mass import assembly_mass
    from ..units import Q_

    masses = assembly_mass(assembly)
    sinks = _heatsinks(assembly)
    yield from _unset(assembly, SHOCK_LOAD, "shock_g", bool(sinks))
    yield from _unset(assembly, SHOCK_LOAD, "dynamic_load_max", bool(sinks))
    for pack in assembly.design.specs:
        level_v, allowed_v = pack.values.get("shock_g"), pack.values.get("dynamic_load_max")
        if allowed_v is None or allowed_v.quantity is None:
            continue
        if level_v is None:
            if sinks:
                yield SPEC_VALUE_UNSET.finding(
                    f"{pack.name} sets dynamic_load_max but no shock_g (the g-level it holds at); L102 shock-load "
                    "was not checked", anchor=("spec", pack.name, "dynamic_load_max"))
            continue
        if level_v.quantity is None:
            continue
        level, allowed = float(level_v.quantity.m_as("")), float(allowed_v.quantity.m_as("N"))
        for sink in sinks:
            mass = masses[sink.name]
            if mass.mass_kg is None:
                continue   # L000 says so
            load = mass.mass_kg * level * STANDARD_GRAVITY_M_S2
            if load > allowed + 1e-9:
                yield SHOCK_LOAD.finding(
                    f"{sink.name}: the shock load {load:.1f} N ({_mass_of(mass)} x {level:g} g x 9.80665 m/s^2) "
                    f"exceeds the {pack.name} allowed dynamic load {allowed:g} N by {load - allowed:.1f} N",
                    subjects=(sink.name,), measured=Q_(load, "N"), limit=Q_(allowed, "N"),
                    anchor=("spec", pack.name, "dynamic_load_max"), data={"shock_g": level})


def _board_attach(assembly: Assembly) -> Iterable[Finding]:
    from ..model.mass import assembly_mass
    from ..units import Q_

    masses = assembly_mass(assembly)
    yield from _unset(assembly, BOARD_ATTACH, "board_attach_mass_max", bool(_heatsinks(assembly)))
    for pack, limit in _limits(assembly, "board_attach_mass_max", "kg"):
        for sink in _heatsinks(assembly):
            mass = masses[sink.name]
            mech = sink.spec.mechanical
            attach = mech.attach if mech is not None else None
            if mass.mass_kg is None or mass.mass_kg <= limit or attach == "chassis":
                continue
            how = "attached to the board" if attach == "board" else "not declared attached to the chassis"
            yield BOARD_ATTACH.finding(
                f"{sink.name} weighs {_mass_of(mass)}, over the {pack} board-attach limit {limit:.3f} kg, and is "
                f"{how}: it needs a chassis attach", subjects=(sink.name,), measured=Q_(mass.mass_kg, "kg"),
                limit=Q_(limit, "kg"), anchor=("spec", pack, "board_attach_mass_max"), data={"attach": attach})


def _bond_line(assembly: Assembly) -> Iterable[Finding]:
    from ..units import Q_

    thermal = assembly.design.thermal
    components = [c for c in thermal.components if c.tim_thickness is not None] if thermal is not None else []
    yield from _unset(assembly, TIM_BOND_LINE, "tim_bond_line_max", bool(components))
    for pack, limit_um in _limits(assembly, "tim_bond_line_max", "um"):
        for comp in components:
            thickness_um = float(comp.tim_thickness or 0.0) * 1e6
            if thickness_um > limit_um + 1e-9:
                yield TIM_BOND_LINE.finding(
                    f"{comp.part}'s TIM bond line {thickness_um:g} um ({comp.tim_source}) is thicker than the "
                    f"{pack} maximum {limit_um:g} um", subjects=(comp.part,), measured=Q_(thickness_um, "um"),
                    limit=Q_(limit_um, "um"), anchor=("spec", pack, "tim_bond_line_max"))


def _in_contact(assembly: Assembly, a: Part, b: Part) -> bool:
    return any((a.selected_by(x) and b.selected_by(y)) or (a.selected_by(y) and b.selected_by(x))
               for x, y, _line in assembly.design.contacts)


def _height_under(assembly: Assembly) -> Iterable[Finding]:
    import numpy as np
    import shapely

    from ..geometry.clip import clip_to_prism
    from ..units import Q_

    key = "component_height_under_heatsink_max"
    yield from _unset(assembly, HEIGHT_UNDER_HEATSINK, key, bool(_heatsinks(assembly)))
    for pack, limit in _limits(assembly, key, "mm"):
        for sink in _heatsinks(assembly):
            lo, hi = sink.bounds
            footprint = shapely.box(float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
            top, board = _board_top(assembly, sink)
            for part in assembly.parts:
                plo, phi = part.bounds
                if (part is sink or part.role in NOT_UNDER or plo[2] >= lo[2] - TOLERANCE_MM
                        or plo[0] >= hi[0] or phi[0] <= lo[0] or plo[1] >= hi[1] or phi[1] <= lo[1]
                        or phi[2] - top <= limit + TOLERANCE_MM or _in_contact(assembly, part, sink)):
                    continue
                pieces = clip_to_prism(part.mesh, part.triangle_boxes, footprint, top + limit, np.inf,
                                       solid=part.health.closed)
                if not pieces:
                    continue
                highest = float(max(p.vertices[:, 2].max() for p in pieces))
                height = highest - top
                if height <= limit + TOLERANCE_MM:
                    continue
                yield HEIGHT_UNDER_HEATSINK.finding(
                    f"{part.name} ({part.role}) under {sink.name}'s footprint rises {height:.2f} mm above the top of "
                    f"{board}, over the {pack} limit {limit:.2f} mm by {height - limit:.2f} mm",
                    subjects=(part.name, sink.name), measured=Q_(height, "mm"), limit=Q_(limit, "mm"),
                    anchor=("spec", pack, "component_height_under_heatsink_max"), data={"board": board})


# -- D304 keep-in volumes ------------------------------------------------------------------------------------------

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


def _overlap_xy(a: Part, b: Part) -> float:
    """Area [mm^2] shared by two parts' bounding rectangles seen from above."""
    (alo, ahi), (blo, bhi) = a.bounds, b.bounds
    dx = min(ahi[0], bhi[0]) - max(alo[0], blo[0])
    dy = min(ahi[1], bhi[1]) - max(alo[1], blo[1])
    return float(max(dx, 0.0) * max(dy, 0.0))


def _reference(assembly: Assembly, volume: KeepIn, part: Part) -> Part | str:
    """The part ``volume`` is placed on for ``part``: among those ``relative_to`` selects, the one declared in
    contact with it, else the one whose box it overlaps most seen from above; a message when there is none."""
    candidates = [p for p in assembly.parts if p is not part and any(p.selected_by(t) for t in volume.relative_to)]
    if not candidates:
        return f"no part is selected by relative_to: {', '.join(volume.relative_to)}"
    touching = [p for p in candidates if _in_contact(assembly, p, part)]
    if len(touching) == 1:
        return touching[0]
    pool = touching or candidates
    best = max(pool, key=lambda p: (_overlap_xy(p, part), p.name))
    if _overlap_xy(best, part) <= 0.0:
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


# -- T101 airflow budgets ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AirflowEvidence(Evidence):
    """A lane giving a component less air than its budget: required and available flow [m^3/s] (or approach
    velocity [m/s]), the worst scenario, the lane's operating point and, for a budget stated at a pressure, what
    the lane's fans deliver against that pressure."""

    budget: str
    pack: str
    lane: str
    scenario: str
    quantity: str                    # "flow" [m^3/s] | "velocity" [m/s]
    required: float
    available: float
    lane_flow_m3_s: float
    lane_pressure_pa: float
    at_pressure_pa: float | None
    fans_flow_at_pressure_m3_s: float | None

    def to_json(self) -> dict[str, Any]:
        unit = "m**3/s" if self.quantity == "flow" else "m/s"
        out: dict[str, Any] = {"budget": self.budget, "pack": self.pack, "lane": self.lane,
                               "scenario": self.scenario, "quantity": self.quantity,
                               "required": {"value": round(self.required, 9), "unit": unit},
                               "available": {"value": round(self.available, 9), "unit": unit},
                               "lane_flow_m3_s": round(self.lane_flow_m3_s, 9),
                               "lane_pressure_pa": round(self.lane_pressure_pa, 4)}
        if self.at_pressure_pa is not None and self.fans_flow_at_pressure_m3_s is not None:
            out["at_pressure_pa"] = self.at_pressure_pa
            out["fans_flow_at_pressure_m3_s"] = round(self.fans_flow_at_pressure_m3_s, 9)
        return out


def _budget_lanes(assembly: Assembly, thermal: ThermalSpec, budget: AirflowBudget) -> dict[str, tuple[str, ...]]:
    """The lanes a budget's targets name, each with the components it is for: a lane by name (all its
    components), or the lane holding a component the target selects (by its thermal name, a pattern over it,
    or a part name or role that selects the component's part)."""
    import fnmatch

    def selects(target: str, comp: str) -> bool:
        return fnmatch.fnmatchcase(comp, target) or any(
            p.selected_by(target) and comp in (p.name, p.spec.entry) for p in assembly.parts)

    out = {}
    for lane in thermal.lanes:
        if any(fnmatch.fnmatchcase(lane.name, t) for t in budget.targets):
            out[lane.name] = lane.components
            continue
        chosen = tuple(c for c in lane.components if any(selects(t, c) for t in budget.targets))
        if chosen:
            out[lane.name] = chosen
    return out


def fans_flow_at(thermal: ThermalSpec, lane_fans: int, working: int, inlet_degC: float, altitude_m: float,
                 pressure_pa: float) -> float:
    """What a lane's fans deliver [m^3/s] against a static pressure [Pa]: the working fans in parallel (flows add
    at equal pressure), each on the datasheet curve at the design's speed by the affinity laws and scaled for
    the inlet air's density (rho / rho_rated); a failed fan as the fan model declares: blocked adds nothing, one
    rotor adds its own curve's flow, a windmilling one takes its backflow away (sledcheck.thermal.network)."""
    from ..thermal import air, atmosphere
    from ..thermal.network import fan_flow

    fan = thermal.fan
    rho = float(air.density(inlet_degC + 273.15, atmosphere.pressure_at_altitude(altitude_m)))
    ratio = rho / fan.density_si
    failed = lane_fans - working
    supply = working * float(fan_flow(fan, pressure_pa, thermal.fan_speed, ratio))
    failure = fan.failure
    if failed and failure.kind == "rotor" and failure.rotor_curve is not None:
        supply += failed * float(fan_flow(failure.rotor_curve, pressure_pa, thermal.fan_speed, ratio))
    elif failed and failure.kind == "windmill":
        supply -= failed * float(failure.reverse_flow_si(pressure_pa, rho))
    return max(supply, 0.0)


def _available(thermal: ThermalSpec, budget: AirflowBudget, scenario: ScenarioResult, lane: LaneResult
               ) -> tuple[float, float | None]:
    """The flow [m^3/s] the budget can count on in a scenario: the lane's operating flow, and for a budget stated
    at a pressure no more than the lane's fans deliver against it (with more back pressure than the model's
    operating point the fans would slide down their curve to that flow); with the fans' flow at the pressure."""
    if budget.pressure_pa is None:
        return lane.flow, None
    spec_lane = next(sl for sl in thermal.lanes if sl.name == lane.name)
    at = fans_flow_at(thermal, len(spec_lane.fans), lane.fans_working, scenario.inlet, scenario.altitude,
                      budget.pressure_pa)
    return min(lane.flow, at), at


def _airflow(assembly: Assembly) -> Iterable[Finding]:
    import math

    from ..load.specs import CFM_M3_S, LFM_M_S
    from ..model.thermal import analyse_thermal
    from ..units import Q_

    budgets = [(pack, b) for pack in assembly.design.specs for b in pack.airflow]
    if not budgets:
        return
    thermal = assembly.design.thermal
    for pack, budget in budgets:
        anchor = ("spec-line", pack.name, budget.line)
        if budget.flow_m3_s is None and budget.velocity_m_s is None:
            if thermal is not None and _budget_lanes(assembly, thermal, budget):   # S101 only where it would apply
                yield SPEC_VALUE_UNSET.finding(
                    f"{pack.name} airflow budget '{budget.name}' sets no flow ({budget.note or budget.status}); "
                    f"{AIRFLOW_BUDGET.code} {AIRFLOW_BUDGET.name} was not checked", anchor=anchor)
            continue
        if thermal is None:
            yield AIRFLOW_BUDGET.finding(
                f"{pack.name} airflow budget '{budget.name}' ({budget.stated} for {', '.join(budget.targets)}) was "
                "not checked: the design has no thermal section, so there is no lane flow to compare",
                anchor=anchor, severity="warning")
            continue
        lanes = _budget_lanes(assembly, thermal, budget)
        if not lanes:
            yield AIRFLOW_BUDGET.finding(
                f"{pack.name} airflow budget '{budget.name}': {', '.join(budget.targets)} is in no thermal lane "
                f"(lanes: {', '.join(lane.name for lane in thermal.lanes)}), so its {budget.stated} was not "
                "checked", anchor=anchor, severity="warning")
            continue
        result = analyse_thermal(assembly)
        if result is None:
            continue
        velocity = budget.velocity_m_s is not None
        required = float(budget.velocity_m_s if velocity else budget.flow_m3_s)  # type: ignore[arg-type]
        for lane_name, components in lanes.items():
            cases = []
            for scenario in result.scenarios:
                lane = next((lr for lr in scenario.lanes if lr.name == lane_name), None)
                if lane is None:
                    continue
                flow, at = _available(thermal, budget, scenario, lane)
                value = flow / lane.area if velocity else flow
                cases.append((value, scenario, lane, at))
            if not cases:
                continue
            # a scenario without a usable flow (nan: the solve failed, T003) counts as the worst, never as a pass
            value, scenario, lane, at = min(cases, key=lambda c: c[0] if math.isfinite(c[0]) else -math.inf)
            if value >= required * (1 - 1e-9):
                continue
            short = [c[1].name for c in cases if not c[0] >= required * (1 - 1e-9)]
            scale, unit = (LFM_M_S, "LFM") if velocity else (CFM_M3_S, "CFM")
            pressure = ""
            if budget.pressure_pa is not None and at is not None:
                pressure = (f"; its fans deliver {at / CFM_M3_S:.2f} CFM against the stated {budget.pressure_pa:g} "
                            f"Pa (the model's operating point: {lane.flow / CFM_M3_S:.2f} CFM at "
                            f"{lane.pressure:.1f} Pa)")
            clause = f", {budget.clause}" if budget.clause else ""
            others = f"; {len(short) - 1} more scenario(s) short" if len(short) > 1 else ""
            stated_at = f" at {budget.pressure_pa:g} Pa" if budget.pressure_pa is not None else ""
            yield AIRFLOW_BUDGET.finding(
                f"lane '{lane_name}' gives {', '.join(components)} {value / scale:.1f} {unit} in scenario "
                f"'{scenario.name}', below the {pack.name} airflow budget '{budget.name}'{clause}: required "
                f"{required / scale:.1f} {unit}{stated_at}, short by {(required - value) / scale:.1f} {unit}"
                f"{pressure}{others}",
                subjects=components,
                measured=Q_(value / scale, unit), limit=Q_(required / scale, unit), anchor=anchor,
                evidence=AirflowEvidence(budget=budget.name, pack=pack.name, lane=lane_name, scenario=scenario.name,
                                         quantity="velocity" if velocity else "flow", required=required,
                                         available=value, lane_flow_m3_s=lane.flow, lane_pressure_pa=lane.pressure,
                                         at_pressure_pa=budget.pressure_pa, fans_flow_at_pressure_m3_s=at))


# -- L302 TIM pressure ---------------------------------------------------------------------------------------------

def tim_area_m2(assembly: Assembly, sink: Part) -> tuple[float, str, str] | None:
    """The area [m^2] the TIM under ``sink`` wets, the component it sits on and how the area was obtained: the
    thermal component with this heat sink, over the area its R_TIM uses (the die of a bare package, the lid of a
    lidded one, else the part's footprint: model/thermal/build.py ``heat_source``); without one, the footprint a
    part of role package declared in contact with the sink shares with the sink (seen from above)."""
    from ..model.thermal.build import heat_source

    thermal = assembly.design.thermal
    if thermal is not None:
        for comp in thermal.components:
            if comp.heatsink != sink.name:
                continue
            lo, hi = assembly.part(comp.part).bounds
            footprint = (float(hi[0] - lo[0]) * 1e-3, float(hi[1] - lo[1]) * 1e-3)
            _source, area = heat_source(comp, footprint)
            how = {"bare": "its die", "lidded": "its lid"}.get(comp.package or "", "its footprint")
            if comp.package == "bare" and comp.die_size is None or comp.package == "lidded" and comp.lid_size is None:
                how = "its footprint"
            return area, comp.part, how
    packages = [p for p in assembly.parts if p.role == "package" and _in_contact(assembly, p, sink)]
    if packages:
        package = max(packages, key=lambda p: (_overlap_xy(p, sink), p.name))
        area = _overlap_xy(package, sink) * 1e-6
        if area > 0:
            return area, package.name, "the footprint it shares with the heat sink"
    return None


def _tim_pressure(assembly: Assembly) -> Iterable[Finding]:
    from ..units import Q_

    sinks = [s for s in _heatsinks(assembly) if s.spec.mechanical is not None and s.spec.mechanical.preload_n]
    yield from _unset(assembly, TIM_PRESSURE, "tim_pressure_min", bool(sinks))
    for pack, limit_pa in _limits(assembly, "tim_pressure_min", "Pa"):
        for sink in sinks:
            mech = sink.spec.mechanical
            assert mech is not None and mech.preload_n is not None
            found = tim_area_m2(assembly, sink)
            if found is None:
                yield TIM_PRESSURE.finding(
                    f"{sink.name}: the TIM's area is unknown (no thermal component names this heat sink and no "
                    f"package is declared in contact with it), so the {pack} minimum TIM pressure was not checked",
                    subjects=(sink.name,), severity="warning", anchor=("spec", pack, "tim_pressure_min"))
                continue
            area, component, how = found
            pressure = mech.preload_n / area
            if pressure < limit_pa * (1 - 1e-9):
                yield TIM_PRESSURE.finding(
                    f"{sink.name} presses the TIM on {component} with {pressure / 1e3:.1f} kPa ({mech.preload_n:g} N "
                    f"{mech.preload_basis} over {area * 1e6:.0f} mm^2, {how}), below the {pack} minimum "
                    f"{limit_pa / 1e3:.1f} kPa by {(limit_pa - pressure) / 1e3:.1f} kPa",
                    subjects=(sink.name, component), measured=Q_(pressure / 1e3, "kPa"),
                    limit=Q_(limit_pa / 1e3, "kPa"), anchor=("spec", pack, "tim_pressure_min"),
                    data={"preload_n": mech.preload_n, "tim_area_mm2": round(area * 1e6, 6), "area_basis": how})



_GUIDE = "Limits come from spec-pack values (README, 'Mass, loads and design guides'); an unset one is S101."

MASS_UNKNOWN = Rule(
    code="L000", name="mass-unknown", severity="warning",
    summary="A design-guide limit needs a heat sink's mass, and its mass is unknown.",
    explanation="A heat sink's mass is its declared 'mass:', else its closed volume x the density of its "
                "'material:' (models/materials.yaml). Without either, or with an open mesh and only a material, "
                "the mass, centre-of-gravity, shock and board-attach limits cannot be checked.",
    fix="Give the heat sink 'material: copper' (and a closed mesh) or 'mass: 1.2 kg'.",
    check=_mass_unknown, configured_by="parts: {NAME: {material: NAME | mass: 1.2 kg}}",
)
HEATSINK_MASS = Rule(
    code="L001", name="heatsink-mass", severity="error",
    summary="A heat sink is heavier than the design guide allows.",
    explanation="The heat sink's mass (declared, or closed volume x density) against the pack's "
                "heatsink_mass_max. " + _GUIDE,
    fix="Lighten the sink (thinner fins or base, aluminium instead of copper) or confirm the guide's limit.",
    check=_mass, reports=("S101",), configured_by="specs: a pack with values.heatsink_mass_max",
)
COG_HEIGHT = Rule(
    code="L002", name="heatsink-cog-height", severity="error",
    summary="A heat sink's centre of gravity is higher above the board than the design guide allows.",
    explanation="The centre of gravity (the volume centroid; with a declared mass on an open mesh the "
                "bounding-box centre) is measured from the top of the highest board (role pcb) under the sink. "
                + _GUIDE,
    fix="Move mass down (thicker base, shorter fins) or confirm the guide's limit.",
    check=_cog_height, reports=("S101",), configured_by="specs: a pack with values.heatsink_cog_height_max",
)
MOUNTING_PRELOAD = Rule(
    code="L101", name="mounting-preload", severity="error",
    summary="A heat sink's mounting preload is outside the package's allowed static load window.",
    explanation="The preload is springs x spring_force, or the declared clamp_force, from the sink's "
                "'mechanical:' section, against the pack's static_load_min .. static_load_max. A sink that "
                "declares no preload where a window is given is a warning. " + _GUIDE,
    fix="Change the springs or the clamp (count, rate, compression) so the load lies in the window.",
    check=_preload, reports=("S101",),
    configured_by="parts: {HS: {mechanical: {springs: 4, spring_force: 45 N} | {clamp_force: 180 N}}}",
)
SHOCK_LOAD = Rule(
    code="L102", name="shock-load", severity="error",
    summary="A heat sink's shock load (mass x the guide's g-level x g_n) exceeds the allowed dynamic load.",
    explanation="F = m x shock_g x 9.80665 m/s^2 (g_n, standard gravity), against the pack's dynamic_load_max. "
                + _GUIDE,
    fix="Lighten the sink, or attach it to the chassis so the package does not carry the shock.",
    check=_shock, reports=("S101",), configured_by="specs: a pack with values.shock_g and values.dynamic_load_max",
)
BOARD_ATTACH = Rule(
    code="L201", name="board-attach", severity="error",
    summary="A heat sink heavier than the board-attach limit is not attached to the chassis.",
    explanation="Guides allow a sink up to a mass to be held by the board (or its backplate); heavier ones must "
                "be attached to the chassis ('mechanical: {attach: chassis}'). " + _GUIDE,
    fix="Attach the sink to the chassis (and declare attach: chassis), or lighten it.",
    check=_board_attach, reports=("S101",), configured_by="parts: {HS: {mechanical: {attach: board | chassis}}}",
)
TIM_BOND_LINE = Rule(
    code="L301", name="tim-bond-line", severity="error",
    summary="A component's TIM bond line is thicker than the design guide allows.",
    explanation="The bond line of each thermal component's TIM (models/tims.yaml or the declared thickness) "
                "against the pack's tim_bond_line_max. " + _GUIDE,
    fix="Use a thinner TIM or more preload, or confirm the guide's limit.",
    check=_bond_line, reports=("S101",), configured_by="thermal.components.NAME.tim",
)
HEIGHT_UNDER_HEATSINK = Rule(
    code="D303", name="height-under-heatsink", severity="error",
    summary="A part under a heat sink's footprint is taller above the board than the design guide allows.",
    explanation="The footprint is the heat sink's bounding rectangle seen from above; every part below the "
                "sink whose outline meets it (except boards, trays, lids, fasteners, other heat sinks and parts "
                "declared in contact with the sink, such as its package) is clipped to it, and its highest point "
                "there is measured from the top of the board under the sink. " + _GUIDE,
    fix="Use a lower component or move it out from under the heat sink, or confirm the guide's limit.",
    check=_height_under, reports=("S101",),
    configured_by="specs: a pack with values.component_height_under_heatsink_max",
)
TIM_PRESSURE = Rule(
    code="L302", name="tim-pressure", severity="error",
    summary="The pressure a heat sink's preload puts on its TIM is below the design guide's minimum.",
    explanation="p = preload / A_TIM: the preload is springs x spring_force or the clamp force ('mechanical:'), "
                "A_TIM the area the TIM wets as the thermal model takes it for R_TIM (a bare package's die, a "
                "lidded one's lid, else the part's footprint), or without a thermal component the footprint a "
                "package declared in contact with the sink shares with it. A TIM below its pressure does not "
                "reach its rated bond line and resistance. " + _GUIDE,
    fix="More preload (springs, compression, clamp) within the L101 window, or a TIM rated for less pressure.",
    check=_tim_pressure, reports=("S101",), configured_by="specs: a pack with values.tim_pressure_min",
)
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
AIRFLOW_BUDGET = Rule(
    code="T101", name="airflow-budget", severity="error",
    summary="A slot's or component's lane gives it less air than the design guide's airflow budget.",
    explanation="A pack's 'airflow:' entry states the flow (CFM) or approach velocity (LFM: lane flow / lane "
                "cross-section) a component or lane needs, optionally at a back pressure. It is compared with the "
                "thermal model's lane flow in every reported scenario (nominal, worst inlet, each fan failed) and "
                "the worst is named. Stated at a pressure, the flow counted is at most what the lane's fans "
                "deliver against that pressure (a higher back pressure than the model's operating point moves the "
                "fans down their curve). No thermal section, or a target in no lane: a warning.",
    fix="More fan speed or fans in the lane, less impedance (grilles, bypass), or confirm the budget.",
    check=_airflow, reports=("S101",), configured_by="specs: a pack with airflow: [{name, for, flow | velocity, "
                                                     "pressure}]; thermal.lanes",
)
RULES = (HEIGHT_UNDER_HEATSINK, KEEPIN, MASS_UNKNOWN, HEATSINK_MASS, COG_HEIGHT, MOUNTING_PRELOAD, SHOCK_LOAD,
         BOARD_ATTACH, TIM_BOND_LINE, TIM_PRESSURE, AIRFLOW_BUDGET)
