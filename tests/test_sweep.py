"""Design-space sweeps (issue 13): the space, the cases, the results against a single check, and the same table
whoever runs it (this process, local processes, a Dask cluster on the loopback interface)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from conftest import EXAMPLES, Run
from sledcheck.errors import SledcheckError
from sledcheck.sweep import parse_vary, sweep
from sledcheck.sweep.space import grid_cases, lhs_cases
from sledcheck.sweep.tables import csv_text, json_dict

FIXED = EXAMPLES / "tray-1u" / "fixed.yaml"


def test_ranges_and_lists_with_units() -> None:
    power = parse_vary("thermal.components.package0.power=250 W..350 W:5")
    assert power.grid == (250.0, 275.0, 300.0, 325.0, 350.0) and power.unit == "W"
    assert power.header == "thermal.components.package0.power [W]" and power.text(275.0) == "275 W"
    assert parse_vary("thermal.environment.max_inlet=30..40degC:3").grid == (30.0, 35.0, 40.0)
    speeds = parse_vary("thermal.fans.speed=0.6,0.8,1")
    assert speeds.grid == (0.6, 0.8, 1.0) and speeds.unit == "" and speeds.text(0.8) == 0.8
    assert parse_vary("thermal.fans.model=a,b").grid == ("a", "b")
    # a relative file path holds '..' but is no range
    assert parse_vary("parts.tray.file=../cad/tray.stl,cad/tray.stl").grid == ("../cad/tray.stl", "cad/tray.stl")
    once = parse_vary("parts.heatsink0.fin_height,parts.heatsink1.fin_height=24,24.5 mm")
    assert once.grid == (24.0, 24.5) and once.unit == "mm"
    assert once.paths == ("parts.heatsink0.fin_height", "parts.heatsink1.fin_height")


@pytest.mark.parametrize("text, says", [
    ("thermal.fans.speed", "expected PATH=LO..HI:N"),
    ("thermal..speed=1..2:3", "not a dotted path"),
    ("thermal.fans.speed=1..2", "number of points"),
    ("thermal.fans.speed=2..1:3", "must rise"),
    ("a.b=1 mm..2 W:3", "different units"),
    ("a.b=1,,2", "empty value"),
    ("a.b=1e999 W..2 W:3", "finite"),
    ("a.b=1e999,2", "finite"),
])
def test_bad_vary_options_say_what_to_write(text: str, says: str) -> None:
    with pytest.raises(SledcheckError, match=says):
        parse_vary(text)


def test_the_grid_is_every_combination_and_lhs_is_stratified() -> None:
    a, b = parse_vary("x.a=0..1:3"), parse_vary("x.b=1,2")
    assert grid_cases((a, b)) == [(0.0, 1.0), (0.0, 2.0), (0.5, 1.0), (0.5, 2.0), (1.0, 1.0), (1.0, 2.0)]
    # McKay et al. (1979): with N cases each range's N equal strata hold exactly one case
    cases = lhs_cases((parse_vary("x.a=0..10:2"), parse_vary("x.c=-1..1:2")), 50, seed=3)
    for k, (low, high) in enumerate(((0.0, 10.0), (-1.0, 1.0))):
        strata = sorted(int((c[k] - low) / (high - low) * 50) for c in cases)
        assert strata == list(range(50))
    assert cases == lhs_cases((parse_vary("x.a=0..10:2"), parse_vary("x.c=-1..1:2")), 50, seed=3)


def _package0_chain() -> tuple[float, float]:
    """The single check of fixed.yaml: package0's worst-scenario margin and its total resistance [K/W]."""
    from sledcheck.pipeline import check
    from sledcheck.report.json_format import report_dict

    thermal = report_dict(check(FIXED))["thermal"]
    worst = None
    for scenario in thermal["scenarios"]:
        for comp in scenario["components"]:
            if comp["part"] == "package0" and (worst is None or comp["margin"]["value"] < worst["margin"]["value"]):
                worst = comp
    assert worst is not None
    return worst["margin"]["value"], sum(r["value"] for r in worst["resistances"].values())


