"""Plate-fin heat sink: Teertstra composite Nusselt, Culham-Muzychka pressure drop, public API."""

from __future__ import annotations

import numpy as np
import pytest

from sledcheck.thermal import PlateFinHeatsink, air_properties
from sledcheck.thermal import platefin as pf
from sledcheck.thermal.air import R_AIR
from sledcheck.units import Q_, UnitError

# The public worked case of thermal.md section 1 (inputs from a public heat-sink sizing module, outputs from
# the equations in double precision). Flow 20 CFM rounded to 0.009439 m^3/s as in thermal.md.
W = L = 0.040
H, N, T_FIN, K_FIN = 0.030, 20, 0.5e-3, 200.0
FLOW = 0.009439
RHO, MU, K_AIR, CP = 1.1644, 1.886e-5, 0.02624, 1004.9
PR = MU * CP / K_AIR
EXPECTED = {  # thermal.md section 1
    "fin_gap": 1.5789474e-3,
    "velocity": 10.487778,
    "re_star": 40.35704,
    "nusselt": 4.695516,
    "h": 78.03321,
    "fin_efficiency": 0.6995450,
    "resistance": 0.3684800,
}
DP_EXPECTED = 101.964  # Pa, thermal.md section 1


def test_teertstra_limits() -> None:
    # thermal.md section 1: Pr = 0.7, Re* = 0.01 -> 0.0035000 (-> Re* Pr / 2); Re* = 1e4 -> 60.0230
    assert pf.nusselt_teertstra(0.01, 0.7) == pytest.approx(0.0035000, rel=1e-5)
    assert pf.nusselt_teertstra(1e4, 0.7) == pytest.approx(60.0230, rel=1e-5)
    # asymptotes: Re* -> 0 gives Re* Pr / 2; Re* -> inf the developing flat-plate term
    assert pf.nusselt_teertstra(1e-6, 0.7) == pytest.approx(1e-6 * 0.7 / 2, rel=1e-9)
    big = 1e10
    assert pf.nusselt_teertstra(big, 0.7) == pytest.approx(0.664 * big**0.5 * 0.7 ** (1 / 3), rel=1e-4)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_worked_case_thermal_si(name: str) -> None:
    res = pf.plate_fin_thermal(FLOW, W, L, H, N, T_FIN, K_FIN, RHO, MU, K_AIR, PR)
    assert getattr(res, name) == pytest.approx(EXPECTED[name], rel=1e-6)


def test_worked_case_pressure_drop_si() -> None:
    res = pf.plate_fin_pressure_drop(FLOW, W, L, H, N, T_FIN, RHO, MU)
    assert res.pressure_drop == pytest.approx(DP_EXPECTED, rel=1e-5)
    # pieces: sigma = 1 - N t / W = 0.75 -> K_c = 0.42 (1 - 0.5625), K_e = (1 - 0.5625)^2 (Culham-Muzychka)
    assert res.k_c == pytest.approx(0.42 * 0.4375)
    assert res.k_e == pytest.approx(0.4375**2)
    assert res.reynolds == pytest.approx(RHO * EXPECTED["velocity"] * 2 * EXPECTED["fin_gap"] / MU, rel=1e-6)


def test_worked_case_validity_and_base() -> None:
    v = pf.validity(FLOW, W, L, H, N, T_FIN, RHO, MU)
    assert v.re_star == pytest.approx(40.35704, rel=1e-6)  # thermal.md section 1
    assert v.re_star_in_range is True and v.laminar is True  # Re = 2045 < 2300
    slow = pf.validity(FLOW / 500, W, L, H, N, T_FIN, RHO, MU)
    assert slow.re_star_in_range is False and slow.laminar is True  # Re* = 0.08 < 0.26
    fast = pf.validity(FLOW * 2, W, L, H, N, T_FIN, RHO, MU)
    assert fast.laminar is False  # Re about 4090
    # base conduction t/(k W L): 5 mm of 200 W/(m K) over 40 x 40 mm = 0.015625 K/W
    assert pf.base_resistance(5e-3, 200.0, W, L) == pytest.approx(0.015625)


