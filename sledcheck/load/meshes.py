"""Read mesh and CAD files into named bodies, with honest units.

Supported: STEP/STP (OpenCASCADE's document layer in a child process, cached: :mod:`.step`), STL (ASCII and
binary), OBJ, PLY, GLB/GLTF and 3MF. Each body is a :class:`Body` in the file's coordinates;
:func:`resolve_units` decides the scale to millimetres and records where the units came from. Every failure is
a :class:`MeshLoadError` that names the file and says what to do; nothing here lets a library's traceback
through.

Hostile files are refused before a library reads them where the file says enough (not a regular file, binary
STL triangle count, ASCII STL structure, 3MF zip sizes, glTF URIs and node tree), and every loaded body is
validated in one place (:func:`_check_arrays`, :func:`_check_coordinates`, :func:`_check_surface`). Limits,
each overridable by an environment variable named in its message:

* ``SLEDCHECK_MAX_TRIANGLES`` (50 million per file), ``SLEDCHECK_MAX_UNCOMPRESSED`` (2 GiB: what a 3MF inflates
  to, a glTF's buffers and its JSON), ``SLEDCHECK_MAX_ZIP_RATIO`` (100: a 3MF entry over 1 MiB inflating more is
  a zip bomb), and for STEP ``SLEDCHECK_LOAD_TIMEOUT`` / ``SLEDCHECK_LOAD_MEMORY`` (see :mod:`.native`).
* Coordinates must be finite and within 1e9 of the origin in the file's units as loaded (mm for STEP, metres
  for glTF): beyond that a file is corrupt or mis-scaled, and the weld's 1e-8 grid would overflow 64-bit integers.
"""

from __future__ import annotations

import codecs
import errno
import functools
import hashlib
import io
import json
import logging
import os
import re
import stat
import struct
import zipfile
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import trimesh

from ..errors import MeshLoadError
from ..geometry.vectors import cross_rows
from ..units import UnitError, parse_unit
from .body import Body
from .idf import IdfBoard, read_idf
from .native import ERROR_MARK, Budget, BudgetError, ChildFailed, env_number, env_size, format_size
from .step import DEFAULT_TESSELLATION, StepFile, Tessellation, read_step
from .weld import WELDED, weld_corners

logging.getLogger("trimesh").setLevel(logging.ERROR)

FORMATS = {
    ".step": "step", ".stp": "step", ".stl": "stl", ".obj": "obj", ".ply": "ply",
    ".glb": "glb", ".gltf": "gltf", ".3mf": "3mf", ".emn": "idf",
}
_STEP_UNITS = {"INCH": "in", "FOOT": "ft", "MILLIMETRE": "mm", "METRE": "m", "CENTIMETRE": "cm"}
_SI_PREFIX = {"$": "m", ".MILLI.": "mm", ".CENTI.": "cm", ".MICRO.": "um", ".DECI.": "dm", ".KILO.": "km"}

MAX_TRIANGLES_ENV = "SLEDCHECK_MAX_TRIANGLES"
MAX_UNCOMPRESSED_ENV = "SLEDCHECK_MAX_UNCOMPRESSED"
MAX_RATIO_ENV = "SLEDCHECK_MAX_ZIP_RATIO"
MAX_COORDINATE = 1e9            # largest |coordinate| [file units as loaded]
MAX_ZIP_ENTRIES = 10_000        # a 3MF holds a handful of entries
RATIO_FLOOR = 1024**2           # zip entries smaller than this [bytes] may compress any amount
STEP_SCAN_CHUNK = 1024**2       # bytes read at a time by the STEP unit scan and the ASCII STL scan
STEP_ENTITY_CAP = 64 * 1024     # longest STEP entity the unit scan keeps [characters]
STL_LINE_CAP = 1024**2          # longest line of an ASCII STL [bytes]
STEP_HINT = "re-export it from CAD as STEP AP214, or as STL with 'units' declared"
REEXPORT = "the file is corrupt; re-export it from CAD"
_FILE_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a character device",
               stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


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
    skipped: tuple[tuple[str, str], ...] = ()   # (instance path, why): bodies the reader left out (wires, ...)
    cached: bool = False                       # read back from the tessellation cache
    idf: IdfBoard | None = None                # an IDF board: its components, zones and holes (bodies[0]: the board)


@dataclass(frozen=True)
class Limits:
    """Caps on one file: ``triangles``, ``uncompressed`` [bytes] and zip compression ``ratio``."""

    triangles: int = 50_000_000
    uncompressed: int = 2 * 1024**3
    ratio: float = 100.0

    @classmethod
    def from_env(cls, display: str) -> Limits:
        """The limits, with SLEDCHECK_MAX_TRIANGLES, SLEDCHECK_MAX_UNCOMPRESSED and SLEDCHECK_MAX_ZIP_RATIO."""
        try:
            return cls(triangles=int(env_number(MAX_TRIANGLES_ENV, cls.triangles)),
                       uncompressed=env_size(MAX_UNCOMPRESSED_ENV, cls.uncompressed),
                       ratio=env_number(MAX_RATIO_ENV, cls.ratio))
        except BudgetError as err:
            raise MeshLoadError(str(err), file=display, hint="fix or unset the environment variable") from None


