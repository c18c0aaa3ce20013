"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no external resources) for design
reviews: verdict, findings (repeated findings as one row with a <details> of every member:
:mod:`sledcheck.report.groups`), top and side views of the assembly with the findings drawn on them, every
member of a group too (:mod:`.assembly`, :mod:`.annotations`), and the thermal margins (:mod:`.thermal`)."""

from __future__ import annotations

import math
from typing import Any

from ...checks.engine import Finding
from ..groups import FindingGroup, group_findings, subjects_text
from ..model import Report, stack_label, stack_outside, stack_requirement
from ..sarif import repo_path
from ..text import closest_gaps
from .assembly import offenders, pictures
from .style import CSS, SEVERITY_COLOUR, VERDICT_NOTES, VERDICTS, esc, plural, quantity_text
from .thermal import thermal_section


def _header(report: Report) -> list[str]:
    from ...version import __version__

    s = report.summary
    verdict = report.verdict
    chips = "".join(f'<span class="chip {k}{" n" if s[k] else ""}">{esc(plural(s[k], k))}</span>'
                    for k in ("error", "warning", "info", "waived"))
    meta = [f"design <code>{esc(repo_path(report.design))}</code>", esc(plural(len(report.parts), "part"))]
    if report.specs:
        meta.append("specs: " + esc(", ".join(report.specs)))
    meta.append(f"fail on: {esc(report.fail_on)}")
    if report.baseline:
        meta.append(f"baseline <code>{esc(repo_path(report.baseline.file))}</code>")
    meta.append(f"sledcheck {esc(__version__)}")
    out = ['<header class="top">',
           f'<div class="badge {esc(verdict)}" title="{esc(VERDICT_NOTES[verdict])}">{VERDICTS[verdict]}</div>',
           f'<div><h1>{esc(report.name)}</h1><div class="meta">' + "".join(f"<span>{m}</span>" for m in meta)
           + f'</div><div class="counts"><span class="chip">verdict: {esc(verdict)}</span>{chips}</div></div>',
           "</header>"]
    if report.incomplete:
        out.append('<p class="note">A rule crashed (X001), so part of the design was not checked: the verdict is '
                   "incomplete.</p>")
    return out

def _member_rows(group: FindingGroup) -> str:
    """Every member of a group: subjects, measured value, location."""
    rows = "".join(f"<tr><td>{esc(subjects_text(f))}</td><td class=\"num\">{esc(quantity_text(f.measured))}</td>"
                   f'<td class="where">{_where(f)}</td></tr>' for f in group.findings)
    return ('<table class="members"><thead><tr><th>Subjects</th><th class="num">Measured</th><th>Where</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>")


def _where(f: Finding) -> str:
    return f"{esc(repo_path(f.location.file))}:{f.location.line}" if f.location else ""


def _finding_row(group: FindingGroup) -> str:
    """One row per group: a group of one is its finding; a larger group has the count, the range of the
    measured values, the distinct locations and a <details> listing every member."""
    f = group.first
    classes = [f"sev-{f.severity}"]
    severity = esc(f.severity)
    message = esc(f.message)
    if f.waived:
        classes.append("waived")
        severity = f"waived ({esc(f.severity)})"
        message += f'<br><em>waived: {esc(f.waiver_reason or "no reason given")}</em>'
    elif f.baseline == "existing":
        severity += " (in baseline)"
    subjects = esc(", ".join(f.subjects))
    measured = esc(quantity_text(f.measured))
    where = _where(f)
    if group.count > 1:
        classes.append("group")
        subjects = (f"<details><summary>{esc(group.head())}</summary>"
                    f"{_member_rows(group)}</details>")
        measured = esc(group.measured() or "")
        where = "<br>".join(esc(w) for w in group.where(lambda location: repo_path(location.file), False))
    return (f'<tr class="{" ".join(classes)}"><td class="code">{esc(f.code)}</td><td class="sev">{severity}'
            f"</td><td>{esc(f.name)}</td><td>{subjects}</td><td>{message}</td>"
            f'<td class="num">{measured}</td>'
            f'<td class="num">{esc(quantity_text(f.limit))}</td>'
            f'<td class="where">{where}</td></tr>')


def _findings(report: Report) -> list[str]:
    out = ['<section id="findings"><h2>Findings</h2>']
    if not report.findings:
        out.append("<p>No findings.</p></section>")
        return out
    out.append('<table class="findings"><thead><tr><th>Code</th><th>Severity</th><th>Rule</th><th>Subjects</th>'
               '<th>Message</th><th class="num">Measured</th><th class="num">Limit</th><th>Where</th></tr></thead>'
               "<tbody>")
    for group in group_findings(report):
        out.append(_finding_row(group))
    out.append("</tbody></table>")
    if report.baseline and report.baseline.fixed:
        out.append("<p>Fixed since the baseline: " + esc("; ".join(
            f"{code} {', '.join(subjects)}" for code, subjects in report.baseline.fixed)) + "</p>")
    out.append("</section>")
    return out

def _gaps(report: Report) -> list[str]:
    """The closest gaps of heat sinks, lids, DIMMs and fans, passing or not (none when nothing was measured)."""
    gaps = closest_gaps(report)
    if not gaps:
        return []
    out = ['<section id="gaps"><h2>Closest gaps</h2><p class="muted">Heat sinks, lids, DIMMs and fans, passing ones '
           "too (exact for the meshes; a coarsely tessellated curved face can be closer by its chord error).</p>",
           '<table class="gaps"><thead><tr><th>Parts</th><th class="num">Gap</th><th class="num">Required</th>'
           "<th>Status</th></tr></thead><tbody>"]
    for g in gaps:
        state = {"clear": "ok", "contact": "ok", "clearance": "short"}.get(g.status, "bad")
        required = f"{g.required_mm:g} mm" if g.required_mm > 0 else ""
        out.append(f"<tr><td>{esc(' / '.join(g.parts))}</td><td class=\"num {state}\">{g.gap_mm:.3f} mm</td>"
                   f'<td class="num">{required}</td><td>{esc(g.status)}</td></tr>')
    out.append("</tbody></table></section>")
    return out


def _stackups(report: Report) -> list[str]:
    """Each tolerance stack: its numbers, its loop drawn on a side view of the chain, its contributors' shares
    as bars and the quantity's distribution with the limits marked (small inline SVGs: the document stays
    self-contained and deterministic)."""
    if not report.stackups:
        return []
    out = ['<section id="stackups"><h2>Tolerance stack-ups</h2><table class="gaps"><thead><tr><th>Of (chain)</th>'
           '<th class="num">Nominal</th><th class="num">Required</th><th class="num">Worst case</th>'
           '<th class="num">RSS</th><th class="num">P(outside)</th><th>Status</th><th>Loop</th><th>Contributors</th>'
           "<th>Distribution</th></tr></thead><tbody>"]
    bounds = {p.name: p.bounds for p in report.parts}
    for stack in report.stackups:
        r = stack.result
        label = esc(stack_label(stack))
        if r is None:
            out.append(f"<tr><td>{label}</td><td colspan=\"8\">{esc(stack.reason)}</td><td>{esc(stack.status)}</td>"
                       "</tr>")
            continue
        state = {"pass": "ok", "marginal": "short"}.get(stack.status, "bad")
        out.append(f"<tr><td>{label}<br><span class=\"muted\">{esc(' - '.join(stack.chain))}</span></td>"
                   f'<td class="num">{r.nominal_mm:.3f} mm</td><td class="num">{esc(stack_requirement(stack))}</td>'
                   f'<td class="num">{r.worst_mm[0]:.3f} .. {r.worst_mm[1]:.3f} mm</td>'
                   f'<td class="num">{r.rss_mm[0]:.3f} .. {r.rss_mm[1]:.3f} mm</td>'
                   f'<td class="num {state}">{stack_outside(r):.2g}</td><td>{esc(stack.status)}</td>'
                   f"<td>{_loop(stack, bounds)}</td><td>{_share_bars(stack)}</td><td>{_distribution(stack)}</td></tr>")
    out.append("</tbody></table></section>")
    return out


def _loop(stack: Any, bounds: dict[str, Any]) -> str:
    """The loop on a side view: the chain's parts as their bounding boxes, seen across the stack direction (its
    main axis upwards; across, the axis the loop spreads along most), cut to the loop's own width, and the path
    from the quantity's start through each contact to its end (red; the start and end as dots). The stack
    direction is drawn to its own scale (a stack is thin beside a sled), as the label says."""
    if not stack.points:
        return ""
    up = max(range(3), key=lambda k: abs(stack.direction[k]))
    spread = [max(p[k] for p in stack.points) - min(p[k] for p in stack.points) for k in range(3)]
    across = max((k for k in range(3) if k != up), key=lambda k: (spread[k], -k))
    names = [n for n in stack.chain if n in bounds]
    boxes = [bounds[n] for n in names]
    xs = [p[across] for p in stack.points]
    margin = max(0.15 * (max(xs) - min(xs)), 10.0)
    x0, x1 = min(xs) - margin, max(xs) + margin
    ys = [b[0][up] for b in boxes] + [b[1][up] for b in boxes] + [p[up] for p in stack.points]
    y0, y1 = min(ys), max(ys)
    sx, sy = 220 / (x1 - x0), 130 / max(y1 - y0, 1e-9)

    def px(x: float, y: float) -> tuple[float, float]:
        return 10 + (min(max(x, x0), x1) - x0) * sx, 140 - (y - y0) * sy

    shapes = []
    for name, box in zip(names, boxes, strict=True):
        (ax, ay), (bx, by) = px(box[0][across], box[1][up]), px(box[1][across], box[0][up])
        shapes.append(f'<rect x="{ax:.1f}" y="{ay:.1f}" width="{max(bx - ax, 0.5):.1f}" '
                      f'height="{max(by - ay, 0.5):.1f}" fill="#dfe6ee" fill-opacity="0.6" stroke="#8a9bb0" '
                      f'stroke-width="0.6"><title>{esc(name)}</title></rect>')
    corners = [px(p[across], p[up]) for p in stack.points]
    path = " ".join(f"{'M' if k == 0 else 'L'}{x:.1f},{y:.1f}" for k, (x, y) in enumerate(corners))
    ends = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#c0392b"/>' for x, y in (corners[0], corners[-1]))
    label = (f'<text x="240" y="151" font-size="9" text-anchor="end">{"xyz"[across]} across, {"xyz"[up]} up '
             f"(x{sy / sx:.2g})</text>" if sy > 1.05 * sx else
             f'<text x="240" y="151" font-size="9" text-anchor="end">{"xyz"[across]} across, {"xyz"[up]} up</text>')
    return (f'<svg width="240" height="153" role="img" aria-label="stack-up loop">{"".join(shapes)}'
            f'<path d="{path}" fill="none" stroke="#c0392b" stroke-width="1.4"/>{ends}{label}</svg>')


def _share_bars(stack: Any) -> str:
    """Horizontal bars of each contributor's share of the variance."""
    rows = sorted(zip(stack.result.shares, stack.contributors, strict=True), key=lambda x: -x[0])
    height = 14 * len(rows)
    bars = "".join(f'<rect x="120" y="{14 * i + 2}" width="{100 * share:.1f}" height="10" fill="#4a78b5"/>'
                   f'<text x="116" y="{14 * i + 11}" font-size="10" text-anchor="end">{esc(c.name[:22])}</text>'
                   f'<text x="{124 + 100 * share:.1f}" y="{14 * i + 11}" font-size="10">{share:.0%}</text>'
                   for i, (share, c) in enumerate(rows))
    return f'<svg width="260" height="{height}" role="img" aria-label="variance shares">{bars}</svg>'


