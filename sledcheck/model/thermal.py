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
from typing import Any

import numpy as np

from ..geometry.clip import clip_to_prism
from ..geometry.heatsinks import PlateFinGeometry, recognise_plate_fin
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
    curves: dict[str, Any] = field(default_factory=dict, compare=False)

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
                if not np.isfinite(c.temperature):
                    lines.append(f"    {c.part:14} {c.power:7.1f} W  {kind:5} unbounded: no airflow through its lane")
                    continue
                lines.append(f"    {c.part:14} {c.power:7.1f} W  {kind:5} {c.temperature:6.1f} degC  limit "
                             f"{c.limit:5.1f}  margin {c.margin:+6.1f} K (need {c.required_margin:g}){short}")
        return lines


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


def _declared_fins(part: Part, given: dict[str, float]) -> PlateFinGeometry:
    """Fin geometry the design declares [mm] for a sink the recogniser cannot read; footprint from the mesh."""
    lo, hi = part.bounds
    n, t = int(given["fin_count"]), given["fin_thickness"]
    width = given.get("fin_field_width", float(hi[0] - lo[0]))
    gap = (width - n * t) / (n - 1)
    return PlateFinGeometry(
        fin_count=n, fin_thickness=t, fin_thickness_min=t, fin_thickness_max=t, fin_gap=gap, fin_gap_min=gap,
        fin_gap_max=gap, fin_height=given["fin_height"], base_thickness=given["base_thickness"],
        length=float(hi[1] - lo[1]), width=float(hi[0] - lo[0]),
        fin_length=given.get("fin_length", float(hi[1] - lo[1])), fin_array_width=width, flow_axis="y",
        base_normal="+z", fin_centres=(),
        base_bounds=(tuple(lo), (hi[0], hi[1], lo[2] + given["base_thickness"])))  # type: ignore[arg-type]


def _sink(assembly: Assembly, lane: Lane, lane_width: float, name: str,
          declared: dict[str, float] | None = None) -> SinkGeometry | Problem:
    part = assembly.part(name)
    fins = _declared_fins(part, declared) if declared else recognise_plate_fin(assembly.sections(part))
    if not isinstance(fins, PlateFinGeometry):
        return Problem((name,), f"{name} is not recognised as a straight plate-fin heat sink ({fins.reason}); "
                                "give its fins in the component's heatsink_geometry, or use a plate-fin mesh")
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
    """(name, inlet [degC], failed fans) of every scenario: nominal, worst inlet, worst inlet with each fan failed."""
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


#: R0 values [K/W] at which the exact spreading series is tabulated for each component (log-spaced; PCHIP in
#: log-log between them is within 0.1 % of the series, see tests).
R0_GRID = np.geomspace(1e-3, 100.0, 21)


@dataclass(frozen=True, eq=False)
class ComponentModel:
    """A hot component with what its chain needs that does not change between cases."""

    spec: Component
    sink: SinkGeometry | None
    r_tim: float                              # [K/W]
    r_base: float                             # [K/W]
    spreading: Any                            # callable R0 [K/W] -> R_sp [K/W] (vectorised)


@dataclass(frozen=True, eq=False)
class LaneModel:
    lane: Lane
    area: float                               # [m^2]
    sinks: tuple[SinkGeometry, ...]           # in airflow order
    k_losses: float
    components: tuple[ComponentModel, ...]    # in airflow order


@dataclass(frozen=True, eq=False)
class SledModel:
    """Everything of the sled's thermal model that is fixed: geometry, fans, air pressure."""

    spec: ThermalSpec
    fan: Any
    pressure: float                           # [Pa] at the site altitude
    lanes: tuple[LaneModel, ...]
    problems: tuple[Problem, ...]


def _spreading_table(method: str, sx: float, sy: float, sink: SinkGeometry, offset: tuple[float, float], t: float,
                     k: float) -> Any:
    from scipy.interpolate import PchipInterpolator

    if method == "lee":
        return lambda r0: spreading.lee_spreading(sx * sy, sink.base_x * sink.base_y, t, k, r0).average
    values = [float(spreading.series_spreading(sx, sy, sink.base_x, sink.base_y, t, k, r0, offset[0], offset[1],
                                               rtol=1e-5, maximum=False).average) for r0 in R0_GRID]
    table = PchipInterpolator(np.log(R0_GRID), np.log(np.maximum(values, 1e-300)), extrapolate=True)
    return lambda r0: np.exp(table(np.log(np.clip(r0, R0_GRID[0], R0_GRID[-1]))))


