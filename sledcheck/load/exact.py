"""Exact gaps between CAD bodies (issue 10): OpenCASCADE's BRepExtrema on the bodies' B-rep geometry.

A mesh underestimates a gap between curved faces by up to its chord error (a 3.0 mm shank in a 3.2 mm hole
measures 0.0885 mm at a 0.1 mm chord; docs/research/xde-assemblies.md section 5). Pairs whose mesh gap is within
the chord error of their limit are re-measured here, exactly, where the loader kept each unique shape as an OCCT
.brep file (the shape's own frame [mm]) and each body's placement into sled coordinates.

All pairs of one call are measured in one isolated child (:func:`.native.run_isolated`, target
:func:`.brep_child.measure`), so OpenCASCADE's import (1 to 2 s) is paid once. A crash, time-out or memory
blow-up of the child makes every result ``ok=False`` with the reason: the caller then keeps the mesh value.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .brep_child import placement_problem
from .native import Budget, BudgetError, ChildFailed, run_isolated

TARGET = "sledcheck.load.brep_child:measure"
Point = tuple[float, float, float]


@dataclass(frozen=True, eq=False)
class ExactSide:
    """One side of a pair: the bodies of one part, each an OCCT .brep file (its own frame [mm]) and its (4, 4)
    placement into sled coordinates [mm] (a rotation or reflection times a uniform scale, plus a translation).
    The matrices are stored as read-only float arrays; ValueError when a side is empty or a matrix is no finite
    (4, 4) array."""

    bodies: tuple[tuple[Path, np.ndarray], ...]

    def __post_init__(self) -> None:
        bodies = []
        for path, placement in self.bodies:
            matrix = np.array(placement, dtype=float)
            if matrix.shape != (4, 4) or not np.isfinite(matrix).all():
                raise ValueError(f"the placement of {path} must be a finite 4x4 matrix, not shape {matrix.shape}")
            matrix.setflags(write=False)
            bodies.append((Path(path), matrix))
        if not bodies:
            raise ValueError("a side of an exact query needs at least one body")
        object.__setattr__(self, "bodies", tuple(bodies))


@dataclass(frozen=True, eq=False)
class ExactQuery:
    """Measure the exact distance between sides ``a`` and ``b``; with ``overlap`` also their common volume when
    they touch or intersect."""

    a: ExactSide
    b: ExactSide
    overlap: bool = False


@dataclass(frozen=True)
class ExactGap:
    """The exact result of one query. ``distance_mm``: the minimum distance [mm], 0 when the sides touch or
    intersect (or a solid lies inside the other); ``points_mm``: the closest points on a and on b [mm];
    ``overlap_mm3``: the common volume [mm^3] when asked for (about 0 for a touch, 0.0 at a positive distance),
    None when not asked or not measurable; ``inside``: a point strictly inside a solid of one side lies strictly
    inside one of the other (certainly an interference), None without solids; ``ok``: False when nothing was
    measured, and ``reason`` then says why (when ok, it carries notes); ``seconds``: the child's time for it [s]."""

    distance_mm: float | None
    points_mm: tuple[Point, Point] | None
    overlap_mm3: float | None
    ok: bool
    reason: str
    inside: bool | None = None
    seconds: float = 0.0

    @classmethod
    def failed(cls, reason: str) -> ExactGap:
        """A result without a measurement."""
        return cls(None, None, None, False, reason)


def available() -> bool:
    """Is OCP (OpenCASCADE for Python, the ``cadquery-ocp`` wheels) installed? Found without importing it."""
    return importlib.util.find_spec("OCP") is not None


def exact_gaps(queries: Sequence[ExactQuery], *, budget: Budget | None = None) -> tuple[ExactGap, ...]:
    """The exact gap of every query, in query order, measured in one child under ``budget`` (default: from the
    environment, :meth:`.native.Budget.from_env`). Never raises for OpenCASCADE's failures: a query whose file is
    missing or whose placement is refused, and every query when OCP is missing or the child fails, gets ok=False
    with the reason. No child is started for an empty list."""
    results: list[ExactGap | None] = [None] * len(queries)
    sent: list[int] = []
    pairs: list[dict[str, Any]] = []
    for index, query in enumerate(queries):
        problem = _problem(query)
        if problem:
            results[index] = ExactGap.failed(problem)
        else:
            sent.append(index)
            pairs.append({"a": _bodies(query.a), "b": _bodies(query.b), "overlap": bool(query.overlap)})
    if sent:
        for index, gap in zip(sent, _measure(pairs, budget), strict=True):
            results[index] = gap
    return tuple(gap or ExactGap.failed("not measured") for gap in results)


