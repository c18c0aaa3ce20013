"""The scenarios a design is checked in: nominal inlet, the worst inlet (the ASHRAE class's maximum derated with
altitude, or the declared max_inlet), and that worst inlet with each single fan failed (N+1)."""

from __future__ import annotations

from ...load.thermal import ThermalSpec
from ...thermal import atmosphere


def scenarios(spec: ThermalSpec) -> list[tuple[str, float, tuple[str, ...]]]:
    """(name, inlet [degC], failed fans) of every scenario: nominal, worst inlet, worst inlet with each fan failed."""
    env = spec.environment
    if env.max_inlet is not None:
        worst = env.max_inlet
    elif env.ashrae_class is not None:
        worst = float(atmosphere.max_inlet_temperature(env.ashrae_class, env.altitude))
    else:  # the loader rejects this; an Environment built by hand may not
        raise ValueError("the environment gives neither ashrae_class nor max_inlet for the worst case")
    label = (f"max inlet {worst:.1f} degC" + (f" ({env.ashrae_class} at {env.altitude:.0f} m)"
                                                if env.max_inlet is None else ""))
    out: list[tuple[str, float, tuple[str, ...]]] = [
        (f"nominal {env.nominal_inlet:.1f} degC", env.nominal_inlet, ()), (label, worst, ())]
    for lane in spec.lanes:
        for fan in lane.fans:
            out.append((f"{label}, {fan} failed", worst, (fan,)))
    return out
