"""The heat-sink interface every layer uses (lane network, sled model, public API), on SI floats/arrays.

A heat-sink type is one class with three methods of the fin-channel flow; the lane network
(:mod:`.network`) and the sled model (:mod:`sledcheck.model.thermal`) call only these, so a pin-fin or
another type is added by writing one more class here (or in its own module), not by touching every layer.

- ``pressure_drop(flow, density, viscosity)`` [Pa]: static pressure drop of ``flow`` [m^3/s] through the fins
  (0 at zero flow), for air of ``density`` [kg/m^3] and dynamic ``viscosity`` [Pa s].
- ``thermal_resistance(flow, density, viscosity, conductivity, prandtl)`` [K/W]: fins + exposed base to the
  INLET air (so it contains the air's own temperature rise); air ``conductivity`` [W/(m K)], ``prandtl`` [-].
- ``validity(flow, density, viscosity)`` -> :class:`~sledcheck.thermal.platefin.Validity`-like record with
  ``re_star``, ``reynolds``, boolean ``re_star_in_range``, ``laminar``, and ``notes(i)``: the words of case i
  for T002 (each correlation range the point leaves or comes within 10 % of).

:class:`PlateFin` implements it with the heat transfer and pressure drop of :mod:`.platefin` in each flow regime:
Teertstra et al. (1999) and Culham-Muzychka (2001) / Simons (2003) in laminar flow (thermal.md section 1),
Gnielinski (1976) and Petukhov in turbulent flow, the VDI Heat Atlas G1 interpolation between (:mod:`.channel`).
:class:`PinFin` implements it for cylindrical pins, in-line or staggered, with the Khan-Culham-Yovanovich model
(:mod:`.pinfin`); its ``validity`` record carries Re_D in ``re_star`` and ``reynolds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from . import pinfin, platefin


@runtime_checkable
class HeatSink(Protocol):
    """What the lane network and the sled model need of a heat sink (SI floats or numpy arrays)."""

    @property
    def kind(self) -> str:
        """Sink type, e.g. "plate-fin" (read-only, so frozen dataclasses satisfy the protocol)."""
        ...

    def pressure_drop(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike) -> Any:
        """Pressure drop [Pa] through the fins at fin-channel flow [m^3/s]; 0 at zero flow."""
        ...

    def thermal_resistance(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike,
                           conductivity: ArrayLike, prandtl: ArrayLike) -> Any:
        """Fins + exposed base to the inlet air [K/W] at fin-channel flow [m^3/s]."""
        ...

    def validity(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike) -> Any:
        """Dimensionless groups and whether the correlations hold at fin-channel flow [m^3/s]."""
        ...


@dataclass(frozen=True)
class PlateFin:
    """A straight plate-fin heat sink, flow along the fins, all fields SI.

    width_m : fin-field width W across the flow [m]
    length_m : fin length L along the flow [m]
    fin_height_m : fin height H above the base [m]
    fin_count : N [-] (>= 2)
    fin_thickness_m : t [m]
    fin_conductivity_w_mk : k_fin [W/(m K)] (only the thermal resistance needs it; 0 for a
        pressure-only use)
    """

    width_m: float
    length_m: float
    fin_height_m: float
    fin_count: int
    fin_thickness_m: float
    fin_conductivity_w_mk: float = 0.0
    kind: str = "plate-fin"

    def _geometry(self) -> tuple[float, float, float, float, float]:
        return self.width_m, self.length_m, self.fin_height_m, self.fin_count, self.fin_thickness_m

    @property
    def fin_gap_m(self) -> float:
        """b = (W - N t)/(N - 1) [m]."""
        return float(platefin.fin_gap(self.width_m, self.fin_count, self.fin_thickness_m))

    def pressure_drop(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike) -> Any:
        """Culham-Muzychka / Simons pressure drop [Pa] with the regime's friction
        (:func:`.platefin.plate_fin_pressure_drop`); 0 at zero (or negative) flow."""
        q = np.asarray(flow, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            dp = platefin.plate_fin_pressure_drop(np.maximum(q, 1e-30), *self._geometry(), density,
                                                  viscosity).pressure_drop
        return np.where(q > 0.0, dp, 0.0) + 0.0

    def thermal_resistance(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike,
                           conductivity: ArrayLike, prandtl: ArrayLike) -> Any:
        """R_hs [K/W] in the flow's regime (:func:`.platefin.plate_fin_thermal`), referenced to the inlet air."""
        return self.performance(flow, density, viscosity, conductivity, prandtl).resistance

    def performance(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike, conductivity: ArrayLike,
                    prandtl: ArrayLike) -> platefin.PlateFinThermal:
        """All intermediate values of the model (b, V, Re*, Nu_b, h, eta_fin, R_hs, Re, turbulent weight)."""
        return platefin.plate_fin_thermal(flow, *self._geometry(), self.fin_conductivity_w_mk, density, viscosity,
                                          conductivity, prandtl)

    def pressure_terms(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike) -> platefin.PlateFinPressure:
        """All intermediate values of the pressure-drop model (V, Re, K_c, K_e, f_app, dP) at flow > 0."""
        return platefin.plate_fin_pressure_drop(flow, *self._geometry(), density, viscosity)

    def validity(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike) -> platefin.Validity:
        """Re*, Re, D_h/L, whether 0.26 < Re* < 175 and Re < 2300, and the notes (:func:`.platefin.validity`)."""
        return platefin.validity(flow, *self._geometry(), density, viscosity)


