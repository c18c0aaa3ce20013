"""Write the 1U accelerator sled as ONE STEP AP214 assembly (run from anywhere; writes cad/sled.step).

    python examples/step-sled/make_sled.py [--defect shifted-screw] [--out FILE]

This is the tray-1u example (same tray, board, accelerators, heat sinks, fans and riser) drawn the way an
engineer's CAD exports it: one file, a product tree with instance names, shared products for repeated parts and
colours per product. It is written through OpenCASCADE XCAF (OCP): ``XCAFDoc_ShapeTool.AddShape/AddComponent``,
``TDataStd_Name`` on the product and the instance labels, ``XCAFDoc_ColorTool`` colours, ``STEPCAFControl_Writer``
with names and colours on. Lengths are in mm; x runs across the sled (width), y front to back (the airflow, from the
fans at y = 0 to the back) and z up. Every body is one closed B-rep solid (outward normals, as OCCT makes them).

The tree (instance names; the product of each instance after the colon)::

    SLED
      TRAY : TRAY                 pan 440 x 700 mm: 1 mm floor (z 0..1), 1 mm side walls up to the lid (z 1..42.656)
      LID : LID                   1 mm plate on the walls: underside z 42.656, top 43.656 (the 1U panel height)
      STANDOFF_1..9 : STANDOFF    d 6 x 5 mm on the floor (z 1..6), a 3 x 3 grid under the board
      MAINBOARD : MAINBOARD       1.6 mm PCB (z 6.0..7.6), x 10..430, y 80..680, 8 holes d 3.2 (4 per accelerator)
      ACCEL_0, ACCEL_1 : ACCEL_MODULE        at (130, 220) and (310, 220) on the board top
        PACKAGE : PACKAGE         70 x 70 x 4 mm on the board (z 7.6..11.6)
        HEATSINK : HEATSINK       copper plate-fin on the package: base 120 x 140 x 5 (z 11.6..16.6), 48 fins
                                  0.4 mm thick along y in the middle 100 mm (2.119 mm pitch), 24.496 mm tall, so the
                                  fin tops are at z 41.096, 1.56 mm under the lid; 4 holes d 3.2 at (+-55, +-60)
                                  in the 10 mm flanges, over the board's holes
        SCREW_1..4 : SCREW        M3 socket-head screws: head d 5.5 x 3 resting on the heat-sink base (z 16.6..19.6),
                                  shank d 3.0 x 10 coaxial in the d 3.2 holes (0.1 mm radial clearance in the heat
                                  sink and in the board), ending 1 mm into the 1.6 mm board (z 6.6)
      DIMM_SOCKET_01..16 : DIMM_SOCKET       7 x 146 x 6 mm on the board, a 2.5 x 134.4 x 3 mm slot on top;
                                  8 per accelerator behind it (y 330..476) at 8 mm pitch
      DIMM_01..16 : DIMM          VLP DIMM PCB 1.3 x 133 x 18.75 mm standing on the slot floor (z 10.6..29.35);
                                  0.6 mm to the slot walls, 0.7 mm to the slot ends
      FAN_1..6 : FAN_40x56        40 x 56 x 40 mm fans at x 30 + 70 k, y 12..68, on the floor (z 1..41)
        FAN_HOUSING : FAN_HOUSING frame with a d 38 bore along y and a strut cross at its back (y 50..53)
        FAN_HUB : FAN_HUB         d 18 x 48 mm hub in the bore, resting on the struts (y 2..50)
      RISER : RISER               L bracket (2 mm sheet, 20 wide, 30 tall, 70 long) on the board at x 395, y 100

Why these numbers. 1U is 44.45 mm; a 1U panel is 43.656 mm (1/32 in less), so a 1 mm lid leaves 42.656 mm under
it. The tray-1u example's first heat sink was drawn to "1.75 in" and ran into the lid; this one has the corrected
fins (tray-1u's ``heatsink_fit``): 1.56 mm under the lid, above the 1.5 mm that example's design asks for. The
standoffs (5 mm) on the 1 mm floor put the board at 6.0..7.6 mm. The screws are M3 in ISO 273 fine clearance holes
(3.2 mm). Fans and DIMMs have the catalogue sizes of 4056 server fans and VLP (very low profile, 18.75 mm) DIMMs.

Contacts (exact face-to-face, where a body rests): lid on the walls, standoffs on the floor, board on the
standoffs, packages, sockets and riser on the board, heat sink on its package, screw heads on the heat-sink base,
DIMMs on the slot floors, fans on the floor, each hub on its struts. Everything else has real clearance: the
smallest gaps are the screw shanks in their holes (0.1 mm radial, deliberate), a DIMM to its slot walls (0.6 mm) and
ends (0.7 mm), the fins to the lid (1.56 mm), the fans to the lid (1.656 mm) and the screw heads to the outer fins
(2.25 mm). A checker should find no interference in the nominal file.

``--defect shifted-screw`` writes ``cad/sled_shifted_screw.step``: SCREW_2 of ACCEL_1 (at x 365, y 160) moved
0.15 mm in +x, so its shank cuts the heat-sink hole wall and the board's hole wall by 0.05 mm. Because ACCEL_0 and
ACCEL_1 share one product, the variant makes ACCEL_1 an instance of its own copy, ACCEL_MODULE_SHIFTED (what a CAD
"make independent" does). Only the nominal file is committed; tests write the variant into a temporary folder.

The output is byte-for-byte the same for the same code and OpenCASCADE version, in a fresh process or not: the
header's time stamp, author and file name are fixed, and ``canonical_step`` renumbers the two things OCCT's writer
numbers differently from run to run (the assembly-usage ids, and the order of the colour entities).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from OCP.APIHeaderSection import APIHeaderSection_MakeHeader
from OCP.BRep import BRep_Builder
from OCP.BRepAlgoAPI import BRepAlgoAPI_Cut, BRepAlgoAPI_Fuse
from OCP.BRepBuilderAPI import BRepBuilderAPI_MakeFace, BRepBuilderAPI_MakePolygon
from OCP.BRepPrimAPI import BRepPrimAPI_MakeBox, BRepPrimAPI_MakeCylinder, BRepPrimAPI_MakePrism, BRepPrimAPI_MakeRevol
from OCP.gp import gp_Ax1, gp_Ax2, gp_Dir, gp_Pnt, gp_Trsf, gp_Vec
from OCP.IFSelect import IFSelect_ReturnStatus
from OCP.Interface import Interface_Static
from OCP.Message import Message, Message_Gravity
from OCP.Quantity import Quantity_Color, Quantity_TypeOfColor
from OCP.ShapeUpgrade import ShapeUpgrade_UnifySameDomain
from OCP.STEPCAFControl import STEPCAFControl_Writer
from OCP.STEPControl import STEPControl_StepModelType
from OCP.TCollection import TCollection_ExtendedString, TCollection_HAsciiString
from OCP.TDataStd import TDataStd_Name
from OCP.TDF import TDF_Label
from OCP.TDocStd import TDocStd_Document
from OCP.TopAbs import TopAbs_ShapeEnum
from OCP.TopExp import TopExp_Explorer
from OCP.TopLoc import TopLoc_Location
from OCP.TopoDS import TopoDS_Compound, TopoDS_Shape
from OCP.XCAFApp import XCAFApp_Application
from OCP.XCAFDoc import XCAFDoc_ColorType, XCAFDoc_DocumentTool

HERE = Path(__file__).resolve().parent
OUT = HERE / "cad"
DEFECTS = ("shifted-screw",)

# --- the sled [mm] (see the docstring) ---------------------------------------------------------------------------
WIDTH, DEPTH = 440.0, 700.0
FLOOR = 1.0                      # tray floor thickness
WALL = 1.0                       # tray side walls
LID_BOTTOM = 42.656              # 1U panel 43.656 less the 1 mm lid
LID_TOP = 43.656
STANDOFF_D = 6.0
PCB_BOTTOM, PCB_TOP = 6.0, 7.6   # board on 5 mm standoffs on the floor
BOARD_XY = (10.0, 80.0, 430.0, 680.0)
STANDOFF_XY = tuple((x, y) for y in (90.0, 380.0, 670.0) for x in (20.0, 220.0, 420.0))
ACCEL_CENTRES = ((130.0, 220.0), (310.0, 220.0))
PACKAGE = (70.0, 70.0, 4.0)
HS_W, HS_L, HS_BASE = 120.0, 140.0, 5.0
HS_FINS, HS_FIN_T, HS_FIN_FIELD = 48, 0.4, 100.0
HS_TOP_GAP = 1.56                # fin tops to the lid underside
HS_BOTTOM = PCB_TOP + PACKAGE[2]                                  # 11.6
HS_FIN_H = LID_BOTTOM - HS_TOP_GAP - (HS_BOTTOM + HS_BASE)       # 24.496
HS_HOLES = ((-55.0, -60.0), (55.0, -60.0), (-55.0, 60.0), (55.0, 60.0))  # from the package centre
HOLE_D = 3.2                     # ISO 273 fine clearance hole for M3, in the heat sink and in the board
SCREW_D, SCREW_L = 3.0, 10.0     # shank (under the head)
SCREW_HEAD_D, SCREW_HEAD_H = 5.5, 3.0
DEFECT_SHIFT = 0.15              # --defect shifted-screw: SCREW_2 of ACCEL_1 moved this far in +x
SOCKET = (7.0, 146.0, 6.0)
SLOT = (2.5, 134.4, 3.0)         # width, length, depth of the socket's slot
DIMM = (1.3, 133.0, 18.75)       # VLP DIMM PCB
DIMM_PITCH, DIMM_Y0 = 8.0, 330.0
FAN = (40.0, 56.0, 40.0)
FAN_BORE_D, FAN_HUB_D, FAN_STRUT_Y = 38.0, 18.0, (50.0, 53.0)
FAN_Y0 = 12.0
FAN_X = tuple(30.0 + 70.0 * k for k in range(6))
RISER_AT = (395.0, 100.0)        # L bracket: 20 x 70 foot, 30 tall, 2 mm sheet

# sRGB colours per product (the STEP file stores sRGB)
COLOURS: dict[str, tuple[float, float, float]] = {
    "TRAY": (0.72, 0.73, 0.75), "LID": (0.60, 0.62, 0.65), "STANDOFF": (0.80, 0.66, 0.30),
    "MAINBOARD": (0.05, 0.45, 0.18), "PACKAGE": (0.20, 0.20, 0.22), "HEATSINK": (0.85, 0.50, 0.30),
    "SCREW": (0.10, 0.10, 0.10), "DIMM_SOCKET": (0.12, 0.12, 0.12), "DIMM": (0.00, 0.40, 0.22),
    "FAN_HOUSING": (0.04, 0.04, 0.04), "FAN_HUB": (0.18, 0.18, 0.18), "RISER": (0.55, 0.56, 0.58),
}
HEADER_TIME = "2026-12-01T00:00:00"   # fixed: OCCT would write the current time
HEADER_AUTHOR = "sledcheck examples"


# --- geometry ----------------------------------------------------------------------------------------------------
def box(lo: Sequence[float], hi: Sequence[float]) -> TopoDS_Shape:
    return BRepPrimAPI_MakeBox(gp_Pnt(*lo), gp_Pnt(*hi)).Shape()


def z_cylinder(x: float, y: float, z0: float, d: float, h: float) -> TopoDS_Shape:
    return BRepPrimAPI_MakeCylinder(gp_Ax2(gp_Pnt(x, y, z0), gp_Dir(0, 0, 1)), d / 2, h).Shape()


def compound(shapes: Sequence[TopoDS_Shape]) -> TopoDS_Compound:
    c = TopoDS_Compound()
    b = BRep_Builder()
    b.MakeCompound(c)
    for s in shapes:
        b.Add(c, s)
    return c


def cut(shape: TopoDS_Shape, tools: Sequence[TopoDS_Shape]) -> TopoDS_Shape:
    op = BRepAlgoAPI_Cut(shape, compound(tools))
    if not op.IsDone():
        raise RuntimeError("boolean cut failed")
    return single_solid(op.Shape())


def fuse(shape: TopoDS_Shape, tools: Sequence[TopoDS_Shape]) -> TopoDS_Shape:
    op = BRepAlgoAPI_Fuse(shape, compound(tools))
    if not op.IsDone():
        raise RuntimeError("boolean fuse failed")
    unify = ShapeUpgrade_UnifySameDomain(op.Shape(), True, True, False)
    unify.Build()
    return single_solid(unify.Shape())


def single_solid(shape: TopoDS_Shape) -> TopoDS_Shape:
    """The one solid of a boolean result (which comes as a compound)."""
    exp = TopExp_Explorer(shape, TopAbs_ShapeEnum.TopAbs_SOLID)
    solids = []
    while exp.More():
        solids.append(exp.Current())
        exp.Next()
    if len(solids) != 1:
        raise RuntimeError(f"expected one solid, got {len(solids)}")
    return solids[0]


def prism_xz(points: Sequence[tuple[float, float]], y0: float, length: float) -> TopoDS_Shape:
    """A closed polygon in the xz plane (at y = y0) extruded along +y."""
    poly = BRepBuilderAPI_MakePolygon()
    for x, z in points:
        poly.Add(gp_Pnt(x, y0, z))
    poly.Close()
    face = BRepBuilderAPI_MakeFace(poly.Wire(), True).Face()
    return BRepPrimAPI_MakePrism(face, gp_Vec(0, length, 0)).Shape()


def revolved_z(profile: Sequence[tuple[float, float]]) -> TopoDS_Shape:
    """A solid of revolution about the z axis from a closed (r, z) profile that starts and ends on the axis."""
    poly = BRepBuilderAPI_MakePolygon()
    for r, z in profile:
        poly.Add(gp_Pnt(r, 0, z))
    poly.Close()
    face = BRepBuilderAPI_MakeFace(poly.Wire(), True).Face()
    return BRepPrimAPI_MakeRevol(face, gp_Ax1(gp_Pnt(0, 0, 0), gp_Dir(0, 0, 1)), 2 * math.pi).Shape()


def tray() -> TopoDS_Shape:
    """U-section pan, floor at z 0..1, side walls x 0..1 and 439..440 up to the lid underside."""
    w, t, h = WIDTH, WALL, LID_BOTTOM
    return prism_xz([(0, 0), (w, 0), (w, h), (w - t, h), (w - t, FLOOR), (t, FLOOR), (t, h), (0, h)], 0.0, DEPTH)


def lid() -> TopoDS_Shape:
    return box((0, 0, LID_BOTTOM), (WIDTH, DEPTH, LID_TOP))


def standoff() -> TopoDS_Shape:
    """Origin at the centre of its foot."""
    return z_cylinder(0, 0, 0, STANDOFF_D, PCB_BOTTOM - FLOOR)


def mainboard() -> TopoDS_Shape:
    x0, y0, x1, y1 = BOARD_XY
    holes = [z_cylinder(cx + dx, cy + dy, PCB_BOTTOM - 1.0, HOLE_D, PCB_TOP - PCB_BOTTOM + 2.0)
             for cx, cy in ACCEL_CENTRES for dx, dy in HS_HOLES]
    return cut(box((x0, y0, PCB_BOTTOM), (x1, y1, PCB_TOP)), holes)


def package() -> TopoDS_Shape:
    """Origin at the centre of its underside."""
    a, b, h = PACKAGE
    return box((-a / 2, -b / 2, 0), (a / 2, b / 2, h))


def fin_x(i: int) -> float:
    """Left edge of fin i (0..47) across the sink, from the sink centre."""
    return -HS_FIN_FIELD / 2 + i * (HS_FIN_FIELD - HS_FIN_T) / (HS_FINS - 1)


def heatsink() -> TopoDS_Shape:
    """Origin at the centre of the base underside: a comb section (base + 48 fins) extruded along y, then drilled."""
    top = HS_BASE + HS_FIN_H
    pts = [(-HS_W / 2, 0.0), (HS_W / 2, 0.0), (HS_W / 2, HS_BASE)]
    for i in reversed(range(HS_FINS)):
        x = fin_x(i)
        pts += [(x + HS_FIN_T, HS_BASE), (x + HS_FIN_T, top), (x, top), (x, HS_BASE)]
    pts.append((-HS_W / 2, HS_BASE))
    body = prism_xz(pts, -HS_L / 2, HS_L)
    return cut(body, [z_cylinder(dx, dy, -1.0, HOLE_D, HS_BASE + 2.0) for dx, dy in HS_HOLES])


def screw() -> TopoDS_Shape:
    """M3 socket-head screw, origin on its axis at the underside of the head; the shank points down."""
    r, rh = SCREW_D / 2, SCREW_HEAD_D / 2
    return revolved_z([(0, -SCREW_L), (r, -SCREW_L), (r, 0), (rh, 0), (rh, SCREW_HEAD_H), (0, SCREW_HEAD_H)])


def dimm_socket() -> TopoDS_Shape:
    """Origin at the socket's lower-left-front corner; the slot is centred on top."""
    sx, sy, sz = SOCKET
    wx, wy, wz = SLOT
    x0, y0 = (sx - wx) / 2, (sy - wy) / 2
    return cut(box((0, 0, 0), SOCKET), [box((x0, y0, sz - wz), (x0 + wx, y0 + wy, sz + 1.0))])


