"""The one pint registry of sledcheck, and helpers to parse quantities at the boundary.

Every module imports ``ureg`` and ``Q_`` from here; nothing else creates a registry. Hot code works on SI
magnitudes (``q.m_as("m")``) and wraps results back into quantities at the boundary.

Defined on top of pint's defaults:

- ``RU`` / ``rack_unit`` (EIA-310, 44.45 mm) and ``OU`` / ``open_rack_unit`` (Open Rack v3, 48 mm).
  pint's own ``U`` is the enzyme unit and is refused by :func:`parse_quantity`.
- ``thou`` (0.001 in). pint's ``mil`` is an angle (milliradian-like); it is refused too.
- ``CFM`` (ft^3/min) and ``LFM`` (ft/min), the airflow units of fan datasheets.

Text is never evaluated: pint's own string parsing (``Q_("...")``, ``ureg("...")``, ``ureg.Unit("...")``,
``ureg.parse_expression``) is replaced on this registry by the strict one of :func:`parse_quantity`: ONE
number and ONE unit, the unit in a small grammar (names, ``*``, ``/``, ``^``/``**`` with whole exponents up to
:data:`MAX_EXPONENT`, parentheses, at most :data:`MAX_UNIT_CHARS` characters). ``"9**9**9"`` is an error, not
a computation.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
from typing import Any

import pint


class _StrictRegistry(pint.UnitRegistry):
    """pint's registry whose string parsing follows the strict grammar once :attr:`strict` is set."""

    strict = False

    def parse_expression(self, input_string: str, case_sensitive: bool | None = None, **values: Any) -> Any:
        if not self.strict:
            return super().parse_expression(input_string, case_sensitive, **values)
        return _strict_expression(input_string)

    __call__ = parse_expression

    def _parse_units_as_container(self, input_string: str, as_delta: bool = True,
                                  case_sensitive: bool = True) -> Any:
        # memoised here: pint's own cache misses every prefixed unit ("mm" is not a key of its unit table),
        # so a report of thousands of gaps parsed "mm" tens of thousands of times (most of its JSON time)
        key = (input_string, as_delta, case_sensitive)
        parsed = _PARSED_UNITS.get(key)
        if parsed is None:
            if self.strict and input_string not in self._cache.parse_unit:
                _check_unit_text(input_string)
            parsed = super()._parse_units_as_container(input_string, as_delta, case_sensitive)
            if len(_PARSED_UNITS) < MAX_PARSED_UNITS:   # bounded: the unit strings of a hostile design are many
                _PARSED_UNITS[key] = parsed
        return parsed


#: unit strings parsed so far -> pint's (immutable) UnitsContainer. Never cleared: every unit is defined above,
#: at import, before the first parse, and sledcheck uses no pint contexts (which could redefine a unit)
_PARSED_UNITS: dict[tuple[str, bool, bool], Any] = {}
MAX_PARSED_UNITS = 4096


ureg = _StrictRegistry(autoconvert_offset_to_baseunit=False, cache_folder=None)
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
    "density": "[mass] / [length] ** 3",
    "mass": "[mass]",
    "force": "[force]",
    "rotational_speed": "1 / [time]",
    "area": "[length] ** 2",
    "area_resistance": "[temperature] * [length] ** 2 / [power]",
    "angle": "",   # pint's angles are dimensionless: checked against ANGLE_UNITS instead
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
    "density": "'1.2 kg/m^3'",
    "mass": "'1.2 kg'",
    "force": "'200 N'",
    "rotational_speed": "'12000 rpm'",
    "area": "'1.6 cm^2'",
    "area_resistance": "'0.1 K*cm^2/W'",
    "angle": "'90 deg'",
    "dimensionless": "'0.5'",
}

#: pint's names of the units an angle may be written in ('deg', 'rad', 'turn', ...).
ANGLE_UNITS = frozenset({"degree", "radian", "arcminute", "arcsecond", "turn", "gradian", "milliradian"})

