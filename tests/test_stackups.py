"""Tolerance stack-ups against closed forms.

The stack (mm, every coordinate a multiple of 1/64, exact in an STL's float32): a tray (floor 0..1, walls to
42.25), a standoff 1..5, a board 5..6.5, a package 6.5..10.5, a heat sink 10.5..40.75 and a lid 42.25..43.25
resting on the walls. The heat-sink-to-lid gap is 42.25 - 40.75 = 1.5 mm; a bond line of 0.1 mm under the heat
sink raises it, so the stacked nominal is 1.4 mm. Walking from the heat sink down to the tray and up its walls
to the lid, the tray's wall height adds to the gap (+1) and every other height takes from it (-1).
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import trimesh
from scipy import integrate, stats

from conftest import Run


def _box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
    lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
    return trimesh.creation.box(extents=hi_a - lo_a, transform=trimesh.transformations.translation_matrix(
        (lo_a + hi_a) / 2))


def _stack(folder: Path) -> None:
    tray = trimesh.boolean.union([_box((0, 0, 0), (100, 100, 1)), _box((0, 0, 0), (2, 100, 42.25)),
                                  _box((98, 0, 0), (100, 100, 42.25))], engine="manifold")
    for name, mesh in {"tray": tray, "standoff": _box((10, 10, 1), (16, 16, 5)),
                       "board": _box((5, 5, 5), (95, 95, 6.5)), "package": _box((30, 30, 6.5), (70, 70, 10.5)),
                       "heatsink": _box((25, 25, 10.5), (75, 75, 40.75)),
                       "lid": _box((0, 0, 42.25), (100, 100, 43.25))}.items():
        mesh.export(folder / f"{name}.stl")


CONTACTS = """\
contacts:
  - [heatsink, package]
  - [package, board]
  - [board, standoff]
  - [standoff, tray]
  - [lid, tray]
"""
TOLERANCES = """\
tolerances:
  parts:
    board: {size: ±10 %}
    standoff: {size: ±0.1 mm}
    package: {size: +-0.1 mm}
    heatsink: {size: ±0.2 mm}
    tray: {size: ±0.2 mm, dist: TRAY_DIST}
  contacts:
    - {between: [heatsink, package], gap: INTERFACE}
  samples: 100000
  seed: 3
"""


def _design(folder: Path, rotation: str = "", required: float = 1.25, tray: str = "uniform",
            interface: str = "0.1 mm ± 0.05 mm", contacts: str = CONTACTS) -> Path:
    place = f", rotation: [{rotation}]" if rotation else ""
    parts = "\n".join(f"  {n}: {{file: {n}.stl, role: {r}{place}}}" for n, r in (
        ("tray", "tray"), ("standoff", "standoff"), ("board", "pcb"), ("package", "package"),
        ("heatsink", "heatsink"), ("lid", "lid")))
    text = (f"sledcheck: 1\nname: stack\nunits: mm\nparts:\n{parts}\n{contacts}"
            f"clearance:\n  - {{between: [heatsink, lid], min: {required} mm}}\n"
            + TOLERANCES.replace("TRAY_DIST", tray).replace("INTERFACE", interface))
    path = folder / f"design-{abs(hash((rotation, required, tray, interface, contacts)))}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stack")
    _stack(path)
    return path


def _variant(design: Path, name: str, text: str) -> Path:
    """A copy of ``design`` with ``text`` (the module's designs are shared: never edit one in place)."""
    path = design.with_name(f"{name}.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def _stackup(cli: Callable[..., Run], design: Path) -> dict:
    result = cli("check", design, "--format", "json")
    assert result.code in (0, 1), result.err
    (stack,) = [s for s in json.loads(result.out)["stackups"] if set(s["parts"]) == {"heatsink", "lid"}]
    return stack


HALF = {"board": 0.15, "standoff": 0.1, "package": 0.1, "heatsink": 0.2, "tray": 0.2, "heatsink / package": 0.05}


def test_worst_case_and_rss_of_six_contributors(cli: Callable[..., Run], folder: Path) -> None:
    stack = _stackup(cli, _design(folder))
    assert stack["chain"] == ["heatsink", "package", "board", "standoff", "tray", "lid"]
    assert stack["nominal"]["value"] == pytest.approx(1.4, abs=1e-6)            # 1.5 less the 0.1 mm bond line
    spread = sum(HALF.values())                                                 # 0.8 mm
    rss = math.sqrt(sum(h * h for h in HALF.values()))                          # sqrt(0.125) mm
    assert stack["worst_case"]["min"]["value"] == pytest.approx(1.4 - spread, abs=1e-6)
    assert stack["worst_case"]["max"]["value"] == pytest.approx(1.4 + spread, abs=1e-6)
    assert stack["rss"]["min"]["value"] == pytest.approx(1.4 - rss, abs=1e-6)
    got = {c["name"]: (c["sensitivity"], c["tolerance"]["value"]) for c in stack["contributors"]}
    assert got == {name: (pytest.approx(1.0 if name == "tray" else -1.0, abs=1e-6), pytest.approx(h, abs=1e-6))
                   for name, h in HALF.items()}
    # (each share is written to 6 digits)
    assert sum(c["share"] for c in stack["contributors"]) == pytest.approx(1.0, abs=1e-5)


def test_monte_carlo_matches_the_normal_closed_form(cli: Callable[..., Run], folder: Path) -> None:
    stack = _stackup(cli, _design(folder, tray="normal"))
    sigma = math.sqrt(sum((h / 3) ** 2 for h in HALF.values()))   # every +- is 3 sigma
    p = stats.norm.cdf((1.25 - 1.4) / sigma)                      # about 0.10
    n = stack["monte_carlo"]["samples"]
    assert stack["monte_carlo"]["p_below_required"] == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / n))
    assert stack["cpk"] == pytest.approx((1.4 - 1.25) / (3 * sigma), rel=1e-6)
    assert stack["status"] == "fail"


