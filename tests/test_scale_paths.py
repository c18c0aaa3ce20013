"""Issue 15's scale paths give the answers of the plain ones: per-part work on several threads, binary STL
welded as it is read, and the simplified pictures of large assemblies (every part and every finding drawn)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh

import sledcheck
from sledcheck.errors import SledcheckError
from sledcheck.load.weld import weld, weld_corners
from sledcheck.load.workers import ordered_map, worker_count
from sledcheck.model import assembly as assembly_module
from sledcheck.model import views as views_module
from sledcheck.report import renderer

ROOT = Path(__file__).resolve().parents[1]


def _box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
    lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
    return trimesh.creation.box(extents=hi_a - lo_a,
                                transform=trimesh.transformations.translation_matrix((lo_a + hi_a) / 2))


def _sled(folder: Path) -> Path:
    """A tray, four placements of one sphere file (1280 triangles each), a box overlapping the tray's wall
    (D101) and a box 0.2 mm beyond the first sphere's highest y (D201 against the 0.5 mm minimum); one binary
    STL per part."""
    (folder / "cad").mkdir()
    outer, cavity = _box((0, 0, 0), (120, 80, 30)), _box((2, 2, 2), (118, 78, 31))
    sphere = trimesh.creation.icosphere(subdivisions=3, radius=8.0)
    top_y = 40.0 + float(sphere.vertices[:, 1].max())   # ball0's nearest point to the box (a vertex at the pole)
    meshes = {"tray": trimesh.boolean.difference([outer, cavity], engine="manifold"), "sphere": sphere,
              "through_wall": _box((110, 30, 10), (125, 45, 20)),
              "near": _box((20, top_y + 0.2, 5), (30, top_y + 6, 20))}
    for name, mesh in meshes.items():
        mesh.export(folder / "cad" / f"{name}.stl")
    parts = ["  tray: {file: cad/tray.stl, role: tray}\n",
             "  through_wall: {file: cad/through_wall.stl, role: other}\n",
             "  near: {file: cad/near.stl, role: other}\n"]
    for i, (x, y) in enumerate([(25, 40), (55, 40), (85, 25), (85, 58)]):
        parts.append(f"  ball{i}: {{file: cad/sphere.stl, role: other, position: [{x} mm, {y} mm, 14 mm]}}\n")
    design = folder / "design.yaml"
    design.write_text("sledcheck: 1\nname: scale-paths\nunits: mm\nparts:\n" + "".join(parts)
                      + "clearance:\n  - {min: 0.5 mm}\n", encoding="utf-8")
    return design


def test_worker_count_gives_identical_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same JSON on one thread and on two, for a generated multi-file design and the example tray (threads
    forced: these parts are below the size at which the assembly would use them)."""
    monkeypatch.setattr(assembly_module, "THREADED_FACES", 0)
    for design in (_sled(tmp_path), ROOT / "examples" / "tray-1u" / "overheight.yaml"):
        outputs = []
        for workers in ("1", "2"):
            monkeypatch.setenv("SLEDCHECK_WORKERS", workers)
            outputs.append(renderer("json")(sledcheck.check(design, fail_on="never")))
        assert outputs[0] == outputs[1]
    codes = sorted(f.code for f in sledcheck.check(tmp_path / "design.yaml", fail_on="never").findings)
    assert codes == ["D101", "D201"]   # the wall overlap and the 0.2 mm gap (0.5 mm required)


def test_worker_errors_come_in_input_order(monkeypatch: pytest.MonkeyPatch) -> None:
    def work(x: int) -> int:
        if x in (3, 5):
            raise ValueError(f"item {x}")
        return x * x

    assert ordered_map(lambda x: x + 1, list(range(10)), workers=2) == list(range(1, 11))
    with pytest.raises(ValueError, match="item 3"):
        ordered_map(work, list(range(8)), workers=2)
    monkeypatch.setenv("SLEDCHECK_WORKERS", "two")
    with pytest.raises(SledcheckError, match="SLEDCHECK_WORKERS='two'"):
        worker_count()
    monkeypatch.setenv("SLEDCHECK_WORKERS", "3")
    assert worker_count() == 3


def test_weld_of_float32_corners_equals_the_float64_weld() -> None:
    """A binary STL's float32 corners welded directly give what converting them to float64 first gives, and
    welding the result again returns it unchanged (the same arrays)."""
    soup = trimesh.creation.icosphere(subdivisions=2, radius=37.25).apply_translation((401.3, -12.7, 3.3))
    corners = soup.vertices[soup.faces].reshape(-1, 3).astype(np.float32)
    vertices, faces = weld_corners(corners)
    expected = weld(corners.astype(np.float64), np.arange(len(corners)).reshape(-1, 3))
    np.testing.assert_array_equal(vertices, expected[0])
    np.testing.assert_array_equal(faces, expected[1])
    assert len(vertices) == len(soup.vertices)     # 642 vertices, each shared by its corners
    again_v, again_f = weld(vertices, faces)
    assert again_v is vertices and np.shares_memory(again_f, faces)


