"""What each kind of evidence looks like on the assembly views: one annotation per evidence type.

To draw a new kind of finding, give its rule a new evidence type (:mod:`sledcheck.checks.evidence`) and register
an :class:`Annotation` for it here: ``draw`` marks it on a view, ``window`` (optional) proposes a zoomed detail.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...checks.engine import Finding
from ...checks.evidence import (
    EnvelopeEvidence,
    Evidence,
    GapEvidence,
    HeightEvidence,
    HoleEvidence,
    OverlapEvidence,
    ZoneIntrusionEvidence,
)
from ...model.views import Views
from .figures import SIDE, TOP, box, label, to_plot

#: A zoomed detail: (title, view, (u0, u1, v0, v1) in plot coordinates [mm]).
Window = tuple[str, str, tuple[float, float, float, float]]


@dataclass(frozen=True)
class Annotation:
    """How one evidence type is drawn: ``draw(ax, view, finding, evidence, views, colour, detail)`` and,
    optionally, ``window(finding, evidence, views)`` for a zoomed detail (None: no detail)."""

    draw: Callable[..., None]
    window: Callable[..., Window | None] | None = None


ANNOTATIONS: dict[type[Evidence], Annotation] = {}


def annotation_for(evidence: Evidence | None) -> Annotation | None:
    """The annotation registered for this evidence's type, if any."""
    return ANNOTATIONS.get(type(evidence)) if evidence is not None else None


def _register(kind: type[Evidence], window: Callable[..., Window | None] | None = None
              ) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def wrap(draw: Callable[..., None]) -> Callable[..., None]:
        ANNOTATIONS[kind] = Annotation(draw=draw, window=window)
        return draw

    return wrap


# ------------------------------------------------------------------------------------------- clearance


def _gap_window(f: Finding, e: GapEvidence, views: Views) -> Window:
    a, b = e.points_mm
    delta = [abs(p - q) for p, q in zip(a, b, strict=False)]
    view = TOP if delta and delta[0] >= max(delta[1:] or [0]) else SIDE
    (u0, v0), (u1, v1) = to_plot(view, a), to_plot(view, b)
    half = max(5 * math.hypot(u1 - u0, v1 - v0), 4.0)
    cu, cv = (u0 + u1) / 2, (v0 + v1) / 2
    return (f"{f.code} {' / '.join(f.subjects)}: gap {round(e.gap_mm, 6):.3g} mm", view,
            (cu - 2 * half, cu + 2 * half, cv - half, cv + half))


@_register(GapEvidence, _gap_window)
def _gap(ax: Any, view: str, f: Finding, e: GapEvidence, views: Views, colour: str, detail: bool) -> None:
    a, b = e.points_mm
    (u0, v0), (u1, v1) = to_plot(view, a), to_plot(view, b)
    ax.plot([u0, u1], [v0, v1], color=colour, linewidth=1.8, marker="o", markersize=3.5, zorder=11)
    label(ax, (u0 + u1) / 2, (v0 + v1) / 2, f"gap {round(e.gap_mm, 6):.3g} mm", colour, ha="left", va="bottom")


# ------------------------------------------------------------------------------- overlaps and intrusions


def _region(ax: Any, view: str, region: Any, text: str, colour: str, detail: bool) -> None:
    from matplotlib.patches import Rectangle

    u, v, w, h = box(view, region)
    ax.add_patch(Rectangle((u, v), w, h, facecolor="none", edgecolor=colour, hatch="////", linewidth=1.5,
                           zorder=11))
    if detail:
        label(ax, u + w / 2, v - 0.8 if view == TOP else v + h + 0.8, text, colour, ha="center",
              va="bottom" if view == SIDE else "top")
    elif view == TOP:
        label(ax, u + w + 3, v + h / 2, text, colour, ha="left", va="center")
    else:
        label(ax, u + w + 2, v + h + 4, text, colour, ha="left", va="bottom", fontsize=7.5)


def _overlap_window(f: Finding, e: OverlapEvidence, views: Views) -> Window:
    view = TOP if e.depth_axis == "x" else SIDE
    u, v, w, h = box(view, e.region_mm)
    pad_u = 0.15 * w + 4
    pad_v = max(5 * h, 4.0)
    return (f"{f.code} {' / '.join(f.subjects)}: overlap {round(e.volume_mm3, 6):.4g} mm³", view,
            (u - pad_u, u + w + pad_u, v - pad_v, v + h + pad_v))


