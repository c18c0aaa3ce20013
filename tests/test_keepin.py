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


def _guide_design(tmp_path: Path, keepins: str, parts: str) -> Path:
    """``d.yaml`` in ``tmp_path``: the design (``parts`` and what follows them, YAML text) under a made-up guide
    pack in ``guides/`` whose ``keepins:`` are ``keepins``."""
    (tmp_path / "guides").mkdir(exist_ok=True)
    (tmp_path / "guides" / "acme-tmdg.yaml").write_text(
        "sledcheck-spec: 1\nname: acme-tmdg\nversion: \"1\"\ntitle: ACME guide (made up for the test)\n"
        "sources:\n  tmdg: \"ACME TMDG (test fixture)\"\n"
        f"keepins:\n{keepins}", encoding="utf-8")
    path = tmp_path / "d.yaml"
    path.write_text("sledcheck: 1\nname: k\nunits: mm\nspec_path: [guides]\nspecs: [acme-tmdg]\nparts:\n" + parts,
                    encoding="utf-8")
    return path


def _design(tmp_path: Path, keepin: str, sink: dict | None = None, position: str = "[0, 0, 4.6]",
            extra_parts: str = "", contacts: str = "  - [hs, pkg]\n") -> Path:
    make_mesh(BOARD).export(tmp_path / "board.stl")
    make_mesh(PACKAGE).export(tmp_path / "pkg.stl")
    make_mesh(sink or _sink()).export(tmp_path / "hs.stl")
    return _guide_design(tmp_path, keepin,
        "  board: {file: board.stl, role: pcb}\n  pkg: {file: pkg.stl, role: package}\n"
        f"  hs: {{file: hs.stl, role: heatsink, position: {position}}}\n{extra_parts}"
        f"contacts:\n{contacts}  - [pkg, board]\n")


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


# --- a keep-in on a reference turned about z (issue 14): drawn in the reference's own frame ---------------------
#
# The socket is drawn around its own origin (so a design `rotation:` turns it in place), 50 x 30 mm, 3 mm tall on
# a 1.6 mm board: its top at z = 4.6 mm. The guide's keep-in is 60 mm along the socket's own x and 40 mm along
# its own y, 30 mm high from the socket's top. A rotation about z by t maps the socket's own +x to sled
# (cos t, sin t) and its own +y to (-sin t, cos t) (right-handed, counter-clockwise seen from above), so a point
# p of the sled is at (p . ex, p . ey) in the socket's frame (projection on orthonormal axes).

SOCKET = {"box": [[-25, -15, 1.6], [25, 15, 4.6]]}
RECT_60x40 = ("  - {name: socket-volume, parts: [heatsink], relative_to: [package], "
              "rect: [-30 mm, -20 mm, 30 mm, 20 mm], z: [0 mm, 30 mm], source: tmdg, clause: \"figure 2\", "
              "status: verified}\n")
EXACT = 1e-9   # [mm] turned coordinates: cos(90 deg) is 6.1e-17 in floating point, not 0


def _turned(tmp_path: Path, keepin: str, socket: dict | object, sink: dict, socket_extra: str = "",
            sink_extra: str = "") -> Path:
    """A design with a socket (role package; `socket_extra` adds e.g. its rotation) and a heat sink drawn in
    sled coordinates, in contact, with a guide holding `keepin`."""
    import trimesh

    (socket if isinstance(socket, trimesh.Trimesh) else make_mesh(socket)).export(tmp_path / "socket.stl")
    make_mesh(sink).export(tmp_path / "hs.stl")
    make_mesh(BOARD).export(tmp_path / "board.stl")
    return _guide_design(tmp_path, keepin,
        "  board: {file: board.stl, role: pcb}\n"
        f"  socket: {{file: socket.stl, role: package{socket_extra}}}\n"
        f"  hs: {{file: hs.stl, role: heatsink{sink_extra}}}\n"
        "contacts:\n  - [hs, socket]\n  - [socket, board]\n")


