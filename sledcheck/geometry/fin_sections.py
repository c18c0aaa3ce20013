"""What one section parallel to a would-be heat-sink base looks like: parallel fin strips, pins, solid, other.

Pieces of a section are grouped into rows across a candidate flow direction; a fin is a single, long,
well-filled strip. All lengths [mm], areas [mm2], in the section's in-plane coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

__all__ = ["Kind", "Rows", "bbox", "classify", "rows_across"]

#: A fin is a cross-section strip at least this many times longer than it is thick.
FIN_ELONGATION = 4.0
#: A fin strip fills at least this fraction of its bounding rectangle (rounded or chamfered ends allowed).
FIN_FILL = 0.5
#: Fewer parallel strips than this is not a heat sink.
MIN_FINS = 3
#: A section with at least this many separate pieces that do not form single-piece rows is pin-like.
MIN_PINS = 6


@dataclass(frozen=True)
class Rows:
    """Section pieces grouped into rows across a candidate flow direction ``d`` (0 = u, 1 = v)."""

    d: int
    c_lo: np.ndarray  #: row start across the flow [mm]
    c_hi: np.ndarray  #: row end across the flow [mm]
    d_lo: np.ndarray  #: row start along the flow [mm]
    d_hi: np.ndarray  #: row end along the flow [mm]
    pieces: np.ndarray  #: pieces per row
    area: np.ndarray  #: section area per row [mm2]

    @property
    def strips(self) -> np.ndarray:
        """Rows that look like one plate fin: a single, long, well-filled strip."""
        thick = self.c_hi - self.c_lo
        span = self.d_hi - self.d_lo
        with np.errstate(divide="ignore", invalid="ignore"):
            return (self.pieces == 1) & (span >= FIN_ELONGATION * thick) & (self.area >= FIN_FILL * span * thick)


def rows_across(bounds: np.ndarray, areas: np.ndarray, d: int, tol: float) -> Rows:
    """Group pieces whose across-flow intervals overlap into rows."""
    c = 1 - d
    c0, c1 = bounds[:, c], bounds[:, c + 2]
    order = np.argsort(c0, kind="stable")
    c0, c1 = c0[order], c1[order]
    reach = np.maximum.accumulate(c1)
    new_row = np.concatenate(([True], c0[1:] > reach[:-1] + tol))
    row = np.cumsum(new_row) - 1
    n = int(row[-1]) + 1

    def agg(ufunc: np.ufunc, values: np.ndarray, init: float) -> np.ndarray:
        out = np.full(n, init)
        ufunc.at(out, row, values)
        return out

    return Rows(
        d=d,
        c_lo=agg(np.minimum, c0, np.inf),
        c_hi=agg(np.maximum, c1, -np.inf),
        d_lo=agg(np.minimum, bounds[order, d], np.inf),
        d_hi=agg(np.maximum, bounds[order, d + 2], -np.inf),
        pieces=agg(np.add, np.ones(len(order)), 0.0).astype(int),
        area=agg(np.add, areas[order], 0.0),
    )


@dataclass(frozen=True)
class Kind:
    kind: str  #: "fins" | "pins" | "solid" | "other" | "empty"
    rows: Rows | None = None
    pieces: int = 0

    @property
    def fin_rows(self) -> Rows:
        """The rows of a "fins" or "pins" section (they always have them)."""
        if self.rows is None:
            raise ValueError(f"a {self.kind!r} section has no rows")
        return self.rows


def classify(polygons: Sequence[Polygon], tol: float) -> Kind:
    """What a section parallel to a would-be base looks like."""
    if not polygons:
        return Kind("empty")
    geoms = np.asarray(polygons, dtype=object)
    bounds = shapely.bounds(geoms)
    areas = shapely.area(geoms)
    total = float(areas.sum())
    n = len(polygons)
    best: Kind | None = None
    if n >= MIN_FINS:
        for d in (0, 1):
            rows = rows_across(bounds, areas, d, tol)
            strips = rows.strips
            ok = (
                strips.sum() >= MIN_FINS
                and strips.sum() >= 0.8 * len(strips)
                and rows.area[strips].sum() >= 0.6 * total
            )
            if ok and (best is None or rows.area[strips].sum() > best.fin_rows.area[best.fin_rows.strips].sum()):
                best = Kind("fins", rows, n)
        if best is not None:
            return best
    if n >= MIN_PINS:
        # a regular array: most pieces of about the same size, rows of several pieces
        med = np.median(areas)
        regular = np.mean((areas >= 0.5 * med) & (areas <= 2.0 * med)) >= 0.8
        for d in (0, 1):
            rows = rows_across(bounds, areas, d, tol)
            if regular and len(rows.pieces) >= MIN_FINS and np.median(rows.pieces) >= 2:
                return Kind("pins", rows, n)
    big = int(np.argmax(areas))
    b = bounds[big]
    fill = areas[big] / max((b[2] - b[0]) * (b[3] - b[1]), 1e-300)
    if areas[big] >= 0.8 * total and fill >= 0.3:
        return Kind("solid", None, n)
    return Kind("other", None, n)


def bbox(polygons: Sequence[Polygon]) -> np.ndarray:
    b = shapely.bounds(np.asarray(polygons, dtype=object))
    return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])

