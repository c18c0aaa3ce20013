"""Every real CAD file in ../shared/realdata, and the copies carried in tests/data/realdata: loads with the right
units and extents, or fails with exit 2.

Expected extents and units come from ../shared/realdata/SOURCES.md (measured there with trimesh + cascadio),
converted to millimetres; watertightness is after merging vertices, as SOURCES.md reports it. A clone without
../shared still runs the rows whose files are carried in tests/data/realdata.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import BUNDLED, REALDATA, Run


def _where(name: str) -> list[tuple[str, str]]:
    """(root, name) for each copy of a real file: ../shared/realdata (when present) and tests/data/realdata."""
    return [(label, name) for label, root in (("shared", REALDATA), ("bundled", BUNDLED)) if (root / name).is_file()]


def _path(root: str, name: str) -> Path:
    return (REALDATA if root == "shared" else BUNDLED) / name

# file, --units for unit-less files, expected units, extents [mm], triangles, watertight after merge
LOADS = [
    ("trimesh/1002_tray_bottom.STL", "mm", "mm", (355.6, 3.175, 355.6), 4520, True),
    ("trimesh/featuretype.STEP", None, "in", (127.0, 63.5, 34.92), 8326, True),
    ("trimesh/featuretype.STL", "in", "in", (127.0, 63.5, 34.925), 3476, True),
    ("trimesh/featuretype.3MF", None, "in", (127.0, 63.5, 34.925), 2208, False),
    ("trimesh/box_sides.STEP", None, "in", (184.2, 114.3, 95.25), 3940, True),
    ("trimesh/base_interface_AP203.STEP", None, "in", (599.4, 638.7, 4.763), 4688, True),
    ("trimesh/base_interface_AP214.STEP", None, "in", (599.4, 638.7, 4.763), 4688, True),
    ("trimesh/ADIS16480.STL", "m", "m", (44.0, 14.0, 47.0), 7436, True),
    ("trimesh/plate_holes.STL", "mm", "mm", (203.2, 304.8, 12.7), 1252, True),
    ("trimesh/soup.stl", "mm", "mm", (0.9974, 0.9965, 0.9929), 100, False),
    ("trimesh/busted.STL", "mm", "mm", (10.68, 11.38, 9.572), 3878, True),
    ("trimesh/multibody.stl", "mm", "mm", (0.636, 1.088, 0.3399), 32, True),
    ("trimesh/cube_and_sphere_same_name.3mf", None, "mm", (92.8, 40.0, 40.0), 5132, True),
    ("trimesh/nested.glb", None, "m", (1436.0, 3337.0, 538.8), 36, True),
    ("trimesh/pins.glb", None, "mm", (254.0, 254.0, 25.4), 3408, True),   # instanced: 7 placed bodies
    ("trimesh/groups.obj", "mm", "mm", (9.425, 4.936, 4.0), 2308, True),
    ("trimesh/negative_indices.obj", "mm", "mm", (2.0, 2.0, 2.0), 12, True),
    ("martona-ddr5-rdimm-heatsink/heatsink-4rdimm-8mmc2c.step", None, "mm", (118.8, 31.4, 40.0), 2044, True),
    ("martona-ddr5-rdimm-heatsink/heatsink-6rdimm-8mmc2c.step", None, "mm", (118.8, 47.4, 40.0), 2620, True),
    ("martona-ddr5-rdimm-heatsink/ramblock-body.step", None, "mm", (139.0, 7.4, 34.0), 1860, True),
    ("martona-ddr5-rdimm-heatsink/ramblock-lid.step", None, "mm", (134.0, 1.7, 32.1), 1406, True),
    ("mckacz-mini-itx-nas-case/case_bottom.stl", "mm", "mm", (210.0, 210.0, 36.5), 3850, True),
    ("mckacz-mini-itx-nas-case/case_bottom_no_fan.stl", "mm", "mm", (210.0, 210.0, 10.99), 3558, True),
    ("mckacz-mini-itx-nas-case/hdd35_frame.stl", "mm", "mm", (186.4, 186.4, 5.0), 1120, True),
    ("mckacz-mini-itx-nas-case/case_panel_back.stl", "mm", "mm", (184.0, 146.0, 1.0), 10088, True),
    ("eclecticc-ParametricCase/mini-itx.stl", "mm", "mm", (224.8, 208.6, 158.8), 14772, True),
    ("eclecticc-ParametricCase/mini-itx-lid.stl", "mm", "mm", (214.4, 205.4, 2.5), 40, True),
    ("prusa3d-Original-Prusa-MINI/MINI-heatsink.stp", None, "mm", (55.0, 46.0, 12.0), 8148, True),
    ("prusa3d-Original-Prusa-MINI/MINI-fan-spacer.stp", None, "mm", (42.5, 49.0, 6.0), 3110, True),
    ("ocp-Time-Appliance-Project/PCIe Bracket for Timing Card V3.STEP", None, "mm", (124.4, 24.37, 21.59), 3016,
     True),
    ("ocp-Time-Appliance-Project/PCIe Bracket for Timing Card V3 - Flattened.STEP", None, "mm",
     (131.8, 0.8, 31.38), 2712, True),
    ("skot-bitaxeHex/heatsink.step", None, "mm", (90.0, 71.0, 36.0), 1276, True),
    ("skot-bitaxeHex/heatsink-drill-guide.stl", "mm", "mm", (94.2, 73.3, 10.0), 628, True),
    ("skot-bitaxeHex/bm1366.STP", "mm", "mm", (6.0, 7.0, 1.01), 28, True),   # STEP with no unit: declared
    ("framework-laptop-13/tray.stl", "mm", "mm", (226.9, 104.8, 8.0), 11448, True),
    ("framework-laptop-13/printable_case_full.stp", None, "mm", (299.6, 20.5, 134.8), 77693, False),
    ("framework-laptop-13/13_5_hinge_R_assy.stp", None, "mm", (45.8, 28.11, 21.13), 12006, False),
]

# file, --units, fragment of the exit-2 message
FAILS = [
    ("trimesh/empty.stl", "mm", "contains no triangles"),
    ("trimesh/stl_empty_bin.stl", "mm", "contains no triangles"),
    ("trimesh/featuretype.STL", None, "STL files carry no unit and no units were declared"),
    ("skot-bitaxeHex/bm1366.STP", None, "the STEP file declares no length unit"),
]


def test_the_tables_cover_every_file_in_realdata(realdata: Path) -> None:
    files = {p.relative_to(realdata).as_posix() for p in realdata.rglob("*")
             if p.is_file() and p.suffix.lower() not in (".md", "") and p.name != "LICENSE"}
    covered = {row[0] for row in LOADS} | {row[0] for row in FAILS} | set(ASSEMBLIES)
    assert files - covered == set()


CASES = [(root, *row) for row in LOADS for root, _ in _where(row[0])]
#: the largest real STEP (5 s) and three near-duplicates of others (AP203 beside AP214, a flattened bracket beside
#: the bracket): in the slow run, so the default run stays under 2 minutes
SLOW_LOADS = {"framework-laptop-13/printable_case_full.stp", "trimesh/base_interface_AP203.STEP",
              "trimesh/box_sides.STEP", "ocp-Time-Appliance-Project/PCIe Bracket for Timing Card V3 - Flattened.STEP"}
#: STEP files of ../shared that take over a second each: in the slow run (.ci/run), so the default run stays under
#: two minutes; the bundled copies (tests/data/realdata) stay in the default run
SLOW_SHARED = {"framework-laptop-13/13_5_hinge_R_assy.stp", "trimesh/featuretype.STEP", "skot-bitaxeHex/bm1366.STP",
               "trimesh/base_interface_AP214.STEP", "ocp-Time-Appliance-Project/PCIe Bracket for Timing Card V3.STEP",
               "martona-ddr5-rdimm-heatsink/ramblock-body.step", "martona-ddr5-rdimm-heatsink/ramblock-lid.step",
               "martona-ddr5-rdimm-heatsink/heatsink-4rdimm-8mmc2c.step"}


@pytest.mark.parametrize(("root", "name", "units", "expected_units", "extents", "triangles", "watertight"),
                         [pytest.param(*c, marks=pytest.mark.slow)
                          if c[1] in SLOW_LOADS or (c[0] == "shared" and c[1] in SLOW_SHARED) else c for c in CASES],
                         ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_real_file_loads_with_units_and_extents(cli: Callable[..., Run], root: str, name: str,
                                                units: str | None, expected_units: str,
                                                extents: tuple[float, float, float], triangles: int,
                                                watertight: bool) -> None:
    args = ["inspect", _path(root, name), "--format", "json"] + (["--units", units] if units else [])
    result = cli(*args)
    assert result.code == 0, result.err
    info = json.loads(result.out)
    assert info["units"] == expected_units
    assert info["units_source"]
    assert info["extents"]["unit"] == "mm"
    # SOURCES.md gives 4 significant digits
    assert info["extents"]["value"] == pytest.approx(list(extents), rel=2e-3, abs=1e-3)
    assert info["triangles"] == triangles
    assert info["watertight"] is watertight


@pytest.mark.parametrize(("name", "units", "fragment"), FAILS, ids=[row[0] for row in FAILS])
def test_real_file_that_cannot_be_used_is_exit_2(cli: Callable[..., Run], realdata: Path, name: str,
                                                 units: str | None, fragment: str) -> None:
    result = cli("inspect", realdata / name, *(["--units", units] if units else []))
    assert result.code == 2
    assert "Traceback" not in result.err
    assert name.rsplit("/", 1)[-1] in result.err and fragment in result.err


#: Assemblies, checked for their tree. The instance and product names are the file's PRODUCT and
#: NEXT_ASSEMBLY_USAGE_OCCURRENCE names (read with grep): the Creo time-card bracket holds the bracket (a solid
#: plus a curve set, which broke the glTF route with KeyError 'faces') and two instances of one PEM standoff.
ASSEMBLIES = {
    "ocp-Time-Appliance-Project/time_card_bracket_v4_asm.stp": {
        "TIME_CARD_BRACKET_V4_ASM/TIME_CARD_BRACKET_V4/SOLID": "TIME_CARD_BRACKET_V4",
        "TIME_CARD_BRACKET_V4_ASM/PENN_S-M3-0ZI": "PENN_S-M3-0ZI",
        "TIME_CARD_BRACKET_V4_ASM/PENN_S-M3-0ZI#1": "PENN_S-M3-0ZI",
    },
}


@pytest.mark.slow   # (a 4.7 s STEP assembly; .ci/run runs the slow real-file tests after the suite)
@pytest.mark.parametrize("name", sorted(ASSEMBLIES))
def test_assembly_keeps_its_names_and_paths(cli: Callable[..., Run], realdata: Path, name: str) -> None:
    result = cli("inspect", realdata / name, "--format", "json")
    assert result.code == 0, result.err
    tree = json.loads(result.out)["tree"]
    assert {body["path"]: body["name"] for body in tree} == ASSEMBLIES[name]
    assert all(body["triangles"] > 0 and body["chord_error"]["unit"] == "mm" for body in tree)
    assert all(0 < body["chord_error"]["value"] < 0.05 for body in tree)   # 0.01 mm asked, OCC may exceed it


@pytest.mark.parametrize("root", ["shared", "bundled"])
def test_inverted_body_is_measured(cli: Callable[..., Run], root: str) -> None:
    if not _where("trimesh/multibody.stl") or root not in dict(_where("trimesh/multibody.stl")):
        pytest.skip("no copy of trimesh/multibody.stl here")
    multibody = json.loads(cli("inspect", _path(root, "trimesh/multibody.stl"), "--units", "mm", "--format",
                               "json").out)
    assert multibody["bodies"] == 2 and multibody["inverted_bodies"] == 1   # SOURCES.md: bodyA is inverted


def test_open_soup_is_measured(cli: Callable[..., Run], realdata: Path) -> None:
    soup = json.loads(cli("inspect", realdata / "trimesh/soup.stl", "--units", "mm", "--format", "json").out)
    assert soup["bodies"] == 100 and soup["watertight"] is False and soup["volume"] is None


def test_realdata_path_is_where_the_tests_expect_it() -> None:
    assert REALDATA.name == "realdata"


def test_bundled_copies_are_the_real_files(realdata: Path) -> None:
    """tests/data/realdata holds byte-identical copies (with their licences) of files in ../shared/realdata."""
    copies = sorted(p for p in BUNDLED.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    assert len(copies) >= 10
    for copy in copies:
        assert copy.read_bytes() == (realdata / copy.relative_to(BUNDLED)).read_bytes(), copy
    assert not [r for r in LOADS if r[0].startswith(("skot", "martona")) and not _where(r[0])]
