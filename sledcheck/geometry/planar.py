"""One planar cross-section of a mesh normal to a coordinate axis, as shapely polygons with holes.

The section's segments are cut from the triangles directly. On a closed, consistently wound mesh each
segment runs from the edge where its triangle's boundary goes down through the plane to the one where it
comes back up, and the next segment of its ring is the one that starts on that edge: the rings are chained
from the mesh's edges in a few vectorised passes (:func:`_chained_rings`, linear in the segments), and checked
to be simple and disjoint. Otherwise (open or broken meshes, rings that touch) they are closed by
``shapely.polygonize`` (GEOS). Which rings are material and which are holes follows from the nesting depth of
each ring (even = material), counted with an STR-tree instead of a pairwise containment pass. Each edge's
crossing point is computed from its lower end, so the two triangles sharing an edge give bitwise the same
point and the rings close without merging vertices.

Sections through a vertex fall back to trimesh's ``section`` / ``polygons_full``. A section that is not a set of
disjoint closed rings (an open or broken mesh, rings touching at a point) keeps the closed rings there are: a
hostile mesh must not send GEOS into its slow repairs (a mutated 2300-face OBJ took minutes there).
"""

from __future__ import annotations

import numpy as np
import shapely
import trimesh
from shapely.geometry import Polygon

__all__ = ["in_plane_axes", "section_polygons"]


def in_plane_axes(axis: int) -> tuple[int, int]:
    """Indices of the two in-plane axes of a section normal to axis index ``axis`` (xyz order)."""
    u, v = (i for i in range(3) if i != axis)
    return u, v


