"""A real IDF 3.0 export: the OpenCellular Connect-1 power-sourcing board, Rev-A (Allegro 16.6, THOU).

The files are carried unchanged from Telecominfraproject/OpenCellular (CC BY 4.0; tests/data/idf/SOURCES.md). Every
expected number is computed here from the files' text by a small parse of its own (``_sections``, written for
this test from the IDF 3.0 record layout, sharing no code with sledcheck): counts of placement and hole records,
the thickness record, loop areas by the shoelace formula with circular segments for arcs, library heights.
"""

from __future__ import annotations

import math
import shlex
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sledcheck import check
from sledcheck.inspect import inspect_mesh
from sledcheck.load.idf import read_idf

DATA = Path(__file__).parent / "data" / "idf" / "real" / "opencellular-power-unit"
BOARD = DATA / "Power_Source_Board_20180717.emn"
LIBRARY = DATA / "Power_Source_Board_20180717.emp"
THOU_MM = 0.0254          # 1 thou = 0.001 in = 0.0254 mm, exact by the definition of the inch


def _sections(path: Path) -> list[tuple[str, int, list[list[str]]]]:
    """(section name, its line, records as fields) in file order; quoted fields (part numbers with spaces) kept
    whole."""
    out: list[tuple[str, int, list[list[str]]]] = []
    for number, line in enumerate(path.read_text(encoding="ascii").splitlines(), start=1):
        if line.startswith(".END_"):
            continue
        if line.startswith("."):
            out.append((line.split()[0][1:], number, []))
        elif line.strip():
            out[-1][2].append(shlex.split(line))
    return out


def _loop_area(points: list[tuple[float, float, float]]) -> float:
    """Area of one closed loop of (x, y, included angle [deg]) points [the points' unit squared].

    A 360-degree point is a circle about the previous point (IDF 3.0): pi r^2. Otherwise the shoelace formula over
    the chords, plus for each arc the circular segment between chord and arc, r^2/2 (t - sin t) with
    r = c / (2 sin(t/2)) (t the included angle, c the chord), added to the signed area for a counter-clockwise
    (positive) arc and taken off for a clockwise one: by Green's theorem the arc-and-back-along-the-chord lens
    of a counter-clockwise arc runs counter-clockwise."""
    if len(points) == 2 and abs(points[1][2]) == 360.0:
        return math.pi * math.dist(points[0][:2], points[1][:2]) ** 2
    signed = 0.0
    for (x0, y0, _), (x1, y1, angle) in zip(points, points[1:], strict=False):
        signed += (x0 * y1 - x1 * y0) / 2
        if angle:
            t = math.radians(abs(angle))
            r = math.dist((x0, y0), (x1, y1)) / (2 * math.sin(t / 2))
            signed += math.copysign(r * r / 2 * (t - math.sin(t)), angle)
    return abs(signed)


def _points(records: list[list[str]]) -> list[tuple[float, float, float]]:
    return [(float(r[1]), float(r[2]), float(r[3])) for r in records]


@pytest.fixture(scope="module")
def text() -> dict[str, Any]:
    """The facts of the two files, from their text alone."""
    board = _sections(BOARD)
    library = _sections(LIBRARY)
    (outline,) = [records for name, _, records in board if name == "BOARD_OUTLINE"]
    (placement,) = [records for name, _, records in board if name == "PLACEMENT"]
    (holes,) = [records for name, _, records in board if name == "DRILLED_HOLES"]
    entries = {}
    for name, _, records in library:
        if name == "ELECTRICAL":
            geometry, part, unit, height = records[0]
            assert unit == "THOU"
            entries[(geometry, part)] = (float(height), _loop_area(_points(records[1:])))
    placed = [(first, second) for first, second in zip(placement[::2], placement[1::2], strict=True)]
    return {"units": board[0][2][1][-1], "thickness": float(outline[0][0]), "outline": _points(outline[1:]),
            "placed": placed, "holes": holes, "entries": entries, "sections": board}


@pytest.fixture(scope="module")
def inspected() -> dict[str, Any]:
    return inspect_mesh(BOARD)


def test_units_header_and_thickness(text: dict[str, Any], inspected: dict[str, Any]) -> None:
    assert text["units"] == "THOU" and inspected["units"] == "thou"
    # the board body's z extent is the .BOARD_OUTLINE thickness record, 65.6 thou; the tallest TOP component
    # stands on it and the tallest BOTTOM one hangs below z = 0
    heights = {side: max(text["entries"][(f[0], f[1])][0] for f, s in text["placed"] if s[4] == side)
               for side in ("TOP", "BOTTOM")}
    low, high = inspected["bounds"]["value"]
    assert high[2] == pytest.approx((text["thickness"] + heights["TOP"]) * THOU_MM, abs=1e-4)
    assert low[2] == pytest.approx(-heights["BOTTOM"] * THOU_MM, abs=1e-4)
    assert text["thickness"] == 65.6