def test_a_socket_turned_90_degrees_turns_its_keepin(tmp_path: Path) -> None:
    # the sink is 38 mm along sled x and 62 mm along sled y: along the turned socket's own x (sled y) it is 2 mm
    # longer than the 60 mm keep-in, 1.0 mm beyond each end; across (sled x, own y: 38 <= 40 mm) it fits
    sink = {"box": [[-19, -31, 4.6], [19, 31, 20]]}
    (finding,) = _d304(_turned(tmp_path, RECT_60x40, SOCKET, sink, ", rotation: [0, 0, 90]"))
    assert finding.details["excess_mm"] == {"-x": pytest.approx(1.0, abs=EXACT), "+x": pytest.approx(1.0, abs=EXACT)}
    assert "1.00 mm beyond its +x side (the reference's frame, turned 90 deg)" in finding.message
    assert "turned 90 deg about z" in finding.message
    assert finding.details["turn_deg"] == 90
    # the prism's corners: own (x, y) -> sled (-y, x) for t = 90 deg; its sled box is 40 x 60 mm
    assert finding.details["outline_mm"] == [[pytest.approx(v, abs=EXACT) for v in corner] for corner in
                                             ([20, -30], [20, 30], [-20, 30], [-20, -30])]
    assert finding.details["volume_mm"] == [[pytest.approx(-20, abs=EXACT), pytest.approx(-30, abs=EXACT),
                                             pytest.approx(4.6, abs=F32)],
                                            [pytest.approx(20, abs=EXACT), pytest.approx(30, abs=EXACT),
                                             pytest.approx(34.6, abs=F32)]]
    # moved 1 mm in sled +y (the socket's own +x): 2.0 mm beyond its +x side only, which says which way it turned
    (tmp_path / "moved").mkdir()
    (moved,) = _d304(_turned(tmp_path / "moved", RECT_60x40, SOCKET, sink, ", rotation: [0, 0, 90]",
                             ", position: [0, 1, 0]"))
    assert moved.details["excess_mm"] == {"+x": pytest.approx(2.0, abs=EXACT)}


def test_the_same_sink_on_an_unturned_socket_reports_sled_sides(tmp_path: Path) -> None:
    # control: not turned, the 60 mm run along sled x, so the 62 mm along sled y is 11 mm beyond each y side
    sink = {"box": [[-19, -31, 4.6], [19, 31, 20]]}
    (finding,) = _d304(_turned(tmp_path, RECT_60x40, SOCKET, sink))
    assert finding.details["excess_mm"] == {"-y": pytest.approx(11.0, abs=F32), "+y": pytest.approx(11.0, abs=F32)}
    assert finding.details["turn_deg"] == 0 and "reference's frame" not in finding.message
    assert finding.details["outline_mm"] == [[-30, -20], [30, -20], [30, 20], [-30, 20]]


def test_a_socket_turned_30_degrees_projects_the_sinks_corners(tmp_path: Path) -> None:
    # a 50 x 20 mm sink in sled axes on a socket turned t = 30 deg: its corners (+-25, +-10) project on the
    # socket's own y axis (-sin t, cos t) to at most 25 sin t + 10 cos t = 12.5 + 5 sqrt(3) = 21.160 mm, beyond
    # the keep-in's 20 mm by 5 sqrt(3) - 7.5 = 1.1603 mm each side; on its own x axis (cos t, sin t) to at most
    # 25 cos t + 10 sin t = 12.5 sqrt(3) + 5 = 26.65 mm, inside the 30 mm
    sink = {"box": [[-25, -10, 4.6], [25, 10, 20]]}
    (finding,) = _d304(_turned(tmp_path, RECT_60x40, SOCKET, sink, ", rotation: [0, 0, 30]"))
    excess = 5 * math.sqrt(3) - 7.5
    assert finding.details["excess_mm"] == {"-y": pytest.approx(excess, abs=1e-6),
                                            "+y": pytest.approx(excess, abs=1e-6)}
    assert "its +y side (the reference's frame, turned 30 deg)" in finding.message
    # the turned prism's sled box: corners (+-30, +-20) turned reach 30 cos t + 20 sin t in x, 30 sin t + 20 cos t
    # in y
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    (x0, y0, _), (x1, y1, _) = finding.details["volume_mm"]
    assert (x0, y0, x1, y1) == pytest.approx((-(30 * c + 20 * s), -(30 * s + 20 * c), 30 * c + 20 * s,
                                              30 * s + 20 * c), abs=1e-6)
    assert finding.details["turn_deg"] == pytest.approx(30, abs=1e-9)


