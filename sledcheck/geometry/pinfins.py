"""Pin-fin arrays read from one cross-section through the pins: round pins on an in-line or a staggered grid.

A section parallel to the base through the pins is a set of small closed loops. Each loop must be round (its
area at least :data:`ROUND_FILL` of the circle through its farthest vertex: a tessellated circle of 8 or more
segments is, a square pin is not); the pin diameter is twice the distance from the loop's centroid to its
vertices (exact when the tessellation puts its vertices on the cylinder, as CAD exports do). The centres are
grouped into rows across the flow; S_L is the spacing of consecutive rows, S_T the spacing of the pins within a
row, and the layout is in-line when every row sits on the same across-flow lattice, staggered when every other
row is shifted by half a pitch. Lengths [mm], in the section's in-plane coordinates.

:func:`~sledcheck.geometry.heatsinks.recognise_heatsink` finds the section and the base and builds the
:class:`~sledcheck.geometry.heatsinks.PinFinGeometry`; this module only reads the grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

__all__ = ["PinGrid", "read_pins"]

#: A pin's section fills at least this share of the circle through its farthest vertex (a regular octagon
#: 0.900, a square 0.637).
ROUND_FILL = 0.85
#: Pitches may vary by this much (relative) about their median and still be one grid.
PITCH_SPREAD = 0.10
#: Row offsets within this share of a pitch of 0 (or of 1/2) are in line (or staggered by half a pitch).
PHASE_TOL = 0.15


@dataclass(frozen=True)
class PinGrid:
    """The pins of one section [mm]: ``centres`` (along, across) of each pin, sorted by row."""

    diameter: float
    pitch_along: float  #: S_L, between consecutive rows
    pitch_across: float  #: S_T, between the pins of one row
    layout: str  #: "in-line" | "staggered"
    rows: int  #: N_L
    per_row: int  #: the most pins in one row (N_T)
    centres: tuple[tuple[float, float], ...]


def _levels(values: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Cluster ``values``: (sorted cluster means, the cluster of each value), a new cluster after a gap > tol."""
    order = np.argsort(values, kind="stable")
    s = values[order]
    new = np.concatenate(([True], np.diff(s) > tol))
    cluster_sorted = np.cumsum(new) - 1
    cluster = np.empty_like(cluster_sorted)
    cluster[order] = cluster_sorted
    means = np.array([s[cluster_sorted == k].mean() for k in range(int(cluster_sorted[-1]) + 1)])
    return means, cluster


def _even(diffs: np.ndarray) -> float | None:
    """The median of ``diffs`` if all lie within :data:`PITCH_SPREAD` of it, else None."""
    if diffs.size == 0:
        return None
    med = float(np.median(diffs))
    return med if med > 0 and bool(np.all(np.abs(diffs - med) <= PITCH_SPREAD * med)) else None


def read_pins(polygons: Sequence[Polygon], along: int) -> PinGrid | str:
    """The pin grid of a section through the pins, or why it is not one (a sentence for a report).

    ``along`` is the in-plane index (0 = u, 1 = v) of the flow direction.
    """
    if len(polygons) < 2:
        return "fewer than two pins in the section"
    geoms = np.asarray(polygons, dtype=object)
    centres = shapely.get_coordinates(shapely.centroid(geoms))
    areas = shapely.area(geoms)
    radii = np.array([float(np.max(np.hypot(*(np.asarray(p.exterior.coords) - c).T)))
                      for p, c in zip(polygons, centres, strict=True)])
    fill = areas / (np.pi * radii**2)
    if float(np.median(fill)) < ROUND_FILL or np.mean(fill >= ROUND_FILL) < 0.8:
        return (f"the pins are not round (their sections fill {float(np.median(fill)):.0%} of their circumscribed "
                "circles): only cylindrical pins are modelled")
    diameter = 2.0 * float(np.median(radii))
    if np.any(np.abs(2.0 * radii - diameter) > 0.1 * diameter):
        return "the pins are not all of one diameter"
    d_coord, c_coord = centres[:, along], centres[:, 1 - along]
    row_at, row = _levels(d_coord, 0.25 * diameter)
    if len(row_at) < 2:
        return "a single row of pins across the flow: not a pin array"
    pitch_along = _even(np.diff(row_at))
    if pitch_along is None:
        return "the rows of pins along the flow are not evenly spaced"
    within = [np.diff(np.sort(c_coord[row == k])) for k in range(len(row_at))]
    diffs = np.concatenate(within)
    pitch_across = _even(diffs)
    if pitch_across is None:
        return "the pins of a row are not evenly spaced across the flow" if diffs.size else \
            "one pin per row: not a pin array"
    ref = float(np.sort(c_coord[row == 0])[0])
    # each pin's distance from the first row's lattice, in pitches: 0 on it, 0.5 half a pitch off
    off = ((c_coord - ref) / pitch_across + 0.5) % 1.0 - 0.5
    phases = np.array([float(np.median(np.abs(off[row == k]))) for k in range(len(row_at))])
    on = phases <= PHASE_TOL
    half = phases >= 0.5 - PHASE_TOL
    if np.all(on):
        layout = "in-line"
    elif np.all(on[0::2]) and np.all(half[1::2]):
        layout = "staggered"
    else:
        return "the rows are neither in line nor staggered by half a pitch"
    if not diameter < min(pitch_across, 2.0 * pitch_along):
        return "the pins touch their neighbours"
    order = np.lexsort((c_coord, row))
    return PinGrid(diameter=diameter, pitch_along=pitch_along, pitch_across=pitch_across, layout=layout,
                   rows=len(row_at), per_row=max(len(w) + 1 for w in within),
                   centres=tuple((float(d_coord[i]), float(c_coord[i])) for i in order))
