"""Output formats: one hand-built report rendered by every formatter and compared with stored snapshots (as ruff
does), plus structural checks (SARIF schema, JUnit counts, GitHub escaping, Markdown tables) and the CLI.

Update the snapshots after an intended change with ``SLEDCHECK_UPDATE_SNAPSHOTS=1 pytest tests/test_formats.py``
and review the diff; missing snapshots are written on the first run.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import sledcheck
from sledcheck.checks.engine import Finding, Location, Rule
from sledcheck.cli import build_parser, main
from sledcheck.model.thermal.results import ComponentResult, LaneResult, ScenarioResult, ThermalResult
from sledcheck.report import FORMATS
from sledcheck.report.github import escape_data, escape_property, render_github
from sledcheck.report.junit import render_junit
from sledcheck.report.markdown import COLUMNS, cell, render_markdown
from sledcheck.report.model import BaselineDiff, PartSummary, Report
from sledcheck.report.sarif import artifact_uri, render_sarif, repo_path
from sledcheck.report.text import render_text
from sledcheck.units import Q_

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SARIF_SCHEMA = ROOT / "tests" / "data" / "schemas" / "sarif-schema-2.1.0.json"   # a copy of ../shared/schemas
OVERHEIGHT = "examples/tray-1u/overheight.yaml"
DESIGN = "examples/tray-1u/design.yaml"
SNAPSHOT_FILES = {"text": "report.txt", "json": "report.json", "junit": "report.junit.xml",
                  "sarif": "report.sarif", "markdown": "report.md", "github": "report.github.txt",
                  "html": "report.html"}


def _rule(code: str, name: str, severity: str) -> Rule:
    """A rule with fixed texts, so the snapshots do not change when the real rules' wording does."""
    return Rule(code=code, name=name, severity=severity, summary=f"{name} summary.",
                explanation=f"Why {name} matters.", fix=f"How to fix {name}.", check=lambda _: ())


RULES = (_rule("M001", "open-mesh", "warning"), _rule("M002", "inverted-normals", "warning"),
         _rule("M003", "degenerate-faces", "info"), _rule("D001", "envelope", "error"),
         _rule("D201", "clearance", "error"))


def _part(name: str, role: str, top: float) -> PartSummary:
    return PartSummary(name=name, role=role, file=f"examples/tray-1u/cad/{name}.stl", units="mm",
                       units_source="STL files carry no unit; mm from the design's 'units'", triangles=12,
                       bodies=1, watertight=True, bounds=((0.0, 0.0, 0.0), (440.0, 700.0, top)))


@pytest.fixture(scope="module")
def report() -> Report:
    """The shared report: an error with numbers, a warning, an info, a waived error and a crashed rule."""
    findings = (
        Finding(code="D001", name="envelope", severity="error",
                message="assembly height 44.00 mm exceeds the eia-310-1u envelope height 43.66 mm by 0.34 mm",
                subjects=("heatsink0", "heatsink1"), measured=Q_(44.0, "mm"), limit=Q_(43.656, "mm"),
                location=Location("specs/eia-310-1u.yaml", 16), data={"dimension": "height"}),
        Finding(code="X001", name="rule-crashed", severity="error",
                message="rule M003 (degenerate-faces) crashed: ValueError: 100% bad\nvalue; its checks did not run",
                location=None, data={"rule": "M003"}),
        Finding(code="D201", name="clearance", severity="error", message="heatsink0 and lid are 1.20 mm apart",
                subjects=("heatsink0", "lid"), measured=Q_(1.2, "mm"), limit=Q_(1.5, "mm"),
                location=Location(DESIGN, 30), waived=True, waiver_reason="lid has a relief pocket here"),
        Finding(code="M001", name="open-mesh", severity="warning",
                message="fan1 is not closed: 12 open edges | 2 boundary loops", subjects=("fan1",),
                location=Location(DESIGN, 14)),
        Finding(code="S101", name="spec-value-unset", severity="info",
                message="acme-rev2 has no value for envelope.depth: depth not checked",
                location=Location("specs/acme,rev2.yaml", 3)),
    )
    parts = (_part("tray", "tray", 2.0), _part("heatsink0", "heatsink", 44.0), _part("heatsink1", "heatsink", 44.0),
             _part("lid", "lid", 43.656), _part("fan1", "fan", 41.0))
    return Report(design=DESIGN, name="tray-1u-example", specs=("eia-310-1u", "acme-rev2"), findings=findings,
                  parts=parts, rules_run=RULES, incomplete=True, fail_on="error")


