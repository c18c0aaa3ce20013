"""Orthotropic plates (vapour-chamber and heat-pipe bases) as equivalent isotropic plates.

A base with principal conductivities k_x, k_y (in plane) and k_z (through the plate) obeys
k_x T_xx + k_y T_yy + k_z T_zz = 0. Stretching the coordinates turns it into Laplace's equation, the classic
transformation of an anisotropic solid into an isotropic one (H. S. Carslaw, J. C. Jaeger, Conduction of Heat
in Solids, 2nd ed., 1959, section 1.17; M. N. Ozisik, Heat Conduction, 2nd ed., 1993, ch. 15, the orthotropic
medium), which Y. S. Muzychka, J. R. Culham, M. M. Yovanovich, "Thermal spreading resistance in compound and
orthotropic systems", J. Thermophysics and Heat Transfer 18(1):45-51, 2004 (section "Orthotropic systems"),
apply to spreading in a plate of in-plane k_xy and through-plane k_z: z' = z sqrt(k_xy/k_z), and the
equivalent isotropic plate has the effective conductivity k_eff = sqrt(k_xy k_z) and the effective thickness
t' = t sqrt(k_xy/k_z), with the same h on its cooled face (so the same Biot number h t'/k_eff of the stretched
plate enters the spreading function). The source flux then obeys -k_eff dT/dz' = q, the cooled face
-k_eff dT/dz' = h T: the temperature field, and hence every resistance, is that of the equivalent plate.

For k_x != k_y (heat pipes along one axis) the in-plane axes are stretched too. With k_xy = sqrt(k_x k_y):
x' = x (k_y/k_x)^(1/4), y' = y (k_x/k_y)^(1/4), z' = z sqrt(k_xy/k_z), k_eff = sqrt(k_xy k_z). Then
k_x T_xx = k_xy T_x'x' (and likewise in y and z), so the equation is k_xy (T_x'x' + T_y'y' + T_z'z') = 0; the
fluxes at both faces become -k_eff dT/dz' = q and -k_eff dT/dz' = h T; and areas are unchanged
(x' y' = x y), so the source flux, the total heat, h and R0 = 1/(h A_p) all carry over unchanged. With
k_x = k_y this is the 2004 paper's transformation; with k_x = k_y = k_z it is the identity (exactly, in floating
point: sqrt(k k) = k and (k/k)^(1/4) = 1). One-dimensional conduction through the base is
t'/(k_eff A) = t/(k_z A).

Pure functions on SI floats or numpy arrays (broadcast).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike


class EquivalentPlate(NamedTuple):
    """The isotropic plate with the same temperature field as an orthotropic one.

    ``scale_x``, ``scale_y`` map in-plane lengths and positions (x' = scale_x x); ``thickness`` [m] and
    ``conductivity`` [W/(m K)] are t' and k_eff. Areas, h and R0 are unchanged.
    """

    scale_x: np.ndarray | float
    scale_y: np.ndarray | float
    thickness: np.ndarray | float
    conductivity: np.ndarray | float


def equivalent_plate(thickness: ArrayLike, k_x: ArrayLike, k_y: ArrayLike, k_z: ArrayLike) -> EquivalentPlate:
    """The equivalent isotropic plate of an orthotropic one (module docstring; Muzychka et al. 2004).

    Parameters
    ----------
    thickness : plate thickness t [m]
    k_x, k_y : in-plane conductivities along x and y [W/(m K)]
    k_z : through-plane conductivity [W/(m K)]

    Returns
    -------
    :class:`EquivalentPlate`: scale_x = (k_y/k_x)^(1/4), scale_y = (k_x/k_y)^(1/4),
    t' = t sqrt(k_xy/k_z), k_eff = sqrt(k_xy k_z) with k_xy = sqrt(k_x k_y)
    """
    t, kx, ky, kz = (np.asarray(v, dtype=float) for v in (thickness, k_x, k_y, k_z))
    for name, k in (("k_x", kx), ("k_y", ky), ("k_z", kz)):
        if not (np.all(np.isfinite(k)) and np.all(k > 0.0)):
            raise ValueError(f"{name} must be a positive finite conductivity, got {k!r}")
    k_xy = np.sqrt(kx * ky)
    scale_x, scale_y = np.sqrt(np.sqrt(ky / kx)), np.sqrt(np.sqrt(kx / ky))
    out = EquivalentPlate(scale_x, scale_y, t * np.sqrt(k_xy / kz), np.sqrt(k_xy * kz))
    if all(np.ndim(v) == 0 for v in out):
        return EquivalentPlate(*(float(v) for v in out))
    return out

