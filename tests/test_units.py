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


@pytest.mark.parametrize(("text", "dimension", "value", "unit"), [
    ("1.2 kg/m^3", "density", 1.2, "kg/m**3"),
    ("12000 rpm", "rotational_speed", 12000, "rpm"),
    ("600 1/min", "rotational_speed", 10, "1/s"),    # pint: 1 rpm = 2 pi / min (a revolution is 2 pi rad)
    ("1.6 cm^2", "area", 1.6e-4, "m**2"),
    ("0.1 K*cm^2/W", "area_resistance", 1e-5, "K*m**2/W"),
    ("0.1 K cm**2 / W", "area_resistance", 1e-5, "K*m**2/W"),
    ("90 deg", "angle", 90, "deg"),
    ("0.5 turn", "angle", 180, "deg"),
    ("5 W/(m*K)", "thermal_conductivity", 5, "W/(m*K)"),
])
def test_the_dimensions_of_the_thermal_inputs(text: str, dimension: str, value: float, unit: str) -> None:
    assert parse_quantity(text, dimension).m_as(unit) == pytest.approx(value, rel=1e-9)


def test_a_bare_angle_is_degrees_only_with_default_unit_deg() -> None:
    assert parse_quantity(90, "angle", "deg").m_as("deg") == 90
    assert parse_quantity("90", "angle", "deg").m_as("deg") == 90
    with pytest.raises(UnitError, match="no unit"):
        parse_quantity(90, "angle")
    for text in ("50 percent", "2 mm", "0.5"):
        with pytest.raises(UnitError):
            parse_quantity(text, "angle")


@pytest.mark.parametrize(("text", "message"), [
    ("9**9**9", "expected a unit name"),
    ("1 9**9**9", "expected a unit name"),
    ("2*3 mm", "expected a unit name"),
    ("1 m**99", "an exponent above 12"),
    ("1 exp(2)", "expected a unit name"),
    ("1 __import__('os')", "unexpected"),
    ("1 mm + 2 mm", "unexpected"),
    ("1 (mm", r"expected '\)'"),
    ("1 " + "m*" * 40 + "m", "a unit has at most 64"),
    ("1 " + "m" * 200, "too long for a quantity"),
    ("1" * 60 + " mm", "more than 40 characters"),
])
def test_quantity_text_is_never_evaluated(text: str, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        parse_quantity(text, "length")


def test_the_registry_itself_never_evaluates_text() -> None:
    for text in ("9**9**9", "2**2**40 m", "1 m**9**9"):
        with pytest.raises(UnitError):
            Q_(text)
        with pytest.raises(UnitError):
            ureg.parse_expression(text)
    with pytest.raises(UnitError):
        ureg.Unit("m**9**9")
    with pytest.raises(UnitError):
        ureg("9**9**9")
    assert Q_("85 degC").m_as("degC") == 85      # offset units work in text, too
    assert Q_("12000 rpm").m_as("rpm") == pytest.approx(12000)
    assert Q_("0.8").m_as("") == 0.8


def test_huge_numbers_are_errors_not_crashes() -> None:
    with pytest.raises(UnitError, match="too large"):
        parse_quantity(10**400, "length", "mm")
    with pytest.raises(UnitError, match="finite"):
        parse_quantity("1e999 mm", "length")


def test_parsed_units_are_memoised_strictly_and_boundedly(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo of parsed unit strings (pint's own cache misses prefixed units): a unit parsed twice gives the
    same container; text refused by the strict grammar is refused every time (never memoised as parsed); the
    memo stops growing at its bound; JSON unit text is the same as formatting each quantity afresh."""
    from sledcheck import units

    assert Q_(1.5, "mm").units == Q_(2.0, "mm").units == ureg.Unit("millimeter")
    assert ("mm", True, True) in units._PARSED_UNITS or ("mm", False, True) in units._PARSED_UNITS
    for _ in range(2):
        with pytest.raises(UnitError):
            ureg.Unit("m**9**9")
    assert not any(key[0] == "m**9**9" for key in units._PARSED_UNITS)
    monkeypatch.setattr(units, "_PARSED_UNITS", {})
    monkeypatch.setattr(units, "MAX_PARSED_UNITS", 2)
    for text in ("mm", "um", "cm", "km"):
        assert Q_(1.0, text).to("m").magnitude > 0
    assert len(units._PARSED_UNITS) == 2
    for q, unit in ((Q_(3.0, "mm"), "mm"), (Q_(2.0, "K/W"), "K/W"), (Q_(0.5, "mm/m"), ""),
                    (Q_(1.0, "m**3/s"), "m**3/s")):
        assert as_json(q) == {"value": q.magnitude, "unit": unit}


@pytest.mark.parametrize(("value", "written"), [
    (0.0, 0.0), (1.0, 1.0), (-2.5e-7, -2.5e-7), (123456.789123, 123457.0), (0.000123456789, 0.000123457),
    (1e300, 1e300), (float("nan"), None), (float("inf"), None), (float("-inf"), None)])
def test_value_json_writes_six_significant_digits_or_null(value: float, written: float | None) -> None:
    """value_json (the gaps' hot path) and as_json (every quantity): six significant digits, JSON's null for what
    JSON cannot hold; the expected values written out by hand."""
    from sledcheck.units import value_json

    for unit in ("mm", "mm**3"):
        assert value_json(value, unit) == {"value": written, "unit": unit}
        assert as_json(Q_(value, unit)) == {"value": written, "unit": unit}