@pytest.mark.parametrize("rotation", ["30, 0, 0", "0, 0, 30"])
def test_a_rotated_assembly_gives_the_same_stack(cli: Callable[..., Run], folder: Path, rotation: str) -> None:
    upright, turned = _stackup(cli, _design(folder)), _stackup(cli, _design(folder, rotation=rotation))
    for key in ("nominal",):
        assert turned[key]["value"] == pytest.approx(upright[key]["value"], abs=1e-6)
    for key in ("worst_case", "rss"):
        for end in ("min", "max"):
            assert turned[key][end]["value"] == pytest.approx(upright[key][end]["value"], abs=1e-6)
    assert turned["monte_carlo"]["p_below_required"] == pytest.approx(upright["monte_carlo"]["p_below_required"],
                                                                      abs=1e-9)


def test_a_uniform_bond_line_against_its_convolution(cli: Callable[..., Run], folder: Path) -> None:
    # only the heat sink (normal, +-0.2 mm: sigma 0.2/3) and the bond line (uniform 0.05 .. 0.15 mm) here
    design = _design(folder, required=1.35, interface="0.05 mm .. 0.15 mm")
    text = design.read_text().replace("    board: {size: ±10 %}\n", "").replace("    standoff: {size: ±0.1 mm}\n", "")
    text = text.replace("    package: {size: +-0.1 mm}\n", "").replace("    tray: {size: ±0.2 mm, dist: uniform}\n", "")
    stack = _stackup(cli, _variant(design, "bond-line", text))
    sigma, half = 0.2 / 3, 0.05
    # gap = 1.4 - u - y with u ~ U(-h, h), y ~ N(0, sigma): P(gap < 1.35) = P(u + y > 0.05)
    p, _ = integrate.quad(lambda u: stats.norm.sf((0.05 - u) / sigma) / (2 * half), -half, half)
    n = stack["monte_carlo"]["samples"]
    assert stack["monte_carlo"]["p_below_required"] == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / n))
    assert {c["name"]: c["distribution"] for c in stack["contributors"]} == {"heatsink": "normal",
                                                                             "heatsink / package": "uniform"}


def test_a_gap_with_no_loop_says_so(cli: Callable[..., Run], folder: Path) -> None:
    stack = _stackup(cli, _design(folder, contacts=CONTACTS.replace("  - [lid, tray]\n", "")))
    assert stack["status"] == "no-loop" and "no chain of touching declared contacts" in stack["reason"]
    assert stack["worst_case"] is None


