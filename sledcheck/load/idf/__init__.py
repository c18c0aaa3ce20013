"""IDF 3.0 boards: a .emn board (or panel) file with its .emp library as bodies a design can check.

The board is its outline (loop 0) extruded to the board thickness from z = 0 (its bottom) with the other loops
and the mechanical drilled holes (MTG, TOOL and other non-pin, non-via holes) cut through; each placed component
is its library outline extruded to its height, up from the board's top surface plus its mounting offset (TOP),
or down from the bottom surface, mirrored (BOTTOM). Placement keep-outs and placement outlines with a height
become :class:`BoardZone` values the assembly turns into design zones. Via and pin holes, routing and via
keep-outs, placement regions, OTHER_OUTLINE and NOTES are read (and listed by ``inspect``) but make no geometry,
except the pin holes of a mounting-hole component: ECAD tools that place mounting holes as components (Allegro's
mechanical symbols, ``MT1``..., as in the OpenCellular power board in tests/data/idf/real) export their holes as
PIN holes of that designator, and those are mechanical holes, cut like MTG holes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
import trimesh
from shapely.geometry import Polygon

from ...errors import MeshLoadError
from ..body import Body
from ..roles import designator_role
from .parse import BoardFile, Hole, LibraryEntry, Outline, Placement, read_board, read_library
from .records import Reader
from .shapes import circle, extrude, loop_polygon, placed

__all__ = ["BoardZone", "Component", "IdfBoard", "library_for", "read_idf"]

MAX_COMPONENTS = 200_000       # placed components in one board
MAX_CUT_HOLES = 5_000          # drilled holes cut through the board mesh (triangulating 5000 takes ~10 s)
CUT_KINDS = ("PIN", "VIA")     # hole types that are not cut (electrical; thousands of them on a real board)
SKIPPED_PER_KIND = 20          # skipped holes / non-mechanical sections listed one by one per kind, then a count


@dataclass(frozen=True)
class Component:
    """A placed component with its library outline (None when it made no body, with ``skipped`` saying why)."""

    placement: Placement
    entry: LibraryEntry | None


@dataclass(frozen=True)
class BoardZone:
    """A zone of the board in its own coordinates [mm]: ``kind`` "keepout" (no component; ``height_mm`` None or
    0) or "height" (components at most ``height_mm`` from the board surface), on ``side`` TOP or BOTTOM."""

    kind: str
    name: str
    outline: tuple[tuple[float, float], ...]
    side: str
    height_mm: float | None
    line: int


@dataclass(frozen=True, eq=False)
class IdfBoard:
    """A board read from IDF: ``bodies[0]`` is the board, then one body per placed component (``components``)."""

    board: BoardFile
    library: str | None
    bodies: tuple[Body, ...]
    components: tuple[Component, ...]
    zones: tuple[BoardZone, ...]
    skipped: tuple[tuple[str, str], ...]
    cut_holes: tuple[Hole, ...]


def library_for(path: Path) -> Path | None:
    """The library beside a board: the same stem with .emp (or .EMP); None when there is none."""
    for suffix in (".emp", ".EMP", ".Emp"):
        candidate = path.with_suffix(suffix)
        try:
            if candidate.is_file():
                return candidate
        except (OSError, ValueError):   # a name too long or with a NUL byte: the board's own read says so
            return None
    return None


def read_idf(path: Path, display: str, library: Path | None = None, library_display: str | None = None) -> IdfBoard:
    """Read a board and its library (``library``, else the .emp beside it) into bodies and zones [mm]."""
    board = read_board(path, display)
    reader = Reader(path, display)
    if len(board.placements) > MAX_COMPONENTS:
        raise reader.error(f"{len(board.placements):,} placed components, more than {MAX_COMPONENTS:,}",
                           board.placements[MAX_COMPONENTS].line)
    lib_path = library if library is not None else library_for(path)
    entries: dict[tuple[str, str], LibraryEntry] = {}
    lib_display = None
    needs_library = board.kind == "BOARD_FILE" and any(p.status != "UNPLACED" for p in board.placements)
    if lib_path is not None:
        if library_display is None:
            folder = display.rsplit("/", 1)[0] + "/" if "/" in display else ""
            library_display = folder + lib_path.name if library is None else str(library)
        lib_display = library_display
        entries = read_library(lib_path, lib_display)
    elif needs_library:
        raise MeshLoadError(f"the board places {len(board.placements)} components but there is no library "
                            f"{path.with_suffix('.emp').name} beside it", file=display,
                            hint="export the .emp with the board, or give the part 'library: PATH'")
    skipped: list[tuple[str, str]] = [(f".{name} (line {line})", "not mechanical: not checked")
                                      for name, line in board.skipped_sections]
    if not board.has_placement:   # (a file cut off after a whole section would lose its components silently)
        skipped.append((".PLACEMENT", "the file has no placement section: the board has no components"))
    outer = loop_polygon(reader, board.outline.loops[0], "board outline")
    cuts = [loop_polygon(reader, loop, "board cut-out") for loop in board.outline.loops[1:]]
    mounting = _mounting_designators(board.placements)
    cut_holes = tuple(h for h in board.holes
                      if h.kind not in CUT_KINDS or (h.kind == "PIN" and h.association in mounting))
    if len(cut_holes) > MAX_CUT_HOLES:
        raise reader.error(f"{len(cut_holes):,} mounting and tooling holes, more than {MAX_CUT_HOLES:,}",
                           cut_holes[MAX_CUT_HOLES].line)
    cuts += [Polygon(circle(h.x_mm, h.y_mm, h.diameter_mm / 2)) for h in cut_holes]
    shape = outer.difference(shapely.union_all(cuts)) if cuts else outer
    if shape.is_empty or shape.area <= 1e-9:
        raise reader.error("the cut-outs and holes remove the whole board", board.outline.line)
    thickness = board.thickness_mm
    try:
        board_mesh = extrude(shape, 0.0, thickness)
    except ValueError as err:
        raise reader.error(f"the board outline: {err}", board.outline.line) from None
    bodies = [Body(board.name, board.name, board_mesh, path=board.name)]
    lib_reader = Reader(lib_path or path, lib_display or display)
    components: list[Component] = []
    shapes: dict[tuple[str, str, float, str, float, float], trimesh.Trimesh] = {}
    for placement in board.placements:
        where = f"{placement.refdes} (line {placement.line})"
        if placement.status == "UNPLACED":
            skipped.append((where, "UNPLACED: not on the board"))
            continue
        if board.kind == "PANEL_FILE":
            skipped.append((where, "a board placed on the panel: check the board's own .emn"))
            continue
        entry = entries.get((placement.package, placement.part_number))
        if entry is None:
            raise reader.error(f"component {placement.refdes!r}: the library {lib_display} has no outline "
                               f"{placement.package!r} / {placement.part_number!r}", placement.line,
                               "export the library with the board (or give the part 'library: PATH')")
        if entry.height_mm <= 0:
            skipped.append((where, f"outline {entry.geometry!r} has no height: no volume to check"))
            components.append(Component(placement, None))
            continue
        if placement.side == "TOP":
            z0 = thickness + placement.offset_mm
            z1 = z0 + entry.height_mm
        else:
            z1 = -placement.offset_mm
            z0 = z1 - entry.height_mm
        key = (entry.geometry, entry.part_number, placement.rotation_deg, placement.side, z0, z1)
        if key not in shapes:   # components of one outline, turn and side share one mesh, moved
            outline = loop_polygon(lib_reader, entry.loops[0], f"component outline {entry.geometry!r}")
            for loop in entry.loops[1:]:
                outline = outline.difference(loop_polygon(lib_reader, loop, f"component outline {entry.geometry!r}"))
            try:
                shapes[key] = extrude(placed(outline, 0.0, 0.0, placement.rotation_deg, placement.side == "BOTTOM"),
                                      z0, z1)
            except ValueError as err:
                raise reader.error(f"component {placement.refdes!r}: {err}", placement.line) from None
        mesh = shapes[key].copy()
        mesh.apply_translation((placement.x_mm, placement.y_mm, 0.0))
        bodies.append(Body(placement.refdes, placement.package, mesh, path=f"{board.name}/{placement.refdes}",
                           frame=_outline_frame(placement, z0 if placement.side == "TOP" else z1)))
        components.append(Component(placement, entry))
    kept = {id(h) for h in cut_holes}
    skipped += _listed([(h.kind, f"{h.kind} hole (line {h.line})") for h in board.holes if id(h) not in kept],
                       "pin and via holes are not cut", "holes")
    zones = tuple(_zones(reader, board.outlines))
    skipped += _listed([(o.kind, f".{o.kind} (line {o.line})") for o in board.outlines
                        if o.kind not in ("PLACE_KEEPOUT", "PLACE_OUTLINE")], "not a mechanical limit: not checked",
                       "sections")
    for body in bodies:
        if not np.isfinite(body.mesh.vertices).all():
            raise reader.error(f"{body.name}: the geometry is not finite", None)
    return IdfBoard(board=board, library=lib_display, bodies=tuple(bodies),
                    components=tuple(c for c in components if c.entry is not None), zones=zones,
                    skipped=tuple(skipped), cut_holes=cut_holes)


def _outline_frame(placement: Placement, z_mm: float) -> np.ndarray:
    """4x4 from a component's library frame (its outline's x-y, z up from its mounting face) to the board's [mm],
    as the mesh is built (:func:`~.shapes.placed`, then the extrusion): turned ``rotation_deg`` about z; on the
    BOTTOM side first mirrored in x and extruded downwards, which together are a proper rotation (det +1) of
    180 degrees about the outline's y axis: the part is upside down, its top facing -z."""
    a = np.radians(placement.rotation_deg)
    c, s = np.cos(a), np.sin(a)
    frame = np.eye(4)
    frame[:2, :2] = [[c, -s], [s, c]]
    if placement.side == "BOTTOM":
        frame[:3, :3] = frame[:3, :3] @ np.diag([-1.0, 1.0, -1.0])
    frame[:3, 3] = (placement.x_mm, placement.y_mm, z_mm)
    return frame


