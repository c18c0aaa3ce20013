"""IDF loops as polygons and the board and its components as closed meshes [mm].

Arcs follow the IDF 3.0 convention (specification section 4.1, "loop" records): each point carries the included
angle of the arc from the previous point to it, 0 for a straight line, positive counter-clockwise; 360 makes the
loop a circle about the previous point through this one. The centre of an arc of included angle theta over a
chord c lies on the chord's perpendicular bisector, (c / 2) / tan(theta / 2) to its left (negative: right), which
is the inscribed-angle relation for a circular arc. Arcs are cut into chords no farther than ``CHORD_MM`` from the
true curve (at least 16 per full turn, at most 720), with every vertex on the curve, so a hole's fitted diameter
is the drilled one.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
import trimesh
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from .parse import Point
from .records import Reader

CHORD_MM = 0.01         # largest distance from a chord to its arc [mm]
MIN_SEGMENTS = 16       # per full turn, whatever the radius
MAX_SEGMENTS = 720      # per full turn


def segments(radius_mm: float, sweep_rad: float) -> int:
    """Chords for an arc of ``radius_mm`` sweeping ``sweep_rad`` within ``CHORD_MM``: a chord of half-angle a
    lies r (1 - cos a) from its arc."""
    step = 2 * math.acos(max(-1.0, 1 - CHORD_MM / radius_mm)) if radius_mm > CHORD_MM else math.pi
    per_turn = min(MAX_SEGMENTS, max(MIN_SEGMENTS, math.ceil(2 * math.pi / step)))
    return max(1, math.ceil(per_turn * abs(sweep_rad) / (2 * math.pi)))


def circle(cx: float, cy: float, radius_mm: float) -> np.ndarray:
    """A counter-clockwise ring of points on the circle (open: the first point is not repeated)."""
    n = segments(radius_mm, 2 * math.pi)
    t = np.linspace(0.0, 2 * math.pi, n, endpoint=False)
    return np.column_stack([cx + radius_mm * np.cos(t), cy + radius_mm * np.sin(t)])


def arc(p0: tuple[float, float], p1: tuple[float, float], angle_deg: float) -> np.ndarray:
    """Points after ``p0`` up to ``p1`` on the arc of included angle ``angle_deg`` (p1 exact)."""
    (x0, y0), (x1, y1) = p0, p1
    dx, dy = x1 - x0, y1 - y0
    chord = math.hypot(dx, dy)
    theta = math.radians(angle_deg)
    h = (chord / 2) / math.tan(theta / 2)
    cx, cy = (x0 + x1) / 2 - dy / chord * h, (y0 + y1) / 2 + dx / chord * h
    radius = math.hypot(x0 - cx, y0 - cy)
    start = math.atan2(y0 - cy, x0 - cx)
    n = segments(radius, theta)
    t = start + theta * np.arange(1, n + 1) / n
    points = np.column_stack([cx + radius * np.cos(t), cy + radius * np.sin(t)])
    points[-1] = (x1, y1)
    return points


def loop_ring(reader: Reader, loop: tuple[Point, ...], what: str) -> np.ndarray:
    """The loop as an open ring of points [mm]; malformed loops are errors at the loop's first line."""
    first = loop[0].line
    if len(loop) == 2 and abs(abs(loop[1].angle) - 360) < 1e-6:
        radius = math.hypot(loop[1].x - loop[0].x, loop[1].y - loop[0].y)
        if radius <= 1e-6:
            raise reader.error(f"the {what} circle has no radius (its centre and circle point coincide)", first)
        ring = circle(loop[0].x, loop[0].y, radius)
        reader.spend(len(ring), first)
        return ring
    if any(abs(abs(p.angle) - 360) < 1e-6 for p in loop):
        bad = next(p for p in loop if abs(abs(p.angle) - 360) < 1e-6)
        raise reader.error(f"a 360-degree entry in a {what} of {len(loop)} points: a circle is two points, its "
                           "centre and a point on it with angle 360", bad.line)
    pieces = [np.array([[loop[0].x, loop[0].y]])]
    for prev, point in zip(loop[:-1], loop[1:], strict=True):
        if abs(point.angle) < 1e-9:
            pieces.append(np.array([[point.x, point.y]]))
            reader.spend(1, point.line)
            continue
        if math.hypot(point.x - prev.x, point.y - prev.y) <= 1e-9:
            raise reader.error(f"an arc of {point.angle:g} degrees in a {what} begins and ends at the same point",
                               point.line)
        pieces.append(arc((prev.x, prev.y), (point.x, point.y), point.angle))
        reader.spend(len(pieces[-1]), point.line)
    ring = np.concatenate(pieces)
    if len(ring) > 1 and np.allclose(ring[0], ring[-1], atol=1e-9):
        ring = ring[:-1]
    keep = np.ones(len(ring), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(ring, axis=0)) > 1e-9, axis=1)   # repeated points
    ring = ring[keep]
    if len(ring) < 3:
        raise reader.error(f"the {what} loop has fewer than 3 distinct points", first)
    return ring


def loop_polygon(reader: Reader, loop: tuple[Point, ...], what: str) -> Polygon:
    """The loop as a valid polygon with area; a loop that crosses itself is an error."""
    polygon = Polygon(loop_ring(reader, loop, what))
    if not polygon.is_valid:
        reason = shapely.is_valid_reason(polygon)
        raise reader.error(f"the {what} loop crosses itself ({reason})", loop[0].line,
                           "fix the outline in the ECAD tool")
    if polygon.area <= 1e-9:
        raise reader.error(f"the {what} loop encloses no area", loop[0].line)
    return polygon


def extrude(shape: Polygon | MultiPolygon, z0: float, z1: float) -> trimesh.Trimesh:
    """The shape extruded from ``z0`` to ``z1`` [mm] as one closed mesh, outward normals."""
    polygons = [g for g in getattr(shape, "geoms", [shape]) if isinstance(g, Polygon) and g.area > 0]
    meshes = []
    for polygon in polygons:
        try:
            mesh = trimesh.creation.extrude_polygon(orient(polygon, 1.0), z1 - z0)
        except Exception as err:  # noqa: BLE001 - triangulation of hostile outlines: the caller names the record
            raise ValueError(f"the outline cannot be triangulated ({type(err).__name__})") from None
        mesh.apply_translation((0.0, 0.0, z0))
        meshes.append(mesh)
    if not meshes:
        raise ValueError("the outline has no area")
    joined = trimesh.util.concatenate(meshes) if len(meshes) > 1 else meshes[0]
    assert isinstance(joined, trimesh.Trimesh)
    return joined


def placed(polygon: Polygon, x_mm: float, y_mm: float, rotation_deg: float, mirrored: bool) -> Polygon:
    """A component outline in board coordinates: mirrored in x for the bottom side (it is seen from the top
    through the board), then turned ``rotation_deg`` counter-clockwise about its origin, then moved."""
    ring = np.asarray(polygon.exterior.coords)
    holes = [np.asarray(r.coords) for r in polygon.interiors]
    a = math.radians(rotation_deg)
    matrix = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    if mirrored:
        matrix = matrix @ np.diag([-1.0, 1.0])

    def move(points: np.ndarray) -> np.ndarray:
        return points @ matrix.T + (x_mm, y_mm)

    out = Polygon(move(ring), [move(h) for h in holes])
    return out if out.is_valid else shapely.make_valid(out)
