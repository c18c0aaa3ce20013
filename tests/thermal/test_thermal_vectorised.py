"""Every core SI function accepts numpy arrays of any broadcastable shape and matches scalar calls."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from sledcheck.thermal import air, atmosphere, fans, spreading, tim
from sledcheck.thermal import platefin as pf
from sledcheck.units import Q_

N = 100_000
RNG = np.random.default_rng(1)
SAMPLE = RNG.choice(N, 25, replace=False)


def u(lo: float, hi: float, n: int = N) -> np.ndarray:
    return RNG.uniform(lo, hi, n)


# Inputs of shape (N,) inside each model's validity range.
T = u(273.15, 353.15)
P = u(60e3, 110e3)
FLOW, W, L, H = u(0.002, 0.02), u(0.03, 0.1), u(0.03, 0.1), u(0.01, 0.05)
NF, TF, KF = RNG.integers(8, 30, N).astype(float), u(0.3e-3, 1e-3), u(150.0, 400.0)
RHO, MU, KA, PR = u(1.0, 1.2), u(1.8e-5, 2.0e-5), u(0.025, 0.028), u(0.70, 0.72)
AS, AP, TB, KB, R0 = u(1e-4, 4e-4), u(4e-4, 4e-3), u(1e-3, 6e-3), u(150.0, 400.0), u(0.05, 1.0)

CASES: dict[str, tuple[Callable[..., object], tuple[np.ndarray, ...]]] = {
    "air.density": (air.density, (T, P)),
    "air.viscosity": (air.viscosity, (T,)),
    "air.conductivity": (air.conductivity, (T,)),
    "air.specific_heat": (air.specific_heat, (T,)),
    "air.prandtl": (air.prandtl, (T,)),
    "atmosphere.pressure_at_altitude": (atmosphere.pressure_at_altitude, (u(0.0, 3050.0),)),
    "atmosphere.max_inlet_temperature": (lambda z: atmosphere.max_inlet_temperature("A2", z),
                                         (u(0.0, 3050.0),)),
    "platefin.fin_gap": (pf.fin_gap, (W, NF, TF)),
    "platefin.nusselt_teertstra": (pf.nusselt_teertstra, (u(0.01, 1e4), PR)),
    "platefin.fin_efficiency": (pf.fin_efficiency, (u(10.0, 200.0), KF, TF, H)),
    "platefin.friction_rectangular": (pf.friction_rectangular, (u(0.0, 3.0),)),
    "platefin.plate_fin_thermal": (pf.plate_fin_thermal, (FLOW, W, L, H, NF, TF, KF, RHO, MU, KA, PR)),
    "platefin.plate_fin_pressure_drop": (pf.plate_fin_pressure_drop, (FLOW, W, L, H, NF, TF, RHO, MU)),
    "platefin.validity": (pf.validity, (FLOW, W, L, H, NF, TF, RHO, MU)),
    "platefin.base_resistance": (pf.base_resistance, (TB, KB, W, L)),
    "spreading.lee_spreading": (spreading.lee_spreading, (AS, AP, TB, KB, R0)),
    "tim.tim_resistance": (tim.tim_resistance, (u(20e-6, 200e-6), u(1.0, 10.0), AS, u(0.0, 1e-5))),
    "fans.affinity_scale": (fans.affinity_scale, (FLOW, P, u(0.3, 1.0))),
    "fans.density_scale": (fans.density_scale, (P, RHO)),
}


def _fields(result: object) -> list[np.ndarray]:
    return [np.asarray(v) for v in result] if isinstance(result, tuple) else [np.asarray(result)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_arrays_of_100000_match_scalar_calls(name: str) -> None:
    func, args = CASES[name]
    vector = _fields(func(*args))
    for field in vector:
        assert field.shape == (N,)
    for i in SAMPLE:
        scalar = func(*(float(a[i]) for a in args))
        for field, value in zip(vector, _fields(scalar), strict=True):
            assert np.ndim(value) == 0
            np.testing.assert_allclose(field[i], value, rtol=1e-13)


def test_scalar_inputs_give_python_floats() -> None:
    assert isinstance(air.density(300.0, 1e5), float)
    assert isinstance(pf.plate_fin_thermal(0.009, 0.04, 0.04, 0.03, 20, 5e-4, 200, 1.16, 1.9e-5, 0.026, 0.7)
                      .resistance, float)
    assert isinstance(spreading.lee_spreading(1e-4, 1e-3, 2e-3, 200.0, 0.3).average, float)


def test_broadcasting_2d() -> None:
    flows = np.linspace(0.004, 0.012, 3)[:, None]  # (3, 1)
    fins = np.array([[10.0, 15.0, 20.0, 25.0]])  # (1, 4)
    res = pf.plate_fin_thermal(flows, 0.04, 0.04, 0.03, fins, 5e-4, 200.0, 1.16, 1.9e-5, 0.026, 0.7)
    assert res.resistance.shape == (3, 4)
    assert res.resistance[1, 2] == pytest.approx(
        pf.plate_fin_thermal(0.008, 0.04, 0.04, 0.03, 20, 5e-4, 200.0, 1.16, 1.9e-5, 0.026, 0.7).resistance)
    lee = spreading.lee_spreading(np.array([[1e-4], [2e-4]]), np.array([1e-3, 2e-3, 4e-3]), 2e-3, 200.0, 0.3)
    assert lee.average.shape == (2, 3)


def test_series_spreading_accepts_arrays() -> None:
    # the series is evaluated element by element (each element sums ~1e5-1e6 modes with numpy)
    cx = np.array([[0.008], [0.012]])  # (2, 1)
    ox = np.array([0.0, 0.01])  # (2,)
    res = spreading.series_spreading(cx, 0.01, 0.05, 0.04, 3e-3, 200.0, 0.3, ox, 0.0, maximum=False)
    assert res.average.shape == (2, 2)
    one = spreading.series_spreading(0.012, 0.01, 0.05, 0.04, 3e-3, 200.0, 0.3, 0.01, 0.0, maximum=False)
    assert res.average[1, 1] == pytest.approx(one.average, rel=1e-13)


def test_fan_curve_evaluates_arrays() -> None:
    fan = fans.FanCurve(flow=Q_([0, 10, 20, 30], "CFM"), pressure=Q_([900, 600, 250, 0], "Pa"))
    q = RNG.uniform(0.0, fan.flow_si[-1], N)
    p = fan.pressure_at_si(q)
    assert p.shape == (N,)
    for i in SAMPLE:
        assert p[i] == pytest.approx(fan.pressure_at_si(float(q[i])), rel=1e-13)
    back = fan.flow_at_si(p[:200].reshape(10, 20))
    np.testing.assert_allclose(back.ravel(), q[:200], rtol=1e-9)
