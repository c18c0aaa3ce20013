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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SledcheckError
from ..load.thermal import Component, ThermalSpec
from ..load.yamlfile import YamlDocument
from ..model.thermal.analyse import analyse_model, respec
from ..model.thermal.build import SledModel, build_model
from ..model.thermal.results import ThermalResult
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
    found = _group_margins(model, path, group, built_with)
    out = []
    for index, _ in group.cases:
        result = found[index]
        if isinstance(result, SledcheckError):
            out.append(CaseResult(index, fit, fit_stackups, (), "error", error=_message(result)))
            continue
        margins, problems = result
        short = any(m < r for _, m, r, _ in margins) or problems
        codes = tuple(sorted({f.code for f in failing if f.code.startswith("D")} | set(other)
                             | ({"T001"} if any(m < r for _, m, r, _ in margins) else set())
                             | ({"T003"} if problems else set())))
        passed = fit_stackups == "pass" and not short and not other
        out.append(CaseResult(index, fit, fit_stackups, margins, "pass" if passed else "fail", codes))
    return out


Margins = tuple[tuple[str, float, float, str], ...]


def _group_margins(model: SledModel | None, path: Path, group: Group, built_with: Edits
                   ) -> dict[int, tuple[Margins, bool] | SledcheckError]:
    """Each case's worst-scenario margins (and whether the model could not evaluate a part), or why the case is
    not a valid design. Cases whose thermal section differs from the model's only in what the evaluation reads
    (powers, limits, required margins, environment, fan speed) are evaluated together, every scenario of every
    case in one batch of the thermal core; the others one by one."""
    out: dict[int, tuple[Margins, bool] | SledcheckError] = {}
    if model is None:
        return {index: ((), False) for index, _ in group.cases}
    specs: dict[int, ThermalSpec] = {}
    for index, edits in group.cases:
        try:
            spec = model.spec if edits == built_with else design_of(path, group.document, edits).thermal
        except SledcheckError as err:
            out[index] = err
            continue
        assert spec is not None
        specs[index] = spec
    batch = [i for i, spec in specs.items() if _same_build(model.spec, spec)]
    for index in sorted(set(specs) - set(batch)):
        out[index] = _margins(analyse_model(respec(model, specs[index])))
    if batch:
        out.update(zip(batch, _batched(model, [specs[i] for i in batch]), strict=True))
    return out


def _same_build(base: ThermalSpec, spec: ThermalSpec) -> bool:
    """Whether ``spec`` differs from ``base`` only in what the thermal evaluation reads."""
    def built(c: Component) -> Component:
        return replace(c, power=0.0, limit=0.0, required_margin=0.0, line=0)

    return (spec.lanes == base.lanes and spec.fan_model == base.fan_model and spec.spreading == base.spreading
            and [built(c) for c in spec.components] == [built(c) for c in base.components])


def _batched(model: SledModel, specs: list[ThermalSpec]) -> list[tuple[Margins, bool]]:
    """Every scenario of every case in one evaluation of the thermal core (arrays of cases x scenarios)."""
    from ..model.thermal.evaluate import evaluate
    from ..model.thermal.scenarios import scenarios, working_fans
    from ..thermal import atmosphere

    cases = [scenarios(spec) for spec in specs]
    n, count = len(specs), len(cases[0])
    inlet = np.array([[c[1] for c in case] for case in cases], dtype=float).ravel()
    working = {lane: np.tile(fans, n) for lane, fans in working_fans(model.spec, cases[0]).items()}
    speed = np.repeat([spec.fan_speed for spec in specs], count)
    powers = [{c.part: c.power for c in spec.components} for spec in specs]
    scales = {f"power:{c.part}": np.repeat([p[c.part] / c.power for p in powers], count)
              for c in model.spec.components if c.power}
    altitude = np.array([[c.altitude for c in case] for case in cases], dtype=float).ravel()
    if np.any(altitude != model.spec.environment.altitude):   # another altitude, or a range searched per case
        model = replace(model, pressure=np.asarray(atmosphere.pressure_at_altitude(altitude)))
    ev = evaluate(model, inlet, working, speed, scales=scales)
    results = []
    for k, spec in enumerate(specs):
        limits = {c.part: c for c in spec.components}
        margins = []
        for lane in model.lanes:
            for comp in lane.components:
                part = comp.spec.part
                temperature = np.asarray(ev.temperature[part], float).reshape(n, count)[k]
                margin = limits[part].limit - temperature
                worst = int(np.argmin(np.where(np.isnan(margin), -np.inf, margin)))
                margins.append((part, float(margin[worst]), limits[part].required_margin, cases[k][worst][0]))
        results.append((tuple(sorted(margins)), bool(model.problems)))
    return results


def _margins(result: ThermalResult) -> tuple[Margins, bool]:
    """Each component's worst-scenario margin, and whether the model could not evaluate a part."""
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

