"""Benchmark: `sledcheck check` on a realistic ~2 M-triangle 2U accelerator sled, against merely loading its
meshes and against a plain trimesh/python-fcl all-pairs script.

    python benchmarks/bench_check.py [--triangles 2000000] [--out DIR] [--runs 3]

1. Generates a 2U sled (440 x 800 mm pan, EIA-310 2U envelope) into a temporary folder (or ``--out``): tray
   with side and rear walls, I/O cut-outs and a vented floor, lid, board with drilled holes, 12 standoffs,
   8 accelerator packages under 8 heat-pipe plate-fin heat sinks (64 fins with rounded tips, 6 heat pipes
   through the fin stack, 2 in the base), 16 DIMMs with sockets, latches and DRAM packages, 6 60x38 mm fans
   (round bore, hub, 7 blades, struts, corner holes), a riser bracket and 3 connectors: 46 parts, one binary
   STL (mm) each, and ``design.yaml``. Heat-pipe and fan-bore segment counts are chosen so the assembly has
   about ``--triangles`` triangles (heat sinks are the dense parts, as in real CAD exports). Every mesh is a
   closed volume (manifold3d booleans, or concatenations of disjoint closed pieces).
   The design has deliberate problems: heatsink7 was drawn 1 mm taller (1.0 mm under the lid, needs 1.5 mm:
   D201), the power connector ``conn_pwr`` sits 0.3 mm from DIMM B8 (needs 0.5 mm: D201), and the rear I/O
   connector ``conn_io0`` goes through the rear wall next to its cut-out, which was drawn 4 mm off (D101).
2. Times, each best of ``--runs`` runs, each run in a fresh Python process (no caches shared between runs;
   only the timed call is timed, not the interpreter start or imports):
   LOAD   ``trimesh.load(path)`` of every mesh file (what "merely loading the meshes" means);
   CHECK  ``sledcheck.check(design)`` in-process (includes its own loading of the same files);
   PLAIN  a plain script: ``trimesh.load`` every file, add every mesh to ``trimesh.collision.CollisionManager``
          (one full-mesh FCL BVH each), ``in_collision_internal(return_names=True)``,
          ``min_distance_internal(return_names=True)``, then the minimum distance of every pair of parts with
          ``fcl.distance`` on the manager's two full BVHs (the per-pair gaps sledcheck's clearance rule needs;
          the plain script computes no overlap volumes, mesh health or other rules, so it does less work).
   The ``sledcheck check`` command line is also run once (wall time including interpreter start and imports).
3. Prints a table and exits 1 when a target is missed (check <= 3x load, plain >= 3x check), 2 when the check
   does not report the deliberate problems (or reports an unexpected error).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import trimesh
from shapely.geometry import Polygon

# --- sled geometry [mm]: x width (0..440), y depth (airflow from the fans at y = 0 to the back), z height --------
WIDTH, DEPTH = 440.0, 800.0
FLOOR = 1.0
LID_TOP = 88.0                  # under the 88.106 mm EIA-310 2U panel height
LID_BOTTOM = LID_TOP - 1.0
PCB_BOTTOM, PCB_TOP = 6.0, 7.6
PKG_SUBSTRATE, PKG_LID = 2.0, 3.0
PKG_TOP = PCB_TOP + PKG_SUBSTRATE + PKG_LID
HS_BASE = 5.0
HS_TOP_GAP = 2.0                # normal heat sinks end 2.0 mm under the lid (need 1.5 mm)
HS_TALL_GAP = 1.0               # heatsink7: 1.0 mm under the lid (a D201 violation)
HS_WIDTH, HS_LENGTH = 96.0, 110.0
HS_FINS, HS_FIN_T, HS_FIN_PITCH, HS_FIN_LENGTH = 64, 0.4, 1.5, 90.0
HS_PIPES = ((-37.5, 20.0), (-22.5, 45.0), (-7.5, 20.0), (7.5, 45.0), (22.5, 20.0), (37.5, 45.0))  # (y, z) from base
HS_BASE_PIPES = (-15.0, 15.0)   # y of the two pipes sunk in the base
HS_PIPE_R, HS_PIPE_HALF = 3.0, 50.0
HS_HOLES = ((-40.0, -51.0), (40.0, -51.0), (-40.0, 51.0), (40.0, 51.0))
HS_CENTRES = tuple((x, y) for y in (150.0, 300.0) for x in (67.0, 169.0, 271.0, 373.0))
FAN_X0 = tuple(10.0 + 71.0 * i for i in range(6))
FAN_Y0, FAN_SIZE, FAN_DEPTH = 10.0, 60.0, 38.0
DIMM_X0 = tuple([80.0 + 8.0 * i for i in range(8)] + [300.0 + 8.0 * i for i in range(8)])
DIMM_Y0 = 401.0
STANDOFFS = tuple((x, y) for x in (20.0, 220.0, 420.0) for y in (70.0, 230.0, 380.0, 590.0))
BOARD_LO, BOARD_HI = (10.0, 60.0), (430.0, 780.0)
TARGET_CHECK_OVER_LOAD = 3.0
TARGET_PLAIN_OVER_CHECK = 3.0

#: (code, subjects) the check must report; anything else at error severity is unexpected.
EXPECTED = {("D201", ("heatsink7", "lid")), ("D201", ("conn_pwr", "dimm16")), ("D101", ("tray", "conn_io0"))}


# --- geometry helpers ------------------------------------------------------------------------------------------
def box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
    lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
    return trimesh.creation.box(extents=hi_a - lo_a, transform=trimesh.transformations.translation_matrix(
        (lo_a + hi_a) / 2))


def cylinder(radius: float, p0: tuple[float, float, float], p1: tuple[float, float, float],
             sections: int) -> trimesh.Trimesh:
    return trimesh.creation.cylinder(radius=radius, segment=np.array([p0, p1], float), sections=max(8, sections))


def union(meshes: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    return trimesh.boolean.union(meshes, engine="manifold")


def difference(meshes: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    return trimesh.boolean.difference(meshes, engine="manifold")


def extrude_y(outline: Polygon, length: float) -> trimesh.Trimesh:
    """Extrude an outline drawn in (x, z) along +y from y = 0 to ``length`` (a proper rotation: winding kept)."""
    prism = trimesh.creation.extrude_polygon(outline, height=length)
    prism.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, (1, 0, 0)))  # (u, v, w) -> (u, -w, v)
    prism.apply_translation((0.0, length, 0.0))
    return prism


def arc(cx: float, cz: float, r: float, a0: float, a1: float, n: int) -> list[tuple[float, float]]:
    return [(cx + r * np.cos(a), cz + r * np.sin(a)) for a in np.linspace(a0, a1, max(2, n))]


# --- parts -----------------------------------------------------------------------------------------------------
def heatsink(fin_height: float, pipe_seg: int, tip_seg: int) -> trimesh.Trimesh:
    """Heat-pipe plate-fin heat sink centred on the origin, base underside at z = 0; fins are planes of constant x
    (air flows along y) with rounded tips, pierced by six heat pipes along x; two more pipes sunk in the base."""
    base = box((-HS_WIDTH / 2, -HS_LENGTH / 2, 0.0), (HS_WIDTH / 2, HS_LENGTH / 2, HS_BASE))
    t, r = HS_FIN_T, HS_FIN_T / 2
    profile = Polygon([(0.0, 0.0), (t, 0.0), *arc(r, fin_height - r, r, 0.0, np.pi, tip_seg), (0.0, 0.0)][:-1])
    fin = extrude_y(profile, HS_FIN_LENGTH)
    fin.apply_translation((0.0, -HS_FIN_LENGTH / 2, HS_BASE - 0.01))  # 10 um into the base: one solid
    field = (HS_FINS - 1) * HS_FIN_PITCH + t
    fins = [fin.copy().apply_translation((-field / 2 + i * HS_FIN_PITCH, 0.0, 0.0)) for i in range(HS_FINS)]
    pipes = [cylinder(HS_PIPE_R, (-HS_PIPE_HALF, y, HS_BASE + z), (HS_PIPE_HALF, y, HS_BASE + z), pipe_seg)
             for y, z in HS_PIPES]
    pipes += [cylinder(HS_PIPE_R, (-HS_WIDTH / 2 + 1, y, HS_BASE - 1), (HS_WIDTH / 2 - 1, y, HS_BASE - 1), pipe_seg)
              for y in HS_BASE_PIPES]
    holes = [cylinder(1.75, (x, y, -1.0), (x, y, HS_BASE + 1.0), pipe_seg // 2) for x, y in HS_HOLES]
    return difference([union([base, *fins, *pipes]), *holes])


def fan(bore_seg: int) -> trimesh.Trimesh:
    """60 x 38 x 60 mm (x, y, z) fan, corner at the origin: frame with round bore and corner holes, hub, seven
    blades, four struts at the outlet side."""
    c = (FAN_SIZE / 2, FAN_SIZE / 2)
    frame = box((0, 0, 0), (FAN_SIZE, FAN_DEPTH, FAN_SIZE))
    bore = cylinder(29.0, (c[0], -1, c[1]), (c[0], FAN_DEPTH + 1, c[1]), bore_seg)
    corner = [cylinder(2.2, (x, -1, z), (x, FAN_DEPTH + 1, z), bore_seg // 4) for x in (5.0, 55.0) for z in (5.0, 55.0)]
    hub = cylinder(14.0, (c[0], 3.0, c[1]), (c[0], 34.0, c[1]), bore_seg // 2)
    blades = []
    for k in range(7):
        a0 = 2 * np.pi * k / 7
        sector = Polygon(arc(0, 0, 27.5, a0, a0 + 0.55, bore_seg // 8) + arc(0, 0, 13.0, a0 + 0.55, a0, bore_seg // 16))
        blade = trimesh.creation.extrude_polygon(sector, height=12.0)      # in (x, y) then turned so z -> y
        blade.apply_transform(trimesh.transformations.rotation_matrix(-np.pi / 2, (1, 0, 0)))
        blade.apply_translation((c[0], 8.0, c[1]))
        blades.append(blade)
    struts = [box((c[0] - 1, 34.0, 0.5), (c[0] + 1, 37.0, FAN_SIZE - 0.5)),
              box((0.5, 34.0, c[1] - 1), (FAN_SIZE - 0.5, 37.0, c[1] + 1))]
    return union([difference([frame, bore, *corner]), hub, *blades, *struts])


def dimm(x0: float) -> trimesh.Trimesh:
    """DDR5 RDIMM in its socket, standing on the board top: socket, latches, module, 10 DRAM packages a side."""
    socket = box((x0, DIMM_Y0, PCB_TOP), (x0 + 7.0, DIMM_Y0 + 142.0, PCB_TOP + 6.0))
    latches = [box((x0 + 0.5, y, PCB_TOP + 6.0), (x0 + 6.5, y + 4.0, PCB_TOP + 12.0))
               for y in (DIMM_Y0, DIMM_Y0 + 138.0)]
    mx = x0 + 3.5 - 0.635
    module = box((mx, DIMM_Y0 + 4.3, PCB_TOP + 3.0), (mx + 1.27, DIMM_Y0 + 137.65, PCB_TOP + 34.25))
    chips = [box((x, DIMM_Y0 + 8.0 + 12.5 * i, PCB_TOP + 16.0), (x + 1.0, DIMM_Y0 + 19.0 + 12.5 * i, PCB_TOP + 27.0))
             for i in range(10) for x in (mx - 0.99, mx + 1.26)]
    return union([socket, *latches, module, *chips])


def tray(vent_seg: int) -> trimesh.Trimesh:
    pan = box((0, 0, 0), (WIDTH, DEPTH, FLOOR))
    walls = [box((0, 0, FLOOR), (1.0, DEPTH, LID_BOTTOM)), box((WIDTH - 1.0, 0, FLOOR), (WIDTH, DEPTH, LID_BOTTOM)),
             box((1.0, DEPTH - 1.0, FLOOR), (WIDTH - 1.0, DEPTH, LID_BOTTOM))]
    cutouts = [box((44.0, DEPTH - 2, PCB_BOTTOM), (96.0, DEPTH + 1, 24.0)),      # conn_io0's: drawn 4 mm off
               box((119.0, DEPTH - 2, PCB_BOTTOM), (171.0, DEPTH + 1, 24.0))]    # conn_io1's
    vents = [cylinder(2.5, (x, y, -1), (x, y, FLOOR + 1), vent_seg)
             for x in np.arange(40.0, 400.0, 12.0) for y in np.arange(610.0, 770.0, 12.0)]
    return difference([union([pan, *walls]), *cutouts, *vents])


def board(hole_seg: int) -> trimesh.Trimesh:
    plate = box((*BOARD_LO, PCB_BOTTOM), (*BOARD_HI, PCB_TOP))
    holes = [cylinder(1.6, (x, y, PCB_BOTTOM - 1), (x, y, PCB_TOP + 1), hole_seg) for x, y in STANDOFFS]
    holes += [cylinder(2.0, (cx + dx, cy + dy, PCB_BOTTOM - 1), (cx + dx, cy + dy, PCB_TOP + 1), hole_seg)
              for cx, cy in HS_CENTRES for dx, dy in HS_HOLES]
    return difference([plate, *holes])


def standoffs(seg: int) -> trimesh.Trimesh:
    """Twelve M3 standoffs from the floor to the board underside (disjoint closed pieces)."""
    return trimesh.util.concatenate([difference([cylinder(3.0, (x, y, FLOOR), (x, y, PCB_BOTTOM), seg),
                                                 cylinder(1.25, (x, y, FLOOR + 1.0), (x, y, PCB_BOTTOM + 1), seg)])
                                     for x, y in STANDOFFS])


def package(cx: float, cy: float) -> trimesh.Trimesh:
    substrate = box((cx - 35, cy - 35, PCB_TOP), (cx + 35, cy + 35, PCB_TOP + PKG_SUBSTRATE))
    lid = box((cx - 28, cy - 28, PCB_TOP + PKG_SUBSTRATE), (cx + 28, cy + 28, PKG_TOP))
    return union([substrate, lid])


def connector(lo: tuple[float, float, float], hi: tuple[float, float, float], pins: int) -> trimesh.Trimesh:
    """A connector shell with a row of pin cavities on its top."""
    body = box(lo, hi)
    pitch = (hi[0] - lo[0] - 4.0) / max(1, pins - 1)
    cavities = [cylinder(0.6, (lo[0] + 2 + i * pitch, (lo[1] + hi[1]) / 2, hi[2] - 3), (lo[0] + 2 + i * pitch,
                (lo[1] + hi[1]) / 2, hi[2] + 1), 16) for i in range(pins)]
    return difference([body, *cavities])


def build(pipe_seg: int, other_seg: int) -> dict[str, tuple[trimesh.Trimesh, str]]:
    """Every part: name -> (mesh placed in sled coordinates [mm], role)."""
    tip_seg = max(4, pipe_seg // 16)
    fin_h = LID_BOTTOM - HS_TOP_GAP - PKG_TOP - HS_BASE
    normal = heatsink(fin_h, pipe_seg, tip_seg)
    tall = heatsink(fin_h + HS_TOP_GAP - HS_TALL_GAP, pipe_seg, tip_seg)
    fan_mesh = fan(other_seg)
    parts: dict[str, tuple[trimesh.Trimesh, str]] = {
        "tray": (tray(other_seg // 4), "tray"),
        "lid": (box((0, 0, LID_BOTTOM), (WIDTH, DEPTH, LID_TOP)), "lid"),
        "board": (board(other_seg // 2), "pcb"),
        "standoffs": (standoffs(other_seg // 2), "standoff"),
    }
    for i, (cx, cy) in enumerate(HS_CENTRES):
        parts[f"package{i}"] = (package(cx, cy), "package")
    for i, (cx, cy) in enumerate(HS_CENTRES):
        mesh = (tall if i == 7 else normal).copy()
        parts[f"heatsink{i}"] = (mesh.apply_translation((cx, cy, PKG_TOP)), "heatsink")
    for i, x0 in enumerate(DIMM_X0):
        parts[f"dimm{i + 1}"] = (dimm(x0), "dimm")
    for i, x0 in enumerate(FAN_X0):
        parts[f"fan{i + 1}"] = (fan_mesh.copy().apply_translation((x0, FAN_Y0, FLOOR)), "fan")
    parts["riser"] = (union([box((395, 600, PCB_TOP), (415, 700, 80)), box((395, 600, 78), (430, 700, 80))]), "bracket")
    parts["conn_io0"] = (connector((40.0, 770.0, PCB_TOP), (90.0, 805.0, 22.0), 24), "connector")
    parts["conn_io1"] = (connector((120.0, 770.0, PCB_TOP), (170.0, 805.0, 22.0), 24), "connector")
    parts["conn_pwr"] = (connector((DIMM_X0[-1] + 7.3, 450.0, PCB_TOP), (380.0, 480.0, 20.0), 8), "connector")
    return parts


def plan(target: int) -> tuple[int, int]:
    """Segment counts (heat pipes, fans/board/tray) that give about ``target`` triangles in total."""
    other_seg = int(np.clip(256 * np.sqrt(target / 2_000_000), 64, 512))
    probe = {s: build_count(s, other_seg) for s in (32, 64)}
    slope = (probe[64] - probe[32]) / 32.0
    return max(8, round(32 + (target - probe[32]) / slope)), other_seg


def build_count(pipe_seg: int, other_seg: int) -> int:
    return sum(len(m.faces) for m, _ in build(pipe_seg, other_seg).values())


DESIGN_HEAD = """\
# Generated by benchmarks/bench_check.py: a 2U accelerator sled, {parts} parts, {triangles} triangles.
# Deliberate problems: heatsink7 1.0 mm under the lid (D201), conn_pwr 0.3 mm from dimm16 (D201), conn_io0
# through the rear wall beside its mis-drawn cut-out (D101).
sledcheck: 1
name: bench-2u-sled
units: mm
specs: [eia-310-2u]
overrides:
  eia-310-2u:
    envelope.depth: {{value: 820 mm, reason: "benchmark rack"}}
