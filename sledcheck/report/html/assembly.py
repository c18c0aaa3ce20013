"""The assembly views of the HTML report: top and side projections of every part, the zones, the findings'
annotations (:mod:`.annotations`) and zoomed details around them."""

from __future__ import annotations

from typing import Any

from ...checks.engine import Finding
from ...model.views import Outline, PartView, Views
from ..model import Report
from .annotations import annotation_for
from .figures import SIDE, TOP, figure, mpl, outline_path, outline_xy, svg, to_plot
from .style import BACKGROUND_ROLES, DEFAULT_FILL, EDGE, ROLE_FILL, SEVERITY_COLOUR, SEVERITY_FILL, ZONE_COLOUR, esc


def offenders(report: Report) -> dict[str, str]:
    """Parts that are subjects of unwaived error or warning findings -> the worst severity."""
    out: dict[str, str] = {}
    for f in report.findings:
        if f.waived or f.severity not in ("error", "warning"):
            continue
        for s in f.subjects:
            if out.get(s) != "error":
                out[s] = f.severity
    return out

def finding_colour(f: Finding) -> str:
    return SEVERITY_COLOUR["waived" if f.waived else f.severity]

def _area(view: str, part: PartView) -> float:
    (x0, y0, z0), (x1, y1, z1) = part.bounds
    return (x1 - x0) * (y1 - y0) if view == TOP else (y1 - y0) * (z1 - z0)

def _is_background(view: str, part: PartView, views: Views) -> bool:
    if part.role in BACKGROUND_ROLES:
        return True
    (x0, y0, z0), (x1, y1, z1) = views.bounds
    total = (x1 - x0) * (y1 - y0) if view == TOP else (y1 - y0) * (z1 - z0)
    return total > 0 and _area(view, part) > 0.6 * total

class _Outlines:
    """Part outlines in drawing order, added to the axes as one PathCollection per run of consecutive outlines
    of one style: a board of thousands of parts draws a few collections instead of a patch per part (most of its
    HTML time was matplotlib's per-artist cost), in the same painter's order and with the same colours, widths,
    joins and caps as single patches (a translucent outline's fill and edge now fade separately, not as one
    group: within a few levels of 255). Added without data limits: the figures set their limits."""

    def __init__(self, ax: Any, view: str) -> None:
        self.ax, self.view = ax, view
        self.style: tuple[Any, ...] | None = None
        self.paths: list[Any] = []

    def add(self, outline: Outline, *, facecolor: str, edgecolor: str, linewidth: float, zorder: int,
            alpha: float | None = None) -> None:
        style = (facecolor, edgecolor, linewidth, zorder, alpha)
        if style != self.style:
            self.flush()
            self.style = style
        self.paths.append(outline_path(self.view, outline))

    def flush(self) -> None:
        if self.paths and self.style is not None:
            from matplotlib.collections import PathCollection

            facecolor, edgecolor, linewidth, zorder, alpha = self.style
            self.ax.add_collection(PathCollection(self.paths, facecolors=[facecolor], edgecolors=[edgecolor],
                                                  linewidths=[linewidth], alpha=alpha, zorder=zorder,
                                                  joinstyle="miter", capstyle="butt"), autolim=False)
        self.paths = []

def _in_window(view: str, part: PartView, window: tuple[float, float, float, float] | None) -> bool:
    """Does the part's box, seen in ``view``, meet the plot window (u0, u1, v0, v1)? (None: the whole view.)"""
    if window is None:
        return True
    u0, u1, v0, v1 = window
    (pu0, pv0), (pu1, pv1) = to_plot(view, part.bounds[0]), to_plot(view, part.bounds[1])
    return min(pu0, pu1) <= u1 and max(pu0, pu1) >= u0 and min(pv0, pv1) <= v1 and max(pv0, pv1) >= v0

