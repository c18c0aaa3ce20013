"""Spreading resistance: Lee closed form, the exact Fourier series, and an independent finite-volume check."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from sledcheck.thermal import spreading_resistance
from sledcheck.thermal.spreading import lee_spreading, series_spreading
from sledcheck.units import Q_, UnitError

# ----------------------------------------------------------------------- independent finite-volume solver


class FV(NamedTuple):
    average: float  # spreading-only, source-average top temperature [K/W]
    maximum: float  # spreading-only, hottest source cell (top surface) [K/W]


def fv_plate(lx: float, ly: float, t: float, k: float, r0: float, source: tuple[float, float, float, float],
             nx: int, ny: int, nz: int) -> FV:
    """3-D steady conduction in a plate, cell-centred finite volumes (second order), Q = 1 W.

    Uniform flux on ``source`` = (x0, x1, y0, y1) of the top face (edges on cell faces), convection
    h = 1/(r0 lx ly) to a fluid at 0 on the bottom, adiabatic elsewhere; scipy.sparse matrix, solved by
    Jacobi-preconditioned conjugate gradients. Written independently of the series (no shared code).
    """
    h = 1.0 / (r0 * lx * ly)
    dx, dy, dz = lx / nx, ly / ny, t / nz
    n = nx * ny * nz
    idx = np.arange(n).reshape(nx, ny, nz)
    rows, cols, vals, diag = [], [], [], np.zeros(n)

    def couple(a: np.ndarray, b: np.ndarray, g: float) -> None:
        a, b = a.ravel(), b.ravel()
        rows.extend([a, b])
        cols.extend([b, a])
        vals.extend([np.full(a.size, -g)] * 2)
        np.add.at(diag, a, g)
        np.add.at(diag, b, g)

    couple(idx[:-1], idx[1:], k * dy * dz / dx)
    couple(idx[:, :-1], idx[:, 1:], k * dx * dz / dy)
    couple(idx[:, :, :-1], idx[:, :, 1:], k * dx * dy / dz)
    np.add.at(diag, idx[:, :, -1].ravel(), dx * dy / (dz / (2 * k) + 1.0 / h))  # half cell + film
    rows.append(np.arange(n))
    cols.append(np.arange(n))
    vals.append(diag)
    mat = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    xc, yc = (np.arange(nx) + 0.5) * dx, (np.arange(ny) + 0.5) * dy
    x0, x1, y0, y1 = source
    src = (xc[:, None] > x0) & (xc[:, None] < x1) & (yc[None, :] > y0) & (yc[None, :] < y1)
    q = 1.0 / (src.sum() * dx * dy)
    rhs = np.zeros(n)
    rhs[idx[:, :, 0][src]] = q * dx * dy
    sol, info = spla.cg(mat, rhs, M=sp.diags(1.0 / mat.diagonal()), rtol=1e-11, maxiter=50_000)
    assert info == 0
    top = sol.reshape(nx, ny, nz)[:, :, 0][src] + q * dz / (2 * k)  # cell centre -> surface
    r_1d = t / (k * lx * ly) + r0
    return FV(float(top.mean()) - r_1d, float(top.max()) - r_1d)


# Plate 40 x 40 x 3 mm, k = 200 W/(m K), R0 = 0.2 K/W (h = 3125 W/(m^2 K)): spreading is about a third of
# the total, so the comparison is sensitive. Grid 0.5 mm x 0.5 mm x 0.25 mm (80 x 80 x 12 cells).
LX, LY, T, K, R0 = 0.040, 0.040, 0.003, 200.0, 0.2


def test_series_matches_finite_volume_centred_source() -> None:
    fv = fv_plate(LX, LY, T, K, R0, (0.015, 0.025, 0.015, 0.025), 80, 80, 12)
    s = series_spreading(0.010, 0.010, LX, LY, T, K, R0)
    # FV (second order, 0.5 mm cells) is within about 0.5 % of the exact series; 2 % leaves margin
    assert s.average == pytest.approx(fv.average, rel=0.02)
    assert s.maximum == pytest.approx(fv.maximum, rel=0.02)
    assert (s.max_x, s.max_y) == (0.0, 0.0)  # centred: the maximum is the centroid
    assert s.maximum == pytest.approx(s.centroid, rel=1e-12)


@pytest.mark.slow   # (a fine finite-volume solve; .ci/run runs the slow thermal tests after the suite)
def test_series_matches_finite_volume_off_centre_source_on_elongated_plate() -> None:
    # plate 60 x 40 mm; source 10 x 8 mm with its centroid 15 mm right and 10 mm down from the plate centre
    lx = 0.060
    fv = fv_plate(lx, LY, T, K, R0, (0.040, 0.050, 0.006, 0.014), 120, 80, 12)
    s = series_spreading(0.010, 0.008, lx, LY, T, K, R0, 0.015, -0.010)
    assert s.average == pytest.approx(fv.average, rel=0.02)
    assert s.maximum == pytest.approx(fv.maximum, rel=0.02)
    # the hottest point moves from the centroid towards the nearer plate edges (adiabatic walls reflect heat)
    assert s.max_x > 0.015 and s.max_y < -0.010
    assert s.maximum > s.centroid


@pytest.mark.slow
def test_series_matches_richardson_extrapolated_finite_volume() -> None:
    coarse = fv_plate(LX, LY, T, K, R0, (0.015, 0.025, 0.015, 0.025), 40, 40, 6)
    fine = fv_plate(LX, LY, T, K, R0, (0.015, 0.025, 0.015, 0.025), 80, 80, 12)
    extrapolated = fine.average + (fine.average - coarse.average) / 3.0  # second order: error ~ h^2
    assert series_spreading(0.010, 0.010, LX, LY, T, K, R0).average == pytest.approx(extrapolated, rel=3e-3)


def test_lee_check_value() -> None:
    # thermal.md section 2 (a peer's unit test): A_s = 4.04 x 6.44 mm, A_p = 2 A_s, t = 0.5 mm, k = 400,
    # R0 = 1 K/W -> R_sp,avg + t/(k A_p) = 0.10359485058699519 K/W
    a_s = 4.04e-3 * 6.44e-3
    res = lee_spreading(a_s, 2 * a_s, 0.5e-3, 400.0, 1.0)
    assert res.average + 0.5e-3 / (400.0 * 2 * a_s) == pytest.approx(0.10359485058699519, rel=1e-12)


def test_source_equal_to_plate_has_no_spreading() -> None:
    # thermal.md section 2: source = plate -> R_sp = 0
    assert lee_spreading(1e-3, 1e-3, 2e-3, 200.0, 0.5) == (0.0, 0.0)
    s = series_spreading(0.04, 0.025, 0.04, 0.025, 2e-3, 200.0, 0.5)
    assert (s.average, s.maximum) == (0.0, 0.0)
    # a source spanning the plate in one direction reduces to the 1-D (single) series, still > 0
    strip = series_spreading(0.04, 0.01, 0.04, 0.04, 2e-3, 200.0, 0.5)
    assert strip.average > 0 and strip.terms_x == 0


def test_series_against_lee_for_centred_square_cases() -> None:
    # Lee is within about 10 % of the exact solution for centred sources on square-ish plates (Lee 1995)
    for cx, cy, lx, ly, t, k, r0 in [
        (0.010, 0.010, 0.040, 0.040, 0.003, 200.0, 0.2),
        (0.010, 0.010, 0.040, 0.040, 0.003, 200.0, 0.0),  # isothermal bottom
        (4.04e-3, 6.44e-3, 4.04e-3 * 2**0.5, 6.44e-3 * 2**0.5, 0.5e-3, 400.0, 1.0),
        (0.020, 0.020, 0.060, 0.060, 0.005, 390.0, 0.05),
    ]:
        s = series_spreading(cx, cy, lx, ly, t, k, r0)
        lee = lee_spreading(cx * cy, lx * ly, t, k, r0)
        assert s.average == pytest.approx(float(lee.average), rel=0.10)
        assert s.maximum == pytest.approx(float(lee.maximum), rel=0.10)


def test_series_truncation_bound_and_symmetry() -> None:
    loose = series_spreading(0.010, 0.008, 0.060, 0.040, 0.003, 200.0, 0.5, 0.015, -0.010, rtol=1e-3)
    tight = series_spreading(0.010, 0.008, 0.060, 0.040, 0.003, 200.0, 0.5, 0.015, -0.010, rtol=1e-6,
                             maximum=False)
    # all terms of the average are >= 0: partial sums increase, and the bound covers the missing tail
    assert loose.average <= tight.average <= loose.average + loose.tail_bound
    assert loose.tail_bound <= 1e-3 * loose.average
    # mirror images give the same resistance
    base = series_spreading(0.010, 0.008, 0.060, 0.040, 0.003, 200.0, 0.5, 0.015, -0.010)
    mirror = series_spreading(0.010, 0.008, 0.060, 0.040, 0.003, 200.0, 0.5, -0.015, 0.010)
    assert base.average == pytest.approx(tight.average, rel=1e-5)  # default rtol = 1e-5
    assert mirror.average == pytest.approx(base.average, rel=1e-12)
    assert mirror.maximum == pytest.approx(base.maximum, rel=1e-9)
    assert (mirror.max_x, mirror.max_y) == pytest.approx((-base.max_x, -base.max_y), abs=1e-6)
    # a source touching the plate edge is allowed; outside the plate is an error
    series_spreading(0.010, 0.010, 0.040, 0.040, 0.003, 200.0, 0.5, 0.015, 0.0, maximum=False)
    with pytest.raises(ValueError, match="within the plate"):
        series_spreading(0.010, 0.010, 0.040, 0.040, 0.003, 200.0, 0.5, 0.016, 0.0)


def test_public_spreading_api() -> None:
    kw = dict(thickness="3 mm", conductivity=Q_(200, "W/(m*K)"), r0="0.2 K/W")
    series = spreading_resistance(source=("10 mm", "10 mm"), plate=(Q_(40, "mm"), Q_(4, "cm")), **kw)
    lee = spreading_resistance(source=("10 mm", "10 mm"), plate=("40 mm", "40 mm"), method="lee", **kw)
    direct = series_spreading(0.010, 0.010, LX, LY, T, K, R0)
    assert series.average.m_as("K/W") == pytest.approx(direct.average, rel=1e-12)
    assert series.maximum.m_as("K/W") == pytest.approx(direct.maximum, rel=1e-12)
    assert lee.average.m_as("K/W") == pytest.approx(float(lee_spreading(1e-4, 1.6e-3, T, K, R0).average))
    assert series.one_dimensional.m_as("K/W") == pytest.approx(0.003 / (200 * 0.04 * 0.04))
    off = spreading_resistance(source=("10 mm", "8 mm"), plate=("60 mm", "40 mm"), offset=("15 mm", "-10 mm"),
                               **kw)
    assert off.maximum > off.centroid > off.average
    with pytest.raises(ValueError, match="centred"):
        spreading_resistance(source=("10 mm", "8 mm"), plate=("60 mm", "40 mm"), offset=("15 mm", "0 mm"),
                             method="lee", **kw)
    with pytest.raises(UnitError, match=r"source\[0\]"):
        spreading_resistance(source=(10, 10), plate=("40 mm", "40 mm"), **kw)
    with pytest.raises(UnitError, match="r0"):
        spreading_resistance(source=("10 mm", "10 mm"), plate=("40 mm", "40 mm"), thickness="3 mm",
                             conductivity="200 W/(m*K)", r0="0.2 K")
    with pytest.raises(ValueError, match="method"):
        spreading_resistance(source=("10 mm", "10 mm"), plate=("40 mm", "40 mm"), method="exact", **kw)
