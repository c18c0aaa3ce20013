"""Tests for sledcheck.geometry (sections, heatsinks, holes): plate-fin heat sink and through-hole recognition.

Real files come from ../shared/realdata (see its SOURCES.md); tests that need one skip if it is missing.
The expected values for them were read off the meshes' sections and vertices, not only from SOURCES.md.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import trimesh
from shapely.geometry import Polygon

from sledcheck.geometry.heatsinks import NotRecognised, PlateFinGeometry, recognise_plate_fin
from sledcheck.geometry.holes import Hole, compare_hole_patterns, find_through_holes, in_plane_axes
from sledcheck.geometry.sections import Sections

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
#: trimesh hands meshes to manifold3d as float32, so boolean-built parts carry ~1e-6 mm vertex noise:
#: hole centres/diameters on them are checked to 1e-5 mm; sink dimensions (relative error ~1e-8) to 1e-6.
MANIFOLD_TOL = 1e-5


def load_mm(relative: str) -> trimesh.Trimesh:
    """Load a real file as one merged mesh in millimetres (STEP loads in metres), or skip."""
    path = REALDATA / relative
    if not path.is_file():
        pytest.skip(f"real data file missing: {path}")
    loaded = trimesh.load(path)
    mesh = loaded.to_geometry() if isinstance(loaded, trimesh.Scene) else loaded
    if path.suffix.lower() in (".step", ".stp"):
        mesh.apply_scale(1000.0)
    mesh.merge_vertices()
    return mesh


# ------------------------------------------------------------------------------------------------------
# synthetic parts


def box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
    lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
    return trimesh.creation.box(
        extents=hi_a - lo_a, transform=trimesh.transformations.translation_matrix((lo_a + hi_a) / 2)
    )


def union(parts: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    return trimesh.boolean.union(parts, engine="manifold")


def synthetic_sink(
    n: int = 9,
    t: float = 1.3,
    gap: float = 2.7,
    height: float = 23.0,
    base: float = 3.5,
    length: float = 60.0,
    t_edge: float | None = None,
    margin: float = 0.0,
    fin_inset: float = 0.0,
) -> trimesh.Trimesh:
    """Fins along x on a base in z in [0, base]; fins across y; optional thick edge fins and base margins."""
    thick = [t] * n
    if t_edge is not None:
        thick[0] = thick[-1] = t_edge
    array_width = sum(thick) + (n - 1) * gap
    parts = [box((0, 0, 0), (length, array_width + 2 * margin, base))]
    y = margin
    for th in thick:
        parts.append(box((fin_inset, y, base), (length - fin_inset, y + th, base + height)))
        y += th + gap
    return union(parts)


def plate_with_holes(
    size: tuple[float, float, float], holes: list[tuple[float, float]], diameter: float
) -> trimesh.Trimesh:
    plate = box((0, 0, 0), size)
    cutters = [
        trimesh.creation.cylinder(
            radius=diameter / 2,
            height=3 * size[2],
            sections=48,
            transform=trimesh.transformations.translation_matrix((x, y, size[2] / 2)),
        )
        for x, y in holes
    ]
    return trimesh.boolean.difference([plate, *cutters], engine="manifold")


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-12)


def assert_sink(g: PlateFinGeometry | NotRecognised, **expected: float | int | str) -> None:
    assert isinstance(g, PlateFinGeometry), g
    for key, value in expected.items():
        got = getattr(g, key)
        if isinstance(value, float):
            assert rel(got, value) < 1e-6, (key, got, value)
        else:
            assert got == value, (key, got, value)


# ------------------------------------------------------------------------------------------------------
# plate-fin: synthetic, exact


SYNTH = dict(fin_count=9, fin_thickness=1.3, fin_gap=2.7, fin_height=23.0, base_thickness=3.5, length=60.0)
SYNTH_WIDTH = 9 * 1.3 + 8 * 2.7


def test_synthetic_flow_x_offset() -> None:
    mesh = synthetic_sink()
    mesh.apply_translation((123.4, -56.7, 89.1))
    g = recognise_plate_fin(Sections(mesh))
    assert_sink(g, **SYNTH, width=SYNTH_WIDTH, flow_axis="x", base_normal="+z")
    assert rel(g.fin_pitch, 4.0) < 1e-6
    assert rel(g.base_bounds[0][2], 89.1) < 1e-6 and rel(g.base_bounds[1][2], 92.6) < 1e-6


def test_synthetic_rotated_flow_y() -> None:
    mesh = synthetic_sink()
    mesh.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, (0, 0, 1)))
    mesh.apply_translation((-10.0, 5.0, -300.0))
    assert_sink(recognise_plate_fin(Sections(mesh)), **SYNTH, width=SYNTH_WIDTH, flow_axis="y", base_normal="+z")


def test_synthetic_fins_down() -> None:
    mesh = synthetic_sink()
    mesh.apply_transform(trimesh.transformations.rotation_matrix(math.pi, (1, 0, 0)))
    mesh.apply_translation((7.0, 7.0, 7.0))
    assert_sink(recognise_plate_fin(Sections(mesh)), **SYNTH, width=SYNTH_WIDTH, flow_axis="x", base_normal="-z")


def test_synthetic_fins_sideways() -> None:
    """Base normal along x (fins point -x), fins across z: flow along y."""
    mesh = synthetic_sink()
    mesh.apply_transform(trimesh.transformations.rotation_matrix(-math.pi / 2, (0, 1, 0)))
    mesh.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, (1, 0, 0)))
    g = recognise_plate_fin(Sections(mesh))
    assert_sink(g, **SYNTH, width=SYNTH_WIDTH)
    assert g.base_normal[1] == "x" and g.flow_axis in "yz"


def test_synthetic_realistic_edge_fins_holes_margins() -> None:
    """Thicker edge fins, fins shorter and narrower than a base with chamfered corners and holes."""
    margin, inset = 6.0, 2.5
    sink = synthetic_sink(t_edge=1.8, margin=margin, fin_inset=inset)
    width = 2 * 1.8 + 7 * 1.3 + 8 * 2.7 + 2 * margin
    corner = 2.0
    outline = Polygon(
        [
            (corner, 0),
            (60 - corner, 0),
            (60, corner),
            (60, width - corner),
            (60 - corner, width),
            (corner, width),
            (0, width - corner),
            (0, corner),
        ]
    )
    chamfer = trimesh.creation.extrude_polygon(outline, 3.5)
    cutter = box((-1, -1, -1), (61, width + 1, 3.5))
    holes = [(4.0, 3.0), (56.0, 3.0), (4.0, width - 3.0), (56.0, width - 3.0)]
    cylinders = [
        trimesh.creation.cylinder(
            radius=1.2, height=20, sections=32, transform=trimesh.transformations.translation_matrix((x, y, 0))
        )
        for x, y in holes
    ]
    mesh = trimesh.boolean.difference([sink, cutter], engine="manifold")
    mesh = trimesh.boolean.union([mesh, chamfer], engine="manifold")
    mesh = trimesh.boolean.difference([mesh, *cylinders], engine="manifold")
    mesh.apply_translation((-33.0, 12.0, 4.0))
    g = recognise_plate_fin(Sections(mesh))
    assert_sink(
        g,
        fin_count=9,
        fin_thickness=1.3,
        fin_thickness_min=1.3,
        fin_thickness_max=1.8,
        fin_gap=2.7,
        fin_height=23.0,
        base_thickness=3.5,
        length=60.0,
        width=width,
        fin_length=60.0 - 2 * inset,
        fin_array_width=width - 2 * margin,
        flow_axis="x",
        base_normal="+z",
    )
    found = find_through_holes(Sections(mesh))
    assert [h.axis for h in found] == ["z"] * 4
    want = sorted((x - 33.0, y + 12.0) for x, y in holes)
    assert [h.position for h in found] == [pytest.approx(w, abs=MANIFOLD_TOL) for w in want]
    assert all(abs(h.diameter - 2.4) < MANIFOLD_TOL for h in found)
    assert all(abs(h.center[2] - (4.0 + 1.75)) < 1e-6 for h in found)  # mid-plane of the base


def test_pin_fin_is_rejected() -> None:
    parts = [box((0, 0, 0), (40, 30, 3))]
    parts += [box((2 + 5 * i, 2 + 4.5 * j, 3), (4 + 5 * i, 4 + 4.5 * j, 20)) for i in range(8) for j in range(6)]
    g = recognise_plate_fin(Sections(union(parts)))
    assert isinstance(g, NotRecognised) and not g
    assert g.reason.startswith("pin-fin")


def test_cross_cut_fins_are_pin_fin() -> None:
    """Plate fins cut into short pieces along the flow are not straight plate fins."""
    parts = [box((0, 0, 0), (60, 30, 3))]
    parts += [box((1 + 15 * i, 1 + 4 * j, 3), (13 + 15 * i, 2.5 + 4 * j, 25)) for i in range(4) for j in range(7)]
    g = recognise_plate_fin(Sections(union(parts)))
    assert isinstance(g, NotRecognised)
    assert g.reason.startswith("pin-fin: fins are broken along the flow")


def test_box_and_plate_are_not_sinks() -> None:
    for mesh in (box((0, 0, 0), (50, 40, 30)), plate_with_holes((100, 60, 5), [(10, 10), (90, 50)], 5.0)):
        g = recognise_plate_fin(Sections(mesh))
        assert isinstance(g, NotRecognised)
        assert g.reason == "no parallel fins found"


def test_shrouded_fins_are_rejected() -> None:
    sink = synthetic_sink()
    lid = box((0, 0, 3.5 + 23.0), (60, SYNTH_WIDTH, 3.5 + 23.0 + 2.0))
    g = recognise_plate_fin(Sections(union([sink, lid])))
    assert isinstance(g, NotRecognised)
    assert "both ends" in g.reason


# ------------------------------------------------------------------------------------------------------
# plate-fin: real files


def test_bitaxe_heatsink() -> None:
    """skot/bitaxeHex heatsink.step: 90 x 71 x 36 mm, 26 fins 0.8 mm (0.9 mm edge fins), 2 mm gaps."""
    g = recognise_plate_fin(Sections(load_mm("skot-bitaxeHex/heatsink.step")))
    assert isinstance(g, PlateFinGeometry), g
    assert g.fin_count == 26
    assert g.flow_axis == "x" and g.base_normal == "+z"
    assert g.fin_thickness == pytest.approx(0.8, abs=1e-4)
    assert g.fin_thickness_min == pytest.approx(0.8, abs=1e-4)
    assert g.fin_thickness_max == pytest.approx(0.9, abs=1e-4)
    assert g.fin_gap == pytest.approx(2.0, abs=1e-4)
    assert g.fin_gap_min == pytest.approx(2.0, abs=1e-4) and g.fin_gap_max == pytest.approx(2.0, abs=1e-4)
    assert g.base_thickness == pytest.approx(4.8, abs=1e-4)
    assert g.fin_height == pytest.approx(31.2, abs=1e-4)
    assert g.length == pytest.approx(90.0, abs=1e-4) and g.width == pytest.approx(71.0, abs=1e-4)
    assert g.fin_length == pytest.approx(90.0, abs=1e-4)
    assert g.fin_array_width == pytest.approx(71.0, abs=1e-4)
    assert g.fin_pitch == pytest.approx(2.804, abs=1e-4)  # (71 - 0.9) / 25


@pytest.mark.parametrize(
    ("name", "fins", "thickness", "width"),
    [("heatsink-6rdimm-8mmc2c.step", 12, 1.2, 47.4), ("heatsink-4rdimm-8mmc2c.step", 8, 1.3, 31.4)],
)
def test_martona_rdimm_heatsinks(name: str, fins: int, thickness: float, width: float) -> None:
    """Base 2 mm on top (z -36..-34), fins hang down (-z) 38 mm to z = -74, 1 mm root fillets, 3 mm gaps."""
    g = recognise_plate_fin(Sections(load_mm(f"martona-ddr5-rdimm-heatsink/{name}")))
    assert isinstance(g, PlateFinGeometry), g
    assert g.fin_count == fins
    assert g.flow_axis == "x" and g.base_normal == "-z"
    assert g.fin_thickness == pytest.approx(thickness, abs=1e-4)
    assert g.fin_thickness_max - g.fin_thickness_min < 1e-4
    assert g.fin_gap == pytest.approx(3.0, abs=1e-4)
    assert g.base_thickness == pytest.approx(2.0, abs=1e-4)
    assert g.fin_height == pytest.approx(38.0, abs=1e-4)
    assert g.fin_height + g.base_thickness == pytest.approx(40.0, abs=1e-4)
    assert g.length == pytest.approx(118.8, abs=1e-4) and g.width == pytest.approx(width, abs=1e-4)
    assert g.fin_length == pytest.approx(99.0, abs=1e-4)
    assert g.fin_array_width == pytest.approx(width, abs=1e-4)


def test_martona_base_has_slots_not_round_holes() -> None:
    """The 4 openings in the martona base are 3.6 x 20.8 mm slots: no circular holes."""
    assert find_through_holes(Sections(load_mm("martona-ddr5-rdimm-heatsink/heatsink-6rdimm-8mmc2c.step"))) == ()


def test_prusa_mini_heatsink_not_plate_fin() -> None:
    """A 12 mm slotted block: ribs hang from a bar but their far ends join the rest of the block."""
    g = recognise_plate_fin(Sections(load_mm("prusa3d-Original-Prusa-MINI/MINI-heatsink.stp")))
    assert isinstance(g, NotRecognised)
    assert "not free fin tips" in g.reason


# ------------------------------------------------------------------------------------------------------
# holes


def test_plate_holes_stl() -> None:
    """8 x 12 x 0.5 in plate: 5 through-holes, 6.756 mm (24-gon) at their narrowest; two are counterbored."""
    holes = find_through_holes(Sections(load_mm("trimesh/plate_holes.STL")))
    assert len(holes) == 5
    assert all(h.axis == "z" and h.center[2] == pytest.approx(6.35) for h in holes)
    assert [h.diameter for h in holes] == pytest.approx([6.7564] * 5, abs=1e-3)
    want = [(39.898, 47.774), (39.898, 257.026), (101.6, 154.481), (163.302, 47.774), (163.302, 257.026)]
    assert [h.position for h in holes] == [pytest.approx(w, abs=2e-3) for w in want]


def test_tray_bottom_circular_holes_only() -> None:
    """Y-up 1/8 in plate: 22 circular holes (5 sizes); the rectangular cut-out is not a hole."""
    holes = find_through_holes(Sections(load_mm("trimesh/1002_tray_bottom.STL")))
    assert len(holes) == 22
    assert {h.axis for h in holes} == {"y"}
    assert all(h.center[1] == pytest.approx(3.175 / 2) for h in holes)
    sizes = np.array([h.diameter for h in holes])
    counts = {d: int(np.sum(np.abs(sizes - d) < 2e-3)) for d in (2.2606, 3.175, 3.7973, 4.9784, 6.5266, 9.1281)}
    assert counts == {2.2606: 4, 3.175: 4, 3.7973: 3, 4.9784: 4, 6.5266: 3, 9.1281: 4}
    small = [h.position for h in holes if h.diameter < 2.3]  # a 40.64 mm square of small holes
    want = [(157.48, -198.12), (157.48, -157.48), (198.12, -198.12), (198.12, -157.48)]
    assert small == [pytest.approx(p, abs=1e-3) for p in want]


def test_bitaxe_base_holes() -> None:
    holes = find_through_holes(Sections(load_mm("skot-bitaxeHex/heatsink.step")))
    assert len(holes) == 6
    assert all(h.axis == "z" and h.diameter == pytest.approx(2.2, abs=1e-4) for h in holes)
    assert all(h.center[2] == pytest.approx(2.4, abs=1e-4) for h in holes)  # mid-plane of the 4.8 mm base
    want = [(x, y) for x in (-28.0, 0.0, 28.0) for y in (-30.25, 30.25)]
    assert [h.position for h in holes] == [pytest.approx(w, abs=1e-3) for w in want]


def test_fan_spacer_32mm_pattern() -> None:
    """40 mm fan spacer: the two screw holes that exist (3.3 mm) sit on diagonal corners of a 32 mm square.

    The other two corners of the pattern are cut away by the fan opening / left solid, so they are reported
    unmatched.
    """
    holes = find_through_holes(Sections(load_mm("prusa3d-Original-Prusa-MINI/MINI-fan-spacer.stp")))
    assert len(holes) == 2
    assert all(h.diameter == pytest.approx(3.3, abs=1e-3) and h.axis == "z" for h in holes)
    (x0, y0), (x1, y1) = (h.position for h in holes)
    assert abs(x1 - x0) == pytest.approx(32.0, abs=1e-3) and abs(y1 - y0) == pytest.approx(32.0, abs=1e-3)
    square = [(-16.0, -16.0), (16.0, -16.0), (-16.0, 16.0), (16.0, 16.0)]
    result = compare_hole_patterns(holes, square, tolerance=0.1, max_offset=2.0)
    matched = [m for m in result if m.expected is not None and m.found is not None]
    assert len(matched) == 2 and all(m.within_tolerance and m.offset < 1e-3 for m in matched)
    assert sorted(m.expected for m in result if m.found is None) == [(-16.0, -16.0), (16.0, 16.0)]


def test_synthetic_plate_holes_exact() -> None:
    pattern = [(12.0, 9.0), (88.5, 9.0), (12.0, 51.25), (88.5, 51.25)]
    mesh = plate_with_holes((100.0, 60.0, 6.0), pattern, 4.5)
    mesh.apply_translation((1000.0, -200.0, 50.0))
    holes = find_through_holes(Sections(mesh))
    assert len(holes) == 4
    want = sorted((x + 1000.0, y - 200.0) for x, y in pattern)
    for h, w in zip(holes, want, strict=True):
        assert h.axis == "z"
        assert h.position == pytest.approx(w, abs=MANIFOLD_TOL)
        assert h.center[2] == pytest.approx(53.0, abs=1e-9)
        assert h.diameter == pytest.approx(4.5, abs=MANIFOLD_TOL)


def test_holes_axis_and_blind_holes() -> None:
    """An explicit axis is honoured; a blind pocket is not a through-hole."""
    mesh = plate_with_holes((40.0, 30.0, 5.0), [(10.0, 10.0)], 4.0)
    pocket = trimesh.creation.cylinder(
        radius=3.0, height=4.0, sections=48, transform=trimesh.transformations.translation_matrix((28, 18, 5))
    )
    mesh = trimesh.boolean.difference([mesh, pocket], engine="manifold")
    holes = find_through_holes(Sections(mesh), axis="z")
    assert [(h.position, h.diameter) for h in holes] == [(pytest.approx((10.0, 10.0)), pytest.approx(4.0))]
    mesh.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, (1, 0, 0)))
    (h,) = find_through_holes(Sections(mesh))
    assert h.axis == "y" and h.position == pytest.approx((10.0, 10.0))
    assert find_through_holes(Sections(mesh), axis="x") == ()


def test_compare_hole_patterns_reports_offset() -> None:
    pattern = [(10.0, 10.0), (90.0, 10.0), (10.0, 50.0), (90.0, 50.0)]
    moved = [*pattern[:3], (90.7, 50.0)]
    holes = find_through_holes(Sections(plate_with_holes((100.0, 60.0, 4.0), moved, 3.4)))
    result = compare_hole_patterns(holes, pattern, tolerance=0.5)
    assert [m.expected for m in result] == pattern
    assert [m.within_tolerance for m in result] == [True, True, True, False]
    assert result[3].offset == pytest.approx(0.7, abs=MANIFOLD_TOL)
    assert result[3].delta == pytest.approx((0.7, 0.0), abs=MANIFOLD_TOL)
    assert all(m.offset < MANIFOLD_TOL for m in result[:3])


def test_compare_hole_patterns_unmatched_and_order() -> None:
    found = [Hole((0.0, 0.0, 1.0), 3.0, "z"), Hole((50.0, 0.0, 1.0), 3.0, "z"), Hole((9.9, 0.2, 1.0), 3.0, "z")]
    result = compare_hole_patterns(found, [(10.0, 0.0), (200.0, 0.0)], tolerance=0.5, max_offset=5.0)
    assert result[0].found == found[2] and result[0].within_tolerance
    assert result[1].found is None and not result[1].within_tolerance
    assert [m.found for m in result[2:]] == [found[0], found[1]]
    assert all(m.expected is None for m in result[2:])
    # without gating every expected position is paired with the nearest free hole
    result = compare_hole_patterns(found, [(10.0, 0.0), (200.0, 0.0)], tolerance=0.5)
    assert result[1].found == found[1] and result[1].offset == pytest.approx(150.0)
    with pytest.raises(ValueError):
        compare_hole_patterns([*found, Hole((0, 0, 0), 1.0, "x")], [(0.0, 0.0)], 0.1)


def test_in_plane_axes() -> None:
    assert in_plane_axes("x") == (1, 2) and in_plane_axes("y") == (0, 2) and in_plane_axes("z") == (0, 1)
    with pytest.raises(ValueError):
        in_plane_axes("w")


def test_empty_mesh() -> None:
    empty = trimesh.Trimesh()
    result = recognise_plate_fin(Sections(empty))
    assert isinstance(result, NotRecognised) and result.reason == "empty mesh"
    assert find_through_holes(Sections(empty)) == ()
