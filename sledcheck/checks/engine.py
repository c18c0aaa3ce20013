"""The check engine: rules, findings, and running every rule safely over an assembly.

A rule has a stable code (domain letter + number: M mesh, D dimension, T thermal, S suppression and
configuration, X the engine itself) and a readable name; its severity is a default that designs may change.
A rule reports WHAT is wrong about WHICH subjects; the engine turns the subjects into a design-file line. A
rule that raises becomes an X001 finding and marks the run incomplete. What the design and the command line
then do with the findings (waivers, severities, select/ignore) is the policy stage (:mod:`.policy`).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading pint, meshes or models
    import pint

    from ..load.design import Design
    from ..load.rules import Option
    from ..model.assembly import Assembly
    from .evidence import Evidence

SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Location:
    """Where a finding belongs: a design or spec file and its line [1-based]. ``builtin`` marks a file of
    sledcheck's own data (a built-in spec pack), shown as ``sledcheck:specs/NAME.yaml``: it is not in the
    user's repository."""

    file: str
    line: int
    builtin: bool = False

    def __str__(self) -> str:
        return f"{'sledcheck:' if self.builtin else ''}{self.file}:{self.line}"


@dataclass(frozen=True)
class Finding:
    """One problem a rule found. ``measured`` and ``limit`` are quantities where they apply.

    ``anchor`` lets a rule tie the finding to a design path (``("design", "clearance", 1)``), a spec value
    (``("spec", pack_name, key)``) or a spec pack's line (``("spec-line", pack_name, line)``); otherwise the
    engine uses the first subject's line in the design. Findings always point into the user's repository: a
    spec-derived finding is located at the design's ``specs:`` entry (or the override line) and carries the
    pack's own line in ``related``.
    ``evidence`` is what the rule measured, typed (:mod:`.evidence`: closest points, overlap region, zone
    intrusion, ...); ``data`` holds any further JSON-ready detail. Reports use :attr:`details`.
    """

    code: str
    name: str
    severity: str
    message: str
    subjects: tuple[str, ...] = ()
    measured: pint.Quantity | None = None
    limit: pint.Quantity | None = None
    location: Location | None = None
    related: tuple[Location, ...] = ()
    anchor: tuple[Any, ...] | None = None
    waived: bool = False
    waiver_reason: str | None = None
    baseline: str | None = None  # "new" or "existing" when run against a baseline
    data: dict[str, Any] = field(default_factory=dict, compare=False)
    evidence: Evidence | None = field(default=None, compare=False)

    @property
    def details(self) -> dict[str, Any]:
        """The finding's detail for reports: its evidence as JSON, then ``data``."""
        return {**(self.evidence.to_json() if self.evidence is not None else {}), **self.data}

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """Identity for baselines and waivers: (code, sorted subjects)."""
        return (self.code, tuple(sorted(self.subjects)))


@dataclass(frozen=True)
class Rule:
    """A check with a stable code. ``check`` yields findings made with :meth:`finding`; ``options`` are what
    it reads from the design's ``rules: {CODE: {...}}`` (:meth:`option`); ``configured_by`` names the design
    keys it checks (for ``sledcheck rules CODE``)."""

    code: str
    name: str
    severity: str
    summary: str
    explanation: str
    fix: str
    check: Callable[[Assembly], Iterable[Finding]] = field(repr=False, compare=False)
    configured_by: str = ""
    options: tuple[Option, ...] = ()
    reports: tuple[str, ...] = ()   # codes of engine rules this rule's check also emits (D001 -> S101)

    def option(self, assembly: Assembly, name: str) -> Any:
        """The value of one of this rule's options in the assembly's design (its default when unset)."""
        values = assembly.design.rule_options.get(self.code, {})
        if name in values:
            return values[name]
        return next(o.default for o in self.options if o.name == name)

    def finding(self, message: str, subjects: Sequence[str] = (), measured: pint.Quantity | None = None,
                limit: pint.Quantity | None = None, anchor: tuple[Any, ...] | None = None,
                data: dict[str, Any] | None = None, severity: str | None = None,
                evidence: Evidence | None = None) -> Finding:
        return Finding(code=self.code, name=self.name, severity=severity or self.severity, message=message,
                       subjects=tuple(subjects), measured=measured, limit=limit, anchor=anchor,
                       data=data or {}, evidence=evidence)


@dataclass(frozen=True)
class RunResult:
    """What running the rules produced: the raw findings (located; no severity, waiver or selection applied
    yet) and the rules that ran."""

    findings: tuple[Finding, ...]
    rules_run: tuple[Rule, ...]
    incomplete: bool


def run_rules(assembly: Assembly, rules: Sequence[Rule], progress: Callable[[str], None] | None = None) -> RunResult:
    """Run each rule in order and locate its findings; a crash becomes an X001 finding."""
    findings: list[Finding] = []
    incomplete = False
    ran = []
    for rule in rules:
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
            location, related = locate(assembly.design, finding)
            findings.append(replace(finding, location=location, related=related))
    return RunResult(findings=tuple(findings), rules_run=tuple(ran), incomplete=incomplete)


def locate(design: Design, finding: Finding) -> tuple[Location, tuple[Location, ...]]:
    """The design line a finding belongs to, and the spec-pack lines behind it (related locations)."""
    anchor = finding.anchor
    if anchor and anchor[0] in ("spec", "spec-line"):
        index, pack = next(((i, p) for i, p in enumerate(design.specs) if p.name == anchor[1]), (None, None))
        if pack is not None and index is not None:
            at_specs = Location(design.path_as_given, design.line("specs", index))
            if anchor[0] == "spec-line":
                return at_specs, (Location(pack.file, int(anchor[2]), builtin=pack.builtin),)
            value = pack.all_values().get(anchor[2])
            if value is not None and value.override_reason is not None:   # overridden in the design
                return Location(value.file, value.line), (Location(pack.file, value.pack_line,
                                                                   builtin=pack.builtin),)
            if value is not None:
                return at_specs, (Location(pack.file, value.pack_line, builtin=pack.builtin),)
            return at_specs, ()
    if anchor and anchor[0] == "design":
        return Location(design.path_as_given, design.line(*anchor[1:])), ()
    names = {p.name for p in design.parts}
    for subject in finding.subjects:
        if subject in names:
            return Location(design.path_as_given, design.part_line(subject)), ()
    return Location(design.path_as_given, 1), ()


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
