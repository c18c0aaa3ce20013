"""Spreading resistance of a rectangular heat source on a rectangular plate (heat-sink base).

Two models, both returning the SPREADING PART ONLY: the temperature rise above what one-dimensional
conduction would give, R_sp = R_total - t/(k A_p) - R0 (so base conduction t/(k A_p) and the sink R0 are
added separately, in series):

- :func:`lee_spreading`: the closed form of S. Lee, S. Song, V. Au, K. P. Moran, "Constriction/spreading
  resistance model for electronic packaging", ASME/JSME Thermal Engineering Joint Conf. 1995, vol. 4,
  pp. 199-206 (also S. Lee, "Calculating spreading resistance in heat sinks", ElectronicsCooling 4(1),
  1998). Source and plate are replaced by coaxial discs of equal area; centred sources only. Fast;
  under-predicts for elongated plates and cannot treat off-centre sources.
- :func:`series_spreading`: the exact Fourier-series solution of Y. S. Muzychka, J. R. Culham,
  M. M. Yovanovich, "Thermal spreading resistance of eccentric heat sources on rectangular flux channels",
  J. Electronic Packaging 125:178-185, 2003: a rectangular source of uniform flux anywhere on
  the top of a rectangular plate, adiabatic sides and top elsewhere, uniform convection
  h = 1 / (R0 A_p) at the bottom.
- :func:`lee_spreading_orthotropic`, :func:`series_spreading_orthotropic`: the same for an orthotropic plate
  (a vapour chamber, a heat-pipe base: k_x, k_y in plane, k_z through), by its equivalent isotropic plate
  (:mod:`sledcheck.thermal.orthotropic`; Muzychka, Culham, Yovanovich, J. Thermophysics and Heat Transfer
  18(1):45-51, 2004).

Pure functions on SI floats or numpy arrays of any broadcastable shape.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .orthotropic import equivalent_plate

# --------------------------------------------------------------------------------------------- Lee 1995


class Spreading(NamedTuple):
    """Spreading-only resistances [K/W] (arrays broadcast from the inputs)."""

    average: np.ndarray | float  # over the source area
    maximum: np.ndarray | float  # Lee: at the source centre; series: true maximum over the source


def lee_spreading(
    source_area: ArrayLike,
    plate_area: ArrayLike,
    thickness: ArrayLike,
    conductivity: ArrayLike,
    r0: ArrayLike,
) -> Spreading:
    """Spreading resistance of a centred source by Lee et al. (1995) / Lee (1998).

    a = sqrt(A_s/pi), b = sqrt(A_p/pi), eps = a/b, tau = t/b, Bi = 1/(R0 k sqrt(pi A_p)),
    lambda_c = pi + 1/(sqrt(pi) eps),
    Phi_c = (tanh(lambda_c tau) + lambda_c/Bi) / (1 + (lambda_c/Bi) tanh(lambda_c tau)),
    psi_avg = 0.5 (1 - eps)^1.5 Phi_c,  psi_max = eps tau/sqrt(pi) + (1 - eps) Phi_c/sqrt(pi),
    R = psi / (k a sqrt(pi))  (thermal.md section 2).

    Lee's psi_max contains the one-dimensional conduction term: eps tau / sqrt(pi) / (k a sqrt(pi)) is
    exactly t/(k A_p). It is subtracted here so that ``maximum`` is spreading-only like ``average``; Lee's
    R_max is ``maximum + t/(k A_p)``.

    Parameters
    ----------
    source_area : A_s [m^2] (0 < A_s <= A_p)
    plate_area : A_p [m^2]
    thickness : plate thickness t [m]
    conductivity : plate conductivity k [W/(m K)]
    r0 : R0, resistance from the plate bottom to the fluid, spread evenly over A_p [K/W] (>= 0; 0 means
        an isothermal bottom)

    Validity: centred sources on square-ish plates (aspect ratio up to about 2); accuracy typically within
    10 % of the exact solution there.

    Returns
    -------
    :class:`Spreading` with ``average`` (source-average temperature) and ``maximum`` (source-centre
    temperature), spreading part only [K/W]
    """
    a_s, a_p = np.asarray(source_area, dtype=float), np.asarray(plate_area, dtype=float)
    t, k, r0 = (np.asarray(x, dtype=float) for x in (thickness, conductivity, r0))
    a, b = np.sqrt(a_s / np.pi), np.sqrt(a_p / np.pi)
    eps, tau = a / b, t / b
    lam = np.pi + 1.0 / (np.sqrt(np.pi) * eps)
    # lambda_c / Bi = lambda_c R0 k sqrt(pi A_p): finite for R0 = 0 (isothermal bottom).
    lam_bi = lam * r0 * k * np.sqrt(np.pi * a_p)
    th = np.tanh(lam * tau)
    phi = (th + lam_bi) / (1.0 + lam_bi * th)
    one_minus = np.clip(1.0 - eps, 0.0, None)
    psi_avg = 0.5 * one_minus**1.5 * phi
    psi_max_spreading = one_minus * phi / np.sqrt(np.pi)
    scale = k * a * np.sqrt(np.pi)
    return Spreading(psi_avg / scale + 0.0, psi_max_spreading / scale + 0.0)


# ------------------------------------------------------------------------ Muzychka, Culham, Yovanovich 2003


class SeriesSpreading(NamedTuple):
    """Result of :func:`series_spreading` (arrays broadcast from the inputs).

    All resistances are spreading-only [K/W]; locations are measured from the plate centre [m].
    """

    average: np.ndarray | float  # source-average temperature rise / Q - R_1D
    maximum: np.ndarray | float  # true maximum over the source / Q - R_1D (nan if not computed)
    centroid: np.ndarray | float  # value at the source centroid / Q - R_1D (nan if not computed)
    max_x: np.ndarray | float  # x of the maximum, from the plate centre [m]
    max_y: np.ndarray | float  # y of the maximum, from the plate centre [m]
    terms_x: np.ndarray | int  # Fourier modes used along x (M)
    terms_y: np.ndarray | int  # Fourier modes used along y (N)
    tail_bound: np.ndarray | float  # rigorous upper bound of the truncation error of ``average`` [K/W]


#: Largest (M + 1) (N + 1) block of the mode matrix held in memory at once.
_BLOCK = 1_000_000


class _Plate:
    """Geometry and the mode functions of one case (lengths from the plate corner)."""

    def __init__(self, cx: float, cy: float, lx: float, ly: float, xc: float, yc: float,
                 t: float, k: float, h: float) -> None:
        self.cx, self.cy, self.lx, self.ly, self.xc, self.yc = cx, cy, lx, ly, xc, yc
        self.t, self.k, self.h = t, k, h

    def green(self, beta: np.ndarray) -> np.ndarray:
        """G(beta) = (k beta + h tanh(beta t)) / (k beta (k beta tanh(beta t) + h)) = 1/(k beta phi(beta)).

        Top-surface temperature per unit flux of a cos mode with eigenvalue beta > 0: the mode
        Z(z) = C [cosh(beta (t - z)) + h/(k beta) sinh(beta (t - z))] meets -k Z'(t) = h Z(t) at the bottom
        and -k Z'(0) = q at the top, giving Z(0) = q G(beta); phi is Muzychka et al.'s (2003) spreading
        function. h = inf (isothermal bottom) gives tanh(beta t)/(k beta).
        """
        kb = self.k * beta
        th = np.tanh(beta * self.t)
        if math.isinf(self.h):
            return th / kb
        return (kb + self.h * th) / (kb * (kb * th + self.h))

    @staticmethod
    def _coefficients(n: int, c: float, length: float, centre: float) -> tuple[np.ndarray, ...]:
        """Eigenvalues, flux coefficients X_m and source-average weights P_m = X_m Xbar_m for m = 0..n.

        X_0 = c/L, X_m = 4 cos(lambda_m x_c) sin(lambda_m c/2) / (L lambda_m) (cosine-series coefficients
        of the indicator of the source), Xbar_m = L X_m / (2 c) its mean over the source (Xbar_0 = 1).
        """
        m = np.arange(n + 1, dtype=float)
        lam = m * np.pi / length
        x = np.empty(n + 1)
        x[0] = c / length
        lam1 = lam[1:]
        x[1:] = 4.0 * np.cos(lam1 * centre) * np.sin(lam1 * c / 2.0) / (length * lam1)
        p = np.empty(n + 1)
        p[0] = c / length
        p[1:] = length * x[1:] ** 2 / (2.0 * c)
        return lam, x, p

    def modes(self, m_terms: int, n_terms: int) -> tuple[np.ndarray, ...]:
        lam, xx, px = self._coefficients(m_terms, self.cx, self.lx, self.xc)
        dlt, yy, py = self._coefficients(n_terms, self.cy, self.ly, self.yc)
        return lam, xx, px, dlt, yy, py

    def g_blocks(self, lam: np.ndarray, dlt: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
        """Rows of the matrix G[m, n] = G(sqrt(lambda_m^2 + delta_n^2)), G[0, 0] = 0 (the 1-D mode)."""
        rows = max(1, _BLOCK // dlt.size)
        for start in range(0, lam.size, rows):
            sl = slice(start, min(lam.size, start + rows))
            beta = np.hypot(lam[sl, None], dlt[None, :])
            with np.errstate(divide="ignore", invalid="ignore"):
                g = self.green(beta)
            if start == 0:
                g[0, 0] = 0.0
            yield sl, g

    def average(self, m_terms: int, n_terms: int) -> float:
        """Partial sum of R_s = (1/(c_x c_y)) sum' P_m S_n G_mn (every term >= 0)."""
        lam, _, px, dlt, _, py = self.modes(m_terms, n_terms)
        total = 0.0
        for sl, g in self.g_blocks(lam, dlt):
            total += float(px[sl] @ g @ py)
        return total / (self.cx * self.cy)

    def average_centre(self, m_terms: int, n_terms: int) -> tuple[float, float]:
        """:meth:`average` and the centroid value of :meth:`grid` from one pass over the modes [K/W]."""
        lam, xx, px, dlt, yy, py = self.modes(m_terms, n_terms)
        wx, wy = xx * np.cos(lam * self.xc), yy * np.cos(dlt * self.yc)
        total = centre = 0.0
        for sl, g in self.g_blocks(lam, dlt):
            total += float(px[sl] @ g @ py)
            centre += float(wx[sl] @ g @ wy)
        return total / (self.cx * self.cy), centre / (self.cx * self.cy)

    def tail(self, m_terms: int, n_terms: int) -> tuple[float, float]:
        """Rigorous bounds of the truncation error of :meth:`average` along x and along y.

        With sum_n S_n = 1 (Parseval), P_m <= 8/(L_x c_x lambda_m^2), G(beta) <= coth(beta t)/(k beta)
        and sum_{m>M} m^-3 <= 1/(2 M^2):
        T_x <= 4 coth(lambda_{M+1} t) L_x^2 / (pi^3 k c_x^2 c_y M^2), and T_y likewise. A direction in which
        the source spans the whole plate has no modes (P_m = 0) and no tail.
        """
        def one(n: int, c: float, length: float, other: float) -> float:
            if c >= length:
                return 0.0
            coth = 1.0 / math.tanh((n + 1) * math.pi / length * self.t)
            return 4.0 * coth * length**2 / (math.pi**3 * self.k * c**2 * other * max(n, 1) ** 2)

        return one(m_terms, self.cx, self.lx, self.cy), one(n_terms, self.cy, self.ly, self.cx)

    def grid(self, m_terms: int, n_terms: int, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Spreading-only temperature per watt at the points xs x ys (from the corner) [K/W].

        theta(x, y)/Q - R_1D = (1/(c_x c_y)) sum' X_m Y_n cos(lambda_m x) cos(delta_n y) G_mn.
        """
        lam, xx, _, dlt, yy, _ = self.modes(m_terms, n_terms)
        ax = xx[None, :] * np.cos(xs[:, None] * lam[None, :])  # (I, M+1)
        ay = yy[None, :] * np.cos(ys[:, None] * dlt[None, :])  # (J, N+1)
        out = np.zeros((xs.size, ys.size))
        for sl, g in self.g_blocks(lam, dlt):
            out += ax[:, sl] @ (g @ ay.T)
        return out / (self.cx * self.cy)


def _series_one(cx: float, cy: float, lx: float, ly: float, ox: float, oy: float, t: float, k: float,
                r0: float, rtol: float, max_terms: int, maximum: bool, centroid: bool = False
                ) -> tuple[float, ...]:
    for name, val in (("source_x", cx), ("source_y", cy), ("plate_x", lx), ("plate_y", ly),
                      ("thickness", t), ("conductivity", k)):
        if not (math.isfinite(val) and val > 0.0):
            raise ValueError(f"{name} must be a positive finite number, got {val!r}")
    if not (math.isfinite(r0) and r0 >= 0.0):
        raise ValueError(f"r0 must be a finite number >= 0, got {r0!r}")
    tol = 1e-9 * max(lx, ly)
    if abs(ox) + cx / 2.0 > lx / 2.0 + tol or abs(oy) + cy / 2.0 > ly / 2.0 + tol:
        raise ValueError(
            f"the source ({cx:g} x {cy:g} m at offset ({ox:g}, {oy:g}) m from the plate centre) does not lie "
            f"within the plate ({lx:g} x {ly:g} m)"
        )
    cx, cy = min(cx, lx), min(cy, ly)
    xc = min(max(lx / 2.0 + ox, cx / 2.0), lx - cx / 2.0)
    yc = min(max(ly / 2.0 + oy, cy / 2.0), ly - cy / 2.0)
    h = math.inf if r0 == 0.0 else 1.0 / (r0 * lx * ly)
    plate = _Plate(cx, cy, lx, ly, xc, yc, t, k, h)
    full_x, full_y = cx >= lx * (1 - 1e-12), cy >= ly * (1 - 1e-12)
    if full_x and full_y:
        return 0.0, 0.0, 0.0, ox, oy, 0, 0, 0.0

    # Truncation: start from modes that resolve the source (about 16 per source length), then grow M and N
    # until the rigorous tail bound of each direction is below rtol/2 times the partial sum (a lower bound
    # of the exact value, all terms being >= 0).
    m_terms = 0 if full_x else max(16, int(16 * lx / cx))
    n_terms = 0 if full_y else max(16, int(16 * ly / cy))
    m_terms, n_terms = min(m_terms, max_terms), min(n_terms, max_terms)
    centre = maxval = mx = my = math.nan
    for _ in range(20):
        if centroid or maximum:
            avg, centre = plate.average_centre(m_terms, n_terms)
        else:
            avg = plate.average(m_terms, n_terms)
        tx, ty = plate.tail(m_terms, n_terms)
        goal = 0.5 * rtol * avg
        if tx <= goal and ty <= goal:
            break
        grow = [(tx / goal) ** 0.5 if tx > goal else 1.0, (ty / goal) ** 0.5 if ty > goal else 1.0]
        new_m = min(max_terms, math.ceil(m_terms * grow[0] * 1.05)) if not full_x else 0
        new_n = min(max_terms, math.ceil(n_terms * grow[1] * 1.05)) if not full_y else 0
        if (new_m, new_n) == (m_terms, n_terms):
            warnings.warn(
                f"spreading series: max_terms={max_terms} reached; truncation error bound "
                f"{tx + ty:.3g} K/W is above rtol={rtol:g} x R_sp", RuntimeWarning, stacklevel=3)
            break
        m_terms, n_terms = new_m, new_n
    tx, ty = plate.tail(m_terms, n_terms)

    if maximum:
        # The maximum of the top surface lies on the source (Hopf: adiabatic faces and the cooled bottom
        # cannot hold it). Search a 33 x 33 grid on the source, then zoom twice around the best point.
        x0, x1, y0, y1 = xc - cx / 2.0, xc + cx / 2.0, yc - cy / 2.0, yc + cy / 2.0
        n_grid = 33
        for _ in range(3):
            xs, ys = np.linspace(x0, x1, n_grid), np.linspace(y0, y1, n_grid)
            vals = plate.grid(m_terms, n_terms, xs, ys)
            i, j = np.unravel_index(int(np.argmax(vals)), vals.shape)
            maxval, mx, my = float(vals[i, j]), float(xs[i]), float(ys[j])
            dx, dy = 2.0 * (xs[1] - xs[0]), 2.0 * (ys[1] - ys[0])
            x0, x1 = max(xc - cx / 2.0, mx - dx), min(xc + cx / 2.0, mx + dx)
            y0, y1 = max(yc - cy / 2.0, my - dy), min(yc + cy / 2.0, my + dy)
            n_grid = 17
        maxval = max(maxval, centre)
        mx, my = mx - lx / 2.0, my - ly / 2.0
    return avg, maxval, centre, mx, my, m_terms, n_terms, tx + ty


def series_spreading(
    source_x: ArrayLike,
    source_y: ArrayLike,
    plate_x: ArrayLike,
    plate_y: ArrayLike,
    thickness: ArrayLike,
    conductivity: ArrayLike,
    r0: ArrayLike,
    offset_x: ArrayLike = 0.0,
    offset_y: ArrayLike = 0.0,
    *,
    rtol: float = 1e-5,
    max_terms: int = 20000,
    maximum: bool = True,
    centroid: bool = False,
) -> SeriesSpreading:
    """Exact spreading resistance of a rectangular source on a rectangular plate (Muzychka et al. 2003).

    Plate L_x x L_y x t, conductivity k, adiabatic sides, top adiabatic except the source c_x x c_y of uniform
    flux centred at (X_c, Y_c), bottom cooled with h = 1/(R0 L_x L_y) into a fluid at T_f. With
    lambda_m = m pi / L_x, delta_n = n pi / L_y, beta_mn = sqrt(lambda_m^2 + delta_n^2),
    phi(beta) = (beta sinh(beta t) + h/k cosh(beta t)) / (beta cosh(beta t) + h/k sinh(beta t)):

        R_s = (1 / (c_x c_y)) sum_{(m, n) != (0, 0)} P_m S_n / (k beta_mn phi(beta_mn))

    with P_0 = c_x/L_x, P_m = 8 cos^2(lambda_m X_c) sin^2(lambda_m c_x/2) / (L_x c_x lambda_m^2), and S_n
    likewise in y. This is the paper's solution regrouped as one double sum (the single sums are its
    m = 0 and n = 0 rows). R_total = R_s + t/(k L_x L_y) + R0.

    Truncation (documented convergence criterion): every term of the average is >= 0, and the tail beyond M
    modes in x is bounded by 4 coth(lambda_{M+1} t) L_x^2 / (pi^3 k c_x^2 c_y M^2) (and likewise in y; see
    ``_Plate.tail``). M and N grow until both bounds are below rtol/2 times the partial sum, so the relative
    truncation error of ``average`` is below ``rtol`` (the bound is returned as ``tail_bound``). The point
    values (centroid, maximum) use the same modes; their series converges at a similar rate (its terms
    alternate in sign), measured at < 1e-4 relative for rtol = 1e-5.

    Parameters
    ----------
    source_x, source_y : source size c_x, c_y [m]
    plate_x, plate_y : plate size L_x, L_y [m]
    thickness : plate thickness t [m]
    conductivity : plate conductivity k [W/(m K)]
    r0 : R0, bottom-to-fluid resistance spread evenly over the plate [K/W] (>= 0; 0 = isothermal bottom)
    offset_x, offset_y : source centroid relative to the plate centre [m] (0, 0 = centred); the source must
        lie within the plate (ValueError otherwise)
    rtol : relative truncation tolerance of the average (default 1e-5)
    max_terms : cap of M and N (a RuntimeWarning says when the cap stops convergence)
    maximum : also compute the centroid value and the true maximum (a grid search with two zoom steps
        over the source, accurate to about 1e-4 of the source size in position); False skips them (nan)
    centroid : with ``maximum=False``, still compute the centroid value (one point, no search: about as fast
        as the average alone); the maximum stays nan

    Returns
    -------
    :class:`SeriesSpreading`: ``average`` (over the source), ``maximum`` (true maximum over the source),
    ``centroid`` (at the source centroid), location of the maximum, modes used, truncation bound; all
    resistances spreading-only [K/W]. Array inputs are evaluated element by element (each element sums its
    modes with vectorised numpy), so very large arrays are slow.
    """
    args = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (
        source_x, source_y, plate_x, plate_y, offset_x, offset_y, thickness, conductivity, r0)))
    shape = args[0].shape
    out = np.empty((8, *shape))
    for idx in np.ndindex(shape):
        cx, cy, lx, ly, ox, oy, t, k, r = (float(a[idx]) for a in args)
        out[(slice(None),) + idx] = _series_one(cx, cy, lx, ly, ox, oy, t, k, r, rtol, max_terms, maximum,
                                                centroid)
    if shape == ():
        f = [float(v) for v in out]
        return SeriesSpreading(f[0], f[1], f[2], f[3], f[4], int(f[5]), int(f[6]), f[7])
    return SeriesSpreading(out[0], out[1], out[2], out[3], out[4], out[5].astype(int), out[6].astype(int),
                           out[7])


# ------------------------------------------------------------------ orthotropic bases (Muzychka et al. 2004)


def lee_spreading_orthotropic(
    source_area: ArrayLike,
    plate_area: ArrayLike,
    thickness: ArrayLike,
    k_x: ArrayLike,
    k_y: ArrayLike,
    k_z: ArrayLike,
    r0: ArrayLike,
) -> Spreading:
    """:func:`lee_spreading` of an orthotropic plate (a vapour chamber, a heat-pipe base).

    The plate is replaced by its equivalent isotropic plate (:func:`sledcheck.thermal.orthotropic.equivalent_plate`;
    Muzychka, Culham, Yovanovich, J. Thermophysics and Heat Transfer 18(1), 2004): thickness
    t' = t sqrt(k_xy/k_z), conductivity k_eff = sqrt(k_xy k_z), k_xy = sqrt(k_x k_y), same areas and R0, so
    Lee's Bi = 1/(R0 k_eff sqrt(pi A_p)) and tau = t'/b are those of the stretched plate. Lee replaces source
    and plate by discs of equal area, so with k_x != k_y only k_xy enters (the stretched plate's changed aspect
    ratio is lost, as its aspect ratio is for an isotropic plate): use the series for heat-pipe bases.

    Parameters: as :func:`lee_spreading`, with k_x, k_y in plane and k_z through the plate [W/(m K)].
    Returns :class:`Spreading`, spreading part only [K/W] (the 1-D part is t/(k_z A_p)).
    """
    plate = equivalent_plate(thickness, k_x, k_y, k_z)
    return lee_spreading(source_area, plate_area, plate.thickness, plate.conductivity, r0)


def series_spreading_orthotropic(
    source_x: ArrayLike,
    source_y: ArrayLike,
    plate_x: ArrayLike,
    plate_y: ArrayLike,
    thickness: ArrayLike,
    k_x: ArrayLike,
    k_y: ArrayLike,
    k_z: ArrayLike,
    r0: ArrayLike,
    offset_x: ArrayLike = 0.0,
    offset_y: ArrayLike = 0.0,
    *,
    rtol: float = 1e-5,
    max_terms: int = 20000,
    maximum: bool = True,
    centroid: bool = False,
) -> SeriesSpreading:
    """:func:`series_spreading` of an orthotropic plate (a vapour chamber, a heat-pipe base).

    The exact series of the equivalent isotropic plate (:func:`sledcheck.thermal.orthotropic.equivalent_plate`;
    Muzychka, Culham, Yovanovich 2004): in-plane sizes and offsets scaled by s_x = (k_y/k_x)^(1/4) and
    s_y = (k_x/k_y)^(1/4), thickness t' = t sqrt(k_xy/k_z), conductivity k_eff = sqrt(k_xy k_z) with
    k_xy = sqrt(k_x k_y); h = 1/(R0 A_p) and the areas are unchanged, so the spreading function
    phi(beta) = (beta sinh(beta t') + h/k_eff cosh(beta t')) / (beta cosh(beta t') + h/k_eff sinh(beta t'))
    carries the stretched plate's Biot number h t'/k_eff. ``max_x``, ``max_y`` are mapped back to the real
    plate [m]; the resistances are invariant [K/W]. k_x = k_y = k_z gives :func:`series_spreading` exactly.

    Parameters: as :func:`series_spreading`, with k_x, k_y in plane and k_z through the plate [W/(m K)].
    """
    plate = equivalent_plate(thickness, k_x, k_y, k_z)
    sx, sy = plate.scale_x, plate.scale_y
    out = series_spreading(
        np.multiply(source_x, sx), np.multiply(source_y, sy), np.multiply(plate_x, sx), np.multiply(plate_y, sy),
        plate.thickness, plate.conductivity, r0, np.multiply(offset_x, sx), np.multiply(offset_y, sy),
        rtol=rtol, max_terms=max_terms, maximum=maximum, centroid=centroid)
    max_x, max_y = np.divide(out.max_x, sx), np.divide(out.max_y, sy)
    if np.ndim(max_x) == 0:
        return out._replace(max_x=float(max_x), max_y=float(max_y))
    return out._replace(max_x=max_x, max_y=max_y)
