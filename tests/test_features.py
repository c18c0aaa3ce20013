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

from sledcheck.geometry import heatsinks, planar
from sledcheck.geometry.heatsinks import NotRecognised, PlateFinGeometry, recognise_plate_fin
from sledcheck.geometry.holes import Hole, compare_hole_patterns, find_through_holes, in_plane_axes
from sledcheck.geometry.sections import Sections
from sledcheck.geometry.twins import Twins

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: trimesh hands meshes to manifold3d as float32, so boolean-built parts carry ~1e-6 mm vertex noise:
#: hole centres/diameters on them are checked to 1e-5 mm; sink dimensions (relative error ~1e-8) to 1e-6.
MANIFOLD_TOL = 1e-5


def load_mm(relative: str, root: Path = REALDATA) -> trimesh.Trimesh:
    """Load a real file as one merged mesh in millimetres (STEP through sledcheck's OpenCASCADE reader), or skip."""
    path = root / relative
    if not path.is_file():
        pytest.skip(f"real data file missing: {path}")
    if path.suffix.lower() in (".step", ".stp"):
        from sledcheck.load.meshes import read_mesh_file

        bodies = read_mesh_file(path, relative).bodies
        mesh = trimesh.util.concatenate([b.mesh for b in bodies])
    else:
        loaded = trimesh.load(path)
        mesh = loaded.to_geometry() if isinstance(loaded, trimesh.Scene) else loaded
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
        length=60.0 - 2 * inset,   # the fin bank (contract.md: length and width are the fin bank's)
        width=width - 2 * margin,
        base_length=60.0,
        base_width=width,
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
    assert g.base_length == pytest.approx(90.0, abs=1e-4) and g.base_width == pytest.approx(71.0, abs=1e-4)
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
    # the fins cover 99 mm of the 118.8 mm base: the bank is 99 mm long (contract.md), the plate 118.8 mm
    assert g.length == pytest.approx(99.0, abs=1e-4) and g.width == pytest.approx(width, abs=1e-4)
    assert g.base_length == pytest.approx(118.8, abs=1e-4) and g.base_width == pytest.approx(width, abs=1e-4)
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


# ------------------------------------------------------------------------------------------------------
# the refactor (one Sections per part, linear-time section polygons) changes no result

