"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no external resources) for design
reviews: verdict, findings, top and side views of the assembly with the findings drawn on them, and the thermal
margins (fan and system curves with operating points, temperatures per scenario, resistance chains).

Pictures are drawn with matplotlib (Agg-free SVG backend, text kept as text) with a fixed hash salt and no date,
so the same report always renders to the same bytes.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ..checks.engine import Finding
from .model import Report
from .sarif import repo_path
from .views import Outline, PartView, Views

VERDICTS = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}
VERDICT_NOTES = {"pass": "no unwaived finding at or above the fail level",
                 "fail": "unwaived findings at or above the fail level",
                 "error": "a check could not run, so the verdict is incomplete"}
CFM = 4.719474e-4  # m^3/s per cubic foot per minute

# light fills by role; unknown roles get a neutral grey
ROLE_FILL = {
    "tray": "#eef0f3", "chassis": "#eef0f3", "enclosure": "#eef0f3", "lid": "#f5f6f8", "cover": "#f5f6f8",
    "shroud": "#e8edf3", "pcb": "#cfe6cc", "board": "#cfe6cc", "package": "#f4d9a0", "heatsink": "#c6d4ea",
    "fan": "#d9d1f0", "dimm": "#cde9ee", "standoff": "#dcdcdc", "bracket": "#eadcc8", "component": "#efd9e4",
    "psu": "#e4e0cf", "riser": "#eadcc8", "cable": "#e8e2d0",
}
DEFAULT_FILL = "#e3e3e3"
BACKGROUND_ROLES = {"tray", "chassis", "enclosure", "lid", "cover"}
EDGE = "#5b6270"
SEVERITY_COLOUR = {"error": "#d62828", "warning": "#ee8a12", "info": "#3b6fb6", "waived": "#8a8f98"}
SEVERITY_FILL = {"error": "#f6a5a5", "warning": "#fcc98a"}
ZONE_COLOUR = {"keepout": "#7b3fbf", "height": "#0b7a8c"}
CHAIN_COLOURS = {"r_jc": "#6d5bd0", "r_tim": "#d9a21b", "r_spreading": "#e07a5f", "r_base": "#8d6e63",
                 "r_heatsink": "#3d8bd6", "r_ca": "#4aa3a2"}
CHAIN_LABELS = {"r_jc": "junction-case", "r_tim": "TIM", "r_spreading": "spreading", "r_base": "base",
                "r_heatsink": "heat sink (fins)", "r_ca": "case-air"}

