"""Start-up time of the command line: the wall time of the light commands, and of a check for comparison.

    python benchmarks/bench_start.py [--runs 7]

Runs each command ``--runs`` times as a fresh process (``python -m sledcheck ...`` with this interpreter,
output discarded) and reports the median and the best wall time [s]. Target (issue 15, item 6): ``--version``,
``rules``, ``rules CODE``, ``specs`` and ``specs NAME`` each under 0.5 s (median). ``check`` of the example
tray is shown for comparison (it imports the mesh and physics libraries it needs). Exit 0 when every light
command meets the target, 1 otherwise. ``python -X importtime -m sledcheck rules`` shows what a command imports.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHT = (["--version"], ["rules"], ["rules", "D201"], ["specs"], ["specs", "eia-310-1u"])
CHECK = ["check", "examples/tray-1u/fixed.yaml", "--format", "json"]
TARGET_S = 0.5


def wall_times(argv: list[str], runs: int) -> list[float]:
    """Wall times [s] of ``runs`` fresh ``python -m sledcheck ARGV`` processes."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sledcheck", *argv], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, cwd=ROOT, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'command':62} {'median s':>9} {'best s':>8}  target")
    met = True
    for argv in (*LIGHT, CHECK):
        times = wall_times(argv, args.runs if argv is not CHECK else max(1, args.runs // 3))
        median = statistics.median(times)
        light = argv is not CHECK
        ok = median < TARGET_S
        met &= ok or not light
        shown = " ".join(argv)
        verdict = (f"< {TARGET_S} s: {'met' if ok else 'MISSED'}") if light else "(for comparison)"
        print(f"sledcheck {shown:52} {median:9.3f} {min(times):8.3f}  {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
