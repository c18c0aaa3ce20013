"""Distances and overlaps between two meshes, pruned to the region where they can matter.

``minimum_gap`` measures the exact minimum distance between two triangle meshes with a BVH (python-fcl), but
only over the triangles whose bounding boxes meet ``region``: when the true gap is at most the inflation
used to build the region, the closest pair of points lies inside it, so the answer is exact; otherwise no
answer (None) means "further apart than the region allows". With ``small_whole`` a small mesh is queried with
all its faces, on one BVH built once for all its pairs (the same distance within the region's inflation; the
BVH builds of per-pair regions were most of a 1000-part board's pair time), and large face sets are first
settled by bounds (:func:`_bounded_gap`: triangle boxes below, the nearest few triangles above).
``overlap_volume`` intersects two closed meshes with manifold3d.
"""

from __future__ import annotations

from dataclasses import dataclass

import fcl
import manifold3d
import numpy as np
import trimesh
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .once import PerObject


@dataclass(frozen=True)
class Gap:
    """Minimum distance [mm] and the closest points on each mesh [mm]."""

    distance: float
    point_a: tuple[float, float, float]
    point_b: tuple[float, float, float]


@dataclass(frozen=True)
class Overlap:
    """Volume [mm^3] shared by two closed meshes and the bounds of that shared region [mm]."""

    volume: float
    bounds: tuple[tuple[float, float, float], tuple[float, float, float]]
    penetration: float | None = None   # deepest point of the shared region [mm] (:func:`penetration_depth`)

    @property
    def depth(self) -> float:
        """How far the parts press into each other [mm]: the measured penetration, else the box's thinnest
        side of the shared region."""
        if self.penetration is not None:
            return self.penetration
        return min(h - lo for lo, h in zip(self.bounds[0], self.bounds[1], strict=True))


#: points sampled on the shared region's surface to find its deepest point
PENETRATION_SAMPLES = 4000


def penetration_depth(solid_a: manifold3d.Manifold, solid_b: manifold3d.Manifold, mesh_a: trimesh.Trimesh,
                      mesh_b: trimesh.Trimesh) -> float:
    """The deepest point of the region two closed parts share [mm]: the largest distance from a point of its
    surface to the other part's surface. The shared region's surface is made of pieces of both surfaces, so a
    point on A's piece lies inside B at that depth: the radial interference of a pin in a hole, the
    compression of a pad, the 0.05 mm a screw 0.15 mm off-centre in a 0.1 mm clearance cuts. Sampled on
    PENETRATION_SAMPLES points (seeded: the same answer every run)."""
    shared = (solid_a ^ solid_b).to_mesh()
    vertices, faces = np.asarray(shared.vert_properties)[:, :3], np.asarray(shared.tri_verts)
    if len(faces) == 0:
        return 0.0
    region = trimesh.Trimesh(vertices=vertices, faces=faces, process=False)
    points, _ = trimesh.sample.sample_surface(region, PENETRATION_SAMPLES, seed=0)
    points = np.concatenate([points, vertices])
    depth_in_a = trimesh.proximity.closest_point(mesh_a, points)[1]
    depth_in_b = trimesh.proximity.closest_point(mesh_b, points)[1]
    return float(np.max(np.maximum(depth_in_a, depth_in_b)))


