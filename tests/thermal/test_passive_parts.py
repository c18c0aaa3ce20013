"""Components without a heat sink (issue 12 item 4): a case-to-air resistance that follows the local mass
velocity, and the fin-exhaust air for a part in a heat sink's wake (``air: wake``)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from conftest import EXAMPLES, Run, tray_scratch
from sledcheck.model.thermal.evaluate import RHO_REF, case_to_air

TRAY = EXAMPLES / "tray-1u"
FIXED = (TRAY / "fixed.yaml").read_text()
DIMMS = "r_ca: 0.25 K/W,"
LAW = "r_ca: {ref: 0.25 K/W, at: 2 m/s, exponent: 0.8},"


def test_case_to_air_follows_the_mass_velocity() -> None:
    """R = R_ref ((rho v)_ref / (rho v))^n (Nu ~ Re^n; Incropera 6th ed. eqs. 7.30, 7.36), reference air 25 degC
    at 101.325 kPa: rho = p / (R T) = 101325 / (287.05 x 298.15) = 1.1839 kg/m^3 (dry air, R = 287.05 J/(kg K))."""
    rho_ref = RHO_REF
    assert rho_ref == pytest.approx(101325 / (287.05 * 298.15), rel=1e-4)
    v = np.array([2.0, 4.0, 1.0, 0.0])
    r = case_to_air(0.25, 2.0, 0.8, v, RHO_REF)
    assert r[0] == pytest.approx(0.25)                        # at the reference point
    assert r[1] == pytest.approx(0.25 * 2**-0.8)              # twice the velocity: 0.1436 K/W
    assert r[2] == pytest.approx(0.25 * 2**0.8)               # half: 0.4353 K/W
    assert math.isinf(r[3])                                   # no air: unbounded, never a pass
    # half the density (about 5.5 km) at the reference velocity is half the mass velocity
    assert float(case_to_air(0.25, 2.0, 0.5, 2.0, RHO_REF / 2)) == pytest.approx(0.25 * math.sqrt(2))
    assert np.all(case_to_air(0.25, None, 0.0, v, RHO_REF) == 0.25)   # a plain r_ca stays as given


def _model(text: str, tag: str):  # noqa: ANN202 - a SledModel
    from sledcheck.model.assembly import build_assembly
    from sledcheck.model.thermal import build_model
    from sledcheck.pipeline import load

    path = tray_scratch() / f"_passive_{tag}.yaml"
    path.write_text(text)
    try:
        return build_model(build_assembly(load(path)))
    finally:
        path.unlink()


@pytest.fixture(scope="module")
def models() -> dict:
    return {"fixed": _model(FIXED, "fixed"),
            "law": _model(FIXED.replace(DIMMS, LAW), "law"),
            "wake": _model(FIXED.replace(DIMMS, "r_ca: 0.25 K/W, air: wake,"), "wake")}


def _one_fan_failed(model) -> dict:  # noqa: ANN001
    return {lane.lane.name: float(len(lane.lane.fans) - (lane.lane.name == "left")) for lane in model.lanes}


def test_velocity_law_end_to_end(models: dict) -> None:
    """T_case - T_local = P R_ref (rho_ref v_ref A / m_dot)^n with m_dot = rho_in Q the lane's mass flow (the
    local mass velocity rho v = m_dot / A whatever the local temperature), rho_in = p / (R T_in)."""
    from sledcheck.model.thermal.evaluate import evaluate

    model = models["law"]
    out = evaluate(model, 35.0, _one_fan_failed(model))
    lane = model.lanes[0]
    rho_in = model.pressure / (287.05 * (35.0 + 273.15))
    m_dot = rho_in * float(out.lane_flow["left"])
    expected = 80.0 * 0.25 * (RHO_REF * 2.0 * lane.area / m_dot) ** 0.8
    rise = float(out.temperature["dimms"] - out.local_inlet["dimms"])
    assert rise == pytest.approx(expected, rel=2e-3)   # air's R: 287.05 here against the library's value
    assert rise < 80.0 * 0.25                            # the lane runs faster than the 2 m/s reference


def test_wake_takes_the_fin_exhaust(models: dict) -> None:
    """Energy balance: the fin flow carries all of package0's heat, so the DIMMs behind its fins see
    T_mixed + P (1/(m_fin cp) - 1/(m_lane cp)), the mixed air from the same flows (cp at the inlet air)."""
    from sledcheck.model.thermal.evaluate import evaluate
    from sledcheck.thermal import air

    fixed, wake = models["fixed"], models["wake"]
    assert wake.lanes[0].components[1].wake_of.spec.part == "package0"
    working = _one_fan_failed(fixed)
    mixed, hot = evaluate(fixed, 35.0, working), evaluate(wake, 35.0, working)
    rho_in = float(air.density(308.15, fixed.pressure))
    cp = float(air.specific_heat(308.15))
    m_fin, m_lane = rho_in * float(hot.fin_flow["heatsink0"]), rho_in * float(hot.lane_flow["left"])
    assert m_lane == pytest.approx(rho_in * float(mixed.lane_flow["left"]), rel=1e-12)
    expected = 300.0 * (1 / (m_fin * cp) - 1 / (m_lane * cp))
    assert float(hot.local_inlet["dimms"] - mixed.local_inlet["dimms"]) == pytest.approx(expected, rel=1e-9)
    assert float(hot.temperature["dimms"] - mixed.temperature["dimms"]) == pytest.approx(expected, rel=1e-9)
    assert 3.0 < expected < 15.0     # the audit: the mixed air is 3-7 K optimistic for the DIMMs, a fan failed
    # package0 itself and the other lane do not change
    assert float(hot.temperature["package0"]) == float(mixed.temperature["package0"])


def test_a_wake_without_a_heat_sink_ahead_is_a_finding(cli: Callable[..., Run]) -> None:
    """The DIMMs (x 150-213 mm) moved behind package1, whose fin bank spans x 260-360 mm: no overlap."""
    text = (FIXED.replace(DIMMS, "r_ca: 0.25 K/W, air: wake,")
            .replace("components: [package0, dimms]", "components: [package0]")
            .replace("components: [package1]", "components: [package1, dimms]"))
    path = tray_scratch() / "_passive_nowake.yaml"
    try:
        path.write_text(text)
        result = cli("check", path)
    finally:
        path.unlink()
    assert "dimms has air: wake but no heat sink upstream of it in its lane overlaps it" in result.out


@pytest.mark.parametrize(("new", "fragment"), [
    ("r_ca: {ref: 0.25 K/W, at: 2 m/s},", "exponent"),
    ("r_ca: {ref: 0.25 K/W, at: 2 m/s, exponent: 1.5},", "exponent 1.5 is outside 0-1"),
    ("r_ca: {ref: 0.25 K/W, at: 2 mm, exponent: 0.8},", "velocity"),
    ("r_ca: {ref: -0.25 K/W, at: 2 m/s, exponent: 0.8},", "r_ca.ref"),
    ("r_ca: -0.25 K/W,", "a thermal resistance cannot be negative"),
    ("r_ca: 0.25 K/W, air: exhaust,", "'exhaust' is not allowed"),
])
def test_passive_part_errors(cli: Callable[..., Run], new: str, fragment: str) -> None:
    path = tray_scratch() / "_passive_error.yaml"
    try:
        path.write_text(FIXED.replace(DIMMS, new, 1))
        result = cli("check", path)
    finally:
        path.unlink()
    assert result.code == 2 and fragment in result.err and "_passive_error.yaml:" in result.err, result.err


def test_wake_on_a_part_with_a_heat_sink_is_an_error(cli: Callable[..., Run]) -> None:
    path = tray_scratch() / "_passive_error_hs.yaml"
    try:
        path.write_text(FIXED.replace("source: [40 mm, 40 mm], required_margin", "air: wake, required_margin", 1))
        result = cli("check", path)
    finally:
        path.unlink()
    assert result.code == 2 and "air: wake is for a part without a heat sink" in result.err
