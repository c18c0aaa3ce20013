"""The fast paths give the answers of the exact ones (issue 15).

* The point-in-solid test (:func:`winding_numbers`) against manifold3d: a point is inside a closed solid when a
  small cube around it, intersected with the solid by manifold3d, keeps the cube's whole volume.
* The "wholly inside another" shortcut (:func:`may_nest`) against manifold3d's overlap volume, on generated
  shapes whose surfaces do not meet: nested boxes, a part in the cavity of a hollow tray, a part buried in the
  tray's wall, a hollow part around another, multi-shell parts; and the whole pair analysis with the shortcut
  against the same analysis forced down the exact path, including a part half outside another.
* The binary STL reader against trimesh's loader (the same vertices and faces), on the real STL files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import manifold3d
import numpy as np
import pytest
import trimesh

import sledcheck
import sledcheck.model.pairs as pairs_module
from conftest import BUNDLED, ROOT
from sledcheck.geometry.proximity import overlap_volume, to_manifold, triangle_boxes, winding_numbers
from sledcheck.load.meshes import read_mesh_file
from sledcheck.load.weld import weld
from sledcheck.model.assembly import build_assembly
from sledcheck.model.pairs import analyse_pairs, may_nest
from sledcheck.pipeline import load

CUBE_MM = 1e-3   # side of the probe cube around a point [mm]


def box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
    lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
    return trimesh.creation.box(extents=hi_a - lo_a,
                                transform=trimesh.transformations.translation_matrix((lo_a + hi_a) / 2))


def hollow_tray() -> trimesh.Trimesh:
    """An open tray 100 x 80 x 30 mm, floor and walls 2 mm thick: one closed shell whose box holds its hollow."""
    outer = box((0, 0, 0), (100, 80, 30))
    cavity = box((2, 2, 2), (98, 78, 31))
    return trimesh.boolean.difference([outer, cavity], engine="manifold")


def manifold_inside(solid: manifold3d.Manifold, point: np.ndarray) -> bool:
    """The reference: is ``point`` inside ``solid``, by manifold3d's intersection with a small cube about it?"""
    cube = manifold3d.Manifold.cube((CUBE_MM, CUBE_MM, CUBE_MM), center=True).translate(tuple(point))
    return (solid ^ cube).volume() > 0.5 * CUBE_MM ** 3


def far_from_surface(mesh: trimesh.Trimesh, points: np.ndarray) -> np.ndarray:
    """The points at least 10 probe cubes from the mesh's surface (so the reference is unambiguous)."""
    return points[trimesh.proximity.closest_point(mesh, points)[1] > 10 * CUBE_MM]


