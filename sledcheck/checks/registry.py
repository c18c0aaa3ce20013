"""The one explicit list of rules, in the order they run. Add a rule here and in its module."""

from __future__ import annotations

from ..load.rules import RuleCatalog
from . import airflow, envelope, holes, keepins, mechanics, mesh, pairs, stackups, thermal, units, waivers, zones
from .engine import RULE_CRASHED, Rule

RULES: tuple[Rule, ...] = (
    mesh.OPEN_MESH,
    mesh.INVERTED,
    mesh.DEGENERATE,
    units.UNIT_PLAUSIBILITY,
    envelope.ENVELOPE,
    pairs.INTERFERENCE,
    pairs.CONTACT_MISSING,
    pairs.CLEARANCE,
    zones.KEEPOUT,
    zones.HEIGHT_LIMIT,
    *mechanics.RULES,
    *keepins.RULES,
    holes.HOLE_PATTERN,
    stackups.STATISTICAL,
    thermal.MARGIN,
    thermal.VALIDITY,
    thermal.MODEL_INCOMPLETE,
    *airflow.RULES,
)

#: Rules whose findings the engine itself makes (listed by `sledcheck rules`, not run).
ENGINE_RULES: tuple[Rule, ...] = (
    envelope.SPEC_VALUE_UNSET,
    waivers.UNUSED_WAIVER,
    waivers.EXPIRED_WAIVER,
    RULE_CRASHED,
)


def all_rules() -> tuple[Rule, ...]:
    """Every rule, sorted by code."""
    return tuple(sorted(RULES + ENGINE_RULES, key=lambda r: r.code))


def find_rule(code_or_name: str) -> Rule | None:
    return next((r for r in all_rules() if code_or_name in (r.code, r.name)), None)


def catalog() -> RuleCatalog:
    """The registered rules as the design loader reads them (codes, names, option schemas)."""
    rules = all_rules()
    codes = {r.code: r.code for r in rules} | {r.name: r.code for r in rules}
    return RuleCatalog(codes=codes, options={r.code: r.options for r in rules if r.options},
                       fixed=frozenset({RULE_CRASHED.code}))
