"""Read mesh and CAD files into named bodies, with honest units.

Supported: STEP/STP (OpenCASCADE via cascadio; returned in metres), STL (ASCII and binary), OBJ, PLY,
GLB/GLTF and 3MF. Each body is a :class:`Body` in the file's coordinates; :func:`resolve_units` decides the
scale to millimetres and records where the units came from. Every failure is a :class:`MeshLoadError` that
names the file and says what to do; nothing here lets a library's traceback through.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import trimesh

from ..errors import MeshLoadError
from ..units import UnitError, parse_unit

logging.getLogger("trimesh").setLevel(logging.ERROR)

FORMATS = {
    ".step": "step", ".stp": "step", ".stl": "stl", ".obj": "obj", ".ply": "ply",
    ".glb": "glb", ".gltf": "gltf", ".3mf": "3mf",
}
_STEP_UNITS = {"INCH": "in", "FOOT": "ft", "MILLIMETRE": "mm", "METRE": "m", "CENTIMETRE": "cm"}
_SI_PREFIX = {"$": "m", ".MILLI.": "mm", ".CENTI.": "cm", ".MICRO.": "um", ".DECI.": "dm", ".KILO.": "km"}


@dataclass(frozen=True, eq=False)
class Body:
    """One body of a file: its scene-node and geometry names, and its mesh in the file's coordinates."""

    node: str
    geometry: str
    mesh: trimesh.Trimesh


@dataclass(frozen=True, eq=False)
class MeshFile:
    """A loaded file. ``loaded_unit`` is the unit of the coordinates as loaded, None if the file has none;
    ``declared_unit`` is the length unit the file itself declares (STEP/3MF/glTF), and ``note`` says how."""

    path: Path
    display: str
    format: str
    bodies: tuple[Body, ...]
    loaded_unit: str | None
    declared_unit: str | None
    note: str


@contextlib.contextmanager
def _quiet_native_output() -> Iterator[list[str]]:
    """Send what native code (OpenCASCADE) prints on fds 1 and 2 to a buffer, returned in the list."""
    captured: list[str] = []
    with tempfile.TemporaryFile(mode="w+b") as sink:
        saved = [os.dup(1), os.dup(2)]
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            yield captured
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            sink.seek(0)
            captured.append(sink.read().decode("utf-8", "replace"))


