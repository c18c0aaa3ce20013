"""Tolerance stack-ups from the contact graph: for each checked gap, the chain of parts and contacts that joins
its two sides through the assembly, each contributor's sensitivity from the geometry, and the statistics.

Three kinds of quantity are stacked: a **gap** with a required clearance (the heat sink's fins below the lid),
the **headroom** of a part under a spec pack's envelope (the envelope's limit less the height from the lowest
point of the assembly to the part's top), and the **depth** of a declared press fit or compressible pad, which
must stay in its range. The chain is the shortest path of touching declared contacts from one side to the
other (the heat sink sits on the package, on the board, on a standoff, on the tray, which carries the lid).
Walking it from the first side to the last, the quantity changes with each part's dimension between the face it
is entered by and the face it is left by, projected on the stack direction, plus the interfaces crossed. A
part's dimension runs along the normal of its exit face, so its sensitivity is the signed cosine between that
normal and the direction: the same for a stack at an angle or an assembly rotated as a whole. An interface of
thickness t pushes the rest of the chain along its contact normal: sensitivity n . d.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import trimesh

from ..geometry.proximity import faces_in_region
from ..load.specs import ENVELOPE_AXES
from ..load.tolerances import InterfaceTolerance, SizeTolerance, Tolerances
from ..stackup import Contributor, StackResult, evaluate
from .assembly import Assembly, Part
from .pairs import TOUCH_MM, PairResult

Vector = tuple[float, float, float]
#: gaps stacked: within this of their requirement, or twice it; parts stacked under an envelope: within this
#: of its limit [mm]
STACK_REACH_MM = 2.0
KINDS = ("gap", "envelope", "fit")


@dataclass(frozen=True)
class Stackup:
    """The stack of one quantity of ``kind`` "gap" (between ``a`` and ``b``, at least ``required_mm``),
    "envelope" (the headroom of ``a`` under ``limit``, measured from the lowest part ``b``: at least 0) or
    "fit" (the depth ``a`` presses into ``b``: from ``required_mm`` to ``upper_mm``). ``gap_mm`` is the quantity
    in the CAD; ``points`` the loop (its start, each contact, its end) [mm]. ``status`` is "pass", "marginal"
    (the worst case crosses a limit, the probability is within the design's), "fail", "no-loop" (no chain of
    contacts joins the two sides) or "exact" (nothing in the chain has a tolerance: the quantity is what the CAD
    says); ``reason`` says why for the last two."""

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
    kind: str = "gap"
    upper_mm: float | None = None
    limit: str = ""                  # what the quantity is held against: "1U envelope height", "press fit"
    points: tuple[Vector, ...] = ()


@dataclass(frozen=True)
class _Ends:
    """Where a stacked quantity starts (``start`` on the first part) and ends (``end`` on the last), its
    direction, its value in the CAD and its limits [mm]."""

    a: str
    b: str
    start: np.ndarray
    end: np.ndarray
    direction: np.ndarray
    value_mm: float
    lower_mm: float
    upper_mm: float | None = None
    kind: str = "gap"
    limit: str = ""
    skip: tuple[str, str] | None = None   # a contact the chain may not use (a fit's own pair)


def analyse_stackups(assembly: Assembly, pairs: tuple[PairResult, ...]) -> tuple[Stackup, ...]:
    """The stack of every gap with a requirement within reach of it, of every part within reach of an envelope
    limit and of every measured press fit or pad (none without tolerances)."""
    tolerances = assembly.design.tolerances
    if tolerances is None:
        return ()
    graph: dict[str, set[str]] = {}
    for pair in pairs:
        if pair.contact and pair.touching:
            graph.setdefault(pair.a, set()).add(pair.b)
            graph.setdefault(pair.b, set()).add(pair.a)
    ends = [*_gap_ends(pairs), *_envelope_ends(assembly), *_fit_ends(assembly, pairs)]
    return tuple(_stack(assembly, tolerances, graph, e) for e in ends)


def _gap_ends(pairs: tuple[PairResult, ...]) -> list[_Ends]:
    out = []
    for pair in pairs:
        need = pair.required.minimum
        if (need <= 0 or pair.contact or pair.fit is not None or pair.gap.distance <= TOUCH_MM
                or pair.gap.distance > max(2 * need, need + STACK_REACH_MM)):
            continue
        q_a, q_b = np.asarray(pair.gap.point_a, dtype=float), np.asarray(pair.gap.point_b, dtype=float)
        out.append(_Ends(pair.a, pair.b, q_a, q_b, (q_b - q_a) / np.linalg.norm(q_b - q_a), pair.gap.distance,
                         need))
    return out


def _envelope_ends(assembly: Assembly) -> list[_Ends]:
    """Each part whose far side comes within reach of a spec pack's envelope limit: its headroom, from its
    extreme point to the lowest point of the assembly along that axis (where the envelope is measured from)."""
    out = []
    low = assembly.bounds[0]
    for pack in assembly.design.specs:
        for dim, value in pack.envelope.items():
            if value.quantity is None:
                continue
            axis = ENVELOPE_AXES[dim]
            limit = float(value.quantity.m_as("mm"))
            ceiling = low[axis] + limit
            base = min(assembly.parts, key=lambda p: (p.bounds[0][axis], p.name))
            bottom = _extreme(base, axis, -1)
            d = np.eye(3)[axis]
            for part in sorted(assembly.parts, key=lambda p: p.name):
                headroom = ceiling - float(part.bounds[1][axis])
                if -TOUCH_MM <= headroom <= STACK_REACH_MM:
                    out.append(_Ends(part.name, base.name, _extreme(part, axis, 1), bottom, d, headroom, 0.0,
                                     kind="envelope", limit=f"{pack.name} envelope {dim} {limit:g} mm"))
    return out


def _extreme(part: Part, axis: int, side: int) -> np.ndarray:
    """The mean of the part's vertices at its far (``side`` 1) or near (-1) end along ``axis`` [mm]."""
    vertices = np.asarray(part.mesh.vertices)
    coordinate = vertices[:, axis] * side
    return vertices[coordinate >= coordinate.max() - 1e-6].mean(axis=0)


