"""IDF 3.0 boards (.emn + .emp): parsing, meshes, zones, design integration and malformed records.

Expected values are closed forms of the test boards' geometry (tests/data/idf/SOURCES.md says what each holds):
areas of rectangles, circles and a quarter-circle corner, heights as library height minus limit, and the exact
inch: 1 thou = 0.0254 mm.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import trimesh

from sledcheck import check
from sledcheck.errors import MeshLoadError, SledcheckError
from sledcheck.inspect import inspect_mesh
from sledcheck.load.idf import read_idf
from sledcheck.load.roles import designator_role

DATA = Path(__file__).parent / "data" / "idf"
THOU = 0.0254


def _copy(tmp_path: Path, stem: str) -> Path:
    for suffix in (".emn", ".emp"):
        shutil.copy(DATA / f"{stem}{suffix}", tmp_path / f"{stem}{suffix}")
    return tmp_path / f"{stem}.emn"


def test_thou_board_outline_arc_circle_and_holes() -> None:
    board = read_idf(DATA / "sample_thou.emn", "sample_thou.emn")
    assert board.board.unit == "thou" and board.board.thickness_mm == pytest.approx(62 * THOU)
    mesh = board.bodies[0].mesh
    assert mesh.is_watertight
    # 4000 x 2000 thou, one corner rounded with r = 500 thou (a 90-degree arc), a circular cut-out r = 200 thou
    # and a 125 thou mounting hole; the PIN hole is not cut
    area = (4000 * 2000 - (4 - math.pi) * 500**2 / 4 - math.pi * 200**2 - math.pi * 62.5**2) * THOU**2
    assert mesh.volume == pytest.approx(area * 62 * THOU, rel=2e-3)
    info = inspect_mesh(DATA / "sample_thou.emn")
    diameters = sorted(h["diameter"]["value"] for h in info["holes"])
    assert diameters == pytest.approx([125 * THOU, 400 * THOU], abs=1e-3)
    assert [c["refdes"] for c in info["components"]] == ["C1", "C2"]
    assert info["units"] == "thou"


def test_components_on_both_sides_mm() -> None:
    board = read_idf(DATA / "dual_mm.emn", "dual_mm.emn")
    bodies = {b.name: b.mesh for b in board.bodies}
    assert set(bodies) == {"dual_mm", "U1", "C7", "J1"}   # FID1 has no height: skipped, listed
    assert any("FID1" in where for where, _ in board.skipped)
    # U1: 20 x 10 mm turned 90 degrees at (25, 25), 6.5 mm tall from the top surface (1.6 mm)
    assert bodies["U1"].bounds.ravel().tolist() == pytest.approx([20, 15, 1.6, 30, 35, 8.1])
    # C7: 80 x 40 thou on the bottom, mirrored in x (its outline runs 0..80 thou, so it ends at x = 50 mm)
    assert bodies["C7"].bounds.ravel().tolist() == pytest.approx([50 - 80 * THOU, 10 - 20 * THOU, -39.37 * THOU,
                                                                  50, 10 + 20 * THOU, 0], abs=1e-9)
    area = 100 * 60 - (4 - math.pi) * 25 / 4 - 20 * 10 - math.pi * 1.6**2
    assert bodies["dual_mm"].volume == pytest.approx(area * 1.6, rel=2e-3)
    kinds = sorted((z.kind, z.side) for z in board.zones)
    assert kinds == [("height", "TOP"), ("keepout", "BOTTOM")]


def _tray(tmp_path: Path, top_mm: float) -> None:
    box = trimesh.creation.box(extents=(120, 80, 2))
    box.apply_translation((50, 30, top_mm - 1))
    box.export(tmp_path / "tray.stl")


def _design(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "design.yaml"
    path.write_text("sledcheck: 1\nname: idf\nunits: mm\n" + body)
    return path


def test_design_expands_board_and_finds_height_and_tray_gap(tmp_path: Path) -> None:
    _copy(tmp_path, "dual_mm")
    _tray(tmp_path, 2.0)
    design = _design(tmp_path, "parts:\n  board: {file: dual_mm.emn, role: pcb, position: [0, 0, 5]}\n"
                               "  tray: {file: tray.stl, role: tray}\n"
                               "clearance:\n  - {min: 0.5 mm}\n  - {between: [board, tray], min: 2.5 mm}\n")
    report = check(design)
    names = {p.name: p.role for p in report.parts}
    assert names == {"board": "pcb", "U1": "package", "C7": "component", "J1": "connector", "tray": "tray"}
    by_code: dict[str, list] = {}
    for finding in report.findings:
        by_code.setdefault(finding.code, []).append(finding)
    assert set(by_code) == {"D302", "D201"}, [f.message for f in report.findings]
    (height,) = by_code["D302"]
    # U1 is 6.5 mm tall under a 5.0 mm keep-out height: 1.5 mm too high
    assert height.subjects == ("U1",) and "1.50 mm too high" in height.message
    assert height.measured.m_as("mm") == pytest.approx(6.5) and height.limit.m_as("mm") == pytest.approx(5.0)
    (gap,) = by_code["D201"]
    # C7 hangs 39.37 thou (1.0 mm) below the board bottom at z = 5: 2.0 mm above the tray top at z = 2
    assert set(gap.subjects) == {"C7", "tray"}
    assert gap.measured.m_as("mm") == pytest.approx(5 - 39.37 * THOU - 2.0, abs=1e-6)


def test_library_key_and_bottom_keepout(tmp_path: Path) -> None:
    board = _copy(tmp_path, "dual_mm")
    (tmp_path / "lib").mkdir()
    shutil.move(str(tmp_path / "dual_mm.emp"), tmp_path / "lib" / "parts.emp")
    text = board.read_text().replace("50.0 10.0 0.0 0.0 BOTTOM", "88.0 40.0 0.0 0.0 BOTTOM")   # C7 under the ring
    board.write_text(text)
    design = _design(tmp_path, "parts:\n  board: {file: dual_mm.emn, role: pcb, library: lib/parts.emp}\n")
    report = check(design)
    keepouts = [f for f in report.findings if f.code == "D301"]
    assert [f.subjects for f in keepouts] == [("C7",)]
    assert "BOTTOM" in keepouts[0].message


def test_missing_library_says_what_to_do(tmp_path: Path) -> None:
    board = _copy(tmp_path, "dual_mm")
    (tmp_path / "dual_mm.emp").unlink()
    with pytest.raises(MeshLoadError) as err:
        read_idf(board, "dual_mm.emn")
    assert "no library" in str(err.value) and "library: PATH" in str(err.value)


def test_design_error_names_the_idf_line(tmp_path: Path) -> None:
    board = _copy(tmp_path, "dual_mm")
    board.write_text(board.read_text().replace("1.6\n", "thick\n", 1))
    design = _design(tmp_path, "parts:\n  board: {file: dual_mm.emn, role: pcb}\n")
    with pytest.raises(SledcheckError) as err:
        check(design)
    assert "design.yaml:5" in str(err.value) and "dual_mm.emn:8" in str(err.value)   # the thickness record


BAD = [   # (line to replace, replacement, what the message says); the error's line is that of the replaced line
    ("dual_mm MM", "dual_mm FURLONGS", "not one of MM, THOU"),
    ("BOARD_FILE 3.0 \"sledcheck tests\" 2026/12/01.12:00:00 1", "BOARD_FILE 2.0 x y 1", "only IDF 3.0"),
    ("1.6", "-1.6", "must be positive"),
    ("0 100.0 0.0 0.0", "0 100.0 0.0", "needs 4 fields"),
    ("0 100.0 0.0 0.0", "0 nan 0.0 0.0", "not a usable number"),
    ("0 100.0 0.0 0.0", "0 1e300 0.0 0.0", "not a usable number"),
    ("0 100.0 0.0 0.0", "0 100.0 0.0 400", "beyond +-360"),
    ("0 100.0 0.0 0.0", "x 100.0 0.0 0.0", "not a whole number"),
    ("0 100.0 55.0 0.0", "0 0.0 80.0 0.0", "crosses itself"),
    ("0 100.0 0.0 0.0", "0 100.0 0.0 360.0", "a circle is two points"),
    ("TOP 5.0", "MIDDLE 5.0", "not one of TOP, BOTTOM, BOTH"),
    ("3.2 5.0 5.0 NPTH BOARD MTG MCAD", "3.2 5.0 5.0 SOMETIMES BOARD MTG MCAD", "not one of PTH, NPTH"),
    ("3.2 5.0 5.0 NPTH BOARD MTG MCAD", "0 5.0 5.0 NPTH BOARD MTG MCAD", "must be positive"),
    ("25.0 25.0 0.0 90.0 TOP PLACED", "25.0 25.0 0.0 90.0 TOP", None),   # status may be left out: valid
    ("25.0 25.0 0.0 90.0 TOP PLACED", "25.0 25.0 0.0 TOP PLACED", "not a number"),
    ("CONN_8x4 PN300 J1", "CONN_9x9 PN300 J1", "has no outline 'CONN_9x9'"),
    ("CONN_8x4 PN300 J1", "CONN_8x4 J1", "needs 3 fields"),
    ("BGA_20 \"PN 100\" U1", "BGA_20 \"PN 100 U1", "quoted field is not closed"),
    (".END_BOARD_OUTLINE", "", "is not closed before"),
    (".END_PLACEMENT", "", "never closed"),
    (".PLACE_KEEPOUT MCAD", ".END_NOTES", "closes no section"),
]


@pytest.mark.parametrize(("old", "new", "said"), BAD, ids=[b[2] or "valid" for b in BAD])
def test_malformed_records_name_file_and_line(tmp_path: Path, old: str, new: str, said: str | None) -> None:
    board = _copy(tmp_path, "dual_mm")
    lines = board.read_text().split("\n")
    index = lines.index(old)
    lines[index] = new
    board.write_text("\n".join(lines))
    if said is None:
        read_idf(board, "dual_mm.emn")
        return
    with pytest.raises(MeshLoadError) as err:
        read_idf(board, "dual_mm.emn")
    text = str(err.value)
    assert said in text
    assert text.startswith("dual_mm.emn:")
    line = int(text.split(":")[1])
    if "never closed" in said:   # at the section that was left open
        assert line == lines.index(".PLACEMENT") + 1
    elif "not closed before" in said:   # at the next section's header
        assert line == lines.index(".PLACE_KEEPOUT MCAD") + 1
    elif "crosses itself" in said:   # at the loop's first point
        assert line == lines.index("0 0.0 0.0 0.0") + 1
    else:
        assert line == index + 1


@pytest.mark.parametrize("content", [b"", b"   \n", b".HEADER\n\0\n", b"\xff\xfe garbage", b"P" * 5000])
def test_garbage_files_are_clear_errors(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.emn"
    path.write_bytes(content)
    with pytest.raises(MeshLoadError) as err:
        read_idf(path, "x.emn")
    assert str(err.value).startswith("x.emn")


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    board = _copy(tmp_path, "dual_mm")
    monkeypatch.setenv("SLEDCHECK_MAX_IDF_BYTES", "100")
    with pytest.raises(MeshLoadError, match="larger than 100 bytes"):
        read_idf(board, "dual_mm.emn")


def test_designator_roles() -> None:
    assert designator_role("U12", "BGA").role == "package"
    assert designator_role("J3", "").role == "connector"
    assert designator_role("R5", "0402").role == "component"
    assert designator_role("X1", "DIMM_SOCKET_288").role == "connector"   # the package names the thing itself
    assert designator_role("HS1", "").role == "heatsink"


def test_inspect_json_lists_components() -> None:
    info = inspect_mesh(DATA / "dual_mm.emn")
    assert json.loads(json.dumps(info))["components"][0]["refdes"] == "U1"
    assert {c["role"] for c in info["components"]} == {"package", "component", "connector"}


def test_arc_convention() -> None:
    """IDF included angles: positive counter-clockwise; the centre is (c/2)/tan(theta/2) left of the chord."""
    from sledcheck.load.idf.shapes import CHORD_MM, arc

    quarter = arc((1.0, 0.0), (0.0, 1.0), 90.0)   # counter-clockwise about the origin
    assert all(abs(math.hypot(x, y) - 1.0) < 1e-12 for x, y in quarter)
    assert quarter[-1].tolist() == [0.0, 1.0]
    notch = arc((0.0, 0.0), (0.0, 2.0), -180.0)    # clockwise half circle about (0, 1): bulges to -x
    assert notch[:, 0].min() == pytest.approx(-1.0, abs=CHORD_MM)
    major = arc((1.0, 0.0), (0.0, 1.0), 270.0)     # the long way round: centre to the right of the chord
    centre = (1.0, 1.0)
    assert all(abs(math.hypot(x - centre[0], y - centre[1]) - 1.0) < 1e-9 for x, y in major)
    assert major[:, 0].max() == pytest.approx(2.0, abs=CHORD_MM)


def test_panel_places_boards_not_components(tmp_path: Path) -> None:
    panel = tmp_path / "panel.emn"
    panel.write_text(".HEADER\nPANEL_FILE 3.0 \"gen\" 10/22/96.16:20:19 1\nsample_panel THOU\n.END_HEADER\n"
                     ".PANEL_OUTLINE MCAD\n62.0\n0 0.0 0.0 0.0\n0 16000.0 0.0 0.0\n0 16000.0 12000.0 0.0\n"
                     "0 0.0 12000.0 0.0\n0 0.0 0.0 0.0\n.END_PANEL_OUTLINE\n.DRILLED_HOLES\n"
                     "250.0 15500.0 11500.0 NPTH PANEL TOOL MCAD\n.END_DRILLED_HOLES\n.PLACEMENT\n"
                     "sample_board pn-board BOARD\n1700.0 3300.0 0.0 0.0 TOP MCAD\n.END_PLACEMENT\n")
    board = read_idf(panel, "panel.emn")
    assert [b.name for b in board.bodies] == ["sample_panel"]
    assert board.bodies[0].mesh.volume == pytest.approx((16000 * 12000 - math.pi * 125**2) * 62 * THOU**3,
                                                        rel=1e-4)
    assert any("panel" in why for _, why in board.skipped)


def test_designators_in_design_references_and_declared_units(tmp_path: Path) -> None:
    _copy(tmp_path, "dual_mm")
    _tray(tmp_path, 2.0)
    body = ("parts:\n  board: {file: dual_mm.emn, role: pcb, position: [0, 0, 5]}\n"
            "  tray: {file: tray.stl, role: tray}\n"
            "clearance:\n  - {min: 0.5 mm}\n  - {between: [C7, tray], min: 2.5 mm}\n"
            "waivers:\n  - {code: D302, subjects: [U1], reason: the heat sink has a pocket over U1}\n")
    report = check(_design(tmp_path, body))
    codes = sorted((f.code, f.waived) for f in report.findings)
    assert codes == [("D201", False), ("D302", True)]
    with pytest.raises(SledcheckError, match="declares mm"):   # the file's own unit wins; a wrong one is refused
        check(_design(tmp_path, "parts:\n  board: {file: dual_mm.emn, role: pcb, units: in}\n"))


def test_arc_points_are_budgeted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of arcs cannot make unbounded points: the budget names the record where it ran out."""
    from sledcheck.load.idf import records

    board = _copy(tmp_path, "dual_mm")
    monkeypatch.setattr(records, "MAX_POINTS", 20)
    with pytest.raises(MeshLoadError, match="more than 20 points") as err:
        read_idf(board, "dual_mm.emn")
    assert str(err.value).startswith("dual_mm.emn:")


