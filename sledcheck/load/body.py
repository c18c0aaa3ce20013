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
    from that frame to the file's [mm]; mesh inputs have None: their mesh is the geometry. ``frame`` is the 4x4
    matrix from the frame the body was drawn in to the file's [mm] where a reader knows one without an exact
    shape (an IDF component: its library outline's frame, turned by its placement and, on the bottom side,
    flipped); :attr:`drawing_frame` answers for both.
    """

    node: str
    geometry: str
    mesh: trimesh.Trimesh
    path: str = ""
    colour: tuple[float, float, float, float] | None = None
    chord_error_mm: float | None = None
    shape_file: Path | None = None
    placement: np.ndarray | None = None
    frame: np.ndarray | None = None

    @property
    def drawing_frame(self) -> np.ndarray | None:
        """The 4x4 matrix from the body's own drawing frame to the file's [mm]: ``frame``, else the exact
        shape's ``placement``; None when the body is drawn in the file's frame."""
        return self.frame if self.frame is not None else self.placement

    @property
    def name(self) -> str:
        """The name a person would use: the instance name, else the product name, else ''."""
        return self.node or self.geometry