def test_the_centre_is_the_references_own_box_centre(tmp_path: Path) -> None:
    # a socket with a tab: 40 x 30 mm plus a 10 x 10 mm tab at its +x, -y corner; in its own frame its box spans
    # x -20 .. 30, y -15 .. 15: centre (5, 0). Turned t = 30 deg about its origin that centre is at
    # (5 cos t, 5 sin t) = (4.330, 2.5); the sled box of the turned outline is centred at (4.330, 0) instead
    # (its vertices' sled y, x sin t + y cos t, run from -22.99 at (-20, -15) to +22.99 at (20, 15))
    import trimesh

    socket = trimesh.util.concatenate([make_mesh({"box": [[-20, -15, 1.6], [20, 15, 4.6]]}),
                                       make_mesh({"box": [[20, -15, 1.6], [30, -5, 4.6]]})])
    sink = {"box": [[-40, -40, 4.6], [40, 40, 10]]}   # beyond the volume everywhere: the finding gives the outline
    (finding,) = _d304(_turned(tmp_path, RECT_60x40, socket, sink, ", rotation: [0, 0, 30]"))
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    centre = (5 * c, 5 * s)
    expected = [(centre[0] + x * c - y * s, centre[1] + x * s + y * c) for x, y in ((-30, -20), (30, -20),
                                                                                   (30, 20), (-30, 20))]
    assert [v for corner in finding.details["outline_mm"] for v in corner] == pytest.approx(
        [v for corner in expected for v in corner], abs=1e-6)


def test_a_turned_polygon_is_measured_on_the_turned_outline(tmp_path: Path) -> None:
    # the U of test_non_convex_outline_finds_the_excess_inside_a_face on a socket turned 90 deg: its slot (own
    # x -10 .. 10, y 0 .. 40) runs along sled -x (own +y -> sled (-1, 0)); a sink covering only the slot's end,
    # sled x -40 .. -10, y -10 .. 10 (own y 10 .. 40, x -10 .. 10), has its centre line 10 mm from the walls:
    # excess 10 mm (bisection, the farthest point inside a face), named along the socket's own axes
    u = ("  - {name: u, parts: [heatsink], relative_to: [package], outline: [[-40 mm, -40 mm], [40 mm, -40 mm], "
         "[40 mm, 40 mm], [10 mm, 40 mm], [10 mm, 0 mm], [-10 mm, 0 mm], [-10 mm, 40 mm], [-40 mm, 40 mm]], "
         "z: [0 mm, 40 mm], source: tmdg, status: user}\n")
    sink = {"box": [[-40, -10, 4.6], [-10, 10, 20]]}
    (finding,) = _d304(_turned(tmp_path, u, SOCKET, sink, ", rotation: [0, 0, 90]"))
    ((side, excess),) = finding.details["excess_mm"].items()
    assert excess == pytest.approx(10.0, abs=1e-5) and side in ("+x", "-x")
    # unturned, the slot runs along sled +y (x -10 .. 10): the sink, at sled x -40 .. -10, is beside it and fits
    (tmp_path / "flat").mkdir()
    assert _d304(_turned(tmp_path / "flat", u, SOCKET, sink)) == []


def test_a_tilted_or_upside_down_reference_is_a_clear_warning(tmp_path: Path) -> None:
    sink = {"box": [[-19, -31, 4.6], [19, 31, 20]]}
    (finding,) = _d304(_turned(tmp_path, RECT_60x40, SOCKET, sink, ", rotation: [30, 0, 0]"))
    assert finding.severity == "warning" and finding.subjects == ("hs", "socket")
    assert "could not be placed" in finding.message and "tilted 30 deg about x or y" in finding.message
    (tmp_path / "flip").mkdir()
    (flipped,) = _d304(_turned(tmp_path / "flip", RECT_60x40, SOCKET, sink, ", rotation: [0, 180, 0]"))
    assert "upside down" in flipped.message and flipped.severity == "warning"
    # a full turn about x is no tilt: the keep-in is placed (turned 90 about z) as in the 90-degree test
    (tmp_path / "full").mkdir()
    (placed,) = _d304(_turned(tmp_path / "full", RECT_60x40, SOCKET, sink, ", rotation: [360, 0, 90]"))
    assert placed.severity == "error"
    assert placed.details["excess_mm"] == {"-x": pytest.approx(1.0, abs=EXACT), "+x": pytest.approx(1.0, abs=EXACT)}