@pytest.fixture(scope="module")
def real_report() -> Iterator[Report]:
    """A report from a real run of the overheight example."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        yield sledcheck.check(OVERHEIGHT)


def _thermal() -> ThermalResult:
    """A small thermal result: one scenario with a failed fan, one component above its limit."""
    def component(part: str, temperature: float) -> ComponentResult:
        return ComponentResult(part=part, power=700.0, temperature=temperature, limit_kind="junction", limit=95.0,
                               margin=95.0 - temperature, required_margin=3.0, local_inlet=35.0,
                               chain={"r_jc": 0.02, "r_heatsink": 0.06}, fin_flow=None)

    lane = LaneResult(name="left", flow=61.2345 * 4.719474e-4, pressure=120.0, fans_working=2, fin_fraction={})
    scenario = ScenarioResult(name="worst case | one fan failed", inlet=35.0, altitude=3050.0,
                              failed_fans=("fan1",), lanes=(lane,),
                              components=(component("package0", 91.25), component("package1", 97.5)))
    return ThermalResult(scenarios=(scenario,), problems=(), fan_model="server-40x56-dual-rotor")


def _snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("SLEDCHECK_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"no snapshot {name}: create it with SLEDCHECK_UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs from the snapshot; if intended, rerun with SLEDCHECK_UPDATE_SNAPSHOTS=1 and review the diff")


# --- snapshots ---------------------------------------------------------------------------------------------------


def test_formats_are_registered() -> None:
    assert set(SNAPSHOT_FILES) <= set(FORMATS)
    for fmt in SNAPSHOT_FILES:  # --format choices come from FORMATS
        assert build_parser().parse_args(["check", "design.yaml", "--format", fmt]).format == fmt


@pytest.mark.parametrize("fmt", sorted(SNAPSHOT_FILES))
def test_snapshot(fmt: str, report: Report) -> None:
    text = FORMATS[fmt](report)
    assert text == FORMATS[fmt](report), "output must be deterministic"
    assert text.endswith("\n")
    _snapshot(SNAPSHOT_FILES[fmt], text)


def test_snapshot_markdown_thermal(report: Report) -> None:
    _snapshot("thermal.md", render_markdown(replace(report, thermal=_thermal())))


# --- SARIF -------------------------------------------------------------------------------------------------------


def _validate_sarif(log: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"{SARIF_SCHEMA} is not present")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)  # the schema declares draft-04
    validator.check_schema(schema)
    errors = sorted(validator(schema).iter_errors(log), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def _check_locations(log: dict[str, Any]) -> None:
    results = log["runs"][0]["results"]
    assert results
    for result in results:
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri and not uri.startswith(("/", "./", "file:")) and "\\" not in uri, uri
        assert physical["region"]["startLine"] >= 1


def test_sarif_shared_report(report: Report) -> None:
    log = json.loads(render_sarif(report))
    _validate_sarif(log)
    _check_locations(log)
    run = log["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["D001", "D201", "M001", "M003", "S101", "X001"]  # M003 crashed
    by_code = {r["ruleId"]: r for r in run["results"]}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert by_code["D201"]["suppressions"] == [{"kind": "external", "status": "accepted",
                                                "justification": "lid has a relief pocket here"}]
    assert all("suppressions" not in r for r in run["results"] if r["ruleId"] != "D201")
    assert by_code["S101"]["level"] == "note"
    assert by_code["S101"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "specs/acme,rev2.yaml"
    notification = run["invocations"][0]["toolExecutionNotifications"][0]
    assert rules[notification["associatedRule"]["index"]]["id"] == notification["associatedRule"]["id"] == "M003"
    crash = by_code["X001"]["locations"][0]["physicalLocation"]  # no location: falls back to the design file
    assert crash == {"artifactLocation": {"uri": DESIGN}, "region": {"startLine": 1}}
    assert by_code["D001"]["properties"] == {"subjects": ["heatsink0", "heatsink1"],
                                             "measured": {"value": 44.0, "unit": "mm"},
                                             "limit": {"value": 43.656, "unit": "mm"}}


def test_sarif_fingerprints_follow_code_and_subjects(report: Report) -> None:
    d001 = report.findings[0]
    moved = replace(d001, subjects=tuple(reversed(d001.subjects)), location=Location("elsewhere.yaml", 99))
    first = json.loads(render_sarif(replace(report, findings=(d001,))))["runs"][0]["results"][0]
    second = json.loads(render_sarif(replace(report, findings=(moved,))))["runs"][0]["results"][0]
    assert first["partialFingerprints"] == second["partialFingerprints"]
    twice = json.loads(render_sarif(replace(report, findings=(d001, moved))))["runs"][0]["results"]
    assert twice[0]["partialFingerprints"] != twice[1]["partialFingerprints"]


def test_sarif_baseline_state(report: Report) -> None:
    findings = tuple(replace(f, baseline="existing" if f.code == "M001" else "new") for f in report.findings)
    log = json.loads(render_sarif(replace(report, findings=findings, baseline=BaselineDiff("base.json", ()))))
    _validate_sarif(log)
    states = {r["ruleId"]: r["baselineState"] for r in log["runs"][0]["results"]}
    assert states == {"D001": "new", "X001": "new", "D201": "new", "M001": "unchanged", "S101": "new"}


def test_paths_are_repository_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report: Report) -> None:
    monkeypatch.chdir(tmp_path)
    inside = str(tmp_path / "cad dir" / "lid.yaml")
    assert repo_path(inside) == "cad dir/lid.yaml"
    assert repo_path("./examples/x.yaml") == "examples/x.yaml"
    assert artifact_uri(inside) == "cad%20dir/lid.yaml"
    outside = tmp_path.parent / "other.yaml"
    assert artifact_uri(str(outside)) == outside.as_uri()
    finding = replace(report.findings[0], location=Location(inside, 0))
    log = json.loads(render_sarif(replace(report, findings=(finding,), design=str(tmp_path / "d.yaml"))))
    _check_locations(log)
    assert "::error file=cad dir/lid.yaml,line=1," in render_github(replace(report, findings=(finding,)))


def test_sarif_real_run(real_report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    log = json.loads(render_sarif(real_report))
    _validate_sarif(log)
    _check_locations(log)
    assert len(log["runs"][0]["results"]) == len(real_report.findings)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is (not real_report.incomplete)


# --- JUnit -------------------------------------------------------------------------------------------------------


def _junit_counts(xml: str) -> tuple[ET.Element, dict[str, int]]:
    root = ET.fromstring(xml)
    cases = root.findall("testsuite/testcase")
    actual = {"tests": len(cases), "failures": sum(len(c.findall("failure")) for c in cases),
              "errors": sum(len(c.findall("error")) for c in cases),
              "skipped": sum(len(c.findall("skipped")) for c in cases)}
    assert {k: int(root.get(k, -1)) for k in actual} == actual
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests", -1)) == len(suite.findall("testcase"))
        for key, element in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            assert int(suite.get(key, -1)) == len(suite.findall(f"testcase/{element}"))
    return root, actual


def test_junit_shared_report(report: Report) -> None:
    root, counts = _junit_counts(render_junit(report))
    assert counts == {"tests": 7, "failures": 1, "errors": 1, "skipped": 2}
    assert [s.get("name") for s in root.findall("testsuite")] == [
        "M001 open-mesh", "M002 inverted-normals", "M003 degenerate-faces", "D001 envelope", "D201 clearance",
        "S101 spec-value-unset", "X001 rule-crashed"]
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["D001 envelope: heatsink0, heatsink1"].find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert "measured 44 mm, limit 43.66 mm" in (failure.text or "")
    assert "at specs/eia-310-1u.yaml:16" in (failure.text or "")
    assert cases["D001 envelope: heatsink0, heatsink1"].get("classname") == "sledcheck.tray-1u-example.D001"
    skipped = cases["D201 clearance: heatsink0, lid"].find("skipped")
    assert skipped is not None and skipped.get("message") == "waived: lid has a relief pocket here"
    passing = cases["M001 open-mesh: fan1"]
    assert passing.find("failure") is None and "12 open edges" in (passing.findtext("system-out") or "")
    assert list(cases["M002 inverted-normals: all parts"]) == []  # a rule without findings passes visibly
    assert cases["M003 degenerate-faces: all parts"].find("skipped") is not None  # crashed: did not run
    assert cases["X001 rule-crashed: design"].find("error") is not None


def test_junit_fail_on_never_passes_everything_but_crashes(report: Report) -> None:
    _, counts = _junit_counts(render_junit(replace(report, fail_on="never")))
    assert counts == {"tests": 7, "failures": 0, "errors": 1, "skipped": 2}


def test_junit_real_run(real_report: Report) -> None:
    _, counts = _junit_counts(render_junit(real_report))
    assert counts["failures"] == sum(real_report.fails(f) for f in real_report.findings) > 0
    assert counts["tests"] >= len(real_report.rules_run)


# --- GitHub ------------------------------------------------------------------------------------------------------


def test_github_escaping() -> None:
    assert escape_data("100%\r\nnext: a, b") == "100%25%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotations_then_text(report: Report) -> None:
    out = render_github(report)
    lines = out.splitlines()
    assert lines[:5] == [
        "::error file=specs/eia-310-1u.yaml,line=16,title=D001 envelope::assembly height 44.00 mm exceeds the "
        "eia-310-1u envelope height 43.66 mm by 0.34 mm",
        f"::error file={DESIGN},line=1,title=X001 rule-crashed::rule M003 (degenerate-faces) crashed: ValueError: "
        "100%25 bad%0Avalue; its checks did not run",
        f"::notice file={DESIGN},line=30,title=D201 clearance::heatsink0 and lid are 1.20 mm apart "
        "(waived: lid has a relief pocket here)",
        f"::warning file={DESIGN},line=14,title=M001 open-mesh::fan1 is not closed: 12 open edges | 2 boundary loops",
        "::notice file=specs/acme%2Crev2.yaml,line=3,title=S101 spec-value-unset::acme-rev2 has no value for "
        "envelope.depth: depth not checked",
    ]
    assert out.endswith(render_text(report))
    assert out == "\n".join(lines[:5]) + "\n" + render_text(report)


def test_github_text_cannot_inject_commands(report: Report) -> None:
    sneaky = replace(report.findings[2], waiver_reason="fine\n::error::injected")
    out = render_github(replace(report, findings=(sneaky,)))
    assert out.splitlines()[0].endswith("(waived: fine%0A::error::injected)")
    start = out.index("::stop-commands::")
    token = out[start:].splitlines()[0].removeprefix("::stop-commands::")
    assert out.index("\n::error::injected") > start and out.endswith(f"::{token}::\n")


# --- Markdown ----------------------------------------------------------------------------------------------------


def test_markdown_table(report: Report) -> None:
    md = render_markdown(report)
    assert md.startswith("## sledcheck: INCOMPLETE — tray-1u-example\n")
    assert "| Code | Severity | Rule | Subjects | Message | Measured | Limit | Where |" in md
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + len(report.findings)
    assert all(len(re.split(r"(?<!\\)\|", line)) == len(COLUMNS) + 2 for line in rows), "a pipe leaked into a cell"
    assert r"12 open edges \| 2 boundary loops" in md
    assert "| waived (error) |" in md and "*waived: lid has a relief pocket here*" in md
    assert "| 44 mm | 43.66 mm | `specs/eia-310-1u.yaml:16` |" in md
    assert "Thermal margins" not in md
    assert cell("a|b\nc <d>") == r"a\|b<br>c &lt;d&gt;"


def test_markdown_thermal(report: Report) -> None:
    md = render_markdown(replace(report, thermal=_thermal()))
    assert "### Thermal margins" in md and r"#### worst case \| one fan failed" in md
    assert "| package1 | 700 W | 97.5 degC | 95 degC | **-2.5 K** |" in md


def test_markdown_real_run(real_report: Report) -> None:
    md = render_markdown(real_report)
    assert md.startswith("## sledcheck: FAIL — tray-1u-overheight")
    # one row per group of repeated findings (the two heat sinks' identical lid overlaps are one row)
    from sledcheck.report.groups import group_findings

    assert sum(line.startswith(("| D", "| M", "| S", "| T", "| X")) for line in md.splitlines()) == len(
        group_findings(real_report))


# --- command line ------------------------------------------------------------------------------------------------


def test_cli_writes_several_formats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    junit, markdown = tmp_path / "report.xml", tmp_path / "report.md"
    code = main(["check", OVERHEIGHT, "--format", "sarif", "--output", f"junit={junit}",
                 "--output", f"markdown={markdown}"])
    out = capsys.readouterr().out
    assert code == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    _check_locations(log)
    _, counts = _junit_counts(junit.read_text(encoding="utf-8"))
    assert counts["failures"] >= 1
    assert markdown.read_text(encoding="utf-8").startswith("## sledcheck: FAIL — tray-1u-overheight")