def read_mesh_file(path: Path, display: str, tessellation: Tessellation = DEFAULT_TESSELLATION,
                   library: Path | None = None, library_display: str | None = None) -> MeshFile:
    """Load ``path`` into bodies (B-rep inputs meshed with ``tessellation``; an IDF board with its ``library``,
    else the .emp beside it); raises :class:`MeshLoadError` with a clear message on any failure."""
    display = display.replace("\0", "\\0")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise MeshLoadError(f"unsupported file type {path.suffix or '(none)'!r}", file=display,
                            hint=f"export as one of: {', '.join(sorted(set(FORMATS)))}")
    size = _regular_file_size(path, display)
    limits = Limits.from_env(display)
    declared: str | None = None
    note = ""
    step: StepFile | None = None
    idf: IdfBoard | None = None
    if fmt == "idf":
        idf = read_idf(path, display, library, library_display)
        for body in idf.bodies:
            _check_coordinates(body.mesh.vertices, f"body {body.name!r}", display)
        bodies = idf.bodies
        loaded = None
    elif fmt == "step":
        declared, note = _step_unit(path)
        step = _load_step(path, display, size, limits, tessellation)
        unmeshed = [p for p, reason in step.skipped if "could not mesh" in reason]
        if unmeshed and step.bodies:   # (a file of nothing else is "no triangles" below)
            raise MeshLoadError(f"OpenCASCADE could not mesh {len(unmeshed)} of the bodies, which have faces "
                                f"({', '.join(unmeshed[:3])}{' ...' if len(unmeshed) > 3 else ''}): they would go "
                                "unchecked", file=display, hint="a face is damaged or degenerate; repair or "
                                "re-export it, or try another 'tessellation'")
        for body in step.bodies:
            _check_coordinates(body.mesh.vertices, f"body {body.path!r}", display)
        bodies = step.bodies
        loaded = None
    else:
        loaded = _load(path, display, fmt, size, limits)
        bodies = tuple(_bodies(loaded, display))
    if not bodies or sum(len(b.mesh.faces) for b in bodies) == 0:
        if step is not None and step.skipped:
            shown = "; ".join(f"{path}: {reason}" for path, reason in step.skipped[:3])
            raise MeshLoadError(f"the file contains no triangles: OpenCASCADE kept no face of any body ({shown})",
                                file=display, hint="the file holds only curves, or its faces are corrupt "
                                "(coordinates out of range?); re-export the solid bodies")
        raise MeshLoadError("the file contains no triangles", file=display,
                            hint="it may be empty, truncated or hold only curves; re-export the solid bodies")
    _check_surface(bodies, display, limits)
    loaded_unit: str | None
    if idf is not None:
        loaded_unit, declared = "mm", idf.board.unit   # the reader converted the file's MM or THOU to mm
        note = f"the IDF header declares {idf.board.unit.upper()}"
    elif fmt == "step":
        loaded_unit = "mm"  # OpenCASCADE converts whatever the file declares to mm
        if declared is None:
            loaded_unit = None
            note = "the STEP file declares no length unit"
    elif fmt in ("glb", "gltf", "3mf"):
        raw = getattr(loaded, "units", None)
        declared = _length_unit(raw, fmt, display) if raw else ("m" if fmt != "3mf" else "mm")
        loaded_unit = declared
        note = (f"the {fmt.upper()} file declares {declared}" if raw
                else f"{fmt.upper()} files are in {declared} by specification")
    else:
        loaded_unit = None
        note = f"{fmt.upper()} files carry no unit"
    return MeshFile(path=path, display=display, format=fmt, bodies=bodies, loaded_unit=loaded_unit,
                    declared_unit=declared, note=note, skipped=step.skipped if step else idf.skipped if idf else (),
                    cached=step.cached if step else False, idf=idf)


# --- the file itself ---------------------------------------------------------------------------------------------


