"""The assembly: every part of a design as a placed mesh in millimetres, with its units and health."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import manifold3d
import numpy as np
import trimesh

from ..errors import DesignError, MeshLoadError, SledcheckError
from ..geometry.once import Once
from ..geometry.proximity import Shells, closed_solid, mesh_shells, triangle_boxes
from ..geometry.sections import Sections
from ..geometry.twins import Twins
from ..load.design import ROLES, Design, PartSpec, display_path
from ..load.health import MeshHealth, combine, measure_health
from ..load.idf.zones import design_zones
from ..load.meshes import FORMATS, Body, MeshFile, Units, read_mesh_file_shared, resolve_units
from ..load.roles import designator_role
from ..load.selection import selects, selects_any
from ..load.weld import WELDED, weld
from ..load.workers import ordered_map
from ..load.zones import Zone

Progress = Callable[[str], None]
T = TypeVar("T")


TILT_TOLERANCE_DEG = 1e-6   # a turn or tilt this small [deg] is none (1.7e-8 mm per mm of part)


@dataclass(frozen=True)
class Turn:
    """A part's turn from its own drawing frame into sled coordinates (:attr:`Part.turn`): ``z_deg`` about sled
    z [deg, counter-clockwise seen from above, in (-180, 180]], the angle its own +x makes with sled +x;
    ``tilt_deg`` the angle between its own z axis and sled z [deg] (0 upright, 180 upside down): turned about x
    or y when above :data:`TILT_TOLERANCE_DEG`; ``mirrored`` when the frame is a reflection (det < 0: a mirrored
    STEP instance); ``axes`` the sled x-y directions of its own +x and +y (the columns of the frame's top-left
    2x2), meaningful when it is not tilted."""

    z_deg: float
    tilt_deg: float
    mirrored: bool
    axes: tuple[tuple[float, float], tuple[float, float]]

    @property
    def tilted(self) -> bool:
        """Is the part turned about x or y (its own z no longer sled z, up or down)?"""
        return self.tilt_deg > TILT_TOLERANCE_DEG

    @property
    def identity(self) -> bool:
        """Is the part drawn in sled axes (no turn beyond :data:`TILT_TOLERANCE_DEG`, no tilt, no mirror)? A
        ``rotation: [0, 0, 360]`` is (its sine is -2.4e-16, not 0)."""
        return abs(self.z_deg) <= TILT_TOLERANCE_DEG and not self.tilted and not self.mirrored

    @classmethod
    def of(cls, rotation: np.ndarray) -> Turn:
        """The turn of a 3x3 rotation (or reflection) from the part's frame to sled coordinates."""
        r = np.asarray(rotation, float)
        tilt = float(np.degrees(np.arctan2(np.hypot(r[0, 2], r[1, 2]), r[2, 2])))   # well conditioned near 0
        z = float(np.degrees(np.arctan2(r[1, 0], r[0, 0])))
        return cls(z_deg=180.0 if z == -180.0 else z, tilt_deg=tilt, mirrored=bool(np.linalg.det(r) < 0),
                   axes=((float(r[0, 0]), float(r[1, 0])), (float(r[0, 1]), float(r[1, 1]))))