def _problem(query: ExactQuery) -> str:
    """Why ``query`` cannot be sent to the child ('' when it can)."""
    for path, matrix in (*query.a.bodies, *query.b.bodies):
        try:
            found = path.is_file()
        except OSError as err:   # a name too long, say
            return f"cannot read {path}: {err.strerror or err}"
        if not found:
            return f"no such .brep file: {path}"
        problem = placement_problem(matrix.ravel().tolist())
        if problem:
            return f"placement of {path}: {problem}"
    return ""


def _bodies(side: ExactSide) -> list[list[Any]]:
    return [[os.path.abspath(path), matrix.ravel().tolist()] for path, matrix in side.bodies]


def _measure(pairs: list[dict[str, Any]], budget: Budget | None) -> list[ExactGap]:
    """Run the child on ``pairs``; one ExactGap per pair (all failed when the child did not finish)."""
    if not available():
        return [ExactGap.failed("OCP is not installed (pip install 'cadquery-ocp-novtk>=7.9'): "
                                "no exact distances")] * len(pairs)
    with tempfile.TemporaryDirectory(prefix="sledcheck-exact-") as folder:
        request, result = Path(folder) / "request.json", Path(folder) / "result.json"
        request.write_text(json.dumps({"pairs": pairs}, allow_nan=False), encoding="utf-8")
        try:
            run_isolated(TARGET, [str(request), str(result)], budget=budget or Budget.from_env(),
                         what="OpenCASCADE")
            text = result.read_text(encoding="utf-8")
        except ChildFailed as err:
            reason = f"{err.message}; {err.hint}" if err.hint else err.message
            return [ExactGap.failed(f"exact distance not measured: {reason}")] * len(pairs)
        except (BudgetError, OSError) as err:
            return [ExactGap.failed(f"exact distance not measured: {err}")] * len(pairs)
    try:
        return _parse(text, len(pairs))
    except ValueError as err:
        return [ExactGap.failed(f"exact distance not measured: the child's result is malformed ({err})")] \
            * len(pairs)


def _parse(text: str, count: int) -> list[ExactGap]:
    """The child's result file as ExactGaps; ValueError when it is not what :mod:`.brep_child` writes."""
    found = json.loads(text)
    if not isinstance(found, dict) or not isinstance(found.get("pairs"), list) or len(found["pairs"]) != count:
        raise ValueError(f"expected {count} pair results")
    gaps = []
    for item in found["pairs"]:
        if not isinstance(item, dict) or item.get("status") not in ("ok", "failed"):
            raise ValueError("a pair result has no status")
        reason = item.get("reason")
        if not isinstance(reason, str):
            raise ValueError("a pair result has no reason")
        if item["status"] == "failed":
            gaps.append(ExactGap.failed(reason))
            continue
        distance = _number(item.get("distance_mm"), "distance_mm")
        if distance < 0:
            raise ValueError("negative distance_mm")
        points = item.get("points_mm")
        if not isinstance(points, list) or len(points) != 2 or \
                not all(isinstance(p, list) and len(p) == 3 for p in points):
            raise ValueError("points_mm must be two points")
        a, b = (tuple(_number(x, "points_mm") for x in p) for p in points)
        overlap = item.get("overlap_mm3")
        inside = item.get("inside")
        if inside is not None and not isinstance(inside, bool):
            raise ValueError("inside must be true, false or null")
        gaps.append(ExactGap(distance, ((a[0], a[1], a[2]), (b[0], b[1], b[2])),
                             None if overlap is None else _number(overlap, "overlap_mm3"), True, reason, inside,
                             _number(item.get("seconds", 0.0), "seconds")))
    return gaps


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return float(value)
