"""D501: a gap that passes nominally but not with the tolerances of the parts and contacts that make it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .engine import Finding, Rule

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading meshes or models
    from ..model.assembly import Assembly
    from ..model.stackups import Stackup


def stackups(assembly: Assembly) -> tuple[Stackup, ...]:
    """The stack-ups of the assembly, computed once (the pair analysis they start from is shared)."""
    from ..model.pairs import analyse_pairs
    from ..model.stackups import analyse_stackups

    pairs = assembly.analysis("pairs", lambda: analyse_pairs(assembly, assembly.progress))
    return assembly.analysis("stackups", lambda: analyse_stackups(assembly, pairs))


def _statistical(assembly: Assembly) -> Iterable[Finding]:
    from ..units import Q_

    tolerances = assembly.design.tolerances
    for stack in stackups(assembly):
        result = stack.result
        if stack.status != "fail" or result is None or stack.required_mm is None:
            continue
        if stack.gap_mm < stack.required_mm:
            continue   # short in the CAD already: the clearance rule (D201) reports it
        assert tolerances is not None
        top = sorted(zip(result.shares, stack.contributors, strict=True), key=lambda x: -x[0])[:3]
        drivers = ", ".join(f"{c.name} {share:.0%}" for share, c in top)
        yield STATISTICAL.finding(
            f"{stack.a} and {stack.b} are {result.nominal_mm:.3f} mm apart nominally (need {stack.required_mm:g} "
            f"mm), but with the tolerances of {' - '.join(stack.chain)} the gap falls below it with probability "
            f"{result.p_below_required:.2g} (limit {tolerances.max_probability:g}); worst case "
            f"{result.worst_mm[0]:.3f} mm, RSS {result.rss_mm[0]:.3f} mm, Cpk {result.cpk:.2f}; most of the "
            f"variance: {drivers}",
            subjects=(stack.a, stack.b), measured=Q_(result.p_below_required or 0.0, "dimensionless"),
            limit=Q_(tolerances.max_probability, "dimensionless"), anchor=("design", "tolerances"))


STATISTICAL = Rule(
    code="D501", name="stackup", severity="error",
    summary="A gap passes nominally but falls below its required clearance too often with the tolerances of "
            "the parts and interfaces that make it.",
    explanation="Every gap with a requirement near it is stacked: the chain of touching declared contacts that "
                "joins its two sides, each part's size tolerance along the gap (sensitivity: the cosine of its "
                "face normal with the gap direction) and each interface's thickness, as worst case, RSS and a "
                "seeded Monte Carlo. A probability above tolerances.max_probability (default 1e-4) is this "
                "finding.",
    fix="Tighten the tolerances that carry most of the variance (listed), or design more nominal clearance.",
    check=_statistical,
    configured_by="tolerances: {parts: {board: {size: ±10 %}}, contacts: [...], max_probability: 1e-4}",
)
