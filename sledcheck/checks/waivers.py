"""Waivers (accepted deviations keyed by rule and subjects) and the S0xx findings about them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..load.selection import selects
from .engine import Finding, Location, Rule, engine_level

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading the design reader
    from ..load.design import Design, Waiver

UNUSED_WAIVER = Rule(
    code="S001", name="unused-waiver", severity="warning",
    summary="A waiver matches no finding: the problem it excused is gone, or the waiver has a typo.",
    explanation="Stale waivers hide future problems with the same subjects; like ruff's RUF100, sledcheck "
                "reports them so they are removed.",
    fix="Delete the waiver, or correct its code and subjects.",
    check=engine_level,
)
EXPIRED_WAIVER = Rule(
    code="S002", name="expired-waiver", severity="warning",
    summary="A waiver's expiry date has passed; the finding it covered counts again.",
    explanation="Waivers with an expiry force a second look; after the date the finding is no longer waived.",
    fix="Fix the finding, or renew the waiver with a new date and reason.",
    check=engine_level,
)


def waiver_matches(waiver: Waiver, finding: Finding, design: Design) -> bool:
    """Same code, and each waiver subject names one of the finding's parts or their roles."""
    if waiver.code != finding.code:
        return False
    roles = {p.name: p.role for p in design.parts}
    return all(any(selects(subject, s, roles.get(s)) for s in finding.subjects)
               for subject in waiver.subjects)


def apply_waivers(findings: Sequence[Finding], design: Design, today: dt.date, ran: set[str]) -> list[Finding]:
    """Mark waived findings; add S001 for unused waivers of rules that ran (codes in ``ran``) and S002 for
    expired waivers."""
    out = list(findings)
    extra: list[Finding] = []
    for index, waiver in enumerate(design.waivers):
        location = Location(design.path_as_given, waiver.line)
        matched = [i for i, f in enumerate(out) if waiver_matches(waiver, f, design)]
        subjects = ", ".join(waiver.subjects) or "any subject"
        if waiver.expires is not None and waiver.expires < today:
            extra.append(replace(EXPIRED_WAIVER.finding(
                f"waiver for {waiver.code} ({subjects}) expired on {waiver.expires.isoformat()}"
                + (f"; {len(matched)} finding(s) it covered now count" if matched else ""),
                subjects=waiver.subjects, anchor=("design", "waivers", index)), location=location))
            continue
        if not matched and waiver.code in ran:
            extra.append(replace(UNUSED_WAIVER.finding(
                f"waiver for {waiver.code} ({subjects}) matches no finding", subjects=waiver.subjects,
                anchor=("design", "waivers", index)), location=location))
            continue
        for i in matched:
            if not out[i].waived:
                out[i] = replace(out[i], waived=True, waiver_reason=waiver.reason)
    return out + extra
