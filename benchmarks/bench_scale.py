"""Benchmark: how a full check grows with triangles and with parts, against merely loading the meshes.

    python benchmarks/bench_scale.py [--big] [--runs 1] [--out DIR] [--profile CASE] [--timeline CASE]
                                     [--fit-only]

Cases (each generated into a temporary folder, or ``--out DIR``, which is kept):

* ``sled-0.5M``, ``sled-2M`` (and with ``--big`` ``sled-5M``, ``sled-10M``): the 46-part 2U sled of
  :mod:`bench_check` (heat-pipe plate-fin sinks, DIMMs, fans, a tray whose box encloses everything) at about
  that many triangles, with its full design (``bench_check.generate(full=True)``): every heat sink's screws
  against the board's holes and a thermal section (four ducted lanes of two 250 W packages in series under the
  heat-pipe sinks), so the check recognises the sinks' fins and the holes from sections and runs the thermal
  model (``--fit-only``: the fit-only design of ``bench_check.py``). Many parts sit within a millimetre of each
  other and every part lies inside the tray's bounding box, so the "wholly inside another" question is asked of
  nearly every pair.
* ``board-100``, ``board-1000`` (and with ``--big`` ``board-5000``): a tray, a board and the rest small closed
  parts (boxes and 24-sided cylinders) in a grid on the board, 0.4 mm apart: one binary STL each, all near their
  neighbours (5000 parts: where a cost quadratic in the parts shows, as the candidate pairs' N x N scan did).

For each case, each timed in a fresh Python process (best of ``--runs``; only the call itself is timed, with
the modules imported first, as ``import trimesh`` is for the load; ``import sledcheck.pipeline`` takes about
2 s here):

  load    ``trimesh.load(path)`` of every mesh file;
  check   ``sledcheck.check(design)`` (every rule, thermal and holes included), with the process's peak
          resident memory (the kernel's high-water mark, VmHWM) and, separately, the peak of Python-tracked allocations
          during the check (``tracemalloc``, numpy buffers included) against the raw STL bytes;
  html    the same check with ``views=True`` and its HTML report rendered (what ``--format html`` does;
          matplotlib's import is inside), unless ``--no-html``.

``SLEDCHECK_WORKERS`` (threads for per-part work) is passed on to the children. It prints one row per case
(triangles, parts, load s, check s, check/load, HTML s and what it adds, peak memory / raw bytes) and the
growth exponents: the slope of log(check s) over log(triangles) between the sled cases, and over log(parts)
between the boards. ``--profile CASE`` also prints the top of a cProfile of the check
of that case (the calling thread only); ``--timeline CASE`` the wall-clock spans of its main stages and rules on
each thread (where the two cores wait on each other). Exit 0 always once every case ran (the figures are the
result), 2 when a check raises.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import trimesh

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_check  # noqa: E402  (the sled generator lives there)

GAP_MM = 0.4          # spacing between the small parts of the board case
CELL_MM = 6.0         # pitch of the board grid [mm]
PART_H_MM = 3.0       # height of the small parts [mm]


def _box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
    return bench_check.box(lo, hi)


def generate_board(out: Path, parts: int) -> tuple[Path, int]:
    """A tray (a pan with four walls: one closed volume), a board on it and ``parts - 2`` small closed parts
    in a square grid on the board, each ``GAP_MM`` from its neighbours; one binary STL per part."""
    n_small = parts - 2
    side = math.ceil(math.sqrt(n_small))
    size = CELL_MM - GAP_MM
    width = side * CELL_MM + 20.0
    cad = out / "cad"
    cad.mkdir(parents=True, exist_ok=True)
    meshes: dict[str, tuple[trimesh.Trimesh, str]] = {
        "tray": (bench_check.union([_box((0, 0, 0), (width, width, 1.0)), _box((0, 0, 1.0), (1.0, width, 12.0)),
                                    _box((width - 1.0, 0, 1.0), (width, width, 12.0)),
                                    _box((1.0, 0, 1.0), (width - 1.0, 1.0, 12.0)),
                                    _box((1.0, width - 1.0, 1.0), (width - 1.0, width, 12.0))]), "tray"),
        "board": (_box((5.0, 5.0, 1.0), (width - 5.0, width - 5.0, 2.6)), "pcb"),
    }
    cylinder = trimesh.creation.cylinder(radius=size / 2, height=PART_H_MM, sections=24)
    for k in range(n_small):
        x0, y0 = 10.0 + (k % side) * CELL_MM, 10.0 + (k // side) * CELL_MM
        if k % 2:
            mesh = _box((x0, y0, 2.6), (x0 + size, y0 + size, 2.6 + PART_H_MM))
        else:
            mesh = cylinder.copy().apply_translation((x0 + size / 2, y0 + size / 2, 2.6 + PART_H_MM / 2))
        meshes[f"c{k}"] = (mesh, "other")
    lines, total = [], 0
    for name, (mesh, role) in meshes.items():
        mesh.export(cad / f"{name}.stl")
        total += len(mesh.faces)
        lines.append(f"  {name}: {{file: cad/{name}.stl, role: {role}}}\n")
    design = out / "design.yaml"
    design.write_text(f"sledcheck: 1\nname: bench-board-{parts}\nunits: mm\nparts:\n" + "".join(lines)
                      + "contacts:\n  - [pcb, tray]\n  - [other, pcb]\nclearance:\n  - {min: 0.3 mm}\n",
                      encoding="utf-8")
    return design, total


def work_load(design: Path) -> dict:
    paths = sorted((design.parent / "cad").glob("*.stl"))
    start = time.perf_counter()
    meshes = [trimesh.load(str(p)) for p in paths]
    return {"seconds": time.perf_counter() - start, "triangles": sum(len(m.faces) for m in meshes)}


def peak_rss_bytes() -> int:
    """This process's peak resident memory [B]: the kernel's high-water mark of its own address space (VmHWM).
    Not ``ru_maxrss``: Linux carries that across exec, so a child spawned by a parent that had grown (this script
    generating a 10 M sled) would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def work_check(design: Path) -> dict:
    import tracemalloc

    import sledcheck
    import sledcheck.pipeline  # noqa: F401  (imported before the clock starts, as trimesh is for the load)

    before = peak_rss_bytes()
    start = time.perf_counter()
    report = sledcheck.check(design, fail_on="never")
    seconds = time.perf_counter() - start
    peak_rss = peak_rss_bytes()
    tracemalloc.start()   # a second run under tracemalloc: peak of tracked allocations (numpy included)
    sledcheck.check(design, fail_on="never")
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"seconds": seconds, "peak_rss": peak_rss, "rss_before": before, "traced_peak": traced,
            "findings": sorted([f.code, *sorted(f.subjects)] for f in report.findings)}