CSS = """
:root { --fg:#1d2430; --muted:#5d6675; --line:#d7dbe2; --bg:#ffffff; --soft:#f5f7fa; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
       color:var(--fg); background:#eef1f5; }
main { max-width: 1360px; margin: 0 auto; padding: 18px 22px 40px; background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 18px; margin: 26px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 6px; }
.muted { color: var(--muted); }
header.top { display:flex; gap:18px; align-items:center; border-bottom: 3px solid var(--line); padding-bottom: 12px; }
.badge { font-weight: 800; font-size: 26px; letter-spacing: 1px; color:#fff; padding: 8px 18px; border-radius: 8px; }
.badge.pass { background:#1f8a47; } .badge.fail { background:#c62828; } .badge.error { background:#b7791f; }
.meta { display:flex; flex-wrap:wrap; gap: 4px 16px; color: var(--muted); font-size: 13px; }
.meta code { color: var(--fg); }
.counts { display:flex; gap:8px; margin-top:6px; flex-wrap: wrap; }
.chip { border-radius: 999px; padding: 2px 10px; font-size: 13px; font-weight: 600; border:1px solid var(--line);
        background: var(--soft); }
.chip.error.n { background:#fde2e2; border-color:#f3a4a4; color:#9b1c1c; }
.chip.warning.n { background:#fff0d9; border-color:#f6c27a; color:#8a4b08; }
.chip.info.n { background:#e4eefb; border-color:#a9c3ea; color:#244d86; }
.chip.waived.n { background:#eceef1; border-color:#c5c9d0; color:#4b5260; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 7px; vertical-align: top; text-align: left; }
th { background: var(--soft); font-weight: 650; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-weight: 700; white-space: nowrap; }
tr.sev-error td.sev { color:#b42318; font-weight:700; } tr.sev-warning td.sev { color:#a15c07; font-weight:700; }
tr.sev-info td.sev { color:#2f5d9e; }
tr.waived td { color: #7a808a; background: #fafafa; } tr.waived td.sev { font-weight: 600; font-style: italic; }
tr.sev-error td:first-child { border-left: 4px solid #d62828; }
tr.sev-warning td:first-child { border-left: 4px solid #ee8a12; }
tr.waived td:first-child { border-left: 4px solid #b8bcc4; }
.where { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12px; white-space: nowrap; }
.note { background: #fff8e6; border: 1px solid #f2d48a; padding: 8px 12px; border-radius: 6px; }
figure { margin: 10px 0 18px; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 12.5px; margin-top: 2px; }
.grid2 { display:grid; grid-template-columns: 1fr 1fr; gap: 6px 22px; }
.legend { display:flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12.5px; color: var(--muted); margin: 4px 0 8px; }
.sw { display:inline-block; width: 14px; height: 11px; border: 1px solid #5b6270; vertical-align: -1px;
      margin-right: 4px; }
.sw.line { height: 0; border-width: 2px 0 0 0; width: 18px; vertical-align: 3px; }
.sw.dash { height: 0; border-width: 2px 0 0 0; border-style: dashed; width: 18px; vertical-align: 3px; }
td.bad { background:#fbd5d5; color:#8f1414; font-weight:700; }
td.short { background:#ffedc7; color:#7a4a00; font-weight:650; }
td.ok { background:#eaf6ec; }
.small { font-size: 12px; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print { body { background: #fff; } main { max-width: none; } }
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _quantity(q: Any) -> str:
    return f"{q:.4g~P}" if q is not None else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word in ("info", "waived") else f"{n} {word}s"


# --------------------------------------------------------------------------------------------- matplotlib


@contextmanager
def _mpl() -> Iterator[Any]:
    """matplotlib with byte-stable SVG output: fixed hash salt, text kept as text, no math parsing."""
    import matplotlib

    settings = {"svg.hashsalt": "sledcheck", "svg.fonttype": "none", "text.parse_math": False,
                "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"], "font.size": 9,
                "axes.titlesize": 10, "axes.labelsize": 9, "xtick.labelsize": 8, "ytick.labelsize": 8,
                "legend.fontsize": 8, "axes.edgecolor": "#8a909a", "axes.linewidth": 0.8,
                "hatch.linewidth": 0.8, "path.simplify": False}
    with matplotlib.rc_context(settings):
        yield matplotlib


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def _svg(fig: Any, prefix: str) -> str:
    """The figure as an inline <svg> element with ids made unique to this figure."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.06)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # inline in HTML the SVG namespace is implied: drop the namespace URIs and matplotlib's RDF metadata
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', text)
    return text.strip()


# ------------------------------------------------------------------------------------------- the views

TOP, SIDE = "top", "side"


def _to_plot(view: str, point: Iterable[float]) -> tuple[float, float]:
    """A 3-D point [mm] in a view's plot coordinates: both views put the depth y (airflow) horizontal;
    TOP draws x downwards (seen from above), SIDE draws z upwards."""
    x, y, z = (list(point) + [0.0, 0.0, 0.0])[:3]
    return (y, x) if view == TOP else (y, z)


def _outline_xy(view: str, outline: Outline) -> tuple[list[tuple[float, float]], list[list[tuple[float, float]]]]:
    """Stored outline (top: (x, y); side: (y, z)) in plot coordinates."""
    if view == TOP:
        return [(v, u) for u, v in outline.exterior], [[(v, u) for u, v in h] for h in outline.holes]
    return list(outline.exterior), [list(h) for h in outline.holes]


def _patch(view: str, outline: Outline, **style: Any) -> Any:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    exterior, holes = _outline_xy(view, outline)
    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for ring in [exterior, *holes]:
        if len(ring) < 3:
            continue
        vertices += [*ring, ring[0]]
        codes += [Path.MOVETO] + [Path.LINETO] * (len(ring) - 1) + [Path.CLOSEPOLY]
    return PathPatch(Path(vertices, codes), **style)


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


