"""Running every scenario of a design as one batch and packaging the numbers as results (data only; the
renderings are in :mod:`sledcheck.report.thermal`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ...load.thermal import ThermalSpec
from ...thermal import air, atmosphere
from ...thermal.fans import FanCurve
from ...thermal.network import fan_flow, fan_pressure, system_pressure
from ..assembly import Assembly
from .build import SledModel, build_model, heatsinks_used
from .evaluate import KELVIN, Evaluation, evaluate
from .results import ComponentResult, LaneResult, Problem, ScenarioResult, ThermalResult
from .scenarios import scenarios, working_fans, worst_per_component
from .uncertainty import margin_bands


def analyse_thermal(assembly: Assembly) -> ThermalResult | None:
    """Every scenario of the design's thermal section, evaluated as one batch (None when there is none);
    computed once per assembly."""
    return assembly.analysis("thermal", lambda: _analyse(assembly))


def _analyse(assembly: Assembly) -> ThermalResult | None:
    model = build_model(assembly)
    return None if model is None else analyse_model(model)


def respec(model: SledModel, spec: ThermalSpec) -> SledModel:
    """The model with what is read at evaluation time taken from ``spec`` (a sweep case's thermal section with
    other powers, limits, environment or fan speed; the geometry, lanes, TIM and fan model must be the same)."""
    by_part = {c.part: c for c in spec.components}
    lanes = tuple(replace(lane, components=tuple(replace(c, spec=by_part[c.spec.part]) for c in lane.components))
                  for lane in model.lanes)
    return replace(model, spec=spec, lanes=lanes,
                   pressure=float(atmosphere.pressure_at_altitude(spec.environment.altitude)))


def analyse_model(model: SledModel) -> ThermalResult:
    """Every scenario of a built model, evaluated as one batch."""
    cases = scenarios(model.spec)
    inlet = np.array([c.inlet for c in cases])
    working = working_fans(model.spec, cases)
    if len({c.altitude for c in cases}) > 1:   # an altitude range: the air's pressure per case
        model = replace(model, pressure=np.asarray(atmosphere.pressure_at_altitude([c.altitude for c in cases])))
    ev = evaluate(model, inlet, working)
    bands = margin_bands(model, ev, inlet, working)
    # over an altitude range, report for each kind and failed fan the altitude worst for each component
    keep = worst_per_component(cases, {c.spec.part: np.asarray(c.spec.limit - ev.temperature[c.spec.part], float)
                                       for lane in model.lanes for c in lane.components})
    problems = list(model.problems)
    results = []
    for i in keep:
        name, t_in, failed, _, altitude = cases[i]
        lanes = []
        comps = []
        for lane in model.lanes:
            q = float(ev.lane_flow[lane.lane.name][i])
            if not bool(ev.lane_converged[lane.lane.name][i]):
                problems.append(Problem((lane.lane.name,), f"lane '{lane.lane.name}': the airflow solve did not "
                                        f"converge in scenario '{name}' (the fans and the lane's system curve "
                                        "have no crossing inside the fans' datasheet range)"))
            lanes.append(LaneResult(lane.lane.name, q, float(ev.lane_pressure[lane.lane.name][i]),
                                    int(working[lane.lane.name][i]),
                                    {s.part: float(ev.fin_flow[s.part][i]) / q if q > 0 else 0.0 for s in lane.sinks},
                                    float(lane.area)))
            for comp in lane.components:
                part = comp.spec.part
                chain = {key: float(np.asarray(v)[i]) for key, v in ev.chain[part].items()}
                temperature = float(ev.temperature[part][i])
                comps.append(ComponentResult(
                    part=part, power=comp.spec.power, temperature=temperature, limit_kind=comp.spec.limit_kind,
                    limit=comp.spec.limit, margin=comp.spec.limit - temperature,
                    required_margin=comp.spec.required_margin, local_inlet=float(ev.local_inlet[part][i]),
                    chain=chain, fin_flow=float(ev.fin_flow[comp.sink.part][i]) if comp.sink else None,
                    warnings=_warnings(ev, part, i), band=float(bands[part].total[i]),
                    band_parts={k: float(v[i]) for k, v in bands[part].parts.items()}))
        results.append(ScenarioResult(name, t_in, altitude, failed, tuple(lanes), tuple(comps)))
    return ThermalResult(tuple(results), tuple(problems), fan_model=model.spec.fan_model.stem,
                         fan_source=model.fan.source, curves=_curves(model, results),
                         heatsinks=heatsinks_used(model))


def _warnings(ev: Evaluation, part: str, i: int) -> tuple[str, ...]:
    """The heat sink's validity notes for case ``i``: each correlation range its operating point leaves or comes
    within 10 % of (:meth:`sledcheck.thermal.platefin.Validity.notes`); none without flow (T001 reports that)."""
    valid = ev.validity.get(part)
    if valid is None:
        return ()
    return tuple(valid.notes(i if np.ndim(valid.re_star) else None))


def _curves(model: SledModel, results: list[ScenarioResult]) -> dict[str, Any]:
    """Fan and system curves per lane (for plots): all fans and one failed, at each scenario inlet, [m^3/s], [Pa].

    The fans' pressure is that of the FanCurve (PCHIP), nan past their free delivery (so the N-1 curve ends
    there instead of being extrapolated)."""
    curves: dict[str, Any] = {}
    fan = model.fan
    for lane in model.lanes:
        n = len(lane.lane.fans)
        q_max = n * model.spec.fan_speed * fan.free_delivery_si
        q = np.linspace(0.0, q_max, 41)[1:]
        entry: dict[str, Any] = {"flow": q.tolist(), "fans": n, "scenarios": {}}
        at = {r.inlet: r.altitude for r in sorted(results, key=lambda r: -r.altitude)}   # the thinnest air
        for t_in in sorted(at):
            rho = float(air.density(t_in + KELVIN, atmosphere.pressure_at_altitude(at[t_in])))
            mu = float(air.viscosity(t_in + KELVIN))
            system = system_pressure(q, lane.area, lane.k_losses, tuple(s.section for s in lane.sinks), rho, mu)
            fans = {str(k): fan_pressure(fan, q, k, model.spec.fan_speed, rho / fan.density_si).tolist()
                    for k in (n, n - 1)}
            entry["scenarios"][f"{t_in:.1f}"] = {"system": system.tolist(), "fan": fans}
            if fan.failure.kind != "blocked":
                entry["scenarios"][f"{t_in:.1f}"]["failed"] = _failed_curve(fan, n, model.spec.fan_speed,
                                                                             rho, fan.density_si)
        if fan.failure.kind != "blocked":
            entry["failure"] = {"kind": fan.failure.kind, "reverse_k": fan.failure.reverse_k}
        curves[lane.lane.name] = entry
    return curves


def _failed_curve(fan: FanCurve, n: int, speed: float, rho: float, rated_rho: float) -> dict[str, list[float]]:
    """What one failed fan of ``n`` leaves the lane, as the lane solver takes it (:func:`.network.solve_lane`),
    sampled on the pressure [Pa]: the n - 1 healthy fans' flow, the failed fan's own (its remaining rotor's
    curve, > 0) or its backflow (windmilling, through the stopped rotor, < 0), and their sum, the lane's net flow
    [m^3/s], kept while it is >= 0."""
    ratio = rho / rated_rho
    rotor = fan.failure.rotor_curve if fan.failure.kind == "rotor" else None
    top = max(float(fan.pressure_si.max()), float(rotor.pressure_si.max()) if rotor is not None else 0.0)
    shutoffs = [float(fan.pressure_si.max())] + ([float(rotor.pressure_si.max())] if rotor is not None else [])
    p = speed**2 * ratio * np.union1d(np.linspace(0.0, top, 81), shutoffs)   # each curve's shut-off exactly
    healthy = (n - 1) * fan_flow(fan, p, speed, ratio)
    own = fan_flow(rotor, p, speed, ratio) if rotor is not None else -fan.failure.reverse_flow_si(p, rho)
    net = healthy + own
    keep = net >= 0.0
    return {"pressure": p[keep].tolist(), "flow": net[keep].tolist(), "healthy": healthy[keep].tolist(),
            "failed_fan": own[keep].tolist()}
