"""An IDF board's keep-outs and height limits as design zones, placed with the board's part."""

from __future__ import annotations

import numpy as np

from ...errors import MeshLoadError
from ..zones import Zone
from . import IdfBoard


def design_zones(board: IdfBoard, board_part: str, entry: str, matrix: np.ndarray) -> tuple[Zone, ...]:
    """The board's zones in sled coordinates: outlines moved by ``matrix`` (4x4 [mm]), heights measured from the
    top of ``board_part`` (``above``), limiting only the parts of the design entry ``entry`` (its components).

    TOP: a keep-out spans the board top up; a height limit h lets nothing rise more than h above it. BOTTOM: a
    keep-out spans the board bottom down, and a height limit h is a keep-out from h below the bottom down.
    """
    if not board.zones:
        return ()
    flat = np.allclose(matrix[2, :3], (0.0, 0.0, 1.0)) and np.allclose(matrix[:2, 2], 0.0)
    if not flat:
        raise MeshLoadError("an IDF board with keep-outs or height limits must lie flat (top up); its zones are "
                            "measured from the board's top surface", file=board.board.file, field="rotation",
                            hint="rotate the board about z only")
    thickness = board.board.thickness_mm
    out = []
    for zone in board.zones:
        ring = np.asarray(zone.outline, dtype=float)
        moved = ring @ matrix[:2, :2].T + matrix[:2, 3]
        outline = tuple((float(x), float(y)) for x, y in moved)
        kind = zone.kind
        z: tuple[float | None, float | None]
        if zone.side == "TOP":
            z = (zone.height_mm, None) if kind == "height" else (0.0, None)
        else:
            kind = "keepout"
            z = (None, -thickness - (zone.height_mm or 0.0))
        out.append(Zone(kind=kind, name=zone.name, outline=outline, z=z, above=board_part, allow=(), roles=(entry,),
                        source=f"IDF {board.board.file}:{zone.line}", file=board.board.file, line=zone.line,
                        pack=board.board.file))
    return tuple(out)
