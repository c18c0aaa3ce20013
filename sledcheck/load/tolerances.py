"""The design's ``tolerances:`` section (contract.md, "Tolerances"): part size tolerances, contact interfaces
and the Monte Carlo settings, validated with file, line and field in every error."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..units import UnitError, parse_quantity
from .schema import Section
from .selection import Reference, selects_any

DISTRIBUTIONS = ("normal", "uniform")
AXES = ("x", "y", "z")
#: ISO 2768-1:1989, table 1, permissible deviations for linear dimensions [mm]: (upper bound of the nominal
#: size range, f = fine, m = medium, c = coarse, v = very coarse). The two cells the standard leaves empty take
#: a neighbour's value: 'v' up to 3 mm that of 3-6 mm (0.5), 'f' over 2000 mm that of 'm' (2.0)
ISO_2768 = ((3.0, 0.05, 0.1, 0.2, 0.5), (6.0, 0.05, 0.1, 0.3, 0.5), (30.0, 0.1, 0.2, 0.5, 1.0),
            (120.0, 0.15, 0.3, 0.8, 1.5), (400.0, 0.2, 0.5, 1.2, 2.5), (1000.0, 0.3, 0.8, 2.0, 4.0),
            (2000.0, 0.5, 1.2, 3.0, 6.0), (4000.0, 2.0, 2.0, 4.0, 8.0))
ISO_CLASSES = "fmcv"
#: with 'defaults: true', parts of these roles without an entry take these (sources in the README):
#: boards +-10 % of their thickness (the common fabricators' default, IPC-6012 leaves it to agreement), machined
#: and formed metal parts ISO 2768-m
DEFAULTS = {"pcb": "±10 %", "tray": "ISO 2768-m", "lid": "ISO 2768-m", "standoff": "ISO 2768-m",
            "heatsink": "ISO 2768-m", "bracket": "ISO 2768-m"}
_ISO = re.compile(r"^\s*ISO\s*2768-?([fmcv])\s*$", re.I)


def iso_2768(length_mm: float, grade: str) -> float:
    """The permissible deviation [mm] of a linear dimension ``length_mm`` in tolerance class ``grade``."""
    column = 1 + ISO_CLASSES.index(grade)
    for row in ISO_2768:
        if length_mm <= row[0]:
            return row[column]
    return ISO_2768[-1][column]
_PLUS_MINUS = re.compile(r"^\s*(?:±|\+-|\+/-)\s*(.+)$")
_PER_CENT = re.compile(r"^\s*(?:±|\+-|\+/-)?\s*(\d+(?:\.\d*)?|\.\d+)\s*%\s*$")
#: unequal limits: '+0 mm / -0.2 mm', '+0/-0.2 mm', '+0.1 -0.3 mm'
_UNEQUAL = re.compile(r"^\s*\+\s*([0-9.]+)\s*([a-zA-Zµ%]*)\s*/?\s*-\s*([0-9.]+)\s*([a-zA-Zµ%]*)\s*$")


@dataclass(frozen=True)
class SizeTolerance:
    """A size tolerance for the parts a token selects: ``half_mm`` [mm] or ``fraction`` of the size, for one
    ``axis`` or (None) along whatever direction the stack runs; ``distribution`` normal (+- is 3 sigma) or
    uniform (+- is the range)."""

    token: str
    half_mm: float | None
    fraction: float | None
    axis: str | None
    distribution: str
    line: int
    iso_grade: str | None = None     # ISO 2768-1 general tolerance class: the half-width follows the size
    builtin: bool = False            # from 'defaults: true' (any entry of the design wins over it)
    capability: float | None = None  # the process's Cpk where the user has one: sigma = half / (3 Cpk)
    shift_mm: float = 0.0            # unequal limits (+0 / -0.2 mm): the centre of the range less the CAD size [mm]
    shift_fraction: float = 0.0      # unequal limits in per cent (+0 % / -5 %): that shift as a fraction of the size

    def shift_for(self, length_mm: float) -> float:
        """The centre of the range less the CAD size [mm] for a dimension of ``length_mm`` (0 for ± limits)."""
        return self.shift_mm + self.shift_fraction * length_mm

    def half_for(self, length_mm: float) -> float:
        """The half-width [mm] for a dimension of ``length_mm``."""
        if self.iso_grade is not None:
            return iso_2768(length_mm, self.iso_grade)
        return self.half_mm if self.half_mm is not None else (self.fraction or 0.0) * length_mm


@dataclass(frozen=True)
class InterfaceTolerance:
    """The real interface where the CAD shows two parts touching (a bond line, a gasket) [mm]."""

    between: tuple[str, str]
    nominal_mm: float
    half_mm: float
    distribution: str
    line: int
    capability: float | None = None  # the process's Cpk where the user has one


@dataclass(frozen=True)
class Tolerances:
    """Everything the stack-ups need."""

    parts: tuple[SizeTolerance, ...]
    contacts: tuple[InterfaceTolerance, ...]
    samples: int
    seed: int
    max_probability: float
    line: int
    min_cpk: float | None = None     # a stack whose Cpk is below this fails too (None: probability only)
    thermal: ThermalTolerances | None = None   # the thermal inputs' uncertainty (sledcheck montecarlo)


@dataclass(frozen=True)
class ThermalTolerances:
    """How uncertain the thermal inputs are, each a normal half-width (3 sigma): ``power`` and ``tim`` as
    fractions per component (key '' for every component the design does not name), ``inlet_k`` [K] and
    ``fan_speed`` a fraction of the set speed."""

    power: dict[str, float]
    tim: dict[str, float]
    inlet_k: float
    fan_speed: float
    line: int

    def half(self, table: dict[str, float], part: str) -> float:
        """The half-width for ``part``: its own entry, else the one for every component, else 0."""
        return table.get(part, table.get("", 0.0))


def read_tolerances(root: Section, names: set[str], roles: set[str], units: str | None,
                    later: list[Reference] | None) -> Tolerances | None:
    """The ``tolerances`` section, or None when the design has none; ``roles`` are every role a token may name."""
    if not root.has("tolerances"):
        return None
    sec = root.child("tolerances")
    sec.mapping(("parts", "contacts", "samples", "seed", "max_probability", "min_cpk", "defaults", "thermal"))
    parts: list[SizeTolerance] = []
    for token, entry in sec.child("parts").items() if sec.has("parts") else []:
        _reference(entry, None, token, names, roles, later)
        entry.mapping(("size", "dist", "cpk"), required=("size",))
        distribution = entry.text("dist", "normal", choices=DISTRIBUTIONS) or "normal"
        capability = _capability(entry, distribution)
        size = entry.value["size"]
        if isinstance(size, dict):
            axes = entry.child("size")
            axes.mapping(AXES)
            for axis in size:
                half, fraction, grade, shift = _size(axes, axis, units)
                parts.append(SizeTolerance(token, half, fraction, axis, distribution, axes.line(axis), grade,
                                           capability=capability, shift_mm=0.0 if fraction else shift,
                                           shift_fraction=shift if fraction else 0.0))
        else:
            half, fraction, grade, shift = _size(entry, "size", units)
            parts.append(SizeTolerance(token, half, fraction, None, distribution, entry.line("size"), grade,
                                       capability=capability, shift_mm=0.0 if fraction else shift,
                                       shift_fraction=shift if fraction else 0.0))
    if sec.boolean("defaults", False):   # after the design's own: an entry by the design always wins
        for role, text in DEFAULTS.items():
            fraction = 0.1 if text.endswith("%") else None
            grade = None if fraction else text[-1]
            parts.append(SizeTolerance(role, None, fraction, None, "normal", sec.line("defaults"), grade, True))
    contacts: list[InterfaceTolerance] = []
    for item in sec.child("contacts").elements() if sec.has("contacts") else []:
        item.mapping(("between", "gap", "dist", "cpk"), required=("between", "gap"))
        between = item.value.get("between")
        if not isinstance(between, list) or len(between) != 2 or not all(isinstance(b, str) for b in between):
            raise item.error("expected a pair [a, b] of part names or roles", "between")
        for i, token in enumerate(between):
            _reference(item.child("between"), i, token, names, roles, later)
        nominal, half, distribution = _interface(item, units)
        contacts.append(InterfaceTolerance((between[0], between[1]), nominal, half, distribution, item.line(),
                                           _capability(item, distribution)))
    samples = _integer(sec, "samples", 100_000, 1_000, 10_000_000)
    seed = _integer(sec, "seed", 1, 0, 2**32 - 1)
    max_probability = 1e-4
    if sec.has("max_probability"):
        value = sec.value["max_probability"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise sec.error(f"{value!r} is not a probability between 0 and 1", "max_probability", "e.g. 1e-4")
        max_probability = float(value)
    min_cpk = _positive(sec, "min_cpk", "e.g. 1.33") if sec.has("min_cpk") else None
    thermal = _thermal(sec.child("thermal"), names) if sec.has("thermal") else None
    return Tolerances(tuple(parts), tuple(contacts), samples, seed, max_probability, sec.line(), min_cpk, thermal)


def _thermal(sec: Section, names: set[str]) -> ThermalTolerances:
    """``thermal: {power: ±5 %, inlet: ±1 K, fan_speed: ±10 %, tim: ±20 %}``; power and tim per component too."""
    sec.mapping(("power", "inlet", "fan_speed", "tim"))

    def fractions(key: str) -> dict[str, float]:
        if not sec.has(key):
            return {}
        if isinstance(sec.value[key], dict):
            table = sec.child(key)
            for part in table.value:
                if part not in names:
                    raise table.error(f"{part!r} is not a part of the design", part, "name a thermal component")
            return {part: plus_minus_fraction(table, part) for part in table.value}
        return {"": plus_minus_fraction(sec, key)}

    inlet = 0.0
    if sec.has("inlet"):
        match = _PLUS_MINUS.match(sec.value["inlet"]) if isinstance(sec.value["inlet"], str) else None
        try:
            if not match:
                raise UnitError("expected a ± temperature difference")
            inlet = float(parse_quantity(match.group(1).strip(), "temperature_difference").m_as("K"))
        except UnitError as err:
            raise sec.error(str(err), "inlet", "e.g. inlet: ±1 K") from None
        if not inlet > 0:
            raise sec.error("the inlet's ± must be greater than zero", "inlet")
    return ThermalTolerances(fractions("power"), fractions("tim"), inlet,
                             plus_minus_fraction(sec, "fan_speed") if sec.has("fan_speed") else 0.0, sec.line())


def plus_minus_fraction(sec: Section, key: str, allow_zero: bool = False) -> float:
    """'±5 %' (or '+-5 %', '5 %') -> 0.05, below 100 % and above 0 (or 0 itself with ``allow_zero``)."""
    text = sec.value[key]
    match = _PER_CENT.match(text) if isinstance(text, str) else None
    value = float(match.group(1)) / 100.0 if match else float("nan")
    if not (0 <= value < 1 if allow_zero else 0 < value < 1):
        low = "from 0" if allow_zero else "between 0 and"
        raise sec.error(f"{text!r} is not a ± per cent {low} 100 %", key, "e.g. ±5 %")
    return value


def _positive(sec: Section, key: str, hint: str) -> float:
    value = sec.value[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 10:
        raise sec.error(f"{value!r} is not a number above 0 (and at most 10)", key, hint)
    return float(value)


def _capability(sec: Section, distribution: str) -> float | None:
    """A process capability (Cpk) given for a tolerance: the +- is then 3 Cpk sigma (normal only)."""
    if not sec.has("cpk"):
        return None
    if distribution != "normal":
        raise sec.error("a process capability (cpk) describes a normal distribution, not a uniform one", "cpk",
                        "drop 'cpk', or the 'dist: uniform' (a range given as 'a .. b' is uniform)")
    return _positive(sec, "cpk", "e.g. cpk: 1.33 (the +- is then 4 sigma)")


def _reference(sec: Section, key: str | int | None, token: str, names: set[str], roles: set[str],
               later: list[Reference] | None) -> None:
    if selects_any(token, {n: "" for n in names}, roles):
        return
    if later is not None:
        later.append(Reference(token, sec.line(key), sec.field_name(key)))
        return
    raise sec.error(f"{token!r} is neither a part nor a role", key, "use a part name, a name pattern or a role")


def _size(sec: Section, key: str, units: str | None) -> tuple[float | None, float | None, str | None, float]:
    """'±0.2 mm' -> (0.2, None, None, 0); '±10 %' -> (None, 0.1, None, 0); 'ISO 2768-m' -> (None, None, 'm', 0);
    '+0 mm / -0.2 mm' -> (0.1, None, None, -0.1); '+0 % / -5 %' -> (None, 0.025, None, -0.025): half-width,
    fraction, ISO class, centre shift (in mm, or a fraction of the size for a per-cent tolerance)."""
    text = sec.value[key]
    iso = _ISO.match(text) if isinstance(text, str) else None
    if iso:
        return None, None, iso.group(1).lower(), 0.0
    unequal = _UNEQUAL.match(text) if isinstance(text, str) else None
    if unequal:
        upper_text, upper_unit, lower_text, lower_unit = unequal.groups()
        unit = upper_unit or lower_unit
        if "%" in (upper_unit, lower_unit):
            return _unequal_per_cent(sec, key, text, (upper_text, upper_unit), (lower_text, lower_unit))
        try:
            upper, lower = (float(parse_quantity(f"{v} {u or unit}".strip(), "length", units).m_as("mm"))
                            for v, u in ((upper_text, upper_unit), (lower_text, lower_unit)))
        except UnitError as err:
            raise sec.error(str(err), key, "e.g. '+0 mm / -0.2 mm'") from None
        if not upper + lower > 0:
            raise sec.error(f"{text!r}: the limits must differ", key, "e.g. '+0 mm / -0.2 mm'")
        return (upper + lower) / 2, None, None, (upper - lower) / 2
    match = _PLUS_MINUS.match(text) if isinstance(text, str) else None
    if not match:
        raise sec.error(f"{text!r} is not a tolerance", key,
                        "write it as '±0.2 mm', '+-0.2 mm', '+0 mm / -0.2 mm', '±10 %' or 'ISO 2768-m'")
    body = match.group(1).strip()
    if body.endswith("%"):
        try:
            fraction = float(body[:-1]) / 100.0
        except ValueError:
            raise sec.error(f"{text!r} is not a per-cent tolerance", key, "e.g. '±10 %'") from None
        if not 0 < fraction < 1:
            raise sec.error(f"{text!r} is not between 0 and 100 %", key)
        return None, fraction, None, 0.0
    try:
        half = float(parse_quantity(body, "length", units).m_as("mm"))
    except UnitError as err:
        raise sec.error(str(err), key, "e.g. '±0.2 mm'") from None
    if not half > 0:
        raise sec.error(f"{text!r}: a tolerance must be greater than zero", key)
    return half, None, None, 0.0


def _unequal_per_cent(sec: Section, key: str, text: str, upper: tuple[str, str], lower: tuple[str, str]
                      ) -> tuple[float | None, float | None, str | None, float]:
    """'+0 % / -5 %' -> (None, 0.025, None, -0.025): both limits in per cent, each below 100 %."""
    hint = "e.g. '+0 % / -5 %' (both limits in per cent)"
    if upper[1] != "%" or lower[1] != "%":
        raise sec.error(f"{text!r} mixes per cent with another unit", key, hint)
    try:
        high, low = float(upper[0]) / 100.0, float(lower[0]) / 100.0
    except ValueError:
        raise sec.error(f"{text!r} is not a per-cent tolerance", key, hint) from None
    if not (high < 1 and low < 1):
        raise sec.error(f"{text!r}: each limit must be below 100 %", key, hint)
    if not high + low > 0:
        raise sec.error(f"{text!r}: the limits must differ", key, hint)
    return None, (high + low) / 2, None, (high - low) / 2


def _interface(sec: Section, units: str | None) -> tuple[float, float, str]:
    """'0.1 mm ± 0.05 mm' -> (0.1, 0.05, dist or normal); '0.05 mm .. 0.15 mm' -> (0.1, 0.05, uniform)."""
    text = sec.value["gap"]
    if not isinstance(text, str):
        raise sec.error(f"{text!r} is not an interface", "gap", "write '0.1 mm ± 0.05 mm' or '0.05 mm .. 0.15 mm'")
    try:
        if ".." in text:
            low, high = (float(parse_quantity(t.strip(), "length", units).m_as("mm")) for t in text.split("..", 1))
            if not 0 <= low <= high:
                raise sec.error(f"{text!r} is not a range 0 <= low <= high", "gap")
            return (low + high) / 2, (high - low) / 2, sec.text("dist", "uniform", choices=DISTRIBUTIONS) or "uniform"
        parts = re.split(r"±|\+-|\+/-", text)
        if len(parts) != 2:
            raise sec.error(f"{text!r} is not an interface", "gap", "write '0.1 mm ± 0.05 mm'")
        nominal, half = (float(parse_quantity(t.strip(), "length", units).m_as("mm")) for t in parts)
    except UnitError as err:
        raise sec.error(str(err), "gap", "write '0.1 mm ± 0.05 mm' or '0.05 mm .. 0.15 mm'") from None
    if nominal < 0 or half < 0 or half > nominal:
        raise sec.error(f"{text!r}: an interface is at least 0 thick, and its ± at most its nominal", "gap")
    return nominal, half, sec.text("dist", "normal", choices=DISTRIBUTIONS) or "normal"


def _integer(sec: Section, key: str, default: int, low: int, high: int) -> int:
    if not sec.has(key):
        return default
    value = sec.value[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise sec.error(f"{value!r} is not a whole number from {low:,} to {high:,}", key)
    return value
