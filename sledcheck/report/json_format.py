"""The JSON report of the contract: deterministic (sorted, rounded, no timestamps) and strict JSON (no NaN)."""

from __future__ import annotations

import json
import math
import numbers
from typing import Any

from ..checks.engine import Finding
from ..units import Q_, as_json, round_sig, value_json
from ..version import __version__
from .model import GapSummary, Report
from .thermal import thermal_json

SCHEMA_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.message,
        "subjects": list(finding.subjects),
        "measured": as_json(finding.measured) if finding.measured is not None else None,
        "limit": as_json(finding.limit) if finding.limit is not None else None,
        "location": {"file": finding.location.file, "line": finding.location.line} if finding.location else None,
        **({"related": [{"file": r.file, "line": r.line, "builtin": r.builtin} for r in finding.related]}
           if finding.related else {}),
        "waived": finding.waived,
        "waiver_reason": finding.waiver_reason,
        "baseline": finding.baseline,
        "data": finding.details,
    }


def stackup_dict(stack: Any) -> dict[str, Any]:
    """One stacked gap as the contract's ``stackups`` entry."""
    def mm(value: float) -> dict[str, Any]:
        return as_json(Q_(value, "mm"), digits=9)   # 9 digits: a stack is compared to the micrometre

    result = stack.result
    out: dict[str, Any] = {
        "parts": [stack.a, stack.b], "kind": stack.kind, "limit": stack.limit or None,
        "direction": [round_sig(v, 6) for v in stack.direction],
        "nominal": mm(result.nominal_mm if result else stack.gap_mm),
        "required": mm(stack.required_mm) if stack.required_mm or stack.kind != "gap" else None,
        "upper": mm(stack.upper_mm) if stack.upper_mm is not None else None, "chain": list(stack.chain),
        "loop": [[round_sig(v, 9) for v in point] for point in stack.points], "status": stack.status}
    if result is None:
        out.update({"worst_case": None, "rss": None, "monte_carlo": None, "cpk": None, "contributors": [],
                    "reason": stack.reason})
        return out
    out.update({
        "worst_case": {"min": mm(result.worst_mm[0]), "max": mm(result.worst_mm[1])},
        "rss": {"min": mm(result.rss_mm[0]), "max": mm(result.rss_mm[1])},
        "monte_carlo": {"samples": result.samples, "p_below_required": result.p_below_required,
                        "p_above_limit": result.p_above_limit, "p_interference": result.p_interference},
        "cpk": round_sig(result.cpk, 6) if result.cpk is not None else None,
        "contributors": [{"name": c.name, "kind": c.kind, "sensitivity": round_sig(c.sensitivity, 6),
                          "tolerance": mm(c.half_mm), "distribution": c.distribution, "share": round_sig(share, 6)}
                         for c, share in zip(stack.contributors, result.shares, strict=True)]})
    return out


def heatsink_dict(sink: Any) -> dict[str, Any]:
    """One heat sink's geometry as the model used it: the contract's ``thermal.heatsinks`` entry."""
    def mm(value: float) -> dict[str, Any]:
        return as_json(Q_(value, "mm"))

    pedestal = None
    if sink.pedestal is not None:
        pedestal = dict(zip(("height", "length", "width"), (mm(v) for v in sink.pedestal), strict=True))
    out = {"part": sink.part, "type": sink.type, "source": sink.source, "fin_count": sink.fin_count,
           "fin_thickness": mm(sink.fin_thickness), "fin_gap": mm(sink.fin_gap), "fin_height": mm(sink.fin_height),
           "length": mm(sink.length), "width": mm(sink.width), "base_thickness": mm(sink.base_thickness),
           "base_length": mm(sink.base_length), "base_width": mm(sink.base_width), "tip_gap": mm(sink.tip_gap),
           "pedestal": pedestal, "notes": list(sink.notes)}
    if sink.type == "pin-fin":   # the pins, in addition (a plate-fin entry is unchanged)
        out.update({"pin_diameter": mm(sink.pin_diameter), "pitch_along": mm(sink.pitch_along),
                    "pitch_across": mm(sink.pitch_across), "layout": sink.layout, "pin_count": sink.pin_count})
    base = getattr(sink, "base", None)   # an orthotropic base plate, only where the design declares one
    if base is not None:
        out["base"] = {"kind": base[0], **{key: as_json(Q_(k, "W/(m*K)")) for key, k in
                                           zip(("k_x", "k_y", "k_z"), base[1:], strict=True)}}
    return out