def test_statistical_failure_is_d501_and_a_wider_gap_passes(cli: Callable[..., Run], folder: Path) -> None:
    result = cli("check", _design(folder), "--format", "json")
    report = json.loads(result.out)
    (d501,) = [f for f in report["findings"] if f["code"] == "D501"]
    assert result.code == 1 and set(d501["subjects"]) == {"heatsink", "lid"}
    assert "heatsink - package - board - standoff - tray - lid" in d501["message"]
    # needing only 0.5 mm, the worst case (0.6 mm) passes: no finding
    relaxed = json.loads(cli("check", _design(folder, required=0.5), "--format", "json").out)
    assert not [f for f in relaxed["findings"] if f["code"] == "D501"]
    assert [s["status"] for s in relaxed["stackups"] if set(s["parts"]) == {"heatsink", "lid"}] == ["pass"]


def test_bad_tolerances_are_design_errors(cli: Callable[..., Run], folder: Path) -> None:
    bad = textwrap.dedent("""\
        sledcheck: 1
        name: bad
        units: mm
        parts:
          lid: {file: lid.stl, role: lid}
        tolerances:
          parts:
            lid: {size: 0.2 mm}
        """)
    path = folder / "bad.yaml"
    path.write_text(bad)
    result = cli("check", path)
    assert result.code == 2 and "bad.yaml:8: tolerances.parts.lid.size" in result.err and "±0.2 mm" in result.err


def test_the_tray_example_fails_with_tolerances_and_the_toleranced_design_passes(cli: Callable[..., Run]) -> None:
    from conftest import EXAMPLES

    tray = EXAMPLES / "tray-1u"
    result = cli("check", tray / "fixed-tolerances.yaml", "--format", "json")
    report = json.loads(result.out)
    assert result.code == 1 and {f["code"] for f in report["findings"]} == {"D501"}
    stacks = {tuple(sorted(s["parts"])): s for s in report["stackups"]}
    sink = stacks[("heatsink0", "lid")]
    # 1.556 mm in the CAD (41.1 mm fin tops under a 42.656 mm lid), less the 0.1 mm mean bond line
    assert sink["nominal"]["value"] == pytest.approx(42.656 - 41.1 - 0.1, abs=1e-3) and sink["status"] == "fail"
    passing = cli("check", tray / "toleranced.yaml", "--format", "json")
    assert passing.code == 0, passing.out[-2000:]
    stacks = {tuple(sorted(s["parts"])): s for s in json.loads(passing.out)["stackups"]}
    assert stacks[("heatsink0", "lid")]["monte_carlo"]["p_below_required"] <= 1e-4


def test_a_clearance_finding_carries_its_stack_and_markdown_shows_stacks(cli: Callable[..., Run],
                                                                        folder: Path) -> None:
    design = _design(folder, required=1.6)   # the CAD gap, 1.5 mm, is already short: D201, with its stack
    report = json.loads(cli("check", design, "--format", "json").out)
    (d201,) = [f for f in report["findings"] if f["code"] == "D201"]
    stack = d201["data"]["stackup"]
    assert stack["chain"] == ["heatsink", "package", "board", "standoff", "tray", "lid"]
    assert stack["worst_min_mm"] == pytest.approx(1.4 - sum(HALF.values()), abs=1e-6)
    markdown = cli("check", design, "--format", "markdown").out
    assert "### Tolerance stack-ups" in markdown
    assert "| heatsink / lid |" in markdown or "| lid / heatsink |" in markdown


def test_html_shows_each_stack_with_its_shares_and_distribution(cli: Callable[..., Run], folder: Path) -> None:
    html = cli("check", _design(folder), "--format", "html").out
    assert '<section id="stackups">' in html
    assert html.count('aria-label="variance shares"') == 1 and html.count('aria-label="gap distribution"') == 1
    # the requirement (1.25 mm) lies inside the worst-case range (0.6 .. 2.2 mm): it is marked in red
    assert 'stroke="#c0392b"' in html.split('<section id="stackups">')[1]


