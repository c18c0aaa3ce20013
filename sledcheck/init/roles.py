"""Roles from the shape: plate-fin heat sinks, the tray, the lid and boards."""

from __future__ import annotations

import numpy as np

from ..geometry.heatsinks import PinFinGeometry, PlateFinGeometry, recognise_heatsink
from ..geometry.sections import Sections
from ..load.roles import LIKELY, SURE, RoleGuess, confidence_word, name_role
from .model import DraftState, Unit
from .settings import RECOGNITION_TRIANGLES


class ShapeRoles(DraftState):
    """Roles guessed from the geometry."""

    def _single_body_guess(self, guess: RoleGuess) -> RoleGuess:
        """A file of one body: its file name may say what it is (``heatsink.step``)."""
        if guess.confidence >= LIKELY:
            return guess
        stem = self.source.stem
        match = name_role(stem)
        if match is None or match.confidence <= guess.confidence:
            return guess
        return RoleGuess(match.role, round(match.confidence * 0.9, 2), f"from the file name {self.source.name!r}")

    def _shape_roles(self) -> None:
        """Heat sinks, tray, lid and boards from the geometry, where the names say little, or to confirm."""
        for unit in self.units_list:
            self._recognise_heatsink(unit)
        if any("Y-up" in w for w in self.warnings):
            self.notes.append("the assembly looks Y-up: tray, lid and board were not guessed from the shape "
                              "(sledcheck takes z as up)")
            return
        height = float(self.extents[2])
        tol = max(2.0, 0.05 * height)
        area = float(self.extents[0] * self.extents[1])
        others = len(self.units_list) - 1
        if others < 1 or area <= 0:
            return
        tray = self._tray(tol, area)
        lid = self._lid(tol, area, tray)
        for unit in self.units_list:
            if unit is not tray and unit is not lid:
                self._board(unit)

    def _inside(self, outer: Unit) -> np.ndarray:
        """Which units (other than ``outer``) have the centre of their footprint inside ``outer``'s footprint."""
        centres = (self.all_bounds[:, 0, :2] + self.all_bounds[:, 1, :2]) / 2
        inside = np.all((centres >= outer.bounds[0][:2] - 1e-6) & (centres <= outer.bounds[1][:2] + 1e-6), axis=1)
        inside[outer.index] = False
        return inside

    def _tray(self, tol: float, area: float) -> Unit | None:
        if len(self.units_list) < 4:
            return None
        candidates = [u for u in self.units_list if u.footprint >= 0.8 * area and u.bounds[0][2] <= self.bounds[0][2]
                      + tol]
        best = None
        for unit in sorted(candidates, key=lambda u: (-u.footprint, u.bounds[0][2], u.index)):
            inside = int(self._inside(unit).sum())
            if inside >= 0.6 * (len(self.units_list) - 1):
                best = unit
                self._shape_says(unit, "tray", 0.75, f"the largest body at the bottom, under {inside} of "
                                 f"{len(self.units_list) - 1} parts")
                break
        return best

    def _lid(self, tol: float, area: float, tray: Unit | None) -> Unit | None:
        for unit in sorted(self.units_list, key=lambda u: (-u.footprint, -u.bounds[1][2], u.index)):
            size = unit.bounds[1] - unit.bounds[0]
            if (unit is not tray and unit.footprint >= 0.5 * area and unit.bounds[1][2] >= self.bounds[1][2] - tol
                    and size[2] <= 0.25 * min(size[0], size[1])):
                self._shape_says(unit, "lid", 0.75, f"the largest thin plate on top ({size[2]:.3g} mm thick, "
                                 f"{size[0]:.4g} x {size[1]:.4g} mm)")
                return unit
        return None

    def _board(self, unit: Unit) -> None:
        size = unit.bounds[1] - unit.bounds[0]
        if size[2] > 6.0 or size[2] > 0.1 * min(size[0], size[1]) or min(size[0], size[1]) < 20.0:
            return
        top = unit.bounds[1][2]
        resting = int((self._inside(unit) & (np.abs(self.all_bounds[:, 0, 2] - top) <= 0.5)).sum())
        if resting >= 3:
            self._shape_says(unit, "pcb", 0.7, f"a thin plate ({size[2]:.3g} mm) with {resting} parts on it")

    def _recognise_heatsink(self, unit: Unit) -> None:
        size = unit.bounds[1] - unit.bounds[0]
        if max(size) < 10.0 or len(unit.mesh.faces) > RECOGNITION_TRIANGLES:
            return
        if unit.confidence >= SURE and unit.role != "heatsink":
            return
        try:
            found = recognise_heatsink(Sections(unit.mesh))
        except Exception:  # noqa: BLE001 - recognition is best-effort on arbitrary CAD
            return
        if isinstance(found, PlateFinGeometry):
            self._shape_says(unit, "heatsink", 0.8, f"a plate-fin heat sink, {found.fin_count} fins along "
                             f"{found.flow_axis}")
        elif isinstance(found, PinFinGeometry):
            self._shape_says(unit, "heatsink", 0.8, f"a pin-fin heat sink, {found.pin_count} {found.layout} pins")

    def _shape_says(self, unit: Unit, role: str, confidence: float, what: str) -> None:
        """The geometry says ``role``: it confirms the name, or decides where the name says little."""
        if unit.role == role:
            unit.confidence = round(max(unit.confidence, min(0.97, unit.confidence + 0.1), 0.9), 2)
            unit.shape_note = f"the shape agrees: {what}"
        elif unit.confidence < LIKELY:
            said = "" if unit.role == "component" and unit.confidence <= 0.2 else \
                f" (the name says {unit.role}, {confidence_word(unit.confidence)})"
            unit.set_role(role, confidence, f"guessed from geometry: {what}{said}")
        else:
            unit.shape_note = f"the shape looks like a {role}: {what}"
