"""Benchmark: 100,000 what-if cases of one sled's full airflow + junction chain in one vectorised batch.

    python benchmarks/bench_thermal.py [--cases 100000] [--design examples/tray-1u/fixed.yaml]

The model (fin geometry from the meshes, bypass gaps, spreading tables) is built once; then every case varies
the inlet temperature (18-35 degC), the power (+-10 %), the fan speed (60-100 %) and which lanes run with one
fan failed, and the lane operating points, preheat and junction temperatures of all components are solved at
once. Prints the time per batch and the share of cases below the required margin. Target: about 1 s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from sledcheck.checks.registry import catalog
from sledcheck.load.design import load_design
from sledcheck.model.assembly import build_assembly
from sledcheck.model.thermal import build_model, evaluate

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--design", default=str(ROOT / "examples" / "tray-1u" / "fixed.yaml"))
    args = parser.parse_args()

    t0 = time.perf_counter()
    model = build_model(build_assembly(load_design(args.design, catalog())))
    assert model is not None, "the design has no thermal section"
    t_model = time.perf_counter() - t0

    rng = np.random.default_rng(2026)
    n = args.cases
    inlet = rng.uniform(18.0, 35.0, n)
    power = rng.uniform(0.9, 1.1, n)
    speed = rng.uniform(0.6, 1.0, n)
    working = {lane.lane.name: len(lane.lane.fans) - (rng.random(n) < 0.2) for lane in model.lanes}

    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = evaluate(model, inlet, working, speed=speed, power_scale=power)
        times.append(time.perf_counter() - t0)
    best = min(times)
    components = [c for lane in model.lanes for c in lane.components]
    print(f"design: {args.design}")
    print(f"model build (meshes, fin recognition, spreading tables): {t_model:.2f} s")
    print(f"{n} cases x {len(components)} components in {len(model.lanes)} lanes: best of 3 = {best:.3f} s "
          f"({best / n * 1e6:.1f} us per case)")
    for comp in components:
        margin = comp.spec.limit - result.temperature[comp.spec.part]
        short = np.mean(margin < comp.spec.required_margin)
        print(f"  {comp.spec.part:10} margin min {margin.min():+.1f} K, median {np.median(margin):+.1f} K, "
              f"{short:.1%} of cases below the required {comp.spec.required_margin:g} K")
    return 0 if best < 2.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