def section_polygons(mesh: trimesh.Trimesh, axis: int, height: float,
                     spans: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[Polygon, ...]:
    """Cross-section polygons at ``height`` [mm] along axis index ``axis``, in in-plane coordinates [mm].
    ``spans``: each face's lowest and highest coordinate along the axis [mm], when the caller keeps them (a
    section then reads only the faces that cross its plane)."""
    h = mesh.vertices[:, axis]
    if np.any(np.abs(h - height) <= trimesh.tol.merge):
        return _trimesh_section(mesh, axis, height)
    segments, starts, ends = _segments(mesh, axis, height, spans)
    if len(segments) == 0:
        return ()
    chained = _chained_rings(segments, starts, ends)
    if chained is not None:
        return chained
    segments = _unique(segments)
    polygons = _polygons(segments)
    return _polygons(segments, strict=False) or () if polygons is None else polygons


def _segments(mesh: trimesh.Trimesh, axis: int, height: float,
              spans: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, 2, 2) in-plane segments where the triangles cross the plane (no vertex lies on it) [mm], each from
    its triangle's edge that goes down through the plane (in the triangle's winding) to the one that comes up,
    and the keys of those two mesh edges (n,), (n,). ``spans``: as :func:`section_polygons`."""
    faces = np.asarray(mesh.faces)
    if spans is not None:   # (with no vertex on the plane, a face crosses it iff its span does)
        faces = faces[np.flatnonzero((spans[0] < height) & (spans[1] > height))]
    above = mesh.vertices[:, axis][faces] > height
    count = above.sum(axis=1)
    crossing = (count == 1) | (count == 2)
    faces, above = faces[crossing], above[crossing]
    if len(faces) == 0:
        return np.empty((0, 2, 2)), np.empty(0, np.int64), np.empty(0, np.int64)
    # the two edges of each crossing triangle whose ends lie on opposite sides
    ends = np.stack([faces, np.roll(faces, -1, axis=1)], axis=2)  # (n, 3 edges, 2)
    cut = above != np.roll(above, -1, axis=1)  # (n, 3)
    edges = ends[cut].reshape(-1, 2)  # two per triangle, in triangle order
    up = above[cut].reshape(-1)  # the edge's first end is above the plane
    lower = np.where(up, edges[:, 1], edges[:, 0])
    upper = np.where(up, edges[:, 0], edges[:, 1])
    p, q = mesh.vertices[lower], mesh.vertices[upper]
    t = (height - p[:, axis]) / (q[:, axis] - p[:, axis])
    u, v = in_plane_axes(axis)
    points = p[:, [u, v]] + t[:, None] * (q[:, [u, v]] - p[:, [u, v]])
    keys = (lower.astype(np.int64) * len(mesh.vertices) + upper).reshape(-1, 2)
    first_down = up.reshape(-1, 2)[:, 0]   # each crossing triangle has one edge going down and one coming up
    order = np.where(first_down[:, None], [0, 1], [1, 0])
    rows = np.arange(len(keys))[:, None]
    return points.reshape(-1, 2, 2)[rows, order], keys[rows, order[:, :1]][:, 0], keys[rows, order[:, 1:]][:, 0]


def _chained_rings(segments: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[Polygon, ...] | None:
    """Material polygons from segments chained by their mesh edges (``starts``/``ends``: the key of the edge
    each segment leaves from / arrives at), or None when they do not chain into simple, disjoint rings of at
    least three segments (each edge must start one segment and end one: a closed, consistently wound mesh)."""
    n = len(segments)
    by_start = np.argsort(starts, kind="stable")
    sorted_starts = starts[by_start]
    if np.any(sorted_starts[1:] == sorted_starts[:-1]):
        return None
    where = np.minimum(np.searchsorted(sorted_starts, ends), n - 1)
    if not np.array_equal(sorted_starts[where], ends):
        return None
    following = by_start[where]
    if np.bincount(following, minlength=n).max() != 1:   # not a permutation: two segments end on one edge
        return None
    # each ring's representative (its lowest segment) and each segment's distance before the ring closes, by
    # pointer doubling (log2 n passes)
    lowest, jump = np.arange(n), following.copy()
    for _ in range(max(1, int(n - 1).bit_length())):
        lowest = np.minimum(lowest, lowest[jump])
        jump = jump[jump]
    tail = following == lowest   # the segment whose next is its ring's representative ends the ring
    remaining = np.where(tail, 0, 1)
    jump = np.where(tail, np.arange(n), following)
    for _ in range(max(1, int(n - 1).bit_length())):
        remaining = remaining + remaining[jump]
        jump = jump[jump]
    order = np.lexsort((-remaining, lowest))
    ring_of = lowest[order]
    cut = np.flatnonzero(np.diff(ring_of)) + 1
    sizes = np.diff(np.concatenate(([0], cut, [n])))
    if np.any(sizes < 3):
        return None
    ring_index = np.repeat(np.arange(len(sizes)), sizes)
    rings = shapely.linearrings(segments[order, 0], indices=ring_index)
    if not np.all(shapely.is_simple(rings)):
        return None
    touching, other = shapely.STRtree(rings).query(rings, predicate="intersects")
    if np.any(touching != other):
        return None
    shells = shapely.polygons(rings)
    probe = shapely.get_point(rings, 0)
    inner, outer = shapely.STRtree(shells).query(probe, predicate="within")
    depth = np.bincount(inner, minlength=len(rings))
    parent = np.full(len(rings), -1)
    direct = depth[outer] == depth[inner] - 1
    parent[inner[direct]] = outer[direct]
    owner = np.where(depth % 2 == 0, np.arange(len(rings)), parent)   # a material ring owns itself and its holes
    if np.any(owner < 0):
        return None
    grouped = np.lexsort((depth % 2, owner))   # each owner's shell first, then its holes
    polygons = shapely.polygons(rings[grouped], indices=np.unique(owner[grouped], return_inverse=True)[1])
    return tuple(p for p in polygons if p.area > 0)


def _unique(segments: np.ndarray) -> np.ndarray:
    """Each segment once, whichever way round (duplicated faces of a broken mesh cut the same segment twice,
    which would otherwise send the section down the slow path)."""
    if len(segments) == 0:
        return segments
    ordered = np.where((segments[:, 0, 0] < segments[:, 1, 0])[:, None, None]
                       | ((segments[:, 0, 0] == segments[:, 1, 0]) & (segments[:, 0, 1] <= segments[:, 1, 1]))[:, None,
                                                                                                              None],
                       segments, segments[:, ::-1])
    _, first = np.unique(ordered.reshape(-1, 4), axis=0, return_index=True)
    return segments[np.sort(first)]


def _polygons(segments: np.ndarray, strict: bool = True) -> tuple[Polygon, ...] | None:
    """Material polygons (with their holes) bounded by closed rings of ``segments``. ``strict``: None if the
    segments do not form disjoint simple rings; otherwise (an open or broken mesh) the closed rings that there
    are, with the pieces that close nothing left out: near-linear either way, never GEOS's slow repairs."""
    if strict:
        _, degree = np.unique(segments.reshape(-1, 2), axis=0, return_counts=True)
        if np.any(degree != 2) or np.any(np.all(segments[:, 0] == segments[:, 1], axis=1)):
            return None
    faces, cuts, dangles, invalid = shapely.polygonize_full(shapely.linestrings(segments))
    if strict and not (cuts.is_empty and dangles.is_empty and invalid.is_empty):
        return None
    faces = np.asarray(shapely.get_parts(faces))
    if len(faces) == 0:
        return ()
    # every ring bounds one face from outside; a face's depth is the number of rings around it
    shells = shapely.polygons(shapely.get_exterior_ring(faces))
    probe = shapely.get_point(shapely.get_exterior_ring(faces), 0)
    inside, _ = shapely.STRtree(shells).query(probe, predicate="within")
    depth = np.bincount(inside, minlength=len(faces))
    material = faces[depth % 2 == 0]
    return tuple(p for p in material if p.area > 0)


def _trimesh_section(mesh: trimesh.Trimesh, axis: int, height: float) -> tuple[Polygon, ...]:
    """The section through trimesh's Path2D (quadratic in the number of rings; for the odd cases)."""
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