def read_mesh_file(path: Path, display: str) -> MeshFile:
    """Load ``path`` into bodies; raises :class:`MeshLoadError` with a clear message on any failure."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise MeshLoadError(f"unsupported file type {path.suffix or '(none)'!r}", file=display,
                            hint=f"export as one of: {', '.join(sorted(set(FORMATS)))}")
    if not path.exists():
        raise MeshLoadError("file not found", file=display, hint="check the path; it is relative to the design file")
    if path.is_dir():
        raise MeshLoadError("is a folder, not a mesh file", file=display)
    size = path.stat().st_size
    if size == 0:
        raise MeshLoadError("file is empty (0 bytes)", file=display, hint="re-export it from CAD")
    if fmt == "stl":
        _check_stl(path, display, size)
    declared, note = None, ""
    try:
        if fmt == "step":
            declared, note = _step_unit(path)
            with _quiet_native_output() as native:
                try:
                    loaded = trimesh.load(str(path), process=False)
                except Exception as err:
                    loaded = err
            if isinstance(loaded, Exception):
                reason = _native_reason(native[0]) or f"{type(loaded).__name__}: {loaded}"
                raise MeshLoadError(f"the STEP file could not be loaded ({reason})", file=display,
                                    hint="re-export it from CAD as STEP AP214, or as STL with 'units' declared")
        else:
            loaded = trimesh.load(str(path), file_type=fmt if fmt != "gltf" else None, process=False)
    except MeshLoadError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as err:  # noqa: BLE001 - any loader failure is the file's problem, said clearly
        raise MeshLoadError(f"cannot load the file ({type(err).__name__}: {err})", file=display,
                            hint="the file may be corrupt or truncated; re-export it") from None
    bodies = tuple(_bodies(loaded))
    if not bodies or sum(len(b.mesh.faces) for b in bodies) == 0:
        raise MeshLoadError("the file contains no triangles", file=display,
                            hint="it may be empty, truncated or hold only curves; re-export the solid bodies")
    loaded_unit: str | None
    if fmt == "step":
        loaded_unit = "m"  # cascadio converts whatever the file declares to metres (glTF convention)
        if declared is None:
            loaded_unit = None
            note = "the STEP file declares no length unit"
    elif fmt in ("glb", "gltf", "3mf"):
        raw = getattr(loaded, "units", None)
        declared = _unit_name(raw) if raw else ("m" if fmt != "3mf" else "mm")
        loaded_unit = declared
        note = (f"the {fmt.upper()} file declares {declared}" if raw
                else f"{fmt.upper()} files are in {declared} by specification")
    else:
        loaded_unit = None
        note = f"{fmt.upper()} files carry no unit"
    return MeshFile(path=path, display=display, format=fmt, bodies=bodies, loaded_unit=loaded_unit,
                    declared_unit=declared, note=note)


def _bodies(loaded: object) -> Iterator[Body]:
    if isinstance(loaded, trimesh.Trimesh):
        yield Body("", "", loaded)
        return
    if isinstance(loaded, trimesh.Scene):
        for node in sorted(loaded.graph.nodes_geometry):
            transform, geometry_name = loaded.graph[node]
            geometry = loaded.geometry.get(geometry_name)
            if not isinstance(geometry, trimesh.Trimesh) or len(geometry.faces) == 0:
                continue
            mesh = geometry.copy(include_cache=False) if hasattr(geometry, "copy") else geometry
            if not np.allclose(transform, np.eye(4)):
                mesh.apply_transform(transform)
            yield Body(str(node), str(geometry_name), mesh)
        return
    if isinstance(loaded, list):  # some loaders return several meshes
        for i, item in enumerate(loaded):
            for body in _bodies(item):
                yield Body(body.node or f"body{i}", body.geometry, body.mesh)


def _check_stl(path: Path, display: str, size: int) -> None:
    """Binary STL size must match its triangle count; ASCII STL must end its solids."""
    with path.open("rb") as handle:
        head = handle.read(84)
    is_ascii = head[:5].lower() == b"solid" and (size < 84 or 84 + 50 * struct.unpack("<I", head[80:84])[0] != size)
    if is_ascii:
        with path.open("rb") as handle:
            handle.seek(max(0, size - 4096))
            tail = handle.read().lower()
        if b"endsolid" not in tail:
            raise MeshLoadError("ASCII STL ends without 'endsolid': the file is truncated", file=display,
                                hint="re-export it from CAD")
        return
    if size < 84:
        raise MeshLoadError(f"binary STL is only {size} bytes (the header alone is 84): truncated", file=display,
                            hint="re-export it from CAD")
    count = struct.unpack("<I", head[80:84])[0]
    expected = 84 + 50 * count
    if size != expected:
        raise MeshLoadError(
            f"binary STL header says {count} triangles ({expected} bytes) but the file has {size} bytes: "
            + ("truncated" if size < expected else "extra data after the triangles"),
            file=display, hint="re-export it from CAD")


def _step_unit(path: Path) -> tuple[str | None, str]:
    """The length unit a STEP file declares in its global unit context (None when there is none)."""
    text = path.read_text(encoding="latin-1", errors="replace")
    entities = {m.group(1): m.group(2) for m in re.finditer(r"#(\d+)\s*=\s*(.*?);\s*(?=#\d+\s*=|ENDSEC)", text,
                                                          flags=re.S)}
    found: list[str] = []
    for body in entities.values():
        if "GLOBAL_UNIT_ASSIGNED_CONTEXT" not in body:
            continue
        match = re.search(r"GLOBAL_UNIT_ASSIGNED_CONTEXT\s*\(\s*\(([^)]*)\)", body)
        for ref in re.findall(r"#(\d+)", match.group(1) if match else ""):
            unit = entities.get(ref, "")
            if "LENGTH_UNIT" in unit:
                name = _step_length(unit)
                if name and name not in found:
                    found.append(name)
    if not found:
        return None, "the STEP file declares no length unit"
    if len(found) > 1:
        return found[0], f"the STEP file declares several length units ({', '.join(found)}); converted to m"
    return found[0], f"the STEP file declares {found[0]}; OpenCASCADE converts it to m"


def _step_length(entity: str) -> str | None:
    conv = re.search(r"CONVERSION_BASED_UNIT\s*\(\s*'([^']+)'", entity)
    if conv:
        return _STEP_UNITS.get(conv.group(1).strip().upper(), conv.group(1).strip().lower())
    si = re.search(r"SI_UNIT\s*\(\s*([^,\s]+)\s*,\s*\.METRE\.", entity)
    if si:
        return _SI_PREFIX.get(si.group(1).strip())
    return None


def _native_reason(output: str) -> str:
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip(" *") for line in output.splitlines()]
    lines = [line for line in lines if line and ("ERR" in line or "Error" in line or "Fail" in line)]
    return "; ".join(lines[:2])[:300]


def _unit_name(raw: str) -> str:
    """trimesh's unit names ('millimeter', 'inch', 'meters') -> short names pint reads ('mm', 'in', 'm')."""
    try:
        unit = parse_unit(str(raw).strip().lower())
    except UnitError:
        return str(raw)
    for short in ("mm", "cm", "m", "in", "ft", "um"):
        if unit == parse_unit(short):
            return short
    return str(raw)