def build_model(assembly: Assembly) -> SledModel | None:
    """The fixed part of the thermal model, read from the design and the CAD once."""
    spec = assembly.design.thermal
    if spec is None:
        return None
    fan = load_fan_model(spec.fan_model)
    components = {c.part: c for c in spec.components}
    problems: list[Problem] = []
    lanes = []
    for lane in spec.lanes:
        fan_parts = [assembly.part(f) for f in lane.fans]
        width = lane.width / MM if lane.width else float(max(p.bounds[1][0] for p in fan_parts)
                                                          - min(p.bounds[0][0] for p in fan_parts))
        sinks: dict[str, SinkGeometry] = {}
        for comp in (components[c] for c in lane.components):
            if comp.heatsink is None:
                continue
            sink = _sink(assembly, lane, width, comp.heatsink, comp.heatsink_geometry)
            if isinstance(sink, Problem):
                problems.append(sink)
            else:
                sinks[comp.part] = sink
        heights = [s.section.bypass.lane_area / (width * MM) for s in sinks.values()]
        height = lane.height or (max(heights) if heights else None)
        if height is None:
            problems.append(Problem((lane.name,), f"lane '{lane.name}' has no height and no heat sink under a lid "
                                                  "to measure it from; give the lane a height"))
            continue
        area = width * MM * height
        centres = {c: float(assembly.part(c).bounds[:, 1].mean()) for c in lane.components}
        in_cad = sorted(lane.components, key=lambda c: centres[c])
        if list(lane.components) != in_cad:
            problems.append(Problem(tuple(lane.components), f"lane '{lane.name}' lists {', '.join(lane.components)} "
                                    f"but the CAD puts them in airflow order (front to back, y) as "
                                    f"{', '.join(in_cad)}: the preheat would be wrong; list them in that order"))
        models = []
        for name in lane.components:
            comp = components[name]
            sink = sinks.get(name)
            if comp.heatsink is not None and sink is None:
                continue
            model = _component_model(assembly, comp, sink, spec.spreading)
            if isinstance(model, Problem):
                problems.append(model)
            else:
                models.append(model)
        lanes.append(LaneModel(lane=lane, area=area, sinks=tuple(sinks[c] for c in lane.components if c in sinks),
                               k_losses=_k_losses(lane, area), components=tuple(models)))
    return SledModel(spec=spec, fan=fan, pressure=float(atmosphere.pressure_at_altitude(spec.environment.altitude)),
                     lanes=tuple(lanes), problems=tuple(problems))


def _component_model(assembly: Assembly, comp: Component, sink: SinkGeometry | None,
                     method: str) -> ComponentModel | Problem:
    if sink is None:
        return ComponentModel(spec=comp, sink=None, r_tim=0.0, r_base=0.0, spreading=None)
    lo, hi = assembly.part(comp.part).bounds
    contact = float((hi[0] - lo[0]) * (hi[1] - lo[1])) * MM * MM
    sx, sy = comp.source_size or (float(hi[0] - lo[0]) * MM, float(hi[1] - lo[1]) * MM)
    sx, sy = min(sx, sink.base_x), min(sy, sink.base_y)
    offset = (round(float(lo[0] + hi[0]) / 2 * MM - sink.base_centre[0], 9),
              round(float(lo[1] + hi[1]) / 2 * MM - sink.base_centre[1], 9))
    t, k = sink.fins.base_thickness * MM, comp.heatsink_conductivity
    if abs(offset[0]) + sx / 2 > sink.base_x / 2 * (1 + 1e-9) or abs(offset[1]) + sy / 2 > sink.base_y / 2 * (1 + 1e-9):
        return Problem((comp.part, sink.part), f"{sink.part} is not over {comp.part}: the heat source (centre "
                       f"{offset[0] / MM:+.1f}, {offset[1] / MM:+.1f} mm from the base centre) is not on its base")
    assert comp.tim_thickness is not None and comp.tim_conductivity is not None
    return ComponentModel(spec=comp, sink=sink, r_tim=comp.tim_thickness / (comp.tim_conductivity * contact),
                          r_base=float(platefin.base_resistance(t, k, sink.base_x, sink.base_y)),
                          spreading=_spreading_table(method, sx, sy, sink, offset, t, k))


