"""A sweep as one self-contained HTML page: the window and the best point, then the plots an engineer would
draw: each component's worst-scenario margin against each swept variable, the feasible region of the first
two, and the sensitivity of the worst margin to each input (the change across its range of a least-squares
line through the cases)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..report.html.figures import figure, mpl, svg
from ..report.html.style import CSS, esc
from . import SweepResult
from .tables import columns, rows, window


def sensitivities(result: SweepResult) -> list[tuple[str, float]]:
    """For each numeric variable, the change [K] of the worst margin (the smallest margin less its requirement)
    across the variable's swept range, from a least-squares fit of the worst margin on every numeric variable
    (each scaled to 0..1) over the evaluated cases; sorted by size."""
    numeric = [k for k, v in enumerate(result.variables) if not v.choices or all(isinstance(c, float)
                                                                               for c in v.choices)]
    points = [(values, result.worst_margin(case)) for values, case in zip(result.values, result.cases, strict=True)
              if result.worst_margin(case) is not None]
    if not numeric or len(points) < len(numeric) + 1:
        return []
    x = np.array([[float(values[k]) for k in numeric] for values, _ in points])
    y = np.array([w for _, w in points], dtype=float)
    span = x.max(axis=0) - x.min(axis=0)
    scaled = (x - x.min(axis=0)) / np.where(span > 0, span, 1.0)
    design = np.column_stack([scaled, np.ones(len(y))])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    out = [(result.variables[k].header, float(c)) for k, c in zip(numeric, coefficients[:-1], strict=True)]
    return sorted(out, key=lambda item: -abs(item[1]))


def render_page(result: SweepResult) -> str:
    found = window(result)
    best = result.best
    head = [f"<h1>sledcheck sweep: {esc(result.design)}</h1>",
            f"<p>{found['cases']} cases ({esc(result.sample)}, seed {result.seed}); <strong>{found['passing']} "
            "pass</strong> (fit with the tolerance stack-ups, and every component's margin in its worst scenario)."
            "</p>"]
    if best is not None:
        values = ", ".join(f"{esc(v.path)} = {esc(str(x))} {esc(v.unit)}" for v, x in
                           zip(result.variables, result.values[best.index], strict=True))
        worst = result.worst_margin(best)
        head.append(f"<p>Best point: case {best.index}, {values}"
                    + (f" (the worst margin {worst:+.2f} K over its requirement)" if worst is not None else "")
                    + ".</p>")
    ranges = [f"<li>{esc(path)}: {r['min']:g} .. {r['max']:g} {esc(r['unit'])}</li>"
              for path, r in found["ranges"].items() if r]
    if ranges:
        head.append("<p>The passing cases span:</p><ul>" + "".join(ranges) + "</ul>")
    body = [*head, *_plots(result), _table(result)]
    return "\n".join(["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
                      f"<title>sledcheck sweep: {esc(result.design)}</title>", f"<style>{CSS}</style>", "</head>",
                      "<body><main>", *body, "</main></body>", "</html>", ""])


def _numeric(result: SweepResult) -> list[int]:
    return [k for k, v in enumerate(result.variables) if not v.choices or all(isinstance(c, float) for c in v.choices)]


def _plots(result: SweepResult) -> list[str]:
    out: list[str] = []
    numeric = _numeric(result)
    with mpl():
        for k in numeric:
            out.append(_margin_plot(result, k))
        if len(numeric) >= 2:
            out.append(_region_plot(result, numeric[0], numeric[1]))
        found = sensitivities(result)
        if found:
            out.append(_sensitivity_plot(found))
    return out


def _margin_plot(result: SweepResult, k: int) -> str:
    variable = result.variables[k]
    fig = figure(6.0, 3.0)
    ax = fig.add_subplot(111)
    for component in result.components:
        xs, ys, required = [], [], None
        for values, case in zip(result.values, result.cases, strict=True):
            for name, margin, need, _ in case.margins:
                if name == component:
                    xs.append(float(values[k]))
                    ys.append(margin)
                    required = need
        if xs:
            ax.plot(xs, ys, "o", markersize=3, label=component)
            if required is not None:
                ax.axhline(required, linestyle="--", linewidth=0.8, color="#c0392b")
    ax.set_xlabel(variable.header)
    ax.set_ylabel("worst-scenario margin [K]")
    ax.legend(fontsize=7)
    return (f'<section><h2>Margin against {esc(variable.path)}</h2>'
            f'{svg(fig, f"margin{k}")}<p class="muted">Red dashes: the required margin.</p></section>')


def _region_plot(result: SweepResult, i: int, j: int) -> str:
    fig = figure(5.0, 4.0)
    ax = fig.add_subplot(111)
    styles = {"pass": ("o", "#2e8b57", "pass"), "fit": ("x", "#c0392b", "does not fit"),
              "thermal": ("s", "#e67e22", "fits, margin short"), "error": ("^", "#555555", "not evaluated")}
    groups: dict[str, tuple[list[float], list[float]]] = {key: ([], []) for key in styles}
    for values, case in zip(result.values, result.cases, strict=True):
        key = ("error" if case.verdict == "error" else "pass" if case.verdict == "pass"
               else "fit" if case.fit_stackups != "pass" else "thermal")
        groups[key][0].append(float(values[i]))
        groups[key][1].append(float(values[j]))
    for key, (xs, ys) in groups.items():
        if xs:
            marker, colour, label = styles[key]
            ax.scatter(xs, ys, marker=marker, color=colour, s=18, label=label)
    ax.set_xlabel(result.variables[i].header)
    ax.set_ylabel(result.variables[j].header)
    ax.legend(fontsize=7)
    return (f"<section><h2>Feasible region</h2>{svg(fig, 'region')}<p class=\"muted\">Each case: it fits (with the "
            "tolerance stack-ups) and every margin meets its requirement, or what fails first.</p></section>")


def _sensitivity_plot(found: list[tuple[str, float]]) -> str:
    fig = figure(6.0, 0.5 + 0.35 * len(found))
    ax = fig.add_subplot(111)
    names = [name for name, _ in found][::-1]
    values = [value for _, value in found][::-1]
    ax.barh(names, values, color=["#2e8b57" if v >= 0 else "#c0392b" for v in values])
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel("change of the worst margin across the swept range [K]")
    return f"<section><h2>Sensitivity</h2>{svg(fig, 'sensitivity')}</section>"


def _table(result: SweepResult) -> str:
    def cell(value: Any) -> str:
        if value is None:
            return ""
        return esc(f"{value:.4g}" if isinstance(value, float) else str(value))

    head = "".join(f"<th>{esc(c)}</th>" for c in columns(result))
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows(result)[:2000])
    more = (f'<p class="muted">The first 2000 of {len(result.cases)} cases; the CSV has all.</p>'
            if len(result.cases) > 2000 else "")
    return (f'<section><h2>Cases</h2><table class="gaps"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            f"</table>{more}</section>")
