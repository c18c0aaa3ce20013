"""The air-cooling network of a sled lane, vectorised over cases (SI floats or numpy arrays).

A lane is a duct (width x height) driven by its own fans in parallel. Along it, in series: fixed losses
(velocity heads K, perforated plates) and heat-sink sections. At a heat sink the flow divides between the
fin channels (the section's :class:`~.heatsink.HeatSink`, e.g. the Culham-Muzychka pressure drop of a plate-fin
sink) and the bypass around it (the tip gap to the lid and the side gap to the duct walls) so that both see the
same pressure drop (Simons & Schmidt, "A simple method to estimate heat sink air flow bypass",
ElectronicsCooling 3(2), 1997).

Each bypass passage is a rectangular duct with fully developed laminar friction (Shah & London fRe) and the
entrance/exit losses of the sudden contraction and expansion: dP = a Q + c Q^2, which inverts in closed
form. Neglecting the developing-flow excess in the bypass lets slightly more air bypass the fins: the fin
flow, and so the margin, is slightly conservative.

The fans are the :class:`~.fans.FanCurve` itself (PCHIP through the datasheet, scaled by the affinity laws and
by density in :meth:`~.fans.FanCurve.scaled_pressure_si`), the same object the public API uses.

The lane flow is found by bisection (:func:`.roots.bisect`, over every case of a batch at once) on the flow
through the first heat sink's fins: one unknown, monotone. The bracket ends where the lane flow reaches the
fans' free delivery (fans x speed x Q_free), so the fan curve is never evaluated past its datasheet. Lanes with
more heat sinks solve each further split by an inner bisection. Cases whose solve did not converge are flagged
(:attr:`LaneFlow.converged`), never returned as solved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import platefin
from .fans import FanCurve
from .heatsink import HeatSink
from .roots import bisect

#: Flow tolerance of the lane and split solves, relative to the bracket [-]: about 2^-48, the resolution of the
#: 48 fixed halvings this module used before the shared root finder.
XTOL = 4e-15


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
    """A heat sink in a lane: the sink (any :class:`~.heatsink.HeatSink`, SI) and the passages around it."""

    sink: HeatSink
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
    total: Any = 0.0  # a float when there are no passages, else an array
    for a, c in coefficients:
        finite = np.isfinite(a) & np.isfinite(c)
        root = 2.0 * p / (np.where(finite, a, 1.0) + np.sqrt(np.where(finite, a, 1.0) ** 2
                                                               + 4.0 * np.where(finite, c, 0.0) * p))
        total = total + np.where(finite, root, 0.0)
    return total


def fin_pressure(section: FinSection, flow: Any, density: Any, viscosity: Any) -> Any:
    """Pressure drop [Pa] through the fin channels at fin flow ``flow`` [m^3/s] (0 at zero flow)."""
    return section.sink.pressure_drop(flow, density, viscosity)


def split_flow(section: FinSection, coefficients: list[tuple[Any, Any]], flow: Any, density: Any, viscosity: Any
               ) -> tuple[Any, Any, Any]:
    """Fin flow [m^3/s], pressure drop [Pa] and convergence flag of a heat sink carrying ``flow`` [m^3/s] (fins
    and bypass at equal dP), by bisection on the fin flow in [0, flow]."""
    q_total = np.asarray(flow, float)

    def continuity(q_fin: Any) -> Any:
        return q_fin + bypass_flow(coefficients, fin_pressure(section, q_fin, density, viscosity)) - q_total

    root = bisect(continuity, np.zeros_like(q_total), q_total, xtol=XTOL * q_total, f_lo=-q_total,
                  f_hi=continuity(q_total))
    q_fin = root.x
    return q_fin, fin_pressure(section, q_fin, density, viscosity), root.converged


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
    """Solved lane (arrays over cases): total flow [m^3/s], per-heat-sink fin flows [m^3/s], lane pressure drop
    [Pa]; ``solved`` is False where the fans push no flow through the lane (no working fan, or no convergence);
    ``converged`` is False where the root finder failed (an invalid bracket or the tolerance not reached) in a
    case with working fans: those numbers must not be used as an answer."""

    flow: Any
    fin_flows: tuple[Any, ...]
    pressure: Any
    solved: Any
    converged: Any = True


def fan_pressure(fan: FanCurve, flow: Any, fans: Any, speed: Any, density_ratio: Any) -> Any:
    """Static pressure [Pa] of ``fans`` identical fans in parallel at total flow ``flow`` [m^3/s].

    Each fan carries flow/fans; :meth:`FanCurve.scaled_pressure_si` applies the affinity laws for ``speed``
    (fraction of rated) and density_ratio = rho / rho_rated. nan past the fans' free delivery and where no fan
    works (the lane solver never asks there).
    """
    n = np.asarray(fans, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = fan.scaled_pressure_si(np.asarray(flow, float) / n, speed, density_ratio)
    return np.where(n > 0, p, np.nan)


def solve_lane(fan: FanCurve, fans: Any, speed: Any, density_ratio: Any, lane_area: Any, k_losses: Any,
               sections: tuple[FinSection, ...], density: Any, viscosity: Any) -> LaneFlow:
    """The operating point of a lane: fans = lane system (losses + heat sinks, each with its bypass).

    ``fan`` is the datasheet curve of one fan, ``fans`` the number working (per case), ``speed`` the fraction of
    rated speed, ``density_ratio`` rho / rho_rated; lane area [m^2], K losses [-], air density [kg/m^3] and
    viscosity [Pa s]. All but ``fan`` and ``sections`` broadcast over cases.
    """
    rho = np.asarray(density, float)
    mu = np.asarray(viscosity, float)
    k_losses = np.asarray(k_losses, float)
    area = np.asarray(lane_area, float)
    n_fans = np.asarray(fans, float)
    q_fan_max = n_fans * np.asarray(speed, float) * fan.free_delivery_si
    coefficients = [bypass_coefficients(s.bypass, rho, mu) for s in sections]
    inner_ok: list[Any] = []

    def losses(q: Any) -> Any:
        return k_losses * rho * (q / area) ** 2 / 2.0

    def state(q_fin_first: Any) -> tuple[Any, list[Any], Any]:
        """Lane flow, fin flows and system pressure for a given fin flow in the first heat sink."""
        if not sections:
            return q_fin_first, [], losses(q_fin_first)
        p_first = fin_pressure(sections[0], q_fin_first, rho, mu)
        q = q_fin_first + bypass_flow(coefficients[0], p_first)
        pressure = losses(q) + p_first
        fins = [q_fin_first]
        for section, coeff in zip(sections[1:], coefficients[1:], strict=True):
            q_fin, p, ok = split_flow(section, coeff, q, rho, mu)
            inner_ok.append(ok)
            fins.append(q_fin)
            pressure = pressure + p
        return q, fins, pressure

    def residual(q_fin_first: Any) -> Any:
        """System minus fan pressure [Pa]; +inf past the fans' free delivery or with no fan working."""
        q, _, pressure = state(q_fin_first)
        beyond = (q > q_fan_max) | (n_fans <= 0)
        with np.errstate(invalid="ignore"):
            fan_p = fan_pressure(fan, np.minimum(q, q_fan_max), n_fans, speed, density_ratio)
        return np.where(beyond, np.inf, pressure - fan_p)

    shape = np.broadcast_shapes(np.shape(q_fan_max), np.shape(rho), np.shape(area), np.shape(k_losses))
    hi = np.broadcast_to(q_fan_max, shape)
    root = bisect(residual, np.zeros(shape), hi, xtol=XTOL * hi)
    inner_ok.clear()
    q, fins, pressure = state(root.x)
    converged = np.all([root.converged, *inner_ok], axis=0) if inner_ok else root.converged
    converged = converged | (n_fans <= 0)         # no working fan: no flow is the exact answer
    solved = (q > 0.0) & np.isfinite(pressure) & np.asarray(root.converged)
    return LaneFlow(flow=q, fin_flows=tuple(fins), pressure=pressure, solved=solved, converged=converged)
