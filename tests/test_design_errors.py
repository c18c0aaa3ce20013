"""Every class of design-file error: exit 2, one line naming the file, the line, the field and the fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import MINIMAL, Run

CASES = [
    # (name, design text, expected line, expected fragments)
    ("yaml syntax", "sledcheck: 1\nname: x\nparts: [a\nunits: mm\n", 4, ["not valid YAML"]),
    ("duplicate key", MINIMAL + "units: cm\n", 7, ["key 'units' appears twice"]),
    ("unknown top-level key", MINIMAL + "clearence:\n  - {min: 1 mm}\n", 7,
     ["unknown key 'clearence'", "did you mean 'clearance'"]),
    ("unknown part key", MINIMAL.replace("role: lid}", "role: lid, fille: x.stl}"), 6,
     ["parts.b", "unknown key 'fille'", "did you mean 'file'"]),
    ("missing required", "sledcheck: 1\nname: x\n", 1, ["missing required key 'parts'"]),
    ("wrong version", MINIMAL.replace("sledcheck: 1", "sledcheck: 2"), 1, ["unsupported design-file version"]),
    ("wrong type", MINIMAL.replace("name: minimal", "name: [a, b]"), 2, ["name", "expected text"]),
    ("unknown role", MINIMAL.replace("role: lid", "role: lidd"), 6, ["'lidd' is not allowed", "did you mean 'lid'"]),
    ("unknown unit", MINIMAL.replace("units: mm", "units: milimeter"), 3, ["units", "unknown unit"]),
    ("pint trap U", MINIMAL + "clearance:\n  - {min: 1 U}\n", 8, ["clearance[0].min", "enzyme"]),
    ("wrong dimension", MINIMAL + "clearance:\n  - {min: 35 degC}\n", 8,
     ["clearance[0].min", "is a temperature, but a length is needed"]),
    ("bare number without units", MINIMAL.replace("units: mm\n", "") + "clearance:\n  - {min: 2}\n", 7,
     ["clearance[0].min", "no unit"]),
    ("unknown part in contact", MINIMAL + "contacts:\n  - [a, bb]\n", 8,
     ["contacts[0][1]", "'bb' is neither a part nor a role", "did you mean 'b'"]),
    ("unknown part in clearance", MINIMAL + "clearance:\n  - {between: [a, lidd], min: 1 mm}\n", 8,
     ["'lidd' is neither a part nor a role"]),
    ("contact not a pair", MINIMAL + "contacts:\n  - [a]\n", 8, ["expected a pair"]),
    ("unknown spec pack", MINIMAL + "specs: [eia-310-3u]\n", 7, ["no built-in spec pack 'eia-310-3u'", "eia-310-1u"]),
    ("missing spec file", MINIMAL + "specs: [my/spec.yaml]\n", 7, ["spec file 'my/spec.yaml' not found"]),
    ("override of unknown value", MINIMAL + "specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n"
     "    envelope.deep: {value: 700 mm, reason: rack}\n", 10, ["has no value 'envelope.deep'"]),
    ("override without reason", MINIMAL + "specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n"
     "    envelope.depth: {value: 700 mm}\n", 10, ["missing required key 'reason'"]),
    ("waiver bad date", MINIMAL + "waivers:\n  - {code: D001, reason: ok, expires: 2027-13-01}\n", 8,
     ["waivers[0].expires", "is not a date", "YYYY-MM-DD"]),
    ("waiver unknown subject", MINIMAL + "waivers:\n  - {code: D001, subjects: [heatsink9], reason: ok}\n", 8,
     ["'heatsink9' is neither a part nor a role"]),
    ("waiver without reason", MINIMAL + "waivers:\n  - {code: D001}\n", 8, ["missing required key 'reason'"]),
    ("bad severity", MINIMAL + "severity:\n  M001: loud\n", 8, ["'loud' is not a severity"]),
    ("position not a vector", MINIMAL.replace("role: lid}", "role: lid, position: [1, 2]}"), 6,
     ["parts.b.position", "three values"]),
    ("empty design", "", 1, ["the design file is empty"]),
    ("not a mapping", "- a\n- b\n", 1, ["expected a mapping"]),
]


@pytest.mark.parametrize(("text", "line", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_design_error_is_exit_2_with_file_line_and_field(
        cli: Callable[..., Run], design: Callable[[str], Path], text: str, line: int, fragments: list[str]) -> None:
    path = design(text)
    result = cli("check", path)
    assert result.code == 2, result.out + result.err
    assert "Traceback" not in result.err
    message = result.err.strip()
    assert message.startswith(f"sledcheck: error: {path}:{line}:"), message
    for fragment in fragments:
        assert fragment in message


def test_missing_design_file(cli: Callable[..., Run], tmp_path: Path) -> None:
    result = cli("check", tmp_path / "nope.yaml")
    assert result.code == 2
    assert "nope.yaml: file not found" in result.err


@pytest.mark.parametrize(("mesh_text", "fragment"), [
    (None, "file not found"),
    ("", "file is empty (0 bytes)"),
    ("solid x\n  facet normal 0 0 1\n", "truncated"),
])
def test_mesh_errors_name_the_design_line_and_the_mesh(cli: Callable[..., Run], design: Callable[[str], Path],
                                                       mesh_text: str | None, fragment: str) -> None:
    path = design(MINIMAL.replace("a.stl", "broken.stl"))
    if mesh_text is not None:
        (path.parent / "broken.stl").write_text(mesh_text)
    result = cli("check", path)
    assert result.code == 2
    assert f"{path}:5: parts.a.file: " in result.err
    assert "broken.stl" in result.err and fragment in result.err


def test_unitless_mesh_without_units_is_exit_2(cli: Callable[..., Run], design: Callable[[str], Path]) -> None:
    path = design(MINIMAL.replace("units: mm\n", ""))
    result = cli("check", path)
    assert result.code == 2
    assert "STL files carry no unit and no units were declared" in result.err
    assert "add 'units: mm'" in result.err


def test_declared_units_that_disagree_with_the_file_are_exit_2(
        cli: Callable[..., Run], design: Callable[[str], Path]) -> None:
    import trimesh
    path = design(MINIMAL.replace("b.stl, role: lid", "b.glb, role: lid, units: mm"))
    trimesh.creation.box(extents=(0.1, 0.1, 0.01)).export(path.parent / "b.glb")
    result = cli("check", path)
    assert result.code == 2
    assert "units mm were declared for this file but the file itself declares m" in result.err


def test_node_pattern_that_matches_nothing_lists_the_bodies(
        cli: Callable[..., Run], design: Callable[[str], Path], realdata: Path) -> None:
    import shutil
    path = design(MINIMAL.replace("b.stl, role: lid", "multibody.stl, role: component, node: 'bodyC'"))
    shutil.copy(realdata / "trimesh" / "multibody.stl", path.parent / "multibody.stl")
    result = cli("check", path)
    assert result.code == 2
    assert "parts.b.node" in result.err and "matches no body" in result.err and "bodyA" in result.err
