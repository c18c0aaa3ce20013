"""`sledcheck init` + `sledcheck check` on a generated 1000-body STEP assembly, cold and warm, against
OpenCASCADE's own time to read and tessellate the same file.

    python benchmarks/bench_assembly.py [--bodies 1000] [--runs 3] [--out DIR]

The assembly comes from ``benchmarks/make_assembly.py`` (a board with small parts in sub-assemblies, a tray and a
lid; nothing overlaps). Every figure is the best of ``--runs`` fresh processes (wall clock):

* occ: a Python process that imports OCP, reads the file with STEPCAFControl_Reader (names, colours) and
  meshes every unique shape with BRepMesh at sledcheck's default tolerance (0.01 mm, 0.5 rad): the floor any
  OpenCASCADE-based tool pays;
* init cold / check cold: `sledcheck init` then `sledcheck check` with an empty tessellation cache;
* init warm / check warm: the same with the cache filled (a CI re-run on an unchanged export).

Cold runs start from an empty cache each; warm runs find the file's entry. Targets: check cold <= 3x occ + 5 s,
and warm runs faster than cold ones (the cache skips OpenCASCADE). Exit 0 when both are met, 1 otherwise, 2
when init or check fails or check finds a problem in the clean assembly.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_assembly import write_assembly  # noqa: E402

OCC_SCRIPT = """
import sys, time
t0 = time.perf_counter()
from OCP.STEPCAFControl import STEPCAFControl_Reader
from OCP.TDocStd import TDocStd_Document
from OCP.TCollection import TCollection_ExtendedString
from OCP.XCAFDoc import XCAFDoc_DocumentTool
from OCP.BRepMesh import BRepMesh_IncrementalMesh
try:
    from OCP.collections import Sequence_TDF_Label as LabelSequence
except ImportError:
    from OCP.TDF import TDF_LabelSequence as LabelSequence
from OCP.XCAFDoc import XCAFDoc_ShapeTool as ST
reader = STEPCAFControl_Reader(); reader.SetNameMode(True); reader.SetColorMode(True)
reader.ReadFile(sys.argv[1])
doc = TDocStd_Document(TCollection_ExtendedString("XmlXCAF")); reader.Transfer(doc)
tool = XCAFDoc_DocumentTool.ShapeTool_s(doc.Main())
labels = LabelSequence(); tool.GetShapes(labels)
for i in range(1, labels.Length() + 1):
    label = labels.Value(i)
    if ST.IsSimpleShape_s(label) and not ST.IsAssembly_s(label):
        BRepMesh_IncrementalMesh(ST.GetShape_s(label), 0.01, False, 0.5, True)
print(time.perf_counter() - t0)
"""


def _timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, help="keep the files here")
    args = parser.parse_args()
    folder = args.out or Path(tempfile.mkdtemp(prefix="sledcheck-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    step = folder / "board.step"
    write_assembly(step, bodies=args.bodies)
    sledcheck = [sys.executable, "-m", "sledcheck"]
    rows: dict[str, float] = {}
    rows["occ"] = min(_timed([sys.executable, "-c", OCC_SCRIPT, str(step)], dict(os.environ), folder)[0]
                      for _ in range(args.runs))
    design = folder / "design.yaml"
    warm = folder / "cache-warm"
    init = [*sledcheck, "init", str(step), "-o", str(design), "--force"]
    subprocess.run(init, env=dict(os.environ, SLEDCHECK_CACHE_DIR=str(warm)), cwd=folder, capture_output=True,
                   check=False)   # fills the warm cache and writes the design the check runs read
    for phase in ("cold", "warm"):
        for name, command in (("init", init), ("check", [*sledcheck, "check", str(design)])):
            best = float("inf")
            for run in range(args.runs):
                cache = warm if phase == "warm" else folder / f"cache-{name}-cold-{run}"   # cold: an empty cache
                seconds, done = _timed(command, dict(os.environ, SLEDCHECK_CACHE_DIR=str(cache)), folder)
                if done.returncode != 0:
                    print(f"{name} exit {done.returncode} on a clean assembly:\n{done.stdout[-3000:]}{done.stderr}",
                          file=sys.stderr)
                    return 2
                best = min(best, seconds)
            rows[f"{name} {phase}"] = best
    print(f"{args.bodies} bodies, {step.stat().st_size / 1e6:.2f} MB STEP, best of {args.runs} runs (s):")
    for name, seconds in rows.items():
        print(f"  {name:11s} {seconds:7.2f}   ({seconds / rows['occ']:.2f} x occ)")
    cold_ok = rows["check cold"] <= 3 * rows["occ"] + 5
    warm_ok = rows["check warm"] < rows["check cold"] and rows["init warm"] < rows["init cold"]
    print(f"targets: check cold <= 3 x occ + 5 s: {'met' if cold_ok else 'MISSED'}; "
          f"warm runs faster than cold (the cache skips OpenCASCADE): {'met' if warm_ok else 'MISSED'}")
    return 0 if cold_ok and warm_ok else 1


if __name__ == "__main__":
    sys.exit(main())
