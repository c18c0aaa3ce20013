"""matplotlib figures as inline SVG, and the plot coordinates of the two assembly views.

Pictures are drawn with matplotlib's SVG backend (text kept as text) with a fixed hash salt and no date, so the
same report always renders to the same bytes. Both views put the depth y (airflow) horizontal: TOP draws x
downwards (seen from above), SIDE draws z upwards.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ...model.views import Outline


@contextmanager
def mpl() -> Iterator[Any]:
    """matplotlib with byte-stable SVG output: fixed hash salt, text kept as text, no math parsing."""
    import matplotlib

    settings: dict[str, Any] = {"svg.hashsalt": "sledcheck", "svg.fonttype": "none", "text.parse_math": False,
                "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"], "font.size": 9,
                "axes.titlesize": 10, "axes.labelsize": 9, "xtick.labelsize": 8, "ytick.labelsize": 8,
                "legend.fontsize": 8, "axes.edgecolor": "#8a909a", "axes.linewidth": 0.8,
                "hatch.linewidth": 0.8, "path.simplify": False}
    with matplotlib.rc_context(settings):  # type: ignore[arg-type]
        yield matplotlib

def figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)

def svg(fig: Any, prefix: str) -> str:
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

TOP, SIDE = "top", "side"

def to_plot(view: str, point: Iterable[float]) -> tuple[float, float]:
    """A 3-D point [mm] in a view's plot coordinates: both views put the depth y (airflow) horizontal;
    TOP draws x downwards (seen from above), SIDE draws z upwards."""
    x, y, z = (list(point) + [0.0, 0.0, 0.0])[:3]
    return (y, x) if view == TOP else (y, z)

def outline_xy(view: str, outline: Outline) -> tuple[list[tuple[float, float]], list[list[tuple[float, float]]]]:
    """Stored outline (top: (x, y); side: (y, z)) in plot coordinates."""
    if view == TOP:
        return [(v, u) for u, v in outline.exterior], [[(v, u) for u, v in h] for h in outline.holes]
    return list(outline.exterior), [list(h) for h in outline.holes]

def outline_path(view: str, outline: Outline) -> Any:
    """A stored outline as a matplotlib Path in plot coordinates (exterior and holes, each ring closed)."""
    from matplotlib.path import Path

    exterior, holes = outline_xy(view, outline)
    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for ring in [exterior, *holes]:
        if len(ring) < 3:
            continue
        vertices += [*ring, ring[0]]
        codes += [int(Path.MOVETO)] + [int(Path.LINETO)] * (len(ring) - 1) + [int(Path.CLOSEPOLY)]
    return Path(vertices, codes)

def box(view: str, region: Any) -> tuple[float, float, float, float]:
    lo, hi = region
    u0, v0 = to_plot(view, lo)
    u1, v1 = to_plot(view, hi)
    return min(u0, u1), min(v0, v1), abs(u1 - u0), abs(v1 - v0)

def label(ax: Any, x: float, y: float, text: str, colour: str, **kw: Any) -> None:
    ax.text(x, y, text, fontsize=kw.pop("fontsize", 8), color=colour, fontweight="bold", zorder=12, clip_on=True,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": colour, "linewidth": 0.8,
                  "alpha": 0.95}, **kw)
