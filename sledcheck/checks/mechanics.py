"""Heat-sink mass and loads against a design guide's limits (spec-pack values, load/specs.py GUIDE_VALUES).

L000 a limit needs a heat sink's mass and it is unknown; L001 mass; L002 centre-of-gravity height above the
board; L101 the mounting preload outside the static load window; L102 the shock load (mass x g-level x
g_n) above the allowed dynamic load; L201 a heat sink heavier than the board-attach limit that is not attached
to the chassis; L301 a TIM bond line thicker than allowed; L302 a TIM pressure (preload / TIM area) below the
minimum; D303 a part under a heat sink's footprint taller than the limit above the board. The guides' keep-in
volumes (D304) are checks/keepins.py, their airflow budgets (T101) checks/airflow.py. Masses and centres of
gravity: sledcheck/model/mass.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .engine import Finding, Rule
from .envelope import SPEC_VALUE_UNSET

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading meshes or models

    from ..load.specs import SpecValue
    from ..model.assembly import Assembly, Part
    from ..model.mass import MassProperties

STANDARD_GRAVITY_M_S2 = 9.80665   # g_n, CGPM 1901 (3rd CGPM), exact by definition
TOLERANCE_MM = 1e-6
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


def overlap_xy(a: Part, b: Part) -> float:
    """Area [mm^2] shared by two parts' bounding rectangles seen from above."""
    (alo, ahi), (blo, bhi) = a.bounds, b.bounds
    dx = min(ahi[0], bhi[0]) - max(alo[0], blo[0])
    dy = min(ahi[1], bhi[1]) - max(alo[1], blo[1])
    return float(max(dx, 0.0) * max(dy, 0.0))


def in_contact(assembly: Assembly, a: Part, b: Part) -> bool:
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
                        or phi[2] - top <= limit + TOLERANCE_MM or in_contact(assembly, part, sink)):
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
    packages = [p for p in assembly.parts if p.role == "package" and in_contact(assembly, p, sink)]
    if packages:
        package = max(packages, key=lambda p: (overlap_xy(p, sink), p.name))
        area = overlap_xy(package, sink) * 1e-6
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
RULES = (HEIGHT_UNDER_HEATSINK, MASS_UNKNOWN, HEATSINK_MASS, COG_HEIGHT, MOUNTING_PRELOAD, SHOCK_LOAD,
         BOARD_ATTACH, TIM_BOND_LINE, TIM_PRESSURE)