#: Pre-refactor results: recognise_plate_fin(mesh) and find_through_holes(mesh) of the single-module
#: geometry/features.py (commit b81f49f, trimesh Path2D sections), run once on each file as loaded by
#: load_mm. Cross-checked against the geometry SOURCES.md describes: bitaxe 26 fins 0.8 mm (0.9 mm edge
#: fins), 2 mm gaps, 4.8 mm base, 90 x 71 mm; martona 12 fins 1.2 mm / 8 fins 1.3 mm, 118.8 mm long, 40 mm
#: tall; the Prusa MINI block is not a plate-fin sink; plate_holes 5 holes, tray_bottom 22 circular holes;
#: the tray example sinks 48 fins 0.4 mm at 2.1 mm pitch on a 5 mm base with 4 x 3.5 mm holes (make_meshes.py).
#: Since issue 12 ``length`` and ``width`` are the fin bank's (contract.md, "Thermal, second generation"); the
#: plate footprint the earlier code called length and width is ``base_length`` and ``base_width``.
PRE_REFACTOR: dict[str, tuple[dict[str, object] | str, list[tuple[tuple[float, float, float], float, str]]]] = {
    "skot-bitaxeHex/heatsink.step": (
        {
            "fin_count": 26, "fin_thickness": 0.8000005036592484, "fin_thickness_min": 0.7999986410140991,
            "fin_thickness_max": 0.9000003337860107, "fin_gap": 2.0000000949949026, "fin_gap_min": 1.999998465180397,
            "fin_gap_max": 2.0000021904706955, "fin_height": 31.19999822229147, "base_thickness": 4.800000227987766,
            "length": 90.00000357627869, "width": 71.00000232458115, "fin_length": 90.00000357627869,
            "base_length": 90.00000357627869, "base_width": 71.00000232458115,
            "fin_array_width": 71.00000232458115, "flow_axis": "x", "base_normal": "+z",
            "fin_centres": (
                -35.05000099539757, -32.20000118017197, -29.399999417364597, -26.600000448524952, -23.799999617040157,
                -21.000000648200512, -18.199999816715717, -15.39999945089221, -12.600000016391277, -9.800000116229057,
                -6.999999983236194, -4.200000083073974, -1.400000008288771, 1.400000008288771, 4.200000083073974,
                6.999999983236194, 9.800000116229057, 12.600000016391277, 15.39999945089221, 18.199999816715717,
                21.000000648200512, 23.799999617040157, 26.600000448524952, 29.399999417364597, 32.20000118017197,
                35.05000099539757,
            ),
            "base_bounds": ((-45.00000178813934, -35.50000116229057, 0.0),
                            (45.00000178813934, 35.50000116229057, 4.800000227987766)),
        },
        [
            ((-27.999999941686436, -30.249999886475244, 2.400000113993883), 2.1999998202393907, "z"),
            ((-27.999999941686436, 30.249999886475244, 2.400000113993883), 2.1999998202393907, "z"),
            ((2.422864049320128e-08, -30.249999824016065, 2.400000113993883), 2.1999999145456757, "z"),
            ((2.422864048279294e-08, 30.24999982401607, 2.400000113993883), 2.199999914545675, "z"),
            ((28.000000173636824, -30.24999982867469, 2.400000113993883), 2.1999999796027203, "z"),
            ((28.000000173636824, 30.24999982867469, 2.400000113993883), 2.1999999796027194, "z"),
        ],
    ),
    "martona-ddr5-rdimm-heatsink/heatsink-6rdimm-8mmc2c.step": (
        {
            "fin_count": 12, "fin_thickness": 1.199999824166298, "fin_thickness_min": 1.1999979615211487,
            "fin_thickness_max": 1.2000016868114471, "fin_gap": 3.0000004917383194, "fin_gap_min": 2.99999862909317,
            "fin_gap_max": 3.0000023543834686, "fin_height": 38.00000250339508, "base_thickness": 1.9999966025352478,
            "length": 98.9999994635582, "width": 47.39999887533486, "fin_length": 98.9999994635582,
            "base_length": 118.79999935626984, "base_width": 47.39999887533486,
            "fin_array_width": 47.39999887533486, "flow_axis": "x", "base_normal": "-z",
            "fin_centres": (
                -43.34999993443489, -39.14999961853027, -34.949999302625656, -30.750000849366188, -26.549999602138996,
                -22.34999928623438, -18.15000083297491, -13.950000051409006, -9.750000201165676, -5.549999885261059,
                -1.349999976810068, 2.849999931640923,
            ),
            "base_bounds": ((-59.39999967813492, -43.949998915195465, -35.999998450279236),
                            (59.39999967813492, 3.449999960139394, -34.00000184774399)),
        },
        [],
    ),
    "martona-ddr5-rdimm-heatsink/heatsink-4rdimm-8mmc2c.step": (
        {
            "fin_count": 8, "fin_thickness": 1.2999997707083821, "fin_thickness_min": 1.2999996542930603,
            "fin_thickness_max": 1.300000585615635, "fin_gap": 3.000000084284693, "fin_gap_min": 2.999999560415745,
            "fin_gap_max": 3.0000004917383194, "fin_height": 38.00000250339508, "base_thickness": 1.9999966025352478,
            "length": 98.9999994635582, "width": 31.399999978020787, "fin_length": 98.9999994635582,
            "base_length": 118.79999935626984, "base_width": 31.399999978020787,
            "fin_array_width": 31.399999978020787, "flow_axis": "x", "base_normal": "-z",
            "fin_centres": (
                -27.300000190734863, -23.000000044703484, -18.699999898672104, -14.399999752640724, -10.100000072270632,
                -5.800000159069896, -1.5000000421423465, 2.800000016577542,
            ),
            "base_bounds": ((-59.39999967813492, -27.950000017881393, -35.999998450279236),
                            (59.39999967813492, 3.449999960139394, -34.00000184774399)),
        },
        [],
    ),
    "prusa3d-Original-Prusa-MINI/MINI-heatsink.stp": (
        ("10 parallel fins normal to y stand on a base but their far ends are joined to more material "
         "(slotted block, shroud or a second fin bank), not free fin tips"),
        [
            ((4.99999992172399, -13.99999996647239, -3.8925225380808115), 2.499999976163858, "z"),
            ((37.000000111336036, -45.999999723905844, -3.8925225380808115), 2.500000885790809, "z"),
        ],
    ),
    "prusa3d-Original-Prusa-MINI/MINI-fan-spacer.stp": (
        "no parallel fins found",
        [
            ((-16.000000051417413, 15.999999987048295, 3.0825623543933034), 3.300000122581826, "z"),
            ((15.99999980826523, -15.99999998704834, 3.0825623543933034), 3.299999888807026, "z"),
        ],
    ),
    "trimesh/plate_holes.STL": (
        "no parallel fins found",
        [
            ((39.8981966546449, 47.77416973174927, 6.349999904632568), 6.756398843264693, "z"),
            ((39.89819665464412, 257.0258350372794, 6.349999904632568), 6.756393772366008, "z"),
            ((101.5999984741211, 154.48073785652318, 6.349999904632568), 6.756397621600502, "z"),
            ((163.30179786683547, 47.774169731750085, 6.349999904632568), 6.756396594679666, "z"),
            ((163.30179786683058, 257.0258350372849, 6.349999904632568), 6.756391523779292, "z"),
        ],
    ),
    "trimesh/1002_tray_bottom.STL": (
        "no parallel fins found",
        [
            ((60.325003447632724, 1.5875, -295.275), 9.128116580102294, "y"),
            ((60.325003447635346, 1.5875, -60.325003447635346), 9.128122959044335, "y"),
            ((76.19999980705327, 1.5875, -279.3999987002593), 4.978390167410685, "y"),
            ((76.19999980705802, 1.5875, -76.19999980705802), 4.978394996855051, "y"),
            ((101.60000000000002, 1.5875, -339.72499870007096), 3.175006193161783, "y"),
            ((101.60000009112171, 1.5875, -309.78227929460047), 6.526282971757892, "y"),
            ((101.6000000911237, 1.5875, -45.817727261069635), 6.526299795172371, "y"),
            ((101.6, 1.5875, -15.874999540913068), 3.1750024139866464, "y"),
            ((133.35000652048572, 1.5875, -254.78964999986405), 3.797292916289509, "y"),
            ((133.35000652051178, 1.5875, -100.81034106232488), 3.7972775799999523, "y"),
            ((157.47999263068843, 1.5875, -198.12000277807783), 2.260598040225101, "y"),
            ((157.47999263075863, 1.5875, -157.47999263075863), 2.2606051822986357, "y"),
            ((198.12000277811293, 1.5875, -198.12000277811293), 2.260590898129004, "y"),
            ((198.12000277807783, 1.5875, -157.47999263068843), 2.260598040225101, "y"),
            ((254.00001258877782, 1.5875, -339.7249987003827), 3.175001307701838, "y"),
            ((254.0000125888888, 1.5875, -15.874999540911357), 3.1749975285208865, "y"),
            ((266.6999934796506, 1.5875, -177.8000163318723), 3.7972752139667953, "y"),
            ((279.39999870016464, 1.5875, -279.39999870016464), 4.978385337961636, "y"),
            ((279.39999870025935, 1.5875, -76.19999980705323), 4.978390167410686, "y"),
            ((295.2750000000001, 1.5875, -295.275), 9.128110201155792, "y"),
            ((295.2750000000001, 1.5875, -60.325003447632724), 9.128116580102294, "y"),
            ((330.2000026698474, 1.5875, -177.8007229221101), 6.526885518852784, "y"),
        ],
    ),
    "examples/tray-1u/cad/board_rev_a.stl": (
        "no parallel fins found",
        [
            ((75.0, 160.0, 6.799999952316284), 4.000001770827025, "z"),
            ((75.0, 280.0, 6.799999952316284), 3.9999978731351606, "z"),
            ((185.0, 160.0, 6.799999952316284), 4.000004906805793, "z"),
            ((185.0, 280.0, 6.799999952316284), 4.000001009116987, "z"),
            ((254.99999766476216, 160.0, 6.799999952316284), 4.000002471350758, "z"),
            ((254.99999766475597, 280.0, 6.799999952316284), 3.9999985736595773, "z"),
            ((365.0, 160.0, 6.799999952316284), 4.000001009116986, "z"),
            ((365.79999732969173, 280.0, 6.799999952316284), 3.999999608125998, "z"),
        ],
    ),
    "examples/tray-1u/cad/board_rev_b.stl": (
        "no parallel fins found",
        [
            ((75.0, 160.0, 6.799999952316284), 4.000001770827025, "z"),
            ((75.0, 280.0, 6.799999952316284), 3.9999978731351606, "z"),
            ((185.0, 160.0, 6.799999952316284), 4.000004906805793, "z"),
            ((185.0, 280.0, 6.799999952316284), 4.000001009116987, "z"),
            ((254.99999766476216, 160.0, 6.799999952316284), 4.000002471350759, "z"),
            ((254.99999766475597, 280.0, 6.799999952316284), 3.9999985736595756, "z"),
            ((365.0, 160.0, 6.799999952316284), 4.000001009116986, "z"),
            ((365.0, 280.0, 6.799999952316284), 3.9999971114243804, "z"),
        ],
    ),
    "examples/tray-1u/cad/heatsink_fit.stl": (
        {
            "fin_count": 48, "fin_thickness": 0.39999961853027344, "fin_thickness_min": 0.3999977111816406,
            "fin_thickness_max": 0.40000152587890625, "fin_gap": 1.7191486358642578, "fin_gap_min": 1.719146728515625,
            "fin_gap_max": 1.7191505432128906, "fin_height": 24.5, "base_thickness": 5.0, "length": 140.0,
            "width": 100.0, "fin_length": 140.0, "fin_array_width": 100.0, "flow_axis": "y", "base_normal": "+z",
            "base_length": 140.0, "base_width": 120.0,
            "fin_centres": (
                -49.79999923706055, -47.680850982666016, -45.561702728271484, -43.44255256652832, -41.32340431213379,
                -39.20425605773926, -37.085105895996094, -34.96595764160156, -32.84680938720703, -30.727660179138184,
                -28.60851001739502, -26.48936176300049, -24.370213508605957, -22.251063346862793, -20.13191509246826,
                -18.012765884399414, -15.893616676330566, -13.774467945098877, -11.655319213867188, -9.53617000579834,
                -7.41702127456665, -5.297872304916382, -3.1787233352661133, -1.059574455022812, 1.059574455022812,
                3.1787233352661133, 5.297872304916382, 7.41702127456665, 9.53617000579834, 11.655319213867188,
                13.774467945098877, 15.893616676330566, 18.012765884399414, 20.13191509246826, 22.251063346862793,
                24.370213508605957, 26.48936176300049, 28.60851001739502, 30.727660179138184, 32.84680938720703,
                34.96595764160156, 37.085105895996094, 39.20425605773926, 41.32340431213379, 43.44255256652832,
                45.561702728271484, 47.680850982666016, 49.79999923706055,
            ),
            "base_bounds": ((-60.0, -70.0, 0.0),
                            (60.0, 70.0, 5.0)),
        },
        [
            ((-55.0, -60.0, 2.5), 3.500000129578566, "z"),
            ((-55.0, 60.0, 2.5), 3.5000001295785657, "z"),
            ((55.0, -60.0, 2.5), 3.5000001295785665, "z"),
            ((55.0, 60.0, 2.5), 3.5000001295785657, "z"),
        ],
    ),
    "examples/tray-1u/cad/package0.stl": (
        "no parallel fins found",
        [],
    ),
    "examples/tray-1u/cad/package1.stl": (
        "no parallel fins found",
        [],
    ),
    "examples/tray-1u/cad/riser.stl": (
        "no parallel fins found",
        [],
    ),
    "examples/tray-1u/cad/standoffs.stl": (
        "no parallel fins found",
        [],
    ),
    "examples/tray-1u/cad/tray.stl": (
        "no parallel fins found",
        [],
    ),
}