def test_mutated_files_never_escape_as_tracebacks(tmp_path: Path) -> None:
    """Seeded byte flips, deletions, insertions of awkward tokens and truncations of both files: every outcome
    is a board or a MeshLoadError naming the file (a fuzz slice; 3000 such cases ran clean in development)."""
    import random

    source = {suffix: (DATA / f"dual_mm{suffix}").read_bytes() for suffix in (".emn", ".emp")}
    tokens = [b"360", b"-360", b"1e308", b"nan", b"-0", b'"', b".END_X", b".HEADER", b"-180", b"1e-300", b"PROP"]
    rng = random.Random(14)
    for case in range(150):
        target = ".emn" if case % 3 else ".emp"
        data = bytearray(source[target])
        for _ in range(rng.randint(1, 4)):
            if not data:
                break
            pos, kind = rng.randrange(len(data)), rng.random()
            if kind < 0.3:
                data[pos] = rng.randrange(256)
            elif kind < 0.5:
                del data[pos:pos + rng.randint(1, 40)]
            elif kind < 0.8:
                data[pos:pos] = rng.choice(tokens)
            else:
                data = data[:pos]
        for suffix, content in source.items():
            (tmp_path / f"m{suffix}").write_bytes(bytes(data) if suffix == target else content)
        try:
            read_idf(tmp_path / "m.emn", "m.emn")
        except MeshLoadError as err:
            assert str(err).startswith(("m.emn", "m.emp")), str(err)


def test_unusable_board_paths_are_clear_errors(tmp_path: Path) -> None:
    """The library beside a board is looked for before anything loads: a name too long for the system is the
    board's own error, not a traceback from that look-up."""
    with pytest.raises(SledcheckError, match="too long"):
        check(_design(tmp_path, f"parts:\n  board: {{file: {'x' * 300}.emn, role: pcb}}\n"))
    with pytest.raises(SledcheckError, match="parts.board.library"):
        _copy(tmp_path, "dual_mm")
        check(_design(tmp_path, "parts:\n  board: {file: dual_mm.emn, role: pcb, library: none.emp}\n"))