def dimm() -> TopoDS_Shape:
    """Origin at the PCB's lower-left-front corner."""
    return box((0, 0, 0), DIMM)


def fan_housing() -> TopoDS_Shape:
    """Origin at the frame's lower-left-front corner: a frame with a bore along y and a strut cross at the back."""
    fx, fy, fz = FAN
    cx, cz = fx / 2, fz / 2
    bore = BRepPrimAPI_MakeCylinder(gp_Ax2(gp_Pnt(cx, -1.0, cz), gp_Dir(0, 1, 0)), FAN_BORE_D / 2, fy + 2.0).Shape()
    frame = cut(box((0, 0, 0), FAN), [bore])
    ya, yb = FAN_STRUT_Y
    return fuse(frame, [box((cx - 1.0, ya, 0), (cx + 1.0, yb, fz)), box((0, ya, cz - 1.0), (fx, yb, cz + 1.0))])


def fan_hub() -> TopoDS_Shape:
    """In the housing's frame: a cylinder on the bore axis from y 2 to the struts' front face."""
    fx, _, fz = FAN
    y0, y1 = 2.0, FAN_STRUT_Y[0]
    return BRepPrimAPI_MakeCylinder(gp_Ax2(gp_Pnt(fx / 2, y0, fz / 2), gp_Dir(0, 1, 0)), FAN_HUB_D / 2, y1 - y0).Shape()