# the tall sink is the same part with 27.4 mm fins (examples/tray-1u/make_meshes.py): only the fin height differs
_FIT_SINK, _FIT_HOLES = PRE_REFACTOR["examples/tray-1u/cad/heatsink_fit.stl"]
assert isinstance(_FIT_SINK, dict)
PRE_REFACTOR["examples/tray-1u/cad/heatsink_tall.stl"] = ({**_FIT_SINK, "fin_height": 27.400001525878906}, _FIT_HOLES)


def _pre_refactor_cases() -> list[str]:
    return list(PRE_REFACTOR)


@pytest.mark.parametrize("relative", _pre_refactor_cases())
def test_results_identical_to_pre_refactor(relative: str) -> None:
    example = relative.startswith("examples/")
    mesh = load_mm(relative.removeprefix("examples/"), EXAMPLES) if example else load_mm(relative)
    sections = Sections(mesh)
    sink, holes = recognise_plate_fin(sections), find_through_holes(sections)
    want_sink, want_holes = PRE_REFACTOR[relative]
    # The stored STEP results were measured on cascadio's GLB, whose coordinates are float32 metres (up to 8e-6
    # mm of noise); OpenCASCADE's mesh now comes in float64 mm, so STEP files agree to that noise, the rest to 1e-9.
    tol = 1e-5 if relative.lower().endswith((".step", ".stp")) else 1e-9
    if isinstance(want_sink, str):
        assert isinstance(sink, NotRecognised) and sink.reason == want_sink
    else:
        assert isinstance(sink, PlateFinGeometry), sink
        for key, value in want_sink.items():
            got = getattr(sink, key)
            if isinstance(value, (str, int)):
                assert got == value, key
            else:
                assert np.asarray(got) == pytest.approx(np.asarray(value), abs=tol, rel=0), key
    assert len(holes) == len(want_holes)
    for hole, (centre, diameter, axis) in zip(holes, want_holes, strict=True):
        assert hole.axis == axis
        assert hole.center == pytest.approx(centre, abs=tol, rel=0)
        assert hole.diameter == pytest.approx(diameter, abs=tol, rel=0)


