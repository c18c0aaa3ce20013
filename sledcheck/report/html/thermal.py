"""The thermal section of the HTML report: fan and system curves with the operating points, temperatures and
margins per scenario, and each component's resistance chain (all values from the report's thermal result)."""

from __future__ import annotations

from typing import Any

from ..model import Report
from .figures import figure, mpl, svg
from .style import CFM, CHAIN_COLOURS, CHAIN_LABELS, esc


def _short_scenario(name: str) -> str:
    if name.startswith("nominal"):
        return "nominal"
    if "failed" in name:
        return name.rsplit(", ", 1)[-1]
    return "max inlet"

def _fan_curve_figure(thermal: Any, lane: str, entry: dict[str, Any], prefix: str) -> str:
    flows = [q / CFM for q in entry.get("flow", [])]
    n = int(entry.get("fans", 0))
    inlets = sorted(entry.get("scenarios", {}), key=lambda k: float(k))
    styles = ["#2f6db5", "#c0392b", "#2e8b57", "#8e44ad"]
    with mpl():
        fig = figure(6.4, 3.9)
        ax = fig.add_subplot(1, 1, 1)
        top = 0.0
        for i, key in enumerate(inlets):
            curves = entry["scenarios"][key]
            colour = styles[i % len(styles)]
            fan = curves.get("fan", {})
            for k, style in ((str(n), "-"), (str(n - 1), "--")):
                if k in fan:
                    values = fan[k]
                    top = max(top, max(values, default=0.0))
                    ax.plot(flows, values, color=colour, linestyle=style, linewidth=1.5,
                            label=f"{k} fan{'s' * (k != '1')} at {key} °C" + (" (N-1)" if k == str(n - 1) else ""))
            ax.plot(flows, curves.get("system", []), color=colour, linestyle=":", linewidth=1.8,
                    label=f"system at {key} °C")
        points: dict[tuple[float, float], list[str]] = {}
        for s in thermal.scenarios:
            for lr in s.lanes:
                if lr.name != lane:
                    continue
                if lr.fans_working < n:
                    name = "failed: " + ", ".join(s.failed_fans)
                else:
                    name = "nominal" if s.name.startswith("nominal") else f"{s.inlet:.0f} °C, all fans"
                    name = f"{name} ({s.inlet:.0f} °C)" if s.name.startswith("nominal") else name
                names = points.setdefault((round(lr.flow / CFM, 2), round(lr.pressure, 1)), [])
                if name not in names:
                    names.append(name)
        for j, ((q, p), names) in enumerate(sorted(points.items())):
            ax.plot([q], [p], marker="o", markersize=6, color="#111", markerfacecolor="#ffd24a", zorder=10)
            fails = [x.removeprefix("failed: ") for x in names if x.startswith("failed: ")]
            shown = [x for x in names if not x.startswith("failed: ")]
            if fails:
                shown.append("one fan failed (" + ", ".join(fails) + ")")
            text = "\n".join(shown)
            ax.annotate(f"{text}\n{q:.1f} CFM at {p:.0f} Pa", xy=(q, p), xytext=(0.03, 0.05 + 0.16 * j),
                        textcoords="axes fraction", fontsize=7, zorder=11, va="bottom", ha="left",
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#999", "alpha": 0.9},
                        arrowprops={"arrowstyle": "-", "color": "#777", "linewidth": 0.7})
        ax.set_ylim(0, top * 1.12 if top > 0 else None)
        ax.set_xlim(0, max(flows, default=1.0))
        ax.set_xlabel("lane airflow [CFM]")
        ax.set_ylabel("static pressure [Pa]")
        ax.set_title(f"lane '{lane}': {n} fans, operating points", loc="left", fontweight="bold")
        ax.grid(True, color="#e6e8ec", linewidth=0.5)
        ax.legend(loc="upper right", frameon=True, framealpha=0.9)
        return svg(fig, prefix)

