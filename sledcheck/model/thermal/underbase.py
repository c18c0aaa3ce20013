"""The passage under a heat sink's base beside its package: air that runs between the board and the base, past the
package's sides, and so bypasses the fins (a leak path of the same kind as the tip gap; Simons & Schmidt,
"A simple method to estimate heat sink air flow bypass", ElectronicsCooling 3(2), 1997).

Read from the CAD (mm in, SI out): the gap between the top of the board under the sink and the underside of the
base plate (a pedestal or rails below the plate count among the gap's contents, below), on each side of the
package across the flow (x), over the length along the flow (y) where the package is under the base (the
narrowest stretch: the open stretches before and after it, as wide as the base, are not counted, so the passage's
resistance is slightly low and its flow slightly high, which errs towards less fin flow).

Other parts in the gap (each part's mesh clipped to the gap, its volume for a closed part, split into its
connected pieces): a piece that fills the gap's height over its whole length narrows it by the width it covers (a
gasket or foam strip beside the package); one that fills its height and its whole width somewhere along it closes
it (a blocker across it). Smaller pieces (a screw, a capacitor) are not subtracted, which errs the same way as
the length. A part whose surface comes no further than :data:`SLACK_MM` into the gap, and that does not fill it,
is not in it (found from its triangle boxes and one ray, without clipping it: a heat sink's base plate, whose
underside bounds the gap, is most of that).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ...geometry.proximity import faces_in_region, winding_numbers
from ...thermal.network import FinSection
from ..assembly import Assembly, Part
from .cad import M_PER_MM, SinkGeometry, board_top_mm

#: how far a piece must reach into the gap along every axis to count [mm]
SLACK_MM = 1e-3


def under_base_passages(assembly: Assembly, sink: SinkGeometry, package: str) -> tuple[tuple[float, float, float], ...]:
    """(width, height, length) [m] of the passages under ``sink``'s base on either side of ``package`` (none
    where the package fills the base's width, the base sits on the board, or a part blocks the gap)."""
    hs = assembly.part(sink.part)
    pkg = assembly.part(package)
    (hx0, hy0, hz0), (hx1, hy1, _) = (tuple(float(v) for v in corner) for corner in hs.bounds)
    (px0, py0, _), (px1, py1, _) = (tuple(float(v) for v in corner) for corner in pkg.bounds)
    plate_mm = float(sink.fins.base_bounds[0][2]) if sink.fins.base_normal == "+z" else hz0   # plate underside
    z0, z1 = board_top_mm(assembly, hs), max(plate_mm, hz0)
    y0, y1 = max(hy0, py0), min(hy1, py1)
    if not (z1 - z0 > 0.0 and y1 - y0 > 0.0):
        return ()
    out = []
    for x0, x1 in ((hx0, px0), (px1, hx1)):
        if x1 - x0 <= 0.0:
            continue
        pieces = _pieces_in(assembly, (x0, x1), (y0, y1), (z0, z1), exclude=(package,))   # the sink's rails count
        width = _free_width((x0, x1), (y0, y1), (z0, z1), pieces)
        if width > 0.0:
            out.append((width * M_PER_MM, (z1 - z0) * M_PER_MM, (y1 - y0) * M_PER_MM))
    return tuple(out)


def _pieces_in(assembly: Assembly, xs: tuple[float, float], ys: tuple[float, float], zs: tuple[float, float],
               exclude: tuple[str, ...]) -> list[Any]:
    """Bounding boxes [mm] of the connected pieces of every other part inside the box xs x ys x zs [mm]."""
    from shapely.geometry import box

    from ...geometry.clip import clip_to_prism

    outline = box(xs[0], ys[0], xs[1], ys[1])
    found = []
    for part in assembly.parts:
        (bx0, by0, bz0), (bx1, by1, bz1) = part.bounds
        if part.name in exclude or bx1 <= xs[0] or bx0 >= xs[1] or by1 <= ys[0] or by0 >= ys[1] or \
                bz1 <= zs[0] or bz0 >= zs[1] or _stays_out(part, xs, ys, zs):
            continue
        for piece in clip_to_prism(part.mesh, part.triangle_boxes, outline, zs[0], zs[1],
                                   solid=bool(part.health.closed)):
            if len(piece.faces) == 0:
                continue
            found += [component.bounds for component in piece.split(only_watertight=False)]
    return found


def _stays_out(part: Part, xs: tuple[float, float], ys: tuple[float, float], zs: tuple[float, float]) -> bool:
    """Does ``part`` come no further than SLACK_MM into the box xs x ys x zs [mm] without filling it? No triangle
    meets the box shrunk by SLACK_MM, and its centre is outside the part (a ray's winding number; a part not
    closed has no inside)."""
    inner = np.array([[xs[0], ys[0], zs[0]], [xs[1], ys[1], zs[1]]]) + [[SLACK_MM], [-SLACK_MM]]
    if np.any(inner[1] <= inner[0]) or len(faces_in_region(part.triangle_boxes, inner)):
        return False
    if not part.health.closed:
        return True
    winding = winding_numbers(inner.mean(axis=0)[None], part.mesh.vertices, part.mesh.faces, part.triangle_boxes)
    return winding is not None and int(winding[0]) == 0


def _free_width(xs: tuple[float, float], ys: tuple[float, float], zs: tuple[float, float], pieces: list[Any],
                slack_mm: float = SLACK_MM) -> float:
    """Width [mm] of the gap x in ``xs``, y in ``ys``, z in ``zs`` [mm] left open by the pieces whose bounding
    boxes are ``pieces`` (module docstring): 0 when one closes it."""
    width = xs[1] - xs[0]
    covered = 0.0
    for (bx0, by0, bz0), (bx1, by1, bz1) in pieces:
        ox = min(xs[1], bx1) - max(xs[0], bx0)
        if ox <= slack_mm or min(ys[1], by1) - max(ys[0], by0) <= slack_mm or \
                min(zs[1], bz1) - max(zs[0], bz0) <= slack_mm:
            continue                       # not in the gap
        if not (bz0 <= zs[0] + slack_mm and bz1 >= zs[1] - slack_mm):
            continue                       # does not fill the gap's height
        if ox >= width - slack_mm:         # fills the gap's width and height somewhere along it: closed
            return 0.0
        if by0 <= ys[0] + slack_mm and by1 >= ys[1] - slack_mm:
            covered += ox                  # a strip along the whole gap: narrows it
    return max(width - covered, 0.0)


def with_under_base_passages(assembly: Assembly, sink: SinkGeometry, package: str) -> SinkGeometry:
    """``sink`` whose bypass also has the passages under its base beside ``package``."""
    passages = under_base_passages(assembly, sink, package)
    if not passages:
        return sink
    section = FinSection(sink=sink.section.sink, bypass=sink.section.bypass.with_passages(passages))
    return dataclasses.replace(sink, section=section)
