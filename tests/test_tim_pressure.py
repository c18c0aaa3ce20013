"""L302 minimum TIM pressure (sledcheck/checks/mechanics.py): p = preload / A_TIM, with the preload of the heat
sink's ``mechanical:`` section (springs x spring_force, or clamp_force) and the area the TIM wets as the thermal
model takes it for R_TIM (die of a bare package, lid of a lidded one, else the part's footprint), or, without a
thermal component, the footprint a package in contact with the sink shares with it. Expected pressures are the
quotient written out beside each assertion. (The maximum bond line is L301, tests/test_guides.py and
tests/test_mass.py.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rulecase import make_mesh

from conftest import Run
from sledcheck import SledcheckError, check


def _pack(folder: Path, minimum: str) -> None:
    (folder / "guides").mkdir(parents=True, exist_ok=True)
    (folder / "guides" / "acme-tmdg.yaml").write_text(
        "sledcheck-spec: 1\nname: acme-tmdg\nversion: \"1\"\ntitle: ACME guide (made up for the test)\n"
        "sources:\n  tmdg: \"ACME TMDG (test fixture)\"\n"
        f"values:\n  tim_pressure_min: {minimum}\n", encoding="utf-8")


def _generated(tmp_path: Path, minimum: str, mechanical: str = "{springs: 4, spring_force: 45 N}") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    make_mesh({"box": [[-100, -100, 0], [100, 100, 1.6]]}).export(tmp_path / "board.stl")
    make_mesh({"box": [[-20, -20, 1.6], [20, 20, 4.6]]}).export(tmp_path / "pkg.stl")     # 40 x 40 mm
    make_mesh({"box": [[-40, -40, 4.6], [40, 40, 30]]}).export(tmp_path / "hs.stl")
    _pack(tmp_path, minimum)
    path = tmp_path / "d.yaml"
    path.write_text(
        "sledcheck: 1\nname: t\nunits: mm\nspec_path: [guides]\nspecs: [acme-tmdg]\nparts:\n"
        "  board: {file: board.stl, role: pcb}\n  pkg: {file: pkg.stl, role: package}\n"
        f"  hs: {{file: hs.stl, role: heatsink, mechanical: {mechanical}}}\n"
        "contacts:\n  - [hs, pkg]\n  - [pkg, board]\n", encoding="utf-8")
    return path


def _l302(path: Path) -> list:
    return [f for f in check(path, select=["L302", "S101"]).findings if f.code in ("L302", "S101")]


def test_preload_over_the_package_footprint(tmp_path: Path) -> None:
    # 4 x 45 N = 180 N over the 40 x 40 mm the package shares with the sink: 180 / 1.6e-3 m^2 = 112.5 kPa
    (finding,) = _l302(_generated(tmp_path, "{value: 150 kPa, source: tmdg, clause: \"5-3\", status: verified}"))
    assert finding.code == "L302" and finding.subjects == ("hs", "pkg")
    assert finding.measured.m_as("kPa") == pytest.approx(112.5, rel=1e-6)
    assert finding.limit.m_as("kPa") == pytest.approx(150.0)
    assert "below the acme-tmdg minimum 150.0 kPa by 37.5 kPa" in finding.message
    assert finding.details["tim_area_mm2"] == pytest.approx(1600.0, rel=1e-6)


def test_enough_pressure_passes_and_psi_is_read(tmp_path: Path) -> None:
    # 112.5 kPa against 16 psi = 16 x 6894.757 Pa = 110.3 kPa (NIST SP 811: 1 psi = 6.894757e3 Pa): passes
    assert _l302(_generated(tmp_path, "{value: 16 psi, source: tmdg, status: verified}")) == []
    # a clamp force instead of springs: 150 N / 1.6e-3 m^2 = 93.75 kPa, under 16 psi
    (finding,) = _l302(_generated(tmp_path / "clamp", "{value: 16 psi, source: tmdg, status: verified}",
                                  "{clamp_force: 150 N}"))
    assert finding.measured.m_as("kPa") == pytest.approx(93.75, rel=1e-6) and "declared clamp force" in finding.message


def test_template_minimum_is_s101_only_with_a_preload(tmp_path: Path) -> None:
    template = "{status: template, source: tmdg, note: \"the guide's minimum TIM pressure\"}"
    (finding,) = _l302(_generated(tmp_path, template))
    assert finding.code == "S101" and "tim_pressure_min" in finding.message
    path = _generated(tmp_path / "none", template)
    path.write_text(path.read_text().replace(", mechanical: {springs: 4, spring_force: 45 N}", ""))
    assert _l302(path) == []


def _thermal(tmp_path: Path, package: str) -> Path:
    """The generated design with a thermal section whose component pkg names the heat sink hs."""
    path = _generated(tmp_path, "{value: 100 kPa, source: tmdg, status: verified}")
    make_mesh({"box": [[-100, -100, 1.6], [-60, -80, 41.6]]}).export(tmp_path / "fan.stl")
    path.write_text(path.read_text().replace("contacts:", "  fan1: {file: fan.stl, role: fan}\ncontacts:") + f"""\
