"""T101 airflow budgets (sledcheck/checks/airflow.py): a pack's ``airflow:`` entry against the thermal model's
lane flow in the worst reported scenario.

Closed form: one lane, no heat sink, a single fixed loss K over the lane's cross-section A (dP = K rho (Q/A)^2 / 2)
and fans with a linear curve p = p0 (1 - q/qf) rated at rho_r (PCHIP through collinear points is that line,
Fritsch & Carlson 1980), n in parallel at full speed, density-scaled by rho/rho_r (fan law). At the operating point

    K rho Q^2 / (2 A^2) = (rho / rho_r) p0 (1 - Q / (n qf))

rho cancels: (K rho_r / (2 A^2 p0)) Q^2 + Q / (n qf) - 1 = 0, a quadratic solved by hand below. Against a stated
back pressure z, the fans deliver n qf (1 - z rho_r / (rho p0)) (the line read at z), with rho the inlet air's.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from rulecase import make_mesh

from sledcheck import SledcheckError, check

P0, QF = 800.0, 0.012                # one fan's shut-off [Pa] and free delivery [m^3/s]
RHO_R = 1.2                          # rated density [kg/m^3]
W, H, K = 0.1, 0.04, 6.0             # lane width and height [m], fixed loss [velocity heads]
CFM = 0.3048**3 / 60                 # [m^3/s] (international foot)
LFM = 0.3048 / 60                    # [m/s]


def _flow(n: int) -> float:
    """Lane flow [m^3/s] with n fans: the positive root of a Q^2 + b Q - 1 = 0."""
    a = K * RHO_R / (2 * (W * H) ** 2 * P0)
    b = 1 / (n * QF)
    return (-b + math.sqrt(b * b + 4 * a)) / (2 * a)


def _design(tmp_path: Path, budget: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    make_mesh({"box": [[0, 0, 0], [200, 300, 1.6]]}).export(tmp_path / "board.stl")
    make_mesh({"box": [[20, 150, 1.6], [60, 190, 10]]}).export(tmp_path / "nic.stl")
    make_mesh({"box": [[0, 0, 1.6], [40, 20, 41.6]]}).export(tmp_path / "fan.stl")
    points = "".join(f"  - [{q} m^3/s, {P0 * (1 - q / QF)} Pa]\n" for q in (0.0, 0.003, 0.006, 0.009, 0.012))
    (tmp_path / "linear.yaml").write_text(
        f"name: linear test fan\nstatus: representative\nsource: made up for the test\ndensity: {RHO_R} kg/m^3\n"
        f"points:\n{points}", encoding="utf-8")
    (tmp_path / "guides").mkdir(exist_ok=True)
    (tmp_path / "guides" / "slot-guide.yaml").write_text(
        "sledcheck-spec: 1\nname: slot-guide\nversion: \"1\"\ntitle: made up for the test\n"
        "sources:\n  g: \"test fixture\"\n"
        f"airflow:\n{budget}", encoding="utf-8")
    path = tmp_path / "d.yaml"
    path.write_text(f"""\
sledcheck: 1
name: a
units: mm
spec_path: [guides]
specs: [slot-guide]
parts:
  board: {{file: board.stl, role: pcb}}
  nic0: {{file: nic.stl, role: component}}
  fan1: {{file: fan.stl, role: fan}}
  fan2: {{file: fan.stl, role: fan, position: [50, 0, 0]}}
contacts:
  - [board, nic0]
  - [board, fan]
clearance:
  - {{min: 0.1 mm}}
thermal:
  environment: {{nominal_inlet: 25 degC, max_inlet: 35 degC, altitude: 0 m}}
  fans: {{model: linear.yaml, speed: 100 %}}
  lanes:
    - {{name: slot, fans: [fan1, fan2], width: {W * 1000:g} mm, height: {H * 1000:g} mm,
       losses: [{{name: grille, k: {K}}}], components: [nic0]}}
  components:
    nic0: {{power: 15 W, tcase_max: 95 degC, r_ca: 1 K/W}}
