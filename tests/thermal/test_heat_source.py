"""The heat source is defined, not implied (issue 12 item 1): ``package: bare | lidded`` with ``die`` and ``lid``,
the TIM on the area it wets, base spreading from the die or the lid, and Tj from the source centroid
(``junction: peak``) or the source average."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from conftest import EXAMPLES, Run, tray_scratch
from sledcheck.thermal.spreading import series_spreading

TRAY = EXAMPLES / "tray-1u"
FIXED = (TRAY / "fixed.yaml").read_text()
LEGACY = "source: [40 mm, 40 mm]"
#: models/tims.yaml phase-change: 25 um at 6.5 W/(m K) (Honeywell PTM7950 data sheet)
BLT_M, K_TIM = 25e-6, 6.5


def test_centroid_minus_average_is_the_half_space_closed_form() -> None:
    """A small square source deep inside a large plate sees a half-space near it. Uniform flux on a square of
    side s on a half-space: centroid psi = 2 ln(1 + sqrt 2) / pi = 0.5611, average psi = (2/pi) (ln(1 + sqrt 2)
    - (sqrt 2 - 1)/3) = 0.4732, with R = psi / (k sqrt A) (M. M. Yovanovich, "Thermal spreading and contact
    resistance", Heat Transfer Handbook ch. 4, Wiley 2003, table of isoflux rectangles). The far field (the cooled
    bottom, the plate's edges) moves both alike, so their difference is a property of the source alone:
    (R_centroid - R_average) k s = 2 (sqrt 2 - 1) / (3 pi) = 0.087899."""
    side, k = 4e-3, 1.0
    r = series_spreading(side, side, 40e-3, 40e-3, 20e-3, k, 0.0, maximum=False, centroid=True)
    assert (r.centroid - r.average) * k * side == pytest.approx(2 * (math.sqrt(2) - 1) / (3 * math.pi), rel=2e-3)
    assert math.isnan(r.maximum)


def test_centroid_matches_the_series_summed_by_hand() -> None:
    """Muzychka, Culham and Yovanovich (J. Electron. Packag. 125:178, 2003), eq. for the surface temperature of
    an eccentric source, summed here term by term in the paper's own form: theta(x, y)/Q - R_1D =
    sum' X_m Y_n cos(lambda_m x) cos(delta_n y) / (c_x c_y k beta phi(beta)), phi(beta) = (beta tanh(beta t) +
    h/k) / (beta + h/k tanh(beta t)), X_m = 4 cos(lambda_m X_c) sin(lambda_m c_x/2) / (L_x lambda_m), X_0 =
    c_x/L_x; evaluated at the source centroid, 600 x 600 modes."""
    cx, cy, lx, ly, t, k, r0, ox, oy = 10e-3, 8e-3, 20e-3, 30e-3, 3e-3, 200.0, 0.5, 2e-3, -3e-3
    h = 1.0 / (r0 * lx * ly)
    xc, yc = lx / 2 + ox, ly / 2 + oy

    def coefficients(n: int, c: float, length: float, centre: float) -> tuple[np.ndarray, np.ndarray]:
        m = np.arange(n)
        lam = m * math.pi / length
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(m == 0, c / length, 4 * np.cos(lam * centre) * np.sin(lam * c / 2) / (length * lam))
        return lam, x * np.cos(lam * centre)

    lam, wx = coefficients(600, cx, lx, xc)
    dlt, wy = coefficients(600, cy, ly, yc)
    beta = np.hypot(lam[:, None], dlt[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = (beta * np.tanh(beta * t) + h / k) / (beta + h / k * np.tanh(beta * t))
        term = wx[:, None] * wy[None, :] / (cx * cy * k * beta * phi)
    term[0, 0] = 0.0
    by_hand = float(term.sum())
    r = series_spreading(cx, cy, lx, ly, t, k, r0, ox, oy, maximum=False, centroid=True)
    assert r.centroid == pytest.approx(by_hand, rel=1e-4)
    assert r.centroid > r.average   # the centroid of a uniform-flux source is hotter than its mean


def _variant(tmp_tag: str, text: str) -> Iterator[Path]:
    path = tray_scratch() / f"_heat_source_{tmp_tag}.yaml"
    path.write_text(FIXED.replace(LEGACY, text))
    try:
        yield path
    finally:
        path.unlink()


@pytest.fixture(scope="module")
def models() -> dict[str, object]:
    """The example's model read as it is (legacy), as a bare die and as a lidded package (70 mm lid)."""
    from sledcheck.model.assembly import build_assembly
    from sledcheck.model.thermal import build_model
    from sledcheck.pipeline import load

    out: dict[str, object] = {}
    for tag, text in (("legacy", LEGACY), ("bare", "package: bare, die: [40 mm, 40 mm]"),
                      ("lidded", "package: lidded, die: [40 mm, 40 mm], lid: [70 mm, 70 mm]"),
                      ("bare_average", "package: bare, die: [40 mm, 40 mm], junction: average")):
        for path in _variant(tag, text):
            out[tag] = build_model(build_assembly(load(path)))
    return out


