"""`sledcheck inspect`: what sledcheck sees in one mesh file (units, bodies and their tree, health, size,
features, and warnings about orientation and units)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import trimesh

from .geometry.heatsinks import NotRecognised, PinFinGeometry, PlateFinGeometry, recognise_heatsink
from .geometry.holes import Hole, find_through_holes
from .geometry.sections import Sections
from .load.body import Body
from .load.design import display_path
from .load.idf import IdfBoard
from .load.meshes import read_with_units
from .load.roles import designator_role
from .model.assembly import weld_bodies
from .units import round_sig


def inspect_mesh(path: str | Path, units: str | None = None) -> dict[str, Any]:
    """The contract's ``inspect`` object for ``path``; ``units`` for unit-less files."""
    file = Path(path)
    mesh_file, resolved = read_with_units(file, display_path(file), units)
    merged, _, health = weld_bodies(list(mesh_file.bodies), np.diag([resolved.scale] * 3 + [1.0]))
    extents = merged.extents
    volume = None
    if health.closed:   # closed shells with outward normals: the signed volume (of the health pass) is the volume
        volume = {"value": round_sig(health.volume, 6), "unit": "mm**3"}
    return {
        "file": str(path),
        "units": resolved.unit,
        "units_source": resolved.source,
        "bodies": health.bodies,
        "body_names": [b.node or b.geometry for b in mesh_file.bodies],
        "triangles": health.triangles,
        "watertight": health.watertight,
        "winding_consistent": health.winding_consistent,
        "inverted_bodies": health.inverted_bodies,
        "degenerate_faces": health.degenerate_faces,
        "extents": {"value": [round_sig(float(v), 6) for v in extents], "unit": "mm"},
        "bounds": {"value": [[round_sig(float(v), 6) for v in c] for c in merged.bounds], "unit": "mm"},
        "volume": volume,
        "tree": [_node(body, resolved.scale) for body in mesh_file.bodies],
        "skipped": [{"path": path, "reason": reason} for path, reason in mesh_file.skipped],
        "warnings": orientation_warnings(extents, len(mesh_file.bodies)),
        **_features(merged),
        **({"components": _components(mesh_file.idf)} if mesh_file.idf is not None else {}),
    }


def _components(board: IdfBoard) -> list[dict[str, Any]]:
    """An IDF board's placed components: designator, package, part number, side, height and guessed role."""
    out = []
    for component in board.components:
        p, entry = component.placement, component.entry
        assert entry is not None
        role = designator_role(p.refdes, p.package)
        out.append({"refdes": p.refdes, "package": p.package, "part_number": p.part_number, "side": p.side,
                    "height": {"value": round_sig(entry.height_mm, 6), "unit": "mm"},
                    "role": role.role, "role_reason": role.reason, "line": p.line})
    return out


def _node(body: Body, scale: float) -> dict[str, Any]:
    """One body of the file's tree (contract: path, name, triangles, chord_error; plus product and colour)."""
    chord = None if body.chord_error_mm is None else {"value": round_sig(body.chord_error_mm * scale, 4),
                                                      "unit": "mm"}
    return {"path": body.path or body.name, "name": body.name, "product": body.geometry,
            "triangles": len(body.mesh.faces), "chord_error": chord,
            "colour": list(body.colour) if body.colour else None}


#: extents [mm] beyond which a file is surely not one sled (a 48U rack is 2.2 m) and below which an assembly of
#: several bodies is surely not in the unit it was read in
LARGEST_MM, SMALLEST_MM = 5000.0, 5.0