def triangle_boxes(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Per-triangle axis-aligned boxes, shape (F, 2, 3) [mm] (filled in slices of faces: the corners of a large
    mesh are never all gathered at once)."""
    out = np.empty((len(faces), 2, 3), dtype=np.result_type(vertices, np.float64))
    for start in range(0, len(faces), _BOX_SLICE):
        a, b, c = (vertices[faces[start:start + _BOX_SLICE, k]] for k in range(3))
        np.minimum(np.minimum(a, b), c, out=out[start:start + _BOX_SLICE, 0])
        np.maximum(np.maximum(a, b), c, out=out[start:start + _BOX_SLICE, 1])
    return out


_BOX_SLICE = 1 << 18   # faces per slice


def faces_in_region(boxes: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Indices of triangles whose boxes meet ``region`` ([[x0, y0, z0], [x1, y1, z1]]), in increasing order.

    A large mesh's boxes are first tested by blocks of ``BLOCK_FACES`` consecutive faces (their union boxes,
    built once per boxes array): CAD exports write each surface's triangles together, so a small region meets
    few blocks and only their faces are tested. The answer is the same as testing every face."""
    if len(boxes) < BLOCKED_MIN_FACES:
        return np.flatnonzero(_meets(boxes, region))
    blocks = _blocks(boxes)
    hit_blocks = np.flatnonzero(_meets(blocks, region))
    if len(hit_blocks) == 0:
        return np.zeros(0, dtype=np.intp)
    if len(hit_blocks) * 4 > len(blocks):   # most of the mesh: one pass over every face costs less
        return np.flatnonzero(_meets(boxes, region))
    starts = hit_blocks * BLOCK_FACES
    candidates = (starts[:, None] + np.arange(BLOCK_FACES)).ravel()
    candidates = candidates[candidates < len(boxes)]
    return candidates[_meets(boxes[candidates], region)]


def _meets(boxes: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Which boxes (N, 2, 3) meet ``region`` (one pass, one temporary per axis)."""
    hit = (boxes[:, 0, 0] <= region[1, 0]) & (boxes[:, 1, 0] >= region[0, 0])
    for k in (1, 2):
        hit &= boxes[:, 0, k] <= region[1, k]
        hit &= boxes[:, 1, k] >= region[0, k]
    return hit


#: faces per block of :func:`faces_in_region`'s first test, and the size from which blocks are used
BLOCK_FACES = 256
BLOCKED_MIN_FACES = 16_384
_block_boxes = PerObject()   # union boxes of the blocks, per boxes array


def _blocks(boxes: np.ndarray) -> np.ndarray:
    """The union boxes (B, 2, 3) of ``boxes``' blocks of BLOCK_FACES consecutive faces (built once)."""
    def build() -> np.ndarray:
        whole = len(boxes) // BLOCK_FACES * BLOCK_FACES
        lo = boxes[:whole, 0].reshape(-1, BLOCK_FACES, 3).min(axis=1)
        hi = boxes[:whole, 1].reshape(-1, BLOCK_FACES, 3).max(axis=1)
        if whole < len(boxes):
            lo = np.vstack([lo, boxes[whole:, 0].min(axis=0)])
            hi = np.vstack([hi, boxes[whole:, 1].max(axis=0)])
        return np.stack([lo, hi], axis=1)

    return _block_boxes.get(boxes, build)


#: candidate pairs the sweep of :func:`boxes_near` expands at a time (bounded memory for dense assemblies)
SWEEP_CHUNK = 1 << 20


def boxes_near(bounds: np.ndarray, reach_mm: float) -> np.ndarray:
    """Pairs (K, 2) of boxes ``bounds`` (N, 2, 3) [mm] that come within ``reach_mm`` of each other on every
    axis, i < j, sorted (row by row, as a scan of the upper triangle would list them).

    Sweep and prune: the boxes sorted by their low end on the axis where the fewest pairs overlap, each box is
    compared only with those that start before it ends (plus reach); a thousand-part board compares a few
    thousand pairs instead of all N^2 / 2. The test on every axis is the exact expression of a full scan
    (``max(lo_i - hi_j, lo_j - hi_i) <= reach``); the sweep's own bound is widened by a relative 1e-9 so that
    it only ever adds candidates.
    """
    n = len(bounds)
    if n < 2:
        return np.zeros((0, 2), dtype=np.intp)
    lo, hi = bounds[:, 0], bounds[:, 1]
    best = None
    for axis in range(3):   # the axis whose sweep expands the fewest candidates
        order = np.argsort(lo[:, axis], kind="stable")
        start = lo[order, axis]
        end = hi[order, axis].astype(float) + reach_mm
        end += (np.abs(end) + abs(reach_mm)) * 1e-9
        last = np.searchsorted(start, end, side="right")
        counts = np.maximum(last - np.arange(1, n + 1), 0)
        total = int(counts.sum())
        if best is None or total < best[0]:
            best = (total, order, counts)
    assert best is not None
    _, order, counts = best
    found = []
    cumulative = np.cumsum(counts)
    k = 0
    while k < n:   # rows of the sweep in chunks of about SWEEP_CHUNK candidates
        stop = int(np.searchsorted(cumulative, cumulative[k] - counts[k] + SWEEP_CHUNK, side="right"))
        stop = max(stop, k + 1)
        rows = np.arange(k, stop)
        per = counts[k:stop]
        first = np.repeat(rows, per)
        offsets = np.arange(len(first)) - np.repeat(np.cumsum(per) - per, per)
        second = first + 1 + offsets
        i, j = order[first], order[second]
        gap = np.maximum(lo[i] - hi[j], lo[j] - hi[i])
        keep = np.all(gap <= reach_mm, axis=1)
        found.append(np.stack([np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])], axis=1))
        k = stop
    pairs = np.concatenate(found) if found else np.zeros((0, 2), dtype=np.intp)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