_EMN = """.HEADER
BOARD_FILE 3.0 "sledcheck keep-in test" 2026/12/01.12:00:00 1
kboard MM
.END_HEADER
.BOARD_OUTLINE ECAD
1.6
0 0.0 0.0 0.0
0 100.0 0.0 0.0
0 100.0 80.0 0.0
0 0.0 80.0 0.0
0 0.0 0.0 0.0
.END_BOARD_OUTLINE
.PLACEMENT
SOCK_50x30 PN1 U1
40.0 40.0 0.0 {rotation} TOP PLACED
SOCK_50x30 PN1 U2
40.0 40.0 0.0 0.0 BOTTOM PLACED
.END_PLACEMENT
"""
_EMP = """.HEADER
LIBRARY_FILE 3.0 "sledcheck keep-in test" 2026/12/01.12:00:00 1
.END_HEADER
.MECHANICAL
SOCK_50x30 PN1 MM 3.0
0 -25.0 -15.0 0.0
0 25.0 -15.0 0.0
0 25.0 15.0 0.0
0 -25.0 15.0 0.0
0 -25.0 -15.0 0.0
.END_MECHANICAL
"""


def _idf_design(tmp_path: Path, rotation: float, sink: dict, holds: str = "hs") -> Path:
    """An IDF board (100 x 80 x 1.6 mm) with the 50 x 30 x 3 mm socket U1 at (40, 40) turned `rotation` deg on the
    top (its top at 1.6 + 3 = 4.6 mm) and U2 under it on the bottom; a sink (STL) in contact with `holds`'s socket."""
    (tmp_path / "kboard.emn").write_text(_EMN.format(rotation=rotation), encoding="utf-8")
    (tmp_path / "kboard.emp").write_text(_EMP, encoding="utf-8")
    make_mesh(sink).export(tmp_path / "hs.stl")
    return _guide_design(tmp_path, RECT_60x40,
        "  board: {file: kboard.emn, role: pcb}\n  hs: {file: hs.stl, role: heatsink}\n"
        f"contacts:\n  - [hs, {'U1' if holds == 'hs' else 'U2'}]\n")


def test_an_idf_component_turned_90_degrees_turns_its_keepin(tmp_path: Path) -> None:
    from sledcheck.model.assembly import build_assembly
    from sledcheck.pipeline import load

    # as the design-rotation test, about U1's placement (40, 40): 62 mm along sled y = U1's own x, 1.0 mm beyond
    # each end of the 60 mm keep-in
    sink = {"box": [[40 - 19, 40 - 31, 4.6], [40 + 19, 40 + 31, 20]]}
    path = _idf_design(tmp_path, 90.0, sink)
    (finding,) = _d304(path)
    assert finding.subjects == ("hs", "U1")
    assert finding.details["excess_mm"] == {"-x": pytest.approx(1.0, abs=EXACT), "+x": pytest.approx(1.0, abs=EXACT)}
    assert finding.details["turn_deg"] == 90
    assembly = build_assembly(load(path))
    top, bottom, board = assembly.part("U1").turn, assembly.part("U2").turn, assembly.part("board").turn
    assert top is not None and top.z_deg == pytest.approx(90) and not top.tilted and not top.mirrored
    # the bottom side: mirrored in x and extruded downwards, together a rotation of 180 deg about its own y
    assert bottom is not None and bottom.tilt_deg == pytest.approx(180) and not bottom.mirrored
    assert board is not None and board.identity
    # a board turned in the design turns its components with it: U1 by 90 + 30 deg
    path.write_text(path.read_text().replace("role: pcb}", "role: pcb, rotation: [0, 0, 30]}"))
    turned = build_assembly(load(path)).part("U1").turn
    assert turned is not None and turned.z_deg == pytest.approx(120)


def test_a_bottom_side_idf_reference_is_a_clear_warning(tmp_path: Path) -> None:
    sink = {"box": [[40 - 19, 40 - 31, -20], [40 + 19, 40 + 31, -3]]}   # under U2 (it spans z -3 .. 0)
    (finding,) = _d304(_idf_design(tmp_path, 0.0, sink, holds="U2"))
    assert finding.severity == "warning" and finding.subjects == ("hs", "U2")
    assert "upside down" in finding.message and "BOTTOM" in finding.message


