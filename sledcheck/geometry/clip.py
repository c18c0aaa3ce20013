"""Clip a mesh to a vertical prism (a 2-D outline extruded between two heights)."""

from __future__ import annotations

import numpy as np
import shapely
import trimesh
from shapely.geometry import Polygon

from .proximity import faces_in_region


def convex_pieces(polygon: Polygon) -> list[np.ndarray]:
    """The outline as convex pieces (counter-clockwise vertex arrays): itself when convex, else triangles."""
    if polygon.convex_hull.area - polygon.area <= 1e-9 * max(polygon.area, 1.0):
        return [np.asarray(shapely.geometry.polygon.orient(polygon, 1.0).exterior.coords)[:-1]]
    triangles = shapely.constrained_delaunay_triangles(polygon)
    return [np.asarray(shapely.geometry.polygon.orient(t, 1.0).exterior.coords)[:-1] for t in triangles.geoms]


def clip_to_prism(mesh: trimesh.Trimesh, boxes: np.ndarray, polygon: Polygon, z_low: float, z_high: float,
                  solid: bool = False) -> list[trimesh.Trimesh]:
    """The parts of ``mesh`` inside the prism (one piece per convex piece of the outline; may be empty).

    ``boxes`` are the mesh's per-triangle boxes: only triangles whose boxes meet the prism's box are clipped.
    Infinite heights are allowed. ``solid`` (for a closed mesh) caps the cuts, so a piece is the part's VOLUME
    inside the prism, not only its surface: a zone that lies inside a solid part is then seen filled.
    """
    x0, y0, x1, y1 = polygon.bounds
    region = np.array([[x0, y0, z_low], [x1, y1, z_high]])
    candidates = faces_in_region(boxes, region)
    if len(candidates) == 0 and not solid:
        return []
    sub = mesh if solid else mesh.submesh([candidates], append=True, repair=False)
    pieces = []
    for ring in convex_pieces(polygon):
        normals, origins = [], []
        for start, end in zip(ring, np.roll(ring, -1, axis=0), strict=True):
            edge = end - start
            normals.append((-edge[1], edge[0], 0.0))   # inward for a counter-clockwise ring
            origins.append((start[0], start[1], 0.0))
        if np.isfinite(z_low):
            normals.append((0.0, 0.0, 1.0))
            origins.append((0.0, 0.0, z_low))
        if np.isfinite(z_high):
            normals.append((0.0, 0.0, -1.0))
            origins.append((0.0, 0.0, z_high))
        piece = trimesh.intersections.slice_mesh_plane(sub, plane_normal=np.asarray(normals, float),
                                                       plane_origin=np.asarray(origins, float), cap=solid)
        if piece is not None and len(piece.faces) and piece.area > 1e-12:
            pieces.append(piece)
    return pieces