def _fit_ends(assembly: Assembly, pairs: tuple[PairResult, ...]) -> list[_Ends]:
    """Each press fit or pad measured overlapping: its depth along the direction ``a`` presses into ``b`` (the
    mean outward normal of ``a``'s faces inside the shared region), which must stay in the fit's range."""
    out = []
    for pair in pairs:
        if pair.fit is None or pair.fit.range_mm is None or not pair.interferes or pair.overlap is None:
            continue
        lo, hi = (np.asarray(v, dtype=float) for v in pair.overlap.bounds)
        d = _pressing(assembly.part(pair.a), lo, hi)
        centre = (lo + hi) / 2
        depth = pair.fit_depth
        out.append(_Ends(pair.a, pair.b, centre + d * depth / 2, centre - d * depth / 2, d, depth,
                         pair.fit.range_mm[0], pair.fit.range_mm[1], kind="fit", limit=f"{pair.fit.kind} fit",
                         skip=(pair.a, pair.b)))
    return out


def _pressing(part: Part, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The area-weighted mean outward normal of the part's faces whose centres lie in the box [lo, hi] (the
    faces it presses into its mate with); the box's thinnest axis when none do."""
    reach = 1e-6 + TOUCH_MM
    faces = faces_in_region(part.triangle_boxes, np.array([lo - reach, hi + reach]))
    centres = np.asarray(part.mesh.triangles_center)[faces]
    inside = faces[np.all((centres >= lo - reach) & (centres <= hi + reach), axis=1)]
    normal = (np.asarray(part.mesh.face_normals)[inside] * np.asarray(part.mesh.area_faces)[inside, None]).sum(0)
    if len(inside) == 0 or np.linalg.norm(normal) < 1e-12:
        return np.eye(3)[int(np.argmin(hi - lo))]
    return normal / np.linalg.norm(normal)


