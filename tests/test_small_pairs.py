"""Small parts' gap queries on their whole-mesh BVH give the distances of the region-pruned query (issue 15).

``minimum_gap(..., small_whole=True)`` looks at all of a small mesh's faces (one BVH per part, built once);
the pruned query looks only at the triangles whose boxes meet the region. Within the region's inflation both
are the exact minimum distance, so they must agree (to 1e-9 mm) on random small meshes (separated, touching,
overlapping, with degenerate triangles) and on the bundled real meshes. Expected distances of the box cases are
the construction's own gaps (two axis-aligned boxes ``d`` apart along x are ``d`` apart: the nearest faces are
parallel planes), independent of FCL.
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from conftest import BUNDLED
from sledcheck.geometry.proximity import minimum_gap, triangle_boxes

REACH_MM = 2.0
TOL_MM = 1e-9


def _both(a: trimesh.Trimesh, b: trimesh.Trimesh, reach: float = REACH_MM) -> tuple[float | None, float | None]:
    """The pruned and the whole-mesh distances [mm] over the pair's region (boxes met, inflated by ``reach``)."""
    box_a, box_b = triangle_boxes(a.vertices, a.faces), triangle_boxes(b.vertices, b.faces)
    region = np.array([np.maximum(a.bounds[0], b.bounds[0]) - reach, np.minimum(a.bounds[1], b.bounds[1]) + reach])
    pruned = minimum_gap(a, box_a, b, box_b, region)
    whole = minimum_gap(a, box_a, b, box_b, region, small_whole=True)
    return (None if pruned is None else pruned.distance), (None if whole is None else whole.distance)


def _box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
    lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
    return trimesh.creation.box(extents=hi_a - lo_a,
                                transform=trimesh.transformations.translation_matrix((lo_a + hi_a) / 2))


@pytest.mark.parametrize("gap_mm", [0.4, 1e-4, 0.0, -0.3, 1.9])
def test_boxes_apart_touching_overlapping(gap_mm: float) -> None:
    a = _box((0, 0, 0), (5, 4, 3))
    b = _box((5 + gap_mm, 1, 0.5), (9, 3, 2))
    pruned, whole = _both(a, b)
    assert pruned is not None and whole is not None
    assert abs(whole - pruned) <= TOL_MM
    assert abs(whole - max(gap_mm, 0.0)) <= TOL_MM   # overlapping: FCL reports 0 (no penetration depth)


def _soup(rng: np.random.Generator, count: int, degenerate: bool) -> trimesh.Trimesh:
    corners = rng.uniform(0.0, 3.0, size=(count, 3, 3))
    if degenerate:
        corners[0, 2] = corners[0, 1]                               # two corners the same
        corners[1, 2] = (corners[1, 0] + corners[1, 1]) / 2         # collinear: a sliver of zero area
        corners[2, :] = corners[2, 0]                               # a point
    return trimesh.Trimesh(vertices=corners.reshape(-1, 3), faces=np.arange(3 * count).reshape(-1, 3),
                           process=False)


@pytest.mark.parametrize("seed", range(12))
def test_random_soups(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = _soup(rng, int(rng.integers(3, 30)), degenerate=seed % 2 == 0)
    b = _soup(rng, int(rng.integers(3, 30)), degenerate=seed % 3 == 0)
    b.apply_translation(rng.uniform(-1.0, 1.0, 3) * [4.0, 1.0, 1.0] * (seed % 4))   # overlapping .. separated
    pruned, whole = _both(a, b)
    _agree(pruned, whole)
    # an independent upper bound: the distance between any corner of one and the other's surface
    bound = float(np.min(trimesh.proximity.closest_point(a, b.vertices)[1]))
    if whole is not None:
        assert whole <= bound + TOL_MM
    assert pruned is not None or bound > REACH_MM


def _agree(pruned: float | None, whole: float | None) -> None:
    """Within the region's inflation the same distance; beyond it both say "too far" (None, or over it)."""
    if pruned is not None and pruned <= REACH_MM:
        assert whole is not None and abs(whole - pruned) <= TOL_MM
    else:
        assert whole is None or whole > REACH_MM - TOL_MM


REAL = sorted(p for p in BUNDLED.glob("*/*.stl"))


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
@pytest.mark.parametrize("offset_mm", [0.25, 1.5, 0.0, -2.0])
def test_real_meshes(path, offset_mm: float) -> None:
    a = trimesh.load(path, force="mesh")
    b = a.copy()
    rotation = trimesh.transformations.rotation_matrix(0.3, [1, 2, 3], a.centroid)
    b.apply_transform(rotation)
    b.apply_translation([a.extents[0] + offset_mm, 0.0, 0.0])
    pruned, whole = _both(a, b)
    _agree(pruned, whole)
