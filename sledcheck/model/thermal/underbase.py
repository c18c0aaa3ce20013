"""The passage under a heat sink's base beside its package: air that runs between the board and the base, past the
package's sides, and so bypasses the fins (a leak path of the same kind as the tip gap; Simons & Schmidt,
"A simple method to estimate heat sink air flow bypass", ElectronicsCooling 3(2), 1997).

Read from the CAD's bounding boxes (mm in, SI out): the gap between the top of the board under the sink and the
underside of the base, on each side of the package across the flow (x), over the length along the flow (y) where
the package is under the base (the narrowest stretch: the open stretches before and after it, as wide as the base,
are not counted, so the passage's resistance is slightly low and its flow slightly high, which errs towards less
fin flow). Parts inside the gap (screws, capacitors) are not subtracted, for the same reason.
"""

from __future__ import annotations

import dataclasses

from ...thermal.network import FinSection
from ..assembly import Assembly
from .cad import M_PER_MM, SinkGeometry, board_top_mm


def under_base_passages(assembly: Assembly, sink: SinkGeometry, package: str) -> tuple[tuple[float, float, float], ...]:
    """(width, height, length) [m] of the passages under ``sink``'s base on either side of ``package`` (none
    where the package fills the base's width or the base sits on the board)."""
    hs = assembly.part(sink.part)
    pkg = assembly.part(package)
    (hx0, hy0, hz0), (hx1, hy1, _) = hs.bounds
    (px0, py0, _), (px1, py1, _) = pkg.bounds
    height = float(hz0) - board_top_mm(assembly, hs)
    length = min(float(hy1), float(py1)) - max(float(hy0), float(py0))
    if not (height > 0.0 and length > 0.0):
        return ()
    sides = (float(px0) - float(hx0), float(hx1) - float(px1))
    return tuple((w * M_PER_MM, height * M_PER_MM, length * M_PER_MM) for w in sides if w > 0.0)


def with_under_base_passages(assembly: Assembly, sink: SinkGeometry, package: str) -> SinkGeometry:
    """``sink`` whose bypass also has the passages under its base beside ``package``."""
    passages = under_base_passages(assembly, sink, package)
    if not passages:
        return sink
    section = FinSection(sink=sink.section.sink, bypass=sink.section.bypass.with_passages(passages))
    return dataclasses.replace(sink, section=section)
