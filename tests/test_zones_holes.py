"""Keep-outs (D301), height limits (D302) and hole patterns (D401), on the example tray and on real meshes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import sledcheck
from conftest import EXAMPLES, Run, box_stl

OVERHEIGHT = EXAMPLES / "tray-1u" / "overheight.yaml"


def test_example_reports_the_keepout_intrusion_and_the_misplaced_hole(cli: Callable[..., Run]) -> None:
    result = cli("check", OVERHEIGHT, "--format", "json")
    findings = {f["code"]: f for f in json.loads(result.out)["findings"]}
    keepout = findings["D301"]
    # the riser is placed at y = 70 mm and the plenum ends at y = 80 mm: 10 mm in (make_meshes.py, overheight.yaml)
    assert keepout["subjects"] == ["riser"]
    assert keepout["measured"] == {"value": pytest.approx(10.0, abs=1e-5), "unit": "mm"}
    assert "'fan-plenum'" in keepout["message"] and keepout["location"]["line"] == 45
    holes = findings["D401"]
    # board revision A moves one hole of the second heat sink by 0.8 mm in x (make_meshes.py)
    assert holes["subjects"] == ["heatsink1", "board"]
    assert holes["measured"]["value"] == pytest.approx(0.8, abs=1e-3)
    assert "expected hole at (365.80, 280.00) is 0.800 mm from the nearest (dx -0.800, dy +0.000)" in \
        holes["message"]
    offsets = sorted(h["offset_mm"] for h in holes["data"]["holes"])
    assert offsets[:3] == pytest.approx([0, 0, 0], abs=1e-3) and offsets[3] == pytest.approx(0.8, abs=1e-3)
    text = cli("check", OVERHEIGHT).out
    assert "D301 keep-out [error]  riser" in text and "D401 hole-pattern [error]  heatsink1, board" in text


def _zone_design(tmp_path: Path, zones: str) -> Path:
    box_stl(tmp_path / "board.stl", (0, 0, 0), (200, 200, 1.6))
    box_stl(tmp_path / "cap.stl", (50, 50, 1.6), (70, 70, 15.6))      # 14 mm tall, on the board
    path = tmp_path / "d.yaml"
    path.write_text("sledcheck: 1\nname: z\nunits: mm\nparts:\n  board: {file: board.stl, role: pcb}\n"
                    "  cap: {file: cap.stl, role: component}\ncontacts:\n  - [component, pcb]\n" + zones)
    return path


@pytest.mark.parametrize(("zones", "code", "measured"), [
    # height limit 12.5 mm above the board top (1.6 mm): the 14 mm cap is 1.5 mm too high
    ("height_limits:\n  - {name: low, rect: [0, 0, 100, 100], max: 12.5 mm, above: board}\n", "D302", 14.0),
    ("height_limits:\n  - {name: low, rect: [0, 0, 100, 100], max: 14.5 mm, above: board}\n", None, None),
    # the outline touches only the cap's corner region: x 65..70 of the cap lies inside (5 mm deep)
    ("keepouts:\n  - {name: ko, rect: [65, 0, 120, 200], allow: [pcb]}\n", "D301", 5.0),
    # from above: a zone from 10 mm above the board top catches the cap's top 4 mm
    ("keepouts:\n  - {name: ko, rect: [0, 0, 200, 200], z: [10, 30], above: board}\n", "D301", 4.0),
    ("keepouts:\n  - {name: ko, rect: [0, 0, 200, 200], z: [10, 30], above: board, allow: [component]}\n",
     None, None),
    ("keepouts:\n  - {name: ko, rect: [70, 0, 120, 200], allow: [pcb]}\n", None, None),   # touches the boundary only
    ("keepouts:\n  - {name: ko, rect: [0, 0, 200, 200], z: [-5, 1]}\n", "D301", 1.0),  # the board, 1 mm from below
    # an L-shaped (non-convex) outline whose notch holds the cap: no intrusion
    ("keepouts:\n  - {name: ko, outline: [[0, 0], [100, 0], [100, 40], [40, 40], [40, 100], [0, 100]], allow: [pcb]}\n",
     None, None),
])
def test_zones(tmp_path: Path, zones: str, code: str | None, measured: float | None) -> None:
    report = sledcheck.check(_zone_design(tmp_path, zones))
    codes = [f.code for f in report.findings]
    assert codes == ([code] if code else [])
    if code:
        assert report.findings[0].measured.m_as("mm") == pytest.approx(measured, abs=1e-5)
        assert report.findings[0].location.line == 10


def test_zone_typos_are_design_errors(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = _zone_design(tmp_path, "keepouts:\n  - {name: ko, rect: [0, 0, 10, 10], allow: [capp]}\n")
    result = cli("check", path)
    assert result.code == 2 and "'capp' is neither a part nor a role" in result.err and ":10:" in result.err


def test_real_bitaxe_heatsink_holes_against_a_pattern(tmp_path: Path, realdata: Path) -> None:
    """The bitaxe heat sink's six 2.2 mm base holes sit at x = -28, 0, 28 and y = +-30.25 mm (inspect)."""
    good = "[[-28, -30.25], [0, -30.25], [28, -30.25], [-28, 30.25], [0, 30.25], [28, 30.25]]"
    moved = good.replace("[28, 30.25]", "[28.5, 30.25]")
    for pattern, expect in ((good, []), (moved, ["D401"])):
        path = tmp_path / "d.yaml"
        path.write_text("sledcheck: 1\nname: h\nunits: mm\nparts:\n"
                        f"  hs: {{file: '{realdata / 'skot-bitaxeHex/heatsink.step'}', role: heatsink}}\n"
                        f"hole_patterns:\n  - {{part: hs, pattern: {pattern}, tolerance: 0.1 mm}}\n")
        report = sledcheck.check(path)
        assert [f.code for f in report.findings] == expect
    assert report.findings[0].measured.m_as("mm") == pytest.approx(0.5, abs=1e-3)
