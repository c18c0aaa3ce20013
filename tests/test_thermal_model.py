"""The sled airflow + junction model: lane solve against independent solutions, the example tray's margins,
thermal design errors, and the JSON thermal section."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator
from scipy.optimize import brentq

import sledcheck
from conftest import EXAMPLES, Run, tray_scratch
from sledcheck.thermal import FanCurve
from sledcheck.thermal.heatsink import PlateFin
from sledcheck.thermal.network import Bypass, FinSection, bypass_coefficients, bypass_flow, fin_pressure, solve_lane

TRAY = EXAMPLES / "tray-1u"
RHO, MU = 1.1455, 1.895e-5      # air at 35 degC, 101325 Pa (ideal gas, Sutherland: thermal.md section 4)
CURVE_Q = np.array([0.0, 0.004, 0.008, 0.0142])
CURVE_P = np.array([1000.0, 760.0, 450.0, 0.0])
FAN = FanCurve(flow=sledcheck.Q_(CURVE_Q, "m**3/s"), pressure=sledcheck.Q_(CURVE_P, "Pa"))
SINK = PlateFin(width_m=0.1, length_m=0.14, fin_height_m=0.0245, fin_count=48, fin_thickness_m=0.0004)
SECTION = FinSection(sink=SINK, bypass=Bypass(widths=(0.1, 0.02, 0.005), heights=(0.0016, 0.0245, 0.035),
                                              length=0.14, lane_area=0.125 * 0.035))


def test_lane_without_heatsink_matches_the_closed_form() -> None:
    """Two fans with a linear curve dP = 500 (1 - Q/0.01 per fan) against K = 2 velocity heads in a
    0.01 m^2 duct: 500 (1 - Q/0.02) = 12000 Q^2 (rho 1.2) -> Q = (-25000 + sqrt(25000^2 + 4 12000 500)) / 24000."""
    two_points = FanCurve(flow=sledcheck.Q_([0.0, 0.01], "m**3/s"), pressure=sledcheck.Q_([500.0, 0.0], "Pa"))
    res = solve_lane(two_points, 2, 1.0, 1.0, 0.01, 2.0, (), 1.2, 1.8e-5)      # PCHIP on two points is linear
    expected = (-25000 + np.sqrt(25000**2 + 4 * 12000 * 500)) / 24000
    assert float(res.flow) == pytest.approx(expected, rel=1e-10)


def test_lane_with_heatsink_matches_an_independent_scalar_solve() -> None:
    """Nested brentq on the same equations: fan(Q) = K-losses(Q) + dP_hs(Q), where at the heat sink the fin and
    bypass flows add to Q at equal pressure drop. The fan is scipy's own PCHIP through the datasheet points
    (Fritsch & Carlson 1980, as FanCurve documents); this test used np.interp while the lane solver interpolated
    linearly, and the expectation changed with it (issue 9, item 3)."""
    k_losses, area, fans = 1.5, 0.125 * 0.035, 3
    coeff = bypass_coefficients(SECTION.bypass, RHO, MU)

    def hs_pressure(q: float) -> float:
        q_fin = brentq(lambda qf: qf + float(bypass_flow(coeff, fin_pressure(SECTION, qf, RHO, MU))) - q,
                       1e-12, q, xtol=1e-15, rtol=1e-14)
        return float(fin_pressure(SECTION, q_fin, RHO, MU))

    def residual(q: float) -> float:
        fan = float(PchipInterpolator(CURVE_Q, CURVE_P)(q / fans)) * RHO / 1.2
        return fan - (k_losses * RHO * (q / area) ** 2 / 2 + hs_pressure(q))

    expected = brentq(residual, 1e-6, fans * CURVE_Q[-1] * 0.999, xtol=1e-14, rtol=1e-13)
    res = solve_lane(FAN, fans, 1.0, RHO / 1.2, area, k_losses, (SECTION,), RHO, MU)
    assert bool(res.converged) and bool(res.solved)
    assert float(res.flow) == pytest.approx(expected, rel=1e-8)
    q_fin = float(res.fin_flows[0])
    q_bypass = float(bypass_flow(coeff, fin_pressure(SECTION, q_fin, RHO, MU)))
    assert q_fin + q_bypass == pytest.approx(float(res.flow), rel=1e-9)      # continuity
    assert 0.05 < q_fin / float(res.flow) < 0.95


def test_closing_the_bypass_sends_all_flow_through_the_fins() -> None:
    closed = FinSection(sink=SINK, bypass=Bypass((0.1,), (0.0,), 0.14, 0.1 * 0.0245))
    res = solve_lane(FAN, 3, 1.0, 1.0, 0.1 * 0.0245, 0.0, (closed,), RHO, MU)
    assert float(res.fin_flows[0]) == pytest.approx(float(res.flow), rel=1e-12)


def test_lane_solve_is_vectorised() -> None:
    rng = np.random.default_rng(1)
    speed = rng.uniform(0.6, 1.0, 200)
    fans = rng.integers(1, 4, 200).astype(float)
    batch = solve_lane(FAN, fans, speed, 1.0, 0.125 * 0.035, 1.0, (SECTION,), RHO, MU)
    assert np.all(batch.converged)
    for i in (0, 57, 199):
        one = solve_lane(FAN, fans[i], speed[i], 1.0, 0.125 * 0.035, 1.0, (SECTION,), RHO, MU)
        assert float(batch.flow[i]) == pytest.approx(float(one.flow), rel=1e-12)


def _margins(report: sledcheck.report.Report, part: str) -> dict[str, float]:
    return {s.name: c.margin for s in report.thermal.scenarios for c in s.components if c.part == part}


def test_trimming_the_fins_costs_margin_and_the_350w_sku_fails_with_one_fan_failed() -> None:
    tall = sledcheck.check(TRAY / "overheight.yaml")
    fixed = sledcheck.check(TRAY / "fixed.yaml")
    hot = sledcheck.check(TRAY / "fixed-350w.yaml")
    assert fixed.verdict == "pass"
    worst_tall, worst_fixed = min(_margins(tall, "package0").values()), min(_margins(fixed, "package0").values())
    assert worst_tall > worst_fixed > 5.0           # shorter fins: less margin, still above the required 5 K
    assert hot.verdict == "fail" and [f.code for f in hot.findings] == ["T001", "T001"]
    finding = hot.findings[0]
    assert finding.subjects == ("package0",) and finding.measured.units == sledcheck.ureg.kelvin
    assert finding.measured.m_as("K") < 0 < finding.limit.m_as("K")
    assert "fan1 failed" in finding.message and "margin -" in finding.message
    # the scenarios: nominal, worst inlet, and the worst inlet with each of the six fans failed
    assert len(hot.thermal.scenarios) == 8
    assert hot.thermal.scenarios[1].inlet == pytest.approx(35.0)       # ASHRAE A2 at 900 m: no derating


def test_fin_geometry_comes_from_the_mesh() -> None:
    from sledcheck.model.assembly import build_assembly
    from sledcheck.model.thermal import sink_geometry
    from sledcheck.pipeline import load

    design = load(TRAY / "fixed.yaml")
    sink = sink_geometry(build_assembly(design), design.thermal.lanes[0], 125.0, "heatsink0")
    # make_meshes.py: 48 fins, 0.4 mm thick, 24.5 mm tall, on a 5 mm base, 140 mm long; lid 1.556 mm above
    assert sink.fins.fin_count == 48
    assert sink.fins.fin_thickness == pytest.approx(0.4, abs=1e-4)
    assert sink.fins.fin_height == pytest.approx(24.5, abs=1e-4)
    assert sink.fins.base_thickness == pytest.approx(5.0, abs=1e-4)
    assert sink.tip_gap_m == pytest.approx(1.556e-3, abs=1e-6)


def test_thermal_json_section(cli: Callable[..., Run]) -> None:
    report = json.loads(cli("check", TRAY / "fixed.yaml", "--format", "json").out)
    scenario = report["thermal"]["scenarios"][0]
    assert set(scenario) >= {"name", "inlet_temperature", "altitude", "failed_fans", "airflow", "components"}
    component = scenario["components"][0]
    assert set(component) >= {"part", "power", "junction_temperature", "limit", "margin"}
    assert component["margin"]["unit"] == "K" and component["limit"]["unit"] == "degC"
    assert report["thermal"]["scenarios"][2]["failed_fans"] == 1


THERMAL = (TRAY / "fixed.yaml").read_text()


@pytest.mark.parametrize(("old", "new", "fragment"), [
    ("tj_max: 95 degC, r_jc: 0.03 K/W, tim: phase-change, heatsink: heatsink0",
     "tj_max: 95 mm, r_jc: 0.03 K/W, tim: phase-change, heatsink: heatsink0",
     "thermal.components.package0.tj_max: '95 mm' is a length, but a temperature is needed"),
    ("model: server-40x56-dual-rotor", "model: server-40x56", "no fan model 'server-40x56'"),
    ("tim: phase-change, heatsink: heatsink0", "tim: phase-chang, heatsink: heatsink0", "unknown TIM 'phase-chang'"),
    ("components: [package1]", "components: []", "'package1' is in no lane"),
    ("fans: [fan4, fan5, fan6]", "fans: [fan4, fan5, board]", "'board' is not a part with role fan"),
    ("ashrae_class: A2", "ashrae_class: A5", "'A5' is not allowed"),
    ("required_margin: 3 K", "required_margin: 3 degC", "is an absolute temperature"),
])
def test_thermal_design_errors(cli: Callable[..., Run], tmp_path: Path, old: str, new: str, fragment: str) -> None:
    assert old in THERMAL
    path = tray_scratch() / "_error.yaml"
    try:
        path.write_text(THERMAL.replace(old, new, 1))
        result = cli("check", path)
    finally:
        path.unlink()
    assert result.code == 2
    assert fragment in result.err and "_error.yaml:" in result.err


def test_tabulated_spreading_matches_the_series() -> None:
    """The per-component table of the exact series in R0 (used so that batches stay vectorised) agrees with a
    direct series evaluation (Muzychka et al. 2003, via sledcheck.thermal.spreading) within 0.1 %."""
    from sledcheck.model.assembly import build_assembly
    from sledcheck.model.thermal import build_model
    from sledcheck.pipeline import load
    from sledcheck.thermal.spreading import series_spreading

    model = build_model(build_assembly(load(TRAY / "fixed.yaml")))
    comp = model.lanes[0].components[0]
    sink = comp.sink
    for r0 in (0.02, 0.0937, 0.31, 1.7):
        direct = float(series_spreading(0.04, 0.04, sink.base_x_m, sink.base_y_m, sink.fins.base_thickness * 1e-3,
                                        comp.spec.heatsink_conductivity, r0, 0.0, 0.0, rtol=1e-6,
                                        maximum=False).average)
        assert float(comp.spreading(r0)) == pytest.approx(direct, rel=1e-3)


def test_scenarios_agree_with_a_batch_evaluation() -> None:
    """analyse_thermal's per-scenario numbers equal evaluate() on the same inputs case by case."""
    from sledcheck.model.assembly import build_assembly
    from sledcheck.model.thermal import build_model, evaluate
    from sledcheck.pipeline import load

    report = sledcheck.check(TRAY / "fixed.yaml")
    model = build_model(build_assembly(load(TRAY / "fixed.yaml")))
    scenario = report.thermal.scenarios[2]      # fan1 failed at the worst inlet
    ev = evaluate(model, scenario.inlet, {"left": 2, "right": 3})
    assert float(ev.temperature["package0"]) == pytest.approx(scenario.components[0].temperature, rel=1e-12)


