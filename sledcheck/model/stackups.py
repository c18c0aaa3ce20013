"""Tolerance stack-ups from the contact graph: for each checked gap, the chain of parts and contacts that joins
its two sides through the assembly, each contributor's sensitivity from the geometry, and the statistics.

The chain is the shortest path of touching declared contacts from one part of the gap to the other (the heat
sink sits on the package, on the board, on a standoff, on the tray, which carries the lid). Walking it from
the gap's face on the first part to the gap's face on the last, the gap is the sum of each part's dimension
between the face it is entered by and the face it is left by, projected on the gap direction, plus the
interfaces crossed. A part's dimension runs along the normal of its exit face, so its sensitivity is the signed
cosine between that normal and the gap direction: the same for a stack at an angle or an assembly rotated as a
whole. An interface of thickness t pushes the rest of the chain along its contact normal: sensitivity n . d.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import trimesh

from ..geometry.proximity import faces_in_region
from ..load.tolerances import InterfaceTolerance, SizeTolerance, Tolerances
from ..stackup import Contributor, StackResult, evaluate
from .assembly import Assembly, Part
from .pairs import TOUCH_MM, PairResult

Vector = tuple[float, float, float]
#: gaps stacked: within this of their requirement, or twice it [mm]
STACK_REACH_MM = 2.0


@dataclass(frozen=True)
class Stackup:
    """The stack of one gap; ``status`` is "pass", "marginal" (worst case below the requirement, probability
    within the limit), "fail", "no-loop" (no chain of contacts joins the two parts) or "exact" (nothing in the
    chain has a tolerance: the gap is what the CAD says); ``reason`` says why for the last two."""

    a: str
    b: str
    direction: Vector
    gap_mm: float
    required_mm: float | None
    chain: tuple[str, ...]
    contributors: tuple[Contributor, ...]
    result: StackResult | None
    status: str
    reason: str = ""


def analyse_stackups(assembly: Assembly, pairs: tuple[PairResult, ...]) -> tuple[Stackup, ...]:
    """The stack of every gap with a requirement that comes within reach of it (none without tolerances)."""
    tolerances = assembly.design.tolerances
    if tolerances is None:
        return ()
    graph: dict[str, set[str]] = {}
    for pair in pairs:
        if pair.contact and pair.touching:
            graph.setdefault(pair.a, set()).add(pair.b)
            graph.setdefault(pair.b, set()).add(pair.a)
    out = []
    for pair in pairs:
        need = pair.required.minimum
        if (need <= 0 or pair.contact or pair.fit is not None or pair.gap.distance <= TOUCH_MM
                or pair.gap.distance > max(2 * need, need + STACK_REACH_MM)):
            continue
        out.append(_stack(assembly, tolerances, graph, pair))
    return tuple(out)


def _stack(assembly: Assembly, tolerances: Tolerances, graph: dict[str, set[str]], pair: PairResult) -> Stackup:
    q_a, q_b = np.asarray(pair.gap.point_a, dtype=float), np.asarray(pair.gap.point_b, dtype=float)
    d = (q_b - q_a) / np.linalg.norm(q_b - q_a)
    direction = (float(d[0]), float(d[1]), float(d[2]))
    chain = _path(graph, pair.a, pair.b)
    need = pair.required.minimum
    if chain is None:
        return Stackup(pair.a, pair.b, direction, pair.gap.distance, need, (), (), None, "no-loop",
                       f"no chain of touching declared contacts joins {pair.a} and {pair.b}")
    parts = [assembly.part(name) for name in chain]
    if not any(_size_tolerance(tolerances.parts, p, None) for p in parts) and not any(
            _interface(tolerances.contacts, parts[k], parts[k + 1]) for k in range(len(parts) - 1)):
        return Stackup(pair.a, pair.b, direction, pair.gap.distance, need, tuple(chain), (), None, "exact",
                       "no part or contact of the chain has a tolerance")
    seats = [contact_patch(assembly, parts[k], parts[k + 1]) for k in range(len(chain) - 1)]
    if any(seat is None for seat in seats):
        return Stackup(pair.a, pair.b, direction, pair.gap.distance, need, tuple(chain), (), None, "no-loop",
                       "a contact of the chain has no face-to-face patch to measure from")
    contacts = [seat[0] for seat in seats if seat is not None]
    normals = [seat[1] for seat in seats if seat is not None]
    entries = [q_a, *contacts]
    exits = [*contacts, q_b]
    exit_normals = [*normals, _facing_normal(parts[-1], q_b, -d)]
    contributors: list[Contributor] = []
    nominal = pair.gap.distance
    for k, part in enumerate(parts):
        step = exits[k] - entries[k]
        length = float(abs(step @ exit_normals[k]))
        if length < 1e-6:
            continue   # entered and left on the same face (the lid, sitting on the walls it is measured from)
        u = np.sign(step @ exit_normals[k]) * exit_normals[k]
        tolerance = _size_tolerance(tolerances.parts, part, u)
        if tolerance is not None:
            half = tolerance.half_for(length)
            contributors.append(Contributor(part.name, "part", float(u @ d), half, tolerance.distribution))
        if k < len(contacts):
            interface = _interface(tolerances.contacts, part, parts[k + 1])
            if interface is not None:
                sensitivity = float(normals[k] @ d)
                nominal += interface.nominal_mm * sensitivity
                contributors.append(Contributor(f"{part.name} / {parts[k + 1].name}", "contact", sensitivity,
                                                interface.half_mm, interface.distribution))
    if not contributors:
        return Stackup(pair.a, pair.b, direction, pair.gap.distance, need, tuple(chain), (), None, "exact",
                       "no tolerance of the chain acts along the gap")
    result = evaluate(nominal, contributors, need, tolerances.samples, tolerances.seed)
    p_below = result.p_below_required or 0.0
    status = ("fail" if p_below > tolerances.max_probability or nominal < need
              else "marginal" if result.worst_mm[0] < need else "pass")
    return Stackup(pair.a, pair.b, direction, pair.gap.distance, need, tuple(chain), tuple(contributors), result,
                   status)


def _path(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """The shortest chain of contacts from ``start`` to ``goal`` (ties broken by name: deterministic)."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            chain = [goal]
            while (back := previous[chain[-1]]) is not None:
                chain.append(back)
            return chain[::-1]
        for neighbour in sorted(graph.get(node, {})):
            if neighbour not in previous:
                previous[neighbour] = node
                queue.append(neighbour)
    return None


