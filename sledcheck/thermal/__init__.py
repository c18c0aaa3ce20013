"""Air-cooling physics of sledcheck: the unit-aware public API.

::

    from sledcheck.thermal import (air_properties, pressure_at_altitude, PlateFinHeatsink,
                                   spreading_resistance, FanCurve, operating_point)

Every input is a pint Quantity of sledcheck's registry (:mod:`sledcheck.units`) or a string such as
``"35 degC"``; a bare number where a dimension is expected raises :class:`~sledcheck.units.UnitError`.
Inputs are converted to SI at this boundary, the physics modules compute on SI floats
(:mod:`.air`, :mod:`.atmosphere`, :mod:`.platefin`, :mod:`.channel` (duct friction and heat transfer across the
laminar, transitional and turbulent regimes), :mod:`.validity` (correlation ranges and their notes),
:mod:`.spreading`, :mod:`.tim`, :mod:`.fans`), and results
are wrapped back into Quantities. Shared by this API and the sled model: :mod:`.heatsink` (the heat-sink
interface and its plate-fin implementation), :mod:`.network` (a lane's fans, losses, heat sinks and bypass),
:mod:`.roots` (the one root finder, with convergence flags). The physics package does no file I/O: fan model
files are read by :mod:`sledcheck.load.fans`. Equations and sources are in the module docstrings (they follow the
project's thermal reference, "thermal.md", whose section numbers they quote).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pint

from ..units import Q_, UnitError, parse_quantity
from . import air as _air
from . import atmosphere as _atmosphere
from . import heatsink as _heatsink
from . import platefin as _platefin
from . import spreading as _spreading
from . import tim as _tim
from .atmosphere import ASHRAE_CLASSES, AshraeClass
from .fans import (
    FanCurve,
    OperatingPoint,
    OperatingPointError,
    SystemCurve,
    operating_point,
)

__all__ = [
    "ASHRAE_CLASSES",
    "AirProperties",
    "AshraeClass",
    "FanCurve",
    "HeatsinkPerformance",
    "OperatingPoint",
    "OperatingPointError",
    "PlateFinHeatsink",
    "SpreadingResistance",
    "SystemCurve",
    "air_properties",
    "inlet_temperature_limit",
    "operating_point",
    "pressure_at_altitude",
    "spreading_resistance",
    "tim_resistance",
]

_UNITS = {
    "length": "m",
    "temperature": "K",
    "pressure": "Pa",
    "volumetric_flow": "m**3/s",
    "thermal_resistance": "K/W",
    "thermal_conductivity": "W/(m*K)",
    "area_resistance": "K*m**2/W",
}


def _si(value: Any, dimension: str, name: str) -> Any:
    """``value`` (Quantity, Quantity array or string) -> float or array in the SI unit of ``dimension``.

    Raises UnitError naming the parameter for bare numbers and wrong dimensions.
    """
    unit = _UNITS[dimension]
    try:
        if isinstance(value, pint.Quantity) and np.ndim(value.magnitude) >= 1:
            dim = parse_quantity(Q_(1.0, unit), dimension).dimensionality
            if not value.check(dim):
                wanted = dimension.replace("_", " ")
                raise UnitError(f"{value!r} has the wrong dimension: a {wanted} is needed")
            return np.asarray(value.to(unit).magnitude, dtype=float)
        quantity = parse_quantity(value, dimension)
        return float(quantity.to(unit).magnitude)
    except UnitError as err:
        raise UnitError(f"{name}: {err}") from None
    except pint.errors.DimensionalityError as err:
        raise UnitError(f"{name}: {err}") from None


def _positive(name: str, value: Any, allow_zero: bool = False) -> None:
    arr = np.asarray(value, dtype=float)
    ok = np.all(np.isfinite(arr)) and (np.all(arr >= 0.0) if allow_zero else np.all(arr > 0.0))
    if not ok:
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")


def _wrap(value: Any, unit: str) -> pint.Quantity:
    return Q_(float(value) if np.ndim(value) == 0 else np.asarray(value), unit)


# ------------------------------------------------------------------------------------------------ air


@dataclass(frozen=True)
class AirProperties:
    """Dry-air properties at one state (pint Quantities); see :mod:`sledcheck.thermal.air` for accuracy."""

    temperature: pint.Quantity  # [K]
    pressure: pint.Quantity  # [Pa]
    density: pint.Quantity  # [kg/m^3]
    viscosity: pint.Quantity  # dynamic [Pa s]
    conductivity: pint.Quantity  # [W/(m K)]
    specific_heat: pint.Quantity  # cp [J/(kg K)]
    prandtl: pint.Quantity  # [dimensionless]


def air_properties(temperature: Any, pressure: Any = "101325 Pa") -> AirProperties:
    """Properties of dry air at an absolute temperature (e.g. ``"35 degC"``) and pressure (default 1 atm).

    Ideal gas with R = 287.05 J/(kg K), Sutherland viscosity and conductivity, cp = 1006.5 J/(kg K)
    (thermal.md section 4; within 0.7 % of CoolProp except conductivity, about 1 %). Valid 0-80 C.
    """
    T = _si(temperature, "temperature", "temperature")
    p = _si(pressure, "pressure", "pressure")
    _positive("temperature [K]", T)
    _positive("pressure", p)
    return AirProperties(
        temperature=_wrap(T, "K"),
        pressure=_wrap(p, "Pa"),
        density=_wrap(_air.density(T, p), "kg/m**3"),
        viscosity=_wrap(_air.viscosity(T), "Pa*s"),
        conductivity=_wrap(_air.conductivity(T), "W/(m*K)"),
        specific_heat=_wrap(_air.specific_heat(T), "J/(kg*K)"),
        prandtl=_wrap(_air.prandtl(T), ""),
    )


def _air_si(air: Any) -> tuple[Any, Any, Any, Any]:
    try:
        rho = air.density.m_as("kg/m**3")
        mu = air.viscosity.m_as("Pa*s")
        k = air.conductivity.m_as("W/(m*K)")
        pr = air.prandtl.m_as("")
    except AttributeError as err:
        raise TypeError(
            f"air must be the result of air_properties(T, p) (with .density, .viscosity, .conductivity, "
            f".prandtl Quantities), got {type(air).__name__}"
        ) from err
    return rho, mu, k, pr


# ---------------------------------------------------------------------------------------- atmosphere


def pressure_at_altitude(altitude: Any) -> pint.Quantity:
    """US Standard Atmosphere 1976 static pressure at an altitude (e.g. ``"3050 m"``), -610 m to 11 km."""
    return _wrap(_atmosphere.pressure_at_altitude(_si(altitude, "length", "altitude")), "Pa")


def inlet_temperature_limit(ashrae_class: str, altitude: Any = "0 m") -> pint.Quantity:
    """Maximum allowable inlet temperature of an ASHRAE TC9.9 class, derated for altitude (Quantity, degC).

    A1/A2 lose 1 °C per 300 m above 900 m (see :data:`ASHRAE_CLASSES` for the data and its source).
    """
    z = _si(altitude, "length", "altitude")
    return Q_(_atmosphere.max_inlet_temperature(ashrae_class, z), "degC")


# ----------------------------------------------------------------------------------------- heat sink


@dataclass(frozen=True)
class HeatsinkPerformance:
    """Everything :class:`PlateFinHeatsink` computes at one flow (Quantities; booleans for validity)."""

    flow: pint.Quantity
    fin_gap: pint.Quantity
    velocity: pint.Quantity
    re_star: pint.Quantity
    reynolds: pint.Quantity
    nusselt: pint.Quantity
    heat_transfer_coefficient: pint.Quantity
    fin_efficiency: pint.Quantity
    thermal_resistance: pint.Quantity
    pressure_drop: pint.Quantity
    re_star_in_range: Any  # 0.26 < Re* < 175 (Teertstra et al. 1999)
    laminar: Any  # Re(D_h = 2 b) < 2300
    validity: Any = None  # the :class:`~sledcheck.thermal.platefin.Validity` record

    @property
    def warnings(self) -> tuple[str, ...]:
        """Human-readable notes on the correlations' ranges: each range the operating point leaves or comes within
        10 % of an edge of, naming the correlation, the quantity, its value and the range (empty when well
        inside); :meth:`sledcheck.thermal.platefin.Validity.notes`."""
        if self.validity is None:
            return ()
        if not np.ndim(self.validity.re_star):
            return self.validity.notes()
        seen: dict[str, None] = {}
        for i in np.ndindex(np.shape(self.validity.re_star)):
            seen.update(dict.fromkeys(self.validity.notes(i)))
        return tuple(seen)


@dataclass(frozen=True)
class PlateFinHeatsink:
    """A straight plate-fin heat sink, flow along ``length`` through the fin channels (fully ducted).

    All dimensions are Quantities or strings (``"40 mm"``), conductivities e.g. ``"200 W/(m*K)"``;
    ``fin_count`` is an integer >= 2. Fields are stored converted to SI units.
    """

    width: Any
    length: Any
    fin_height: Any
    fin_count: Any
    fin_thickness: Any
    base_thickness: Any
    fin_conductivity: Any
    base_conductivity: Any = None

    def __post_init__(self) -> None:
        base_k = self.fin_conductivity if self.base_conductivity is None else self.base_conductivity
        for name, dim, value in (
            ("width", "length", self.width), ("length", "length", self.length),
            ("fin_height", "length", self.fin_height), ("fin_thickness", "length", self.fin_thickness),
            ("base_thickness", "length", self.base_thickness),
            ("fin_conductivity", "thermal_conductivity", self.fin_conductivity),
            ("base_conductivity", "thermal_conductivity", base_k),
        ):
            si = _si(value, dim, name)
            if np.ndim(si):
                raise ValueError(f"{name}: one value is expected, got an array")
            _positive(name, si, allow_zero=name == "base_thickness")
            object.__setattr__(self, name, Q_(si, _UNITS[dim]))
        n = self.fin_count
        if isinstance(n, pint.Quantity):
            n = n.m_as("") if n.dimensionless else math.nan
        if isinstance(n, str):
            n = float(parse_quantity(n, "dimensionless").m_as(""))
        numeric = isinstance(n, (int, float, np.integer, np.floating)) and not isinstance(n, bool)
        if not numeric or not math.isfinite(n) or n != int(n) or n < 2:
            raise ValueError(f"fin_count must be an integer >= 2, got {self.fin_count!r}")
        object.__setattr__(self, "fin_count", int(n))
        if self._gap() <= 0.0:
            raise ValueError(
                f"{self.fin_count} fins of {self.fin_thickness:~P} do not fit in a width of {self.width:~P}"
            )

    def _gap(self) -> float:
        return float(_platefin.fin_gap(self.width.m, self.fin_count, self.fin_thickness.m))

    @property
    def fin_gap(self) -> pint.Quantity:
        """Gap between adjacent fins, b = (W - N t)/(N - 1) [m]."""
        return Q_(self._gap(), "m")

    @property
    def base_resistance(self) -> pint.Quantity:
        """One-dimensional conduction through the base, t_b/(k_b W L) [K/W] (spreading is separate)."""
        return Q_(float(_platefin.base_resistance(self.base_thickness.m, self.base_conductivity.m,
                                                  self.width.m, self.length.m)), "K/W")

    @property
    def si(self) -> _heatsink.PlateFin:
        """The same heat sink as the SI :class:`~sledcheck.thermal.heatsink.PlateFin` the sled model uses (one
        implementation of the :class:`~sledcheck.thermal.heatsink.HeatSink` interface for both)."""
        return _heatsink.PlateFin(width_m=self.width.m, length_m=self.length.m, fin_height_m=self.fin_height.m,
                                  fin_count=self.fin_count, fin_thickness_m=self.fin_thickness.m,
                                  fin_conductivity_w_mk=self.fin_conductivity.m)

    def performance(self, flow: Any, air: AirProperties) -> HeatsinkPerformance:
        """All intermediate values, resistance, pressure drop and validity at a fin-channel flow."""
        q = _si(flow, "volumetric_flow", "flow")
        _positive("flow", q)
        rho, mu, k_air, pr = _air_si(air)
        sink = self.si
        th = sink.performance(q, rho, mu, k_air, pr)
        dp = sink.pressure_terms(q, rho, mu)
        val = sink.validity(q, rho, mu)
        return HeatsinkPerformance(
            flow=_wrap(q, "m**3/s"), fin_gap=_wrap(th.fin_gap, "m"), velocity=_wrap(th.velocity, "m/s"),
            re_star=_wrap(th.re_star, ""), reynolds=_wrap(dp.reynolds, ""), nusselt=_wrap(th.nusselt, ""),
            heat_transfer_coefficient=_wrap(th.h, "W/(m**2*K)"), fin_efficiency=_wrap(th.fin_efficiency, ""),
            thermal_resistance=_wrap(th.resistance, "K/W"), pressure_drop=_wrap(dp.pressure_drop, "Pa"),
            re_star_in_range=val.re_star_in_range, laminar=val.laminar, validity=val,
        )

    def thermal_resistance(self, flow: Any, air: AirProperties) -> pint.Quantity:
        """Fins + exposed base to the INLET air [K/W] (Teertstra et al. 1999 in laminar flow, Gnielinski 1976 in
        turbulent flow, the VDI Heat Atlas G1 interpolation between); excludes base, spreading."""
        q = _si(flow, "volumetric_flow", "flow")
        _positive("flow", q)
        rho, mu, k_air, pr = _air_si(air)
        return _wrap(self.si.thermal_resistance(q, rho, mu, k_air, pr), "K/W")

    def pressure_drop(self, flow: Any, air: AirProperties) -> pint.Quantity:
        """Static pressure drop through the fin channels (Culham-Muzychka / Simons; Petukhov friction in turbulent
        flow), [Pa]."""
        q = _si(flow, "volumetric_flow", "flow")
        _positive("flow", q, allow_zero=True)
        rho, mu, _, _ = _air_si(air)
        return _wrap(self.si.pressure_drop(q, rho, mu), "Pa")

    def validity(self, flow: Any, air: AirProperties) -> _platefin.Validity:
        """Re*, Re, D_h/L and whether 0.26 < Re* < 175 and Re < 2300; ``.notes()`` words the ranges."""
        q = _si(flow, "volumetric_flow", "flow")
        rho, mu, _, _ = _air_si(air)
        return self.si.validity(q, rho, mu)


# ----------------------------------------------------------------------------------------- spreading


@dataclass(frozen=True)
class SpreadingResistance:
    """Spreading-only resistances (add t/(k A_p) and R0 for the total), Quantities [K/W].

    ``average``: source-average temperature. ``maximum``: Lee -- at the source centre (Lee's psi_max);
    series -- the true maximum over the source (for a centred source, the centre). ``centroid``: at the source
    centroid. ``max_location``: where the maximum is, from the plate centre [m].
    """

    average: pint.Quantity
    maximum: pint.Quantity
    centroid: pint.Quantity
    max_location: tuple[pint.Quantity, pint.Quantity]
    method: str
    one_dimensional: pint.Quantity  # t/(k A_p) [K/W], for convenience


def _pair(value: Any, dimension: str, name: str) -> tuple[float, float]:
    if isinstance(value, (str, pint.Quantity)) and not (
        isinstance(value, pint.Quantity) and np.ndim(value.magnitude) == 1 and np.size(value.magnitude) == 2
    ):
        raise ValueError(f"{name} must be a pair (x, y) of {dimension.replace('_', ' ')}s, got {value!r}")
    try:
        x, y = (value[0], value[1]) if len(value) == 2 else (None, None)
    except TypeError:
        x = y = None
    if x is None:
        raise ValueError(f"{name} must be a pair (x, y), got {value!r}")
    return _si(x, dimension, f"{name}[0]"), _si(y, dimension, f"{name}[1]")


def spreading_resistance(
    source: Any,
    plate: Any,
    thickness: Any,
    conductivity: Any,
    r0: Any,
    method: str = "series",
    offset: Any = None,
    *,
    rtol: float = 1e-5,
) -> SpreadingResistance:
    """Spreading resistance of a rectangular source on a rectangular plate with a convective bottom.

    Parameters
    ----------
    source : (a, b) source size, Quantities
    plate : (W, L) plate size, Quantities
    thickness : plate (base) thickness
    conductivity : plate conductivity, e.g. "200 W/(m*K)"
    r0 : resistance from the plate bottom to the air, spread over the plate (e.g. R_hs), e.g. "0.2 K/W"
    method : "series" (default: exact Fourier series, Muzychka, Culham & Yovanovich 2003, any position)
        or "lee" (Lee et al. 1995 closed form, centred sources only)
    offset : optional (x, y) of the source centroid from the plate centre; "lee" refuses a non-zero offset
    rtol : relative truncation tolerance of the series (see :func:`.spreading.series_spreading`)

    Returns
    -------
    :class:`SpreadingResistance` (spreading part only).
    """
    cx, cy = _pair(source, "length", "source")
    lx, ly = _pair(plate, "length", "plate")
    t = _si(thickness, "length", "thickness")
    k = _si(conductivity, "thermal_conductivity", "conductivity")
    r = _si(r0, "thermal_resistance", "r0")
    ox, oy = (0.0, 0.0) if offset is None else _pair(offset, "length", "offset")
    for name, v in (("source", min(cx, cy)), ("plate", min(lx, ly)), ("thickness", t), ("conductivity", k)):
        _positive(name, v)
    _positive("r0", r, allow_zero=True)
    if cx > lx * (1 + 1e-12) or cy > ly * (1 + 1e-12):
        raise ValueError("the source is larger than the plate")
    one_d = Q_(t / (k * lx * ly), "K/W")
    if method == "lee":
        if ox != 0.0 or oy != 0.0:
            raise ValueError("Lee's closed form is for a centred source; use method='series' for an "
                             "offset source")
        res = _spreading.lee_spreading(cx * cy, lx * ly, t, k, r)
        avg, mx = float(res.average), float(res.maximum)
        return SpreadingResistance(Q_(avg, "K/W"), Q_(mx, "K/W"), Q_(mx, "K/W"), (Q_(0.0, "m"), Q_(0.0, "m")),
                                   "lee", one_d)
    if method != "series":
        raise ValueError(f"method must be 'lee' or 'series', got {method!r}")
    sres = _spreading.series_spreading(cx, cy, lx, ly, t, k, r, ox, oy, rtol=rtol)
    return SpreadingResistance(
        Q_(float(sres.average), "K/W"), Q_(float(sres.maximum), "K/W"), Q_(float(sres.centroid), "K/W"),
        (Q_(float(sres.max_x), "m"), Q_(float(sres.max_y), "m")), "series", one_d,
    )


# ----------------------------------------------------------------------------------------------- TIM


def tim_resistance(bond_line_thickness: Any, conductivity: Any, area: Any,
                   contact_resistance: Any = None) -> pint.Quantity:
    """R_TIM = BLT/(k A) + R''_c/A [K/W] (:mod:`.tim`).

    ``bond_line_thickness`` e.g. "50 um", ``conductivity`` e.g. "5 W/(m*K)", ``area`` e.g. "1200 mm^2",
    ``contact_resistance`` (both interfaces, per area) e.g. "5 K*mm^2/W".
    """
    blt = _si(bond_line_thickness, "length", "bond_line_thickness")
    k = _si(conductivity, "thermal_conductivity", "conductivity")
    try:
        a = float(parse_quantity(area, "area").m_as("m**2"))
    except UnitError as err:
        raise UnitError(f"area: {err}") from None
    rc = 0.0
    if contact_resistance is not None:
        rc = _si(contact_resistance, "area_resistance", "contact_resistance")
    _positive("bond_line_thickness", blt, allow_zero=True)
    _positive("conductivity", k)
    _positive("area", a)
    _positive("contact_resistance", rc, allow_zero=True)
    return Q_(float(_tim.tim_resistance(blt, k, a, rc)), "K/W")