def test_iso_2768_and_the_built_in_defaults(cli: Callable[..., Run], folder: Path) -> None:
    from sledcheck.load.tolerances import iso_2768

    # ISO 2768-1:1989 table 1, class m: 0.5-3 +-0.1, 3-6 +-0.1, 6-30 +-0.2, 30-120 +-0.3, 120-400 +-0.5
    assert [iso_2768(x, "m") for x in (1.6, 4.0, 29.0, 41.0, 200.0)] == [0.1, 0.1, 0.2, 0.3, 0.5]
    assert iso_2768(50.0, "f") == 0.15 and iso_2768(50.0, "c") == 0.8 and iso_2768(50.0, "v") == 1.5
    design = _design(folder)
    text = design.read_text()
    body = text[:text.index("tolerances:")] + "tolerances:\n  defaults: true\n  parts:\n    package: {size: ±0.1 mm}\n"
    stack = _stackup(cli, _variant(design, "defaults", body))
    got = {c["name"]: c["tolerance"]["value"] for c in stack["contributors"]}
    # built in: the board +-10 % of 1.5 mm; standoff 4 mm, heat sink 30.25 mm and tray walls 41.25 mm (floor top
    # to wall top) ISO 2768-m; the package from the design
    assert got == {"board": pytest.approx(0.15, abs=1e-6), "standoff": pytest.approx(0.1), "package": 0.1,
                   "heatsink": pytest.approx(0.3), "tray": pytest.approx(0.3)}


def _stack_of(cli: Callable[..., Run], design: Path, kind: str, a: str) -> tuple[dict, dict]:
    result = cli("check", design, "--format", "json")
    assert result.code in (0, 1), result.err
    report = json.loads(result.out)
    (stack,) = [s for s in report["stackups"] if s["kind"] == kind and s["parts"][0] == a]
    return stack, report


def test_unequal_limits_shift_the_nominal_and_a_process_capability_narrows_sigma(cli: Callable[..., Run],
                                                                                folder: Path) -> None:
    # the heat sink drawn 30.25 mm, toleranced +0 / -0.4 mm: its mean is 0.2 mm shorter (the gap 0.2 mm wider),
    # its half-width 0.2 mm; a package process of Cpk 2 has sigma = 0.1 / (3 * 2)
    design = _design(folder, tray="normal")
    text = design.read_text().replace("heatsink: {size: ±0.2 mm}", "heatsink: {size: +0 mm / -0.4 mm}")
    design = _variant(design, "unequal", text.replace("package: {size: +-0.1 mm}", "package: {size: +-0.1 mm, cpk: 2}"))
    stack = _stackup(cli, design)
    assert stack["nominal"]["value"] == pytest.approx(1.4 + 0.2, abs=1e-6)
    assert stack["worst_case"]["min"]["value"] == pytest.approx(1.6 - sum(HALF.values()), abs=1e-6)
    sigmas = {name: h / 3 for name, h in HALF.items()} | {"package": 0.1 / 6}
    sigma = math.sqrt(sum(s * s for s in sigmas.values()))
    p = stats.norm.cdf((1.25 - 1.6) / sigma)                       # about 3e-3
    n = stack["monte_carlo"]["samples"]
    assert stack["monte_carlo"]["p_below_required"] == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / n))
    assert stack["cpk"] == pytest.approx((1.6 - 1.25) / (3 * sigma), rel=1e-5)     # (6 digits in the JSON)


def test_unequal_limits_in_per_cent_shift_the_nominal_by_a_fraction_of_the_size(cli: Callable[..., Run],
                                                                                 folder: Path) -> None:
    # the heat sink drawn 30.25 mm along the stack, toleranced +0 % / -2 %: its range is 29.645 to 30.25 mm,
    # so its mean is 1 % (0.3025 mm) shorter (the gap that much wider) and its half-width 1 % (0.3025 mm)
    design = _design(folder, tray="normal")
    design = _variant(design, "unequal-per-cent", design.read_text().replace(
        "heatsink: {size: ±0.2 mm}", "heatsink: {size: +0 % / -2 %}"))
    stack = _stackup(cli, design)
    assert stack["nominal"]["value"] == pytest.approx(1.4 + 0.3025, abs=1e-6)
    halves = HALF | {"heatsink": 0.3025}
    assert stack["worst_case"]["min"]["value"] == pytest.approx(1.4 + 0.3025 - sum(halves.values()), abs=1e-6)


