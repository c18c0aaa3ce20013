"""Regressions from a fresh-eyes review: each was a silent wrong answer or an unclear failure."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import trimesh

import sledcheck
from conftest import EXAMPLES, MINIMAL, Run

TRAY = EXAMPLES / "tray-1u"


def _tray(tmp_path: Path, old: str, new: str) -> Path:
    shutil.copytree(TRAY / "cad", tmp_path / "cad")
    text = (TRAY / "fixed.yaml").read_text()
    assert old in text
    path = tmp_path / "design.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_a_part_wholly_inside_another_is_interference(tmp_path: Path) -> None:
    trimesh.creation.box(extents=(50, 50, 50)).export(tmp_path / "big.stl")
    trimesh.creation.box(extents=(10, 10, 10)).export(tmp_path / "small.stl")
    (tmp_path / "d.yaml").write_text("sledcheck: 1\nname: x\nunits: mm\nparts:\n  big: {file: big.stl, role: other}\n"
                                     "  small: {file: small.stl, role: other}\n")
    (finding,) = sledcheck.check(tmp_path / "d.yaml").findings
    assert finding.code == "D101" and finding.measured.m_as("mm**3") == pytest.approx(1000.0)   # 10^3 mm^3


def test_a_lane_that_loses_its_only_fan_fails_and_the_json_stays_valid(cli: Callable[..., Run],
                                                                        tmp_path: Path) -> None:
    path = _tray(tmp_path, "fans: [fan4, fan5, fan6]", "fans: [fan4]")
    result = cli("check", path, "--format", "json")
    assert result.code == 1
    report = json.loads(result.out, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    t001 = [f for f in report["findings"] if f["code"] == "T001" and f["subjects"] == ["package1"]]
    assert t001 and "no air" in t001[0]["message"] and "fan4 failed" in t001[0]["message"]


def test_severity_off_written_bare_in_yaml(design: Callable[[str], Path]) -> None:
    report = sledcheck.check(design(MINIMAL + "specs: [eia-310-1u]\nseverity: {S101: off}\n"))
    assert report.findings == ()


@pytest.mark.parametrize(("extra", "fragment"), [
    ("severity: {D3O1: warning}\n", "'D3O1' is not a rule code or name"),
    ("waivers:\n  - {code: Z999, reason: typo}\n", "'Z999' is not a rule code or name"),
])
def test_unknown_rule_codes_in_a_design_are_errors(cli: Callable[..., Run], design: Callable[[str], Path],
                                                   extra: str, fragment: str) -> None:
    result = cli("check", design(MINIMAL + extra))
    assert result.code == 2 and fragment in result.err


def test_select_that_matches_no_rule_is_exit_2(cli: Callable[..., Run], design: Callable[[str], Path]) -> None:
    result = cli("check", design(MINIMAL), "--select", "D2O1")
    assert result.code == 2 and "matches no rule" in result.err


def test_name_patterns_select_parts_in_contacts(tmp_path: Path) -> None:
    path = _tray(tmp_path, "  - [heatsink, package]", "  - [heatsink*, package*]")
    assert sledcheck.check(path).verdict == "pass"


@pytest.mark.parametrize(("old", "new", "fragment"), [
    ("components: [package1]", "components: [package1, dimms]", "component 'dimms' is in more than one lane"),
    ("fans: [fan4, fan5, fan6]", "fans: [fan1, fan5, fan6]", "fan 'fan1' is in more than one lane"),
    ("above: board", "above: pcb", "'pcb' is not a part name"),
    ("r_jc: 0.03 K/W", "r_jc: -0.03 K/W", "cannot be negative"),
    ("tj_max: 95 degC", "tj_max: 95 K", "not a plausible temperature limit"),
    ("speed: 100 %", "speed: 150 %", "outside 10-100 %"),
])
def test_more_design_errors(cli: Callable[..., Run], tmp_path: Path, old: str, new: str, fragment: str) -> None:
    result = cli("check", _tray(tmp_path, old, new))
    assert result.code == 2 and fragment in result.err and "Traceback" not in result.err


def test_heatsink_not_over_its_package_is_a_thermal_finding(tmp_path: Path) -> None:
    path = _tray(tmp_path, "heatsink: heatsink0", "heatsink: HS_A")
    path.write_text(path.read_text().replace("heatsink: heatsink1", "heatsink: heatsink0")
                    .replace("heatsink: HS_A", "heatsink: heatsink1"))     # the two sinks swapped
    report = sledcheck.check(path)
    problems = [f for f in report.findings if f.code == "T003"]
    assert problems and all("is not over" in f.message for f in problems)
    assert report.exit_code == 1


def test_output_folder_is_checked_before_the_run(cli: Callable[..., Run], design: Callable[[str], Path],
                                                 tmp_path: Path) -> None:
    result = cli("check", design(MINIMAL), "--output", f"json={tmp_path / 'nodir' / 'r.json'}")
    assert result.code == 2 and "the output folder does not exist" in result.err and result.out == ""
    result = cli("check", design(MINIMAL), "--output", f"json={tmp_path}")
    assert result.code == 2 and "is a folder" in result.err


def test_lane_order_that_disagrees_with_the_cad_is_reported(tmp_path: Path) -> None:
    """The DIMMs sit behind package0 (y 410-575 mm vs 150-290 mm): listing them first would preheat the
    accelerator with the DIMMs' heat, a wrong answer in either direction."""
    path = _tray(tmp_path, "components: [package0, dimms]", "components: [dimms, package0]")
    report = sledcheck.check(path)
    (problem,) = [f for f in report.findings if f.code == "T003"]
    assert "airflow order" in problem.message and "package0, dimms" in problem.message


def test_open_contact_that_may_overlap_is_a_warning(tmp_path: Path) -> None:
    box = trimesh.creation.box(extents=(10, 10, 10))
    box.export(tmp_path / "base.stl")
    lid = trimesh.creation.box(extents=(10, 10, 10))
    lid.apply_translation((0, 0, 5))                     # sunk 5 mm into the base
    lid.update_faces(list(range(len(lid.faces) - 1)))    # and open
    lid.export(tmp_path / "cap.stl")
    (tmp_path / "d.yaml").write_text("sledcheck: 1\nname: x\nunits: mm\nparts:\n  base: {file: base.stl, role: other}\n"
                                     "  cap: {file: cap.stl, role: other}\ncontacts:\n  - [base, cap]\n")
    codes = {(f.code, f.severity) for f in sledcheck.check(tmp_path / "d.yaml").findings}
    assert ("D101", "warning") in codes and ("M001", "warning") in codes
