"""The built-in spec packs (specs/*.yaml): they load, every value is sourced and has a status, the key numbers
are those of the reference table (../shared/reference/mechanical.md, section 1), and template values stay unset
until a design overrides them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Run, box_stl
from sledcheck.load.specs import STATUSES, SpecPack, builtin_packs, load_pack, resolve_pack
from sledcheck.pipeline import check

EXPECTED_PACKS = {
    "eia-310-1u", "eia-310-2u", "ocp-orv3-1ou", "ocp-orv3-2ou", "pcie-cem-fhfl", "pcie-cem-fhhl",
    "ocp-nic3-sff", "ocp-nic3-tsff", "ocp-nic3-lff", "ocp-oam-template", "jedec-dimm", "fan-mounting",
}


def _pack(name: str) -> SpecPack:
    return load_pack(resolve_pack(name, Path.cwd()))


def _mm(pack: str, key: str) -> float | None:
    quantity = _pack(pack).all_values()[key].quantity
    return None if quantity is None else quantity.m_as("mm")


def test_every_expected_pack_is_built_in() -> None:
    assert set(builtin_packs()) >= EXPECTED_PACKS


@pytest.mark.parametrize("name", builtin_packs())
def test_every_builtin_pack_loads_and_every_value_is_sourced(name: str) -> None:
    pack = _pack(name)
    assert pack.name == name, "the pack's name must match its file name"
    assert pack.title and pack.title != name
    assert pack.sources, "a pack declares the spec (and version) its values come from"
    assert pack.all_values(), "a pack holds at least one value"
    for key, value in pack.all_values().items():
        assert value.status in STATUSES, key
        if value.status in ("user", "template"):
            assert value.note, f"{name} {key}: an unset value says what the design must supply"
            continue
        assert value.quantity is not None, f"{name} {key}"
        assert value.quantity.m_as("mm") > 0, f"{name} {key}"
        assert value.source in pack.sources, f"{name} {key}: source {value.source!r} is not declared"
        assert value.clause, f"{name} {key}: say which clause or item of the spec the value is"


@pytest.mark.parametrize(("pack", "key", "expected"), [
    ("eia-310-1u", "envelope.height", 43.656),      # mechanical.md: panel height n U - 0.794 mm (1U 43.66 mm)
    ("eia-310-2u", "envelope.height", 88.106),      # mechanical.md: 2 x 44.45 - 0.794 mm
    ("eia-310-1u", "envelope.width", 450.85),       # mechanical.md: opening between rails 450.85 mm (17.75 in)
    ("eia-310-1u", "rack_unit", 44.45),             # mechanical.md: rack unit U 44.45 mm (1.75 in)
    ("eia-310-1u", "panel_width", 482.6),           # mechanical.md: panel width 482.6 mm (19 in)
    ("eia-310-1u", "hole_pitch_horizontal", 465.1),  # mechanical.md: horizontal hole pitch 465.1 mm (conflict 464.82)
    ("ocp-orv3-1ou", "open_unit", 48.0),            # mechanical.md: Open Rack v3 OpenU (OU) 48 mm
    ("ocp-orv3-2ou", "open_unit", 48.0),            # mechanical.md: Open Rack v3 OpenU (OU) 48 mm
    ("ocp-orv3-1ou", "pitch_height", 48.0),         # mechanical.md: 1 x OU = 48 mm
    ("ocp-orv3-2ou", "pitch_height", 96.0),         # mechanical.md: 2 x OU = 2 x 48 mm
    ("ocp-orv3-1ou", "envelope.width", 537.0),      # mechanical.md: ORv3 chassis width quoted as 537 mm
    ("ocp-orv3-2ou", "envelope.width", 537.0),      # mechanical.md: ORv3 chassis width quoted as 537 mm
    ("ocp-nic3-sff", "envelope.width", 76.0),       # mechanical.md: NIC 3.0 SFF 76 x 115 x 11.5 mm (W x D x H)
    ("ocp-nic3-sff", "envelope.depth", 115.0),      # mechanical.md: NIC 3.0 SFF 76 x 115 x 11.5 mm
    ("ocp-nic3-sff", "envelope.height", 11.5),      # mechanical.md: NIC 3.0 SFF 76 x 115 x 11.5 mm
    ("ocp-nic3-tsff", "envelope.width", 76.0),      # mechanical.md: NIC 3.0 TSFF 76 x 115 x 14.2 mm
    ("ocp-nic3-tsff", "envelope.depth", 115.0),     # mechanical.md: NIC 3.0 TSFF 76 x 115 x 14.2 mm
    ("ocp-nic3-tsff", "envelope.height", 14.2),     # mechanical.md: NIC 3.0 TSFF 76 x 115 x 14.2 mm
    ("ocp-nic3-lff", "envelope.width", 139.0),      # mechanical.md: NIC 3.0 LFF 139 x 115 x 11.5 mm
    ("ocp-nic3-lff", "envelope.depth", 115.0),      # mechanical.md: NIC 3.0 LFF 139 x 115 x 11.5 mm
    ("ocp-nic3-lff", "envelope.height", 11.5),      # mechanical.md: NIC 3.0 LFF 139 x 115 x 11.5 mm
    ("pcie-cem-fhfl", "envelope.height", 111.15),   # mechanical.md: PCIe CEM full-height card 111.15 mm
    ("pcie-cem-fhfl", "envelope.depth", 312.0),     # mechanical.md: PCIe CEM full length 312 mm
    ("pcie-cem-fhfl", "envelope.width", 20.32),     # mechanical.md: PCIe slot pitch 20.32 mm (0.8 in)
    ("pcie-cem-fhfl", "half_length", 167.65),       # mechanical.md: PCIe CEM half length 167.65 mm
    ("pcie-cem-fhhl", "envelope.height", 111.15),   # mechanical.md: PCIe CEM full-height card 111.15 mm
    ("pcie-cem-fhhl", "envelope.depth", 167.65),    # mechanical.md: PCIe CEM half length 167.65 mm
    ("pcie-cem-fhhl", "envelope.width", 20.32),     # mechanical.md: PCIe slot pitch 20.32 mm (0.8 in)
    ("pcie-cem-fhhl", "full_length", 312.0),        # mechanical.md: PCIe CEM full length 312 mm
    ("jedec-dimm", "dimm_length", 133.35),          # mechanical.md: DIMM length 133.35 mm (JEDEC)
    ("jedec-dimm", "vlp_dimm_height", 18.75),       # mechanical.md: VLP DIMM height 18.75 mm (JEDEC MO-269, quoted)
    ("fan-mounting", "fan_40_screw_spacing", 32.0),     # mechanical.md: 40 mm fan, 32 mm
    ("fan-mounting", "fan_60_screw_spacing", 50.0),     # mechanical.md: 60 mm fan, 50 mm
    ("fan-mounting", "fan_80_screw_spacing", 71.5),     # mechanical.md: 80 mm fan, 71.5 or 72 mm (conflict)
    ("fan-mounting", "fan_92_screw_spacing", 82.5),     # mechanical.md: 92 mm fan, 82.5 or 83 mm (conflict)
    ("fan-mounting", "fan_120_screw_spacing", 105.0),   # mechanical.md: 120 mm fan, 105 mm
])
def test_key_numbers_match_the_reference_table(pack: str, key: str, expected: float) -> None:
    assert _mm(pack, key) == pytest.approx(expected, abs=1e-9)
    assert _pack(pack).all_values()[key].status == "secondary"  # mechanical.md: all of these are secondary


@pytest.mark.parametrize(("pack", "key", "other"), [
    ("fan-mounting", "fan_80_screw_spacing", "72 mm"),   # mechanical.md: 71.5 or 72 mm
    ("fan-mounting", "fan_92_screw_spacing", "83 mm"),   # mechanical.md: 82.5 or 83 mm
    ("eia-310-1u", "hole_pitch_horizontal", "464.82"),   # mechanical.md: one old source gives 464.82 mm
])
def test_known_conflicts_are_noted(pack: str, key: str, other: str) -> None:
    value = _pack(pack).all_values()[key]
    assert other in f"{value.note} {value.clause}"


def test_orv3_height_is_a_template_not_the_pitch() -> None:
    # mechanical.md gives the OU pitch (48 mm) but no sled body limit: the envelope height is left to the design
    for name in ("ocp-orv3-1ou", "ocp-orv3-2ou"):
        pack = _pack(name)
        assert pack.envelope["height"].status == "template" and pack.envelope["height"].quantity is None
        assert "pitch" in (pack.envelope["height"].note or "")
        assert pack.envelope["depth"].status == "user" and pack.envelope["depth"].quantity is None


def test_oam_template_sets_nothing() -> None:
    # mechanical.md: the OAM outline, heat-sink height, keep-outs and TDP are NOT CONFIRMED: do not invent
    pack = _pack("ocp-oam-template")
    assert set(pack.envelope) == {"width", "depth", "height"}
    assert not pack.zones
    for key, value in pack.all_values().items():
        assert value.status == "template", key
        assert value.quantity is None, key
        assert "OAM v1.5" in (value.note or ""), key


def test_reference_packs_have_no_envelope() -> None:
    for name in ("jedec-dimm", "fan-mounting"):
        assert _pack(name).envelope == {}


def test_cli_lists_every_pack(cli: Callable[..., Run]) -> None:
    result = cli("specs")
    assert result.code == 0, result.err
    listed = {line.split()[0] for line in result.out.splitlines() if line.strip()}
    assert listed == set(builtin_packs()) and listed >= EXPECTED_PACKS


@pytest.mark.parametrize("name", builtin_packs())
def test_cli_shows_every_pack(cli: Callable[..., Run], name: str) -> None:
    result = cli("specs", name)
    assert result.code == 0, result.err
    assert result.out.startswith(f"{name}: ")
    for key in _pack(name).all_values():
        assert key in result.out


def test_cli_shows_the_oam_template_unset(cli: Callable[..., Run]) -> None:
    result = cli("specs", "ocp-oam-template")
    assert result.code == 0, result.err
    assert result.out.count("(not set)") == len(_pack("ocp-oam-template").all_values())
    height = next(line for line in result.out.splitlines() if line.strip().startswith("envelope.height"))
    assert "(not set)" in height and "[template]" in height and " mm " not in height


def test_cli_shows_units_and_sources(cli: Callable[..., Run]) -> None:
    out = cli("specs", "ocp-nic3-sff").out
    assert "76.0 mm" in out and "[secondary]" in out and "OCP NIC 3.0" in out and "rev 1.1" in out


def _oam_design(tmp_path: Path, overrides: str = "") -> Path:
    box_stl(tmp_path / "module.stl", (0, 0, 0), (80, 150, 25))  # an 80 x 150 x 25 mm stand-in module
    path = tmp_path / "oam.yaml"
    path.write_text("sledcheck: 1\nname: oam\nunits: mm\nspecs: [ocp-oam-template]\n" + overrides
                    + "parts:\n  module: {file: module.stl, role: component}\n", encoding="utf-8")
    return path


def test_oam_template_without_overrides_reports_unset_values(tmp_path: Path) -> None:
    report = check(_oam_design(tmp_path))
    unset = [f for f in report.findings if f.code == "S101"]
    assert sorted(f.anchor[2] for f in unset) == ["envelope.depth", "envelope.height", "envelope.width"]
    assert all(f.severity == "info" for f in unset)
    assert not [f for f in report.findings if f.code == "D001"]
    assert report.verdict == "pass"


@pytest.mark.parametrize(("height", "fails"), [("30 mm", False), ("20 mm", True)])
def test_oam_template_override_checks_the_height(tmp_path: Path, height: str, fails: bool) -> None:
    overrides = ("overrides:\n  ocp-oam-template:\n"
                 f"    envelope.height: {{value: {height}, reason: \"read in our copy of OAM v1.5, 6.5.2\"}}\n")
    report = check(_oam_design(tmp_path, overrides))
    unset = sorted(f.anchor[2] for f in report.findings if f.code == "S101")
    assert unset == ["envelope.depth", "envelope.width"]  # the height is now set, so it is checked
    envelope = [f for f in report.findings if f.code == "D001"]
    if not fails:
        assert envelope == [] and report.verdict == "pass"
        return
    (finding,) = envelope
    # the 25 mm module against a 20 mm limit: 5 mm over
    assert finding.measured.m_as("mm") == pytest.approx(25.0) and finding.limit.m_as("mm") == pytest.approx(20.0)
    assert finding.subjects == ("module",) and report.verdict == "fail"


def test_oam_template_cli_exit_codes(tmp_path: Path, cli: Callable[..., Run]) -> None:
    design = _oam_design(tmp_path, "overrides:\n  ocp-oam-template:\n"
                                   "    envelope.height: {value: 30 mm, reason: \"OAM v1.5 6.5.2\"}\n")
    result = cli("check", design)
    assert result.code == 0, result.out + result.err
    assert "S101" in result.out and "D001" not in result.out


def test_reference_pack_in_a_design_checks_nothing(tmp_path: Path) -> None:
    box_stl(tmp_path / "part.stl", (0, 0, 0), (500, 500, 500))
    path = tmp_path / "d.yaml"
    path.write_text("sledcheck: 1\nname: d\nunits: mm\nspecs: [jedec-dimm, fan-mounting]\n"
                    "parts:\n  part: {file: part.stl, role: other}\n", encoding="utf-8")
    report = check(path)
    assert not [f for f in report.findings if f.code in ("D001", "S101")]
