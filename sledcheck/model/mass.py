"""A part's mass [kg] and centre of gravity [mm, sled coordinates].

The mass is the declared ``mass:``, else the closed volume times the material's density. The volume and its
centroid are the divergence-theorem sums over the mesh's triangles, taken in the health pass
(:func:`sledcheck.load.health.measure_health`: each triangle with a point o spans a tetrahedron of signed volume
v = (a - o) . ((b - a) x (c - a)) / 6 and centroid (o + a + b + c) / 4; Zhang & Chen, "Efficient feature
extraction for 2D/3D objects in mesh representation", ICIP 2001), exact for a closed, consistently wound mesh;
an open mesh has no volume, so no mass from a density. With a declared mass the centre of gravity is the volume
centroid when the mesh is closed, else the bounding-box centre (said in ``basis``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .assembly import Assembly, Part

MM3_TO_M3 = 1e-9


@dataclass(frozen=True)
class MassProperties:
    """A part's mass [kg] (None: unknown) and centre of gravity [mm] (None: unknown), with how they were found
    (``basis``: what a report says) and the closed volume [mm^3] (None for an open mesh)."""

    part: str
    mass_kg: float | None
    cog_mm: tuple[float, float, float] | None
    volume_mm3: float | None
    basis: str


def mass_properties(part: Part) -> MassProperties:
    """The mass and centre of gravity of one part (see the module docstring)."""
    spec = part.spec
    health = part.health   # closed and consistently wound (all shells inverted still gives |volume|)
    closed = health.watertight and health.winding_consistent and health.inverted_bodies in (0, health.bodies)
    volume_mm3: float | None = None
    centroid: tuple[float, float, float] | None = None
    if closed and health.volume > 0 and health.centroid is not None:   # the health pass's sums [mm^3, mm]
        volume_mm3, centroid = health.volume, health.centroid
    mid = (part.bounds[0] + part.bounds[1]) / 2
    box_centre = (float(mid[0]), float(mid[1]), float(mid[2]))
    if spec.mass_kg is not None:
        if centroid is not None:
            return MassProperties(part.name, spec.mass_kg, centroid, volume_mm3,
                                  "declared mass; centre of gravity at the volume centroid")
        return MassProperties(part.name, spec.mass_kg, box_centre, volume_mm3,
                              "declared mass; the mesh is not closed, so the centre of gravity is the "
                              "bounding-box centre")
    if spec.material is None:
        return MassProperties(part.name, None, None, volume_mm3, "no material or mass declared")
    if volume_mm3 is None:
        return MassProperties(part.name, None, None, None,
                              f"{spec.material.name}: the mesh is not a closed volume, so it has no mass; "
                              "declare mass: ...")
    mass = volume_mm3 * MM3_TO_M3 * spec.material.density_kg_m3
    return MassProperties(part.name, mass, centroid, volume_mm3,
                          f"closed volume {volume_mm3:.6g} mm^3 x {spec.material.name} "
                          f"{spec.material.density_kg_m3:g} kg/m^3")


def assembly_mass(assembly: Assembly) -> dict[str, MassProperties]:
    """Every part's mass properties, by name (computed once per assembly)."""
    result: dict[str, MassProperties] = assembly.analysis(
        "mass", lambda: {p.name: mass_properties(p) for p in assembly.parts})
    return result
