"""The text report for people: one block per finding (repeated findings as one block: :mod:`.groups`) and a
one-line verdict."""

from __future__ import annotations

import textwrap
from typing import Any

from ..checks.engine import Finding
from .groups import FindingGroup, group_findings
from .model import GapSummary, Report, stack_label, stack_outside, stack_requirement
from .thermal import thermal_text

_MARK = {"error": "E", "warning": "W", "info": "I"}


#: Roles whose closest gaps every report shows, passing or not (what a reviewer looks for first).
WATCHED_ROLES = ("heatsink", "lid", "dimm", "fan")


def closest_gaps(report: Report, limit: int = 12) -> list[GapSummary]:
    """The closest measured gaps of heat sinks, lids, DIMMs and fans, passing or not (declared contacts and
    fits as declared left out: they are close by design), smallest first."""
    watched = [g for g in report.gaps if g.status not in ("contact", "fit") and set(g.roles) & set(WATCHED_ROLES)]
    return sorted(watched, key=lambda g: (g.gap_mm, g.parts))[:limit]


def closest_gaps_text(report: Report) -> list[str]:
    """The text report's lines for :func:`closest_gaps` (none when nothing was measured)."""
    gaps = closest_gaps(report)
    if not gaps:
        return []
    lines = ["", "closest gaps of heat sinks, lids, DIMMs and fans (passing ones too; measured on the meshes "
                 "unless marked B-rep):"]
    for g in gaps:
        need = f", need {g.required_mm:g} mm" if g.required_mm > 0 else ""
        exact = " (B-rep)" if g.exact == "brep" else ""
        lines.append(f"  {g.parts[0]} - {g.parts[1]}: {g.gap_mm:.3f} mm{exact}{need}: {g.status}")
    return lines


def heatsinks_text(sinks: tuple[Any, ...]) -> list[str]:
    """A line per heat sink with the geometry its margin was computed from, and how the CAD was read."""
    if not sinks:
        return []
    lines = ["  heat sinks as modelled (fin bank width x length, across x along the flow):"]
    for h in sinks:
        pedestal = f", pedestal {h.pedestal[0]:.3g} mm" if h.pedestal else ""
        if h.base is not None:   # an orthotropic base plate the design declares
            pedestal += (f", {h.base[0]} base k {h.base[1]:.4g} x {h.base[2]:.4g} x {h.base[3]:.4g} W/(m K) "
                         "(x, y, through)")
        if h.type == "pin-fin":
            lines.append(f"    {h.part}: pin-fin ({h.source}), {h.pin_count} pins {h.pin_diameter:.3g} mm {h.layout}, "
                         f"pitch {h.pitch_along:.3g} x {h.pitch_across:.3g} mm (along x across), {h.fin_height:.4g} "
                         f"mm tall, field {h.width:.4g} x {h.length:.4g} mm, base {h.base_thickness:.3g} mm"
                         f"{pedestal}, tip gap {h.tip_gap:.3g} mm")
            lines += [f"      {note}" for note in h.notes]
            continue
        lines.append(f"    {h.part}: {h.type} ({h.source}), {h.fin_count} fins {h.fin_thickness:.3g} mm, gap "
                     f"{h.fin_gap:.3g} mm, {h.fin_height:.4g} mm tall, bank {h.width:.4g} x {h.length:.4g} mm, base "
                     f"{h.base_thickness:.3g} mm{pedestal}, tip gap {h.tip_gap:.3g} mm")
        lines += [f"      {note}" for note in h.notes]
    return lines


def _state(f: Finding) -> str:
    state = "waived" if f.waived else f.severity
    if f.baseline == "existing" and not f.waived:
        state += ", in baseline"
    return state


