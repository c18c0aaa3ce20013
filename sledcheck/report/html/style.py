"""Look of the HTML report: colours by role and severity, the stylesheet, and text escaping."""

from __future__ import annotations

import html
from typing import Any

VERDICTS = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}

VERDICT_NOTES = {"pass": "no unwaived finding at or above the fail level",
                 "fail": "unwaived findings at or above the fail level",
                 "error": "a check could not run, so the verdict is incomplete"}

CFM = 4.719474e-4  # m^3/s per cubic foot per minute

ROLE_FILL = {
    "tray": "#eef0f3", "chassis": "#eef0f3", "enclosure": "#eef0f3", "lid": "#f5f6f8", "cover": "#f5f6f8",
    "shroud": "#e8edf3", "pcb": "#cfe6cc", "board": "#cfe6cc", "package": "#f4d9a0", "heatsink": "#c6d4ea",
    "fan": "#d9d1f0", "dimm": "#cde9ee", "standoff": "#dcdcdc", "bracket": "#eadcc8", "component": "#efd9e4",
    "psu": "#e4e0cf", "riser": "#eadcc8", "cable": "#e8e2d0",
}

DEFAULT_FILL = "#e3e3e3"

BACKGROUND_ROLES = {"tray", "chassis", "enclosure", "lid", "cover"}

EDGE = "#5b6270"

SEVERITY_COLOUR = {"error": "#d62828", "warning": "#ee8a12", "info": "#3b6fb6", "waived": "#8a8f98"}

SEVERITY_FILL = {"error": "#f6a5a5", "warning": "#fcc98a"}

ZONE_COLOUR = {"keepout": "#7b3fbf", "height": "#0b7a8c"}

CHAIN_COLOURS = {"r_jc": "#6d5bd0", "r_tim": "#d9a21b", "r_spreading": "#e07a5f", "r_base": "#8d6e63",
                 "r_heatsink": "#3d8bd6", "r_ca": "#4aa3a2"}

CHAIN_LABELS = {"r_jc": "junction-case", "r_tim": "TIM", "r_spreading": "spreading", "r_base": "base",
                "r_heatsink": "heat sink (fins)", "r_ca": "case-air"}

CSS = """
:root { --fg:#1d2430; --muted:#5d6675; --line:#d7dbe2; --bg:#ffffff; --soft:#f5f7fa; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
       color:var(--fg); background:#eef1f5; }
main { max-width: 1360px; margin: 0 auto; padding: 18px 22px 40px; background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 18px; margin: 26px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 6px; }
.muted { color: var(--muted); }
header.top { display:flex; gap:18px; align-items:center; border-bottom: 3px solid var(--line); padding-bottom: 12px; }
.badge { font-weight: 800; font-size: 26px; letter-spacing: 1px; color:#fff; padding: 8px 18px; border-radius: 8px; }
.badge.pass { background:#1f8a47; } .badge.fail { background:#c62828; } .badge.error { background:#b7791f; }
.meta { display:flex; flex-wrap:wrap; gap: 4px 16px; color: var(--muted); font-size: 13px; }
.meta code { color: var(--fg); }
.counts { display:flex; gap:8px; margin-top:6px; flex-wrap: wrap; }
.chip { border-radius: 999px; padding: 2px 10px; font-size: 13px; font-weight: 600; border:1px solid var(--line);
        background: var(--soft); }
.chip.error.n { background:#fde2e2; border-color:#f3a4a4; color:#9b1c1c; }
.chip.warning.n { background:#fff0d9; border-color:#f6c27a; color:#8a4b08; }
.chip.info.n { background:#e4eefb; border-color:#a9c3ea; color:#244d86; }
.chip.waived.n { background:#eceef1; border-color:#c5c9d0; color:#4b5260; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 7px; vertical-align: top; text-align: left; }
th { background: var(--soft); font-weight: 650; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-weight: 700; white-space: nowrap; }
tr.sev-error td.sev { color:#b42318; font-weight:700; } tr.sev-warning td.sev { color:#a15c07; font-weight:700; }
tr.sev-info td.sev { color:#2f5d9e; }
tr.waived td { color: #7a808a; background: #fafafa; } tr.waived td.sev { font-weight: 600; font-style: italic; }
tr.sev-error td:first-child { border-left: 4px solid #d62828; }
tr.sev-warning td:first-child { border-left: 4px solid #ee8a12; }
tr.waived td:first-child { border-left: 4px solid #b8bcc4; }
.where { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12px; white-space: nowrap; }
.note { background: #fff8e6; border: 1px solid #f2d48a; padding: 8px 12px; border-radius: 6px; }
figure { margin: 10px 0 18px; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 12.5px; margin-top: 2px; }
.grid2 { display:grid; grid-template-columns: 1fr 1fr; gap: 6px 22px; }
.legend { display:flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12.5px; color: var(--muted); margin: 4px 0 8px; }
.sw { display:inline-block; width: 14px; height: 11px; border: 1px solid #5b6270; vertical-align: -1px;
      margin-right: 4px; }
.sw.line { height: 0; border-width: 2px 0 0 0; width: 18px; vertical-align: 3px; }
.sw.dash { height: 0; border-width: 2px 0 0 0; border-style: dashed; width: 18px; vertical-align: 3px; }
td.bad { background:#fbd5d5; color:#8f1414; font-weight:700; }
td.short { background:#ffedc7; color:#7a4a00; font-weight:650; }
td.ok { background:#eaf6ec; }
.small { font-size: 12px; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print { body { background: #fff; } main { max-width: none; } }
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)

def quantity_text(q: Any) -> str:
    return f"{q:.4g~P}" if q is not None else ""

def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word in ("info", "waived") else f"{n} {word}s"
