"""Top and side outlines of every part, for the pictures of the HTML report.

Sled coordinates [mm]: x width, y depth (airflow from the front y = 0 to the back), z height. The TOP view is
the projection on x-y (points (x, y)), the SIDE view the projection on y-z (points (y, z): airflow left to right
when y is drawn to the right).

Each part's outline is the union of its projected triangles. Edge-on triangles (near-zero projected area) are
skipped; for closed volumes only the triangles facing the viewer are needed (they cover the projection). Small
parts are unioned exactly with shapely; large ones (more than :data:`EXACT_MAX` facing triangles) are rasterised
with numpy (pixel-centre coverage on a grid of at most :data:`RASTER_MAX_PX` pixels per side, at least
:data:`SIMPLIFY_MM`; scanline spans, so the time follows the image and the triangles' rows, not their area) and
traced back to polygons with contourpy, so an assembly of millions of triangles takes seconds. Outlines are
simplified to about :data:`SIMPLIFY_MM` and rounded to 1 um: the output is deterministic.

Large assemblies (more than :data:`LARGE_TRIANGLES` triangles in all) draw simplified outlines, at a cost that
follows the pictures' pixels rather than the triangles: parts with more than :data:`LARGE_EXACT_MAX` facing
triangles are rasterised on a grid of at most :data:`LARGE_RASTER_PX` pixels per side (the overview figures
are about 1300 pixels wide), and a rasterised part whose mesh repeats another's up to a translation (one part
file placed eight times) is traced once and its outlines moved (``geometry.twins.geometry_key``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from ..geometry.twins import geometry_key, same_shape
from ..geometry.vectors import cross_rows

SIMPLIFY_MM = 0.2            # outline simplification tolerance [mm]
EXACT_MAX = 4000             # facing triangles up to which a part's outline is an exact shapely union
RASTER_MAX_PX = 2400         # the raster of a large part has at most this many pixels along its longer side
LARGE_TRIANGLES = 250_000   # an assembly with more triangles than this draws simplified outlines
LARGE_EXACT_MAX = 64         # ... exact unions only up to this many facing triangles
LARGE_RASTER_PX = 1200       # ... and rasters of at most this many pixels per side
MIN_HOLE_MM2 = 0.05          # holes smaller than this are slivers between skipped triangles, not features
DIGITS = 3                   # rounding of output coordinates [mm]

Point = tuple[float, float]


@dataclass(frozen=True)
class Outline:
    """One polygon of a view [mm]: its exterior ring and holes, as (u, v) points (rings not repeated closed)."""

    exterior: tuple[Point, ...]
    holes: tuple[tuple[Point, ...], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"exterior": [list(p) for p in self.exterior], "holes": [[list(p) for p in h] for h in self.holes]}


@dataclass(frozen=True)
class PartView:
    """A part's outlines: ``top`` in (x, y), ``side`` in (y, z) [mm]; ``bounds`` its 3-D box [mm]."""

    name: str
    role: str
    top: tuple[Outline, ...]
    side: tuple[Outline, ...]
    bounds: tuple[tuple[float, float, float], tuple[float, float, float]]
    method: str = "exact"     # "exact" (shapely union) or "raster" (large part)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "top": [o.to_json() for o in self.top],
                "side": [o.to_json() for o in self.side], "bounds": [list(b) for b in self.bounds],
                "method": self.method}


@dataclass(frozen=True)
class ZoneView:
    """A design or spec zone: ``kind`` "keepout" or "height"; ``outline`` (x, y) [mm]; ``z`` the absolute
    (bottom, top) [mm] with None for unbounded (for a height limit, bottom is the limit height)."""

    name: str
    kind: str
    outline: tuple[Point, ...]
    z: tuple[float | None, float | None]
    above: str | None = None
    allow: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "outline": [list(p) for p in self.outline],
                "z": list(self.z), "above": self.above, "allow": list(self.allow), "roles": list(self.roles)}


