"""The thermal section of the HTML report: fan and system curves with the operating points, temperatures and
margins per scenario, and each component's resistance chain (all values from the report's thermal result)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import Report
from .figures import figure, mpl, svg
from .style import CFM, CHAIN_COLOURS, CHAIN_LABELS, esc


def _short_scenario(name: str) -> str:
    if name.startswith("nominal"):
        return "nominal"
    if "failed" in name:
        return name.rsplit(", ", 1)[-1]
    return "max inlet"

@dataclass(frozen=True)
class Curve:
    """One line of a lane's fan-curve figure: flows [CFM] against static pressures [Pa], how it is drawn, and
    ``role``: "fans" (all fans), "n-1" (the healthy fans with one failed), "system", "failed" (the lane with one
    fan failed as the fan model declares: windmilling or one rotor failed) or "failed_fan" (that fan's own
    flow: its remaining rotor's, or the backflow through its stopped rotor, drawn as a positive flow)."""

    label: str
    flow: tuple[float, ...]
    pressure: tuple[float, ...]
    colour: str
    style: str | tuple[float, tuple[float, ...]]   # a matplotlib line style
    width: float
    role: str


@dataclass(frozen=True)
class Mark:
    """An operating point on the figure [CFM], [Pa]: ``role`` "scenario" (a scenario's lane point, with its
    annotation) or "failed_fan" / "healthy" (where the failed fan and the healthy fans run in that scenario)."""

    text: str
    flow: float
    pressure: float
    role: str


@dataclass(frozen=True)
class FanFigure:
    """What a lane's fan-curve figure draws (all from the report's thermal result)."""

    lane: str
    fans: int
    failure: str                      # "blocked", "windmill" or "rotor": the fan model's declared failure
    curves: tuple[Curve, ...]
    marks: tuple[Mark, ...]
    flow_max: float                   # [CFM]


_STYLES = ["#2f6db5", "#c0392b", "#2e8b57", "#8e44ad"]

#: how the failure scenario's lane is named on the figure, by the fan model's declared failure
_FAILED = {"blocked": "one fan failed", "windmill": "one fan windmilling", "rotor": "one rotor failed"}


def fan_figure(thermal: Any, lane: str, entry: dict[str, Any]) -> FanFigure:
    """The curves and operating points of lane ``lane``'s figure from its entry in ``thermal.curves``: all fans
    and one failed against the system curve per inlet; for a fan model whose failure is not ``blocked``, also the
    lane with one fan failed as declared (windmilling: the healthy fans less the backflow through the stopped
    rotor; one rotor failed: the healthy fans plus that fan on its remaining rotor), the failed fan's own curve,
    and where the failed fan and the healthy fans run in each failure scenario."""
    flows = [q / CFM for q in entry.get("flow", [])]
    n = int(entry.get("fans", 0))
    failure = str(entry.get("failure", {}).get("kind", "blocked"))
    reverse_k = float(entry.get("failure", {}).get("reverse_k", 0.0))
    inlets = sorted(entry.get("scenarios", {}), key=lambda k: float(k))
    failing = {f"{s.inlet:.1f}" for s in thermal.scenarios for lr in s.lanes if lr.name == lane and lr.fans_working < n}
    curves: list[Curve] = []
    for i, key in enumerate(inlets):
        data = entry["scenarios"][key]
        colour = _STYLES[i % len(_STYLES)]
        fan = data.get("fan", {})
        for k, style, role in ((str(n), "-", "fans"), (str(n - 1), "--", "n-1")):
            if k in fan:
                curves.append(Curve(f"{k} fan{'s' * (k != '1')} at {key} °C" + (" (N-1)" if role == "n-1" else ""),
                                    tuple(flows), tuple(fan[k]), colour, style, 1.5, role))
        curves.append(Curve(f"system at {key} °C", tuple(flows), tuple(data.get("system", [])), colour, ":", 1.8,
                            "system"))
        failed = data.get("failed")
        if failed and failure != "blocked" and key in failing:
            net = tuple(q / CFM for q in failed["flow"])
            own = tuple(abs(q) / CFM for q in failed["failed_fan"])
            ends = next((i + 1 for i, q in enumerate(own) if q <= 0.0 and i > 0), len(own))   # at its shut-off
            if failure == "windmill":
                text = f"{n - 1} fans less the backflow, one windmilling, at {key} °C"
                text_own = f"backflow through the stopped fan (reverse K = {reverse_k:g}) at {key} °C"
            else:
                text = f"{n - 1} fans + one on its remaining rotor at {key} °C"
                text_own = f"one fan on its remaining rotor at {key} °C"
            curves.append(Curve(text, net, tuple(failed["pressure"]), colour, "-.", 1.8, "failed"))
            curves.append(Curve(text_own, own[:ends], tuple(failed["pressure"][:ends]), colour, (0, (1, 1)), 1.0,
                                "failed_fan"))
    return FanFigure(lane, n, failure, tuple(curves), _marks(thermal, lane, entry, n, failure), max(flows, default=1.0))


def _marks(thermal: Any, lane: str, entry: dict[str, Any], n: int, failure: str) -> tuple[Mark, ...]:
    """The scenarios' operating points of the lane, one annotated mark per distinct point; with a declared
    failure also where the failed fan and the healthy fans run (read off the failed curves at the point's
    pressure)."""
    points: dict[tuple[float, float], list[str]] = {}
    extra: dict[tuple[float, float, str], list[Any]] = {}   # (point, role) -> [flow, pressure]
    for s in thermal.scenarios:
        for lr in s.lanes:
            if lr.name != lane:
                continue
            if lr.fans_working < n:
                name = "failed: " + ", ".join(s.failed_fans)
                failed = entry.get("scenarios", {}).get(f"{s.inlet:.1f}", {}).get("failed")
                if failed and failure != "blocked" and len(failed["pressure"]) > 1:
                    own = float(np.interp(lr.pressure, failed["pressure"], failed["failed_fan"]))
                    at = (round(lr.flow / CFM, 2), round(lr.pressure, 1))
                    extra.setdefault((*at, "failed_fan"), [abs(own) / CFM, lr.pressure])
                    extra.setdefault((*at, "healthy"), [(lr.flow - own) / CFM, lr.pressure])
            else:
                name = "nominal" if s.name.startswith("nominal") else f"{s.inlet:.0f} °C, all fans"
                name = f"{name} ({s.inlet:.0f} °C)" if s.name.startswith("nominal") else name
            names = points.setdefault((round(lr.flow / CFM, 2), round(lr.pressure, 1)), [])
            if name not in names:
                names.append(name)
    marks = []
    for (q, p), names in sorted(points.items()):
        fails = [x.removeprefix("failed: ") for x in names if x.startswith("failed: ")]
        shown = [x for x in names if not x.startswith("failed: ")]
        if fails:
            shown.append(f"{_FAILED.get(failure, _FAILED['blocked'])} (" + ", ".join(fails) + ")")
        marks.append(Mark("\n".join(shown) + f"\n{q:.1f} CFM at {p:.0f} Pa", q, p, "scenario"))
    what = "backflow" if failure == "windmill" else "remaining rotor"
    for (*_, role), (q, p) in sorted(extra.items()):
        text = what if role == "failed_fan" else f"{n - 1} healthy fans"
        marks.append(Mark(f"{text} {q:.1f} CFM", q, p, role))
    return tuple(marks)


def _fan_curve_figure(thermal: Any, lane: str, entry: dict[str, Any], prefix: str) -> str:
    data = fan_figure(thermal, lane, entry)
    with mpl():
        fig = figure(6.4, 3.9)
        ax = fig.add_subplot(1, 1, 1)
        top = 0.0
        for c in data.curves:
            if c.role in ("fans", "n-1"):
                top = max(top, max(c.pressure, default=0.0))
            ax.plot(list(c.flow), list(c.pressure), color=c.colour, linestyle=c.style, linewidth=c.width,
                    label=c.label)
        scenario_marks = [m for m in data.marks if m.role == "scenario"]
        for j, m in enumerate(scenario_marks):
            ax.plot([m.flow], [m.pressure], marker="o", markersize=6, color="#111", markerfacecolor="#ffd24a",
                    zorder=10)
            # blocked: the boxes stack up from the lower left (as before); with failure curves the lower left holds
            # the failed fan's own curve, so they hang from the upper right, above the fan curves
            spot = (0.03, 0.05 + 0.16 * j) if data.failure == "blocked" else (0.97, 0.95 - 0.16 * j)
            ax.annotate(m.text, xy=(m.flow, m.pressure), xytext=spot, textcoords="axes fraction", fontsize=7,
                        zorder=11, va="bottom" if data.failure == "blocked" else "top",
                        ha="left" if data.failure == "blocked" else "right",
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#999", "alpha": 0.9},
                        arrowprops={"arrowstyle": "-", "color": "#777", "linewidth": 0.7})
        for m in data.marks:
            if m.role != "scenario":
                ax.plot([m.flow], [m.pressure], marker="s" if m.role == "failed_fan" else "D", markersize=5,
                        color="#111", markerfacecolor="#ffffff", zorder=10)
                ax.annotate(m.text, xy=(m.flow, m.pressure), xytext=(5, 7), textcoords="offset points",
                            fontsize=6.5, zorder=11, color="#333", ha="left",
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                                  "alpha": 0.8})
        ax.set_ylim(0, top * 1.12 if top > 0 else None)
        ax.set_xlim(0, data.flow_max)
        ax.set_xlabel("lane airflow [CFM]")
        ax.set_ylabel("static pressure [Pa]")
        title = f"lane '{lane}': {data.fans} fans, operating points"
        if data.failure != "blocked":
            title += f"; failure: {'windmilling' if data.failure == 'windmill' else 'one rotor'}"
        ax.set_title(title, loc="left", fontweight="bold")
        ax.grid(True, color="#e6e8ec", linewidth=0.5)
        if data.failure == "blocked":
            ax.legend(loc="upper right", frameon=True, framealpha=0.9)
        else:   # more curves: the legend goes below the axes
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False, fontsize=7)
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

def _failure_caption(entry: dict[str, Any]) -> str:
    """What the failure curves of a lane's figure show (none for a blocked failure: the dashed curve is it)."""
    failure = entry.get("failure", {})
    if failure.get("kind") == "windmill":
        return (" The fan model declares no backflow flap: a failed fan windmills, air flowing back through its "
                f"stopped rotor with {failure.get('reverse_k', 0.0):g} velocity heads of its face area. Dash-dot: "
                "the lane's net flow with one fan failed (the healthy fans less that backflow); dotted thin: the "
                "backflow through the stopped fan; squares and diamonds: the backflow and the healthy fans' "
                "delivery in each failure scenario.")
    if failure.get("kind") == "rotor":
        return (" The fan model declares a dual-rotor fan whose failure is one rotor: dash-dot: the lane with one "
                "fan on its remaining rotor (the healthy fans plus that fan's own curve); dotted thin: the "
                "remaining rotor's curve; squares and diamonds: where that fan and the healthy fans run in each "
                "failure scenario.")
    return ""


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
                       f"{_failure_caption(entry)}</figcaption></figure>")
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
