"""The one pint registry of sledcheck, and helpers to parse quantities at the boundary.

Every module imports ``ureg`` and ``Q_`` from here; nothing else creates a registry. Hot code works on SI
magnitudes (``q.m_as("m")``) and wraps results back into quantities at the boundary.

Defined on top of pint's defaults:

- ``RU`` / ``rack_unit`` (EIA-310, 44.45 mm) and ``OU`` / ``open_rack_unit`` (Open Rack v3, 48 mm).
  pint's own ``U`` is the enzyme unit and is refused by :func:`parse_quantity`.
- ``thou`` (0.001 in). pint's ``mil`` is an angle (milliradian-like); it is refused too.
- ``CFM`` (ft^3/min) and ``LFM`` (ft/min), the airflow units of fan datasheets.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pint

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=False, cache_folder=None)
ureg.define("rack_unit = 44.45 * millimeter = RU")
ureg.define("open_rack_unit = 48 * millimeter = OU")
ureg.define("thou = 0.001 * inch")
ureg.define("CFM = foot ** 3 / minute")
ureg.define("LFM = foot / minute")
ureg.formatter.default_format = "~P"

Q_ = ureg.Quantity
Quantity = pint.Quantity

#: Unit names that parse in pint but almost never mean what a mechanical engineer typed.
TRAPS = {
    "U": "pint reads 'U' as the enzyme unit; write 'RU' (rack unit, 44.45 mm) or 'OU' (Open Rack, 48 mm)",
    "mil": "pint reads 'mil' as an angle; write 'thou' (0.001 in)",
    "mils": "pint reads 'mils' as an angle; write 'thou' (0.001 in)",
}

#: Dimensions by the names used in error messages and schemas.
DIMENSIONS = {
    "length": "[length]",
    "temperature": "[temperature]",
    "temperature_difference": "[temperature]",
    "power": "[power]",
    "pressure": "[pressure]",
    "volumetric_flow": "[length] ** 3 / [time]",
    "thermal_resistance": "[temperature] / [power]",
    "thermal_conductivity": "[power] / [length] / [temperature]",
    "velocity": "[length] / [time]",
    "dimensionless": "",
}

#: An example of each dimension for error messages.
EXAMPLES = {
    "length": "'35 mm'",
    "temperature": "'85 degC'",
    "temperature_difference": "'5 K' or '5 delta_degC'",
    "power": "'700 W'",
    "pressure": "'250 Pa'",
    "volumetric_flow": "'120 CFM'",
    "thermal_resistance": "'0.05 K/W'",
    "thermal_conductivity": "'5 W/(m*K)'",
    "velocity": "'2 m/s'",
    "dimensionless": "'0.5'",
}


class UnitError(ValueError):
    """A value could not be read as a quantity of the expected dimension."""


def parse_unit(text: str) -> pint.Unit:
    """Parse a unit name such as ``"mm"``; raises :class:`UnitError` for unknown units and pint traps."""
    name = str(text).strip()
    if name in TRAPS:
        raise UnitError(TRAPS[name])
    try:
        return ureg.Unit(name)
    except (pint.errors.UndefinedUnitError, ValueError, AttributeError, TypeError) as err:
        raise UnitError(f"unknown unit {name!r}") from err


def _check_traps(text: str) -> None:
    for token in text.replace("*", " ").replace("/", " ").replace("(", " ").replace(")", " ").split():
        if token in TRAPS:
            raise UnitError(TRAPS[token])


def parse_quantity(value: Any, dimension: str, default_unit: str | None = None) -> pint.Quantity:
    """Read ``value`` as a quantity of ``dimension`` (a key of :data:`DIMENSIONS`).

    ``value`` may be a Quantity, a string such as ``"35 mm"``/``"85 degC"``, or a bare number, which takes
    ``default_unit`` when one is given (the design's ``units`` for lengths) and is an error otherwise.
    Temperatures are read as absolute (degC, K, degF); ``temperature_difference`` accepts K and delta_degC.
    Raises :class:`UnitError` with a message that says what was expected.
    """
    expected = DIMENSIONS[dimension]
    example = EXAMPLES[dimension]
    if isinstance(value, bool):
        raise UnitError(f"expected a {dimension.replace('_', ' ')} such as {example}, got {value!r}")
    if isinstance(value, pint.Quantity):
        quantity = value
    elif isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise UnitError(f"expected a finite number, got {value!r}")
        if dimension == "dimensionless":
            return Q_(value, "")
        if default_unit is None:
            raise UnitError(f"a bare number {value!r} has no unit: write it with one, e.g. {example}")
        quantity = Q_(value, parse_unit(default_unit))
    elif isinstance(value, str):
        text = value.strip()
        _check_traps(text)
        try:
            quantity = _parse_text(text)
        except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError,
                AttributeError, TypeError, SyntaxError) as err:
            raise UnitError(f"cannot read {value!r} as a quantity: {err}; write e.g. {example}") from err
        if not isinstance(quantity, pint.Quantity):  # a bare number in a string
            if dimension == "dimensionless":
                return Q_(float(quantity), "")
            if default_unit is None:
                raise UnitError(f"{value!r} has no unit: write it with one, e.g. {example}")
            quantity = Q_(float(quantity), parse_unit(default_unit))
    else:
        raise UnitError(f"expected a {dimension.replace('_', ' ')} such as {example}, got {value!r}")
    if not quantity.check(expected) if expected else not quantity.dimensionless:
        raise UnitError(
            f"{value!r} is a {_describe(quantity)}, but a {dimension.replace('_', ' ')} is needed, e.g. {example}"
        )
    if not math.isfinite(float(quantity.magnitude)):
        raise UnitError(f"expected a finite value, got {value!r}")
    if dimension == "temperature_difference" and quantity.units in (ureg.degC, ureg.degF):
        raise UnitError(f"{value!r} is an absolute temperature; a difference is written '5 K' or '5 delta_degC'")
    return quantity


_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _parse_text(text: str) -> pint.Quantity | float:
    """``"85 degC"`` -> Q_(85, degC) (offset units cannot go through pint's expression parser)."""
    match = _NUMBER.match(text)
    if match is None:
        raise ValueError("it does not start with a number")
    number, unit = float(match.group(1)), match.group(2)
    return Q_(number, parse_unit(unit)) if unit else number


def unit_string(unit: pint.Unit | pint.Quantity) -> str:
    """A compact ASCII unit string pint parses back: ``mm``, ``K/W``, ``degC``, ``m**3/s``."""
    unit = getattr(unit, "units", unit)
    text = format(unit, "~C")
    return text.replace("Δ°C", "delta_degC").replace("°C", "degC").replace("Δ°F", "delta_degF").replace("°F", "degF")


def _describe(quantity: pint.Quantity) -> str:
    for name, dim in DIMENSIONS.items():
        if dim and name != "temperature_difference" and quantity.check(dim):
            return name.replace("_", " ")
    return f"quantity in {quantity.units:~}" if not quantity.dimensionless else "plain number"


def as_json(quantity: pint.Quantity, unit: str | None = None, digits: int = 6) -> dict[str, Any]:
    """``{"value", "unit"}`` for JSON reports; rounded to ``digits`` significant digits for determinism."""
    q = quantity.to(unit) if unit else quantity
    value = float(q.magnitude)
    if not math.isfinite(value):   # JSON has no NaN or infinity: an unbounded value is null
        return {"value": None, "unit": unit_string(q) if not q.dimensionless else ""}
    return {"value": round_sig(value, digits), "unit": unit_string(q) if not q.dimensionless else ""}


def round_sig(value: float, digits: int = 6) -> float:
    """Round to ``digits`` significant digits (0 stays 0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))