SHAPES = {
    "box": box((0, 0, 0), (10, 20, 30)),
    "sphere": trimesh.creation.icosphere(subdivisions=2, radius=5.0),
    "rotated cylinder": trimesh.creation.cylinder(radius=4.0, height=12.0, sections=17).apply_transform(
        trimesh.transformations.rotation_matrix(0.7, (1.0, 0.3, 0.2))),
    "hollow tray": hollow_tray(),
    "torus": trimesh.creation.torus(major_radius=10.0, minor_radius=3.0, major_sections=24, minor_sections=12),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_winding_numbers_agree_with_manifold3d(name: str) -> None:
    mesh = SHAPES[name]
    solid = to_manifold(mesh)
    rng = np.random.default_rng(7)
    lo, hi = mesh.bounds
    points = far_from_surface(mesh, rng.uniform(lo - 2.0, hi + 2.0, size=(300, 3)))
    vertices, faces = np.asarray(mesh.vertices), np.asarray(mesh.faces)
    winding = winding_numbers(points, vertices, faces, triangle_boxes(vertices, faces))
    assert winding is not None
    expected = np.array([manifold_inside(solid, p) for p in points])
    assert 0 < expected.sum() < len(points)            # both answers are exercised
    np.testing.assert_array_equal(winding != 0, expected)
    assert set(np.unique(winding)) <= {0, 1}           # one closed outward-wound solid: 1 inside


def test_a_ray_along_an_edge_is_unsure_not_wrong() -> None:
    """From (1, 1, 1) inside a 10 mm cube, the rays along +z, +x and +y each meet a face's diagonal (the
    triangles' shared edge): every axis is unsure and the caller is told so, never given a wrong count."""
    mesh = box((0, 0, 0), (10, 10, 10))
    vertices, faces = np.asarray(mesh.vertices), np.asarray(mesh.faces)
    boxes = triangle_boxes(vertices, faces)
    diagonal = np.array([[1.0, 1.0, 1.0]])
    answer = winding_numbers(diagonal, vertices, faces, boxes)
    assert answer is None or answer.tolist() == [1]
    assert winding_numbers(np.array([[1.0, 2.0, 3.0]]), vertices, faces, boxes).tolist() == [1]
    assert winding_numbers(np.array([[11.0, 2.0, 3.0]]), vertices, faces, boxes).tolist() == [0]


def _stl(folder: Path, name: str, mesh: trimesh.Trimesh) -> str:
    mesh.export(folder / f"{name}.stl")
    return f"  {name}: {{file: {name}.stl, role: other}}\n"


# (name, mesh) pairs whose surfaces do not meet, with whether their solids share volume (manifold3d decides)
NESTING = {
    "nested boxes": (box((0, 0, 0), (50, 50, 50)), box((10, 10, 10), (20, 30, 40))),
    "part in the tray's cavity": (hollow_tray(), box((10, 10, 5), (40, 30, 20))),
    "part in the tray's floor": (hollow_tray(), box((10, 10, 0.5), (40, 30, 1.5))),
    "part in the tray's wall, far side": (hollow_tray(), box((98.5, 10, 5), (99.5, 30, 20))),
    "sphere in the cavity": (hollow_tray(), trimesh.creation.icosphere(radius=6.0).apply_translation((50, 40, 15))),
    "disjoint boxes, one box inside the other's box": (
        trimesh.util.concatenate([box((0, 0, 0), (5, 5, 5)), box((45, 45, 45), (50, 50, 50))]),
        box((20, 20, 20), (30, 30, 30))),
    "second shell inside": (
        box((0, 0, 0), (60, 60, 60)),
        trimesh.util.concatenate([box((10, 10, 10), (20, 20, 20)), box((70, 10, 10), (80, 20, 20))])),
}


@pytest.mark.parametrize("case", sorted(NESTING))
def test_may_nest_agrees_with_manifold3d(tmp_path: Path, case: str) -> None:
    outer, inner = NESTING[case]
    lines = _stl(tmp_path, "outer", outer) + _stl(tmp_path, "inner", inner)
    (tmp_path / "design.yaml").write_text(f"sledcheck: 1\nname: nest\nunits: mm\nparts:\n{lines}", encoding="utf-8")
    assembly = build_assembly(load(tmp_path / "design.yaml"))
    a, b = assembly.part("outer"), assembly.part("inner")
    assert a.solid is not None and b.solid is not None
    shared = overlap_volume(a.solid, b.solid).volume > pairs_module.VOLUME_EPS_MM3
    assert (may_nest(a, b) or may_nest(b, a)) == shared


def _analyse_both_ways(design: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple, tuple]:
    """The pair analysis with the shortcut, and forced down the exact path (manifold3d for every candidate)."""
    fast = analyse_pairs(build_assembly(load(design)))
    with monkeypatch.context() as patch:
        patch.setattr(pairs_module, "may_nest", lambda inner, outer: True)
        exact = analyse_pairs(build_assembly(load(design)))
    return fast, exact


def test_pair_analysis_is_unchanged_by_the_shortcut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _stl(tmp_path, "tray", hollow_tray())
    lines += _stl(tmp_path, "in_cavity", box((10, 10, 5), (40, 30, 20)))
    lines += _stl(tmp_path, "in_floor", box((50, 10, 0.5), (70, 30, 1.5)))
    lines += _stl(tmp_path, "half_out", box((90, 40, 10), (110, 50, 20)))     # through the wall at x = 98..100
    lines += _stl(tmp_path, "sphere", trimesh.creation.icosphere(radius=4.0).apply_translation((60, 55, 15)))
    lines += _stl(tmp_path, "core", box((57, 52, 12), (63, 58, 18)))          # wholly inside the sphere
    (tmp_path / "design.yaml").write_text(f"sledcheck: 1\nname: nest\nunits: mm\nparts:\n{lines}"
                                          "clearance:\n  - {min: 0.5 mm}\n", encoding="utf-8")
    fast, exact = _analyse_both_ways(tmp_path / "design.yaml", monkeypatch)
    assert fast == exact
    interfering = {(p.a, p.b) for p in fast if p.interferes}
    assert interfering == {("tray", "in_floor"), ("tray", "half_out"), ("sphere", "core")}


def test_the_benchmark_style_check_reports_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end through ``sledcheck.check``: the findings with and without the shortcut are identical."""
    lines = _stl(tmp_path, "tray", hollow_tray()) + _stl(tmp_path, "buried", box((10, 10, 0.5), (40, 30, 1.5)))
    lines += _stl(tmp_path, "free", box((50, 10, 5), (70, 30, 20)))
    path = tmp_path / "design.yaml"
    path.write_text(f"sledcheck: 1\nname: nest\nunits: mm\nparts:\n{lines}", encoding="utf-8")
    fast = sledcheck.check(path, fail_on="never")
    with monkeypatch.context() as patch:
        patch.setattr(pairs_module, "may_nest", lambda inner, outer: True)
        exact = sledcheck.check(path, fail_on="never")
    assert [(f.code, f.subjects, f.message) for f in fast.findings] == \
        [(f.code, f.subjects, f.message) for f in exact.findings]
    assert [f.code for f in fast.findings] == ["D101"]


REAL_STL = sorted(p for p in BUNDLED.rglob("*") if p.suffix.lower() == ".stl")


@pytest.mark.parametrize("path", REAL_STL, ids=lambda p: p.name)
def test_stl_reader_gives_trimesh_loaders_geometry(path: Path) -> None:
    """Our reader gives trimesh's loader's geometry; a binary STL's comes welded already (the same vertices
    and faces as welding trimesh's, and welding it again changes nothing)."""
    ours = read_mesh_file(path, path.name)
    theirs = trimesh.load(str(path), process=False)
    if isinstance(theirs, trimesh.Scene):   # an ASCII STL of several solids: bodies named after them
        meshes = [theirs.geometry[body.geometry] for body in ours.bodies]
        assert len(meshes) == len(theirs.geometry)
    else:
        meshes = [theirs]
    for body, mesh in zip(ours.bodies, meshes, strict=True):
        vertices, faces = np.asarray(mesh.vertices), np.asarray(mesh.faces)
        data = path.read_bytes()
        binary = len(data) >= 84 and len(data) == 84 + 50 * int.from_bytes(data[80:84], "little")
        if binary:
            vertices, faces = weld(vertices, faces)
            again = weld(np.asarray(body.mesh.vertices), np.asarray(body.mesh.faces))
            np.testing.assert_array_equal(again[0], body.mesh.vertices)
            np.testing.assert_array_equal(again[1], body.mesh.faces)
        np.testing.assert_array_equal(body.mesh.vertices, vertices)
        np.testing.assert_array_equal(body.mesh.faces, faces)


EXAMPLE_DESIGNS = sorted((ROOT / "examples").glob("*/*.yaml"))


@pytest.mark.parametrize("design", [
    pytest.param(d, marks=pytest.mark.slow) if d.parent.name == "step-sled" else d   # exact B-rep refinement
    for d in EXAMPLE_DESIGNS if d.parent.name != "ci"], ids=lambda d: f"{d.parent.name}/{d.name}")
def test_examples_pair_analysis_fast_equals_exact(design: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, exact = _analyse_both_ways(design, monkeypatch)
    assert fast == exact


def test_real_parts_nested_fast_equals_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled real STL parts (a drill guide, a holed plate, a case lid) inside a generated block, in an open
    tray's hollow, buried in its floor, and beside each other."""
    guide = BUNDLED / "skot-bitaxeHex" / "heatsink-drill-guide.stl"   # 94.2 x 73.3 x 10 mm, z 0..10
    plate = BUNDLED / "trimesh" / "plate_holes.STL"                   # 203.2 x 304.8 x 12.7 mm, z 0..12.7
    lid = BUNDLED / "eclecticc-ParametricCase" / "mini-itx-lid.stl"  # 214 x 205 x 2.5 mm, z 147.42..149.92
    block = box((-100, -100, -50), (300, 400, 60))                    # holds the guide and the plate
    tray = trimesh.boolean.difference([box((-300, -300, -200), (500, 500, 0)),
                                       box((-290, -290, -190), (490, 490, 1))], engine="manifold")
    lines = _stl(tmp_path, "block", block) + _stl(tmp_path, "tray", tray)
    lines += (f"  guide: {{file: '{guide}', role: other, position: [0, 0, 20]}}\n"            # in the block
              f"  plate: {{file: '{plate}', role: other, position: [0, 0, -150]}}\n"           # in the tray's hollow
              f"  lid: {{file: '{lid}', role: other, position: [0, 0, -346]}}\n"              # in the tray's floor
              f"  guide2: {{file: '{guide}', role: other, position: [400, 0, -100]}}\n")       # in the hollow, apart
    (tmp_path / "design.yaml").write_text(f"sledcheck: 1\nname: real-nest\nunits: mm\nparts:\n{lines}",
                                          encoding="utf-8")
    fast, exact = _analyse_both_ways(tmp_path / "design.yaml", monkeypatch)
    assert fast == exact
    assert {(p.a, p.b) for p in fast if p.interferes} == {("block", "guide"), ("tray", "lid")}


# --- the frugal weld, health and boxes against the implementations they replaced ---------------------------------
def _weld_reference(vertices: np.ndarray, faces: np.ndarray, quantum: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """The weld as it was before its memory work (verbatim): all integer copies at once."""
    primes = np.array([-7046029254386353131, -4658895280553007687, 6364136223846793005], dtype=np.int64)
    v, f = np.asarray(vertices, dtype=np.float64), np.asarray(faces, dtype=np.int64)
    q = np.round(v / quantum).astype(np.int64)
    key = q * primes
    hashed = key[:, 0] ^ key[:, 1] ^ key[:, 2]
    order = np.argsort(hashed)
    sorted_hash = hashed[order]
    new = np.empty(len(order), dtype=bool)
    new[0] = True
    np.not_equal(sorted_hash[1:], sorted_hash[:-1], out=new[1:])
    inverse = np.empty(len(v), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    first = np.minimum.reduceat(order, np.flatnonzero(new))
    if not np.array_equal(q[first][inverse], q):
        order = np.lexsort((q[:, 2], q[:, 1], q[:, 0]))
        rows = q[order]
        new = np.empty(len(order), dtype=bool)
        new[0] = True
        new[1:] = np.any(rows[1:] != rows[:-1], axis=1)
        inverse[order] = np.cumsum(new) - 1
        first = order[new]
    return v[first], inverse[f]


def _health_reference(vertices: np.ndarray, faces: np.ndarray) -> tuple:
    """The health pass as it was (verbatim, less the shells' boxes): every temporary at once."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    faces = np.asarray(faces, dtype=np.int64)
    n_vertices = np.int64(len(vertices))
    heads, tails = faces.reshape(-1), np.roll(faces, -1, axis=1).reshape(-1)
    undirected = np.minimum(heads, tails) * n_vertices + np.maximum(heads, tails)
    order = np.argsort(undirected)
    keys = undirected[order]
    same = keys[1:] == keys[:-1]
    starts = np.flatnonzero(np.r_[True, ~same])
    counts = np.diff(np.r_[starts, len(keys)])
    edge_face = order // 3
    winding = bool(np.all(heads[order[:-1][same]] != heads[order[1:][same]]))
    graph = coo_matrix((np.ones(int(same.sum()), dtype=np.int8), (edge_face[:-1][same], edge_face[1:][same])),
                       shape=(len(faces), len(faces)))
    n_bodies, labels = connected_components(graph, directed=False)
    bad = np.repeat(counts != 2, counts)
    open_per_body = np.bincount(labels[edge_face[bad]], minlength=n_bodies) > 0
    v = np.asarray(vertices, dtype=float)
    v0, v1, v2 = v[faces[:, 0]], v[faces[:, 1]], v[faces[:, 2]]
    normal = np.cross(v1 - v0, v2 - v0)
    volume_per_body = np.bincount(labels, weights=np.einsum("ij,ij->i", v0, normal) / 6.0, minlength=n_bodies)
    boxes = np.stack([np.minimum(np.minimum(v0, v1), v2), np.maximum(np.maximum(v0, v1), v2)], axis=1)
    scale = float(np.linalg.norm(boxes[:, 1].max(axis=0) - boxes[:, 0].min(axis=0)))
    twice_area = np.sqrt(np.einsum("ij,ij->i", normal, normal))
    degenerate = int(np.count_nonzero(twice_area <= 2 * (1e-9 * scale) ** 2)) if scale > 0 else len(faces)
    return (n_bodies, int(np.count_nonzero(counts == 1)), int(np.count_nonzero(counts > 2)), winding,
            int(np.count_nonzero(open_per_body)), int(np.count_nonzero((volume_per_body < 0) & ~open_per_body)),
            degenerate, boxes)


REAL_MESHES = sorted(p for p in BUNDLED.rglob("*") if p.suffix.lower() in (".stl", ".obj", ".ply", ".glb", ".3mf"))


def test_weld_numbers_copies_at_other_places_alike() -> None:
    """Two copies of one triangle soup, stored in float32 at different places (a sink exported twice), weld to
    equal faces: the numbering follows the corners' order, not their coordinates (twins rely on it)."""
    mesh = trimesh.creation.icosphere(subdivisions=3)
    corners = mesh.vertices[mesh.faces].reshape(-1, 3)
    here = (corners * 10.0 + (130.1, 220.3, 11.6)).astype(np.float32)
    there = (corners * 10.0 + (310.7, 221.9, 11.6)).astype(np.float32)
    (v_here, f_here), (v_there, f_there) = weld(here, np.arange(len(here)).reshape(-1, 3)), \
        weld(there, np.arange(len(there)).reshape(-1, 3))
    assert len(v_here) == len(mesh.vertices) == len(v_there)   # every shared corner merged in both
    np.testing.assert_array_equal(f_here, f_there)
    assert not np.array_equal(np.argsort(v_here[:, 0]), np.argsort(v_there[:, 0]) + 1)  # (placement differs)


@pytest.mark.parametrize("path", REAL_MESHES, ids=lambda p: p.name)
def test_weld_health_and_boxes_equal_the_previous_passes(path: Path) -> None:
    """On every bundled real mesh file: the weld (in slices, from float32 corners for a binary STL, welded as
    read) gives the old weld's vertices and faces, and the health and triangle boxes (in place, in slices) the
    old passes' counts and boxes."""
    from sledcheck.load.health import measure_health

    for body in read_mesh_file(path, path.name).bodies:
        raw = trimesh.load(str(path), process=False, force="mesh") if path.suffix.lower() == ".stl" else body.mesh
        vertices, faces = weld(np.asarray(body.mesh.vertices), np.asarray(body.mesh.faces))
        if len(raw.faces) == len(faces):   # the file's own corners (one body), welded the old way
            old_v, old_f = _weld_reference(np.asarray(raw.vertices), np.asarray(raw.faces))
            # the same vertices and triangles; only the numbering differs (first occurrence, not hash order)
            assert len(vertices) == len(old_v)
            np.testing.assert_array_equal(vertices[faces], old_v[old_f])
            if len(vertices) < len(body.mesh.vertices):   # merged: vertex k first appears before vertex k + 1
                first_seen = np.unique(faces.reshape(-1), return_index=True)[1]
                assert np.all(np.diff(first_seen) > 0)
        boxes = triangle_boxes(vertices, faces)
        health = measure_health(vertices, faces, boxes)
        reference = _health_reference(vertices, faces)
        assert (health.bodies, health.boundary_edges, health.nonmanifold_edges, health.winding_consistent,
                health.open_bodies, health.inverted_bodies, health.degenerate_faces) == reference[:7]
        np.testing.assert_array_equal(boxes, reference[7])
        assert measure_health(vertices, faces) == health   # boxes computed inside: the same


def _sections_both_ways(mesh: trimesh.Trimesh, axis: int, heights: np.ndarray) -> list[tuple]:
    """Each section by the chained rings and by polygonize (the chained path switched off)."""
    from sledcheck.geometry import planar

    pairs = []
    for height in heights:
        segments, starts, ends = planar._segments(mesh, axis, float(height))
        if len(segments) == 0:
            continue
        chained = planar._chained_rings(segments, starts, ends)
        if chained is not None:   # (None: not chained; section_polygons then takes polygonize's path)
            pairs.append((chained, planar._polygons(planar._unique(segments))))
    return pairs


def test_chained_sections_equal_polygonize_on_real_and_nested_meshes() -> None:
    """Rings chained from the mesh's edges give the polygons polygonize gives: the same count, each the same
    area and region, on the bundled real meshes (heat sink fins, vent panels with hundreds of holes) and on a
    three-deep nest (a tube inside a tube: material, hole, material, hole)."""
    import shapely

    tube = trimesh.creation.annulus(r_min=8.0, r_max=10.0, height=5.0)
    inner = trimesh.creation.annulus(r_min=3.0, r_max=5.0, height=5.0)
    nested = trimesh.util.concatenate([tube, inner])
    meshes = [("nested", nested)]
    for path in REAL_MESHES:
        for body in read_mesh_file(path, path.name).bodies:
            vertices, faces = weld(np.asarray(body.mesh.vertices), np.asarray(body.mesh.faces))
            meshes.append((path.name, trimesh.Trimesh(vertices, faces, process=False)))
    compared = 0
    for name, mesh in meshes:
        for axis in range(3):
            lo, hi = mesh.bounds[:, axis]
            heights = lo + (hi - lo) * np.array([0.1037, 0.3311, 0.5123, 0.7719, 0.9071])
            for chained, reference in _sections_both_ways(mesh, axis, heights):
                if reference is None:   # not disjoint simple rings: neither path's fast answer applies
                    continue
                assert len(chained) == len(reference), name
                assert sorted(round(p.area, 9) for p in chained) == sorted(round(p.area, 9) for p in reference)
                a, b = shapely.union_all(list(chained)), shapely.union_all(list(reference))
                assert a.symmetric_difference(b).area <= 1e-9 * max(a.area, 1.0), name
                compared += 1
    assert compared > 50
    nest = _sections_both_ways(nested, 2, np.array([0.1]))[0][0]
    assert sorted(len(p.interiors) for p in nest) == [1, 1]   # two rings of material, each with its hole


def test_small_meshes_find_their_shells_as_scipy_does() -> None:
    """Label propagation (meshes of up to SMALL_FACES faces) gives scipy's connected components: the same
    count and the same labels, numbered by each shell's lowest face, on random graphs and on soups."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from sledcheck.load.health import SMALL_FACES, _shells

    rng = np.random.default_rng(7)
    for n, m in ((1, 0), (5, 0), (40, 30), (300, 290), (2000, 1500), (SMALL_FACES, 5000)):
        a, b = rng.integers(0, n, m), rng.integers(0, n, m)
        count, labels = _shells(n, a, b)
        want_count, want = connected_components(coo_matrix((np.ones(m), (a, b)), shape=(n, n)), directed=False)
        assert count == want_count and np.array_equal(labels, want), (n, m)
    path = np.arange(SMALL_FACES - 1)   # one long chain: the slowest case for propagation
    count, labels = _shells(SMALL_FACES, path[::-1], path[::-1] + 1)
    assert count == 1 and not labels.any()


def test_faces_in_region_by_blocks_equals_every_face_tested() -> None:
    """The block-first test of a large mesh's triangle boxes finds exactly the faces testing every box finds,
    in the same order: on the largest bundled real mesh repeated past the block threshold (the file's own face
    order) and on the same faces shuffled (no locality: most blocks meet every region), for regions small,
    large, outside and flat."""
    from sledcheck.geometry import proximity

    path = max(REAL_MESHES, key=lambda p: p.stat().st_size)
    body = read_mesh_file(path, path.name).bodies[0]
    vertices, faces = weld(np.asarray(body.mesh.vertices), np.asarray(body.mesh.faces))
    copies = -(-proximity.BLOCKED_MIN_FACES // len(faces)) + 1
    size = vertices.max(axis=0) - vertices.min(axis=0)
    vertices = np.concatenate([vertices + (k * size[0] * 1.1, 0, 0) for k in range(copies)])
    faces = np.concatenate([faces + k * (len(vertices) // copies) for k in range(copies)])
    rng = np.random.default_rng(3)
    for order in (np.arange(len(faces)), rng.permutation(len(faces))):
        boxes = triangle_boxes(vertices, faces[order])
        lo, hi = boxes[:, 0].min(axis=0), boxes[:, 1].max(axis=0)
        for _ in range(60):
            corner = lo + rng.random(3) * (hi - lo)
            extent = (hi - lo) * rng.choice([0.0, 0.01, 0.2, 1.5]) * rng.random(3)
            region = np.array([corner - extent / 2, corner + extent / 2])
            want = np.flatnonzero(np.all((boxes[:, 0] <= region[1]) & (boxes[:, 1] >= region[0]), axis=1))
            np.testing.assert_array_equal(proximity.faces_in_region(boxes, region), want)
        outside = np.array([hi + 1.0, hi + 2.0])
        assert len(proximity.faces_in_region(boxes, outside)) == 0


def test_packed_sorts_give_argsorts_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The packed sort (an index below each key, sorted as values) orders keys as a stable argsort does, and
    the argsort it falls back to when key and index need more than 63 bits sorts them too; the weld's packed
    hash groups vertices as np.unique does, also when its shortened hash (and the whole one) collide."""
    from sledcheck.load import weld as weld_module
    from sledcheck.load.sorting import sorted_with_order

    rng = np.random.default_rng(11)
    for n, bound in ((1, 1), (7, 3), (10_000, 50), (10_000, 2 ** 40), (5000, 2 ** 62)):
        keys = rng.integers(0, bound, n)
        order, sorted_keys = sorted_with_order(keys.copy(), bound)
        np.testing.assert_array_equal(sorted_keys, np.sort(keys))
        np.testing.assert_array_equal(keys[order], sorted_keys)
        if bound < 2 ** 40:   # packed: ties in index order
            np.testing.assert_array_equal(order, np.argsort(keys, kind="stable"))
    points = rng.integers(0, 40, (30_000, 3)) * 0.25   # many repeats
    faces = np.arange(len(points)).reshape(-1, 3)
    want_v = np.unique(points, axis=0)
    for primes in (weld_module._PRIMES, np.array([1, 1, 1], dtype=np.int64)):   # good hash; one that collides
        monkeypatch.setattr(weld_module, "_PRIMES", primes)
        vertices, welded = weld(points, faces)
        assert len(vertices) == len(want_v)
        np.testing.assert_array_equal(vertices[welded], points[faces])
        first_seen = np.unique(welded.reshape(-1), return_index=True)[1]
        assert np.all(np.diff(first_seen) > 0)   # numbered by first occurrence


@pytest.mark.slow
def test_benchmark_sled_json_is_the_same_for_any_worker_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The smallest full bench sled (heat-pipe sinks of two geometries, hole patterns, a thermal section): one
    worker, then two twice (holes found on both threads, whichever is free first) give byte-identical JSON."""
    import sys

    from sledcheck.report import renderer

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_check

    design, _, _ = bench_check.generate(tmp_path, 200_000, full=True)
    outputs = []
    for workers in ("1", "2", "2"):
        monkeypatch.setenv("SLEDCHECK_WORKERS", workers)
        outputs.append(renderer("json")(sledcheck.check(design, fail_on="never")))
    assert outputs[0] == outputs[1] == outputs[2]
    report = json.loads(outputs[0])
    assert {"D401", "T001"} <= set(report["rules_run"]) and report["thermal"]["heatsinks"]


def test_gaps_settled_by_bounds_equal_fcls_over_every_face(monkeypatch: pytest.MonkeyPatch) -> None:
    """A quick gap between large face sets is first settled by bounds (triangle boxes below, the exact distance
    of the nearest few triangles above); where they agree it is FCL's gap over every face of the region, to
    1e-9 mm; where they do not (a sphere: its nearest point is inside a triangle) FCL decides as before."""
    from sledcheck.geometry import proximity

    def fine_box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
        mesh = box(lo, hi)
        for _ in range(5):
            mesh = mesh.subdivide()
        return mesh

    fins = trimesh.util.concatenate([fine_box((x, 0, 0), (x + 0.8, 40, 30)) for x in np.arange(0, 30, 2.5)])
    lid = box((-5, -5, 32), (40, 45, 33))                      # 2 mm above the fin tips
    beside = fine_box((29.0, 0, 0), (40, 40, 30))             # 0.7 mm from the last fin's side (27.5-28.3)
    ball = trimesh.creation.icosphere(subdivisions=6, radius=10.0).apply_translation((15, 20, 43.5))   # 0.5 above
    corner = trimesh.creation.icosphere(subdivisions=6, radius=10.0).apply_translation((47, 52, 40))   # off a corner
    touching = fine_box((0, 0, 30), (30, 40, 31))              # rests on the tips
    cases = [(fins, lid, 2.0), (fins, beside, 0.7), (lid, ball, 0.5), (lid, corner, None), (fins, touching, 0.0)]
    settled = []
    original = proximity._bounded_gap

    def spy(*args: object) -> object:
        found = original(*args)  # type: ignore[arg-type]
        settled.append(found is not None)
        return found

    monkeypatch.setattr(proximity, "_bounded_gap", spy)
    monkeypatch.setattr(proximity, "BOUNDED_MIN_FACES", 0)   # every case tries the bounds
    for a, b, want in cases:
        region = np.array([np.maximum(a.bounds[0], b.bounds[0]) - 2.0, np.minimum(a.bounds[1], b.bounds[1]) + 2.0])
        boxes_a, boxes_b = triangle_boxes(a.vertices, a.faces), triangle_boxes(b.vertices, b.faces)
        quick = proximity.minimum_gap(a, boxes_a, b, boxes_b, region, small_whole=True)
        exact = proximity.minimum_gap(a, boxes_a, b, boxes_b, region)
        assert quick is not None and exact is not None
        assert abs(quick.distance - exact.distance) <= 1e-9, (want, quick, exact)
        assert want is None or abs(exact.distance - want) <= 1e-6, (want, exact)
    # the ball's lowest vertex is its nearest point (box bounds agree); off the lid's corner, the nearest points
    # lie inside triangles, along the diagonal: FCL decides
    assert settled == [True, True, True, False, True]
    assert abs(exact.distance) <= 1e-9 and 7 * 3 ** 0.5 - 10 < proximity.minimum_gap(
        lid, triangle_boxes(lid.vertices, lid.faces), corner, triangle_boxes(corner.vertices, corner.faces),
        np.array([[30.0, 35, 23], [55, 60, 45]]), small_whole=True).distance < 7 * 3 ** 0.5 - 10 + 0.01


def test_flat_faces_are_trimeshs_normals_centres_and_areas() -> None:
    """The heat-sink reader's faces facing along an axis, found in slices without trimesh's caches, carry
    bitwise trimesh's unit normal component, centre and area, on every bundled real mesh and on each axis."""
    from sledcheck.geometry.heatsinks import _flat

    for path in REAL_MESHES:
        for body in read_mesh_file(path, path.name).bodies:
            vertices, faces = weld(np.asarray(body.mesh.vertices), np.asarray(body.mesh.faces))
            mesh = trimesh.Trimesh(vertices, faces, process=False)
            for axis in range(3):
                flat = _flat(mesh, axis)
                keep = np.abs(mesh.face_normals[:, axis]) > 0.99
                np.testing.assert_array_equal(flat.normal, mesh.face_normals[keep, axis])
                np.testing.assert_array_equal(flat.height, mesh.triangles_center[keep, axis])
                np.testing.assert_array_equal(flat.area, mesh.area_faces[keep])


def _every_pair_scanned(bounds: np.ndarray, reach: float) -> np.ndarray:
    """The full N x N scan the sweep replaced: every pair whose boxes, inflated by ``reach``, meet on each axis."""
    lo, hi = bounds[:, 0], bounds[:, 1]
    gap = np.maximum(lo[:, None, :] - hi[None, :, :], lo[None, :, :] - hi[:, None, :])
    i, j = np.nonzero(np.triu(np.all(gap <= reach, axis=2), k=1))
    return np.stack([i, j], axis=1)


def test_the_sweep_of_boxes_finds_the_pairs_of_a_full_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """boxes_near (sweep and prune) against every pair tested, in the same order: random boxes with coordinates
    rounded so that boxes touch exactly and gaps equal the reach, one box around all the others (a tray), flat
    boxes, far-off boxes, and chunks of a few candidates (the chunked expansion)."""
    from sledcheck.geometry import proximity

    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 3, 40, 400):
        for trial in range(12):
            lo = rng.uniform(-100, 100, (n, 3)).round(int(rng.integers(0, 3)))
            size = rng.uniform(0, 30, (n, 3)).round(int(rng.integers(0, 3)))
            if trial % 4 == 1:
                size[:, 2] = 0.0   # flat boxes (a board's outline)
            bounds = np.stack([lo, lo + size], axis=1)
            if n > 3 and trial % 3 == 0:
                bounds[0] = [[-200.0] * 3, [200.0] * 3]   # the tray around everything
            if n > 3 and trial % 5 == 0:
                bounds[-1] += 1e6                          # far off
            for reach in (0.0, 1.0, 2.001, 25.0):
                expected = _every_pair_scanned(bounds, reach) if n else np.zeros((0, 2), dtype=int)
                assert np.array_equal(proximity.boxes_near(bounds, reach), expected), (n, trial, reach)
    monkeypatch.setattr(proximity, "SWEEP_CHUNK", 3)
    bounds = np.stack([lo, lo + size], axis=1)
    assert np.array_equal(proximity.boxes_near(bounds, 5.0), _every_pair_scanned(bounds, 5.0))


def test_a_bvh_over_every_vertex_skips_the_renumbering_and_answers_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """_bvh of a welded mesh's own faces (every vertex used) takes the mesh as it is; FCL then gives the same
    distances and closest points, to the bit, as over the vertices renumbered by np.unique (the previous build),
    on a real part (a heat sink's drill guide) against shifted copies of itself; a mesh with a stray vertex is
    renumbered."""
    from sledcheck.geometry import proximity

    def renumbered(vertices: np.ndarray, faces: np.ndarray) -> Any:
        numbers, inverse = np.unique(faces, return_inverse=True)
        model = proximity.fcl.BVHModel()
        model.beginModel(len(numbers), len(faces))
        model.addSubModel(np.ascontiguousarray(vertices[numbers], dtype=np.float64),
                          np.ascontiguousarray(inverse.reshape(-1, 3), dtype=np.int32))
        model.endModel()
        return proximity.fcl.CollisionObject(model, proximity.fcl.Transform())

    path = BUNDLED / "skot-bitaxeHex" / "heatsink-drill-guide.stl"
    mesh = read_mesh_file(path, path.name).bodies[0].mesh
    vertices, faces = weld(np.asarray(mesh.vertices, dtype=float), np.asarray(mesh.faces))
    assert np.bincount(faces.reshape(-1), minlength=len(vertices)).all()
    for shift in ((0.0, 0.0, 60.0), (3.0, -2.0, 0.5), (0.0, 0.0, 0.0)):
        other = vertices + shift
        fast = proximity._gap(proximity._bvh(vertices, faces), proximity._bvh(other, faces))
        slow = proximity._gap(renumbered(vertices, faces), renumbered(other, faces))
        assert fast == slow, shift
    sorted_faces = []
    real_unique = np.unique

    def spy(values: np.ndarray, **options: Any) -> Any:
        sorted_faces.append(len(values))
        return real_unique(values, **options)

    monkeypatch.setattr(proximity.np, "unique", spy)   # which builds renumber
    proximity._bvh(vertices, faces)
    assert sorted_faces == []                          # every vertex used: no renumbering
    stray = np.vstack([vertices, [[1e3, 1e3, 1e3]]])
    stray_gap = proximity._gap(proximity._bvh(stray, faces), proximity._bvh(vertices + 60.0, faces))
    assert sorted_faces == [len(faces)]                # a stray vertex: renumbered
    proximity._bvh(vertices, faces[:10])               # the faces of a region: renumbered
    assert len(sorted_faces) == 2
    monkeypatch.undo()
    assert stray_gap == proximity._gap(renumbered(vertices, faces), renumbered(vertices + 60.0, faces))


def test_row_cross_products_are_numpys_to_the_bit() -> None:
    """cross_rows (the health pass's, the surface check's and the views' normals) against np.cross: the same
    bits on random rows at three scales, on float32 rows, and on a real mesh's edges."""
    from sledcheck.geometry.vectors import cross_rows

    rng = np.random.default_rng(3)
    for scale in (1e-6, 1.0, 1e6):
        a, b = rng.normal(size=(5000, 3)) * scale, rng.normal(size=(5000, 3)) * scale
        assert np.array_equal(cross_rows(a, b), np.cross(a, b))
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    assert cross_rows(a32, b32).dtype == np.float32 and np.array_equal(cross_rows(a32, b32), np.cross(a32, b32))
    mesh = trimesh.load(BUNDLED / "skot-bitaxeHex" / "heatsink-drill-guide.stl")
    v, f = np.asarray(mesh.vertices, dtype=float), np.asarray(mesh.faces)
    e1, e2 = v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]]
    assert np.array_equal(cross_rows(e1, e2), np.cross(e1, e2))
