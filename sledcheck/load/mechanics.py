"""A part's material, declared mass and ``mechanical:`` section (how a heat sink is held down).

::

    heatsink0:
      file: cad/heatsink.stl
      role: heatsink
      material: copper              # models/materials.yaml (its density gives the mass from the closed volume)
      mass: 1.2 kg                  # or the mass itself (wins over the material)
      mechanical:                   # proposal keys (README, "Mass, loads and design guides")
        springs: 4                  # the preload: springs x spring_force ...
        spring_force: 45 N
        clamp_force: 180 N          # ... or the clamp force as declared (not both)
        attach: board               # board (screwed to the board or its backplate) | chassis
"""

from __future__ import annotations

from dataclasses import dataclass

from ..units import UnitError, parse_quantity
from .schema import Section
from .thermal import _library

MECHANICAL_KEYS = ("springs", "spring_force", "clamp_force", "attach")
#: The range a mounting force is read in [N]: from 0.01 N (about a gram-force, 0.0098 N) to 20 kN (about two
#: tonnes-force): a deliberately generous bound around any spring or clamp that holds a heat sink on a package,
#: which catches unit slips (kN for N, a missing exponent) and nonsense such as 1e30 N.
MIN_FORCE_N = 0.01
MAX_FORCE_N = 20000.0
ATTACH = ("board", "chassis")


@dataclass(frozen=True)
class Material:
    """A material of models/materials.yaml with its density [kg/m^3] and where that comes from."""

    name: str
    density_kg_m3: float
    source: str


@dataclass(frozen=True)
class Mechanical:
    """How a heat sink is held: the preload [N] from ``springs`` x ``spring_force_n`` or ``clamp_force_n``, and
    what it is attached to; ``line`` is the section's line in the design."""

    springs: int | None
    spring_force_n: float | None
    clamp_force_n: float | None
    attach: str | None
    line: int

    @property
    def preload_n(self) -> float | None:
        """The static mounting load on the package [N], or None when the design declares none."""
        if self.clamp_force_n is not None:
            return self.clamp_force_n
        if self.springs is not None and self.spring_force_n is not None:
            return self.springs * self.spring_force_n
        return None

    @property
    def preload_basis(self) -> str:
        """How :attr:`preload_n` was obtained, for messages."""
        if self.clamp_force_n is not None:
            return "declared clamp force"
        return f"{self.springs} springs x {self.spring_force_n:g} N"


def materials() -> dict[str, Material]:
    """The materials of models/materials.yaml that carry a density."""
    out = {}
    for name, entry in _library("materials", "materials").items():
        if "density" in entry:
            density = float(parse_quantity(entry["density"], "density").m_as("kg/m^3"))
            out[name] = Material(name=name, density_kg_m3=density, source=str(entry.get("density_source", "")))
    return out


def read_material(sec: Section) -> Material | None:
    """The part's ``material:``, validated against the library."""
    if not sec.has("material"):
        return None
    name = sec.text("material") or ""
    known = materials()
    if name not in known:
        raise sec.error(f"unknown material {name!r}", "material",
                        f"materials with a density: {', '.join(sorted(known))} (models/materials.yaml); "
                        "or declare the part's mass: 1.2 kg")
    return known[name]


def read_mass(sec: Section) -> float | None:
    """The part's declared ``mass:`` [kg]."""
    if not sec.has("mass"):
        return None
    mass = float(sec.quantity("mass", "mass", positive=True).m_as("kg"))
    if mass > 1e5:
        raise sec.error(f"a mass of {mass:g} kg is not a sled part's", "mass", "e.g. mass: 1.2 kg")
    return mass


def read_mechanical(sec: Section, role: str) -> Mechanical | None:
    """The part's ``mechanical:`` section (heat sinks only)."""
    if not sec.has("mechanical"):
        return None
    if role != "heatsink":
        raise sec.error("'mechanical' says how a heat sink is held down; this part's role is not heatsink",
                        "mechanical", "move it to the heat sink, or give the part role: heatsink")
    mech = sec.child("mechanical")
    mech.mapping(MECHANICAL_KEYS)
    springs = None
    if mech.has("springs"):
        value = mech.value["springs"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
            raise mech.error(f"{value!r} is not a spring count", "springs", "a whole number, e.g. springs: 4")
        springs = value
    spring_force = _force(mech, "spring_force")
    clamp = _force(mech, "clamp_force")
    if clamp is not None and (springs is not None or spring_force is not None):
        raise mech.error("give either the clamp force or springs and spring_force, not both", "clamp_force")
    if (springs is None) != (spring_force is None):
        missing = "spring_force" if spring_force is None else "springs"
        raise mech.error(f"the preload is springs x spring_force: '{missing}' is missing", missing,
                         "e.g. springs: 4, spring_force: 45 N")
    attach = mech.text("attach", choices=ATTACH) if mech.has("attach") else None
    return Mechanical(springs=springs, spring_force_n=spring_force, clamp_force_n=clamp, attach=attach,
                      line=mech.line())


def _force(sec: Section, key: str) -> float | None:
    if not sec.has(key):
        return None
    try:
        force = float(parse_quantity(sec.value[key], "force").m_as("N"))
    except UnitError as err:
        raise sec.error(str(err), key) from None
    if not MIN_FORCE_N <= force <= MAX_FORCE_N:
        raise sec.error(f"{sec.value[key]!r} ({force:g} N) is out of range for a heat sink's mounting "
                        f"{'clamp' if key == 'clamp_force' else 'spring'} force", key,
                        f"a force from {MIN_FORCE_N:g} N to {MAX_FORCE_N:g} N (20 kN, about 2 tonnes-force), e.g. "
                        "spring_force: 45 N")
    return force