def _finding_colour(f: Finding) -> str:
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


def _draw_parts(ax: Any, view: str, views: Views, bad: dict[str, str], labels: bool) -> None:
    background = [p for p in views.parts if _is_background(view, p, views)]
    rest = [p for p in views.parts if not _is_background(view, p, views)]
    # painter's order: seen from above, higher parts last; seen from the side (+x), nearer (larger x) last
    depth = (lambda p: (p.bounds[1][2], p.bounds[0][2], p.name)) if view == TOP else \
        (lambda p: (p.bounds[1][0], p.bounds[0][0], p.name))
    rest.sort(key=depth)
    for part in background:
        severity = bad.get(part.name)
        colour = SEVERITY_COLOUR[severity] if severity else EDGE
        fill = ROLE_FILL.get(part.role, DEFAULT_FILL)
        for outline in part.top if view == TOP else part.side:
            face = "none" if part.role in ("lid", "cover") and view == TOP else fill
            ax.add_patch(_patch(view, outline, facecolor=face, edgecolor=colour, alpha=None,
                                linewidth=1.4 if severity else 0.7, zorder=1))
    for part in rest:
        severity = bad.get(part.name)
        fill = SEVERITY_FILL[severity] if severity else ROLE_FILL.get(part.role, DEFAULT_FILL)
        colour = SEVERITY_COLOUR[severity] if severity else EDGE
        for outline in part.top if view == TOP else part.side:
            ax.add_patch(_patch(view, outline, facecolor=fill, edgecolor=colour,
                                linewidth=1.3 if severity else 0.6, alpha=0.92, zorder=2))
    # offenders' edges once more on top, so a hidden offender still shows
    for part in rest:
        severity = bad.get(part.name)
        if severity:
            for outline in part.top if view == TOP else part.side:
                ax.add_patch(_patch(view, outline, facecolor="none", edgecolor=SEVERITY_COLOUR[severity],
                                    linewidth=1.3, zorder=6))
    if not labels:
        return
    placed: list[tuple[float, float]] = []
    for part in sorted(rest, key=lambda p: (-_area(view, p), p.name)):
        outlines = part.top if view == TOP else part.side
        if not outlines:
            continue
        import shapely

        polygons = [shapely.Polygon(*_outline_xy(view, o)) for o in outlines]
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


def _box(view: str, region: Any) -> tuple[float, float, float, float]:
    lo, hi = region
    u0, v0 = _to_plot(view, lo)
    u1, v1 = _to_plot(view, hi)
    return min(u0, u1), min(v0, v1), abs(u1 - u0), abs(v1 - v0)


def _label(ax: Any, x: float, y: float, text: str, colour: str, **kw: Any) -> None:
    ax.text(x, y, text, fontsize=kw.pop("fontsize", 8), color=colour, fontweight="bold", zorder=12, clip_on=True,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": colour, "linewidth": 0.8,
                  "alpha": 0.95}, **kw)


