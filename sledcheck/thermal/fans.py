"""Fans: datasheet curves, affinity and density scaling, fans in parallel/series, the operating point.

- A :class:`FanCurve` holds static-pressure-vs-flow points from a datasheet (quantities at the boundary, SI
  floats inside) and interpolates them with a shape-preserving monotone cubic (PCHIP: F. N. Fritsch,
  R. E. Carlson, "Monotone piecewise cubic interpolation", SIAM J. Numer. Anal. 17(2):238-246, 1980), so
  the interpolant never overshoots the datasheet between points.
- Affinity laws for the same fan at another speed n (e.g. ASHRAE Handbook -- HVAC Systems and Equipment,
  ch. "Fans", fan laws 1-3): Q ~ n, dP ~ n^2, power ~ n^3.
- Density: a fan moves a constant volume; at density rho its pressure (and power) scale with
  rho / rho_rated, rho_rated = 1.2 kg/m^3 (standard air) unless the datasheet says otherwise (fan law 2 at
  constant speed; thermal.md section 3).
- Parallel fans add flow at equal pressure; series fans add pressure at equal flow.
- :func:`solve_operating_point` (SI) / :func:`operating_point` (quantities): where the combined fan curve
  meets the system's pressure-drop curve, by a scan for the bracket and the project's one root finder,
  :func:`.roots.bisect` (its convergence flag is carried to the result).

Modelling choices (documented limits):

- Outside its datasheet flow range a fan curve is undefined (nan): no extrapolation. The sled model's lane
  solver uses this same curve (:meth:`FanCurve.scaled_pressure_si`: vectorised PCHIP with the fan laws and
  density) with a bracket that ends at the free delivery, so it never needs the curve beyond it.
- Parallel: a fan facing more pressure than its maximum delivers zero flow; backflow through a weak fan is
  NOT modelled here. Backflow through a stopped fan is the fan model's declared failure
  (:class:`FanFailure`), a leak path the lane network (:mod:`.network`) carries. Where a curve is not
  monotone (stall dip), the highest-flow branch, the stable one, is used.
- Series: evaluated on the flow range common to all fans.
- When the curves do not cross inside the datasheet range, :class:`OperatingPointError` is raised by
  default; with ``on_no_intersection="clip"`` the end of the curve is returned instead, labelled by
  ``regime``: "shutoff" (the system needs more pressure than the fans give even at the lowest datasheet
  flow: flow is that lowest flow, usually 0) or "free_delivery" (the system needs less than the fans give at
  their highest datasheet flow: flow is that highest flow, an underestimate).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pint
from numpy.typing import ArrayLike

from ..units import Q_, UnitError, parse_quantity
from .roots import Root, bisect, scan_bracket

if TYPE_CHECKING:   # scipy is imported where a curve is built: reading a design or a spec needs none
    from scipy.interpolate import PchipInterpolator

#: Air density at which fan curves are rated unless stated: standard air, 1.2 kg/m^3 (AMCA 210 /
#: ISO 5801 standard air: 20 C, 101.325 kPa, 50 % RH).
RHO_RATED = 1.2

_ARRANGEMENTS = ("parallel", "series")

#: The failure behaviours a fan model may declare (contract.md, "Thermal, second generation").
FAILURE_KINDS = ("blocked", "windmill", "rotor")


@dataclass(frozen=True, eq=False)
class FanFailure:
    """What a failed fan does to its lane (SI).

    - ``"blocked"``: a backflow flap closes; no air passes the stopped fan (the default).
    - ``"windmill"``: no flap; air recirculates backwards through the stopped rotor from the working fans'
      outlet plenum, with a loss of ``reverse_k`` velocity heads of the fan's face area ``face_area`` [m^2]:
      dP = reverse_k rho (Q_r / A)^2 / 2 (a fixed-K leak path, Idelchik's resistance form).
    - ``"rotor"``: a dual-rotor fan with one rotor failed keeps delivering on its own ``rotor_curve``.
    """

    kind: str = "blocked"
    reverse_k: float = 0.0
    face_area: float = 0.0
    rotor_curve: FanCurve | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAILURE_KINDS:
            raise ValueError(f"fan failure {self.kind!r}: expected one of {', '.join(FAILURE_KINDS)}")
        if self.kind == "windmill" and not (self.reverse_k > 0.0 and self.face_area > 0.0):
            raise ValueError("a windmilling failure needs reverse_k > 0 and the fan's face area > 0")
        if self.kind == "rotor" and self.rotor_curve is None:
            raise ValueError("a rotor failure needs the curve of the remaining rotor")

    def reverse_flow_si(self, pressure: ArrayLike, density: ArrayLike) -> Any:
        """Backflow [m^3/s] through one stopped fan across ``pressure`` [Pa] (the working fans' rise) in air of
        ``density`` [kg/m^3]: Q_r = A sqrt(2 dP / (K rho)), 0 for dP <= 0 or when the fan does not windmill."""
        if self.kind != "windmill":
            return np.zeros(np.broadcast_shapes(np.shape(pressure), np.shape(density)))
        p = np.maximum(np.asarray(pressure, float), 0.0)
        return self.face_area * np.sqrt(2.0 * p / (self.reverse_k * np.asarray(density, float)))


class OperatingPointError(ValueError):
    """The fan and system curves do not cross inside the datasheet range."""


# ------------------------------------------------------------------------------------------ SI helpers


def affinity_scale(flow: ArrayLike, pressure: ArrayLike, speed_ratio: ArrayLike) -> tuple[Any, Any]:
    """Fan laws for the same fan at another speed: Q2 = Q1 s, dP2 = dP1 s^2 (s = n2/n1).

    Parameters
    ----------
    flow : volumetric flow(s) at the rated speed [m^3/s]
    pressure : static pressure(s) at the rated speed [Pa]
    speed_ratio : s = n2 / n1 [-] (> 0)

    Returns
    -------
    (flow [m^3/s], pressure [Pa]) at the new speed (ASHRAE Handbook HVAC S&E, Fans, laws 1a and 1b)
    """
    s = np.asarray(speed_ratio, dtype=float)
    return np.asarray(flow, dtype=float) * s + 0.0, np.asarray(pressure, dtype=float) * s**2 + 0.0


def density_scale(pressure: ArrayLike, density: ArrayLike, rated_density: ArrayLike = RHO_RATED) -> Any:
    """Fan static pressure at another air density, same speed and volume flow: dP2 = dP1 rho2 / rho1.

    Parameters
    ----------
    pressure : static pressure at the rated density [Pa]
    density : actual air density [kg/m^3]
    rated_density : density of the datasheet curve [kg/m^3], default 1.2

    Returns
    -------
    static pressure at ``density`` [Pa] (ASHRAE Handbook HVAC S&E, Fans, law 1c at constant speed)
    """
    return np.asarray(pressure, dtype=float) * np.asarray(density, dtype=float) / np.asarray(
        rated_density, dtype=float) + 0.0


# ------------------------------------------------------------------------------------------- FanCurve


def _quantity_array(values: Any, dimension: str, unit: str, what: str) -> np.ndarray:
    """A Quantity array, a list of Quantities/strings -> float array in ``unit``; bare numbers refused."""
    if isinstance(values, pint.Quantity) and np.ndim(values.magnitude) >= 1:
        items: list[Any] = list(values)
    elif isinstance(values, (str, pint.Quantity)):
        items = [values]
    else:
        try:
            items = list(values)
        except TypeError as err:
            raise UnitError(f"{what}: expected a list of quantities, got {values!r}") from err
    out = np.empty(len(items))
    for i, item in enumerate(items):
        try:
            out[i] = parse_quantity(item, dimension).m_as(unit)
        except UnitError as err:
            raise UnitError(f"{what}[{i}]: {err}") from None
    return out


@dataclass(frozen=True, eq=False)
class FanCurve:
    """Static pressure vs volumetric flow of one fan (or rotor pair) at its rated speed and air density.

    Construct with quantities (the datasheet points, shut-off to free delivery, flow strictly increasing)::

        FanCurve(flow=Q_([0, 10, 20, 25], "CFM"), pressure=["900 Pa", "600 Pa", "200 Pa", "0 Pa"])

    ``density`` is the air density of the datasheet (1.2 kg/m^3 standard air by default), ``speed`` and
    ``power`` (input power at the rated speed) are optional and scale with :meth:`at_speed`. Attributes
    ``flow`` and ``pressure`` are Quantity arrays in m^3/s and Pa; ``flow_si`` / ``pressure_si`` the floats.
    """

    flow: Any
    pressure: Any
    density: Any = RHO_RATED * Q_(1.0, "kg/m^3")
    speed: Any = None
    power: Any = None
    name: str = ""
    source: str = ""
    status: str = ""
    failure: FanFailure = field(default_factory=FanFailure)
    flow_si: np.ndarray = field(init=False, repr=False)
    pressure_si: np.ndarray = field(init=False, repr=False)
    density_si: float = field(init=False, repr=False)
    _interp: PchipInterpolator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        q = _quantity_array(self.flow, "volumetric_flow", "m**3/s", "fan curve flow")
        p = _quantity_array(self.pressure, "pressure", "Pa", "fan curve pressure")
        if q.size != p.size:
            raise ValueError(f"fan curve: {q.size} flow values but {p.size} pressure values")
        if q.size < 2:
            raise ValueError("fan curve: at least two (flow, pressure) points are needed")
        if not (np.all(np.isfinite(q)) and np.all(np.isfinite(p))):
            raise ValueError("fan curve: flow and pressure must be finite")
        if np.any(np.diff(q) <= 0.0) or q[0] < 0.0:
            raise ValueError("fan curve: flow must start at >= 0 and increase strictly from point to point")
        if np.any(p < 0.0):
            raise ValueError("fan curve: static pressure must be >= 0 (datasheet range: shut-off to free "
                             "delivery)")
        density = _parse_density(self.density)
        q.setflags(write=False)
        p.setflags(write=False)
        object.__setattr__(self, "flow_si", q)
        object.__setattr__(self, "pressure_si", p)
        object.__setattr__(self, "density_si", density)
        object.__setattr__(self, "flow", Q_(q, "m**3/s"))
        object.__setattr__(self, "pressure", Q_(p, "Pa"))
        object.__setattr__(self, "density", Q_(density, "kg/m**3"))
        if self.speed is not None:
            speed = _parse_speed(self.speed)
            object.__setattr__(self, "speed", Q_(speed, "rpm"))
        if self.power is not None:
            object.__setattr__(self, "power", Q_(parse_quantity(self.power, "power").m_as("W"), "W"))
        from scipy.interpolate import PchipInterpolator

        object.__setattr__(self, "_interp", PchipInterpolator(q, p, extrapolate=False))

    # --------------------------------------------------------------------------------- SI evaluation

    @property
    def flow_range_si(self) -> tuple[float, float]:
        """Lowest and highest datasheet flow [m^3/s]."""
        return float(self.flow_si[0]), float(self.flow_si[-1])

    def pressure_at_si(self, flow: ArrayLike) -> Any:
        """Static pressure [Pa] at volumetric flow(s) [m^3/s]; nan outside the datasheet flow range."""
        q = np.asarray(flow, dtype=float)
        return self._interp(q) + 0.0

    def flow_at_root_si(self, pressure: ArrayLike) -> Root:
        """Flow [m^3/s] delivered against static pressure(s) [Pa] on the highest-flow (stable) branch, with
        the convergence flag of the vectorised bisection (:func:`.roots.bisect`).

        PCHIP is monotone on every interval between datasheet points (Fritsch & Carlson 1980), so the crossing
        lies in the last interval whose end values bracket p; one bisection over all pressures at once finds it.
        Where no interval brackets p (above the curve's maximum or below its free-delivery end) x is nan and
        ``bracketed``/``converged`` are False.
        """
        p = np.asarray(pressure, dtype=float)
        q, pp = self.flow_si, self.pressure_si
        lo_p, hi_p = np.minimum(pp[:-1], pp[1:]), np.maximum(pp[:-1], pp[1:])
        inside = (lo_p <= p[..., None]) & (p[..., None] <= hi_p)
        found = inside.any(axis=-1)
        last = inside.shape[-1] - 1 - np.argmax(inside[..., ::-1], axis=-1)
        i = np.where(found, last, 0)
        root = bisect(lambda x: self._interp(x) - p, q[i], q[i + 1], xtol=1e-15, rtol=1e-13,
                      f_lo=pp[i] - p, f_hi=pp[i + 1] - p)
        flat = pp[i] == pp[i + 1]
        x = np.where(found, np.where(flat, q[i + 1], root.x), np.nan) + 0.0
        converged = found & (flat | root.converged)
        if x.ndim == 0:
            return Root(float(x), bool(converged), bool(found), root.iterations)
        return Root(x, converged, found, root.iterations)

    def flow_at_si(self, pressure: ArrayLike) -> Any:
        """Flow [m^3/s] delivered against static pressure(s) [Pa], on the highest-flow (stable) branch.

        nan where the pressure is above the curve's maximum or below its free-delivery end, and where the
        bisection did not converge (:meth:`flow_at_root_si` gives the flag).
        """
        root = self.flow_at_root_si(pressure)
        return np.where(root.converged, root.x, np.nan) + 0.0

    @property
    def free_delivery_si(self) -> float:
        """Highest datasheet flow [m^3/s] at the rated speed."""
        return float(self.flow_si[-1])

    def scaled_pressure_si(self, flow: ArrayLike, speed: ArrayLike = 1.0, density_ratio: ArrayLike = 1.0) -> Any:
        """Static pressure [Pa] of this fan at ``speed`` (fraction of the rated speed [-]) in air of density
        ``density_ratio`` x the rated density [-], at flow(s) [m^3/s] through the fan; vectorised PCHIP.

        Affinity laws and density (module docstring): p(Q) = p_rated(Q / s) s^2 (rho / rho_rated).

        Defined behaviour outside the datasheet (documented, and never relied on by the lane solver, whose
        bracket ends at the free delivery s Q_free): past the free delivery the pressure is nan (unknown: the
        fan is being driven by the system); below the first datasheet flow (a datasheet that starts above
        zero flow) the first point's pressure is held, which on a normal curve under-states the shut-off side.
        """
        s = np.asarray(speed, dtype=float)
        rated = np.maximum(np.asarray(flow, dtype=float) / s, self.flow_si[0])
        q_free = self.flow_si[-1]
        rated = np.where(rated <= q_free * (1.0 + 1e-12), np.minimum(rated, q_free), rated)  # rounding at Q_free
        return self._interp(rated) * s**2 * np.asarray(density_ratio, dtype=float) + 0.0

    # -------------------------------------------------------------------------------- quantity API

    def pressure_at(self, flow: Any) -> pint.Quantity:
        """Static pressure at a flow (Quantity or string, e.g. "20 CFM"); nan outside the datasheet range."""
        return Q_(self.pressure_at_si(_flow_si(flow)), "Pa")

    def flow_at(self, pressure: Any) -> pint.Quantity:
        """Flow against a static pressure (Quantity or string such as "250 Pa"), stable branch."""
        return Q_(self.flow_at_si(_pressure_si(pressure)), "m**3/s")

    @property
    def free_delivery(self) -> pint.Quantity:
        """Highest datasheet flow (at the lowest pressure, usually 0 Pa)."""
        return Q_(float(self.flow_si[-1]), "m**3/s")

    @property
    def max_pressure(self) -> pint.Quantity:
        """Highest static pressure of the curve (the shut-off pressure unless the curve has a stall hump)."""
        return Q_(float(self.pressure_si.max()), "Pa")

    def at_speed(self, speed: Any) -> FanCurve:
        """The same fan at another speed by the affinity laws (Q ~ n, dP ~ n^2, power ~ n^3).

        ``speed`` is a fraction of the rated speed (a plain number such as 0.8, or "80 percent"), or an
        absolute speed ("12000 rpm") when the curve has a rated ``speed``.
        """
        ratio = self._speed_ratio(speed)
        q, p = affinity_scale(self.flow_si, self.pressure_si, ratio)
        return FanCurve(
            flow=Q_(q, "m**3/s"), pressure=Q_(p, "Pa"), density=self.density,
            speed=None if self.speed is None else self.speed * ratio,
            power=None if self.power is None else self.power * ratio**3,
            name=self.name, source=self.source, status=self.status, failure=self.failure,
        )

    def _speed_ratio(self, speed: Any) -> float:
        if isinstance(speed, bool):
            raise UnitError(f"speed: expected a fraction or a rotational speed, got {speed!r}")
        if isinstance(speed, (int, float)):
            ratio = float(speed)
        else:
            try:
                ratio = float(parse_quantity(speed, "dimensionless").m_as(""))   # 0.8, "80 percent"
            except UnitError:
                try:
                    rpm = float(parse_quantity(speed, "rotational_speed").m_as("rpm"))
                except UnitError:
                    raise UnitError(f"speed {speed!r} is neither a fraction nor a rotational speed; write e.g. 0.8 "
                                    "or '12000 rpm'") from None
                if self.speed is None:
                    raise UnitError(f"speed {speed!r}: this fan curve has no rated speed; give a fraction "
                                    "(e.g. 0.8)") from None
                ratio = rpm / float(self.speed.m_as("rpm"))
        if not (math.isfinite(ratio) and ratio > 0.0):
            raise ValueError(f"speed ratio must be > 0, got {ratio!r}")
        return ratio

    def at_density(self, density: Any) -> FanCurve:
        """The same fan in air of another density: same volume flow, pressure and power x rho/rho_rated."""
        rho = _parse_density(density)
        ratio = rho / self.density_si
        return FanCurve(
            flow=self.flow, pressure=Q_(density_scale(self.pressure_si, rho, self.density_si), "Pa"),
            density=Q_(rho, "kg/m**3"), speed=self.speed,
            power=None if self.power is None else self.power * ratio,
            name=self.name, source=self.source, status=self.status, failure=self.failure,
        )


def _parse_density(value: Any) -> float:
    """An air density [kg/m^3] from a quantity or text ('1.2 kg/m^3'), through the one quantity parser."""
    try:
        rho = float(parse_quantity(value, "density").m_as("kg/m**3"))
    except UnitError as err:
        raise UnitError(f"air density: {err}") from None
    if not rho > 0.0:
        raise ValueError(f"air density must be > 0, got {value!r}")
    return rho


def _parse_speed(value: Any) -> float:
    """A rotational speed [rpm] from a quantity or text ('12000 rpm'), through the one quantity parser."""
    try:
        return float(parse_quantity(value, "rotational_speed").m_as("rpm"))
    except UnitError as err:
        raise UnitError(f"fan speed: {err}") from None


def _flow_si(value: Any) -> Any:
    if isinstance(value, pint.Quantity) and np.ndim(value.magnitude) >= 1:
        if not value.check("[length] ** 3 / [time]"):
            raise UnitError(f"{value!r} is not a volumetric flow; write e.g. '120 CFM'")
        return value.m_as("m**3/s")
    return parse_quantity(value, "volumetric_flow").m_as("m**3/s")


def _pressure_si(value: Any) -> Any:
    if isinstance(value, pint.Quantity) and np.ndim(value.magnitude) >= 1:
        if not value.check("[pressure]"):
            raise UnitError(f"{value!r} is not a pressure; write e.g. '250 Pa'")
        return value.m_as("Pa")
    return parse_quantity(value, "pressure").m_as("Pa")


# ------------------------------------------------------------------------------------- system curves


@dataclass(frozen=True)
class SystemCurve:
    """A system pressure-drop curve through one reference point, dP = dP_ref (Q / Q_ref)^exponent.

    exponent 2 is fully turbulent (fixed K elements, grilles); laminar fin channels are closer to 1 -- for
    a real system compute each element instead (thermal.md section 3). Callable with a flow Quantity.
    """

    flow: Any
    pressure: Any
    exponent: float = 2.0

    def __post_init__(self) -> None:
        q = parse_quantity(self.flow, "volumetric_flow").m_as("m**3/s")
        p = parse_quantity(self.pressure, "pressure").m_as("Pa")
        if not q > 0.0 or p < 0.0:
            raise ValueError("system curve: the reference flow must be > 0 and the pressure >= 0")
        object.__setattr__(self, "flow", Q_(q, "m**3/s"))
        object.__setattr__(self, "pressure", Q_(p, "Pa"))
        object.__setattr__(self, "exponent", float(self.exponent))

    def pressure_si(self, flow: ArrayLike) -> Any:
        """Pressure drop [Pa] at flow [m^3/s] (negative flows are treated as 0)."""
        q = np.maximum(np.asarray(flow, dtype=float), 0.0)
        return self.pressure.magnitude * (q / self.flow.magnitude) ** self.exponent + 0.0

    def pressure_drop(self, flow: Any) -> pint.Quantity:
        """Pressure drop at a flow Quantity."""
        return Q_(self.pressure_si(_flow_si(flow)), "Pa")

    __call__ = pressure_drop


# ------------------------------------------------------------------------------------- operating point


@dataclass(frozen=True)
class OperatingPointSI:
    """Result of :func:`solve_operating_point` (SI floats)."""

    flow: float  # total volumetric flow [m^3/s]
    pressure: float  # static pressure rise of the fan set = system pressure drop [Pa]
    fan_flows: tuple[float, ...]  # flow through each fan [m^3/s]
    fan_pressures: tuple[float, ...]  # static pressure of each fan [Pa]
    regime: str  # "intersection", "shutoff" or "free_delivery"
    converged: bool = True  # False when the root finder did not reach its tolerance (never silently)


def _scan_root(f: Callable[[Any], Any], lo: float, hi: float, atol: float, last: bool = True,
               vectorised: bool = False) -> tuple[float, bool] | None:
    """Root of f on [lo, hi] and whether it converged: scan 400 intervals (:func:`.roots.scan_bracket`), then
    bisect (:func:`.roots.bisect`) the last (or first) sign change; None without a sign change.

    |f| <= atol counts as a root (so a zero system curve meets a curve ending at 0 Pa).
    """
    bracket = scan_bracket(f, lo, hi, atol=atol, last=last, vectorised=vectorised)
    if bracket is None:
        return None
    a, b, f_a, f_b = bracket
    if a == b:
        return a, True
    root = bisect(f, a, b, xtol=1e-14, rtol=1e-12, f_lo=f_a, f_hi=f_b)
    return float(root.x), bool(root.converged)


def solve_operating_point(
    fans: Sequence[FanCurve],
    system: Callable[[float], float],
    arrangement: str = "parallel",
    on_no_intersection: str = "raise",
) -> OperatingPointSI:
    """Operating point of a set of fans against a system curve, SI floats.

    Parameters
    ----------
    fans : fan curves (already scaled to speed and density)
    system : pressure drop [Pa] as a function of the total volumetric flow [m^3/s], increasing, >= 0
    arrangement : "parallel" (flows add at equal pressure) or "series" (pressures add at equal flow)
    on_no_intersection : "raise" (:class:`OperatingPointError`) or "clip" (return the end of the curve, see
        the module docstring)

    Returns
    -------
    :class:`OperatingPointSI`. For a non-monotone (stall-dip) curve the highest-flow intersection is taken.
    """
    if arrangement not in _ARRANGEMENTS:
        raise ValueError(f"arrangement must be 'parallel' or 'series', got {arrangement!r}")
    if on_no_intersection not in ("raise", "clip"):
        raise ValueError(f"on_no_intersection must be 'raise' or 'clip', got {on_no_intersection!r}")
    fans = list(fans)
    if not fans:
        raise ValueError("operating point: no fans")

    atol = 1e-9 * max(1.0, max(float(f.pressure_si.max()) for f in fans))

    def sys_p(q: float) -> float:
        value = float(system(q))
        if not math.isfinite(value):
            raise ValueError(f"the system curve returned {value!r} at {q:g} m^3/s")
        return value

    if arrangement == "series" or len(fans) == 1:
        lo = max(f.flow_range_si[0] for f in fans)
        hi = min(f.flow_range_si[1] for f in fans)
        if lo >= hi:
            raise OperatingPointError("fans in series: their datasheet flow ranges do not overlap")

        def fan_p(q: float) -> float:
            return float(sum(float(f.pressure_at_si(q)) for f in fans))

        found = _scan_root(lambda x: fan_p(x) - sys_p(x), lo, hi, atol)
        if found is not None:
            regime = "intersection"
            q, converged = found
        else:
            regime, converged = ("shutoff" if fan_p(lo) < sys_p(lo) else "free_delivery"), True
            _no_intersection(regime, on_no_intersection, lo, hi, fan_p(lo), sys_p(lo), fan_p(hi), sys_p(hi))
            q = lo if regime == "shutoff" else hi
        pressures = tuple(float(f.pressure_at_si(q)) for f in fans)
        return OperatingPointSI(q, sum(pressures), tuple(q for _ in fans), pressures, regime, converged)

    # parallel: unknown pressure p; each fan delivers Q_i(p) (0 above its maximum pressure)
    def fan_q(p: Any, f: FanCurve) -> Any:
        p = np.asarray(p, dtype=float)
        return np.where(p > f.pressure_si.max(), 0.0, f.flow_at_si(np.minimum(p, f.pressure_si.max()))) + 0.0

    p_lo = max(float(f.pressure_si.min()) for f in fans)
    p_hi = max(float(f.pressure_si.max()) for f in fans)

    def total_q(p: Any) -> Any:
        total = sum(fan_q(p, f) for f in fans)
        return float(total) if np.ndim(total) == 0 else total

    def g(p: Any) -> Any:
        """System pressure minus p at the fans' total flow against p (vectorised over p; the system curve is
        a scalar callable, so it is called per value)."""
        q = np.asarray(total_q(p), dtype=float)
        return np.reshape([sys_p(float(v)) for v in q.ravel()], q.shape) - p

    found = _scan_root(g, p_lo, p_hi, atol, last=False, vectorised=True)
    regime, converged = "intersection", True
    p = p_lo if found is None else found[0]
    if found is None:
        regime = "free_delivery" if float(g(p_lo)) < 0.0 else "shutoff"
        _no_intersection(regime, on_no_intersection, total_q(p_hi), total_q(p_lo), p_hi,
                         sys_p(total_q(p_hi)), p_lo, sys_p(total_q(p_lo)))
        p = p_lo if regime == "free_delivery" else p_hi
    else:
        converged = found[1]
    flows = tuple(float(fan_q(p, f)) for f in fans)
    return OperatingPointSI(sum(flows), p, flows, tuple(p for _ in fans), regime, converged)


def _no_intersection(regime: str, mode: str, q_lo: float, q_hi: float, fan_lo: float, sys_lo: float,
                     fan_hi: float, sys_hi: float) -> None:
    if mode == "clip":
        return
    if regime == "shutoff":
        raise OperatingPointError(
            f"the fans cannot overcome the system: at the lowest datasheet flow ({q_lo:.4g} m^3/s) the "
            f"system needs {sys_lo:.4g} Pa but the fans give {fan_lo:.4g} Pa; no airflow (use "
            "on_no_intersection='clip' to get the shut-off end)"
        )
    raise OperatingPointError(
        f"the fans would run beyond their datasheet curve: at the highest datasheet flow ({q_hi:.4g} m^3/s) "
        f"the system needs only {sys_hi:.4g} Pa and the fans still give {fan_hi:.4g} Pa (use "
        "on_no_intersection='clip' to get the free-delivery end, an underestimate of the flow)"
    )


@dataclass(frozen=True)
class OperatingPoint:
    """Operating point with quantities: ``flow`` [m^3/s] and ``pressure`` [Pa] of the fan set."""

    flow: pint.Quantity
    pressure: pint.Quantity
    fan_flows: tuple[pint.Quantity, ...]
    fan_pressures: tuple[pint.Quantity, ...]
    regime: str
    arrangement: str
    converged: bool = True   # False when the root finder did not reach its tolerance


def _system_si(system: Any) -> Callable[[float], float]:
    """Wrap a system curve (SystemCurve, object with .pressure_drop(flow), or callable) into SI floats."""
    if isinstance(system, SystemCurve):
        return lambda q: float(system.pressure_si(q))
    func = getattr(system, "pressure_drop", None)
    if func is None:
        if not callable(system):
            raise TypeError("system must be callable (flow Quantity -> pressure Quantity) or have "
                            ".pressure_drop(flow)")
        func = system

    def call(q: float) -> float:
        result = func(Q_(q, "m**3/s"))
        if not isinstance(result, pint.Quantity):
            raise UnitError(f"the system curve returned the bare number {result!r}; it must return a "
                            "pressure Quantity such as Q_(120, 'Pa')")
        if not result.check("[pressure]"):
            raise UnitError(f"the system curve returned {result!r}, which is not a pressure")
        return float(result.m_as("Pa"))

    return call


def operating_point(
    fans: Sequence[FanCurve] | FanCurve,
    system: Any,
    arrangement: str = "parallel",
    *,
    density: Any = None,
    on_no_intersection: str = "raise",
) -> OperatingPoint:
    """Operating point of fans against a system curve, with quantities.

    Parameters
    ----------
    fans : one :class:`FanCurve` or a list (rated at their own density and speed)
    system : a :class:`SystemCurve`, an object with ``.pressure_drop(flow)``, or a callable; either takes a
        total volumetric-flow Quantity and returns a pressure-drop Quantity
    arrangement : "parallel" or "series"
    density : optional air density (e.g. ``air.density``); each fan curve is first scaled to it
        (:meth:`FanCurve.at_density`)
    on_no_intersection : "raise" (default) or "clip"; see :func:`solve_operating_point`

    Returns
    -------
    :class:`OperatingPoint` with ``.flow`` [m^3/s] and ``.pressure`` [Pa] (Quantities), per-fan values and
    ``regime`` ("intersection", "shutoff", "free_delivery").
    """
    fan_list = [fans] if isinstance(fans, FanCurve) else list(fans)
    for i, f in enumerate(fan_list):
        if not isinstance(f, FanCurve):
            raise TypeError(f"fans[{i}] is a {type(f).__name__}, not a FanCurve")
    if density is not None:
        fan_list = [f.at_density(density) for f in fan_list]
    res = solve_operating_point(fan_list, _system_si(system), arrangement, on_no_intersection)
    return OperatingPoint(
        flow=Q_(res.flow, "m**3/s"),
        pressure=Q_(res.pressure, "Pa"),
        fan_flows=tuple(Q_(v, "m**3/s") for v in res.fan_flows),
        fan_pressures=tuple(Q_(v, "Pa") for v in res.fan_pressures),
        regime=res.regime,
        arrangement=arrangement,
        converged=res.converged,
    )
