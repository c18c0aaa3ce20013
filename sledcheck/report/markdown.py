"""GitHub-flavoured Markdown for pull-request comments and job summaries ($GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

import html
from typing import Any

import pint

from ..checks.engine import Finding
from .groups import FindingGroup, group_findings
from .model import Report, stack_label, stack_outside, stack_requirement
from .sarif import repo_path
from .text import closest_gaps
from .thermal import thermal_json

VERDICTS = {"pass": "PASS", "fail": "FAIL", "error": "INCOMPLETE"}
COLUMNS = ("Code", "Severity", "Rule", "Subjects", "Message", "Measured", "Limit", "Where")


def cell(text: object) -> str:
    """Text safe inside a table cell: HTML escaped, pipes escaped, line breaks as ``<br>``."""
    escaped = html.escape(str(text), quote=False).replace("|", "\\|")
    return "<br>".join(line.strip() for line in escaped.splitlines()) if escaped else ""


def _row(values: tuple[str, ...] | list[str]) -> str:
    return "| " + " | ".join(values) + " |"


def _table(header: tuple[str, ...], rows: list[list[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows)]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word in ("info", "waived") else f"{n} {word}s"


def _quantity(q: pint.Quantity | None) -> str:
    return cell(f"{q:.4g~P}") if q is not None else ""


def _json_quantity(q: dict[str, Any] | None) -> str:
    """A contract quantity ``{"value", "unit"}`` as text."""
    if not q:
        return ""
    value = q.get("value")
    shown = f"{value:.4g}" if isinstance(value, (int, float)) else str(value)
    return f"{shown} {q.get('unit', '')}".strip()


def _finding_row(finding: Finding) -> list[str]:
    severity = finding.severity
    message = cell(finding.message)
    if finding.waived:
        severity = f"waived ({severity})"
        message += f" <br>*waived: {cell(finding.waiver_reason or 'no reason given')}*"
    elif finding.baseline == "existing":
        severity += " (in baseline)"
    where = f"`{cell(repo_path(finding.location.file))}:{finding.location.line}`" if finding.location else ""
    return [cell(finding.code), severity, cell(finding.name), cell(", ".join(finding.subjects)), message,
            _quantity(finding.measured), _quantity(finding.limit), where]


def _group_row(group: FindingGroup) -> list[str]:
    """A group's row: the first member's row with the count and every member's subjects (compactly), the range
    of the measured values and the distinct locations."""
    row = _finding_row(group.first)
    if group.count == 1:
        return row
    row[3] = cell(group.head())
    row[5] = cell(group.measured() or "")
    row[7] = "<br>".join(f"`{cell(w)}`" for w in group.where(lambda location: repo_path(location.file), False))
    return row


def _total(airflow: Any) -> Any:
    """The total flow of a scenario's airflow ({"total", "lanes"}; a bare quantity is accepted too)."""
    return airflow.get("total", airflow) if isinstance(airflow, dict) else airflow


def _thermal(thermal: dict[str, Any]) -> list[str]:
    lines = ["", "### Thermal margins"]
    for scenario in thermal.get("scenarios", ()):
        conditions = [f"inlet {_json_quantity(scenario.get('inlet_temperature'))}",
                      f"altitude {_json_quantity(scenario.get('altitude'))}",
                      f"failed fans {scenario.get('failed_fans', 0)}",
                      f"airflow {_json_quantity(_total(scenario.get('airflow')))}"]
        lines += ["", f"#### {cell(scenario.get('name', 'scenario'))}", "", cell(", ".join(conditions)), ""]
        rows = []
        for comp in scenario.get("components", ()):
            margin = _json_quantity(comp.get("margin"))
            value = (comp.get("margin") or {}).get("value")
            if isinstance(value, (int, float)) and value < 0:
                margin = f"**{margin}**"  # over the limit
            rows.append([cell(comp.get("part", "")), cell(_json_quantity(comp.get("power"))),
                         cell(_json_quantity(comp.get("junction_temperature"))),
                         cell(_json_quantity(comp.get("limit"))), cell(margin)])
        lines += _table(("Part", "Power", "Junction temperature", "Limit", "Margin"), rows)
    return lines


def render_markdown(report: Report) -> str:
    """The report as Markdown: verdict heading, counts, a findings table (one row per group of repeated findings:
    :mod:`.groups`), thermal margins if any."""
    s = report.summary
    lines = [f"## sledcheck: {VERDICTS[report.verdict]} — {cell(report.name)}", ""]
    context = [f"`{cell(repo_path(report.design))}`", _plural(len(report.parts), "part")]
    if report.specs:
        context.append("specs: " + cell(", ".join(report.specs)))
    if report.baseline:
        context.append(f"baseline: `{cell(repo_path(report.baseline.file))}`")
    lines.append(" · ".join(context))
    lines += ["", f"**{_plural(s['error'], 'error')}, {_plural(s['warning'], 'warning')}, {s['info']} info, "
                  f"{s['waived']} waived** (fail on: {report.fail_on})"]
    if report.incomplete:
        lines += ["", "> A rule crashed (X001), so part of the design was not checked: the verdict is incomplete."]
    lines.append("")
    if report.findings:
        lines += _table(COLUMNS, [_group_row(g) for g in group_findings(report)])
    else:
        lines.append("No findings.")
    if report.baseline and report.baseline.fixed:
        lines += ["", "Fixed since the baseline: " + cell("; ".join(
            f"{code} {', '.join(subjects)}" for code, subjects in report.baseline.fixed))]
    gaps = closest_gaps(report)
    if gaps:
        lines += ["", "### Closest gaps (heat sinks, lids, DIMMs, fans; passing ones too)", ""]
        lines += _table(("Parts", "Gap", "Required", "Status"),
                        [[cell(" / ".join(g.parts)), f"{g.gap_mm:.3f} mm",
                          f"{g.required_mm:g} mm" if g.required_mm > 0 else "", g.status] for g in gaps])
    if report.stackups:
        lines += ["", "### Tolerance stack-ups", ""]
        lines += _table(("Parts", "Nominal", "Required", "Worst case", "RSS", "P(outside)", "Top contributor",
                         "Status"), [_stack_row(stack) for stack in report.stackups])
    if report.thermal is not None:
        lines += _thermal(thermal_json(report.thermal))
    return "\n".join(lines) + "\n"


def _stack_row(stack: Any) -> list[str]:
    r = stack.result
    parts = cell(stack_label(stack))
    if r is None:
        return [parts, f"{stack.gap_mm:.3f} mm", "", "", "", "", cell(stack.reason), stack.status]
    top = max(zip(r.shares, stack.contributors, strict=True), key=lambda x: x[0]) if stack.contributors else None
    return [parts, f"{r.nominal_mm:.3f} mm", stack_requirement(stack),
            f"{r.worst_mm[0]:.3f} .. {r.worst_mm[1]:.3f} mm",
            f"{r.rss_mm[0]:.3f} .. {r.rss_mm[1]:.3f} mm", f"{stack_outside(r):.2g}",
            cell(f"{top[1].name} ({top[0]:.0%})") if top else "", stack.status]