thermal:
  environment: {{nominal_inlet: 25 degC, max_inlet: 35 degC}}
  fans: {{model: server-40x56-dual-rotor}}
  lanes:
    - {{name: lane, fans: [fan1], width: 100 mm, height: 40 mm, components: [pkg]}}
  components:
    pkg: {{power: 200 W, tj_max: 95 degC, r_jc: 0.05 K/W, tim: phase-change, heatsink: hs, material: copper,
          {package}}}
""")
    return path


def test_the_thermal_components_tim_area(tmp_path: Path) -> None:
    # bare die 30 x 30 mm: 180 N / 9e-4 m^2 = 200 kPa, above 100 kPa
    assert _l302(_thermal(tmp_path / "bare", "package: bare, die: [30 mm, 30 mm]")) == []
    # lidded, lid 35 x 35 mm: 180 / 1.225e-3 m^2 = 146.9 kPa passes; the 40 x 40 mm lid of a bigger package ...
    assert _l302(_thermal(tmp_path / "lid", "package: lidded, die: [30 mm, 30 mm], lid: [35 mm, 35 mm]")) == []
    # ... and without package: the TIM over the part's 40 x 40 mm footprint: 180 / 1.6e-3 m^2 = 112.5 kPa passes;
    # a 3 x 45 N preload: 135 / 1.6e-3 = 84.375 kPa fails
    path = _thermal(tmp_path / "fp", "source: [30 mm, 30 mm]")
    assert _l302(path) == []
    path.write_text(path.read_text().replace("springs: 4", "springs: 3"))
    (footprint,) = _l302(path)
    assert footprint.measured.m_as("kPa") == pytest.approx(84.375, rel=1e-6)
    assert footprint.subjects == ("hs", "pkg") and "its footprint" in footprint.message
    lidded = _thermal(tmp_path / "lid3", "package: lidded, die: [30 mm, 30 mm], lid: [40 mm, 40 mm]")
    lidded.write_text(lidded.read_text().replace("springs: 4", "springs: 3"))
    (finding,) = _l302(lidded)
    assert finding.measured.m_as("kPa") == pytest.approx(84.375, rel=1e-6) and "its lid" in finding.message


@pytest.mark.parametrize(("mechanical", "says"), [
    ("{clamp_force: 1e30 N}", "(1e+30 N) is out of range for a heat sink's mounting clamp force"),
    ("{springs: 4, spring_force: 0.001 N}", "out of range for a heat sink's mounting spring force"),
])
def test_out_of_range_forces_say_why(tmp_path: Path, cli: Callable[..., Run], mechanical: str, says: str) -> None:
    path = _generated(tmp_path, "{value: 100 kPa, source: tmdg, status: verified}", mechanical)
    out = cli("check", str(path))
    assert out.code == 2 and says in out.err and "from 0.01 N to 20000 N" in out.err and "d.yaml:" in out.err
    with pytest.raises(SledcheckError):
        check(path)


def test_a_large_real_clamp_force_is_accepted(tmp_path: Path) -> None:
    # 1 kN over 1600 mm^2 = 625 kPa
    path = _generated(tmp_path, "{value: 700 kPa, source: tmdg, status: verified}", "{clamp_force: 1 kN}")
    (finding,) = _l302(path)
    assert finding.measured.m_as("kPa") == pytest.approx(625.0, rel=1e-6)
