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

__all__ = ["Kind", "Rows", "bbox", "classify", "edge_only", "fills", "pierced", "rows_across", "same_fins"]

#: A fin is a cross-section strip at least this many times longer than it is thick.
FIN_ELONGATION = 4.0
#: A fin strip fills at least this fraction of its bounding rectangle (rounded or chamfered ends allowed).
FIN_FILL = 0.5
#: Fewer parallel strips than this is not a heat sink.
MIN_FINS = 3
#: A section with at least this many separate pieces that do not form single-piece rows is pin-like.
MIN_PINS = 6
#: A section through fins crossed by heat pipes (or their holes) fills less than this share of the channels
#: between the fins; a base or a tie plate fills them.
PIERCED_CHANNEL_FILL = 0.5
#: ... and still fills more than this share of the fins' own strips (a hole row takes the rest).
PIERCED_FIN_FILL = 0.5


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
    kind: str  #: "fins" | "pins" | "solid" | "other" | "empty" | "pierced" (fins crossed by pipes)
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



def _boxes(rows: Rows, c_lo: np.ndarray, c_hi: np.ndarray, d_lo: np.ndarray, d_hi: np.ndarray) -> np.ndarray:
    """Rectangles [c_lo, c_hi] across x [d_lo, d_hi] along the flow, in the section's (u, v) coordinates."""
    if rows.d == 0:
        return shapely.box(d_lo, c_lo, d_hi, c_hi)
    return shapely.box(c_lo, d_lo, c_hi, d_hi)


def _filled(pieces: np.ndarray, boxes: np.ndarray) -> float:
    """Share of the rectangles' total area that the section's ``pieces`` cover [-] (pairs found by an STR-tree,
    each piece clipped to one rectangle: GEOS's rectangle clipping, no general overlay)."""
    area = float(shapely.area(boxes).sum())
    if area <= 0:
        return 0.0
    piece, rect = shapely.STRtree(boxes).query(pieces)   # boxes that meet (a clip of one that misses adds 0)
    b, pb = shapely.bounds(boxes), shapely.bounds(pieces)
    whole = np.all((pb[piece, :2] >= b[rect, :2]) & (pb[piece, 2:] <= b[rect, 2:]), axis=1)   # piece inside
    areas = shapely.area(pieces)
    covered = sum(float(areas[p]) if inside else float(shapely.area(shapely.clip_by_rect(pieces[p], *b[r])))
                  for p, r, inside in zip(piece, rect, whole, strict=True))
    return min(covered / area, 1.0)


def fills(polygons: Sequence[Polygon], rows: Rows) -> tuple[float, float]:
    """Shares of the fins' strips and of the channels between them that a section's material covers [-]
    (0, 1 when ``rows`` has no channels)."""
    if not polygons or len(rows.c_lo) < 2:
        return 0.0, 1.0
    material = np.asarray(polygons, dtype=object)
    fins = _boxes(rows, rows.c_lo, rows.c_hi, rows.d_lo, rows.d_hi)
    d_lo = np.maximum(rows.d_lo[:-1], rows.d_lo[1:])
    d_hi = np.minimum(rows.d_hi[:-1], rows.d_hi[1:])
    keep = (rows.c_lo[1:] > rows.c_hi[:-1]) & (d_hi > d_lo)
    if not keep.any():
        return 0.0, 1.0
    channels = _boxes(rows, rows.c_hi[:-1][keep], rows.c_lo[1:][keep], d_lo[keep], d_hi[keep])
    return _filled(material, fins), _filled(material, channels)


def pierced(polygons: Sequence[Polygon], rows: Rows) -> bool:
    """Is this section the fins of ``rows`` crossed by pipes (or by the pipes' holes)?

    The fins' strips are still mostly material (more than :data:`PIERCED_FIN_FILL`) while the channels between
    them are mostly open (less than :data:`PIERCED_CHANNEL_FILL`): a pipe crossing the bank joins the fins
    along a band a pipe diameter wide, a base plate or tie plate fills the channels, a hole row empties part of
    each strip.
    """
    fin_fill, channel_fill = fills(polygons, rows)
    return fin_fill > PIERCED_FIN_FILL and channel_fill < PIERCED_CHANNEL_FILL


def same_fins(a: Rows, b: Rows) -> bool:
    """Are two sections' rows the same fins: same flow direction, count and mid-planes (within a quarter of
    the narrowest channel)?"""
    if a.d != b.d or len(a.c_lo) != len(b.c_lo) or len(a.c_lo) < 2:
        return False
    gaps = np.concatenate((a.c_lo[1:] - a.c_hi[:-1], b.c_lo[1:] - b.c_hi[:-1]))
    shift = np.abs(0.5 * (a.c_lo + a.c_hi) - 0.5 * (b.c_lo + b.c_hi))
    return bool(gaps.min() > 0 and shift.max() < 0.25 * gaps.min())


def edge_only(polygons: Sequence[Polygon], rows: Rows) -> tuple[bool, bool] | None:
    """Which outer fins of ``rows`` this section continues (first, last), if it holds nothing but them: every
    piece lies within the across-flow extent of the first or the last fin (to a quarter of the narrowest
    channel); None otherwise."""
    if not polygons or len(rows.c_lo) < MIN_FINS:
        return None
    tol = 0.25 * float((rows.c_lo[1:] - rows.c_hi[:-1]).min())
    b = shapely.bounds(np.asarray(polygons, dtype=object))
    c = 1 - rows.d
    lo, hi = b[:, c], b[:, c + 2]
    first = (lo >= rows.c_lo[0] - tol) & (hi <= rows.c_hi[0] + tol)
    last = (lo >= rows.c_lo[-1] - tol) & (hi <= rows.c_hi[-1] + tol)
    if not np.all(first | last):
        return None
    return bool(first.any()), bool(last.any())
