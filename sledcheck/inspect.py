"""`sledcheck inspect`: what sledcheck sees in one mesh file (units, bodies, health, size, features)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import trimesh

from .errors import SledcheckError
from .geometry.heatsinks import NotRecognised, PlateFinGeometry, recognise_plate_fin
from .geometry.holes import Hole, find_through_holes
from .geometry.sections import Sections
from .load.design import display_path
from .load.meshes import read_mesh_file, resolve_units
from .model.assembly import weld_bodies
from .units import round_sig


def inspect_mesh(path: str | Path, units: str | None = None) -> dict[str, Any]:
    """The contract's ``inspect`` object for ``path``; ``units`` for unit-less files."""
    file = Path(path)
    mesh_file = read_mesh_file(file, display_path(file))
    try:
        resolved = resolve_units(mesh_file, units, "option" if units else None)
    except SledcheckError as err:
        if units is None:
            err.hint = "give the units with --units mm (or cm, m, in)"
        raise
    merged, _, health = weld_bodies(list(mesh_file.bodies), np.diag([resolved.scale] * 3 + [1.0]))
    extents = merged.extents
    volume = None
    if health.closed:   # closed shells with outward normals: the signed volume is the volume
        volume = {"value": round_sig(float(merged.volume), 6), "unit": "mm**3"}
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
        **_features(merged),
    }


def _features(mesh: trimesh.Trimesh) -> dict[str, Any]:
    """Heat-sink and hole recognition; a failure there is reported, not fatal to the inspection."""
    try:
        sections = Sections(mesh)   # one set of sections for both recognitions
        sink = recognise_plate_fin(sections)
        reason = sink.reason if isinstance(sink, NotRecognised) else None
        return {"heatsink": _heatsink(sink), "heatsink_reason": reason,
                "holes": _holes(find_through_holes(sections))}
    except Exception as err:  # noqa: BLE001 - recognition is best-effort on arbitrary CAD
        return {"heatsink": None, "holes": [], "feature_error": f"{type(err).__name__}: {err}"}


def _heatsink(result: PlateFinGeometry | NotRecognised) -> dict[str, Any] | None:
    if not isinstance(result, PlateFinGeometry):
        return None

    def mm(value: float) -> dict[str, Any]:
        return {"value": round_sig(float(value), 6), "unit": "mm"}

    return {
        "fin_count": int(result.fin_count), "fin_thickness": mm(result.fin_thickness), "fin_gap": mm(result.fin_gap),
        "fin_height": mm(result.fin_height), "base_thickness": mm(result.base_thickness), "length": mm(result.length),
        "width": mm(result.width), "flow_axis": result.flow_axis, "fins_point": result.base_normal,
        "fin_thickness_range": [mm(result.fin_thickness_min), mm(result.fin_thickness_max)],
    }


def _holes(holes: Sequence[Hole]) -> list[dict[str, Any]]:
    # centres to 1 nm first: a fitted 0.0 comes out as 3e-17, which is noise, not 6 significant digits
    return [{"center": {"value": [round_sig(round(float(v), 6), 6) for v in h.center], "unit": "mm"},
             "diameter": {"value": round_sig(float(h.diameter), 6), "unit": "mm"}, "axis": h.axis}
            for h in holes]
