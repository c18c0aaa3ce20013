"""Prototype: read a STEP assembly through OCCT XDE (OCP) keeping names/paths.

Research only (sledcheck XDE study).  Usage:
    python xde_load.py FILE.stp [--lin 0.05] [--ang 0.5] [--rel] [--json out.json]

load_step_bodies(path, lin=0.05, ang=0.5, relative=False, strict=False) -> dict with
    checks: {load_fails, load_warnings, error_entities, n_entities, n_roots}
    unit:   {file_length_units: ['INCH'], doc_unit: {doc_unit_name: 'mm', doc_unit_m: 0.001, ...}}
            (every number returned is in mm: xstep.cascade.unit=MM converts from the file's unit)
    bodies: [ {name, raw_instance_name, product, path, product_path, instance_of, location (4x4, mm),
               colour (r,g,b,a) | None, n_solids, vertices (N,3) float64 mm world frame,
               faces (M,3) int64 outward winding, chord_error_mm, requested_deflection} ]
    shapes: {instance_of: per unique shape: mesh in its own frame, counts, colour}
    skipped: [ {path, reason} ]   (wire/point-only shapes)
    timings: {read_s, transfer_s, walk_s, mesh_s, brepmesh_s, extract_s, total_s}
"""
from __future__ import annotations

import json
import re
import time

import numpy as np

# ---- the exact OCP import list the loader needs ---------------------------
from OCP.BRep import BRep_Tool
from OCP.BRepMesh import BRepMesh_IncrementalMesh
from OCP.BRepGProp import BRepGProp          # only for volumes=True
from OCP.GProp import GProp_GProps           # only for volumes=True
from OCP.IFSelect import IFSelect_RetDone
from OCP.Interface import Interface_Static
from OCP.Quantity import Quantity_ColorRGBA
from OCP.STEPCAFControl import STEPCAFControl_Reader
from OCP.TCollection import TCollection_AsciiString, TCollection_ExtendedString
try:  # OCP 8.0 (py3.11+ wheels) moved NCollection instantiations to OCP.collections
    from OCP.collections import Sequence_TCollection_AsciiString as TColStd_SequenceOfAsciiString
    from OCP.collections import Sequence_TDF_Label as TDF_LabelSequence
except ImportError:  # OCP 7.9 (the newest cp310 wheel)
    from OCP.TColStd import TColStd_SequenceOfAsciiString
    from OCP.TDF import TDF_LabelSequence
from OCP.TDataStd import TDataStd_Name
from OCP.TDF import TDF_Label, TDF_Tool
from OCP.TDocStd import TDocStd_Document
from OCP.TopAbs import TopAbs_FACE, TopAbs_REVERSED, TopAbs_SOLID, TopAbs_EDGE, TopAbs_VERTEX
from OCP.TopExp import TopExp_Explorer
from OCP.TopLoc import TopLoc_Location
from OCP.TopoDS import TopoDS
from OCP.XCAFDoc import (XCAFDoc_ColorTool, XCAFDoc_ColorType, XCAFDoc_DocumentTool, XCAFDoc_LengthUnit,
                         XCAFDoc_ShapeTool)
# ---------------------------------------------------------------------------

ST = XCAFDoc_ShapeTool
_SUBREP = re.compile(r"^=>\[[0-9:]+\]$")
_TOPO = {"SOLID", "SHELL", "COMPOUND", "COMPSOLID", "FACE", "WIRE", "EDGE", "VERTEX"}
_GENERIC = re.compile(r"^(NAUO\d+|=>\[[0-9:]+\]|\s*)$")
# OCCT 8 made TopoDS a namespace (TopoDS.Face); OCP 7.x had TopoDS.Face_s
_as_face = getattr(TopoDS, "Face_s", None) or TopoDS.Face


def label_name(lbl: TDF_Label) -> str:
    attr = TDataStd_Name()
    if lbl.FindAttribute(TDataStd_Name.GetID_s(), attr):
        return attr.Get().ToExtString()
    return ""