def _normals_near(part: Part, point: np.ndarray, reach: float = 1e-3) -> np.ndarray:
    region = np.array([point - reach, point + reach])
    faces = faces_in_region(part.triangle_boxes, region)
    return np.asarray(part.mesh.face_normals)[faces]


#: points of one part tested against the other for the contact patch
PATCH_POINTS = 600


def contact_patch(assembly: Assembly, a: Part, b: Part) -> tuple[np.ndarray, np.ndarray] | None:
    """Where ``a`` and ``b`` touch: a point of the patch (the mean of the points, sampled on either part near the
    other, that lie on the other's surface) and ``a``'s outward normal there (averaged over the patch) [mm]; None
    when they share no patch. A distance query's closest points are arbitrary once parts touch, hence this."""
    def compute() -> tuple[np.ndarray, np.ndarray] | None:
        region = np.array([np.maximum(a.bounds[0], b.bounds[0]) - 10 * TOUCH_MM,
                           np.minimum(a.bounds[1], b.bounds[1]) + 10 * TOUCH_MM])
        found = [_touching(b, a, region), _touching(a, b, region)]   # b's points on a, and a's points on b
        if found[0] is None and found[1] is None:
            return None
        points = np.concatenate([f[0] for f in found if f is not None])
        normals = np.concatenate([n for n in (found[0][1] if found[0] is not None else None,
                                               -found[1][1] if found[1] is not None else None) if n is not None])
        mean = normals.sum(axis=0)
        if np.linalg.norm(mean) < 1e-9:
            return None
        mean /= np.linalg.norm(mean)
        facing = normals @ mean > 0.99   # drop points on faces beside the patch (its edges touch them too)
        normal = normals[facing].sum(axis=0)
        return points[facing].mean(axis=0), normal / np.linalg.norm(normal)

    return assembly.analysis(f"patch:{a.name}\0{b.name}", compute)


def _touching(source: Part, target: Part, region: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Points sampled on ``source``'s faces in ``region`` that lie on ``target``'s surface, and ``target``'s
    outward normal at each; None when none touch."""
    faces = faces_in_region(source.triangle_boxes, region)
    if len(faces) == 0:
        return None
    triangles = np.asarray(source.mesh.triangles)[faces]
    areas = np.asarray(source.mesh.area_faces)[faces]
    if areas.sum() <= 0:
        return None
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(faces), size=PATCH_POINTS, p=areas / areas.sum())
    r1, r2 = np.sqrt(rng.random(PATCH_POINTS)), rng.random(PATCH_POINTS)
    corner = triangles[chosen]
    points = ((1 - r1)[:, None] * corner[:, 0] + (r1 * (1 - r2))[:, None] * corner[:, 1]
              + (r1 * r2)[:, None] * corner[:, 2])
    inside = np.all((points >= region[0]) & (points <= region[1]), axis=1)
    points = points[inside]
    if len(points) == 0:
        return None
    _, distance, triangle = trimesh.proximity.closest_point(target.mesh, points)
    touching = distance <= TOUCH_MM
    if not touching.any():
        return None
    return points[touching], np.asarray(target.mesh.face_normals)[triangle[touching]]


def _facing_normal(part: Part, point: np.ndarray, towards: np.ndarray) -> np.ndarray:
    """The outward normal of the face of ``part`` at ``point`` that faces ``towards`` most."""
    normals = _normals_near(part, point)
    if len(normals) == 0:
        return towards
    return normals[int(np.argmax(normals @ towards))]


def _size_tolerance(tolerances: tuple[SizeTolerance, ...], part: Part, u: np.ndarray | None) -> SizeTolerance | None:
    """The part's tolerance along ``u`` (any direction when None): the design's beats a built-in default, an entry
    for its axis (the sled axis closest to ``u``) a general one, an entry by name one by pattern or role."""
    axis = "xyz"[int(np.argmax(np.abs(u)))] if u is not None else None
    found = [t for t in tolerances if part.selected_by(t.token) and (u is None or t.axis in (None, axis))]
    if not found:
        return None
    return max(found, key=lambda t: (not t.builtin, t.axis is not None, t.token == part.name))


def _interface(tolerances: tuple[InterfaceTolerance, ...], a: Part, b: Part) -> InterfaceTolerance | None:
    for item in tolerances:
        x, y = item.between
        if (a.selected_by(x) and b.selected_by(y)) or (b.selected_by(x) and a.selected_by(y)):
            return item
    return None