def _draw_findings(ax: Any, view: str, report: Report, views: Views, detail: bool = False) -> None:
    from matplotlib.patches import Rectangle

    (ax0, ay0, az0), (ax1, ay1, az1) = views.bounds
    for f in report.findings:
        colour = _finding_colour(f)
        data = f.data or {}
        if f.code == "D201" and data.get("points_mm"):
            a, b = data["points_mm"][:2]
            (u0, v0), (u1, v1) = _to_plot(view, a), _to_plot(view, b)
            ax.plot([u0, u1], [v0, v1], color=colour, linewidth=1.8, marker="o", markersize=3.5, zorder=11)
            gap = data.get("gap_mm", f.measured.m_as("mm") if f.measured is not None else 0.0)
            _label(ax, (u0 + u1) / 2, (v0 + v1) / 2, f"gap {gap:.3g} mm", colour, ha="left", va="bottom")
        elif f.code in ("D101", "D301") and data.get("region_mm"):
            u, v, w, h = _box(view, data["region_mm"])
            ax.add_patch(Rectangle((u, v), w, h, facecolor="none", edgecolor=colour, hatch="////", linewidth=1.5,
                                   zorder=11))
            if f.code == "D101":
                text = f"overlap {data.get('overlap_volume_mm3', 0):.4g} mm³"
            else:
                text = f"{data.get('depth_mm', 0):.3g} mm into {data.get('zone', 'zone')}"
            if detail:
                _label(ax, u + w / 2, v - 0.8 if view == TOP else v + h + 0.8, text, colour, ha="center",
                       va="bottom" if view == SIDE else "top")
            elif view == TOP:
                _label(ax, u + w + 3, v + h / 2, text, colour, ha="left", va="center")
            else:
                _label(ax, u + w + 2, v + h + 4, text, colour, ha="left", va="bottom", fontsize=7.5)
        elif f.code == "D001" and f.limit is not None and data.get("dimension"):
            limit = f.limit.m_as("mm")
            dim = data["dimension"]
            if dim == "height" and view == SIDE:
                ax.axhline(az0 + limit, color=colour, linestyle=(0, (6, 2, 1, 2)), linewidth=1.3, zorder=11)
                if not detail:
                    _label(ax, ay1, az0 + limit + 4, f"{data.get('pack', 'envelope')} height {limit:.4g} mm "
                           f"(+{data.get('overrun_mm', 0):.3g} mm over)", colour, ha="right", va="bottom",
                           fontsize=7.5)
            elif dim == "depth":
                ax.axvline(ay0 + limit, color=colour, linestyle=(0, (6, 2, 1, 2)), linewidth=1.3, zorder=11)
                _label(ax, ay0 + limit, (ax0 if view == TOP else az1), f"depth limit {limit:.4g} mm", colour,
                       ha="right", va="top", fontsize=7.5)
            elif dim == "width" and view == TOP:
                ax.axhline(ax0 + limit, color=colour, linestyle=(0, (6, 2, 1, 2)), linewidth=1.3, zorder=11)
                _label(ax, ay0 + 2, ax0 + limit, f"width limit {limit:.4g} mm", colour, ha="left", va="bottom",
                       fontsize=7.5)
        elif f.code == "D302" and view == SIDE and data.get("top_mm") is not None:
            part = next((views.part(s) for s in f.subjects if views.part(s)), None)
            if part is not None:
                y = (part.bounds[0][1] + part.bounds[1][1]) / 2
                top = data["top_mm"]
                over = data.get("over_mm", 0.0)
                ax.annotate("", xy=(y, top), xytext=(y, top - over), zorder=11,
                            arrowprops={"arrowstyle": "<->", "color": colour, "linewidth": 1.3})
                _label(ax, y + 3, top, f"+{over:.3g} mm over {data.get('zone', '')}", colour, ha="left",
                       va="center", fontsize=7.5)
        elif f.code == "D401" and view == TOP and data.get("holes"):
            for hole in data["holes"]:
                if hole.get("within_tolerance"):
                    continue
                e, found = hole.get("expected"), hole.get("found")
                if e:
                    ax.plot([e[1]], [e[0]], marker="x", color=colour, markersize=6, mew=1.6, zorder=11)
                if found:
                    ax.plot([found[1]], [found[0]], marker="o", markerfacecolor="none", color=colour, markersize=7,
                            zorder=11)
                if e and hole.get("offset_mm") is not None:
                    _label(ax, e[1] + 3, e[0] + 3, f"hole off by {hole['offset_mm']:.3g} mm", colour, ha="left",
                           va="top", fontsize=7.5)


def _view_figure(report: Report, views: Views, view: str, prefix: str) -> str:
    (x0, y0, z0), (x1, y1, z1) = views.bounds
    depth = max(y1 - y0, 1.0)
    span = max((x1 - x0) if view == TOP else (z1 - z0), 1.0)
    width = 13.0
    exaggeration = 1
    if view == SIDE:
        exaggeration = max(1, int(round(0.16 * depth / span)))
    height = max(1.6, min(9.0, width * span * exaggeration / depth)) + 0.5
    with _mpl():
        fig = _figure(width, height)
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
        return _svg(fig, prefix)