def _step_with_turned_instances(path: Path) -> Path:
    """A STEP assembly SLED of one product SOCKET (a 50 x 30 x 3 mm box around its own origin, z 0 .. 3) placed
    twice: SOCKET_A turned 90 deg about z at (40, 40, 1.6), SOCKET_B unturned at (-40, -40, 1.6). Written through
    XCAF as tests/stepgen.py does, with a rotation in the instance's location."""
    import math as m

    stepgen = pytest.importorskip("stepgen")
    from OCP.gp import gp_Ax1, gp_Dir, gp_Pnt, gp_Trsf, gp_Vec
    from OCP.IFSelect import IFSelect_RetDone
    from OCP.STEPCAFControl import STEPCAFControl_Writer
    from OCP.STEPControl import STEPControl_AsIs
    from OCP.TCollection import TCollection_ExtendedString
    from OCP.TDataStd import TDataStd_Name
    from OCP.TDocStd import TDocStd_Document
    from OCP.TopLoc import TopLoc_Location
    from OCP.XCAFDoc import XCAFDoc_DocumentTool

    doc = TDocStd_Document(TCollection_ExtendedString("XmlXCAF"))
    shapes = XCAFDoc_DocumentTool.ShapeTool_s(doc.Main())
    socket = shapes.AddShape(stepgen.box((-25, -15, 0), (25, 15, 3)), False)
    TDataStd_Name.Set_s(socket, TCollection_ExtendedString("SOCKET"))
    root = shapes.NewShape()
    for name, angle, offset in (("SOCKET_A", 90.0, (40.0, 40.0, 1.6)), ("SOCKET_B", 0.0, (-40.0, -40.0, 1.6))):
        trsf = gp_Trsf()
        if angle:
            trsf.SetRotation(gp_Ax1(gp_Pnt(0, 0, 0), gp_Dir(0, 0, 1)), m.radians(angle))
        trsf.SetTranslationPart(gp_Vec(*offset))
        component = shapes.AddComponent(root, socket, TopLoc_Location(trsf))
        TDataStd_Name.Set_s(component, TCollection_ExtendedString(name))
    TDataStd_Name.Set_s(root, TCollection_ExtendedString("SLED"))
    shapes.UpdateAssemblies()
    writer = STEPCAFControl_Writer()
    writer.SetNameMode(True)
    if not writer.Transfer(doc, STEPControl_AsIs) or writer.Write(str(path)) != IFSelect_RetDone:
        raise RuntimeError(f"could not write {path}")
    return path


def test_a_step_instance_turned_90_degrees_turns_its_keepin(tmp_path: Path) -> None:
    from sledcheck.model.assembly import build_assembly
    from sledcheck.pipeline import load

    _step_with_turned_instances(tmp_path / "sled.step")
    # over SOCKET_A as in the design-rotation test, about (40, 40): 1.0 mm beyond each end of its own x
    make_mesh({"box": [[40 - 19, 40 - 31, 4.6], [40 + 19, 40 + 31, 20]]}).export(tmp_path / "hs.stl")
    path = _guide_design(tmp_path, RECT_60x40,
        "  sockets: {file: sled.step, node: \"SOCKET_*\", each: true, role: package}\n"
        "  hs: {file: hs.stl, role: heatsink}\ncontacts:\n  - [hs, SOCKET_A]\n")
    assembly = build_assembly(load(path))
    a, b = assembly.part("SOCKET_A").turn, assembly.part("SOCKET_B").turn
    assert a is not None and a.z_deg == pytest.approx(90, abs=1e-9) and not a.tilted
    assert b is not None and b.z_deg == pytest.approx(0, abs=1e-9) and not b.tilted
    (finding,) = _d304(path)
    assert finding.subjects == ("hs", "SOCKET_A")
    assert finding.details["excess_mm"] == {"-x": pytest.approx(1.0, abs=1e-6), "+x": pytest.approx(1.0, abs=1e-6)}
    assert finding.details["turn_deg"] == pytest.approx(90, abs=1e-6)


