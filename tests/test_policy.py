"""The policy stage (sledcheck.checks.policy): waivers, severities and select/ignore over rule-made and
engine-made codes, in one documented order (issue 9). The expected outcome of each case is derived from the
documented order, not from the code's output."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

import sledcheck
import sledcheck.pipeline
from sledcheck.checks import pairs
from sledcheck.checks.registry import RULES

DESIGN = """
sledcheck: 1
name: policy
units: mm
parts:
  a: {{file: a.stl, role: pcb}}
  b: {{file: b.stl, role: lid}}
clearance:
  - {{min: 15 mm}}                  # a and b are 10 mm apart: D201
waivers:                          # subjects no finding has: unused (S001) whenever D201 runs
  - {{code: D201, subjects: [tray], reason: "kept on purpose"}}
{severity}
"""

SEVERITIES = (None, "off", "warning", "error", "info")
SELECTIONS = {
    "all": ((), ()),
    "select-it": (("{code}",), ()),
    "select-domain": (("{domain}",), ()),
    "select-other": (("M",), ()),
    "ignore-it": ((), ("{code}",)),
}
DEFAULT = {"D201": "error", "S001": "warning"}


def _expected(code: str, severity: str | None, select: tuple[str, ...], ignore: tuple[str, ...]) -> str | None:
    """The documented order: D201 runs when selected (rules_to_run); S001 exists when the waived rule ran;
    then severity ('off' drops); then select/ignore. Returns the expected severity, or None when absent."""
    def chosen(c: str) -> bool:
        return (not select or any(c.startswith(p) for p in select)) and not any(c.startswith(p) for p in ignore)

    d201_runs = chosen("D201") and not (code == "D201" and severity == "off")
    if code == "S001" and not d201_runs:
        return None
    if severity == "off" or not chosen(code):
        return None
    return severity or DEFAULT[code]


CASES = [(code, sev, name) for code in ("D201", "S001") for sev in SEVERITIES for name in SELECTIONS]


@pytest.mark.parametrize(("code", "severity", "selection"), CASES)
def test_policy_table(design: Callable[..., Path], code: str, severity: str | None, selection: str) -> None:
    sev = f"severity: {{{code}: {severity}}}" if severity else ""
    path = design(DESIGN.format(severity=sev))
    select, ignore = (tuple(p.format(code=code, domain=code[0]) for p in part) for part in SELECTIONS[selection])
    report = sledcheck.check(path, select=select, ignore=ignore)
    found = [f for f in report.findings if f.code == code]
    expected = _expected(code, severity, select, ignore)
    if expected is None:
        assert not found, [f.message for f in found]
    else:
        assert [f.severity for f in found] == [expected]
    assert not any(f.code == "X001" for f in report.findings)


def _crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(_: object) -> list[object]:
        raise RuntimeError("boom")

    crashing = tuple(dataclasses.replace(r, check=boom) if r is pairs.CLEARANCE else r for r in RULES)
    monkeypatch.setattr(sledcheck.pipeline, "RULES", crashing)


@pytest.mark.parametrize(("select", "ignore"), [((), ()), (("D",), ()), (("M",), ()), ((), ("X001",)),
                                                (("D201",), ("X",))])
def test_a_crashed_rule_is_never_filtered_away(design: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                                               select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """Regression (issue 9): `--select D` with a crashing D rule gave verdict error with no finding at all."""
    _crashing(monkeypatch)
    report = sledcheck.check(design(DESIGN.format(severity="")), select=select, ignore=ignore)
    if "D201" in [r.code for r in report.rules_run]:
        crashes = [f for f in report.findings if f.code == "X001"]
        assert len(crashes) == 1 and "D201" in crashes[0].message and crashes[0].severity == "error"
        assert report.verdict == "error" and report.exit_code == 2


@pytest.mark.parametrize("severity", ["off", "warning"])
def test_the_crash_rule_severity_cannot_be_changed(design: Callable[..., Path], cli: Callable[..., object],
                                                   severity: str) -> None:
    path = design(DESIGN.format(severity=f"severity: {{X001: {severity}}}"))
    run = cli("check", path)
    assert run.code == 2 and "X001 cannot be changed" in run.err and "severity.X001" in run.err   # type: ignore[attr-defined]


def test_engine_made_findings_take_the_design_severity(design: Callable[..., Path]) -> None:
    """Regression (issue 9): a design's severity for S001/S002 was validated and then ignored."""
    text = DESIGN.format(severity="severity: {S001: error, S002: info}")
    text = text.replace('reason: "kept on purpose"}',
                        'reason: "kept on purpose"}\n  - {code: D201, reason: "old", expires: 2020-01-01}')
    report = sledcheck.check(design(text))
    assert {f.code: f.severity for f in report.findings if f.code.startswith("S")} == {"S001": "error",
                                                                                        "S002": "info"}
    assert report.verdict == "fail"   # S001 at error fails the run, as the design asked


def test_waivers_of_rules_that_did_not_run_are_not_unused(design: Callable[..., Path]) -> None:
    report = sledcheck.check(design(DESIGN.format(severity="")), ignore=("D201",))
    assert not report.findings


def test_rule_options_are_read_and_validated(design: Callable[..., Path], cli: Callable[..., object]) -> None:
    ok = design(DESIGN.format(severity="rules: {M101: {sizes: {pcb: [200 mm, 300 mm]}}}"))
    report = sledcheck.check(ok)
    (finding,) = [f for f in report.findings if f.code == "M101"]
    assert finding.subjects == ("a",) and "200-300 mm" in finding.message
    bad = design(DESIGN.format(severity="rules: {M101: {size: {}}}"), name="bad.yaml")
    run = cli("check", bad)
    assert run.code == 2 and "rules.M101.size" in run.err and "did you mean 'sizes'" in run.err  # type: ignore[attr-defined]
    none = design(DESIGN.format(severity="rules: {D201: {x: 1}}"), name="none.yaml")
    run = cli("check", none)
    assert run.code == 2 and "rule D201 has no options" in run.err   # type: ignore[attr-defined]
