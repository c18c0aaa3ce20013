"""The air-cooling network of a sled lane, vectorised over cases (SI floats or numpy arrays).

A lane is a duct (width x height) driven by its own fans in parallel. Along it, in series: fixed losses
(velocity heads K, perforated plates) and heat-sink sections. At a heat sink the flow divides between the
fin channels (Culham-Muzychka pressure drop, :mod:`.platefin`) and the bypass around it (the tip gap to the
lid and the side gap to the duct walls) so that both see the same pressure drop (Simons & Schmidt,
"A simple method to estimate heat sink air flow bypass", ElectronicsCooling 3(2), 1997).

Each bypass passage is a rectangular duct with fully developed laminar friction (Shah & London fRe) and the
entrance/exit losses of the sudden contraction and expansion: dP = a Q + c Q^2, which inverts in closed
form. Neglecting the developing-flow excess in the bypass lets slightly more air bypass the fins: the fin
flow, and so the margin, is slightly conservative.

The fan curve is scaled by the affinity laws (flow ~ speed, pressure ~ speed^2) and by density (pressure ~
rho / rho_rated at equal volume flow).

The lane flow is found by bisection on the flow through the first heat sink's fins (one unknown, monotone;
40 halvings of the bracket give 1e-12 relative), so that every case of a batch is solved at once. Lanes with
more heat sinks solve each further split by an inner bisection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import platefin

BISECTIONS = 48


@dataclass(frozen=True)
class Bypass:
    """Passages around a heat sink: widths and heights [m] of each rectangular passage, common length [m],
    and the lane's cross-section [m^2] for the contraction/expansion losses."""

    widths: tuple[Any, ...]
    heights: tuple[Any, ...]
    length: Any
    lane_area: Any


@dataclass(frozen=True)
class FinSection:
    """A plate-fin heat sink in a lane: fin field width, length, fin height [m], count, thickness [m]."""

    width: Any
    length: Any
    fin_height: Any
    fin_count: Any
    fin_thickness: Any
    bypass: Bypass


def bypass_coefficients(bypass: Bypass, density: Any, viscosity: Any) -> list[tuple[Any, Any]]:
    """(a, c) of dP = a Q + c Q^2 for each bypass passage [Pa s/m^3, Pa s^2/m^6].

    a = 2 fRe mu L / (D_h^2 A) (fully developed laminar, Fanning fRe of the rectangle, Shah & London 1978);
    c = (K_c + K_e) rho / (2 A^2) with K_c = 0.42 (1 - sigma^2), K_e = (1 - sigma^2)^2, sigma = open area of
    all passages over the lane area (Culham & Muzychka 2001, as for the fin channels).
    """
    areas = [np.asarray(w) * np.asarray(h) for w, h in zip(bypass.widths, bypass.heights, strict=True)]
    sigma = np.clip(sum(areas) / np.asarray(bypass.lane_area), 0.0, 1.0)
    k = platefin.contraction_coefficient(sigma) + platefin.expansion_coefficient(sigma)
    out = []
    for w, h, area in zip(bypass.widths, bypass.heights, areas, strict=True):
        w, h = np.asarray(w, float), np.asarray(h, float)
        safe = np.where(area > 0, area, 1.0)
        d_h = np.where(area > 0, 2.0 * w * h / np.maximum(w + h, 1e-30), 1.0)
        f_re = platefin.friction_rectangular(np.minimum(w, h) / np.maximum(np.maximum(w, h), 1e-30))
        a = 2.0 * f_re * np.asarray(viscosity) * np.asarray(bypass.length) / (d_h**2 * safe)
        c = k * np.asarray(density) / (2.0 * safe**2)
        out.append((np.where(area > 0, a, np.inf), np.where(area > 0, c, np.inf)))
    return out


def bypass_flow(coefficients: list[tuple[Any, Any]], pressure: Any) -> Any:
    """Total bypass flow [m^3/s] at pressure drop ``pressure`` [Pa]: the positive root of a Q + c Q^2 = dP
    in each passage, summed (written to stay accurate when c Q^2 << a Q)."""
    p = np.maximum(np.asarray(pressure, float), 0.0)
    total = 0.0
    for a, c in coefficients:
        finite = np.isfinite(a) & np.isfinite(c)
        root = 2.0 * p / (np.where(finite, a, 1.0) + np.sqrt(np.where(finite, a, 1.0) ** 2
                                                               + 4.0 * np.where(finite, c, 0.0) * p))
        total = total + np.where(finite, root, 0.0)
    return total


def fin_pressure(section: FinSection, flow: Any, density: Any, viscosity: Any) -> Any:
    """Pressure drop [Pa] through the fin channels at fin flow ``flow`` [m^3/s] (0 at zero flow)."""
    q = np.maximum(np.asarray(flow, float), 1e-12)
    return platefin.plate_fin_pressure_drop(q, section.width, section.length, section.fin_height,
                                            section.fin_count, section.fin_thickness, density, viscosity
                                            ).pressure_drop