def riser() -> TopoDS_Shape:
    """L bracket, origin at the foot's lower-left-front corner: 20 mm foot, 30 mm upright at the +x end."""
    t = 2.0
    return prism_xz([(0, 0), (20, 0), (20, 30), (20 - t, 30), (20 - t, t), (0, t)], 0.0, 70.0)


# --- XCAF document -----------------------------------------------------------------------------------------------
def translation(x: float = 0.0, y: float = 0.0, z: float = 0.0) -> TopLoc_Location:
    t = gp_Trsf()
    t.SetTranslation(gp_Vec(x, y, z))
    return TopLoc_Location(t)


def set_name(label: TDF_Label, name: str) -> None:
    TDataStd_Name.Set_s(label, TCollection_ExtendedString(name))


class Xcaf:
    """An XCAF document built product by product: parts (one shape each), assemblies, named instances."""

    def __init__(self) -> None:
        self.doc = TDocStd_Document(TCollection_ExtendedString("MDTV-XCAF"))
        XCAFApp_Application.GetApplication_s().InitDocument(self.doc)
        XCAFDoc_DocumentTool.SetLengthUnit_s(self.doc, 0.001)      # the document's unit: mm
        self.shapes = XCAFDoc_DocumentTool.ShapeTool_s(self.doc.Main())
        self.colours = XCAFDoc_DocumentTool.ColorTool_s(self.doc.Main())

    def part(self, name: str, shape: TopoDS_Shape, rgb: tuple[float, float, float] | None = None) -> TDF_Label:
        label = self.shapes.AddShape(shape, False, False)
        set_name(label, name)
        if rgb is not None:
            colour = Quantity_Color(*rgb, Quantity_TypeOfColor.Quantity_TOC_sRGB)
            self.colours.SetColor(label, colour, XCAFDoc_ColorType.XCAFDoc_ColorSurf)
        return label

    def assembly(self, name: str) -> TDF_Label:
        label = self.shapes.NewShape()
        set_name(label, name)
        return label

    def add(self, assembly: TDF_Label, product: TDF_Label, name: str,
            at: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> TDF_Label:
        """An instance of ``product`` in ``assembly``, translated by ``at``."""
        comp = self.shapes.AddComponent(assembly, product, translation(*at))
        set_name(comp, name)
        return comp

    def write(self, path: Path, description: str) -> None:
        """STEP AP214, mm, names and colours, with a fixed header (time stamp, author, file name)."""
        self.shapes.UpdateAssemblies()
        Interface_Static.SetCVal_s("write.step.schema", "AP214IS")
        Interface_Static.SetCVal_s("write.step.unit", "MM")
        Interface_Static.SetIVal_s("write.step.assembly", 1)
        writer = STEPCAFControl_Writer()
        writer.SetNameMode(True)
        writer.SetColorMode(True)
        with quiet_occt():
            if not writer.Transfer(self.doc, STEPControl_StepModelType.STEPControl_AsIs):
                raise RuntimeError("STEP transfer failed")
            header = APIHeaderSection_MakeHeader(writer.ChangeWriter().Model())
            header.SetName(TCollection_HAsciiString(path.name))
            header.SetTimeStamp(TCollection_HAsciiString(HEADER_TIME))
            header.SetAuthorValue(1, TCollection_HAsciiString(HEADER_AUTHOR))
            header.SetOrganizationValue(1, TCollection_HAsciiString("sledcheck"))
            header.SetDescriptionValue(1, TCollection_HAsciiString(description))
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".part")
            if writer.Write(str(tmp)) != IFSelect_ReturnStatus.IFSelect_RetDone:
                raise RuntimeError(f"STEP write failed: {tmp}")
        tmp.write_bytes(canonical_step(tmp.read_bytes()))
        tmp.replace(path)


