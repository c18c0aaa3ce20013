"""Pin-fin heat sink (Khan-Culham-Yovanovich): each part of the model against a published value or an independent
computation written here (the tube-bank correlations of the ``ht`` package, Zukauskas' friction charts as fitted
in ``ht``, a numerical solution of the fin equation, a row-by-row energy balance).

The KCY papers' own figures and tables were not available to read numbers from, so no value below is read off
them; every expected value says where it comes from.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import trimesh
from ht.conv_tube_bank import Nu_ESDU_73031, Nu_Grimison_tube_bank, Nu_HEDH_tube_bank, dP_Zukauskas

from conftest import Run
from sledcheck.thermal import pinfin as pin
from sledcheck.thermal.heatsink import HeatSink, PinFin
from sledcheck.thermal.network import Bypass, FinSection, solve_lane
from sledcheck.units import Q_

# Air at about 30 degC, 1 atm (the project's air module gives the same to 3 digits; fixed here so the test reads
# the model alone)
RHO, MU, K_AIR, CP = 1.1644, 1.886e-5, 0.02624, 1004.9
PR = MU * CP / K_AIR


def test_max_velocity_of_incropera_example_7_7() -> None:
    # Incropera, DeWitt, Bergman, Lavine, Fundamentals of Heat and Mass Transfer, 6th ed., Example 7.7: staggered
    # bank, D = 16.4 mm, S_T = 31.3 mm, S_L = 34.3 mm, V = 6 m/s -> V_max = 12.6 m/s (the transverse gap governs)
    v = pin.max_velocity(6.0, 0.0164, 0.0313, 0.0343, "staggered")
    assert v == pytest.approx(12.6, abs=0.05)
    assert pin.max_velocity(6.0, 0.0164, 0.0313, 0.0343, "in-line") == pytest.approx(v, rel=1e-12)


def test_max_velocity_where_the_diagonal_gap_governs() -> None:
    # S_T = 2 D, S_L = 0.6 D: S_D = sqrt(0.36 + 1) D = 1.16619 D, the two diagonal gaps 2 (S_D - D) = 0.33238 D are
    # narrower than S_T - D = D, so V_max = S_T V / (2 (S_D - D)) = 2 / 0.33238 V = 6.0172 V (Incropera section 7.6)
    d = 3e-3
    assert pin.max_velocity(1.0, d, 2 * d, 0.6 * d, "staggered") == pytest.approx(2 / (2 * (np.sqrt(1.36) - 1)),
                                                                                   rel=1e-12)
    assert pin.max_velocity(1.0, d, 2 * d, 0.6 * d, "staggered") == pytest.approx(6.0172, rel=1e-4)


GEOMETRIES = [(2.0, 2.0, "in-line"), (1.5, 1.5, "in-line"), (2.5, 2.5, "in-line"),
              (2.0, 1.5, "staggered"), (2.0, 1.732, "staggered"), (2.5, 2.0, "staggered")]


@pytest.mark.parametrize(("a", "b", "layout"), GEOMETRIES)
@pytest.mark.parametrize("re", [300.0, 1000.0, 3000.0])
def test_pin_nusselt_lies_within_the_published_tube_bank_correlations(a: float, b: float, layout: str,
                                                                      re: float) -> None:
    # Independent: three tube-bank correlations as implemented in ht (Grimison 1937; ESDU 73031; VDI / HEDH,
    # Gnielinski), 20 rows (no row correction), same Re_D(U_max), Pr and pitches. They differ by a factor of about
    # two among themselves; the KCY analytical model must lie inside their spread.
    d = 3e-3
    others = [Nu_Grimison_tube_bank(Re=re, Pr=PR, Do=d, tube_rows=20, pitch_parallel=b * d, pitch_normal=a * d),
              Nu_ESDU_73031(Re=re, Pr=PR, tube_rows=20, pitch_parallel=b * d, pitch_normal=a * d),
              Nu_HEDH_tube_bank(Re=re, Pr=PR, Do=d, tube_rows=20, pitch_parallel=b * d, pitch_normal=a * d)]
    nu = float(pin.nusselt_pins(re, PR, a, b, layout))
    assert min(others) < nu < max(others)


def test_c1_values() -> None:
    # the written equations evaluated factor by factor: in-line a = b = 2: (0.25 + e^-1.1) 2^0.285 2^0.212
    #   = 0.582871 * 1.218410 * 1.158293 = 0.822592; staggered a = 2, b = 1.5:
    #   0.61 * 2^0.091 * 1.5^0.053 / (1 - 2 e^-1.635) = 0.61 * 1.065108 * 1.021722 / 0.610095 = 1.088075
    assert pin.c1_in_line(2.0, 2.0) == pytest.approx(0.822592, rel=1e-5)
    assert pin.c1_staggered(2.0, 1.5) == pytest.approx(1.088075, rel=1e-5)


@pytest.mark.parametrize(("a", "b", "layout", "re"), [
    (2.0, 2.0, "in-line", 1000.0), (2.0, 2.0, "in-line", 3000.0), (1.5, 1.5, "in-line", 1000.0),
    (2.0, 1.5, "staggered", 300.0), (2.0, 1.5, "staggered", 1000.0), (2.0, 1.5, "staggered", 3000.0),
    (2.0, 1.732, "staggered", 1000.0), (1.5, 1.25, "staggered", 1000.0)])
def test_friction_against_zukauskas_charts(a: float, b: float, layout: str, re: float) -> None:
    # Independent: Zukauskas' friction factor and correction charts (Zukauskas 1972; Incropera eq. 7.61,
    # dP = N_L chi f rho V_max^2 / 2) as digitised in ht.dP_Zukauskas, which reads equal pitches as in-line and
    # unequal ones as staggered. KCY fitted Jakob's form to these charts; within 30 % here.
    d, rows, v = 3e-3, 10, re * MU / (RHO * 3e-3)
    want = dP_Zukauskas(Re=re, n=rows, ST=a * d, SL=b * d, D=d, rho=RHO, Vmax=v)
    f = pin.friction_staggered(re, a, b) if layout == "staggered" else pin.friction_in_line(re, a, b)
    assert rows * float(f) * RHO * v**2 / 2 == pytest.approx(want, rel=0.30)


def test_pin_efficiency_against_the_fin_equation() -> None:
    # Independent: solve theta'' = m^2 theta, theta(0) = 1, theta'(H) = 0 numerically (scipy solve_bvp), then
    # eta = q / (h pi D H theta_b) with q = -k A_c theta'(0)
    from scipy.integrate import solve_bvp

    h, k, d, height = 120.0, 200.0, 3e-3, 0.03
    m2 = 4 * h / (k * d)
    x = np.linspace(0, height, 50)
    sol = solve_bvp(lambda _x, y: np.vstack([y[1], m2 * y[0]]), lambda ya, yb: np.array([ya[0] - 1, yb[1]]), x,
                    np.vstack([np.ones_like(x), np.zeros_like(x)]), tol=1e-10)
    q = -k * np.pi * d**2 / 4 * sol.sol(0.0)[1]
    assert pin.pin_efficiency(h, k, d, height) == pytest.approx(q / (h * np.pi * d * height), rel=1e-6)


def _sink(layout: str = "staggered") -> PinFin:
    # 13 x 13 pins of 3 mm at 6 mm pitch on 78 x 78 mm, 30 mm tall, aluminium 6063 (k = 200 W/(m K))
    return PinFin(width_m=0.078, length_m=0.078, fin_height_m=0.03, pin_diameter_m=0.003, pitch_across_m=0.006,
                  pitch_along_m=0.006, rows=13, pin_count=169, layout=layout, fin_conductivity_w_mk=200.0)


def test_resistance_against_a_row_by_row_energy_balance() -> None:
    # Independent: march the air through the array in 2000 slices, each slice taking UA / 2000 of the surface at
    # the sink's temperature (explicit energy balance), to get the inlet-referred resistance (T_s - T_in) / q
    sink = _sink()
    q_air = 0.01
    perf = sink.performance(q_air, RHO, MU, K_AIR, PR)
    m_cp = RHO * q_air * CP
    t_air, steps = 0.0, 2000   # the sink at 1 K above the inlet air
    for _ in range(steps):
        t_air += float(perf.ua) / steps * (1.0 - t_air) / m_cp
    assert float(perf.resistance) == pytest.approx(1.0 / (m_cp * t_air), rel=1e-3)
    # and the air's temperature rise is a real share: above KCY's 1/UA (to the approach air)
    assert float(perf.resistance) > 1.0 / float(perf.ua)


def test_resistance_against_an_independent_tube_bank_computation() -> None:
    # Independent chain with ht's VDI / HEDH and Grimison tube-bank Nusselt numbers in place of KCY's C1 (same
    # U_max, fin efficiency, exposed base, inlet referral): KCY's R lies between the two.
    sink, q_air = _sink(), 0.01
    perf = sink.performance(q_air, RHO, MU, K_AIR, PR)
    d, re = 0.003, float(perf.reynolds)

    def resistance(nu: float) -> float:
        h = nu * K_AIR / d
        m = np.sqrt(4 * h / (200.0 * d))
        eta = np.tanh(m * 0.03) / (m * 0.03)
        ua = 169 * eta * h * np.pi * d * 0.03 + float(perf.h_base) * (0.078**2 - 169 * np.pi * d**2 / 4)
        m_cp = RHO * q_air * CP
        return 1.0 / (m_cp * (1 - np.exp(-ua / m_cp)))

    kw: dict[str, Any] = {"Re": re, "Pr": PR, "Do": d, "tube_rows": 13, "pitch_parallel": 0.006,
                          "pitch_normal": 0.006}
    low, high = resistance(Nu_HEDH_tube_bank(**kw)), resistance(Nu_Grimison_tube_bank(**kw))
    assert low < float(perf.resistance) < high


def test_pressure_drop_terms_and_zero_flow() -> None:
    sink = _sink("in-line")
    terms = sink.pressure_terms(0.01, RHO, MU)
    # dP = (K_c + K_e + N_L f) rho U_max^2 / 2 with U_max = 0.01 / (0.078 * 0.03) * 6 / 3 (in-line)
    u_max = 0.01 / (0.078 * 0.03) * 2.0
    assert float(terms.max_velocity) == pytest.approx(u_max, rel=1e-12)
    sigma = 0.5
    k_c, k_e = -0.0311 * sigma**2 - 0.3722 * sigma + 1.0676, 0.9301 * sigma**2 - 2.5746 * sigma + 0.973
    assert float(terms.pressure_drop) == pytest.approx((k_c + k_e + 13 * float(terms.friction)) * RHO * u_max**2 / 2,
                                                       rel=1e-12)
    dp = sink.pressure_drop(np.array([0.0, -1.0, 0.005, 0.01]), RHO, MU)
    assert dp[0] == 0.0 and dp[1] == 0.0 and 0 < dp[2] < dp[3]
    assert np.isnan(sink.thermal_resistance(0.0, RHO, MU, K_AIR, PR))   # no flow: as PlateFin


def test_validity_notes() -> None:
    sink = _sink()
    valid = sink.validity(np.array([1e-4, 0.01, 0.0]), RHO, MU)
    assert valid.re_star_in_range.tolist() == [False, True, False]
    low = valid.notes(0)
    assert any(n.startswith("Khan-Culham-Yovanovich pin-fin heat transfer: Re_D = ") and "outside its range 40-"
               in n for n in low)
    assert valid.notes(1) == ()       # S_T/D = S_L/D = 2 and Re_D ~ 1600: inside everything
    assert valid.notes(2) == ()       # no flow: T001's business
    wide = PinFin(0.078, 0.078, 0.03, 0.003, 0.0075, 0.006, 13, 130, "in-line", 200.0)
    assert any("S_T/D = 2.5 is within 10% of the edge (2.5)" in n for n in wide.validity(0.01, RHO, MU).notes(None))


def test_staggered_beats_in_line_at_the_same_pitch() -> None:
    # the textbook ordering (Incropera section 7.6; Khan et al. 2005): staggered arrays transfer more heat and cost
    # more pressure than in-line ones of the same pitches
    a, b = _sink("staggered"), _sink("in-line")
    assert a.thermal_resistance(0.01, RHO, MU, K_AIR, PR) < b.thermal_resistance(0.01, RHO, MU, K_AIR, PR)
    assert a.pressure_drop(0.01, RHO, MU) > b.pressure_drop(0.01, RHO, MU)


def test_bad_pins_are_refused() -> None:
    with pytest.raises(ValueError, match="layout"):
        PinFin(0.078, 0.078, 0.03, 0.003, 0.006, 0.006, 13, 169, "hexagonal")
    with pytest.raises(ValueError, match="overlap"):
        PinFin(0.078, 0.078, 0.03, 0.007, 0.006, 0.006, 13, 169, "in-line")


def test_pin_fin_in_the_lane_network_vectorised() -> None:
    sink = _sink()
    assert isinstance(sink, HeatSink)
    from sledcheck.thermal.fans import FanCurve

    fan = FanCurve(flow=Q_([0.0, 0.01, 0.02, 0.03], "m^3/s"), pressure=Q_([400.0, 300.0, 150.0, 0.0], "Pa"))
    section = FinSection(sink=sink, bypass=Bypass(widths=(0.078,), heights=(0.003,), length=0.078,
                                                  lane_area=0.078 * 0.035))
    speeds = np.array([0.6, 0.8, 1.0])
    flow = solve_lane(fan, 2.0, speeds, 1.0, 0.078 * 0.035, 1.0, (section,), RHO, MU)
    fin = flow.fin_flows[0]
    assert np.all(np.diff(fin) > 0)
    # the fins' share of the lane's pressure: the fins' pressure drop at their flow is the lane network's
    dp = sink.pressure_drop(fin, RHO, MU)
    assert np.all(dp > 0) and np.all(np.diff(dp) > 0)
    r = sink.thermal_resistance(fin, RHO, MU, K_AIR, PR)
    one = [float(sink.thermal_resistance(float(q), RHO, MU, K_AIR, PR)) for q in fin]
    assert r == pytest.approx(one, rel=1e-12)


# ------------------------------------------------------------------------------------------------------
# end to end: tests/data/pinfin/design.yaml with a pin-fin sink drawn (or declared) on a package

DESIGN = Path(__file__).resolve().parents[1] / "data" / "pinfin" / "design.yaml"


def _box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
    lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
    return trimesh.creation.box(extents=hi_a - lo_a,
                                transform=trimesh.transformations.translation_matrix((lo_a + hi_a) / 2))


def _write_design(folder: Path, sink: trimesh.Trimesh | None = None) -> Path:
    """The design with its meshes: fans, package, the sink (default: 10 x 10 staggered 3 mm pins at 6 mm on a
    60 x 60 x 4 mm base centred on the package), a 1 mm lid 1 mm above the pin tips (z = 34)."""
    from test_pinfin_recognition import pin_sink

    if sink is None:
        sink = pin_sink("staggered", rows=10, per_row=10, d=3.0, s_along=6.0, s_across=6.0)
        sink.apply_translation((50 - 30, 150 - 30, 4))
    meshes = {"fan1.stl": _box((10, 0, 0), (49, 56, 40)), "fan2.stl": _box((51, 0, 0), (90, 56, 40)),
              "pkg.stl": _box((30, 130, 0), (70, 170, 4)), "hs.stl": sink, "lid.stl": _box((0, 60, 34), (100, 300, 35))}
    for name, mesh in meshes.items():
        mesh.export(folder / name)
    shutil.copy(DESIGN, folder / "design.yaml")
    return folder / "design.yaml"


def _independent_bounds(q_fin: float, t_air_c: float) -> tuple[float, float]:
    """R_hs [K/W] of the drawn sink at fin flow ``q_fin`` [m^3/s] with the tube-bank Nusselt numbers of ht (VDI /
    HEDH above, Grimison below KCY) in the same chain (U_max of the 10-pin rows, tanh fin efficiency, the exposed
    base at KCY's h_b, inlet referral), air from sledcheck.thermal.air (checked against CoolProp in
    test_thermal_air.py) at 1 atm (altitude 0 in the design)."""
    from sledcheck.thermal import air

    t = t_air_c + 273.15
    rho, mu, k, pr = (float(air.density(t, 101325.0)), float(air.viscosity(t)), float(air.conductivity(t)),
                      float(air.prandtl(t)))
    d, s, n, rows, height, k_al = 3e-3, 6e-3, 95, 10, 0.025, 200.0   # aluminium-6063, models/materials.yaml
    u_max = q_fin / (10 * s * height) * s / (s - d)                     # the transverse gap governs (S_D > 0.75 S_T)
    re = rho * u_max * d / mu
    h_b = 0.664 * np.sqrt(rho * u_max * 0.06 / mu) * pr ** (1 / 3) * k / 0.06
    m_cp = rho * q_fin * pr * k / mu

    def resistance(nu: float) -> float:
        h = nu * k / d
        m = np.sqrt(4 * h / (k_al * d))
        ua = n * np.tanh(m * height) / (m * height) * h * np.pi * d * height + h_b * (0.06**2 - n * np.pi * d**2 / 4)
        return 1.0 / (m_cp * -np.expm1(-ua / m_cp))

    kw: dict[str, Any] = {"Re": re, "Pr": pr, "Do": d, "tube_rows": rows, "pitch_parallel": s, "pitch_normal": s}
    return resistance(Nu_HEDH_tube_bank(**kw)), resistance(Nu_Grimison_tube_bank(**kw))


def test_design_with_a_drawn_pin_fin_sink(tmp_path: Path, cli: Callable[..., Run]) -> None:
    path = _write_design(tmp_path)
    run = cli("check", path, "--format", "json")
    assert run.code == 0, run.out + run.err
    report = json.loads(run.out)
    (entry,) = report["thermal"]["heatsinks"]
    assert {k: entry[k] for k in ("part", "type", "source", "layout", "pin_count", "fin_count")} == \
        {"part": "hs", "type": "pin-fin", "source": "cad", "layout": "staggered", "pin_count": 95, "fin_count": 95}
    values = {k: entry[k]["value"] for k in ("pin_diameter", "pitch_along", "pitch_across", "fin_height",
                                            "base_thickness", "length", "width", "tip_gap", "fin_gap")}
    assert values == pytest.approx({"pin_diameter": 3.0, "pitch_along": 6.0, "pitch_across": 6.0, "fin_height": 25.0,
                                    "base_thickness": 4.0, "length": 57.0, "width": 57.0, "tip_gap": 1.0,
                                    "fin_gap": 3.0}, abs=1e-4)
    cfm = 0.028316846592 / 60   # m^3/s per CFM
    for scenario in report["thermal"]["scenarios"]:
        (comp,) = scenario["components"]
        margin = comp["margin"]["value"]
        assert 5.0 < margin < 60.0, scenario["name"]         # a sane, passing margin for 150 W
        r_hs = comp["resistances"]["r_heatsink"]["value"]
        low, high = _independent_bounds(comp["fin_flow"]["value"] * cfm, comp["local_inlet"]["value"])
        assert low < r_hs < high, (scenario["name"], low, r_hs, high)
        # the band's correlation part: P R_hs x 20 % for pin fins (the tube-bank correlations' spread, above)
        correlation = comp["margin_band"]["parts"]["heat-sink correlation"]["value"]
        assert correlation == pytest.approx(150.0 * r_hs * 0.20, rel=1e-4)
    text = cli("check", path).out
    assert "hs: pin-fin (cad), 95 pins 3 mm staggered, pitch 6 x 6 mm (along x across), 25 mm tall, field 57 x 57 mm" \
        in text


def test_design_with_a_declared_pin_fin_sink(tmp_path: Path, cli: Callable[..., Run]) -> None:
    """A block the recogniser cannot read, declared as the same pins: the same pin count (10 x 10 staggered, every
    other row one pin fewer), source 'declared', and a margin within a few kelvin of the drawn sink's (the declared
    field is the 60 x 60 mm footprint)."""
    path = _write_design(tmp_path, _box((20, 120, 4), (80, 180, 33)))
    text = path.read_text().replace("required_margin: 5 K}", "required_margin: 5 K,\n          heatsink_geometry: "
                                    "{type: pin-fin, pin_diameter: 3 mm, pitch: [6 mm, 6 mm], layout: staggered, "
                                    "fin_height: 25 mm, base_thickness: 4 mm}}")
    path.write_text(text)
    run = cli("check", path, "--format", "json")
    assert run.code == 0, run.out + run.err
    (entry,) = json.loads(run.out)["thermal"]["heatsinks"]
    assert (entry["source"], entry["type"], entry["pin_count"], entry["layout"]) == \
        ("declared", "pin-fin", 95, "staggered")
    assert (entry["width"]["value"], entry["length"]["value"]) == (60.0, 60.0)


@pytest.mark.parametrize(("geometry", "message"), [
    ("{type: pin-fin, pin_diameter: 7 mm, pitch: 6 mm, layout: in-line, fin_height: 25 mm, base_thickness: 4 mm}",
     "touch their neighbours"),
    ("{type: pin-fin, pin_diameter: 3 mm, pitch: 6 mm, layout: hexagonal, fin_height: 25 mm, base_thickness: 4 mm}",
     "layout"),
    ("{type: pin-fin, pin_diameter: 3 mm, pitch: [6 mm], layout: in-line, fin_height: 25 mm, base_thickness: 4 mm}",
     "along, across"),
    ("{type: pin-fin, pin_diameter: 3 mm, layout: in-line, fin_height: 25 mm, base_thickness: 4 mm}", "pitch"),
])
def test_bad_declared_pins(tmp_path: Path, cli: Callable[..., Run], geometry: str, message: str) -> None:
    path = _write_design(tmp_path, _box((20, 120, 4), (80, 180, 33)))
    path.write_text(path.read_text().replace("required_margin: 5 K}", "required_margin: 5 K,\n          "
                                             f"heatsink_geometry: {geometry}}}"))
    run = cli("check", path)
    assert run.code not in (0, 1)
    assert message in run.err and "design.yaml" in run.err and "heatsink_geometry" in run.err


def test_pitch_outside_the_friction_fit_is_a_t002_warning(tmp_path: Path, cli: Callable[..., Run]) -> None:
    """3 mm pins at 8 mm: S_T/D = S_L/D = 2.67, beyond the 1.25-2.5 of Zukauskas' charts the KCY friction was fitted
    to: a T002 warning naming the correlation, the quantity, its value and the range."""
    path = _write_design(tmp_path, _box((20, 120, 4), (80, 180, 33)))
    path.write_text(path.read_text().replace("required_margin: 5 K}", "required_margin: 5 K,\n          "
                                             "heatsink_geometry: {type: pin-fin, pin_diameter: 3 mm, pitch: 8 mm, "
                                             "layout: in-line, fin_height: 25 mm, base_thickness: 4 mm}}"))
    run = cli("check", path, "--format", "json")
    findings = [f for f in json.loads(run.out)["findings"] if f["code"] == "T002"]
    messages = " | ".join(f["message"] for f in findings)
    assert "Khan-Culham-Yovanovich pin-fin friction (fit to Zukauskas' charts): S_T/D = 2.67 is outside its range " \
           "1.25-2.5" in messages
    assert "S_L/D = 2.67" in messages