def test_a_cpk_threshold_fails_a_stack_whose_probability_passes(cli: Callable[..., Run], folder: Path) -> None:
    # needing 0.5 mm: P(below) is ~1e-14 (passes the 1e-4 limit), Cpk = 0.9 / (3 sigma) = 2.55 with sigma
    # = sqrt(sum((h/3)^2)) over the normal +-; asking for Cpk 3 fails it
    design = _design(folder, required=0.5, tray="normal")
    sigma = math.sqrt(sum((h / 3) ** 2 for h in HALF.values()))
    assert 2.5 < 0.9 / (3 * sigma) < 2.6
    design = _variant(design, "min-cpk", design.read_text().replace("  seed: 3\n", "  seed: 3\n  min_cpk: 3\n"))
    report = json.loads(cli("check", design, "--format", "json").out)
    (d501,) = [f for f in report["findings"] if f["code"] == "D501"]
    assert "Cpk 2.55 (the design asks for 3)" in d501["message"]


def test_bad_capability_and_unequal_limits_are_design_errors(cli: Callable[..., Run], folder: Path) -> None:
    design = _design(folder)
    for old, new, expect in (("heatsink: {size: ±0.2 mm}", "heatsink: {size: ±0.2 mm, cpk: -1}", "cpk"),
                             ("tray: {size: ±0.2 mm, dist: uniform}", "tray: {size: ±0.2 mm, dist: uniform, cpk: 1}",
                              "uniform"),
                             ("heatsink: {size: ±0.2 mm}", "heatsink: {size: +0 mm / -0 mm}", "limits must differ"),
                             ("heatsink: {size: ±0.2 mm}", "heatsink: {size: +0 % / -0.2 mm}", "mixes per cent"),
                             ("heatsink: {size: ±0.2 mm}", "heatsink: {size: +0 % / -100 %}", "below 100 %"),
                             ("  seed: 3\n", "  seed: 3\n  min_cpk: yes\n", "min_cpk")):
        bad = folder / "bad-limits.yaml"
        bad.write_text(design.read_text().replace(old, new))
        result = cli("check", bad)
        assert result.code == 2 and "bad-limits.yaml:" in result.err and expect in result.err, result.err


def test_envelope_headroom_is_stacked_from_the_lowest_point(cli: Callable[..., Run], folder: Path) -> None:
    # EIA-310 1U panel height 43.656 mm (the built-in pack) over the stack whose lid top is at 43.25 mm: headroom
    # 0.406 mm; the chain is the lid on the tray walls. Tray (42.25 mm from the wall top to the floor's bottom,
    # +-0.2 uniform) and lid (1 mm, +-0.3 mm normal) both take from it: h = 0.406 - u - y
    design = _design(folder)
    text = design.read_text().replace("units: mm\n", "units: mm\nspecs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n"
                                      "    envelope.depth: {value: 760 mm, reason: test}\n")
    tray = "    tray: {size: ±0.2 mm, dist: uniform}\n"
    design = _variant(design, "envelope", text.replace(tray, tray + "    lid: {size: ±0.3 mm}\n"))
    stack, report = _stack_of(cli, design, "envelope", "lid")
    headroom = 43.656 - 43.25
    assert stack["parts"] == ["lid", "tray"] and stack["chain"] == ["lid", "tray"]
    assert stack["limit"] == "eia-310-1u envelope height 43.656 mm" and stack["direction"] == [0, 0, 1]
    assert stack["nominal"]["value"] == pytest.approx(headroom, abs=1e-6)
    assert stack["worst_case"]["min"]["value"] == pytest.approx(headroom - 0.5, abs=1e-6)
    assert stack["rss"]["min"]["value"] == pytest.approx(headroom - math.hypot(0.2, 0.3), abs=1e-6)
    assert {c["name"]: c["sensitivity"] for c in stack["contributors"]} == {"lid": pytest.approx(-1.0),
                                                                            "tray": pytest.approx(-1.0)}
    p, _ = integrate.quad(lambda u: stats.norm.sf((headroom - u) / 0.1) / 0.4, -0.2, 0.2)   # about 8e-4
    n = stack["monte_carlo"]["samples"]
    assert stack["monte_carlo"]["p_below_required"] == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / n))
    assert stack["status"] == "fail"
    # the tray alone (its own height, 43.25 - 1 mm below the limit) is stacked too, and passes
    (tray,) = [s for s in report["stackups"] if s["kind"] == "envelope" and s["parts"] == ["tray", "tray"]]
    assert tray["nominal"]["value"] == pytest.approx(headroom + 1.0, abs=1e-6) and tray["status"] == "pass"
    assert any(f["code"] == "D501" and "headroom under the eia-310-1u envelope height" in f["message"]
               for f in report["findings"])