def _distribution(stack: Any) -> str:
    """The quantity's distribution (normal, with the stack's mean and sigma) over its worst-case range [mm], its
    limits as red lines."""
    r = stack.result
    lo, hi = r.worst_mm
    if not hi > lo or r.sigma_mm <= 0:
        return ""
    xs = [lo + (hi - lo) * k / 60 for k in range(61)]
    ys = [math.exp(-0.5 * ((x - r.mean_mm) / r.sigma_mm) ** 2) for x in xs]

    def px(x: float) -> float:
        return 5 + 190 * (x - lo) / (hi - lo)

    path = " ".join(f"{'M' if k == 0 else 'L'}{px(x):.1f},{55 - 48 * y:.1f}"
                    for k, (x, y) in enumerate(zip(xs, ys, strict=True)))
    marks = "".join(f'<line x1="{px(limit):.1f}" y1="2" x2="{px(limit):.1f}" y2="56" stroke="#c0392b" '
                    'stroke-width="1.5"/>' for limit in (stack.required_mm, stack.upper_mm)
                    if limit is not None and lo <= limit <= hi)
    return (f'<svg width="200" height="70" role="img" aria-label="gap distribution"><path d="{path}" fill="none" '
            f'stroke="#333"/>{marks}<text x="5" y="68" font-size="9">{lo:.2f}</text>'
            f'<text x="195" y="68" font-size="9" text-anchor="end">{hi:.2f} mm</text></svg>')


