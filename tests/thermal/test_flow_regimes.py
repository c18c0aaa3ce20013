"""Flow regimes of the fin channels and the bypass passages (issue 12, item 3): Gnielinski with the short-duct
factor, Petukhov friction, the VDI Heat Atlas transition interpolation, the bypass flow law, the validity notes
and the passage under the heat-sink base.

Every expected value is computed here by hand from the published formula (written out with ``math``), or by
the ``ht`` / ``fluids`` libraries where they implement the same correlation, never by the code under test:

- Gnielinski (1976), Int. Chem. Eng. 16:359-368: Nu = (f/8)(Re - 1000) Pr / (1 + 12.7 sqrt(f/8)(Pr^(2/3) - 1));
  Incropera & DeWitt, Fundamentals of Heat and Mass Transfer, eq. 8.62; ``ht.conv_internal.turbulent_Gnielinski``.
- Petukhov (1970) friction f = (0.790 ln Re - 1.64)^-2 (Incropera & DeWitt eq. 8.21), checked against the
  Colebrook smooth-pipe solution of ``fluids.friction.friction_factor`` (Clamond's method).
- Short-duct factor 1 + (D_h/L)^(2/3) and the transition interpolation gamma = (Re - 2300)/(10^4 - 2300):
  VDI Heat Atlas, 2nd ed. 2010, chapter G1 (Gnielinski), eq. 27-31.
- Teertstra et al. (1999) composite Nusselt number and the plate-fin resistance: thermal.md section 1.
- e-NTU of a surface at one temperature, G = m cp (1 - exp(-NTU)): Incropera & DeWitt eq. 8.45b.
- Muzychka & Yovanovich (2009) / Culham & Muzychka (2001) apparent laminar friction, as thermal.md section 1.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import fluids.friction as fluids_friction
import ht.conv_internal
import numpy as np
import pytest

from sledcheck.thermal import channel, platefin
from sledcheck.thermal.network import Bypass, bypass_coefficients, bypass_flow
from sledcheck.thermal.validity import Range, assess, note

# Air of the thermal.md worked case; Pr = mu cp / k
RHO, MU, K_AIR, CP = 1.1644, 1.886e-5, 0.02624, 1004.9
PR = MU * CP / K_AIR
# The tray example's sink: 48 fins 0.4 mm thick across 100 mm, 140 mm long, 24.5 mm high; copper-ish fins
W, L, H, N, T, K_FIN = 0.1, 0.14, 0.0245, 48, 0.0004, 200.0
B = (W - N * T) / (N - 1)


# ------------------------------------------------------------------------------------------ by hand


def petukhov(re: float) -> float:
    """Darcy f = (0.790 ln Re - 1.64)^-2 (Petukhov 1970; Incropera & DeWitt eq. 8.21)."""
    return (0.790 * math.log(re) - 1.64) ** -2


def gnielinski(re: float, pr: float, dh_over_l: float = 0.0) -> float:
    """Gnielinski (1976) with Petukhov's f, times the VDI G1 short-duct factor."""
    f8 = petukhov(re) / 8.0
    return f8 * (re - 1000.0) * pr / (1.0 + 12.7 * math.sqrt(f8) * (pr ** (2.0 / 3.0) - 1.0)) \
        * (1.0 + dh_over_l ** (2.0 / 3.0))


def flow_at(re: float) -> float:
    """Fin flow [m^3/s] at channel Re(2 b): V = Re mu / (rho 2 b), Q = V (N - 1) b H."""
    return re * MU / (RHO * 2.0 * B) * (N - 1) * B * H


def eta(h: float) -> float:
    mh = math.sqrt(2.0 * h / (K_FIN * T)) * H
    return math.tanh(mh) / mh


def g_laminar(re: float) -> float:
    """Teertstra conductance [W/K] (thermal.md section 1), Re* = (Re/2)(b/L)."""
    rs = re / 2.0 * B / L
    nu_b = ((rs * PR / 2.0) ** -3 + (0.664 * math.sqrt(rs) * PR ** (1 / 3) * math.sqrt(1 + 3.65 / math.sqrt(rs))) ** -3
            ) ** (-1 / 3)
    h = nu_b * K_AIR / B
    return h * ((N - 1) * B * L + N * eta(h) * 2.0 * H * L)


def g_turbulent(re: float) -> float:
    """Gnielinski mean h with the short-duct factor, referred to the inlet air by e-NTU [W/K]."""
    h = gnielinski(re, PR, 2.0 * B / L) * K_AIR / (2.0 * B)
    area = (N - 1) * B * L + N * eta(h) * 2.0 * H * L
    m_cp = RHO * flow_at(re) * CP
    return m_cp * (1.0 - math.exp(-h * area / m_cp))


