"""M101: unit plausibility. A part whose size is implausible for its role is most likely a unit mix-up."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..load.rules import Option
from .engine import Finding, Rule

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading meshes or models
    from ..load.schema import Section
    from ..model.assembly import Assembly

#: Plausible range of a part's largest bounding-box size [mm], by role. Wide on purpose: this rule is for
#: factor-of-25.4/1000 mistakes, not for tolerances.
PLAUSIBLE_SIZE_MM = {
    "heatsink": (5.0, 600.0), "lid": (80.0, 1500.0), "tray": (80.0, 1500.0), "pcb": (10.0, 1200.0),
    "package": (1.5, 150.0), "fan": (15.0, 250.0), "dimm": (30.0, 200.0), "standoff": (1.0, 80.0),
    "connector": (1.0, 250.0), "bracket": (5.0, 600.0), "duct": (10.0, 1500.0), "cable": (5.0, 3000.0),
    "psu": (40.0, 800.0), "drive": (20.0, 400.0), "component": (0.3, 1500.0), "other": (0.1, 3000.0),
}
_CANDIDATES = {"mm": 1.0, "cm": 10.0, "in": 25.4, "m": 1000.0}


def _read_sizes(sec: Section, key: str) -> dict[str, tuple[float, float]]:
    """``sizes: {ROLE: [min, max]}`` [mm]: plausible largest sizes by role, over the built-in ones."""
    from ..load.design import ROLES

    sizes = dict(PLAUSIBLE_SIZE_MM)
    for role, item in sec.child(key).items():
        if role not in ROLES:
            raise item.error(f"{role!r} is not a role", hint=f"roles: {', '.join(ROLES)}")
        if not isinstance(item.value, list) or len(item.value) != 2:
            raise item.error("expected [min, max], e.g. [5 mm, 600 mm]")
        low, high = (item.quantity(i, "length", positive=True).m_as("mm") for i in range(2))
        if high <= low:
            raise item.error("max must be larger than min")
        sizes[role] = (float(low), float(high))
    return sizes


def _plausibility(assembly: Assembly) -> Iterable[Finding]:
    from pathlib import Path

    from ..load.meshes import FORMATS
    from ..units import Q_

    sizes = UNIT_PLAUSIBILITY.option(assembly, "sizes")
    for part in assembly.parts:
        if FORMATS.get(Path(part.file).suffix.lower()) == "idf" and part.role != "pcb":
            continue   # an IDF component shares its board's declared unit: the board (checked) is its witness,
            #            and real boards hold packages of 1 mm (a 1.39 mm SOT on the OpenCellular board)
        low, high = sizes.get(part.role, sizes["other"])
        size = part.health.largest_shell  # one shell: a file of 9 standoffs is not one 600 mm standoff
        if low <= size <= high:
            continue
        per_unit = _CANDIDATES.get(part.units.unit, part.units.scale)   # mm per unit of the numbers
        middle = math.sqrt(low * high)   # most likely: the unit that puts the size nearest the middle of the range
        guesses = sorted((u for u, f in _CANDIDATES.items()
                          if u != part.units.unit and low <= size * f / per_unit <= high),
                         key=lambda u: abs(math.log(size * _CANDIDATES[u] / per_unit / middle)))
        shell = " (largest shell)" if part.health.bodies > 1 else ""
        hint = (f"; the numbers would fit a {part.role} if they were in {' or '.join(guesses)}"
                + (f" (most likely {guesses[0]})" if len(guesses) > 1 else "") if guesses else "")
        yield UNIT_PLAUSIBILITY.finding(
            f"{part.name} is {size:.4g} mm across{shell}, implausible for a {part.role} ({low:g}-{high:g} mm): "
            f"likely a unit mix-up (units {part.units.unit}: {part.units.source}){hint}",
            subjects=(part.name,), measured=Q_(size, "mm"),
            limit=Q_(low if size < low else high, "mm"), data={"guesses": guesses})


UNIT_PLAUSIBILITY = Rule(
    code="M101", name="unit-plausibility", severity="error",
    summary="A part's size is implausible for its role (e.g. a 0.05 mm package or a 9 m lid): a unit mix-up.",
    explanation="STL, OBJ and PLY carry no units; a file exported in inches or metres but read as mm is off by "
                "25.4x or 1000x, and every later check on it is silently wrong. The rule compares the largest "
                "bounding-box size with a wide plausible range for the part's role.",
    fix="Declare the file's real units on the part (units: in / m) or re-export in mm; if the size is real, "
        "give the part a better role or set severity M101: off.",
    check=_plausibility,
    options=(Option("sizes", PLAUSIBLE_SIZE_MM, "plausible largest size [length] of a part by role, "
                    "{ROLE: [min, max]}, over the built-in ranges", _read_sizes),),
)
