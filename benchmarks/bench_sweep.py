"""Sweeps and the coupled Monte Carlo at scale (issue 13): a 10^5-sample Monte Carlo of the toleranced tray and
a 1,000-point sweep of the fixed tray (package power x inlet), in this process, and on a local Dask cluster of 1
and of 2 workers (loopback); the times, the scaling and whether every run gave the same numbers.

    python benchmarks/bench_sweep.py [--samples 100000] [--points 1000]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TRAY = ROOT / "examples" / "tray-1u"


def main() -> None:
    from distributed import LocalCluster

    from sledcheck.sweep import parse_vary, sweep
    from sledcheck.sweep.montecarlo import montecarlo
    from sledcheck.sweep.tables import csv_text

    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=1000)
    args = parser.parse_args()
    side = max(2, round(math.sqrt(args.points)))
    variables = [parse_vary(f"thermal.components.package0.power=250W..350W:{side}"),
                 parse_vary(f"thermal.environment.max_inlet=25..40degC:{math.ceil(args.points / side)}")]
    rows = []
    outputs: dict[str, list[object]] = {"montecarlo": [], "sweep": []}

    def run(where: str, scheduler: str) -> None:
        start = time.perf_counter()
        mc = montecarlo(TRAY / "toleranced.yaml", samples=args.samples, seed=1, scheduler=scheduler)
        mc_s = time.perf_counter() - start
        start = time.perf_counter()
        table = csv_text(sweep(TRAY / "fixed.yaml", variables, scheduler=scheduler))
        sweep_s = time.perf_counter() - start
        outputs["montecarlo"].append(np.concatenate([mc.margins[p] for p in sorted(mc.margins)]))
        outputs["sweep"].append(table)
        rows.append((where, mc_s, sweep_s))

    run("this process", "local:1")
    with tempfile.TemporaryDirectory() as scratch:
        import os

        os.environ["TMPDIR"] = scratch    # the workers unpack the design's bundle here
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                              processes=True) as cluster:
                run(f"Dask, {workers} worker{'s' * (workers > 1)}", cluster.scheduler_address)
    cases = len(outputs["sweep"][0].splitlines()) - 1   # type: ignore[attr-defined]
    print(f"Monte Carlo: {args.samples:,} samples of examples/tray-1u/toleranced.yaml through every scenario")
    print(f"sweep: {cases:,} cases of examples/tray-1u/fixed.yaml (package0 power x max inlet)")
    print(f"{'where':<18} {'Monte Carlo [s]':>16} {'sweep [s]':>10}")
    for where, mc_s, sweep_s in rows:
        print(f"{where:<18} {mc_s:>16.2f} {sweep_s:>10.2f}")
    one, two = rows[1], rows[2]
    print(f"scaling 1 -> 2 workers: Monte Carlo x{one[1] / two[1]:.2f}, sweep x{one[2] / two[2]:.2f}")
    same_mc = all(np.array_equal(outputs["montecarlo"][0], m) for m in outputs["montecarlo"][1:])  # type: ignore[arg-type]
    same_sweep = all(outputs["sweep"][0] == t for t in outputs["sweep"][1:])
    print(f"identical results everywhere: Monte Carlo {same_mc}, sweep {same_sweep}")


if __name__ == "__main__":
    main()