parts:
"""
DESIGN_TAIL = """\
contacts:
  - [heatsink, package]
  - [package, pcb]
  - [dimm, pcb]
  - [fan, tray]
  - [lid, tray]
  - [standoff, pcb]
  - [standoff, tray]
  - [connector, pcb]
  - [bracket, pcb]
clearance:
  - {min: 0.5 mm}
  - {between: [heatsink, lid], min: 1.5 mm}
"""
#: What a full design adds (``generate(..., full=True)``): each heat sink's screws against the board's holes and
#: a thermal section (four ducted lanes of two sinks in series, 250 W packages), so a check runs hole finding,
#: heat-sink recognition and the thermal model on the dense parts, as a real sled's check does.
FULL_TAIL = """\
hole_patterns:
{holes}thermal:
  environment: {{ashrae_class: A2, altitude: 900 m, nominal_inlet: 25 degC}}
  fans: {{model: server-60x38, speed: 100 %}}
  lanes:
{lanes}  components:
{components}"""
LANES = (("a", ("fan1", "fan2"), (0, 4)), ("b", ("fan3",), (1, 5)), ("c", ("fan4",), (2, 6)),
         ("d", ("fan5", "fan6"), (3, 7)))


def full_tail() -> str:
    holes = "".join(f"  - {{part: heatsink{i}, against: board, tolerance: 0.2 mm}}\n" for i in range(len(HS_CENTRES)))
    lanes = "".join(f"    - {{name: {name}, fans: [{', '.join(fans)}], width: 101 mm, "
                    f"losses: [{{name: rear IO, k: 1.0}}], components: [{', '.join(f'package{i}' for i in pkgs)}]}}\n"
                    for name, fans, pkgs in LANES)
    components = "".join(f"    package{i}: {{power: 250 W, tj_max: 95 degC, r_jc: 0.03 K/W, tim: phase-change, "
                         f"heatsink: heatsink{i}, material: copper, source: [40 mm, 40 mm], required_margin: 5 K}}\n"
                         for i in range(len(HS_CENTRES)))
    return FULL_TAIL.format(holes=holes, lanes=lanes, components=components)


def generate(out: Path, target: int, full: bool = False) -> tuple[Path, list[Path], int]:
    """Write the meshes and design.yaml into ``out`` (``full``: with hole patterns and a thermal section); return
    the design, the mesh files and the triangle count."""
    pipe_seg, other_seg = plan(target)
    parts = build(pipe_seg, other_seg)
    cad = out / "cad"
    cad.mkdir(parents=True, exist_ok=True)
    files, lines, total = [], [], 0
    for name, (mesh, role) in parts.items():
        if not mesh.is_volume:
            raise RuntimeError(f"generated part {name} is not a closed volume")
        path = cad / f"{name}.stl"
        mesh.export(path)
        files.append(path)
        total += len(mesh.faces)
        lines.append(f"  {name}: {{file: cad/{name}.stl, role: {role}}}\n")
    design = out / "design.yaml"
    design.write_text(DESIGN_HEAD.format(parts=len(parts), triangles=total) + "".join(lines) + DESIGN_TAIL
                      + (full_tail() if full else ""),
                      encoding="utf-8")
    print(f"generated {len(parts)} parts, {total} triangles (heat-pipe segments {pipe_seg}, fan bore segments "
          f"{other_seg}) in {out}", flush=True)
    return design, files, total


# --- the timed workloads (each run in a fresh child process) ---------------------------------------------------
def work_load(design: Path) -> dict:
    paths = sorted((design.parent / "cad").glob("*.stl"))
    start = time.perf_counter()
    meshes = [trimesh.load(str(p)) for p in paths]
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "triangles": sum(len(m.faces) for m in meshes)}


def work_check(design: Path) -> dict:
    import sledcheck

    start = time.perf_counter()
    report = sledcheck.check(design)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "verdict": report.verdict,
            "findings": [[f.code, f.severity, sorted(f.subjects), f.message] for f in report.findings]}


def work_plain(design: Path) -> dict:
    import fcl

    paths = sorted((design.parent / "cad").glob("*.stl"))
    start = time.perf_counter()
    manager = trimesh.collision.CollisionManager()
    for p in paths:
        manager.add_object(p.stem, trimesh.load(str(p)))
    hit, colliding = manager.in_collision_internal(return_names=True)
    closest, closest_names = manager.min_distance_internal(return_names=True)
    names = sorted(manager._objs)
    gaps = {}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            result = fcl.DistanceResult()
            gaps[a, b] = fcl.distance(manager._objs[a]["obj"], manager._objs[b]["obj"], fcl.DistanceRequest(), result)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "colliding": len(colliding), "pairs": len(gaps),
            "under_0.5mm": sum(1 for d in gaps.values() if d < 0.5)}


WORK: dict[str, Callable[[Path], dict]] = {"load": work_load, "check": work_check, "plain": work_plain}


def run_child(kind: str, design: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(design)], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def best_of(kind: str, design: Path, runs: int) -> tuple[float, list[float], dict]:
    results = [run_child(kind, design) for _ in range(runs)]
    times = [r["seconds"] for r in results]
    print(f"  {kind:6s} runs: {', '.join(f'{t:.3f}' for t in times)} s", flush=True)
    return min(times), times, results[0]


def cli_time(design: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sledcheck", "check", str(design)], capture_output=True, check=False)
    return time.perf_counter() - start, proc.returncode


def sanity(findings: list) -> list[str]:
    """Problems with the check's findings: a deliberate problem not reported, or an unexpected error."""
    got = {(code, tuple(subjects)) for code, _sev, subjects, _msg in findings}
    problems = [f"expected {code} {subjects} not reported" for code, subjects in sorted(EXPECTED)
                if (code, tuple(sorted(subjects))) not in got]
    expected = {(c, tuple(sorted(s))) for c, s in EXPECTED}
    problems += [f"unexpected {code} {subjects}: {msg}" for code, sev, subjects, msg in findings
                 if sev == "error" and (code, tuple(subjects)) not in expected]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triangles", type=int, default=2_000_000, help="about this many triangles in total")
    parser.add_argument("--out", type=Path, help="write the assembly here (default: a temporary folder)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each timing; the best is reported")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DESIGN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(WORK[args.child[0]](Path(args.child[1]))))
        return 0

    with tempfile.TemporaryDirectory(prefix="sledcheck-bench-") as tmp:
        out = args.out or Path(tmp)
        design, files, triangles = generate(out, args.triangles)
        print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}")
        load, _, load_info = best_of("load", design, args.runs)
        check, _, check_info = best_of("check", design, args.runs)
        plain, _, plain_info = best_of("plain", design, args.runs)
        cli, cli_rc = cli_time(design)
    findings = check_info["findings"]
    check_load, plain_check = check / load, plain / check
    ok_load, ok_plain = check_load <= TARGET_CHECK_OVER_LOAD, plain_check >= TARGET_PLAIN_OVER_CHECK
    rows = [
        ("triangles", f"{triangles:,}", ""),
        ("parts", f"{len(files)}", ""),
        ("load s (trimesh.load every file)", f"{load:.3f}", ""),
        ("check s (sledcheck.check)", f"{check:.3f}", ""),
        ("check/load", f"{check_load:.2f}", f"target <= {TARGET_CHECK_OVER_LOAD:g}: "
         + ("met" if ok_load else "MISSED")),
        ("plain s (CollisionManager all pairs)", f"{plain:.3f}", f"{plain_info['pairs']} pair distances"),
        ("plain/check", f"{plain_check:.2f}", f"target >= {TARGET_PLAIN_OVER_CHECK:g}: "
         + ("met" if ok_plain else "MISSED")),
        ("check findings", f"{len(findings)}", f"verdict {check_info['verdict']}"),
        ("CLI `sledcheck check` s (1 run)", f"{cli:.3f}",
         f"exit {cli_rc}; {cli - check:+.3f} s vs the best in-process check (start-up, imports, report)"),
    ]
    print()
    for label, value, note in rows:
        print(f"{label:40s} {value:>12s}  {note}")
    for code, severity, subjects, message in findings:
        print(f"  {code} {severity:7s} {', '.join(subjects)}: {message[:110]}")
    problems = sanity(findings)
    for problem in problems:
        print(f"SANITY: {problem}")
    if problems:
        return 2
    return 0 if ok_load and ok_plain else 1


if __name__ == "__main__":
    sys.exit(main())