def many_fin_sink(fins: int, t: float = 0.3, pitch: float = 1.2) -> trimesh.Trimesh:
    """A 1U-style sink (as examples/tray-1u/make_meshes.py) with ``fins`` fins and four 3.5 mm holes."""
    field = (fins - 1) * pitch + t
    parts = [box((-10, 0, 0), (field + 10, 140, 5))]
    parts += [box((i * pitch, 0, 5), (i * pitch + t, 140, 29.5)) for i in range(fins)]
    drills = [trimesh.creation.cylinder(radius=1.75, height=7, sections=48,
                                        transform=trimesh.transformations.translation_matrix((x, y, 2.5)))
              for x in (-5, field + 5) for y in (10, 130)]
    return trimesh.boolean.difference([union(parts), *drills], engine="manifold")


def test_many_fins() -> None:
    """150 fins (150 rings in a section): the linear-time sections give the exact fin geometry."""
    sections = Sections(many_fin_sink(150))
    g = recognise_plate_fin(sections)
    assert isinstance(g, PlateFinGeometry), g
    assert (g.fin_count, g.flow_axis, g.base_normal) == (150, "y", "+z")
    assert (g.fin_thickness, g.fin_gap, g.fin_height, g.base_thickness) == pytest.approx(
        (0.3, 0.9, 24.5, 5.0), abs=MANIFOLD_TOL)
    holes = find_through_holes(sections)
    assert len(holes) == 4 and all(h.diameter == pytest.approx(3.5, abs=1e-3) for h in holes)


