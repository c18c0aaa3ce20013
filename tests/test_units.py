"""The one registry: dimensions, pint traps, offset temperatures, JSON unit strings."""

from __future__ import annotations

import pytest

from sledcheck.units import Q_, UnitError, as_json, parse_quantity, ureg


@pytest.mark.parametrize(("text", "dimension", "value", "unit"), [
    ("35 mm", "length", 35, "mm"),
    ("1 RU", "length", 44.45, "mm"),        # EIA-310: 1 U = 1.75 in = 44.45 mm
    ("1 OU", "length", 48, "mm"),           # Open Rack v3: 1 OpenU = 48 mm
    ("10 thou", "length", 0.254, "mm"),     # 0.001 in
    ("85 degC", "temperature", 358.15, "K"),
    ("5 K", "temperature_difference", 5, "K"),
    ("1 CFM", "volumetric_flow", 0.028316846592 / 60, "m**3/s"),  # 1 ft^3/min, exact
    ("100 LFM", "velocity", 0.508, "m/s"),   # 100 ft/min
    ("0.05 K/W", "thermal_resistance", 0.05, "K/W"),
])
def test_parse_quantity_converts(text: str, dimension: str, value: float, unit: str) -> None:
    assert parse_quantity(text, dimension).m_as(unit) == pytest.approx(value, rel=1e-9)


def test_bare_number_takes_the_default_unit_or_is_an_error() -> None:
    assert parse_quantity(35, "length", "mm").m_as("mm") == 35
    with pytest.raises(UnitError, match="no unit"):
        parse_quantity(35, "power")


@pytest.mark.parametrize(("text", "dimension", "message"), [
    ("35 mm", "temperature", "is a length, but a temperature is needed"),
    ("2 U", "length", "enzyme unit"),
    ("3 mil", "length", "angle"),
    ("3 furlongz", "length", "cannot read"),
    ("85 degC", "temperature_difference", "absolute temperature"),
    ("mm", "length", "does not start with a number"),
    (True, "length", "expected a length"),
])
def test_parse_quantity_errors_say_what_is_expected(text: object, dimension: str, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        parse_quantity(text, dimension, "mm")


def test_json_units_are_ascii_and_parse_back() -> None:
    for q in (Q_(35, "degC"), Q_(5, "delta_degC"), Q_(0.1, "K/W"), Q_(2, "m**3/s"), Q_(3, "mm")):
        encoded = as_json(q)
        assert encoded["unit"].isascii()
        assert Q_(encoded["value"], ureg.Unit(encoded["unit"])) == q