def resistance(re: float) -> float:
    """The code under test at channel Re ``re``."""
    return float(platefin.plate_fin_thermal(flow_at(re), W, L, H, N, T, K_FIN, RHO, MU, K_AIR, PR).resistance)


def fanning_by_hand(re: float, l_over_dh: float, f_re: float) -> float:
    def laminar(r: float) -> float:
        return math.sqrt((3.44 / math.sqrt(l_over_dh / r)) ** 2 + f_re**2) / r

    if re < 2300.0:
        return laminar(re)
    if re >= 4000.0:
        return petukhov(re) / 4.0
    g = (re - 2300.0) / 1700.0
    return (1.0 - g) * laminar(2300.0) + g * petukhov(4000.0) / 4.0


# ---------------------------------------------------------------------------------- correlations


@pytest.mark.parametrize(("re", "pr"), [(1e4, 0.7), (3e4, 0.71), (1e5, 1.2), (1e6, 0.7), (5e3, 7.0)])
def test_gnielinski_matches_ht_and_the_formula(re: float, pr: float) -> None:
    expected = ht.conv_internal.turbulent_Gnielinski(Re=re, Pr=pr, fd=petukhov(re))
    assert float(channel.nusselt_gnielinski(re, pr)) == pytest.approx(expected, rel=1e-12)
    assert float(channel.nusselt_gnielinski(re, pr)) == pytest.approx(gnielinski(re, pr), rel=1e-12)


def test_short_duct_factor_and_limits() -> None:
    """[1 + (D_h/L)^(2/3)]: D_h/L = 0.001 adds 1 %, D_h/L = 1 doubles; Pr = 1 leaves (f/8)(Re - 1000)."""
    for dh_l in (0.0, 0.001, 0.1, 1.0):
        ratio = float(channel.nusselt_gnielinski(2e4, 0.7, dh_l) / channel.nusselt_gnielinski(2e4, 0.7, 0.0))
        assert ratio == pytest.approx(1.0 + dh_l ** (2 / 3), rel=1e-12)
    assert float(channel.nusselt_gnielinski(5e4, 1.0)) == pytest.approx(petukhov(5e4) / 8 * (5e4 - 1000), rel=1e-12)


@pytest.mark.parametrize("re", [1e4, 2e4, 1e5, 1e6, 5e6])
def test_petukhov_within_2_percent_of_colebrook_smooth(re: float) -> None:
    """Petukhov's fit agrees with Colebrook's smooth-pipe law (fluids, Clamond's solution) within 2 % on
    1e4-5e6 (Incropera & DeWitt quote it for 3000-5e6)."""
    assert float(channel.darcy_petukhov(re)) == pytest.approx(petukhov(re), rel=1e-12)
    assert float(channel.darcy_petukhov(re)) == pytest.approx(fluids_friction.friction_factor(Re=re, eD=0.0),
                                                              rel=0.02)


def test_fanning_by_regime_matches_the_formulas_and_is_continuous() -> None:
    l_dh, f_re = 40.0, 21.0
    for re in (10.0, 500.0, 2299.0, 2300.0, 3000.0, 3999.0, 4000.0, 2e4, 1e6):
        assert float(channel.fanning(re, l_dh, f_re)) == pytest.approx(fanning_by_hand(re, l_dh, f_re), rel=1e-12)
    for edge in (channel.RE_LAMINAR_MAX, channel.RE_FRICTION_TURBULENT):
        below, above = channel.fanning(edge * (1 - 1e-10), l_dh, f_re), channel.fanning(edge * (1 + 1e-10), l_dh, f_re)
        assert float(below) == pytest.approx(float(above), rel=1e-8)


# ------------------------------------------------------------------------------------ fin channels


def test_laminar_resistance_is_teertstra() -> None:
    for re in (50.0, 800.0, 2000.0, 2299.0):
        assert resistance(re) == pytest.approx(1.0 / g_laminar(re), rel=1e-10)


@pytest.mark.parametrize("re", [1e4, 2e4, 6e4, 2e5])
def test_turbulent_resistance_is_gnielinski_referred_to_the_inlet(re: float) -> None:
    assert resistance(re) == pytest.approx(1.0 / g_turbulent(re), rel=1e-10)


@pytest.mark.parametrize("re", [2300.0, 3000.0, 5000.0, 8000.0, 9999.0])
def test_transition_is_the_vdi_linear_interpolation(re: float) -> None:
    gamma = (re - 2300.0) / (1e4 - 2300.0)
    expected = 1.0 / ((1.0 - gamma) * g_laminar(2300.0) + gamma * g_turbulent(1e4))
    assert resistance(re) == pytest.approx(expected, rel=1e-10)