def _detail_windows(report: Report, views: Views) -> list[tuple[str, str, tuple[float, float, float, float], Finding]]:
    """(title, view, (u0, u1, v0, v1), finding) of zoomed views around interferences, clearances, overruns."""
    out = []
    (ax0, ay0, az0), (ax1, ay1, az1) = views.bounds
    for f in report.findings:
        data = f.data or {}
        if f.code == "D101" and data.get("region_mm"):
            lo, hi = data["region_mm"]
            view = TOP if data.get("depth_axis") == "x" else SIDE
            u, v, w, h = _box(view, (lo, hi))
            pad_u = 0.15 * w + 4
            pad_v = max(5 * h, 4.0)
            out.append((f"{f.code} {' / '.join(f.subjects)}: overlap {data.get('overlap_volume_mm3', 0):.4g} mm³",
                        view, (u - pad_u, u + w + pad_u, v - pad_v, v + h + pad_v), f))
        elif f.code == "D201" and data.get("points_mm"):
            a, b = data["points_mm"][:2]
            delta = [abs(p - q) for p, q in zip(a, b, strict=False)]
            view = TOP if delta and delta[0] >= max(delta[1:] or [0]) else SIDE
            (u0, v0), (u1, v1) = _to_plot(view, a), _to_plot(view, b)
            half = max(5 * math.hypot(u1 - u0, v1 - v0), 4.0)
            cu, cv = (u0 + u1) / 2, (v0 + v1) / 2
            out.append((f"{f.code} {' / '.join(f.subjects)}: gap {data.get('gap_mm', 0):.3g} mm", view,
                        (cu - 2 * half, cu + 2 * half, cv - half, cv + half), f))
        elif f.code == "D001" and data.get("dimension") == "height" and f.limit is not None:
            names = list(data.get("parts") or f.subjects)
            parts = [views.part(n) for n in names if views.part(n)]
            if not parts:
                continue
            ceiling = az0 + f.limit.m_as("mm")
            u0 = min(p.bounds[0][1] for p in parts)
            u1 = max(p.bounds[1][1] for p in parts)
            top = max(p.bounds[1][2] for p in parts)
            pad = max(4 * (top - ceiling), 3.0)
            out.append((f"{f.code} height: {', '.join(names)} above {ceiling:.4g} mm", SIDE,
                        (u0 - 0.1 * (u1 - u0) - 5, u1 + 0.1 * (u1 - u0) + 5, ceiling - 2 * pad, top + pad), f))
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
    with _mpl():
        fig = _figure(6.2, 2.9)
        ax = fig.add_subplot(1, 1, 1)
        _draw_parts(ax, view, views, offenders(report), labels=False)
        _draw_zones(ax, view, views, labels=False)
        _draw_findings(ax, view, report, views, detail=True)
        # name the parts that show in the window (parts with the same projected box share one label)
        named: dict[tuple[float, ...], list[str]] = {}
        for part in views.parts:
            (px0, py0, pz0), (px1, py1, pz1) = part.bounds
            pu0, pv0 = _to_plot(view, (px0, py0, pz0))
            pu1, pv1 = _to_plot(view, (px1, py1, pz1))
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
        return _svg(fig, prefix)


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


def _pictures(report: Report) -> list[str]:
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


# ---------------------------------------------------------------------------------------------- thermal


def _short_scenario(name: str) -> str:
    if name.startswith("nominal"):
        return "nominal"
    if "failed" in name:
        return name.rsplit(", ", 1)[-1]
    return "max inlet"


