"""The heat-sink interface: the plate-fin implementation against thermal.md's worked case, and a different sink
type in the lane network without touching it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from sledcheck.thermal import FanCurve, PlateFinHeatsink, air_properties
from sledcheck.thermal.heatsink import HeatSink, PlateFin
from sledcheck.thermal.network import Bypass, FinSection, solve_lane
from sledcheck.units import Q_

# thermal.md section 1, public worked case
RHO, MU, K_AIR, CP = 1.1644, 1.886e-5, 0.02624, 1004.9
SINK = PlateFin(width_m=0.040, length_m=0.040, fin_height_m=0.030, fin_count=20, fin_thickness_m=0.5e-3,
                fin_conductivity_w_mk=200.0)


def test_plate_fin_is_a_heat_sink_and_matches_the_worked_case() -> None:
    assert isinstance(SINK, HeatSink)
    assert SINK.thermal_resistance(0.009439, RHO, MU, K_AIR, MU * CP / K_AIR) == pytest.approx(0.3684800, rel=1e-6)
    assert SINK.pressure_drop(0.009439, RHO, MU) == pytest.approx(101.964, rel=1e-5)
    assert SINK.pressure_drop(0.0, RHO, MU) == 0.0
    valid = SINK.validity(0.009439, RHO, MU)
    assert valid.re_star == pytest.approx(40.35704, rel=1e-6) and valid.re_star_in_range and valid.laminar


def test_public_heatsink_uses_the_same_implementation() -> None:
    hs = PlateFinHeatsink(width="40 mm", length="40 mm", fin_height="30 mm", fin_count=20, fin_thickness="0.5 mm",
                          base_thickness="3 mm", fin_conductivity="200 W/(m*K)")
    assert hs.si == SINK
    air = air_properties("35 degC")
    flow = Q_(0.009439, "m**3/s")
    rho, mu = air.density.m_as("kg/m**3"), air.viscosity.m_as("Pa*s")
    assert hs.pressure_drop(flow, air).m_as("Pa") == SINK.pressure_drop(0.009439, rho, mu)


@dataclass(frozen=True)
class LinearSink:
    """A made-up sink type with dP = a Q (only to show the network takes any HeatSink)."""

    a: float
    kind: str = "linear-test"

    def pressure_drop(self, flow: Any, density: Any, viscosity: Any) -> Any:
        return self.a * np.asarray(flow, float)

    def thermal_resistance(self, flow: Any, density: Any, viscosity: Any, conductivity: Any, prandtl: Any) -> Any:
        return 1.0 / np.asarray(flow, float)

    def validity(self, flow: Any, density: Any, viscosity: Any) -> Any:
        return None


def test_another_sink_type_in_the_lane_network() -> None:
    """Two fans, each dP = 500 (1 - Q/0.01) (a two-point PCHIP is linear), no bypass, sink dP = a Q:
    500 (1 - Q/0.02) = a Q  ->  Q = 500 / (a + 25000)."""
    fan = FanCurve(flow=Q_([0.0, 0.01], "m**3/s"), pressure=Q_([500.0, 0.0], "Pa"))
    a = 30000.0
    section = FinSection(sink=LinearSink(a), bypass=Bypass((0.1,), (0.0,), 0.1, 0.01))
    res = solve_lane(fan, 2, 1.0, 1.0, 0.01, 0.0, (section,), 1.2, 1.8e-5)
    assert bool(res.converged)
    assert float(res.flow) == pytest.approx(500.0 / (a + 25000.0), rel=1e-12)