def test_declared_fin_geometry_gives_the_same_margin_as_the_recognised_one() -> None:
    """For a sink the recogniser cannot read, the design gives the fins; declaring what make_meshes.py built (48
    fins 0.4 mm, 24.5 mm tall, 5 mm base, 100 mm fin field) reproduces the recognised result."""
    declared = THERMAL.replace(
        "material: copper, source: [40 mm, 40 mm], required_margin: 5 K}\n    package1",
        "material: copper, source: [40 mm, 40 mm], required_margin: 5 K,\n               heatsink_geometry: "
        "{fin_count: 48, fin_thickness: 0.4 mm, fin_height: 24.5 mm, base_thickness: 5 mm, "
        "fin_field_width: 100 mm}}\n    package1", 1)
    assert declared != THERMAL
    path = tray_scratch() / "_declared.yaml"
    try:
        path.write_text(declared)
        report = sledcheck.check(path)
    finally:
        path.unlink()
    reference = sledcheck.check(TRAY / "fixed.yaml")
    for ours, theirs in zip(report.thermal.scenarios, reference.thermal.scenarios, strict=True):
        assert ours.components[0].temperature == pytest.approx(theirs.components[0].temperature, abs=1e-3)


@pytest.mark.parametrize(("fan_text", "line", "fragment"), [
    ("source: test\npoints:\n  - [0 CFM, 100 Pa]\n  - [10 CFM, 0 furlong]\n", 4, "pressure"),
    ("source: test\nsource: again\npoints:\n  - [0 CFM, 100 Pa]\n  - [10 CFM, 0 Pa]\n", 2, "appears twice"),
    ("source: test\npoints:\n  - [0 CFM, 100 Pa]\n  - [10 CFM, 0 Pa]\nspeeed: 1000 rpm\n", 5, "unknown key"),
])
def test_a_bad_fan_model_is_a_design_error_before_any_mesh(cli: Callable[..., Run], fan_text: str, line: int,
                                                          fragment: str) -> None:
    """The fan model is read with the design: exit 2 naming the fan file and line, never a crashed rule (X001)."""
    from sledcheck.errors import DesignError
    from sledcheck.pipeline import load

    fan, design = tray_scratch() / "_badfan.yaml", tray_scratch() / "_badfan-design.yaml"
    try:
        fan.write_text(fan_text)
        design.write_text(THERMAL.replace("model: server-40x56-dual-rotor", "model: _badfan.yaml", 1))
        with pytest.raises(DesignError):
            load(design)                          # the design alone: no mesh is read yet
        result = cli("check", design, "--format", "json")
    finally:
        fan.unlink(missing_ok=True)
        design.unlink(missing_ok=True)
    assert result.code == 2
    assert f"_badfan.yaml:{line}" in result.err and fragment in result.err
    assert "X001" not in result.out + result.err


