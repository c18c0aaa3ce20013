"""The scanline rasteriser of the views (issue 15, item 4) sets exactly the pixels of the per-pixel one it replaced.

``_reference_rasterise`` below is the old algorithm, copied verbatim from sledcheck/model/views.py before the
change (it tests every pixel of a triangle's bounding box, rounded up to a power of two, so its time grew with
the triangles' area). The new one must give the same mask: on random triangles of every size and shape
(slivers, near-horizontal and near-vertical edges, degenerate ones, triangles off the grid), on the projections
of the example tray's meshes, and on a part large enough to be rasterised in the views.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sledcheck.model import views
from sledcheck.model.views import RASTER_MAX_PX, SIMPLIFY_MM, _rasterise

ROOT = Path(__file__).resolve().parents[1]


# --- the reference: the rasteriser before issue 15, verbatim ---------------------------------------------------
def _reference_rasterise(mask: np.ndarray, tri: np.ndarray) -> None:
    signed = (tri[:, 1, 0] - tri[:, 0, 0]) * (tri[:, 2, 1] - tri[:, 0, 1]) \
        - (tri[:, 1, 1] - tri[:, 0, 1]) * (tri[:, 2, 0] - tri[:, 0, 0])
    flip = signed < 0
    tri = tri.copy()
    tri[flip, 1], tri[flip, 2] = tri[flip, 2].copy(), tri[flip, 1].copy()   # counter-clockwise
    centroid = tri.mean(axis=1).astype(int)
    mask[centroid[:, 1], centroid[:, 0]] = True
    first = np.ceil(tri.min(axis=1) - 0.5).astype(np.int64)      # first pixel index whose centre may be inside
    last = np.floor(tri.max(axis=1) - 0.5).astype(np.int64)
    size = np.maximum(last - first + 1, 0).max(axis=1)
    klass = np.where(size <= 1, size, 2 ** np.ceil(np.log2(np.maximum(size, 1))).astype(int))
    for k in sorted(set(klass.tolist()) - {0}):                  # size 0: no pixel centre, the centroid did it
        index = np.nonzero(klass == k)[0]
        if k > 256:
            for i in index:
                _reference_fill(mask, tri[i:i + 1], first[i:i + 1], int(size[i]))
            continue
        chunk = max(1, 2_000_000 // (k * k))
        for start in range(0, len(index), chunk):
            sel = index[start:start + chunk]
            _reference_fill(mask, tri[sel], first[sel], k)


def _reference_fill(mask: np.ndarray, tri: np.ndarray, first: np.ndarray, k: int) -> None:
    du, dv = np.meshgrid(np.arange(k), np.arange(k), indexing="xy")
    iu = first[:, 0:1] + du.ravel()[None, :]                      # (n, k*k)
    iv = first[:, 1:2] + dv.ravel()[None, :]
    pu, pv = (iu + 0.5).astype(np.float32), (iv + 0.5).astype(np.float32)
    inside = np.ones(iu.shape, dtype=bool)
    tol = 1e-9
    for a, b in ((0, 1), (1, 2), (2, 0)):
        ax, ay = tri[:, a, 0:1], tri[:, a, 1:2]
        bx, by = tri[:, b, 0:1], tri[:, b, 1:2]
        inside &= (bx - ax) * (pv - ay) - (by - ay) * (pu - ax) >= -tol
    inside &= (iu >= 0) & (iv >= 0) & (iu < mask.shape[1]) & (iv < mask.shape[0])
    mask[iv[inside], iu[inside]] = True
# ----------------------------------------------------------------------------------------------------------------


def _both(tri: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    old, new = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    _reference_rasterise(old, tri)
    _rasterise(new, tri)
    return old, new


def _grid_triangles(tri_mm: np.ndarray, max_px: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Triangles [mm] in pixel units on the grid :func:`views._raster_union` builds for them (with ``max_px``
    for :data:`RASTER_MAX_PX`), and its shape."""
    lo, hi = tri_mm.reshape(-1, 2).min(axis=0), tri_mm.reshape(-1, 2).max(axis=0)
    pixel = max(SIMPLIFY_MM, float((hi - lo).max()) / max_px)
    origin = lo - 2 * pixel
    shape = np.ceil((hi - origin) / pixel).astype(int) + 3
    return ((tri_mm - origin) / pixel).astype(np.float32), (int(shape[1]), int(shape[0]))


