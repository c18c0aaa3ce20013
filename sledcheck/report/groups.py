"""Repeated findings as one entry, for the reports people read (text, Markdown, HTML).

A real assembly has many identical fasteners, DIMMs and fan housings, so one problem often shows up on eight
parts at once. :func:`group_findings` puts such findings into one :class:`FindingGroup`; the machine formats
(JSON, SARIF, JUnit, GitHub annotations) keep one entry per finding and do not use it.

Findings group when all of these hold (the rule; nothing else is merged):

1. the same code, rule name, severity and state: waived or not (and the same waiver reason), and the same
   baseline state (``existing``, ``new`` or none);
2. the same number of subjects, and the same message once the subject names (and the subjects' mesh file
   names), the positions (point coordinates such as ``(1.00, 2.00, 3.00)`` and spans such as ``x 1.0-2.0``)
   and the numbers are taken out;
3. the same limit as the reports show it (4 significant digits, same unit), and measured values in the same
   unit (or none);
4. close measured values: all the same to the reports' precision (4 significant digits), or all of one sign
   and within 10 % of each other (largest - smallest <= 10 % of the smallest magnitude): gaps of 0.080 and
   0.085 mm group (shown as ``0.08-0.085 mm``), 0.08 and 0.5 mm never do, nor 0 and 0.01 mm;
5. close message numbers, position by position (positions aside): by the same test as 4, or, for a number in
   the measured value's unit, differing by no more than the measured values do (plus one unit of its last
   shown digit): it follows from the measurement, like ``short by 0.420 mm`` beside a 0.080 mm gap.

The findings arrive sorted (severity, code, subjects, message: :func:`sledcheck.checks.policy.apply_policy`);
each finding joins the first group it fits (greedy, so the result is deterministic), and a group takes the
place of its first member, its members keep their order. Since the code and severity are part of the rule, a
group never moves a finding past one of another code or severity. A group of one is the finding as before.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..checks.engine import Finding, Location
from .model import Report

#: Measured values (and message numbers) closer than this, relative to the smallest, are one problem.
BAND = 0.10
#: Members whose subjects a group's head names before "and N more".
SHOWN = 3

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_POSITION = re.compile(rf"\(\s*{_NUMBER}(?:\s*,\s*{_NUMBER}){{1,2}}\s*\)|\b[xyz] {_NUMBER}-{_NUMBER}")
# a number on its own: not part of a name ("fan1", "eia-310-1u", "M003"), not followed by letters ("1u")
_QUANTITY = re.compile(rf"(?<![\w.+\-]){_NUMBER}(?!\w)")


def _shown(value: float) -> str:
    return f"{value + 0.0:.4g}"   # + 0.0: -0.0 shows as 0


def _close(lo: float, hi: float) -> bool:
    """Are values from ``lo`` to ``hi`` one value to the reports' precision, or within :data:`BAND`?"""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return False
    if _shown(lo) == _shown(hi):
        return True
    same_sign = lo > 0 or hi < 0
    return same_sign and hi - lo <= BAND * min(abs(lo), abs(hi)) * (1 + 1e-9)


def _last_digit(literal: str) -> float:
    """One unit of a number's last shown digit ("0.420" -> 0.001, "1.5e-3" -> 0.0001)."""
    mantissa, _, exponent = literal.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


@dataclass(frozen=True)
class _Shape:
    """What a finding's message says once its subjects, positions and numbers are taken out."""

    template: str
    numbers: tuple[float, ...]
    digits: tuple[float, ...]          # one unit of each number's last shown digit
    follows: tuple[bool, ...]          # is the number in the measured value's unit?


def _shape(finding: Finding, files: dict[str, str]) -> _Shape:
    text = finding.message
    names = {s for s in finding.subjects if s} | {files[s] for s in finding.subjects if files.get(s)}
    for name in sorted(names, key=lambda n: (-len(n), n)):
        text = re.sub(rf"(?<![\w\-]){re.escape(name)}(?![\w\-])", "{subject}", text)
    text = _POSITION.sub("{position}", text)
    unit = f"{finding.measured.units:~P}" if finding.measured is not None else None
    numbers: list[float] = []
    digits: list[float] = []
    follows: list[bool] = []
    for match in _QUANTITY.finditer(text):
        numbers.append(float(match.group()))
        digits.append(_last_digit(match.group().lstrip("+-")))
        after = text[match.end():].lstrip(" ")
        follows.append(unit is not None and after.startswith(unit) and not after[len(unit):len(unit) + 1].isalnum())
    template = _QUANTITY.sub("#", text)
    return _Shape(template, tuple(numbers), tuple(digits), tuple(follows))


def _key(finding: Finding, shape: _Shape) -> tuple[Any, ...]:
    return (finding.code, finding.name, finding.severity, finding.waived,
            finding.waiver_reason if finding.waived else None, finding.baseline, len(finding.subjects),
            shape.template, f"{finding.limit:.4g~P}" if finding.limit is not None else None,
            f"{finding.measured.units:~P}" if finding.measured is not None else None)


