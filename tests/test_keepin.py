"""D304 keep-in volumes (sledcheck/checks/keepins.py): a pack's ``keepins:`` prism, placed on a reference part
or in sled coordinates, and how far a part reaches beyond each of its sides. The meshes are generated, so every
expected excess is the difference of two numbers written in the test (box sides), or plane geometry written out
beside the assertion (polygons). STL stores float32 coordinates, so 35.3 mm is held to about 2e-6 mm: the box
excesses are exact to :data:`F32`."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from rulecase import make_mesh

from conftest import Run
from sledcheck import SledcheckError, check

BOARD = {"box": [[-100, -100, 0], [100, 100, 1.6]]}
F32 = 1e-5   # [mm] two float32 roundings at ~35 mm (2^-24 x 35 mm = 2.1e-6 mm each), with room
PACKAGE = {"box": [[-20, -20, 1.6], [20, 20, 4.6]]}          # top at z = 4.6 mm, centred on x = y = 0


def _sink(fin_height: float = 25.0) -> dict:
    """An 80 x 80 mm plate-fin sink, 5 mm base: its top at 5 + fin_height above its underside."""
    return {"plate_fin": {"fins": 12, "thickness": 1.0, "height": fin_height, "base": 5.0, "width": 80.0,
                          "length": 80.0}}


def _design(tmp_path: Path, keepin: str, sink: dict | None = None, position: str = "[0, 0, 4.6]",
            extra_parts: str = "", contacts: str = "  - [hs, pkg]\n") -> Path:
    make_mesh(BOARD).export(tmp_path / "board.stl")
    make_mesh(PACKAGE).export(tmp_path / "pkg.stl")
    make_mesh(sink or _sink()).export(tmp_path / "hs.stl")
    (tmp_path / "guides").mkdir(exist_ok=True)
    (tmp_path / "guides" / "acme-tmdg.yaml").write_text(
        "sledcheck-spec: 1\nname: acme-tmdg\nversion: \"1\"\ntitle: ACME guide (made up for the test)\n"
        "sources:\n  tmdg: \"ACME TMDG (test fixture)\"\n"
        f"keepins:\n{keepin}", encoding="utf-8")
    path = tmp_path / "d.yaml"
    path.write_text(
        "sledcheck: 1\nname: k\nunits: mm\nspec_path: [guides]\nspecs: [acme-tmdg]\nparts:\n"
        "  board: {file: board.stl, role: pcb}\n  pkg: {file: pkg.stl, role: package}\n"
        f"  hs: {{file: hs.stl, role: heatsink, position: {position}}}\n{extra_parts}"
        f"contacts:\n{contacts}  - [pkg, board]\n", encoding="utf-8")
    return path


BOX = ("  - {name: sink-volume, parts: [heatsink], relative_to: [package], rect: [-40 mm, -40 mm, 40 mm, 40 mm],\n"
       "     z: [0 mm, 30 mm], source: tmdg, clause: \"figure 6-3\", status: verified}\n")


def _d304(path: Path) -> list:
    return [f for f in check(path, select=["D304"]).findings if f.code == "D304"]


def test_a_sink_that_fits_its_volume_passes(tmp_path: Path) -> None:
    # 80 x 80 mm at the package's centre, 5 + 25 = 30 mm above its top: exactly the volume (touching is inside)
    assert _d304(_design(tmp_path, BOX)) == []


def test_too_tall_by_0_7_mm(tmp_path: Path) -> None:
    (finding,) = _d304(_design(tmp_path, BOX, _sink(25.7)))
    # top = 4.6 + 5 + 25.7 = 35.3 mm; the volume's top = 4.6 + 30 = 34.6 mm: 0.7 mm above
    assert finding.details["excess_mm"] == {"above": pytest.approx(0.7, abs=F32)}
    assert finding.measured.m_as("mm") == pytest.approx(0.7, abs=F32) and finding.limit.m_as("mm") == 0
    assert finding.subjects == ("hs", "pkg") and finding.details["reference"] == "pkg"
    assert "0.70 mm beyond its top" in finding.message and "figure 6-3" in finding.message
    assert finding.details["volume_mm"] == [[-40, -40, pytest.approx(4.6, abs=F32)],
                                            [40, 40, pytest.approx(34.6, abs=F32)]]


def test_over_one_side_by_1_2_mm(tmp_path: Path) -> None:
    (finding,) = _d304(_design(tmp_path, BOX, position="[1.2, 0, 4.6]"))
    # the sink spans x -38.8 .. 41.2 against -40 .. 40: 1.2 mm beyond +x only
    assert finding.details["excess_mm"] == {"+x": pytest.approx(1.2, abs=F32)}
    assert "1.20 mm beyond its +x side" in finding.message


def test_tall_and_over_a_side_together_and_the_volume_follows_its_reference(tmp_path: Path) -> None:
    # the package (and so the volume) moves 10 mm in -y with the sink placed 1.2 mm further: both excesses
    path = _design(tmp_path, BOX, _sink(25.7), position="[0, -11.2, 4.6]",
                   extra_parts="")
    text = path.read_text().replace("pkg: {file: pkg.stl, role: package}",
                                    "pkg: {file: pkg.stl, role: package, position: [0, -10, 0]}")
    path.write_text(text)
    (finding,) = _d304(path)
    assert finding.details["excess_mm"] == {"-y": pytest.approx(1.2, abs=F32), "above": pytest.approx(0.7, abs=F32)}
    assert finding.measured.m_as("mm") == pytest.approx(1.2, abs=F32)   # the worst side


def test_absolute_volume_and_below(tmp_path: Path) -> None:
    absolute = ("  - {name: abs, parts: [hs], rect: [-40 mm, -40 mm, 40 mm, 40 mm], z: [5 mm, 40 mm],"
                " source: tmdg, status: secondary}\n")
    (finding,) = _d304(_design(tmp_path, absolute))
    # sled coordinates: the sink's underside at z = 4.6 mm is 0.4 mm below the volume's bottom at 5 mm
    assert finding.details["excess_mm"] == {"below": pytest.approx(0.4, abs=F32)}
    assert finding.details["reference"] is None and "in sled coordinates" in finding.message


def test_convex_outline_distance(tmp_path: Path) -> None:
    # the diamond |x| + |y| <= 60 mm: the sink's corner (41.2, 40) (placed 1.2 mm in +x) lies on |x| + |y| = 81.2,
    # (81.2 - 60) / sqrt(2) = 14.9907 mm from the edge x + y = 60 (point-to-line distance)
    diamond = ("  - {name: diamond, parts: [heatsink], relative_to: [package], outline: [[60 mm, 0 mm], "
               "[0 mm, 60 mm], [-60 mm, 0 mm], [0 mm, -60 mm]], z: [0 mm, 40 mm], source: tmdg, status: user}\n")
    (finding,) = _d304(_design(tmp_path, diamond, position="[1.2, 0, 4.6]"))
    ((side, excess),) = finding.details["excess_mm"].items()
    assert excess == pytest.approx(21.2 / math.sqrt(2), abs=1e-6) and side in ("+x", "+y")


def test_non_convex_outline_finds_the_excess_inside_a_face(tmp_path: Path) -> None:
    # a U: the 80 x 80 mm square less a slot 20 mm wide (x -10 .. 10) from y = 0 to the +y edge. The plain box
    # sink covers the slot; its eight vertices all lie inside the U, but a point (0, y) of the slot's centre line
    # is min(10, y) mm from the U (its walls at x = +-10, its floor at y = 0): the excess is 10 mm (y >= 10)
    u = ("  - {name: u, parts: [heatsink], relative_to: [package], outline: [[-40 mm, -40 mm], [40 mm, -40 mm], "
         "[40 mm, 40 mm], [10 mm, 40 mm], [10 mm, 0 mm], [-10 mm, 0 mm], [-10 mm, 40 mm], [-40 mm, 40 mm]], "
         "z: [0 mm, 40 mm], source: tmdg, status: user}\n")
    sink = {"box": [[-40, -40, 0], [40, 40, 20]]}
    (finding,) = _d304(_design(tmp_path, u, sink))
    ((side, excess),) = finding.details["excess_mm"].items()
    assert excess == pytest.approx(10.0, abs=1e-5) and side in ("+x", "-x")


def test_the_reference_in_contact_wins_and_one_without_a_reference_under_it_warns(tmp_path: Path) -> None:
    # a second package far away is not the sink's: the one declared in contact places the volume
    make_mesh({"box": [[60, 60, 1.6], [90, 90, 4.6]]}).export(tmp_path / "pkg2.stl")
    path = _design(tmp_path, BOX, _sink(25.7), extra_parts="  pkg2: {file: pkg2.stl, role: package}\n")
    (finding,) = _d304(path)
    assert finding.details["reference"] == "pkg" and set(finding.details["excess_mm"]) == {"above"}
    # no contact and the only package elsewhere: the volume cannot be placed: a warning, not a silent pass
    (tmp_path / "lone").mkdir()
    lone = _design(tmp_path / "lone", BOX.replace("relative_to: [package]", "relative_to: [pkg2]"),
                   extra_parts="  pkg2: {file: pkg2.stl, role: connector}\n")
    make_mesh({"box": [[60, 60, 1.6], [90, 90, 4.6]]}).export(tmp_path / "lone" / "pkg2.stl")
    (warning,) = _d304(lone)
    assert warning.severity == "warning" and "could not be placed" in warning.message


def test_a_template_keepin_is_s101(tmp_path: Path) -> None:
    template = "  - {name: t, parts: [heatsink], relative_to: [package], source: tmdg, status: template}\n"
    report = check(_design(tmp_path, template))
    assert [f.code for f in report.findings if "keep-in 't'" in f.message] == ["S101"]


@pytest.mark.parametrize(("entry", "says"), [
    ("  - {name: a, parts: [heatsink], rect: [-40 mm, -40 mm, 40 mm, 40 mm], status: verified}\n",
     "needs its height range"),
    ("  - {name: a, parts: [heatsink], status: verified}\n", "needs rect (or outline) and z"),
    ("  - {name: a, parts: [], rect: [-4 mm, -4 mm, 4 mm, 4 mm], z: [0 mm, 1 mm], status: verified}\n",
     "name the parts"),
    ("  - {name: a, parts: [heatsink], rect: [-4, -4, 4, 4], z: [0 mm, 1 mm], status: verified}\n",
     "has no unit"),
    ("  - {name: a, parts: [heatsink], rect: [-4 mm, -4 mm, 4 mm, 4 mm], z: [2 mm, 1 mm], status: verified}\n",
     "top must be above"),
    ("  - {name: a, parts: [heatsink], rect: [-4 mm, -4 mm, 4 mm, 4 mm], z: [0 mm, 1 mm], status: verified}\n"
     "  - {name: a, parts: [heatsink], rect: [-4 mm, -4 mm, 4 mm, 4 mm], z: [0 mm, 1 mm], status: verified}\n",
     "named twice"),
])
def test_bad_keepins_are_errors_with_the_file_and_line(tmp_path: Path, entry: str, says: str) -> None:
    with pytest.raises(SledcheckError) as err:
        check(_design(tmp_path, entry))
    assert says in str(err.value) and "acme-tmdg.yaml:" in str(err.value)


def test_cli_json_evidence(tmp_path: Path, cli: Callable[..., Run]) -> None:
    import json

    path = _design(tmp_path, BOX, _sink(25.7))
    out = cli("check", str(path), "--format", "json", "--select", "D304")
    assert out.code == 1
    (finding,) = json.loads(out.out)["findings"]
    assert finding["code"] == "D304" and finding["measured"] == {"value": pytest.approx(0.7, abs=F32), "unit": "mm"}
    assert finding["location"]["file"].endswith("d.yaml")
