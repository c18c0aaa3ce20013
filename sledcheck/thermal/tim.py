"""Thermal interface material (TIM) between a package lid or die and the heat-sink base.

Pure functions on SI floats or numpy arrays of any broadcastable shape.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def tim_resistance(
    bond_line_thickness: ArrayLike,
    conductivity: ArrayLike,
    area: ArrayLike,
    contact_resistance: ArrayLike = 0.0,
) -> np.ndarray | float:
    """Resistance of a TIM layer, R_TIM = BLT / (k A) + R''_c / A (thermal.md section 5).

    The bulk term is one-dimensional conduction through the bond line; ``contact_resistance`` is the sum of
    the two boundary (contact) resistances per unit area, R''_c [K m^2/W], as datasheets quote them
    (e.g. R. Prasher, "Thermal interface materials: historical perspective, status, and future directions",
    Proc. IEEE 94(8):1571-1586, 2006: R_TIM = BLT/k_TIM + R_c1 + R_c2).

    Parameters
    ----------
    bond_line_thickness : BLT [m] (>= 0)
    conductivity : bulk conductivity of the TIM k [W/(m K)] (> 0)
    area : contact area A [m^2] (> 0), usually the package lid or die area
    contact_resistance : R''_c [K m^2/W] (>= 0), default 0

    Returns
    -------
    R_TIM [K/W]
    """
    area = np.asarray(area, dtype=float)
    return (np.asarray(bond_line_thickness, dtype=float) / (np.asarray(conductivity, dtype=float) * area)
            + np.asarray(contact_resistance, dtype=float) / area) + 0.0
