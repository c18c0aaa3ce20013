"""Mesh health, measured once per part: closed volume, winding, inverted bodies, degenerate faces.

All counts come from one vectorised pass over the directed edges, so this stays linear in the triangle
count for multi-million-triangle assemblies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..geometry.vectors import cross_rows
from .sorting import sorted_with_order

#: faces per slice of the geometric pass (volumes, areas): its temporaries stay small on a large mesh
_SLICE = 1 << 18


@dataclass(frozen=True)
class MeshHealth:
    """Health of one part's mesh (after merging duplicate vertices)."""

    triangles: int
    bodies: int                # connected shells
    watertight: bool           # every edge shared by exactly two faces
    winding_consistent: bool   # neighbouring faces agree on orientation
    open_bodies: int           # shells with boundary or non-manifold edges
    inverted_bodies: int       # closed shells whose normals point inwards (negative volume)
    boundary_edges: int
    nonmanifold_edges: int
    degenerate_faces: int      # faces with (near) zero area
    largest_shell: float = 0.0  # largest bounding-box size of any one shell [mesh units]
    volume: float = 0.0        # signed enclosed volume [mesh units^3]; a volume only when the mesh is closed
    centroid: tuple[float, float, float] | None = None   # of that volume [mesh units]; None when it is 0

    @property
    def closed(self) -> bool:
        """A closed, consistently wound volume with outward normals: volume checks can trust it."""
        return self.watertight and self.winding_consistent and self.inverted_bodies == 0


def measure_health(vertices: np.ndarray, faces: np.ndarray, boxes: np.ndarray | None = None) -> MeshHealth:
    """Measure a mesh given as welded ``vertices`` (V, 3) and ``faces`` (F, 3); ``boxes`` are the per-triangle
    bounding boxes (F, 2, 3) when the caller has them already."""
    faces = np.asarray(faces, dtype=np.int64)
    n_faces = len(faces)
    if n_faces == 0:
        return MeshHealth(0, 0, False, False, 0, 0, 0, 0, 0)
    # every edge once per face, as one int64 key (vertex a * n + vertex b), sorted once: a 1-D sort is far
    # faster than row-wise unique, and everything below reads the groups of equal keys
    n_vertices = np.int64(len(vertices))
    heads = faces.reshape(-1)
    tails = faces[:, [1, 2, 0]].reshape(-1)
    undirected = np.minimum(heads, tails)                     # (in place from here: one key array, no copies)
    np.maximum(heads, tails, out=tails)
    undirected *= n_vertices
    undirected += tails
    del tails
    order, keys = sorted_with_order(undirected, int(n_vertices) ** 2)
    del undirected
    same = keys[1:] == keys[:-1]                              # sorted neighbours on the same edge
    del keys
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    counts = np.diff(np.concatenate((starts, [len(order)])))
    del starts
    boundary_edges = int(np.count_nonzero(counts == 1))
    nonmanifold_edges = int(np.count_nonzero(counts > 2))
    # winding: the two uses of a shared edge run in opposite directions (different heads)
    winding_consistent = bool(np.all(heads[order[:-1][same]] != heads[order[1:][same]]))
    edge_face = order
    edge_face //= 3                                           # the face of each sorted edge (in place)
    del order
    # shells: faces joined through shared edges (face numbers fit int32: the triangle limit is far below 2^31)
    index = np.int32 if n_faces < 2 ** 31 else np.int64
    first_face, second_face = edge_face[:-1][same].astype(index), edge_face[1:][same].astype(index)
    del same
    n_bodies, labels = _shells(n_faces, first_face, second_face)
    del first_face, second_face
    bad = np.repeat(counts != 2, counts)                      # per sorted edge: on a boundary or non-manifold
    open_per_body = np.bincount(labels[edge_face[bad]], minlength=n_bodies) > 0
    del bad, edge_face

    v = np.asarray(vertices, dtype=float)
    if boxes is None:
        boxes = np.empty((n_faces, 2, 3))
        for start in range(0, n_faces, _SLICE):
            c = v[faces[start:start + _SLICE]]
            boxes[start:start + _SLICE, 0], boxes[start:start + _SLICE, 1] = c.min(axis=1), c.max(axis=1)
    lo, hi = boxes[:, 0].min(axis=0), boxes[:, 1].max(axis=0)
    scale = float(np.linalg.norm(hi - lo))
    # per face: 6 x its signed volume against the origin (the shells' signs, as always measured) and against the
    # mesh's lowest corner with its first moment (the volume and centroid: a near apex keeps the sums exact far
    # from the origin), and whether its area vanishes, in slices of faces (bounded memory)
    six_volume = np.empty(n_faces)
    six_total = 0.0
    moment = np.zeros(3)                                      # sum of 24 x volume x centroid, from the corner
    degenerate = 0
    for start in range(0, n_faces, _SLICE):
        part = faces[start:start + _SLICE]
        v0, v1, v2 = v[part[:, 0]], v[part[:, 1]], v[part[:, 2]]
        normal = cross_rows(v1 - v0, v2 - v0)                 # |n| = 2 area; v0 . n = v0 . (v1 x v2) = 6 volume
        six_volume[start:start + _SLICE] = np.einsum("ij,ij->i", v0, normal)
        corners = v0 + v1
        corners += v2
        corners -= 3 * lo
        six = np.einsum("ij,ij->i", v0 - lo, normal)          # the tetrahedron (o, v0, v1, v2), o the corner
        six_total += float(six.sum())
        moment += six @ corners                               # its centroid (o + v0 + v1 + v2) / 4, from o
        if scale > 0:
            twice_area = np.sqrt(np.einsum("ij,ij->i", normal, normal))
            degenerate += int(np.count_nonzero(twice_area <= 2 * (1e-9 * scale) ** 2))
    if scale <= 0:
        degenerate = n_faces
    volume_per_body = np.bincount(labels, weights=six_volume / 6.0, minlength=n_bodies)
    del six_volume
    volume = six_total / 6.0
    centroid = None if volume == 0.0 else _point(lo + moment / (24.0 * volume))
    inverted = int(np.count_nonzero((volume_per_body < 0) & ~open_per_body))

    if n_bodies > 1:
        by_label = np.argsort(labels, kind="stable")
        first = np.flatnonzero(np.r_[True, np.diff(labels[by_label]) != 0])
        corner_lo = np.minimum.reduceat(boxes[by_label, 0], first, axis=0)
        corner_hi = np.maximum.reduceat(boxes[by_label, 1], first, axis=0)
        largest_shell = float((corner_hi - corner_lo).max())
    else:
        largest_shell = float((hi - lo).max())

    return MeshHealth(
        largest_shell=largest_shell,
        triangles=n_faces, bodies=n_bodies, watertight=boundary_edges == 0 and nonmanifold_edges == 0,
        winding_consistent=winding_consistent, open_bodies=int(np.count_nonzero(open_per_body)),
        inverted_bodies=inverted, boundary_edges=boundary_edges, nonmanifold_edges=nonmanifold_edges,
        degenerate_faces=degenerate, volume=volume, centroid=centroid,
    )