def test_large_assembly_pictures_draw_every_part_and_finding(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Treated as a large assembly (the threshold lowered to this design's size), the views take the simplified
    path: the spheres (over 64 facing triangles) are rasterised, traced once and moved to each placement,
    and still cover what the exact outline covers; the HTML draws a patch for every part in both overview
    figures and every finding's marker."""
    design = _sled(tmp_path)
    monkeypatch.setattr(views_module, "LARGE_TRIANGLES", 1000)
    report = sledcheck.check(design, fail_on="never", views=True)
    views = report.views
    assert isinstance(views, views_module.Views)
    assert [p.name for p in views.parts] == [p.name for p in report.parts]
    for part in views.parts:
        assert part.top and part.side, part.name
    balls = [views.part(f"ball{i}") for i in range(4)]
    assert all(b is not None and b.method == "raster" for b in balls)
    # traced once: the others are the first moved by the offset between their placements (to 1 um)
    first, second = balls[0], balls[1]
    assert first is not None and second is not None
    moved = np.asarray(first.top[0].exterior) + [30.0, 0.0]
    np.testing.assert_allclose(np.asarray(second.top[0].exterior), moved, atol=2e-3)
    # a sphere of radius 8 mm seen from above: a disc of area pi r^2 (the raster's edge within a pixel)
    from shapely.geometry import Polygon

    area = Polygon(first.top[0].exterior).area
    assert area == pytest.approx(np.pi * 8.0 ** 2, rel=0.04)

    from sledcheck.report.html import assembly as pictures
    from sledcheck.report.html.figures import SIDE, TOP, figure, mpl

    for view in (TOP, SIDE):
        with mpl():
            ax = figure(8, 4).add_subplot(1, 1, 1)
            pictures._draw_parts(ax, view, views, pictures.offenders(report), labels=False)
            drawn = [path.vertices for c in ax.collections for path in c.get_paths()]   # outlines, batched
            for part in views.parts:   # each part's outline is among the patches
                outline = np.asarray((part.top if view == TOP else part.side)[0].exterior)
                expected = outline[:, ::-1] if view == TOP else outline
                assert any(len(d) == len(expected) + 1 and np.allclose(d[:-1], expected) for d in drawn), part.name
            assert {f.code for f in report.findings} == {"D101", "D201"}
            for finding in report.findings:   # each finding adds its marker
                before = len(ax.patches) + len(ax.lines) + len(ax.collections)
                pictures._draw_findings(ax, view, type(report)(**{**report.__dict__, "findings": (finding,)}),
                                        views)
                assert len(ax.patches) + len(ax.lines) + len(ax.collections) > before, (finding.code, view)
    html = renderer("html")(report)
    assert html.count('<figure class="view-') == 2 and html.count('<figure class="detail"') >= 2


def test_holes_and_thermal_run_on_another_core_while_the_rules_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """With two workers the heat sinks are recognised on the analyses thread (ahead of the rules that need
    them), with one worker on the caller's thread; each sink geometry is recognised once either way."""
    import threading

    from sledcheck.geometry import heatsinks

    original = heatsinks._recognise
    for workers, thread in (("2", "sledcheck-analyses"), ("1", threading.current_thread().name)):
        seen: list[str] = []

        def spy(*args: object, seen: list[str] = seen, **kwargs: object) -> object:
            seen.append(threading.current_thread().name)
            return original(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(heatsinks, "_recognise", spy)
        monkeypatch.setenv("SLEDCHECK_WORKERS", workers)
        sledcheck.check(ROOT / "examples" / "tray-1u" / "overheight.yaml", fail_on="never")
        assert seen == [thread], workers   # the two sinks are one geometry (one file placed twice)


def test_a_check_runs_numpys_blas_on_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """During a check numpy's BLAS has one thread (its spinning threads stalled the thermal model's matrix
    products on busy machines: minutes instead of seconds), and afterwards it has what it had before."""
    from threadpoolctl import threadpool_info

    import sledcheck.pipeline as pipeline

    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    seen: list[list[int]] = []
    real = pipeline.build_assembly

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(blas_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_assembly", spy)
    sledcheck.check(Path(__file__).resolve().parents[1] / "examples" / "tray-1u" / "fixed.yaml")
    assert seen and seen[0] and set(seen[0]) == {1}
    assert blas_threads() == before


def test_a_parts_selections_are_answered_once_and_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Part.selected_by`` remembers each token's answer (the pair rules ask it for every pair and entry): the
    answers are those of ``selects`` (name, pattern, role) for every part, asked again or after other parts, and
    each token is worked out once per part."""
    from sledcheck.load import selection
    from sledcheck.pipeline import load

    assembly = assembly_module.build_assembly(load(_sled(tmp_path)))
    tokens = ["ball*", "ball0", "other", "tray", "near", "*", "pcb", "Ball0"]
    calls: list[tuple[str, str]] = []
    real = selection.selects

    def spy(token: str, name: str, role: str | None) -> bool:
        calls.append((token, name))
        return real(token, name, role)

    monkeypatch.setattr(assembly_module, "selects", spy)
    for _ in range(2):
        for part in assembly.parts:
            assert [part.selected_by(t) for t in tokens] == [real(t, part.name, part.role) for t in tokens]
    assert sorted(calls) == sorted((t, p.name) for p in assembly.parts for t in tokens)
    ball0 = assembly.part("ball0")
    assert ball0.selected_by("ball*") and ball0.selected_by("other") and not ball0.selected_by("Ball0")
