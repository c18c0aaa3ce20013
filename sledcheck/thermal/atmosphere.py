"""Ambient conditions: standard-atmosphere pressure at altitude and the ASHRAE TC9.9 inlet envelopes.

Pure functions on SI floats / numpy arrays (altitude [m], pressure [Pa]); the ASHRAE limits are data
(:data:`ASHRAE_CLASSES`) with their source, in degrees Celsius as the guideline states them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

#: Sea-level standard pressure [Pa], temperature [K] and tropospheric lapse rate [K/m] (US Standard
#: Atmosphere 1976, NOAA-S/T 76-1562).
P0, T0, LAPSE = 101325.0, 288.15, 0.0065
#: Exponent g0 M0 / (R* L) of the constant-lapse-rate pressure equation with g0 = 9.80665 m/s^2,
#: M0 = 0.0289644 kg/mol, R* = 8.31432 J/(mol K), L = 0.0065 K/m (US Standard Atmosphere 1976).
EXPONENT = 5.25588
#: Altitude range [m] of the troposphere layer (geopotential; the tool does not distinguish
#: geometric and geopotential altitude: the difference at 3 km is 0.05 %, about 1.4 m).
ALTITUDE_RANGE = (-610.0, 11000.0)


def pressure_at_altitude(z: ArrayLike) -> np.ndarray | float:
    """Static pressure of the US Standard Atmosphere 1976 in the troposphere.

    p = 101325 (1 - 2.25577e-5 z)^5.25588 (US Standard Atmosphere 1976, pressure in a
    layer of constant lapse rate, with T0 = 288.15 K and
    L = 6.5 K/km; 2.25577e-5 = L/T0; thermal.md section 3).

    Parameters
    ----------
    z : altitude above mean sea level [m]; valid -610 m to 11000 m (raises ValueError outside).

    Returns
    -------
    pressure [Pa]
    """
    z = np.asarray(z, dtype=float)
    lo, hi = ALTITUDE_RANGE
    if np.any(~np.isfinite(z)) or np.any(z < lo) or np.any(z > hi):
        raise ValueError(f"altitude outside the troposphere model range {lo:g} m to {hi:g} m: {z}")
    return P0 * (1.0 - LAPSE / T0 * z) ** EXPONENT + 0.0


@dataclass(frozen=True)
class AshraeClass:
    """One ASHRAE TC9.9 environmental class for IT equipment (all temperatures dry-bulb [°C]).

    ``derating_start`` [m] and ``derating_rate`` [m per °C] describe the altitude derating of the maximum
    allowable inlet: ``max_allowable - max(0, z - derating_start) / derating_rate``.
    """

    name: str
    allowable_min: float
    allowable_max: float
    recommended_min: float
    recommended_max: float
    max_altitude: float
    derating_start: float
    derating_rate: float
    source: str


_SOURCE = (
    "ASHRAE TC9.9, Thermal Guidelines for Data Processing Environments, 5th ed. (2021), Table 2.1 "
    "(allowable/recommended dry-bulb ranges, elevation limit 3050 m) and its footnotes on altitude derating"
)
#: Recommended envelope shared by A1-A4 [°C] (ASHRAE TC9.9 2021, Table 2.1).
_REC = (18.0, 27.0)

#: The ASHRAE classes. A1/A2: derate the maximum allowable 1 °C per 300 m above 900 m (thermal.md section 3,
#: ASHRAE footnote); A3: 1 °C per 175 m; A4: 1 °C per 125 m; H1 (high-density class added in 2021):
#: 1 °C per 500 m. The rates are data: pass your own mapping to :func:`max_inlet_temperature` if your
#: equipment vendor derates differently.
ASHRAE_CLASSES: Mapping[str, AshraeClass] = MappingProxyType(
    {
        "A1": AshraeClass("A1", 15.0, 32.0, *_REC, 3050.0, 900.0, 300.0, _SOURCE),
        "A2": AshraeClass("A2", 10.0, 35.0, *_REC, 3050.0, 900.0, 300.0, _SOURCE),
        "A3": AshraeClass("A3", 5.0, 40.0, *_REC, 3050.0, 900.0, 175.0, _SOURCE),
        "A4": AshraeClass("A4", 5.0, 45.0, *_REC, 3050.0, 900.0, 125.0, _SOURCE),
        "H1": AshraeClass("H1", 15.0, 25.0, 18.0, 22.0, 3050.0, 900.0, 500.0, _SOURCE),
    }
)


def max_inlet_temperature(
    ashrae_class: str, altitude_m: ArrayLike, classes: Mapping[str, AshraeClass] = ASHRAE_CLASSES
) -> np.ndarray | float:
    """Maximum allowable inlet dry-bulb temperature of an ASHRAE class at an altitude, derated.

    T_max(z) = T_allowable_max - max(0, z - 900 m) / rate, with rate = 300 m/°C for A1/A2
    (ASHRAE TC9.9 2021, Table 2.1 footnotes; thermal.md section 3).

    Parameters
    ----------
    ashrae_class : class name, "A1", "A2", "A3", "A4" or "H1" (case-insensitive), a key of ``classes``
    altitude_m : site altitude [m], 0 <= z <= the class's maximum altitude (3050 m); raises ValueError above
        (the equipment is not specified there) or below -610 m.
    classes : the class table (default :data:`ASHRAE_CLASSES`)

    Returns
    -------
    maximum allowable inlet temperature [°C] (degrees Celsius, not kelvin: the unit of the guideline)
    """
    key = str(ashrae_class).strip().upper()
    if key not in classes:
        raise ValueError(f"unknown ASHRAE class {ashrae_class!r}; known: {', '.join(sorted(classes))}")
    cls = classes[key]
    z = np.asarray(altitude_m, dtype=float)
    if np.any(~np.isfinite(z)) or np.any(z > cls.max_altitude) or np.any(z < ALTITUDE_RANGE[0]):
        raise ValueError(
            f"altitude {z} m is outside ASHRAE class {cls.name}'s range (up to {cls.max_altitude:g} m)"
        )
    return cls.allowable_max - np.maximum(0.0, z - cls.derating_start) / cls.derating_rate + 0.0