@pytest.mark.parametrize("seed", range(6))
def test_random_triangles_of_every_size_give_the_same_pixels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (300, 420)                                            # [v, u]
    centres = rng.uniform(-20, 440, size=(600, 1, 2))
    scale = 10.0 ** rng.uniform(-2, 2.6, size=(600, 1, 1))       # 0.01 to 400 pixels across
    tri = (centres + scale * rng.normal(size=(600, 3, 2))).astype(np.float32)
    tri[:40, 2] = tri[:40, 1] + 1e-3 * (tri[:40, 1] - tri[:40, 0])   # slivers (nearly collinear)
    tri[40:80, 1, 1] = tri[40:80, 0, 1] + rng.uniform(-1e-3, 1e-3, 40)   # near-horizontal edges
    tri[80:120, 1, 0] = tri[80:120, 0, 0]                         # exactly vertical edges
    tri[120:140, 1] = tri[120:140, 0]                             # degenerate: two equal corners
    tri[140:200] = np.round(tri[140:200] * 2) / 2                 # corners and edges through pixel centres
    inside = (tri.reshape(-1, 2) >= 0).all(axis=1).reshape(-1, 3).all(axis=1)
    inside &= (tri[:, :, 0] < shape[1]).all(axis=1) & (tri[:, :, 1] < shape[0]).all(axis=1)
    tri = tri[inside]                                             # (views keep every triangle on its grid)
    old, new = _both(tri, shape)
    assert old.sum() > 1000
    assert np.array_equal(old, new), f"{int((old ^ new).sum())} pixels differ"


def _example_triangles(distinct: bool) -> list[tuple[str, np.ndarray]]:
    """Each part's triangles in both views (``distinct``: one part per mesh file, the others are copies)."""
    from sledcheck.model.assembly import build_assembly
    from sledcheck.pipeline import load

    assembly = build_assembly(load(ROOT / "examples" / "tray-1u" / "overheight.yaml"))
    out, files = [], set()
    for part in assembly.parts:
        if distinct and part.file in files:
            continue
        files.add(part.file)
        vertices = np.asarray(part.mesh.vertices, dtype=float)
        faces = np.asarray(part.mesh.faces, dtype=np.int64)
        for axes in ((0, 1), (1, 2)):
            out.append((f"{part.name}{axes}", vertices[faces][:, :, list(axes)]))
    return out


@pytest.mark.parametrize(("max_px", "distinct"),
                         [pytest.param(160, True, marks=pytest.mark.slow),   # (the default run: under 2 minutes)
                          pytest.param(RASTER_MAX_PX, False, marks=pytest.mark.slow)])
def test_the_example_tray_rasterises_to_the_same_pixels(max_px: int, distinct: bool) -> None:
    """Every part of the example tray, both views, on the grid the views would use (all its triangles, facing
    or not: more edge cases than the views feed in). The default run uses a coarser grid than the views (the
    reference takes minutes on theirs) and each mesh file once; ``-m slow`` runs every part on the views' own."""
    compared = 0
    for name, tri_mm in _example_triangles(distinct):
        tri, shape = _grid_triangles(tri_mm, max_px)
        old, new = _both(tri, shape)
        assert np.array_equal(old, new), f"{name}: {int((old ^ new).sum())} of {int(old.sum())} pixels differ"
        compared += int(old.sum())
    assert compared > 10_000


def test_large_triangles_cost_rows_not_area(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plate of 2 triangles across the whole 2400 x 2400 grid (the tray's floor seen from above) and 20 000
    small ones: the old rasteriser tests 5.8 M pixels per large triangle, the new one works on each row once
    per edge (counted, not timed: (triangle, row) pairs given to the span search)."""
    rows_seen: list[int] = []
    span_ends = views._span_ends

    def counted(along: np.ndarray, *rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows_seen.append(len(along))
        return span_ends(along, *rest)

    monkeypatch.setattr(views, "_span_ends", counted)
    big = np.array([[[2, 2], [2398, 2], [2398, 2398]], [[2, 2], [2398, 2398], [2, 2398]]], dtype=np.float32)
    rng = np.random.default_rng(1)
    small = (rng.uniform(10, 2390, size=(20_000, 1, 2)) + rng.uniform(0, 0.8, size=(20_000, 3, 2)))
    tri = np.concatenate([big, small.astype(np.float32)])
    mask = np.zeros((2400, 2400), dtype=bool)
    views._rasterise(mask, tri)
    reference = np.zeros_like(mask)
    _reference_rasterise(reference, tri)
    assert np.array_equal(mask, reference)
    # pixel centres 2.5 .. 2397.5 in both axes lie in the square [2, 2398]^2: 2396^2 of them
    assert int(mask[2:2398, 2:2398].sum()) == 2396 ** 2
    # the big pair spans rows 2..2397 each (2396 rows); a small one at most 1 or 2 rows: far below the area
    assert len(rows_seen) == 3 and rows_seen[0] <= 2 * 2396 + 2 * 20_000


def test_the_views_of_a_rasterised_part_are_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outlines of a part large enough to be rasterised (a heat sink of the example) are the same with the
    old rasteriser: same pixels, same traced and simplified polygons."""
    from sledcheck.model.assembly import build_assembly
    from sledcheck.pipeline import load

    assembly = build_assembly(load(ROOT / "examples" / "tray-1u" / "overheight.yaml"))
    monkeypatch.setattr(views, "EXACT_MAX", 200)   # rasterise the example's parts, which are small
    monkeypatch.setattr(views, "RASTER_MAX_PX", 400)   # on a coarser grid: the reference is slow
    new = views.part_views(assembly)
    monkeypatch.setattr(views, "_rasterise", _reference_rasterise)
    old = views.part_views(assembly)
    assert any(p.method == "raster" for p in new.parts)
    assert new.to_json() == old.to_json()
