"""Child side of the STEP loader: read a STEP assembly through OpenCASCADE's document layer (XDE/XCAF), keep
what the CAD says (product and instance names, instance paths, shared shapes, colours, units), mesh every
unique shape once and write the result to a folder the parent names.

This module runs in the isolated child (:mod:`.native`) and imports only the standard library, numpy and OCP
(the cadquery-ocp-novtk wheel), never sledcheck. What it writes, into ``out``:

* ``meshes.npz``: ``vertices`` (V, 3) float64 [mm] and ``faces`` (F, 3) int64 (indices local to their shape,
  outward winding) of the unique shapes, in each shape's own frame, split by ``vertex_offsets`` and
  ``face_offsets`` (S + 1); ``matrices`` (B, 4, 4) float64 [mm] placing each body; ``body_shape`` (B,) int64.
* ``manifest.json``: file units, the check of the STEP model, per shape (product, chord error [mm], counts,
  colour) and per body (name, instance path, product, raw instance name, shape index, colour), and what was
  skipped (shapes without faces: wires, points, curve sets) with the reason.
* ``shapes/K.brep``: shape K as OpenCASCADE's exact boundary representation, for exact distances later.

Files are written under temporary names and renamed, so an interrupted child leaves no half-written result.
Research and measurements behind the choices: ``docs/research/xde-assemblies.md``.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from OCP.BRep import BRep_Tool
from OCP.BRepMesh import BRepMesh_IncrementalMesh
from OCP.BRepTools import BRepTools
from OCP.IFSelect import IFSelect_RetDone
from OCP.Interface import Interface_Static
from OCP.Quantity import Quantity_ColorRGBA
from OCP.STEPCAFControl import STEPCAFControl_Reader
from OCP.TCollection import TCollection_AsciiString, TCollection_ExtendedString
from OCP.TDataStd import TDataStd_Name
from OCP.TDF import TDF_Label, TDF_Tool
from OCP.TDocStd import TDocStd_Document
from OCP.TopAbs import TopAbs_FACE, TopAbs_REVERSED, TopAbs_SOLID
from OCP.TopExp import TopExp_Explorer
from OCP.TopLoc import TopLoc_Location
from OCP.TopoDS import TopoDS
from OCP.XCAFDoc import XCAFDoc_ColorTool, XCAFDoc_ColorType, XCAFDoc_DocumentTool, XCAFDoc_ShapeTool

try:  # OCP 8 (cp311+ wheels) moved the NCollection instantiations to OCP.collections
    from OCP.collections import Sequence_TCollection_AsciiString as AsciiSequence
    from OCP.collections import Sequence_TDF_Label as LabelSequence
except ImportError:  # OCP 7.9, the newest wheel for CPython 3.10
    from OCP.TColStd import TColStd_SequenceOfAsciiString as AsciiSequence
    from OCP.TDF import TDF_LabelSequence as LabelSequence

FORMAT = 1                # version of what this module writes; the parent refuses another
MAX_DEPTH = 64            # deepest assembly nesting walked
MAX_BODIES = 200_000      # most bodies (leaf instances) in one file
MAX_NAME = 200            # longest name kept [characters]
ST = XCAFDoc_ShapeTool
#: names a CAD tool or OpenCASCADE makes up when the file has none: SolidWorks 'NAUO12', OCC '=>[0:1:1:3]'
_GENERIC = re.compile(r"^(NAUO\d+|=>\[[0-9:]+\]|\s*)$")
_SUBREP = re.compile(r"^=>\[[0-9:]+\]$")
_TOPOLOGY = {"SOLID", "SHELL", "COMPOUND", "COMPSOLID", "FACE", "WIRE", "EDGE", "VERTEX"}
_as_face = getattr(TopoDS, "Face_s", None) or TopoDS.Face
_COLOUR_TYPES = (XCAFDoc_ColorType.XCAFDoc_ColorSurf, XCAFDoc_ColorType.XCAFDoc_ColorGen)


class StepDamaged(ValueError):
    """The STEP file has unresolved references or syntax errors (found before the transfer, which may crash)."""


def step_to_folder(step: str, out: str, linear_mm: float, angular_rad: float, strict: bool = True) -> None:
    """Read ``step``, mesh it with chord error ``linear_mm`` [mm] and angle ``angular_rad`` [rad], write ``out``."""
    started = time.perf_counter()
    folder = Path(out)
    (folder / "shapes").mkdir(parents=True, exist_ok=True)
    doc, file_units, check = _read(step, strict)
    read_s = time.perf_counter() - started
    leaves = _walk(doc)
    color_tool = XCAFDoc_DocumentTool.ColorTool_s(doc.Main())
    shapes: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    meshes: list[tuple[np.ndarray, np.ndarray]] = []
    bodies: list[dict[str, Any]] = []
    matrices: list[np.ndarray] = []
    body_shape: list[int] = []
    skipped: list[dict[str, str]] = []
    empty: set[str] = set()
    for leaf in leaves:
        entry = _entry(leaf["label"])
        path = "/".join(leaf["path"])
        if entry in empty:
            skipped.append({"path": path, "reason": "no faces (wires, points or curves only)"})
            continue
        if entry not in index:
            shape = ST.GetShape_s(leaf["label"])
            if _count(shape, TopAbs_FACE) == 0:
                empty.add(entry)
                skipped.append({"path": path, "reason": "no faces (wires, points or curves only)"})
                continue
            vertices, faces, deflection, unmeshed = _tessellate(shape, linear_mm, angular_rad)
            if len(faces) == 0:
                empty.add(entry)
                skipped.append({"path": path, "reason": "OpenCASCADE could not mesh any of its faces"})
                continue
            index[entry] = len(shapes)
            BRepTools.Write_s(shape, str(folder / "shapes" / f"{len(shapes)}.brep"))
            shapes.append({"entry": entry, "product": _name(leaf["label"]), "chord_error_mm": max(deflection,
                           linear_mm), "solids": _count(shape, TopAbs_SOLID), "faces_without_mesh": unmeshed,
                           "colour": _shape_colour(color_tool, leaf["label"], shape)})
            meshes.append((vertices, faces))
        k = index[entry]
        bodies.append({"name": leaf["name"], "path": path, "product": leaf["product"],
                       "raw_name": leaf["raw"], "shape": k, "colour": leaf["colour"] or shapes[k]["colour"]})
        matrices.append(leaf["matrix"])
        body_shape.append(k)
    vertex_offsets = np.cumsum([0] + [len(v) for v, _ in meshes]).astype(np.int64)
    face_offsets = np.cumsum([0] + [len(f) for _, f in meshes]).astype(np.int64)
    arrays: dict[str, Any] = {
        "vertices": np.concatenate([v for v, _ in meshes]) if meshes else np.zeros((0, 3)),
        "faces": np.concatenate([f for _, f in meshes]) if meshes else np.zeros((0, 3), np.int64),
        "vertex_offsets": vertex_offsets, "face_offsets": face_offsets,
        "matrices": np.array(matrices, dtype=np.float64).reshape(-1, 4, 4),
        "body_shape": np.array(body_shape, dtype=np.int64),
    }
    with open(folder / "meshes.npz.part", "wb") as handle:
        np.savez(handle, **arrays)
    os.replace(folder / "meshes.npz.part", folder / "meshes.npz")
    manifest = {"format": FORMAT, "file_units": file_units, "check": check, "shapes": shapes, "bodies": bodies,
                "skipped": skipped, "linear_mm": linear_mm, "angular_rad": angular_rad,
                "seconds": {"read": round(read_s, 3), "total": round(time.perf_counter() - started, 3)}}
    (folder / "manifest.json.part").write_text(json.dumps(manifest), encoding="utf-8")
    os.replace(folder / "manifest.json.part", folder / "manifest.json")


def _read(step: str, strict: bool) -> tuple[Any, list[str], dict[str, int]]:
    """STEP -> XCAF document in mm, the file's own length units and the model check."""
    Interface_Static.SetCVal_s("xstep.cascade.unit", "MM")
    Interface_Static.SetIVal_s("read.stepcaf.subshapes.name", 0)
    reader = STEPCAFControl_Reader()
    for mode in (reader.SetNameMode, reader.SetColorMode, reader.SetLayerMode, reader.SetPropsMode,
                 reader.SetSHUOMode):
        mode(True)
    status = reader.ReadFile(step)
    if status != IFSelect_RetDone:
        raise ValueError("OpenCASCADE could not parse the file (it is truncated, empty or not STEP)")
    model = reader.ChangeReader().StepModel()
    global_check = model.GlobalCheck(True)
    check = {"fails": int(global_check.NbFails()), "warnings": int(global_check.NbWarnings()),
             "entities": int(model.NbEntities())}
    if strict and check["fails"]:
        # Each native crash seen on damaged files (SIGSEGV in Transfer) followed such fails; the other damaged
        # files "load" with faces or whole bodies silently missing. Refusing here turns both into an error.
        raise StepDamaged(f"{check['fails']} unresolved reference(s) or syntax error(s) in the STEP file: it is "
                          "damaged, and what loads would silently miss geometry")
    lengths, angles, solid_angles = AsciiSequence(), AsciiSequence(), AsciiSequence()
    reader.ChangeReader().FileUnits(lengths, angles, solid_angles)
    units = sorted({lengths.Value(i).ToCString() for i in range(1, lengths.Length() + 1)})
    doc = TDocStd_Document(TCollection_ExtendedString("XmlXCAF"))
    if not reader.Transfer(doc):
        raise ValueError("OpenCASCADE could not transfer the file's shapes")
    return doc, units, check