def _bvh(vertices: np.ndarray, faces: np.ndarray) -> fcl.CollisionObject:
    """FCL's BVH of ``faces`` over only the vertices they use (renumbered in order: when they use every vertex,
    as a whole welded mesh does, that is the mesh itself, found without a sort)."""
    counts = (np.bincount(faces.reshape(-1), minlength=len(vertices)) if 0 < len(vertices) <= 3 * len(faces)
              else None)
    if counts is not None and len(counts) == len(vertices) and counts.all():   # (no face beyond the vertices)
        used, inverse = vertices, faces
    else:
        numbers, inverse = np.unique(faces, return_inverse=True)
        used = vertices[numbers]
    model = fcl.BVHModel()
    model.beginModel(len(used), len(faces))
    model.addSubModel(np.ascontiguousarray(used, dtype=np.float64),
                      np.ascontiguousarray(inverse.reshape(-1, 3), dtype=np.int32))
    model.endModel()
    return fcl.CollisionObject(model, fcl.Transform())


#: a small part's BVH over all its faces is built once and kept with its mesh (a board of a thousand parts asks
#: each part about every neighbour); larger parts are pruned to the region of each query instead
WHOLE_BVH_MAX_FACES = 20_000
_whole = PerObject()   # a small mesh's BVH over all its faces


def _object(mesh: trimesh.Trimesh, faces: np.ndarray) -> fcl.CollisionObject:
    """The BVH of ``mesh``'s ``faces``: when they are all of a small mesh's faces, the one built for it before
    (the same construction from the same faces, so the same answers)."""
    if len(faces) != len(mesh.faces) or len(faces) > WHOLE_BVH_MAX_FACES:
        return _bvh(mesh.vertices, mesh.faces[faces])
    return _whole.get(mesh, lambda: _bvh(mesh.vertices, mesh.faces[faces]))


def _faces_near(mesh: trimesh.Trimesh, boxes: np.ndarray, region: np.ndarray) -> np.ndarray:
    """The faces of ``mesh`` a gap query over ``region`` looks at: all of a small mesh's faces whose box meets
    the region at all (its BVH is built once for every pair it is in), else those whose boxes meet the region.
    Either gives the same minimum distance whenever it is at most the region's inflation: the closest points
    then lie in the region, so their triangles are in both sets, and more triangles cannot make it smaller."""
    if len(boxes) <= WHOLE_BVH_MAX_FACES:
        (x0, y0, z0), (x1, y1, z1) = _extent.get(
            mesh, lambda: (boxes[:, 0].min(axis=0).tolist(), boxes[:, 1].max(axis=0).tolist()))
        (rx0, ry0, rz0), (rx1, ry1, rz1) = region.tolist()
        if x0 <= rx1 and y0 <= ry1 and z0 <= rz1 and x1 >= rx0 and y1 >= ry0 and z1 >= rz0:
            return np.arange(len(boxes))
        return np.zeros(0, dtype=np.intp)
    return faces_in_region(boxes, region)


