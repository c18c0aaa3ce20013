"""`sledcheck inspect`: what sledcheck sees in one mesh file (units, bodies, health, size, features)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import trimesh

from .errors import SledcheckError
from .load.design import display_path
from .load.health import combine, measure_health
from .load.meshes import read_mesh_file, resolve_units
from .units import round_sig


def inspect_mesh(path: str | Path, units: str | None = None) -> dict[str, Any]:
    """The contract's ``inspect`` object for ``path``; ``units`` for unit-less files."""
    file = Path(path)
    mesh_file = read_mesh_file(file, display_path(file) if file.exists() else str(path))
    try:
        resolved = resolve_units(mesh_file, units, "part" if units else None)
    except SledcheckError as err:
        if units is None:
            err.hint = "give the units with --units mm (or cm, m, in)"
        raise
    meshes, healths = [], []
    for body in mesh_file.bodies:
        mesh = trimesh.Trimesh(vertices=np.asarray(body.mesh.vertices, float) * resolved.scale,
                               faces=np.asarray(body.mesh.faces), process=False)
        mesh.merge_vertices(merge_tex=True, merge_norm=True)
        healths.append(measure_health(mesh))
        meshes.append(mesh)
    health = combine(healths)
    merged = meshes[0] if len(meshes) == 1 else trimesh.util.concatenate(meshes)
    extents = merged.extents
    volume = None
    if health.closed:
        volume = {"value": round_sig(float(sum(m.volume for m in meshes)), 6), "unit": "mm**3"}
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
        return {"heatsink": _heatsink(mesh), "holes": _holes(mesh)}
    except Exception as err:  # noqa: BLE001 - recognition is best-effort on arbitrary CAD
        return {"heatsink": None, "holes": [], "feature_error": f"{type(err).__name__}: {err}"}


def _heatsink(mesh: trimesh.Trimesh) -> dict[str, Any] | None:
    try:
        from .geometry.features import recognise_plate_fin
    except ImportError:
        return None
    result = recognise_plate_fin(mesh)
    if not hasattr(result, "fin_count"):
        return None
    mm = lambda v: {"value": round_sig(float(v), 6), "unit": "mm"}  # noqa: E731
    return {
        "fin_count": int(result.fin_count), "fin_thickness": mm(result.fin_thickness), "fin_gap": mm(result.fin_gap),
        "fin_height": mm(result.fin_height), "base_thickness": mm(result.base_thickness), "length": mm(result.length),
        "width": mm(result.width), "flow_axis": result.flow_axis,
    }


def _holes(mesh: trimesh.Trimesh) -> list[dict[str, Any]]:
    try:
        from .geometry.features import find_through_holes
    except ImportError:
        return []
    return [{"center": {"value": [round_sig(float(v), 6) for v in h.center], "unit": "mm"},
             "diameter": {"value": round_sig(float(h.diameter), 6), "unit": "mm"}, "axis": h.axis}
            for h in find_through_holes(mesh)]
