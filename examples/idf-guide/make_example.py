"""Writes the IDF-and-design-guide example: an accelerator board as an IDF 3.0 export (board, package, four
decoupling capacitors, a connector; `ecad/accel_board.emn` + `.emp`), the same board with the capacitors moved
out from under the heat sink (`ecad/accel_board_fixed.emn`), and a copper plate-fin heat sink (`cad/heatsink.stl`).
Deterministic: running it again writes the same bytes.

    python examples/idf-guide/make_example.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh

HERE = Path(__file__).resolve().parent
HEADER = '.HEADER\nBOARD_FILE 3.0 "sledcheck example" 2026/12/01.12:00:00 1\n{name} MM\n.END_HEADER\n'
OUTLINE = (".BOARD_OUTLINE ECAD\n1.6\n0 0.0 0.0 0.0\n0 200.0 0.0 0.0\n0 200.0 150.0 0.0\n0 0.0 150.0 0.0\n"
           "0 0.0 0.0 0.0\n.END_BOARD_OUTLINE\n")
HOLES = (".DRILLED_HOLES\n3.2 50.0 25.0 NPTH BOARD MTG MCAD\n3.2 150.0 25.0 NPTH BOARD MTG MCAD\n"
         "3.2 50.0 125.0 NPTH BOARD MTG MCAD\n3.2 150.0 125.0 NPTH BOARD MTG MCAD\n.END_DRILLED_HOLES\n")
LIBRARY = """.HEADER
LIBRARY_FILE 3.0 "sledcheck example" 2026/12/01.12:00:00 1
.END_HEADER
.ELECTRICAL
BGA_60 "ACCEL-1" MM 3.0
0 -30.0 -30.0 0.0
0 30.0 -30.0 0.0
0 30.0 30.0 0.0
0 -30.0 30.0 0.0
0 -30.0 -30.0 0.0
.END_ELECTRICAL
.ELECTRICAL
CAP_1210 "CAP-22UF" MM 2.5
0 -1.6 -1.25 0.0
0 1.6 -1.25 0.0
0 1.6 1.25 0.0
0 -1.6 1.25 0.0
0 -1.6 -1.25 0.0
.END_ELECTRICAL
.MECHANICAL
CONN_20x8 "PWR-CONN" MM 9.0
0 -10.0 -4.0 0.0
0 10.0 -4.0 0.0
0 10.0 4.0 0.0
0 -10.0 4.0 0.0
0 -10.0 -4.0 0.0
.END_MECHANICAL
"""


def board(name: str, caps: list[tuple[float, float]]) -> str:
    rows = ['BGA_60 "ACCEL-1" U1\n100.0 75.0 0.0 0.0 TOP PLACED\n']
    rows += [f'CAP_1210 "CAP-22UF" C{k + 1}\n{x:.1f} {y:.1f} 0.0 0.0 TOP PLACED\n' for k, (x, y) in enumerate(caps)]
    rows.append('CONN_20x8 "PWR-CONN" J1\n180.0 20.0 0.0 0.0 TOP PLACED\n')
    return HEADER.format(name=name) + OUTLINE + HOLES + ".PLACEMENT\n" + "".join(rows) + ".END_PLACEMENT\n"


def heatsink() -> trimesh.Trimesh:
    """A 90 x 90 mm plate-fin sink: a 5 mm base and 20 fins 1 mm thick and 30 mm tall along y."""
    def box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
        lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
        return trimesh.creation.box(extents=hi_a - lo_a,
                                    transform=trimesh.transformations.translation_matrix((lo_a + hi_a) / 2))

    pieces = [box((0, 0, 0), (90, 90, 5))]
    pitch = (90 - 1) / 19
    pieces += [box((k * pitch, 0, 5), (k * pitch + 1, 90, 35)) for k in range(20)]
    return trimesh.boolean.union(pieces, engine="manifold")


def main() -> None:
    # four capacitors at the package's corners, 4 mm outside it: under the 90 x 90 mm sink's footprint
    under = [(66.0, 41.0), (134.0, 41.0), (66.0, 109.0), (134.0, 109.0)]
    (HERE / "ecad" / "accel_board.emn").write_text(board("accel_board", under), encoding="utf-8")
    (HERE / "ecad" / "accel_board.emp").write_text(LIBRARY, encoding="utf-8")
    # the fixed layout: the capacitors outside the footprint (x 55..145, y 30..120), beside the mounting holes
    beside = [(40.0, 40.0), (160.0, 40.0), (40.0, 110.0), (160.0, 110.0)]
    (HERE / "ecad" / "accel_board_fixed.emn").write_text(board("accel_board_fixed", beside), encoding="utf-8")
    (HERE / "ecad" / "accel_board_fixed.emp").write_text(LIBRARY, encoding="utf-8")
    heatsink().export(HERE / "cad" / "heatsink.stl")


if __name__ == "__main__":
    main()
