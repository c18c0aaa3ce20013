"""The air-cooling network of a sled lane, vectorised over cases (SI floats or numpy arrays).

A lane is a duct (width x height) driven by its own fans in parallel. Along it, in series: fixed losses
(velocity heads K, perforated plates) and heat-sink sections. At a heat sink the flow divides between the
fin channels (the section's :class:`~.heatsink.HeatSink`, e.g. the Culham-Muzychka pressure drop of a plate-fin
sink) and the bypass around it (the tip gap to the lid and the side gap to the duct walls) so that both see the
same pressure drop (Simons & Schmidt, "A simple method to estimate heat sink air flow bypass",
ElectronicsCooling 3(2), 1997).

Each bypass passage is a rectangular duct with the regime-aware friction of the fin channels
(:func:`.channel.fanning`: developing laminar flow by Muzychka & Yovanovich, Petukhov in turbulent flow, a
linear blend between Re 2300 and 4000) and the entrance/exit losses of the sudden contraction and expansion;
the passages' common flow law Q(dP) is tabulated once per bypass (:class:`BypassLaw`) and read back by direct
indexing, so the solve stays vectorised and about as fast as the former closed-form laminar law.

The fans are the :class:`~.fans.FanCurve` itself (PCHIP through the datasheet, scaled by the affinity laws and
by density in :meth:`~.fans.FanCurve.scaled_pressure_si`), the same object the public API uses.

The lane flow is found by bisection (:func:`.roots.bisect`, over every case of a batch at once) on the flow
through the first heat sink's fins: one unknown, monotone. The bracket ends where the lane flow reaches the
fans' free delivery (fans x speed x Q_free), so the fan curve is never evaluated past its datasheet. Lanes with
more heat sinks solve each further split by an inner bisection. Cases whose solve did not converge are flagged
(:attr:`LaneFlow.converged`), never returned as solved.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import channel, platefin
from .fans import FanCurve
from .heatsink import HeatSink
from .roots import bisect

#: Flow tolerance of the lane and split solves, relative to the bracket [-]: about 2^-48, the resolution of the
#: 48 fixed halvings this module used before the shared root finder.
XTOL = 4e-15


@dataclass(frozen=True)
class Bypass:
    """Passages around a heat sink: widths and heights [m] of each rectangular passage, their common length [m]
    (or, with ``lengths``, each passage's own [m]), and the lane's cross-section [m^2] for the
    contraction/expansion losses."""

    widths: tuple[Any, ...]
    heights: tuple[Any, ...]
    length: Any
    lane_area: Any
    lengths: tuple[Any, ...] | None = None

    def passage_lengths(self) -> tuple[Any, ...]:
        """Each passage's length [m]."""
        return self.lengths if self.lengths is not None else tuple(self.length for _ in self.widths)

    def with_passages(self, passages: tuple[tuple[float, float, float], ...]) -> Bypass:
        """The same bypass with more passages, each (width, height, length) [m]."""
        return Bypass(widths=self.widths + tuple(w for w, _, _ in passages),
                      heights=self.heights + tuple(h for _, h, _ in passages), length=self.length,
                      lane_area=self.lane_area, lengths=self.passage_lengths() + tuple(n for _, _, n in passages))


@dataclass(frozen=True)
class FinSection:
    """A heat sink in a lane: the sink (any :class:`~.heatsink.HeatSink`, SI) and the passages around it."""

    sink: HeatSink
    bypass: Bypass


#: Points of a bypass's tabulated flow law (:class:`BypassLaw`), uniform in ln s; with nodes every 0.004 in ln s
#: linear interpolation in log-log is within 1e-5 of the direct solution away from the regime kinks and within
#: 3e-4 at them (tests).
LAW_POINTS = 8192
#: Channel Reynolds numbers [-] the table spans (beyond, it extrapolates with its end segments' slopes in log-log).
LAW_RE_RANGE = (1e-3, 1e8)


def passage_pressure_number(reynolds: Any, length_over_dh: Any, f_re: Any, k_minor: Any) -> Any:
    """Pi = 2 rho D_h^2 dP / mu^2 = Re^2 (K + 4 f(Re) L / D_h) of a passage at channel Reynolds number Re [-].

    f(Re) is the regime-aware Fanning friction of :func:`.channel.fanning` (developing laminar, transition,
    Petukhov turbulent), K = K_c + K_e the entry and exit losses; strictly increasing in Re.
    """
    re = np.asarray(reynolds, float)
    return re**2 * (np.asarray(k_minor, float) + 4.0 * np.asarray(length_over_dh, float)
                    * channel.fanning(re, length_over_dh, f_re))


@dataclass(frozen=True)
class BypassLaw:
    """The flow law of all passages of a bypass at once: Q rho / mu = F(s), s = 2 rho dP / mu^2 [1/m^2].

    Each passage i carries Q_i = Re_i mu A_i / (rho D_i) with Pi_i(Re_i) = D_i^2 s
    (:func:`passage_pressure_number`), so F(s) = sum_i (A_i / D_i) Re_i(D_i^2 s) depends on the geometry only:
    it is tabulated once, uniform in ln s, and read back by direct indexing (no search), which keeps the lane
    solve's cost per iteration close to that of the former closed-form laminar law.
    ``ln_s0``, ``step`` : first node and spacing in ln s; ``ln_f`` : ln F at the nodes; ``rises`` : ln F[i + 1] -
    ln F[i] per segment; ``empty`` : no open passage (F = 0).
    """

    ln_s0: float
    step: float
    ln_f: np.ndarray
    rises: np.ndarray
    empty: bool = False

    def flow(self, pressure: Any, density: Any, viscosity: Any) -> Any:
        """Total bypass flow [m^3/s] at pressure drop [Pa] (0 at or below 0; nan for nan), air density [kg/m^3]
        and viscosity [Pa s]. Linear in log-log between the nodes; beyond the end nodes the end segments' slopes
        carry on (``frac`` outside [0, 1])."""
        p = np.asarray(pressure, float)
        if self.empty:
            return np.zeros(np.broadcast_shapes(np.shape(p), np.shape(density), np.shape(viscosity)))
        rho, mu = np.asarray(density, float), np.asarray(viscosity, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (np.log(2.0 * rho * np.maximum(p, 0.0) / (mu * mu)) - self.ln_s0) / self.step
            i = np.fmax(np.fmin(np.floor(x), self.ln_f.size - 2), 0.0).astype(np.intp)   # fmin/fmax skip nan
            ln_f = self.ln_f[i] + (x - i) * self.rises[i]
        return np.exp(ln_f) * mu / rho


def _passages(bypass: Bypass) -> list[tuple[float, float, float, float]]:
    """(A [m^2], D_h [m], L / D_h, fRe) of each open passage, and K = K_c + K_e of the common contraction."""
    out = []
    for w, h, length in zip(bypass.widths, bypass.heights, bypass.passage_lengths(), strict=True):
        w, h = float(w), float(h)
        area = w * h
        if not area > 0.0:
            continue
        d_h = 2.0 * w * h / (w + h)
        out.append((area, d_h, float(length) / d_h,
                    float(platefin.friction_rectangular(min(w, h) / max(w, h)))))
    return out


@functools.lru_cache(maxsize=256)
def bypass_law(bypass: Bypass) -> BypassLaw:
    """Tabulate the flow law of ``bypass`` (geometry scalars; see :class:`BypassLaw`).

    Each passage: rectangular, hydraulic diameter D_h = 2 w h / (w + h), fully developed laminar fRe of the
    rectangle (Shah & London 1978) in the developing-flow apparent friction of Muzychka & Yovanovich, Petukhov
    friction in turbulent flow (:func:`.channel.fanning`); K_c = 0.42 (1 - sigma^2), K_e = (1 - sigma^2)^2 with
    sigma = open area of all passages over the lane area (Culham & Muzychka 2001, as for the fin channels).
    """
    for value in (*bypass.widths, *bypass.heights, *bypass.passage_lengths(), bypass.lane_area):
        if np.ndim(value):
            raise ValueError("bypass passages: one geometry per model (scalar widths, heights, length and lane "
                             "area) is supported")
    passages = _passages(bypass)
    if not passages:
        return BypassLaw(0.0, 1.0, np.zeros(2), np.zeros(2), empty=True)
    sigma = min(sum(a for a, *_ in passages) / float(bypass.lane_area), 1.0)
    k_minor = float(platefin.contraction_coefficient(sigma) + platefin.expansion_coefficient(sigma))
    re_nodes = np.unique(np.concatenate([np.geomspace(*LAW_RE_RANGE, 2001),
                                         [channel.RE_LAMINAR_MAX, channel.RE_FRICTION_TURBULENT]]))
    tables = []
    for _, d_h, l_dh, f_re in passages:
        pi = passage_pressure_number(re_nodes, l_dh, f_re, k_minor)
        tables.append((np.log(pi / d_h**2), np.log(re_nodes)))
    ln_s = np.linspace(max(t[0][0] for t in tables), min(t[0][-1] for t in tables), LAW_POINTS)
    total = np.zeros_like(ln_s)
    for (area, d_h, _, _), (ln_s_i, ln_re_i) in zip(passages, tables, strict=True):
        total += area / d_h * np.exp(np.interp(ln_s, ln_s_i, ln_re_i))
    ln_f = np.log(total)
    step = float(ln_s[1] - ln_s[0])
    return BypassLaw(float(ln_s[0]), step, ln_f, np.append(np.diff(ln_f), 0.0))


def bypass_coefficients(bypass: Bypass, density: Any, viscosity: Any) -> tuple[BypassLaw, Any, Any]:
    """What :func:`bypass_flow` needs for ``bypass`` in air of ``density`` [kg/m^3] and ``viscosity`` [Pa s]: the
    tabulated flow law of its passages (:func:`bypass_law`) and the air."""
    return bypass_law(bypass), density, viscosity


def bypass_flow(coefficients: tuple[BypassLaw, Any, Any], pressure: Any) -> Any:
    """Total bypass flow [m^3/s] at pressure drop ``pressure`` [Pa], all passages in parallel at equal dP, each
    with the regime-aware friction of :mod:`.channel` (0 at zero pressure)."""
    law, density, viscosity = coefficients
    return law.flow(pressure, density, viscosity)


def fin_pressure(section: FinSection, flow: Any, density: Any, viscosity: Any) -> Any:
    """Pressure drop [Pa] through the fin channels at fin flow ``flow`` [m^3/s] (0 at zero flow)."""
    return section.sink.pressure_drop(flow, density, viscosity)


def split_flow(section: FinSection, coefficients: tuple[BypassLaw, Any, Any], flow: Any, density: Any, viscosity: Any
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


def fan_flow(fan: FanCurve, pressure: Any, speed: Any, density_ratio: Any) -> Any:
    """Flow [m^3/s] of one fan against static ``pressure`` [Pa] at ``speed`` (fraction of rated) and
    density_ratio = rho / rho_rated, on its stable branch: Q = s Q_rated(dP / (s^2 d)) (affinity laws); 0 above
    its shut-off (a parallel fan facing more than its maximum delivers nothing, :mod:`.fans`)."""
    s = np.asarray(speed, float)
    rated_p = np.asarray(pressure, float) / (s**2 * np.asarray(density_ratio, float))
    q = fan.flow_at_si(np.minimum(np.maximum(rated_p, float(fan.pressure_si.min())), float(fan.pressure_si.max())))
    return np.where(rated_p > fan.pressure_si.max(), 0.0, s * np.nan_to_num(q))


def solve_lane(fan: FanCurve, fans: Any, speed: Any, density_ratio: Any, lane_area: Any, k_losses: Any,
               sections: tuple[FinSection, ...], density: Any, viscosity: Any, failed: Any = 0.0) -> LaneFlow:
    """The operating point of a lane: fans = lane system (losses + heat sinks, each with its bypass).

    ``fan`` is the datasheet curve of one fan, ``fans`` the number working (per case), ``failed`` the number
    failed (per case; what a failed fan does is ``fan.failure``, see :class:`~.fans.FanFailure`), ``speed`` the
    fraction of rated speed, ``density_ratio`` rho / rho_rated; lane area [m^2], K losses [-], air density
    [kg/m^3] and viscosity [Pa s]. All but ``fan`` and ``sections`` broadcast over cases.

    Failed fans, by the fan model's declared behaviour:

    - blocked (a flap): they carry nothing; the working fans carry the lane flow Q.
    - windmilling: the working fans' outlet plenum, at their static rise dP = the lane's system pressure, drives
      a backflow Q_r = A sqrt(2 dP / (K rho)) through each stopped fan (:meth:`~.fans.FanFailure.reverse_flow_si`),
      a path in parallel with the fans, so the working fans deliver Q + m Q_r at dP: the residual
      dP_system(Q) - dP_fan((Q + m Q_r(dP_system(Q))) / n) still rises monotonically with Q.
    - one rotor failed: m fans run on the remaining rotor's curve in parallel with the n healthy ones (equal
      pressure, flows add), residual Q - [n Q_fan(dP_system(Q)) + m Q_rotor(dP_system(Q))], each fan's flow at a
      pressure on its stable (highest-flow) branch and zero above its shut-off pressure.
    """
    rho = np.asarray(density, float)
    mu = np.asarray(viscosity, float)
    k_losses = np.asarray(k_losses, float)
    area = np.asarray(lane_area, float)
    n_fans = np.asarray(fans, float)
    m_failed = np.asarray(failed, float)
    failure = fan.failure
    rotor = failure.rotor_curve if failure.kind == "rotor" else None
    q_fan_max = n_fans * np.asarray(speed, float) * fan.free_delivery_si
    if rotor is not None:
        q_fan_max = q_fan_max + m_failed * np.asarray(speed, float) * rotor.free_delivery_si
        n_fans = n_fans + 0.0 * m_failed
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
        q_fans = q + m_failed * failure.reverse_flow_si(pressure, rho)   # + backflow through windmilling fans
        beyond = (q_fans > q_fan_max) | (n_fans <= 0)
        with np.errstate(invalid="ignore"):
            fan_p = fan_pressure(fan, np.minimum(q_fans, q_fan_max), n_fans, speed, density_ratio)
        return np.where(beyond, np.inf, pressure - fan_p)

    def residual_rotor(q_fin_first: Any) -> Any:
        """Lane flow minus what the healthy fans and the single-rotor fans deliver at its pressure [m^3/s]."""
        assert rotor is not None
        q, _, pressure = state(q_fin_first)
        supply = (n_fans * fan_flow(fan, pressure, speed, density_ratio)
                  + m_failed * fan_flow(rotor, pressure, speed, density_ratio))
        return q - supply

    shape = np.broadcast_shapes(np.shape(q_fan_max), np.shape(m_failed), np.shape(rho), np.shape(area),
                                np.shape(k_losses))
    hi = np.broadcast_to(q_fan_max, shape)
    root = bisect(residual if rotor is None else residual_rotor, np.zeros(shape), hi, xtol=XTOL * hi)
    inner_ok.clear()
    q, fins, pressure = state(root.x)
    converged = np.all([root.converged, *inner_ok], axis=0) if inner_ok else root.converged
    no_fan = (n_fans <= 0) if rotor is None else (n_fans + m_failed <= 0)
    converged = converged | no_fan                # no working fan: no flow is the exact answer
    solved = (q > 0.0) & np.isfinite(pressure) & np.asarray(root.converged)
    return LaneFlow(flow=q, fin_flows=tuple(fins), pressure=pressure, solved=solved, converged=converged)
