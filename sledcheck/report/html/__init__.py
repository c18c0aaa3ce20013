"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no external resources) for design
reviews: verdict, findings (repeated findings as one row with a <details> of every member:
:mod:`sledcheck.report.groups`), top and side views of the assembly with the findings drawn on them, every
member of a group too (:mod:`.assembly`, :mod:`.annotations`), and the thermal margins (:mod:`.thermal`)."""

from __future__ import annotations

import math
from typing import Any

from ...checks.engine import Finding
from ..groups import FindingGroup, group_findings, subjects_text
from ..model import Report
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
    """Each tolerance stack: its numbers, its contributors' shares as bars and the gap's distribution with the
    requirement marked (small inline SVGs: the document stays self-contained and deterministic)."""
    if not report.stackups:
        return []
    out = ['<section id="stackups"><h2>Tolerance stack-ups</h2><table class="gaps"><thead><tr><th>Parts</th>'
           '<th>Chain</th><th class="num">Nominal</th><th class="num">Required</th><th class="num">Worst case</th>'
           '<th class="num">RSS</th><th class="num">P(below)</th><th>Status</th><th>Contributors</th>'
           "<th>Distribution</th></tr></thead><tbody>"]
    for stack in report.stackups:
        r = stack.result
        parts = esc(" / ".join((stack.a, stack.b)))
        if r is None:
            out.append(f"<tr><td>{parts}</td><td colspan=\"8\">{esc(stack.reason)}</td><td>{esc(stack.status)}</td>"
                       "</tr>")
            continue
        state = {"pass": "ok", "marginal": "short"}.get(stack.status, "bad")
        out.append(f"<tr><td>{parts}</td><td>{esc(' - '.join(stack.chain))}</td>"
                   f'<td class="num">{r.nominal_mm:.3f} mm</td><td class="num">{stack.required_mm:g} mm</td>'
                   f'<td class="num">{r.worst_mm[0]:.3f} mm</td><td class="num">{r.rss_mm[0]:.3f} mm</td>'
                   f'<td class="num {state}">{r.p_below_required:.2g}</td><td>{esc(stack.status)}</td>'
                   f"<td>{_share_bars(stack)}</td><td>{_distribution(stack)}</td></tr>")
    out.append("</tbody></table></section>")
    return out


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
    """The gap's distribution (normal, with the stack's mean and sigma) over its worst-case range [mm], the
    requirement as a red line."""
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
    need = stack.required_mm
    mark = (f'<line x1="{px(need):.1f}" y1="2" x2="{px(need):.1f}" y2="56" stroke="#c0392b" stroke-width="1.5"/>'
            if lo <= need <= hi else "")
    return (f'<svg width="200" height="70" role="img" aria-label="gap distribution"><path d="{path}" fill="none" '
            f'stroke="#333"/>{mark}<text x="5" y="68" font-size="9">{lo:.2f}</text>'
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
