"""A plate-fin heat sink with its fins cut (or drawn out) to another height: every vertex beyond the channel
floor moves along the fins in proportion, so the fins keep their thickness, pitch and shape and the base does
not move (what a sweep of fin height needs the fit rules and the thermal model to see alike)."""

from __future__ import annotations

import numpy as np

from .heatsinks import PlateFinGeometry


def refinned_vertices(vertices: np.ndarray, fins: PlateFinGeometry, height_mm: float) -> np.ndarray:
    """``vertices`` [mm] of a sink recognised as ``fins``, with the fins ``height_mm`` tall from the floor."""
    axis = "xyz".index(fins.base_normal[1])
    sign = 1.0 if fins.base_normal[0] == "+" else -1.0
    floor = fins.base_bounds[1][axis] if sign > 0 else fins.base_bounds[0][axis]
    out = np.array(vertices, dtype=float)
    beyond = (out[:, axis] - floor) * sign
    moved = beyond > 1e-9
    out[moved, axis] = floor + sign * beyond[moved] * (height_mm / fins.fin_height)
    return out
