"""The one policy stage: what the design and the command line do with the findings the rules made.

It runs once, after every rule has run, in this order:

1. **waivers**: a finding matched by a live waiver is marked waived. A waiver that matches nothing although its
   rule ran is an S001 finding (a waiver of a rule that did not run, being not selected, ignored or ``off``,
   is not unused: nothing was checked). An expired waiver is an S002 finding whether or not its rule ran (its
   date is a fact of the design file), and the findings it covered count again.
2. **severity**: the design's ``severity`` for every code, made by a rule or by the engine (S0xx); ``off``
   drops the finding. X001 (a crashed rule) keeps its severity.
3. **select / ignore**: only findings whose code (or a prefix of it) or name is selected and not ignored stay.
   X001 always stays: without it an incomplete verdict would have no finding to show.
4. **order**: by severity (highest first), code, subjects and message, so every report lists them the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..load.design import Design
from .engine import RULE_CRASHED, SEVERITY_ORDER, Finding, Rule
from .waivers import EXPIRED_WAIVER, UNUSED_WAIVER, apply_waivers

#: Engine-made codes that every run evaluates (a waiver of them can be unused).
ALWAYS_EVALUATED = {RULE_CRASHED.code, UNUSED_WAIVER.code, EXPIRED_WAIVER.code}


def selected(code: str, name: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Is a rule (or finding) with this code and name selected and not ignored? Patterns are code prefixes
    (``D``, ``D2``, ``D201``) or rule names; an empty ``select`` selects everything."""

    def hit(patterns: Sequence[str]) -> bool:
        return any(code.startswith(p) or name == p for p in patterns)

    return (not select or hit(select)) and not hit(ignore)


def rules_to_run(rules: Iterable[Rule], design: Design, select: Sequence[str], ignore: Sequence[str]
                 ) -> tuple[Rule, ...]:
    """The rules worth running: selected, not ignored, and not turned off by the design."""
    return tuple(r for r in rules if selected(r.code, r.name, select, ignore) and design.severity.get(r.code) != "off")


def apply_policy(findings: Sequence[Finding], design: Design, rules_run: Sequence[Rule], *,
                 select: Sequence[str] = (), ignore: Sequence[str] = (), today: dt.date) -> tuple[Finding, ...]:
    """Waivers, then severities, then select/ignore, then order (see the module docstring)."""
    ran = {code for r in rules_run for code in (r.code, *r.reports)} | ALWAYS_EVALUATED
    out = apply_waivers(findings, design, today, ran)
    kept: list[Finding] = []
    for finding in out:
        crashed = finding.code == RULE_CRASHED.code
        severity = finding.severity if crashed else design.severity.get(finding.code, finding.severity)
        if severity == "off":
            continue
        if not crashed and not selected(finding.code, finding.name, select, ignore):
            continue
        kept.append(replace(finding, severity=severity))
    kept.sort(key=lambda f: (-SEVERITY_ORDER[f.severity], f.code, f.subjects, f.message))
    return tuple(kept)