def _walk(doc: Any) -> list[dict[str, Any]]:
    """The leaf instances of the document's assembly tree, root first, each with its instance path, body
    name, raw instance name, placement [mm] and instance colour."""
    shape_tool = XCAFDoc_DocumentTool.ShapeTool_s(doc.Main())
    free = LabelSequence()
    shape_tool.GetFreeShapes(free)
    leaves: list[dict[str, Any]] = []

    def visit(label: TDF_Label, path: list[str], names: list[str], products: list[str], raws: list[str],
              matrix: np.ndarray, colour: list[float] | None) -> None:
        if len(path) > MAX_DEPTH:
            raise ValueError(f"the assembly is nested more than {MAX_DEPTH} levels deep at {'/'.join(path[:8])}/...")
        if ST.IsAssembly_s(label):
            components = LabelSequence()
            ST.GetComponents_s(label, components, False)
            # repeated sibling names get '#1', '#2', ... in the path, skipping any the file itself uses ('X#1')
            real = {_name(components.Value(i)) for i in range(1, components.Length() + 1)}
            given: set[str] = set()
            for i in range(1, components.Length() + 1):
                component = components.Value(i)
                referred = TDF_Label()
                if not ST.GetReferredShape_s(component, referred):
                    continue
                product, raw = _name(referred), _name(component)
                name = raw if not _GENERIC.match(raw) else (product or "body")
                segment, k = name, 0
                while segment in given or (k and segment in real):
                    k += 1
                    segment = f"{name}#{k}"
                given.add(segment)
                placed = matrix @ _matrix(ST.GetLocation_s(component))
                visit(referred, [*path, segment], [*names, name], [*products, product], [*raws, raw], placed,
                      _label_colour(component) or colour)
            return
        if len(leaves) >= MAX_BODIES:
            raise ValueError(f"the file holds more than {MAX_BODIES:,} bodies")
        # A part exported with several representation items (a solid plus a curve set) becomes an XCAF
        # "assembly" of '=>[..]' components named SOLID / COMPOUND: the body is named after its part then.
        k = len(path) - 1
        while k > 0 and _SUBREP.match(raws[k]) and products[k] in _TOPOLOGY:
            k -= 1
        leaves.append({"label": label, "path": path, "name": names[k], "product": products[k], "raw": raws[-1],
                       "matrix": matrix, "colour": colour})

    for i in range(1, free.Length() + 1):
        top = free.Value(i)
        matrix = _matrix(ST.GetLocation_s(top))
        if ST.IsReference_s(top):
            referred = TDF_Label()
            ST.GetReferredShape_s(top, referred)
            top = referred
        name = _name(top) or f"shape{i}"
        visit(top, [name], [name], [name], [name], matrix, _label_colour(top))
    return leaves


