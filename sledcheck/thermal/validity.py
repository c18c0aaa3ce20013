"""Validity ranges of the correlations and the notes a model gives as an operating point nears or leaves one.

A :class:`Range` names the correlation, the quantity and its range; :func:`assess` says, vectorised, whether
values are inside, near an edge (within ``near`` of it, relative: 10 % by default) or outside, and
:func:`note` words one value for a report: "<correlation>: <quantity> = <value> is ... its range <lo>-<hi>".
Everything before " = " names the (correlation, quantity) pair, so a report can group the notes by it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

#: How close to an edge, relative to the edge's value, counts as approaching it [-].
NEAR = 0.10

INSIDE, NEAR_EDGE, OUTSIDE = 0, 1, 2


def number(value: float) -> str:
    """A value as a note writes it: whole numbers from 100 to 10^7 in full (2150, 10000), else 3 significant
    digits (0.26, 13.2, 5e+06)."""
    return f"{value:.0f}" if 100.0 <= abs(value) < 1e7 else f"{value:.3g}"


@dataclass(frozen=True)
class Range:
    """A correlation's validity range in one quantity: ``low`` < value < ``high`` (``low`` 0 or ``high`` inf
    for a one-sided range); ``after`` says what the model does past the edge (for the note)."""

    correlation: str
    quantity: str
    low: float
    high: float
    after: str = ""

    def text(self) -> str:
        """The range as written in a note, e.g. "0.26-175" or "below 2300"."""
        if self.low <= 0.0:
            return f"below {number(self.high)}"
        if math.isinf(self.high):
            return f"above {number(self.low)}"
        return f"{number(self.low)}-{number(self.high)}"


def assess(values: ArrayLike, rng: Range, near: float = NEAR) -> np.ndarray:
    """INSIDE (0), NEAR_EDGE (1) or OUTSIDE (2) for each value (int array); nan counts as INSIDE (no flow is
    reported elsewhere, not as a correlation out of range)."""
    v = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        outside = (v < rng.low) | (v > rng.high)
        near_low = (rng.low > 0.0) & (v < rng.low * (1.0 + near))
        near_high = np.isfinite(rng.high) & (v > rng.high / (1.0 + near))
    return np.where(outside, OUTSIDE, np.where(near_low | near_high, NEAR_EDGE, INSIDE))


def note(value: float, rng: Range, near: float = NEAR) -> str | None:
    """The note for one value, or None inside the range and away from its edges."""
    status = int(assess(value, rng, near))
    if status == INSIDE:
        return None
    head = f"{rng.correlation}: {rng.quantity} = {number(value)}"
    after = f" ({rng.after})" if rng.after else ""
    if status == OUTSIDE:
        return f"{head} is outside its range {rng.text()}: the result is an extrapolation{after}"
    edge = rng.low if abs(value - rng.low) < abs(value - rng.high) else rng.high
    return f"{head} is within {near:.0%} of the edge ({number(edge)}) of its range {rng.text()}{after}"