def _draw_parts(ax: Any, view: str, views: Views, bad: dict[str, str], labels: bool,
                window: tuple[float, float, float, float] | None = None) -> None:
    """Every part's outlines in ``view``; with a zoomed ``window``, only the parts whose boxes meet it (the
    others would be clipped away: a detail costs what it shows, not the whole assembly)."""
    shown = [p for p in views.parts if _in_window(view, p, window)]
    background = [p for p in shown if _is_background(view, p, views)]
    rest = [p for p in shown if not _is_background(view, p, views)]
    # painter's order: seen from above, higher parts last; seen from the side (+x), nearer (larger x) last
    depth = (lambda p: (p.bounds[1][2], p.bounds[0][2], p.name)) if view == TOP else \
        (lambda p: (p.bounds[1][0], p.bounds[0][0], p.name))
    rest.sort(key=depth)
    drawn = _Outlines(ax, view)
    for part in background:
        severity = bad.get(part.name)
        colour = SEVERITY_COLOUR[severity] if severity else EDGE
        fill = ROLE_FILL.get(part.role, DEFAULT_FILL)
        for outline in part.top if view == TOP else part.side:
            face = "none" if part.role in ("lid", "cover") and view == TOP else fill
            drawn.add(outline, facecolor=face, edgecolor=colour, linewidth=1.4 if severity else 0.7, zorder=1)
    for part in rest:
        severity = bad.get(part.name)
        fill = SEVERITY_FILL[severity] if severity else ROLE_FILL.get(part.role, DEFAULT_FILL)
        colour = SEVERITY_COLOUR[severity] if severity else EDGE
        for outline in part.top if view == TOP else part.side:
            drawn.add(outline, facecolor=fill, edgecolor=colour, linewidth=1.3 if severity else 0.6, alpha=0.92,
                         zorder=2)
    # offenders' edges once more on top, so a hidden offender still shows
    for part in rest:
        severity = bad.get(part.name)
        if severity:
            for outline in part.top if view == TOP else part.side:
                drawn.add(outline, facecolor="none", edgecolor=SEVERITY_COLOUR[severity], linewidth=1.3, zorder=6)
    drawn.flush()
    if not labels:
        return
    placed: list[tuple[float, float]] = []
    for part in sorted(rest, key=lambda p: (-_area(view, p), p.name)):
        outlines = part.top if view == TOP else part.side
        if not outlines:
            continue
        import shapely

        polygons = [shapely.Polygon(*outline_xy(view, o)) for o in outlines]
        biggest = max(polygons, key=lambda g: g.area)
        bx0, by0, bx1, by1 = biggest.bounds
        if view == TOP and min(bx1 - bx0, by1 - by0) < 6:
            continue
        if view == SIDE and (by1 - by0 < 5 or bx1 - bx0 < 12):
            continue                                          # too thin to hold its name in the side view
        point = biggest.representative_point()
        if view == SIDE:
            point = shapely.Point((bx0 + bx1) / 2, (by0 + by1) / 2)
            if not biggest.contains(point):
                point = biggest.representative_point()
        if any(abs(point.x - px) < 18 and abs(point.y - py) < 6 for px, py in placed):
            continue
        placed.append((point.x, point.y))
        severity = bad.get(part.name)
        ax.text(point.x, point.y, part.name, ha="center", va="center",
                fontsize=7.5 if view == TOP else 7, color=SEVERITY_COLOUR[severity] if severity else "#2a3140",
                fontweight="bold" if severity else "normal", zorder=9, clip_on=True)

