"""T101: a component's or slot's lane flow below a design guide's airflow budget (a pack's ``airflow:`` entry:
a flow [CFM] or approach velocity [LFM], optionally at a back pressure), in the thermal model's worst scenario."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .engine import Finding, Rule
from .envelope import SPEC_VALUE_UNSET
from .evidence import Evidence

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading meshes or models
    from ..load.specs import AirflowBudget
    from ..load.thermal import ThermalSpec
    from ..model.assembly import Assembly
    from ..model.thermal.results import LaneResult, ScenarioResult


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

RULES = (AIRFLOW_BUDGET,)
