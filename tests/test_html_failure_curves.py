"""The HTML report's fan-curve figure draws the failure scenario as the fan model declares it (issue 12, item 2):
for a windmilling fan the lane's net curve with one fan failed (the healthy fans less the backflow through the
stopped rotor) and that backflow; for a dual-rotor fan with one rotor failed, the lane with that fan on its
remaining rotor and the rotor's own curve; each with the failure scenario's operating point.

The designs are the example tray's left lane (examples/tray-1u/fixed.yaml: its CAD, one heat sink, three 4056
fans) written in tmp_path with a fan model that declares the failure. Expected values are computed here from
the fan files' own points, not from sledcheck's fan or lane code:

- air: ideal gas, rho = p / (R T), R = 287.05 J/(kg K) (dry air, ASHRAE Handbook Fundamentals 2017, ch. 1,
  eq. 3 with M = 28.9647 g/mol); p at 900 m from the US Standard Atmosphere 1976, p = 101325 (1 -
  2.25577e-5 z)^5.25588 Pa;
- a fan's curve at density rho: the datasheet pressure times rho / 1.2 (fan law at constant speed, ASHRAE
  Handbook HVAC Systems and Equipment, ch. "Fans"), interpolated with scipy's PCHIP (Fritsch & Carlson 1980)
  and inverted with brentq for the flow at a pressure;
- the backflow through a stopped fan of face area A with K velocity heads: Q_r = A sqrt(2 dP / (K rho))
  (Idelchik's resistance form, the fan model's declared loss).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator
from scipy.optimize import brentq

import sledcheck
from sledcheck.report.html.thermal import fan_figure, thermal_section

ROOT = Path(__file__).resolve().parents[1]
CAD = ROOT / "examples/tray-1u/cad"
CFM = 0.3048**3 / 60.0                         # m^3/s per ft^3/min
FAN_FILE = ROOT / "models/fans/server-40x56-dual-rotor.yaml"
FAN_Q = np.array([0.0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30]) * CFM               # that file's points [m^3/s]
FAN_P = np.array([1000.0, 930, 860, 780, 690, 590, 480, 370, 250, 130, 0])       # [Pa]
ROTOR_Q = np.array([0.0, 6, 12, 18, 22]) * CFM                                   # the test's rotor curve
ROTOR_P = np.array([450.0, 380, 290, 170, 0])
REVERSE_K, FACE_M2 = 4.0, 0.040 * 0.040        # the windmill's reverse loss and the 40 x 40 mm face
RHO_35C_900M = 101325.0 * (1 - 2.25577e-5 * 900.0) ** 5.25588 / (287.05 * (35.0 + 273.15))

DESIGN = f"""\
sledcheck: 1
name: failure-curves
units: mm
parts:
  tray:      {{file: {CAD}/tray.stl, role: tray}}
  lid:       {{file: {CAD}/lid.3mf, role: lid}}
  board:     {{file: {CAD}/board_rev_b.stl, role: pcb}}
  package0:  {{file: {CAD}/package0.stl, role: package}}
  heatsink0: {{file: {CAD}/heatsink_fit.stl, role: heatsink, position: [130, 220, 11.6]}}
  fan1:      {{file: {CAD}/fan_4056.ply, role: fan, position: [30, 12, 1]}}
  fan2:      {{file: {CAD}/fan_4056.ply, role: fan, position: [100, 12, 1]}}
  fan3:      {{file: {CAD}/fan_4056.ply, role: fan, position: [170, 12, 1]}}
thermal:
  environment: {{ashrae_class: A2, altitude: 900 m, nominal_inlet: 25 degC}}
  fans: {{model: fan.yaml, speed: 100 %}}
  spreading: lee                 # the closed form: the figure does not depend on it, and it is quicker
  lanes:
    - name: left
      fans: [fan1, fan2, fan3]
      width: 125 mm
      losses:
        - {{name: front bezel, open_area: 0.6, thickness: 1 mm}}
        - {{name: rear IO and cables, k: 1.0}}
      components: [package0]
  components:
    package0: {{power: 300 W, tj_max: 95 degC, r_jc: 0.03 K/W, tim: phase-change, heatsink: heatsink0,
               material: copper, source: [40 mm, 40 mm], required_margin: 5 K}}