def test_shah_london_friction_and_fin_efficiency_limits() -> None:
    # Shah & London (1978), rectangular-duct values: parallel plates fRe = 24; square duct fRe = 14.227
    assert pf.friction_rectangular(0.0) == pytest.approx(24.0)
    assert pf.friction_rectangular(1.0) == pytest.approx(14.227, rel=5e-4)
    assert pf.friction_rectangular(2.0) == pytest.approx(pf.friction_rectangular(0.5))
    # fin efficiency: tanh(mH)/(mH) -> 1 for a very conductive fin; m H = 1 -> tanh(1)
    assert pf.fin_efficiency(10.0, 1e12, 1e-3, 0.03) == pytest.approx(1.0)
    h = 0.5 * 200.0 * 1e-3 / 0.03**2  # makes m H = 1
    assert pf.fin_efficiency(h, 200.0, 1e-3, 0.03) == pytest.approx(np.tanh(1.0))


def _worked_air():
    """An AirProperties-like object with the worked-case air (rho, mu, k, Pr) as Quantities."""
    class Air:
        density = Q_(RHO, "kg/m^3")
        viscosity = Q_(MU, "Pa*s")
        conductivity = Q_(K_AIR, "W/(m*K)")
        prandtl = Q_(PR, "")
    return Air()


HS = PlateFinHeatsink(width=Q_(40, "mm"), length="40 mm", fin_height="30 mm", fin_count=20,
                      fin_thickness="0.5 mm", base_thickness="5 mm", fin_conductivity=Q_(200, "W/(m*K)"),
                      base_conductivity="200 W/(m*K)")


def test_worked_case_public_api() -> None:
    air = _worked_air()
    # 20 CFM exactly is 0.00943895 m^3/s, 6e-6 below the rounded 0.009439 of thermal.md: 1e-4 is ample
    assert HS.fin_gap.m_as("mm") == pytest.approx(1.5789474, rel=1e-7)
    assert HS.thermal_resistance(Q_(20, "CFM"), air).m_as("K/W") == pytest.approx(0.3684800, rel=1e-4)
    assert HS.pressure_drop("20 CFM", air).m_as("Pa") == pytest.approx(101.964, rel=1e-4)
    perf = HS.performance("20 CFM", air)
    assert perf.velocity.m_as("m/s") == pytest.approx(10.487778, rel=1e-4)
    assert perf.re_star.m == pytest.approx(40.35704, rel=1e-4)
    assert perf.nusselt.m == pytest.approx(4.695516, rel=1e-4)
    assert perf.heat_transfer_coefficient.m_as("W/(m^2*K)") == pytest.approx(78.03321, rel=1e-4)
    assert perf.fin_efficiency.m == pytest.approx(0.6995450, rel=1e-4)
    assert perf.warnings == ()
    assert HS.base_resistance.m_as("K/W") == pytest.approx(0.015625)
    # with real air at 25 C the answer moves by well under 1 % (air ~ the worked-case air)
    real = air_properties("25 degC")
    assert HS.thermal_resistance("20 CFM", real).m == pytest.approx(0.3684800, rel=0.01)
    assert R_AIR == 287.05


def test_public_api_validity_warnings_and_errors() -> None:
    air = _worked_air()
    assert any("Re*" in w for w in HS.performance("0.03 CFM", air).warnings)
    assert any("laminar" in w for w in HS.performance("45 CFM", air).warnings)
    assert HS.pressure_drop("0 CFM", air).m == 0.0
    with pytest.raises(UnitError, match="flow"):
        HS.thermal_resistance(20, air)
    with pytest.raises(UnitError, match="flow"):
        HS.thermal_resistance("20 Pa", air)
    with pytest.raises(UnitError, match="fin_height"):
        PlateFinHeatsink(width="40 mm", length="40 mm", fin_height=30, fin_count=20, fin_thickness="0.5 mm",
                         base_thickness="5 mm", fin_conductivity="200 W/(m*K)")
    with pytest.raises(UnitError, match="fin_conductivity"):
        PlateFinHeatsink(width="40 mm", length="40 mm", fin_height="30 mm", fin_count=20,
                         fin_thickness="0.5 mm", base_thickness="5 mm", fin_conductivity="200 W")
    with pytest.raises(ValueError, match="do not fit"):
        PlateFinHeatsink(width="10 mm", length="40 mm", fin_height="30 mm", fin_count=20,
                         fin_thickness="0.5 mm", base_thickness="5 mm", fin_conductivity="200 W/(m*K)")
    with pytest.raises(ValueError, match="fin_count"):
        PlateFinHeatsink(width="40 mm", length="40 mm", fin_height="30 mm", fin_count=2.5,
                         fin_thickness="0.5 mm", base_thickness="5 mm", fin_conductivity="200 W/(m*K)")
    with pytest.raises(TypeError, match="air_properties"):
        HS.thermal_resistance("20 CFM", "25 degC")