@dataclass(frozen=True)
class PinFin:
    """A cylindrical pin-fin heat sink in cross flow (Khan-Culham-Yovanovich, :mod:`.pinfin`), all fields SI.

    width_m : pin field width W across the flow [m]
    length_m : pin field length L along the flow [m]
    fin_height_m : pin height H above the base [m]
    pin_diameter_m : D [m]
    pitch_across_m : S_T, between the pins of one row [m]
    pitch_along_m : S_L, between consecutive rows [m]
    rows : N_L, rows along the flow [-]
    pin_count : N, pins in all [-]
    layout : "in-line" or "staggered" (each row shifted by S_T / 2 from the one before)
    fin_conductivity_w_mk : k [W/(m K)] (only the thermal resistance needs it)
    """

    width_m: float
    length_m: float
    fin_height_m: float
    pin_diameter_m: float
    pitch_across_m: float
    pitch_along_m: float
    rows: int
    pin_count: int
    layout: str
    fin_conductivity_w_mk: float = 0.0
    kind: str = "pin-fin"

    def __post_init__(self) -> None:
        if self.layout not in pinfin.LAYOUTS:
            raise ValueError(f"pin layout must be one of {', '.join(pinfin.LAYOUTS)}, not {self.layout!r}")
        if not 0.0 < self.pin_diameter_m < min(self.pitch_across_m, 2.0 * self.pitch_along_m):
            raise ValueError("the pins overlap: the diameter must be smaller than the pitch")

    def _pins(self) -> tuple[float, float, float, float, float]:
        return self.width_m, self.fin_height_m, self.pin_diameter_m, self.pitch_across_m, self.pitch_along_m

    def pressure_drop(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike) -> Any:
        """KCY pressure drop [Pa] (:func:`.pinfin.pin_fin_pressure_drop`); 0 at zero (or negative) flow."""
        q = np.asarray(flow, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            dp = self.pressure_terms(np.maximum(q, 1e-30), density, viscosity).pressure_drop
        return np.where(q > 0.0, dp, 0.0) + 0.0

    def pressure_terms(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike) -> pinfin.PinFinPressure:
        """All intermediate values of the pressure-drop model (U_max, Re_D, K_c, K_e, f, dP) at flow > 0."""
        return pinfin.pin_fin_pressure_drop(flow, *self._pins(), self.rows, self.layout, density, viscosity)

    def thermal_resistance(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike,
                           conductivity: ArrayLike, prandtl: ArrayLike) -> Any:
        """R_hs [K/W] referred to the inlet air (:func:`.pinfin.pin_fin_thermal`)."""
        return self.performance(flow, density, viscosity, conductivity, prandtl).resistance

    def performance(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike, conductivity: ArrayLike,
                    prandtl: ArrayLike) -> pinfin.PinFinThermal:
        """All intermediate values of the thermal model (U_app, U_max, Re_D, Nu_D, h, h_b, eta, UA, R_hs)."""
        return pinfin.pin_fin_thermal(flow, self.width_m, self.length_m, self.fin_height_m, self.pin_diameter_m,
                                      self.pitch_across_m, self.pitch_along_m, self.pin_count, self.layout,
                                      self.fin_conductivity_w_mk, density, viscosity, conductivity, prandtl)

    def validity(self, flow: ArrayLike, density: ArrayLike, viscosity: ArrayLike) -> pinfin.PinFinValidity:
        """Re_D, whether 40 < Re_D < 2e5, and the notes on Re_D and the pitch ratios (:func:`.pinfin.validity`)."""
        return pinfin.validity(flow, *self._pins(), self.layout, density, viscosity)
