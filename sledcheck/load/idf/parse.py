"""IDF 3.0 board (.emn), panel and library (.emp) files into values in millimetres.

Record layouts follow the IDF 3.0 specification (Intermedius Design Integration, "IDF 3.0", 1996: sections 4,
board/panel file, and 5, library file). Coordinates are converted to mm at once (THOU: 1 thou = 0.0254 mm).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .records import Reader, Record, Section

THOU_MM = 0.0254            # 1 thou = 0.001 in = 0.0254 mm (exact, by the definition of the inch)
UNITS = {"MM": 1.0, "THOU": THOU_MM}
SIDES = ("TOP", "BOTTOM", "BOTH")
OWNERS = ("ECAD", "MCAD", "UNOWNED")
OUTLINE_SECTIONS = ("OTHER_OUTLINE", "ROUTE_OUTLINE", "PLACE_OUTLINE", "ROUTE_KEEPOUT", "VIA_KEEPOUT",
                    "PLACE_KEEPOUT", "PLACE_REGION")


@dataclass(frozen=True)
class Point:
    """A loop point [mm] and the included angle [deg] of the arc from the previous point to it (0: a line;
    positive: counter-clockwise; 360: a circle about the previous point)."""

    x: float
    y: float
    angle: float
    line: int


@dataclass(frozen=True)
class Outline:
    """An outline section: ``kind`` (its section name), ``side``, ``height`` [mm] or None, ``label`` (OTHER_OUTLINE's
    identifier, PLACE_REGION's group, the routing layers), and its loops (loop 0 first)."""

    kind: str
    owner: str
    side: str | None
    height_mm: float | None
    label: str
    loops: tuple[tuple[Point, ...], ...]
    line: int


@dataclass(frozen=True)
class Hole:
    """A drilled hole [mm]: plating PTH/NPTH, the part it belongs to (BOARD, PANEL, NOREFDES or a designator) and
    its type (PIN, VIA, MTG, TOOL or a name)."""

    diameter_mm: float
    x_mm: float
    y_mm: float
    plating: str
    association: str
    kind: str
    owner: str
    line: int


@dataclass(frozen=True)
class Placement:
    """A placed component: library keys (package, part number), designator, position [mm], mounting offset [mm]
    (from the board surface), rotation [deg, counter-clockwise seen from the top], side and status."""

    package: str
    part_number: str
    refdes: str
    x_mm: float
    y_mm: float
    offset_mm: float
    rotation_deg: float
    side: str
    status: str
    line: int


@dataclass(frozen=True)
class LibraryEntry:
    """A component outline of a library: ELECTRICAL or MECHANICAL, keys, height [mm], loops [mm]."""

    kind: str
    geometry: str
    part_number: str
    height_mm: float
    loops: tuple[tuple[Point, ...], ...]
    line: int
    file: str


@dataclass(frozen=True)
class BoardFile:
    """A parsed .emn board or panel file (all lengths in mm)."""

    file: str
    kind: str                 # BOARD_FILE or PANEL_FILE
    name: str
    unit: str                 # what the header declares: "mm" or "thou"
    thickness_mm: float
    outline: Outline
    outlines: tuple[Outline, ...]
    holes: tuple[Hole, ...]
    placements: tuple[Placement, ...]
    skipped_sections: tuple[tuple[str, int], ...]
    has_placement: bool = True


def _header(reader: Reader, sections: list[Section], expect: tuple[str, ...]) -> tuple[str, tuple[Record, ...]]:
    if not sections or sections[0].name != "HEADER":
        raise reader.error("the file does not start with a '.HEADER' section", sections[0].line if sections else 1)
    head = sections[0]
    if not head.records:
        raise reader.error("the '.HEADER' section is empty", head.line)
    first = head.records[0]
    kind = reader.field(first, 0, "file type")
    if kind.upper() not in expect:
        raise reader.error(f"the header says {kind!r}, expected {' or '.join(expect)}", first.line,
                           "a board is a .emn file (BOARD_FILE), its library a .emp file (LIBRARY_FILE)")
    version = reader.field(first, 1, "IDF version")
    if version not in ("3.0", "3"):
        raise reader.error(f"IDF version {version!r}: only IDF 3.0 is read", first.line,
                           "export IDF 3.0 from the ECAD tool")
    return kind.upper(), head.records


def _loops(reader: Reader, records: tuple[Record, ...], scale: float, what: str) -> tuple[tuple[Point, ...], ...]:
    """Point records ``label x y angle`` grouped into loops (a new loop where the label changes)."""
    loops: list[list[Point]] = []
    labels: list[int] = []
    for record in records:
        if len(record.fields) != 4:
            raise reader.error(f"a {what} point needs 4 fields (loop label, x, y, angle), got {len(record.fields)}",
                               record.line)
        label_text = record.fields[0]
        if not label_text.isdigit() or len(label_text) > 9:
            raise reader.error(f"loop label {label_text[:20]!r} is not a whole number >= 0", record.line)
        angle = reader.number(record, 3, "included angle")
        if abs(angle) > 360.0 + 1e-9:
            raise reader.error(f"included angle {angle:g} is beyond +-360 degrees", record.line)
        point = Point(reader.number(record, 1, "x") * scale, reader.number(record, 2, "y") * scale, angle,
                      record.line)
        label = int(label_text)
        if not labels or labels[-1] != label:
            if label in labels:
                raise reader.error(f"loop {label} continues after another loop began", record.line,
                                   "each loop's points must be consecutive")
            labels.append(label)
            loops.append([])
        loops[-1].append(point)
    return tuple(tuple(loop) for loop in loops)


def read_board(path: Path, display: str) -> BoardFile:
    """Parse a .emn board or panel file; every malformed record is a MeshLoadError naming file and line."""
    reader = Reader(path, display)
    sections = reader.sections()
    kind, head = _header(reader, sections, ("BOARD_FILE", "PANEL_FILE"))
    if len(head) < 2:
        raise reader.error("the header has no record 'name units'", sections[0].line)
    last = head[-1]   # the name and units close the header (some writers add a record between)
    unit = reader.field(last, len(last.fields) - 1, "units", tuple(UNITS))
    scale = UNITS[unit]
    name = last.fields[0] if len(last.fields) > 1 else path.stem
    outline_name = "PANEL_OUTLINE" if kind == "PANEL_FILE" else "BOARD_OUTLINE"
    outline: Outline | None = None
    thickness = 0.0
    outlines: list[Outline] = []
    holes: list[Hole] = []
    placements: list[Placement] = []
    skipped: list[tuple[str, int]] = []
    has_placement = False
    for section in sections[1:]:
        if section.name == "HEADER":
            raise reader.error("a second '.HEADER' section", section.line)
        if section.name in ("BOARD_OUTLINE", "PANEL_OUTLINE"):
            if section.name != outline_name or outline is not None:
                raise reader.error(f"unexpected '.{section.name}' in a {kind} (there is one {outline_name})",
                                   section.line)
            if not section.records:
                raise reader.error(f"'.{section.name}' has no thickness record", section.line)
            thickness = reader.number(section.records[0], 0, "board thickness", positive=True) * scale
            outline = Outline(section.name, _owner(section), None, thickness, "",
                              _loops(reader, section.records[1:], scale, "board outline"), section.line)
        elif section.name in OUTLINE_SECTIONS:
            outlines.append(_outline(reader, section, scale))
        elif section.name == "DRILLED_HOLES":
            holes.extend(_hole(reader, record, scale) for record in section.records)
        elif section.name == "PLACEMENT":
            placements.extend(_placements(reader, section, scale))
            has_placement = True
        else:   # NOTES, and sections of later or vendor versions: nothing mechanical to check
            skipped.append((section.name, section.line))
    if outline is None:
        raise reader.error(f"the file has no '.{outline_name}' section", 1, "re-export the board with its outline")
    if not outline.loops:
        raise reader.error(f"'.{outline_name}' has no outline points", outline.line)
    return BoardFile(file=display, kind=kind, name=name, unit=unit.lower(), thickness_mm=thickness, outline=outline,
                     outlines=tuple(outlines), holes=tuple(holes), placements=tuple(placements),
                     skipped_sections=tuple(skipped), has_placement=has_placement)


def _owner(section: Section) -> str:
    return section.head[0].upper() if section.head else "UNOWNED"


def _outline(reader: Reader, section: Section, scale: float) -> Outline:
    """OTHER_OUTLINE (identifier, thickness, side), ROUTE_* (layers), PLACE_OUTLINE/PLACE_KEEPOUT (side,
    optional height), PLACE_REGION (side, group name), VIA_KEEPOUT (no record before its points)."""
    name = section.name
    side: str | None = None
    height: float | None = None
    label = ""
    points = section.records
    if name != "VIA_KEEPOUT":
        if not section.records:
            raise reader.error(f"'.{name}' is empty", section.line)
        first = section.records[0]
        points = section.records[1:]
        if name == "OTHER_OUTLINE":
            label = reader.field(first, 0, "outline identifier")
            height = reader.number(first, 1, "extrusion thickness", non_negative=True) * scale
            side = reader.field(first, 2, "board side", ("TOP", "BOTTOM"))
        elif name in ("ROUTE_OUTLINE", "ROUTE_KEEPOUT"):
            label = reader.field(first, 0, "routing layers")
        else:
            side = reader.field(first, 0, "board side", SIDES)
            if name == "PLACE_REGION":
                label = first.fields[1] if len(first.fields) > 1 else ""
            elif len(first.fields) > 1:
                height = reader.number(first, 1, "height", non_negative=True) * scale
    loops = _loops(reader, points, scale, name.lower().replace("_", " "))
    if not loops:
        raise reader.error(f"'.{name}' has no outline points", section.line)
    return Outline(name, _owner(section), side, height, label, loops, section.line)


def _hole(reader: Reader, record: Record, scale: float) -> Hole:
    if len(record.fields) < 6:
        raise reader.error("a drilled hole needs: diameter x y plating association type owner, got "
                           f"{len(record.fields)} fields", record.line)
    diameter = reader.number(record, 0, "hole diameter", positive=True) * scale
    x, y = reader.number(record, 1, "x") * scale, reader.number(record, 2, "y") * scale
    plating = reader.field(record, 3, "plating", ("PTH", "NPTH"))
    owner = record.fields[6].upper() if len(record.fields) > 6 else "UNOWNED"
    return Hole(diameter, x, y, plating, record.fields[4], record.fields[5].upper(), owner, record.line)


def _placements(reader: Reader, section: Section, scale: float) -> list[Placement]:
    records = section.records
    if len(records) % 2:
        raise reader.error("'.PLACEMENT' ends with half a component (each takes two records: package part "
                           "refdes, then x y offset rotation side status)", records[-1].line)
    out = []
    for first, second in zip(records[::2], records[1::2], strict=True):
        if len(first.fields) != 3:
            raise reader.error(f"a placement's first record needs 3 fields (package, part number, designator), "
                               f"got {len(first.fields)}", first.line)
        if len(second.fields) not in (5, 6):
            raise reader.error(f"a placement's second record needs x y offset rotation side status, got "
                               f"{len(second.fields)} fields", second.line)
        status = reader.field(second, 5, "placement status", ("PLACED", "UNPLACED", "MCAD", "ECAD")) \
            if len(second.fields) == 6 else "PLACED"
        out.append(Placement(
            package=first.fields[0], part_number=first.fields[1], refdes=first.fields[2],
            x_mm=reader.number(second, 0, "x") * scale, y_mm=reader.number(second, 1, "y") * scale,
            offset_mm=reader.number(second, 2, "mounting offset") * scale,
            rotation_deg=reader.number(second, 3, "rotation"),
            side=reader.field(second, 4, "board side", ("TOP", "BOTTOM")), status=status, line=first.line))
    return out


def read_library(path: Path, display: str) -> dict[tuple[str, str], LibraryEntry]:
    """Parse a .emp library: (geometry name, part number) -> outline. A repeated key is an error."""
    reader = Reader(path, display)
    sections = reader.sections()
    _header(reader, sections, ("LIBRARY_FILE",))
    out: dict[tuple[str, str], LibraryEntry] = {}
    for section in sections[1:]:
        if section.name not in ("ELECTRICAL", "MECHANICAL"):
            continue
        if not section.records:
            raise reader.error(f"'.{section.name}' is empty", section.line)
        first = section.records[0]
        if len(first.fields) != 4:
            raise reader.error(f"a component outline begins with: geometry part-number units height, got "
                               f"{len(first.fields)} fields", first.line)
        unit = reader.field(first, 2, "units", tuple(UNITS))
        scale = UNITS[unit]
        height = reader.number(first, 3, "height", non_negative=True) * scale
        points = tuple(r for r in section.records[1:] if r.fields[0].upper() != "PROP")
        loops = _loops(reader, points, scale, "component outline")
        if not loops:
            raise reader.error(f"component outline {first.fields[0]!r} has no points", section.line)
        key = (first.fields[0], first.fields[1])
        if key in out:
            raise reader.error(f"component outline {key[0]!r} / {key[1]!r} is defined twice (first at line "
                               f"{out[key].line})", section.line, "keep one definition")
        out[key] = LibraryEntry(section.name, key[0], key[1], height, loops, section.line, display)
    return out