def _regular_file_size(path: Path, display: str) -> int:
    """The size [bytes] of ``path``, which must be a non-empty regular file (checked before anything opens it:
    a FIFO or a device would block or never end)."""
    try:
        info = os.stat(path)
    except ValueError:
        raise MeshLoadError("the path contains a NUL byte", file=display,
                            hint="fix the file name in the design") from None
    except FileNotFoundError:
        raise MeshLoadError("file not found", file=display,
                            hint="check the path; it is relative to the design file") from None
    except OSError as err:
        raise _path_error(err, path, display) from None
    if stat.S_ISDIR(info.st_mode):
        raise MeshLoadError("is a folder, not a mesh file", file=display,
                            hint="point the design at the mesh file inside it")
    if not stat.S_ISREG(info.st_mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise MeshLoadError(f"is {kind}, not a regular file; sledcheck reads only regular files", file=display,
                            hint="point the design at the exported mesh file")
    if info.st_size == 0:
        raise MeshLoadError("file is empty (0 bytes)", file=display, hint="re-export it from CAD")
    return info.st_size


def _path_error(err: OSError, path: Path, display: str) -> MeshLoadError:
    if err.errno == errno.ELOOP:
        return MeshLoadError("the path is a loop of symbolic links", file=display,
                             hint="fix the link, or point the design at the real file")
    if err.errno == errno.ENAMETOOLONG:
        longest = max((len(os.fsencode(part)) for part in path.parts), default=0)
        return MeshLoadError(f"the path is too long for the system (a name of {longest} bytes; at most 255 per "
                             "name)", file=display, hint="rename the file or folder")
    return MeshLoadError(f"cannot read the file ({err.strerror or err})", file=display,
                         hint="check the path and its permissions")


def _load(path: Path, display: str, fmt: str, size: int, limits: Limits) -> object:
    """Check what the format lets us check cheaply, then load with trimesh (STEP: OpenCASCADE in a child)."""
    source: str | io.BytesIO = str(path)
    resolver = None
    if fmt == "stl":
        checked = _check_stl(path, display, size, limits)
        if isinstance(checked, int):
            return _read_binary_stl(path, display, checked)
        source = checked or source
    elif fmt == "ply":
        _check_ply(path, display, size, limits)
    elif fmt == "3mf":
        _check_zip(path, display, limits)
    elif fmt in ("glb", "gltf"):
        resolver = _gltf_resolver(path, display, fmt, size, limits)
    try:
        return trimesh.load(source, file_type=fmt if fmt != "gltf" else None, resolver=resolver, process=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        raise MeshLoadError("ran out of memory loading the file", file=display,
                            hint="the file is too large for this machine, or corrupt; re-export it") from None
    except BaseException as err:  # noqa: BLE001 - any loader failure is the file's problem, said clearly
        text = " ".join(str(err).split())[:300]
        raise MeshLoadError(f"cannot load the file ({type(err).__name__}: {text})", file=display,
                            hint="the file may be corrupt or truncated; re-export it") from None


# --- STEP --------------------------------------------------------------------------------------------------------


def _load_step(path: Path, display: str, size: int, limits: Limits, tessellation: Tessellation) -> StepFile:
    """STEP through OpenCASCADE's document layer in a child process under the load budget (:mod:`.step`)."""
    try:
        budget = Budget.from_env(file_bytes=size)
    except BudgetError as err:
        raise MeshLoadError(str(err), file=display, hint="fix or unset the environment variable") from None
    return read_step(path, display, tessellation, budget, limits.triangles,
                     lambda failure: _step_failure(failure, display))


def _step_failure(failure: ChildFailed, display: str) -> MeshLoadError:
    """The user's message for an OpenCASCADE child that crashed, timed out, ran out of memory or raised."""
    said = _native_reason(failure.output)
    said = f"; OpenCASCADE said: {said}" if said else ""
    if failure.kind == "crash":
        return MeshLoadError(f"the STEP file could not be loaded: {failure.message} reading the file: it is "
                             f"corrupt or uses an entity OpenCASCADE cannot read{said}", file=display,
                             hint=STEP_HINT)
    if failure.kind in ("timeout", "memory"):
        return MeshLoadError(f"the STEP file could not be loaded: {failure.message}{said}", file=display,
                             hint=f"{failure.hint}; otherwise {STEP_HINT}")
    return MeshLoadError(f"the STEP file could not be loaded: {failure.message}{said}", file=display,
                         hint=STEP_HINT)


def _native_reason(output: str) -> str:
    """OpenCASCADE's own error lines, without colour codes (at most two, 300 characters)."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip(" *") for line in output.splitlines()]
    lines = [line for line in lines if line and not line.startswith(ERROR_MARK)
             and ("ERR" in line or "Error" in line or "Fail" in line)]
    return "; ".join(lines[:2])[:300]


def _step_unit(path: Path) -> tuple[str | None, str]:
    """The length unit a STEP file declares in its global unit context (None when there is none)."""
    entities = dict(_step_unit_entities(path))
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
        return found[0], f"the STEP file declares several length units ({', '.join(found)}); converted to mm"
    return found[0], f"the STEP file declares {found[0]}" + ("; OpenCASCADE converts it to mm" if found[0] != "mm"
                                                             else "")


_STEP_TOKEN = re.compile(r"[;']|/\*|\*/")
_STEP_ENTITY = re.compile(r"\s*#(\d+)\s*=(.*)", re.S)


def _step_unit_entities(path: Path) -> Iterator[tuple[str, str]]:
    """(id, text) of every entity that mentions a UNIT, in one linear streaming pass: entities end at ';' outside
    strings and comments; an entity longer than STEP_ENTITY_CAP characters is skipped, so memory stays small."""
    state = "code"          # or "string", "comment"
    entity: list[str] = []
    length = 0
    with path.open("r", encoding="latin-1", newline="") as handle:
        carry = ""
        while chunk := handle.read(STEP_SCAN_CHUNK):
            text = carry + chunk
            carry = text[-1] if text[-1] in "/*" else ""   # a '/*' or '*/' may straddle two chunks
            text = text[:len(text) - len(carry)]
            start = 0
            for token in _STEP_TOKEN.finditer(text):
                kind = token.group()
                if state == "comment":
                    state = "code" if kind == "*/" else state
                elif kind == "'":
                    state = "code" if state == "string" else "string"
                elif state == "code" and kind == "/*":
                    state = "comment"
                elif state == "code" and kind == ";":
                    piece = text[start:token.start()]
                    if length + len(piece) <= STEP_ENTITY_CAP:
                        entity.append(piece)
                        yield from _unit_entity("".join(entity))
                    entity, length, start = [], 0, token.end()
            piece = text[start:]
            if length + len(piece) <= STEP_ENTITY_CAP:
                entity.append(piece)
            length += len(piece)


def _unit_entity(text: str) -> Iterator[tuple[str, str]]:
    if "UNIT" in text:
        match = _STEP_ENTITY.match(text[text.find("#"):] if "#" in text else text)
        if match:
            yield match.group(1), match.group(2)


def _step_length(entity: str) -> str | None:
    conv = re.search(r"CONVERSION_BASED_UNIT\s*\(\s*'([^']+)'", entity)
    if conv:
        return _STEP_UNITS.get(conv.group(1).strip().upper(), conv.group(1).strip().lower())
    si = re.search(r"SI_UNIT\s*\(\s*([^,\s]+)\s*,\s*\.METRE\.", entity)
    if si:
        return _SI_PREFIX.get(si.group(1).strip())
    return None


# --- STL ---------------------------------------------------------------------------------------------------------


def _check_stl(path: Path, display: str, size: int, limits: Limits) -> io.BytesIO | int | None:
    """Binary STL: size must match the triangle count, returned (the file is then read by
    :func:`_read_binary_stl`). ASCII STL: every solid and facet must end (one linear pass); returns the text as
    UTF-8 when the file is in another encoding (Latin-1 names), else None."""
    with path.open("rb") as handle:
        head = handle.read(84)
    count = struct.unpack("<I", head[80:84])[0] if len(head) >= 84 else None
    if head[:5].lower() == b"solid" and (count is None or 84 + 50 * count != size):
        facets, utf8 = _scan_ascii_stl(path, display, limits)
        if utf8:
            return None
        return io.BytesIO(path.read_bytes().decode("latin-1").encode("utf-8"))
    if count is None:
        raise MeshLoadError(f"binary STL is only {size} bytes (the header alone is 84): truncated", file=display,
                            hint="re-export it from CAD")
    expected = 84 + 50 * count
    if size != expected:
        raise MeshLoadError(
            f"binary STL header says {count} triangles ({expected} bytes) but the file has {size} bytes: "
            + ("truncated" if size < expected else "extra data after the triangles"),
            file=display, hint="re-export it from CAD")
    _check_triangle_count(count, display, limits)
    return int(count)


#: one binary STL record: normal, three corners (little-endian float32) and the 2-byte attribute
_STL_RECORD = np.dtype([("normal", "<f4", (3,)), ("corners", "<f4", (3, 3)), ("attribute", "<u2")])


def _read_binary_stl(path: Path, display: str, count: int) -> trimesh.Trimesh | trimesh.Scene:
    """A binary STL whose size :func:`_check_stl` matched to ``count`` triangles, read straight into arrays
    and welded at once (:func:`.weld.weld_corners`, in the file's units, which the assembly's weld then finds
    done): one compact copy of the geometry instead of every corner in float64, without trimesh's per-face
    normals and attributes, which nothing downstream reads (normals are recomputed after the weld). The
    corners are checked (finite, in range) before the weld, with their numbers in the file. An empty file
    (0 triangles) gives an empty scene, as trimesh's does."""
    if count == 0:
        return trimesh.Scene()
    try:
        with path.open("rb") as handle:
            handle.seek(84)
            records = np.fromfile(handle, dtype=_STL_RECORD, count=count)
    except OSError as err:
        raise _path_error(err, path, display) from None
    except MemoryError:
        raise MeshLoadError("ran out of memory loading the file", file=display,
                            hint="the file is too large for this machine, or corrupt; re-export it") from None
    if len(records) != count:   # the file shrank since it was measured
        raise MeshLoadError(f"binary STL header says {count} triangles but only {len(records)} could be read: "
                            "truncated", file=display, hint="re-export it from CAD")
    corners = np.ascontiguousarray(records["corners"]).reshape(-1, 3)   # float32, as in the file
    del records
    _check_coordinates(corners, "the mesh", display)
    vertices, faces = weld_corners(corners)
    del corners
    mesh = trimesh.Trimesh(vertices=vertices, faces=faces, process=False)
    mesh.metadata[WELDED] = True   # welded as read: the part's weld takes it as it is
    return mesh


_STL_KEYWORD = re.compile(rb"^[ \t]*(endsolid|solid|endfacet|facet|vertex)\b([^\r\n]*)", re.M | re.I)


@dataclass
class _StlScan:
    """The state of the ASCII STL structure check: the open solid (its name and number) and facet."""

    display: str
    limits: Limits
    solids: int = 0
    facets: int = 0
    solid: str | None = None      # the open solid's name; None outside a solid
    vertices: int = -1            # vertices of the open facet; -1 outside a facet

    def feed(self, keyword: bytes, rest: bytes) -> None:
        """One keyword at the start of a line, with the rest of its line."""
        where = f"solid {self.solids} ({self.solid!r})" if self.solid is not None else ""
        if keyword == b"solid":
            if self.solid is not None:
                self._fail(f"{where} has no 'endsolid' before the next 'solid'")
            self.solids += 1
            self.solid = rest.strip().decode("latin-1")
        elif self.solid is None:
            self._fail(f"'{keyword.decode()}' outside any 'solid' (after solid {self.solids})")
        elif keyword == b"facet":
            if self.vertices >= 0:
                self._fail(f"a facet of {where} has no 'endfacet'")
            self.vertices = 0
        elif keyword == b"vertex":
            if self.vertices < 0:
                self._fail(f"a 'vertex' of {where} is outside any facet")
            self.vertices += 1
        elif keyword == b"endfacet":
            if self.vertices != 3:
                self._fail(f"a facet of {where} has {max(self.vertices, 0)} vertices, not 3")
            self.vertices = -1
            self.facets += 1
            if self.facets > self.limits.triangles:
                _check_triangle_count(self.facets, self.display, self.limits)
        else:  # endsolid
            if self.vertices >= 0:
                self._fail(f"{where} ends inside a facet")
            self.solid = None

    def finish(self) -> None:
        if self.solid is not None:
            inside = "inside a facet of " if self.vertices >= 0 else ""
            self._fail(f"the file ends {inside}solid {self.solids} ({self.solid!r}) without 'endsolid': "
                       "the file is truncated")

    def _fail(self, what: str) -> None:
        raise MeshLoadError(f"ASCII STL: {what}", file=self.display,
                            hint="the file is truncated or corrupt; re-export it from CAD")


def _scan_ascii_stl(path: Path, display: str, limits: Limits) -> tuple[int, bool]:
    """Check that every solid has its 'endsolid' and every facet 3 vertices and an 'endfacet', in one streaming
    linear pass; returns the facet count and whether the text is valid UTF-8."""
    scan = _StlScan(display, limits)
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    carry = b""
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(STEP_SCAN_CHUNK)
            if utf8:
                try:
                    decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError:
                    utf8 = False
            data = carry + chunk
            cut = data.rfind(b"\n") + 1 if chunk else len(data)
            data, carry = data[:cut], data[cut:]
            if len(carry) > STL_LINE_CAP:
                raise MeshLoadError(f"a line longer than {format_size(STL_LINE_CAP)}: this is not an ASCII STL "
                                    "file", file=display, hint=REEXPORT)
            for keyword, rest in _STL_KEYWORD.findall(data):
                scan.feed(keyword.lower(), rest)
            if not chunk:
                break
    scan.finish()
    return scan.facets, utf8


def _setting(name: str, size: int) -> str:
    """'NAME=4GiB': how to set a size limit to ``size`` [bytes]."""
    return f"{name}={format_size(size).replace(' ', '')}"


def _check_triangle_count(count: int, display: str, limits: Limits) -> None:
    if count > limits.triangles:
        raise MeshLoadError(f"the file holds {count:,} triangles, more than the limit of {limits.triangles:,}",
                            file=display, hint=f"decimate the mesh, or raise the limit with {MAX_TRIANGLES_ENV}="
                            f"{max(count, limits.triangles * 2)}")


# --- PLY ---------------------------------------------------------------------------------------------------------

_PLY_BYTES = {"char": 1, "uchar": 1, "int8": 1, "uint8": 1, "short": 2, "ushort": 2, "int16": 2, "uint16": 2,
              "int": 4, "uint": 4, "int32": 4, "uint32": 4, "float": 4, "float32": 4, "double": 8, "float64": 8}
PLY_HEADER_CAP = 64 * 1024      # longest PLY header read [bytes]


def _check_ply(path: Path, display: str, size: int, limits: Limits) -> None:
    """The element counts a PLY header declares must fit in the file (a header that lies is refused), and the
    face count within the triangle limit, before trimesh reads it."""
    with path.open("rb") as handle:
        head = handle.read(PLY_HEADER_CAP)
    end = re.search(rb"end_header[ \t]*\r?\n", head)
    if not head.startswith(b"ply") or not end:
        raise MeshLoadError(f"not a PLY file (no 'ply' ... 'end_header' in its first {format_size(PLY_HEADER_CAP)})",
                            file=display, hint=REEXPORT)
    encoding, elements = _ply_header(head[:end.start()].decode("latin-1"), display)
    counts = {name: count for name, count, _ in elements}
    _check_triangle_count(counts.get("face", 0), display, limits)
    declared = " and ".join(f"{count:,} '{name}'" for name, count, _ in elements) + " elements"
    data = size - end.end()
    if encoding == "ascii":
        lines = _count_lines(path, end.end())
        needed = sum(count for _, count, _ in elements)
        if lines < needed:
            raise MeshLoadError(f"the PLY header declares {declared} ({needed:,} lines) but the file holds only "
                                f"{lines:,} lines after it: truncated, or the header lies", file=display,
                                hint=REEXPORT)
        return
    needed = sum(count * row for _, count, row in elements)
    if data < needed:
        raise MeshLoadError(f"the PLY header declares {declared} (at least {format_size(needed)}) but the file "
                            f"holds only {format_size(data)} after it: truncated, or the header lies",
                            file=display, hint=REEXPORT)


def _ply_header(header: str, display: str) -> tuple[str, list[tuple[str, int, int]]]:
    """The encoding ('ascii', 'binary_little_endian', ...) and each element's (name, count, least row bytes)."""
    encoding = ""
    elements: list[tuple[str, int, int]] = []
    for line in header.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "format":
            encoding = words[1]
        elif len(words) == 3 and words[0] == "element":
            if not words[2].isdigit():
                raise MeshLoadError(f"PLY header line {line.strip()!r} has no element count", file=display,
                                    hint=REEXPORT)
            elements.append((words[1], int(words[2]), 0))
        elif len(words) >= 3 and words[0] == "property" and elements:
            name, count, row = elements[-1]
            kind = words[2] if words[1] == "list" else words[1]   # a list row holds at least its length
            elements[-1] = (name, count, row + _PLY_BYTES.get(kind, 1))
    return encoding, elements


def _count_lines(path: Path, start: int) -> int:
    """Non-empty lines of ``path`` after byte ``start``, in one streaming pass."""
    lines = 0
    with path.open("rb") as handle:
        handle.seek(start)
        carry = b""
        while chunk := handle.read(STEP_SCAN_CHUNK):
            data = carry + chunk
            cut = data.rfind(b"\n") + 1
            lines += sum(1 for line in data[:cut].split(b"\n") if line.strip())
            carry = data[cut:][-STL_LINE_CAP:]
        lines += bool(carry.strip())
    return lines


# --- 3MF ---------------------------------------------------------------------------------------------------------


def _check_zip(path: Path, display: str, limits: Limits) -> None:
    """A 3MF is a zip: refuse one that would inflate past the limits, from its directory, before reading it."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as err:
        raise MeshLoadError(f"not a valid 3MF file: its zip archive cannot be read ({err})", file=display,
                            hint=REEXPORT) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise MeshLoadError(f"the 3MF archive has {len(entries):,} entries (a model has a handful; at most "
                            f"{MAX_ZIP_ENTRIES:,} are read)", file=display, hint=REEXPORT)
    total = sum(entry.file_size for entry in entries)
    if total > limits.uncompressed:
        raise MeshLoadError(f"the 3MF archive inflates to {format_size(total)}, more than the limit of "
                            f"{format_size(limits.uncompressed)}", file=display,
                            hint="if the model really is this large, raise the limit with "
                            f"{_setting(MAX_UNCOMPRESSED_ENV, total * 2)}")
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_FLOOR and ratio > limits.ratio:
            raise MeshLoadError(f"3MF entry {entry.filename!r} inflates {ratio:,.0f} times "
                                f"({format_size(entry.compress_size)} to {format_size(entry.file_size)}), more "
                                f"than the limit of {limits.ratio:g}: a zip bomb, not a model", file=display,
                                hint=f"if the file is genuine, raise the limit with {MAX_RATIO_ENV}={ratio * 2:.0f}")


# --- glTF --------------------------------------------------------------------------------------------------------


class _Assets(trimesh.resolvers.Resolver):
    """Serves a glTF's external buffers and images from bytes read (and checked) here, and nothing else: trimesh
    never opens a path named in the file."""

    def __init__(self, assets: dict[str, bytes]) -> None:
        self.assets = assets

    def get(self, key: str) -> bytes:
        if key not in self.assets:
            raise FileNotFoundError(f"{key!r} is not a checked asset")
        return self.assets[key]

    def write(self, name: str, data: Any) -> None:
        raise PermissionError("sledcheck never writes assets")

    def namespaced(self, namespace: str) -> _Assets:
        return _Assets({})

    def keys(self) -> Iterator[str]:
        return iter(self.assets)


def _gltf_resolver(path: Path, display: str, fmt: str, size: int, limits: Limits) -> _Assets:
    """Parse the glTF JSON ourselves; refuse node cycles and URIs that leave the file's folder; read the assets."""
    tree = _gltf_json(path, display, fmt, size, limits)
    _check_gltf_nodes(tree, display)
    folder = path.resolve().parent
    assets: dict[str, bytes] = {}
    for kind in ("buffers", "images"):
        for index, item in enumerate(_gltf_list(tree, kind, display)):
            uri = item.get("uri") if isinstance(item, dict) else None
            if uri is not None:
                data = _gltf_asset(uri, f"{kind}[{index}].uri", folder, display, limits, kind == "buffers")
                if data is not None:
                    assets[uri] = data
    return _Assets(assets)


def _gltf_json(path: Path, display: str, fmt: str, size: int, limits: Limits) -> dict[str, Any]:
    """The JSON of a .gltf file or of a GLB's first chunk."""
    if size > limits.uncompressed:
        raise MeshLoadError(f"the {fmt.upper()} file is {format_size(size)}, more than the limit of "
                            f"{format_size(limits.uncompressed)}", file=display,
                            hint=f"raise the limit with {_setting(MAX_UNCOMPRESSED_ENV, size * 2)}")
    with path.open("rb") as handle:
        if fmt == "gltf":
            raw = handle.read()
        else:
            header = handle.read(20)
            if len(header) < 20 or header[:4] != b"glTF":
                raise MeshLoadError("not a GLB file (no 'glTF' header)", file=display, hint=REEXPORT)
            version, _, length, kind = struct.unpack("<III4s", header[4:20])
            if version != 2 or kind != b"JSON" or length > size - 20:
                raise MeshLoadError(f"not a glTF 2.0 GLB file (version {version}, first chunk {kind!r} of "
                                    f"{length} bytes in a {size}-byte file)", file=display, hint=REEXPORT)
            raw = handle.read(length)
    try:
        tree = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise MeshLoadError(f"the glTF JSON cannot be read ({type(err).__name__}: {str(err)[:200]})",
                            file=display, hint=REEXPORT) from None
    if not isinstance(tree, dict):
        raise MeshLoadError("the glTF JSON is not an object", file=display, hint=REEXPORT)
    return tree


def _gltf_list(tree: dict[str, Any], key: str, display: str) -> list[Any]:
    items = tree.get(key) or []
    if not isinstance(items, list):
        raise MeshLoadError(f"glTF '{key}' is not a list", file=display, hint=REEXPORT)
    return items


def _check_gltf_nodes(tree: dict[str, Any], display: str) -> None:
    """glTF nodes must form a forest: children exist, each node has at most one parent, no cycles."""
    nodes = _gltf_list(tree, "nodes", display)
    parent: dict[int, int] = {}
    children: list[list[int]] = []
    for index, node in enumerate(nodes):
        kids = (node.get("children") or []) if isinstance(node, dict) else None
        if not isinstance(kids, list):
            raise MeshLoadError(f"glTF nodes[{index}] is not a node", file=display, hint=REEXPORT)
        for child in kids:
            if isinstance(child, bool) or not isinstance(child, int) or not 0 <= child < len(nodes):
                raise MeshLoadError(f"glTF nodes[{index}] has child {child!r}, which is not a node", file=display,
                                    hint=REEXPORT)
            if child == index:
                raise MeshLoadError(f"glTF node {index} is its own child: the node hierarchy has a cycle",
                                    file=display, hint=REEXPORT)
            if child in parent:
                raise MeshLoadError(f"glTF node {child} has two parents (nodes {parent[child]} and "
                                    f"{index}): the node hierarchy has a cycle or is not a tree", file=display,
                                    hint=REEXPORT)
            parent[child] = index
        children.append(kids)
    reached, stack = set(), [i for i in range(len(nodes)) if i not in parent]
    while stack:
        node = stack.pop()
        reached.add(node)
        stack.extend(children[node])
    if len(reached) < len(nodes):
        first = min(set(range(len(nodes))) - reached)
        raise MeshLoadError(f"the glTF node hierarchy has a cycle (through node {first}): nodes must form a tree",
                            file=display, hint=REEXPORT)


def _gltf_asset(uri: Any, where: str, folder: Path, display: str, limits: Limits, required: bool) -> bytes | None:
    """The bytes of a glTF URI that names a regular file in the glTF's own folder; None for data URIs (trimesh
    decodes them) and for missing images. Anything else is refused, and no other file is opened."""
    if not isinstance(uri, str):
        raise MeshLoadError(f"glTF {where} is not a string", file=display, hint=REEXPORT)
    shown = repr(uri[:80] + ("..." if len(uri) > 80 else ""))
    hint = "keep the glTF's .bin and image files next to it, named by relative paths, or export a GLB"
    if "base64," in uri:   # trimesh decodes anything holding 'base64,' itself
        if len(uri) * 3 // 4 > limits.uncompressed:
            raise MeshLoadError(f"glTF {where} embeds {format_size(len(uri) * 3 // 4)} of data, more than the "
                                f"limit of {format_size(limits.uncompressed)}", file=display,
                                hint=f"raise the limit with {MAX_UNCOMPRESSED_ENV}")
        return None
    reason = _unsafe_uri(uri)
    target = (folder / uri).resolve() if not reason else folder
    if not reason and not target.is_relative_to(folder):
        reason = "leads outside the glTF's folder (through a symbolic link)"
    if reason:
        raise MeshLoadError(f"glTF {where} {shown} {reason}; sledcheck reads only files in the glTF's own folder",
                            file=display, hint=hint)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        if not required:
            return None
        raise MeshLoadError(f"glTF {where} names {shown}, which is not in the glTF's folder", file=display,
                            hint=hint) from None
    except OSError as err:
        raise MeshLoadError(f"glTF {where} {shown} cannot be read ({err.strerror})", file=display,
                            hint=hint) from None
    if not stat.S_ISREG(info.st_mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise MeshLoadError(f"glTF {where} {shown} is {kind}, not a regular file", file=display, hint=hint)
    if info.st_size > limits.uncompressed:
        raise MeshLoadError(f"glTF {where} {shown} is {format_size(info.st_size)}, more than the limit of "
                            f"{format_size(limits.uncompressed)}", file=display,
                            hint=f"raise the limit with {MAX_UNCOMPRESSED_ENV}")
    with open(target, "rb") as handle:
        return handle.read(limits.uncompressed + 1)


def _unsafe_uri(uri: str) -> str:
    """Why a glTF URI may not be read as a file next to the glTF ('' when it may)."""
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", uri)
    decoded = unquote(uri)
    if "\0" in uri or "\0" in decoded:
        return "contains a NUL byte"
    if scheme:
        return f"is a URL ('{scheme.group(1)}:'), not a relative file name"
    if uri.startswith(("/", "\\")) or decoded.startswith(("/", "\\")) or os.path.isabs(uri):
        return "is an absolute path"
    if ".." in re.split(r"[\\/]", uri) or ".." in re.split(r"[\\/]", decoded):
        return "climbs out of the glTF's folder ('..')"
    if not uri.strip():
        return "is empty"
    return ""


# --- the loaded bodies -------------------------------------------------------------------------------------------


def _bodies(loaded: object, display: str) -> Iterator[Body]:
    """Every body of what trimesh loaded, validated, with its scene transform applied."""
    if isinstance(loaded, trimesh.Trimesh):
        _check_arrays(loaded, "the mesh", display)
        _check_coordinates(loaded.vertices, "the mesh", display)
        yield Body("", "", loaded)
        return
    if isinstance(loaded, trimesh.Scene):
        parents = loaded.graph.transforms.parents
        for node in sorted(loaded.graph.nodes_geometry):
            transform, geometry_name = loaded.graph[node]
            geometry = loaded.geometry.get(geometry_name)
            if not isinstance(geometry, trimesh.Trimesh) or len(geometry.faces) == 0:
                continue
            what = f"body {str(node)!r}"
            _check_arrays(geometry, what, display)
            mesh = geometry.copy(include_cache=False) if hasattr(geometry, "copy") else geometry
            turned = not np.allclose(transform, np.eye(4))
            if turned:
                mesh.apply_transform(transform)
            _check_coordinates(mesh.vertices, what, display)
            yield Body(str(node), str(geometry_name), mesh, path=_scene_path(node, parents, loaded.graph.base_frame),
                       frame=np.asarray(transform, dtype=float) if turned else None)
        return
    if isinstance(loaded, list):  # some loaders return several meshes
        for i, item in enumerate(loaded):
            for body in _bodies(item, display):
                yield Body(body.node or f"body{i}", body.geometry, body.mesh)


def _scene_path(node: Any, parents: dict[Any, Any], root: Any) -> str:
    """The node's path from the scene's root (its base frame left out), '/'-joined; at most 64 levels."""
    chain = [str(node)]
    while (node := parents.get(node)) is not None and node != root and len(chain) < 64:
        chain.append(str(node).replace("/", "_"))
    chain[0] = chain[0].replace("/", "_")
    return "/".join(reversed(chain))


def _check_arrays(mesh: trimesh.Trimesh, what: str, display: str) -> None:
    """Vertices (V, 3) numbers; faces (F, 3) integers indexing them."""
    vertices, faces = np.asarray(mesh.vertices), np.asarray(mesh.faces)
    if vertices.ndim != 2 or vertices.shape[1] != 3 or not np.issubdtype(vertices.dtype, np.number):
        width = vertices.shape[1] if vertices.ndim == 2 else "?"
        raise MeshLoadError(f"{what} has vertices with {width} coordinates, not 3", file=display, hint=REEXPORT)
    if faces.ndim != 2 or faces.shape[1] != 3 or not np.issubdtype(faces.dtype, np.integer):
        width = faces.shape[1] if faces.ndim == 2 else "?"
        raise MeshLoadError(f"{what} has faces of {width} integer vertex indices, not triangles", file=display,
                            hint=REEXPORT)
    if len(faces) and (faces.min() < 0 or faces.max() >= len(vertices)):
        bad = int(faces.min()) if faces.min() < 0 else int(faces.max())
        raise MeshLoadError(f"{what} has a face using vertex {bad}, but its vertices are numbered 0 to "
                            f"{len(vertices) - 1}", file=display, hint=REEXPORT)


def _check_coordinates(vertices: np.ndarray, what: str, display: str) -> None:
    """Every coordinate finite and within MAX_COORDINATE of the origin [file units as loaded] (in slices:
    bounded memory on a large mesh)."""
    for start in range(0, len(vertices), _COORDINATE_SLICE):
        v = np.asarray(vertices[start:start + _COORDINATE_SLICE], dtype=np.float64)
        finite = np.isfinite(v)
        if not finite.all():
            row = int(np.flatnonzero(~finite.all(axis=1))[0])
            raise MeshLoadError(f"{what} has a non-finite coordinate ({v[row].tolist()} at vertex {start + row}): "
                                "its bounds and every check on it would be meaningless", file=display, hint=REEXPORT)
        if len(v) and (largest := float(np.abs(v).max())) > MAX_COORDINATE:
            raise MeshLoadError(f"{what} has a coordinate of {largest:.3g}, beyond the limit of "
                                f"{MAX_COORDINATE:.0e} in the file's units: the file is corrupt or its scale is "
                                "wrong", file=display, hint="re-export it from CAD in mm or m")


_COORDINATE_SLICE = 1 << 20   # vertices checked at a time


def _check_surface(bodies: tuple[Body, ...], display: str, limits: Limits) -> None:
    """At most ``limits.triangles`` triangles, and not all of them of zero area."""
    total = sum(len(b.mesh.faces) for b in bodies)
    _check_triangle_count(total, display, limits)
    lo = np.min([b.mesh.vertices.min(axis=0) for b in bodies], axis=0)
    hi = np.max([b.mesh.vertices.max(axis=0) for b in bodies], axis=0)
    scale = float(np.linalg.norm(hi - lo))
    threshold = 2 * (1e-9 * scale) ** 2          # twice the area below which measure_health calls a face degenerate
    if scale > 0:
        for body in bodies:
            v, f = np.asarray(body.mesh.vertices, dtype=np.float64), np.asarray(body.mesh.faces)
            start, step = 0, 1024
            while start < len(f):   # in growing slices: bounded memory, and one face with area ends it early
                part = f[start:start + step]
                start, step = start + step, min(4 * step, 1_000_000)
                normal = cross_rows(v[part[:, 1]] - v[part[:, 0]], v[part[:, 2]] - v[part[:, 0]])
                if np.any(np.sqrt(np.einsum("ij,ij->i", normal, normal)) > threshold):
                    return
    raise MeshLoadError(f"all {total:,} triangles have zero area: the file holds no surface", file=display,
                        hint="the export collapsed the geometry (wrong units or tolerance?); re-export it from CAD")


def _length_unit(raw: object, fmt: str, display: str) -> str:
    """The unit a 3MF/glTF file declares, as a short name; refused when it is not a length."""
    try:
        unit = parse_unit(str(raw).strip().lower())
        is_length = unit.dimensionality == parse_unit("m").dimensionality
    except UnitError:
        is_length = False
    if not is_length:
        raise MeshLoadError(f"the {fmt.upper()} file declares the unit {str(raw)[:40]!r}, which is not a length",
                            file=display, hint="3MF allows micron, millimeter, centimeter, inch, foot and meter; "
                            "fix the unit or re-export the file")
    return _unit_name(str(raw))


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


@functools.lru_cache(maxsize=64)
def scale_to_mm(unit: str) -> float:
    """Millimetres per ``unit``."""
    return float((1 * parse_unit(unit)).m_as("mm"))


def read_with_units(path: Path, display: str, units: str | None) -> tuple[MeshFile, Units]:
    """Load one file on its own (``inspect``, ``init``), with ``units`` from the command line for unit-less files."""
    mesh_file = read_mesh_file(path, display)
    try:
        return mesh_file, resolve_units(mesh_file, units, "option" if units else None)
    except MeshLoadError as err:
        if units is None:
            err.hint = "give the units with --units mm (or cm, m, in)"
        raise


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
    scale = scale_to_mm(part_units)   # (a unit-less STEP file: OpenCASCADE read its numbers as mm)
    where = {"part": "the part's 'units'", "design": "the design's 'units'"}.get(declared_by or "", "--units")
    return Units(unit=part_units, scale=scale, source=f"{mesh_file.note}; {part_units} from {where}")


# --- sharing between designs -------------------------------------------------------------------------------------

#: set to a dict for a run that checks several designs: a file read again (the same bytes, format and
#: tessellation) comes from it instead of being parsed again
shared_meshes: ContextVar[dict[tuple[str, ...], MeshFile] | None] = ContextVar("shared_meshes", default=None)


def read_mesh_file_shared(path: Path, display: str, tessellation: Tessellation = DEFAULT_TESSELLATION,
                          library: Path | None = None, library_display: str | None = None) -> MeshFile:
    """:func:`read_mesh_file`, through :data:`shared_meshes` when a run shares meshes (keyed by the SHA-256 of
    the file's bytes; a glTF, whose buffers live in other files, by its path too). IDF boards, whose library
    is another file, are read each time."""
    cache = shared_meshes.get()
    suffix = path.suffix.lower()
    if cache is None or suffix == ".emn":
        return read_mesh_file(path, display, tessellation, library, library_display)
    _regular_file_size(path, display)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as err:
        raise _path_error(err, path, display) from None
    key = (digest, suffix, repr(tessellation), str(path.resolve()) if suffix == ".gltf" else "")
    if key not in cache:
        cache[key] = read_mesh_file(path, display, tessellation)
    return replace(cache[key], path=path, display=display)
