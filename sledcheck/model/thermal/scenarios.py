"""The scenarios a design is checked in: nominal inlet, the worst inlet (the ASHRAE class's maximum derated with
altitude, or the declared max_inlet), and that worst inlet with each single fan failed (N+1)."""

from __future__ import annotations

from ...load.thermal import ThermalSpec
from ...thermal import atmosphere


def scenarios(spec: ThermalSpec) -> list[tuple[str, float, tuple[str, ...]]]:
    """(name, inlet [degC], failed fans) of every scenario: nominal, worst inlet, worst inlet with each fan failed."""
    env = spec.environment
    worst = env.max_inlet if env.max_inlet is not None else float(
        atmosphere.max_inlet_temperature(env.ashrae_class, env.altitude))
    label = (f"max inlet {worst:.1f} degC" + (f" ({env.ashrae_class} at {env.altitude:.0f} m)"
                                                if env.max_inlet is None else ""))
    out = [(f"nominal {env.nominal_inlet:.1f} degC", env.nominal_inlet, ()), (label, worst, ())]
    for lane in spec.lanes:
        for fan in lane.fans:
            out.append((f"{label}, {fan} failed", worst, (fan,)))
    return out
