"""Small parts' gap queries on their whole-mesh BVH give the distances of the region-pruned query (issue 15).

``minimum_gap(..., small_whole=True)`` looks at all of a small mesh's faces (one BVH per part, built once);
the pruned query looks only at the triangles whose boxes meet the region. Within the region's inflation both
are the exact minimum distance, so they must agree (to 1e-9 mm) on random small meshes (separated, touching,
overlapping, with degenerate triangles) and on the bundled real meshes. Expected distances of the box cases are
the construction's own gaps (two axis-aligned boxes ``d`` apart along x are ``d`` apart: the nearest faces are
parallel planes), independent of FCL.
"""

from __future__ import annotations

import json
from pathlib import Path

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


# --- the whole pair analysis: the quick query changes no finding, gap or shown point --------------------------------
def _board(folder: Path) -> Path:
    """A board with a row of small parts (boxes and 24-sided cylinders) at gaps that pass (1.0 mm), fall short
    (0.4 mm of 0.5 mm), touch without a declared contact (0), overlap (-0.2 mm), and an open part (a box
    missing a face) touching its neighbour; all seated on the board, a declared contact."""
    meshes = {"board": (_box((0, 0, 0), (80, 20, 1.6)), "pcb")}
    x = 2.0
    cylinder = trimesh.creation.cylinder(radius=2.0, height=3.0, sections=24)
    for k, gap in enumerate([1.0, 0.4, 0.0, -0.2, 1.0, 0.4, 0.0, 1.0]):
        mesh = _box((x, 5, 1.6), (x + 4, 9, 4.6)) if k % 2 else cylinder.copy().apply_translation((x + 2, 7, 3.1))
        meshes[f"p{k}"] = (mesh, "other")
        x += 4.0 + gap
    open_box = _box((x, 5, 1.6), (x + 4, 9, 4.6))
    open_box.update_faces(np.arange(len(open_box.faces)) >= 2)    # two triangles off: not closed
    meshes["open"] = (open_box, "other")
    lines = []
    for name, (mesh, role) in meshes.items():
        mesh.export(folder / f"{name}.stl")
        lines.append(f"  {name}: {{file: {name}.stl, role: {role}}}\n")
    design = folder / "design.yaml"
    design.write_text("sledcheck: 1\nname: small-board\nunits: mm\nparts:\n" + "".join(lines)
                      + "contacts:\n  - [other, pcb]\nclearance:\n  - {min: 0.5 mm}\n", encoding="utf-8")
    return design


def test_board_report_is_the_same_with_the_quick_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sledcheck
    import sledcheck.model.pairs as pairs_module
    from sledcheck.report.json_format import render_json

    design = _board(tmp_path)
    calls: list[bool] = []
    original = pairs_module.minimum_gap

    def counted(*args, small_whole: bool = False):
        calls.append(small_whole)
        return original(*args, small_whole=small_whole)

    monkeypatch.setattr(pairs_module, "minimum_gap", counted)
    quick = render_json(sledcheck.check(design, ignore=["T"]))
    assert any(calls)                               # the quick query ran
    assert calls.count(False) >= 4                  # the shortfalls and touches were measured again
    monkeypatch.setattr(pairs_module, "minimum_gap", lambda *args, small_whole=False: original(*args))
    pruned = render_json(sledcheck.check(design, ignore=["T"]))
    assert quick == pruned
    codes = [f["code"] for f in json.loads(quick)["findings"]]
    assert codes.count("D201") >= 4 and "D101" in codes   # shortfalls, touches and the overlap are found
