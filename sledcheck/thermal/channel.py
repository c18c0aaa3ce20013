"""Flow in a straight duct across the laminar, transitional and turbulent regimes: friction and heat transfer.

Pure functions on SI floats or numpy arrays of any broadcastable shape; Re is based on the hydraulic diameter
D_h of the duct. Used for the fin channels of a plate-fin heat sink (:mod:`.platefin`, D_h = 2 b) and for the
bypass passages around it (:mod:`.network`, D_h = 4 A / P), so both see one friction model.

Friction (Fanning f, dP_friction = 4 f (L / D_h) rho V^2 / 2):

- laminar, Re < 2300: the apparent friction of simultaneously developing flow, Muzychka & Yovanovich's
  asymptotic blend of the Shah-London developing-flow limit and the fully developed fRe,
  f_app Re = sqrt((3.44 / sqrt(L*))^2 + fRe^2), L* = L / (D_h Re) (Y. S. Muzychka, M. M. Yovanovich,
  "Pressure drop in laminar developing flow in noncircular ducts: a scaling and modeling approach",
  J. Fluids Eng. 131, 2009; Culham & Muzychka, IEEE Trans. CPT 24(2), 2001, for plate fins);
- turbulent, Re >= 4000: smooth-duct Petukhov (Filonenko) friction, f_Darcy = (0.790 ln Re - 1.64)^-2,
  3000 <= Re <= 5e6 (B. S. Petukhov, Adv. Heat Transfer 6, 1970; Incropera & DeWitt, Fundamentals of Heat and
  Mass Transfer, eq. 8.21), f = f_Darcy / 4;
- transition, 2300 <= Re < 4000 (the "critical zone" of the Moody chart): linear in Re between the laminar
  value at Re = 2300 and the turbulent value at Re = 4000, so f is continuous at both ends.

Heat transfer (mean Nusselt number Nu = h D_h / k, on the log-mean temperature difference):

- turbulent, Re >= 10^4: Gnielinski (1976), Nu = (f/8)(Re - 1000) Pr / (1 + 12.7 sqrt(f/8)(Pr^(2/3) - 1)) with
  the Petukhov f_Darcy above, times the short-duct (entrance) factor [1 + (D_h / L)^(2/3)] (V. Gnielinski,
  "New equations for heat and mass transfer in turbulent pipe and channel flow", Int. Chem. Eng. 16:359-368,
  1976; VDI Heat Atlas, 2nd ed. 2010, chapter G1, eq. 27-28; Incropera & DeWitt eq. 8.62). Range
  2300 <= Re <= 5e6, 0.5 <= Pr <= 2000, D_h / L <= 1;
- transition, 2300 <= Re < 10^4: VDI Heat Atlas G1 (Gnielinski 2010, eq. 30-31), a linear interpolation in Re
  between the laminar value at Re = 2300 and the turbulent value at Re = 10^4,
  gamma = (Re - 2300) / (10^4 - 2300), value = (1 - gamma) laminar(2300) + gamma turbulent(10^4); the caller
  supplies the laminar model (for plate fins, Teertstra et al. 1999: :mod:`.platefin`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Upper end of laminar flow, Re(D_h) [-] (VDI Heat Atlas G1; Incropera & DeWitt section 8.1).
RE_LAMINAR_MAX = 2300.0
#: Start of fully turbulent friction [-]: the end of the Moody chart's critical zone.
RE_FRICTION_TURBULENT = 4000.0
#: Start of the fully turbulent Gnielinski heat transfer in the VDI Heat Atlas G1 interpolation [-].
RE_HEAT_TURBULENT = 1.0e4
#: Range of the Petukhov friction factor in Re [-] (Incropera & DeWitt, eq. 8.21).
PETUKHOV_RE_RANGE = (3000.0, 5.0e6)
#: Range of the Gnielinski correlation in Re and Pr [-] (Gnielinski 1976; Incropera & DeWitt, eq. 8.62).
GNIELINSKI_RE_RANGE = (2300.0, 5.0e6)
GNIELINSKI_PR_RANGE = (0.5, 2000.0)
#: Range of the short-duct factor's D_h / L [-] (VDI Heat Atlas G1, eq. 28).
SHORT_DUCT_RANGE = (0.0, 1.0)


def _arr(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=float)


def transition_weight(reynolds: ArrayLike, low: float, high: float) -> np.ndarray | float:
    """Weight of the turbulent end, gamma = (Re - low) / (high - low) clipped to [0, 1] [-]."""
    return np.clip((_arr(reynolds) - low) / (high - low), 0.0, 1.0) + 0.0


def darcy_petukhov(reynolds: ArrayLike) -> np.ndarray | float:
    """Darcy friction factor of a smooth duct in turbulent flow, f_D = (0.790 ln Re - 1.64)^-2 [-].

    Petukhov (1970), the form Gnielinski (1976) uses; Incropera & DeWitt eq. 8.21, 3000 <= Re <= 5e6.
    ``reynolds`` Re(D_h) [-] (values below 3000 are clamped to 3000, where the caller blends anyway).
    """
    re = np.maximum(_arr(reynolds), PETUKHOV_RE_RANGE[0])
    return (0.790 * np.log(re) - 1.64) ** -2.0 + 0.0


def fanning_laminar(reynolds: ArrayLike, length_over_dh: ArrayLike, f_re: ArrayLike) -> np.ndarray | float:
    """Apparent Fanning friction of developing laminar flow, f_app = sqrt((3.44/sqrt(L*))^2 + fRe^2) / Re [-].

    L* = (L / D_h) / Re (Muzychka & Yovanovich 2009; Culham & Muzychka 2001). ``length_over_dh`` L / D_h [-],
    ``f_re`` the fully developed Fanning fRe of the duct's cross-section [-] (e.g.
    :func:`.platefin.friction_rectangular`).
    """
    re = _arr(reynolds)
    l_star = _arr(length_over_dh) / re
    return np.sqrt((3.44 / np.sqrt(l_star)) ** 2 + _arr(f_re) ** 2) / re + 0.0


def fanning_turbulent(reynolds: ArrayLike) -> np.ndarray | float:
    """Fanning friction factor of turbulent flow, f = f_Darcy / 4 with Petukhov's f_Darcy [-]."""
    return darcy_petukhov(reynolds) / 4.0


