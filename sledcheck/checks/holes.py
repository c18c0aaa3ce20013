"""D401: a part's mounting holes must line up with its mate's holes (or a given pattern) within a tolerance."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .engine import Finding, Rule
from .evidence import HoleEvidence, HoleOffset

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading meshes or models
    from ..geometry.holes import Hole, HoleMatch
    from ..load.design import HolePattern
    from ..model.assembly import Assembly, Part


def part_holes(assembly: Assembly, part: Part, axis: str | None = None) -> tuple[Hole, ...]:
    """Circular through-holes of a part [mm, sled coordinates], found once per part (and geometry) and axis."""
    from ..geometry.holes import find_through_holes

    return find_through_holes(assembly.sections(part), axis)


def _expected(assembly: Assembly, pattern: HolePattern, part: Part, axis: str) -> list[tuple[float, float]]:
    from ..geometry.holes import in_plane_axes

    if pattern.against is None:
        return list(pattern.pattern)
    mate = assembly.part(pattern.against)
    i, j = in_plane_axes(axis)
    lo, hi = part.bounds
    margin = 5.0 * pattern.tolerance + 1.0
    return [h.position for h in part_holes(assembly, mate, axis)
            if lo[i] - margin <= h.center[i] <= hi[i] + margin and lo[j] - margin <= h.center[j] <= hi[j] + margin]


def _describe(match: HoleMatch) -> str:
    if match.expected is None and match.found is not None:
        c = match.found.position
        return f"extra hole at ({c[0]:.2f}, {c[1]:.2f}) with no mate"
    e = match.expected
    assert e is not None
    if match.found is None:
        return f"no hole for ({e[0]:.2f}, {e[1]:.2f})"
    assert match.offset is not None and match.delta is not None
    return (f"expected hole at ({e[0]:.2f}, {e[1]:.2f}) is {match.offset:.3f} mm from the nearest "
            f"(dx {match.delta[0]:+.3f}, dy {match.delta[1]:+.3f})")


def find_pattern_holes(assembly: Assembly) -> None:
    """Find, in the order D401 asks for them, the holes it compares (each pattern's part, then its mate along
    the part's hole axis): the pipeline calls this on another core while the other rules run, and D401 calls it
    under :func:`~sledcheck.geometry.once.not_waiting` first, computing those the other core has not started (a
    pattern whose holes another thread is finding is passed over)."""
    from ..geometry.once import Busy

    for pattern in assembly.design.hole_patterns:
        try:
            holes = part_holes(assembly, assembly.part(pattern.part))
            if holes and pattern.against:
                part_holes(assembly, assembly.part(pattern.against), holes[0].axis)
        except Busy:
            continue


def _hole_patterns(assembly: Assembly) -> Iterable[Finding]:
    from ..geometry.holes import compare_hole_patterns
    from ..geometry.once import not_waiting
    from ..units import Q_

    with not_waiting():   # what no other thread is finding, first; then each in order, waiting where needed
        find_pattern_holes(assembly)
    for pattern in assembly.design.hole_patterns:
        part = assembly.part(pattern.part)
        holes = part_holes(assembly, part)
        against = f"{pattern.against}'s holes" if pattern.against else "the design's pattern"
        subjects = (part.name, pattern.against) if pattern.against else (part.name,)
        anchor = ("design", "hole_patterns", pattern.index)
        if not holes:
            yield HOLE_PATTERN.finding(f"no circular through-holes found in {part.name} to compare with {against}",
                                       subjects=subjects, anchor=anchor)
            continue
        axis = holes[0].axis
        expected = _expected(assembly, pattern, part, axis)
        if not expected:
            yield HOLE_PATTERN.finding(f"{against} has no holes under {part.name} (along {axis})", subjects=subjects,
                                       anchor=anchor)
            continue
        matches = compare_hole_patterns(holes, expected, pattern.tolerance, max_offset=10 * pattern.tolerance + 2.0)
        bad = [m for m in matches if not m.within_tolerance]
        if not bad:
            continue
        worst = max((m.offset for m in bad if m.offset is not None), default=None)
        good = len(matches) - len(bad)
        yield HOLE_PATTERN.finding(
            f"{part.name}'s {len(holes)} holes against {against}: " + "; ".join(_describe(m) for m in bad)
            + f" (tolerance {pattern.tolerance:g} mm; {good} hole(s) within it)",
            subjects=subjects, measured=Q_(worst, "mm") if worst is not None else None,
            limit=Q_(pattern.tolerance, "mm"), anchor=anchor,
            evidence=HoleEvidence(tuple(HoleOffset(expected=m.expected, found=m.found.center if m.found else None,
                                                    diameter_mm=m.found.diameter if m.found else None,
                                                    offset_mm=m.offset, within_tolerance=m.within_tolerance)
                                         for m in matches)))


HOLE_PATTERN = Rule(
    code="D401", name="hole-pattern", severity="error",
    summary="A part's circular through-holes do not line up with its mate's holes (or a pattern) within tolerance.",
    explanation="Holes are recognised by sectioning the part's plate or base and reading the circular interiors; "
                "each expected hole is paired with a found one (minimum total distance) and its offset compared with "
                "the tolerance. A heat sink whose pattern is off by a fraction of a millimetre does not bolt down.",
    fix="Move the holes in the part or its mate; check that both come from the same revision of the pattern.",
    check=_hole_patterns,
    configured_by="hole_patterns: [{part: heatsink0, against: board, tolerance: 0.2 mm}] or pattern: [[x, y], ...]",
)
