"""The report: everything a run found, in one frozen value every output format renders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..checks.engine import SEVERITY_ORDER, Finding, Rule


@dataclass(frozen=True)
class PartSummary:
    """A part as reports show it; ``bounds`` [mm]."""

    name: str
    role: str
    file: str
    units: str
    units_source: str
    triangles: int
    bodies: int
    watertight: bool
    bounds: tuple[tuple[float, float, float], tuple[float, float, float]]
    path: str | None = None              # instance path in its assembly file (one-body parts)
    chord_error_mm: float | None = None  # None: the mesh is the geometry
    entry: str | None = None             # the design entry it was expanded from


@dataclass(frozen=True)
class GapSummary:
    """A measured pair of parts (passing or not): status "clear" | "contact" | "clearance" | "interference",
    gap [mm] (0 when touching or overlapping), overlap volume [mm^3] (None when not measurable), required gap
    [mm] and how exact the gap is ("mesh": exact for the meshes; curved faces can be closer by the chord
    error)."""

    parts: tuple[str, str]
    roles: tuple[str, str]
    status: str
    gap_mm: float
    overlap_mm3: float | None
    required_mm: float
    exact: str = "mesh"


@dataclass(frozen=True)
class BaselineDiff:
    """Findings against a baseline: ``fixed`` are baseline entries (code, subjects) no longer found."""

    file: str
    fixed: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Report:
    """The outcome of ``sledcheck check``."""

    design: str
    name: str
    specs: tuple[str, ...]
    findings: tuple[Finding, ...]
    parts: tuple[PartSummary, ...]
    rules_run: tuple[Rule, ...]
    incomplete: bool
    fail_on: str
    thermal: Any = None
    baseline: BaselineDiff | None = None
    views: Any = None          # top and side outlines of the parts, for pictures (check(..., views=True))
    gaps: tuple[GapSummary, ...] = ()   # every pair measured near its limit (empty when no pair rule ran)
    excluded: tuple[tuple[str, str], ...] = ()   # (file: instance path, reason): bodies not checked, by design
    stackups: Any = ()         # model.stackups.Stackup of every stacked gap (empty without tolerances)

    def fails(self, finding: Finding) -> bool:
        """Does this finding fail the run (unwaived, new, at or above --fail-on)?"""
        if finding.waived or finding.baseline == "existing" or self.fail_on == "never":
            return False
        return SEVERITY_ORDER[finding.severity] >= SEVERITY_ORDER[self.fail_on]

    @property
    def verdict(self) -> str:
        if self.incomplete:
            return "error"
        return "fail" if any(self.fails(f) for f in self.findings) else "pass"

    @property
    def exit_code(self) -> int:
        return {"pass": 0, "fail": 1, "error": 2}[self.verdict]

    @property
    def summary(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0, "waived": 0}
        for finding in self.findings:
            counts["waived" if finding.waived else finding.severity] += 1
        return counts