def test_laminar_extrapolation_overpredicts_the_resistance_at_high_re() -> None:
    """What the issue measured: the laminar model carried past Re 2300 over-predicts R at Re 8000-22000 (by
    about 50-100 % for this sink)."""
    for re in (8000.0, 22000.0):
        over = (1.0 / g_laminar(re)) / resistance(re) - 1.0
        assert 0.27 < over < 1.2


def test_resistance_continuous_at_both_ends_of_the_transition() -> None:
    for edge in (2300.0, 1e4):
        assert resistance(edge * (1 - 1e-10)) == pytest.approx(resistance(edge * (1 + 1e-10)), rel=1e-7)


def test_resistance_falls_and_pressure_drop_rises_monotonically_with_flow() -> None:
    q = flow_at(1.0) * np.geomspace(10.0, 2e5, 3000)
    r = platefin.plate_fin_thermal(q, W, L, H, N, T, K_FIN, RHO, MU, K_AIR, PR).resistance
    dp = platefin.plate_fin_pressure_drop(q, W, L, H, N, T, RHO, MU).pressure_drop
    assert np.all(np.diff(r) < 0.0) and np.all(np.diff(dp) > 0.0)


def test_long_turbulent_sink_tends_to_the_air_capacity_limit() -> None:
    """A very long sink heats the air to the wall temperature: R -> 1 / (m_dot cp) (e-NTU, NTU -> inf)."""
    long = 30.0
    q = flow_at(2e4)
    r = float(platefin.plate_fin_thermal(q, W, long, H, N, T, K_FIN, RHO, MU, K_AIR, PR).resistance)
    assert r == pytest.approx(1.0 / (RHO * q * CP), rel=1e-6)


def test_turbulent_pressure_drop_is_petukhov_with_the_entry_and_exit_losses() -> None:
    re = 2e4
    q = flow_at(re)
    v = q / ((N - 1) * B * H)
    sigma = 1.0 - N * T / W
    expected = (0.42 * (1 - sigma**2) + 4 * petukhov(re) / 4 * L / (2 * B) + (1 - sigma**2) ** 2) * RHO * v**2 / 2
    assert float(platefin.plate_fin_pressure_drop(q, W, L, H, N, T, RHO, MU).pressure_drop) == pytest.approx(
        expected, rel=1e-10)


def test_plate_fin_batch_mixing_regimes_matches_one_by_one() -> None:
    res = np.array([300.0, 2200.0, 2400.0, 6000.0, 1.2e4, 8e4])
    batch = platefin.plate_fin_thermal(flow_at(1.0) * res, W, L, H, N, T, K_FIN, RHO, MU, K_AIR, PR)
    assert np.allclose(batch.resistance, [resistance(r) for r in res], rtol=1e-12, atol=0.0)
    assert np.allclose(batch.reynolds, res, rtol=1e-12)
    assert np.allclose(batch.turbulent_weight, np.clip((res - 2300) / 7700, 0, 1), rtol=1e-12)


# ---------------------------------------------------------------------------------------- bypass


def passage_pressure_by_hand(q: float, w: float, h: float, length: float, lane_area: float) -> tuple[float, float]:
    """(dP [Pa], Re) of one rectangular passage (Shah & London fRe, the regime friction, K_c + K_e)."""
    area = w * h
    d_h = 2 * w * h / (w + h)
    a = min(w, h) / max(w, h)
    f_re = 24 - 32.527 * a + 46.721 * a**2 - 40.829 * a**3 + 22.954 * a**4 - 6.089 * a**5
    sigma = area / lane_area
    k = 0.42 * (1 - sigma**2) + (1 - sigma**2) ** 2
    v = q / area
    re = RHO * v * d_h / MU
    return (k + 4 * fanning_by_hand(re, length / d_h, f_re) * length / d_h) * RHO * v**2 / 2, re


def test_bypass_flow_law_solves_the_passage_equation_in_every_regime() -> None:
    w, h, length, lane = 0.02, 0.0245, 0.14, 0.125 * 0.035
    coefficients = bypass_coefficients(Bypass((w,), (h,), length, lane), RHO, MU)
    regimes = set()
    for p in (1e-3, 0.05, 1.0, 5.0, 20.0, 60.0, 250.0, 2000.0):
        q = float(bypass_flow(coefficients, p))
        p_hand, re = passage_pressure_by_hand(q, w, h, length, lane)
        assert p_hand == pytest.approx(p, rel=5e-4)
        regimes.add("laminar" if re < 2300 else "turbulent" if re >= 4000 else "transition")
    assert regimes == {"laminar", "transition", "turbulent"}