def orientation_warnings(extents_mm: np.ndarray, bodies: int) -> list[str]:
    """What looks wrong about a file's orientation or unit, from its extents [mm] (x, y, z)."""
    warnings = []
    largest = float(max(extents_mm))
    if largest > LARGEST_MM:
        warnings.append(f"the file is {largest:.6g} mm across, larger than any rack: is its unit wrong (mm read "
                        "as m, or um as mm)?")
    elif bodies > 1 and 0 < largest < SMALLEST_MM:
        warnings.append(f"the assembly is only {largest:.3g} mm across: is its unit wrong (m or in read as mm)?")
    x, y, z = (float(v) for v in extents_mm)
    if bodies > 1 and y < 0.5 * min(x, z):
        warnings.append(f"the assembly is thinnest along y ({y:.4g} mm against {x:.4g} x {z:.4g} mm): it looks "
                        "Y-up, while sledcheck takes z as up; place it with 'rotation: [90, 0, 0]'")
    return warnings


def _features(mesh: trimesh.Trimesh) -> dict[str, Any]:
    """Heat-sink and hole recognition; a failure there is reported, not fatal to the inspection."""
    try:
        sections = Sections(mesh)   # one set of sections for both recognitions
        sink = recognise_heatsink(sections)
        reason = sink.reason if isinstance(sink, NotRecognised) else None
        return {"heatsink": _heatsink(sink), "heatsink_reason": reason,
                "holes": _holes(find_through_holes(sections))}
    except Exception as err:  # noqa: BLE001 - recognition is best-effort on arbitrary CAD
        return {"heatsink": None, "holes": [], "feature_error": f"{type(err).__name__}: {err}"}


def _heatsink(result: PlateFinGeometry | PinFinGeometry | NotRecognised) -> dict[str, Any] | None:
    def mm(value: float) -> dict[str, Any]:
        return {"value": round_sig(float(value), 6), "unit": "mm"}

    if isinstance(result, PinFinGeometry):
        return {
            "type": "pin-fin", "pin_count": int(result.pin_count), "pin_diameter": mm(result.pin_diameter),
            # the plate-fin keys as thermal.heatsinks gives them for pins (contract): pins, diameter, S_T - D
            "fin_count": int(result.pin_count), "fin_thickness": mm(result.pin_diameter),
            "fin_gap": mm(result.pitch_across - result.pin_diameter),
            "pitch_along": mm(result.pitch_along), "pitch_across": mm(result.pitch_across), "layout": result.layout,
            "rows": int(result.rows), "per_row": int(result.per_row), "fin_height": mm(result.fin_height),
            "base_thickness": mm(result.base_thickness), "length": mm(result.length), "width": mm(result.width),
            "flow_axis": result.flow_axis, "fins_point": result.base_normal, "base_length": mm(result.base_length),
            "base_width": mm(result.base_width),
            "below_base": [{"kind": b.kind, "pieces": b.pieces, "height": mm(b.height)} for b in result.below_base],
            "notes": list(result.notes),
        }
    if not isinstance(result, PlateFinGeometry):
        return None
    return {
        "type": "plate-fin",
        "fin_count": int(result.fin_count), "fin_thickness": mm(result.fin_thickness), "fin_gap": mm(result.fin_gap),
        "fin_height": mm(result.fin_height), "base_thickness": mm(result.base_thickness), "length": mm(result.length),
        "width": mm(result.width), "flow_axis": result.flow_axis, "fins_point": result.base_normal,
        "fin_thickness_range": [mm(result.fin_thickness_min), mm(result.fin_thickness_max)],
        "base_length": mm(result.base_length), "base_width": mm(result.base_width),
        "below_base": [{"kind": b.kind, "pieces": b.pieces, "height": mm(b.height)} for b in result.below_base],
        "notes": list(result.notes),
    }


def _holes(holes: Sequence[Hole]) -> list[dict[str, Any]]:
    # centres to 1 nm first: a fitted 0.0 comes out as 3e-17, which is noise, not 6 significant digits
    return [{"center": {"value": [round_sig(round(float(v), 6), 6) for v in h.center], "unit": "mm"},
             "diameter": {"value": round_sig(float(h.diameter), 6), "unit": "mm"}, "axis": h.axis}
            for h in holes]
