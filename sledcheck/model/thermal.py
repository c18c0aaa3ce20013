"""The thermal model of a sled, built from the design's thermal section and the CAD, run per scenario.

Geometry comes from the meshes: each heat sink's fins are recognised from sections
(:func:`~sledcheck.geometry.features.recognise_plate_fin`), the tip gap is measured from the fin tips to the
lid above them, the lane height from the board top to the lid, and the lane width from the span of the lane's
fans. Scenarios: nominal (nominal inlet), the worst inlet (the ASHRAE class's maximum derated with altitude,
or the declared max_inlet), and that worst inlet with each single fan failed (N+1).

Junction chain (thermal.md section 5): Tj = T_local + P (R_jc + R_TIM + R_sp + R_base + R_hs), with T_local
the lane inlet plus the preheat of upstream components in the lane, sum(P) / (m_dot cp).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from ..geometry.clip import clip_to_prism
from ..geometry.features import PlateFinGeometry, recognise_plate_fin
from ..load.thermal import Component, Lane, ThermalSpec
from ..thermal import air, atmosphere, platefin, spreading
from ..thermal.fans import load_fan_model
from ..thermal.network import Bypass, FinSection, solve_lane
from ..units import Q_, as_json
from .assembly import Assembly, Part

MM = 1e-3


@dataclass(frozen=True)
class Problem:
    """Something that keeps the model from evaluating a component or lane (a T003 finding)."""

    subjects: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class SinkGeometry:
    """A heat sink as the thermal model sees it [m]."""

    part: str
    fins: PlateFinGeometry
    section: FinSection
    base_x: float
    base_y: float
    base_centre: tuple[float, float]
    tip_gap: float


@dataclass(frozen=True)
class ComponentResult:
    part: str
    power: float                 # [W]
    temperature: float           # limited temperature (junction or case) [degC]
    limit_kind: str
    limit: float                 # [degC]
    margin: float                # [K]
    required_margin: float       # [K]
    local_inlet: float           # [degC]
    chain: dict[str, float]      # [K/W]
    fin_flow: float | None       # [m^3/s]
    warnings: tuple[str, ...] = ()

    @property
    def junction(self) -> float | None:
        if self.limit_kind == "junction":
            return self.temperature
        return self.temperature + self.power * self.chain["r_jc"] if self.chain.get("r_jc") else None


@dataclass(frozen=True)
class LaneResult:
    name: str
    flow: float                  # [m^3/s]
    pressure: float              # [Pa]
    fans_working: int
    fin_fraction: dict[str, float]


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    inlet: float                 # [degC]
    altitude: float              # [m]
    failed_fans: tuple[str, ...]
    lanes: tuple[LaneResult, ...]
    components: tuple[ComponentResult, ...]


@dataclass(frozen=True)
class ThermalResult:
    scenarios: tuple[ScenarioResult, ...]
    problems: tuple[Problem, ...]
    fan_model: str
    fan_source: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        out = []
        for s in self.scenarios:
            comps = []
            for c in s.components:
                comps.append({
                    "part": c.part, "power": as_json(Q_(c.power, "W")),
                    "junction_temperature": as_json(Q_(c.junction, "degC")) if c.junction is not None else None,
                    "temperature": as_json(Q_(c.temperature, "degC")), "temperature_kind": c.limit_kind,
                    "limit": as_json(Q_(c.limit, "degC")), "margin": as_json(Q_(c.margin, "K")),
                    "required_margin": as_json(Q_(c.required_margin, "K")),
                    "local_inlet": as_json(Q_(c.local_inlet, "degC")),
                    "resistances": {k: as_json(Q_(v, "K/W")) for k, v in c.chain.items()},
                    "fin_flow": as_json(Q_(c.fin_flow, "m**3/s").to("CFM")) if c.fin_flow is not None else None,
                    "warnings": list(c.warnings)})
            out.append({
                "name": s.name, "inlet_temperature": as_json(Q_(s.inlet, "degC")),
                "altitude": as_json(Q_(s.altitude, "m")), "failed_fans": len(s.failed_fans),
                "failed_fan_parts": list(s.failed_fans),
                "airflow": {"total": as_json(Q_(sum(lane.flow for lane in s.lanes), "m**3/s").to("CFM")),
                            "lanes": [{"name": lane.name, "flow": as_json(Q_(lane.flow, "m**3/s").to("CFM")),
                                       "pressure": as_json(Q_(lane.pressure, "Pa")),
                                       "fans_working": lane.fans_working,
                                       "fin_fraction": {k: round(v, 4) for k, v in lane.fin_fraction.items()}}
                                      for lane in s.lanes]},
                "components": comps})
        return {"fan_model": self.fan_model, "scenarios": out}

    def text_lines(self) -> list[str]:
        lines = ["thermal margins (fan model: " + self.fan_model + ")"]
        for s in self.scenarios:
            flow = sum(lane.flow for lane in s.lanes) / 4.719474e-4
            lines.append(f"  {s.name}: inlet {s.inlet:.1f} degC, {s.altitude:.0f} m, {flow:.1f} CFM")
            for c in s.components:
                short = "  << below required" if c.margin < c.required_margin else ""
                kind = "Tj" if c.limit_kind == "junction" else "Tcase"
                lines.append(f"    {c.part:14} {c.power:7.1f} W  {kind} {c.temperature:6.1f} degC  limit "
                             f"{c.limit:5.1f}  margin {c.margin:+6.1f} K (need {c.required_margin:g}){short}")
        return lines


def _air(temperature_c: float, pressure: float) -> dict[str, float]:
    t = temperature_c + 273.15
    return {"rho": float(air.density(t, pressure)), "mu": float(air.viscosity(t)), "k": float(air.conductivity(t)),
            "cp": float(air.specific_heat(t)), "pr": float(air.prandtl(t))}


def _board_top(assembly: Assembly, part: Part) -> float:
    lo, hi = part.bounds
    tops = [p.bounds[1][2] for p in assembly.parts_with_role("pcb")
            if p.bounds[1][2] <= lo[2] + 1e-6 and p.bounds[0][0] < hi[0] and p.bounds[1][0] > lo[0]
            and p.bounds[0][1] < hi[1] and p.bounds[1][1] > lo[1]]
    return max(tops) if tops else float(assembly.bounds[0][2])


def _lid_bottom(assembly: Assembly, part: Part) -> float | None:
    """Lowest point of any lid over the part's footprint and above its bottom [mm] (the lid is clipped to the
    footprint, so this is exact; a lid the part runs into gives a tip gap of zero)."""
    from shapely.geometry import box

    lo, hi = part.bounds
    footprint = box(lo[0], lo[1], hi[0], hi[1])
    best = None
    for lid in assembly.parts_with_role("lid"):
        pieces = clip_to_prism(lid.mesh, lid.triangle_boxes, footprint, lo[2], np.inf)
        for piece in pieces:
            z = float(piece.vertices[:, 2].min())
            best = z if best is None else min(best, z)
    return best


def _sink(assembly: Assembly, lane: Lane, lane_width: float, name: str) -> SinkGeometry | Problem:
    part = assembly.part(name)
    fins = recognise_plate_fin(part.mesh)
    if not isinstance(fins, PlateFinGeometry):
        return Problem((name,), f"{name} is not recognised as a straight plate-fin heat sink ({fins.reason}); "
                                "its thermal resistance cannot be computed")
    if fins.flow_axis != "y":
        return Problem((name,), f"{name}'s fins run along {fins.flow_axis}, across the airflow (y): the air cannot "
                                "pass through its channels")
    lo, hi = part.bounds
    board = _board_top(assembly, part)
    lid = _lid_bottom(assembly, part)
    height = lane.height / MM if lane.height else (lid - board if lid is not None else None)
    if height is None:
        return Problem((name,), f"no lid above {name} and no lane height for lane '{lane.name}': the bypass over the "
                                "fins cannot be sized; give the lane a height")
    top = float(hi[2])
    tip = max((lid if lid is not None else board + height) - top, 0.0)
    base_w = float(hi[0] - lo[0])
    base_l = float(hi[1] - lo[1])
    flange = max(base_w - fins.fin_array_width, 0.0)
    passages = [(fins.fin_array_width, tip), (flange, fins.fin_height), (max(lane_width - base_w, 0.0), height)]
    bypass = Bypass(widths=tuple(w * MM for w, _ in passages), heights=tuple(h * MM for _, h in passages),
                    length=base_l * MM, lane_area=lane_width * height * MM * MM)
    section = FinSection(width=fins.fin_array_width * MM, length=fins.fin_length * MM,
                         fin_height=fins.fin_height * MM, fin_count=fins.fin_count,
                         fin_thickness=fins.fin_thickness * MM, bypass=bypass)
    return SinkGeometry(part=name, fins=fins, section=section, base_x=base_w * MM, base_y=base_l * MM,
                        base_centre=(float(lo[0] + hi[0]) / 2 * MM, float(lo[1] + hi[1]) / 2 * MM), tip_gap=tip * MM)


def _k_losses(lane: Lane, lane_area: float) -> float:
    """Velocity heads of the lane's fixed losses; perforated plates by the square-edged grille correlation
    of fluids (Idelchik, via fluids.filters.square_edge_grill)."""
    from fluids.filters import square_edge_grill

    total = 0.0
    for loss in lane.losses:
        if loss.k is not None:
            total += loss.k
        else:
            assert loss.open_area is not None
            total += float(square_edge_grill(alpha=loss.open_area, l=loss.thickness, Dh=0.004, fd=0.03))
    return total


def scenarios(spec: ThermalSpec) -> list[tuple[str, float, tuple[str, ...]]]:
    env = spec.environment
    worst = env.max_inlet if env.max_inlet is not None else float(
        atmosphere.max_inlet_temperature(env.ashrae_class, env.altitude))
    label = (f"max inlet {worst:.1f} degC" + (f" ({env.ashrae_class} at {env.altitude:.0f} m)"
                                                if env.max_inlet is None else ""))
    out = [(f"nominal {env.nominal_inlet:.1f} degC", env.nominal_inlet, ()), (label, worst, ())]
    for lane in spec.lanes:
        for fan in lane.fans:
            out.append((f"{label}, {fan} failed", worst, (fan,)))
    return out


@cache
def analyse_thermal(assembly: Assembly) -> ThermalResult | None:
    """Every scenario of the design's thermal section (None when there is none)."""
    spec = assembly.design.thermal
    if spec is None:
        return None
    fan = load_fan_model(spec.fan_model)
    curve_q, curve_p = np.asarray(fan.flow_si, float), np.asarray(fan.pressure_si, float)
    pressure = float(atmosphere.pressure_at_altitude(spec.environment.altitude))
    components = {c.part: c for c in spec.components}
    problems: list[Problem] = []
    lanes = []
    for lane in spec.lanes:
        fan_parts = [assembly.part(f) for f in lane.fans]
        width = lane.width / MM if lane.width else float(max(p.bounds[1][0] for p in fan_parts)
                                                          - min(p.bounds[0][0] for p in fan_parts))
        sinks: dict[str, SinkGeometry] = {}
        heights = []
        for comp in (components[c] for c in lane.components):
            if comp.heatsink is None:
                continue
            sink = _sink(assembly, lane, width, comp.heatsink)
            if isinstance(sink, Problem):
                problems.append(sink)
                continue
            sinks[comp.part] = sink
            heights.append(sink.section.bypass.lane_area / (width * MM))
        height = lane.height or (max(heights) if heights else None)
        if height is None:
            problems.append(Problem((lane.name,), f"lane '{lane.name}' has no height and no heat sink under a lid "
                                                  "to measure it from; give the lane a height"))
            continue
        lanes.append((lane, width * MM, height, sinks))
    results = []
    for name, inlet, failed in scenarios(spec):
        props = _air(inlet, pressure)
        lane_results, comp_results = [], []
        for lane, width, height, sinks in lanes:
            area = width * height
            working = len(lane.fans) - sum(1 for f in failed if f in lane.fans)
            order = [sinks[c] for c in lane.components if c in sinks]
            flow = solve_lane(curve_q, curve_p, working, spec.fan_speed, props["rho"] / fan.density_si, area,
                              _k_losses(lane, area), tuple(s.section for s in order), props["rho"], props["mu"])
            q = float(flow.flow)
            fin_flows = {s.part: float(f) for s, f in zip(order, flow.fin_flows, strict=True)}
            lane_results.append(LaneResult(lane.name, q, float(flow.pressure), working,
                                           {k: v / q if q > 0 else 0.0 for k, v in fin_flows.items()}))
            m_dot = props["rho"] * q
            upstream = 0.0
            for comp_name in lane.components:
                comp = components[comp_name]
                local = inlet + (upstream / (m_dot * props["cp"]) if m_dot > 0 else np.inf)
                sink = sinks.get(comp_name)
                if comp.heatsink is not None and sink is None:
                    upstream += comp.power
                    continue  # reported as a problem
                comp_results.append(_component(assembly, comp, sink, local, pressure, props,
                                               fin_flows.get(sink.part) if sink else None, spec.spreading))
                upstream += comp.power
        results.append(ScenarioResult(name, inlet, spec.environment.altitude, failed, tuple(lane_results),
                                      tuple(comp_results)))
    return ThermalResult(tuple(results), tuple(problems), fan_model=spec.fan_model.stem, fan_source=fan.source)


