"""What the thermal model computes, as data (plain frozen dataclasses; the renderings live in
:mod:`sledcheck.report.thermal`).

Units: temperatures [degC], temperature differences [K], power [W], flow [m^3/s], pressure [Pa], altitude [m],
resistances [K/W].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """Something that keeps the model from evaluating a component or lane (a T003 finding)."""

    subjects: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class ComponentResult:
    """One component in one scenario: power [W], the limited temperature (junction or case) [degC], its limit
    [degC], margin and required margin [K], local inlet [degC], resistance chain [K/W], fin flow [m^3/s]."""

    part: str
    power: float
    temperature: float
    limit_kind: str
    limit: float
    margin: float
    required_margin: float
    local_inlet: float
    chain: dict[str, float]
    fin_flow: float | None
    warnings: tuple[str, ...] = ()
    band: float = 0.0                                  # the margin's uncertainty, +- [K] (model.thermal.uncertainty)
    band_parts: dict[str, float] = field(default_factory=dict)   # each allowance's part of it [K]

    @property
    def status(self) -> str:
        """"fail" (below the required margin), "marginal" (its band crosses the requirement) or "pass"."""
        if not self.margin >= self.required_margin:
            return "fail"
        return "marginal" if self.margin - self.band < self.required_margin else "pass"

    @property
    def junction(self) -> float | None:
        """Junction temperature [degC] where it is known (a junction limit, or a case limit with r_jc)."""
        if self.limit_kind == "junction":
            return self.temperature
        return self.temperature + self.power * self.chain["r_jc"] if self.chain.get("r_jc") else None


@dataclass(frozen=True)
class LaneResult:
    """One lane in one scenario: flow [m^3/s], pressure drop [Pa], working fans, fin flow / lane flow per sink,
    and the lane's cross-section [m^2] the model used (flow / area is the approach velocity)."""

    name: str
    flow: float
    pressure: float
    fans_working: int
    fin_fraction: dict[str, float]
    area: float = float("nan")


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario: inlet [degC], altitude [m], the failed fans, and its lanes and components."""

    name: str
    inlet: float
    altitude: float
    failed_fans: tuple[str, ...]
    lanes: tuple[LaneResult, ...]
    components: tuple[ComponentResult, ...]


@dataclass(frozen=True)
class HeatsinkUsed:
    """The heat-sink geometry a margin was computed from (contract.md ``thermal.heatsinks``; lengths [mm]):
    ``length`` and ``width`` are the fin bank's, ``base_*`` the plate's; ``pedestal`` is (height, length, width)
    of a pedestal under the plate; ``notes`` say how the CAD was read. A pin-fin sink gives its pins as
    fin_count (pins), fin_thickness (pin diameter) and fin_gap (clear gap S_T - D in a row), and in the pin
    fields."""

    part: str
    type: str
    source: str
    fin_count: int
    fin_thickness: float
    fin_gap: float
    fin_height: float
    length: float
    width: float
    base_thickness: float
    base_length: float
    base_width: float
    tip_gap: float
    pedestal: tuple[float, float, float] | None = None
    notes: tuple[str, ...] = ()
    pin_diameter: float | None = None   # pin-fin sinks: D, S_L, S_T [mm], "in-line" | "staggered", N
    pitch_along: float | None = None
    pitch_across: float | None = None
    layout: str | None = None
    pin_count: int | None = None
    base: tuple[str, float, float, float] | None = None   # an orthotropic base: kind, k_x, k_y, k_z [W/(m K)]


@dataclass(frozen=True)
class ThermalResult:
    """Every scenario of a design, what kept the model from running, the fan model's name and source, and the
    fan and system curves per lane for plots ([m^3/s], [Pa]), and the heat-sink geometry the model used."""

    scenarios: tuple[ScenarioResult, ...]
    problems: tuple[Problem, ...]
    fan_model: str
    fan_source: str = field(default="", compare=False)
    curves: dict[str, Any] = field(default_factory=dict, compare=False)
    heatsinks: tuple[HeatsinkUsed, ...] = ()
