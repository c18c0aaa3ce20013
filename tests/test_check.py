"""`sledcheck check` end to end: the exit-code matrix, the examples, JSON determinism, waivers, baselines."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

import sledcheck
from conftest import EXAMPLES, MINIMAL, Run, box_stl
from sledcheck.checks import engine, registry

OVERHEIGHT = EXAMPLES / "tray-1u" / "overheight.yaml"
FIXED = EXAMPLES / "tray-1u" / "fixed.yaml"


def test_overheight_example_fails_naming_the_heatsinks_and_the_overrun(cli: Callable[..., Run]) -> None:
    result = cli("check", OVERHEIGHT)
    assert result.code == 1, result.err
    # heat sink top: package top 11.6 + base 5 + fins 27.4 = 44.0 mm; 1U envelope 43.656 mm -> 0.344 mm over
    assert "D001 envelope [error]  heatsink0, heatsink1" in result.out
    assert "exceeds the eia-310-1u envelope height 43.66 mm by 0.34 mm" in result.out
    assert "verdict: FAIL" in result.out


def test_fixed_example_passes(cli: Callable[..., Run]) -> None:
    result = cli("check", FIXED)
    assert result.code == 0, result.out + result.err
    assert "verdict: PASS" in result.out


def test_json_report_has_the_contract_keys_and_is_byte_identical(cli: Callable[..., Run]) -> None:
    first = cli("check", OVERHEIGHT, "--format", "json")
    second = cli("check", OVERHEIGHT, "--format", "json")
    assert first.code == second.code == 1
    assert first.out == second.out
    report = json.loads(first.out)
    for key in ("schema_version", "tool", "design", "verdict", "summary", "parts", "findings", "thermal"):
        assert key in report
    assert report["verdict"] == "fail" and report["schema_version"] == 1
    assert set(report["summary"]) == {"error", "warning", "info", "waived"}
    part = report["parts"][0]
    assert set(part) >= {"name", "role", "file", "units", "units_source", "triangles", "watertight", "bounds"}
    finding = next(f for f in report["findings"] if f["code"] == "D001")
    assert set(finding) >= {"code", "name", "severity", "message", "subjects", "measured", "limit", "location",
                            "waived"}
    assert finding["subjects"] == ["heatsink0", "heatsink1"]
    assert finding["measured"] == {"value": pytest.approx(44.0, abs=1e-4), "unit": "mm"}
    assert finding["limit"] == {"value": pytest.approx(43.656), "unit": "mm"}
    # spec-derived findings point into the user's repository (the design's `specs:` entry), with the pack's
    # own line as a related location (issue 9: never into <prefix>/share/sledcheck after a regular install)
    specs_line = next(i for i, t in enumerate(Path(OVERHEIGHT).read_text().splitlines(), 1) if t.startswith("specs:"))
    assert finding["location"] == {"file": str(OVERHEIGHT), "line": specs_line}
    (related,) = finding["related"]
    assert related["file"] == "specs/eia-310-1u.yaml" and related["builtin"] is True and related["line"] > 1
    units = {p["name"]: (p["units"], p["units_source"]) for p in report["parts"]}
    assert units["lid"] == ("mm", "the 3MF file declares mm")
    assert units["dimms"][0] == "m"   # GLB is metres by the glTF specification


def test_python_api_returns_the_same_report() -> None:
    report = sledcheck.check(OVERHEIGHT)
    assert report.verdict == "fail" and report.exit_code == 1
    assert [f.code for f in report.findings] == ["D001", "D101", "D101", "D301", "D401"]
    assert sledcheck.Q_(1, "RU").m_as("mm") == 44.45


@pytest.mark.parametrize(("extra", "args", "code"), [
    ("", [], 0),                                              # clean
    ("specs: [eia-310-1u]\n", [], 0),                         # fits 1U (30 mm tall), depth unset: info only
    ("specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n    envelope.height: {value: 25 mm, reason: test}\n",
     [], 1),                                                  # 30 mm > 25 mm: error
    ("specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n    envelope.height: {value: 25 mm, reason: test}\n",
     ["--fail-on", "never"], 0),
    ("specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n    envelope.height: {value: 25 mm, reason: test}\n",
     ["--ignore", "D"], 0),
    ("specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n    envelope.height: {value: 25 mm, reason: test}\n",
     ["--select", "M"], 0),
    ("specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n    envelope.height: {value: 25 mm, reason: test}\n"
     "severity:\n  D001: warning\n", [], 0),
    ("specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n    envelope.height: {value: 25 mm, reason: test}\n"
     "severity:\n  D001: warning\n", ["--fail-on", "warning"], 1),
    ("specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n    envelope.height: {value: 25 mm, reason: test}\n"
     "waivers:\n  - {code: D001, subjects: [b], reason: accepted}\n", [], 0),
    ("specs: [eia-310-1u]\n", ["--fail-on", "info"], 1),      # the S101 info finding fails at --fail-on info
    ("", ["--format", "nope"], 2),                            # bad command line
])
def test_exit_code_matrix(cli: Callable[..., Run], design: Callable[[str], Path], extra: str, args: list[str],
                          code: int) -> None:
    result = cli("check", design(MINIMAL + extra), *args)
    assert result.code == code, result.out + result.err


def test_crashing_rule_becomes_a_finding_and_exit_2(cli: Callable[..., Run], design: Callable[[str], Path],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(_: object) -> list[engine.Finding]:
        raise ZeroDivisionError("bad day")

    crashing = engine.Rule(code="D999", name="crashes", severity="error", summary="", explanation="", fix="",
                           check=boom)
    monkeypatch.setattr(registry, "RULES", (*registry.RULES, crashing))
    monkeypatch.setattr("sledcheck.pipeline.RULES", (*registry.RULES,))
    result = cli("check", design(MINIMAL), "--format", "json")
    assert result.code == 2
    report = json.loads(result.out)
    assert report["verdict"] == "error" and report["incomplete"] is True
    crash = next(f for f in report["findings"] if f["code"] == "X001")
    assert "D999 (crashes) crashed: ZeroDivisionError: bad day" in crash["message"]


def test_unit_mixup_is_flagged(cli: Callable[..., Run], tmp_path: Path) -> None:
    box_stl(tmp_path / "pkg.stl", (0, 0, 0), (0.045, 0.045, 0.004))   # a 45 mm package exported in metres
    box_stl(tmp_path / "lid.stl", (0, 0, 10), (400, 600, 11))
    (tmp_path / "d.yaml").write_text("sledcheck: 1\nname: x\nunits: mm\nparts:\n"
                                     "  pkg: {file: pkg.stl, role: package}\n  lid: {file: lid.stl, role: lid}\n")
    result = cli("check", tmp_path / "d.yaml")
    assert result.code == 1
    assert "M101 unit-plausibility [error]  pkg" in result.out
    finding = json.loads(cli("check", tmp_path / "d.yaml", "--format", "json").out)["findings"][0]
    assert "if they were in m" in finding["message"] and finding["data"]["guesses"] == ["m"]


def test_open_mesh_warns_and_real_inverted_body_is_reported(cli: Callable[..., Run], tmp_path: Path,
                                                            realdata: Path) -> None:
    (tmp_path / "d.yaml").write_text(
        "sledcheck: 1\nname: x\nunits: mm\nparts:\n"
        f"  soup: {{file: '{realdata / 'trimesh/soup.stl'}', role: other}}\n"
        f"  mb: {{file: '{realdata / 'trimesh/multibody.stl'}', role: other, position: [10, 0, 0]}}\n")
    result = cli("check", tmp_path / "d.yaml", "--format", "json")
    report = json.loads(result.out)
    codes = {(f["code"], tuple(f["subjects"])) for f in report["findings"]}
    assert ("M001", ("soup",)) in codes and ("M002", ("mb",)) in codes
    assert result.code == 0   # warnings only


def test_waivers_expired_and_unused_are_findings(cli: Callable[..., Run], design: Callable[[str], Path]) -> None:
    text = MINIMAL + ("specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n"
                      "    envelope.height: {value: 25 mm, reason: test}\n"
                      "waivers:\n  - {code: D001, subjects: [b], reason: old, expires: 2001-01-01}\n"
                      "  - {code: M001, subjects: [a], reason: never needed}\n")
    report = sledcheck.check(design(text), today=dt.date(2026, 11, 27))
    codes = [f.code for f in report.findings]
    assert "S002" in codes and "S001" in codes
    assert not next(f for f in report.findings if f.code == "D001").waived   # expired: counts again
    assert report.verdict == "fail"


def test_waived_finding_stays_in_the_report(design: Callable[[str], Path]) -> None:
    text = MINIMAL + ("specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n"
                      "    envelope.height: {value: 25 mm, reason: test}\n"
                      "waivers:\n  - {code: D001, subjects: [lid], reason: lid is optional, expires: 2099-01-01}\n")
    report = sledcheck.check(design(text))
    d001 = next(f for f in report.findings if f.code == "D001")
    assert d001.waived and d001.waiver_reason == "lid is optional"
    assert report.verdict == "pass" and report.summary["waived"] == 1


def test_baseline_fails_only_on_new_findings(cli: Callable[..., Run], design: Callable[[str], Path],
                                             tmp_path: Path) -> None:
    over = MINIMAL + ("specs: [eia-310-1u]\noverrides:\n  eia-310-1u:\n"
                      "    envelope.height: {value: 25 mm, reason: test}\n")
    baseline = tmp_path / "baseline.json"
    assert cli("check", design(over), "--write-baseline", baseline).code == 1
    assert json.loads(baseline.read_text())["findings"][0]["code"] == "D001"
    again = cli("check", design(over), "--baseline", baseline, "--format", "json")
    assert again.code == 0
    assert json.loads(again.out)["findings"][0]["baseline"] == "existing"
    fixed = cli("check", design(MINIMAL + "specs: [eia-310-1u]\n"), "--baseline", baseline, "--format", "json")
    assert json.loads(fixed.out)["baseline"]["fixed"] == [{"code": "D001", "subjects": ["b"]}]


def test_reports_are_written_atomically_and_existing_output_survives_a_failed_run(
        cli: Callable[..., Run], design: Callable[[str], Path], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    assert cli("check", design(MINIMAL), "--output", f"json={out}").code == 0
    before = out.read_text()
    assert json.loads(before)["verdict"] == "pass"
    assert cli("check", design("sledcheck: 1\nname: x\n"), "--output", f"json={out}").code == 2
    assert out.read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_inputs_are_not_modified(cli: Callable[..., Run]) -> None:
    files = sorted((EXAMPLES / "tray-1u").rglob("*"))
    before = {p: p.read_bytes() for p in files if p.is_file()}
    cli("check", OVERHEIGHT, "--format", "json")
    assert {p: p.read_bytes() for p in files if p.is_file()} == before


def test_rules_and_specs_commands(cli: Callable[..., Run]) -> None:
    listing = cli("rules")
    assert listing.code == 0 and "D001  envelope" in listing.out
    explained = cli("rules", "M101")
    assert "Why:" in explained.out and "How to fix:" in explained.out
    assert cli("rules", "Z999").code == 2
    specs = cli("specs", "eia-310-1u")
    assert "envelope.height" in specs.out and "43.656 mm" in specs.out and "secondary" in specs.out
    assert cli("specs", "nope").code == 2


def test_python_m_entry_point() -> None:
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "sledcheck", "rules"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "M001" in done.stdout


def test_spec_findings_point_into_the_repository_in_every_format(cli: Callable[..., Run],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (issue 9): after a regular install, findings anchored to built-in packs pointed into
    <prefix>/share/sledcheck/specs (file:// URIs in SARIF, absolute paths in GitHub annotations)."""
    monkeypatch.chdir(EXAMPLES.parent)
    sarif = json.loads(cli("check", "examples/tray-1u/overheight.yaml", "--format", "sarif").out)
    assert "file://" not in json.dumps(sarif)
    (d001,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "D001"]
    assert d001["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "examples/tray-1u/overheight.yaml"}
    related = d001["relatedLocations"][0]["physicalLocation"]["artifactLocation"]
    assert related == {"uri": "specs/eia-310-1u.yaml", "uriBaseId": "SLEDCHECK_DATA"}
    github = cli("check", "examples/tray-1u/overheight.yaml", "--format", "github").out
    assert "::error file=examples/tray-1u/overheight.yaml,line=7,title=D001 envelope::" in github
    assert "/share/sledcheck" not in github


def test_passing_gaps_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixed tray's heat-sink tips sit 1.556 mm under the lid (lid underside 42.656 mm, fin tips 41.1 mm:
    examples/tray-1u/make_meshes.py) against 1.5 mm required: it passes, and every report shows it."""
    monkeypatch.chdir(EXAMPLES.parent)
    report = sledcheck.check("examples/tray-1u/fixed.yaml")
    data = json.loads(sledcheck.report.renderer("json")(report))
    (gap,) = [g for g in data["gaps"] if g["parts"] == ["heatsink0", "lid"]]
    assert gap["status"] == "clear" and gap["exact"] == "mesh"
    assert gap["gap"]["value"] == pytest.approx(42.656 - 41.1, abs=1e-3) and gap["required"]["value"] == 1.5
    assert data["gaps"] == sorted(data["gaps"], key=lambda g: g["parts"])
    seats = [g for g in data["gaps"] if g["parts"] == ["heatsink0", "package0"]]
    assert seats and seats[0]["status"] == "contact"                    # a declared contact, touching
    text = sledcheck.report.renderer("text")(report)
    assert "heatsink0 - lid: 1.556 mm, need 1.5 mm: clear" in text
    assert "| heatsink0 / lid | 1.556 mm | 1.5 mm | clear |" in sledcheck.report.renderer("markdown")(report)