def label_entry(lbl: TDF_Label) -> str:
    s = TCollection_AsciiString()
    TDF_Tool.Entry_s(lbl, s)
    return s.ToCString()


def loc_matrix(loc: TopLoc_Location) -> np.ndarray:
    t = loc.Transformation()
    m = np.eye(4)
    for i in range(3):
        for j in range(4):
            m[i, j] = t.Value(i + 1, j + 1)
    return m


def label_colour(color_tool, lbl: TDF_Label, shape=None):
    """Instance/label colour (surface first, then generic); then shape colour."""
    c = Quantity_ColorRGBA()
    for ct in (XCAFDoc_ColorType.XCAFDoc_ColorSurf, XCAFDoc_ColorType.XCAFDoc_ColorGen):
        if XCAFDoc_ColorTool.GetColor_s(lbl, ct, c):
            rgb = c.GetRGB()
            return (round(rgb.Red(), 4), round(rgb.Green(), 4), round(rgb.Blue(), 4), round(c.Alpha(), 4))
    if shape is not None:
        for ct in (XCAFDoc_ColorType.XCAFDoc_ColorSurf, XCAFDoc_ColorType.XCAFDoc_ColorGen):
            if color_tool.GetColor(shape, ct, c):
                rgb = c.GetRGB()
                return (round(rgb.Red(), 4), round(rgb.Green(), 4), round(rgb.Blue(), 4), round(c.Alpha(), 4))
    return None


def _sub_colours(color_tool, shape, kind):
    from collections import Counter
    c = Quantity_ColorRGBA()
    cnt = Counter()
    exp = TopExp_Explorer(shape, kind)
    while exp.More():
        f = exp.Current()
        if color_tool.GetColor(f, XCAFDoc_ColorType.XCAFDoc_ColorSurf, c) or \
           color_tool.GetColor(f, XCAFDoc_ColorType.XCAFDoc_ColorGen, c):
            rgb = c.GetRGB()
            cnt[(round(rgb.Red(), 4), round(rgb.Green(), 4), round(rgb.Blue(), 4), round(c.Alpha(), 4))] += 1
        exp.Next()
    return cnt


def body_colour(color_tool, lbl, shape):
    """Representative body colour: solid style, else part label, else commonest face style.
    Returns (colour or None, number of faces carrying their own colour)."""
    faces = _sub_colours(color_tool, shape, TopAbs_FACE)
    sol = _sub_colours(color_tool, shape, TopAbs_SOLID)
    col = (sol.most_common(1)[0][0] if sol else None) or label_colour(color_tool, lbl, shape) \
        or (faces.most_common(1)[0][0] if faces else None)
    return col, sum(faces.values())


def count(shape, kind) -> int:
    n = 0
    exp = TopExp_Explorer(shape, kind)
    while exp.More():
        n += 1
        exp.Next()
    return n


class StepDamaged(ValueError):
    """The STEP file has unresolved references / syntax errors (found before the transfer)."""


