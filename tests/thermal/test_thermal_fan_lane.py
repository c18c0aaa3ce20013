"""One fan curve for the public API and the lane solver: the lane's fan pressure is the FanCurve's PCHIP scaled by
the affinity laws and density, flows against a pressure come from the same curve, and the solver never leans on
the curve past free delivery."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator
from scipy.optimize import brentq

from sledcheck.load.fans import MODELS_DIR, load_fan_model
from sledcheck.thermal import FanCurve
from sledcheck.thermal.network import fan_pressure, solve_lane
from sledcheck.units import Q_

FAN = load_fan_model(MODELS_DIR / "server-40x56-dual-rotor.yaml")
REFERENCE = PchipInterpolator(FAN.flow_si, FAN.pressure_si)     # scipy's PCHIP on the datasheet points


def test_lane_fan_pressure_is_the_pchip_curve_with_affinity_and_density() -> None:
    """n fans in parallel at speed s and density ratio r: p(Q) = p_rated(Q / (n s)) s^2 r (fan laws 1a-1c)."""
    n, s, r = 3, 0.8, 0.93
    q = np.linspace(0.0, n * s * FAN.free_delivery_si, 57)
    expected = REFERENCE(q / (n * s)) * s**2 * r
    np.testing.assert_allclose(fan_pressure(FAN, q, n, s, r), expected, rtol=1e-12, atol=1e-9)


def test_defined_behaviour_past_free_delivery_and_without_fans() -> None:
    q_free = FAN.free_delivery_si
    assert np.isnan(FAN.scaled_pressure_si(1.01 * q_free))
    assert FAN.scaled_pressure_si(q_free) == pytest.approx(float(FAN.pressure_si[-1]), abs=1e-9)
    assert np.isnan(fan_pressure(FAN, 0.001, 0, 1.0, 1.0))


def test_vectorised_flow_at_matches_brentq_on_pchip() -> None:
    pressures = np.linspace(0.0, float(FAN.pressure_si.max()), 23)[1:-1]
    flows = FAN.flow_at_si(pressures)
    for p, q in zip(pressures, flows, strict=True):
        # the highest-flow crossing: PCHIP is monotone on this falling curve, so one bracket over the whole range
        expected = brentq(lambda x, p=p: float(REFERENCE(x)) - p, 0.0, FAN.free_delivery_si, xtol=1e-15)
        assert q == pytest.approx(expected, rel=1e-10, abs=1e-13)
    root = FAN.flow_at_root_si(np.array([-5.0, 1e9]))
    assert not np.any(root.converged) and np.all(np.isnan(FAN.flow_at_si(np.array([-5.0, 1e9]))))


def test_open_lane_runs_at_free_delivery() -> None:
    """No losses at all: the fans run at their free delivery n s Q_free (affinity law 1a), exactly the bracket end."""
    res = solve_lane(FAN, 4, 0.7, 1.0, 0.01, 0.0, (), 1.2, 1.8e-5)
    assert bool(res.converged)
    assert float(res.flow) == pytest.approx(4 * 0.7 * FAN.free_delivery_si, rel=1e-12)


def test_a_curve_that_stops_before_free_delivery_is_flagged() -> None:
    """A datasheet that ends at 200 Pa: against a tiny system the crossing lies past the curve, which the solver
    does not extrapolate; the case is flagged as not converged instead of returning a made-up flow."""
    short = FanCurve(flow=Q_([0.0, 0.004, 0.008], "m**3/s"), pressure=Q_([900.0, 600.0, 200.0], "Pa"))
    res = solve_lane(short, np.array([2.0, 2.0]), 1.0, 1.0, 0.01, np.array([1.0, 1e6]), (), 1.2, 1.8e-5)
    assert list(np.asarray(res.converged)) == [False, True]
    assert not bool(np.asarray(res.solved)[0])


def test_no_working_fan_is_no_flow_not_a_failure() -> None:
    res = solve_lane(FAN, np.array([0.0, 2.0]), 1.0, 1.0, 0.01, 2.0, (), 1.2, 1.8e-5)
    assert list(np.asarray(res.converged)) == [True, True]
    assert float(res.flow[0]) == 0.0 and not bool(res.solved[0]) and bool(res.solved[1])