def _margin_class(c: Any) -> str:
    if c.margin < 0:
        return "bad"
    if c.margin < c.required_margin:
        return "short"
    return "ok"

def _margins_table(thermal: Any) -> list[str]:
    scenarios = thermal.scenarios
    if not scenarios:
        return ["<p>No scenarios.</p>"]
    components = [c for c in scenarios[0].components]
    head = ['<table class="margins"><thead><tr><th>Scenario</th><th class="num">Inlet</th>'
            '<th>Failed fans</th><th class="num">Airflow</th>']
    for c in components:
        kind = "Tj" if c.limit_kind == "junction" else "Tcase"
        head.append(f'<th class="num">{esc(c.part)}<br><span class="small muted">{c.power:.0f} W, {kind} ≤ '
                    f"{c.limit:.1f} °C, need {c.required_margin:g} K</span></th>")
    head.append("</tr></thead><tbody>")
    rows = head
    for s in scenarios:
        flow = sum(lane.flow for lane in s.lanes) / CFM
        cells = [f"<td>{esc(s.name)}</td>", f'<td class="num">{s.inlet:.1f} °C</td>',
                 f"<td>{esc(', '.join(s.failed_fans)) or 'none'}</td>", f'<td class="num">{flow:.1f} CFM</td>']
        by_part = {c.part: c for c in s.components}
        for comp in components:
            c = by_part.get(comp.part)
            if c is None:
                cells.append("<td></td>")
                continue
            cells.append(f'<td class="num {_margin_class(c)}">{c.temperature:.1f} °C<br>'
                         f"margin {c.margin:+.1f} K</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    rows.append("</tbody></table>")
    rows.append('<p class="small muted">Cells: the limited temperature (junction or case) and its margin to the '
                'limit. <span class="chip">red</span> over the limit, <span class="chip">amber</span> below the '
                "required margin.</p>")
    return rows

def _worst(thermal: Any) -> list[tuple[Any, str]]:
    """Per component (first scenario's order) its result in the scenario with the least margin."""
    order = [c.part for c in thermal.scenarios[0].components] if thermal.scenarios else []
    out = []
    for part in order:
        best = None
        for s in thermal.scenarios:
            for c in s.components:
                if c.part == part and (best is None or c.margin < best[0].margin):
                    best = (c, s.name)
        if best:
            out.append(best)
    return out

def _segments(c: Any, keys: list[str]) -> list[tuple[str, float, float]]:
    """(key, start, value) [K/W] of each resistance a component's bar is made of, in order."""
    out, left = [], 0.0
    for key in keys:
        value = c.chain.get(key)
        if value is None or value <= 0 or (key == "r_jc" and c.limit_kind != "junction"):
            continue
        out.append((key, left, value))
        left += value
    return out


def _chain_figure(thermal: Any, prefix: str) -> str:
    worst = _worst(thermal)
    keys = [k for k in CHAIN_COLOURS if any(k in c.chain for c, _ in worst)]
    with mpl():
        fig = figure(11.0, 1.0 + 0.55 * len(worst))
        ax = fig.add_subplot(1, 1, 1)
        longest = 0.0
        used: set[str] = set()
        for i, (c, scenario) in enumerate(worst):
            left = 0.0
            for key, start, value in _segments(c, keys):
                label = f"{CHAIN_LABELS[key]} ({key})" if key not in used else None
                used.add(key)
                ax.barh(i, value, left=start, color=CHAIN_COLOURS[key], edgecolor="white", height=0.62, label=label)
                left = start + value
            longest = max(longest, left)
            rise = left * c.power
            ax.text(left, i, f"  {left:.3f} K/W × {c.power:.0f} W = {rise:.1f} K  →  {c.temperature:.1f} °C "
                    f"(margin {c.margin:+.1f} K; {_short_scenario(scenario)})", va="center", fontsize=7.5,
                    color="#b42318" if c.margin < c.required_margin else "#2a3140")
        for i, (c, _s) in enumerate(worst):
            for _key, start, value in _segments(c, keys):
                if value > 0.07 * longest:
                    ax.text(start + value / 2, i, f"{value:.3f}", ha="center", va="center", fontsize=7, color="white",
                            fontweight="bold")
        ax.set_yticks(range(len(worst)))
        ax.set_yticklabels([c.part for c, _ in worst])
        ax.invert_yaxis()
        ax.set_xlim(0, longest * 2.3 if longest > 0 else 1)
        ax.set_xlabel("thermal resistance, local inlet air to the limited temperature [K/W]")
        ax.set_title("resistance chain per component (scenario with the least margin)", loc="left",
                     fontweight="bold")
        ax.grid(True, axis="x", color="#e6e8ec", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return svg(fig, prefix)

def thermal_section(report: Report) -> list[str]:
    thermal = report.thermal
    if thermal is None:
        return []
    out = ['<section id="thermal"><h2>Thermal margins</h2>',
           f'<p class="muted">Fan model: <code>{esc(thermal.fan_model)}</code>'
           + (f" ({esc(thermal.fan_source)})" if getattr(thermal, "fan_source", "") else "") + ".</p>"]
    for problem in getattr(thermal, "problems", ()):
        out.append(f'<p class="note">Not evaluated ({esc(", ".join(problem.subjects))}): {esc(problem.message)}</p>')
    curves = getattr(thermal, "curves", None) or {}
    if curves:
        out.append("<h3>Fan and system curves</h3><div class=\"grid2\">")
        for i, (lane, entry) in enumerate(sorted(curves.items())):
            out.append(f'<figure class="fan-curve">{_fan_curve_figure(thermal, lane, entry, f"fan{i}")}'
                       f"<figcaption>Lane {esc(lane)}: all fans (solid) and one failed (dashed) against the system "
                       "curve (dotted), per inlet temperature; dots are the operating points of the scenarios."
                       "</figcaption></figure>")
        out.append("</div>")
    out.append("<h3>Temperatures and margins per scenario</h3>")
    out += _margins_table(thermal)
    warnings = sorted({(c.part, w) for s in thermal.scenarios for c in s.components for w in c.warnings})
    if warnings:
        out.append("<ul class=\"small\">" + "".join(f"<li>{esc(p)}: {esc(w)}</li>" for p, w in warnings) + "</ul>")
    if thermal.scenarios and thermal.scenarios[0].components:
        out.append("<h3>Resistance chains</h3>")
        out.append(f'<figure class="chain">{_chain_figure(thermal, "chain")}<figcaption>Each component\'s '
                   "resistances in series from the air at its inlet (after upstream preheat) to the limited "
                   "temperature, in its worst scenario.</figcaption></figure>")
        rows = ['<table class="chain-table"><thead><tr><th>Component</th><th>Worst scenario</th>'
                '<th class="num">Local inlet</th>'
                + "".join(f'<th class="num">{esc(CHAIN_LABELS[k])}</th>' for k in CHAIN_COLOURS)
                + '<th class="num">Temperature</th><th class="num">Margin</th></tr></thead><tbody>']
        for c, scenario in _worst(thermal):
            cells = "".join(f'<td class="num">{c.chain[k]:.4f} K/W</td>'
                            if k in c.chain and (k != "r_jc" or c.limit_kind == "junction") else "<td></td>"
                            for k in CHAIN_COLOURS)
            rows.append(f"<tr><td>{esc(c.part)}</td><td>{esc(scenario)}</td>"
                        f'<td class="num">{c.local_inlet:.1f} °C</td>{cells}'
                        f'<td class="num">{c.temperature:.1f} °C</td>'
                        f'<td class="num {_margin_class(c)}">{c.margin:+.1f} K</td></tr>')
        rows.append("</tbody></table>")
        out += rows
    out.append("</section>")
    return out
