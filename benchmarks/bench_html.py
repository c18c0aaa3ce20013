"""The HTML report of a ~2 M-triangle sled: the check with and without it, and what the pictures cost.

    python benchmarks/bench_html.py [--triangles 2000000] [--out DIR] [--runs 1]

Generates the 2U sled of ``bench_check.py`` (46 closed parts, heat-pipe plate-fin heat sinks carrying most of
the triangles; into a temporary folder, or ``--out DIR``, reused when it already holds a design), then times,
each best of ``--runs`` fresh processes (only the call is timed, not the interpreter start or imports):

    check   ``sledcheck.check(design)``
    html    ``sledcheck.check(design, views=True)`` and rendering it to HTML (what ``--format html`` does)
    views   of the html run: the top and side outlines of every part (``model.views.part_views``)

Target (issue 15): the HTML report adds at most 20 % to a check. Exit 0 when met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def work(kind: str, design: Path) -> dict[str, float]:
    import sledcheck
    from sledcheck.model import views
    from sledcheck.report import renderer

    spent = {"views": 0.0}
    part_views = views.part_views

    def timed_views(assembly: object) -> views.Views:
        start = time.perf_counter()
        result = part_views(assembly)
        spent["views"] += time.perf_counter() - start
        return result

    views.part_views = timed_views   # (the pipeline looks it up on the module when it needs the views)
    start = time.perf_counter()
    report = sledcheck.check(design, views=kind == "html")
    html = renderer("html")(report) if kind == "html" else ""
    return {"seconds": time.perf_counter() - start, "views": spent["views"], "html_bytes": len(html),
            "findings": len(report.findings)}


def run_child(kind: str, design: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(design)], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{proc.stderr}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triangles", type=int, default=2_000_000, help="about this many triangles in total")
    parser.add_argument("--out", type=Path, help="write (or reuse) the sled here (default: a temporary folder)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each timing; the best is reported")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DESIGN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(work(args.child[0], Path(args.child[1]))))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        design = out / "design.yaml"
        if not design.exists():
            sys.path.insert(0, str(HERE))
            from bench_check import generate

            generate(out, args.triangles)
        triangles = design.read_text(encoding="utf-8").splitlines()[0].rsplit(",", 1)[-1].strip()
        best: dict[str, dict[str, float]] = {}
        for kind in ("check", "html"):
            runs = [run_child(kind, design) for _ in range(args.runs)]
            best[kind] = min(runs, key=lambda r: r["seconds"])
            shown = ", ".join(f"{r['seconds']:.2f}" for r in runs)
            print(f"  {kind:5s} runs: {shown} s", flush=True)
    check_s, html_s = best["check"]["seconds"], best["html"]["seconds"]
    added = html_s / check_s - 1.0
    print(f"sled: {triangles}")
    print(f"check                     {check_s:8.2f} s")
    print(f"check + HTML report       {html_s:8.2f} s   (views {best['html']['views']:.2f} s, "
          f"{best['html']['html_bytes'] / 1e6:.2f} MB of HTML)")
    met = added <= 0.20
    print(f"the HTML report adds {100 * added:.0f} % (target <= 20 %): {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