@_register(OverlapEvidence, _overlap_window)
def _overlap(ax: Any, view: str, f: Finding, e: OverlapEvidence, views: Views, colour: str, detail: bool) -> None:
    _region(ax, view, e.region_mm, f"overlap {round(e.volume_mm3, 6):.4g} mm³", colour, detail)


@_register(ZoneIntrusionEvidence)
def _intrusion(ax: Any, view: str, f: Finding, e: ZoneIntrusionEvidence, views: Views, colour: str,
               detail: bool) -> None:
    _region(ax, view, e.region_mm, f"{round(e.depth_mm, 6):.3g} mm into {e.zone}", colour, detail)


@_register(HeightEvidence)
def _height(ax: Any, view: str, f: Finding, e: HeightEvidence, views: Views, colour: str, detail: bool) -> None:
    if view != SIDE:
        return
    part = next((p for p in map(views.part, f.subjects) if p is not None), None)
    if part is None:
        return
    y = (part.bounds[0][1] + part.bounds[1][1]) / 2
    top, over = round(e.top_mm, 6), round(e.over_mm, 6)
    ax.annotate("", xy=(y, top), xytext=(y, top - over), zorder=11,
                arrowprops={"arrowstyle": "<->", "color": colour, "linewidth": 1.3})
    label(ax, y + 3, top, f"+{over:.3g} mm over {e.zone}", colour, ha="left", va="center", fontsize=7.5)


# ------------------------------------------------------------------------------------------- envelope


def _envelope_window(f: Finding, e: EnvelopeEvidence, views: Views) -> Window | None:
    if e.dimension != "height" or f.limit is None:
        return None
    names = [n for n, _ in e.parts] or list(f.subjects)
    parts = [p for p in map(views.part, names) if p is not None]
    if not parts:
        return None
    az0 = views.bounds[0][2]
    ceiling = az0 + f.limit.m_as("mm")
    u0 = min(p.bounds[0][1] for p in parts)
    u1 = max(p.bounds[1][1] for p in parts)
    top = max(p.bounds[1][2] for p in parts)
    pad = max(4 * (top - ceiling), 3.0)
    return (f"{f.code} height: {', '.join(names)} above {ceiling:.4g} mm", SIDE,
            (u0 - 0.1 * (u1 - u0) - 5, u1 + 0.1 * (u1 - u0) + 5, ceiling - 2 * pad, top + pad))


@_register(EnvelopeEvidence, _envelope_window)
def _envelope(ax: Any, view: str, f: Finding, e: EnvelopeEvidence, views: Views, colour: str, detail: bool) -> None:
    if f.limit is None:
        return
    (ax0, ay0, az0), (_ax1, ay1, az1) = views.bounds
    limit = f.limit.m_as("mm")
    style = {"color": colour, "linestyle": (0, (6, 2, 1, 2)), "linewidth": 1.3, "zorder": 11}
    if e.dimension == "height" and view == SIDE:
        ax.axhline(az0 + limit, **style)
        if not detail:
            label(ax, ay1, az0 + limit + 4, f"{e.pack} height {limit:.4g} mm (+{round(e.overrun_mm, 6):.3g} mm "
                  "over)", colour, ha="right", va="bottom", fontsize=7.5)
    elif e.dimension == "depth":
        ax.axvline(ay0 + limit, **style)
        label(ax, ay0 + limit, (ax0 if view == TOP else az1), f"depth limit {limit:.4g} mm", colour, ha="right",
              va="top", fontsize=7.5)
    elif e.dimension == "width" and view == TOP:
        ax.axhline(ax0 + limit, **style)
        label(ax, ay0 + 2, ax0 + limit, f"width limit {limit:.4g} mm", colour, ha="left", va="bottom", fontsize=7.5)


# ---------------------------------------------------------------------------------------------- holes


@_register(HoleEvidence)
def _holes(ax: Any, view: str, f: Finding, e: HoleEvidence, views: Views, colour: str, detail: bool) -> None:
    if view != TOP:
        return
    for hole in e.holes:
        if hole.within_tolerance:
            continue
        expected, found = hole.expected, hole.found
        if expected:
            ax.plot([expected[1]], [expected[0]], marker="x", color=colour, markersize=6, mew=1.6, zorder=11)
        if found:
            ax.plot([found[1]], [found[0]], marker="o", markerfacecolor="none", color=colour, markersize=7,
                    zorder=11)
        if expected and hole.offset_mm is not None:
            label(ax, expected[1] + 3, expected[0] + 3, f"hole off by {hole.offset_mm:.3g} mm", colour, ha="left",
                  va="top", fontsize=7.5)