@pytest.fixture(scope="module")
def power_sweep() -> dict:
    variables = [parse_vary("thermal.components.package0.power=250W..350W:3"),
                 parse_vary("thermal.environment.max_inlet=35..40degC:2")]
    return json_dict(sweep(FIXED, variables, scheduler="local:1"))


def test_margins_follow_the_single_checks_chain(power_sweep: dict) -> None:
    # package0 leads its lane (nothing upstream) and its resistances do not depend on its own power, so its
    # margin is linear in power with slope -sum(R): margin(P) = margin(300 W) + (300 W - P) sum(R), at the
    # design's own worst inlet (35 degC for A2 at 900 m); every degree of inlet takes about a kelvin
    margin_300, resistance = _package0_chain()
    by_values = {(c["values"]["thermal.components.package0.power"]["value"],
                  c["values"]["thermal.environment.max_inlet"]["value"]): c for c in power_sweep["cases"]}
    at_35 = {p: by_values[(p, 35.0)]["margins"]["package0"]["value"] for p in (250.0, 300.0, 350.0)}
    assert at_35[300.0] == pytest.approx(margin_300, abs=1e-4)
    assert at_35[250.0] - at_35[300.0] == pytest.approx(50 * resistance, rel=1e-4)
    assert at_35[300.0] - at_35[350.0] == pytest.approx(50 * resistance, rel=1e-4)
    warm = by_values[(300.0, 40.0)]["margins"]["package0"]["value"]
    assert margin_300 - warm == pytest.approx(5.0, abs=0.5)
    # 350 W at 40 degC leaves package0 below its 5 K: that case fails on T001, and the window says so
    assert by_values[(350.0, 40.0)]["verdict"] == "fail" and "T001" in by_values[(350.0, 40.0)]["failing"]
    window = power_sweep["window"]
    assert window["cases"] == 6 and window["passing"] == sum(c["verdict"] == "pass" for c in power_sweep["cases"])
    best = power_sweep["best"]
    assert best["values"]["thermal.components.package0.power"]["value"] == 250.0


@pytest.mark.slow   # (two geometry builds; the fin-height test covers geometry sweeps in the default run)
def test_moving_a_heat_sink_into_the_lid_fails_the_fit(tmp_path: Path) -> None:
    # fixed.yaml seats heatsink0 at z = 11.6 mm with 1.556 mm to the lid: raised by 2 mm it cuts into the lid
    result = json_dict(sweep(FIXED, [parse_vary("parts.heatsink0.position.2=11.6,13.6")], scheduler="local:1"))
    low, high = result["cases"]
    assert low["fit"] == "pass" and low["verdict"] == "pass"
    assert high["fit"] == "fail" and "D101" in high["failing"] and high["verdict"] == "fail"


def test_bad_paths_and_values_are_errors_naming_the_design(tmp_path: Path) -> None:
    with pytest.raises(SledcheckError, match="has no 'heatsink9'") as err:
        sweep(FIXED, [parse_vary("parts.heatsink9.position.2=1,2")], scheduler="local:1")
    assert err.value.file and err.value.file.endswith("fixed.yaml") and err.value.line
    import yaml

    parts = yaml.safe_load(FIXED.read_text())["parts"]       # 16 parts: the hint names 12 and says how many
    assert len(parts) > 12 and err.value.hint and err.value.hint.endswith(f", ... ({len(parts)} in all)")
    result = json_dict(sweep(FIXED, [parse_vary("thermal.components.package0.power=-5W,300W")],
                             scheduler="local:1"))
    bad, good = result["cases"]
    assert bad["verdict"] == "error" and "package0" in bad["error"] and good["verdict"] == "pass"


@pytest.mark.slow   # (two spawned processes; .ci/run runs the slow sweep tests after the suite)
def test_local_processes_give_the_same_table(power_sweep: dict) -> None:
    variables = [parse_vary("thermal.components.package0.power=250W..350W:3"),
                 parse_vary("thermal.environment.max_inlet=35..40degC:2")]
    assert json_dict(sweep(FIXED, variables, scheduler="local:2")) == power_sweep


