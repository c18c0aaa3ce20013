"""`sledcheck init ASSEMBLY`: a commented design written from an assembly export (issue 10).

What it does, in order:

1. Load the file as ``check`` will (STEP through OpenCASCADE, meshes by trimesh) and convert it to mm.
2. Guess every body's role from its names (:mod:`.load.roles`: instance name, product name, sub-assembly), then
   from its shape where the names say little, or to confirm them: a recognised plate-fin heat sink, the largest
   body at the bottom that most parts stand on (tray), the largest thin plate on top (lid), a thin plate that
   several parts stand on (pcb).
3. Decide the parts: one per body, except that the bodies of a sub-assembly whose name says it is one unit (a
   fan, a DIMM, a heat sink, a PSU, a drive, a connector, a package, a cable) become one part, unless a
   fastener or a pad is among them. Bodies of one product with one role, and sub-assemblies alike, become a
   single ``each: true`` entry (16 DIMMs, 6 fans: one line each); members that touch other things than the
   rest become entries of their own, written before it (an ``each`` entry takes what earlier ones left).
4. Measure every pair of parts as ``check`` does (exact mesh distance, manifold3d overlap volume, the exact
   B-rep where the mesh answer is within the chord error of a limit) and write what touches as ``contacts``:
   by role where every pair of the two roles that comes closer than its clearance touches and every part of
   each role touches one of the other (so no contact-missing warning), else by entry name. A pair that
   overlaps is never declared (``check`` reports it as D101; a fastener, standoff or pad that overlaps gets a
   commented-out press or compressible fit to uncomment if that is the design); a touching pair whose overlap
   cannot be measured (a part is not closed) is written commented out. A fastener within 0.5 mm of a part
   without overlapping it (a screw in a clearance hole) gets a ``fits`` entry of kind ``clearance-hole``.
5. Add the envelope spec the height fits (EIA-310 1U or 2U), a default clearance of 0.5 mm and 1.5 mm between
   heat sinks and lids, and, when there are heat sinks and fans, a commented-out thermal stub.

Every guessed line carries a comment saying why and how sure (sure, likely, guess); a summary goes to stderr.
The design is checked by the design loader before it is written; it is written atomically, never over an
existing file without ``--force`` and never over the assembly itself.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import json
import os
import re
import stat
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import manifold3d
import numpy as np
import trimesh

from .checks.registry import catalog
from .errors import SledcheckError, os_error_message
from .geometry.heatsinks import PlateFinGeometry, recognise_plate_fin
from .geometry.holes import Hole, find_through_holes, in_plane_axes
from .geometry.proximity import Overlap, minimum_gap, overlap_volume, penetration_depth, to_manifold
from .geometry.sections import Sections, axis_index
from .inspect import orientation_warnings
from .load.body import Body
from .load.design import display_path, load_design
from .load.exact import ExactQuery, ExactSide, exact_gaps
from .load.health import MeshHealth
from .load.meshes import FORMATS, MeshFile, Units, read_mesh_file, resolve_units
from .load.roles import LIKELY, SURE, RoleGuess, confidence_word, guess_role, name_role
from .load.specs import load_pack, resolve_pack
from .model.assembly import weld_bodies
from .model.pairs import TOUCH_MM, VOLUME_EPS_MM3
from .report.write import check_target
from .resources import MODELS

#: The clearances written (and used to tell "close" pairs) [mm].
DEFAULT_CLEARANCE_MM = 0.5
HEATSINK_LID_CLEARANCE_MM = 1.5
#: A fastener this close to a part without overlapping it sits in a clearance hole [mm].
FIT_REACH_MM = 0.5
#: Pairs are measured up to this gap [mm] (above every clearance written).
REACH_MM = 2.0
#: Sub-assemblies whose name says they are one thing: their bodies become one part.
UNIT_ROLES = frozenset({"fan", "dimm", "heatsink", "psu", "drive", "connector", "package", "cable"})
#: Bodies that stay parts of their own inside such a sub-assembly (so it is not merged).
SEPARATE_ROLES = frozenset({"fastener", "pad"})
#: Envelope packs tried, smallest first.
ENVELOPE_PACKS = ("eia-310-1u", "eia-310-2u")
#: Bodies with more triangles than this are not sectioned for heat-sink recognition (too slow to be worth it).
RECOGNITION_TRIANGLES = 2_000_000
PLURALS = {"dimm": "dimms", "fastener": "fasteners", "fan": "fans", "standoff": "standoffs",
           "connector": "connectors", "package": "packages", "heatsink": "heatsinks", "component": "components",
           "bracket": "brackets", "cable": "cables", "duct": "ducts", "drive": "drives", "psu": "psus",
           "pad": "pads", "pcb": "boards", "lid": "lids", "tray": "trays", "other": "others"}
#: Parts a fastener, standoff or pad is not pressed into by design: their overlaps get no suggested fit.
_NOT_PRESSED = frozenset({"dimm", "fan", "package", "psu", "drive", "cable"})
_NO_OVERLAP = Overlap(0.0, ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0)))
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null", "none", "nan", "inf"})


# --- the command -------------------------------------------------------------------------------------------------


def run_init(assembly: str, output: str, *, force: bool = False, units: str | None = None) -> int:
    """Write the design for ``assembly`` to ``output``; returns the exit code (0; errors raise
    :class:`SledcheckError`, which the command line turns into exit 2)."""
    if not str(assembly).strip():
        raise SledcheckError("argument assembly: the path is empty", hint="give a STEP, GLB or 3MF file")
    if not str(output).strip():
        raise SledcheckError("--output: the path is empty", hint="give a file name, e.g. design.yaml")
    source, target = Path(assembly), Path(output)
    _refuse_target(source, target, force)
    mesh_file = read_mesh_file(source, display_path(source))
    try:
        resolved = resolve_units(mesh_file, units, "option" if units else None)
    except SledcheckError as err:
        if units is None:
            err.hint = "give the units with --units mm (or cm, m, in)"
        raise
    draft = Draft(mesh_file, resolved, source, target, units_option=units)
    text = draft.render().rstrip("\n") + "\n"
    _write(source, target, text, force)
    _say("\n".join(draft.summary()))
    return 0


def _say(text: str) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _refuse_target(source: Path, target: Path, force: bool) -> None:
    """Refuse, before any work: an existing output without --force, the assembly itself, a CAD file name,
    a link, a folder or a special file, or an output folder that does not exist."""
    if target.suffix.lower() in FORMATS:
        raise SledcheckError(f"is named like a CAD or mesh file ({target.suffix}); the design is YAML",
                             file=target, field="--output", hint="write it to a .yaml file, e.g. design.yaml")
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except (OSError, ValueError) as err:
        message, hint = os_error_message(err, "write")
        raise SledcheckError(message, file=target, field="--output", hint=hint) from None
    if info is not None and stat.S_ISREG(info.st_mode):
        with contextlib.suppress(OSError, ValueError):
            if os.path.samefile(source, target):
                raise SledcheckError("is the assembly file itself; sledcheck init never writes over its input",
                                     file=target, field="--output", hint="write the design to a .yaml file")
        if not force:
            raise SledcheckError("already exists; sledcheck init does not overwrite it", file=target,
                                 field="--output", hint="give another name with -o, or --force to replace it")
    check_target(target, "--output")


def _write(source: Path, target: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``target`` atomically, after the design loader has accepted it; without ``force``
    never over a file that appeared meanwhile."""
    folder = target.parent if str(target.parent) else Path(".")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:200]}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="\n") as handle:
            handle.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        try:
            load_design(tmp, catalog())   # paths in it are relative to the target's folder: the same folder
        except SledcheckError as err:
            raise SledcheckError(f"internal error: the design drafted for {display_path(source)} does not load "
                                 f"({err}); nothing was written", file=target,
                                 hint="please report this with the assembly file") from None
        _refuse_target(source, target, force)
        if force:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)          # fails if the name exists: no file is ever replaced
            except FileExistsError:
                raise SledcheckError("already exists; sledcheck init does not overwrite it", file=target,
                                     field="--output", hint="give another name with -o, or --force") from None
            except OSError as err:
                if err.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                    raise
                os.replace(tmp, target)       # a file system without hard links: checked just above
    except OSError as err:
        message, hint = os_error_message(err, "write")
        raise SledcheckError(f"cannot write the design: {err.strerror or message}", file=target,
                             hint=hint) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


