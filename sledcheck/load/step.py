"""STEP assemblies: OpenCASCADE's document layer (XDE) in an isolated child, cached by content hash.

The child (:mod:`.xde_child`) reads the file, keeps the product and instance names, the instance paths, the
shared shapes and the colours, meshes each unique shape once and writes arrays, a manifest and each shape's
exact B-rep to a folder. That folder is the cache entry (:mod:`.cache`): a re-run on an unchanged export with
the same tessellation reads it back and starts no OpenCASCADE at all. Everything read back is validated, so a
damaged or edited entry is re-meshed, never trusted.
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MeshLoadError
from . import cache
from .body import Body
from .brep_child import placement_problem
from .exact import available
from .native import Budget, ChildFailed, run_isolated

FORMAT = 1                    # what xde_child.FORMAT writes
MANIFEST_CAP = 256 * 1024**2  # largest manifest read back [bytes]
OCP_HINT = ("install OpenCASCADE's Python wheel (pip install cadquery-ocp-novtk) and the system libraries it "
            "links (Debian/Ubuntu: apt-get install libgl1 libx11-6)")


@dataclass(frozen=True)
class Tessellation:
    """How curved B-rep faces become triangles: the largest chord error ``linear_mm`` [mm] and the largest angle
    between neighbouring facets ``angular_rad`` [rad]. The default keeps a 3.2 mm hole within 0.01 mm."""

    linear_mm: float = 0.01
    angular_rad: float = 0.5


DEFAULT_TESSELLATION = Tessellation()


@dataclass(frozen=True)
class StepFile:
    """What the child read: bodies in mm, the file's own length units, what it skipped and why, and whether it
    came from the cache (a file whose model check fails is refused, so a loaded one has no errors)."""

    bodies: tuple[Body, ...]
    file_units: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    cached: bool


class _Unusable(ValueError):
    """A cache entry that cannot be read back."""


def read_step(path: Path, display: str, tessellation: Tessellation, budget: Budget,
              max_triangles: int, failure: Any) -> StepFile:
    """Load the STEP file at ``path``; ``failure(ChildFailed) -> MeshLoadError`` words a failed child."""
    if not available():
        raise MeshLoadError("OpenCASCADE (the OCP module) is not installed, so STEP files cannot be read",
                            file=display, hint=OCP_HINT)
    root = cache.cache_root()
    try:
        key = cache.content_key(path, (FORMAT, tessellation.linear_mm, tessellation.angular_rad, _ocp_version()))
    except OSError as err:
        raise MeshLoadError(f"cannot read the file ({err.strerror or err})", file=display,
                            hint="check the path and its permissions") from None
    found = cache.entry(root, "step", key)
    if found is not None:
        try:
            return _read_folder(found, display, max_triangles, cached=True)
        except _Unusable:
            cache.discard(found)
    built = cache.scratch(root, "step")
    try:
        with tempfile.TemporaryDirectory(prefix="sledcheck-in-") as links:
            source = path.resolve()
            if not cache.encodable(source):   # OpenCASCADE takes UTF-8 paths: hand it a link with a plain name
                os.symlink(source, Path(links) / "input.step")
                source = Path(links) / "input.step"
            run_isolated("sledcheck.load.xde_child:step_to_folder",
                         [str(source), str(built), tessellation.linear_mm, tessellation.angular_rad, True],
                         budget=budget, what="OpenCASCADE")
    except ChildFailed as err:
        cache.discard(built)
        if "libGL" in err.message or "libX11" in err.message or "No module named 'OCP" in err.message:
            raise MeshLoadError(f"OpenCASCADE could not start ({err.message})", file=display,
                                hint=OCP_HINT) from None
        raise failure(err) from None
    folder = cache.publish(root, "step", key, built)
    try:
        return _read_folder(folder, display, max_triangles, cached=False)
    except _Unusable as err:
        cache.discard(folder)
        raise MeshLoadError(f"OpenCASCADE's output could not be read back ({err})", file=display,
                            hint="run again; if it persists, report it with the file") from None


def _ocp_version() -> str:
    for name in ("cadquery-ocp-novtk", "cadquery-ocp"):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def _read_folder(folder: Path, display: str, max_triangles: int, cached: bool) -> StepFile:
    """The bodies of a finished entry, every array and field checked before use (raises _Unusable)."""
    # The entry may have been edited (or replaced by links, FIFOs, devices): read only regular files, bounded.
    array_cap = 200 * max_triangles + 1024**2     # bytes: float64 vertices and int64 faces of max_triangles
    try:
        manifest = json.loads(_read_regular(folder / "manifest.json", MANIFEST_CAP).decode("utf-8"))
        data = _read_regular(folder / "meshes.npz", array_cap)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > array_cap:
                raise _Unusable("the arrays are larger than the triangle limit allows")
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in ("vertices", "faces", "vertex_offsets", "face_offsets",
                                                   "matrices", "body_shape")}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, RecursionError, MemoryError) as err:
        raise _Unusable(f"{type(err).__name__}: {str(err)[:200]}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _Unusable("the manifest is of another format")
    shapes, records = manifest.get("shapes"), manifest.get("bodies")
    vertices, faces = arrays["vertices"], arrays["faces"]
    v_off, f_off, matrices, body_shape = (arrays["vertex_offsets"], arrays["face_offsets"], arrays["matrices"],
                                          arrays["body_shape"])
    if not (isinstance(shapes, list) and isinstance(records, list)):
        raise _Unusable("the manifest lists no shapes or bodies")
    n_shapes, n_bodies = len(shapes), len(records)
    expect = ((vertices, np.floating, (-1, 3)), (faces, np.integer, (-1, 3)), (v_off, np.integer, (n_shapes + 1,)),
              (f_off, np.integer, (n_shapes + 1,)), (matrices, np.floating, (n_bodies, 4, 4)),
              (body_shape, np.integer, (n_bodies,)))
    for array, kind, shape in expect:
        if not np.issubdtype(array.dtype, kind) or array.ndim != len(shape) or any(
                want not in (-1, got) for want, got in zip(shape, array.shape, strict=True)):
            raise _Unusable("an array has the wrong type or shape")
    if (v_off[0] != 0 or f_off[0] != 0 or v_off[-1] != len(vertices) or f_off[-1] != len(faces)
            or np.any(np.diff(v_off) < 0) or np.any(np.diff(f_off) < 0)):
        raise _Unusable("the offsets do not split the arrays")
    if len(body_shape) and (body_shape.min() < 0 or body_shape.max() >= n_shapes):
        raise _Unusable("a body refers to a shape that does not exist")
    if not (np.isfinite(vertices).all() and np.isfinite(matrices).all()):
        raise _Unusable("a coordinate is not finite")
    counts = np.diff(f_off)
    if int(counts[body_shape].sum()) > max_triangles:
        raise MeshLoadError(f"the assembly has {int(counts[body_shape].sum()):,} triangles, more than the limit "
                            f"of {max_triangles:,}", file=display,
                            hint="raise SLEDCHECK_MAX_TRIANGLES, or coarsen the design's 'tessellation'")
    local_faces = []
    for k in range(n_shapes):
        f = faces[f_off[k]:f_off[k + 1]]
        if len(f) and (f.min() < 0 or f.max() >= v_off[k + 1] - v_off[k]):
            raise _Unusable(f"shape {k} has a face using a vertex it does not have")
        local_faces.append(f.astype(np.int64))
    bodies = []
    for i, record in enumerate(records):
        k = int(body_shape[i])
        if not isinstance(record, dict) or record.get("shape") != k:
            raise _Unusable(f"body {i} does not match its arrays")
        bodies.append(_body(record, shapes[k], vertices[v_off[k]:v_off[k + 1]], local_faces[k], matrices[i],
                            folder / "shapes" / f"{k}.brep"))
    skipped_raw, units_raw, check = manifest.get("skipped", []), manifest.get("file_units", []), manifest.get("check")
    if not (isinstance(skipped_raw, list) and isinstance(units_raw, list) and isinstance(check, dict)
            and isinstance(check.get("fails"), int) and all(isinstance(s, dict) for s in skipped_raw)):
        raise _Unusable("the manifest's skipped bodies, units or check are malformed")
    skipped = tuple((_text(s.get("path")), _text(s.get("reason"))) for s in skipped_raw)
    units = tuple(_text(u) for u in units_raw)
    return StepFile(bodies=tuple(bodies), file_units=units, skipped=skipped, cached=cached)


def _read_regular(path: Path, cap: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (no link followed, no FIFO opened blocking) of at most
    ``cap`` bytes; raises _Unusable otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise _Unusable(f"{path.name}: {err.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Unusable(f"{path.name} is not a regular file")
        if info.st_size > cap:
            raise _Unusable(f"{path.name} is larger than {cap:,} bytes")
        data = handle.read(info.st_size + 1)   # (read(n) reserves n bytes first: never the cap itself)
    if len(data) > cap:
        raise _Unusable(f"{path.name} is larger than {cap:,} bytes")
    return data


def _body(record: dict[str, Any], shape: Any, vertices: np.ndarray, faces: np.ndarray, matrix: np.ndarray,
          brep: Path) -> Body:
    """One placed body: its shape's mesh moved by ``matrix`` (mirrored instances keep outward winding)."""
    import trimesh  # (here: reading a design, which names the tessellation defaults, needs no mesh library)

    if not isinstance(shape, dict):
        raise _Unusable("a shape record is not a mapping")
    chord = shape.get("chord_error_mm")
    if not isinstance(chord, (int, float)) or not chord >= 0:
        raise _Unusable("a shape has no chord error")
    problem = placement_problem(matrix.ravel().tolist())
    if problem:
        raise _Unusable(problem)
    chord = float(chord) * abs(float(np.linalg.det(matrix[:3, :3]))) ** (1 / 3)   # a scaled instance scales it
    placed = vertices @ matrix[:3, :3].T + matrix[:3, 3]
    if np.linalg.det(matrix[:3, :3]) < 0:
        faces = faces[:, [0, 2, 1]]
    colour = record.get("colour")
    rgba = None
    if isinstance(colour, list) and len(colour) == 4 and all(isinstance(c, (int, float)) for c in colour):
        rgba = (float(colour[0]), float(colour[1]), float(colour[2]), float(colour[3]))
    return Body(node=_text(record.get("name")), geometry=_text(record.get("product")),
                mesh=trimesh.Trimesh(vertices=placed, faces=faces, process=False), path=_text(record.get("path")),
                colour=rgba, chord_error_mm=float(chord), shape_file=brep, placement=matrix.copy())


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Unusable("a name is not text")
    return value