def scale_to_mm(unit: str) -> float:
    """Millimetres per ``unit``."""
    return float((1 * parse_unit(unit)).m_as("mm"))


@dataclass(frozen=True)
class Units:
    """How a part's coordinates become millimetres."""

    unit: str            # the unit the user's numbers are in (e.g. 'in' for an inch STEP, 'mm' for an STL)
    scale: float         # loaded coordinates * scale = millimetres
    source: str          # where the unit came from, for the report


def resolve_units(mesh_file: MeshFile, part_units: str | None, declared_by: str | None) -> Units:
    """Decide the scale to mm from what the file declares and what the design declares.

    Files with their own units (STEP with a unit, 3MF, GLB) are converted from what they declare; a
    part-level ``units`` that disagrees is an error. Unit-less files (STL, OBJ, PLY, STEP without a unit)
    take the part's or the design's ``units``; without any, it is an error.
    """
    if mesh_file.loaded_unit is not None:
        declared = mesh_file.declared_unit or mesh_file.loaded_unit
        if part_units and declared_by in ("part", "option") and parse_unit(part_units) != parse_unit(declared):
            raise MeshLoadError(
                f"units {part_units} were declared for this file but the file itself declares {declared}",
                file=mesh_file.display, hint="drop the declared units: the file's own units are used")
        return Units(unit=declared, scale=scale_to_mm(mesh_file.loaded_unit), source=mesh_file.note)
    if part_units is None:
        raise MeshLoadError(
            f"{mesh_file.note} and no units were declared for it", file=mesh_file.display,
            hint="add 'units: mm' (or cm, m, in) to the design or to this part")
    scale = scale_to_mm(part_units)
    if mesh_file.format == "step":  # cascadio read the unit-less numbers as mm and returned metres
        scale *= 1000.0
    where = {"part": "the part's 'units'", "design": "the design's 'units'"}.get(declared_by or "", "--units")
    return Units(unit=part_units, scale=scale, source=f"{mesh_file.note}; {part_units} from {where}")
