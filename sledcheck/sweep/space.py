"""The design space of a sweep: the varied quantities (``--vary PATH=LO..HI:N`` or ``PATH=V1,V2,...``) and the
cases, as a full grid or a Latin-hypercube sample (McKay, Beckman and Conover, *Technometrics* 21, 1979; the
scipy.stats.qmc implementation, seeded).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from ..errors import SledcheckError

#: the most cases one sweep may have (a grid of several variables grows fast)
MAX_CASES = 1_000_000
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_RANGE = re.compile(r"^\s*[-+]?(?:\d|\.\d)[^,]*\.\.")
_PATH = re.compile(r"^[A-Za-z_][\w-]*(\.[\w*?\[\]-]+)*$")


@dataclass(frozen=True)
class Variable:
    """One varied quantity: its dotted ``path`` into the design as written (several paths joined by commas take
    the same value: both heat sinks' fin height), its ``unit`` ('' for a bare number or text), and either a
    range ``low`` .. ``high`` with ``count`` grid points or the listed ``choices``."""

    path: str
    unit: str
    low: float | None = None
    high: float | None = None
    count: int = 0
    choices: tuple[float | str, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        """Every design path the variable sets."""
        return tuple(self.path.split(","))

    @property
    def grid(self) -> tuple[float | str, ...]:
        """The grid values: ``count`` evenly spaced from low to high, or the choices."""
        if self.choices:
            return self.choices
        assert self.low is not None and self.high is not None
        if self.count == 1:
            return (self.low,)
        step = (self.high - self.low) / (self.count - 1)
        return tuple(round(self.low + k * step, 12) for k in range(self.count))

    @property
    def header(self) -> str:
        """The column name: the path and its unit, 'thermal.components.package0.power [W]'."""
        return f"{self.path} [{self.unit}]" if self.unit else self.path

    def text(self, value: float | str) -> float | str:
        """The value as it is written into the design: '275 W', or a bare number or text."""
        if isinstance(value, str) or not self.unit:
            return value
        return f"{value:.12g} {self.unit}"


def parse_vary(text: str) -> Variable:
    """``PATH=LO..HI:N`` (``250 W..350 W:5``, the unit on either end or both) or ``PATH=V1,V2,...``."""
    if "=" not in text:
        raise SledcheckError(f"--vary {text!r}: expected PATH=LO..HI:N or PATH=V1,V2,...",
                             hint="e.g. --vary thermal.components.package0.power=250W..350W:5")
    path, _, spec = text.partition("=")
    path = ",".join(p.strip() for p in path.split(","))
    if not all(_PATH.match(p) for p in path.split(",")):
        raise SledcheckError(f"--vary {text!r}: {path!r} is not a dotted path into the design",
                             hint="e.g. thermal.environment.max_inlet or parts.heatsink0.position.2")
    if _RANGE.match(spec):   # (a list value may hold '..' too: a relative file path)
        return _range(text, path, spec)
    items = [item.strip() for item in spec.split(",")]
    if not items or any(not item for item in items):
        raise SledcheckError(f"--vary {text!r}: an empty value in the list", hint="e.g. PATH=1,2,3")
    parsed = [_NUMBER.match(item) for item in items]
    if all(parsed):
        units = {m.group(2) for m in parsed if m} - {""}
        if not all(math.isfinite(float(m.group(1))) for m in parsed if m):
            raise SledcheckError(f"--vary {text!r}: every value must be a finite number")
        if len(units) <= 1:   # one unit, given once ('24,24.5 mm') or on every value
            return Variable(path, units.pop() if units else "", choices=tuple(float(m.group(1)) for m in parsed if m))
    return Variable(path, "", choices=tuple(items))   # text, or numbers in several units: written as given


def _range(text: str, path: str, spec: str) -> Variable:
    span, _, count_text = spec.rpartition(":")
    if not span or not count_text.strip().isdigit():
        raise SledcheckError(f"--vary {text!r}: a range needs its number of points, LO..HI:N",
                             hint="e.g. 250W..350W:5")
    count = int(count_text)
    low_text, _, high_text = span.partition("..")
    low, high = _NUMBER.match(low_text), _NUMBER.match(high_text)
    if not low or not high:
        raise SledcheckError(f"--vary {text!r}: {span!r} is not a range of two numbers", hint="e.g. 20..35degC:4")
    unit = high.group(2) or low.group(2)
    if low.group(2) and high.group(2) and low.group(2) != high.group(2):
        raise SledcheckError(f"--vary {text!r}: the two ends are in different units", hint="give both in one")
    if not 1 <= count <= MAX_CASES:
        raise SledcheckError(f"--vary {text!r}: {count} points; give 1 to {MAX_CASES:,}")
    lo, hi = float(low.group(1)), float(high.group(1))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise SledcheckError(f"--vary {text!r}: the ends must be finite numbers")
    if count > 1 and not hi > lo:
        raise SledcheckError(f"--vary {text!r}: the range must rise, LO < HI")
    return Variable(path, unit, lo, hi, count)


def grid_cases(variables: tuple[Variable, ...]) -> list[tuple[float | str, ...]]:
    """Every combination of every variable's grid values (the first variable slowest)."""
    size = 1
    for v in variables:
        size *= len(v.grid)
    if size > MAX_CASES:
        raise SledcheckError(f"the grid has {size:,} cases (more than {MAX_CASES:,})",
                             hint="use fewer points, or --sample lhs:N")
    return list(itertools.product(*(v.grid for v in variables)))


def lhs_cases(variables: tuple[Variable, ...], count: int, seed: int) -> list[tuple[float | str, ...]]:
    """``count`` cases of a Latin-hypercube sample: each range stratified into ``count`` intervals, each list's
    choices drawn in equal shares (seeded: the same cases every run)."""
    from scipy.stats import qmc

    if not 1 <= count <= MAX_CASES:
        raise SledcheckError(f"--sample lhs:{count}: give 1 to {MAX_CASES:,} cases")
    unit = qmc.LatinHypercube(d=len(variables), seed=seed).random(count)
    cases = []
    for row in unit:
        case: list[float | str] = []
        for u, v in zip(row, variables, strict=True):
            if v.choices:
                case.append(v.choices[min(int(u * len(v.choices)), len(v.choices) - 1)])
            else:
                assert v.low is not None and v.high is not None
                case.append(round(v.low + float(u) * (v.high - v.low), 12))
        cases.append(tuple(case))
    return cases
