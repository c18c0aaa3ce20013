"""Air properties and the standard atmosphere / ASHRAE envelope."""

from __future__ import annotations

import numpy as np
import pytest

from sledcheck.thermal import air as air_si
from sledcheck.thermal import air_properties, inlet_temperature_limit, pressure_at_altitude
from sledcheck.thermal.atmosphere import ASHRAE_CLASSES, max_inlet_temperature
from sledcheck.thermal.atmosphere import pressure_at_altitude as pressure_si
from sledcheck.units import Q_, UnitError

T25 = 298.15

# CoolProp (Lemmon EOS) reference at 25 C, 101325 Pa, and the accuracy each correlation claims
# (thermal.md section 4): ideal gas < 0.1 %, Sutherland viscosity < 0.7 %, conductivity about 1 %,
# cp constant 1006.5 (0.3 % over 0-80 C); Prandtl inherits about 1 %.
COOLPROP_25C = {
    "density": (1.18432, 0.001),
    "viscosity": (1.84481e-5, 0.007),
    "conductivity": (0.02625, 0.01),
    "specific_heat": (1006.31, 0.003),
    "prandtl": (0.7073, 0.01),
}


@pytest.mark.parametrize("name", sorted(COOLPROP_25C))
def test_si_air_properties_match_coolprop_at_25c(name: str) -> None:
    value = {
        "density": air_si.density(T25, 101325.0),
        "viscosity": air_si.viscosity(T25),
        "conductivity": air_si.conductivity(T25),
        "specific_heat": air_si.specific_heat(T25),
        "prandtl": air_si.prandtl(T25),
    }[name]
    expected, rel = COOLPROP_25C[name]
    assert value == pytest.approx(expected, rel=rel)


def test_public_air_properties_are_quantities_in_expected_units() -> None:
    air = air_properties(Q_(25, "degC"), Q_(101325, "Pa"))
    assert air.density.m_as("kg/m^3") == pytest.approx(1.18432, rel=1e-3)  # CoolProp, thermal.md s.4
    assert air.viscosity.m_as("Pa*s") == pytest.approx(1.84481e-5, rel=7e-3)
    assert air.conductivity.m_as("W/(m*K)") == pytest.approx(0.02625, rel=1e-2)
    assert air.specific_heat.m_as("J/(kg*K)") == pytest.approx(1006.31, rel=3e-3)
    assert air.prandtl.m_as("") == pytest.approx(0.7073, rel=1e-2)
    assert air.temperature.m_as("K") == pytest.approx(298.15)
    # strings work too, and the pressure defaults to one standard atmosphere
    assert air_properties("25 degC").density.m == pytest.approx(air.density.m)
    assert air_properties("77 degF").density.m == pytest.approx(air.density.m)


def test_density_scales_with_pressure_and_inverse_temperature() -> None:
    # ideal gas: rho(p/2) = rho/2; rho(2T) = rho/2 (p / (R T), R = 287.05)
    assert air_si.density(300.0, 50000.0) == pytest.approx(air_si.density(300.0, 100000.0) / 2)
    assert air_si.density(600.0, 1e5) == pytest.approx(1e5 / (287.05 * 600.0))
    # Sutherland: mu(T0) = mu0 exactly (White 2006)
    assert air_si.viscosity(273.15) == pytest.approx(1.716e-5, rel=1e-12)
    assert air_si.conductivity(273.15) == pytest.approx(0.0241, rel=1e-12)


@pytest.mark.parametrize("bad", [35, 35.0, "35", "35 m", Q_(35, "Pa")])
def test_air_properties_refuses_bare_numbers_and_wrong_dimensions(bad: object) -> None:
    with pytest.raises(UnitError, match="temperature"):
        air_properties(bad)


def test_standard_atmosphere_at_3050_m_matches_the_barometric_formula() -> None:
    # Independent: p = p0 (1 - L z / T0)^(g0 M / (R* L)) with the US Standard Atmosphere 1976 constants
    # (T0 = 288.15 K, L = 0.0065 K/m, g0 = 9.80665, M = 0.0289644 kg/mol, R* = 8.31432 J/(mol K)):
    # 69664.0 Pa, i.e. about 69.66 kPa at 3050 m (the ASHRAE elevation limit).
    g0, m_air, r_star, lapse, t0 = 9.80665, 0.0289644, 8.31432, 0.0065, 288.15
    expected = 101325.0 * (1 - lapse * 3050 / t0) ** (g0 * m_air / (r_star * lapse))
    assert expected == pytest.approx(69664.0, abs=1.0)
    assert pressure_si(3050.0) == pytest.approx(expected, rel=1e-5)
    assert pressure_at_altitude(Q_(3050, "m")).m_as("Pa") == pytest.approx(expected, rel=1e-5)
    assert pressure_at_altitude("10006.56 ft").m_as("kPa") == pytest.approx(69.664, rel=1e-4)
    assert pressure_si(0.0) == 101325.0  # sea level by definition


def test_standard_atmosphere_range_and_units() -> None:
    with pytest.raises(ValueError, match="range"):
        pressure_si(12000.0)
    with pytest.raises(UnitError, match="altitude"):
        pressure_at_altitude(3050)


def test_ashrae_classes_and_altitude_derating() -> None:
    # ASHRAE TC9.9 (2021) allowable maxima: A1 32, A2 35, A3 40, A4 45 C (thermal.md section 3)
    assert {k: c.allowable_max for k, c in ASHRAE_CLASSES.items() if k.startswith("A")} == {
        "A1": 32.0, "A2": 35.0, "A3": 40.0, "A4": 45.0}
    assert {k: c.allowable_min for k, c in ASHRAE_CLASSES.items() if k.startswith("A")} == {
        "A1": 15.0, "A2": 10.0, "A3": 5.0, "A4": 5.0}
    # no derating up to 900 m; then 1 C per 300 m for A1/A2 (thermal.md section 3)
    assert max_inlet_temperature("A2", 900.0) == 35.0
    assert max_inlet_temperature("a2", 1500.0) == pytest.approx(33.0)
    assert max_inlet_temperature("A1", 3050.0) == pytest.approx(32.0 - 2150.0 / 300.0)
    assert inlet_temperature_limit("A2", "3050 m").m_as("degC") == pytest.approx(35.0 - 2150.0 / 300.0)
    z = np.array([0.0, 900.0, 1200.0, 2100.0])
    np.testing.assert_allclose(max_inlet_temperature("A2", z), [35.0, 35.0, 34.0, 31.0])
    with pytest.raises(ValueError, match="3050"):
        max_inlet_temperature("A2", 3500.0)
    with pytest.raises(ValueError, match="unknown ASHRAE class"):
        max_inlet_temperature("B7", 0.0)