@dataclass(frozen=True)
class Evaluation:
    """Arrays over cases: lane flows and pressures, and per component its temperature and chain."""

    lane_flow: dict[str, np.ndarray]            # [m^3/s]
    lane_pressure: dict[str, np.ndarray]        # [Pa]
    fin_flow: dict[str, np.ndarray]             # per heat-sink part [m^3/s]
    temperature: dict[str, np.ndarray]          # per component, the limited temperature [degC]
    local_inlet: dict[str, np.ndarray]          # [degC]
    chain: dict[str, dict[str, np.ndarray]]     # per component [K/W]
    re_star: dict[str, np.ndarray]
    reynolds: dict[str, np.ndarray]


def evaluate(model: SledModel, inlet: Any, working: dict[str, Any], speed: Any = None,
             power_scale: Any = 1.0) -> Evaluation:
    """Evaluate every case at once: ``inlet`` [degC], fans working per lane, fan speed (fraction of rated) and a
    power multiplier, each a scalar or an array over cases (broadcast together)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _evaluate(model, inlet, working, model.spec.fan_speed if speed is None else speed, power_scale)


def _evaluate(model: SledModel, inlet: Any, working: dict[str, Any], speed: Any, power_scale: Any) -> Evaluation:
    t_in = np.asarray(inlet, float) + 273.15
    rho_in, mu_in = air.density(t_in, model.pressure), air.viscosity(t_in)
    cp = air.specific_heat(t_in)
    fan = model.fan
    curve_q, curve_p = np.asarray(fan.flow_si, float), np.asarray(fan.pressure_si, float)
    out = Evaluation({}, {}, {}, {}, {}, {}, {}, {})
    for lane in model.lanes:
        name = lane.lane.name
        flow = solve_lane(curve_q, curve_p, np.asarray(working[name], float), speed, rho_in / fan.density_si,
                          lane.area, lane.k_losses, tuple(s.section for s in lane.sinks), rho_in, mu_in)
        out.lane_flow[name], out.lane_pressure[name] = flow.flow, flow.pressure
        for sink, q_fin in zip(lane.sinks, flow.fin_flows, strict=True):
            out.fin_flow[sink.part] = q_fin
        m_dot = rho_in * flow.flow
        upstream = 0.0
        for comp in lane.components:
            power = comp.spec.power * np.asarray(power_scale, float)
            # no air through the lane: nothing bounds the temperature (reported as such, never as a pass)
            local = np.where(m_dot > 0, t_in - 273.15 + upstream / np.where(m_dot > 0, m_dot * cp, 1.0), np.inf)
            chain: dict[str, Any] = {"r_jc": np.broadcast_to(comp.spec.r_jc, np.shape(local))}
            if comp.sink is None:
                chain["r_ca"] = np.broadcast_to(comp.spec.r_ca, np.shape(local))
            else:
                t_local = local + 273.15
                rho = air.density(t_local, model.pressure)
                q_local = out.fin_flow[comp.sink.part] * rho_in / rho
                s = comp.sink.section
                k = comp.spec.heatsink_conductivity
                hs = platefin.plate_fin_thermal(q_local, s.width, s.length, s.fin_height, s.fin_count,
                                                s.fin_thickness, k, rho, air.viscosity(t_local),
                                                air.conductivity(t_local), air.prandtl(t_local))
                valid = platefin.validity(q_local, s.width, s.length, s.fin_height, s.fin_count, s.fin_thickness,
                                          rho, air.viscosity(t_local))
                out.re_star[comp.spec.part], out.reynolds[comp.spec.part] = valid.re_star, valid.reynolds
                chain["r_tim"] = np.broadcast_to(comp.r_tim, np.shape(local))
                chain["r_spreading"] = comp.spreading(hs.resistance)
                chain["r_base"] = np.broadcast_to(comp.r_base, np.shape(local))
                chain["r_heatsink"] = hs.resistance
            total = sum(v for key, v in chain.items() if comp.spec.limit_kind == "junction" or key != "r_jc")
            out.temperature[comp.spec.part] = local + power * total
            out.local_inlet[comp.spec.part] = local
            out.chain[comp.spec.part] = chain
            upstream = upstream + power
    return out


def analyse_thermal(assembly: Assembly) -> ThermalResult | None:
    """Every scenario of the design's thermal section, evaluated as one batch (None when there is none);
    computed once per assembly."""
    return assembly.analysis("thermal", lambda: _analyse(assembly))


def _analyse(assembly: Assembly) -> ThermalResult | None:
    model = build_model(assembly)
    if model is None:
        return None
    cases = scenarios(model.spec)
    inlet = np.array([c[1] for c in cases])
    working = {lane.lane.name: np.array([len(lane.lane.fans) - sum(f in lane.lane.fans for f in c[2])
                                         for c in cases]) for lane in model.lanes}
    ev = evaluate(model, inlet, working)
    results = []
    for i, (name, t_in, failed) in enumerate(cases):
        lanes = []
        comps = []
        for lane in model.lanes:
            q = float(ev.lane_flow[lane.lane.name][i])
            lanes.append(LaneResult(lane.lane.name, q, float(ev.lane_pressure[lane.lane.name][i]),
                                    int(working[lane.lane.name][i]),
                                    {s.part: float(ev.fin_flow[s.part][i]) / q if q > 0 else 0.0 for s in lane.sinks}))
            for comp in lane.components:
                part = comp.spec.part
                chain = {key: float(np.asarray(v)[i]) for key, v in ev.chain[part].items()}
                temperature = float(ev.temperature[part][i])
                comps.append(ComponentResult(
                    part=part, power=comp.spec.power, temperature=temperature, limit_kind=comp.spec.limit_kind,
                    limit=comp.spec.limit, margin=comp.spec.limit - temperature,
                    required_margin=comp.spec.required_margin, local_inlet=float(ev.local_inlet[part][i]),
                    chain=chain, fin_flow=float(ev.fin_flow[comp.sink.part][i]) if comp.sink else None,
                    warnings=_warnings(ev, part, i)))
        results.append(ScenarioResult(name, t_in, model.spec.environment.altitude, failed, tuple(lanes), tuple(comps)))
    return ThermalResult(tuple(results), model.problems, fan_model=model.spec.fan_model.stem,
                         fan_source=model.fan.source, curves=_curves(model, results))


def _warnings(ev: Evaluation, part: str, i: int) -> tuple[str, ...]:
    if part not in ev.re_star:
        return ()
    out = []
    re_star, re = float(ev.re_star[part][i]), float(ev.reynolds[part][i])
    if not re_star > 0:   # no flow: reported by T001, not as a correlation out of range
        return ()
    if not platefin.RE_STAR_RANGE[0] < re_star < platefin.RE_STAR_RANGE[1]:
        out.append(f"Re* = {re_star:.3g} is outside the Teertstra model's range 0.26-175")
    if re >= platefin.RE_LAMINAR_MAX:
        out.append(f"channel Re = {re:.0f} is above 2300: the laminar correlations do not hold (turbulent channels)")
    return tuple(out)


def _curves(model: SledModel, results: list[ScenarioResult]) -> dict[str, Any]:
    """Fan and system curves per lane (for plots): all fans at the worst inlet and at nominal, [m^3/s], [Pa]."""
    from ..thermal.network import fan_pressure, system_pressure

    curves: dict[str, Any] = {}
    fan = model.fan
    for lane in model.lanes:
        n = len(lane.lane.fans)
        q_max = n * model.spec.fan_speed * float(fan.flow_si[-1])
        q = np.linspace(0.0, q_max, 41)[1:]
        entry = {"flow": q.tolist(), "fans": n, "scenarios": {}}
        for t_in in sorted({r.inlet for r in results}):
            rho = float(air.density(t_in + 273.15, model.pressure))
            mu = float(air.viscosity(t_in + 273.15))
            system = system_pressure(q, lane.area, lane.k_losses, tuple(s.section for s in lane.sinks), rho, mu)
            fans = {str(k): fan_pressure(np.asarray(fan.flow_si), np.asarray(fan.pressure_si), q, k,
                                         model.spec.fan_speed, rho / fan.density_si).tolist() for k in (n, n - 1)}
            entry["scenarios"][f"{t_in:.1f}"] = {"system": system.tolist(), "fan": fans}
        curves[lane.lane.name] = entry
    return curves