def split_flow(section: FinSection, coefficients: list[tuple[Any, Any]], flow: Any, density: Any, viscosity: Any
               ) -> tuple[Any, Any]:
    """Fin flow [m^3/s] and pressure drop [Pa] of a heat sink carrying ``flow`` (fins and bypass at equal dP),
    by bisection on the fin flow."""
    q_total = np.asarray(flow, float)
    lo = np.zeros_like(q_total)
    hi = q_total.copy()
    for _ in range(BISECTIONS):
        mid = (lo + hi) / 2.0
        over = mid + bypass_flow(coefficients, fin_pressure(section, mid, density, viscosity)) > q_total
        hi = np.where(over, mid, hi)
        lo = np.where(over, lo, mid)
    q_fin = (lo + hi) / 2.0
    return q_fin, fin_pressure(section, q_fin, density, viscosity)


def system_pressure(flow: Any, lane_area: Any, k_losses: Any, sections: tuple[FinSection, ...], density: Any,
                    viscosity: Any) -> Any:
    """The lane's system curve: pressure drop [Pa] at lane flow(s) ``flow`` [m^3/s]."""
    q = np.asarray(flow, float)
    pressure = np.asarray(k_losses, float) * np.asarray(density) * (q / np.asarray(lane_area)) ** 2 / 2.0
    for section in sections:
        pressure = pressure + split_flow(section, bypass_coefficients(section.bypass, density, viscosity), q,
                                         density, viscosity)[1]
    return pressure


@dataclass(frozen=True)
class LaneFlow:
    """Solved lane: total and per-heat-sink fin flows [m^3/s], lane pressure drop [Pa]."""

    flow: Any
    fin_flows: tuple[Any, ...]
    pressure: Any
    solved: Any      # False where the fans cannot push any flow through the lane


def fan_pressure(curve_flow: np.ndarray, curve_pressure: np.ndarray, flow: Any, fans: Any, speed: Any,
                 density_ratio: Any) -> Any:
    """Static pressure [Pa] of ``fans`` identical fans in parallel at total flow ``flow`` [m^3/s].

    Each fan carries flow/fans; the rated curve (curve_flow [m^3/s], curve_pressure [Pa]) is scaled by the
    affinity laws with ``speed`` (fraction of rated) and by density_ratio = rho / rho_rated. Beyond free
    delivery the pressure is negative (a fan driven past free delivery resists the flow).
    """
    fans = np.asarray(fans, float)
    speed = np.asarray(speed, float)
    per_fan = np.asarray(flow, float) / np.maximum(fans, 1e-30) / speed
    q_max = curve_flow[-1]
    slope = (curve_pressure[-1] - curve_pressure[-2]) / (curve_flow[-1] - curve_flow[-2])
    p = np.interp(per_fan, curve_flow, curve_pressure)
    p = np.where(per_fan > q_max, curve_pressure[-1] + slope * (per_fan - q_max), p)
    return np.where(fans > 0, p * speed**2 * np.asarray(density_ratio), -np.inf)


def solve_lane(curve_flow: np.ndarray, curve_pressure: np.ndarray, fans: Any, speed: Any, density_ratio: Any,
               lane_area: Any, k_losses: Any, sections: tuple[FinSection, ...], density: Any, viscosity: Any
               ) -> LaneFlow:
    """The operating point of a lane: fans = lane system (losses + heat sinks, each with its bypass)."""
    rho = np.asarray(density, float)
    mu = np.asarray(viscosity, float)
    k_losses = np.asarray(k_losses, float)
    area = np.asarray(lane_area, float)
    q_fan_max = np.asarray(fans, float) * np.asarray(speed, float) * curve_flow[-1]
    coefficients = [bypass_coefficients(s.bypass, rho, mu) for s in sections]

    def losses(q: Any) -> Any:
        return k_losses * rho * (q / area) ** 2 / 2.0

    def split(section: FinSection, coeff: list, q_total: Any) -> tuple[Any, Any]:
        return split_flow(section, coeff, q_total, rho, mu)

    def state(q_fin_first: Any) -> tuple[Any, list[Any], Any]:
        """Lane flow, fin flows and system pressure for a given fin flow in the first heat sink."""
        if not sections:
            return q_fin_first, [], losses(q_fin_first)
        p_first = fin_pressure(sections[0], q_fin_first, rho, mu)
        q = q_fin_first + bypass_flow(coefficients[0], p_first)
        pressure = losses(q) + p_first
        fins = [q_fin_first]
        for section, coeff in zip(sections[1:], coefficients[1:], strict=True):
            q_fin, p = split(section, coeff, q)
            fins.append(q_fin)
            pressure = pressure + p
        return q, fins, pressure

    shape = np.broadcast_shapes(np.shape(q_fan_max), np.shape(rho), np.shape(area), np.shape(k_losses))
    lo = np.zeros(shape)
    hi = np.broadcast_to(q_fan_max, shape).astype(float).copy()
    for _ in range(BISECTIONS):
        mid = (lo + hi) / 2.0
        q, _, pressure = state(mid)
        over = q > q_fan_max
        excess = (fan_pressure(curve_flow, curve_pressure, q, fans, speed, density_ratio) - pressure < 0.0) | over
        hi = np.where(excess, mid, hi)
        lo = np.where(excess, lo, mid)
    q_fin = (lo + hi) / 2.0
    q, fins, pressure = state(q_fin)
    solved = (q > 0.0) & np.isfinite(pressure)
    return LaneFlow(flow=q, fin_flows=tuple(fins), pressure=pressure, solved=solved)