def _parts(report: Report) -> list[str]:
    out = ['<section id="parts"><h2>Parts</h2><table class="parts"><thead><tr><th>Part</th><th>Role</th>'
           '<th>File</th><th class="num">Triangles</th><th class="num">Bodies</th><th>Closed</th>'
           '<th class="num">Bounds x [mm]</th><th class="num">y [mm]</th><th class="num">z [mm]</th></tr></thead>'
           "<tbody>"]
    bad = offenders(report)
    for p in report.parts:
        lo, hi = p.bounds
        name = esc(p.name)
        if p.name in bad:
            name = f'<strong style="color:{SEVERITY_COLOUR[bad[p.name]]}">{name}</strong>'
        ranges = "".join(f'<td class="num">{lo[i]:.2f} – {hi[i]:.2f}</td>' for i in range(3))
        out.append(f"<tr><td>{name}</td><td>{esc(p.role)}</td><td class=\"where\">{esc(repo_path(p.file))}</td>"
                   f'<td class="num">{p.triangles}</td><td class="num">{p.bodies}</td>'
                   f"<td>{'yes' if p.watertight else 'no'}</td>{ranges}</tr>")
    out.append("</tbody></table></section>")
    return out

def render_html(report: Report) -> str:
    """The report as one self-contained HTML document (deterministic)."""
    title = f"sledcheck {VERDICTS[report.verdict]}: {report.name}"
    body = [*_header(report), *_findings(report), *pictures(report), *_gaps(report), *_stackups(report),
            *thermal_section(report), *_parts(report)]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body><main>",
        *body,
        '<footer>Generated by sledcheck. Dimensions in mm; temperatures in °C; airflow in CFM. '
        "Views are projections of the CAD meshes (outlines simplified to about 0.2 mm).</footer>",
        "</main></body>",
        "</html>",
        "",
    ])


__all__ = ["offenders", "render_html"]
