"""T0xx: thermal margins per component and scenario, model validity, and what kept the model from running."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .engine import Finding, Rule
from .evidence import MarginEvidence

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading meshes or models
    from ..model.assembly import Assembly


def _anchor(assembly: Assembly, part: str) -> tuple[str, ...]:
    return ("design", "thermal", "components", part)


def _margins(assembly: Assembly) -> Iterable[Finding]:
    from ..model.thermal import analyse_thermal
    from ..units import Q_

    result = analyse_thermal(assembly)
    if result is None:
        return
    parts = sorted({c.part for s in result.scenarios for c in s.components})
    for part in parts:
        cases = [(s, c) for s in result.scenarios for c in s.components if c.part == part]
        failing = [(s, c) for s, c in cases if not c.margin >= c.required_margin]   # NaN fails too
        if not failing:
            continue
        unbounded = [(s, c) for s, c in failing if not math.isfinite(c.margin)]
        if unbounded:
            scenario, worst = unbounded[0]
            yield MARGIN.finding(
                f"{part} has no air in scenario '{scenario.name}': its lane's fans deliver no flow, so nothing "
                f"bounds its temperature" + (f"; {len(failing) - 1} more scenario(s) below the required margin"
                                              if len(failing) > 1 else ""),
                subjects=(part,), limit=Q_(worst.required_margin, "K"), anchor=_anchor(assembly, part),
                evidence=MarginEvidence(scenario.name, tuple(s.name for s, _ in failing)))
            continue
        scenario, worst = min(failing, key=lambda sc: sc[1].margin)
        kind = "junction" if worst.limit_kind == "junction" else "case"
        others = len(failing) - 1
        yield MARGIN.finding(
            f"{part} {kind} temperature {worst.temperature:.1f} degC against its {worst.limit:.1f} degC limit in "
            f"scenario '{scenario.name}': margin {worst.margin:+.1f} K, required {worst.required_margin:g} K "
            f"({worst.power:g} W, local inlet {worst.local_inlet:.1f} degC)"
            + (f"; {others} more scenario(s) below the required margin" if others else ""),
            subjects=(part,), measured=Q_(worst.margin, "K"), limit=Q_(worst.required_margin, "K"),
            anchor=_anchor(assembly, part),
            evidence=MarginEvidence(scenario.name, tuple(s.name for s, _ in failing), worst.temperature))


def _validity(assembly: Assembly) -> Iterable[Finding]:
    from ..model.thermal import analyse_thermal

    result = analyse_thermal(assembly)
    if result is None:
        return
    seen: dict[tuple[str, str], list[str]] = {}
    for s in result.scenarios:
        for c in s.components:
            for warning in c.warnings:
                seen.setdefault((c.part, warning.split(" = ")[0]), []).append(f"{s.name}: {warning}")
    for (part, _), notes in seen.items():
        yield VALIDITY.finding(f"{part}: {notes[0]}" + (f" (and in {len(notes) - 1} more scenario(s))"
                                                        if len(notes) > 1 else ""),
                               subjects=(part,), anchor=_anchor(assembly, part))


def _problems(assembly: Assembly) -> Iterable[Finding]:
    from ..model.thermal import analyse_thermal

    result = analyse_thermal(assembly)
    if result is None:
        return
    for problem in result.problems:
        yield MODEL_INCOMPLETE.finding(problem.message, subjects=problem.subjects,
                                       anchor=_problem_anchor(assembly, problem.subjects))


def _problem_anchor(assembly: Assembly, subjects: tuple[str, ...]) -> tuple[str | int, ...]:
    """The design line a thermal problem belongs to: its lane's entry, else its component's, else thermal:."""
    spec = assembly.design.thermal
    if spec is not None:
        lanes = [lane.name for lane in spec.lanes]
        components = {c.part for c in spec.components} | {c.heatsink for c in spec.components if c.heatsink}
        for subject in subjects:
            if subject in lanes:
                return ("design", "thermal", "lanes", lanes.index(subject))
        for subject in subjects:
            owner = next((c.part for c in spec.components if subject in (c.part, c.heatsink)), None)
            if subject in components and owner is not None:
                return ("design", "thermal", "components", owner)
    return ("design", "thermal")


MARGIN = Rule(
    code="T001", name="thermal-margin", severity="error",
    summary="A component's junction (or case) temperature margin is below the required margin in some scenario.",
    explanation="For every hot component the model computes Tj = T_local + P (R_jc + R_TIM + R_spreading + R_base + "
                "R_heatsink) in each scenario: nominal inlet, the worst inlet of the ASHRAE class derated with "
                "altitude, and that worst inlet with each single fan failed (N+1). The heat sink's resistance comes "
                "from its fins as recognised in the mesh and the air that really passes between them after the "
                "bypass over the tips and around the sides.",
    fix="More fin area or flow (taller or more fins, less bypass: a lower lid gap or a duct), more fan speed, a "
        "better TIM, or less power; the JSON report's resistance chain shows which term dominates.",
    check=_margins,
)
VALIDITY = Rule(
    code="T002", name="thermal-model-validity", severity="warning",
    summary="An operating point lies outside, or within 10 % of the edge of, a correlation's validity range.",
    explanation="Each heat sink's fin channels are modelled by regime: Teertstra et al. (1999) for laminar flow "
                "(0.26 < Re* < 175, channel Re < 2300), Gnielinski (1976) with the short-duct factor for turbulent "
                "flow (Re 10^4-5e6, D_h/L <= 1) and the VDI Heat Atlas G1 interpolation in the transition between "
                "(the least certain range); pin-fin sinks by the Khan-Culham-Yovanovich model (Re_D 40-2e5, "
                "pitch ratios S_T/D and S_L/D 1.25-2.5). The finding names the correlation, the quantity, its value "
                "and the range; outside the range the result is an extrapolation, near its edge it is less certain.",
    fix="Treat the margin with care; confirm with CFD or a test, or change the design into the valid range.",
    check=_validity,
)
MODEL_INCOMPLETE = Rule(
    code="T003", name="thermal-model-incomplete", severity="error",
    summary="The thermal model could not be built for a part (heat sink not recognised, fins across the flow, "
            "no lane height).",
    explanation="Without the heat sink's fin geometry or the lane's size there is no margin to report, and a "
                "silent gap in the results would read as a pass.",
    fix="Use a straight plate-fin or round pin-fin heat sink mesh aligned with the axes, fins along y, give "
        "heatsink_geometry, or give the lane's size.",
    check=_problems,
)
