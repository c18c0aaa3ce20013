"""What a sweep or a Monte Carlo prints, and the Monte Carlo's files (JSON, a CSV of every sample's worst
margins, an HTML page with each margin's histogram and its drivers)."""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np

from ..report.html.figures import figure, mpl, svg
from ..report.html.style import CSS, esc
from ..report.json_format import stackup_dict
from ..report.model import stack_label, stack_outside
from . import SweepResult
from .montecarlo import MonteCarloResult
from .tables import window


def sweep_text(result: SweepResult) -> str:
    found = window(result)
    cases = "case" if found["cases"] == 1 else "cases"
    lines = [f"sweep of {result.design}: {found['cases']} {cases} ({result.sample}), {found['passing']} pass"]
    errors = [c for c in result.cases if c.error]
    if errors:
        lines.append(f"  {len(errors)} case{'s' * (len(errors) != 1)} could not be evaluated; the first: "
                     f"{errors[0].error}")
    for path, span in found["ranges"].items():
        if span:
            unit = span["unit"] or "(no unit given: bare numbers, as the design reads them)"
            lines.append(f"  passing {path}: {span['min']:g} .. {span['max']:g} {unit}")
    best = result.best
    if best is not None:
        values = ", ".join(f"{v.path}={v.text(x)}" for v, x in zip(result.variables, result.values[best.index],
                                                                    strict=True))
        worst = result.worst_margin(best)
        lines.append(f"  best: case {best.index} ({values})"
                     + (f", worst margin {worst:+.2f} K over its requirement" if worst is not None else ""))
    else:
        lines.append("  no case passes")
    return "\n".join(lines) + "\n"


def montecarlo_dict(result: MonteCarloResult) -> dict[str, Any]:
    return {
        "design": result.design, "samples": result.samples, "seed": result.seed,
        "inputs": [{"name": name, "half_width": half, "unit": "K" if name == "inlet" else "fraction",
                    "distribution": "normal"} for name, half in result.inputs],
        "components": [{
            "part": c.part, "required_margin": {"value": c.required_margin, "unit": "K"},
            "p_over_limit": c.p_over_limit, "p_short": c.p_short,
            "margin": {"mean": round(c.mean_margin, 6), "sigma": round(c.sigma_margin, 6),
                       "q001": round(c.low_margin, 6), "unit": "K"},
            "scenario": c.scenario,
            "drivers": [{"input": name, "share": round(share, 6)} for name, share in c.drivers]}
            for c in result.components],
        "stackups": [stackup_dict(s) for s in result.stackups],
    }


def montecarlo_text(result: MonteCarloResult) -> str:
    lines = [f"Monte Carlo of {result.design}: {result.samples:,} samples, seed {result.seed}"]
    if not result.inputs:
        lines.append("  no thermal input is uncertain (the design has no tolerances.thermal): the margins below "
                     "are the design's own, not sampled")
    if result.inputs:
        lines.append("  inputs (normal, ± = 3 sigma): " + ", ".join(
            f"{name} ±{half:g} K" if name == "inlet" else f"{name} ±{half:.0%}" for name, half in result.inputs))
    for c in result.components:
        drivers = ", ".join(f"{name} {share:.0%}" for name, share in c.drivers[:3])
        lines.append(f"  {c.part}: P(over its limit) {c.p_over_limit:.2g}, P(margin < {c.required_margin:g} K) "
                     f"{c.p_short:.2g}; margin {c.mean_margin:.2f} ± {c.sigma_margin:.2f} K (0.1 %: "
                     f"{c.low_margin:.2f} K), worst in '{c.scenario}'" + (f"; driven by {drivers}" if drivers else ""))
    for s in result.stackups:
        if s.result is not None:
            lines.append(f"  {stack_label(s)}: P(outside) {stack_outside(s.result):.2g} ({s.status})")
    return "\n".join(lines) + "\n"


def montecarlo_csv(result: MonteCarloResult) -> str:
    """One row per sample: each component's worst margin [K]."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    parts = list(result.margins)
    writer.writerow(["sample", *(f"margin:{p} [K]" for p in parts)])
    columns = [result.margins[p] for p in parts]
    for i in range(result.samples):
        writer.writerow([i, *(f"{float(c[i]):.6f}" for c in columns)])
    return buffer.getvalue()


def montecarlo_page(result: MonteCarloResult) -> str:
    sections = [f"<h1>sledcheck Monte Carlo: {esc(result.design)}</h1>",
                f"<p>{result.samples:,} samples, seed {result.seed}.</p>"]
    with mpl():
        for c in result.components:
            margin = result.margins[c.part]
            finite = margin[np.isfinite(margin)]
            fig = figure(6.0, 2.6)
            ax = fig.add_subplot(121)
            ax.hist(finite, bins=60, color="#4a78b5")
            ax.axvline(c.required_margin, color="#c0392b", linestyle="--", linewidth=1)
            ax.set_xlabel(f"{c.part}: worst margin [K]")
            bars = fig.add_subplot(122)
            names = [name for name, _ in c.drivers[:6]][::-1]
            bars.barh(names, [share for _, share in c.drivers[:6]][::-1], color="#4a78b5")
            bars.set_xlabel("share of the variance")
            sections.append(f"<section><h2>{esc(c.part)}</h2><p>P(over its limit) {c.p_over_limit:.2g}; "
                            f"P(margin below {c.required_margin:g} K) {c.p_short:.2g}.</p>"
                            f"{svg(fig, f'mc-{c.part}')}</section>")
    return "\n".join(["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
                      f"<title>sledcheck Monte Carlo: {esc(result.design)}</title>", f"<style>{CSS}</style>",
                      "</head>", "<body><main>", *sections, "</main></body>", "</html>", ""])