def test_bypass_creeping_flow_is_the_fully_developed_laminar_law() -> None:
    """p -> 0: Q = p D_h^2 A / (2 fRe mu L) (fully developed laminar, Shah & London fRe of the rectangle)."""
    w, h, length = 0.1, 0.0016, 0.14
    coefficients = bypass_coefficients(Bypass((w,), (h,), length, 0.125 * 0.035), RHO, MU)
    a = h / w
    f_re = 24 - 32.527 * a + 46.721 * a**2 - 40.829 * a**3 + 22.954 * a**4 - 6.089 * a**5
    d_h = 2 * w * h / (w + h)
    p = 1e-7
    assert float(bypass_flow(coefficients, p)) == pytest.approx(p * d_h**2 * w * h / (2 * f_re * MU * length),
                                                                rel=1e-3)
    assert float(bypass_flow(coefficients, 0.0)) == 0.0


def test_bypass_flow_rises_monotonically_and_sums_its_passages() -> None:
    both = Bypass((0.1, 0.02), (0.0016, 0.0245), 0.14, 0.125 * 0.035, lengths=(0.14, 0.07))
    p = np.geomspace(1e-4, 5e3, 4000)
    q = bypass_flow(bypass_coefficients(both, RHO, MU), p)
    assert np.all(np.diff(q) > 0.0)
    # the sum of each passage's flow from the hand equation, solved by bisection, with the entry/exit losses of
    # the common free-area ratio sigma of both passages
    for i in (0, 400, 2000, 3999):
        total = 0.0
        for (w, h, length) in ((0.1, 0.0016, 0.14), (0.02, 0.0245, 0.07)):
            sigma = (0.1 * 0.0016 + 0.02 * 0.0245) / (0.125 * 0.035)
            lo, hi = 0.0, 1.0
            for _ in range(200):
                mid = (lo + hi) / 2
                p_mid, _ = passage_pressure_by_hand(mid, w, h, length, w * h / sigma)
                lo, hi = (mid, hi) if p_mid < p[i] else (lo, mid)
            total += (lo + hi) / 2
        assert float(q[i]) == pytest.approx(total, rel=5e-4)


def test_bypass_without_open_passages_carries_nothing() -> None:
    closed = bypass_coefficients(Bypass((0.1,), (0.0,), 0.14, 0.01), RHO, MU)
    assert float(bypass_flow(closed, 100.0)) == 0.0


# ------------------------------------------------------------------------------------- validity


def test_assess_inside_near_and_outside() -> None:
    rng = Range("test", "x", 0.26, 175.0)
    status = assess([0.2, 0.27, 0.29, 50.0, 160.0, 174.0, 200.0], rng)
    assert status.tolist() == [2, 1, 0, 0, 1, 1, 2]     # near: below 0.286 or above 159.1 (10 % of the edge)
    assert note(50.0, rng) is None
    assert note(0.27, rng) == "test: x = 0.27 is within 10% of the edge (0.26) of its range 0.26-175"


def test_notes_name_the_correlation_quantity_value_and_range() -> None:
    # laminar, well inside
    assert platefin.plate_fin_notes(40.0, 1500.0, 0.05) == ()
    # approaching the laminar limit: 2300 / 1.1 = 2091
    (near,) = platefin.plate_fin_notes(40.0, 2150.0, 0.05)
    assert "laminar channel flow" in near and "channel Re = 2150" in near and "edge (2300)" in near
    # Re* outside Teertstra's range, and near its lower edge
    (low,) = platefin.plate_fin_notes(0.1, 50.0, 0.05)
    assert low.startswith("Teertstra et al. (1999) laminar heat transfer: Re* = 0.1 is outside its range 0.26-175")
    (edge,) = platefin.plate_fin_notes(0.28, 50.0, 0.05)
    assert "Re* = 0.28 is within 10% of the edge (0.26)" in edge
    # transition: said as such; the laminar end's Re* (40 * 2300 / 5000 = 18.4) is inside
    (trans,) = platefin.plate_fin_notes(40.0, 5000.0, 0.05)
    assert "VDI Heat Atlas G1 transition interpolation: channel Re = 5000" in trans and "2300-10000" in trans
    # turbulent: the short-duct factor near and past D_h/L = 1, Gnielinski near 5e6
    assert any("D_h/L = 0.95 is within 10%" in n for n in platefin.plate_fin_notes(1e4, 2e4, 0.95))
    assert any("D_h/L = 2.4 is outside" in n for n in platefin.plate_fin_notes(1e4, 2e4, 2.4))
    assert any("Gnielinski (1976) turbulent heat transfer: channel Re = 4700000" in n
               for n in platefin.plate_fin_notes(1e5, 4.7e6, 0.05))
    # no flow: nothing (T001 reports it)
    assert platefin.plate_fin_notes(0.0, 0.0, 0.05) == ()


