"""The check engine: rules, findings, and running every rule safely over an assembly.

A rule has a stable code (domain letter + number: M mesh, D dimension, T thermal, S suppression and
configuration, X the engine itself) and a readable name; its severity is a default that designs may change.
A rule reports WHAT is wrong about WHICH subjects; the engine turns the subjects into a design-file line,
applies severity settings, selection and waivers. A rule that raises becomes an X001 finding and marks the
run incomplete.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pint

from ..model.assembly import Assembly

SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Location:
    """Where a finding belongs: a design or spec file and its line [1-based]."""

    file: str
    line: int


@dataclass(frozen=True)
class Finding:
    """One problem a rule found. ``measured`` and ``limit`` are quantities where they apply.

    ``anchor`` lets a rule tie the finding to a design path (``("design", "clearance", 1)``) or a spec value
    (``("spec", pack_name, key)``); otherwise the engine uses the first subject's line in the design.
    ``data`` holds rule-specific detail for reports (closest points, overlap boxes, ...), JSON-ready.
    """

    code: str
    name: str
    severity: str
    message: str
    subjects: tuple[str, ...] = ()
    measured: pint.Quantity | None = None
    limit: pint.Quantity | None = None
    location: Location | None = None
    anchor: tuple[Any, ...] | None = None
    waived: bool = False
    waiver_reason: str | None = None
    baseline: str | None = None  # "new" or "existing" when run against a baseline
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """Identity for baselines and waivers: (code, sorted subjects)."""
        return (self.code, tuple(sorted(self.subjects)))


@dataclass(frozen=True)
class Rule:
    """A check with a stable code. ``check`` yields findings made with :meth:`finding`."""

    code: str
    name: str
    severity: str
    summary: str
    explanation: str
    fix: str
    check: Callable[[Assembly], Iterable[Finding]] = field(repr=False, compare=False)
    options: str = ""

    def finding(self, message: str, subjects: Sequence[str] = (), measured: pint.Quantity | None = None,
                limit: pint.Quantity | None = None, anchor: tuple[Any, ...] | None = None,
                data: dict[str, Any] | None = None, severity: str | None = None) -> Finding:
        return Finding(code=self.code, name=self.name, severity=severity or self.severity, message=message,
                       subjects=tuple(subjects), measured=measured, limit=limit, anchor=anchor,
                       data=data or {})


@dataclass(frozen=True)
class RunResult:
    """What running the rules produced: findings (located, with severity applied) and what ran."""

    findings: tuple[Finding, ...]
    rules_run: tuple[Rule, ...]
    incomplete: bool


def run_rules(assembly: Assembly, rules: Sequence[Rule], progress: Callable[[str], None] | None = None) -> RunResult:
    """Run each rule; a crash becomes an X001 finding. Severity overrides 'off' drop a rule."""
    design = assembly.design
    findings: list[Finding] = []
    incomplete = False
    ran = []
    for rule in rules:
        if design.severity.get(rule.code) == "off":
            continue
        ran.append(rule)
        if progress:
            progress(f"rule {rule.code} {rule.name}")
        try:
            produced = list(rule.check(assembly))
        except Exception as err:  # noqa: BLE001 - a crashing rule must not crash the run
            incomplete = True
            frame = traceback.extract_tb(err.__traceback__)[-1]
            produced = [RULE_CRASHED.finding(
                f"rule {rule.code} ({rule.name}) crashed: {type(err).__name__}: {err} "
                f"[{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}]; its checks did not run, so the verdict "
                "is incomplete", subjects=(), data={"rule": rule.code})]
        for finding in produced:
            severity = design.severity.get(finding.code, finding.severity)
            if severity == "off":
                continue
            findings.append(replace(finding, severity=severity, location=locate(assembly, finding)))
    findings.sort(key=lambda f: (-SEVERITY_ORDER[f.severity], f.code, f.subjects, f.message))
    return RunResult(findings=tuple(findings), rules_run=tuple(ran), incomplete=incomplete)


def locate(assembly: Assembly, finding: Finding) -> Location:
    """The design or spec line a finding belongs to."""
    design = assembly.design
    anchor = finding.anchor
    if anchor and anchor[0] == "spec":
        pack = next((p for p in design.specs if p.name == anchor[1]), None)
        value = pack.all_values().get(anchor[2]) if pack else None
        if value is not None:
            return Location(value.file, value.line)
    if anchor and anchor[0] == "spec-line":
        return Location(str(anchor[1]), int(anchor[2]))
    if anchor and anchor[0] == "design":
        return Location(design.path_as_given, design.line(*anchor[1:]))
    names = {p.name for p in design.parts}
    for subject in finding.subjects:
        if subject in names:
            return Location(design.path_as_given, design.line("parts", subject))
    return Location(design.path_as_given, 1)


def engine_level(_: Assembly) -> Iterable[Finding]:
    """The check of rules whose findings the engine makes itself (crashes, waivers, unset spec values)."""
    return ()


RULE_CRASHED = Rule(
    code="X001", name="rule-crashed", severity="error",
    summary="A rule raised an error, so its checks did not run and the verdict is incomplete.",
    explanation="Every rule runs in isolation. When one fails unexpectedly, the run goes on, the failure becomes "
                "this finding, and the verdict is 'error' (exit 2) because part of the design was not checked.",
    fix="Report the message to the sledcheck developers with the design; meanwhile check the subject by hand.",
    check=engine_level,
)