def read_doc(path: str, unit: str = "MM", strict: bool = False):
    """STEP -> XCAF document. Returns (doc, reader, file_units, timings)."""
    Interface_Static.SetCVal_s("xstep.cascade.unit", unit)      # target unit of the doc
    Interface_Static.SetIVal_s("read.stepcaf.subshapes.name", 0)
    r = STEPCAFControl_Reader()
    r.SetNameMode(True)
    r.SetColorMode(True)
    r.SetLayerMode(True)
    r.SetPropsMode(True)
    r.SetSHUOMode(True)
    t0 = time.perf_counter()
    st = r.ReadFile(path)
    t1 = time.perf_counter()
    if st != IFSelect_RetDone:
        raise ValueError(f"STEP read failed: status {st}")
    # syntactic problems (unresolved #refs, bad syntax): RetDone is still returned for
    # these, and the file loads with the damaged entities silently dropped.
    model = r.ChangeReader().StepModel()
    gc = model.GlobalCheck(True)
    checks = dict(load_fails=gc.NbFails(), load_warnings=gc.NbWarnings(),
                  error_entities=sum(1 for i in range(1, model.NbEntities() + 1) if model.IsErrorEntity(i)),
                  n_entities=model.NbEntities(), n_roots=r.ChangeReader().NbRootsForTransfer())
    if strict and checks["load_fails"]:
        # The 3 native crashes seen in testing (SIGSEGV in Transfer) all followed such fails:
        # refusing here turns them into a clean error.
        raise StepDamaged(f"{checks['load_fails']} unresolved reference(s) / syntax error(s) in the STEP file")
    # file units, as declared in the file
    lu, au, su = TColStd_SequenceOfAsciiString(), TColStd_SequenceOfAsciiString(), TColStd_SequenceOfAsciiString()
    r.ChangeReader().FileUnits(lu, au, su)
    file_units = sorted({lu.Value(i).ToCString() for i in range(1, lu.Length() + 1)})
    doc = TDocStd_Document(TCollection_ExtendedString("XmlXCAF"))
    if not r.Transfer(doc):
        raise ValueError("STEP transfer to XCAF failed")
    t2 = time.perf_counter()
    return doc, r, file_units, {"read_s": t1 - t0, "transfer_s": t2 - t1, "checks": checks}


def walk(doc):
    """Yield leaf instances: dict(path labels, product label, location matrix)."""
    shape_tool = XCAFDoc_DocumentTool.ShapeTool_s(doc.Main())
    color_tool = XCAFDoc_DocumentTool.ColorTool_s(doc.Main())
    free = TDF_LabelSequence()
    shape_tool.GetFreeShapes(free)
    leaves = []

    def rec(lbl, inst_names, prod_names, mat, colour, raw_names):
        # lbl is a "referred" (product) label: assembly or simple shape
        if ST.IsAssembly_s(lbl):
            comps = TDF_LabelSequence()
            ST.GetComponents_s(lbl, comps, False)
            seen = {}
            for i in range(1, comps.Length() + 1):
                c = comps.Value(i)
                ref = TDF_Label()
                if not ST.GetReferredShape_s(c, ref):
                    continue
                pname = label_name(ref)
                raw = label_name(c)
                # generic ids (SolidWorks 'NAUO12', OCC '=>[0:1:1:3]', empty) -> product name
                iname = raw if raw and not _GENERIC.match(raw) else pname
                # make the path segment unique among siblings if the CAD repeats names
                k = seen.get(iname, 0)
                seen[iname] = k + 1
                m = mat @ loc_matrix(ST.GetLocation_s(c))
                col = label_colour(color_tool, c) or colour
                rec(ref, inst_names + [iname if k == 0 else f"{iname}#{k}"], prod_names + [pname], m, col,
                    raw_names + [raw])
        else:
            # body name: a part exported with several representation items becomes an XDE
            # "assembly" of '=>[0:1:1:n]' components named SOLID/COMPOUND...; name the body
            # after the enclosing part then.
            k = len(inst_names) - 1
            while k > 0 and _SUBREP.match(raw_names[k] or "") and prod_names[k] in _TOPO:
                k -= 1
            leaves.append(dict(label=lbl, inst_names=inst_names, prod_names=prod_names, body_name=inst_names[k],
                               matrix=mat, inst_colour=colour, raw_names=raw_names))

    for i in range(1, free.Length() + 1):
        top = free.Value(i)
        m = loc_matrix(ST.GetLocation_s(top))
        if ST.IsReference_s(top):
            ref = TDF_Label()
            ST.GetReferredShape_s(top, ref)
            top = ref
        name = label_name(top)
        rec(top, [name], [name], m, label_colour(color_tool, top), [name])
    return shape_tool, color_tool, leaves


_T = {}