_ENTITY = re.compile(rb"^#(\d+) = ", re.M)
_TOKEN = re.compile(rb"'(?:[^']|'')*'|#(\d+)")     # a string (left alone) or an entity reference
_NAUO = b"NEXT_ASSEMBLY_USAGE_OCCURRENCE("
_MDGPR = b"MECHANICAL_DESIGN_GEOMETRIC_PRESENTATION_REPRESENTATION("


def _refs(body: bytes) -> list[int]:
    return [int(m.group(1)) for m in _TOKEN.finditer(body) if m.group(1) is not None]


def _one_line(body: bytes) -> bytes:
    """An entity's text without the writer's line breaks (outside strings), ending in ';'."""
    parts, last = [], 0
    for m in re.finditer(rb"'(?:[^']|'')*'", body):
        parts += [re.sub(rb"\n\s*", b"", body[last:m.start()]), m.group(0)]
        last = m.end()
    parts.append(re.sub(rb"\n\s*", b"", body[last:]))
    return b"".join(parts).rstrip()


def canonical_step(step: bytes) -> bytes:
    """Make an OCCT-written STEP file depend only on its content, not on the process that wrote it.

    Two things in ``STEPCAFControl_Writer``'s output change from run to run, and this rewrites both:

    * the id of each NEXT_ASSEMBLY_USAGE_OCCURRENCE (its first attribute, a string) comes from a counter that lives
      as long as the process, so a second file written by the same process starts where the first one stopped:
      they are renumbered '1', '2', ... in file order;
    * one MECHANICAL_DESIGN_GEOMETRIC_PRESENTATION_REPRESENTATION per coloured product, each with its STYLED_ITEM ...
      COLOUR_RGB chain, goes to the end of the file in the order of a map keyed on shape pointers: the chains are
      put in the order of the geometry they style, and numbered depth-first.

    Everything else is already in document order. The rewritten entities lose the writer's line breaks.
    """
    starts = list(_ENTITY.finditer(step))
    if not starts:
        return step
    end = step.rindex(b"ENDSEC;", starts[-1].start())
    bodies = {int(m.group(1)): step[m.end():(starts[i + 1].start() if i + 1 < len(starts) else end)]
              for i, m in enumerate(starts)}
    ids = list(bodies)
    if ids != list(range(ids[0], ids[0] + len(ids))):
        raise ValueError("STEP entity numbers are not contiguous and in order")
    out = dict(bodies)

    nauo = 0
    for n, body in bodies.items():
        if body.startswith(_NAUO):
            nauo += 1
            rest = re.sub(rb"^'[^']*'", b"'%d'" % nauo, body[len(_NAUO):].lstrip())
            out[n] = _one_line(_NAUO + rest) + b"\n"

    roots = [n for n, b in bodies.items() if b.startswith(_MDGPR)]
    new = {n: n for n in bodies}
    if roots:
        first = min(roots)
        if any(r >= first for n, b in bodies.items() if n < first for r in _refs(b)):
            raise ValueError("an entity before the colour section refers into it: not the layout this expects")

        def reach(n: int, seen: list[int]) -> list[int]:       # depth-first, pre-order, over the colour section
            if n >= first and n not in seen:
                seen.append(n)
                for r in _refs(bodies[n]):
                    reach(r, seen)
            return seen

        def key(root: int) -> tuple[list[int], bytes]:         # the geometry it styles (ids before the section)
            chain = reach(root, [])
            outside = [r for n in chain for r in _refs(bodies[n]) if r < first]
            return outside, b"".join(re.sub(rb"#\d+", b"#", bodies[n]) for n in chain)

        order: list[int] = []
        for root in sorted(roots, key=key):
            reach(root, order)
        if sorted(order) != [n for n in ids if n >= first]:
            raise ValueError("entities in the colour section that no presentation refers to")
        new.update({old: first + i for i, old in enumerate(order)})

        def renumber(m: re.Match[bytes]) -> bytes:
            return m.group(0) if m.group(1) is None else b"#%d" % new[int(m.group(1))]

        for old in order:
            out[old] = _TOKEN.sub(renumber, _one_line(bodies[old])) + b"\n"

    text = [step[:starts[0].start()]]
    text += [b"#%d = %s" % (n, out[old]) for n, old in sorted((new[o], o) for o in ids)]
    text.append(step[end:])
    return b"".join(text)


