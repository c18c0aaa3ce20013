"""A body of a loaded file: what every reader returns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # types only: reading a design names a Body without loading the mesh library
    import numpy as np
    import trimesh


@dataclass(frozen=True, eq=False)
class Body:
    """One body of a file in the file's coordinates.

    ``node`` is its instance (scene-node) name and ``geometry`` its product (geometry) name; ``path`` is the
    instance path, root first and '/'-joined, where the file has an assembly tree ('' otherwise). For B-rep
    inputs (STEP) ``chord_error_mm`` is the largest distance between the mesh and the exact surface [mm],
    ``shape_file`` the exact shape (OpenCASCADE .brep, in its own frame, mm) and ``placement`` the 4x4 matrix
    from that frame to the file's [mm]; mesh inputs have None: their mesh is the geometry.
    """

    node: str
    geometry: str
    mesh: trimesh.Trimesh
    path: str = ""
    colour: tuple[float, float, float, float] | None = None
    chord_error_mm: float | None = None
    shape_file: Path | None = None
    placement: np.ndarray | None = None

    @property
    def name(self) -> str:
        """The name a person would use: the instance name, else the product name, else ''."""
        return self.node or self.geometry