def fanning(reynolds: ArrayLike, length_over_dh: ArrayLike, f_re: ArrayLike) -> np.ndarray | float:
    """Fanning friction factor in any regime [-] (module docstring): developing laminar below Re 2300, Petukhov
    from Re 4000, linear in Re between the two end values in between (continuous at 2300 and at 4000).

    ``reynolds`` Re(D_h) > 0 [-], ``length_over_dh`` L / D_h [-], ``f_re`` the laminar fully developed fRe [-].
    """
    re = _arr(reynolds)
    if np.all(re < RE_LAMINAR_MAX):          # the usual case: nothing else to evaluate
        return fanning_laminar(re, length_over_dh, f_re)
    g = transition_weight(re, RE_LAMINAR_MAX, RE_FRICTION_TURBULENT)
    laminar = fanning_laminar(np.minimum(re, RE_LAMINAR_MAX), length_over_dh, f_re)
    turbulent = fanning_turbulent(np.maximum(re, RE_FRICTION_TURBULENT))
    lam_end = fanning_laminar(RE_LAMINAR_MAX, length_over_dh, f_re)
    turb_end = fanning_turbulent(RE_FRICTION_TURBULENT)
    blend = (1.0 - g) * lam_end + g * turb_end
    return np.where(re < RE_LAMINAR_MAX, laminar, np.where(re >= RE_FRICTION_TURBULENT, turbulent, blend)) + 0.0


def nusselt_gnielinski(reynolds: ArrayLike, prandtl: ArrayLike, dh_over_length: ArrayLike = 0.0
                       ) -> np.ndarray | float:
    """Mean Nusselt number of turbulent duct flow, Gnielinski (1976) with the short-duct factor [-].

    Nu = (f/8)(Re - 1000) Pr / (1 + 12.7 sqrt(f/8)(Pr^(2/3) - 1)) [1 + (D_h / L)^(2/3)],
    f = (0.790 ln Re - 1.64)^-2 (module docstring). ``reynolds`` Re(D_h) [-], ``prandtl`` Pr [-],
    ``dh_over_length`` D_h / L [-] (0: fully developed). Nu = h D_h / k on the log-mean temperature difference.
    """
    re, pr = _arr(reynolds), _arr(prandtl)
    f8 = darcy_petukhov(re) / 8.0
    nu = f8 * (re - 1000.0) * pr / (1.0 + 12.7 * np.sqrt(f8) * (pr ** (2.0 / 3.0) - 1.0))
    return nu * (1.0 + _arr(dh_over_length) ** (2.0 / 3.0)) + 0.0