def _stack(assembly: Assembly, tolerances: Tolerances, graph: dict[str, set[str]], ends: _Ends) -> Stackup:
    d = ends.direction
    direction = (float(d[0]), float(d[1]), float(d[2]))
    depth = ends.kind == "fit"       # a depth grows as the gap between the two sides closes: signs flip

    def stackup(status: str, reason: str = "", chain: tuple[str, ...] = (), contributors: tuple = (),
                result: StackResult | None = None, points: tuple[Vector, ...] = ()) -> Stackup:
        return Stackup(ends.a, ends.b, direction, ends.value_mm, ends.lower_mm, chain, contributors, result,
                       status, reason, ends.kind, ends.upper_mm, ends.limit, points)

    chain = _path(graph, ends.a, ends.b, ends.skip)
    if chain is None:
        return stackup("no-loop", f"no chain of touching declared contacts joins {ends.a} and {ends.b}")
    parts = [assembly.part(name) for name in chain]
    if not any(_size_tolerance(tolerances.parts, p, None) for p in parts) and not any(
            _interface(tolerances.contacts, parts[k], parts[k + 1]) for k in range(len(parts) - 1)):
        return stackup("exact", "no part or contact of the chain has a tolerance", tuple(chain))
    seats = [contact_patch(assembly, parts[k], parts[k + 1]) for k in range(len(chain) - 1)]
    if any(seat is None for seat in seats):
        return stackup("no-loop", "a contact of the chain has no face-to-face patch to measure from", tuple(chain))
    contacts = [seat[0] for seat in seats if seat is not None]
    normals = [seat[1] for seat in seats if seat is not None]
    entries = [ends.start, *contacts]
    exits = [*contacts, ends.end]
    exit_normals = [*normals, _facing_normal(parts[-1], ends.end, -d)]
    sign = -1.0 if depth else 1.0
    contributors: list[Contributor] = []
    nominal = ends.value_mm
    for k, part in enumerate(parts):
        step = exits[k] - entries[k]
        length = float(abs(step @ exit_normals[k]))
        if length > 1e-6:      # else entered and left on one face (the lid, on the walls it is measured from)
            u = np.sign(step @ exit_normals[k]) * exit_normals[k]
            tolerance = _size_tolerance(tolerances.parts, part, u)
            if tolerance is not None:
                sensitivity = sign * float(u @ d)
                nominal += tolerance.shift_for(length) * sensitivity     # unequal limits: the range's centre
                contributors.append(Contributor(part.name, "part", sensitivity, tolerance.half_for(length),
                                                tolerance.distribution, tolerance.capability))
        if k < len(contacts):
            interface = _interface(tolerances.contacts, part, parts[k + 1])
            if interface is not None:
                sensitivity = sign * float(normals[k] @ d)
                nominal += interface.nominal_mm * sensitivity
                contributors.append(Contributor(f"{part.name} / {parts[k + 1].name}", "contact", sensitivity,
                                                interface.half_mm, interface.distribution, interface.capability))
    points = tuple((float(v[0]), float(v[1]), float(v[2])) for v in (ends.start, *contacts, ends.end))
    if not contributors:
        return stackup("exact", "no tolerance of the chain acts along it", tuple(chain), points=points)
    result = evaluate(nominal, contributors, ends.lower_mm, tolerances.samples, tolerances.seed, ends.upper_mm)
    return stackup(_status(result, ends, tolerances), "", tuple(chain), tuple(contributors), result, points)


def _status(result: StackResult, ends: _Ends, tolerances: Tolerances) -> str:
    """"fail" when outside a limit nominally, too often, or below the design's Cpk; "marginal" when only the
    worst case crosses a limit; else "pass"."""
    outside = (result.p_below_required or 0.0) + (result.p_above_limit or 0.0)
    upper = ends.upper_mm if ends.upper_mm is not None else float("inf")
    if (outside > tolerances.max_probability or not ends.lower_mm <= result.nominal_mm <= upper
            or (tolerances.min_cpk is not None and result.cpk is not None and result.cpk < tolerances.min_cpk)):
        return "fail"
    return "marginal" if result.worst_mm[0] < ends.lower_mm or result.worst_mm[1] > upper else "pass"


def _path(graph: dict[str, set[str]], start: str, goal: str, skip: tuple[str, str] | None = None) -> list[str] | None:
    """The shortest chain of contacts from ``start`` to ``goal`` (ties broken by name: deterministic), never
    through the contact ``skip``."""
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
            if neighbour not in previous and {node, neighbour} != set(skip or ()):
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