def tessellate(shape, lin: float, ang: float, relative: bool):
    """Mesh one shape in its own frame. Returns vertices (N,3), faces (M,3), max deflection."""
    t0 = time.perf_counter()
    BRepMesh_IncrementalMesh(shape, lin, relative, ang, True)  # meshes in the constructor
    _T["brepmesh_s"] = _T.get("brepmesh_s", 0.0) + time.perf_counter() - t0
    verts, tris, defl = [], [], 0.0
    off = 0
    nfail = 0
    exp = TopExp_Explorer(shape, TopAbs_FACE)
    while exp.More():
        face = _as_face(exp.Current())
        loc = TopLoc_Location()
        tri = BRep_Tool.Triangulation_s(face, loc)
        exp.Next()
        if tri is None:
            nfail += 1
            continue
        nn, nt = tri.NbNodes(), tri.NbTriangles()
        trsf = loc.Transformation()
        ident = loc.IsIdentity()
        v = np.empty((nn, 3))
        for i in range(1, nn + 1):
            p = tri.Node(i)
            if not ident:
                p = p.Transformed(trsf)
            v[i - 1] = (p.X(), p.Y(), p.Z())
        t = np.empty((nt, 3), dtype=np.int64)
        for i in range(1, nt + 1):
            tr = tri.Triangle(i)
            t[i - 1] = (tr.Value(1), tr.Value(2), tr.Value(3))
        t -= 1
        if face.Orientation() == TopAbs_REVERSED:
            t = t[:, [0, 2, 1]]
        verts.append(v)
        tris.append(t + off)
        off += nn
        defl = max(defl, tri.Deflection())
    if verts:
        return np.vstack(verts), np.vstack(tris), defl, nfail
    return np.zeros((0, 3)), np.zeros((0, 3), np.int64), 0.0, nfail


def load_step_bodies(path: str, lin: float = 0.05, ang: float = 0.5, relative: bool = False,
                     world: bool = True, volumes: bool = False, strict: bool = False):
    """Read STEP via XDE, walk the tree, mesh each unique shape once.

    lin is in mm (absolute) or a fraction of each edge's size (relative=True).
    world=True returns vertices placed by the instance location (mm).
    """
    T0 = time.perf_counter()
    doc, reader, file_units, tm = read_doc(path, strict=strict)
    t = time.perf_counter()
    shape_tool, color_tool, leaves = walk(doc)
    tm["walk_s"] = time.perf_counter() - t

    shapes, bodies, skipped = {}, [], []
    t_mesh = 0.0
    for lf in leaves:
        lbl = lf["label"]
        key = label_entry(lbl)
        pathstr = "/".join(lf["inst_names"])
        if key not in shapes:
            shp = ST.GetShape_s(lbl)
            info = dict(entry=key, product=label_name(lbl), n_instances=0,
                        n_faces=count(shp, TopAbs_FACE), n_solids=count(shp, TopAbs_SOLID),
                        n_edges=count(shp, TopAbs_EDGE), n_vertices=count(shp, TopAbs_VERTEX))
            if info["n_faces"] == 0:
                info["skip"] = "no faces (wire/point/PMI-only shape)"
            else:
                t = time.perf_counter()
                v, f, d, nfail = tessellate(shp, lin, ang, relative)
                t_mesh += time.perf_counter() - t
                col, n_fc = body_colour(color_tool, lbl, shp)
                if volumes:
                    gp = GProp_GProps()
                    BRepGProp.VolumeProperties_s(shp, gp)
                    info["brep_volume"] = round(gp.Mass(), 2)
                info.update(v=v, f=f, chord_error=d, faces_without_mesh=nfail, colour=col,
                            n_face_colours=n_fc)
            shapes[key] = info
        info = shapes[key]
        info["n_instances"] += 1
        if "skip" in info:
            skipped.append(dict(path=pathstr, reason=info["skip"]))
            continue
        m = lf["matrix"]
        v = info["v"]
        if world and v.size:
            v = v @ m[:3, :3].T + m[:3, 3]
            if np.linalg.det(m[:3, :3]) < 0:   # mirrored instance: keep outward winding
                f = info["f"][:, [0, 2, 1]]
            else:
                f = info["f"]
        else:
            f = info["f"]
        bodies.append(dict(
            name=lf["body_name"], raw_instance_name=lf["raw_names"][-1],
            product=info["product"], path=pathstr,
            product_path="/".join(lf["prod_names"]), instance_of=key,
            location=m, colour=lf["inst_colour"] or info["colour"], n_solids=info["n_solids"],
            vertices=v, faces=f, chord_error_mm=info["chord_error"],
            requested_deflection=(lin, "relative" if relative else "mm")))
    tm["mesh_s"] = t_mesh
    tm["brepmesh_s"] = _T.pop("brepmesh_s", 0.0)
    tm["extract_s"] = t_mesh - tm["brepmesh_s"]
    tm["total_s"] = time.perf_counter() - T0
    checks = tm.pop("checks")
    return dict(checks=checks, unit=dict(file_length_units=file_units,
                          doc_unit=_doc_unit(doc, reader), reader_unit="MM"),
                bodies=bodies, shapes=shapes, skipped=skipped, timings=tm)


