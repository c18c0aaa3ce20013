"""Properties of dry air at the temperatures and pressures of a server inlet (0-80 C, 60-110 kPa).

Pure functions on SI floats or numpy arrays of any broadcastable shape: temperature ``T`` [K], pressure
``p`` [Pa]. The correlations are the ones of thermal.md section 4; their accuracy against the CoolProp
(Lemmon et al. 2000 pseudo-pure air EOS and transport) values at 25 C / 101325 Pa is

============  ===========  ===========  =========
property      this module  CoolProp     error
============  ===========  ===========  =========
rho [kg/m3]   1.18393      1.18432      -0.03 %
mu [Pa s]     1.83715e-5   1.84481e-5   -0.42 %
k [W/(m K)]   0.026087     0.02625      -0.62 %
cp [J/(kg K)] 1006.5       1006.31      +0.02 %
Pr [-]        0.70881      0.7073       +0.21 %
============  ===========  ===========  =========

Over 0-80 C the errors stay within 0.1 % (density), 0.7 % (viscosity), about 1 % (conductivity) and
0.3 % (cp). Humidity is ignored (moist air at 35 C / 50 % RH is about 1 % lighter).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Specific gas constant of dry air [J/(kg K)] (R_u / M with M = 28.9647 g/mol; thermal.md section 4).
R_AIR = 287.05

#: Constant specific heat of dry air [J/(kg K)] used by :func:`specific_heat` (thermal.md section 4).
CP_AIR = 1006.5

#: Sutherland constants for viscosity: mu0 [Pa s] at T0 [K], S [K] (F. M. White, Viscous Fluid Flow,
#: 3rd ed., 2006, ch. 1; thermal.md section 4).
MU0, T0_MU, S_MU = 1.716e-5, 273.15, 110.4

#: Sutherland-form constants for conductivity: k0 [W/(m K)] at T0 [K], S [K] (White 2006, ch. 1;
#: thermal.md section 4).
K0, T0_K, S_K = 0.0241, 273.15, 194.0

#: Temperature range [K] over which the accuracies above are stated.
T_RANGE = (273.15, 353.15)


def density(T: ArrayLike, p: ArrayLike) -> np.ndarray | float:
    """Density of dry air as an ideal gas, rho = p / (R T).

    Parameters
    ----------
    T : temperature [K]
    p : absolute pressure [Pa]

    Returns
    -------
    density [kg/m^3]; error < 0.1 % below 1 bar and 0-80 C (compressibility Z differs from 1 by < 5e-4).
    """
    return np.asarray(p, dtype=float) / (R_AIR * np.asarray(T, dtype=float)) + 0.0


def viscosity(T: ArrayLike) -> np.ndarray | float:
    """Dynamic viscosity of air by Sutherland's law, mu = mu0 (T/T0)^1.5 (T0 + S)/(T + S).

    Parameters
    ----------
    T : temperature [K]; valid 200-500 K (Sutherland's law as given by White 2006, ch. 1;
        mu0 = 1.716e-5 Pa s, T0 = 273.15 K, S = 110.4 K). Error < 0.7 % vs CoolProp over 0-80 C;
        the pressure dependence is negligible.

    Returns
    -------
    dynamic viscosity [Pa s]
    """
    T = np.asarray(T, dtype=float)
    return MU0 * (T / T0_MU) ** 1.5 * (T0_MU + S_MU) / (T + S_MU) + 0.0


def conductivity(T: ArrayLike) -> np.ndarray | float:
    """Thermal conductivity of air by a Sutherland-form fit, k = k0 (T/T0)^1.5 (T0 + S)/(T + S).

    Parameters
    ----------
    T : temperature [K]; k0 = 0.0241 W/(m K), T0 = 273.15 K, S = 194 K (White 2006, ch. 1;
        thermal.md section 4). About 1 % low vs CoolProp over 0-80 C (-0.6 % at 25 C).

    Returns
    -------
    thermal conductivity [W/(m K)]
    """
    T = np.asarray(T, dtype=float)
    return K0 * (T / T0_K) ** 1.5 * (T0_K + S_K) / (T + S_K) + 0.0


def specific_heat(T: ArrayLike) -> np.ndarray | float:
    """Isobaric specific heat of dry air: the constant 1006.5 J/(kg K) of thermal.md section 4.

    A constant is used on purpose: between 0 and 80 C the real cp of dry air varies only from about
    1006.0 to 1009.1 J/(kg K) (CoolProp), so the constant is within 0.3 % everywhere in range and within
    0.02 % of CoolProp's 1006.31 at 25 C.

    Parameters
    ----------
    T : temperature [K] (only its shape is used)

    Returns
    -------
    specific heat at constant pressure [J/(kg K)]
    """
    return np.full_like(np.asarray(T, dtype=float), CP_AIR) + 0.0


def prandtl(T: ArrayLike) -> np.ndarray | float:
    """Prandtl number Pr = mu cp / k of dry air from :func:`viscosity`, :func:`specific_heat`,
    :func:`conductivity`.

    Parameters
    ----------
    T : temperature [K]; within about 1 % of CoolProp over 0-80 C (+0.2 % at 25 C).

    Returns
    -------
    Prandtl number [-]
    """
    return viscosity(T) * specific_heat(T) / conductivity(T)