def count_calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[tuple]:
    calls: list[tuple] = []
    original = getattr(module, name)

    def counted(*args: object) -> object:
        calls.append(args[1:])
        return original(*args)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_one_set_of_sections_for_recognition_and_holes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Holes reuse the recognition and its sections: every (axis, height) is cut once, recognition runs once."""
    cuts = count_calls(monkeypatch, planar, "section_polygons")
    recognitions = count_calls(monkeypatch, heatsinks, "_recognise")
    sections = Sections(many_fin_sink(20))
    sink = recognise_plate_fin(sections)
    before = len(cuts)
    holes = find_through_holes(sections)
    assert sink and len(holes) == 4
    assert len(recognitions) == 1
    assert len(cuts) - before <= 1  # at most the plate's mid-plane, when no sample lies inside it
    assert len(set(cuts)) == len(cuts)
    assert find_through_holes(sections) is holes and recognise_plate_fin(sections) is sink


def test_twins_share_results_moved(monkeypatch: pytest.MonkeyPatch) -> None:
    """A translated copy reuses the results, moved; a rotated or altered copy does not."""
    recognitions = count_calls(monkeypatch, heatsinks, "_recognise")
    mesh = many_fin_sink(12)
    mesh.apply_translation((130.0, 220.0, 11.6))
    copy = mesh.copy()
    copy.apply_translation((180.25, -3.5, 0.0))
    twins = Twins()
    first, second = Sections(mesh, twins), Sections(copy, twins)
    sink, holes = recognise_plate_fin(first), find_through_holes(first)
    moved, moved_holes = recognise_plate_fin(second), find_through_holes(second)
    assert len(recognitions) == 1
    fresh = Sections(copy)
    want, want_holes = recognise_plate_fin(fresh), find_through_holes(fresh)
    assert len(recognitions) == 2
    assert isinstance(moved, PlateFinGeometry) and isinstance(want, PlateFinGeometry) and sink != moved
    for key in ("fin_centres", "base_bounds", "fin_thickness", "fin_gap", "fin_height", "width", "length"):
        assert np.asarray(getattr(moved, key)) == pytest.approx(np.asarray(getattr(want, key)), abs=1e-9), key
    assert [h.center for h in moved_holes] == [pytest.approx(h.center, abs=1e-9) for h in want_holes]
    assert [h.center for h in holes] != [h.center for h in moved_holes]

    rotated = mesh.copy()
    rotated.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, (0, 0, 1)))
    altered = mesh.copy()
    altered.vertices[0] += (1e-3, 0.0, 0.0)   # 1 um: far beyond float32 rounding at 300 mm (2e-5 mm)
    for other in (rotated, altered):
        recognise_plate_fin(Sections(other, twins))
    assert len(recognitions) == 4


def test_twins_exported_in_float32_at_their_places(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two copies of a sink written to binary STL at their own places (float32 coordinates there, so their
    shapes relative to their corners differ by rounding, up to about 3e-5 mm at 300 mm) are twins: one
    recognition, and the copy's result agrees with a fresh one to that rounding."""
    recognitions = count_calls(monkeypatch, heatsinks, "_recognise")
    mesh = many_fin_sink(12)
    here = mesh.copy().apply_translation((130.1, 220.3, 11.6))
    there = mesh.copy().apply_translation((310.7, 221.9, 11.6))
    here.vertices = here.vertices.astype(np.float32).astype(float)
    there.vertices = there.vertices.astype(np.float32).astype(float)
    relative_gap = np.abs((here.vertices - here.bounds[0]) - (there.vertices - there.bounds[0])).max()
    assert 1e-9 < relative_gap < 1e-4   # not equal (an exact test would miss them), but within rounding
    twins = Twins()
    recognise_plate_fin(Sections(here, twins))
    moved = recognise_plate_fin(Sections(there, twins))
    assert len(recognitions) == 1
    fresh = recognise_plate_fin(Sections(there))
    assert isinstance(moved, PlateFinGeometry) and isinstance(fresh, PlateFinGeometry)
    for key in ("fin_centres", "base_bounds", "fin_thickness", "fin_gap", "fin_height", "width", "length"):
        assert np.asarray(getattr(moved, key)) == pytest.approx(np.asarray(getattr(fresh, key)), abs=2e-4), key