# --- bodies, units (parts) and entries ---------------------------------------------------------------------------


def glob_escape(text: str) -> str:
    """``text`` as an fnmatch pattern that matches only itself."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def body_matches(pattern: str, body: Body) -> bool:
    """Does a design's ``node:`` pattern select ``body`` (instance name, product name or instance path)?"""
    return any(fnmatch.fnmatchcase(text, pattern) for text in (body.node, body.geometry, body.path) if text)


class Selector:
    """Which bodies a ``node:`` pattern selects, as ``check`` reads it: a body is selected by its instance name,
    product name or instance path, or by the path of a sub-assembly it is in (or that path's last name, less any
    '#k'); ``each: true`` makes one part per body selected by itself and one per sub-assembly selected. Literal
    names are answered from an index, other patterns by a scan."""

    def __init__(self, bodies: Sequence[Body]) -> None:
        self.bodies = bodies
        self.by_text: dict[str, set[int]] = defaultdict(set)
        self.by_ancestor: dict[str, set[int]] = defaultdict(set)
        for i, body in enumerate(bodies):
            for text in (body.node, body.geometry, body.path):
                if text:
                    self.by_text[text].add(i)
            for prefix in _prefixes(body.path):
                self.by_ancestor[prefix].add(i)
                self.by_ancestor[prefix.rsplit("/", 1)[-1].split("#")[0]].add(i)

    def literal(self, text: str) -> set[int]:
        """The bodies ``glob_escape(text)`` selects."""
        return set(self.by_text.get(text, ())) | set(self.by_ancestor.get(text, ()))

    def groups(self, pattern: str) -> dict[int, str]:
        """Each body ``pattern`` selects -> the instance path it is selected by (its own, or the innermost
        sub-assembly's): with ``each: true`` the bodies of one path are one part."""
        match = re.compile(fnmatch.translate(pattern)).match
        out = {}
        for i, body in enumerate(self.bodies):
            if any(text and match(text) for text in (body.node, body.geometry, body.path)):
                out[i] = body.path or body.name
                continue
            for prefix in reversed(_prefixes(body.path)):
                if match(prefix) or match(prefix.rsplit("/", 1)[-1].split("#")[0]):
                    out[i] = prefix
                    break
        return out


def _near_boxes(bounds: np.ndarray, reach: float, rows: int = 256) -> list[tuple[int, int]]:
    """Pairs (i < j) of boxes (N, 2, 3) within ``reach`` of each other, ``rows`` boxes against all at a time (so
    memory stays small for thousands of parts)."""
    found = []
    for start in range(0, len(bounds), rows):
        chunk = bounds[start:start + rows]
        apart = np.maximum(chunk[:, None, 0, :] - bounds[None, :, 1, :], bounds[None, :, 0, :] - chunk[:, None, 1, :])
        near = np.all(apart <= reach, axis=2)
        for i, j in zip(*np.nonzero(near), strict=True):
            if start + i < j:
                found.append((int(start + i), int(j)))
    return found


def _last(unit: Unit) -> str:
    """The name of a sub-assembly unit as its path ends ('FAN_3', 'FAN#1')."""
    return unit.subassembly.rsplit("/", 1)[-1]


def _prefixes(path: str) -> list[str]:
    """The instance paths of the sub-assemblies a body is in, root first."""
    segments = path.split("/")[:-1] if path else []
    return ["/".join(segments[:k]) for k in range(1, len(segments) + 1)]


def _positional(names: Sequence[str]) -> str | None:
    """One fnmatch pattern for names of one length that differ in a few places ('FAN_1', 'FAN_2' -> 'FAN_?'),
    or None when their lengths differ."""
    if len({len(n) for n in names}) != 1:
        return None
    return "".join(glob_escape(chars[0]) if len(set(chars)) == 1 else "?" for chars in zip(*names, strict=True))


def _segments(path: str) -> tuple[str, ...]:
    return tuple(path.split("/")) if path else ()


@dataclass(eq=False)
class Unit:
    """A part of the design to be: one body, or the bodies of one sub-assembly; in mm."""

    bodies: list[int]
    label: str                       # the part name it gets as an entry of its own
    role: str
    confidence: float
    reason: str
    mesh: trimesh.Trimesh = field(repr=False)
    boxes: np.ndarray = field(repr=False)
    health: MeshHealth = field(repr=False)
    product: str = ""                # the product of its one body ('' for a sub-assembly)
    subassembly: str = ""            # the sub-assembly path it was merged from
    patterns: tuple[str, ...] = ()   # node patterns that select exactly its bodies, best first
    shape_note: str = ""             # what the geometry said
    index: int = -1
    chord: float = 0.0               # largest chord error of its bodies [mm] (0: the mesh is the geometry)
    merged: str = ""                 # for a sub-assembly: which bodies it is made of
    breps: tuple[tuple[Path, np.ndarray], ...] = ()   # exact shapes and placements [mm], when every body has one

    @cached_property
    def bounds(self) -> np.ndarray:
        return np.array([self.boxes[:, 0].min(axis=0), self.boxes[:, 1].max(axis=0)])

    @cached_property
    def solid(self) -> manifold3d.Manifold | None:
        if not self.health.closed:
            return None
        try:
            return to_manifold(self.mesh)
        except ValueError:
            return None

    @property
    def footprint(self) -> float:
        size = self.bounds[1] - self.bounds[0]
        return float(size[0] * size[1])

    def set_role(self, role: str, confidence: float, reason: str) -> None:
        self.role, self.confidence, self.reason = role, confidence, reason


@dataclass(eq=False)
class Entry:
    """One entry of ``parts:``: a unit, or several units of one product (``each: true``)."""

    name: str
    units: list[Unit]
    node: str | None
    each: bool = False
    what: str = ""            # for an each entry: what its parts have in common
    split: int = 0            # for an each entry: how many of the bodies it selects are entries above it

    @property
    def role(self) -> str:
        return self.units[0].role


@dataclass(frozen=True)
class Pair:
    """Two units measured as ``check`` measures them: the gap [mm] and the shared region (None: not measurable,
    a part is not closed); ``exact`` when measured again on the B-rep."""

    a: int
    b: int
    gap: float
    overlap: Overlap | None
    exact: bool = False

    @property
    def volume(self) -> float:
        return self.overlap.volume if self.overlap is not None else 0.0

    @property
    def overlaps(self) -> bool:
        return self.gap <= TOUCH_MM and self.overlap is not None and self.overlap.volume > VOLUME_EPS_MM3

    @property
    def touching(self) -> bool:
        """Touching without overlap, as measured (a pair that cannot be measured is not)."""
        return self.gap <= TOUCH_MM and self.overlap is not None and not self.overlaps

    @property
    def unmeasured_touch(self) -> bool:
        return self.gap <= TOUCH_MM and self.overlap is None


def required_gap(role_a: str, role_b: str) -> float:
    """The clearance init writes for a pair of roles [mm]."""
    return HEATSINK_LID_CLEARANCE_MM if {role_a, role_b} == {"heatsink", "lid"} else DEFAULT_CLEARANCE_MM