"""

FAILURES = {
    "windmill": f"failure: {{windmill: {{reverse_k: {REVERSE_K:g}}}}}\n",
    "rotor": "failure: {rotor: {curve: [[0 CFM, 450 Pa], [6 CFM, 380 Pa], [12 CFM, 290 Pa], [18 CFM, 170 Pa], "
             "[22 CFM, 0 Pa]]}}\n",
}
_RESULTS: dict[str, Any] = {}


def _thermal(kind: str, folder: Path) -> Any:
    """The thermal result of the left-lane design whose fan model declares failure ``kind`` (checked once)."""
    if kind not in _RESULTS:
        case = folder / kind
        case.mkdir()
        (case / "fan.yaml").write_text(FAN_FILE.read_text() + FAILURES[kind])
        (case / "design.yaml").write_text(DESIGN)
        _RESULTS[kind] = sledcheck.check(case / "design.yaml", select=["T"]).thermal
    return _RESULTS[kind]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("failure-curves")


def _flow_at(q: np.ndarray, p: np.ndarray, pressure: float, rho: float) -> float:
    """Flow [m^3/s] of one fan whose datasheet points are (q, p) at 1.2 kg/m^3, against ``pressure`` in air of
    density ``rho`` (PCHIP, inverted with brentq)."""
    curve = PchipInterpolator(q, p * rho / 1.2)
    return float(brentq(lambda x: float(curve(x)) - pressure, q[0], q[-1], xtol=1e-12))


def _failed_point(thermal: Any) -> tuple[float, float]:
    """(flow [m^3/s], pressure [Pa]) of the left lane in the scenario with fan1 failed."""
    scenario = next(s for s in thermal.scenarios if s.failed_fans == ("fan1",))
    assert scenario.inlet == 35.0 and scenario.altitude == 900.0
    lane = scenario.lanes[0]
    assert lane.fans_working == 2
    return lane.flow, lane.pressure


def _by_role(figure: Any, role: str) -> list[Any]:
    return [c for c in (*figure.curves, *figure.marks) if c.role == role]


def test_a_windmilling_fan_draws_the_backflow_and_the_net_curve(folder: Path) -> None:
    thermal = _thermal("windmill", folder)
    figure = fan_figure(thermal, "left", thermal.curves["left"])
    assert figure.failure == "windmill"
    (net,) = _by_role(figure, "failed")               # drawn at the inlet of the failure scenarios only (35 degC)
    (backflow,) = [c for c in figure.curves if c.role == "failed_fan"]
    assert "one windmilling" in net.label and "35.0 °C" in net.label
    assert backflow.label.startswith(f"backflow through the stopped fan (reverse K = {REVERSE_K:g})")
    q, p = _failed_point(thermal)
    # the failure scenario's operating point is on the drawn net curve
    assert np.interp(p, net.pressure, net.flow) * CFM == pytest.approx(q, rel=2e-3)
    # the backflow there: A sqrt(2 dP / (K rho)); the healthy fans deliver the lane flow plus it
    q_r = FACE_M2 * np.sqrt(2.0 * p / (REVERSE_K * RHO_35C_900M))
    (mark_r,) = [m for m in figure.marks if m.role == "failed_fan"]
    (mark_h,) = [m for m in figure.marks if m.role == "healthy"]
    assert mark_r.flow * CFM == pytest.approx(q_r, rel=1e-3) and mark_r.pressure == pytest.approx(p)
    assert np.interp(p, backflow.pressure, backflow.flow) * CFM == pytest.approx(q_r, rel=1e-3)
    assert mark_h.flow * CFM == pytest.approx(q + q_r, rel=2e-3)
    assert mark_h.flow * CFM == pytest.approx(2 * _flow_at(FAN_Q, FAN_P, p, RHO_35C_900M), rel=2e-3)
    scenario = next(m for m in figure.marks if m.role == "scenario" and "windmilling" in m.text)
    assert "fan1, fan2, fan3" in scenario.text


def test_a_failed_rotor_draws_its_own_curve_and_the_lane_on_it(folder: Path) -> None:
    thermal = _thermal("rotor", folder)
    figure = fan_figure(thermal, "left", thermal.curves["left"])
    assert figure.failure == "rotor"
    (net,) = _by_role(figure, "failed")
    (rotor,) = [c for c in figure.curves if c.role == "failed_fan"]
    assert "one on its remaining rotor" in net.label and rotor.label.startswith("one fan on its remaining rotor")
    q, p = _failed_point(thermal)
    q_rotor = _flow_at(ROTOR_Q, ROTOR_P, p, RHO_35C_900M)
    q_healthy = 2 * _flow_at(FAN_Q, FAN_P, p, RHO_35C_900M)
    # the lane's flow is the healthy fans' plus the remaining rotor's at the same pressure (parallel fans)
    assert q == pytest.approx(q_healthy + q_rotor, rel=2e-3)
    assert np.interp(p, net.pressure, net.flow) * CFM == pytest.approx(q, rel=2e-3)
    assert np.interp(p, rotor.pressure, rotor.flow) * CFM == pytest.approx(q_rotor, rel=2e-3)
    (mark_r,) = [m for m in figure.marks if m.role == "failed_fan"]
    (mark_h,) = [m for m in figure.marks if m.role == "healthy"]
    assert mark_r.flow * CFM == pytest.approx(q_rotor, rel=2e-3)
    assert mark_h.flow * CFM == pytest.approx(q_healthy, rel=2e-3)
    # the rotor curve is the declared one at the scenario's air: shut-off 450 Pa x rho / 1.2
    assert rotor.pressure[-1] == pytest.approx(450.0 * RHO_35C_900M / 1.2, rel=1e-6) and rotor.flow[-1] == 0.0


@pytest.mark.parametrize(("kind", "texts"), [
    ("windmill", ["backflow through the stopped fan (reverse K = 4) at 35.0 °C", "one fan windmilling (fan1",
                  "failure: windmilling", "a failed fan windmills"]),
    ("rotor", ["one fan on its remaining rotor at 35.0 °C", "one rotor failed (fan1", "failure: one rotor",
               "whose failure is one rotor"]),
])
def test_the_report_shows_the_failure_curves_labelled(folder: Path, kind: str, texts: list[str]) -> None:
    html = "\n".join(thermal_section(SimpleNamespace(thermal=_thermal(kind, folder))))   # type: ignore[arg-type]
    svg = html[html.index("<svg"):html.index("</svg>")]
    for text in texts[:3]:
        assert text in svg, text                     # matplotlib keeps SVG text as text (figures.mpl)
    assert texts[3] in html                          # the caption says what the failure curves assumed


def test_a_blocked_failure_adds_no_curves(folder: Path) -> None:
    """Without the declared failure (a flap: the default) the dashed N-1 curve is the failure scenario."""
    thermal = _thermal("windmill", folder)
    entry = dict(thermal.curves["left"])
    entry.pop("failure")
    entry["scenarios"] = {k: {kk: vv for kk, vv in v.items() if kk != "failed"} for k, v in entry["scenarios"].items()}
    figure = fan_figure(thermal, "left", entry)
    assert figure.failure == "blocked"
    assert not _by_role(figure, "failed") and not _by_role(figure, "failed_fan") and not _by_role(figure, "healthy")
    assert any("one fan failed (fan1" in m.text for m in figure.marks)