def work_html(design: Path) -> dict:
    import sledcheck
    import sledcheck.pipeline  # noqa: F401
    from sledcheck.report import renderer

    start = time.perf_counter()
    report = sledcheck.check(design, fail_on="never", views=True)
    html = renderer("html")(report)
    return {"seconds": time.perf_counter() - start, "html_bytes": len(html)}


def work_profile(design: Path) -> dict:
    import sledcheck

    sledcheck.check(design, fail_on="never")   # warm imports and caches of the interpreter
    profile = cProfile.Profile()
    profile.enable()
    sledcheck.check(design, fail_on="never")
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(35)
    return {"profile": text.getvalue()}


#: the stages a timeline shows: (module, function) of sledcheck, wrapped in the child to record their spans
TIMED = (("sledcheck.pipeline", "build_assembly"), ("sledcheck.model.pairs", "analyse_pairs"),
         ("sledcheck.geometry.heatsinks", "_recognise"), ("sledcheck.model.thermal.analyse", "_analyse"),
         ("sledcheck.model.mass", "assembly_mass"))


def work_timeline(design: Path) -> dict:
    """Wall-clock spans [s] of the main stages and of each rule, per thread, in one check (cProfile sees only
    the calling thread, while the analyses run on the other core)."""
    import functools
    import importlib
    import threading

    import sledcheck

    sledcheck.check(design, fail_on="never")   # warm imports and caches of the interpreter
    spans: list[tuple[str, str, float, float]] = []
    start = time.perf_counter()

    def timed(module: object, name: str) -> None:
        inner = getattr(module, name)

        @functools.wraps(inner)
        def wrapper(*args: object, **kwargs: object) -> object:
            begin = time.perf_counter() - start
            try:
                return inner(*args, **kwargs)
            finally:
                spans.append((threading.current_thread().name, name, begin, time.perf_counter() - start))

        setattr(module, name, wrapper)

    for module_name, name in TIMED:
        timed(importlib.import_module(module_name), name)
    current: list[tuple[str, float]] = []

    def progress(message: str) -> None:   # a rule runs from its message to the next rule's (or the end)
        if not message.startswith(("rule ", "end")):
            return
        now = time.perf_counter() - start
        if current:
            spans.append(("MainThread", current[0][0], current[0][1], now))
        current[:] = [(message, now)]

    start = time.perf_counter()
    sledcheck.check(design, fail_on="never", progress=progress)
    wall = time.perf_counter() - start
    progress("end")
    rows = [f"{thread:20s} {a:7.2f} {b:7.2f} {b - a:7.2f}  {what}" for thread, what, a, b in sorted(spans, key=lambda
            x: x[2]) if b - a >= 0.01 * wall]
    return {"timeline": f"wall {wall:.2f} s; spans of at least 1 % of it (thread, from, to, seconds, what):\n"
                        + "\n".join(rows)}


