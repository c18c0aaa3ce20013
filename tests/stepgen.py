"""Write small STEP assemblies for tests through OpenCASCADE's document layer (XCAF): named products, named
instances, nested and repeated sub-assemblies, colours. Shapes are given as OCP solids built by the test."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("OCP")

from OCP.BRepAlgoAPI import BRepAlgoAPI_Cut  # noqa: E402
from OCP.BRepPrimAPI import BRepPrimAPI_MakeBox, BRepPrimAPI_MakeCylinder  # noqa: E402
from OCP.gp import gp_Ax2, gp_Dir, gp_Pnt, gp_Trsf, gp_Vec  # noqa: E402
from OCP.IFSelect import IFSelect_RetDone  # noqa: E402
from OCP.Quantity import Quantity_Color, Quantity_TypeOfColor  # noqa: E402
from OCP.STEPCAFControl import STEPCAFControl_Writer  # noqa: E402
from OCP.STEPControl import STEPControl_AsIs  # noqa: E402
from OCP.TCollection import TCollection_ExtendedString  # noqa: E402
from OCP.TDataStd import TDataStd_Name  # noqa: E402
from OCP.TDocStd import TDocStd_Document  # noqa: E402
from OCP.TopLoc import TopLoc_Location  # noqa: E402
from OCP.XCAFDoc import XCAFDoc_ColorType, XCAFDoc_DocumentTool  # noqa: E402


def box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> Any:
    """A box from corner ``lo`` to ``hi`` [mm]."""
    return BRepPrimAPI_MakeBox(gp_Pnt(*lo), gp_Pnt(*hi)).Shape()


def cylinder(centre: tuple[float, float, float], radius: float, height: float) -> Any:
    """A cylinder along z standing on ``centre`` [mm]."""
    return BRepPrimAPI_MakeCylinder(gp_Ax2(gp_Pnt(*centre), gp_Dir(0, 0, 1)), radius, height).Shape()


def cut(shape: Any, tool: Any) -> Any:
    return BRepAlgoAPI_Cut(shape, tool).Shape()


@dataclass
class Node:
    """A product: a shape (a part) or children (an assembly), each child placed by a translation [mm]."""

    name: str
    shape: Any = None
    children: list[tuple[str, Node, tuple[float, float, float]]] = field(default_factory=list)
    colour: tuple[float, float, float] | None = None

    def add(self, instance: str, child: Node, offset: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> Node:
        self.children.append((instance, child, offset))
        return self


def write_step(root: Node, path: Path) -> Path:
    """Write ``root`` as a STEP AP214 assembly in mm; products shared by several instances are written once."""
    doc = TDocStd_Document(TCollection_ExtendedString("XmlXCAF"))
    shapes = XCAFDoc_DocumentTool.ShapeTool_s(doc.Main())
    colours = XCAFDoc_DocumentTool.ColorTool_s(doc.Main())
    labels: dict[int, Any] = {}

    def label_of(node: Node) -> Any:
        if id(node) in labels:
            return labels[id(node)]
        if node.shape is not None:
            label = shapes.AddShape(node.shape, False)
            if node.colour:
                colours.SetColor(label, Quantity_Color(*node.colour, Quantity_TypeOfColor.Quantity_TOC_RGB),
                                 XCAFDoc_ColorType.XCAFDoc_ColorSurf)
        else:
            label = shapes.NewShape()
            for instance, child, offset in node.children:
                trsf = gp_Trsf()
                trsf.SetTranslation(gp_Vec(*offset))
                component = shapes.AddComponent(label, label_of(child), TopLoc_Location(trsf))
                TDataStd_Name.Set_s(component, TCollection_ExtendedString(instance))
        TDataStd_Name.Set_s(label, TCollection_ExtendedString(node.name))
        labels[id(node)] = label
        return label

    label_of(root)
    shapes.UpdateAssemblies()
    writer = STEPCAFControl_Writer()
    writer.SetNameMode(True)
    writer.SetColorMode(True)
    if not writer.Transfer(doc, STEPControl_AsIs) or writer.Write(str(path)) != IFSelect_RetDone:
        raise RuntimeError(f"could not write {path}")
    return path