@pytest.mark.parametrize(("tag", "tim_side_m", "source_side_m", "peak"), [
    ("legacy", 0.070, 0.040, False),        # TIM over the 70 x 70 mm package, spreading from `source`, average
    ("bare", 0.040, 0.040, True),           # TIM on the die, spreading from the die, centroid
    ("bare_average", 0.040, 0.040, False),
    ("lidded", 0.070, 0.070, True),         # TIM on the lid, spreading from the lid, centroid
])
def test_tim_and_spreading_use_the_declared_source(models: dict, tag: str, tim_side_m: float,
                                                   source_side_m: float, peak: bool) -> None:
    """R_TIM = BLT / (k A) on the area the TIM wets (Prasher 2006, Proc. IEEE 94:1571), and the spreading table
    equals the series for the declared source at the centroid (peak) or over the source (average)."""
    comp = models[tag].lanes[0].components[0]
    assert comp.r_tim == pytest.approx(BLT_M / (K_TIM * tim_side_m**2), rel=1e-9)
    sink = comp.sink
    for r0 in (0.05, 0.3):
        direct = series_spreading(source_side_m, source_side_m, sink.base_x_m, sink.base_y_m,
                                  sink.fins.base_thickness * 1e-3, comp.spec.heatsink_conductivity, r0,
                                  maximum=False, centroid=True)
        expected = direct.centroid if peak else direct.average
        assert float(comp.spreading(r0)) == pytest.approx(expected, rel=1e-3)


def test_the_bare_reading_adds_the_peak_and_the_die_tim_to_tj(models: dict) -> None:
    """End to end: at the same airflow and R_hs, Tj(bare, peak) - Tj(legacy) = P [(R_c - R_avg)(die) +
    BLT/(k A_die) - BLT/(k A_package)], the spreading terms from the series directly."""
    from sledcheck.model.thermal.evaluate import evaluate

    legacy, bare = models["legacy"], models["bare"]
    working = {lane.lane.name: float(len(lane.lane.fans)) for lane in legacy.lanes}   # every fan running
    out_legacy = evaluate(legacy, 35.0, working)
    out_bare = evaluate(bare, 35.0, working)
    r_hs = float(out_legacy.chain["package0"]["r_heatsink"])
    assert float(out_bare.chain["package0"]["r_heatsink"]) == pytest.approx(r_hs, rel=1e-12)
    sink = legacy.lanes[0].components[0].sink
    k_cu = legacy.lanes[0].components[0].spec.heatsink_conductivity
    assert k_cu == pytest.approx(398.0, rel=0.05)
    direct = series_spreading(0.04, 0.04, sink.base_x_m, sink.base_y_m, sink.fins.base_thickness * 1e-3, k_cu,
                              r_hs, maximum=False, centroid=True)
    expected = 300.0 * (direct.centroid - direct.average + BLT_M / K_TIM * (1 / 0.04**2 - 1 / 0.07**2))
    delta = float(out_bare.temperature["package0"] - out_legacy.temperature["package0"])
    assert delta == pytest.approx(expected, rel=2e-3)
    assert 4.5 < delta < 7.0   # the audit's reading: +5.3 K peak, +0.5 K TIM on the die (issue 12)


@pytest.mark.parametrize(("new", "fragment"), [
    ("die: [40 mm, 40 mm]", "die needs package: bare or package: lidded"),
    ("package: lidded, die: [40 mm, 40 mm]", "package: lidded needs lid: [x size, y size]"),
    ("package: bare", "package: bare needs die: [x size, y size]"),
    ("package: bare, die: [40 mm, 40 mm], lid: [70 mm, 70 mm]", "a bare die has no lid"),
    ("package: lidded, die: [80 mm, 40 mm], lid: [70 mm, 70 mm]", "is larger than the lid"),
    ("package: bare, die: [40 mm, 40 mm], source: [40 mm, 40 mm]", "give either source"),
    ("package: bare, die: [40 mm]", "expected [x size, y size] of the die"),
    ("package: bare, die: [40 mm, 40 mm], junction: hottest", "'hottest' is not allowed"),
    ("package: boxed, die: [40 mm, 40 mm]", "'boxed' is not allowed"),
    ("package: bare, die: [90 mm, 40 mm]", "larger than its part's footprint"),
])
def test_heat_source_errors(cli: Callable[..., Run], new: str, fragment: str) -> None:
    path = tray_scratch() / "_heat_source_error.yaml"
    try:
        path.write_text(FIXED.replace(LEGACY, new, 1))
        result = cli("check", path)
    finally:
        path.unlink()
    text = result.err + result.out
    assert fragment in text, text[-2000:]
    if "footprint" not in fragment:     # a design error (exit 2, file:line); the footprint is a CAD finding
        assert result.code == 2 and "_heat_source_error.yaml:" in result.err
