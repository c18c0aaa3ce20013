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
    mass_kg: float | None = None         # declared, or closed volume x density (model/mass.py); None: unknown
    cog_mm: tuple[float, float, float] | None = None   # centre of gravity [mm]; None: unknown
    mass_basis: str = ""                 # how the mass and centre of gravity were found


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


def stack_label(stack: Any) -> str:
    """What a stack-up is of, for every format: "heatsink / lid", "lid under 1U envelope height 43.66 mm" or
    "pad in heatsink (compressible fit)"."""
    if stack.kind == "envelope":
        return f"{stack.a} under {stack.limit}"
    if stack.kind == "fit":
        return f"{stack.a} in {stack.b} ({stack.limit})"
    return f"{stack.a} / {stack.b}"


def stack_requirement(stack: Any) -> str:
    """Its limits: "1.5 mm" (a gap's least), "0 mm" (headroom) or "0.05 .. 0.2 mm" (a fit's depth)."""
    if stack.upper_mm is not None:
        return f"{stack.required_mm:g} .. {stack.upper_mm:g} mm"
    return f"{stack.required_mm:g} mm" if stack.required_mm is not None else ""


def stack_outside(result: Any) -> float:
    """The probability of leaving the limits (below the least, above the most)."""
    return float((result.p_below_required or 0.0) + (result.p_above_limit or 0.0))
