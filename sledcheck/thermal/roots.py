"""One root finder for the thermal code: vectorised bisection with a convergence flag per element.

Every one-unknown solve of the air-cooling model (the fin/bypass split of a heat sink, the operating point of a
lane, the flow a fan delivers against a pressure, the operating point of the public API) goes through
:func:`bisect`, so accuracy and failure reporting are the same everywhere. Bisection is used rather than a
faster bracketing method (Brent) because it works on whole numpy arrays of cases at once with the same number
of function evaluations for every element, and its error bound is exact: after ``k`` halvings the root lies in
a bracket of width (hi - lo) / 2^k (e.g. W. H. Press et al., "Numerical Recipes", 3rd ed., section 9.1).

A result is ``converged`` only where the bracket was valid (the function changes sign on it, or is zero at an
end) AND the final bracket is within the tolerance. Callers must look at the flag: an invalid bracket gives
``x`` at the end nearer the sign change that is missing, marked not converged, never a silent answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

#: Default number of halvings: 2^-60 of the bracket is below double precision for any bracket that does not
#: span many decades, so the tolerance, not the count, normally ends the loop.
MAX_ITER = 60


@dataclass(frozen=True)
class Root:
    """Result of :func:`bisect` (arrays broadcast from the bracket, or floats for scalar brackets).

    x : the root estimate (midpoint of the final bracket) [unit of the unknown]
    converged : True where the bracket held a sign change and shrank to within the tolerance
    bracketed : True where f changed sign on the initial bracket (or was zero at one of its ends)
    iterations : function evaluations inside the loop (the same for every element still active)
    """

    x: Any
    converged: Any
    bracketed: Any
    iterations: int


def bisect(f: Callable[[np.ndarray], Any], lo: ArrayLike, hi: ArrayLike, xtol: ArrayLike = 0.0,
           rtol: float = 4.0 * np.finfo(float).eps, max_iter: int = MAX_ITER,
           f_lo: ArrayLike | None = None, f_hi: ArrayLike | None = None) -> Root:
    """Roots of f on [lo, hi] by bisection, element by element over numpy arrays.

    Parameters
    ----------
    f : vectorised function of the unknown; it returns an array of the same shape (a nan inside the
        bracket moves its upper end; a nan at an end means no valid bracket)
    lo, hi : bracket ends (broadcast together and with f's values; lo <= hi)
    xtol, rtol : stop when hi - lo <= xtol + rtol |x| for every element (converged elements stop moving)
    max_iter : most halvings
    f_lo, f_hi : f at the ends when the caller already knows it (saves two evaluations)

    Returns
    -------
    :class:`Root`. The sign convention is free: only a change of sign between the ends matters. Where
    f(lo) == 0 or f(hi) == 0 that end is the root.
    """
    lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
    fl = np.asarray(f(lo_a) if f_lo is None else f_lo, float)
    fh = np.asarray(f(hi_a) if f_hi is None else f_hi, float)
    shape = np.broadcast_shapes(lo_a.shape, hi_a.shape, fl.shape, fh.shape)
    lo_a, hi_a = np.broadcast_to(lo_a, shape).copy(), np.broadcast_to(hi_a, shape).copy()
    fl, fh = np.broadcast_to(fl, shape), np.broadcast_to(fh, shape)
    s_lo, s_hi = np.sign(fl), np.sign(fh)
    at_lo, at_hi = s_lo == 0.0, s_hi == 0.0
    bracketed = (s_lo * s_hi < 0.0) | at_lo | at_hi
    active = bracketed & ~at_lo & ~at_hi
    tol = np.asarray(xtol, float)
    iterations = 0
    for _ in range(max_iter):
        mid = 0.5 * (lo_a + hi_a)
        active = active & ~((hi_a - lo_a) <= tol + rtol * np.abs(mid))
        if not np.any(active):
            break
        s_mid = np.sign(np.broadcast_to(np.asarray(f(mid), float), shape))
        iterations += 1
        hit = s_mid == 0.0
        towards_hi = (s_mid == s_lo) | hit      # nan has no sign: it moves the upper end
        lo_a = np.where(active & towards_hi, mid, lo_a)
        hi_a = np.where(active & (~towards_hi | hit), mid, hi_a)
    x = np.where(at_lo, lo_a, np.where(at_hi, hi_a, 0.5 * (lo_a + hi_a)))
    # without a sign change, report the end whose sign differs from the "missing" side (documented: flagged)
    x = np.where(bracketed, x, np.where(np.abs(fl) <= np.abs(fh), lo_a, hi_a))
    width = hi_a - lo_a
    converged = bracketed & ((width <= tol + rtol * np.abs(x)) | at_lo | at_hi)
    if x.ndim == 0:
        return Root(float(x), bool(converged), bool(bracketed), iterations)
    return Root(x, converged, bracketed, iterations)


def scan_bracket(f: Callable[[Any], Any], lo: float, hi: float, n: int = 400, atol: float = 0.0,
                 last: bool = True, vectorised: bool = False) -> tuple[float, float, float, float] | None:
    """A sign-change bracket of a scalar function on [lo, hi]: (a, b, f(a), f(b)), or None without one.

    Samples f at n + 1 evenly spaced points and returns the last (``last=True``) or first interval where f
    changes sign; |f| <= atol counts as zero (a zero sample gives a bracket of zero width at that sample). Used
    where a function may cross zero more than once (a fan curve with a stall dip), so the caller picks the
    branch; the bracket then goes to :func:`bisect`. ``vectorised=True``: f takes the whole array of samples.
    """
    xs = np.linspace(lo, hi, n + 1)
    fs = np.asarray(f(xs), dtype=float).copy() if vectorised else np.array([f(float(x)) for x in xs])
    fs[np.abs(fs) <= atol] = 0.0
    order = range(n - 1, -1, -1) if last else range(n)
    for i in order:
        a, b = fs[i], fs[i + 1]
        if a == 0.0:
            return float(xs[i]), float(xs[i]), 0.0, 0.0
        if b == 0.0:
            return float(xs[i + 1]), float(xs[i + 1]), 0.0, 0.0
        if np.sign(a) != np.sign(b):
            return float(xs[i]), float(xs[i + 1]), float(a), float(b)
    return None