@dataclass(frozen=True, eq=False)
class Part:
    """A part of the assembly: its design entry, its mesh [mm] placed in sled coordinates, units, health."""

    spec: PartSpec
    mesh: trimesh.Trimesh
    bodies: tuple[str, ...]
    units: Units
    health: MeshHealth
    file: str
    triangle_boxes: np.ndarray = field(repr=False)   # per-triangle boxes (F, 2, 3) [mm], for pruning every query
    path: str | None = None               # the instance path of a one-body part of an assembly file
    chord_error_mm: float | None = None   # mesh to exact surface, at most [mm]; None: the mesh is the geometry
    breps: tuple[tuple[Path, np.ndarray], ...] = ()   # exact shapes and their 4x4 placements [mm], when all have one
    frame: np.ndarray | None = field(default=None, repr=False)   # 3x3 rotation own frame -> sled (see :attr:`turn`)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def group(self) -> str:
        """The design entry the part comes from (its own name unless expanded from an assembly)."""
        return self.spec.group

    @property
    def role(self) -> str:
        return self.spec.role

    def selected_by(self, token: str) -> bool:
        """Does a design reference (part name, name pattern or role) select this part? (Answered once per
        token: the pair rules ask it of every pair near each other, for every clearance, contact and fit.)"""
        memo = self._selections
        answer = memo.get(token)
        if answer is None:
            answer = memo[token] = selects(token, self.name, self.role) or token == self.spec.entry
        return answer

    @cached_property
    def _selections(self) -> dict[str, bool]:
        return {}

    @cached_property
    def bounds(self) -> np.ndarray:
        """Axis-aligned bounds [[xmin, ymin, zmin], [xmax, ymax, zmax]] [mm]."""
        return np.array([self.triangle_boxes[:, 0].min(axis=0), self.triangle_boxes[:, 1].max(axis=0)])

    @cached_property
    def turn(self) -> Turn | None:
        """How the part is turned from its own drawing frame into sled coordinates: the design's ``rotation``
        applied to the frame its bodies were drawn in (a body or sub-assembly picked by ``node``: its STEP
        instance placement; an IDF component: its placement's turn, upside down on the bottom side; a part that is
        a whole file: the file's frame). None when its bodies are drawn in frames turned differently from one
        another (a sub-assembly's own frame is then not known)."""
        return None if self.frame is None else Turn.of(self.frame)

    @property
    def extents(self) -> np.ndarray:
        """Bounding-box size [mm]."""
        return self.bounds[1] - self.bounds[0]

    @cached_property
    def solid(self) -> manifold3d.Manifold | None:
        """The part as a manifold3d solid for volume queries, or None when it is not a closed volume. Built on
        first use, once: only pairs whose surfaces meet, or that :attr:`shells` show may nest, need it."""
        return closed_solid(self.mesh, self.health.closed)

    @cached_property
    def shells(self) -> Shells:
        """One vertex of each connected shell and each shell's box [mm], for the point-in-solid test of parts
        whose surfaces do not meet."""
        if self.health.bodies == 1:   # one shell (measured with the health): no graph to build
            return Shells(points=np.asarray(self.mesh.vertices)[self.mesh.faces[:1, 0]], boxes=self.bounds[None])
        first, boxes = mesh_shells(self.mesh.faces, self.triangle_boxes, len(self.mesh.vertices))
        return Shells(points=np.asarray(self.mesh.vertices)[first], boxes=boxes)


@dataclass(frozen=True, eq=False)
class Assembly:
    """All parts of a design, loaded once."""

    design: Design
    parts: tuple[Part, ...]
    progress: Progress | None = field(default=None, compare=False)   # long steps report here (terminal only)
    analyses: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    excluded: tuple[tuple[str, str], ...] = ()   # (file: instance path, reason) of bodies the design excludes
    _once: Once = field(init=False, compare=False, repr=False)

    def analysis(self, key: str, compute: Callable[[], T]) -> T:
        """An analysis shared by several rules (pairs, thermal, holes), computed once per assembly and freed
        with it (a module-level cache would keep every assembly of a long-lived process alive); a caller on
        another thread waits for one in progress (:class:`~sledcheck.geometry.once.Once`)."""
        return self._once.get(key, compute)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_once", Once(self.analyses))   # made with the assembly: every thread shares it

    def sections(self, part: Part) -> Sections:
        """The part's cross-sections, cut once and shared by heat-sink and hole recognition (which keep their
        results there); parts of identical geometry up to a translation share those results."""
        twins = self.analysis("twins", Twins)
        return self.analysis(f"sections:{part.name}", lambda: Sections(part.mesh, twins, part.triangle_boxes))

    def part(self, name: str) -> Part:
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, Part]:
        return {p.name: p for p in self.parts}

    def parts_with_role(self, role: str) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if p.role == role)

    @cached_property
    def bounds(self) -> np.ndarray:
        """Bounds of the whole assembly [mm]."""
        stacked = np.stack([p.bounds for p in self.parts])
        return np.array([stacked[:, 0].min(axis=0), stacked[:, 1].max(axis=0)])