_extent = PerObject()   # a small mesh's box [mm]


def minimum_gap(mesh_a: trimesh.Trimesh, boxes_a: np.ndarray, mesh_b: trimesh.Trimesh, boxes_b: np.ndarray,
                region: np.ndarray, *, small_whole: bool = False) -> Gap | None:
    """Exact minimum distance between the parts of two meshes inside ``region``; None if one has nothing there.

    A distance of 0 means the meshes touch or intersect (FCL does not measure penetration). ``small_whole``:
    a small mesh is queried with all its faces (:func:`_faces_near`): the same distance whenever it is at most
    the region's inflation, but where many point pairs are closest (parallel faces) FCL may pick another one;
    over more than BOUNDED_MIN_FACES faces the gap is first settled by bounds (:func:`_bounded_gap`, to
    BOUND_SLACK_MM).
    """
    if small_whole:
        faces_a, faces_b = _faces_near(mesh_a, boxes_a, region), _faces_near(mesh_b, boxes_b, region)
    else:
        faces_a, faces_b = faces_in_region(boxes_a, region), faces_in_region(boxes_b, region)
    if len(faces_a) == 0 or len(faces_b) == 0:
        return None
    if small_whole and len(faces_a) + len(faces_b) > BOUNDED_MIN_FACES:
        bounded = _bounded_gap(mesh_a, boxes_a, faces_a, mesh_b, boxes_b, faces_b)
        if bounded is not None:
            return bounded
    return _gap(_object(mesh_a, faces_a), _object(mesh_b, faces_b))


#: quick queries over more faces than this first try :func:`_bounded_gap`; it measures this many faces a side
BOUNDED_MIN_FACES = 2048
BOUNDED_FACES = 64
#: the bounds' agreement that settles a gap [mm] (below the 1e-6 mm a quick gap is checked against limits with)
BOUND_SLACK_MM = 1e-9


def _bounded_gap(mesh_a: trimesh.Trimesh, boxes_a: np.ndarray, faces_a: np.ndarray, mesh_b: trimesh.Trimesh,
                 boxes_b: np.ndarray, faces_b: np.ndarray) -> Gap | None:
    """The gap settled by bounds, without a BVH of every face: no two triangles are closer than their boxes, so
    the larger of (each side's nearest triangle box to the other side's whole box) is a lower bound; the exact
    distance between the BOUNDED_FACES triangles of each side nearest the other's box is an upper bound. When
    they agree (to BOUND_SLACK_MM: parallel faces, flat on an axis, are closest, as between a lid and fin tips)
    that is the gap; else None (FCL over all faces decides). FCL's BVH builds hold the interpreter lock, so
    this also frees the other core."""
    near_a, near_b = boxes_a[faces_a], boxes_b[faces_b]
    to_b = _box_distances(near_a, near_b[:, 0].min(axis=0), near_b[:, 1].max(axis=0))
    to_a = _box_distances(near_b, near_a[:, 0].min(axis=0), near_a[:, 1].max(axis=0))
    lower = max(float(to_b.min()), float(to_a.min()))
    pick_a = faces_a[np.sort(np.argsort(to_b, kind="stable")[:BOUNDED_FACES])]
    pick_b = faces_b[np.sort(np.argsort(to_a, kind="stable")[:BOUNDED_FACES])]
    gap = _gap(_bvh(mesh_a.vertices, mesh_a.faces[pick_a]), _bvh(mesh_b.vertices, mesh_b.faces[pick_b]))
    return gap if gap.distance <= lower + BOUND_SLACK_MM else None


