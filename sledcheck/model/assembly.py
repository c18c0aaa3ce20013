"""The assembly: every part of a design as a placed mesh in millimetres, with its units and health."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import manifold3d
import numpy as np
import trimesh

from ..errors import MeshLoadError
from ..geometry.proximity import to_manifold, triangle_boxes
from ..geometry.sections import Sections
from ..geometry.twins import Twins
from ..load.design import Design, PartSpec, display_path
from ..load.health import MeshHealth, combine, measure_health
from ..load.meshes import Body, MeshFile, Units, read_mesh_file, resolve_units
from ..load.selection import selects
from ..load.weld import weld

Progress = Callable[[str], None]
T = TypeVar("T")


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

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def role(self) -> str:
        return self.spec.role

    def selected_by(self, token: str) -> bool:
        """Does a design reference (part name, name pattern or role) select this part?"""
        return selects(token, self.name, self.role)

    @cached_property
    def bounds(self) -> np.ndarray:
        """Axis-aligned bounds [[xmin, ymin, zmin], [xmax, ymax, zmax]] [mm]."""
        return np.array([self.triangle_boxes[:, 0].min(axis=0), self.triangle_boxes[:, 1].max(axis=0)])

    @property
    def extents(self) -> np.ndarray:
        """Bounding-box size [mm]."""
        return self.bounds[1] - self.bounds[0]

    @cached_property
    def solid(self) -> manifold3d.Manifold | None:
        """The part as a manifold3d solid for volume queries, or None when it is not a closed volume."""
        if not self.health.closed:
            return None
        try:
            return to_manifold(self.mesh)
        except ValueError:
            return None


@dataclass(frozen=True, eq=False)
class Assembly:
    """All parts of a design, loaded once."""

    design: Design
    parts: tuple[Part, ...]
    progress: Progress | None = field(default=None, compare=False)   # long steps report here (terminal only)
    analyses: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def analysis(self, key: str, compute: Callable[[], T]) -> T:
        """An analysis shared by several rules (pairs, thermal, holes), computed once per assembly and freed
        with it (a module-level cache would keep every assembly of a long-lived process alive)."""
        if key not in self.analyses:
            self.analyses[key] = compute()
        return self.analyses[key]

    def sections(self, part: Part) -> Sections:
        """The part's cross-sections, cut once and shared by heat-sink and hole recognition (which keep their
        results there); parts of identical geometry up to a translation share those results."""
        twins = self.analysis("twins", Twins)
        return self.analysis(f"sections:{part.name}", lambda: Sections(part.mesh, twins))

    def part(self, name: str) -> Part:
        return next(p for p in self.parts if p.name == name)

    def parts_with_role(self, role: str) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if p.role == role)

    @cached_property
    def bounds(self) -> np.ndarray:
        """Bounds of the whole assembly [mm]."""
        stacked = np.stack([p.bounds for p in self.parts])
        return np.array([stacked[:, 0].min(axis=0), stacked[:, 1].max(axis=0)])


def build_assembly(design: Design, progress: Progress | None = None) -> Assembly:
    """Load every part's file (each file once), pick its bodies, convert to mm and place it."""
    files: dict[str, MeshFile] = {}
    parts = []
    for spec in design.parts:
        try:
            key = str(spec.file.resolve())
        except (OSError, ValueError, RuntimeError):   # a NUL byte or a symlink loop: read_mesh_file says which
            key = str(spec.file)
        if key not in files:
            if progress:
                progress(f"loading {spec.file_as_given}")
            try:
                files[key] = read_mesh_file(spec.file, display_path(spec.file))
            except MeshLoadError as err:
                raise _at_part(err, design, spec, "file") from None
        try:
            parts.append(_make_part(spec, files[key]))
        except MeshLoadError as err:
            raise _at_part(err, design, spec, err.field or "units") from None
    return Assembly(design=design, parts=tuple(parts), progress=progress)


def _at_part(err: MeshLoadError, design: Design, spec: PartSpec, field: str) -> MeshLoadError:
    return MeshLoadError(f"{err.file}: {err.message}" if err.file else err.message, file=design.path_as_given,
                         line=design.line("parts", spec.name, field), field=f"parts.{spec.name}.{field}",
                         hint=err.hint)


def _make_part(spec: PartSpec, mesh_file: MeshFile) -> Part:
    bodies = list(mesh_file.bodies)
    if spec.node:
        bodies = [b for b in bodies if fnmatch.fnmatchcase(b.node, spec.node)
                  or fnmatch.fnmatchcase(b.geometry, spec.node)]
        if not bodies:
            names = sorted({b.node for b in mesh_file.bodies} | {b.geometry for b in mesh_file.bodies} - {""})
            raise MeshLoadError(f"node pattern {spec.node!r} matches no body", file=mesh_file.display,
                                field="node", hint=f"bodies in the file: {', '.join(names[:20]) or 'none named'}")
    units = resolve_units(mesh_file, spec.units, spec.units_declared_by)
    transform = placement(spec, units.scale)
    mesh, boxes, health = weld_bodies(bodies, transform)
    body_names = tuple(b.node or b.geometry or mesh_file.display for b in bodies)
    return Part(spec=spec, mesh=mesh, bodies=body_names, units=units, health=health, file=mesh_file.display,
                triangle_boxes=boxes)


def weld_bodies(bodies: list[Body], transform: np.ndarray) -> tuple[trimesh.Trimesh, np.ndarray, MeshHealth]:
    """Weld each body, place it with ``transform`` (4x4, to mm) and measure its health; one mesh of all of them
    with its per-triangle boxes [mm]. Bodies are welded separately, so touching bodies share no edges."""
    all_vertices, all_faces, all_boxes, healths = [], [], [], []
    offset = 0
    for body in bodies:
        welded, faces = weld(np.asarray(body.mesh.vertices, dtype=float), np.asarray(body.mesh.faces))
        vertices = welded @ transform[:3, :3].T + transform[:3, 3]
        boxes = triangle_boxes(vertices, faces)
        healths.append(measure_health(vertices, faces, boxes))
        all_vertices.append(vertices)
        all_faces.append(faces + offset)
        all_boxes.append(boxes)
        offset += len(vertices)
    mesh = trimesh.Trimesh(vertices=np.concatenate(all_vertices), faces=np.concatenate(all_faces), process=False)
    return mesh, np.concatenate(all_boxes), combine(healths)


def placement(spec: PartSpec, scale: float) -> np.ndarray:
    """4x4 transform: scale to mm, rotate about x, then y, then z [deg], then translate [mm]."""
    matrix = np.eye(4)
    matrix[:3, :3] *= scale
    for axis, angle in zip(np.eye(3), spec.rotation, strict=True):
        if angle:
            matrix = trimesh.transformations.rotation_matrix(np.radians(angle), axis) @ matrix
    matrix[:3, 3] += np.asarray(spec.position, dtype=float)
    return matrix