def build_assembly(design: Design, progress: Progress | None = None) -> Assembly:
    """Load every part's file (each file once), pick its bodies, convert to mm and place it.

    Entries with ``each: true`` become one part per body their ``node`` selects; bodies of a file that no entry
    selects become parts of role ``other`` unless the design excludes them. Entries claim bodies in design
    order: an ``each`` entry takes only bodies no earlier entry took. The returned assembly's design lists every
    part, expanded ones included, and references to them are checked here.
    """
    files: dict[str, MeshFile] = {}
    keys: dict[str, str] = {spec.name: _file_key(spec) for spec in design.parts}
    read_ahead = _read_ahead(design, keys)
    for spec in design.parts:
        key = keys[spec.name]
        if key not in files:
            if progress:
                progress(f"loading {spec.file_as_given}")
            library = spec.library
            try:
                ahead = read_ahead.pop(key, None)
                if isinstance(ahead, MeshLoadError):
                    raise ahead
                files[key] = ahead or read_mesh_file_shared(spec.file, display_path(spec.file), design.tessellation,
                                                            library,
                                                            display_path(library) if library is not None else None)
            except MeshLoadError as err:
                field = "library" if library is not None and err.file == display_path(library) else "file"
                raise _at_part(err, design, spec, field) from None
    whole_by_key: dict[str, list[PartSpec]] = {}
    picked_by_key: dict[str, list[PartSpec]] = {}
    for spec in design.parts:
        (picked_by_key if spec.node else whole_by_key).setdefault(keys[spec.name], []).append(spec)
    for key in files:   # a body must not be a part twice: whole-file entries and node patterns do not mix
        whole, picked = whole_by_key.get(key, []), picked_by_key.get(key, [])
        if whole and picked:
            raise DesignError(f"{whole[0].file_as_given} is used whole by {whole[0].name!r} and by the node pattern "
                              f"of {picked[0].name!r}: its bodies would be parts twice", file=design.path_as_given,
                              line=design.line("parts", whole[0].name), field=f"parts.{whole[0].name}",
                              hint=f"give {whole[0].name!r} a node pattern too (node: \"*\" takes what the others "
                              "leave, listed last)")
    claimed: dict[str, set[int]] = {key: set() for key in files}
    first_spec: dict[str, PartSpec] = {}
    built: list[tuple[PartSpec, MeshFile, list[Body]]] = []
    expanded: list[tuple[PartSpec, MeshFile, str, list[Body], bool]] = []   # entry, file, path, bodies, sub-assembly
    boards: list[tuple[PartSpec, MeshFile]] = []   # IDF boards used whole: the board and one part per component
    for spec in design.parts:
        key = keys[spec.name]
        mesh_file = files[key]
        if mesh_file.idf is not None and not spec.node:
            boards.append((spec, mesh_file))
            continue
        try:
            chosen = (_matching(spec, mesh_file) if spec.node
                      else [(i, ("", False)) for i in range(len(mesh_file.bodies))])
        except MeshLoadError as err:
            raise _at_part(err, design, spec, "node") from None
        if spec.node:   # entries with a node pattern claim bodies in design order
            first_spec.setdefault(key, spec)
            free = [(i, group) for i, group in chosen if i not in claimed[key]]
            if not free:
                raise _at_part(MeshLoadError(f"every body node pattern {spec.node!r} matches is already a part of "
                                             "an earlier entry", file=mesh_file.display,
                                             hint="entries with a node pattern claim bodies in design order; "
                                             "narrow the earlier pattern or drop this entry"), design, spec, "node")
            chosen = free
            claimed[key].update(i for i, _ in free)
        if spec.each:   # one part per body, or per sub-assembly the pattern named
            groups: dict[tuple[str, int], list[Body]] = {}
            for i, (path, by_ancestor) in chosen:
                groups.setdefault((path, -1 if by_ancestor else i), []).append(mesh_file.bodies[i])
            expanded += [(spec, mesh_file, path, bodies, index < 0) for (path, index), bodies in groups.items()]
        else:
            built.append((spec, mesh_file, [mesh_file.bodies[i] for i, _ in chosen]))
    excluded: list[tuple[str, str]] = []
    used: set[int] = set()
    for key, spec in first_spec.items():   # what no entry selects is still checked, unless excluded
        mesh_file = files[key]
        for i, body in enumerate(mesh_file.bodies):
            if i in claimed[key]:
                continue
            rule = next((k for k, x in enumerate(design.exclusions) if _body_matches(body, x.node)), None)
            if rule is None:
                expanded.append((replace(spec, role="other", each=True, node=None), mesh_file,
                                 body.path or body.name, [body], False))
            else:
                used.add(rule)
                excluded.append((f"{spec.file_as_given}: {body.path or body.name}", design.exclusions[rule].reason))
    for k, exclusion in enumerate(design.exclusions):
        if k not in used:
            raise DesignError(f"exclusion {exclusion.node!r} matches no body that no entry selects",
                              file=design.path_as_given, line=exclusion.line, field=f"exclude[{k}].node",
                              hint="exclusions apply to the bodies of assembly files that no part entry takes; "
                              "fix the pattern (sledcheck inspect lists the paths) or drop it")
    taken = {spec.name for spec, _, _ in built} | {p.name for p in design.parts} | set(ROLES)
    zones = design.zones
    contacts = design.contacts + tuple((spec.name, spec.name, spec.line) for spec, _ in boards)   # mounted parts
    for spec, mesh_file in boards:
        parts_of_board, board_zones = _board_parts(spec, mesh_file, taken)
        built += parts_of_board
        taken |= {part.name for part, _, _ in parts_of_board}
        zones += board_zones
    names = unique_names([(group.rsplit("/", 1)[-1].split("#")[0] if by_ancestor else bodies[0].name, group)
                          for _, _, group, bodies, by_ancestor in expanded], taken)
    for (spec, mesh_file, group, bodies, _), name in zip(expanded, names, strict=True):
        entry = spec.name if spec.node is not None else ""
        built.append((replace(spec, name=name, entry=entry, node=group,
                              bodies=tuple(b.path or b.name for b in bodies)), mesh_file, bodies))
    parts = []
    heavy = sum(len(b.mesh.faces) for _, _, bodies in built for b in bodies) >= THREADED_FACES * max(len(built), 1)
    made = ordered_map(lambda item: _part_or_error(*item, design), built,   # weld and health on every core, when
                       workers=None if heavy else 1)                        # the parts are large enough to pay
    for (spec, _, _), part in zip(built, made, strict=True):
        if isinstance(part, MeshLoadError):
            raise _at_part(part, design, spec, part.field or "units") from None
        if isinstance(part, SledcheckError):
            raise part
        parts.append(part)
    if expanded or boards:
        # a board's own contact (its components sit on it) is declared, for findings' lines, on its entry's line
        lines = dict(design.document.lines)
        for i, (spec, _) in enumerate(boards):
            lines[("contacts", len(design.contacts) + i)] = spec.line
        design = replace(design, parts=tuple(p.spec for p in parts), zones=zones, contacts=contacts,
                         document=replace(design.document, lines=lines))
    _check_references(design)
    return Assembly(design=design, parts=tuple(parts), progress=progress, excluded=tuple(excluded))