#: Limits on quantity text: quantities are parsed as ONE number and ONE unit, never evaluated.
MAX_QUANTITY_CHARS = 100
MAX_UNIT_CHARS = 64
MAX_NUMBER_CHARS = 40
MAX_EXPONENT = 12


class UnitError(ValueError):
    """A value could not be read as a quantity of the expected dimension."""


_PINT_ERRORS = (pint.errors.PintError, ValueError, AttributeError, TypeError, KeyError, ArithmeticError,
                SyntaxError, RecursionError)
_TOKEN = re.compile(r"\s*(?:(?P<name>(?:[^\W\d]|°)(?:\w|°)*|%)|(?P<int>\d+)|(?P<op>\*\*|[*/^()-]))")


def _unit_tokens(text: str) -> list[tuple[str, str]]:
    """Split a unit string into (kind, text) tokens; anything else (digits in names, '.', ',', ...) is refused."""
    tokens, pos, end = [], 0, len(text.rstrip())
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None:
            raise UnitError(f"unexpected {text[pos:].strip()[:1]!r} in the unit {text!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _UnitGrammar:
    """``unit := term (('*' | '/' | ' ') term)*``, ``term := factor (('^' | '**') ['-'] INT)?``,
    ``factor := NAME | '1' | '(' unit ')'``: no numbers but exponents (at most :data:`MAX_EXPONENT`) and 1."""

    def __init__(self, text: str, tokens: list[tuple[str, str]]) -> None:
        self.text, self.tokens, self.pos = text, tokens, 0

    def peek(self) -> str:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else ""

    def fail(self, what: str) -> UnitError:
        found = self.peek()
        return UnitError(f"{what} in the unit {self.text!r}" + (f" at {found!r}" if found else " at its end")
                         + " (a unit is names with *, /, ^ and small whole exponents, e.g. 'W/(m*K)')")

    def unit(self) -> None:
        self.term()
        while self.peek() not in ("", ")"):
            if self.peek() in ("*", "/"):
                self.pos += 1
            self.term()

    def term(self) -> None:
        self.factor()
        if self.peek() in ("^", "**"):
            self.pos += 1
            if self.peek() == "-":
                self.pos += 1
            if self.pos >= len(self.tokens) or self.tokens[self.pos][0] != "int":
                raise self.fail("expected a whole-number exponent")
            if int(self.tokens[self.pos][1][:6]) > MAX_EXPONENT:
                raise self.fail(f"an exponent above {MAX_EXPONENT}")
            self.pos += 1

    def factor(self) -> None:
        kind, token = self.tokens[self.pos] if self.pos < len(self.tokens) else ("", "")
        if kind == "name" or (kind == "int" and token == "1"):
            self.pos += 1
        elif token == "(":
            self.pos += 1
            self.unit()
            if self.peek() != ")":
                raise self.fail("expected ')'")
            self.pos += 1
        else:
            raise self.fail("expected a unit name")


def _check_unit_text(name: str) -> list[tuple[str, str]]:
    """Tokens of a unit string that follows the grammar of :class:`_UnitGrammar`; raises UnitError."""
    name = name.strip()
    if not name:
        return []
    if len(name) > MAX_UNIT_CHARS:
        raise UnitError(f"the unit {name[:20]!r}... is {len(name)} characters long; "
                        f"a unit has at most {MAX_UNIT_CHARS}")
    tokens = _unit_tokens(name)
    grammar = _UnitGrammar(name, tokens)
    grammar.unit()
    if grammar.peek():
        raise grammar.fail("unexpected ')'")
    return tokens


def _strict_expression(text: str) -> pint.Quantity:
    """``Q_("35 mm")`` on this registry: one number and/or one unit, never an evaluated expression."""
    text = str(text).strip()
    if not text:
        return Q_(1)
    if _NUMBER.match(text) is None:
        return Q_(1, parse_unit(text))
    parsed = _parse_text(text, "'35 mm'")
    return parsed if isinstance(parsed, pint.Quantity) else Q_(parsed)


def parse_unit(text: str) -> pint.Unit:
    """Parse a unit such as ``"mm"`` or ``"W/(m*K)"`` without evaluating anything.

    The text must follow a strict grammar (names, ``*``, ``/``, ``^``/``**`` with small whole exponents,
    parentheses; at most :data:`MAX_UNIT_CHARS` characters) before pint's unit parser sees it. Raises
    :class:`UnitError` for unknown units, expressions and pint traps.
    """
    return _parsed_unit(str(text).strip())


@functools.lru_cache(maxsize=512)
def _parsed_unit(name: str) -> pint.Unit:
    """:func:`parse_unit` of a stripped name, remembered (pint's own name search dominates reading a design;
    a sweep reads one thousands of times). Errors are not cached: they are raised afresh."""
    if not name:
        raise UnitError("no unit given")
    _check_traps(_check_unit_text(name))
    try:
        return ureg.parse_units(name)
    except _PINT_ERRORS as err:
        raise UnitError(f"unknown unit {name!r}") from err


def _check_traps(tokens: list[tuple[str, str]]) -> None:
    for kind, token in tokens:
        if kind == "name" and token in TRAPS:
            raise UnitError(TRAPS[token])


def parse_quantity(value: Any, dimension: str, default_unit: str | None = None) -> pint.Quantity:
    """Read ``value`` as a quantity of ``dimension`` (a key of :data:`DIMENSIONS`); never evaluates text.

    ``value`` may be a Quantity, a string of ONE number and ONE unit such as ``"35 mm"``/``"85 degC"``, or a
    bare number, which takes ``default_unit`` when one is given (the design's ``units`` for lengths,
    ``"deg"`` for angles) and is an error otherwise. Temperatures are read as absolute (degC, K, degF);
    ``temperature_difference`` accepts K and delta_degC. Raises :class:`UnitError` saying what was expected.
    """
    expected = DIMENSIONS[dimension]
    example = EXAMPLES[dimension]
    wanted = dimension.replace("_", " ")
    if isinstance(value, bool):
        raise UnitError(f"expected {_a(wanted)} such as {example}, got {value!r}")
    if isinstance(value, pint.Quantity):
        quantity = value
    elif isinstance(value, numbers.Real):
        number = _finite(value)
        if dimension == "dimensionless":
            return Q_(number, "")
        if default_unit is None:
            raise UnitError(f"a bare number {value!r} has no unit: write it with one, e.g. {example}")
        quantity = Q_(number, parse_unit(default_unit))
    elif isinstance(value, str):
        parsed = _parse_text(value, example)
        if not isinstance(parsed, pint.Quantity):  # a bare number in a string
            if dimension == "dimensionless":
                return Q_(parsed, "")
            if default_unit is None:
                raise UnitError(f"{value!r} has no unit: write it with one, e.g. {example}")
            parsed = Q_(parsed, parse_unit(default_unit))
        quantity = parsed
    else:
        raise UnitError(f"expected {_a(wanted)} such as {example}, got {_short(value)}")
    try:
        _check_dimension(quantity, value, dimension, expected)
        finite = math.isfinite(float(quantity.magnitude))
    except UnitError:
        raise
    except _PINT_ERRORS as err:
        raise UnitError(f"cannot use {_short(value)} as {_a(wanted)}: {err}; write e.g. {example}") from None
    if not finite:
        raise UnitError(f"expected a finite value, got {_short(value)}")
    if dimension == "temperature_difference" and quantity.units in (ureg.degC, ureg.degF):
        raise UnitError(f"{value!r} is an absolute temperature; a difference is written '5 K' or '5 delta_degC'")
    return quantity


def _check_dimension(quantity: pint.Quantity, value: Any, dimension: str, expected: str) -> None:
    if dimension == "angle":
        ok = quantity.dimensionless and _is_angle(quantity)
    else:
        ok = quantity.check(expected) if expected else quantity.dimensionless
    if not ok:
        raise UnitError(f"{_short(value)} is {_a(_describe(quantity))}, but {_a(dimension.replace('_', ' '))} "
                        f"is needed, e.g. {EXAMPLES[dimension]}")


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _is_angle(quantity: pint.Quantity) -> bool:
    items = list(quantity.unit_items())
    return len(items) == 1 and items[0][0] in ANGLE_UNITS and items[0][1] == 1


def _finite(value: numbers.Real) -> float | int:
    try:
        ok = math.isfinite(float(value))
    except OverflowError:
        raise UnitError(f"the number {_short(value)} is too large") from None
    if not ok:
        raise UnitError(f"expected a finite number, got {value!r}")
    return value if isinstance(value, int) else float(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"


_NUMBER = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![\d.])\s*")


def _parse_text(text: str, example: str) -> pint.Quantity | float:
    """``"85 degC"`` -> Q_(85, degC): one number, then one unit for :func:`parse_unit`; nothing is evaluated."""
    if len(text) > MAX_QUANTITY_CHARS:
        raise UnitError(f"{_short(text)} is too long for a quantity (at most {MAX_QUANTITY_CHARS} characters: "
                        f"one number and one unit, e.g. {example})")
    match = _NUMBER.match(text)
    if match is None:
        raise UnitError(f"cannot read {text!r} as a quantity: it does not start with a number; "
                        f"write e.g. {example}")
    if len(match.group(1)) > MAX_NUMBER_CHARS:
        raise UnitError(f"the number in {_short(text)} has more than {MAX_NUMBER_CHARS} characters")
    number, unit = float(match.group(1)), text[match.end():].strip()
    if not unit:
        return number
    try:
        return Q_(number, parse_unit(unit))
    except UnitError as err:
        if unit in TRAPS or any(kind == "name" and tok in TRAPS for kind, tok in _safe_tokens(unit)):
            raise
        raise UnitError(f"cannot read {_short(text)} as a quantity: {err}; write one number and one unit, "
                        f"e.g. {example}") from None


def _safe_tokens(text: str) -> list[tuple[str, str]]:
    try:
        return _unit_tokens(text)
    except UnitError:
        return []


def unit_string(unit: pint.Unit | pint.Quantity) -> str:
    """A compact ASCII unit string pint parses back: ``mm``, ``K/W``, ``degC``, ``m**3/s``."""
    unit = getattr(unit, "units", unit)
    text = format(unit, "~C")
    return text.replace("Δ°C", "delta_degC").replace("°C", "degC").replace("Δ°F", "delta_degF").replace("°F", "degF")


def _describe(quantity: pint.Quantity) -> str:
    if quantity.dimensionless and _is_angle(quantity):
        return "angle"
    for name, dim in DIMENSIONS.items():
        if dim and name != "temperature_difference" and quantity.check(dim):
            return name.replace("_", " ")
    return f"quantity in {quantity.units:~}" if not quantity.dimensionless else "plain number"


def as_json(quantity: pint.Quantity, unit: str | None = None, digits: int = 6) -> dict[str, Any]:
    """``{"value", "unit"}`` for JSON reports; rounded to ``digits`` significant digits for determinism."""
    q = quantity.to(unit) if unit else quantity
    return value_json(float(q.magnitude), _json_unit(q.units), digits)


def value_json(value: float, unit_text: str, digits: int = 6) -> dict[str, Any]:
    """:func:`as_json` of a bare ``value`` in the unit written ``unit_text`` (as :func:`as_json` writes it: 'mm',
    'mm**3'), for hot paths such as a report's thousands of gaps: no quantity built."""
    value = float(value)
    if not math.isfinite(value):   # JSON has no NaN or infinity: an unbounded value is null
        return {"value": None, "unit": unit_text}
    return {"value": round_sig(value, digits), "unit": unit_text}


@functools.lru_cache(maxsize=256)
def _json_unit(unit: pint.Unit) -> str:
    """A unit's text in JSON reports ('' when dimensionless), formatted once per unit: a report of thousands of
    gaps formatted 'mm' (and reduced it to root units to ask whether it is dimensionless) for every one."""
    return "" if Q_(1.0, unit).dimensionless else unit_string(unit)


def round_sig(value: float, digits: int = 6) -> float:
    """Round to ``digits`` significant digits (0 stays 0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


ureg.strict = True   # from here on, strings given to pint are parsed strictly, never evaluated