def _finding_lines(f: Finding, width: int) -> list[str]:
    """One finding's block."""
    where = f"{f.location.file}:{f.location.line}" if f.location else ""
    head = f"{f.code} {f.name} [{_state(f)}]"
    if f.subjects:
        head += "  " + ", ".join(f.subjects)
    lines = [head]
    for chunk in textwrap.wrap(f.message, width=width - 4) or [""]:
        lines.append("    " + chunk)
    if f.measured is not None and f.limit is not None:
        lines.append(f"    measured {f.measured:.4g~P}, limit {f.limit:.4g~P}")
    if f.waived and f.waiver_reason:
        lines.append(f"    waived: {f.waiver_reason}")
    if where:
        lines.append(f"    at {where}" + "".join(f" (from {r})" for r in f.related))
    return lines


def _group_lines(group: FindingGroup, width: int) -> list[str]:
    """A group's block: the count and its subjects, the first member's message, the range of the measured
    values and every distinct location."""
    if group.count == 1:
        return _finding_lines(group.first, width)
    f = group.first
    head = f"{f.code} {f.name} [{_state(f)}] x{group.count}"
    if group.subjects():
        head += "  " + group.subjects()
    lines = [head]
    for chunk in textwrap.wrap(f.message, width=width - 4) or [""]:
        lines.append("    " + chunk)
    measured = group.measured()
    if measured is not None:
        lines.append(f"    measured {measured}" + (f", limit {f.limit:.4g~P}" if f.limit is not None else ""))
    if f.waived and f.waiver_reason:
        lines.append(f"    waived: {f.waiver_reason}")
    where = group.where(lambda location: location.file)
    if where:
        lines += textwrap.wrap("at " + "; ".join(where), width=width, initial_indent="    ",
                               subsequent_indent="       ", break_on_hyphens=False,
                               break_long_words=False)
    return lines


def render_text(report: Report, width: int = 100) -> str:
    lines = [f"sledcheck: {report.name} ({report.design}), {len(report.parts)} parts"
             + (f", specs: {', '.join(report.specs)}" if report.specs else "")]
    if report.baseline:
        lines.append(f"baseline: {report.baseline.file}")
    lines.append("")
    if not report.findings:
        lines.append("  no findings")
    for group in group_findings(report):
        lines += _group_lines(group, width)
    lines += closest_gaps_text(report)
    if report.stackups:
        lines += ["", "tolerance stack-ups (worst case, RSS, probability of leaving the limits):"]
        for stack in report.stackups:
            r = stack.result
            label = stack_label(stack)
            if r is None:
                lines.append(f"  {label}: {stack.status} ({stack.reason})")
                continue
            quantity = {"envelope": "headroom", "fit": "depth"}.get(stack.kind, "nominal")
            lines.append(f"  {label}: {quantity} {r.nominal_mm:.3f} mm, need {stack_requirement(stack)}; worst "
                         f"{r.worst_mm[0]:.3f} .. {r.worst_mm[1]:.3f}, RSS {r.rss_mm[0]:.3f} .. {r.rss_mm[1]:.3f} mm, "
                         f"p {stack_outside(r):.2g}: {stack.status}")
    if report.excluded:
        lines += ["", f"not checked, as the design excludes them ({len(report.excluded)} bodies):"]
        lines += [f"  {body}: {reason}" for body, reason in report.excluded[:20]]
        if len(report.excluded) > 20:
            lines.append(f"  ... and {len(report.excluded) - 20} more (the JSON report lists all)")
    if report.thermal is not None:
        lines.append("")
        lines.extend(thermal_text(report.thermal))
        lines += heatsinks_text(report.thermal.heatsinks)
    if report.baseline and report.baseline.fixed:
        lines.append("")
        lines.append("fixed since the baseline: " + "; ".join(
            f"{code} {', '.join(subjects)}" for code, subjects in report.baseline.fixed))
    s = report.summary
    counts = (f"{s['error']} error{'s' * (s['error'] != 1)}, {s['warning']} warning{'s' * (s['warning'] != 1)}, "
              f"{s['info']} info, {s['waived']} waived")
    verdict = {"pass": "PASS", "fail": "FAIL", "error": "INCOMPLETE (a check could not run)"}[report.verdict]
    lines += ["", f"verdict: {verdict} - {counts} (fail on: {report.fail_on})"]
    return "\n".join(lines) + "\n"
