"""The parts in the passage under a heat sink's base (model/thermal/underbase.py): a part whose surface stays
within SLACK_MM of the gap's walls is left out without clipping it, and the passage's free width is what clipping
every part gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import box_stl
from sledcheck.model.assembly import Assembly, build_assembly
from sledcheck.model.thermal import underbase
from sledcheck.pipeline import load

GAP = ((0.0, 10.0), (0.0, 20.0), (0.0, 2.0))   # x beside the package, y along the flow, z board to plate [mm]
BOXES = {
    "plate": ((-5, -5, 2), (15, 25, 7)),        # the base plate: its underside is the gap's top
    "strip": ((0, 0, 0), (3, 20, 2)),           # a gasket the gap's height, along its whole length: narrows it
    "screw": ((5, 5, 0.5), (6, 6, 1.5)),        # a small piece: not subtracted
    "skin": ((-1, -1, -1), (11, 21, 0.0005)),   # comes 0.5 um into the gap from below
}


def _assembly(tmp_path: Path, boxes: dict) -> Assembly:
    lines = ["sledcheck: 1", "name: gap", "units: mm", "parts:"]
    for name, (lo, hi) in boxes.items():
        box_stl(tmp_path / f"{name}.stl", lo, hi)
        lines.append(f"  {name}: {{file: {name}.stl, role: other}}")
    (tmp_path / "design.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return build_assembly(load(tmp_path / "design.yaml"))


def _width(assembly: Assembly) -> float:
    pieces = underbase._pieces_in(assembly, *GAP, exclude=())
    return underbase._free_width(*GAP, pieces)


def test_parts_at_the_gaps_walls_are_left_out_and_the_width_is_the_clipped_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assembly = _assembly(tmp_path, BOXES)
    out = {p.name: underbase._stays_out(p, *GAP) for p in assembly.parts}
    assert out == {"plate": True, "strip": False, "screw": False, "skin": True}
    assert _width(assembly) == pytest.approx(10.0 - 3.0)   # the strip's 3 mm; the screw is not subtracted
    monkeypatch.setattr(underbase, "_stays_out", lambda *_: False)   # every part clipped
    assert _width(assembly) == pytest.approx(10.0 - 3.0)


def test_a_part_that_holds_the_whole_gap_closes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No triangle of a block around the gap meets it, yet the gap is inside the block: not left out (its ray
    says inside), and it closes the passage, as clipping it gives."""
    assembly = _assembly(tmp_path, {"block": ((-20, -20, -20), (30, 40, 30))})
    block = assembly.parts[0]
    assert not underbase._stays_out(block, *GAP)
    assert _width(assembly) == 0.0
    monkeypatch.setattr(underbase, "_stays_out", lambda *_: False)
    assert _width(assembly) == 0.0