class Draft:
    """Everything init decides about one assembly file, and the design text."""

    def __init__(self, mesh_file: MeshFile, units: Units, source: Path, target: Path,
                 units_option: str | None = None) -> None:
        self.file = mesh_file
        self.units = units
        self.units_option = units_option if mesh_file.loaded_unit is None else None
        self.source = source
        self.target = target
        self.bodies = list(mesh_file.bodies)
        self.transform = np.diag([units.scale] * 3 + [1.0])
        self.notes: list[str] = []         # said on stderr and at the top of the design
        self.guesses = [guess_role(b.node, b.geometry, b.path) for b in self.bodies]
        if len(self.bodies) == 1:
            self.guesses[0] = self._single_body_guess(self.guesses[0])
        self.labels = _labels(self.bodies)
        self.select = Selector(self.bodies)
        if len(self.bodies) == 1 and not (self.bodies[0].node or self.bodies[0].geometry):
            self.labels = [_design_name(source)]   # an STL's one body: named after the file
        self.units_list = self._units()
        for index, unit in enumerate(self.units_list):
            unit.index = index
        self.all_bounds = np.stack([u.bounds for u in self.units_list])     # (N, 2, 3) [mm]
        self.bounds = np.array([self.all_bounds[:, 0].min(axis=0), self.all_bounds[:, 1].max(axis=0)])
        self.extents = self.bounds[1] - self.bounds[0]
        self.warnings = orientation_warnings(self.extents, len(self.bodies))
        self._shape_roles()
        self.pairs = self._measure()
        self.neighbours: dict[int, list[tuple[int, Pair]]] = defaultdict(list)
        for pair in self.pairs.values():
            self.neighbours[pair.a].append((pair.b, pair))
            self.neighbours[pair.b].append((pair.a, pair))
        self.entries = self._entries()
        self.contacts, self.fits = self._relations()

    # --- roles ---------------------------------------------------------------------------------------------

    def _single_body_guess(self, guess: RoleGuess) -> RoleGuess:
        """A file of one body: its file name may say what it is (``heatsink.step``)."""
        if guess.confidence >= LIKELY:
            return guess
        stem = self.source.stem
        match = name_role(stem)
        if match is None or match.confidence <= guess.confidence:
            return guess
        return RoleGuess(match.role, round(match.confidence * 0.9, 2), f"from the file name {self.source.name!r}")

    def _shape_roles(self) -> None:
        """Heat sinks, tray, lid and boards from the geometry, where the names say little, or to confirm."""
        for unit in self.units_list:
            self._recognise_heatsink(unit)
        if any("Y-up" in w for w in self.warnings):
            self.notes.append("the assembly looks Y-up: tray, lid and board were not guessed from the shape "
                              "(sledcheck takes z as up)")
            return
        height = float(self.extents[2])
        tol = max(2.0, 0.05 * height)
        area = float(self.extents[0] * self.extents[1])
        others = len(self.units_list) - 1
        if others < 1 or area <= 0:
            return
        tray = self._tray(tol, area)
        lid = self._lid(tol, area, tray)
        for unit in self.units_list:
            if unit is not tray and unit is not lid:
                self._board(unit)

    def _inside(self, outer: Unit) -> np.ndarray:
        """Which units (other than ``outer``) have the centre of their footprint inside ``outer``'s footprint."""
        centres = (self.all_bounds[:, 0, :2] + self.all_bounds[:, 1, :2]) / 2
        inside = np.all((centres >= outer.bounds[0][:2] - 1e-6) & (centres <= outer.bounds[1][:2] + 1e-6), axis=1)
        inside[outer.index] = False
        return inside

    def _tray(self, tol: float, area: float) -> Unit | None:
        if len(self.units_list) < 4:
            return None
        candidates = [u for u in self.units_list if u.footprint >= 0.8 * area and u.bounds[0][2] <= self.bounds[0][2]
                      + tol]
        best = None
        for unit in sorted(candidates, key=lambda u: (-u.footprint, u.bounds[0][2], u.index)):
            inside = int(self._inside(unit).sum())
            if inside >= 0.6 * (len(self.units_list) - 1):
                best = unit
                self._shape_says(unit, "tray", 0.75, f"the largest body at the bottom, under {inside} of "
                                 f"{len(self.units_list) - 1} parts")
                break
        return best

    def _lid(self, tol: float, area: float, tray: Unit | None) -> Unit | None:
        for unit in sorted(self.units_list, key=lambda u: (-u.footprint, -u.bounds[1][2], u.index)):
            size = unit.bounds[1] - unit.bounds[0]
            if (unit is not tray and unit.footprint >= 0.5 * area and unit.bounds[1][2] >= self.bounds[1][2] - tol
                    and size[2] <= 0.25 * min(size[0], size[1])):
                self._shape_says(unit, "lid", 0.75, f"the largest thin plate on top ({size[2]:.3g} mm thick, "
                                 f"{size[0]:.4g} x {size[1]:.4g} mm)")
                return unit
        return None

    def _board(self, unit: Unit) -> None:
        size = unit.bounds[1] - unit.bounds[0]
        if size[2] > 6.0 or size[2] > 0.1 * min(size[0], size[1]) or min(size[0], size[1]) < 20.0:
            return
        top = unit.bounds[1][2]
        resting = int((self._inside(unit) & (np.abs(self.all_bounds[:, 0, 2] - top) <= 0.5)).sum())
        if resting >= 3:
            self._shape_says(unit, "pcb", 0.7, f"a thin plate ({size[2]:.3g} mm) with {resting} parts on it")

    def _recognise_heatsink(self, unit: Unit) -> None:
        size = unit.bounds[1] - unit.bounds[0]
        if max(size) < 10.0 or len(unit.mesh.faces) > RECOGNITION_TRIANGLES:
            return
        if unit.confidence >= SURE and unit.role != "heatsink":
            return
        try:
            found = recognise_plate_fin(Sections(unit.mesh))
        except Exception:  # noqa: BLE001 - recognition is best-effort on arbitrary CAD
            return
        if isinstance(found, PlateFinGeometry):
            self._shape_says(unit, "heatsink", 0.8, f"a plate-fin heat sink, {found.fin_count} fins along "
                             f"{found.flow_axis}")

    def _shape_says(self, unit: Unit, role: str, confidence: float, what: str) -> None:
        """The geometry says ``role``: it confirms the name, or decides where the name says little."""
        if unit.role == role:
            unit.confidence = round(max(unit.confidence, min(0.97, unit.confidence + 0.1), 0.9), 2)
            unit.shape_note = f"the shape agrees: {what}"
        elif unit.confidence < LIKELY:
            said = "" if unit.role == "component" and unit.confidence <= 0.2 else \
                f" (the name says {unit.role}, {confidence_word(unit.confidence)})"
            unit.set_role(role, confidence, f"guessed from geometry: {what}{said}")
        else:
            unit.shape_note = f"the shape looks like a {role}: {what}"

    # --- units ---------------------------------------------------------------------------------------------

    def _units(self) -> list[Unit]:
        """One unit per body, except the bodies of a sub-assembly whose name says it is one thing."""
        bodies = self.bodies
        if any(not (b.node or b.geometry or b.path) for b in bodies) and len(bodies) > 1:
            self.notes.append("some bodies have no name: the whole file is one part")
            guess = guess_role("", "", "")
            match = name_role(self.source.stem)
            if match is not None:
                guess = RoleGuess(match.role, round(match.confidence * 0.9, 2),
                                  f"from the file name {self.source.name!r}")
            return [self._unit(list(range(len(bodies))), self.source.stem or "assembly", guess, ())]
        taken: set[int] = set()
        units: list[Unit] = []
        for sub, members, said in self._merged_subassemblies():
            label = self._subassembly_label(sub)
            guess = RoleGuess(said.role, said.confidence, f"from the sub-assembly name {sub[-1]!r}")
            path = "/".join(sub)
            patterns = tuple(p for p in dict.fromkeys((f"*/{glob_escape(sub[-1])}/*", f"*/{glob_escape(label)}/*",
                                                       f"{glob_escape(path)}/*"))
                             if set(self.select.groups(p)) == set(members))
            unit = self._unit(members, label, guess, patterns)
            unit.subassembly = path
            unit.merged = _listing([bodies[i].name for i in members]) + " as one part"
            units.append(unit)
            taken.update(members)
        for i, body in enumerate(bodies):
            if i in taken:
                continue
            patterns = tuple(glob_escape(t) for t in dict.fromkeys((body.node, body.geometry, body.path))
                             if t and self.select.literal(t) == {i})
            unit = self._unit([i], self.labels[i], self.guesses[i], patterns)
            unit.product = body.geometry
            units.append(unit)
        if len(bodies) > 1 and any(not u.patterns for u in units):
            self.notes.append("some bodies cannot be told apart by name or path: the whole file is one part")
            guess = guess_role("", "", "")
            return [self._unit(list(range(len(bodies))), self.source.stem or "assembly", guess, ())]
        return units

    def _unit(self, members: list[int], label: str, guess: RoleGuess, patterns: tuple[str, ...]) -> Unit:
        bodies = [self.bodies[i] for i in members]
        mesh, boxes, health = weld_bodies(bodies, self.transform)
        chord = max((b.chord_error_mm or 0.0) * self.units.scale for b in bodies)
        breps: tuple[tuple[Path, np.ndarray], ...] = ()
        if all(b.shape_file is not None and b.placement is not None for b in bodies):
            breps = tuple((b.shape_file, self.transform @ b.placement) for b in bodies
                          if b.shape_file is not None and b.placement is not None)
        return Unit(bodies=members, label=label, role=guess.role, confidence=guess.confidence, reason=guess.reason,
                    mesh=mesh, boxes=boxes, health=health, patterns=patterns, chord=chord, breps=breps)

    def _merged_subassemblies(self) -> list[tuple[tuple[str, ...], list[int], RoleGuess]]:
        """(path, bodies, role) of the innermost sub-assemblies (never the root) named as one unit, of two or
        more bodies, none of them a fastener or a pad by its own name."""
        below: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i, body in enumerate(self.bodies):
            segments = _segments(body.path)
            for depth in range(2, len(segments)):
                below[segments[:depth]].append(i)
        named = {}
        for sub in below:
            match = name_role(re.sub(r"#\d+$", "", sub[-1]))
            if match is not None and match.role in UNIT_ROLES and match.confidence >= LIKELY:
                named[sub] = match
        found = []
        for sub, match in named.items():
            if any(other != sub and other[:len(sub)] == sub for other in named):
                continue   # a fan wall of fans: its fans are the units
            members = below[sub]
            if len(members) < 2:
                continue
            separate = [i for i in members if any(m is not None and m.role in SEPARATE_ROLES and m.confidence >= LIKELY
                                                  for m in (name_role(self.bodies[i].node),
                                                            name_role(self.bodies[i].geometry)))]
            if separate:
                self.notes.append(f"{'/'.join(sub)}: kept as separate parts, since "
                                  f"{self.bodies[separate[0]].name!r} in it is a part of its own")
                continue
            found.append((sub, members, RoleGuess(match.role, match.confidence, "")))
        return sorted(found, key=lambda f: min(f[1]))

    @cached_property
    def _reserved(self) -> set[str]:
        """Names a sub-assembly's part must not take: every body's name, label and instance-path suffix."""
        reserved = {b.node for b in self.bodies} | {b.geometry for b in self.bodies} | set(self.labels)
        for b in self.bodies:
            segments = _segments(b.path)
            reserved.update("/".join(segments[k:]) for k in range(len(segments)))
        return reserved

    def _subassembly_label(self, sub: tuple[str, ...]) -> str:
        """The shortest suffix of the sub-assembly's path that no body shares as a name or path suffix."""
        for k in range(len(sub) - 1, -1, -1):
            candidate = "/".join(sub[k:])
            if candidate not in self._reserved:
                self._reserved.add(candidate)
                return candidate
        return _fresh("/".join(sub), self._reserved)

    # --- entries -------------------------------------------------------------------------------------------

    def _entries(self) -> list[Entry]:
        """One entry per unit; one ``each: true`` entry per product repeated with one role (16 DIMMs) and per
        sub-assembly repeated as one unit (6 fans of a housing and a hub each)."""
        units = self.units_list
        if len(self.bodies) == 1 or (len(units) == 1 and not units[0].patterns):
            return [Entry(units[0].label, units, None)]
        entries: list[Entry] = []
        grouped: set[int] = set()
        names = {u.label for u in units} | {b.node for b in self.bodies} | {b.geometry for b in self.bodies} \
            | self._reserved | set(PLURALS)
        repeats = self._repeats()
        per_role = Counter(members[0].role for members, _, _ in repeats)
        for members, pattern, what in repeats:
            role = members[0].role
            name = PLURALS.get(role, f"{role}s")
            if per_role[role] > 1 and members[0].product:
                name += "-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", members[0].product)
            name = _fresh(name, names)
            names.add(name)
            entries.append(Entry(name, members, pattern, each=True, what=what))
            grouped.update(u.index for u in members)
        for unit in units:
            if unit.index not in grouped:
                entries.append(Entry(unit.label, [unit], unit.patterns[0]))
        return sorted(entries, key=lambda e: min(e.units[0].bodies))

    def _repeats(self) -> list[tuple[list[Unit], str, str]]:
        """(units, node pattern, what they are) for every set of two or more units that one ``each: true``
        pattern selects exactly, one part per unit: bodies of one product and role, and sub-assemblies of the
        same bodies and role whose names differ in a few characters."""
        found = []
        by_product: dict[tuple[str, str], list[Unit]] = defaultdict(list)
        by_unit: dict[tuple[str, tuple[str, ...]], list[Unit]] = defaultdict(list)
        for unit in self.units_list:
            if unit.subassembly:
                products = tuple(sorted(self.bodies[i].geometry for i in unit.bodies))
                by_unit[(unit.role, products)].append(unit)
            elif unit.product:
                by_product[(unit.product, unit.role)].append(unit)
        for (product, _), members in by_product.items():
            wanted = {i: self.bodies[i].path or self.bodies[i].name for u in members for i in u.bodies}
            if len(members) >= 2 and self.select.groups(glob_escape(product)) == wanted:
                found.append((members, glob_escape(product), f"{len(members)} bodies of product {product!r}"))
        for members in by_unit.values():
            left = list(members)
            # all of them, else those of one name less '#k' (FAN, FAN#1), else those of one name length
            for key in (lambda u: "", lambda u: _last(u).split("#")[0], lambda u: str(len(_last(u)))):
                buckets: dict[str, list[Unit]] = defaultdict(list)
                for unit in left:
                    buckets[key(unit)].append(unit)
                for bucket in buckets.values():
                    pattern = self._subassembly_pattern(bucket) if len(bucket) >= 2 else None
                    if pattern is not None:
                        found.append((bucket, pattern, f"{len(bucket)} sub-assemblies alike "
                                                       f"({_listing([u.label for u in bucket])})"))
                        left = [u for u in left if u not in bucket]
        return found

    def _subassembly_pattern(self, units: list[Unit]) -> str | None:
        """A node pattern that selects exactly these sub-assemblies' bodies, grouped by sub-assembly, or None."""
        wanted = {i: u.subassembly for u in units for i in u.bodies}
        last = [_last(u) for u in units]
        stripped = {n.split("#")[0] for n in last}
        candidates = [glob_escape(stripped.pop())] if len(stripped) == 1 else []
        positional = _positional(last)
        if positional is not None:
            candidates.append(f"*/{positional}")
        return next((c for c in candidates if self.select.groups(c) == wanted), None)

    def _split(self, entry: Entry, odd: set[int]) -> None:
        """An ``each`` entry whose members ``odd`` (unit indices) behave unlike the others: they become entries
        of their own, written before it, so that it takes only the others (an ``each`` entry takes only the
        bodies no earlier entry took); with fewer than two others left, every member becomes an entry."""
        position = self.entries.index(entry)
        keep = [u for u in entry.units if u.index not in odd]
        apart = [u for u in entry.units if u.index in odd] if len(keep) >= 2 else entry.units
        singles = [Entry(u.label, [u], u.patterns[0]) for u in apart]
        if len(keep) >= 2:
            entry.split += len(apart)
            entry.units = keep
            singles.append(entry)
        self.entries[position:position + 1] = singles

    # --- pairs ---------------------------------------------------------------------------------------------

    def _measure(self) -> dict[tuple[int, int], Pair]:
        """Every pair of units within REACH_MM: gap and overlap, as ``check`` measures them (meshes, then the
        exact B-rep for the pairs within the tessellation error of a limit)."""
        units = self.units_list
        if len(units) < 2:
            return {}
        pairs: dict[tuple[int, int], Pair] = {}
        for i, j in _near_boxes(self.all_bounds, REACH_MM + TOUCH_MM):
            a, b = units[int(i)], units[int(j)]
            low = np.maximum(a.bounds[0], b.bounds[0]) - REACH_MM - TOUCH_MM
            high = np.minimum(a.bounds[1], b.bounds[1]) + REACH_MM + TOUCH_MM
            gap = minimum_gap(a.mesh, a.boxes, b.mesh, b.boxes, np.array([low, high]))
            if gap is None or gap.distance > TOUCH_MM:
                inside = self._contained(a, b)
                if inside is not None:
                    pairs[(a.index, b.index)] = Pair(a.index, b.index, 0.0, inside)
                    continue
            if gap is None or gap.distance > REACH_MM:
                continue
            overlap: Overlap | None = None
            if gap.distance > TOUCH_MM:
                overlap = _NO_OVERLAP
            elif a.health.closed and b.health.closed:
                shared = np.minimum(a.bounds[1], b.bounds[1]) - np.maximum(a.bounds[0], b.bounds[0])
                if shared.min() <= TOUCH_MM:
                    overlap = _NO_OVERLAP          # boxes meet in a face: a seated contact
                elif a.solid is not None and b.solid is not None:
                    overlap = overlap_volume(a.solid, b.solid)
                    if overlap.volume > VOLUME_EPS_MM3:   # how deep: what a suggested press fit's range needs
                        overlap = replace(overlap, penetration=penetration_depth(a.solid, b.solid, a.mesh, b.mesh))
            pairs[(a.index, b.index)] = Pair(a.index, b.index, float(gap.distance), overlap)
        return self._refine(pairs)

    def _refine(self, pairs: dict[tuple[int, int], Pair]) -> dict[tuple[int, int], Pair]:
        """The pairs of STEP units whose mesh answer is within the chord error of touching, of the clearance or
        of a fastener's fit reach, measured again on the exact B-rep (as ``check`` does); a failed query keeps
        the mesh value. Pairs that touch without overlap on the meshes are contacts to be, and ``check`` does
        not measure a declared contact that touches again, so neither does init (unless a fastener's fit
        judges the pair)."""
        units = self.units_list
        chosen = []
        for key, pair in pairs.items():
            a, b = units[pair.a], units[pair.b]
            chord = a.chord + b.chord
            if chord <= 0 or not a.breps or not b.breps:
                continue
            if pair.touching and "fastener" not in (a.role, b.role):
                continue   # a contact to be: check does not measure a touching contact again either
            near = chord + TOUCH_MM
            value = pair.gap if pair.gap > TOUCH_MM else -(pair.overlap.depth if pair.overlaps and pair.overlap
                                                           else 0.0)
            limit = max(required_gap(a.role, b.role), FIT_REACH_MM if "fastener" in (a.role, b.role) else 0.0)
            if value <= limit + near or abs(value) <= near:
                chosen.append(key)
        if not chosen:
            return pairs
        queries = [ExactQuery(ExactSide(units[pairs[k].a].breps), ExactSide(units[pairs[k].b].breps), overlap=True)
                   for k in chosen]
        out = dict(pairs)
        for key, exact in zip(chosen, exact_gaps(queries), strict=True):
            pair = pairs[key]
            if not exact.ok or exact.distance_mm is None:
                continue
            if exact.distance_mm > TOUCH_MM:
                out[key] = replace(pair, gap=exact.distance_mm, overlap=_NO_OVERLAP, exact=True)
            elif exact.overlap_mm3 is not None:   # (not measured on the B-rep: the mesh answer stands)
                mesh = pair.overlap
                bounds = mesh.bounds if mesh is not None else _NO_OVERLAP.bounds
                out[key] = replace(pair, gap=0.0, overlap=Overlap(exact.overlap_mm3, bounds,
                                                                  mesh.penetration if mesh else None), exact=True)
        return out

    def _gap(self, a: Unit, b: Unit) -> float:
        """The exact minimum gap between two units, however far apart [mm]."""
        pair = self.pair(a, b)
        if pair is not None:
            return pair.gap
        region = np.array([np.minimum(a.bounds[0], b.bounds[0]), np.maximum(a.bounds[1], b.bounds[1])])
        gap = minimum_gap(a.mesh, a.boxes, b.mesh, b.boxes, region)
        return float(gap.distance) if gap is not None else float("inf")

    @staticmethod
    def _contained(a: Unit, b: Unit) -> Overlap | None:
        """When one closed unit's box lies inside the other's: their shared volume, if any."""
        a_in_b = np.all(a.bounds[0] >= b.bounds[0]) and np.all(a.bounds[1] <= b.bounds[1])
        b_in_a = np.all(b.bounds[0] >= a.bounds[0]) and np.all(b.bounds[1] <= a.bounds[1])
        if not (a_in_b or b_in_a) or a.solid is None or b.solid is None:
            return None
        found = overlap_volume(a.solid, b.solid)
        return found if found.volume > VOLUME_EPS_MM3 else None

    def pair(self, a: Unit, b: Unit) -> Pair | None:
        return self.pairs.get((min(a.index, b.index), max(a.index, b.index)))

    def fit_eligible(self, pair: Pair) -> bool:
        """A fastener within FIT_REACH_MM of a part that is not a fastener, without overlap."""
        roles = {self.units_list[pair.a].role, self.units_list[pair.b].role}
        return ("fastener" in roles and len(roles) == 2 and pair.gap <= FIT_REACH_MM and not pair.overlaps
                and pair.overlap is not None)

    def close(self, pair: Pair) -> bool:
        """Closer than the clearance written for it (touching and overlapping included)."""
        return pair.gap < required_gap(self.units_list[pair.a].role, self.units_list[pair.b].role)

    # --- contacts and fits ---------------------------------------------------------------------------------

    def _relations(self) -> tuple[list[Relation], list[Relation]]:
        """Contacts and fits, by role where that is exact, else by entry; when an ``each`` entry cannot be named
        as a whole, the members that differ become entries of their own and everything is decided again."""
        while True:
            entry_of = {u.index: e for e in self.entries for u in e.units}
            contacts, broken = self._level(entry_of, "contact")
            if broken is None:
                fits, broken = self._level(entry_of, "fit")
            if broken is None:
                return contacts, fits
            self._split(*broken)

    def _level(self, entry_of: dict[int, Entry], kind: str) -> tuple[list[Relation], tuple[Entry, set[int]] | None]:
        units = self.units_list
        wanted = [p for p in self.pairs.values() if (p.touching if kind == "contact" else self.fit_eligible(p))]
        relations: list[Relation] = []
        covered: set[tuple[int, int]] = set()
        by_roles: dict[tuple[str, str], list[Pair]] = defaultdict(list)
        for p in wanted:
            by_roles[_ordered(units[p.a].role, units[p.b].role, kind)].append(p)
        for (r1, r2), found in sorted(by_roles.items()):
            side_a = [u for u in units if u.role == r1]
            side_b = [u for u in units if u.role == r2]
            if self._valid(side_a, side_b, kind):
                relations.append(Relation(r1, r2, "role", kind, found, side_a, side_b))
                covered.update((p.a, p.b) for p in found)
        by_entries: dict[tuple[str, str], list[Pair]] = defaultdict(list)
        entries: dict[str, Entry] = {}
        for p in wanted:
            if (p.a, p.b) in covered:
                continue
            ea, eb = entry_of[p.a], entry_of[p.b]
            if kind == "fit" and units[p.b].role == "fastener":
                ea, eb = eb, ea
            key = (ea.name, eb.name) if kind == "fit" else tuple(sorted((ea.name, eb.name)))
            entries[ea.name], entries[eb.name] = ea, eb
            by_entries[key].append(p)   # type: ignore[index]
        for (n1, n2), found in sorted(by_entries.items()):
            e1, e2 = entries[n1], entries[n2]
            if not self._valid(e1.units, e2.units, kind):
                odd_a, odd_b = self._offenders(e1.units, e2.units, kind)
                if e1.each and odd_a:
                    return [], (e1, odd_a)
                if e2.each and odd_b:
                    return [], (e2, odd_b)
            relations.append(Relation(_reference(n1), _reference(n2), "name", kind, found, e1.units, e2.units))
        return relations, None

    def _valid(self, side_a: Sequence[Unit], side_b: Sequence[Unit], kind: str) -> bool:
        """May a relation be declared between these two sets as a whole? Every pair of them that comes closer
        than its clearance must be allowed (touching, or a fastener's fit; for a fit, a fit), and for a contact
        every part of each side must touch one of the other (else check warns of a missing contact)."""
        if not side_a or not side_b:
            return False
        in_a, in_b = {u.index for u in side_a}, {u.index for u in side_b}
        touched_b: set[int] = set()
        for a in in_a:
            touches = False
            for b, pair in self.neighbours.get(a, ()):
                if b not in in_b:
                    continue
                if self.close(pair):
                    allowed = self.fit_eligible(pair) if kind == "fit" else pair.touching or self.fit_eligible(pair)
                    if not allowed:
                        return False
                if pair.touching:
                    touches = True
                    touched_b.add(b)
            if kind == "contact" and not touches:
                return False
        return kind != "contact" or in_b <= touched_b

    def _offenders(self, side_a: Sequence[Unit], side_b: Sequence[Unit], kind: str) -> tuple[set[int], set[int]]:
        """The units of each side that keep a relation between the sides from being declared as a whole: those
        of a pair closer than allowed, and for a contact those that touch nothing on the other side."""
        in_a, in_b = {u.index for u in side_a}, {u.index for u in side_b}
        odd_a: set[int] = set()
        odd_b: set[int] = set()
        touched_a: set[int] = set()
        touched_b: set[int] = set()
        for a in in_a:
            for b, pair in self.neighbours.get(a, ()):
                if b not in in_b:
                    continue
                allowed = self.fit_eligible(pair) if kind == "fit" else pair.touching or self.fit_eligible(pair)
                if self.close(pair) and not allowed:
                    odd_a.add(a)
                    odd_b.add(b)
                if pair.touching:
                    touched_a.add(a)
                    touched_b.add(b)
        if kind == "contact":
            odd_a |= in_a - touched_a
            odd_b |= in_b - touched_b
        return odd_a, odd_b

    # --- the design text -----------------------------------------------------------------------------------

    def render(self) -> str:
        lines: list[str] = []
        n_parts = len(self.units_list)
        lines += [
            f"# Written by `sledcheck init` from {self.source.name} ({_count(len(self.bodies), 'body', 'bodies')}, "
            f"{_count(n_parts, 'part')}).",
            "# Every guessed line says why and how sure (sure, likely, guess): review them, then run",
            f"#   sledcheck check {_shell(display_path(self.target))}",
            "# Paths are relative to this file's folder; x is the width, y the depth (front to back), z the height.",
        ]
        for warning in self.warnings:
            lines.append(f"# WARNING: {warning}")
        for note in self.notes:
            lines.append(f"# note: {note}")
        lines += ["sledcheck: 1", f"name: {_scalar(_design_name(self.source))}"]
        if self.units_option:
            lines.append(f"units: {self.units_option}                    # the file carries no unit: from --units")
        lines += self._specs()
        lines.append("# tessellation: {linear: 0.01 mm, angular: 0.5 rad}   # how STEP faces become triangles "
                     "(the default)")
        lines += ["", "parts:"]
        file_ref = _scalar(_relative(self.source, self.target))
        for entry in self.entries:
            lines.append(self._entry_line(entry, file_ref))
        lines += ["# exclude:                    # bodies to leave out of the check (every other body is checked)",
                  "#   - {node: \"*DUMMY*\", reason: \"a placeholder, not hardware\"}"]
        lines += self._contact_lines()
        lines += self._fit_lines()
        lines += self._clearance_lines()
        lines += self._problem_lines()
        lines += self._thermal_lines()
        return "\n".join(lines) + "\n"

    def _entry_line(self, entry: Entry, file_ref: str) -> str:
        unit = entry.units[0]
        fields = [f"file: {file_ref}"]
        if entry.node is not None:
            fields.append(f"node: {_scalar(entry.node)}")
        if entry.each:
            fields.append("each: true")
        fields.append(f"role: {entry.role}")
        confidence = min(u.confidence for u in entry.units)
        if unit.reason.startswith("from"):
            why = f"role {unit.reason} ({confidence_word(confidence)})"
        elif unit.reason.startswith("guessed"):
            why = f"{unit.reason} ({confidence_word(confidence)})"
        else:
            why = f"role {unit.role}: {unit.reason} ({confidence_word(confidence)})"
        if entry.each:
            apart = "" if not entry.split else \
                f" ({entry.split} of them {'is an entry' if entry.split == 1 else 'are entries'} above: unlike " \
                "the others, in contacts or fits; this entry takes the rest)"
            why = f"{entry.what}{apart}, one part each; {why}"
        if unit.merged:
            why += f"; {'each of ' if entry.each else ''}{unit.merged}"
        if unit.shape_note:
            why += f"; {unit.shape_note}"
        return f"  {_scalar(entry.name)}: {{{', '.join(fields)}}}   # {why}"

    def _specs(self) -> list[str]:
        height, width = float(self.extents[2]), float(self.extents[0])
        if len(self.units_list) < 2:
            return [f"# specs: [eia-310-1u]   # one part, {height:.4g} mm high: name the envelope it must fit, if any"]
        for name in ENVELOPE_PACKS:
            try:
                pack = load_pack(resolve_pack(name, Path(".")))
            except (KeyError, FileNotFoundError, SledcheckError):
                continue
            limit = pack.envelope.get("height")
            if limit is None or limit.quantity is None:
                continue
            allowed = float(limit.quantity.m_as("mm"))
            if height <= allowed:
                wide = pack.envelope.get("width")
                width_note = ""
                if wide is not None and wide.quantity is not None:
                    w = float(wide.quantity.m_as("mm"))
                    width_note = f", {width:.5g} mm wide ({w:.5g} mm allowed)"
                return [f"specs: [{name}]   # the assembly is {height:.5g} mm high ({allowed:.5g} mm allowed)"
                        f"{width_note}; set the depth of your rack under overrides"]
        return [f"# specs: [eia-310-2u]   # the assembly is {height:.4g} mm high: more than 2U; name the envelope "
                "it must fit"]

    def _contact_lines(self) -> list[str]:
        if not self.contacts:
            lines = ["contacts: []                # no two parts were measured touching"]
        else:
            lines = ["", "contacts:                    # measured touching: gap <= 0.001 mm and no shared volume"]
            for rel in self.contacts:
                lines.append(f"  - [{rel.a}, {rel.b}]".ljust(34) + f"  # {self._relation_note(rel)}")
        unknown = [p for p in self.pairs.values() if p.unmeasured_touch]
        if unknown:
            lines.append("  # touching, but a part is not a closed volume, so an overlap cannot be measured: "
                         "uncomment the pairs that only touch")
            refs = dict.fromkeys(tuple(sorted((self._label_ref(p.a), self._label_ref(p.b))))
                                 for p in sorted(unknown, key=lambda p: (p.a, p.b)))
            lines += [f"  # - [{a}, {b}]" for a, b in refs]
        return lines

    def _relation_note(self, rel: Relation) -> str:
        gaps = [p.gap for p in rel.pairs]
        pairs = _count(len(rel.pairs), "pair")
        sides = _count(len(rel.side_a), rel.a) + ("" if rel.a == rel.b else f", {_count(len(rel.side_b), rel.b)}")
        if rel.kind == "fit":
            what = f"{pairs} within {FIT_REACH_MM:g} mm, closest {min(gaps):.3g} mm, no overlap"
            return (f"by role ({sides}): " if rel.level == "role" else "") + what + self._hole_note(rel)
        if rel.level == "role":
            return f"by role: {pairs} touching ({sides})"
        return f"{pairs} touching" if len(rel.pairs) > 1 else "touching"

    def _hole_note(self, rel: Relation) -> str:
        """", in a d 3.4 mm hole of PCB_MAIN" when a through-hole of the other part holds the fastener."""
        for p in rel.pairs:
            fastener, other = (self.units_list[p.a], self.units_list[p.b])
            if fastener.role != "fastener":
                fastener, other = other, fastener
            hole = _hole_around(fastener, other)
            if hole is not None:
                return f"; {fastener.label} is in a d {hole.diameter:.3g} mm hole of {other.label}"
        return ""

    def _fit_lines(self) -> list[str]:
        suggestions = self._fit_suggestions()
        if not self.fits and not suggestions:
            return []
        lines = ["", ("fits:" if self.fits else "# fits:").ljust(29) + "# a fastener in a clearance hole may come "
                 "closer than the clearance, never overlap"]
        for rel in self.fits:
            lines.append(f"  - {{between: [{rel.a}, {rel.b}], kind: clearance-hole}}".ljust(58)
                         + f"  # {self._relation_note(rel)}")
        if suggestions:
            lines.append("  # overlapping hardware: uncomment where the overlap is the design (a press fit, a "
                         "compressed pad), else fix the CAD")
            lines += suggestions
        return lines

    def _fit_suggestions(self) -> list[str]:
        """Commented-out press and compressible fits for overlapping fasteners, standoffs and pads."""
        found: dict[tuple[str, str, str], tuple[float, float]] = {}
        for p in sorted(self.pairs.values(), key=lambda p: (p.a, p.b)):
            if not p.overlaps:
                continue
            a, b = self.units_list[p.a], self.units_list[p.b]
            if b.role in ("fastener", "standoff", "pad") and a.role not in ("fastener", "standoff", "pad"):
                a, b = b, a
            kind = "compressible" if a.role == "pad" else "press" if a.role in ("fastener", "standoff") else ""
            if not kind or b.role in _NOT_PRESSED:
                continue
            key = (kind, self._label_ref(a.index), self._label_ref(b.index))
            depth, volume = found.get(key, (0.0, 0.0))
            found[key] = (max(depth, p.overlap.depth if p.overlap else 0.0), max(volume, p.volume))
        lines = []
        for (kind, a_ref, b_ref), (depth, volume) in found.items():
            what = "interference" if kind == "press" else "compression"
            deep, said = (f"{depth:.2g} mm", f"about {depth:.2g} mm deep") if depth > 0 else \
                ("??? mm", "depth not measured")
            lines.append(f"  # - {{between: [{a_ref}, {b_ref}], kind: {kind}, {what}: [0 mm, {deep}]}}"
                         f"   # overlap up to {_volume(volume)} mm^3, {said}")
        return lines

    def _clearance_lines(self) -> list[str]:
        roles = {u.role for u in self.units_list}
        lines = ["", "clearance:",
                 f"  - {{min: {DEFAULT_CLEARANCE_MM:g} mm}}".ljust(46) + "  # every pair that is not a contact "
                 "or a fit: a starting point, set your own rule"]
        if {"heatsink", "lid"} <= roles:
            gaps = [self._gap(a, b) for a in self.units_list if a.role == "heatsink"
                    for b in self.units_list if b.role == "lid"]
            closest = f"the closest now is {min(gaps):.3g} mm" if gaps else "none measured"
            lines.append(f"  - {{between: [heatsink, lid], min: {HEATSINK_LID_CLEARANCE_MM:g} mm}}".ljust(46)
                         + f"  # air over the fins; {closest}")
        return lines

    def _problem_lines(self) -> list[str]:
        lines = []
        overlaps = self.overlaps()
        if overlaps:
            lines += ["", "# Overlapping pairs, not declared: `sledcheck check` reports them as D101 interference:"]
            lines += [f"#   {a} and {b}: {_volume(v)} mm^3" for a, b, v in overlaps]
        near = self.near_misses()
        if near:
            lines += ["", "# Closer than their clearance, not touching: `sledcheck check` reports them as D201:"]
            lines += [f"#   {a} and {b}: {gap:.3g} mm apart, {need:g} mm required" for a, b, gap, need in near]
        return lines

    def _thermal_lines(self) -> list[str]:
        sinks = [u for u in self.units_list if u.role == "heatsink"]
        fans = [u for u in self.units_list if u.role == "fan"]
        if not sinks or not fans:
            return []
        components: list[tuple[str, str]] = []      # (component, its heat sink): entry names
        for sink in sinks:
            under = [u for u in self.units_list if u.role == "package" and (p := self.pair(u, sink)) is not None
                     and p.gap <= TOUCH_MM]
            for package in under:
                components.append((package.label, sink.label))
            if not under:
                components.append((f"PACKAGE_UNDER_{sink.label}", sink.label))
        components = list(dict.fromkeys(components))
        fan_names = ", ".join(_reference(f.label) for f in fans[:12]) + (", ..." if len(fans) > 12 else "")
        names = ", ".join(_reference(c) for c, _ in components)
        models = sorted(p.stem for p in (MODELS / "fans").glob("*.yaml")) if (MODELS / "fans").is_dir() else []
        lines = ["",
                 f"# Thermal model: {_count(len(sinks), 'heat sink')} and {_count(len(fans), 'fan')} were found. "
                 "Fill in the ??? (powers and",
                 "# limits from the data sheets), pick a fan model (models/fans/NAME.yaml or a path"
                 + (f"; built in: {', '.join(models)}" if models else "") + "),",
                 "# list the components of each lane in airflow order, then uncomment. Left commented, `sledcheck "
                 "check` runs",
                 "# the fit checks only.",
                 "# thermal:",
                 "#   environment: {ashrae_class: A2, altitude: 0 m, nominal_inlet: 25 degC}",
                 f"#   fans: {{model: {models[0] if models else '???'}, speed: 100 %}}",
                 "#   lanes:",
                 "#     - name: lane1",
                 f"#       fans: [{fan_names}]",
                 f"#       components: [{names}]",
                 "#   components:"]
        for component, sink_name in components:
            lines.append(f"#     {_scalar(component)}: {{power: ??? W, tj_max: ??? degC, r_jc: ??? K/W, "
                         f"tim: ???, heatsink: {_reference(sink_name)}, required_margin: 5 K}}")
        return lines

    # --- what the summary and the comments name --------------------------------------------------------------

    def _label_ref(self, index: int) -> str:
        """A unit's part name as a reference (for commented-out lines: the part itself, not its entry)."""
        return _reference(self.units_list[index].label)

    def overlaps(self) -> list[tuple[str, str, float]]:
        return [(self.units_list[p.a].label, self.units_list[p.b].label, p.volume)
                for p in sorted(self.pairs.values(), key=lambda p: (p.a, p.b)) if p.overlaps]

    def near_misses(self) -> list[tuple[str, str, float, float]]:
        out = []
        for p in sorted(self.pairs.values(), key=lambda p: (p.a, p.b)):
            a, b = self.units_list[p.a], self.units_list[p.b]
            need = required_gap(a.role, b.role)
            if TOUCH_MM < p.gap < need and not self.fit_eligible(p):
                out.append((a.label, b.label, p.gap, need))
        return out

    def summary(self) -> list[str]:
        roles = Counter(u.role for u in self.units_list)
        lines = [f"sledcheck init: {self.file.display}: {_count(len(self.bodies), 'body', 'bodies')} in "
                 f"{_count(len(self.units_list), 'part')} ({_count(len(self.entries), 'entry', 'entries')})",
                 "  roles: " + ", ".join(f"{n} {r}" for r, n in sorted(roles.items(), key=lambda x: (-x[1], x[0])))]
        for warning in self.warnings:
            lines.append(f"  warning: {warning}")
        for note in self.notes:
            lines.append(f"  note: {note}")
        unsure = [e for e in self.entries if min(u.confidence for u in e.units) < SURE]
        if unsure:
            lines.append(f"  not sure ({_count(len(unsure), 'entry', 'entries')}; check these in the design):")
            for entry in unsure[:40]:
                unit = entry.units[0]
                confidence = min(u.confidence for u in entry.units)
                many = f" ({len(entry.units)} parts)" if entry.each else ""
                lines.append(f"    {entry.name}{many}: {unit.role}, {unit.reason} ({confidence_word(confidence)})")
            if len(unsure) > 40:
                lines.append(f"    ... and {len(unsure) - 40} more")
        by_role = sum(1 for r in self.contacts if r.level == "role")
        lines.append(f"  contacts: {len(self.contacts)} ({by_role} by role, {len(self.contacts) - by_role} by name); "
                     f"fits: {len(self.fits)}")
        overlaps = self.overlaps()
        if overlaps:
            lines.append("  overlapping, left out of contacts (check reports them as D101): "
                         + "; ".join(f"{a} / {b} ({_volume(v)} mm^3)" for a, b, v in overlaps[:10])
                         + (" ..." if len(overlaps) > 10 else ""))
        else:
            lines.append("  overlapping pairs: none")
        near = self.near_misses()
        if near:
            lines.append("  closer than their clearance (check reports them as D201): "
                         + "; ".join(f"{a} / {b} {g:.3g} mm" for a, b, g, _ in near[:10])
                         + (" ..." if len(near) > 10 else ""))
        unknown = [p for p in self.pairs.values() if p.unmeasured_touch]
        if unknown:
            lines.append(f"  touching but not closed, overlap not measurable: {_count(len(unknown), 'pair')} "
                         "(commented out under contacts)")
        lines.append(f"wrote {display_path(self.target)}; review the guesses, then run: sledcheck check "
                     f"{_shell(display_path(self.target))}")
        return lines


