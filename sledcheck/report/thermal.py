"""The thermal section of the reports, as pure functions of :class:`~sledcheck.model.thermal.ThermalResult`.

``thermal_json(result)`` is the JSON report's ``thermal`` value (contract.md: every quantity {value, unit});
``thermal_text(result)`` the lines of the text report.
"""

from __future__ import annotations

import math
from typing import Any

from ..model.thermal.results import ThermalResult
from ..units import Q_, as_json

#: 1 CFM in m^3/s (the text report prints flows in CFM).
CFM_M3_S = 4.719474e-4


def scenario_kind(scenario: Any) -> str:
    """The contract's scenario kind: "fan_failed" (a fan stopped), "rotor_failed" (one rotor of a dual-rotor fan),
    "nominal" (the nominal inlet) or
    "worst_inlet" (the environment's worst inlet, every fan running)."""
    if scenario.failed_fans:
        return "rotor_failed" if scenario.name.endswith("rotor failed") else "fan_failed"
    return "nominal" if scenario.name.startswith("nominal") else "worst_inlet"


def thermal_json(result: ThermalResult) -> dict[str, Any]:
    """The JSON ``thermal`` section of a :class:`ThermalResult`."""
    out = []
    for s in result.scenarios:
        comps = []
        for c in s.components:
            comps.append({
                "part": c.part, "power": as_json(Q_(c.power, "W")),
                "junction_temperature": as_json(Q_(c.junction, "degC")) if c.junction is not None else None,
                "temperature": as_json(Q_(c.temperature, "degC")), "temperature_kind": c.limit_kind,
                "limit": as_json(Q_(c.limit, "degC")), "margin": as_json(Q_(c.margin, "K")),
                "required_margin": as_json(Q_(c.required_margin, "K")),
                "margin_band": {"low": as_json(Q_(c.margin - c.band, "K")), "high": as_json(Q_(c.margin + c.band, "K")),
                                "parts": {k: as_json(Q_(v, "K")) for k, v in c.band_parts.items()}},
                "status": c.status,
                "local_inlet": as_json(Q_(c.local_inlet, "degC")),
                "resistances": {k: as_json(Q_(v, "K/W")) for k, v in c.chain.items()},
                "fin_flow": as_json(Q_(c.fin_flow, "m**3/s").to("CFM")) if c.fin_flow is not None else None,
                "warnings": list(c.warnings)})
        out.append({
            "name": s.name, "inlet_temperature": as_json(Q_(s.inlet, "degC")),
            "altitude": as_json(Q_(s.altitude, "m")), "kind": scenario_kind(s), "failed": list(s.failed_fans),
            "failed_fans": len(s.failed_fans), "failed_fan_parts": list(s.failed_fans),
            "airflow": {"total": as_json(Q_(sum(lane.flow for lane in s.lanes), "m**3/s").to("CFM")),
                        "lanes": [{"name": lane.name, "flow": as_json(Q_(lane.flow, "m**3/s").to("CFM")),
                                   "pressure": as_json(Q_(lane.pressure, "Pa")),
                                   "fans_working": lane.fans_working,
                                   "fin_fraction": {k: round(v, 4) for k, v in lane.fin_fraction.items()}}
                                  for lane in s.lanes]},
            "components": comps})
    worst = {part: {"scenario": name, "margin": as_json(Q_(margin, "K"))}
             for part, (name, margin) in worst_scenarios(result).items()}
    return {"fan_model": result.fan_model, "scenarios": out, "worst": worst}


def worst_scenarios(result: ThermalResult) -> dict[str, tuple[str, float]]:
    """Each component's smallest margin [K] over the scenarios and the scenario it is in (nan counts worst)."""
    worst: dict[str, tuple[str, float]] = {}
    for s in result.scenarios:
        for c in s.components:
            margin = c.margin if not math.isnan(c.margin) else -math.inf
            if c.part not in worst or margin < worst[c.part][1]:
                worst[c.part] = (s.name, margin)
    return worst


def thermal_text(result: ThermalResult) -> list[str]:
    """The text report's thermal lines: per scenario its inlet, altitude and flow, per component the limited
    temperature, limit and margin."""
    lines = ["thermal margins (fan model: " + result.fan_model + ")"]
    for s in result.scenarios:
        flow = sum(lane.flow for lane in s.lanes) / CFM_M3_S
        lines.append(f"  {s.name}: inlet {s.inlet:.1f} degC, {s.altitude:.0f} m, {flow:.1f} CFM")
        for c in s.components:
            short = ("  << below required" if c.status == "fail" else
                     "  (marginal: its band crosses the requirement)" if c.status == "marginal" else "")
            kind = "Tj" if c.limit_kind == "junction" else "Tcase"
            if not math.isfinite(c.temperature):
                lines.append(f"    {c.part:14} {c.power:7.1f} W  {kind:5} unbounded: no airflow through its lane")
                continue
            lines.append(f"    {c.part:14} {c.power:7.1f} W  {kind:5} {c.temperature:6.1f} degC  limit "
                         f"{c.limit:5.1f}  margin {c.margin:+6.1f} ± {c.band:.1f} K (need {c.required_margin:g})"
                         f"{short}")
    lines.append("  worst scenario per component:")
    for part, (name, margin) in worst_scenarios(result).items():
        lines.append(f"    {part:14} {margin:+6.1f} K  in '{name}'")
    return lines