#: per-part work goes to threads when the parts average at least this many triangles (below it, the threads'
#: overhead and their contention for the interpreter outweigh the numpy work they share: a board of 1000
#: small parts checks faster on one thread)
THREADED_FACES = 20_000


def _file_key(spec: PartSpec) -> str:
    """The key a part's file is read once by: its resolved path."""
    try:
        return str(spec.file.resolve())
    except (OSError, ValueError, RuntimeError):   # a NUL byte or a symlink loop: read_mesh_file says which
        return str(spec.file)


def _read_ahead(design: Design, keys: dict[str, str]) -> dict[str, MeshFile | MeshLoadError]:
    """The mesh files read in this process (not STEP or IDF, which have child processes and libraries), read
    on every core at once (:func:`~sledcheck.load.workers.ordered_map`); a file's error is kept for the entry
    that reads it first, to raise in design order."""
    first: dict[str, PartSpec] = {}
    for spec in design.parts:
        if spec.library is None and FORMATS.get(spec.file.suffix.lower()) not in (None, "step", "idf"):
            first.setdefault(keys[spec.name], spec)
    if len(first) < 2:
        return {}

    def read(spec: PartSpec) -> MeshFile | MeshLoadError:
        try:
            return read_mesh_file_shared(spec.file, display_path(spec.file), design.tessellation)
        except MeshLoadError as err:
            return err

    sizes = [_size(spec.file) for spec in first.values()]
    heavy = sum(sizes) >= THREADED_FACES * 50 * len(sizes)   # (a binary STL holds 50 bytes per triangle)
    return dict(zip(first, ordered_map(read, list(first.values()), workers=None if heavy else 1), strict=True))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except (OSError, ValueError):
        return 0


