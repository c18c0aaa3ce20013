"""Interference (D101), clearance (D201) and missing contacts (D103) on real meshes with known gaps.

Expected gaps are set by construction (a flat lid placed at a known height over the flat fin tips of the real
bitaxe heat sink; the real RDIMM clamp blocks at their 8 mm pitch, 7.4 mm thick per ../shared/realdata/
SOURCES.md), so the meshes' tessellation error on these flat faces is zero.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import trimesh

import sledcheck
from conftest import box_stl
from sledcheck.model.pairs import requirement

HEATSINK = "skot-bitaxeHex/heatsink.step"      # 90 x 71 x 36 mm, base at z = 0, fin tips at z = 36 mm
SPREADER = "martona-ddr5-rdimm-heatsink/heatsink-4rdimm-8mmc2c.step"   # z -74 .. -34 mm
BLOCK = "martona-ddr5-rdimm-heatsink/ramblock-body.step"              # 7.4 mm thick, z -34 .. 0 mm


def _design(tmp_path: Path, realdata: Path, lid_bottom: float, extra: str = "") -> Path:
    box_stl(tmp_path / "lid.stl", (-60, -50, lid_bottom), (60, 50, lid_bottom + 1.0))
    path = tmp_path / "design.yaml"
    path.write_text(
        "sledcheck: 1\nname: bitaxe-under-lid\nunits: mm\nparts:\n"
        f"  hs: {{file: '{realdata / HEATSINK}', role: heatsink}}\n"
        "  lid: {file: lid.stl, role: lid}\n"
        "clearance:\n  - {min: 0.5 mm}\n  - {between: [heatsink, lid], min: 1.5 mm}\n" + extra)
    return path


@pytest.mark.parametrize(("gap", "codes"), [
    (3.0, []),                 # clear of the 1.5 mm requirement
    (1.0, ["D201"]),           # too close: 1.0 < 1.5 mm
    (0.0, ["D201"]),           # touching, not a declared contact
    (-0.5, ["D101"]),          # overlapping by 0.5 mm
])
def test_bitaxe_heatsink_under_a_lid_at_a_known_gap(tmp_path: Path, realdata: Path, gap: float,
                                                   codes: list[str]) -> None:
    report = sledcheck.check(_design(tmp_path, realdata, 36.0 + gap))
    assert [f.code for f in report.findings] == codes
    if codes == ["D201"]:
        finding = report.findings[0]
        assert finding.measured.m_as("mm") == pytest.approx(max(gap, 0.0), abs=1e-5)  # float32 coordinates
        assert finding.limit.m_as("mm") == pytest.approx(1.5)
        assert finding.location.line == 9        # the {between: [heatsink, lid]} entry
        (pa, pb) = finding.evidence.points_mm
        assert pa[2] == pytest.approx(36.0, abs=1e-5) and pb[2] == pytest.approx(36.0 + gap, abs=1e-5)


def test_overlap_volume_equals_the_fin_tip_area_times_the_depth(tmp_path: Path, realdata: Path) -> None:
    report = sledcheck.check(_design(tmp_path, realdata, 35.5))
    (finding,) = report.findings
    assert finding.code == "D101" and set(finding.subjects) == {"hs", "lid"}
    # independent value: the area of a horizontal section through the fins just below the tips, x 0.5 mm
    from sledcheck.load.meshes import read_mesh_file

    (body,) = read_mesh_file(realdata / HEATSINK, HEATSINK).bodies   # OpenCASCADE's mesh, in mm
    mesh = body.mesh
    section = mesh.section(plane_origin=(0, 0, 35.75), plane_normal=(0, 0, 1))
    fin_area = section.to_2D()[0].area
    assert finding.measured.m_as("mm**3") == pytest.approx(fin_area * 0.5, rel=1e-3)
    assert finding.evidence.depth_mm == pytest.approx(0.5, abs=1e-4) and finding.evidence.depth_axis == "z"


def test_declared_contact_may_touch_but_not_overlap(tmp_path: Path, realdata: Path) -> None:
    touching = sledcheck.check(_design(tmp_path, realdata, 36.0, "contacts:\n  - [hs, lid]\n"))
    assert touching.findings == ()
    overlapping = sledcheck.check(_design(tmp_path, realdata, 35.0, "contacts:\n  - [hs, lid]\n"))
    assert [f.code for f in overlapping.findings] == ["D101"]
    assert "declared contact may touch, not overlap" in overlapping.findings[0].message


def test_floating_declared_contact_is_reported(tmp_path: Path, realdata: Path) -> None:
    report = sledcheck.check(_design(tmp_path, realdata, 40.0, "contacts:\n  - [hs, lid]\n"))
    assert [f.code for f in report.findings] == ["D103", "D103"]


@pytest.mark.slow
def test_rdimm_spreader_on_its_clamp_blocks(tmp_path: Path, realdata: Path) -> None:
    """Four real clamp blocks at the 8 mm DIMM pitch under the real 4-RDIMM spreader: the spreader sits on
    each block (touching at z = -34 mm), and neighbouring 7.4 mm blocks are 0.6 mm apart."""
    blocks = "".join(f"  block{i}: {{file: '{realdata / BLOCK}', role: component, position: [0, {-8 * i}, 0]}}\n"
                     for i in range(4))
    path = tmp_path / "dimm.yaml"
    path.write_text("sledcheck: 1\nname: rdimm\nunits: mm\nparts:\n"
                    f"  spreader: {{file: '{realdata / SPREADER}', role: heatsink}}\n" + blocks +
                    "contacts:\n  - [spreader, component]\nclearance:\n  - {min: 1.0 mm}\n")
    report = sledcheck.check(path)
    gaps = sorted((f.subjects, f.measured.m_as("mm")) for f in report.findings)
    assert [g[0] for g in gaps] == [("block0", "block1"), ("block1", "block2"), ("block2", "block3")]
    for _, gap in gaps:
        assert gap == pytest.approx(0.6, abs=1e-6)       # 8.0 mm pitch - 7.4 mm block
    assert all(f.code == "D201" for f in report.findings)   # and no D103: the spreader touches every block


def test_most_specific_clearance_wins(tmp_path: Path, realdata: Path) -> None:
    design = sledcheck.pipeline.load(_design(
        tmp_path, realdata, 40.0, "  - {between: [hs, lid], min: 2.5 mm}\n  - {between: [hs, lid], min: 2.0 mm}\n"))
    from sledcheck.model.assembly import build_assembly
    assembly = build_assembly(design)
    req = requirement(design, assembly.part("hs"), assembly.part("lid"))
    assert req.minimum == 2.5    # part names beat roles; among equals the larger wins


def test_open_mesh_overlap_says_depth_not_measurable(tmp_path: Path, realdata: Path) -> None:
    path = _design(tmp_path, realdata, 35.0)
    mesh = trimesh.load(tmp_path / "lid.stl")
    mesh.update_faces(list(range(len(mesh.faces) - 1)))   # drop one triangle: the lid is no longer closed
    mesh.export(tmp_path / "lid.stl")
    report = sledcheck.check(path)
    d101 = next(f for f in report.findings if f.code == "D101")
    assert "could not be measured because lid is not a closed volume" in d101.message
    assert any(f.code == "M001" for f in report.findings)