def _box_distances(boxes: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Euclidean distance from each box (N, 2, 3) to the box [lo, hi] [mm] (0 where they meet)."""
    apart = np.maximum(np.maximum(boxes[:, 0] - hi, lo - boxes[:, 1]), 0.0)
    return np.sqrt(np.einsum("ij,ij->i", apart, apart))


def _gap(obj_a: fcl.CollisionObject, obj_b: fcl.CollisionObject) -> Gap:
    """FCL's minimum distance and closest points between two BVHs (0 and a contact point where they meet)."""
    result = fcl.DistanceResult()
    distance = fcl.distance(obj_a, obj_b, fcl.DistanceRequest(enable_nearest_points=True), result)
    pa, pb = (np.asarray(p, dtype=float) for p in result.nearest_points)
    if distance <= 0.0:
        distance = 0.0
        contact = fcl.CollisionResult()
        if fcl.collide(obj_a, obj_b, fcl.CollisionRequest(num_max_contacts=1, enable_contact=True), contact) \
                and contact.contacts:
            pa = pb = np.asarray(contact.contacts[0].pos, dtype=float)
    return Gap(float(distance), tuple(float(v) for v in pa), tuple(float(v) for v in pb))  # type: ignore[arg-type]


def to_manifold(mesh: trimesh.Trimesh) -> manifold3d.Manifold:
    """A manifold3d solid of a closed mesh (raises ValueError when manifold3d rejects it)."""
    solid = manifold3d.Manifold(manifold3d.Mesh(vert_properties=np.asarray(mesh.vertices, dtype=np.float32),
                                                tri_verts=np.asarray(mesh.faces, dtype=np.uint32)))
    if solid.status() != manifold3d.Error.NoError:
        raise ValueError(f"manifold3d rejected the mesh: {solid.status()}")
    return solid


def closed_solid(mesh: trimesh.Trimesh, closed: bool) -> manifold3d.Manifold | None:
    """The mesh as a manifold3d solid for volume queries, or None when it is not ``closed`` or manifold3d
    rejects it."""
    if not closed:
        return None
    try:
        return to_manifold(mesh)
    except ValueError:
        return None


def overlap_volume(solid_a: manifold3d.Manifold, solid_b: manifold3d.Manifold) -> Overlap:
    """Volume shared by two closed solids [mm^3] and its bounds."""
    shared = solid_a ^ solid_b
    volume = float(shared.volume())
    if volume <= 0.0 or shared.is_empty():
        return Overlap(0.0, ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0)))
    box = shared.bounding_box()
    return Overlap(volume, (tuple(float(v) for v in box[:3]), tuple(float(v) for v in box[3:])))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Shells:
    """The connected shells of a mesh (faces joined through shared vertices): one vertex of each [mm], (S, 3),
    and each shell's axis-aligned box [mm], (S, 2, 3)."""

    points: np.ndarray
    boxes: np.ndarray


def mesh_shells(faces: np.ndarray, boxes: np.ndarray, n_vertices: int) -> tuple[np.ndarray, np.ndarray]:
    """Per shell (connected through shared vertices), the index of one of its vertices and its box, from the
    ``faces`` (F, 3) and per-triangle ``boxes`` (F, 2, 3)."""
    faces = np.asarray(faces, dtype=np.int64)
    if len(faces) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 2, 3))
    rows = np.concatenate([faces[:, 0], faces[:, 1]])
    cols = np.concatenate([faces[:, 1], faces[:, 2]])
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n_vertices, n_vertices))
    _, labels = connected_components(graph, directed=False)
    face_label = labels[faces[:, 0]]
    order = np.argsort(face_label, kind="stable")
    first = np.flatnonzero(np.r_[True, np.diff(face_label[order]) != 0])
    lo = np.minimum.reduceat(boxes[order, 0], first, axis=0)
    hi = np.maximum.reduceat(boxes[order, 1], first, axis=0)
    return faces[order[first], 0], np.stack([lo, hi], axis=1)


#: a point whose projection lies within this of a triangle's edge, or whose ray meets a triangle within this
#: of the point, makes that ray's count unsure [mm] (float64 arithmetic on mm coordinates errs ~1e-10 mm)
RAY_TOLERANCE_MM = 1e-6


