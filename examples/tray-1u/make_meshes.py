"""Generate the CAD exports of the 1U accelerator-tray example (run from anywhere; writes cad/).

The tray is 440 mm wide (x), 700 mm deep (y, airflow from the fans at the front, y = 0, to the back) and
fits the EIA-310 1U envelope (43.66 mm). Two accelerator packages sit under copper plate-fin heat sinks,
eight VLP DIMMs behind them, six 40x40x56 mm dual-rotor fans at the front, a 1 mm steel lid on top, and a
riser bracket. Board revision A has one heat-sink mounting hole 0.8 mm out of place; revision B is right.

Two heat sinks are written: ``heatsink_tall.stl`` (fins 27.4 mm, top at 44.0 mm: drawn to "1.75 in" without
the panel gap and the lid, so it runs into the lid and out of the 1U envelope) and ``heatsink_fit.stl``
(fins 24.5 mm, top at 41.1 mm: 1.56 mm under the lid). ``heatsink_stacked.stl`` (fins 24.0 mm, 2.06 mm under
the lid) still clears 1.5 mm with the tolerances of everything under it (``toleranced.yaml``). Geometry is
plausible, not a real product: 48 fins 0.4 mm thick at 2.1 mm pitch on a 5 mm base, as in skived/zipper-fin
1U copper sinks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh

OUT = Path(__file__).resolve().parent / "cad"

FLOOR = 1.0            # tray floor thickness [mm]
LID_BOTTOM = 42.656    # lid underside [mm]: 1U panel height 43.656 mm less a 1 mm lid
LID_TOP = 43.656
PCB_BOTTOM, PCB_TOP = 6.0, 7.6
PACKAGE_TOP = PCB_TOP + 4.0
HS_BASE = 5.0
HS_FINS, HS_FIN_T = 48, 0.4
HS_FIN_FIELD = 100.0   # width of the fin field across the flow [mm]
HS_WIDTH, HS_LENGTH = 120.0, 140.0   # base: fins in the middle 100 mm, 10 mm mounting flanges each side
HS_HOLES = ((-55.0, -60.0), (55.0, -60.0), (-55.0, 60.0), (55.0, 60.0))  # mounting holes [mm] from the centre
ACCEL_CENTRES = ((130.0, 220.0), (310.0, 220.0))  # (x, y) of the packages [mm]


def box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
    lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
    centre = trimesh.transformations.translation_matrix((lo_a + hi_a) / 2)
    return trimesh.creation.box(extents=hi_a - lo_a, transform=centre)


def union(meshes: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    return trimesh.boolean.union(meshes, engine="manifold")


def heatsink(fin_height: float) -> trimesh.Trimesh:
    """One heat sink centred on the origin, base underside at z = 0 (the design places it on its package)."""
    cx = cy = z0 = 0.0
    base = box((cx - HS_WIDTH / 2, cy - HS_LENGTH / 2, z0), (cx + HS_WIDTH / 2, cy + HS_LENGTH / 2, z0 + HS_BASE))
    pitch = (HS_FIN_FIELD - HS_FIN_T) / (HS_FINS - 1)
    fins = [box((cx - HS_FIN_FIELD / 2 + i * pitch, cy - HS_LENGTH / 2, z0 + HS_BASE),
                (cx - HS_FIN_FIELD / 2 + i * pitch + HS_FIN_T, cy + HS_LENGTH / 2, z0 + HS_BASE + fin_height))
            for i in range(HS_FINS)]
    holes = [trimesh.creation.cylinder(radius=1.75, height=HS_BASE + 2, sections=48,
                                       transform=trimesh.transformations.translation_matrix(
                                           (cx + dx, cy + dy, z0 + HS_BASE / 2)))
             for dx, dy in HS_HOLES]
    solid = union([base, *fins])
    return trimesh.boolean.difference([solid, *holes], engine="manifold")


def board(misplaced: float) -> trimesh.Trimesh:
    """The 1.6 mm board with 4.0 mm holes for each heat sink's mounting screws. Revision A has the
    outer-rear hole of the second heat sink ``misplaced`` mm too far out in x (a pattern-revision mix-up)."""
    plate = box((10, 80, PCB_BOTTOM), (430, 680, PCB_TOP))
    holes = []
    for k, (cx, cy) in enumerate(ACCEL_CENTRES):
        for dx, dy in HS_HOLES:
            shift = misplaced if (k == 1 and dx > 0 and dy > 0) else 0.0
            holes.append(trimesh.creation.cylinder(
                radius=2.0, height=4.0, sections=48,
                transform=trimesh.transformations.translation_matrix((cx + dx + shift, cy + dy, PCB_BOTTOM + 0.8))))
    return trimesh.boolean.difference([plate, *holes], engine="manifold")


def fan() -> trimesh.Trimesh:
    """A 40 x 56 x 40 mm dual-rotor fan frame (x, y, z) with its 38 mm bore along y, corner at the origin."""
    frame = box((0, 0, 0), (40, 56, 40))
    bore = trimesh.creation.cylinder(radius=19.0, height=60, sections=64,
                                     transform=trimesh.transformations.rotation_matrix(np.pi / 2, (1, 0, 0)))
    bore.apply_translation((20, 28, 20))
    hub = trimesh.creation.cylinder(radius=9.0, height=56, sections=48,
                                    transform=trimesh.transformations.rotation_matrix(np.pi / 2, (1, 0, 0)))
    hub.apply_translation((20, 28, 20))
    struts = [box((19.0, 50.0, 0.5), (21.0, 53.0, 39.5)), box((0.5, 50.0, 19.0), (39.5, 53.0, 21.0))]
    return union([trimesh.boolean.difference([frame, bore], engine="manifold"), hub, *struts])


def dimms() -> trimesh.Scene:
    """Eight VLP DIMMs (with their sockets) at 8 mm pitch, as one GLB in metres (glTF convention)."""
    scene = trimesh.Scene()
    for i in range(8):
        x0 = 150.0 + 8.0 * i
        body = union([box((x0, 420.0, PCB_TOP), (x0 + 7.0, 565.0, PCB_TOP + 5.0)),                  # socket
                      box((x0 + 2.5, 425.0, PCB_TOP + 5.0), (x0 + 4.5, 558.35, PCB_TOP + 23.75))])  # VLP DIMM
        body.apply_scale(0.001)
        scene.add_geometry(body, node_name=f"DIMM_A{i + 1}", geom_name=f"dimm_a{i + 1}")
    return scene


def main() -> None:
    OUT.mkdir(exist_ok=True)
    tray = union([box((0, 0, 0), (440, 700, FLOOR)), box((0, 0, FLOOR), (1.0, 700, LID_BOTTOM)),
                  box((439.0, 0, FLOOR), (440, 700, LID_BOTTOM))])
    tray.export(OUT / "tray.stl")
    box((0, 0, LID_BOTTOM), (440, 700, LID_TOP)).export(OUT / "lid.3mf")
    standoffs = trimesh.util.concatenate([
        trimesh.creation.cylinder(radius=3.0, height=PCB_BOTTOM - FLOOR, sections=32,
                                  transform=trimesh.transformations.translation_matrix(
                                      (x, y, (FLOOR + PCB_BOTTOM) / 2)))
        for x in (20.0, 220.0, 420.0) for y in (90.0, 380.0, 670.0)])
    standoffs.export(OUT / "standoffs.stl")
    board(misplaced=0.8).export(OUT / "board_rev_a.stl")
    board(misplaced=0.0).export(OUT / "board_rev_b.stl")
    box((0, 0, 0), (20, 70, 30)).export(OUT / "riser.stl")
    for i, (cx, cy) in enumerate(ACCEL_CENTRES):
        box((cx - 35, cy - 35, PCB_TOP), (cx + 35, cy + 35, PACKAGE_TOP)).export(OUT / f"package{i}.stl")
    heatsink(27.4).export(OUT / "heatsink_tall.stl")
    heatsink(24.5).export(OUT / "heatsink_fit.stl")
    heatsink(24.0).export(OUT / "heatsink_stacked.stl")
    fan().export(OUT / "fan_4056.ply")
    dimms().export(OUT / "dimms.glb")


if __name__ == "__main__":
    main()