def test_every_placement_becomes_a_component(text: dict[str, Any], inspected: dict[str, Any]) -> None:
    # 1103 placement record pairs, all PLACED, each with a library outline of non-zero height
    placed = text["placed"]
    assert len(placed) == 1103 and {s[5] for _, s in placed} == {"PLACED"}
    assert all(text["entries"][(f[0], f[1])][0] > 0 for f, _ in placed)
    components = inspected["components"]
    assert [c["refdes"] for c in components] == [f[2] for f, _ in placed]   # "U?" six times: fiducials
    assert Counter(c["side"] for c in components) == Counter(s[4] for _, s in placed) == {"TOP": 554, "BOTTOM": 549}
    assert inspected["bodies"] == 1 + len(placed)
    by_ref = {c["refdes"]: c for c in components}
    assert by_ref["J1"]["height"]["value"] == pytest.approx(718.504 * THOU_MM, rel=1e-6)   # the .emp header record
    assert by_ref["J1"]["role"] == "connector"


def test_mounting_holes_are_cut(text: dict[str, Any], inspected: dict[str, Any]) -> None:
    """Allegro exports the seven mounting holes as PIN holes of the mounting-hole components MT1..MT7."""
    mounting = [(float(h[0]), float(h[1]), float(h[2])) for h in text["holes"] if h[4].startswith("MT")]
    assert len(mounting) == 7 and {h[5] for h in text["holes"] if h[4].startswith("MT")} == {"PIN"}
    assert Counter(h[5] for h in text["holes"]) == {"VIA": 2419, "PIN": 129}   # none is MTG or TOOL
    found = sorted(v for h in inspected["holes"] for v in (*h["center"]["value"][:2], h["diameter"]["value"]))
    expected = sorted(v * THOU_MM for d, x, y in mounting for v in (x, y, d))
    assert len(inspected["holes"]) == 7 and found == pytest.approx(expected, abs=1e-3)
    assert {d for d, _, _ in mounting} == {142.0}


def test_volume_is_board_plus_components(text: dict[str, Any], inspected: dict[str, Any]) -> None:
    # the board: its outline (one loop of 13 points: 50 thou chamfers and one 90-degree, 20 thou fillet) less
    # the seven 142 thou mounting holes, times 65.6 thou; each component: its outline's area times its height
    outline = text["outline"]
    assert [p for p in outline if p[2]] == [(5336.568, 5636.1, 90.0)]
    holes = sum(math.pi * (float(h[0]) / 2) ** 2 for h in text["holes"] if h[4].startswith("MT"))
    board = (_loop_area(outline) - holes) * text["thickness"]
    components = sum(area * height for height, area in (text["entries"][(f[0], f[1])] for f, _ in text["placed"]))
    xs, ys = [p[0] for p in outline], [p[1] for p in outline]
    assert (max(xs) - min(xs), max(ys) - min(ys)) == (6105.514, 6751.1)
    assert inspected["bounds"]["value"][1][0] == pytest.approx(6105.514 * THOU_MM)   # nothing overhangs in x
    # chords within 0.01 mm of the arcs and circles keep the meshes' areas within 1e-4 of the exact ones
    assert inspected["volume"]["value"] == pytest.approx((board + components) * THOU_MM**3, rel=1e-4)