""", encoding="utf-8")
    return path


def _t101(path: Path) -> list:
    return [f for f in check(path, select=["T101"]).findings if f.code == "T101"]


def test_flow_budget_against_the_worst_scenario(tmp_path: Path) -> None:
    # worst scenario: a fan failed (blocked, the fan model's default), one fan left: Q1 = _flow(1); a budget just
    # under it passes, one 20 % over it fails with Q1 as the available flow
    q1 = _flow(1)
    need = q1 / CFM
    ok = _t101(_design(tmp_path / "ok", f"  - {{name: slot, for: [nic0], flow: {need * 0.999} CFM, source: g, "
                                        "status: secondary}\n"))
    assert ok == []
    (finding,) = _t101(_design(tmp_path / "short", f"  - {{name: slot, for: [nic0], flow: {need * 1.2} CFM, "
                                                   "source: g, clause: \"table 6-1\", status: secondary}\n"))
    assert finding.measured.m_as("CFM") == pytest.approx(need, rel=1e-6)
    assert finding.limit.m_as("CFM") == pytest.approx(need * 1.2, rel=1e-9)
    assert finding.subjects == ("nic0",)
    scenario = finding.details["scenario"]
    assert "fan1" in scenario or "fan2" in scenario, scenario       # a failed fan's scenario is the worst
    assert f"'{scenario}'" in finding.message and "table 6-1" in finding.message
    assert finding.details["available"]["value"] == pytest.approx(q1, rel=1e-6)
    # both fans running (nominal) would have met it: _flow(2) > 1.2 _flow(1)
    assert _flow(2) > 1.2 * q1


def test_velocity_budget_in_lfm(tmp_path: Path) -> None:
    # approach velocity = Q / (W H); with one fan left
    v1 = _flow(1) / (W * H) / LFM
    (finding,) = _t101(_design(tmp_path, f"  - {{name: slot, for: [nic0], velocity: {v1 + 50} LFM, source: g, "
                                         "status: secondary}\n"))
    assert finding.measured.m_as("LFM") == pytest.approx(v1, rel=1e-6)
    assert finding.details["quantity"] == "velocity" and "LFM" in finding.message


def test_a_stated_pressure_caps_the_flow_at_the_fans_delivery(tmp_path: Path) -> None:
    # one fan left (a fan-failed scenario runs at the worst inlet, 35 degC) against a back pressure z above the
    # operating point's: the fan delivers qf (1 - z rho_r / (rho p0)), less than the lane's operating flow, so that
    # is the available flow
    from sledcheck.thermal import air_properties, pressure_at_altitude
    from sledcheck.units import Q_

    z = 500.0
    q1 = _flow(1)
    p_op = K * 1.25 * (q1 / (W * H)) ** 2 / 2   # the operating pressure, bounded with rho <= 1.25 kg/m^3
    assert z > p_op
    (finding,) = _t101(_design(tmp_path, f"  - {{name: slot, for: [nic0], flow: {q1 / CFM} CFM, pressure: {z} Pa, "
                                         "source: g, status: secondary}\n"))
    assert "fan" in finding.details["scenario"]
    rho = air_properties(Q_(35.0, "degC"), pressure_at_altitude(Q_(0, "m"))).density.m_as("kg/m^3")
    expected = QF * (1 - z * RHO_R / (rho * P0))
    assert finding.details["fans_flow_at_pressure_m3_s"] == pytest.approx(expected, rel=1e-6)
    assert finding.measured.m_as("m^3/s") == pytest.approx(expected, rel=1e-6)
    assert "against the stated 500 Pa" in finding.message


def test_a_budget_for_a_part_in_no_lane_or_without_a_thermal_section_warns(tmp_path: Path) -> None:
    (finding,) = _t101(_design(tmp_path, "  - {name: x, for: [board], flow: 1 CFM, source: g, status: secondary}\n"))
    assert finding.severity == "warning" and "is in no thermal lane" in finding.message
    path = _design(tmp_path / "nothermal", "  - {name: x, for: [nic0], flow: 1 CFM, source: g, status: secondary}\n")
    path.write_text(path.read_text().split("thermal:\n")[0])
    (finding,) = _t101(path)
    assert finding.severity == "warning" and "no thermal section" in finding.message


@pytest.mark.parametrize(("entry", "says"), [
    ("  - {name: x, for: [nic0], status: secondary}\n", "needs 'flow'"),
    ("  - {name: x, for: [nic0], flow: 1 CFM, velocity: 100 LFM, status: secondary}\n", "not both"),
    ("  - {name: x, for: [nic0], flow: 1 Pa, status: secondary}\n", "volumetric flow"),
    ("  - {name: x, for: [], flow: 1 CFM, status: secondary}\n", "name the components or lanes"),
    ("  - {name: x, for: [nic0], pressure: 10 Pa, status: template}\n", "states nothing"),
])
def test_bad_budgets_are_errors_with_the_file_and_line(tmp_path: Path, entry: str, says: str) -> None:
    with pytest.raises(SledcheckError) as err:
        check(_design(tmp_path, entry))
    assert says in str(err.value) and "slot-guide.yaml:" in str(err.value)