@dataclass(frozen=True)
class Views:
    """Outlines of every part (design order) and the design's zones; ``bounds`` of the whole assembly [mm]."""

    parts: tuple[PartView, ...]
    zones: tuple[ZoneView, ...]
    bounds: tuple[tuple[float, float, float], tuple[float, float, float]]

    def part(self, name: str) -> PartView | None:
        return next((p for p in self.parts if p.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {"parts": [p.to_json() for p in self.parts], "zones": [z.to_json() for z in self.zones],
                "bounds": [list(b) for b in self.bounds]}


def part_views(assembly: Any) -> Views:
    """Top (x-y) and side (y-z) outlines of every part of ``assembly`` and its zones, absolute heights. Parts of
    one geometry up to a translation (to 1 um) are traced once and the outlines moved (a board's thousand
    copies of a few packages)."""
    large = sum(len(p.mesh.faces) for p in assembly.parts) > LARGE_TRIANGLES
    traced: dict[bytes, tuple[np.ndarray, np.ndarray, tuple[tuple[Outline, ...], str],
                              tuple[tuple[Outline, ...], str]]] = {}
    parts = []
    for part in assembly.parts:
        closed = bool(getattr(part.health, "closed", False))
        vertices = np.asarray(part.mesh.vertices, dtype=float)
        faces = np.asarray(part.mesh.faces)
        lo, hi = np.asarray(part.bounds, dtype=float)
        key = geometry_key(vertices, faces, int(closed)) if len(faces) else None   # copies drawn once
        if key is not None and key in traced and _same_shape(vertices, traced[key][0], traced[key][1]):
            origin, _, top_view, side_view = traced[key]   # the same geometry, translated: its outlines, moved
            offset = vertices.min(axis=0) - origin
            top, m_top = _moved(top_view[0], offset[[0, 1]]), top_view[1]
            side, m_side = _moved(side_view[0], offset[[1, 2]]), side_view[1]
        elif large:
            (top, m_top), (side, m_side) = _large_part_views(vertices, faces, closed, hi - lo)
        else:
            top, m_top = project_outline(vertices, faces, (0, 1), closed)
            side, m_side = project_outline(vertices, faces, (1, 2), closed)
        if key is not None and key not in traced:
            traced[key] = (vertices.min(axis=0), vertices, (top, m_top), (side, m_side))
        parts.append(PartView(name=part.name, role=part.role, top=top, side=side,
                              bounds=(_triple(lo), _triple(hi)),
                              method="raster" if "raster" in (m_top, m_side) else "exact"))
    zones = []
    for zone in getattr(assembly.design, "zones", ()):
        reference = 0.0
        if zone.above:
            try:
                reference = float(assembly.part(zone.above).bounds[1][2])
            except StopIteration:
                reference = 0.0
        z = tuple(None if v is None else round(reference + float(v), DIGITS) for v in zone.z)
        outline = tuple((round(float(x), DIGITS), round(float(y), DIGITS)) for x, y in zone.outline)
        zones.append(ZoneView(name=zone.name, kind=zone.kind, outline=outline, z=z,  # type: ignore[arg-type]
                              above=zone.above, allow=tuple(zone.allow), roles=tuple(zone.roles)))
    if assembly.parts:
        stacked = np.stack([np.asarray(p.bounds, dtype=float) for p in assembly.parts])
        bounds = (_triple(stacked[:, 0].min(axis=0)), _triple(stacked[:, 1].max(axis=0)))
    else:
        bounds = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    return Views(parts=tuple(parts), zones=tuple(zones), bounds=bounds)


def _same_shape(vertices: np.ndarray, origin: np.ndarray, other: np.ndarray) -> bool:
    """Do ``vertices`` (relative to their minimum corner) and ``other`` (relative to ``origin``) agree to 1 um?"""
    return same_shape(vertices - vertices.min(axis=0), other - origin, 0.0, atol=1e-3)


def _moved(outlines: tuple[Outline, ...], offset: np.ndarray) -> tuple[Outline, ...]:
    """Outlines translated by ``offset`` (du, dv) [mm], rounded as traced ones are."""
    du, dv = float(offset[0]), float(offset[1])

    def ring(points: tuple[Point, ...]) -> tuple[Point, ...]:
        return tuple((round(u + du, DIGITS) + 0.0, round(v + dv, DIGITS) + 0.0) for u, v in points)

    return tuple(Outline(exterior=ring(o.exterior), holes=tuple(ring(h) for h in o.holes)) for o in outlines)


def _facing(signed_area: np.ndarray, span: float, closed: bool) -> np.ndarray:
    """The triangles a view draws, from their signed projected areas [mm^2] (``span`` the outline's size
    [mm]): of a closed part those facing the viewer (the other side if it is wound inwards), of an open one
    every triangle not seen edge-on."""
    eps = max(1e-9 * span * span, 1e-10)
    if not closed:
        return np.abs(signed_area) > eps
    facing = signed_area > eps
    return facing if facing.any() else signed_area < -eps


def _triple(values: np.ndarray) -> tuple[float, float, float]:
    return (round(float(values[0]), DIGITS), round(float(values[1]), DIGITS), round(float(values[2]), DIGITS))


def _large_part_views(vertices: np.ndarray, faces: np.ndarray, closed: bool, extent: np.ndarray
                      ) -> tuple[tuple[tuple[Outline, ...], str], tuple[tuple[Outline, ...], str]]:
    """:func:`project_outline` of a large assembly's part in both views (simplified: :data:`LARGE_EXACT_MAX`,
    :data:`LARGE_RASTER_PX`) from one pass over its faces: twice each face's projected signed area is a
    component of its normal (z seen from above, x from the side; the same products as the projected edges'),
    computed in slices, and only the facing triangles' corners are gathered, once per view. ``extent`` is the
    size of the part's box [mm]."""
    normal = np.empty((len(faces), 3))
    for start in range(0, len(faces), 1 << 18):
        part = faces[start:start + (1 << 18)]
        v0 = vertices[part[:, 0]]
        normal[start:start + len(part)] = cross_rows(vertices[part[:, 1]] - v0, vertices[part[:, 2]] - v0)
    out: list[tuple[tuple[Outline, ...], str]] = []
    for axes, component in (((0, 1), 2), ((1, 2), 0)):
        span = float(extent[list(axes)].max()) or 1.0
        chosen = faces[_facing(0.5 * normal[:, component], span, closed)]
        if len(chosen) == 0:
            out.append(((), "exact"))
            continue
        tri = vertices[chosen][:, :, list(axes)]
        if len(tri) <= LARGE_EXACT_MAX:
            out.append((_outlines(_exact_union(tri)), "exact"))
        else:
            out.append((_outlines(_raster_union(tri, LARGE_RASTER_PX)), "raster"))
    return out[0], out[1]


def project_outline(vertices: np.ndarray, faces: np.ndarray, axes: tuple[int, int],
                    closed: bool = False, *, exact_max: int | None = None,
                    max_px: int | None = None) -> tuple[tuple[Outline, ...], str]:
    """The outline of the triangles ``faces`` projected on the plane of ``axes`` (e.g. (0, 1) = x-y), and how it
    was computed ("exact" or "raster"). ``closed``: the mesh is a closed, outward-wound volume, so triangles
    facing away from the viewer can be dropped. ``exact_max`` (default :data:`EXACT_MAX`) facing triangles at
    most are unioned exactly, more are rasterised on at most ``max_px`` (default :data:`RASTER_MAX_PX`) pixels
    per side."""
    if len(faces) == 0:
        return (), "exact"
    tri = vertices[faces][:, :, list(axes)]                      # (F, 3, 2)
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    signed = 0.5 * (e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
    span = float(np.ptp(tri.reshape(-1, 2), axis=0).max()) or 1.0
    tri = tri[_facing(signed, span, closed)]
    if len(tri) == 0:
        return (), "exact"
    if len(tri) <= (EXACT_MAX if exact_max is None else exact_max):
        geometry = _exact_union(tri)
        method = "exact"
    else:
        geometry = _raster_union(tri, RASTER_MAX_PX if max_px is None else max_px)
        method = "raster"
    return _outlines(geometry), method


def _exact_union(tri: np.ndarray) -> BaseGeometry:
    rings = np.concatenate([tri, tri[:, :1]], axis=1)
    polygons = shapely.polygons(rings)
    pad = 1e-4
    merged = shapely.union_all(shapely.buffer(polygons, pad, join_style="mitre"))
    return merged.buffer(-pad, join_style="mitre")


def _raster_union(tri: np.ndarray, max_px: int) -> BaseGeometry:
    """Union of many triangles: pixel-centre coverage on a grid of at most ``max_px`` pixels per side (and
    pixels of at least :data:`SIMPLIFY_MM`), traced with contourpy."""
    import contourpy

    lo = tri.reshape(-1, 2).min(axis=0)
    hi = tri.reshape(-1, 2).max(axis=0)
    pixel = max(SIMPLIFY_MM, float((hi - lo).max()) / max_px)
    origin = lo - 2 * pixel
    shape = np.ceil((hi - origin) / pixel).astype(int) + 3       # (nu, nv)
    mask = np.zeros((shape[1], shape[0]), dtype=bool)             # [v, u]
    _rasterise(mask, ((tri - origin) / pixel).astype(np.float32))
    us = origin[0] + (np.arange(shape[0]) + 0.5) * pixel
    vs = origin[1] + (np.arange(shape[1]) + 0.5) * pixel
    gen = contourpy.contour_generator(us, vs, mask.astype(np.float32), fill_type=contourpy.FillType.OuterOffset,
                                      name="serial")
    filled: Any = gen.filled(0.5, 1.5)   # OuterOffset: (points per polygon, ring offsets per polygon)
    points, offsets = filled[0], filled[1]
    polygons = []
    for pts, offs in zip(points, offsets, strict=True):
        rings = [pts[offs[i]:offs[i + 1]] for i in range(len(offs) - 1)]
        if rings and len(rings[0]) >= 3:
            polygons.append(Polygon(rings[0], [r for r in rings[1:] if len(r) >= 3]))
    if not polygons:
        return Polygon()
    return shapely.union_all(shapely.make_valid(np.array(polygons, dtype=object)))


def _rasterise(mask: np.ndarray, tri: np.ndarray) -> None:
    """Set the pixels of ``mask`` [v, u] whose centres (i + 0.5) lie in a triangle (pixel units). Triangles too
    small to hold a pixel centre mark the pixel of their centroid.

    Scanline rasterisation, in time proportional to the rows the triangles span and to the image, not to their
    area: each (triangle, pixel row) pair gets the span of pixel centres inside the triangle, and the spans are
    filled at once with a running sum per row. A pixel centre is inside when its three edge functions
    ``(b - a) x (p - a)`` are at least -1e-9 in float32 (the test of the per-pixel rasteriser this replaces, so
    the pixels are the same); along a row each edge function is monotone in the column, also after rounding, so
    each end of a span is exact: estimated in float64, confirmed with that test, else bisected on it
    (:func:`_span_ends`). Repeated triangles (the fins of a stack seen from the side) are rasterised once."""
    signed = (tri[:, 1, 0] - tri[:, 0, 0]) * (tri[:, 2, 1] - tri[:, 0, 1]) \
        - (tri[:, 1, 1] - tri[:, 0, 1]) * (tri[:, 2, 0] - tri[:, 0, 0])
    flip = signed < 0
    tri = tri.copy()
    tri[flip, 1], tri[flip, 2] = tri[flip, 2].copy(), tri[flip, 1].copy()   # counter-clockwise
    centroid = tri.mean(axis=1).astype(int)
    mask[centroid[:, 1], centroid[:, 0]] = True
    rows_px, cols_px = mask.shape
    first = np.maximum(np.ceil(tri.min(axis=1) - 0.5).astype(np.int64), 0)   # first pixel whose centre may be in
    last = np.minimum(np.floor(tri.max(axis=1) - 0.5).astype(np.int64), [cols_px - 1, rows_px - 1])
    keep = np.nonzero((last >= first).all(axis=1))[0]
    if len(keep) == 0:
        return
    flat = np.ascontiguousarray(tri[keep].reshape(len(keep), 6))
    _, unique = np.unique(flat.view(np.dtype((np.void, flat.dtype.itemsize * 6))).ravel(), return_index=True)
    keep = keep[np.sort(unique)]                                  # the same corners in the same order: same pixels
    tri, first, last = tri[keep], first[keep], last[keep]
    rows = last[:, 1] - first[:, 1] + 1
    owner = np.repeat(np.arange(len(tri)), rows)                  # one entry per (triangle, pixel row)
    row_start = np.cumsum(rows) - rows
    iv = first[owner, 1] + (np.arange(len(owner)) - row_start[owner])
    pv = (iv + 0.5).astype(np.float32)
    lo, hi = first[owner, 0], last[owner, 0]                      # candidate span [lo, hi] of each row
    for a, b in ((0, 1), (1, 2), (2, 0)):
        ax, ay = tri[:, a, 0], tri[:, a, 1]
        dx, dy = tri[:, b, 0] - ax, tri[:, b, 1] - ay             # float32, as the per-pixel test had them
        lo, hi = _span_ends(dx[owner] * (pv - ay[owner]), dy[owner], ax[owner], lo, hi)
    ok = lo <= hi
    width = cols_px + 1
    starts = iv[ok] * width + lo[ok]
    ends = iv[ok] * width + hi[ok] + 1
    counts = np.bincount(starts, minlength=rows_px * width) - np.bincount(ends, minlength=rows_px * width)
    mask |= np.cumsum(counts.reshape(rows_px, width), axis=1)[:, :cols_px] > 0


_TOL = 1e-9   # the edge test's tolerance (pixel units squared, float32)


def _span_ends(along: np.ndarray, dy: np.ndarray, ax: np.ndarray, lo: np.ndarray,
               hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Narrow each row's column span [lo, hi] to the columns i whose centre passes one edge's test
    ``along - dy * (float32(i + 0.5) - ax) >= -1e-9`` (float32; ``along`` = dx * (pv - ay) of the row).

    The test is monotone in i: non-increasing for dy > 0 (the passing columns are a prefix of the span), non-
    decreasing for dy < 0 (a suffix), constant for dy = 0. The crossing column is estimated in float64 and
    kept where the float32 test confirms it (passes there, fails at the next column outwards); bisection on
    the test finds the others."""
    def passes(index: np.ndarray | slice, i: np.ndarray) -> np.ndarray:
        pu = (i + 0.5).astype(np.float32)
        result: np.ndarray = along[index] - dy[index] * (pu - ax[index]) >= -_TOL
        return result

    up, down = dy > 0, dy < 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cross = (along.astype(np.float64) + _TOL) / dy + ax - 0.5          # the centre on the edge's line
        cross = np.where(up, np.floor(cross), np.ceil(cross))
        cross = np.nan_to_num(cross, nan=0.0, posinf=2.0 ** 40, neginf=-(2.0 ** 40))
    guess = np.where(up, np.minimum(np.maximum(cross, lo - 1), hi),        # last passing column (lo - 1: none)
                     np.minimum(np.maximum(cross, lo), hi + 1)).astype(np.int64)   # first one (hi + 1: none)
    guess = np.where(up | down, guess, lo)                                  # dy = 0: test the first column
    outer = guess + np.where(up, 1, -1)
    inner_ok = passes(slice(None), guess)
    confirmed = (~((guess >= lo) & (guess <= hi)) | inner_ok) \
        & (~((outer >= lo) & (outer <= hi)) | ~passes(slice(None), outer))
    new_lo, new_hi = np.where(down, guess, lo), np.where(up, guess, hi)
    new_hi = np.where(~(up | down) & ~inner_ok, lo - 1, new_hi)             # dy = 0 and failing: no column
    redo = np.nonzero(~confirmed & (up | down) & (lo <= hi))[0]
    if len(redo):
        rising = up[redo]
        good = np.where(rising, lo[redo] - 1, hi[redo] + 1)
        bad = np.where(rising, hi[redo] + 1, lo[redo] - 1)
        found = _bisect(passes, redo, good, bad)
        new_hi[redo] = np.where(rising, found, new_hi[redo])
        new_lo[redo] = np.where(rising, new_lo[redo], found)
    return new_lo, new_hi


def _bisect(passes: Any, index: np.ndarray, good: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """The passing column next to the failing ones, for each row: ``passes(index, i)`` holds at column ``good``
    (or it is outside the span) and fails at ``bad``, and the test is monotone between them."""
    good, bad = good.copy(), bad.copy()
    active = np.nonzero(np.abs(bad - good) > 1)[0]
    while len(active):
        mid = (good[active] + bad[active]) // 2
        ok = passes(index[active], mid)
        good[active] = np.where(ok, mid, good[active])
        bad[active] = np.where(ok, bad[active], mid)
        active = active[np.abs(bad[active] - good[active]) > 1]
    return good


def _outlines(geometry: BaseGeometry) -> tuple[Outline, ...]:
    if geometry.is_empty:
        return ()
    geometry = shapely.make_valid(geometry.simplify(SIMPLIFY_MM / 2, preserve_topology=True))
    polygons = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, (Polygon, MultiPolygon))]
    flat: list[Polygon] = []
    for g in polygons:
        flat.extend(g.geoms if isinstance(g, MultiPolygon) else [g])
    out = []
    for poly in flat:
        if poly.area <= MIN_HOLE_MM2:
            continue
        poly = orient(poly, 1.0)
        holes = tuple(_ring(h.coords) for h in poly.interiors if Polygon(h).area > MIN_HOLE_MM2)
        out.append(Outline(exterior=_ring(poly.exterior.coords), holes=holes))
    out.sort(key=lambda o: (min(o.exterior), len(o.exterior)))
    return tuple(out)


def _ring(coords: Any) -> tuple[Point, ...]:
    points = [(round(float(u), DIGITS) + 0.0, round(float(v), DIGITS) + 0.0) for u, v in list(coords)[:-1]]
    if not points:
        return ()
    start = min(range(len(points)), key=lambda i: points[i])     # canonical start: deterministic output
    return tuple(points[start:] + points[:start])


__all__ = ["Outline", "PartView", "Views", "ZoneView", "part_views", "project_outline"]