def _draw_zones(ax: Any, view: str, views: Views, labels: bool) -> None:
    from matplotlib.patches import Polygon as MplPolygon
    from matplotlib.patches import Rectangle

    (_, _, az0), (_, _, az1) = views.bounds
    for zone in views.zones:
        colour = ZONE_COLOUR.get(zone.kind, "#555")
        xs = [p[0] for p in zone.outline]
        ys = [p[1] for p in zone.outline]
        if view == TOP:
            points = [(y, x) for x, y in zone.outline]
            ax.add_patch(MplPolygon(points, closed=True, facecolor=colour, alpha=0.06, edgecolor="none", zorder=3))
            ax.add_patch(MplPolygon(points, closed=True, facecolor="none", edgecolor=colour, linestyle=(0, (5, 3)),
                                    linewidth=1.3, zorder=7))
            if labels:
                kind = " (keep-out)" if zone.kind == "keepout" else f" (height ≤ {_zone_limit(zone, views)})"
                text = zone.name + kind
                ax.text(min(ys), min(xs) - 1.5, text, ha="left", va="bottom", fontsize=7.5, color=colour,
                        fontweight="bold", zorder=10, clip_on=True,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
            continue
        y0, y1 = min(ys), max(ys)
        if zone.kind == "keepout":
            z0 = zone.z[0] if zone.z[0] is not None else az0
            z1 = zone.z[1] if zone.z[1] is not None else az1
            ax.add_patch(Rectangle((y0, z0), y1 - y0, z1 - z0, facecolor=colour, alpha=0.06, edgecolor="none",
                                   zorder=3))
            ax.add_patch(Rectangle((y0, z0), y1 - y0, z1 - z0, facecolor="none", edgecolor=colour,
                                   linestyle=(0, (5, 3)), linewidth=1.2, zorder=7))
            if labels:
                ax.text(y0, z1 + 0.6, zone.name, ha="left", va="bottom", fontsize=7, color=colour,
                        fontweight="bold", zorder=10, clip_on=True,
                        bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        elif zone.z[0] is not None:
            ax.plot([y0, y1], [zone.z[0]] * 2, color=colour, linestyle=(0, (5, 3)), linewidth=1.4, zorder=7)
            ax.plot([y0, y0], [az0, zone.z[0]], color=colour, linestyle=":", linewidth=0.8, zorder=7)
            ax.plot([y1, y1], [az0, zone.z[0]], color=colour, linestyle=":", linewidth=0.8, zorder=7)
            if labels:
                ax.text((y0 + y1) / 2, zone.z[0] + 0.4, f"{zone.name} ≤ {_zone_limit(zone, views)}", ha="center",
                        va="bottom", fontsize=7, color=colour, fontweight="bold", zorder=10, clip_on=True,
                        bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})

def _zone_limit(zone: Any, views: Views) -> str:
    if zone.z[0] is None:
        return "?"
    ref = views.part(zone.above) if zone.above else None
    if ref is not None:
        return f"{zone.z[0] - ref.bounds[1][2]:.4g} mm above {zone.above}"
    return f"z {zone.z[0]:.4g} mm"

def _draw_findings(ax: Any, view: str, report: Report, views: Views, detail: bool = False) -> None:
    """Each finding's evidence, drawn by the annotation registered for its type."""
    for f in report.findings:
        annotation = annotation_for(f.evidence)
        if annotation is not None:
            annotation.draw(ax, view, f, f.evidence, views, finding_colour(f), detail)


def _view_figure(report: Report, views: Views, view: str, prefix: str) -> str:
    (x0, y0, z0), (x1, y1, z1) = views.bounds
    depth = max(y1 - y0, 1.0)
    span = max((x1 - x0) if view == TOP else (z1 - z0), 1.0)
    width = 13.0
    exaggeration = 1
    if view == SIDE:
        exaggeration = max(1, int(round(0.16 * depth / span)))
    height = max(1.6, min(9.0, width * span * exaggeration / depth)) + 0.5
    with mpl():
        fig = figure(width, height)
        ax = fig.add_subplot(1, 1, 1)
        bad = offenders(report)
        _draw_parts(ax, view, views, bad, labels=True)
        _draw_zones(ax, view, views, labels=True)
        _draw_findings(ax, view, report, views)
        pad_u = 0.02 * depth
        pad_v = 0.04 * span
        ax.set_xlim(y0 - pad_u, y1 + pad_u)
        if view == TOP:
            ax.set_ylim(x1 + pad_v, x0 - pad_v)   # x grows downwards: seen from above with airflow to the right
            ax.set_aspect("equal")
            ax.set_ylabel("x (width) [mm]")
            ax.set_title("TOP view (from above)", loc="left", fontweight="bold")
        else:
            ax.set_ylim(z0 - pad_v - 1, z1 + pad_v + 10)
            ax.set_aspect(exaggeration)
            ax.set_ylabel("z (height) [mm]")
            title = "SIDE view (from +x)"
            if exaggeration > 1:
                title += f", height exaggerated ×{exaggeration}"
            ax.set_title(title, loc="left", fontweight="bold")
        ax.set_xlabel("y (depth) [mm]   front → back, airflow →")
        ax.grid(True, color="#e6e8ec", linewidth=0.5, zorder=0)
        ax.set_axisbelow(True)
        return svg(fig, prefix)

def _detail_windows(report: Report, views: Views) -> list[tuple[str, str, tuple[float, float, float, float], Finding]]:
    """(title, view, (u0, u1, v0, v1), finding) of zoomed views around interferences, clearances, overruns."""
    out: list[tuple[str, str, tuple[float, float, float, float], Finding]] = []
    for f in report.findings:
        annotation = annotation_for(f.evidence)
        if annotation is not None and annotation.window is not None:
            proposed = annotation.window(f, f.evidence, views)
            if proposed is not None:
                title, view, window = proposed
                out.append((title, view, window, f))
    merged: dict[tuple[Any, ...], tuple[str, str, tuple[float, float, float, float], Finding]] = {}
    for title, view, window, f in out:
        key = (view, *(round(w, 1) for w in window))
        if key in merged:
            first = merged[key]
            merged[key] = (first[0] + "; " + title.split(": ", 1)[0].removeprefix(f.code + " "), view, window,
                           first[3])
        else:
            merged[key] = (title, view, window, f)
    return list(merged.values())[:6]

def _detail_figure(report: Report, views: Views, title: str, view: str, window: tuple[float, float, float, float],
                   prefix: str) -> str:
    u0, u1, v0, v1 = window
    with mpl():
        fig = figure(6.2, 2.9)
        ax = fig.add_subplot(1, 1, 1)
        _draw_parts(ax, view, views, offenders(report), labels=False, window=window)
        _draw_zones(ax, view, views, labels=False)
        _draw_findings(ax, view, report, views, detail=True)
        # name the parts that show in the window (parts with the same projected box share one label)
        named: dict[tuple[float, ...], list[str]] = {}
        for part in views.parts:
            (px0, py0, pz0), (px1, py1, pz1) = part.bounds
            pu0, pv0 = to_plot(view, (px0, py0, pz0))
            pu1, pv1 = to_plot(view, (px1, py1, pz1))
            lo_u, hi_u, lo_v, hi_v = min(pu0, pu1), max(pu0, pu1), min(pv0, pv1), max(pv0, pv1)
            if hi_u <= u0 or lo_u >= u1 or hi_v <= v0 or lo_v >= v1:
                continue
            if lo_u <= u0 and hi_u >= u1 and lo_v <= v0 and hi_v >= v1 and part.role not in BACKGROUND_ROLES:
                continue
            cu = min(max((lo_u + hi_u) / 2, u0 + 0.06 * (u1 - u0)), u1 - 0.06 * (u1 - u0))
            cv = min(max((max(lo_v, v0) + min(hi_v, v1)) / 2, v0), v1)
            named.setdefault((round(cu, 1), round(cv, 1)), []).append(part.name)
        for (cu, cv), names in named.items():
            ax.text(cu, cv, " / ".join(names), ha="center", va="center", fontsize=7, color="#2a3140", zorder=9,
                    clip_on=True, alpha=0.9)
        ax.set_xlim(u0, u1)
        if view == TOP:
            ax.set_ylim(v1, v0)
            ax.set_ylabel("x [mm]")
        else:
            ax.set_ylim(v0, v1)
            ax.set_ylabel("z [mm]")
        ax.set_xlabel("y [mm]")
        ax.set_title(title, loc="left", fontsize=9, fontweight="bold")
        ax.grid(True, color="#e6e8ec", linewidth=0.5)
        ax.set_axisbelow(True)
        return svg(fig, prefix)

def _legend(views: Views, bad: dict[str, str]) -> str:
    roles = sorted({p.role for p in views.parts})
    items = [f'<span><span class="sw" style="background:{ROLE_FILL.get(r, DEFAULT_FILL)}"></span>{esc(r)}</span>'
             for r in roles]
    if "error" in bad.values():
        items.append(f'<span><span class="sw" style="background:{SEVERITY_FILL["error"]};border-color:'
                     f'{SEVERITY_COLOUR["error"]}"></span>part with an error</span>')
    if "warning" in bad.values():
        items.append(f'<span><span class="sw" style="background:{SEVERITY_FILL["warning"]};border-color:'
                     f'{SEVERITY_COLOUR["warning"]}"></span>part with a warning</span>')
    items.append(f'<span><span class="sw dash" style="border-color:{ZONE_COLOUR["keepout"]}"></span>keep-out zone'
                 '</span>')
    items.append(f'<span><span class="sw dash" style="border-color:{ZONE_COLOUR["height"]}"></span>height limit'
                 '</span>')
    items.append('<span><span class="sw" style="background:repeating-linear-gradient(45deg,#d62828 0 2px,#fff 2px '
                 '5px);border-color:#d62828"></span>interference / intrusion</span>')
    items.append('<span><span class="sw line" style="border-color:#d62828"></span>clearance (closest points)</span>')
    return '<div class="legend">' + "".join(items) + "</div>"

def pictures(report: Report) -> list[str]:
    out = ['<section id="views"><h2>Assembly views</h2>']
    views = report.views
    if views is None or not isinstance(views, Views):
        out.append('<p class="note">Pictures are not available: this report was built without part outlines '
                   "(run <code>sledcheck check DESIGN --format html</code>, or "
                   "<code>check(path, views=True)</code> from Python).</p></section>")
        return out
    bad = offenders(report)
    highlighted = ", ".join(f"{name} ({sev})" for name, sev in sorted(bad.items()))
    out.append(_legend(views, bad))
    out.append(f'<figure class="view-top">{_view_figure(report, views, TOP, "top")}<figcaption>Seen from above, '
               "front (fan side) at the left. Parts that are subjects of unwaived findings are drawn in red (errors) "
               "or orange (warnings)" + (f": {esc(highlighted)}" if highlighted else "") + ".</figcaption></figure>")
    out.append(f'<figure class="view-side">{_view_figure(report, views, SIDE, "side")}<figcaption>Seen from the '
               "side, front at the left.</figcaption></figure>")
    details = _detail_windows(report, views)
    if details:
        out.append("<h3>Details</h3><div class=\"grid2\">")
        for i, (title, view, window, _f) in enumerate(details):
            out.append(f'<figure class="detail">{_detail_figure(report, views, title, view, window, f"d{i}")}'
                       f"<figcaption>{esc(view.upper())} view, zoomed (axes not to scale).</figcaption></figure>")
        out.append("</div>")
    out.append("</section>")
    return out
