"""One planar cross-section of a mesh normal to a coordinate axis, as shapely polygons with holes."""

from __future__ import annotations

import numpy as np
import trimesh
from shapely.geometry import Polygon

__all__ = ["in_plane_axes", "section_polygons"]


def in_plane_axes(axis: int) -> tuple[int, int]:
    """Indices of the two in-plane axes of a section normal to axis index ``axis`` (xyz order)."""
    u, v = (i for i in range(3) if i != axis)
    return u, v


def section_polygons(mesh: trimesh.Trimesh, axis: int, height: float) -> tuple[Polygon, ...]:
    """Cross-section polygons at ``height`` [mm] along axis index ``axis``, in in-plane coordinates [mm]."""
    origin = np.zeros(3)
    origin[axis] = height
    normal = np.zeros(3)
    normal[axis] = 1.0
    path = mesh.section(plane_origin=origin, plane_normal=normal)
    if path is None or len(path.entities) == 0:
        return ()
    u, v = in_plane_axes(axis)
    planar = trimesh.path.Path2D(entities=path.entities, vertices=path.vertices[:, [u, v]])
    return tuple(p for p in planar.polygons_full if p is not None and p.area > 0)
