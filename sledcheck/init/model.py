"""What a draft is made of: units (parts to be), entries, measured pairs, relations, and the draft's state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import manifold3d
import numpy as np
import trimesh

from ..geometry.proximity import Overlap, closed_solid
from ..load.body import Body
from ..load.health import MeshHealth
from ..load.meshes import MeshFile, Units
from ..load.roles import RoleGuess
from ..model.pairs import TOUCH_MM, VOLUME_EPS_MM3
from .select import Selector
from .settings import DEFAULT_CLEARANCE_MM, HEATSINK_LID_CLEARANCE_MM


@dataclass(eq=False)
class Unit:
    """A part of the design to be: one body, or the bodies of one sub-assembly; in mm."""

    bodies: list[int]
    label: str                       # the part name it gets as an entry of its own
    role: str
    confidence: float
    reason: str
    mesh: trimesh.Trimesh = field(repr=False)
    boxes: np.ndarray = field(repr=False)
    health: MeshHealth = field(repr=False)
    product: str = ""                # the product of its one body ('' for a sub-assembly)
    subassembly: str = ""            # the sub-assembly path it was merged from
    patterns: tuple[str, ...] = ()   # node patterns that select exactly its bodies, best first
    shape_note: str = ""             # what the geometry said
    index: int = -1
    chord: float = 0.0               # largest chord error of its bodies [mm] (0: the mesh is the geometry)
    merged: str = ""                 # for a sub-assembly: which bodies it is made of
    breps: tuple[tuple[Path, np.ndarray], ...] = ()   # exact shapes and placements [mm], when every body has one

    @cached_property
    def bounds(self) -> np.ndarray:
        return np.array([self.boxes[:, 0].min(axis=0), self.boxes[:, 1].max(axis=0)])

    @cached_property
    def solid(self) -> manifold3d.Manifold | None:
        return closed_solid(self.mesh, self.health.closed)

    @property
    def footprint(self) -> float:
        size = self.bounds[1] - self.bounds[0]
        return float(size[0] * size[1])

    def set_role(self, role: str, confidence: float, reason: str) -> None:
        self.role, self.confidence, self.reason = role, confidence, reason


@dataclass(eq=False)
class Entry:
    """One entry of ``parts:``: a unit, or several units of one product (``each: true``)."""

    name: str
    units: list[Unit]
    node: str | None
    each: bool = False
    what: str = ""            # for an each entry: what its parts have in common
    split: int = 0            # for an each entry: how many of the bodies it selects are entries above it

    @property
    def role(self) -> str:
        return self.units[0].role


@dataclass(frozen=True)
class Pair:
    """Two units measured as ``check`` measures them: the gap [mm] and the shared region (None: not measurable,
    a part is not closed); ``exact`` when measured again on the B-rep."""

    a: int
    b: int
    gap: float
    overlap: Overlap | None
    exact: bool = False

    @property
    def volume(self) -> float:
        return self.overlap.volume if self.overlap is not None else 0.0

    @property
    def overlaps(self) -> bool:
        return self.gap <= TOUCH_MM and self.overlap is not None and self.overlap.volume > VOLUME_EPS_MM3

    @property
    def touching(self) -> bool:
        """Touching without overlap, as measured (a pair that cannot be measured is not)."""
        return self.gap <= TOUCH_MM and self.overlap is not None and not self.overlaps

    @property
    def unmeasured_touch(self) -> bool:
        return self.gap <= TOUCH_MM and self.overlap is None


def required_gap(role_a: str, role_b: str) -> float:
    """The clearance init writes for a pair of roles [mm]."""
    return HEATSINK_LID_CLEARANCE_MM if {role_a, role_b} == {"heatsink", "lid"} else DEFAULT_CLEARANCE_MM



@dataclass(frozen=True)
class Relation:
    """A contacts or fits entry: two references, how they were chosen, and the pairs it declares."""

    a: str
    b: str
    level: str                  # "role" or "name"
    kind: str                   # "contact" or "fit"
    pairs: list[Pair]
    side_a: Sequence[Unit]
    side_b: Sequence[Unit]



class DraftState:
    """The attributes every stage of :class:`~.draft.Draft` reads (set by its constructor)."""

    file: MeshFile
    units: Units
    units_option: str | None
    source: Path
    target: Path
    bodies: list[Body]
    transform: np.ndarray
    notes: list[str]
    guesses: list[RoleGuess]
    labels: list[str]
    select: Selector
    units_list: list[Unit]
    all_bounds: np.ndarray
    bounds: np.ndarray
    extents: np.ndarray
    warnings: list[str]
    pairs: dict[tuple[int, int], Pair]
    neighbours: dict[int, list[tuple[int, Pair]]]
    entries: list[Entry]
    contacts: list[Relation]
    fits: list[Relation]