def _tessellate(shape: Any, linear_mm: float, angular_rad: float) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Mesh ``shape`` in its own frame: vertices (N, 3) [mm], outward faces (M, 3), the largest chord error
    OpenCASCADE reports for a face [mm] and the number of faces it could not mesh."""
    BRepMesh_IncrementalMesh(shape, linear_mm, False, angular_rad, True)
    all_vertices, all_faces = [], []
    offset, deflection, unmeshed = 0, 0.0, 0
    explorer = TopExp_Explorer(shape, TopAbs_FACE)
    while explorer.More():
        face = _as_face(explorer.Current())
        explorer.Next()
        location = TopLoc_Location()
        triangulation = BRep_Tool.Triangulation_s(face, location)
        if triangulation is None or triangulation.NbTriangles() == 0:
            unmeshed += 1
            continue
        nodes = triangulation.NbNodes()
        if location.IsIdentity():
            points = [triangulation.Node(i) for i in range(1, nodes + 1)]
        else:
            trsf = location.Transformation()
            points = [triangulation.Node(i).Transformed(trsf) for i in range(1, nodes + 1)]
        vertices = np.array([(p.X(), p.Y(), p.Z()) for p in points], dtype=np.float64)
        triangles = np.array([triangulation.Triangle(i).Get() for i in range(1, triangulation.NbTriangles() + 1)],
                             dtype=np.int64) - 1
        if face.Orientation() == TopAbs_REVERSED:
            triangles = triangles[:, [0, 2, 1]]
        all_vertices.append(vertices)
        all_faces.append(triangles + offset)
        offset += nodes
        deflection = max(deflection, float(triangulation.Deflection()))
    if not all_faces:
        return np.zeros((0, 3)), np.zeros((0, 3), np.int64), 0.0, unmeshed
    return np.concatenate(all_vertices), np.concatenate(all_faces), deflection, unmeshed


def _name(label: TDF_Label) -> str:
    """The label's name, cleaned for paths: no control characters or '/', at most MAX_NAME characters."""
    attribute = TDataStd_Name()
    if not label.FindAttribute(TDataStd_Name.GetID_s(), attribute):
        return ""
    text = attribute.Get().ToExtString()
    text = "".join(c if c.isprintable() else " " for c in text).replace("/", "_").strip()
    return text[:MAX_NAME]