@dataclass(frozen=True)
class Relation:
    """A contacts or fits entry: two references, how they were chosen, and the pairs it declares."""

    a: str
    b: str
    level: str                  # "role" or "name"
    kind: str                   # "contact" or "fit"
    pairs: list[Pair]
    side_a: Sequence[Unit]
    side_b: Sequence[Unit]


# --- helpers -----------------------------------------------------------------------------------------------------


def _ordered(r1: str, r2: str, kind: str) -> tuple[str, str]:
    if kind == "fit":
        return ("fastener", r2 if r1 == "fastener" else r1)
    return (r1, r2) if r1 <= r2 else (r2, r1)


def _labels(bodies: Sequence[Body]) -> list[str]:
    """Each body's part name: its instance name; where instance names repeat, the shortest suffix of its
    instance path that no other body's path ends with; unique in the file."""
    counts = Counter(b.node or b.geometry for b in bodies)
    suffixes: Counter[str] = Counter()
    for b in bodies:
        segments = _segments(b.path)
        suffixes.update({"/".join(segments[k:]) for k in range(len(segments))})
    labels = []
    for i, b in enumerate(bodies):
        name = b.node or b.geometry
        if name and counts[name] == 1:
            labels.append(name)
            continue
        segments = _segments(b.path)
        label = next(("/".join(segments[k:]) for k in range(len(segments) - 1, -1, -1)
                      if suffixes["/".join(segments[k:])] == 1), "")
        labels.append(label or name or f"body{i + 1}")
    seen: Counter[str] = Counter()
    out = []
    for label in labels:
        seen[label] += 1
        out.append(label if seen[label] == 1 else f"{label}#{seen[label] - 1}")
    return out