def _part_or_error(spec: PartSpec, mesh_file: MeshFile, bodies: list[Body], design: Design) -> Part | SledcheckError:
    """:func:`_make_part`, or the error it raised (raised by the caller in design order)."""
    try:
        return _make_part(spec, mesh_file, bodies, design)
    except SledcheckError as err:
        return err


def _board_parts(spec: PartSpec, mesh_file: MeshFile, taken: set[str]
                 ) -> tuple[list[tuple[PartSpec, MeshFile, list[Body]]], tuple[Zone, ...]]:
    """An IDF board entry as parts: the board, named after the entry, and one part per placed component, named
    by its reference designator (made unique against ``taken``), its role guessed from the designator and the
    package; all carry the entry's name, which selects them together. Also the board's zones."""
    board = mesh_file.idf
    assert board is not None
    board_body, component_bodies = mesh_file.bodies[0], mesh_file.bodies[1:]
    out = [(replace(spec, entry=spec.name, bodies=(board_body.path,)), mesh_file, [board_body])]
    names = unique_names([(b.node, b.node) for b in component_bodies], taken | {spec.name})
    for body, name in zip(component_bodies, names, strict=True):
        role = designator_role(body.node, body.geometry).role
        out.append((replace(spec, name=name, role=role, entry=spec.name, node=None, bodies=(body.path,)),
                    mesh_file, [body]))
    matrix = placement(spec, 1.0)
    return out, design_zones(board, spec.name, spec.name, matrix)


def _body_matches(body: Body, pattern: str) -> bool:
    """Does the fnmatch ``pattern`` match the body's instance name, product name or instance path?"""
    return any(text and fnmatch.fnmatchcase(text, pattern) for text in (body.node, body.geometry, body.path))


def _matching(spec: PartSpec, mesh_file: MeshFile) -> list[tuple[int, tuple[str, bool]]]:
    """The bodies the entry's node pattern selects, each with the instance path it was selected by: its own
    (the pattern matches the body's names or path) or a sub-assembly's (the pattern matches an ancestor path:
    ``SLED/FAN_?`` selects every body under each fan, and ``each: true`` makes one part per fan), with whether
    it was a sub-assembly's."""
    assert spec.node is not None
    found = select_bodies(mesh_file.bodies, spec.node)
    if not found:
        names = sorted({b.path or b.name for b in mesh_file.bodies} - {""})
        raise MeshLoadError(f"node pattern {spec.node!r} matches no body", file=mesh_file.display, field="node",
                            hint=f"bodies in the file: {', '.join(names[:20]) or 'none named'}"
                                 + (f" and {len(names) - 20} more (sledcheck inspect lists them)"
                                    if len(names) > 20 else ""))
    return found


def body_selected(body: Body, pattern: str) -> bool:
    """Does a node pattern select ``body`` by its own instance name, product name or instance path?"""
    return _body_matches(body, pattern)


def select_bodies(bodies: Sequence[Body], pattern: str) -> list[tuple[int, tuple[str, bool]]]:
    """The bodies a node pattern selects, each with the instance path it was selected by and whether that is a
    sub-assembly's (as :func:`build_assembly` reads an entry's ``node``; empty when it selects none)."""
    found = []
    for i, body in enumerate(bodies):
        if _body_matches(body, pattern):
            found.append((i, (body.path or body.name, False)))
            continue
        segments = body.path.split("/")[:-1]
        prefixes = ["/".join(segments[:k]) for k in range(1, len(segments) + 1)]
        matched = [p for p in prefixes if fnmatch.fnmatchcase(p, pattern)
                   or fnmatch.fnmatchcase(p.rsplit("/", 1)[-1].split("#")[0], pattern)]
        if matched:
            found.append((i, (matched[-1], True)))   # the innermost sub-assembly the pattern names
    return found