@cache
def _spreading(method: str, sx: float, sy: float, px: float, py: float, ox: float, oy: float, t: float, k: float,
               r0: float) -> float:
    if method == "lee":
        return float(spreading.lee_spreading(sx * sy, px * py, t, k, r0).average)
    return float(spreading.series_spreading(sx, sy, px, py, t, k, r0, ox, oy, rtol=1e-4, maximum=False).average)


def _component(assembly: Assembly, comp: Component, sink: SinkGeometry | None, local: float, pressure: float,
               inlet_props: dict[str, float], fin_flow: float | None, method: str) -> ComponentResult:
    chain: dict[str, float] = {"r_jc": comp.r_jc}
    warnings: list[str] = []
    if sink is None:
        assert comp.r_ca is not None
        chain["r_ca"] = comp.r_ca
    else:
        assert fin_flow is not None
        props = _air(local, pressure)
        q_local = fin_flow * inlet_props["rho"] / props["rho"]
        s, f = sink.section, sink.fins
        k = comp.heatsink_conductivity
        hs = platefin.plate_fin_thermal(q_local, s.width, s.length, s.fin_height, s.fin_count, s.fin_thickness, k,
                                        props["rho"], props["mu"], props["k"], props["pr"])
        valid = platefin.validity(q_local, s.width, s.length, s.fin_height, s.fin_count, s.fin_thickness,
                                  props["rho"], props["mu"])
        if not valid.re_star_in_range:
            warnings.append(f"Re* = {float(valid.re_star):.3g} is outside the Teertstra model's range 0.26-175")
        if not valid.laminar:
            warnings.append(f"channel Re = {float(valid.reynolds):.0f} is above 2300: the laminar correlations "
                            "do not hold (turbulent channels)")
        r_hs = float(hs.resistance)
        base_t = f.base_thickness * MM
        package = assembly.part(comp.part)
        lo, hi = package.bounds
        contact = float((hi[0] - lo[0]) * (hi[1] - lo[1])) * MM * MM
        sx, sy = comp.source_size or (float(hi[0] - lo[0]) * MM, float(hi[1] - lo[1]) * MM)
        sx, sy = min(sx, sink.base_x), min(sy, sink.base_y)
        ox = float(lo[0] + hi[0]) / 2 * MM - sink.base_centre[0]
        oy = float(lo[1] + hi[1]) / 2 * MM - sink.base_centre[1]
        chain["r_tim"] = comp.tim_thickness / (comp.tim_conductivity * contact)  # type: ignore[operator]
        chain["r_spreading"] = _spreading(method, sx, sy, sink.base_x, sink.base_y, round(ox, 9), round(oy, 9),
                                          base_t, k, r_hs)
        chain["r_base"] = float(platefin.base_resistance(base_t, k, sink.base_x, sink.base_y))
        chain["r_heatsink"] = r_hs
    total = sum(v for key, v in chain.items() if comp.limit_kind == "junction" or key != "r_jc")
    temperature = local + comp.power * total
    return ComponentResult(part=comp.part, power=comp.power, temperature=temperature, limit_kind=comp.limit_kind,
                           limit=comp.limit, margin=comp.limit - temperature, required_margin=comp.required_margin,
                           local_inlet=local, chain=chain, fin_flow=fin_flow, warnings=tuple(warnings))