def thermal_dict(thermal: Any) -> dict[str, Any]:
    """The JSON ``thermal`` section, with the heat-sink geometry the margins were computed from."""
    return {**thermal_json(thermal), "heatsinks": [heatsink_dict(h) for h in thermal.heatsinks]}


def gap_dict(gap: GapSummary) -> dict[str, Any]:
    """One measured pair as the contract's ``gaps`` entry."""
    return {"parts": list(gap.parts), "status": gap.status, "gap": value_json(gap.gap_mm, "mm"),
            "overlap": value_json(gap.overlap_mm3, "mm**3") if gap.overlap_mm3 is not None else None,
            "required": value_json(gap.required_mm, "mm") if gap.required_mm > 0 else None, "exact": gap.exact}


def report_dict(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "sledcheck", "version": __version__},
        "design": report.design,
        "name": report.name,
        "verdict": report.verdict,
        "incomplete": report.incomplete,
        "fail_on": report.fail_on,
        "summary": report.summary,
        "specs": list(report.specs),
        "parts": [{
            "name": p.name, "role": p.role, "file": p.file, "units": p.units, "units_source": p.units_source,
            "triangles": p.triangles, "bodies": p.bodies, "watertight": p.watertight,
            "bounds": {"value": [[round_sig(v, 9) for v in corner] for corner in p.bounds], "unit": "mm"},
            "path": p.path, "entry": p.entry,
            "chord_error": as_json(Q_(round_sig(p.chord_error_mm, 4), "mm")) if p.chord_error_mm is not None else None,
            "mass": {"value": round_sig(p.mass_kg, 6), "unit": "kg"} if p.mass_kg is not None else None,
            "center_of_gravity": ({"value": [round_sig(v, 9) for v in p.cog_mm], "unit": "mm"}
                                  if p.cog_mm is not None else None),
        } for p in report.parts],
        "rules_run": [r.code for r in report.rules_run],
        "findings": [finding_dict(f) for f in report.findings],
        "gaps": [gap_dict(g) for g in report.gaps],
        "excluded": [{"body": body, "reason": reason} for body, reason in report.excluded],
        "stackups": [stackup_dict(s) for s in report.stackups],
        "thermal": thermal_dict(report.thermal) if report.thermal is not None else None,
    }
    if report.baseline is not None:
        out["baseline"] = {"file": report.baseline.file,
                           "fixed": [{"code": c, "subjects": list(s)} for c, s in report.baseline.fixed]}
    return out


def render_json(report: Report) -> str:
    return strict_json(report_dict(report), indent=2, ensure_ascii=False) + "\n"


def strict_json(data: Any, **options: Any) -> str:
    """``json.dumps`` that can never write NaN or Infinity: every non-finite number becomes null."""
    return json.dumps(finite(data), allow_nan=False, **options)


def finite(data: Any) -> Any:
    """``data`` with every non-finite float (anywhere in dicts, lists, tuples) as None, numpy scalars as
    Python numbers, tuples as lists; everything else unchanged."""
    if isinstance(data, dict):
        return {key: finite(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite(value) for value in data]
    if isinstance(data, bool) or data is None or isinstance(data, (str, int)):
        return data
    if isinstance(data, numbers.Integral):
        return int(data)
    if isinstance(data, numbers.Real):
        value = float(data)
        return value if math.isfinite(value) else None
    return data