def _fan_curve_figure(thermal: Any, lane: str, entry: dict[str, Any], prefix: str) -> str:
    flows = [q / CFM for q in entry.get("flow", [])]
    n = int(entry.get("fans", 0))
    inlets = sorted(entry.get("scenarios", {}), key=lambda k: float(k))
    styles = ["#2f6db5", "#c0392b", "#2e8b57", "#8e44ad"]
    with _mpl():
        fig = _figure(6.4, 3.9)
        ax = fig.add_subplot(1, 1, 1)
        top = 0.0
        for i, key in enumerate(inlets):
            curves = entry["scenarios"][key]
            colour = styles[i % len(styles)]
            fan = curves.get("fan", {})
            for k, style in ((str(n), "-"), (str(n - 1), "--")):
                if k in fan:
                    values = fan[k]
                    top = max(top, max(values, default=0.0))
                    ax.plot(flows, values, color=colour, linestyle=style, linewidth=1.5,
                            label=f"{k} fan{'s' * (k != '1')} at {key} °C" + (" (N-1)" if k == str(n - 1) else ""))
            ax.plot(flows, curves.get("system", []), color=colour, linestyle=":", linewidth=1.8,
                    label=f"system at {key} °C")
        points: dict[tuple[float, float], list[str]] = {}
        for s in thermal.scenarios:
            for lr in s.lanes:
                if lr.name != lane:
                    continue
                if lr.fans_working < n:
                    name = "failed: " + ", ".join(s.failed_fans)
                else:
                    name = "nominal" if s.name.startswith("nominal") else f"{s.inlet:.0f} °C, all fans"
                    name = f"{name} ({s.inlet:.0f} °C)" if s.name.startswith("nominal") else name
                names = points.setdefault((round(lr.flow / CFM, 2), round(lr.pressure, 1)), [])
                if name not in names:
                    names.append(name)
        for j, ((q, p), names) in enumerate(sorted(points.items())):
            ax.plot([q], [p], marker="o", markersize=6, color="#111", markerfacecolor="#ffd24a", zorder=10)
            fails = [x.removeprefix("failed: ") for x in names if x.startswith("failed: ")]
            shown = [x for x in names if not x.startswith("failed: ")]
            if fails:
                shown.append("one fan failed (" + ", ".join(fails) + ")")
            text = "\n".join(shown)
            ax.annotate(f"{text}\n{q:.1f} CFM at {p:.0f} Pa", xy=(q, p), xytext=(0.03, 0.05 + 0.16 * j),
                        textcoords="axes fraction", fontsize=7, zorder=11, va="bottom", ha="left",
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#999", "alpha": 0.9},
                        arrowprops={"arrowstyle": "-", "color": "#777", "linewidth": 0.7})
        ax.set_ylim(0, top * 1.12 if top > 0 else None)
        ax.set_xlim(0, max(flows, default=1.0))
        ax.set_xlabel("lane airflow [CFM]")
        ax.set_ylabel("static pressure [Pa]")
        ax.set_title(f"lane '{lane}': {n} fans, operating points", loc="left", fontweight="bold")
        ax.grid(True, color="#e6e8ec", linewidth=0.5)
        ax.legend(loc="upper right", frameon=True, framealpha=0.9)
        return _svg(fig, prefix)


def _margin_class(c: Any) -> str:
    if c.margin < 0:
        return "bad"
    if c.margin < c.required_margin:
        return "short"
    return "ok"