@contextlib.contextmanager
def quiet_occt() -> Iterator[None]:
    """OCCT prints transfer statistics on stdout; show only failures while writing."""
    printers = Message.DefaultMessenger_s().Printers()
    saved = [(p, p.GetTraceLevel()) for p in printers]
    for p, _ in saved:
        p.SetTraceLevel(Message_Gravity.Message_Fail)
    try:
        yield
    finally:
        for p, level in saved:
            p.SetTraceLevel(level)


def accel_module(x: Xcaf, name: str, parts: dict[str, TDF_Label], shifted_screw: int | None = None) -> TDF_Label:
    """PACKAGE, HEATSINK and 4 SCREWs; origin at the package's underside centre (on the board top)."""
    asm = x.assembly(name)
    x.add(asm, parts["PACKAGE"], "PACKAGE")
    x.add(asm, parts["HEATSINK"], "HEATSINK", (0, 0, PACKAGE[2]))
    for k, (dx, dy) in enumerate(HS_HOLES, start=1):
        shift = DEFECT_SHIFT if k == shifted_screw else 0.0
        x.add(asm, parts["SCREW"], f"SCREW_{k}", (dx + shift, dy, PACKAGE[2] + HS_BASE))
    return asm


def build(defect: str | None = None) -> Xcaf:
    if defect not in (None, *DEFECTS):
        raise ValueError(f"unknown defect {defect!r}; known: {', '.join(DEFECTS)}")
    x = Xcaf()
    makers = {"TRAY": tray, "LID": lid, "STANDOFF": standoff, "MAINBOARD": mainboard, "PACKAGE": package,
              "HEATSINK": heatsink, "SCREW": screw, "DIMM_SOCKET": dimm_socket, "DIMM": dimm,
              "FAN_HOUSING": fan_housing, "FAN_HUB": fan_hub, "RISER": riser}
    parts = {name: x.part(name, make(), COLOURS[name]) for name, make in makers.items()}

    accel = accel_module(x, "ACCEL_MODULE", parts)
    fan = x.assembly("FAN_40x56")
    x.add(fan, parts["FAN_HOUSING"], "FAN_HOUSING")
    x.add(fan, parts["FAN_HUB"], "FAN_HUB")

    sled = x.assembly("SLED")
    x.add(sled, parts["TRAY"], "TRAY")
    x.add(sled, parts["LID"], "LID")
    for k, (sx, sy) in enumerate(STANDOFF_XY, start=1):
        x.add(sled, parts["STANDOFF"], f"STANDOFF_{k}", (sx, sy, FLOOR))
    x.add(sled, parts["MAINBOARD"], "MAINBOARD")
    for k, (cx, cy) in enumerate(ACCEL_CENTRES):
        module = accel
        if defect == "shifted-screw" and k == 1:
            module = accel_module(x, "ACCEL_MODULE_SHIFTED", parts, shifted_screw=2)
        x.add(sled, module, f"ACCEL_{k}", (cx, cy, PCB_TOP))
    sockets = [(cx - 31.5 + DIMM_PITCH * i, DIMM_Y0) for cx, _ in ACCEL_CENTRES for i in range(8)]
    for k, (sx, sy) in enumerate(sockets, start=1):
        x.add(sled, parts["DIMM_SOCKET"], f"DIMM_SOCKET_{k:02d}", (sx, sy, PCB_TOP))
    for k, (sx, sy) in enumerate(sockets, start=1):
        dx, dy = (SOCKET[0] - DIMM[0]) / 2, (SOCKET[1] - DIMM[1]) / 2
        x.add(sled, parts["DIMM"], f"DIMM_{k:02d}", (sx + dx, sy + dy, PCB_TOP + SOCKET[2] - SLOT[2]))
    for k, fx in enumerate(FAN_X, start=1):
        x.add(sled, fan, f"FAN_{k}", (fx, FAN_Y0, FLOOR))
    x.add(sled, parts["RISER"], "RISER", (*RISER_AT, PCB_TOP))
    return x


def write_sled(path: Path, defect: str | None = None) -> Path:
    what = "1U accelerator sled" + (f", defect {defect}" if defect else "")
    build(defect).write(path, f"sledcheck example: {what}")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--defect", choices=DEFECTS, help="write a variant with this deliberate defect")
    ap.add_argument("--out", type=Path, help="output file (default: cad/sled.step, cad/sled_<defect>.step)")
    a = ap.parse_args(argv)
    out = a.out or OUT / ("sled.step" if a.defect is None else f"sled_{a.defect.replace('-', '_')}.step")
    t0 = time.perf_counter()
    write_sled(out, a.defect)
    print(f"wrote {out} ({out.stat().st_size} bytes) in {time.perf_counter() - t0:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
