"""Bodies grouped into units (parts to be): one per body, or a sub-assembly named as one thing."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from ..load.body import Body
from ..load.design import ROLES
from ..load.roles import LIKELY, RoleGuess, guess_role, name_role
from ..model.assembly import unique_names, weld_bodies
from .model import Entry, Unit
from .roles import ShapeRoles
from .select import _segments
from .settings import SEPARATE_ROLES, UNIT_ROLES
from .text import _fresh, _listing, glob_escape


def _last(unit: Unit) -> str:
    """The name of a sub-assembly unit as its path ends ('FAN_3', 'FAN#1')."""
    return unit.subassembly.rsplit("/", 1)[-1]



def _labels(bodies: Sequence[Body]) -> list[str]:
    """Each body's part name as ``check`` names a part of one body (:func:`~sledcheck.model.assembly.unique_names`):
    its instance name, where that repeats the shortest unique suffix of its instance path, then '#2', '#3'."""
    return unique_names([(b.name, b.path or b.name) for b in bodies], set(ROLES))


def check_names(entries: Sequence[Entry], bodies: Sequence[Body]) -> None:
    """Give the units of ``each`` entries the part names ``check`` will give them: it names the parts it expands
    from each entries together, in design order, clear of every entry name and role."""
    members = [u for e in entries if e.each for u in sorted(e.units, key=lambda u: min(u.bodies))]
    if not members:
        return
    items = [(_last(u).split("#")[0], u.subassembly) if u.subassembly else
             (bodies[u.bodies[0]].name, bodies[u.bodies[0]].path or bodies[u.bodies[0]].name) for u in members]
    for unit, name in zip(members, unique_names(items, {e.name for e in entries} | set(ROLES)), strict=True):
        unit.label = name


class UnitBuilder(ShapeRoles):
    """Bodies into units."""

    def _units(self) -> list[Unit]:
        """One unit per body, except the bodies of a sub-assembly whose name says it is one thing."""
        bodies = self.bodies
        if any(not (b.node or b.geometry or b.path) for b in bodies) and len(bodies) > 1:
            self.notes.append("some bodies have no name: the whole file is one part")
            guess = guess_role("", "", "")
            match = name_role(self.source.stem)
            if match is not None:
                guess = RoleGuess(match.role, round(match.confidence * 0.9, 2),
                                  f"from the file name {self.source.name!r}")
            return [self._unit(list(range(len(bodies))), self.source.stem or "assembly", guess, ())]
        taken: set[int] = set()
        units: list[Unit] = []
        for sub, members, said in self._merged_subassemblies():
            label = self._subassembly_label(sub)
            guess = RoleGuess(said.role, said.confidence, f"from the sub-assembly name {sub[-1]!r}")
            path = "/".join(sub)
            patterns = tuple(p for p in dict.fromkeys((f"*/{glob_escape(sub[-1])}/*", f"*/{glob_escape(label)}/*",
                                                       f"{glob_escape(path)}/*"))
                             if set(self.select.groups(p)) == set(members))
            unit = self._unit(members, label, guess, patterns)
            unit.subassembly = path
            unit.merged = _listing([bodies[i].name for i in members]) + " as one part"
            units.append(unit)
            taken.update(members)
        for i, body in enumerate(bodies):
            if i in taken:
                continue
            patterns = tuple(glob_escape(t) for t in dict.fromkeys((body.node, body.geometry, body.path))
                             if t and self.select.literal(t) == {i})
            unit = self._unit([i], self.labels[i], self.guesses[i], patterns)
            unit.product = body.geometry
            units.append(unit)
        if len(bodies) > 1 and any(not u.patterns for u in units):
            self.notes.append("some bodies cannot be told apart by name or path: the whole file is one part")
            guess = guess_role("", "", "")
            return [self._unit(list(range(len(bodies))), self.source.stem or "assembly", guess, ())]
        return units

    def _unit(self, members: list[int], label: str, guess: RoleGuess, patterns: tuple[str, ...]) -> Unit:
        bodies = [self.bodies[i] for i in members]
        mesh, boxes, health = weld_bodies(bodies, self.transform)
        chord = max((b.chord_error_mm or 0.0) * self.units.scale for b in bodies)
        breps: tuple[tuple[Path, np.ndarray], ...] = ()
        if all(b.shape_file is not None and b.placement is not None for b in bodies):
            breps = tuple((b.shape_file, self.transform @ b.placement) for b in bodies
                          if b.shape_file is not None and b.placement is not None)
        return Unit(bodies=members, label=label, role=guess.role, confidence=guess.confidence, reason=guess.reason,
                    mesh=mesh, boxes=boxes, health=health, patterns=patterns, chord=chord, breps=breps)

    def _merged_subassemblies(self) -> list[tuple[tuple[str, ...], list[int], RoleGuess]]:
        """(path, bodies, role) of the innermost sub-assemblies (never the root) named as one unit, of two or
        more bodies, none of them a fastener or a pad by its own name."""
        below: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i, body in enumerate(self.bodies):
            segments = _segments(body.path)
            for depth in range(2, len(segments)):
                below[segments[:depth]].append(i)
        named = {}
        for sub in below:
            match = name_role(re.sub(r"#\d+$", "", sub[-1]))
            if match is not None and match.role in UNIT_ROLES and match.confidence >= LIKELY:
                named[sub] = match
        found = []
        for sub, match in named.items():
            if any(other != sub and other[:len(sub)] == sub for other in named):
                continue   # a fan wall of fans: its fans are the units
            members = below[sub]
            if len(members) < 2:
                continue
            separate = [i for i in members if any(m is not None and m.role in SEPARATE_ROLES and m.confidence >= LIKELY
                                                  for m in (name_role(self.bodies[i].node),
                                                            name_role(self.bodies[i].geometry)))]
            if separate:
                self.notes.append(f"{'/'.join(sub)}: kept as separate parts, since "
                                  f"{self.bodies[separate[0]].name!r} in it is a part of its own")
                continue
            found.append((sub, members, RoleGuess(match.role, match.confidence, "")))
        return sorted(found, key=lambda f: min(f[1]))

    @cached_property
    def _reserved(self) -> set[str]:
        """Names a sub-assembly's part must not take: every body's name, label and instance-path suffix."""
        reserved = {b.node for b in self.bodies} | {b.geometry for b in self.bodies} | set(self.labels)
        for b in self.bodies:
            segments = _segments(b.path)
            reserved.update("/".join(segments[k:]) for k in range(len(segments)))
        return reserved

    def _subassembly_label(self, sub: tuple[str, ...]) -> str:
        """The shortest suffix of the sub-assembly's path that no body shares as a name or path suffix."""
        for k in range(len(sub) - 1, -1, -1):
            candidate = "/".join(sub[k:])
            if candidate not in self._reserved:
                self._reserved.add(candidate)
                return candidate
        return _fresh("/".join(sub), self._reserved)