def winding_numbers(points: np.ndarray, vertices: np.ndarray, faces: np.ndarray,
                    boxes: np.ndarray) -> np.ndarray | None:
    """The winding number of a closed, outward-wound triangle mesh about each of ``points`` (P, 3) [mm]: 0
    outside, 1 inside a solid (more where closed shells overlap); None when some point's count is unsure on
    every axis (its ray grazes an edge or vertex on x, y and z), for the caller to decide exactly.

    A ray from the point along +z (else +x, else +y) is cast against the triangles whose boxes it meets; each
    triangle it crosses counts the sign of its normal's component along the ray (the signed crossing number,
    which for a closed surface is its winding number: O'Rourke, *Computational Geometry in C*, 2nd ed., 7.4).
    Crossings are found in the plane across the ray with edge functions; a crossing within
    :data:`RAY_TOLERANCE_MM` of an edge or of the point makes that axis unsure, and the next is tried."""
    v = np.asarray(vertices, dtype=np.float64)
    f = np.asarray(faces, dtype=np.int64)
    out = np.zeros(len(points), dtype=np.int64)
    for index, point in enumerate(np.asarray(points, dtype=np.float64)):
        for along, (u, w) in ((2, (0, 1)), (0, (1, 2)), (1, (2, 0))):
            count = _crossings(point, v, f, boxes, along, u, w)
            if count is not None:
                out[index] = count
                break
        else:
            return None
    return out


def _crossings(point: np.ndarray, v: np.ndarray, f: np.ndarray, boxes: np.ndarray, along: int, u: int,
               w: int) -> int | None:
    """Signed crossings of the ray from ``point`` along +axis ``along`` (plane axes ``u``, ``w``, right-handed),
    or None when a crossing is within :data:`RAY_TOLERANCE_MM` of an edge or of the point."""
    tol = RAY_TOLERANCE_MM
    near = np.flatnonzero((boxes[:, 0, u] <= point[u] + tol) & (boxes[:, 1, u] >= point[u] - tol)
                          & (boxes[:, 0, w] <= point[w] + tol) & (boxes[:, 1, w] >= point[w] - tol)
                          & (boxes[:, 1, along] >= point[along] - tol))
    if len(near) == 0:
        return 0
    tri = v[f[near]]                                   # (n, 3 corners, 3)
    pu, pw = tri[:, :, u] - point[u], tri[:, :, w] - point[w]
    nu, nw = np.roll(pu, -1, axis=1), np.roll(pw, -1, axis=1)
    edge = pu * nw - pw * nu                           # twice the signed area of (p, corner k, corner k + 1)
    length = np.hypot(nu - pu, nw - pw)
    area = edge.sum(axis=1)                            # twice the projected signed area
    flat = np.abs(area) <= tol * np.maximum(length.max(axis=1), tol)   # seen edge-on: crosses nothing
    sign = np.where(area >= 0, 1.0, -1.0)[:, None]
    distance = edge * sign / np.maximum(length, 1e-300)   # how far inside each edge the point's projection lies
    inside = np.all(distance > tol, axis=1) & ~flat
    unsure = ~inside & ~flat & np.all(distance > -tol, axis=1)
    # a triangle seen edge-on crosses nothing, unless the ray runs (nearly) in it: then this axis cannot tell
    longest = np.argmax(length, axis=1)[:, None]
    unsure |= flat & (np.take_along_axis(np.abs(distance), longest, axis=1)[:, 0] <= 2 * tol)
    if unsure.any():
        return None
    if not inside.any():
        return 0
    weights = edge[inside] / area[inside, None]        # barycentric weights of corners k + 2 (opposite edge k)
    height = np.einsum("ij,ij->i", np.roll(weights, -1, axis=1), tri[inside][:, :, along])
    ahead = height - point[along]
    if np.any(np.abs(ahead) <= tol):
        return None
    return int(np.sum(np.sign(area[inside])[ahead > 0]))