def _doc_unit(doc, reader=None):
    out = {"xstep.cascade.unit": Interface_Static.CVal_s("xstep.cascade.unit")}
    # XCAFDoc_DocumentTool.GetLengthUnit_s(doc, x) only returns the bool in OCP (the double is an
    # out-parameter that pybind11 cannot hand back); read the attribute on the root label instead.
    a = XCAFDoc_LengthUnit()
    if doc.Main().Root().FindAttribute(XCAFDoc_LengthUnit.GetID_s(), a):
        out["doc_unit_name"] = a.GetUnitName().ToCString()
        out["doc_unit_m"] = a.GetUnitValue()        # metres per returned unit (0.001 = mm)
    if reader is not None:
        out["SystemLengthUnit_mm"] = reader.ChangeReader().SystemLengthUnit()
    return out


def summary(res, nshow=10):
    b = res["bodies"]
    out = dict(
        checks=res["checks"], units=res["unit"], timings={k: round(v, 3) for k, v in res["timings"].items()},
        n_bodies=len(b), n_unique_shapes=len([s for s in res["shapes"].values() if "skip" not in s]),
        n_skipped_instances=len(res["skipped"]), skipped=res["skipped"][:5],
        n_triangles=int(sum(len(x["faces"]) for x in b)),
        n_triangles_unique=int(sum(len(s["f"]) for s in res["shapes"].values() if "f" in s)),
        max_chord_error_mm=max([x["chord_error_mm"] for x in b], default=None),
        n_solids_total=int(sum(x["n_solids"] for x in b)),
        extents_mm=(np.ptp(np.vstack([x["vertices"] for x in b]), axis=0).round(3).tolist() if b else None),
        first=[f'{x["path"]} | name={x["name"]!r} raw={x["raw_instance_name"]!r} product={x["product"]!r} '
               f'of={x["instance_of"]} solids={x["n_solids"]} tris={len(x["faces"])} '
               f'colour={x["colour"]} t={[round(float(c), 3) for c in x["location"][:3, 3]]}'
               for x in b[:nshow]],
    )
    return out


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--lin", type=float, default=0.05)
    ap.add_argument("--ang", type=float, default=0.5)
    ap.add_argument("--rel", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--show", type=int, default=10)
    ap.add_argument("--strict", action="store_true", help="refuse files with unresolved references")
    a = ap.parse_args()
    res = load_step_bodies(a.path, a.lin, a.ang, a.rel, strict=a.strict)
    s = summary(res, a.show)
    txt = json.dumps(s, indent=1, default=str)
    print(txt)
    if a.json:
        open(a.json, "w").write(txt)
