"""Evaluating the sled model over a batch of cases at once (numpy arrays over cases): lane airflow, preheat and
each component's junction (or case) temperature chain (thermal.md section 5):

    Tj = T_local + P (R_jc + R_TIM + R_sp + R_base + R_hs),  T_local = T_inlet + sum(P upstream) / (m_dot cp)

A part without a heat sink: T_case = T_local + P R_ca, with R_ca = R_ref ((rho v)_ref / (rho v))^n when its
``r_ca`` gives a reference velocity (:func:`case_to_air`); in a heat sink's wake (``air: wake``) its T_local
is the fin exhaust's, T_local + P_sink (1/(m_fin cp) - 1/(m_dot cp)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...thermal import air
from ...thermal.network import solve_lane
from .build import SledModel

KELVIN = 273.15
#: The reference air of a velocity-dependent r_ca: 25 degC at 101.325 kPa (ideal gas, :func:`air.density`).
RHO_REF = float(air.density(25.0 + KELVIN, 101325.0))   # [kg/m^3]


def case_to_air(r_ref: float, v_ref: float | None, exponent: float, velocity: Any, rho: Any) -> Any:
    """Case-to-air resistance [K/W] at the local velocity [m/s] and density [kg/m^3].

    R = R_ref (rho_ref v_ref / (rho v))^n: forced convection gives Nu = C Re^n Pr^(1/3), so h, and 1/R, scale
    with the mass velocity rho v to the power n (n = 0.5 for a laminar boundary layer, 0.8 turbulent:
    Incropera et al., Fundamentals of Heat and Mass Transfer, 6th ed., eqs. 7.30 and 7.36; Hilpert's C Re^m,
    table 7.2, m = 0.47-0.81 for cylinders in cross flow). The reference is air at 25 degC, 101.325 kPa
    (:data:`RHO_REF`); v = 0 gives an unbounded R. Without ``v_ref`` the resistance is ``r_ref`` as given.
    """
    if v_ref is None:
        return np.broadcast_to(r_ref, np.shape(velocity))
    mass = np.asarray(rho, float) * np.asarray(velocity, float)
    return np.where(mass > 0, r_ref * (RHO_REF * v_ref / np.where(mass > 0, mass, 1.0)) ** exponent, np.inf)


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
        powers: dict[str, Any] = {}   # each component's power [W], for the wakes downstream
        for comp in lane.components:
            power = comp.spec.power * np.asarray(power_scale, float) * scales.get(f"power:{comp.spec.part}", 1.0)
            # no air through the lane: nothing bounds the temperature (reported as such, never as a pass)
            local = np.where(m_dot > 0, t_in_k - KELVIN + upstream / np.where(m_dot > 0, m_dot * cp, 1.0), np.inf)
            chain: dict[str, Any] = {"r_jc": np.broadcast_to(comp.spec.r_jc, np.shape(local))}
            if comp.sink is None:
                if comp.spec.r_ca is None:  # the loader requires r_ca of a part without a heat sink
                    raise ValueError(f"{comp.spec.part} has neither a heat sink nor r_ca")
                if comp.wake_of is not None and comp.wake_of.sink is not None:
                    # the fin exhaust carries all of the sink's heat in the fin flow only
                    m_fin = rho_in * out.fin_flow[comp.wake_of.sink.part]
                    p_sink = powers[comp.wake_of.spec.part]
                    local = local + np.where(m_fin > 0, p_sink * (1.0 / np.where(m_fin > 0, m_fin * cp, 1.0)
                                                                  - 1.0 / np.where(m_dot > 0, m_dot * cp, 1.0)),
                                             np.inf)
                rho_local = air.density(local + KELVIN, model.pressure)
                velocity = m_dot / (rho_local * lane.area)   # the lane's mean velocity at the local air [m/s]
                chain["r_ca"] = np.broadcast_to(
                    case_to_air(comp.spec.r_ca, comp.spec.r_ca_velocity, comp.spec.r_ca_exponent, velocity,
                                rho_local), np.shape(local))
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
            powers[comp.spec.part] = power
    return out
