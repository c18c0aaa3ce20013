"""M0xx: mesh health. A part that is not a closed volume still gets distance checks, not volume checks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .engine import Finding, Rule

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading meshes or models
    from ..model.assembly import Assembly


def _open_mesh(assembly: Assembly) -> Iterable[Finding]:
    for part in assembly.parts:
        h = part.health
        if h.watertight:
            continue
        detail = []
        if h.boundary_edges:
            detail.append(f"{h.boundary_edges} boundary edges")
        if h.nonmanifold_edges:
            detail.append(f"{h.nonmanifold_edges} non-manifold edges")
        yield OPEN_MESH.finding(
            f"{part.name} ({part.file}) is not a closed volume after merging vertices: {', '.join(detail)} "
            f"in {h.open_bodies} of {h.bodies} shells; volume checks (overlap volume, containment) will be "
            "skipped for it, distance checks still run",
            subjects=(part.name,), data={"boundary_edges": h.boundary_edges,
                                         "nonmanifold_edges": h.nonmanifold_edges})


def _inverted(assembly: Assembly) -> Iterable[Finding]:
    for part in assembly.parts:
        h = part.health
        if h.inverted_bodies:
            yield INVERTED.finding(
                f"{part.name} ({part.file}) has {h.inverted_bodies} closed shell(s) with inward-pointing normals "
                "(negative volume)", subjects=(part.name,), data={"inverted_bodies": h.inverted_bodies})
        elif not h.winding_consistent:
            yield INVERTED.finding(
                f"{part.name} ({part.file}) has inconsistent face winding: neighbouring triangles disagree on "
                "which side is outside", subjects=(part.name,))


def _degenerate(assembly: Assembly) -> Iterable[Finding]:
    for part in assembly.parts:
        h = part.health
        if h.degenerate_faces:
            yield DEGENERATE.finding(
                f"{part.name} ({part.file}) has {h.degenerate_faces} of {h.triangles} triangles with zero area",
                subjects=(part.name,), data={"degenerate_faces": h.degenerate_faces})


OPEN_MESH = Rule(
    code="M001", name="open-mesh", severity="warning",
    summary="A part's mesh is not a closed volume (boundary or non-manifold edges after merging vertices).",
    explanation="Interference volume and containment need closed volumes. CAD exports are often open until "
                "duplicate vertices are merged (sledcheck merges them); some never close. Distance and "
                "clearance checks still work on open meshes.",
    fix="Re-export the part as a solid body (STEP or a watertight STL); close holes in the CAD tool.",
    check=_open_mesh,
)
INVERTED = Rule(
    code="M002", name="inverted-normals", severity="warning",
    summary="A closed shell's normals point inwards, or neighbouring faces disagree on orientation.",
    explanation="Inside/outside tests and volumes depend on the winding; an inverted body has negative volume.",
    fix="Re-export the part; most CAD and mesh tools can 'unify normals' or 'flip normals'.",
    check=_inverted,
)
DEGENERATE = Rule(
    code="M003", name="degenerate-faces", severity="info",
    summary="A part has triangles with (near) zero area.",
    explanation="Zero-area triangles are usually harmless slivers from tessellation but can upset booleans.",
    fix="Usually nothing; if volume checks misbehave, re-export with a finer or cleaner tessellation.",
    check=_degenerate,
)