#: meshes of at most this many faces find their shells by label propagation (scipy's graph set-up costs more
#: than the work there: a board of 1000 small parts spent most of its health pass in it)
SMALL_FACES = 1024


def _shells(n_faces: int, a: np.ndarray, b: np.ndarray) -> tuple[int, np.ndarray]:
    """Connected shells of faces joined by the pairs (a[i], b[i]): their number and each face's label, numbered
    in the order of each shell's lowest face (as scipy's ``connected_components`` numbers them)."""
    if n_faces > SMALL_FACES:
        graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n_faces, n_faces))
        n_bodies, labels = connected_components(graph, directed=False)
        return int(n_bodies), labels
    # each face takes the lowest label among its neighbours, then its label's label (pointer jumping), until
    # nothing changes: every shell then carries its lowest face number
    labels = np.arange(n_faces)
    while True:
        lowest = np.minimum(labels[a], labels[b])
        new = labels.copy()
        np.minimum.at(new, a, lowest)
        np.minimum.at(new, b, lowest)
        new = new[new]
        if not (new != labels).any():
            break
        labels = new
    # every label is now its shell's lowest face, a root (labelled itself): shells numbered by their roots' order
    roots = labels == np.arange(n_faces)
    return int(np.count_nonzero(roots)), np.cumsum(roots)[labels] - 1



def _point(values: np.ndarray) -> tuple[float, float, float]:
    return float(values[0]), float(values[1]), float(values[2])


def combine(healths: list[MeshHealth]) -> MeshHealth:
    """Health of a part made of several bodies, each measured on its own (touching bodies share no edges)."""
    if len(healths) == 1:
        return healths[0]
    volume = sum(h.volume for h in healths)
    centroid = None
    if volume != 0.0:
        moment = sum(h.volume * np.asarray(h.centroid) for h in healths if h.centroid is not None)
        centroid = _point(np.asarray(moment) / volume)
    return MeshHealth(
        triangles=sum(h.triangles for h in healths),
        bodies=sum(h.bodies for h in healths),
        watertight=all(h.watertight for h in healths),
        winding_consistent=all(h.winding_consistent for h in healths),
        open_bodies=sum(h.open_bodies for h in healths),
        inverted_bodies=sum(h.inverted_bodies for h in healths),
        boundary_edges=sum(h.boundary_edges for h in healths),
        nonmanifold_edges=sum(h.nonmanifold_edges for h in healths),
        degenerate_faces=sum(h.degenerate_faces for h in healths),
        largest_shell=max((h.largest_shell for h in healths), default=0.0),
        volume=volume, centroid=centroid,
    )
