"""Pin-fin heat sinks recognised from the mesh: round pins on an in-line or a staggered grid on a base plate.

The meshes are built here with trimesh (cylinders on a box, united with manifold), so every expected dimension
is the one the mesh was built with.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh

from sledcheck.geometry.heatsinks import NotRecognised, PinFinGeometry, recognise_heatsink, recognise_plate_fin
from sledcheck.geometry.sections import Sections

#: the cylinders are 24-gons with their vertices on the circle: the diameter is exact to the centroid's rounding
TOL = 1e-5


def pin_sink(layout: str = "in-line", rows: int = 6, per_row: int = 9, d: float = 3.0, s_along: float = 5.0,
             s_across: float = 7.0, height: float = 25.0, base: float = 4.0, pedestal: float = 0.0,
             sides: int = 24) -> trimesh.Trimesh:
    """``rows`` rows along y of ``per_row`` pins (one fewer in the shifted rows of a staggered array) on a base
    plate ``per_row s_across`` x ``rows s_along`` [mm], optionally on a 30 x 20 mm pedestal."""
    w, length = per_row * s_across, rows * s_along
    plate = trimesh.creation.box(extents=(w, length, base))
    plate.apply_translation((w / 2, length / 2, pedestal + base / 2))
    parts = [plate]
    if pedestal:
        block = trimesh.creation.box(extents=(30.0, 20.0, pedestal))
        block.apply_translation((w / 2, length / 2, pedestal / 2))
        parts.append(block)
    for r in range(rows):
        shift = s_across / 2 if layout == "staggered" and r % 2 else 0.0
        for c in range(per_row - (1 if shift else 0)):
            pin = trimesh.creation.cylinder(radius=d / 2, height=height, sections=sides)
            pin.apply_translation((s_across / 2 + shift + c * s_across, s_along / 2 + r * s_along,
                                   pedestal + base + height / 2))
            parts.append(pin)
    return trimesh.boolean.union(parts, engine="manifold")


def recognised(mesh: trimesh.Trimesh) -> PinFinGeometry:
    found = recognise_heatsink(Sections(mesh))
    assert isinstance(found, PinFinGeometry), found
    return found


@pytest.mark.parametrize("layout", ["in-line", "staggered"])
def test_pin_arrays(layout: str) -> None:
    g = recognised(pin_sink(layout))
    assert g.layout == layout
    assert g.pin_diameter == pytest.approx(3.0, abs=TOL)
    assert (g.pitch_along, g.pitch_across) == (pytest.approx(5.0, abs=TOL), pytest.approx(7.0, abs=TOL))
    assert g.rows == 6 and g.per_row == 9
    assert g.pin_count == (54 if layout == "in-line" else 51)
    assert (g.fin_height, g.base_thickness) == (pytest.approx(25.0), pytest.approx(4.0))
    assert (g.flow_axis, g.base_normal) == ("y", "+z")
    # the pin field: first pin centre 3.5 (x) / 2.5 (y) minus the radius, to the last pin's plus it
    assert g.width == pytest.approx(8 * 7.0 + 3.0, abs=TOL) and g.length == pytest.approx(5 * 5.0 + 3.0, abs=TOL)
    assert (g.base_width, g.base_length) == (pytest.approx(63.0), pytest.approx(30.0))
    assert g.below_base == ()
    # it is not a plate-fin sink, and the reason says what it is
    plate = recognise_plate_fin(Sections(pin_sink(layout)))
    assert isinstance(plate, NotRecognised) and plate.reason.startswith("pin-fin: ")


def test_pedestal_below_the_base() -> None:
    g = recognised(pin_sink("staggered", pedestal=3.0))
    assert g.base_thickness == pytest.approx(4.0) and g.fin_height == pytest.approx(25.0)
    assert g.pedestal is not None and g.pedestal.height == pytest.approx(3.0)
    assert g.pedestal.area == pytest.approx(600.0, rel=1e-6)
    assert any("pedestal 3 mm tall" in n for n in g.notes)


@pytest.mark.parametrize("layout", ["in-line", "staggered"])
def test_rotated_copies(layout: str) -> None:
    mesh = pin_sink(layout)
    # turned 90 degrees about z: the flow (y) now runs along the former rows. An in-line grid swaps its pitches;
    # a staggered one stays staggered with S_L' = S_T / 2 and S_T' = 2 S_L (the same diagonal grid)
    turned = mesh.copy()
    turned.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, (0, 0, 1)))
    g = recognised(turned)
    assert g.layout == layout and g.flow_axis == "y"
    want = (7.0, 5.0) if layout == "in-line" else (3.5, 10.0)
    assert (g.pitch_along, g.pitch_across) == (pytest.approx(want[0], abs=TOL), pytest.approx(want[1], abs=TOL))
    assert g.rows == (9 if layout == "in-line" else 17)
    # upside down (pins pointing -z) and lying on its side (pins along +x): the same grid along the flow
    for angle, axis, normal in ((np.pi, (1, 0, 0), "-z"), (np.pi / 2, (0, 1, 0), "+x")):
        moved = mesh.copy()
        moved.apply_transform(trimesh.transformations.rotation_matrix(angle, axis))
        g = recognised(moved)
        assert (g.layout, g.base_normal, g.flow_axis) == (layout, normal, "y")
        assert (g.pitch_along, g.pitch_across) == (pytest.approx(5.0, abs=TOL), pytest.approx(7.0, abs=TOL))
        assert g.fin_height == pytest.approx(25.0) and g.base_thickness == pytest.approx(4.0)


def test_translated_twin_moves_its_pins() -> None:
    from sledcheck.geometry.twins import Twins

    twins = Twins()
    mesh = pin_sink("staggered")
    moved = mesh.copy()
    moved.apply_translation((100.0, 50.0, 10.0))
    a = recognise_heatsink(Sections(mesh, twins))
    b = recognise_heatsink(Sections(moved, twins))
    assert isinstance(a, PinFinGeometry) and isinstance(b, PinFinGeometry)
    assert b.pin_centres[0] == pytest.approx((a.pin_centres[0][0] + 50.0, a.pin_centres[0][1] + 100.0))
    assert b.bank_bounds[0] == pytest.approx(tuple(np.add(a.bank_bounds[0], (100.0, 50.0, 10.0))))


def test_square_pins_are_not_modelled() -> None:
    parts = [trimesh.creation.box(extents=(60.0, 30.0, 3.0))]
    parts[0].apply_translation((30.0, 15.0, 1.5))
    for i in range(8):
        for j in range(6):
            b = trimesh.creation.box(extents=(2.0, 2.0, 17.0))
            b.apply_translation((4 + 7 * i, 3 + 4.5 * j, 11.5))
            parts.append(b)
    found = recognise_heatsink(Sections(trimesh.boolean.union(parts, engine="manifold")))
    assert isinstance(found, NotRecognised)
    assert "the pins are not round" in found.reason


def test_inspect_reports_a_pin_fin_sink(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the staggered array built here: 6 rows of 9 and 8 pins (51), 3 mm pins at 5 mm along x 7 mm across
    path = tmp_path / "pins.stl"
    pin_sink("staggered").export(path)
    report = json.loads(cli("inspect", path, "--units", "mm", "--format", "json").out)
    sink = report["heatsink"]
    assert sink["type"] == "pin-fin" and sink["layout"] == "staggered" and sink["pin_count"] == 51
    assert sink["pin_diameter"]["value"] == pytest.approx(3.0, abs=1e-4)
    assert (sink["pitch_along"]["value"], sink["pitch_across"]["value"]) == pytest.approx((5.0, 7.0), abs=1e-4)
    assert sink["fin_count"] == 51 and sink["fin_gap"]["value"] == pytest.approx(7.0 - 3.0, abs=1e-4)
    text = cli("inspect", path, "--units", "mm").out                    # and the text view says the same
    assert "heat sink:   pin-fin, 51 staggered pins 3 mm, pitch 5 x 7 mm (along x across)" in text, text
