"""The draft: everything init decides about one assembly file, stage by stage."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from ..inspect import orientation_warnings
from ..load.meshes import MeshFile, Units
from ..load.roles import guess_role
from .model import Pair
from .render import DraftText
from .select import Selector
from .text import _design_name
from .units import _labels, check_names


class Draft(DraftText):
    """Everything init decides about one assembly file, and the design text."""

    def __init__(self, mesh_file: MeshFile, units: Units, source: Path, target: Path,
                 units_option: str | None = None) -> None:
        self.file = mesh_file
        self.units = units
        self.units_option = units_option if mesh_file.loaded_unit is None else None
        self.source = source
        self.target = target
        self.bodies = list(mesh_file.bodies)
        self.transform = np.diag([units.scale] * 3 + [1.0])
        self.notes: list[str] = []         # said on stderr and at the top of the design
        self.guesses = [guess_role(b.node, b.geometry, b.path) for b in self.bodies]
        if len(self.bodies) == 1:
            self.guesses[0] = self._single_body_guess(self.guesses[0])
        self.labels = _labels(self.bodies)
        self.select = Selector(self.bodies)
        if len(self.bodies) == 1 and not (self.bodies[0].node or self.bodies[0].geometry):
            self.labels = [_design_name(source)]   # an STL's one body: named after the file
        self.units_list = self._units()
        for index, unit in enumerate(self.units_list):
            unit.index = index
        self.all_bounds = np.stack([u.bounds for u in self.units_list])     # (N, 2, 3) [mm]
        self.bounds = np.array([self.all_bounds[:, 0].min(axis=0), self.all_bounds[:, 1].max(axis=0)])
        self.extents = self.bounds[1] - self.bounds[0]
        self.warnings = orientation_warnings(self.extents, len(self.bodies))
        self._shape_roles()
        self.pairs = self._measure()
        self.neighbours: dict[int, list[tuple[int, Pair]]] = defaultdict(list)
        for pair in self.pairs.values():
            self.neighbours[pair.a].append((pair.b, pair))
            self.neighbours[pair.b].append((pair.a, pair))
        self.entries = self._entries()
        self.contacts, self.fits = self._relations()
        check_names(self.entries, self.bodies)   # the labels comments and references use
