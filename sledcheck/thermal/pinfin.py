"""Ducted cylindrical pin-fin heat sink in cross flow: thermal resistance and pressure drop (Khan, Culham and
Yovanovich), in-line and staggered arrays.

Pure functions on SI floats or numpy arrays of any broadcastable shape. The model is that of

- W. A. Khan, J. R. Culham, M. M. Yovanovich, "Optimization of pin-fin heat sinks using entropy generation
  minimization", IEEE Trans. Components and Packaging Technologies 28(2):247-254, 2005 (KCY 2005), and
- W. A. Khan, J. R. Culham, M. M. Yovanovich, "Modeling of cylindrical pin-fin heat sinks for electronic
  packaging", IEEE Trans. CPT 31(3):536-545, 2008 (KCY 2008),

whose correlations come from W. A. Khan's thesis ("Modeling of fluid flow and heat transfer for optimization of
pin-fin heat sinks", University of Waterloo, 2004, chapters 5-7) and from W. A. Khan, J. R. Culham,
M. M. Yovanovich, "Convection heat transfer from tube banks in crossflow: analytical approach", Int. J. Heat
Mass Transfer 49:4831-4838, 2006. Each equation is written out in its docstring; the papers' equation numbers
are not quoted because the papers' text was not available to check them against (the same rule as
:mod:`.platefin`).

Symbols (KCY): D pin diameter, H pin height, S_T pitch across the flow (between pins of one row), S_L pitch along
the flow (between consecutive rows), dimensionless pitches a = S_T / D and b = S_L / D, N_L rows along the flow,
N pins in all, W x L the pin field across x along the flow. The flow through the pins (Vdot [m^3/s]) is given:
the caller splits the lane's flow between the pins and the bypass, as for plate fins.

Where the model is referred to the inlet air: KCY's resistance is to the approach (ambient) air and leaves out the
air's own temperature rise through the array; here the array's conductance is referred to the INLET air by the
effectiveness of a surface at one temperature, G = m_dot cp (1 - exp(-UA / (m_dot cp))), the tube-bank relation
(T_s - T_o)/(T_s - T_i) = exp(-h A / (m_dot cp)) of Incropera & DeWitt (Fundamentals of Heat and Mass Transfer,
section 7.6, tube banks), so it is the same kind of resistance as :mod:`.platefin`'s.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .validity import Range, note

#: Pin layouts the model knows.
LAYOUTS = ("in-line", "staggered")

#: Re_D range of the pins' heat transfer [-]: Nu_D = C1 Re_D^(1/2) Pr^(1/3) is a laminar boundary-layer result
#: (Khan et al. 2006). Below Re_D ~ 40 the flow round a cylinder does not separate and above ~2e5 the boundary
#: layer turns turbulent (Zukauskas 1972; Incropera & DeWitt section 7.4), the edges of that picture.
RE_D_RANGE = (40.0, 2.0e5)
#: Dimensionless pitch range [-] of Zukauskas' friction charts (in-line and staggered: a, b = 1.25-2.5), which
#: the KCY friction factors (Jakob's form with Khan's correction factors K1) were fitted to.
PITCH_RANGE = (1.25, 2.5)

HEAT_RANGE = Range("Khan-Culham-Yovanovich pin-fin heat transfer", "Re_D", *RE_D_RANGE,
                   "a laminar boundary-layer model on each pin")
ACROSS_RANGE = Range("Khan-Culham-Yovanovich pin-fin friction (fit to Zukauskas' charts)", "S_T/D", *PITCH_RANGE)
ALONG_RANGE = Range("Khan-Culham-Yovanovich pin-fin friction (fit to Zukauskas' charts)", "S_L/D", *PITCH_RANGE)


def _arr(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _staggered(layout: str) -> bool:
    if layout not in LAYOUTS:
        raise ValueError(f"pin layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    return layout == "staggered"


def approach_velocity(flow: ArrayLike, width: ArrayLike, fin_height: ArrayLike) -> np.ndarray | float:
    """Approach velocity U_app = Vdot / (W H) [m/s]: the flow through the pins over the pin field's frontal area
    (KCY 2005). ``flow`` Vdot [m^3/s], ``width`` W [m], ``fin_height`` H [m]."""
    return _arr(flow) / (_arr(width) * _arr(fin_height)) + 0.0


def max_velocity(approach: ArrayLike, diameter: ArrayLike, pitch_across: ArrayLike, pitch_along: ArrayLike,
                 layout: str) -> np.ndarray | float:
    """Maximum (minimum free area) velocity U_max [m/s] (KCY 2005; Incropera & DeWitt section 7.6):

    - in-line: U_max = S_T / (S_T - D) U_app;
    - staggered: U_max = max(S_T / (S_T - D), (S_T / 2) / (S_D - D)) U_app, S_D = sqrt(S_L^2 + (S_T / 2)^2), the
      diagonal pitch (the second term wins when the diagonal gap is the narrower one).
    """
    d, st, sl = _arr(diameter), _arr(pitch_across), _arr(pitch_along)
    ratio = st / (st - d)
    if _staggered(layout):
        sd = np.sqrt(sl**2 + (st / 2.0) ** 2)
        ratio = np.maximum(ratio, (st / 2.0) / (sd - d))
    return ratio * _arr(approach) + 0.0


def c1_in_line(a: ArrayLike, b: ArrayLike) -> np.ndarray | float:
    """C1 of an in-line array, C1 = [0.25 + exp(-0.55 b)] a^0.285 b^0.212 [-] (Khan et al. 2006; KCY 2005);
    a = S_T / D, b = S_L / D."""
    a_, b_ = _arr(a), _arr(b)
    return (0.25 + np.exp(-0.55 * b_)) * a_**0.285 * b_**0.212 + 0.0


def c1_staggered(a: ArrayLike, b: ArrayLike) -> np.ndarray | float:
    """C1 of a staggered array, C1 = 0.61 a^0.091 b^0.053 / [1 - 2 exp(-1.09 b)] [-] (Khan et al. 2006;
    KCY 2005); a = S_T / D, b = S_L / D."""
    a_, b_ = _arr(a), _arr(b)
    return 0.61 * a_**0.091 * b_**0.053 / (1.0 - 2.0 * np.exp(-1.09 * b_)) + 0.0


def nusselt_pins(re_d: ArrayLike, prandtl: ArrayLike, a: ArrayLike, b: ArrayLike, layout: str
                 ) -> np.ndarray | float:
    """Mean Nusselt number of the pins, Nu_D = h D / k = C1 Re_D^(1/2) Pr^(1/3) [-] (Khan et al. 2006; KCY 2005),
    Re_D = rho U_max D / mu, C1 from :func:`c1_in_line` or :func:`c1_staggered`."""
    c1 = c1_staggered(a, b) if _staggered(layout) else c1_in_line(a, b)
    return c1 * np.sqrt(_arr(re_d)) * _arr(prandtl) ** (1.0 / 3.0) + 0.0


def nusselt_base(re_l: ArrayLike, prandtl: ArrayLike) -> np.ndarray | float:
    """Mean Nusselt number of the base between the pins, Nu_L = h_b L / k = 0.664 Re_L^(1/2) Pr^(1/3) [-].

    The base is a flat plate in the flow between the pins: Pohlhausen's laminar isothermal plate (Incropera &
    DeWitt eq. 7.30) at Re_L = rho U_max L / mu, the velocity in the minimum free area, as KCY take the base
    (KCY 2005 fit the plate's coefficient with a pitch-dependent constant that is not used here: the exposed base
    carries a few per cent of the heat of a typical array).
    """
    return 0.664 * np.sqrt(_arr(re_l)) * _arr(prandtl) ** (1.0 / 3.0) + 0.0


def pin_efficiency(h: ArrayLike, fin_conductivity: ArrayLike, diameter: ArrayLike, fin_height: ArrayLike
                   ) -> np.ndarray | float:
    """Efficiency of a pin with an adiabatic tip, eta = tanh(m H) / (m H), m = sqrt(4 h / (k D)) [-] (KCY 2005;
    Incropera & DeWitt table 3.4, case B with P / A_c = 4 / D). ``h`` [W/(m^2 K)], ``fin_conductivity`` k
    [W/(m K)], ``diameter`` D [m], ``fin_height`` H [m]."""
    mh = np.sqrt(4.0 * _arr(h) / (_arr(fin_conductivity) * _arr(diameter))) * _arr(fin_height)
    with np.errstate(invalid="ignore", divide="ignore"):
        eta = np.where(mh > 1e-8, np.tanh(mh) / np.where(mh > 1e-8, mh, 1.0), 1.0)
    return eta + 0.0


class PinFinThermal(NamedTuple):
    """Intermediate and final values of :func:`pin_fin_thermal` (arrays broadcast from the inputs)."""

    approach_velocity: np.ndarray | float  # U_app [m/s]
    max_velocity: np.ndarray | float  # U_max [m/s]
    reynolds: np.ndarray | float  # Re_D = rho U_max D / mu [-]
    nusselt: np.ndarray | float  # Nu_D of the pins [-]
    h_pins: np.ndarray | float  # [W/(m^2 K)]
    h_base: np.ndarray | float  # [W/(m^2 K)]
    fin_efficiency: np.ndarray | float  # eta of a pin [-]
    ua: np.ndarray | float  # N eta h pi D H + h_b A_b [W/K], KCY's 1/R_hs (to the approach air)
    resistance: np.ndarray | float  # R_hs [K/W], referred to the inlet air


def pin_fin_thermal(flow: ArrayLike, width: ArrayLike, length: ArrayLike, fin_height: ArrayLike,
                    diameter: ArrayLike, pitch_across: ArrayLike, pitch_along: ArrayLike, pin_count: ArrayLike,
                    layout: str, fin_conductivity: ArrayLike, density: ArrayLike, viscosity: ArrayLike,
                    conductivity: ArrayLike, prandtl: ArrayLike) -> PinFinThermal:
    """Thermal resistance of a ducted pin-fin heat sink, pins + exposed base to the INLET air.

    U_app = Vdot / (W H); U_max by :func:`max_velocity`; Re_D = rho U_max D / mu; h = Nu_D k / D
    (:func:`nusselt_pins`); h_b = Nu_L k / L (:func:`nusselt_base`, Re_L = rho U_max L / mu); eta from
    :func:`pin_efficiency`; exposed base A_b = W L - N pi D^2 / 4; KCY 2005:
    R_hs,KCY = 1 / UA with UA = N eta h pi D H + h_b A_b (pins machined from the base: no contact resistance).
    Referred to the inlet air (module docstring): 1 / R_hs = m_dot cp (1 - exp(-UA / (m_dot cp))), with
    m_dot cp = rho Vdot cp and cp = Pr k / mu.

    Parameters (SI): flow Vdot [m^3/s] (> 0), width W and length L of the pin field, fin_height H, diameter D,
    pitch_across S_T, pitch_along S_L [m], pin_count N [-], layout "in-line" | "staggered", fin_conductivity
    [W/(m K)], air density [kg/m^3], viscosity [Pa s], conductivity [W/(m K)], prandtl [-].
    Validity: :func:`validity`.
    """
    W, L, H, d = _arr(width), _arr(length), _arr(fin_height), _arr(diameter)
    st, sl, n = _arr(pitch_across), _arr(pitch_along), _arr(pin_count)
    rho, mu, k_air, pr = _arr(density), _arr(viscosity), _arr(conductivity), _arr(prandtl)
    u_app = approach_velocity(flow, W, H)
    u_max = max_velocity(u_app, d, st, sl, layout)
    re_d = rho * _arr(u_max) * d / mu
    nu = nusselt_pins(re_d, pr, st / d, sl / d, layout)
    h = _arr(nu) * k_air / d
    h_b = _arr(nusselt_base(rho * _arr(u_max) * L / mu, pr)) * k_air / L
    eta = pin_efficiency(h, fin_conductivity, d, H)
    ua = n * _arr(eta) * h * np.pi * d * H + h_b * (W * L - n * np.pi * d**2 / 4.0)
    m_cp = rho * _arr(flow) * pr * k_air / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(m_cp > 0.0, m_cp * -np.expm1(-ua / np.where(m_cp > 0.0, m_cp, 1.0)), np.nan)
        resistance = 1.0 / g   # no flow: nan, as for plate fins (the lane's missing air is reported as such)
    return PinFinThermal(u_app, u_max, re_d + 0.0, _arr(nu) + 0.0, h + 0.0, h_b + 0.0, eta, ua + 0.0,
                         resistance + 0.0)


def contraction_coefficient(sigma: ArrayLike) -> np.ndarray | float:
    """Entrance (contraction) loss K_c = -0.0311 sigma^2 - 0.3722 sigma + 1.0676 [-] (KCY 2005, a fit to Kays &
    London's tube-bank coefficients); sigma = (S_T - D) / S_T, the free-area ratio of a row."""
    s = _arr(sigma)
    return -0.0311 * s**2 - 0.3722 * s + 1.0676 + 0.0


def expansion_coefficient(sigma: ArrayLike) -> np.ndarray | float:
    """Exit (expansion) loss K_e = 0.9301 sigma^2 - 2.5746 sigma + 0.973 [-] (KCY 2005, the same fit);
    sigma = (S_T - D) / S_T."""
    s = _arr(sigma)
    return 0.9301 * s**2 - 2.5746 * s + 0.973 + 0.0


def friction_in_line(re_d: ArrayLike, a: ArrayLike, b: ArrayLike) -> np.ndarray | float:
    """Friction factor per row of an in-line array (KCY 2005, Jakob's form with Khan's correction factor fitted
    to Zukauskas' charts) [-]:

    f = K1 [0.233 + 45.78 / ((a - 1)^1.1 Re_D)],  K1 = 1.009 ((a - 1) / (b - 1))^(1.09 / Re_D^0.0553).
    """
    re, a_, b_ = _arr(re_d), _arr(a), _arr(b)
    k1 = 1.009 * ((a_ - 1.0) / (b_ - 1.0)) ** (1.09 / re**0.0553)
    return k1 * (0.233 + 45.78 / ((a_ - 1.0) ** 1.1 * re)) + 0.0


def friction_staggered(re_d: ArrayLike, a: ArrayLike, b: ArrayLike) -> np.ndarray | float:
    """Friction factor per row of a staggered array (KCY 2005, the same fit) [-]:

    f = K1 (378.6 / a^(13.1 / a)) / Re_D^(0.68 / a^1.29),  K1 = 1.175 (b / (a Re_D^0.3124)) + 0.5 Re_D^0.0807.
    """
    re, a_, b_ = _arr(re_d), _arr(a), _arr(b)
    k1 = 1.175 * (b_ / (a_ * re**0.3124)) + 0.5 * re**0.0807
    return k1 * (378.6 / a_ ** (13.1 / a_)) / re ** (0.68 / a_**1.29) + 0.0


class PinFinPressure(NamedTuple):
    """Intermediate and final values of :func:`pin_fin_pressure_drop`."""

    max_velocity: np.ndarray | float  # U_max [m/s]
    reynolds: np.ndarray | float  # Re_D [-]
    k_c: np.ndarray | float  # [-]
    k_e: np.ndarray | float  # [-]
    friction: np.ndarray | float  # f per row [-]
    pressure_drop: np.ndarray | float  # dP [Pa]


def pin_fin_pressure_drop(flow: ArrayLike, width: ArrayLike, fin_height: ArrayLike, diameter: ArrayLike,
                          pitch_across: ArrayLike, pitch_along: ArrayLike, rows: ArrayLike, layout: str,
                          density: ArrayLike, viscosity: ArrayLike) -> PinFinPressure:
    """Static pressure drop of the flow through the pins (KCY 2005):
    dP = (K_c + K_e + f N_L) rho U_max^2 / 2, with K_c, K_e of sigma = (S_T - D) / S_T
    (:func:`contraction_coefficient`, :func:`expansion_coefficient`) and f per row from
    :func:`friction_in_line` or :func:`friction_staggered` at Re_D = rho U_max D / mu.

    Parameters (SI): flow Vdot [m^3/s] (> 0), width W, fin_height H, diameter D, pitch_across S_T, pitch_along
    S_L [m], rows N_L [-], layout, density [kg/m^3], viscosity [Pa s].
    """
    d, st, sl, rho = _arr(diameter), _arr(pitch_across), _arr(pitch_along), _arr(density)
    u_max = _arr(max_velocity(approach_velocity(flow, width, fin_height), d, st, sl, layout))
    re = rho * u_max * d / _arr(viscosity)
    sigma = (st - d) / st
    k_c, k_e = contraction_coefficient(sigma), expansion_coefficient(sigma)
    f = (friction_staggered if _staggered(layout) else friction_in_line)(re, st / d, sl / d)
    dp = (_arr(k_c) + _arr(k_e) + _arr(f) * _arr(rows)) * rho * u_max**2 / 2.0
    return PinFinPressure(u_max + 0.0, re + 0.0, k_c, k_e, f, dp + 0.0)


class PinFinValidity(NamedTuple):
    """Whether a pin-fin operating point is inside the model's ranges (arrays over cases), in the record shape
    of :class:`.platefin.Validity`: ``re_star`` holds the model's own Reynolds group, here Re_D."""

    re_star: np.ndarray | float  # Re_D [-] (the field the heat-sink interface reads)
    reynolds: np.ndarray | float  # Re_D [-]
    re_star_in_range: np.ndarray | bool  # 40 < Re_D < 2e5
    laminar: np.ndarray | bool  # Re_D < 2e5: laminar boundary layers on the pins
    across_ratio: float = 0.0  # S_T / D [-]
    along_ratio: float = 0.0  # S_L / D [-]

    def notes(self, index: int | tuple[int, ...] | None = None) -> tuple[str, ...]:
        """The notes of one case (``index`` into the arrays; None for scalars): each range the model leaves or
        comes within 10 % of an edge of (:func:`pin_fin_notes`)."""
        a = np.asarray(self.reynolds, dtype=float)
        re = float(a if index is None or a.ndim == 0 else a[index])
        return pin_fin_notes(re, self.across_ratio, self.along_ratio)


def pin_fin_notes(reynolds: float, across_ratio: float, along_ratio: float) -> tuple[str, ...]:
    """What a report should say about one pin-fin operating point: Re_D against the heat transfer's range, and
    the pitch ratios against the friction fit's. No notes without flow (Re_D <= 0 or nan: T001 reports that)."""
    if not reynolds > 0.0:
        return ()
    found = [note(reynolds, HEAT_RANGE), note(across_ratio, ACROSS_RANGE), note(along_ratio, ALONG_RANGE)]
    return tuple(n for n in found if n)


def validity(flow: ArrayLike, width: ArrayLike, fin_height: ArrayLike, diameter: ArrayLike,
             pitch_across: ArrayLike, pitch_along: ArrayLike, layout: str, density: ArrayLike,
             viscosity: ArrayLike) -> PinFinValidity:
    """Re_D of an operating point and whether it is inside the model's range (parameters as
    :func:`pin_fin_pressure_drop`); the pitch ratios are checked by :meth:`PinFinValidity.notes`."""
    d = _arr(diameter)
    u_max = _arr(max_velocity(approach_velocity(flow, width, fin_height), d, pitch_across, pitch_along, layout))
    re = _arr(density) * u_max * d / _arr(viscosity) + 0.0
    lo, hi = RE_D_RANGE
    inside, laminar = (re > lo) & (re < hi), re < hi
    return PinFinValidity(re, re, inside if np.ndim(inside) else bool(inside),
                          laminar if np.ndim(laminar) else bool(laminar),
                          float(np.asarray(pitch_across) / d), float(np.asarray(pitch_along) / d))
