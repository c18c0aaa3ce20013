"""Building the sled's thermal model once from the design's thermal section and the CAD: lanes (area, fixed
losses, heat sinks in airflow order) and, per hot component, what its chain needs that does not change between
cases (TIM, base conduction, the spreading table). Everything here is SI."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from ...load.thermal import Base, Component, Lane, ThermalSpec
from ...thermal import atmosphere, platefin, spreading, tim
from ...thermal.fans import FanCurve
from ..assembly import Assembly
from .cad import M_PER_MM, SinkGeometry, heatsink_used, pedestal_resistance, sink_geometry
from .results import HeatsinkUsed, Problem
from .underbase import with_under_base_passages

#: R0 values [K/W] at which the exact spreading series is tabulated for each component (log-spaced; PCHIP in
#: log-log between them is within 0.1 % of the series, see tests).
R0_GRID = np.geomspace(1e-3, 100.0, 21)


@dataclass(frozen=True, eq=False)
class ComponentModel:
    """A hot component with what its chain needs that does not change between cases (SI).

    r_tim, r_base : TIM and base-conduction resistances [K/W]
    spreading : callable R0 [K/W] -> spreading resistance [K/W] (vectorised); None without a heat sink
    wake_of : for a part without a heat sink and ``air: wake``, the upstream component whose heat sink's fin
        exhaust it sits in
    """

    spec: Component
    sink: SinkGeometry | None
    r_tim: float
    r_base: float
    spreading: Any
    wake_of: ComponentModel | None = None


@dataclass(frozen=True, eq=False)
class LaneModel:
    """A lane (SI): cross-section ``area`` [m^2], heat sinks and components in airflow order, fixed losses
    ``k_losses`` [velocity heads of the lane, -]."""

    lane: Lane
    area: float
    sinks: tuple[SinkGeometry, ...]
    k_losses: float
    components: tuple[ComponentModel, ...]


@dataclass(frozen=True, eq=False)
class SledModel:
    """Everything of the sled's thermal model that is fixed: geometry, the fan curve, the air ``pressure`` [Pa] at
    the site altitude."""

    spec: ThermalSpec
    fan: FanCurve
    pressure: Any          # [Pa]: a float, or an array over cases (a sweep over altitudes)
    lanes: tuple[LaneModel, ...]
    problems: tuple[Problem, ...]


def k_losses(lane: Lane, lane_area_m2: float) -> float:
    """Velocity heads [-] of the lane's fixed losses; perforated plates by the square-edged grille correlation
    of fluids (Idelchik, via fluids.filters.square_edge_grill)."""
    from fluids.filters import square_edge_grill

    total = 0.0
    for loss in lane.losses:
        if loss.k is not None:
            total += loss.k
        else:
            assert loss.open_area is not None
            total += float(square_edge_grill(alpha=loss.open_area, l=loss.thickness, Dh=0.004, fd=0.03))
    return total


@lru_cache(maxsize=512)
def _series_table(sx_m: float, sy_m: float, plate_x_m: float, plate_y_m: float, t_m: float, k_w_mk: float,
                  offset_x_m: float, offset_y_m: float, peak: bool,
                  orthotropic: tuple[float, float, float] | None) -> tuple[float, ...]:
    """The exact series' spreading resistance [K/W] at each R0 of :data:`R0_GRID`, computed once for each set
    of inputs (identical heat sinks over identical packages share it: the series is most of a model's build)."""
    if orthotropic is not None:
        results = [spreading.series_spreading_orthotropic(
            sx_m, sy_m, plate_x_m, plate_y_m, t_m, *orthotropic, r0, offset_x_m, offset_y_m, rtol=1e-5,
            maximum=False, centroid=peak) for r0 in R0_GRID]
    else:
        results = [spreading.series_spreading(sx_m, sy_m, plate_x_m, plate_y_m, t_m, k_w_mk, r0, offset_x_m,
                                              offset_y_m, rtol=1e-5, maximum=False, centroid=peak)
                   for r0 in R0_GRID]
    return tuple(float(r.centroid if peak else r.average) for r in results)


def spreading_table(method: str, sx_m: float, sy_m: float, sink: SinkGeometry, offset_m: tuple[float, float],
                    t_m: float, k_w_mk: float, junction: str = "average", base: Base | None = None) -> Any:
    """Spreading resistance [K/W] as a vectorised function of R0 [K/W]: Lee's closed form, or the exact series
    (Muzychka et al. 2003) tabulated on :data:`R0_GRID` and interpolated by PCHIP in log-log; ``junction``
    "average" takes the source-average rise, "peak" the rise at the source centroid (Lee: at the centre of
    his equivalent disc). An orthotropic ``base`` (a vapour chamber, a heat-pipe base) replaces the isotropic
    ``k_w_mk`` by its k_x, k_y, k_z (the equivalent isotropic plate, Muzychka et al. 2004:
    :mod:`sledcheck.thermal.orthotropic`)."""
    from scipy.interpolate import PchipInterpolator

    if method == "lee":
        field = "maximum" if junction == "peak" else "average"
        if base is not None:
            return lambda r0: getattr(spreading.lee_spreading_orthotropic(
                sx_m * sy_m, sink.base_x_m * sink.base_y_m, t_m, base.k_x, base.k_y, base.k_z, r0), field)
        return lambda r0: getattr(spreading.lee_spreading(sx_m * sy_m, sink.base_x_m * sink.base_y_m, t_m, k_w_mk,
                                                          r0), field)
    orthotropic = None if base is None else (base.k_x, base.k_y, base.k_z)
    values = _series_table(float(sx_m), float(sy_m), float(sink.base_x_m), float(sink.base_y_m), float(t_m),
                           float(k_w_mk), float(offset_m[0]), float(offset_m[1]), junction == "peak", orthotropic)
    table = PchipInterpolator(np.log(R0_GRID), np.log(np.maximum(values, 1e-300)), extrapolate=True)
    return lambda r0: np.exp(table(np.log(np.clip(r0, R0_GRID[0], R0_GRID[-1]))))


def build_model(assembly: Assembly) -> SledModel | None:
    """The fixed part of the thermal model, read from the design and the CAD once (None without a thermal
    section). The fan curve was read with the design (:attr:`ThermalSpec.fan`)."""
    spec = assembly.design.thermal
    if spec is None:
        return None
    components = {c.part: c for c in spec.components}
    problems: list[Problem] = []
    lanes = []
    for lane in spec.lanes:
        fan_parts = [assembly.part(f) for f in lane.fans]
        width_mm = lane.width / M_PER_MM if lane.width else float(max(p.bounds[1][0] for p in fan_parts)
                                                                  - min(p.bounds[0][0] for p in fan_parts))
        sinks: dict[str, SinkGeometry] = {}
        for comp in (components[c] for c in lane.components):
            if comp.heatsink is None:
                continue
            found = sink_geometry(assembly, lane, width_mm, comp.heatsink, comp.heatsink_geometry,
                                  comp.heatsink_conductivity)
            if isinstance(found, Problem):
                problems.append(found)
            else:
                sinks[comp.part] = with_under_base_passages(assembly, found, comp.part)
        heights_m = [s.section.bypass.lane_area / (width_mm * M_PER_MM) for s in sinks.values()]
        height_m = lane.height or (max(heights_m) if heights_m else None)
        if height_m is None:
            if not any(p.subjects[0] in {c.heatsink for c in components.values()} for p in problems):
                # (a sink that could not be read is already a finding: the lane is not evaluated either way)
                problems.append(Problem((lane.name,), f"lane '{lane.name}' has no height and no heat sink under a "
                                                      "lid to measure it from; give the lane a height"))
            continue
        area_m2 = width_mm * M_PER_MM * height_m
        centres = {c: float(assembly.part(c).bounds[:, 1].mean()) for c in lane.components}
        in_cad = sorted(lane.components, key=lambda c: centres[c])
        if list(lane.components) != in_cad:
            problems.append(Problem(tuple(lane.components), f"lane '{lane.name}' lists {', '.join(lane.components)} "
                                    f"but the CAD puts them in airflow order (front to back, y) as "
                                    f"{', '.join(in_cad)}: the preheat would be wrong; list them in that order"))
        models: list[ComponentModel] = []
        for name in lane.components:
            comp = components[name]
            sink = sinks.get(name)
            if comp.heatsink is not None and sink is None:
                continue
            model = component_model(assembly, comp, sink, spec.spreading, tuple(models))
            if isinstance(model, Problem):
                problems.append(model)
            else:
                models.append(model)
        lanes.append(LaneModel(lane=lane, area=area_m2,
                               sinks=tuple(sinks[c] for c in lane.components if c in sinks),
                               k_losses=k_losses(lane, area_m2), components=tuple(models)))
    return SledModel(spec=spec, fan=spec.fan,
                     pressure=float(atmosphere.pressure_at_altitude(spec.environment.altitude)),
                     lanes=tuple(lanes), problems=tuple(problems))


def heat_source(comp: Component, footprint_m: tuple[float, float]) -> tuple[tuple[float, float], float]:
    """The heat source the base sees [m] and the TIM's area [m^2], from what the component says it is.

    - ``package: bare``: the TIM wets the die and the base spreads from the die.
    - ``package: lidded``: the lid (an integrated heat spreader) has spread the die's heat; the TIM sits on the
      lid and the base spreads from the lid, taken as a uniform-flux source of the lid's size. The die-to-lid
      path (TIM1 and the lid's own spreading) is inside R_jc, which is referred to the centre of the lid top
      (theta_JC measured with the case thermocouple at the top-centre of a cold-plated case: MIL-STD-883
      Method 1012.1, as JEDEC JESD51-12 describes it); the lid's non-uniform flux above the die is not modelled
      (a uniform-flux source of the lid's size, as in the audit).
    - neither (an older design): the TIM over the package footprint, the base spreading from ``source`` or the
      footprint, as before.
    """
    if comp.package == "bare" and comp.die_size is not None:
        return comp.die_size, comp.die_size[0] * comp.die_size[1]
    if comp.package == "lidded" and comp.lid_size is not None:
        return comp.lid_size, comp.lid_size[0] * comp.lid_size[1]
    return comp.source_size or footprint_m, footprint_m[0] * footprint_m[1]


def wake_source(assembly: Assembly, comp: Component, upstream: tuple[ComponentModel, ...]
                ) -> ComponentModel | Problem:
    """The heat sink whose fin exhaust ``comp`` (``air: wake``) sits in: the nearest one upstream in its lane
    (``upstream`` in airflow order) whose fin bank overlaps the part across the flow (x)."""
    lo, hi = assembly.part(comp.part).bounds
    x0, x1 = float(lo[0]) * M_PER_MM, float(hi[0]) * M_PER_MM
    for model in reversed(upstream):
        if model.sink is None:
            continue
        half = model.sink.base_x_m / 2
        if x0 < model.sink.base_centre_m[0] + half and x1 > model.sink.base_centre_m[0] - half:
            return model
    return Problem((comp.part,), f"{comp.part} has air: wake but no heat sink upstream of it in its lane overlaps "
                   "it across the flow; remove air: wake (it then takes the lane's mixed air)")


def component_model(assembly: Assembly, comp: Component, sink: SinkGeometry | None,
                    method: str, upstream: tuple[ComponentModel, ...] = ()) -> ComponentModel | Problem:
    """The fixed part of a component's chain: TIM over the area it wets (:func:`heat_source`), base conduction,
    and the spreading table for its heat source, centred on the package, at its offset from the base centre;
    for a part without a heat sink, the heat sink it takes its air from with ``air: wake``
    (:func:`wake_source`; ``upstream``: the lane's components before it, in airflow order).

    With ``junction: peak`` the spreading term is the rise at the source centroid, the point R_jc is referred
    to (the JEDEC case-top centre), so Tj = T_case,centre + P R_jc is the hottest junction's temperature for a
    centred die; ``average`` takes the source-average rise (lower, Muzychka et al. 2003)."""
    if sink is None:
        wake = wake_source(assembly, comp, upstream) if comp.air == "wake" else None
        if isinstance(wake, Problem):
            return wake
        return ComponentModel(spec=comp, sink=None, r_tim=0.0, r_base=0.0, spreading=None, wake_of=wake)
    lo, hi = assembly.part(comp.part).bounds
    footprint = (float(hi[0] - lo[0]) * M_PER_MM, float(hi[1] - lo[1]) * M_PER_MM)
    (sx, sy), tim_m2 = heat_source(comp, footprint)
    if comp.package is not None and (sx > footprint[0] * (1 + 1e-6) or sy > footprint[1] * (1 + 1e-6)):
        what = "die" if comp.package == "bare" else "lid"
        return Problem((comp.part,), f"the {what} of {comp.part} ({sx / M_PER_MM:g} x {sy / M_PER_MM:g} mm) is "
                       f"larger than its part's footprint in the CAD ({footprint[0] / M_PER_MM:.1f} x "
                       f"{footprint[1] / M_PER_MM:.1f} mm); give the sizes along x and y")
    sx, sy = min(sx, sink.base_x_m), min(sy, sink.base_y_m)
    offset = (round(float(lo[0] + hi[0]) / 2 * M_PER_MM - sink.base_centre_m[0], 9),
              round(float(lo[1] + hi[1]) / 2 * M_PER_MM - sink.base_centre_m[1], 9))
    t, k = sink.fins.base_thickness * M_PER_MM, comp.heatsink_conductivity
    k_through = comp.base.k_z if comp.base is not None else k   # 1-D conduction through the plate: t/(k_z A)
    if abs(offset[0]) + sx / 2 > sink.base_x_m / 2 * (1 + 1e-9) or \
            abs(offset[1]) + sy / 2 > sink.base_y_m / 2 * (1 + 1e-9):
        return Problem((comp.part, sink.part), f"{sink.part} is not over {comp.part}: the heat source (centre "
                       f"{offset[0] / M_PER_MM:+.1f}, {offset[1] / M_PER_MM:+.1f} mm from the base centre) is not "
                       "on its base")
    assert comp.tim_thickness is not None and comp.tim_conductivity is not None
    return ComponentModel(spec=comp, sink=sink, r_tim=float(tim.tim_resistance(comp.tim_thickness,
                                                                               comp.tim_conductivity, tim_m2)),
                          r_base=float(platefin.base_resistance(t, k_through, sink.base_x_m, sink.base_y_m))
                          + pedestal_resistance(sink, sx * sy, k),
                          spreading=spreading_table(method, sx, sy, sink, offset, t, k, comp.junction, comp.base))


def heatsinks_used(model: SledModel) -> tuple[HeatsinkUsed, ...]:
    """The geometry each heat sink's margins were computed from (:func:`~.cad.heatsink_used`), with its component's
    orthotropic ``base`` (kind, k_x, k_y, k_z [W/(m K)]) where the design declares one."""
    bases = {c.sink.part: c.spec.base for lane in model.lanes for c in lane.components if c.sink is not None}
    out = []
    for lane in model.lanes:
        for sink in lane.sinks:
            used, base = heatsink_used(sink), bases.get(sink.part)
            out.append(used if base is None else replace(used, base=(base.kind, base.k_x, base.k_y, base.k_z)))
    return tuple(out)