@pytest.mark.slow   # (a cluster of one worker process; .ci/run runs the slow sweep tests after the suite)
def test_a_dask_cluster_on_loopback_gives_the_same_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("TMPDIR", str(tmp_path))    # the workers unpack the design's bundle here
    variables = [parse_vary("thermal.components.package0.power=250W,350W"),
                 parse_vary("parts.heatsink0.position.2=11.6,13.6")]
    local = csv_text(sweep(FIXED, variables, scheduler="local:1"))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                                  processes=True) as cluster:
        remote = csv_text(sweep(FIXED, variables, scheduler=cluster.scheduler_address))
    assert remote == local
    assert len(list(tmp_path.glob("sledcheck-bundle-*"))) == 1   # shipped once, unpacked once
    header = local.splitlines()[0].split(",")
    assert header[:4] == ["case", "thermal.components.package0.power [W]", "parts.heatsink0.position.2", "fit"]
    assert header[4:7] == ["margin:dimms [K]", "margin:package0 [K]", "margin:package1 [K]"] and header[7] == "verdict"


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    pytest.importorskip("distributed")
    with pytest.raises(SledcheckError, match="cannot reach the Dask scheduler"):
        sweep(FIXED, [parse_vary("thermal.fans.speed=1")], scheduler="tcp://127.0.0.1:9")


def test_sensitivity_is_the_least_squares_slope(power_sweep: dict) -> None:
    from sledcheck.sweep import SweepResult
    from sledcheck.sweep.page import sensitivities
    from sledcheck.sweep.run import CaseResult

    # a worst margin of 3 - 2 a + 0.5 b over a 3 x 3 grid of a, b in 0..1: the fit recovers -2 and +0.5 exactly
    variables = (parse_vary("x.a=0..1:3"), parse_vary("x.b=0..1:3"))
    values = tuple(grid_cases(variables))
    cases = tuple(CaseResult(i, "pass", "pass", (("c", 3 - 2 * a + 0.5 * b, 0.0, "s"),), "pass")
                  for i, (a, b) in enumerate(values))
    result = SweepResult("d", variables, values, cases, ("c",), "grid", 1)
    found = dict(sensitivities(result))
    assert found["x.a"] == pytest.approx(-2.0) and found["x.b"] == pytest.approx(0.5)
    assert math.isfinite(np.float64(found["x.a"]))
    assert json.loads(json.dumps(power_sweep))["variables"][0]["unit"] == "W"


def _tray_copy(folder: Path, extra: str) -> Path:
    """fixed.yaml with its files named absolutely (tests never write into examples/) and ``extra`` appended."""
    text = FIXED.read_text(encoding="utf-8").replace("file: cad/", f"file: {FIXED.parent / 'cad'}/")
    path = folder / "tray.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.mark.slow
def test_monte_carlo_of_power_against_the_normal_closed_form(tmp_path: Path) -> None:
    from scipy import stats

    from sledcheck.sweep.montecarlo import montecarlo

    # only package0's power is uncertain (±5 %: sigma = 300 W x 0.05 / 3 = 5 W). It leads its lane and its
    # resistances do not depend on its power, so its worst margin is normal: mean m0, sigma 5 W x sum(R)
    design = _tray_copy(tmp_path, "tolerances:\n  thermal:\n    power: {package0: ±5 %}\n")
    margin_300, resistance = _package0_chain()
    result = montecarlo(design, samples=20_000, seed=5, scheduler="local:1")
    (risk,) = [c for c in result.components if c.part == "package0"]
    sigma = 5.0 * resistance
    assert risk.mean_margin == pytest.approx(margin_300, abs=4 * sigma / math.sqrt(20_000))
    assert risk.sigma_margin == pytest.approx(sigma, rel=0.03)
    p = stats.norm.cdf((5.0 - margin_300) / sigma)           # P(margin < the required 5 K), about 0.13
    assert risk.p_short == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / 20_000))
    assert risk.drivers[0][0] == "power:package0" and risk.drivers[0][1] == pytest.approx(1.0, abs=1e-6)
    assert result.inputs == (("power:package0", 0.05),)
    # the DIMMs sit downstream of package0 in the left lane: its power is what moves their margin too
    (dimms,) = [c for c in result.components if c.part == "dimms"]
    assert dimms.drivers[0][0] == "power:package0" and dimms.p_short == 0.0