WORK = {"load": work_load, "check": work_check, "html": work_html, "profile": work_profile,
        "timeline": work_timeline}


def run_child(kind: str, design: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(design)], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def best(kind: str, design: Path, runs: int) -> dict:
    results = [run_child(kind, design) for _ in range(runs)]
    return min(results, key=lambda r: r["seconds"])


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) over log(x): the growth exponent."""
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0]) if len(xs) >= 2 else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also the 5 M and 10 M triangle sleds and a 5000-part board")
    parser.add_argument("--runs", type=int, default=1, help="runs of each timing; the best is reported")
    parser.add_argument("--out", type=Path, help="write the cases here (default: a temporary folder)")
    parser.add_argument("--only", help="comma-separated case names to run (default: all)")
    parser.add_argument("--profile", metavar="CASE", help="print a cProfile of the check of this case")
    parser.add_argument("--timeline", metavar="CASE", help="print each thread's stages and rules in a check of it")
    parser.add_argument("--no-html", action="store_true", help="skip the check with the HTML report")
    parser.add_argument("--fit-only", action="store_true", help="sleds without hole patterns and thermal section")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DESIGN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(WORK[args.child[0]](Path(args.child[1]))))
        return 0
    sleds = [500_000, 2_000_000] + ([5_000_000, 10_000_000] if args.big else [])
    boards = [100, 1000] + ([5000] if args.big else [])
    cases = [(f"sled-{t / 1e6:g}M", "sled", t) for t in sleds] + [(f"board-{n}", "board", n) for n in boards]
    if args.only:
        cases = [c for c in cases if c[0] in args.only.split(",")]
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="sledcheck-scale-") as tmp:
        root = args.out or Path(tmp)
        for name, kind, size in cases:
            out = root / name
            if (out / "design.yaml").exists():
                design = out / "design.yaml"
                triangles = sum(int(np.frombuffer(p.read_bytes()[80:84], "<u4")[0])
                                for p in (out / "cad").glob("*.stl"))
            elif kind == "sled":
                with open(os.devnull, "w") as quiet:
                    saved, sys.stdout = sys.stdout, quiet
                    try:
                        design, _, triangles = bench_check.generate(out, size, full=not args.fit_only)
                    finally:
                        sys.stdout = saved
            else:
                design, triangles = generate_board(out, size)
            files = sorted((out / "cad").glob("*.stl"))
            raw = sum(p.stat().st_size for p in files)
            try:
                load = best("load", design, args.runs)
                check = best("check", design, args.runs)
                html = None if args.no_html else best("html", design, args.runs)["seconds"]
            except RuntimeError as err:
                print(f"{name}: {err}")
                return 2
            rows.append({"case": name, "kind": kind, "triangles": triangles, "parts": len(files), "raw": raw,
                         "load": load["seconds"], "html": html, **check})
            r = rows[-1]
            shown = "" if html is None else f"  html {html:7.3f} s (+{100 * (html / r['seconds'] - 1):3.0f} %)"
            print(f"{name:11s} {triangles:>11,} tri {len(files):>5} parts  load {r['load']:7.3f} s  check "
                  f"{r['seconds']:7.3f} s  check/load {r['seconds'] / r['load']:5.2f}{shown}  "
                  f"raw {raw / 2**20:7.1f} MiB  "
                  f"peak RSS {r['peak_rss'] / raw:5.2f}x raw  traced peak {r['traced_peak'] / raw:5.2f}x raw  "
                  f"findings {len(r['findings'])}", flush=True)
            if args.profile == name:
                print(run_child("profile", design)["profile"])
            if args.timeline == name:
                print(run_child("timeline", design)["timeline"])
    sled_rows = [r for r in rows if r["kind"] == "sled"]
    board_rows = [r for r in rows if r["kind"] == "board"]
    print(f"growth exponent of check time with triangles (sleds): "
          f"{slope([r['triangles'] for r in sled_rows], [r['seconds'] for r in sled_rows]):.2f}")
    print(f"growth exponent of check time with parts (boards): "
          f"{slope([r['parts'] for r in board_rows], [r['seconds'] for r in board_rows]):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