def unique_names(items: list[tuple[str, str]], taken: set[str]) -> list[str]:
    """A part name per (instance name, instance path): the instance name, or where that repeats (or is
    ``taken``) the shortest suffix of its path that is unique (``FAN_3/FAN_HOUSING``); '#2', '#3', ... when
    even the path repeats."""
    segments = []
    for name, path in items:
        parts = [s for s in (path or name or "body").split("/") if s]
        if name and name in [s.split("#")[0] for s in parts]:   # drop '/SOLID' under a named part
            cut = max(i for i, s in enumerate(parts) if s.split("#")[0] == name)
            parts = parts[:cut + 1]
        segments.append(parts or ["body"])
    level = [0] * len(items)

    def candidate(i: int) -> str:
        if level[i] == 0:
            return items[i][0] or segments[i][-1]
        return "/".join(segments[i][-level[i]:])

    while True:
        seen: dict[str, list[int]] = {}
        for i in range(len(items)):
            seen.setdefault(candidate(i), []).append(i)
        clashes = [group for name, group in seen.items() if len(group) > 1 or name in taken]
        movable = [i for group in clashes for i in group if level[i] < len(segments[i])]
        if not movable:
            break
        for i in movable:
            level[i] += 1
    used = set(taken)
    out = []
    for i in range(len(items)):
        name = candidate(i)
        final, n = name, 1
        while final in used:
            n += 1
            final = f"{name}#{n}"
        used.add(final)
        out.append(final)
    return out


def _check_references(design: Design) -> None:
    """References that named no declared part must name an expanded one (or a role, or an entry)."""
    parts = {p.name: p.role for p in design.parts}
    groups = {p.entry for p in design.parts if p.entry}
    for ref in design.references:
        if ref.part and ref.token in parts:
            if ref.role is None or parts[ref.token] == ref.role:
                continue
            raise DesignError(f"{ref.token!r} is a part with role {parts[ref.token]}, not {ref.role}",
                              file=design.path_as_given, line=ref.line, field=ref.field,
                              hint=f"give the entry 'role: {ref.role}', or name another part")
        if not ref.part and (ref.token in groups or selects_any(ref.token, parts,
                                                                (*{p.role for p in design.parts}, *ROLES))):
            continue
        close = difflib.get_close_matches(ref.token, sorted(set(parts) | groups | set(ROLES)), n=1)
        what = "a part of the design (after expanding its assembly entries)" if ref.part else "a part nor a role"
        raise DesignError(f"{ref.token!r} is {'not ' if ref.part else 'neither '}{what}", file=design.path_as_given,
                          line=ref.line, field=ref.field, hint=f"did you mean {close[0]!r}?" if close
                          else "use a part name, an entry name, a name pattern or a role")


def _at_part(err: MeshLoadError, design: Design, spec: PartSpec, field: str) -> MeshLoadError:
    where = f"{err.file}:{err.line}" if err.file and err.line else err.file   # an IDF record's line, say
    return MeshLoadError(f"{where}: {err.message}" if where else err.message, file=design.path_as_given,
                         line=design.line("parts", spec.group, field), field=f"parts.{spec.group}.{field}",
                         hint=err.hint)


def _make_part(spec: PartSpec, mesh_file: MeshFile, bodies: list[Body], design: Design) -> Part:
    units = resolve_units(mesh_file, spec.units, spec.units_declared_by)
    transform = placement(spec, units.scale)
    mesh, boxes, health = weld_bodies(bodies, transform)
    if spec.fin_height_mm is not None:   # the health (and volume) of the mesh the part is checked as
        mesh, boxes = _refinned(spec, mesh, design)
        health = measure_health(np.asarray(mesh.vertices), np.asarray(mesh.faces), boxes)
    body_names = tuple(b.node or b.geometry or mesh_file.display for b in bodies)
    chords = [b.chord_error_mm for b in bodies]
    chord = None if any(c is None for c in chords) else max(c * units.scale for c in chords if c is not None)
    breps: tuple[tuple[Path, np.ndarray], ...] = ()
    if spec.fin_height_mm is None and all(b.shape_file is not None and b.placement is not None for b in bodies):
        breps = tuple((b.shape_file, transform @ b.placement) for b in bodies
                      if b.shape_file is not None and b.placement is not None)
    path = bodies[0].path or None if len(bodies) == 1 else None
    own = _drawing_frame(bodies) if spec.node is not None or mesh_file.idf is not None else np.eye(3)
    frame = None if own is None else placement(spec, 1.0)[:3, :3] @ own
    return Part(spec=spec, mesh=mesh, bodies=body_names, units=units, health=health, file=mesh_file.display,
                triangle_boxes=boxes, path=path, chord_error_mm=chord, breps=breps, frame=frame)