def test_turn_of_a_rotation_reads_the_turn_the_tilt_and_a_mirror() -> None:
    import numpy as np
    import trimesh

    from sledcheck.model.assembly import Turn

    def rotation(angle_deg: float, axis: tuple[float, float, float]) -> np.ndarray:
        return trimesh.transformations.rotation_matrix(math.radians(angle_deg), axis)[:3, :3]

    turn = Turn.of(rotation(-120, (0, 0, 1)))
    assert turn.z_deg == pytest.approx(-120) and turn.tilt_deg == pytest.approx(0, abs=1e-12) and not turn.mirrored
    assert Turn.of(rotation(180, (0, 0, 1))).z_deg == pytest.approx(180)   # (-180, 180]: +180, not -180
    assert Turn.of(rotation(30, (0, 0, 1)) @ rotation(15, (1, 0, 0))).tilt_deg == pytest.approx(15)
    assert Turn.of(np.eye(3)).identity and not Turn.of(rotation(90, (0, 0, 1))).identity
    assert Turn.of(rotation(360, (0, 0, 1))).identity   # sin(2 pi) = -2.4e-16 in floating point: no turn
    # a reflection in y (a mirrored STEP instance): own +y points along sled -y; det -1
    mirror = Turn.of(np.diag([1.0, -1.0, 1.0]))
    assert mirror.mirrored and not mirror.tilted and mirror.axes == ((1.0, 0.0), (0.0, -1.0))


def test_bodies_drawn_in_differently_turned_frames_have_no_common_frame() -> None:
    # a sub-assembly picked by `node` is one part of several bodies: its own frame is theirs when they share one
    # (a placement's uniform scale divided out), and unknown (None: D304 says so) when they do not
    import numpy as np
    import trimesh

    from sledcheck.load.body import Body
    from sledcheck.model.assembly import _drawing_frame

    mesh = trimesh.creation.box()
    quarter = trimesh.transformations.rotation_matrix(math.pi / 2, (0, 0, 1))
    scaled = quarter.copy()
    scaled[:3, :3] *= 25.4   # an inch-scaled placement
    same = _drawing_frame([Body("a", "p", mesh, placement=quarter), Body("b", "p", mesh, placement=scaled)])
    assert same is not None and same == pytest.approx(quarter[:3, :3], abs=1e-12)
    assert _drawing_frame([Body("a", "p", mesh, placement=quarter), Body("b", "p", mesh)]) is None
    assert _drawing_frame([Body("a", "p", mesh), Body("b", "p", mesh)]) == pytest.approx(np.eye(3))


def test_a_glb_node_turned_90_degrees_turns_its_keepin(tmp_path: Path) -> None:
    """A socket picked by node from a glTF scene whose node transform turns it 90 degrees: the reader keeps
    that transform as the body's frame, so the keep-in turns with it (as for a STEP instance, above)."""
    import numpy as np
    import trimesh

    from sledcheck.model.assembly import build_assembly
    from sledcheck.pipeline import load

    socket = trimesh.creation.box(extents=(0.060, 0.030, 0.003))   # glTF is in metres: 60 x 30 x 3 mm, long
    scene = trimesh.Scene()                                         # along its own x
    turn = trimesh.transformations.rotation_matrix(np.pi / 2, (0, 0, 1))
    turn[:3, 3] = (0.040, 0.040, 0.0031)                      # top at z = 4.6 mm, centred on (40, 40) mm
    scene.add_geometry(socket, node_name="SOCKET_A", geom_name="socket", transform=turn)
    scene.export(tmp_path / "sockets.glb")
    make_mesh({"box": [[40 - 19, 40 - 31, 4.6], [40 + 19, 40 + 31, 20]]}).export(tmp_path / "hs.stl")
    path = _guide_design(tmp_path, RECT_60x40,
        "  sockets: {file: sockets.glb, node: \"SOCKET_*\", each: true, role: package}\n"
        "  hs: {file: hs.stl, role: heatsink}\ncontacts:\n  - [hs, SOCKET_A]\n")
    turned = build_assembly(load(path)).part("SOCKET_A").turn
    assert turned is not None and turned.z_deg == pytest.approx(90, abs=1e-9) and not turned.tilted
    (finding,) = _d304(path)
    # the sink is 62 mm along sled y = the socket's own x; the keep-in is 60 mm there: 1.0 mm beyond each end
    assert finding.details["excess_mm"] == {"-x": pytest.approx(1.0, abs=1e-5), "+x": pytest.approx(1.0, abs=1e-5)}