def _pad_stack(folder: Path) -> None:
    for name, (lo, hi) in {"pboard": ((5, 5, 5), (95, 95, 6.5)), "ppackage": ((30, 30, 6.5), (70, 70, 10.5)),
                           "pad": ((35, 35, 10.5), (65, 65, 11.0)), "post": ((10, 10, 6.5), (16, 16, 10.875)),
                           "psink": ((8, 8, 10.875), (72, 72, 20))}.items():
        _box(lo, hi).export(folder / f"{name}.stl")


PAD_DESIGN = """\
sledcheck: 1
name: pad
units: mm
parts:
  board: {file: pboard.stl, role: pcb}
  package: {file: ppackage.stl, role: package}
  pad: {file: pad.stl, role: pad}
  post: {file: post.stl, role: standoff}
  heatsink: {file: psink.stl, role: heatsink}
contacts:
  - [package, board]
  - [pad, package]
  - [post, board]
  - [post, heatsink]
fits:
  - {between: [pad, heatsink], kind: compressible, compression: [0.05 mm, 0.2 mm]}
tolerances:
  parts:
    pad: {size: ±0.05 mm}
    package: {size: ±0.1 mm}
    post: {size: ±0.1 mm}
    board: {size: ±0.5 mm}
  samples: 200000
"""


def test_a_pads_compression_is_stacked_against_its_range(cli: Callable[..., Run], folder: Path) -> None:
    # the heat sink stands on a post from the board (10.875 mm) and presses the 0.5 mm pad on the 4 mm package by
    # 0.125 mm; the board's thickness is not in the loop (the package and the post both stand on its top face).
    # depth = 0.125 + pad + package - post: worst 0.125 -+ 0.25, sigma = sqrt(0.05^2 + 0.1^2 + 0.1^2) / 3 = 0.05
    _pad_stack(folder)
    design = folder / "pad.yaml"
    design.write_text(PAD_DESIGN)
    stack, report = _stack_of(cli, design, "fit", "pad")
    assert stack["parts"] == ["pad", "heatsink"] and stack["chain"] == ["pad", "package", "board", "post", "heatsink"]
    assert stack["limit"] == "compressible fit" and stack["direction"] == [0, 0, 1]
    assert stack["nominal"]["value"] == pytest.approx(0.125, abs=2e-3)     # the sampled penetration depth
    nominal = stack["nominal"]["value"]
    assert stack["required"]["value"] == 0.05 and stack["upper"]["value"] == 0.2
    assert {c["name"]: c["sensitivity"] for c in stack["contributors"]} == {
        "pad": pytest.approx(1.0), "package": pytest.approx(1.0), "post": pytest.approx(-1.0)}
    assert stack["worst_case"]["min"]["value"] == pytest.approx(nominal - 0.25, abs=1e-6)
    sigma = 0.05
    mc, n = stack["monte_carlo"], stack["monte_carlo"]["samples"]
    loose, deep = stats.norm.cdf((0.05 - nominal) / sigma), stats.norm.sf((0.2 - nominal) / sigma)   # ~0.07 each
    assert mc["p_below_required"] == pytest.approx(loose, abs=4 * math.sqrt(loose * (1 - loose) / n))
    assert mc["p_above_limit"] == pytest.approx(deep, abs=4 * math.sqrt(deep * (1 - deep) / n))
    assert stack["cpk"] == pytest.approx(min(nominal - 0.05, 0.2 - nominal) / (3 * sigma), rel=1e-6)
    (d501,) = [f for f in report["findings"] if f["code"] == "D501"]
    assert "pad presses" in d501["message"] and "too loose" in d501["message"]


def test_the_html_loop_is_drawn_on_a_side_view(cli: Callable[..., Run], folder: Path) -> None:
    html = cli("check", _design(folder), "--format", "html").out.split('<section id="stackups">')[1]
    loop = html.split('aria-label="stack-up loop">')[1].split("</svg>")[0]
    # every part of the chain as a box, the path through its 5 contacts (7 corners: start, 5 contacts, end)
    assert loop.count("<rect") == 6 and all(f"<title>{n}</title>" in loop for n in ("heatsink", "tray", "lid"))
    path = loop.split('<path d="')[1].split('"')[0]
    assert path.count("L") == 6 and "z up" in loop