def _listing(names: Sequence[str], limit: int = 60) -> str:
    """'A, B and C' (distinct names, in order), cut short with '...' beyond ``limit`` characters."""
    unique = list(dict.fromkeys(names))
    text = ", ".join(unique[:-1]) + f" and {unique[-1]}" if len(unique) > 1 else "".join(unique)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _fresh(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    k = 2
    while f"{name}-{k}" in taken:
        k += 1
    return f"{name}-{k}"


def _hole_around(fastener: Unit, other: Unit) -> Hole | None:
    """A through-hole of ``other`` whose axis runs inside the fastener's outline, or None."""
    try:
        holes = find_through_holes(Sections(other.mesh))
    except Exception:  # noqa: BLE001 - recognition is best-effort on arbitrary CAD
        return None
    lo, hi = fastener.bounds
    for hole in holes:
        u, v = in_plane_axes(hole.axis)
        w = axis_index(hole.axis)
        centre = np.asarray(hole.center)
        if lo[u] <= centre[u] <= hi[u] and lo[v] <= centre[v] <= hi[v] and lo[w] - 1 <= centre[w] <= hi[w] + 1:
            return hole
    return None


def _scalar(text: str) -> str:
    """A YAML scalar: plain when that reads back as the same string, else double-quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _reference(name: str) -> str:
    """A part or entry name as a design reference: fnmatch characters escaped, then a YAML scalar."""
    return _scalar(glob_escape(name))


def _relative(source: Path, target: Path) -> str:
    """The assembly's path as the design gives it: relative to the design's folder (absolute if impossible)."""
    folder = os.path.abspath(target.parent if str(target.parent) else ".")
    try:
        return Path(os.path.relpath(os.path.abspath(source), folder)).as_posix()
    except ValueError:       # another drive
        return Path(os.path.abspath(source)).as_posix()


def _design_name(source: Path) -> str:
    return re.sub(r"\s+", "-", source.stem.strip()) or "design"


def _shell(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_./-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _volume(mm3: float) -> str:
    return f"{mm3:.4g}" if mm3 < 1e4 else f"{mm3:.0f}"

