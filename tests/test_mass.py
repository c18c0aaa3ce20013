"""Mass and centre of gravity (sledcheck/model/mass.py), the preload window and the shock load
(sledcheck/checks/mechanics.py), and the design errors of material, mass and mechanical (load/mechanics.py).

Closed forms: a plate-fin sink is a base plate plus N fin plates, so its volume is
W L b + N t L h and its centroid height the volume-weighted mean of the plates' mid-heights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rulecase import make_mesh

from sledcheck import SledcheckError, check
from sledcheck.report.json_format import render_json

# The sink: base 100 (x) x 80 (y) x 5 mm, 10 fins 2 mm thick, 30 mm tall, along y over the whole width.
W, L, B, N, T, H = 100.0, 80.0, 5.0, 10, 2.0, 30.0
VOLUME_MM3 = W * L * B + N * T * L * H                      # 40 000 + 48 000 = 88 000 mm^3
COG_Z_MM = (W * L * B * (B / 2) + N * T * L * H * (B + H / 2)) / VOLUME_MM3   # 12.0454... mm above its base
COPPER = 8933.0          # kg/m^3, Incropera et al., Fundamentals of Heat and Mass Transfer, Table A.1 (300 K)
MASS_KG = VOLUME_MM3 * 1e-9 * COPPER                        # 0.786104 kg
AT = (200.0, 300.0, 12.0)                                   # where the design places the sink [mm]
G_N = 9.80665            # standard gravity [m/s^2], CGPM 1901


def _design(tmp_path: Path, sink: str = "material: copper", extra: str = "", specs: str = "") -> Path:
    make_mesh({"plate_fin": {"fins": N, "thickness": T, "height": H, "base": B, "width": W, "length": L}}) \
        .export(tmp_path / "hs.stl")
    make_mesh({"box": [[0, 0, 0], [400, 600, 2]]}).export(tmp_path / "board.stl")
    make_mesh({"open_box": [[0, 0, 0], [10, 10, 10]]}).export(tmp_path / "open.stl")
    path = tmp_path / "d.yaml"
    path.write_text("sledcheck: 1\nname: m\nunits: mm\n" + specs
                    + "parts:\n"
                    f"  hs: {{file: hs.stl, role: heatsink, position: [{AT[0]}, {AT[1]}, {AT[2]}], {sink}}}\n"
                    "  board: {file: board.stl, role: pcb, position: [0, 0, 0]}\n" + extra,
                    encoding="utf-8")
    return path


def _part(report: object, name: str) -> dict:
    doc = json.loads(render_json(report))  # type: ignore[arg-type]
    return next(p for p in doc["parts"] if p["name"] == name)


def test_plate_fin_mass_and_centre_of_gravity_in_the_json(tmp_path: Path) -> None:
    report = check(_design(tmp_path), select=["M"])
    hs = _part(report, "hs")
    assert hs["mass"]["unit"] == "kg" and hs["mass"]["value"] == pytest.approx(MASS_KG, rel=1e-6)
    assert hs["center_of_gravity"]["unit"] == "mm"
    # centred on the origin in x, y (symmetric fins), base underside at z = 0, then moved by AT
    assert hs["center_of_gravity"]["value"] == pytest.approx([AT[0], AT[1], AT[2] + COG_Z_MM], abs=1e-6)
    board = _part(report, "board")
    assert board["mass"] is None and board["center_of_gravity"] is None   # no material, no mass: unknown
    summary = next(p for p in report.parts if p.name == "hs")
    assert "88000 mm^3" in summary.mass_basis and "copper 8933 kg/m^3" in summary.mass_basis


def test_declared_mass_wins_and_keeps_the_volume_centroid(tmp_path: Path) -> None:
    report = check(_design(tmp_path, "material: copper, mass: 1.5 kg"), select=["M"])
    hs = _part(report, "hs")
    assert hs["mass"]["value"] == pytest.approx(1.5)
    assert hs["center_of_gravity"]["value"][2] == pytest.approx(AT[2] + COG_Z_MM, abs=1e-6)


def test_open_mesh_has_no_mass_from_a_density_but_a_declared_one_uses_the_box_centre(tmp_path: Path) -> None:
    extra = ("  o1: {file: open.stl, role: component, position: [0, 0, 2], material: aluminium-6063}\n"
             "  o2: {file: open.stl, role: component, position: [20, 0, 2], mass: 200 g}\n")
    report = check(_design(tmp_path, extra=extra), select=["M"])
    o1, o2 = (next(p for p in report.parts if p.name == n) for n in ("o1", "o2"))
    assert o1.mass_kg is None and o1.cog_mm is None and "not a closed volume" in o1.mass_basis
    assert o2.mass_kg == pytest.approx(0.2)
    assert o2.cog_mm == pytest.approx((25.0, 5.0, 7.0)) and "bounding-box centre" in o2.mass_basis


GUIDE = "specs: [design-guide-template]\noverrides:\n  design-guide-template:\n"


def _limit(key: str, value: str) -> str:
    return f"    {key}: {{value: {value}, reason: \"our guide, table 1\"}}\n"


@pytest.mark.parametrize(("mechanical", "window", "expected"), [
    # 4 springs x 45 N = 180 N, below a 200 N minimum by 20 N
    ("{springs: 4, spring_force: 45 N}", ("200 N", "400 N"), (180.0, 200.0, "below", 7)),
    # a declared clamp of 450 N, above a 400 N maximum by 50 N
    ("{clamp_force: 450 N}", ("200 N", "400 N"), (450.0, 400.0, "above", 8)),
    # 4 x 20 lbf = 80 lbf = 355.86 N (1 lbf = 4.4482216 N, NIST SP 811) inside 200 .. 400 N
    ("{springs: 4, spring_force: 20 lbf}", ("200 N", "400 N"), None),
])
def test_preload_window(tmp_path: Path, mechanical: str, window: tuple[str, str],
                        expected: tuple[float, float, str, int] | None) -> None:
    specs = GUIDE + _limit("static_load_min", window[0]) + _limit("static_load_max", window[1])
    report = check(_design(tmp_path, f"material: copper, mechanical: {mechanical}", specs=specs), select=["L101"])
    found = [f for f in report.findings if f.code == "L101"]
    if expected is None:
        assert found == []
        return
    (finding,) = found
    assert finding.measured.m_as("N") == pytest.approx(expected[0])
    assert finding.limit.m_as("N") == pytest.approx(expected[1])
    assert expected[2] in finding.message and finding.subjects == ("hs",)
    assert finding.location is not None and finding.location.line == expected[3]   # the bound's override line


@pytest.mark.parametrize(("allowed", "fails"), [("300 N", True), ("400 N", False)])
def test_shock_load(tmp_path: Path, allowed: str, fails: bool) -> None:
    specs = GUIDE + _limit("shock_g", "50") + _limit("dynamic_load_max", allowed)
    report = check(_design(tmp_path, specs=specs), select=["L102"])
    found = [f for f in report.findings if f.code == "L102"]
    load = MASS_KG * 50 * G_N            # 0.786104 kg x 50 g x 9.80665 m/s^2 = 385.46 N
    if not fails:
        assert found == [] and load < 400
        return
    (finding,) = found
    assert finding.measured.m_as("N") == pytest.approx(load, rel=1e-6)
    assert finding.limit.m_as("N") == pytest.approx(300.0)


def test_mass_cog_and_board_attach_limits(tmp_path: Path) -> None:
    specs = (GUIDE + _limit("heatsink_mass_max", "700 g") + _limit("heatsink_cog_height_max", "20 mm")
             + _limit("board_attach_mass_max", "0.5 kg"))
    report = check(_design(tmp_path, specs=specs), select=["L"])
    codes = {f.code: f for f in report.findings}
    # (the STL stores float32 coordinates: the fins' 98/9 mm pitch is rounded, so rel 1e-6)
    assert codes["L001"].measured.m_as("kg") == pytest.approx(MASS_KG, rel=1e-6)
    assert codes["L001"].limit.m_as("kg") == pytest.approx(0.7)
    # the board's top is z = 2 mm; the sink's CoG is at 12 + 12.045 mm: 22.045 mm above it
    assert codes["L002"].measured.m_as("mm") == pytest.approx(AT[2] + COG_Z_MM - 2.0, abs=1e-5)
    assert "not declared attached to the chassis" in codes["L201"].message
    (tmp_path / "chassis").mkdir()
    chassis = check(_design(tmp_path / "chassis", "material: copper, mechanical: {attach: chassis}", specs=specs),
                    select=["L201"])
    assert [f for f in chassis.findings if f.code == "L201"] == []


def test_unknown_mass_is_said(tmp_path: Path) -> None:
    report = check(_design(tmp_path, "units: mm", specs=GUIDE + _limit("heatsink_mass_max", "1 kg")), select=["L"])
    (finding,) = [f for f in report.findings if f.code == "L000"]
    assert "no material or mass declared" in finding.message and "heatsink_mass_max" in finding.message


@pytest.mark.parametrize(("sink", "field", "words"), [
    ("material: unobtainium", "parts.hs.material", "unknown material 'unobtainium'"),
    ("mass: -1 kg", "parts.hs.mass", "greater than zero"),
    ("mass: 3 mm", "parts.hs.mass", "mass"),
    ("mechanical: {springs: 4}", "parts.hs.mechanical.spring_force", "missing"),
    ("mechanical: {clamp_force: 100 N, springs: 2, spring_force: 5 N}", "parts.hs.mechanical.clamp_force",
     "not both"),
    ("mechanical: {attach: glue}", "parts.hs.mechanical.attach", "glue"),
    ("mechanical: {clamp_force: 10 kg}", "parts.hs.mechanical.clamp_force", "force"),
])
def test_bad_mass_input_names_file_line_and_field(tmp_path: Path, sink: str, field: str, words: str) -> None:
    path = _design(tmp_path, sink)
    with pytest.raises(SledcheckError) as err:
        check(path)
    assert err.value.file == str(path) and err.value.line == 5 and err.value.field == field
    assert words in str(err.value)


def test_mechanical_only_on_a_heat_sink(tmp_path: Path) -> None:
    path = _design(tmp_path, extra="  o: {file: open.stl, role: component, mechanical: {attach: board}}\n")
    with pytest.raises(SledcheckError) as err:
        check(path)
    assert err.value.line == 7 and err.value.field == "parts.o.mechanical"


def test_volume_centroid_of_a_unit_cube_is_exact() -> None:
    from sledcheck.load.health import combine, measure_health

    cube = make_mesh({"box": [[1, 2, 3], [3, 4, 7]]})     # 2 x 2 x 4 = 16 mm^3, centre (2, 3, 5)
    health = measure_health(cube.vertices, cube.faces)
    assert health.volume == pytest.approx(16.0) and np.allclose(health.centroid, (2, 3, 5))
    far = measure_health(cube.vertices + 1e6, cube.faces)   # a metre away: exact all the same (apex nearby)
    assert far.volume == pytest.approx(16.0, rel=1e-12) and np.allclose(far.centroid, np.add((2, 3, 5), 1e6),
                                                                          rtol=0, atol=1e-9)
    other = measure_health(cube.vertices * 0.5 + 10, cube.faces)   # 2 mm^3 centred on (11, 11.5, 12.5)
    both = combine([health, other])
    assert both.volume == pytest.approx(18.0)
    np.testing.assert_allclose(both.centroid, (np.multiply(16, (2, 3, 5)) + np.multiply(2, (11, 11.5, 12.5))) / 18)


def test_the_tray_examples_heat_sink_by_hand(tmp_path: Path) -> None:
    """examples/tray-1u/cad/heatsink_fit.stl (make_meshes.py): a 120 x 140 x 5 mm base, 48 fins 0.4 mm x 140 mm x
    24.5 mm, and 4 mounting holes of radius 1.75 mm through the base, each a 48-gon of area
    (48 / 2) r^2 sin(2 pi / 48)."""
    hole_mm2 = 24 * 1.75**2 * np.sin(2 * np.pi / 48)                       # 9.5937 mm^2
    base_mm3 = 120 * 140 * 5 - 4 * hole_mm2 * 5
    fins_mm3 = 48 * 0.4 * 140 * 24.5
    volume = base_mm3 + fins_mm3                                            # 149 664.1 mm^3
    cog_z = (base_mm3 * 2.5 + fins_mm3 * (5 + 24.5 / 2)) / volume           # 8.990 mm above its underside
    design = tmp_path / "d.yaml"
    stl = Path(__file__).resolve().parents[1] / "examples" / "tray-1u" / "cad" / "heatsink_fit.stl"
    design.write_text("sledcheck: 1\nname: t\nunits: mm\nparts:\n"
                      f"  hs: {{file: {stl}, role: heatsink, position: [130, 220, 11.6], material: copper}}\n",
                      encoding="utf-8")
    (part,) = check(design, select=["M"]).parts
    assert part.mass_kg == pytest.approx(volume * 1e-9 * COPPER, rel=1e-5)   # 1.33695 kg
    assert part.cog_mm == pytest.approx((130.0, 220.0, 11.6 + cog_z), abs=1e-4)
