"""The scenarios a design is checked in: nominal inlet, the worst inlet (the ASHRAE class's maximum derated with
altitude, or the declared max_inlet), and that worst inlet with each single fan failed (N+1), each at every
candidate altitude of the declared altitude range.

With one altitude that is one scenario per case. With a range (``altitude: 0 m .. 3050 m``) the worst
environment is searched, not assumed: every case is evaluated on a grid over the range (at most
:data:`ALTITUDE_STEP_M` apart, plus the ends and the class's derating start, where the derated maximum inlet has
its kink), and :func:`worst_per_component` keeps, for each case kind and failed fan, the altitude that leaves each
component its smallest margin. A hotter inlet and thinner air compete above the derating start (ASHRAE A2:
-1 degC per 300 m above 900 m, while the air's density falls about 1 % per 100 m), so the worst altitude depends
on the component: it is found by evaluation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ...load.thermal import ThermalSpec
from ...thermal import atmosphere

#: Largest spacing [m] of the altitude grid searched over a declared range.
ALTITUDE_STEP_M = 50.0


class Scenario(NamedTuple):
    """One scenario: its name, inlet [degC], the failed fans, its kind (contract.md: "nominal", "worst_inlet",
    "fan_failed" or "rotor_failed") and its altitude [m]. A tuple whose first three items are (name, inlet,
    failed fans), as before."""

    name: str
    inlet: float
    failed: tuple[str, ...]
    kind: str
    altitude: float


def altitudes(spec: ThermalSpec) -> np.ndarray:
    """The altitudes [m] every case is evaluated at: the declared one, or a grid over the declared range with its
    ends and the ASHRAE derating start inside it."""
    env = spec.environment
    if env.altitude_min is None or env.altitude_min >= env.altitude:
        return np.array([env.altitude])
    lo, hi = env.altitude_min, env.altitude
    grid = np.linspace(lo, hi, int(np.ceil((hi - lo) / ALTITUDE_STEP_M)) + 1)
    extra = []
    if env.ashrae_class is not None:
        start = atmosphere.ASHRAE_CLASSES[env.ashrae_class].derating_start
        if lo < start < hi:
            extra.append(start)
    return np.unique(np.concatenate([grid, extra]))


def _worst_inlet(spec: ThermalSpec, z: float) -> float:
    env = spec.environment
    if env.max_inlet is not None:
        return env.max_inlet
    if env.ashrae_class is None:  # the loader rejects this; an Environment built by hand may not
        raise ValueError("the environment gives neither ashrae_class nor max_inlet for the worst case")
    return float(atmosphere.max_inlet_temperature(env.ashrae_class, z))


def scenarios(spec: ThermalSpec) -> list[Scenario]:
    """Every scenario: nominal, worst inlet, worst inlet with each fan failed, at every candidate altitude."""
    env = spec.environment
    grid = altitudes(spec)
    many = grid.size > 1
    failure = "rotor_failed" if spec.fan.failure.kind == "rotor" else "fan_failed"
    suffix = "rotor failed" if failure == "rotor_failed" else "failed"
    out: list[Scenario] = []
    for z in grid.tolist():
        worst = _worst_inlet(spec, z)
        where = f" at {z:.0f} m" if many else ""
        label = (f"max inlet {worst:.1f} degC" + (f" ({env.ashrae_class} at {z:.0f} m)" if env.max_inlet is None
                                                   else where))
        out.append(Scenario(f"nominal {env.nominal_inlet:.1f} degC{where}", env.nominal_inlet, (), "nominal", z))
        out.append(Scenario(label, worst, (), "worst_inlet", z))
        for lane in spec.lanes:
            for fan in lane.fans:
                out.append(Scenario(f"{label}, {fan} {suffix}", worst, (fan,), failure, z))
    return out


def working_fans(spec: ThermalSpec, cases: list[Scenario]) -> dict[str, np.ndarray]:
    """The fans still working in each lane, scenario by scenario (an array per lane, in the order of ``cases``)."""
    return {lane.name: np.array([len(lane.fans) - sum(f in lane.fans for f in c.failed) for c in cases])
            for lane in spec.lanes}


def worst_per_component(cases: list[Scenario], margins: dict[str, np.ndarray]) -> list[int]:
    """Indices of the scenarios to report: for each (kind, failed fans), the altitude that leaves each component
    its smallest margin (``margins`` [K] per component over ``cases``; nan counts as the worst): nominal, worst
    inlet, then each failed fan, as :func:`scenarios` lists them; within a group by altitude."""
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for i, case in enumerate(cases):
        groups.setdefault((case.kind, case.failed), []).append(i)
    order = sorted(groups, key=lambda g: (g[0] != "nominal", g[0] != "worst_inlet", groups[g][0]))
    out: list[int] = []
    for group in order:
        index = np.array(groups[group])
        keep: set[int] = set() if margins else {int(index[-1])}   # no component: the thinnest air
        for margin in margins.values():
            values = np.asarray(margin, float)[index]
            keep.add(int(index[int(np.argmin(np.where(np.isnan(values), -np.inf, values)))]))
        out.extend(sorted(keep))
    return out
