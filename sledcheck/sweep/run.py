"""Evaluating the cases of a sweep: the fit rules once per geometry, the thermal model once per geometry and
every case's thermal scenarios on it.

Cases are grouped by the edits that can move anything the fit rules or the thermal model's build see (a part's
position, a tolerance, a lane, a heat sink); what only the evaluation reads (powers, limits, the environment,
the fan speed) varies within a group, so a group of a thousand power and inlet cases loads, checks and builds
its model once. Every result is a pure function of the design files and the case, so the table is the same
whatever runs it, in whatever order.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SledcheckError
from ..load.yamlfile import YamlDocument
from ..model.thermal.analyse import analyse_model, respec
from ..model.thermal.build import SledModel, build_model
from .edit import design_of

#: paths that only the thermal evaluation reads: they vary within a group (fnmatch patterns)
EVALUATION_ONLY = ("thermal.components.*.power", "thermal.components.*.tj_max", "thermal.components.*.tcase_max",
                   "thermal.components.*.required_margin", "thermal.components.*.r_jc", "thermal.components.*.r_ca",
                   "thermal.environment.*", "thermal.fans.speed")

Edits = tuple[tuple[str, Any], ...]
#: the last geometry this process built (its fit report and thermal model): the chunks of one group that reach
#: the same worker build it once
_BUILT: dict[str, Any] = {}


@dataclass(frozen=True)
class CaseResult:
    """One case: the fit verdict in the CAD (``fit``: no dimension finding fails) and with the tolerance
    stack-ups (``fit_stackups``: D501 too), each component's margin in its worst scenario [K] with its required
    margin [K] and that scenario's name, the case's ``verdict`` (pass, fail, or error when the case is not a valid
    design: ``error`` says why) and the codes of its failing findings."""

    index: int
    fit: str
    fit_stackups: str
    margins: tuple[tuple[str, float, float, str], ...]   # (component, margin, required, worst scenario)
    verdict: str
    failing: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class Group:
    """Cases that share their geometry: the design, its document as read, and each case's (index, edits)."""

    design: str
    document: YamlDocument
    cases: tuple[tuple[int, Edits], ...]


def group_key(edits: Edits) -> Edits:
    """The edits of a case that change its geometry or the thermal model's build."""
    return tuple((p, v) for p, v in edits if not any(fnmatch.fnmatchcase(p, pattern) for pattern in EVALUATION_ONLY))


def evaluate_group(group: Group) -> list[CaseResult]:
    """Every case of ``group`` (the assembly, the fit rules and the thermal model built once)."""
    from ..pipeline import run

    geometry = group_key(group.cases[0][1])   # the group's own edits; each case's others come on top
    path = Path(group.design)
    key = (group.design, repr(group.document.data), geometry)
    if _BUILT.get("key") != key:
        _BUILT.clear()
        try:
            design = design_of(path, group.document, geometry)
            report, assembly = run(design, ignore=("T",), thermal_analysis=False)
        except SledcheckError as err:
            return [CaseResult(i, "error", "error", (), "error", error=_message(err)) for i, _ in group.cases]
        model = build_model(assembly) if assembly.design.thermal is not None else None
        _BUILT.update(key=key, report=report, model=model, edits=geometry)
    report, model, built_with = _BUILT["report"], _BUILT["model"], _BUILT["edits"]
    failing = [f for f in report.findings if report.fails(f)]
    fit = _verdict(f for f in failing if f.code.startswith("D") and f.code != "D501")
    fit_stackups = _verdict(f for f in failing if f.code.startswith("D"))
    other = tuple(sorted({f.code for f in failing if not f.code.startswith("D")}))
    out = []
    for index, edits in group.cases:
        try:
            margins, problems = _margins(model, path, group, edits, built_with)
        except SledcheckError as err:
            out.append(CaseResult(index, fit, fit_stackups, (), "error", error=_message(err)))
            continue
        short = any(m < r for _, m, r, _ in margins) or problems
        codes = tuple(sorted({f.code for f in failing if f.code.startswith("D")} | set(other)
                             | ({"T001"} if any(m < r for _, m, r, _ in margins) else set())
                             | ({"T003"} if problems else set())))
        passed = fit_stackups == "pass" and not short and not other
        out.append(CaseResult(index, fit, fit_stackups, margins, "pass" if passed else "fail", codes))
    return out


def _margins(model: SledModel | None, path: Path, group: Group, edits: Edits, built_with: Edits
             ) -> tuple[tuple[tuple[str, float, float, str], ...], bool]:
    """Each component's worst-scenario margin for the case, and whether the model could not evaluate a part."""
    if model is None:
        return (), False
    if edits != built_with:
        thermal = design_of(path, group.document, edits).thermal
        assert thermal is not None
        model = respec(model, thermal)
    result = analyse_model(model)
    worst: dict[str, tuple[float, float, str]] = {}
    for scenario in result.scenarios:
        for comp in scenario.components:
            if comp.part not in worst or comp.margin < worst[comp.part][0]:
                worst[comp.part] = (comp.margin, comp.required_margin, scenario.name)
    margins = tuple((part, m, r, name) for part, (m, r, name) in sorted(worst.items()))
    return margins, bool(result.problems)


def _verdict(findings: Any) -> str:
    return "fail" if any(True for _ in findings) else "pass"


def _message(err: SledcheckError) -> str:
    where = f"{err.file}:{err.line}: " if err.file and err.line else ""
    return f"{where}{err.message}"

