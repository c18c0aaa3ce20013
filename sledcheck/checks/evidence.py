"""Typed evidence on findings: what a rule measured, as values every report can draw or print.

A rule attaches one of these to its finding (``Finding.evidence``); the JSON report writes ``to_json()`` as the
finding's ``data``, and the HTML report draws each type with the annotation registered for it
(:mod:`sledcheck.report.html.annotations`). All lengths are in sled coordinates [mm].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Point = tuple[float, float, float]
Box = tuple[Point, Point]


def _round(value: float) -> float:
    return round(float(value), 6)


class Evidence:
    """Base of all evidence types."""

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class GapEvidence(Evidence):
    """Two parts closer than required: the gap, the requirement and the closest points [mm]."""

    gap_mm: float
    required_mm: float
    points_mm: tuple[Point, Point]

    def to_json(self) -> dict[str, Any]:
        return {"gap_mm": _round(self.gap_mm), "required_mm": self.required_mm,
                "points_mm": [list(self.points_mm[0]), list(self.points_mm[1])]}


@dataclass(frozen=True)
class OverlapEvidence(Evidence):
    """Shared volume of two closed parts [mm^3], its bounding region [mm], the region's thinnest extent [mm] and,
    where measured, its deepest point [mm]."""

    volume_mm3: float
    region_mm: Box
    depth_mm: float
    depth_axis: str
    contact: bool
    penetration_mm: float | None = None   # the deepest point of the shared region, where it was measured (fits)

    def to_json(self) -> dict[str, Any]:
        out = {"overlap_volume_mm3": _round(self.volume_mm3), "region_mm": [list(self.region_mm[0]),
                                                                          list(self.region_mm[1])],
               "depth_mm": _round(self.depth_mm), "depth_axis": self.depth_axis, "contact": self.contact}
        if self.penetration_mm is not None:
            out["penetration_mm"] = _round(self.penetration_mm)
        return out


@dataclass(frozen=True)
class TouchEvidence(Evidence):
    """Two parts touch or overlap at a point [mm]; the overlap cannot be measured (a part is not closed)."""

    point_mm: Point

    def to_json(self) -> dict[str, Any]:
        return {"point_mm": list(self.point_mm), "measurable": False}


@dataclass(frozen=True)
class ZoneIntrusionEvidence(Evidence):
    """A part inside a keep-out: how deep [mm], from which side, and the intruding region [mm]."""

    zone: str
    depth_mm: float
    direction: str
    region_mm: Box

    def to_json(self) -> dict[str, Any]:
        return {"zone": self.zone, "depth_mm": _round(self.depth_mm), "direction": self.direction,
                "region_mm": [[_round(v) for v in self.region_mm[0]], [_round(v) for v in self.region_mm[1]]]}


@dataclass(frozen=True)
class HeightEvidence(Evidence):
    """A part above a height limit: how far over [mm] and its top [mm, absolute z]."""

    zone: str
    over_mm: float
    top_mm: float

    def to_json(self) -> dict[str, Any]:
        return {"zone": self.zone, "over_mm": _round(self.over_mm), "top_mm": _round(self.top_mm)}


@dataclass(frozen=True)
class EnvelopeEvidence(Evidence):
    """The assembly beyond a spec envelope along one dimension: overrun [mm] and each part beyond it [mm]."""

    pack: str
    dimension: str
    overrun_mm: float
    parts: tuple[tuple[str, float], ...]

    def to_json(self) -> dict[str, Any]:
        return {"pack": self.pack, "dimension": self.dimension, "overrun_mm": _round(self.overrun_mm),
                "parts": {name: _round(over) for name, over in self.parts}}


@dataclass(frozen=True)
class MarginEvidence(Evidence):
    """A component below its required thermal margin: the worst scenario and its temperature [degC]."""

    scenario: str
    failing_scenarios: tuple[str, ...]
    temperature_degC: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scenario": self.scenario, "failing_scenarios": list(self.failing_scenarios)}
        if self.temperature_degC is not None:
            out["temperature_degC"] = round(self.temperature_degC, 4)
        return out


@dataclass(frozen=True)
class HoleOffset:
    """One expected hole and the found hole paired with it (either may be missing) [mm]."""

    expected: tuple[float, float] | None
    found: Point | None
    diameter_mm: float | None
    offset_mm: float | None
    within_tolerance: bool

    def to_json(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else _round(value)

        return {"expected": [_round(v) for v in self.expected] if self.expected else None,
                "found": [_round(v) for v in self.found] if self.found else None,
                "diameter_mm": rounded(self.diameter_mm), "offset_mm": rounded(self.offset_mm),
                "within_tolerance": self.within_tolerance}


@dataclass(frozen=True)
class HoleEvidence(Evidence):
    """A part's holes against its mate's (or a pattern): every pairing, in the order compared."""

    holes: tuple[HoleOffset, ...]

    def to_json(self) -> dict[str, Any]:
        return {"holes": [h.to_json() for h in self.holes]}
