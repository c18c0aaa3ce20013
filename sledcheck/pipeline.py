"""The pipeline: load the design -> build the assembly -> run the rules -> the report."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any

from .checks.engine import Finding, Rule, run_rules
from .checks.policy import apply_policy, rules_to_run
from .checks.registry import RULES, all_rules, catalog
from .errors import SledcheckError
from .load.design import Design, load_design
from .load.workers import one_blas_thread
from .load.yamlfile import MAX_BYTES, decode_text, limit, read_input
from .model.assembly import Assembly, build_assembly
from .model.mass import assembly_mass
from .model.pairs import TOUCH_MM, PairResult
from .model.thermal import analyse_thermal
from .report.model import BaselineDiff, GapSummary, PartSummary, Report

FAIL_LEVELS = ("error", "warning", "info", "never")


def check(
    design_path: str | Path | Design,
    *,
    fail_on: str = "error",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    baseline: str | Path | None = None,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    views: bool = False,
) -> Report:
    """Check the design at ``design_path`` (or an already loaded :class:`Design`); returns the
    :class:`~sledcheck.report.model.Report`.

    ``views`` adds the parts' top and side outlines to the report (for the HTML pictures).
    ``select``/``ignore`` take code prefixes (``D``, ``D2``, ``D201``) or rule names. ``baseline`` is a file
    written by ``--write-baseline``: findings in it do not fail the run. Raises
    :class:`~sledcheck.errors.SledcheckError` when the design, a spec or a mesh cannot be used.
    """
    if fail_on not in FAIL_LEVELS:
        raise SledcheckError(f"--fail-on must be one of {', '.join(FAIL_LEVELS)}, not {fail_on!r}")
    for option, patterns in (("--select", select), ("--ignore", ignore)):
        for pattern in patterns:
            if not any(r.code.startswith(pattern) or r.name == pattern for r in all_rules()):
                raise SledcheckError(f"{option} {pattern!r} matches no rule",
                                     hint="give code prefixes such as D or D201, or rule names; `sledcheck rules`")
    design = design_path if isinstance(design_path, Design) else load(design_path)
    return run(design, fail_on=fail_on, select=select, ignore=ignore, baseline=baseline, today=today,
               progress=progress, views=views)[0]


def run(design: Design, *, fail_on: str = "error", select: Sequence[str] = (), ignore: Sequence[str] = (),
        baseline: str | Path | None = None, today: dt.date | None = None,
        progress: Callable[[str], None] | None = None, views: bool = False,
        thermal_analysis: bool = True) -> tuple[Report, Assembly]:
    """:func:`check` of a loaded design, returning the assembly too (a sweep evaluates its thermal cases on
    it); ``thermal_analysis`` False leaves the thermal section out of the report (its rules are ignored)."""
    with one_blas_thread():
        return _run(design, fail_on=fail_on, select=select, ignore=ignore, baseline=baseline, today=today,
                    progress=progress, views=views, thermal_analysis=thermal_analysis)


def _run(design: Design, *, fail_on: str, select: Sequence[str], ignore: Sequence[str],
         baseline: str | Path | None, today: dt.date | None, progress: Callable[[str], None] | None,
         views: bool, thermal_analysis: bool) -> tuple[Report, Assembly]:
    design_path = design.path_as_given
    baseline_keys = read_baseline(Path(baseline)) if baseline else None
    assembly = build_assembly(design, progress)
    design = assembly.design   # with the parts expanded from assembly files
    outlines_ahead = _views_ahead(assembly) if views else None
    rules = rules_to_run(RULES, design, select, ignore)
    _analyses_ahead(assembly, {r.code for r in rules}, thermal_analysis)
    result = run_rules(assembly, rules, progress)
    findings = apply_policy(result.findings, design, result.rules_run, select=select, ignore=ignore,
                            today=today or dt.date.today())
    diff = None
    if baseline_keys is not None:
        findings = tuple(replace(f, baseline="existing" if f.key in baseline_keys else "new") for f in findings)
        found = {f.key for f in findings}
        diff = BaselineDiff(file=str(baseline), fixed=tuple(sorted(k for k in baseline_keys if k not in found)))
    masses = assembly_mass(assembly)
    parts = tuple(PartSummary(
        name=p.name, role=p.role, file=p.file, units=p.units.unit, units_source=p.units.source,
        triangles=p.health.triangles, bodies=p.health.bodies, watertight=p.health.watertight,
        bounds=(tuple(float(v) for v in p.bounds[0]), tuple(float(v) for v in p.bounds[1])),  # type: ignore[arg-type]
        path=p.path, chord_error_mm=p.chord_error_mm, entry=p.spec.entry or None,
        mass_kg=masses[p.name].mass_kg, cog_mm=masses[p.name].cog_mm, mass_basis=masses[p.name].basis,
    ) for p in assembly.parts)
    measured: tuple[PairResult, ...] | None = assembly.analyses.get("pairs")   # None: no pair rule ran
    gaps = _gaps(assembly, measured) if measured is not None else ()
    thermal = None
    if thermal_analysis and design.thermal is not None and not any(
            f.code == "X001" and f.data.get("rule", "").startswith("T") for f in result.findings):
        thermal = analyse_thermal(assembly)
    outlines = None
    if outlines_ahead is not None:
        outlines = outlines_ahead.result()
    elif views:
        from .model.views import part_views

        outlines = part_views(assembly)
    return Report(design=str(design_path), name=design.name, specs=tuple(p.label for p in design.specs),
                  findings=tuple(findings), parts=parts, rules_run=tuple(result.rules_run),
                  incomplete=result.incomplete, fail_on=fail_on, baseline=diff, thermal=thermal, views=outlines,
                  gaps=gaps, excluded=assembly.excluded, stackups=tuple(s for s in assembly.analyses.get("stackups", ())
                                                          if s.status != "exact")), assembly


def _analyses_ahead(assembly: Assembly, codes: set[str], thermal_analysis: bool) -> None:
    """Start the heavy shared analyses on another core while the fit rules run: the holes D401 compares, then
    the thermal model (heat-sink recognition, the lanes) that the T rules and the report use. Each is an
    assembly analysis, so a rule that needs one waits for it rather than computing it again; D401 first finds
    the holes this thread has not started and this thread passes over those D401 is finding, so the two cores
    share the recognitions. Both ask in the rules' order, so the first of each set of twins to be computed is
    the same whatever the worker count, and so is the JSON. Nothing with one worker (``SLEDCHECK_WORKERS=1``);
    an error is left to the rule that asks, which meets the same."""
    import contextvars
    import threading

    from .load.workers import worker_count

    thermal = assembly.design.thermal is not None and (thermal_analysis or any(c.startswith("T") for c in codes))
    holes = "D401" in codes and bool(assembly.design.hole_patterns)
    if worker_count() < 2 or not (thermal or holes):
        return

    def compute() -> None:
        from .checks.holes import find_pattern_holes
        from .geometry.once import not_waiting

        try:
            if holes:
                with not_waiting():   # holes D401 (on the rules' thread) is already finding are passed over
                    find_pattern_holes(assembly)
            if thermal:
                analyse_thermal(assembly)
        except Exception:   # noqa: BLE001  (the rule that needs it raises it again, where it is reported)
            pass

    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(compute,), name="sledcheck-analyses", daemon=True).start()


def _views_ahead(assembly: Assembly) -> Future[Any] | None:
    """The parts' outlines for the HTML pictures, computed on another core while the rules run (they need only
    the assembly), with matplotlib imported there too; None with one worker (``SLEDCHECK_WORKERS=1``)."""
    from concurrent.futures import ThreadPoolExecutor

    from .load.workers import worker_count

    if worker_count() < 2:
        return None

    def compute() -> Any:
        from .model import views as views_module  # looked up when it runs (benchmarks wrap part_views)

        outlines = views_module.part_views(assembly)
        import matplotlib.figure  # noqa: F401  (the report draws with it)

        return outlines

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sledcheck-views")
    future = pool.submit(compute)
    pool.shutdown(wait=False)
    return future


def _gaps(assembly: Assembly, pairs: tuple[PairResult, ...]) -> tuple[GapSummary, ...]:
    """The pairs the pair rules measured, passing or not, as report values sorted by part names."""
    out = []
    for pair in pairs:
        a, b = sorted((pair.a, pair.b))
        out.append(GapSummary(parts=(a, b), roles=(assembly.part(a).role, assembly.part(b).role), status=pair.status,
                              gap_mm=pair.gap.distance if pair.gap.distance > TOUCH_MM else 0.0,
                              overlap_mm3=pair.overlap.volume if pair.overlap is not None else None,
                              required_mm=pair.required.minimum, exact=pair.exact))
    return tuple(sorted(out, key=lambda g: g.parts))


def load(design_path: str | Path) -> Design:
    """Read and validate a design file against the registered rules (no geometry is loaded)."""
    return load_design(design_path, catalog())


def baseline_text(report: Report) -> str:
    """The baseline file for ``--write-baseline``: current unwaived findings by (code, subjects)."""
    keys = sorted({f.key for f in report.findings if not f.waived})
    return json.dumps({"sledcheck-baseline": 1, "design": report.design,
                       "findings": [{"code": c, "subjects": list(s)} for c, s in keys]}, indent=2) + "\n"


def read_baseline(path: Path) -> set[tuple[str, tuple[str, ...]]]:
    """The (code, subjects) keys of a baseline file, read within the same limits as every YAML input."""
    shown = str(path)
    if not path.exists() and not path.is_symlink():
        raise SledcheckError("baseline file not found", file=path, hint="write one with --write-baseline")
    budget = "SLEDCHECK_MAX_YAML_BYTES"
    text = decode_text(read_input(path, shown, limit(budget, MAX_BYTES), budget), shown)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise SledcheckError(f"cannot read the baseline: {str(err)[:200]}", file=path,
                             hint="it must be a file written by --write-baseline") from None
    if not isinstance(data, dict) or data.get("sledcheck-baseline") != 1 or not isinstance(data.get("findings"), list):
        raise SledcheckError("not a sledcheck baseline file", file=path, hint="write one with --write-baseline")
    keys = set()
    for i, item in enumerate(data["findings"]):
        if not isinstance(item, dict) or not isinstance(item.get("code"), str) \
                or not isinstance(item.get("subjects"), list):
            raise SledcheckError(f"entry {i} is not {{code, subjects}}", file=path, field=f"findings[{i}]")
        keys.add((item["code"], tuple(sorted(str(s) for s in item["subjects"]))))
    return keys


__all__ = ["FAIL_LEVELS", "Finding", "Rule", "baseline_text", "check", "load", "read_baseline"]
