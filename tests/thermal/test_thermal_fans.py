"""Fan curves, affinity/density scaling, parallel/series, operating point, fan-model YAML files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sledcheck.errors import SledcheckError
from sledcheck.load.fans import MODELS_DIR, FanModelError, load_fan_model
from sledcheck.thermal import FanCurve, OperatingPointError, SystemCurve, operating_point
from sledcheck.thermal.fans import affinity_scale, density_scale
from sledcheck.units import Q_, UnitError

# A linear fan dP = P0 (1 - Q/Qmax) sampled at 11 points: PCHIP reproduces a straight line exactly, so
# every operating point below has a closed form.
P0, QMAX = 500.0, 0.02  # Pa, m^3/s
KSYS = 2.0e6  # Pa/(m^3/s)^2, system dP = K Q^2


def linear_fan(p0: float = P0, qmax: float = QMAX, **kw: object) -> FanCurve:
    q = np.linspace(0.0, qmax, 11)
    return FanCurve(flow=Q_(q, "m^3/s"), pressure=Q_(p0 * (1 - q / qmax), "Pa"), **kw)


def quadratic_root(a: float, b: float, c: float) -> float:
    """Positive root of a x^2 + b x + c = 0."""
    return (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)


SYSTEM = SystemCurve(flow="0.01 m^3/s", pressure=f"{KSYS * 1e-4} Pa")  # = K Q^2


def test_single_fan_operating_point_closed_form() -> None:
    # K Q^2 = P0 (1 - Q/Qmax)  ->  K Q^2 + (P0/Qmax) Q - P0 = 0
    expected = quadratic_root(KSYS, P0 / QMAX, -P0)
    op = operating_point([linear_fan()], SYSTEM)
    assert op.flow.m_as("m^3/s") == pytest.approx(expected, rel=1e-9)
    assert op.pressure.m_as("Pa") == pytest.approx(KSYS * expected**2, rel=1e-9)
    assert op.regime == "intersection"
    # a plain callable (Quantity -> Quantity) is accepted as the system too
    op2 = operating_point(linear_fan(), lambda q: Q_(KSYS * q.m_as("m^3/s") ** 2, "Pa"))
    assert op2.flow.m == pytest.approx(expected, rel=1e-9)


def test_parallel_and_series_closed_form() -> None:
    fan = linear_fan()
    # two in parallel: Q = 2 Qmax (1 - p/P0) -> K Q^2 + (P0 / (2 Qmax)) Q - P0 = 0
    par = operating_point([fan, fan], SYSTEM, arrangement="parallel")
    assert par.flow.m == pytest.approx(quadratic_root(KSYS, P0 / (2 * QMAX), -P0), rel=1e-9)
    assert par.fan_flows[0].m == pytest.approx(par.flow.m / 2, rel=1e-9)
    # two in series: p = 2 P0 (1 - Q/Qmax) -> K Q^2 + (2 P0 / Qmax) Q - 2 P0 = 0
    ser = operating_point([fan, fan], SYSTEM, arrangement="series")
    assert ser.flow.m == pytest.approx(quadratic_root(KSYS, 2 * P0 / QMAX, -2 * P0), rel=1e-9)
    assert ser.pressure.m == pytest.approx(2 * ser.fan_pressures[0].m, rel=1e-12)


def test_parallel_different_fans_closed_form() -> None:
    # fans (P1, Q1) = (500 Pa, 0.02) and (300 Pa, 0.03): below 300 Pa, Q(p) = A - B p with A = Q1 + Q2,
    # B = Q1/P1 + Q2/P2; with p = K Q^2: B K Q^2 + Q - A = 0
    f1, f2 = linear_fan(500.0, 0.02), linear_fan(300.0, 0.03)
    a, b = 0.05, 0.02 / 500.0 + 0.03 / 300.0
    expected = quadratic_root(b * KSYS, 1.0, -a)
    op = operating_point([f1, f2], SYSTEM)
    assert op.flow.m == pytest.approx(expected, rel=1e-8)
    assert op.pressure.m < 300.0
    assert sum(q.m for q in op.fan_flows) == pytest.approx(op.flow.m, rel=1e-12)


def test_affinity_and_density_scaling() -> None:
    fan = linear_fan(speed="20000 rpm", power="10 W")
    half = fan.at_speed(0.5)
    assert half.free_delivery.m == pytest.approx(QMAX / 2)  # Q ~ n
    assert half.max_pressure.m == pytest.approx(P0 / 4)  # dP ~ n^2
    assert half.power.m_as("W") == pytest.approx(10 / 8)  # power ~ n^3
    assert fan.at_speed("10000 rpm").max_pressure.m == pytest.approx(P0 / 4)
    assert fan.at_speed("50 percent").free_delivery.m == pytest.approx(QMAX / 2)
    thin = fan.at_density("1.0 kg/m^3")  # rated 1.2 kg/m^3: pressure x 1.0/1.2, same volume flow
    assert thin.max_pressure.m == pytest.approx(P0 / 1.2)
    assert thin.free_delivery.m == pytest.approx(QMAX)
    assert thin.power.m == pytest.approx(10 / 1.2)
    # operating point in thin air: K Q^2 = P0' (1 - Q/Qmax) with P0' = P0 rho/1.2
    p0 = P0 * 1.0 / 1.2
    op = operating_point([fan], SYSTEM, density=Q_(1.0, "kg/m^3"))
    assert op.flow.m == pytest.approx(quadratic_root(KSYS, p0 / QMAX, -p0), rel=1e-9)
    # SI helpers
    q, p = affinity_scale([0.01, 0.02], [100.0, 0.0], 1.5)
    np.testing.assert_allclose(q, [0.015, 0.03])
    np.testing.assert_allclose(p, [225.0, 0.0])
    assert density_scale(120.0, 1.0) == pytest.approx(100.0)


def test_no_intersection_raises_or_clips() -> None:
    fan = linear_fan()

    def blocked(q):  # needs 600 Pa before any air moves: the fan (500 Pa max) cannot overcome it
        return Q_(600.0 + KSYS * q.m_as("m^3/s") ** 2, "Pa")

    with pytest.raises(OperatingPointError, match="cannot overcome"):
        operating_point(fan, blocked)
    op = operating_point(fan, blocked, on_no_intersection="clip")
    assert (op.regime, op.flow.m, op.pressure.m) == ("shutoff", 0.0, P0)

    def suction(q):  # a system that helps the flow: the curves never cross inside the datasheet
        return Q_(-100.0, "Pa")

    with pytest.raises(OperatingPointError, match="beyond their datasheet"):
        operating_point(fan, suction)
    op = operating_point(fan, suction, on_no_intersection="clip")
    assert (op.regime, op.flow.m) == ("free_delivery", QMAX)
    # a zero system curve meets the curve exactly at free delivery
    op = operating_point(fan, SystemCurve(flow="1 m^3/s", pressure="0 Pa"))
    assert op.flow.m == pytest.approx(QMAX) and op.regime == "intersection"


def test_stall_dip_takes_highest_flow_intersection() -> None:
    # a curve with a dip: pressure falls to 300 Pa at 0.004, rises to 340 at 0.008, then falls to 0
    fan = FanCurve(flow=Q_([0, 0.004, 0.008, 0.012, 0.016], "m^3/s"),
                   pressure=Q_([400, 300, 340, 200, 0], "Pa"))
    # a flat system dP = 310 Pa + 1000 Pa s/m^3 Q crosses it three times (in (0, 0.004), (0.004, 0.008) and
    # (0.008, 0.012)); the stable operating point is the highest-flow one
    def system(q):
        return Q_(310.0 + 1000.0 * q.m_as("m^3/s"), "Pa")

    op = operating_point(fan, system)
    q = op.flow.m
    assert 0.008 < q < 0.012
    assert fan.pressure_at_si(q) == pytest.approx(310.0 + 1000.0 * q, rel=1e-9)
    # PCHIP does not overshoot the datasheet: between 0.004 and 0.008 it stays within [300, 340]
    between = fan.pressure_at_si(np.linspace(0.004, 0.008, 101))
    assert between.min() >= 300.0 - 1e-9 and between.max() <= 340.0 + 1e-9
    # flow_at takes the highest-flow branch
    assert fan.flow_at("320 Pa").m > 0.008


def test_fan_curve_validation_and_unit_errors() -> None:
    with pytest.raises(UnitError, match="flow"):
        FanCurve(flow=[0, 0.01], pressure=["100 Pa", "0 Pa"])
    with pytest.raises(UnitError, match="pressure"):
        FanCurve(flow=["0 CFM", "10 CFM"], pressure=["100 Pa", "0 mm"])
    with pytest.raises(ValueError, match="increase"):
        FanCurve(flow=["10 CFM", "5 CFM"], pressure=["100 Pa", "0 Pa"])
    with pytest.raises(UnitError, match="density"):
        linear_fan().at_density(1.0)
    with pytest.raises(UnitError, match="rated speed"):
        linear_fan().at_speed("10000 rpm")
    with pytest.raises(UnitError, match="bare number"):
        operating_point(linear_fan(), lambda q: 5.0)
    with pytest.raises(UnitError, match="not a pressure"):
        operating_point(linear_fan(), lambda q: Q_(5.0, "m"))
    assert linear_fan().pressure_at("0 CFM").m == pytest.approx(P0)
    assert math.isnan(linear_fan().pressure_at("1000 CFM").m)  # no extrapolation beyond the datasheet


@pytest.mark.parametrize("path", sorted(MODELS_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_fan_models_load(path: Path) -> None:
    fan = load_fan_model(path)
    assert fan.source and fan.status in ("datasheet", "representative")
    assert fan.density.m_as("kg/m^3") == pytest.approx(1.2)
    assert fan.flow_si[0] == 0.0 and fan.pressure_si[-1] == 0.0  # shut-off to free delivery
    # a fan against a modest system: flow between 0 and free delivery
    op = operating_point(fan, SystemCurve(flow=fan.free_delivery * 0.5, pressure=fan.max_pressure * 0.5))
    assert 0.0 < op.flow.m < fan.free_delivery.m


def test_at_least_two_shipped_models() -> None:
    assert len(list(MODELS_DIR.glob("*.yaml"))) >= 2


def test_fan_model_errors_name_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: test\npoints:\n  - [0 CFM, 100 Pa]\n  - [10 CFM, 0 furlong]\n")
    with pytest.raises(FanModelError) as info:
        load_fan_model(bad)
    err = info.value
    assert isinstance(err, SledcheckError)
    assert (err.line, err.field) == (4, "points[1][1]")      # the pressure of the second point
    assert "bad.yaml:4" in str(err) and "pressure" in str(err)
    missing = tmp_path / "missing.yaml"
    missing.write_text("points:\n  - [0 CFM, 100 Pa]\n  - [10 CFM, 0 Pa]\n")
    with pytest.raises(FanModelError, match="source"):
        load_fan_model(missing)
    with pytest.raises(FanModelError, match="file not found"):      # the project's YAML reader's words
        load_fan_model(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("source: x\npoints: [\n")
    with pytest.raises(FanModelError, match="not valid YAML"):
        load_fan_model(broken)