class _Open:
    """A group being built: its members and the range of each of its numbers."""

    def __init__(self, finding: Finding, shape: _Shape, measured: float | None) -> None:
        self.members = [finding]
        self.shape = shape
        self.measured = (measured, measured) if measured is not None else None
        self.numbers = [(n, n) for n in shape.numbers]
        self.digits = list(shape.digits)

    def admit(self, finding: Finding, shape: _Shape, measured: float | None) -> bool:
        """Add the finding if the group stays close (rule 4 and 5); False (and unchanged) if not."""
        spread = 0.0
        new_measured = None
        if self.measured is not None and measured is not None:
            new_measured = (min(self.measured[0], measured), max(self.measured[1], measured))
            if not _close(*new_measured):
                return False
            spread = new_measured[1] - new_measured[0]
        new_numbers = [(min(lo, n), max(hi, n)) for (lo, hi), n in zip(self.numbers, shape.numbers, strict=True)]
        new_digits = [max(a, b) for a, b in zip(self.digits, shape.digits, strict=True)]
        for (lo, hi), digit, follows in zip(new_numbers, new_digits, self.shape.follows, strict=True):
            if not (_close(lo, hi) or follows and math.isfinite(spread) and hi - lo <= spread + digit * (1 + 1e-9)):
                return False
        self.members.append(finding)
        self.measured = new_measured
        self.numbers = new_numbers
        self.digits = new_digits
        return True


def group_findings(report: Report) -> tuple[FindingGroup, ...]:
    """The report's findings as groups of repeated findings (the rule: this module's docstring), in report
    order; most groups have one member."""
    files = {p.name: p.file for p in report.parts}
    groups: list[_Open] = []
    by_key: dict[tuple[Any, ...], list[_Open]] = {}
    for finding in report.findings:
        shape = _shape(finding, files)
        key = _key(finding, shape)
        measured = float(finding.measured.magnitude) if finding.measured is not None else None
        if not any(g.admit(finding, shape, measured) for g in by_key.get(key, ())):
            group = _Open(finding, shape, measured)
            groups.append(group)
            by_key.setdefault(key, []).append(group)
    return tuple(FindingGroup(tuple(g.members)) for g in groups)


def subjects_text(finding: Finding) -> str:
    """One member's subjects: ``a`` or ``a - b`` (a pair) or ``(a, b, c)``."""
    if len(finding.subjects) > 2:
        return "(" + ", ".join(finding.subjects) + ")"
    return " - ".join(finding.subjects)


@dataclass(frozen=True)
class FindingGroup:
    """Findings that say one thing about several subjects (:func:`group_findings`); ``findings[0]`` speaks for
    them."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def count(self) -> int:
        return len(self.findings)

    def head(self) -> str:
        """The count and the subjects: ``8 pairs: a - b, c - d, e - f and 5 more``."""
        subjects = self.subjects()
        return f"{self.count_label}: {subjects}" if subjects else self.count_label

    @property
    def count_label(self) -> str:
        """``8 parts``, ``8 pairs`` or ``8 findings`` (no or several subjects each)."""
        word = {1: "part", 2: "pair"}.get(len(self.first.subjects), "finding")
        return f"{self.count} {word}{'s' * (self.count != 1)}"

    def subjects(self, shown: int = SHOWN) -> str:
        """The members' subjects, the first ``shown`` of them then "and N more" (all when one more is left);
        empty when the findings have no subjects."""
        names = [subjects_text(f) for f in self.findings if f.subjects]
        if len(names) <= shown + 1:
            return ", ".join(names)
        return ", ".join(names[:shown]) + f" and {len(names) - shown} more"

    def measured(self) -> str | None:
        """The measured values as the reports show them: one (``0.08 mm``) or their range (``0.08-0.085 mm``)."""
        values = [f.measured for f in self.findings if f.measured is not None]
        if not values:
            return None
        magnitudes = [float(q.magnitude) for q in values]
        lo, hi = min(magnitudes), max(magnitudes)
        if _shown(lo) == _shown(hi):
            return f"{values[magnitudes.index(lo)]:.4g~P}"
        unit = f"{values[0].units:~P}"
        joint = " to " if lo < 0 or hi < 0 else "-"
        return f"{_shown(lo)}{joint}{_shown(hi)} {unit}".rstrip()

    def where(self, path: Callable[[Location], str], related: bool = True) -> list[str]:
        """The members' distinct locations in order (``path`` shows a location's file); entries in one file
        share it (``design.yaml:12, 13, 14``); ``related`` adds ``(from SPEC:LINE)``."""
        seen: list[tuple[Location, tuple[Location, ...]]] = []
        for f in self.findings:
            if f.location is not None:
                entry = (f.location, f.related if related else ())
                if entry not in seen:
                    seen.append(entry)
        out: list[str] = []
        open_file: str | None = None   # the file of the last entry, while more lines can join it
        for location, also in seen:
            file = path(location)
            if not also and file == open_file:
                out[-1] += f", {location.line}"
                continue
            out.append(f"{file}:{location.line}" + "".join(f" (from {r})" for r in also))
            open_file = None if also else file
        return out
