"""Evaluating the sled model over a batch of cases at once (numpy arrays over cases): lane airflow, preheat and
each component's junction (or case) temperature chain (thermal.md section 5):

    Tj = T_local + P (R_jc + R_TIM + R_sp + R_base + R_hs),  T_local = T_inlet + sum(P upstream) / (m_dot cp)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...thermal import air
from ...thermal.network import solve_lane
from .build import SledModel

KELVIN = 273.15


@dataclass(frozen=True)
class Evaluation:
    """Arrays over cases (SI; temperatures in degC): lane flows [m^3/s], pressures [Pa] and whether the airflow
    solve converged; per heat-sink part its fin flow [m^3/s]; per component its limited temperature and local
    inlet [degC], resistance chain [K/W], Re* and channel Re [-], and the heat sink's validity record (arrays
    over cases; its ``notes(i)`` words case i for T002)."""

    lane_flow: dict[str, np.ndarray]
    lane_pressure: dict[str, np.ndarray]
    fin_flow: dict[str, np.ndarray]
    temperature: dict[str, np.ndarray]
    local_inlet: dict[str, np.ndarray]
    chain: dict[str, dict[str, np.ndarray]]
    re_star: dict[str, np.ndarray]
    reynolds: dict[str, np.ndarray]
    lane_converged: dict[str, np.ndarray]
    validity: dict[str, Any] = field(default_factory=dict)


def evaluate(model: SledModel, inlet: Any, working: dict[str, Any], speed: Any = None,
             power_scale: Any = 1.0, scales: dict[str, Any] | None = None) -> Evaluation:
    """Evaluate every case at once: ``inlet`` [degC], fans working per lane (the others failed, each as the fan
    model declares: :class:`~sledcheck.thermal.fans.FanFailure`), fan speed (fraction of rated) and a
    power multiplier, each a scalar or an array over cases (broadcast together); ``scales`` multiplies one
    component's power (key ``power:PART``) or TIM resistance (``tim:PART``) per case (a Monte Carlo's draws)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _evaluate(model, inlet, working, model.spec.fan_speed if speed is None else speed, power_scale,
                         scales or {})


def _evaluate(model: SledModel, inlet: Any, working: dict[str, Any], speed: Any, power_scale: Any,
              scales: dict[str, Any]) -> Evaluation:
    t_in_k = np.asarray(inlet, float) + KELVIN
    rho_in, mu_in = air.density(t_in_k, model.pressure), air.viscosity(t_in_k)
    cp = air.specific_heat(t_in_k)
    fan = model.fan
    out = Evaluation({}, {}, {}, {}, {}, {}, {}, {}, {})
    for lane in model.lanes:
        name = lane.lane.name
        n_working = np.asarray(working[name], float)
        flow = solve_lane(fan, n_working, speed, rho_in / fan.density_si, lane.area, lane.k_losses,
                          tuple(s.section for s in lane.sinks), rho_in, mu_in,
                          failed=len(lane.lane.fans) - n_working)
        out.lane_flow[name], out.lane_pressure[name] = flow.flow, flow.pressure
        out.lane_converged[name] = np.broadcast_to(flow.converged, np.shape(flow.flow))
        for sink, q_fin in zip(lane.sinks, flow.fin_flows, strict=True):
            out.fin_flow[sink.part] = q_fin
        m_dot = rho_in * flow.flow
        upstream: Any = 0.0  # heat picked up upstream [W]: a float, then an array
        for comp in lane.components:
            power = comp.spec.power * np.asarray(power_scale, float) * scales.get(f"power:{comp.spec.part}", 1.0)
            # no air through the lane: nothing bounds the temperature (reported as such, never as a pass)
            local = np.where(m_dot > 0, t_in_k - KELVIN + upstream / np.where(m_dot > 0, m_dot * cp, 1.0), np.inf)
            chain: dict[str, Any] = {"r_jc": np.broadcast_to(comp.spec.r_jc, np.shape(local))}
            if comp.sink is None:
                if comp.spec.r_ca is None:  # the loader requires r_ca of a part without a heat sink
                    raise ValueError(f"{comp.spec.part} has neither a heat sink nor r_ca")
                chain["r_ca"] = np.broadcast_to(comp.spec.r_ca, np.shape(local))
            else:
                t_local_k = local + KELVIN
                rho = air.density(t_local_k, model.pressure)
                q_local = out.fin_flow[comp.sink.part] * rho_in / rho
                heatsink = comp.sink.section.sink
                mu = air.viscosity(t_local_k)
                r_hs = heatsink.thermal_resistance(q_local, rho, mu, air.conductivity(t_local_k),
                                                   air.prandtl(t_local_k))
                valid = heatsink.validity(q_local, rho, mu)
                out.re_star[comp.spec.part], out.reynolds[comp.spec.part] = valid.re_star, valid.reynolds
                out.validity[comp.spec.part] = valid
                chain["r_tim"] = np.broadcast_to(comp.r_tim * scales.get(f"tim:{comp.spec.part}", 1.0),
                                                 np.shape(local))
                chain["r_spreading"] = comp.spreading(r_hs)
                chain["r_base"] = np.broadcast_to(comp.r_base, np.shape(local))
                chain["r_heatsink"] = r_hs
            total = sum(v for key, v in chain.items() if comp.spec.limit_kind == "junction" or key != "r_jc")
            out.temperature[comp.spec.part] = local + power * total
            out.local_inlet[comp.spec.part] = local
            out.chain[comp.spec.part] = chain
            upstream = upstream + power
    return out