def test_assembly_shares_sections_between_identical_sinks() -> None:
    """The tray example places one heat-sink file twice: the second sink's recognition and holes are the
    first's, moved by 180 mm in x, and each part's sections are made once."""
    from sledcheck.model.assembly import build_assembly
    from sledcheck.pipeline import load

    assembly = build_assembly(load(EXAMPLES / "tray-1u" / "fixed.yaml"))
    sink0, sink1 = assembly.part("heatsink0"), assembly.part("heatsink1")
    assert assembly.sections(sink1) is assembly.sections(sink1)
    g0, g1 = recognise_plate_fin(assembly.sections(sink0)), recognise_plate_fin(assembly.sections(sink1))
    assert isinstance(g0, PlateFinGeometry) and isinstance(g1, PlateFinGeometry)
    assert np.subtract(g1.fin_centres, g0.fin_centres) == pytest.approx(np.full(48, 180.0), abs=1e-9)
    fresh = recognise_plate_fin(Sections(sink1.mesh))
    assert np.asarray(g1.fin_centres) == pytest.approx(np.asarray(fresh.fin_centres), abs=1e-9)
    h0, h1 = find_through_holes(assembly.sections(sink0)), find_through_holes(assembly.sections(sink1))
    assert [h.center[0] + 180.0 for h in h0] == pytest.approx([h.center[0] for h in h1], abs=1e-9)


def test_section_polygons_nested_rings_and_fallback() -> None:
    """Material/hole parity by ring depth (an island inside a hole) agrees with trimesh's Path2D; a plane
    through a vertex level takes the trimesh path."""
    outer = box((0, 0, 0), (40, 30, 10))
    hole = box((5, 5, 0), (25, 25, 10))
    island = box((10, 10, 0), (15, 20, 10))
    mesh = trimesh.util.concatenate([outer, hole, island])
    fast = planar.section_polygons(mesh, 2, 4.0)
    slow = planar._trimesh_section(mesh, 2, 4.0)
    assert sorted(p.area for p in fast) == pytest.approx(sorted(p.area for p in slow)) == [50.0, 800.0]
    assert sorted(len(p.interiors) for p in fast) == [0, 1]
    through_vertex = planar.section_polygons(outer, 2, 10.0 - 1e-12)
    assert through_vertex == planar._trimesh_section(outer, 2, 10.0 - 1e-12)
