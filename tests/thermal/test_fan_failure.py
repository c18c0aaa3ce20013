"""Fan failure as the fan model declares it (contract.md, "Thermal, second generation"): blocked (a flap),
windmilling (backflow through the stopped rotor) or one rotor of a dual-rotor fan failed.

Expected values come from a closed-form network solved by hand here, not from the lane solver: a lane with
only a fixed loss K (dP = K rho (Q/A)^2 / 2) and fans with linear curves p = p0 (1 - q / qf) (PCHIP through
collinear points is that line, Fritsch & Carlson 1980). With u = sqrt(dP):

- blocked, n working fans:    n qf (1 - u^2/p0) = A u sqrt(2 / (K rho))
- windmilling, m stopped fans: n qf (1 - u^2/p0) = A u sqrt(2 / (K rho)) + m A_f u sqrt(2 / (k_r rho))
  (each stopped fan a parallel reverse path with k_r velocity heads of its face area A_f)

both a quadratic a u^2 + c u - n qf = 0 with a = n qf / p0. A failed rotor: parallel fans on different curves
at equal pressure, solved with scipy's brentq on the pressure.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from sledcheck.load.fans import FanModelError, load_fan_model
from sledcheck.thermal.fans import FanCurve, FanFailure
from sledcheck.thermal.network import solve_lane

RHO, MU = 1.15, 1.85e-5
P0, QF = 800.0, 0.012          # fan shut-off [Pa], free delivery [m^3/s]
AREA, K = 0.004, 6.0           # lane cross-section [m^2], fixed loss [velocity heads]
FACE, K_R = 0.04 * 0.04, 4.0   # stopped fan's face area [m^2], reverse loss [velocity heads]


def _curve(p0: float, qf: float, failure: FanFailure | None = None) -> FanCurve:
    q = np.linspace(0.0, qf, 5)
    return FanCurve(flow=[f"{x} m^3/s" for x in q], pressure=[f"{p0 * (1 - x / qf)} Pa" for x in q],
                    density="1.15 kg/m^3", failure=failure or FanFailure())


def _quadratic(n: int, c: float) -> tuple[float, float]:
    """(lane flow [m^3/s], pressure [Pa]) of n linear fans against leak coefficient c = sum A sqrt(2/(K rho))."""
    a = n * QF / P0
    u = (-c + math.sqrt(c * c + 4.0 * a * n * QF)) / (2.0 * a)
    return AREA * u * math.sqrt(2.0 / (K * RHO)), u * u


def _solve(fan: FanCurve, working: float, failed: float) -> tuple[float, float]:
    flow = solve_lane(fan, working, 1.0, 1.0, AREA, K, (), RHO, MU, failed=failed)
    assert bool(np.all(flow.converged))
    return float(flow.flow), float(flow.pressure)


def test_blocked_failure_is_the_working_fans_alone() -> None:
    q, p = _quadratic(2, AREA * math.sqrt(2.0 / (K * RHO)))
    assert _solve(_curve(P0, QF), 2, 1) == pytest.approx((q, p), rel=1e-9)


def test_windmilling_fan_is_a_parallel_reverse_path() -> None:
    fan = _curve(P0, QF, FanFailure("windmill", reverse_k=K_R, face_area=FACE))
    c = AREA * math.sqrt(2.0 / (K * RHO)) + FACE * math.sqrt(2.0 / (K_R * RHO))
    q, p = _quadratic(2, c)
    got_q, got_p = _solve(fan, 2, 1)
    assert (got_q, got_p) == pytest.approx((q, p), rel=1e-9)
    # the backflow: the working fans deliver the lane flow plus Q_r at dP
    q_r = FACE * math.sqrt(2.0 * p / (K_R * RHO))
    assert 2 * QF * (1 - p / P0) == pytest.approx(q + q_r, rel=1e-9)
    # recirculation costs the lane flow: less than with a flap
    assert got_q < _solve(_curve(P0, QF), 2, 1)[0]


def test_two_windmilling_fans_vectorised_over_cases() -> None:
    fan = _curve(P0, QF, FanFailure("windmill", reverse_k=K_R, face_area=FACE))
    flow = solve_lane(fan, np.array([3.0, 2.0, 1.0]), 1.0, 1.0, AREA, K, (), RHO, MU, failed=np.array([0, 1, 2]))
    for i, (n, m) in enumerate(((3, 0), (2, 1), (1, 2))):
        q, _ = _quadratic(n, AREA * math.sqrt(2.0 / (K * RHO)) + m * FACE * math.sqrt(2.0 / (K_R * RHO)))
        assert float(flow.flow[i]) == pytest.approx(q, rel=1e-9)


def test_failed_rotor_runs_on_its_own_curve() -> None:
    p0_r, qf_r = 350.0, 0.007      # the remaining rotor of a dual-rotor fan [Pa], [m^3/s]
    fan = _curve(P0, QF, FanFailure("rotor", rotor_curve=_curve(p0_r, qf_r)))
    coeff = AREA * math.sqrt(2.0 / (K * RHO))

    def balance(p: float) -> float:
        return 2 * QF * (1 - p / P0) + max(qf_r * (1 - p / p0_r), 0.0) - coeff * math.sqrt(p)

    p = brentq(balance, 1e-9, P0, xtol=1e-12)
    q, got_p = _solve(fan, 2, 1)
    assert (q, got_p) == pytest.approx((coeff * math.sqrt(p), p), rel=1e-8)
    # better than the fan stopped behind a flap, worse than all three healthy
    assert _solve(_curve(P0, QF), 2, 1)[0] < q < _solve(_curve(P0, QF), 3, 0)[0]


def test_fan_file_declares_its_failure(tmp_path: Path) -> None:
    base = ("name: t\nsource: test\nsize: 40 x 40 x 56 mm\npoints:\n  - [0 CFM, 800 Pa]\n  - [20 CFM, 0 Pa]\n")
    (tmp_path / "w.yaml").write_text(base + "failure: {windmill: {reverse_k: 4}}\n")
    failure = load_fan_model(tmp_path / "w.yaml").failure
    assert (failure.kind, failure.reverse_k, failure.face_area) == ("windmill", 4.0, pytest.approx(0.0016))
    (tmp_path / "r.yaml").write_text(base + "failure: {rotor: {curve: [[0 CFM, 300 Pa], [12 CFM, 0 Pa]]}}\n")
    rotor = load_fan_model(tmp_path / "r.yaml").failure
    assert rotor.kind == "rotor" and rotor.rotor_curve is not None
    assert rotor.rotor_curve.free_delivery.m_as("CFM") == pytest.approx(12.0)
    (tmp_path / "b.yaml").write_text(base + "failure: blocked\n")
    assert load_fan_model(tmp_path / "b.yaml").failure.kind == "blocked"


@pytest.mark.parametrize(("text", "words"), [
    ("failure: {windmill: {}}\n", "reverse_k"),
    ("failure: {windmill: {reverse_k: -1}}\n", "must be > 0"),
    ("failure: jammed\n", "unknown failure"),
    ("failure: {rotor: {curve: [[0 CFM, 300 Pa]]}}\n", "at least two"),
])
def test_bad_failure_names_the_file_and_field(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: t\nsource: test\nsize: 40 x 40 x 56 mm\npoints:\n  - [0 CFM, 800 Pa]\n"
                    "  - [20 CFM, 0 Pa]\n" + text)
    with pytest.raises(FanModelError) as err:
        load_fan_model(path)
    assert words in str(err.value) and "bad.yaml" in str(err.value)


def test_example_failures_reach_the_report() -> None:
    """The example (tray-1u, blocked failures as shipped) with its fans windmilling or losing one rotor: the
    failed fan's lane loses flow, the other lane is untouched (lanes are separate ducts), and the JSON names the
    kind (contract.md: "fan_failed" | "rotor_failed")."""
    from dataclasses import replace

    from conftest import EXAMPLES
    from sledcheck.model.assembly import build_assembly
    from sledcheck.model.thermal import build_model
    from sledcheck.model.thermal.analyse import analyse_model
    from sledcheck.pipeline import load
    from sledcheck.report.thermal import thermal_json

    model = build_model(build_assembly(load(EXAMPLES / "tray-1u" / "fixed.yaml")))

    def run(failure: FanFailure) -> dict:
        fan = replace(model.fan, failure=failure)
        return thermal_json(analyse_model(replace(model, fan=fan, spec=replace(model.spec, fan=fan))))

    def margins(report: dict, i: int) -> dict[str, float]:
        return {c["part"]: c["margin"]["value"] for c in report["scenarios"][i]["components"]}

    blocked = run(FanFailure())
    windmill = run(FanFailure("windmill", reverse_k=4.0, face_area=0.04 * 0.04))
    half = replace(model.fan, flow=model.fan.flow * 0.55, pressure=model.fan.pressure * 0.35)
    rotor = run(FanFailure("rotor", rotor_curve=half))
    assert blocked["scenarios"][2]["kind"] == windmill["scenarios"][2]["kind"] == "fan_failed"
    assert rotor["scenarios"][2]["kind"] == "rotor_failed" and rotor["scenarios"][2]["failed"] == ["fan1"]
    b, w, r = margins(blocked, 2), margins(windmill, 2), margins(rotor, 2)
    assert w["package0"] < b["package0"] < r["package0"] < margins(blocked, 1)["package0"]
    assert w["package1"] == b["package1"] == r["package1"]


def test_each_component_reports_its_worst_scenario() -> None:
    """The example as shipped: each package is worst with a fan of its own lane failed (fan1 for package0, the
    left lane's first; fan4 for package1), at +6.2 K (the README's worst margin for the example)."""
    from conftest import EXAMPLES
    from sledcheck.pipeline import check
    from sledcheck.report.json_format import report_dict

    worst = report_dict(check(EXAMPLES / "tray-1u" / "fixed.yaml"))["thermal"]["worst"]
    assert worst["package0"]["scenario"].endswith("fan1 failed")
    assert worst["package1"]["scenario"].endswith("fan4 failed")
    assert worst["dimms"]["scenario"].endswith("fan1 failed")
    assert worst["package0"]["margin"]["value"] == pytest.approx(6.2, abs=0.05)