def test_the_command_line_writes_every_table_and_page(tmp_path: Path, cli: Callable[..., Run]) -> None:
    run_cli = cli
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli("sweep", str(FIXED), "--vary", "thermal.components.package0.power=250W..350W:3",
                     "--scheduler", "local:1", "--output", f"csv={out / 's.csv'}", "--output",
                     f"json={out / 's.json'}", "--output", f"html={out / 's.html'}", "--output",
                     f"parquet={out / 's.parquet'}")
    assert result.code == 0, result.err
    assert "3 cases (grid), 2 pass" in result.out
    assert "passing thermal.components.package0.power: 250 .. 300 W" in result.out
    bare = run_cli("sweep", str(FIXED), "--vary", "thermal.fans.speed=0.9,1", "--scheduler", "local:1")
    assert "passing thermal.fans.speed: 1 .. 1 (no unit given" in bare.out, bare.out + bare.err   # 0.9 fails
    import pyarrow.parquet as pq

    table = pq.read_table(out / "s.parquet")
    assert table.column_names == (out / "s.csv").read_text().splitlines()[0].split(",")
    assert table.column("verdict").to_pylist() == ["pass", "pass", "fail"]
    assert json.loads((out / "s.json").read_text())["best"]["case"] == 0
    assert "<h2>Sensitivity</h2>" in (out / "s.html").read_text()
    refused = run_cli("sweep", str(FIXED), "--vary", "thermal.fans.speed=1", "--output", f"csv={FIXED}")
    assert refused.code == 2 and "the design file" in refused.err
    bad = run_cli("sweep", str(FIXED), "--vary", "thermal.fans.speed=1", "--output", "xlsx=a.xlsx")
    assert bad.code == 2 and "csv, parquet, json, html" in bad.err
    # a file a varied value names is read by its cases: never written over (checked before any case runs)
    rev_a = FIXED.parent / "cad" / "board_rev_a.stl"    # fixed.yaml reads rev B; the sweep's second case rev A
    varied = run_cli("sweep", str(FIXED), "--vary", "parts.board.file=cad/board_rev_b.stl,cad/board_rev_a.stl",
                     "--output", f"csv={rev_a}")
    assert varied.code == 2 and "a file the --vary values name" in varied.err
    for option in (["--seed", "-1"], ["--sample", "lhs:0"]):
        refused_seed = run_cli("sweep", str(FIXED), "--vary", "thermal.fans.speed=0.9,1", *option)
        assert refused_seed.code == 2 and "sledcheck: error:" in refused_seed.err
        assert "Traceback" not in refused_seed.err


@pytest.mark.slow
def test_fins_recut_to_a_height_match_the_sink_drawn_at_that_height() -> None:
    # toleranced.yaml's sinks are drawn with 24.0 mm fins; fixed.yaml's with 24.5 mm (the same sink otherwise).
    # Re-cut to 24.5 mm, both sinks together, the margin must be fixed.yaml's own and the stack-up must fail
    # (1.556 mm in the CAD, 1.456 mm with the bond line, against 1.5 mm: D501); at 24.0 mm it passes
    both = "parts.heatsink0.fin_height,parts.heatsink1.fin_height"
    result = json_dict(sweep(EXAMPLES / "tray-1u" / "toleranced.yaml", [parse_vary(f"{both}=24,24.5 mm")],
                             scheduler="local:1"))
    drawn, recut = result["cases"]
    margin_fixed, _ = _package0_chain()
    assert recut["margins"]["package0"]["value"] == pytest.approx(margin_fixed, abs=1e-3)
    assert recut["fit"] == "pass" and recut["fit_stackups"] == "fail" and "D501" in recut["failing"]
    assert drawn["verdict"] == "pass" and result["window"]["ranges"][both] == {"min": 24.0, "max": 24.0, "unit": "mm"}


def test_fin_height_on_a_part_that_is_not_a_heat_sink_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SledcheckError, match="role is not heatsink"):
        sweep(FIXED, [parse_vary("parts.lid.fin_height=20,21 mm")], scheduler="local:1")
