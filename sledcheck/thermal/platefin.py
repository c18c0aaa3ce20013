"""Ducted plate-fin heat sink: thermal resistance (Teertstra et al.) and pressure drop (Culham-Muzychka).

Pure functions on SI floats or numpy arrays of any broadcastable shape. Symbols follow thermal.md
section 1 and the papers (each equation is written out in its docstring; paper equation numbers are
not quoted because they were not checked against the originals):

- P. Teertstra, M. M. Yovanovich, J. R. Culham, T. Lemczyk, "Analytical forced convection modeling of
  plate fin heat sinks", IEEE SEMI-THERM 1999, doi:10.1109/STHERM.1999.762426 (journal version:
  J. Electronics Manufacturing 10(4), 2000) -- composite Nusselt number.
- J. R. Culham, Y. S. Muzychka, "Optimization of plate fin heat sinks using entropy generation
  minimization", IEEE Trans. CPT 24(2):159-165, 2001 -- K_c, K_e, apparent friction factor.
- R. E. Simons, "Estimating parallel plate-fin heat sink thermal resistance" (ElectronicsCooling, Feb 2003)
  and "... pressure drop" (ElectronicsCooling, May 2003) -- the same equations worked through.
- R. K. Shah, A. L. London, Laminar Flow Forced Convection in Ducts, Academic Press 1978
  -- fRe of fully developed laminar flow in rectangular ducts.

- Beyond laminar flow (channel Re = rho V 2 b / mu >= 2300): Gnielinski (1976) with the short-duct factor and
  the VDI Heat Atlas G1 transition interpolation, Petukhov friction, from :mod:`.channel` (see
  :func:`plate_fin_thermal` for how the turbulent mean coefficient is referred to the inlet air).

W base width across the flow [m], L fin length along the flow [m], H fin height above the base [m],
N fin count, t fin thickness [m], b fin gap [m], Vdot volumetric flow through the fin channels [m^3/s].
The flow is assumed fully ducted (no bypass): the caller splits the flow between fins and bypass.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import channel
from .validity import Range, note, number

#: Validity range of the Teertstra model in Re* = Re_b b / L (Teertstra et al. 1999; thermal.md section 1).
RE_STAR_RANGE = (0.26, 175.0)
#: Upper limit of laminar flow for the channel Reynolds number based on D_h = 2 b.
RE_LAMINAR_MAX = channel.RE_LAMINAR_MAX

#: The ranges a plate-fin operating point is checked against (:meth:`Validity.notes`).
TEERTSTRA_RANGE = Range("Teertstra et al. (1999) laminar heat transfer", "Re*", *RE_STAR_RANGE)
LAMINAR_RANGE = Range("laminar channel flow (Teertstra; Muzychka-Yovanovich friction)", "channel Re", 0.0,
                      channel.RE_LAMINAR_MAX, "above it the model blends to the turbulent correlations")
TRANSITION_RANGE = Range("VDI Heat Atlas G1 transition interpolation", "channel Re",
                         channel.RE_LAMINAR_MAX, channel.RE_HEAT_TURBULENT)
GNIELINSKI_RANGE = Range("Gnielinski (1976) turbulent heat transfer", "channel Re", *channel.GNIELINSKI_RE_RANGE)
SHORT_DUCT_RANGE = Range("Gnielinski short-duct factor", "D_h/L", *channel.SHORT_DUCT_RANGE)


def _arr(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=float)


def fin_gap(width: ArrayLike, fin_count: ArrayLike, fin_thickness: ArrayLike) -> np.ndarray | float:
    """Gap between adjacent fins, b = (W - N t) / (N - 1) (thermal.md section 1).

    Parameters
    ----------
    width : base width W across the flow [m]
    fin_count : number of fins N [-], N >= 2
    fin_thickness : fin thickness t [m]

    Returns
    -------
    fin gap b [m] (negative or zero when the fins do not fit: callers must check)
    """
    n = _arr(fin_count)
    return (_arr(width) - n * _arr(fin_thickness)) / (n - 1.0) + 0.0


def channel_velocity(
    flow: ArrayLike, fin_gap: ArrayLike, fin_height: ArrayLike, fin_count: ArrayLike
) -> np.ndarray | float:
    """Mean air velocity in the fin channels, V = Vdot / ((N - 1) b H) (thermal.md section 1).

    Parameters
    ----------
    flow : volumetric flow through the fin channels Vdot [m^3/s]
    fin_gap : gap b [m]
    fin_height : fin height H [m]
    fin_count : fin count N [-]

    Returns
    -------
    channel velocity V [m/s]
    """
    return _arr(flow) / ((_arr(fin_count) - 1.0) * _arr(fin_gap) * _arr(fin_height)) + 0.0


def reynolds_star(
    velocity: ArrayLike, fin_gap: ArrayLike, length: ArrayLike, density: ArrayLike, viscosity: ArrayLike
) -> np.ndarray | float:
    """Channel Reynolds number scaled by the developing length, Re* = (rho V b / mu) (b / L).

    Teertstra et al. (1999); thermal.md section 1. Parameters: velocity V [m/s], fin_gap b [m], length L [m],
    density rho [kg/m^3], viscosity mu [Pa s]. Returns Re* [-].
    """
    b = _arr(fin_gap)
    return _arr(density) * _arr(velocity) * b / _arr(viscosity) * b / _arr(length) + 0.0


def nusselt_teertstra(re_star: ArrayLike, prandtl: ArrayLike) -> np.ndarray | float:
    """Composite Nusselt number of a plate-fin channel, developing flow (Teertstra et al. 1999).

    thermal.md section 1:

    Nu_b = [ (Re* Pr / 2)^-3 + (0.664 sqrt(Re*) Pr^(1/3) sqrt(1 + 3.65 / sqrt(Re*)))^-3 ]^(-1/3)

    Blends the fully developed limit (Re* -> 0: Nu_b -> Re* Pr / 2) with the developing flat-plate limit
    (Re* -> inf).

    Parameters
    ----------
    re_star : Re* = Re_b b / L [-], the model was validated for 0.26 < Re* < 175 (see :func:`validity`)
    prandtl : Prandtl number of the air [-] (about 0.7)

    Returns
    -------
    Nu_b = h b / k_air [-], based on the fin gap and referenced to the inlet air temperature
    """
    rs, pr = _arr(re_star), _arr(prandtl)
    fully_developed = rs * pr / 2.0
    developing = 0.664 * np.sqrt(rs) * pr ** (1.0 / 3.0) * np.sqrt(1.0 + 3.65 / np.sqrt(rs))
    return (fully_developed**-3.0 + developing**-3.0) ** (-1.0 / 3.0) + 0.0


def fin_efficiency(
    h: ArrayLike, fin_conductivity: ArrayLike, fin_thickness: ArrayLike, fin_height: ArrayLike
) -> np.ndarray | float:
    """Efficiency of a straight rectangular fin with an adiabatic tip, eta = tanh(m H) / (m H).

    m = sqrt(2 h / (k_fin t)) (thermal.md section 1; Incropera & DeWitt, Fundamentals of Heat and Mass
    Transfer: straight fin of uniform section, adiabatic tip, both faces cooled, t << fin depth).

    Parameters
    ----------
    h : heat transfer coefficient [W/(m^2 K)]
    fin_conductivity : k_fin [W/(m K)]
    fin_thickness : t [m]
    fin_height : H [m]

    Returns
    -------
    fin efficiency [-], 0 < eta <= 1
    """
    mh = np.sqrt(2.0 * _arr(h) / (_arr(fin_conductivity) * _arr(fin_thickness))) * _arr(fin_height)
    with np.errstate(invalid="ignore", divide="ignore"):
        eta = np.where(mh > 1e-8, np.tanh(mh) / np.where(mh > 1e-8, mh, 1.0), 1.0)
    return eta + 0.0


class PlateFinThermal(NamedTuple):
    """Intermediate and final values of :func:`plate_fin_thermal` (arrays broadcast from the inputs)."""

    fin_gap: np.ndarray | float  # b [m]
    velocity: np.ndarray | float  # V [m/s]
    re_star: np.ndarray | float  # Re* [-]
    nusselt: np.ndarray | float  # Nu_b = h b / k_air of the regime's coefficient h [-]
    h: np.ndarray | float  # the regime's heat transfer coefficient [W/(m^2 K)]
    fin_efficiency: np.ndarray | float  # eta_fin at h [-]
    resistance: np.ndarray | float  # R_hs [K/W], referenced to the inlet air
    reynolds: np.ndarray | float = 0.0  # channel Re = rho V 2 b / mu [-]
    turbulent_weight: np.ndarray | float = 0.0  # gamma: 0 laminar (Teertstra), 1 turbulent (Gnielinski) [-]


class _Conductance(NamedTuple):
    h: np.ndarray | float  # [W/(m^2 K)]
    eta: np.ndarray | float  # [-]
    g: np.ndarray | float  # inlet-referenced conductance 1/R_hs [W/K]


def _laminar_conductance(re: ArrayLike, b: ArrayLike, L: ArrayLike, H: ArrayLike, n: ArrayLike, t: ArrayLike,
                         k_fin: ArrayLike, k_air: ArrayLike, pr: ArrayLike) -> _Conductance:
    """Teertstra et al. (1999) at channel Re(2 b) ``re``: h = Nu_b k / b, G = h [(N - 1) b L + N eta 2 H L]."""
    h = nusselt_teertstra(_arr(re) * _arr(b) / (2.0 * _arr(L)), pr) * _arr(k_air) / _arr(b)
    eta = fin_efficiency(h, k_fin, t, H)
    return _Conductance(h, eta, h * ((_arr(n) - 1.0) * _arr(b) * _arr(L) + _arr(n) * eta * 2.0 * _arr(H) * _arr(L)))


def _turbulent_conductance(re: ArrayLike, b: ArrayLike, L: ArrayLike, H: ArrayLike, n: ArrayLike, t: ArrayLike,
                           k_fin: ArrayLike, k_air: ArrayLike, pr: ArrayLike) -> _Conductance:
    """Gnielinski (1976) with the short-duct factor at channel Re(2 b) ``re``, referred to the inlet air by the
    effectiveness of an isothermal surface: G = m_dot cp (1 - exp(-NTU)), NTU = h A_eff / (m_dot cp).

    h = Nu k / (2 b) is a mean coefficient (log-mean temperature difference, Gnielinski 1976); Teertstra's h is
    referenced to the inlet air, so the turbulent branch goes through the e-NTU relation of a surface at one
    temperature (Incropera & DeWitt eq. 8.45b / Kays & London) to give the same kind of resistance.
    m_dot cp = rho V (N - 1) b H cp = Re (N - 1) H Pr k / 2 (with V = Re mu / (2 rho b), cp = Pr k / mu).
    """
    b_, L_, H_, n_ = _arr(b), _arr(L), _arr(H), _arr(n)
    h = channel.nusselt_gnielinski(re, pr, 2.0 * b_ / L_) * _arr(k_air) / (2.0 * b_)
    eta = fin_efficiency(h, k_fin, t, H)
    area = (n_ - 1.0) * b_ * L_ + n_ * eta * 2.0 * H_ * L_
    m_cp = _arr(re) * (n_ - 1.0) * H_ * _arr(pr) * _arr(k_air) / 2.0
    return _Conductance(h, eta, m_cp * -np.expm1(-h * area / m_cp))


def plate_fin_thermal(
    flow: ArrayLike,
    width: ArrayLike,
    length: ArrayLike,
    fin_height: ArrayLike,
    fin_count: ArrayLike,
    fin_thickness: ArrayLike,
    fin_conductivity: ArrayLike,
    density: ArrayLike,
    viscosity: ArrayLike,
    conductivity: ArrayLike,
    prandtl: ArrayLike,
) -> PlateFinThermal:
    """Thermal resistance of a ducted plate-fin heat sink, fins + exposed base to the INLET air, in any regime.

    b = (W - N t)/(N - 1); V = Vdot/((N - 1) b H); channel Re = rho V 2 b / mu; Re* = (Re / 2)(b / L).

    - laminar, Re < 2300: Teertstra et al. (1999) composite model as in thermal.md section 1: Nu_b from
      :func:`nusselt_teertstra`; h = Nu_b k_air / b; eta from :func:`fin_efficiency`;
      R_hs = 1 / (h [(N - 1) b L + N eta 2 H L]). h is referenced to the inlet air temperature, so R_hs already
      includes the air's own temperature rise through the fins.
    - turbulent, Re >= 10^4: Gnielinski (1976) with the short-duct factor, D_h = 2 b
      (:func:`.channel.nusselt_gnielinski`), referred to the inlet air by e-NTU (:func:`_turbulent_conductance`).
    - transition, 2300 <= Re < 10^4: the VDI Heat Atlas G1 linear interpolation in Re, applied to the sink's
      overall inlet-referenced Nusselt number G D_h / (A_wet k) (A_wet the fixed wetted area): with
      gamma = (Re - 2300) / 7700, 1/R_hs = (1 - gamma) G_laminar(Re = 2300) + gamma G_turbulent(Re = 10^4);
      continuous at both ends. h and eta reported there are interpolated the same way.

    Base conduction and spreading are separate. Parameters (SI): flow Vdot [m^3/s] (> 0), width W, length L,
    fin_height H, fin_thickness t [m], fin_count N [-] (>= 2), fin_conductivity k_fin [W/(m K)], air density
    [kg/m^3], viscosity [Pa s], conductivity k_air [W/(m K)], prandtl [-].

    Validity: see :func:`validity` (Re* range of the laminar model, Gnielinski's Re range, D_h/L <= 1).

    Returns
    -------
    :class:`PlateFinThermal` with b [m], V [m/s], Re*, Nu_b, h [W/(m^2 K)], eta_fin, R_hs [K/W], channel Re and
    the turbulent weight gamma
    """
    n, H, L, t = _arr(fin_count), _arr(fin_height), _arr(length), _arr(fin_thickness)
    b = fin_gap(width, n, t)
    v = channel_velocity(flow, b, H, n)
    re = _arr(density) * v * 2.0 * b / _arr(viscosity)
    rs = re * b / (2.0 * L)
    geometry = (b, L, H, n, t, fin_conductivity, conductivity, prandtl)
    laminar = _laminar_conductance(np.minimum(re, channel.RE_LAMINAR_MAX), *geometry)
    gamma = channel.transition_weight(re, channel.RE_LAMINAR_MAX, channel.RE_HEAT_TURBULENT)
    if np.all(gamma == 0.0):       # all laminar (the usual case): nothing else to evaluate
        h, eta, g = laminar
    else:
        turbulent = _turbulent_conductance(np.maximum(re, channel.RE_HEAT_TURBULENT), *geometry)
        lam_end = _laminar_conductance(channel.RE_LAMINAR_MAX, *geometry)
        turb_end = _turbulent_conductance(channel.RE_HEAT_TURBULENT, *geometry)
        is_lam, is_turb = re < channel.RE_LAMINAR_MAX, re >= channel.RE_HEAT_TURBULENT

        def pick(i: int) -> np.ndarray:
            blend = (1.0 - gamma) * _arr(lam_end[i]) + gamma * _arr(turb_end[i])
            return np.where(is_lam, laminar[i], np.where(is_turb, turbulent[i], blend))

        h, eta, g = pick(0), pick(1), pick(2)
    nu = _arr(h) * b / _arr(conductivity)
    return PlateFinThermal(b, v, rs + 0.0, nu + 0.0, _arr(h) + 0.0, _arr(eta) + 0.0, 1.0 / _arr(g) + 0.0,
                           re + 0.0, gamma)


def contraction_coefficient(sigma: ArrayLike) -> np.ndarray | float:
    """Entrance (contraction) loss coefficient K_c = 0.42 (1 - sigma^2) (Culham & Muzychka 2001).

    thermal.md section 1.

    sigma = 1 - N t / W is the free-area ratio [-]. Returns K_c [-].
    """
    s = _arr(sigma)
    return 0.42 * (1.0 - s**2) + 0.0


def expansion_coefficient(sigma: ArrayLike) -> np.ndarray | float:
    """Exit (expansion) loss coefficient K_e = (1 - sigma^2)^2 (Culham & Muzychka 2001).

    thermal.md section 1.

    sigma = 1 - N t / W is the free-area ratio [-]. Returns K_e [-].
    """
    s = _arr(sigma)
    return (1.0 - s**2) ** 2 + 0.0


def friction_rectangular(aspect: ArrayLike) -> np.ndarray | float:
    """Fanning fRe of fully developed laminar flow in a rectangular duct (Shah & London 1978).

    thermal.md section 1:

    fRe = 24 (1 - 1.3553 l + 1.9467 l^2 - 1.7012 l^3 + 0.9564 l^4 - 0.2537 l^5), written out as in
    thermal.md: 24 - 32.527 l + 46.721 l^2 - 40.829 l^3 + 22.954 l^4 - 6.089 l^5.

    Parameters
    ----------
    aspect : l = b / H, short side over long side [-]; values above 1 are replaced by their inverse
        (the duct is the same), 0 <= l <= 1. l = 0 gives the parallel-plate value 24.

    Returns
    -------
    fRe [-] (Fanning friction factor times Reynolds number)
    """
    a = _arr(aspect)
    a = np.where(a > 1.0, 1.0 / np.where(a > 1.0, a, 1.0), a)
    return 24.0 - 32.527 * a + 46.721 * a**2 - 40.829 * a**3 + 22.954 * a**4 - 6.089 * a**5 + 0.0


def apparent_friction(l_star: ArrayLike, f_re: ArrayLike, reynolds: ArrayLike) -> np.ndarray | float:
    """Apparent Fanning friction factor of developing laminar flow (Culham & Muzychka 2001).

    thermal.md section 1:

    f_app = sqrt((3.44 / sqrt(L*))^2 + fRe^2) / Re, with L* = L / (D_h Re) (Shah-London developing-flow
    asymptote blended with the fully developed value).

    Parameters
    ----------
    l_star : dimensionless length L* = L / (D_h Re) [-]
    f_re : fully developed fRe [-] (:func:`friction_rectangular`)
    reynolds : channel Reynolds number Re = rho V D_h / mu [-]

    Returns
    -------
    f_app [-]
    """
    return np.sqrt((3.44 / np.sqrt(_arr(l_star))) ** 2 + _arr(f_re) ** 2) / _arr(reynolds) + 0.0


class PlateFinPressure(NamedTuple):
    """Intermediate and final values of :func:`plate_fin_pressure_drop`."""

    velocity: np.ndarray | float  # V [m/s]
    reynolds: np.ndarray | float  # Re based on D_h = 2 b [-]
    k_c: np.ndarray | float  # contraction coefficient [-]
    k_e: np.ndarray | float  # expansion coefficient [-]
    f_app: np.ndarray | float  # apparent Fanning friction factor [-]
    pressure_drop: np.ndarray | float  # dP [Pa]


def plate_fin_pressure_drop(
    flow: ArrayLike,
    width: ArrayLike,
    length: ArrayLike,
    fin_height: ArrayLike,
    fin_count: ArrayLike,
    fin_thickness: ArrayLike,
    density: ArrayLike,
    viscosity: ArrayLike,
) -> PlateFinPressure:
    """Static pressure drop of the flow through the fin channels (Culham & Muzychka 2001; Simons 2003).

    sigma = 1 - N t / W; K_c = 0.42 (1 - sigma^2); K_e = (1 - sigma^2)^2; D_h = 2 b (parallel plates);
    Re = rho V D_h / mu; L* = L / (D_h Re); fRe = Shah-London with l = b / H;
    laminar f_app = sqrt((3.44/sqrt(L*))^2 + fRe^2) / Re; dP = (K_c + 4 f_app L / D_h + K_e) rho V^2 / 2.

    Parameters
    ----------
    flow : volumetric flow through the fin channels Vdot [m^3/s]
    width : base width W [m]
    length : fin length L [m]
    fin_height : fin height H [m]
    fin_count : fin count N [-]
    fin_thickness : fin thickness t [m]
    density : air density rho [kg/m^3]
    viscosity : air dynamic viscosity mu [Pa s]

    Beyond laminar flow the friction factor is that of :func:`.channel.fanning`: Petukhov from Re 4000, linear
    in Re between the laminar value at 2300 and the turbulent one at 4000 (continuous).

    Returns
    -------
    :class:`PlateFinPressure` with V [m/s], Re, K_c, K_e, f_app (the regime's Fanning friction) and dP [Pa]
    """
    n, W, L, H, t = _arr(fin_count), _arr(width), _arr(length), _arr(fin_height), _arr(fin_thickness)
    rho, mu = _arr(density), _arr(viscosity)
    b = fin_gap(W, n, t)
    v = channel_velocity(flow, b, H, n)
    sigma = 1.0 - n * t / W
    k_c, k_e = contraction_coefficient(sigma), expansion_coefficient(sigma)
    d_h = 2.0 * b
    re = rho * v * d_h / mu
    f_app = channel.fanning(re, L / d_h, friction_rectangular(b / H))
    dp = (k_c + 4.0 * f_app * L / d_h + k_e) * rho * v**2 / 2.0
    return PlateFinPressure(v, re + 0.0, k_c, k_e, f_app, dp + 0.0)


class Validity(NamedTuple):
    """Whether a plate-fin operating point is inside the models' ranges (arrays over cases)."""

    re_star: np.ndarray | float  # Re* [-]
    reynolds: np.ndarray | float  # Re based on D_h = 2 b [-]
    re_star_in_range: np.ndarray | bool  # 0.26 < Re* < 175 (Teertstra et al. 1999)
    laminar: np.ndarray | bool  # Re < 2300
    dh_over_length: np.ndarray | float = 0.0  # D_h / L = 2 b / L [-]

    def notes(self, index: int | tuple[int, ...] | None = None) -> tuple[str, ...]:
        """The notes of one case (``index`` into the arrays; None for scalars): each range the models in use
        at this point leave or come within 10 % of an edge of (:func:`plate_fin_notes`)."""
        def one(x: np.ndarray | float | bool) -> float:
            a = np.asarray(x, dtype=float)
            return float(a if index is None or a.ndim == 0 else a[index])

        return plate_fin_notes(one(self.re_star), one(self.reynolds), one(self.dh_over_length))


def plate_fin_notes(re_star: float, reynolds: float, dh_over_length: float) -> tuple[str, ...]:
    """What a report should say about one plate-fin operating point (the correlation, the quantity, its value
    and its range), for the ranges the models in use there have:

    - Re < 2300 (laminar): Teertstra's 0.26 < Re* < 175, and the approach to the laminar limit Re 2300;
    - 2300 <= Re < 10^4: that the point is in the transition, interpolated (VDI Heat Atlas G1); Teertstra's Re*
      range at the laminar end (Re = 2300) and the short-duct factor's D_h/L <= 1 at the turbulent end;
    - Re >= 10^4: Gnielinski's Re <= 5e6 and the short-duct factor's D_h/L <= 1.

    No notes without flow (Re* <= 0 or nan: T001 reports that). Pr of air (0.70-0.72 at 0-80 degC) is inside
    Gnielinski's 0.5-2000 and not checked.
    """
    if not re_star > 0.0 or not reynolds > 0.0:
        return ()
    found: list[str | None] = []
    if reynolds < channel.RE_LAMINAR_MAX:
        found += [note(re_star, TEERTSTRA_RANGE), note(reynolds, LAMINAR_RANGE)]
    else:
        if reynolds < channel.RE_HEAT_TURBULENT:
            found.append(f"{TRANSITION_RANGE.correlation}: {TRANSITION_RANGE.quantity} = {number(reynolds)} is "
                         f"between laminar and turbulent flow ({TRANSITION_RANGE.text()}): the heat transfer is "
                         "interpolated between Teertstra at 2300 and Gnielinski at 10000, the least certain range")
            found.append(note(re_star * channel.RE_LAMINAR_MAX / reynolds, TEERTSTRA_RANGE))
        found += [note(max(reynolds, channel.RE_HEAT_TURBULENT), GNIELINSKI_RANGE),
                  note(dh_over_length, SHORT_DUCT_RANGE)]
    return tuple(n for n in found if n)


def validity(
    flow: ArrayLike,
    width: ArrayLike,
    length: ArrayLike,
    fin_height: ArrayLike,
    fin_count: ArrayLike,
    fin_thickness: ArrayLike,
    density: ArrayLike,
    viscosity: ArrayLike,
) -> Validity:
    """Re*, Re, D_h / L of an operating point, and whether Re* is inside the Teertstra model's range and the
    channel flow is laminar.

    Parameters as :func:`plate_fin_pressure_drop` (SI). Re* = (rho V b / mu)(b / L), Teertstra et al. (1999):
    0.26 < Re* < 175; Re = rho V (2 b) / mu, laminar below 2300 (beyond, the turbulent and transitional
    correlations of :mod:`.channel` take over). :meth:`Validity.notes` words what a report should say.
    """
    n, H, t = _arr(fin_count), _arr(fin_height), _arr(fin_thickness)
    b = fin_gap(width, n, t)
    v = channel_velocity(flow, b, H, n)
    rs = reynolds_star(v, b, length, density, viscosity)
    re = _arr(density) * v * 2.0 * b / _arr(viscosity) + 0.0
    lo, hi = RE_STAR_RANGE
    in_range = (rs > lo) & (rs < hi)
    laminar = re < RE_LAMINAR_MAX
    return Validity(rs, re, in_range if np.ndim(in_range) else bool(in_range),
                    laminar if np.ndim(laminar) else bool(laminar), 2.0 * b / _arr(length) + 0.0)


def base_resistance(
    base_thickness: ArrayLike, base_conductivity: ArrayLike, width: ArrayLike, length: ArrayLike
) -> np.ndarray | float:
    """One-dimensional conduction resistance through the heat-sink base, R = t_b / (k_b W L).

    Parameters
    ----------
    base_thickness : t_b [m]
    base_conductivity : k_b [W/(m K)]
    width : W [m]
    length : L [m]

    Returns
    -------
    R_base [K/W] (the spreading part is separate: see :mod:`sledcheck.thermal.spreading`)
    """
    return _arr(base_thickness) / (_arr(base_conductivity) * _arr(width) * _arr(length)) + 0.0
