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

W base width across the flow [m], L fin length along the flow [m], H fin height above the base [m],
N fin count, t fin thickness [m], b fin gap [m], Vdot volumetric flow through the fin channels [m^3/s].
The flow is assumed fully ducted (no bypass): the caller splits the flow between fins and bypass.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

#: Validity range of the Teertstra model in Re* = Re_b b / L (Teertstra et al. 1999; thermal.md section 1).
RE_STAR_RANGE = (0.26, 175.0)
#: Upper limit of laminar flow for the channel Reynolds number based on D_h = 2 b.
RE_LAMINAR_MAX = 2300.0


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
    nusselt: np.ndarray | float  # Nu_b [-]
    h: np.ndarray | float  # [W/(m^2 K)]
    fin_efficiency: np.ndarray | float  # eta_fin [-]
    resistance: np.ndarray | float  # R_hs [K/W]


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
    """Thermal resistance of a ducted plate-fin heat sink, fins + exposed base to the INLET air.

    Teertstra et al. (1999) composite model as in thermal.md section 1:
    b = (W - N t)/(N - 1); V = Vdot/((N - 1) b H); Re* = (rho V b/mu)(b/L); Nu_b from
    :func:`nusselt_teertstra`; h = Nu_b k_air / b; eta from :func:`fin_efficiency`;
    R_hs = 1 / (h [(N - 1) b L + N eta 2 H L]).

    h is referenced to the inlet air temperature, so R_hs already includes the air's own temperature rise
    through the fins: do not add a mean-air-temperature term. Base conduction and spreading are separate.

    Parameters
    ----------
    flow : volumetric flow through the fin channels Vdot [m^3/s] (> 0)
    width : base width W across the flow [m]
    length : fin length L along the flow [m]
    fin_height : fin height H above the base [m]
    fin_count : number of fins N [-] (>= 2)
    fin_thickness : fin thickness t [m]
    fin_conductivity : k_fin [W/(m K)]
    density : air density rho [kg/m^3]
    viscosity : air dynamic viscosity mu [Pa s]
    conductivity : air thermal conductivity k_air [W/(m K)]
    prandtl : air Prandtl number [-]

    Validity: laminar channel flow, 0.26 < Re* < 175 (check with :func:`validity`).

    Returns
    -------
    :class:`PlateFinThermal` with b [m], V [m/s], Re*, Nu_b, h [W/(m^2 K)], eta_fin, R_hs [K/W]
    """
    n, H, L, t = _arr(fin_count), _arr(fin_height), _arr(length), _arr(fin_thickness)
    b = fin_gap(width, n, t)
    v = channel_velocity(flow, b, H, n)
    rs = reynolds_star(v, b, L, density, viscosity)
    nu = nusselt_teertstra(rs, prandtl)
    h = nu * _arr(conductivity) / b
    eta = fin_efficiency(h, fin_conductivity, t, H)
    r = 1.0 / (h * ((n - 1.0) * b * L + n * eta * 2.0 * H * L))
    return PlateFinThermal(b, v, rs, nu, h + 0.0, eta, r + 0.0)


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
    f_app = sqrt((3.44/sqrt(L*))^2 + fRe^2) / Re; dP = (K_c + 4 f_app L / D_h + K_e) rho V^2 / 2.

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

    Validity: laminar channel flow, Re (D_h) < 2300 (check with :func:`validity`).

    Returns
    -------
    :class:`PlateFinPressure` with V [m/s], Re, K_c, K_e, f_app and dP [Pa]
    """
    n, W, L, H, t = _arr(fin_count), _arr(width), _arr(length), _arr(fin_height), _arr(fin_thickness)
    rho, mu = _arr(density), _arr(viscosity)
    b = fin_gap(W, n, t)
    v = channel_velocity(flow, b, H, n)
    sigma = 1.0 - n * t / W
    k_c, k_e = contraction_coefficient(sigma), expansion_coefficient(sigma)
    d_h = 2.0 * b
    re = rho * v * d_h / mu
    f_app = apparent_friction(L / (d_h * re), friction_rectangular(b / H), re)
    dp = (k_c + 4.0 * f_app * L / d_h + k_e) * rho * v**2 / 2.0
    return PlateFinPressure(v, re + 0.0, k_c, k_e, f_app, dp + 0.0)


class Validity(NamedTuple):
    """Whether a plate-fin operating point is inside the models' ranges (boolean arrays)."""

    re_star: np.ndarray | float  # Re* [-]
    reynolds: np.ndarray | float  # Re based on D_h = 2 b [-]
    re_star_in_range: np.ndarray | bool  # 0.26 < Re* < 175 (Teertstra et al. 1999)
    laminar: np.ndarray | bool  # Re < 2300


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
    """Report whether Re* is inside the Teertstra model's range and the channel flow is laminar.

    Parameters as :func:`plate_fin_pressure_drop` (SI). Re* = (rho V b / mu)(b / L) must satisfy
    0.26 < Re* < 175 (Teertstra et al. 1999); Re = rho V (2 b) / mu < 2300 for the laminar friction and
    heat-transfer correlations. The caller turns ``False`` into warnings.
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
                    laminar if np.ndim(laminar) else bool(laminar))


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
