"""What the CAD says about each heat sink: its fins (recognised from the mesh, or declared), the tip gap to the lid
above it, the lane height (board top to lid) and the bypass passages around it.

The fin bank, not the base plate, is what the air and the heat see: the plate-fin model takes the bank's width and
length, the base spreads the heat over the bank's footprint (plate beyond the fins has no fins to reject heat,
leaving it out errs safe), the tip gap is measured over the inner fins (taller edge fins do not close it), and a
pedestal under the plate adds its conduction to the base resistance. A pin-fin sink (recognised or declared) is
read the same way, its pins modelled by :class:`~sledcheck.thermal.heatsink.PinFin` over the pin field
N_T S_T wide (Khan et al.'s W: each pin with its pitch cell), the rest of the plate's width being bypass.

The meshes are in millimetres; everything this module returns is SI except the recogniser's
:class:`~sledcheck.geometry.heatsinks.PlateFinGeometry`, which stays in mm as the geometry package gives it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...geometry.clip import clip_to_prism
from ...geometry.heatsinks import NotRecognised, PinFinGeometry, PlateFinGeometry, recognise_heatsink
from ...load.thermal import Lane
from ...thermal.heatsink import PinFin, PlateFin
from ...thermal.network import Bypass, FinSection
from ..assembly import Assembly, Part
from .results import HeatsinkUsed, Problem

#: metres per millimetre
M_PER_MM = 1e-3


@dataclass(frozen=True)
class SinkGeometry:
    """A heat sink as the thermal model sees it.

    part : the heat-sink part
    fins : the fin geometry recognised (or declared) [mm, as the geometry package gives it]
    section : the lane network's view: the sink's :class:`~sledcheck.thermal.heatsink.HeatSink` and bypass [SI]
    base_x_m, base_y_m : size across and along the flow of the base the heat spreads over: the fin bank's
        footprint [m]
    base_centre_m : (x, y) of that footprint's centre [m]
    tip_gap_m : the inner fins' tips to the lid [m]
    """

    part: str
    fins: PlateFinGeometry | PinFinGeometry
    section: FinSection
    base_x_m: float
    base_y_m: float
    base_centre_m: tuple[float, float]
    tip_gap_m: float


def board_top_mm(assembly: Assembly, part: Part) -> float:
    """Top [mm] of the highest board (role pcb) under ``part``'s footprint; the assembly's bottom without one."""
    lo, hi = part.bounds
    tops = [p.bounds[1][2] for p in assembly.parts_with_role("pcb")
            if p.bounds[1][2] <= lo[2] + 1e-6 and p.bounds[0][0] < hi[0] and p.bounds[1][0] > lo[0]
            and p.bounds[0][1] < hi[1] and p.bounds[1][1] > lo[1]]
    return max(tops) if tops else float(assembly.bounds[0][2])


def lid_bottom_mm(assembly: Assembly, part: Part) -> float | None:
    """Lowest point of any lid over the part's footprint and above its bottom [mm] (the lid is clipped to the
    footprint, so this is exact; a lid the part runs into gives a tip gap of zero)."""
    from shapely.geometry import box

    lo, hi = part.bounds
    footprint = box(lo[0], lo[1], hi[0], hi[1])
    best = None
    for lid in assembly.parts_with_role("lid"):
        pieces = clip_to_prism(lid.mesh, lid.triangle_boxes, footprint, lo[2], np.inf)
        for piece in pieces:
            z = float(piece.vertices[:, 2].min())
            best = z if best is None else min(best, z)
    return best


def declared_fins(part: Part, given: dict[str, float]) -> PlateFinGeometry:
    """Fin geometry the design declares [mm] for a sink the recogniser cannot read: a fin bank
    ``fin_field_width`` x ``fin_length`` (default: the part's footprint) centred on the part, fins along y."""
    lo, hi = (np.asarray(b, dtype=float) for b in part.bounds)
    n, t = int(given["fin_count"]), given["fin_thickness"]
    width = given.get("fin_field_width", float(hi[0] - lo[0]))
    length = given.get("fin_length", float(hi[1] - lo[1]))
    gap = (width - n * t) / (n - 1)
    mid = 0.5 * (lo + hi)
    floor = float(lo[2] + given["base_thickness"])
    bank = ((float(mid[0] - width / 2), float(mid[1] - length / 2), floor),
            (float(mid[0] + width / 2), float(mid[1] + length / 2), floor + given["fin_height"]))
    return PlateFinGeometry(
        fin_count=n, fin_thickness=t, fin_thickness_min=t, fin_thickness_max=t, fin_gap=gap, fin_gap_min=gap,
        fin_gap_max=gap, fin_height=given["fin_height"], base_thickness=given["base_thickness"],
        length=length, width=width, fin_length=length, fin_array_width=width, flow_axis="y",
        base_normal="+z", fin_centres=(),
        base_bounds=((float(lo[0]), float(lo[1]), float(lo[2])), (float(hi[0]), float(hi[1]), floor)),
        base_length=float(hi[1] - lo[1]), base_width=float(hi[0] - lo[0]), bank_bounds=bank, source="declared")


def declared_pins(part: Part, given: dict[str, Any]) -> PinFinGeometry:
    """Pin-fin geometry the design declares [mm]: a pin field ``fin_field_width`` x ``fin_length`` (default the
    part's footprint) centred on the part, flow along y, with N_T = floor(W / S_T) pins across and
    N_L = floor(L / S_L) rows (Khan et al.: W = N_T S_T, L = N_L S_L); in a staggered array every other row,
    shifted by S_T / 2, has one pin fewer."""
    lo, hi = (np.asarray(b, dtype=float) for b in part.bounds)
    d, s_l, s_t = given["pin_diameter"], given["pitch_along"], given["pitch_across"]
    width = given.get("fin_field_width", float(hi[0] - lo[0]))
    length = given.get("fin_length", float(hi[1] - lo[1]))
    per_row, rows = int(np.floor(width / s_t + 1e-9)), int(np.floor(length / s_l + 1e-9))
    shifted = rows // 2 if given["layout"] == "staggered" else 0
    count = per_row * rows - shifted
    mid = 0.5 * (lo + hi)
    floor = float(lo[2] + given["base_thickness"])
    bank = ((float(mid[0] - width / 2), float(mid[1] - length / 2), floor),
            (float(mid[0] + width / 2), float(mid[1] + length / 2), floor + given["fin_height"]))
    return PinFinGeometry(
        pin_count=count, pin_diameter=d, pitch_along=s_l, pitch_across=s_t, layout=given["layout"], rows=rows,
        per_row=per_row, fin_height=given["fin_height"], base_thickness=given["base_thickness"], length=length,
        width=width, flow_axis="y", base_normal="+z",
        base_bounds=((float(lo[0]), float(lo[1]), float(lo[2])), (float(hi[0]), float(hi[1]), floor)),
        base_length=float(hi[1] - lo[1]), base_width=float(hi[0] - lo[0]), bank_bounds=bank, source="declared")


def pedestal_resistance(sink: SinkGeometry, source_area_m2: float, k_w_mk: float) -> float:
    """Conduction resistance [K/W] of the pedestal between the package and the base plate (0 without one).

    One-dimensional conduction, R = h / (k A) (Fourier's law; Incropera et al., Fundamentals of Heat and Mass
    Transfer, 6th ed., eq. 3.6), through a column of the heat source's area ``source_area_m2`` [m^2] (at most
    the pedestal's smallest section) and the pedestal's height, in the sink's conductivity ``k_w_mk``
    [W/(m K)]. The pedestal's own spreading beyond the source is left out, so this errs high: removing
    conducting material never lowers a resistance (Rayleigh's monotonicity principle).
    """
    pedestal = sink.fins.pedestal
    if pedestal is None or pedestal.height <= 0:
        return 0.0
    area_m2 = min(source_area_m2, pedestal.area * M_PER_MM * M_PER_MM)
    return pedestal.height * M_PER_MM / (k_w_mk * area_m2)


def heatsink_used(sink: SinkGeometry) -> HeatsinkUsed:
    """The geometry the model used for ``sink``, for the reports (contract.md ``thermal.heatsinks``) [mm]."""
    f = sink.fins
    pedestal = None
    if f.pedestal is not None:
        (x0, y0, _), (x1, y1, _) = f.pedestal.bounds
        along, across = (y1 - y0, x1 - x0) if f.flow_axis == "y" else (x1 - x0, y1 - y0)
        pedestal = (f.pedestal.height, along, across)
    if isinstance(f, PinFinGeometry):
        # the contract's plate-fin fields for pins: fin_count = pins, fin_thickness = pin diameter, fin_gap = the
        # clear gap between the pins of a row (S_T - D)
        return HeatsinkUsed(part=sink.part, type="pin-fin", source=f.source, fin_count=f.pin_count,
                            fin_thickness=f.pin_diameter, fin_gap=f.clear_gap, fin_height=f.fin_height,
                            length=f.length, width=f.width, base_thickness=f.base_thickness,
                            base_length=f.base_length, base_width=f.base_width, tip_gap=sink.tip_gap_m / M_PER_MM,
                            pedestal=pedestal, notes=f.notes, pin_diameter=f.pin_diameter,
                            pitch_along=f.pitch_along, pitch_across=f.pitch_across, layout=f.layout,
                            pin_count=f.pin_count)
    return HeatsinkUsed(part=sink.part, type="plate-fin", source=f.source, fin_count=f.fin_count,
                        fin_thickness=f.fin_thickness, fin_gap=f.fin_gap, fin_height=f.fin_height, length=f.length,
                        width=f.width, base_thickness=f.base_thickness, base_length=f.base_length,
                        base_width=f.base_width, tip_gap=sink.tip_gap_m / M_PER_MM, pedestal=pedestal,
                        notes=f.notes)


#: fins reaching less than this into the lid are taken as touching it [mm] (a tessellation's noise)
CUT_MIN_MM = 1e-3


def _cut_at_lid(name: str, fins: PlateFinGeometry | PinFinGeometry, into_mm: float
                ) -> PlateFinGeometry | PinFinGeometry | Problem:
    """The fins a sink drawn ``into_mm`` [mm] above the lid's underside can really have: cut at the lid (tip gap
    0), with a note saying so; a Problem when the cut leaves less than 1 mm of fin (nothing to model)."""
    height_mm = fins.fin_height - into_mm
    if height_mm < 1.0:
        return Problem((name,), f"{name}'s fins reach {into_mm:.2f} mm above the lid's underside, more than their "
                                f"{fins.fin_height:.3g} mm height: there is no fin under the lid to model; fix the "
                                "interference (D101) first")
    note = (f"the fins are drawn reaching {into_mm:.2f} mm above the lid's underside (D101): modelled cut at the lid, "
            f"{height_mm:.4g} mm tall instead of {fins.fin_height:.4g} mm")
    return dataclasses.replace(fins, fin_height=height_mm, notes=(*fins.notes, note))


def sink_geometry(assembly: Assembly, lane: Lane, lane_width_mm: float, name: str,
                  declared: dict[str, Any] | None = None, fin_conductivity_w_mk: float = 0.0
                  ) -> SinkGeometry | Problem:
    """The heat sink ``name`` in ``lane`` (``lane_width_mm`` wide [mm]): fins, tip gap, bypass passages (the tip
    gap over the fin bank, the plate beside the bank up to the lid, the lane beside the base), as a lane-network
    section, all as long as the fin bank, whose
    sink is a :class:`~sledcheck.thermal.heatsink.PlateFin` (or :class:`~sledcheck.thermal.heatsink.PinFin`) of
    conductivity ``fin_conductivity_w_mk`` [W/(m K)]."""
    part = assembly.part(name)
    if declared:
        fins: PlateFinGeometry | PinFinGeometry | NotRecognised = \
            declared_pins(part, declared) if declared.get("type") == "pin-fin" else declared_fins(part, declared)
    else:
        fins = recognise_heatsink(assembly.sections(part))
    if isinstance(fins, NotRecognised):
        return Problem((name,), f"{name} is not recognised as a straight plate-fin heat sink or a pin-fin array "
                                f"({fins.reason}); give its fins in the component's heatsink_geometry, or use a "
                                "plate-fin or pin-fin mesh")
    if isinstance(fins, PinFinGeometry) and (fins.rows < 2 or fins.per_row < 1):
        return Problem((name,), f"{name}'s pin field ({fins.width:g} x {fins.length:g} mm) holds fewer than two rows "
                                f"of pins at a pitch of {fins.pitch_along:g} x {fins.pitch_across:g} mm; check "
                                "heatsink_geometry")
    if fins.flow_axis != "y":
        return Problem((name,), f"{name}'s fins run along {fins.flow_axis}, across the airflow (y): the air cannot "
                                "pass through its channels")
    lo, hi = part.bounds
    board_mm = board_top_mm(assembly, part)
    lid_mm = lid_bottom_mm(assembly, part)
    height_mm = lane.height / M_PER_MM if lane.height else (lid_mm - board_mm if lid_mm is not None else None)
    if height_mm is None:
        return Problem((name,), f"no lid above {name} and no lane height for lane '{lane.name}': the bypass over the "
                                "fins cannot be sized; give the lane a height")
    # the inner fins' tips (taller edge fins or rails leave the gap over the others open); declared fins: the mesh
    top_mm = fins.tip if fins.source == "cad" and fins.base_normal == "+z" else float(hi[2])
    ceiling_mm = lid_mm if lid_mm is not None else board_mm + height_mm
    tip_mm = max(ceiling_mm - top_mm, 0.0)
    if top_mm - ceiling_mm > CUT_MIN_MM:   # fins drawn into the lid (D101): only what fits under it can exist
        cut = _cut_at_lid(name, fins, top_mm - ceiling_mm)
        if isinstance(cut, Problem):
            return cut
        fins = cut
    base_w_mm = float(hi[0] - lo[0])
    sink: PlateFin | PinFin
    if isinstance(fins, PinFinGeometry):
        bank_w_mm = fins.per_row * fins.pitch_across   # Khan et al.'s W = N_T S_T
        sink = PinFin(width_m=bank_w_mm * M_PER_MM, length_m=fins.rows * fins.pitch_along * M_PER_MM,
                      fin_height_m=fins.fin_height * M_PER_MM, pin_diameter_m=fins.pin_diameter * M_PER_MM,
                      pitch_across_m=fins.pitch_across * M_PER_MM, pitch_along_m=fins.pitch_along * M_PER_MM,
                      rows=fins.rows, pin_count=fins.pin_count, layout=fins.layout,
                      fin_conductivity_w_mk=fin_conductivity_w_mk)
    else:
        bank_w_mm = fins.width
        sink = PlateFin(width_m=fins.width * M_PER_MM, length_m=fins.fin_length * M_PER_MM,
                        fin_height_m=fins.fin_height * M_PER_MM, fin_count=fins.fin_count,
                        fin_thickness_m=fins.fin_thickness * M_PER_MM, fin_conductivity_w_mk=fin_conductivity_w_mk)
    flange_mm = max(base_w_mm - bank_w_mm, 0.0)
    # over the fins to the lid; beside the fin bank over the plate, from the plate to the lid; beside the base
    passages_mm = [(bank_w_mm, tip_mm), (flange_mm, fins.fin_height + tip_mm),
                   (max(lane_width_mm - base_w_mm, 0.0), height_mm)]
    bypass = Bypass(widths=tuple(w * M_PER_MM for w, _ in passages_mm),
                    heights=tuple(h * M_PER_MM for _, h in passages_mm),
                    length=fins.length * M_PER_MM, lane_area=lane_width_mm * height_mm * M_PER_MM * M_PER_MM)
    (bx0, by0, _), (bx1, by1, _) = fins.bank_bounds
    return SinkGeometry(part=name, fins=fins, section=FinSection(sink=sink, bypass=bypass),
                        base_x_m=(bx1 - bx0) * M_PER_MM, base_y_m=(by1 - by0) * M_PER_MM,
                        base_centre_m=((bx0 + bx1) / 2 * M_PER_MM, (by0 + by1) / 2 * M_PER_MM),
                        tip_gap_m=tip_mm * M_PER_MM)