def test_validity_record_notes_per_case() -> None:
    q = np.array([flow_at(1500.0), flow_at(2200.0)])
    valid = platefin.validity(q, W, L, H, N, T, RHO, MU)
    assert valid.notes(0) == () and "channel Re = 2200" in valid.notes(1)[0]
    assert np.allclose(valid.dh_over_length, 2 * B / L)


# ------------------------------------------------------------------------- passage under the base


def test_the_tray_example_has_the_passages_under_its_bases() -> None:
    """examples/tray-1u (make_meshes.py): the 120 x 140 mm base sits at z = 11.6 on a 70 x 70 mm package 4 mm
    tall on a board whose top is z = 7.6, the package centred across the base: two passages 25 mm wide
    ((120 - 70) / 2), 4 mm high, over the package's 70 mm along the flow."""
    from conftest import EXAMPLES
    from sledcheck.checks.registry import catalog
    from sledcheck.load.design import load_design
    from sledcheck.model.assembly import build_assembly
    from sledcheck.model.thermal import build_model

    model = build_model(build_assembly(load_design(EXAMPLES / "tray-1u" / "fixed.yaml", catalog())))
    assert model is not None
    (sink, *_), *_ = (lane.sinks for lane in model.lanes)
    bypass = sink.section.bypass
    under = list(zip(bypass.widths, bypass.heights, bypass.passage_lengths(), strict=True))[3:]
    assert len(under) == 2
    for w, h, length in under:
        assert (w, h, length) == pytest.approx((0.025, 0.004, 0.070), abs=1e-6)


def test_parts_in_the_gap_under_the_base_narrow_or_close_it(tmp_path: Path) -> None:
    """A 100 x 60 mm base 4 mm above the floor on a 40 x 40 mm package (x 30-70): 30 mm each side over the
    package's 40 mm. A foam strip 10 mm wide along the whole left gap leaves 20 mm; a screw-sized post in it
    changes nothing; a wall across the right gap closes it."""
    from rulecase import write_meshes

    from sledcheck.checks.registry import catalog
    from sledcheck.load.design import load_design
    from sledcheck.model.assembly import build_assembly
    from sledcheck.model.thermal import build_model

    write_meshes({
        "fan.stl": {"box": [[30, 0, 0], [70, 56, 40]]},
        "pkg.stl": {"box": [[30, 130, 0], [70, 170, 4]]},
        "hs.stl": {"plate_fin": {"fins": 20, "thickness": 1, "height": 20, "base": 3, "width": 100, "length": 60},
                   "at": [50, 150, 4]},
        "lid.stl": {"box": [[0, 60, 28], [100, 300, 29]]},
        "foam.stl": {"box": [[0, 120, 0], [10, 180, 4]]},
        "post.stl": {"box": [[15, 150, 0], [18, 153, 4]]},
        "wall.stl": {"box": [[70, 140, 0], [100, 145, 4]]},
    }, tmp_path)
    design = tmp_path / "design.yaml"
    design.write_text(textwrap.dedent("""\
        sledcheck: 1
        name: case
        units: mm
        parts:
          fan1: {file: fan.stl, role: fan}
          pkg: {file: pkg.stl, role: package}
          hs: {file: hs.stl, role: heatsink}
          lid: {file: lid.stl, role: lid}
          foam: {file: foam.stl, role: bracket}
          post: {file: post.stl, role: bracket}
          wall: {file: wall.stl, role: bracket}
        thermal:
          environment: {max_inlet: 35 degC, nominal_inlet: 25 degC}
          fans: {model: server-40x56-dual-rotor}
          lanes:
            - {name: lane, fans: [fan1], width: 100 mm, components: [pkg]}
          components:
            pkg: {power: 100 W, tj_max: 95 degC, r_jc: 0.05 K/W, tim: grease, heatsink: hs}
        """), encoding="utf-8")
    model = build_model(build_assembly(load_design(design, catalog())))
    assert model is not None and not model.problems
    (sink,) = model.lanes[0].sinks
    bypass = sink.section.bypass
    under = list(zip(bypass.widths, bypass.heights, bypass.passage_lengths(), strict=True))[3:]
    assert under == [pytest.approx((0.020, 0.004, 0.040), abs=1e-6)]