def _entry(label: TDF_Label) -> str:
    text = TCollection_AsciiString()
    TDF_Tool.Entry_s(label, text)
    return text.ToCString()


def _matrix(location: TopLoc_Location) -> np.ndarray:
    trsf = location.Transformation()
    matrix = np.eye(4)
    for i in range(3):
        for j in range(4):
            matrix[i, j] = trsf.Value(i + 1, j + 1)
    return matrix


def _rgba(colour: Quantity_ColorRGBA) -> list[float]:
    rgb = colour.GetRGB()
    return [round(rgb.Red(), 4), round(rgb.Green(), 4), round(rgb.Blue(), 4), round(colour.Alpha(), 4)]


def _label_colour(label: TDF_Label) -> list[float] | None:
    colour = Quantity_ColorRGBA()
    for kind in _COLOUR_TYPES:
        if XCAFDoc_ColorTool.GetColor_s(label, kind, colour):
            return _rgba(colour)
    return None


def _shape_colour(color_tool: Any, label: TDF_Label, shape: Any) -> list[float] | None:
    """A body's colour: its solid's style, else its label's, else the commonest colour of its faces."""
    colour = Quantity_ColorRGBA()
    for kind_of_shape in (TopAbs_SOLID, None, TopAbs_FACE):
        if kind_of_shape is None:
            found = _label_colour(label)
            if found:
                return found
            continue
        counts: Counter[tuple[float, ...]] = Counter()
        explorer = TopExp_Explorer(shape, kind_of_shape)
        while explorer.More():
            if any(color_tool.GetColor(explorer.Current(), kind, colour) for kind in _COLOUR_TYPES):
                counts[tuple(_rgba(colour))] += 1
            explorer.Next()
        if counts:
            return list(counts.most_common(1)[0][0])
    return None


def _count(shape: Any, kind: Any) -> int:
    explorer, n = TopExp_Explorer(shape, kind), 0
    while explorer.More():
        n += 1
        explorer.Next()
    return n