def _drawing_frame(bodies: list[Body]) -> np.ndarray | None:
    """The 3x3 rotation from the frame the bodies were drawn in to their file's (a placement's scale divided
    out): the one they share; identity for bodies drawn in the file's frame; None when they disagree."""
    frames = []
    for body in bodies:
        matrix = body.drawing_frame
        if matrix is None:
            frames.append(np.eye(3))
            continue
        rotation = np.asarray(matrix, float)[:3, :3]
        scale = float(np.cbrt(abs(np.linalg.det(rotation))))
        if not np.isfinite(rotation).all() or scale < 1e-12:   # (the readers refuse such placements)
            return None
        frames.append(rotation / scale)
    first = frames[0]
    return first if all(np.allclose(f, first, rtol=0.0, atol=1e-9) for f in frames[1:]) else None


def _refinned(spec: PartSpec, mesh: trimesh.Trimesh, design: Design) -> tuple[trimesh.Trimesh, np.ndarray]:
    """The heat sink's mesh with its fins at the design's ``fin_height`` (recognised as a plate-fin sink)."""
    from ..geometry.fin_height import refinned_vertices
    from ..geometry.heatsinks import NotRecognised, recognise_plate_fin

    assert spec.fin_height_mm is not None
    fins = recognise_plate_fin(Sections(mesh))
    if isinstance(fins, NotRecognised):
        raise DesignError(f"fin_height needs a heat sink recognised as plate-fin: {spec.name} is not ({fins.reason})",
                          file=design.path_as_given, line=spec.line_fin_height, field=f"parts.{spec.group}.fin_height",
                          hint="drop fin_height for this part")
    vertices = refinned_vertices(np.asarray(mesh.vertices), fins, spec.fin_height_mm)
    faces = np.asarray(mesh.faces)
    return trimesh.Trimesh(vertices=vertices, faces=faces, process=False), triangle_boxes(vertices, faces)


def weld_bodies(bodies: list[Body], transform: np.ndarray) -> tuple[trimesh.Trimesh, np.ndarray, MeshHealth]:
    """Weld each body, place it with ``transform`` (4x4, to mm) and measure its health; one mesh of all of them
    with its per-triangle boxes [mm]. Bodies are welded separately, so touching bodies share no edges."""
    all_vertices, all_faces, all_boxes, healths = [], [], [], []
    offset = 0
    for body in bodies:
        if body.mesh.metadata.get(WELDED):   # welded as read (a binary STL): weld() would return it unchanged
            welded, faces = np.asarray(body.mesh.vertices, dtype=float), np.asarray(body.mesh.faces, dtype=np.int64)
        else:
            welded, faces = weld(np.asarray(body.mesh.vertices, dtype=float), np.asarray(body.mesh.faces))
        vertices = welded @ transform[:3, :3].T + transform[:3, 3]
        boxes = triangle_boxes(vertices, faces)
        healths.append(measure_health(vertices, faces, boxes))
        all_vertices.append(vertices)
        all_faces.append(faces + offset if offset else faces)   # (a welded body's faces are shared, not copied)
        all_boxes.append(boxes)
        offset += len(vertices)
    joined = [np.concatenate(arrays) if len(arrays) > 1 else arrays[0] for arrays in (all_vertices, all_faces,
                                                                                        all_boxes)]
    mesh = trimesh.Trimesh(vertices=joined[0], faces=joined[1], process=False)
    return mesh, joined[2], combine(healths)


def placement(spec: PartSpec, scale: float) -> np.ndarray:
    """4x4 transform: scale to mm, rotate about x, then y, then z [deg], then translate [mm]."""
    matrix = np.eye(4)
    matrix[:3, :3] *= scale
    for axis, angle in zip(np.eye(3), spec.rotation, strict=True):
        if angle:
            matrix = trimesh.transformations.rotation_matrix(np.radians(angle), axis) @ matrix
    matrix[:3, 3] += np.asarray(spec.position, dtype=float)
    return matrix