@pytest.mark.slow
def test_design_check_finds_the_connectors_over_the_height_keepout(text: dict[str, Any], tmp_path: Path) -> None:
    """The whole board through a design: 1103 components, 86 zones (78 + 3 x 2 + 1 + 1 from the keep-out
    records), and a board-wide TOP keep-out of 590.551 thou (15.0 mm) that only the RJ45 jacks exceed."""
    for path in (BOARD, LIBRARY):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    design = tmp_path / "design.yaml"
    design.write_text(f"sledcheck: 1\nname: opencellular-psu\nunits: mm\nparts:\n"
                      f"  board: {{file: {BOARD.name}, role: pcb}}\n")
    keepouts = [(line, records) for name, line, records in text["sections"] if name == "PLACE_KEEPOUT"]
    sides = Counter((records[0][0], float(records[0][1])) for _, records in keepouts)
    assert sides == {("BOTTOM", 0.0): 78, ("BOTH", 0.0): 3, ("TOP", 590.551): 1, ("BOTTOM", 590.551): 1}
    # one zone a keep-out, two for BOTH; the PLACE_OUTLINE (BOTH, height 0) sets no limit
    assert len(read_idf(BOARD, BOARD.name).zones) == 78 + 3 * 2 + 1 + 1
    report = check(design)
    assert len(report.parts) == 1 + len(text["placed"])
    ((line, limit),) = [(line, records) for line, records in keepouts if records[0][0] == "TOP"]
    assert _loop_area(_points(limit[1:])) == pytest.approx(_loop_area(text["outline"]))   # the whole board
    tall = {f[2]: text["entries"][(f[0], f[1])][0] for f, s in text["placed"]
            if s[4] == "TOP" and text["entries"][(f[0], f[1])][0] > 590.551}
    assert tall == {"J1": 718.504, "J2": 718.504, "J3": 718.504, "J7": 625.197}
    over = {f.subjects[0]: f for f in report.findings if f.code == "D302"}
    assert set(over) == set(tall)
    for refdes, height in tall.items():
        assert over[refdes].measured.m_as("mm") == pytest.approx(height * THOU_MM, abs=1e-3)
        assert over[refdes].limit.m_as("mm") == pytest.approx(590.551 * THOU_MM, abs=1e-3)
        assert f"{BOARD.name}:{line} PLACE_KEEPOUT TOP, 15 mm" in over[refdes].message
    # the components share the board's declared THOU: no unit-plausibility finding for a 1.39 mm package (U15);
    # the board itself (155.1 x 171.5 mm from the outline parsed above) is the unit's witness and passes
    assert not [f for f in report.findings if f.code == "M101"]


# The reader fixes the real file needed, each on the small sample board (tests/data/idf/sample_thou.emn: a
# 125 thou MTG hole at (200, 200) thou and a 30 thou PIN hole of J1, which has no placement).

def _sample(tmp_path: Path, holes: str, extra: str = "") -> Path:
    sample = Path(__file__).parent / "data" / "idf"
    board = tmp_path / "sample_thou.emn"
    text = (sample / "sample_thou.emn").read_text().replace("30.0 1800.0 100.0 PTH J1 PIN ECAD\n", holes)
    board.write_text(text.replace(".PLACEMENT\n", ".PLACEMENT\n" + extra) if extra else text)
    (tmp_path / "sample_thou.emp").write_bytes((sample / "sample_thou.emp").read_bytes())
    return board


def test_pin_holes_of_mounting_hole_components_are_cut(tmp_path: Path) -> None:
    """Placed MT/MH components' PIN holes are cut like MTG holes; a connector's PIN hole is not."""
    mount = "cs13_a pn-cap MT4\n3000.0 300.0 0.0 0.0 TOP PLACED\ncs13_a pn-cap MH5\n3500.0 300.0 0.0 0.0 TOP PLACED\n"
    board = _sample(tmp_path, "30.0 1800.0 100.0 PTH J1 PIN ECAD\n142.0 3200.0 1600.0 PTH MT4 PIN ECAD\n"
                              "100.0 3600.0 1600.0 PTH MH5 PIN ECAD\n", mount)
    holes = sorted(round(h["diameter"]["value"] / THOU_MM, 3) for h in inspect_mesh(board)["holes"])
    # the MTG hole (125), the 400 thou circular cut-out (found as a hole too) and the two mounting PIN holes
    assert holes == [100.0, 125.0, 142.0, 400.0]
    cut = read_idf(board, board.name).cut_holes
    assert sorted(h.association for h in cut) == ["BOARD", "MH5", "MT4"]


def test_skipped_holes_and_sections_are_counted_past_twenty(tmp_path: Path) -> None:
    vias = "".join(f"10.0 {100 + 10 * i}.0 1900.0 PTH BOARD VIA ECAD\n" for i in range(25))
    keepouts = "".join(f".VIA_KEEPOUT ECAD\n0 {100 + 10 * i}.0 100.0 0.0\n0 {105 + 10 * i}.0 100.0 360.0\n"
                       ".END_VIA_KEEPOUT\n" for i in range(23))
    board = _sample(tmp_path, vias)
    board.write_text(board.read_text().replace(".DRILLED_HOLES\n", keepouts + ".DRILLED_HOLES\n"))
    skipped = [where for where, _ in read_idf(board, board.name).skipped]
    assert sum(where.startswith("VIA hole (line") for where in skipped) == 20 and "5 more VIA holes" in skipped
    assert sum(where.startswith(".VIA_KEEPOUT (line") for where in skipped) == 20
    assert "3 more VIA_KEEPOUT sections" in skipped
