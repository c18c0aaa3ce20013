"""Exact distances between OCCT bodies, measured in the isolated child (:func:`.native.run_isolated`).

The parent (:mod:`.exact`) writes a request file and calls ``sledcheck.load.brep_child:measure`` in a fresh
interpreter; this module imports only the standard library, numpy and (inside :func:`measure`) OCP, never
sledcheck. Request (JSON)::

    {"pairs": [{"a": [[brep_path, matrix16], ...], "b": [[brep_path, matrix16], ...], "overlap": bool}, ...]}

Each side is one or more bodies: an OCCT .brep file (BRepTools.Write_s, the shape's own frame [mm]) and its
placement into sled coordinates, the row-major 4x4 matrix as 16 numbers [mm], a rotation (or a reflection) times
a uniform scale plus a translation. Result (JSON, written atomically)::

    {"pairs": [{"status": "ok" | "failed", "reason": str, "distance_mm": float | null,
                "points_mm": [[x, y, z], [x, y, z]] | null, "overlap_mm3": float | null,
                "inside": bool | null, "seconds": float}, ...]}

``distance_mm`` is BRepExtrema_DistShapeShape's minimum distance between the two sides [mm] and ``points_mm`` its
closest points on side a and side b [mm]. A solid of one side that lies wholly inside a solid of the other has
distance 0 (BRepExtrema measures between the boundaries of compounds, so this is checked here). When the distance
is 0 (within Precision::Confusion) the sides touch or intersect: ``overlap_mm3`` is then the common volume
[mm^3] (BRepAlgoAPI_Common per pair of solids, summed) when the pair asked for ``overlap`` -- about 0 for a touch
-- and 0.0 for a positive distance. ``inside`` is true when a point strictly inside a solid of one side (a vertex,
or its centre of mass) is strictly inside a solid of the other: certainly an interference; false says only that
no such point was found; null when a side has no solid. One pair that fails (an OCCT exception, an unreadable
.brep) is reported with status "failed" and its reason; the other pairs are still measured.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import time
from types import SimpleNamespace
from typing import Any

import numpy as np

ORTHOGONALITY_TOL = 1e-6    # largest |R^T R - I| of the normalised rotation part of a placement
UNIT_SCALE_TOL = 1e-9       # a placement whose |scale| is within this of 1 is rigid (a location, no copy)


def placement_problem(values: Any) -> str | None:
    """Why ``values`` (16 numbers, a row-major 4x4 [mm]) is no rotation or reflection times a uniform scale plus
    a translation, or None when it is one."""
    if not isinstance(values, (list, tuple)) or len(values) != 16:
        return "a placement must be a list of 16 numbers (a row-major 4x4 matrix)"
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values):
        return "a placement must hold 16 finite numbers"
    matrix = np.asarray(values, dtype=float).reshape(4, 4)
    if np.abs(matrix[3] - (0.0, 0.0, 0.0, 1.0)).max() > 1e-9:
        return f"the last row of a placement must be 0 0 0 1, not {matrix[3].tolist()}"
    det = float(np.linalg.det(matrix[:3, :3]))
    scale = math.copysign(abs(det) ** (1.0 / 3.0), det)
    if abs(scale) < 1e-9:
        return "the placement is singular (determinant 0)"
    rotation = matrix[:3, :3] / scale
    error = float(np.abs(rotation.T @ rotation - np.eye(3)).max())
    if error > ORTHOGONALITY_TOL:
        return (f"the placement is not a rotation times a uniform scale (|R^T R - I| = {error:.3g} after dividing "
                f"by the scale {scale:.6g}); shear and non-uniform scale are not supported")
    return None


def _check_request(request: Any) -> list[dict[str, Any]]:
    """The pairs of a parsed request; ValueError naming the first problem."""
    if not isinstance(request, dict) or not isinstance(request.get("pairs"), list):
        raise ValueError('the request must be an object {"pairs": [...]}')
    pairs = request["pairs"]
    for i, pair in enumerate(pairs):
        where = f"pairs[{i}]"
        if not isinstance(pair, dict) or set(pair) != {"a", "b", "overlap"}:
            raise ValueError(f'{where} must be an object with exactly the keys "a", "b" and "overlap"')
        if not isinstance(pair["overlap"], bool):
            raise ValueError(f"{where}.overlap must be true or false")
        for side in ("a", "b"):
            bodies = pair[side]
            if not isinstance(bodies, list) or not bodies:
                raise ValueError(f"{where}.{side} must be a non-empty list of [brep_path, matrix16]")
            for j, body in enumerate(bodies):
                at = f"{where}.{side}[{j}]"
                if not isinstance(body, list) or len(body) != 2 or not isinstance(body[0], str):
                    raise ValueError(f"{at} must be [brep_path, matrix16]")
                if not os.path.isfile(body[0]):
                    raise ValueError(f"{at}: no such file: {body[0]}")
                problem = placement_problem(body[1])
                if problem:
                    raise ValueError(f"{at}: {problem}")
    return pairs


def measure(request_path: str, result_path: str) -> None:
    """Measure every pair of the request file ``request_path`` and write the result file ``result_path``."""
    with open(request_path, encoding="utf-8") as handle:
        pairs = _check_request(json.load(handle))
    occt = _Occt()
    results = [occt.pair(pair) for pair in pairs]
    partial = result_path + ".part"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump({"pairs": results}, handle, allow_nan=False)
    os.replace(partial, result_path)


def _failed(reason: str, started: float) -> dict[str, Any]:
    return {"status": "failed", "reason": reason, "distance_mm": None, "points_mm": None, "overlap_mm3": None,
            "inside": None, "seconds": time.perf_counter() - started}


#: the OCP names used here, by module
_OCP_NAMES = {
    "Bnd": ("Bnd_Box",), "BRep": ("BRep_Builder", "BRep_Tool"), "BRepAlgoAPI": ("BRepAlgoAPI_Common",),
    "BRepBndLib": ("BRepBndLib",), "BRepBuilderAPI": ("BRepBuilderAPI_Transform",),
    "BRepClass3d": ("BRepClass3d_SolidClassifier",), "BRepExtrema": ("BRepExtrema_DistShapeShape",),
    "BRepGProp": ("BRepGProp",), "BRepTools": ("BRepTools",), "gp": ("gp_Trsf",), "GProp": ("GProp_GProps",),
    "Precision": ("Precision",), "TopAbs": ("TopAbs_IN", "TopAbs_SOLID", "TopAbs_VERTEX"),
    "TopExp": ("TopExp_Explorer",), "TopLoc": ("TopLoc_Location",),
    "TopoDS": ("TopoDS", "TopoDS_Compound", "TopoDS_Shape"),
}


def _ocp() -> SimpleNamespace:
    """The OCP names used here, imported on the first :func:`measure` (the parent imports this module for
    :func:`placement_problem` and may not have OCP)."""
    found: dict[str, Any] = {}
    for module, names in _OCP_NAMES.items():
        loaded = importlib.import_module(f"OCP.{module}")
        found.update((name, getattr(loaded, name)) for name in names)
    return SimpleNamespace(**found)


class _Occt:
    """The OCP calls, with the .brep files read once and the placed bodies kept for this call."""

    def __init__(self) -> None:
        self.ocp = ocp = _ocp()
        # OCCT 8 made TopoDS a namespace (TopoDS.Solid); OCP 7.9 has the static TopoDS.Solid_s
        self.as_solid = getattr(ocp.TopoDS, "Solid_s", None) or ocp.TopoDS.Solid
        self.as_vertex = getattr(ocp.TopoDS, "Vertex_s", None) or ocp.TopoDS.Vertex
        self.tol = ocp.Precision.Confusion_s()
        self.read: dict[str, Any] = {}      # path -> shape, or the reason it could not be read
        self.placed: dict[tuple[str, tuple[float, ...]], tuple[Any, list[_Solid]]] = {}

    # -- bodies ----------------------------------------------------------------------------------------------
    def _shape(self, path: str) -> Any:
        if path not in self.read:
            shape = self.ocp.TopoDS_Shape()
            try:
                done = self.ocp.BRepTools.Read_s(shape, path, self.ocp.BRep_Builder())
            except Exception as err:  # noqa: BLE001 - an OCCT exception, reported for the pairs using this file
                self.read[path] = f"cannot read {path}: {type(err).__name__}: {_words(err)}"
            else:
                self.read[path] = shape if done and not shape.IsNull() else \
                    f"cannot read {path}: not an OCCT .brep file, or no shape in it"
        found = self.read[path]
        if isinstance(found, str):
            raise _PairError(found)
        return found

    def _body(self, path: str, values: list[float]) -> tuple[Any, list[_Solid]]:
        """The body of ``path`` placed by ``values`` (16 numbers), and its solids; made once per call."""
        key = (path, tuple(float(v) for v in values))
        if key not in self.placed:
            body = self._place(self._shape(path), np.asarray(values, dtype=float).reshape(4, 4))
            solids = []
            explorer = self.ocp.TopExp_Explorer(body, self.ocp.TopAbs_SOLID)
            while explorer.More():
                solids.append(_Solid(self, self.as_solid(explorer.Current())))
                explorer.Next()
            self.placed[key] = (body, solids)
        return self.placed[key]

    def _place(self, shape: Any, matrix: np.ndarray) -> Any:
        """``shape`` moved by ``matrix``: a location when rigid, else a transformed copy (scale, reflection)."""
        det = float(np.linalg.det(matrix[:3, :3]))
        scale = math.copysign(abs(det) ** (1.0 / 3.0), det)
        u, _, vt = np.linalg.svd(matrix[:3, :3] / scale)
        rotation = u @ vt     # the nearest rotation (OCCT would orthogonalise it too)
        rigid = abs(scale - 1.0) <= UNIT_SCALE_TOL
        linear = rotation if rigid else rotation * scale
        trsf = self.ocp.gp_Trsf()
        trsf.SetValues(*(float(x) for row in np.hstack([linear, matrix[:3, 3:]]) for x in row))
        if rigid:
            if trsf.ScaleFactor() != 1.0:
                trsf.SetScaleFactor(1.0)     # a location must not scale, not even by 1e-16
            return shape.Moved(self.ocp.TopLoc_Location(trsf))
        return self.ocp.BRepBuilderAPI_Transform(shape, trsf, True).Shape()

    def _side(self, bodies: list[list[Any]]) -> tuple[Any, list[_Solid]]:
        """The compound of a side's placed bodies, and its solids."""
        builder = self.ocp.BRep_Builder()
        compound = self.ocp.TopoDS_Compound()
        builder.MakeCompound(compound)
        solids = []
        for path, values in bodies:
            body, found = self._body(path, values)
            builder.Add(compound, body)
            solids.extend(found)
        return compound, solids

    # -- one pair --------------------------------------------------------------------------------------------
    def pair(self, pair: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            result = self._measure(pair)
        except _PairError as err:
            return _failed(str(err), started)
        except Exception as err:  # noqa: BLE001 - an OCCT exception ends this pair only
            return _failed(f"OpenCASCADE failed: {type(err).__name__}: {_words(err)}", started)
        result["seconds"] = time.perf_counter() - started
        return result

    def _measure(self, pair: dict[str, Any]) -> dict[str, Any]:
        shape_a, solids_a = self._side(pair["a"])
        shape_b, solids_b = self._side(pair["b"])
        dist = self.ocp.BRepExtrema_DistShapeShape(shape_a, shape_b)
        if not dist.IsDone() or dist.NbSolution() < 1:
            raise _PairError("BRepExtrema_DistShapeShape found no distance")
        distance = float(dist.Value())
        points = [_xyz(dist.PointOnShape1(1)), _xyz(dist.PointOnShape2(1))]
        reasons = []
        inside: bool | None = None
        if solids_a and solids_b:
            inner = self._inner_point(solids_a, solids_b, centres=distance <= self.tol)
            inside = inner is not None
            if inner is not None and distance > self.tol:
                # boundaries apart and a point of one solid inside the other: that solid lies wholly within it
                distance, points = 0.0, [inner, inner]
                reasons.append("a solid of one side lies inside a solid of the other")
        overlap: float | None = None
        if pair["overlap"]:
            if distance > self.tol:
                overlap = 0.0
            elif not (solids_a and solids_b):
                reasons.append("overlap volume not measured: a side has no solid")
            else:
                overlap, problem = self._common_volume(solids_a, solids_b)
                if problem:
                    reasons.append(problem)
        if distance <= self.tol:
            distance = 0.0
        return {"status": "ok", "reason": "; ".join(reasons), "distance_mm": distance, "points_mm": points,
                "overlap_mm3": overlap, "inside": inside}

    def _inner_point(self, solids_a: list[_Solid], solids_b: list[_Solid], centres: bool) -> list[float] | None:
        """A point strictly inside a solid of one side and a solid of the other, or None. Tried: a vertex of each
        solid, and with ``centres`` its centre of mass when that lies inside it."""
        for these, those in ((solids_a, solids_b), (solids_b, solids_a)):
            for solid in these:
                for other in those:
                    if solid.box.IsOut(other.box):
                        continue
                    for point in solid.probes(centres):
                        if other.holds(point):
                            return _xyz(point)
        return None

    def _common_volume(self, solids_a: list[_Solid], solids_b: list[_Solid]) -> tuple[float | None, str]:
        """The summed common volume of every solid of a with every solid of b [mm^3], or None and why not."""
        total = 0.0
        for solid in solids_a:
            for other in solids_b:
                if solid.box.IsOut(other.box):
                    continue
                common = self.ocp.BRepAlgoAPI_Common(solid.shape, other.shape)
                if not common.IsDone():
                    return None, "overlap volume not measured: BRepAlgoAPI_Common failed"
                props = self.ocp.GProp_GProps()
                self.ocp.BRepGProp.VolumeProperties_s(common.Shape(), props)
                total += float(props.Mass())
        return total, ""


class _Solid:
    """A placed solid with its bounding box; its probe points and centre of mass are computed on demand."""

    def __init__(self, occt: _Occt, shape: Any) -> None:
        self.occt, self.shape = occt, shape
        self.box = occt.ocp.Bnd_Box()
        occt.ocp.BRepBndLib.Add_s(shape, self.box)
        self.box.Enlarge(occt.tol)
        self._centre: Any = None

    def probes(self, centres: bool) -> list[Any]:
        """Points of this solid to classify in another: its first vertex, and with ``centres`` its centre of mass
        when that lies strictly inside it (the centroid of a ring or an L lies outside)."""
        found = []
        explorer = self.occt.ocp.TopExp_Explorer(self.shape, self.occt.ocp.TopAbs_VERTEX)
        if explorer.More():
            found.append(self.occt.ocp.BRep_Tool.Pnt_s(self.occt.as_vertex(explorer.Current())))
        if centres:
            if self._centre is None:
                props = self.occt.ocp.GProp_GProps()
                self.occt.ocp.BRepGProp.VolumeProperties_s(self.shape, props)
                centre = props.CentreOfMass()
                self._centre = centre if self.holds(centre) else False
            if self._centre is not False:
                found.append(self._centre)
        return found

    def holds(self, point: Any) -> bool:
        """Is ``point`` strictly inside this solid (farther than Precision::Confusion from its boundary)?"""
        classifier = self.occt.ocp.BRepClass3d_SolidClassifier(self.shape, point, self.occt.tol)
        return bool(classifier.State() == self.occt.ocp.TopAbs_IN)


class _PairError(Exception):
    """One pair cannot be measured; the message says why."""


def _xyz(point: Any) -> list[float]:
    return [float(point.X()), float(point.Y()), float(point.Z())]


def _words(err: Exception) -> str:
    """An exception's text on one line, at most 300 characters."""
    return " ".join(str(err).split())[:300]