def test_thermal_renderers_are_functions_of_the_result() -> None:
    """report/thermal.py renders a hand-built result: units per contract.md, flows in CFM (1 CFM = 4.719474e-4
    m^3/s), the margin line of the text report."""
    from sledcheck.model.thermal import ComponentResult, LaneResult, ScenarioResult, ThermalResult
    from sledcheck.report.thermal import thermal_json, thermal_text

    comp = ComponentResult(part="gpu", power=700.0, temperature=80.0, limit_kind="junction", limit=95.0,
                           margin=15.0, required_margin=5.0, local_inlet=36.0,
                           chain={"r_jc": 0.02, "r_heatsink": 0.04}, fin_flow=0.02 * 4.719474e-4 * 100)
    lane = LaneResult("left", 100 * 4.719474e-4, 120.0, 3, {"hs": 0.5})
    result = ThermalResult((ScenarioResult("nominal", 25.0, 900.0, ("fan1",), (lane,), (comp,)),), (), "fan-x")
    out = thermal_json(result)
    assert out["fan_model"] == "fan-x"
    scenario = out["scenarios"][0]
    assert scenario["failed_fans"] == 1 and scenario["failed_fan_parts"] == ["fan1"]
    assert scenario["airflow"]["total"]["unit"] == "CFM"
    assert scenario["airflow"]["total"]["value"] == pytest.approx(100.0, rel=1e-6)
    c = scenario["components"][0]
    assert c["margin"] == {"value": 15.0, "unit": "K"} and c["junction_temperature"]["unit"] == "degC"
    # a hand-built result has no band (0 K): the line says so
    assert thermal_text(result)[2].split() == ["gpu", "700.0", "W", "Tj", "80.0", "degC", "limit", "95.0", "margin",
                                               "+15.0", "±", "0.0", "K", "(need", "5)"]
    assert c["status"] == "pass" and c["margin_band"]["low"] == {"value": 15.0, "unit": "K"}
