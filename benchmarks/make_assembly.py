"""Generate a board-level STEP assembly of N bodies (a load/check benchmark input), through XCAF like the sled example.

    python benchmarks/make_assembly.py OUT.step [--bodies 1000] [--seed 0]

``write_assembly(path, bodies=1000, seed=0)`` writes exactly ``bodies`` bodies (at least 9) and returns a summary.
The tree, in mm (x across, y back, z up; the same stack as examples/step-sled: 1 mm floor, 5 mm standoffs, a
1.6 mm board with its top at z 7.6, the lid underside at 42.656)::

    BENCH_BOARD
      TRAY, LID, MAINBOARD, STANDOFF_1..6            one product each (STANDOFF: one product, 6 instances)
      BANK_1..b : BANK                               sub-assembly, 4 channels in a row (48 x 12 mm)
        CH_1..4 : CHANNEL                            sub-assembly: U1 (QFN32), C1..C4 (0402), R1, R2 (0402)
      PWR_1..p : POWER_STAGE                         sub-assembly: L1 (4 x 4 mm), U1 (SOIC8), C1, C2 (6.3 x 7.7 mm
                                                     electrolytic cylinders)
      R1.., C1.., L1.., U1.., J1.., D1.., Y1..       loose parts in 9 mm cells, one of 11 products each, turned by
                                                     0 or 90 degrees (chosen by the seed), e.g. C101, R12, J3, U7

About 40 % of the bodies are in banks, 15 % in power stages, the rest are loose parts. The seed picks each loose
part's product and turn; the counts and the layout depend only on ``bodies``. Every small part sits on the board
top face (face-to-face contact); parts are at least 0.7 mm apart and 5 mm from the board edges; nothing overlaps.
The board is 400 mm wide and as deep as the rows need (about 150 mm for 1000 bodies). The file is byte-for-byte the
same for the same arguments (see examples/step-sled/make_sled.py for the XCAF writer and the fixed header).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from OCP.gp import gp_Ax1, gp_Dir, gp_Pnt, gp_Trsf, gp_Vec
from OCP.TDF import TDF_Label
from OCP.TopLoc import TopLoc_Location
from OCP.TopoDS import TopoDS_Shape

ROOT = Path(__file__).resolve().parents[1]


def _load_sled_module():
    """examples/step-sled/make_sled.py (the folder name is not a package name): its shapes and XCAF writer."""
    name = "make_sled"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / "step-sled" / "make_sled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sled = _load_sled_module()

FLOOR, PCB_BOTTOM, PCB_TOP = sled.FLOOR, sled.PCB_BOTTOM, sled.PCB_TOP
LID_BOTTOM, LID_TOP = sled.LID_BOTTOM, sled.LID_TOP
BOARD_W = 400.0
MARGIN = 10.0              # board edge to the tray walls (x) and to the tray ends (y)
EDGE = 5.0                 # first row / column from the board edge
FIXED_BODIES = 9           # tray, lid, board, 6 standoffs
BANK_BODIES, BANK_PITCH = 4 * 7, (50.0, 14.0)
PWR_BODIES, PWR_PITCH = 4, (28.0, 12.0)
CELL = 9.0                 # loose parts: one per 9 x 9 mm cell, footprint <= 8 mm


@dataclass(frozen=True)
class Part:
    """A catalogue part: a box (dx, dy, h) or an upright cylinder (d, h), origin at the centre of its underside."""

    product: str
    prefix: str
    size: tuple[float, ...]
    rgb: tuple[float, float, float]
    weight: int = 0        # how often it is picked for a loose cell (0: never)

    def shape(self) -> TopoDS_Shape:
        if len(self.size) == 2:
            d, h = self.size
            return sled.z_cylinder(0.0, 0.0, 0.0, d, h)
        dx, dy, h = self.size
        return sled.box((-dx / 2, -dy / 2, 0.0), (dx / 2, dy / 2, h))


CATALOGUE = (
    Part("R_0402", "R", (1.0, 0.5, 0.35), (0.10, 0.10, 0.10), 6),
    Part("R_0603", "R", (1.6, 0.8, 0.45), (0.12, 0.12, 0.12), 4),
    Part("C_0402", "C", (1.0, 0.5, 0.5), (0.72, 0.60, 0.42), 6),
    Part("C_0805", "C", (2.0, 1.25, 1.25), (0.70, 0.58, 0.40), 4),
    Part("C_ELEC_6x7", "C", (6.3, 7.7), (0.20, 0.25, 0.55), 2),
    Part("L_4x4", "L", (4.0, 4.0, 2.0), (0.25, 0.25, 0.27), 2),
    Part("U_QFN32", "U", (5.0, 5.0, 0.9), (0.15, 0.15, 0.16), 2),
    Part("U_SOIC8", "U", (4.9, 3.9, 1.5), (0.14, 0.14, 0.15), 2),
    Part("J_HDR_2x3", "J", (7.62, 5.08, 8.5), (0.05, 0.05, 0.05), 1),
    Part("D_SOD123", "D", (2.7, 1.6, 1.1), (0.08, 0.08, 0.08), 2),
    Part("Y_3225", "Y", (3.2, 2.5, 0.8), (0.80, 0.80, 0.82), 1),
)
BY_NAME = {p.product: p for p in CATALOGUE}
# (designator, product, centre x, centre y) in the channel's 12 x 12 mm cell and the power stage's 26 x 10 mm one
CHANNEL = (("U1", "U_QFN32", 6.0, 6.0), ("C1", "C_0402", 1.5, 3.75), ("C2", "C_0402", 1.5, 8.25),
           ("C3", "C_0402", 10.5, 3.75), ("C4", "C_0402", 10.5, 8.25), ("R1", "R_0402", 6.0, 1.25),
           ("R2", "R_0402", 6.0, 10.75))
POWER_STAGE = (("L1", "L_4x4", 3.0, 5.0), ("U1", "U_SOIC8", 8.45, 5.0), ("C1", "C_ELEC_6x7", 15.0, 5.0),
               ("C2", "C_ELEC_6x7", 22.0, 5.0))
COLOURS = {"TRAY": (0.72, 0.73, 0.75), "LID": (0.60, 0.62, 0.65), "MAINBOARD": (0.05, 0.45, 0.18),
           "STANDOFF": (0.80, 0.66, 0.30)}


def placement(x: float, y: float, z: float, quarter_turns: int = 0) -> TopLoc_Location:
    """Turn about the z axis by quarter_turns x 90 degrees, then move to (x, y, z)."""
    t = gp_Trsf()
    if quarter_turns % 4:
        t.SetRotation(gp_Ax1(gp_Pnt(0, 0, 0), gp_Dir(0, 0, 1)), quarter_turns * math.pi / 2)
    move = gp_Trsf()
    move.SetTranslation(gp_Vec(x, y, z))
    return TopLoc_Location(move.Multiplied(t))


def _rows(n: int, per_row: int) -> int:
    return -(-n // per_row) if n else 0


def plan(bodies: int) -> dict[str, int]:
    """How many banks, power stages and loose parts make ``bodies`` bodies, and the rows they take."""
    if bodies < FIXED_BODIES:
        raise ValueError(f"bodies must be at least {FIXED_BODIES} (tray, lid, board and 6 standoffs)")
    rest = bodies - FIXED_BODIES
    banks = int(rest * 0.40) // BANK_BODIES
    power = int(rest * 0.15) // PWR_BODIES
    loose = rest - banks * BANK_BODIES - power * PWR_BODIES
    usable = BOARD_W - 2 * EDGE
    per = {"bank": int(usable // BANK_PITCH[0]), "power": int(usable // PWR_PITCH[0]), "loose": int(usable // CELL)}
    return {"banks": banks, "power_stages": power, "loose": loose,
            "bank_rows": _rows(banks, per["bank"]), "power_rows": _rows(power, per["power"]),
            "loose_rows": _rows(loose, per["loose"]), "banks_per_row": per["bank"], "power_per_row": per["power"],
            "loose_per_row": per["loose"]}


def write_assembly(path: str | Path, bodies: int = 1000, seed: int = 0) -> dict[str, object]:
    """Write the assembly to ``path`` (STEP AP214, mm); returns the plan, the product count and the time taken."""
    t0 = time.perf_counter()
    path = Path(path)
    p = plan(bodies)
    rng = random.Random(seed)
    rows = p["bank_rows"] * BANK_PITCH[1] + p["power_rows"] * PWR_PITCH[1] + p["loose_rows"] * CELL
    depth = max(2 * EDGE + rows, 20.0)      # 20 mm at least: room for the two rows of standoffs
    bx0, by0 = MARGIN, MARGIN
    tray_w, tray_d = BOARD_W + 2 * MARGIN, depth + 2 * MARGIN

    x = sled.Xcaf()
    products: dict[str, TDF_Label] = {}

    def product(name: str, make: Callable[[], TopoDS_Shape], rgb: tuple[float, float, float]) -> TDF_Label:
        if name not in products:
            products[name] = x.part(name, make(), rgb)
        return products[name]

    def catalogue(name: str) -> TDF_Label:
        part = BY_NAME[name]
        return product(name, part.shape, part.rgb)

    def add(parent: TDF_Label, label: TDF_Label, name: str, loc: TopLoc_Location) -> None:
        sled.set_name(x.shapes.AddComponent(parent, label, loc), name)

    def sub_assembly(name: str, items: Sequence[tuple[str, str, float, float]]) -> TDF_Label:
        asm = x.assembly(name)
        for ref, prod, cx, cy in items:
            add(asm, catalogue(prod), ref, placement(cx, cy, 0.0))
        return asm

    root = x.assembly("BENCH_BOARD")
    w, t = 1.0, FLOOR
    add(root, product("TRAY", lambda: sled.prism_xz(
        [(0, 0), (tray_w, 0), (tray_w, LID_BOTTOM), (tray_w - w, LID_BOTTOM), (tray_w - w, t), (w, t),
         (w, LID_BOTTOM), (0, LID_BOTTOM)], 0.0, tray_d), COLOURS["TRAY"]), "TRAY", placement(0, 0, 0))
    add(root, product("LID", lambda: sled.box((0, 0, LID_BOTTOM), (tray_w, tray_d, LID_TOP)), COLOURS["LID"]),
        "LID", placement(0, 0, 0))
    add(root, product("MAINBOARD", lambda: sled.box((0, 0, 0), (BOARD_W, depth, PCB_TOP - PCB_BOTTOM)),
                      COLOURS["MAINBOARD"]), "MAINBOARD", placement(bx0, by0, PCB_BOTTOM))
    standoff = product("STANDOFF", sled.standoff, COLOURS["STANDOFF"])
    for k, (sx, sy) in enumerate(((sx, sy) for sy in (4.0, depth - 4.0) for sx in (4.0, BOARD_W / 2, BOARD_W - 4.0)),
                                 start=1):
        add(root, standoff, f"STANDOFF_{k}", placement(bx0 + sx, by0 + sy, FLOOR))

    top = PCB_TOP
    y = by0 + EDGE
    if p["banks"]:
        channel = sub_assembly("CHANNEL", CHANNEL)
        bank = x.assembly("BANK")
        for c in range(4):
            add(bank, channel, f"CH_{c + 1}", placement(12.0 * c, 0.0, 0.0))
        for k in range(p["banks"]):
            row, col = divmod(k, p["banks_per_row"])
            add(root, bank, f"BANK_{k + 1}", placement(bx0 + EDGE + col * BANK_PITCH[0], y + row * BANK_PITCH[1], top))
        y += p["bank_rows"] * BANK_PITCH[1]
    if p["power_stages"]:
        stage = sub_assembly("POWER_STAGE", POWER_STAGE)
        for k in range(p["power_stages"]):
            row, col = divmod(k, p["power_per_row"])
            add(root, stage, f"PWR_{k + 1}", placement(bx0 + EDGE + col * PWR_PITCH[0], y + row * PWR_PITCH[1], top))
        y += p["power_rows"] * PWR_PITCH[1]
    counters: dict[str, int] = {}
    loose_parts = [part for part in CATALOGUE if part.weight]
    weights = [part.weight for part in loose_parts]
    for k in range(p["loose"]):
        part = rng.choices(loose_parts, weights)[0]
        turns = rng.randrange(2)
        counters[part.prefix] = counters.get(part.prefix, 0) + 1
        row, col = divmod(k, p["loose_per_row"])
        cx, cy = bx0 + EDGE + (col + 0.5) * CELL, y + (row + 0.5) * CELL
        add(root, catalogue(part.product), f"{part.prefix}{counters[part.prefix]}", placement(cx, cy, top, turns))

    x.write(path, f"sledcheck benchmark: board assembly, {bodies} bodies, seed {seed}")
    assemblies = 1 + 2 * bool(p["banks"]) + bool(p["power_stages"])     # BENCH_BOARD, BANK + CHANNEL, POWER_STAGE
    return {**p, "bodies": bodies, "seed": seed, "products": len(products) + assemblies,
            "board_mm": (BOARD_W, round(depth, 3)), "seconds": time.perf_counter() - t0,
            "bytes": path.stat().st_size}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="the STEP file to write")
    ap.add_argument("--bodies", type=int, default=1000, help="number of bodies (default 1000, at least 9)")
    ap.add_argument("--seed", type=int, default=0, help="picks the loose parts' products and turns (default 0)")
    a = ap.parse_args(argv)
    info = write_assembly(a.out, a.bodies, a.seed)
    print(f"wrote {a.out}: {info['bodies']} bodies ({info['banks']} banks, {info['power_stages']} power stages, "
          f"{info['loose']} loose parts), board {info['board_mm'][0]:g} x {info['board_mm'][1]:g} mm, "
          f"{info['bytes']} bytes, {info['seconds']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