def _mounting_designators(placements: tuple[Placement, ...]) -> frozenset[str]:
    """Designators of placed mounting-hole components: fasteners by :func:`designator_role` (prefix MT, MTG,
    MH, H or HOLE, or a package that names one, ``SCREW_M3``)."""
    out = set()
    for p in placements:
        if p.status == "UNPLACED":
            continue
        if designator_role(p.refdes, p.package).role == "fastener":
            out.add(p.refdes)
    return frozenset(out)


def _listed(items: list[tuple[str, str]], reason: str, noun: str) -> list[tuple[str, str]]:
    """(kind, where) items as skipped entries: the first SKIPPED_PER_KIND of each kind one by one, then one entry
    counting the rest (a real board has thousands of via holes and via keep-outs)."""
    out: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for kind, where in items:
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= SKIPPED_PER_KIND:
            out.append((where, reason))
    out += [(f"{count - SKIPPED_PER_KIND:,} more {kind} {noun}", reason) for kind, count in seen.items()
            if count > SKIPPED_PER_KIND]
    return out


def _zones(reader: Reader, outlines: tuple[Outline, ...]) -> list[BoardZone]:
    """PLACE_KEEPOUT: no component (height 0 or none) or none above its height; PLACE_OUTLINE with a height:
    none above it (a height of 0 on a placement outline sets no limit). BOTH gives one zone per side."""
    out = []
    for outline in outlines:
        if outline.kind not in ("PLACE_KEEPOUT", "PLACE_OUTLINE"):
            continue
        height = outline.height_mm
        if outline.kind == "PLACE_OUTLINE" and not height:
            continue
        kind = "keepout" if outline.kind == "PLACE_KEEPOUT" and not height else "height"
        sides = ("TOP", "BOTTOM") if outline.side == "BOTH" else (outline.side or "TOP",)
        for loop in outline.loops:
            polygon = loop_polygon(reader, loop, outline.kind.lower().replace("_", " "))
            ring = tuple((float(x), float(y)) for x, y in np.asarray(polygon.exterior.coords)[:-1])
            for side in sides:
                limit = f", {height:.4g} mm" if height else ""
                name = f"{reader.display}:{outline.line} {outline.kind} {side}{limit}"
                out.append(BoardZone(kind, name, ring, side, height, outline.line))
    return out
