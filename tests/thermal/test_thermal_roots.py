"""The one root finder (sledcheck.thermal.roots): roots against closed forms, and every way it can fail is
flagged."""

from __future__ import annotations

import numpy as np
import pytest

from sledcheck.thermal.roots import bisect, scan_bracket


def test_vectorised_roots_match_closed_forms() -> None:
    c = np.array([0.5, 2.0, 3.0, 10.0])
    root = bisect(lambda x: x**3 - c, 0.0, 3.0, xtol=1e-15)
    assert np.all(root.converged)
    np.testing.assert_allclose(root.x, np.cbrt(c), rtol=1e-14)   # x = c^(1/3)


def test_scalar_bracket_gives_floats() -> None:
    root = bisect(lambda x: np.cos(x) - x, 0.0, 1.0)
    assert isinstance(root.x, float) and root.converged
    assert root.x == pytest.approx(0.7390851332151607, rel=1e-14)   # the Dottie number, cos x = x


def test_zero_at_an_end_is_the_root() -> None:
    root = bisect(lambda x: x - 1.0, np.array([1.0, 0.0]), np.array([2.0, 1.0]))
    np.testing.assert_array_equal(root.x, [1.0, 1.0])
    assert np.all(root.converged)


def test_no_sign_change_is_flagged_never_converged() -> None:
    root = bisect(lambda x: x**2 + 1.0, np.array([-1.0, 0.0]), np.array([1.0, 2.0]))
    assert not np.any(root.converged) and not np.any(root.bracketed)


def test_too_few_iterations_is_flagged() -> None:
    root = bisect(lambda x: x**3 - 0.3, 0.0, 1.0, max_iter=3)
    assert root.bracketed and not root.converged


def test_illinois_steps_reach_double_precision_in_few_evaluations() -> None:
    """Smooth residuals converge to the 4-eps tolerance in far fewer evaluations than bisection's ~52, to the
    closed-form roots; a residual that is +inf past a limit (as the lane's past free delivery) and a very flat
    one (x^20, where plain false position crawls) still converge inside the bracket, by the halving safeguard."""
    cube = bisect(lambda x: x**3 - 2.0, 0.0, 2.0)
    assert cube.converged and cube.x == pytest.approx(2.0 ** (1 / 3), rel=1e-15) and cube.iterations <= 12
    walled = bisect(lambda x: np.where(x > 1.5, np.inf, np.exp(x) - 3.0), 0.0, 4.0)
    assert walled.converged and walled.x == pytest.approx(np.log(3.0), rel=1e-15)
    flat = bisect(lambda x: x**20 - 0.5, 0.0, 1.0)
    assert flat.converged and flat.x == pytest.approx(0.5 ** (1 / 20), rel=1e-15) and flat.iterations <= 104
    many = bisect(lambda x: x**2 - np.arange(1.0, 6.0), np.zeros(5), np.full(5, 3.0))
    assert np.all(many.converged) and many.x == pytest.approx(np.sqrt(np.arange(1.0, 6.0)), rel=1e-15)


def test_a_nan_end_is_not_a_bracket() -> None:
    root = bisect(lambda x: np.where(x > 0.5, np.nan, x - 0.2), 0.0, 1.0)
    assert not root.converged


def test_scan_bracket_picks_the_branch() -> None:
    f = np.vectorize(lambda x: (x - 0.2) * (x - 0.7))   # two roots
    first = scan_bracket(f, 0.0, 1.0, n=50, last=False)
    last = scan_bracket(f, 0.0, 1.0, n=50, last=True, vectorised=True)
    assert first is not None and last is not None
    assert first[0] <= 0.2 <= first[1] and last[0] <= 0.7 <= last[1]
    assert scan_bracket(lambda x: x * x + 1.0, -1.0, 1.0) is None
