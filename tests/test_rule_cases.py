"""Every registered rule's case file (tests/rules/<CODE>.yaml, as sqlfluff's rule fixtures), run by one
parametrised test: each case generates its meshes, writes its design, runs sledcheck.check() and compares
the findings of the file's rule with the expected ones, one to one. The same test fails for a registered rule
(``all_rules()``, engine-made codes included) without a case file, without a failing case or without a
passing case, and for a case file of a code that is not registered. Helpers and the file format:
tests/rulecase.py."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rulecase import CASES_DIR, Case, load_case_file, match_findings, write_meshes

import sledcheck
import sledcheck.pipeline
from sledcheck.checks.registry import RULES, all_rules

REGISTERED = [r.code for r in all_rules()]


def _params() -> list[object]:
    params: list[object] = []
    files = {p.stem: p for p in sorted(CASES_DIR.glob("*.yaml"))}
    for code in sorted(set(REGISTERED) | set(files)):
        params.append(pytest.param(code, None, id=f"{code}: coverage"))
        if code in files:
            try:
                cases = load_case_file(files[code])
            except (ValueError, KeyError, TypeError) as err:   # a malformed file fails its coverage item
                params[-1] = pytest.param(code, str(err), id=f"{code}: coverage")
                continue
            params += [pytest.param(code, case, id=case.id,
                                    marks=[pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else [])
                       for case in cases]
    return params


def _coverage(code: str, error: str | None) -> None:
    path = CASES_DIR / f"{code}.yaml"
    assert code in REGISTERED, f"{path.name}: {code} is not a registered rule (sledcheck.checks.registry)"
    assert path.is_file(), f"registered rule {code} has no case file {path.relative_to(CASES_DIR.parent.parent)}"
    assert error is None, error
    cases = load_case_file(path)
    assert any(c.failing and not c.xfail for c in cases), \
        f"{path.name}: no failing case (a case whose expect is not empty, not an xfail)"
    assert any(not c.failing for c in cases), f"{path.name}: no passing case (a case with expect: [])"


def _crash(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """Make rule ``code``'s check raise, as a bug in it would (X001)."""

    def boom(_: object) -> list[object]:
        raise RuntimeError(f"boom in {code}")

    assert code in [r.code for r in RULES], f"crash: {code} is not a rule that runs"
    monkeypatch.setattr(sledcheck.pipeline, "RULES",
                        tuple(dataclasses.replace(r, check=boom) if r.code == code else r for r in RULES))


@pytest.mark.parametrize(("code", "case"), _params())
def test_rule_case(code: str, case: Case | str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not isinstance(case, Case):
        _coverage(code, case)
        return
    write_meshes(case.meshes, tmp_path)
    path = tmp_path / "design.yaml"
    path.write_text(case.design, encoding="utf-8")
    if case.crash:
        _crash(monkeypatch, case.crash)
    monkeypatch.chdir(tmp_path)      # locations are relative to the working directory: design.yaml
    report = sledcheck.check(path.name, select=case.select, ignore=case.ignore, fail_on=case.fail_on,
                             today=case.today)
    where = f"{case.file.name}, case {case.name!r}"
    problems = match_findings([f for f in report.findings if f.code == code], case.expect)
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)
    if case.exit is not None:
        assert report.exit_code == case.exit, (
            f"{where}: exit {report.exit_code}, expected {case.exit}; findings: "
            + "; ".join(f"{f.code} {f.severity} {list(f.subjects)}{' waived' if f.waived else ''}"
                        for f in report.findings))