def _margins_table(thermal: Any) -> list[str]:
    scenarios = thermal.scenarios
    if not scenarios:
        return ["<p>No scenarios.</p>"]
    components = [c for c in scenarios[0].components]
    head = ['<table class="margins"><thead><tr><th>Scenario</th><th class="num">Inlet</th>'
            '<th>Failed fans</th><th class="num">Airflow</th>']
    for c in components:
        kind = "Tj" if c.limit_kind == "junction" else "Tcase"
        head.append(f'<th class="num">{esc(c.part)}<br><span class="small muted">{c.power:.0f} W, {kind} ≤ '
                    f"{c.limit:.1f} °C, need {c.required_margin:g} K</span></th>")
    head.append("</tr></thead><tbody>")
    rows = head
    for s in scenarios:
        flow = sum(lane.flow for lane in s.lanes) / CFM
        cells = [f"<td>{esc(s.name)}</td>", f'<td class="num">{s.inlet:.1f} °C</td>',
                 f"<td>{esc(', '.join(s.failed_fans)) or 'none'}</td>", f'<td class="num">{flow:.1f} CFM</td>']
        by_part = {c.part: c for c in s.components}
        for comp in components:
            c = by_part.get(comp.part)
            if c is None:
                cells.append("<td></td>")
                continue
            cells.append(f'<td class="num {_margin_class(c)}">{c.temperature:.1f} °C<br>'
                         f"margin {c.margin:+.1f} K</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    rows.append("</tbody></table>")
    rows.append('<p class="small muted">Cells: the limited temperature (junction or case) and its margin to the '
                'limit. <span class="chip">red</span> over the limit, <span class="chip">amber</span> below the '
                "required margin.</p>")
    return rows


def _worst(thermal: Any) -> list[tuple[Any, str]]:
    """Per component (first scenario's order) its result in the scenario with the least margin."""
    order = [c.part for c in thermal.scenarios[0].components] if thermal.scenarios else []
    out = []
    for part in order:
        best = None
        for s in thermal.scenarios:
            for c in s.components:
                if c.part == part and (best is None or c.margin < best[0].margin):
                    best = (c, s.name)
        if best:
            out.append(best)
    return out


def _chain_figure(thermal: Any, prefix: str) -> str:
    worst = _worst(thermal)
    keys = [k for k in CHAIN_COLOURS if any(k in c.chain for c, _ in worst)]
    with _mpl():
        fig = _figure(11.0, 1.0 + 0.55 * len(worst))
        ax = fig.add_subplot(1, 1, 1)
        longest = 0.0
        used: set[str] = set()
        for i, (c, scenario) in enumerate(worst):
            left = 0.0
            for key in keys:
                value = c.chain.get(key)
                if value is None or value <= 0 or (key == "r_jc" and c.limit_kind != "junction"):
                    continue
                label = f"{CHAIN_LABELS[key]} ({key})" if key not in used else None
                used.add(key)
                ax.barh(i, value, left=left, color=CHAIN_COLOURS[key], edgecolor="white", height=0.62, label=label)
                left += value
            longest = max(longest, left)
            rise = left * c.power
            ax.text(left, i, f"  {left:.3f} K/W × {c.power:.0f} W = {rise:.1f} K  →  {c.temperature:.1f} °C "
                    f"(margin {c.margin:+.1f} K; {_short_scenario(scenario)})", va="center", fontsize=7.5,
                    color="#b42318" if c.margin < c.required_margin else "#2a3140")
        for i, (c, _s) in enumerate(worst):
            left = 0.0
            for key in keys:
                value = c.chain.get(key)
                if value is None or value <= 0 or (key == "r_jc" and c.limit_kind != "junction"):
                    continue
                if value > 0.07 * longest:
                    ax.text(left + value / 2, i, f"{value:.3f}", ha="center", va="center", fontsize=7, color="white",
                            fontweight="bold")
                left += value
        ax.set_yticks(range(len(worst)))
        ax.set_yticklabels([c.part for c, _ in worst])
        ax.invert_yaxis()
        ax.set_xlim(0, longest * 2.3 if longest > 0 else 1)
        ax.set_xlabel("thermal resistance, local inlet air to the limited temperature [K/W]")
        ax.set_title("resistance chain per component (scenario with the least margin)", loc="left",
                     fontweight="bold")
        ax.grid(True, axis="x", color="#e6e8ec", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return _svg(fig, prefix)


def _thermal(report: Report) -> list[str]:
    thermal = report.thermal
    if thermal is None:
        return []
    out = ['<section id="thermal"><h2>Thermal margins</h2>',
           f'<p class="muted">Fan model: <code>{esc(thermal.fan_model)}</code>'
           + (f" ({esc(thermal.fan_source)})" if getattr(thermal, "fan_source", "") else "") + ".</p>"]
    for problem in getattr(thermal, "problems", ()):
        out.append(f'<p class="note">Not evaluated ({esc(", ".join(problem.subjects))}): {esc(problem.message)}</p>')
    curves = getattr(thermal, "curves", None) or {}
    if curves:
        out.append("<h3>Fan and system curves</h3><div class=\"grid2\">")
        for i, (lane, entry) in enumerate(sorted(curves.items())):
            out.append(f'<figure class="fan-curve">{_fan_curve_figure(thermal, lane, entry, f"fan{i}")}'
                       f"<figcaption>Lane {esc(lane)}: all fans (solid) and one failed (dashed) against the system "
                       "curve (dotted), per inlet temperature; dots are the operating points of the scenarios."
                       "</figcaption></figure>")
        out.append("</div>")
    out.append("<h3>Temperatures and margins per scenario</h3>")
    out += _margins_table(thermal)
    warnings = sorted({(c.part, w) for s in thermal.scenarios for c in s.components for w in c.warnings})
    if warnings:
        out.append("<ul class=\"small\">" + "".join(f"<li>{esc(p)}: {esc(w)}</li>" for p, w in warnings) + "</ul>")
    if thermal.scenarios and thermal.scenarios[0].components:
        out.append("<h3>Resistance chains</h3>")
        out.append(f'<figure class="chain">{_chain_figure(thermal, "chain")}<figcaption>Each component\'s '
                   "resistances in series from the air at its inlet (after upstream preheat) to the limited "
                   "temperature, in its worst scenario.</figcaption></figure>")
        rows = ['<table class="chain-table"><thead><tr><th>Component</th><th>Worst scenario</th>'
                '<th class="num">Local inlet</th>'
                + "".join(f'<th class="num">{esc(CHAIN_LABELS[k])}</th>' for k in CHAIN_COLOURS)
                + '<th class="num">Temperature</th><th class="num">Margin</th></tr></thead><tbody>']
        for c, scenario in _worst(thermal):
            cells = "".join(f'<td class="num">{c.chain[k]:.4f} K/W</td>'
                            if k in c.chain and (k != "r_jc" or c.limit_kind == "junction") else "<td></td>"
                            for k in CHAIN_COLOURS)
            rows.append(f"<tr><td>{esc(c.part)}</td><td>{esc(scenario)}</td>"
                        f'<td class="num">{c.local_inlet:.1f} °C</td>{cells}'
                        f'<td class="num">{c.temperature:.1f} °C</td>'
                        f'<td class="num {_margin_class(c)}">{c.margin:+.1f} K</td></tr>')
        rows.append("</tbody></table>")
        out += rows
    out.append("</section>")
    return out


# ------------------------------------------------------------------------------------------ the document


def _header(report: Report) -> list[str]:
    from .. import __version__

    s = report.summary
    verdict = report.verdict
    chips = "".join(f'<span class="chip {k}{" n" if s[k] else ""}">{esc(_plural(s[k], k))}</span>'
                    for k in ("error", "warning", "info", "waived"))
    meta = [f"design <code>{esc(repo_path(report.design))}</code>", esc(_plural(len(report.parts), "part"))]
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


def _findings(report: Report) -> list[str]:
    out = ['<section id="findings"><h2>Findings</h2>']
    if not report.findings:
        out.append("<p>No findings.</p></section>")
        return out
    out.append('<table class="findings"><thead><tr><th>Code</th><th>Severity</th><th>Rule</th><th>Subjects</th>'
               '<th>Message</th><th class="num">Measured</th><th class="num">Limit</th><th>Where</th></tr></thead>'
               "<tbody>")
    for f in report.findings:
        classes = [f"sev-{f.severity}"]
        severity = esc(f.severity)
        message = esc(f.message)
        if f.waived:
            classes.append("waived")
            severity = f"waived ({esc(f.severity)})"
            message += f'<br><em>waived: {esc(f.waiver_reason or "no reason given")}</em>'
        elif f.baseline == "existing":
            severity += " (in baseline)"
        where = f"{esc(repo_path(f.location.file))}:{f.location.line}" if f.location else ""
        out.append(f'<tr class="{" ".join(classes)}"><td class="code">{esc(f.code)}</td><td class="sev">{severity}'
                   f"</td><td>{esc(f.name)}</td><td>{esc(', '.join(f.subjects))}</td><td>{message}</td>"
                   f'<td class="num">{esc(_quantity(f.measured))}</td><td class="num">{esc(_quantity(f.limit))}</td>'
                   f'<td class="where">{where}</td></tr>')
    out.append("</tbody></table>")
    if report.baseline and report.baseline.fixed:
        out.append("<p>Fixed since the baseline: " + esc("; ".join(
            f"{code} {', '.join(subjects)}" for code, subjects in report.baseline.fixed)) + "</p>")
    out.append("</section>")
    return out


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
    body = [*_header(report), *_findings(report), *_pictures(report), *_thermal(report), *_parts(report)]
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
