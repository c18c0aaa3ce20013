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
        upper = stack.upper_mm if stack.upper_mm is not None else float("inf")
        if not stack.required_mm <= stack.gap_mm <= upper:
            continue   # outside its limit in the CAD already: D201, D101 or D001 reports it
        assert tolerances is not None
        top = sorted(zip(result.shares, stack.contributors, strict=True), key=lambda x: -x[0])[:3]
        drivers = ", ".join(f"{c.name} {share:.0%}" for share, c in top)
        outside = (result.p_below_required or 0.0) + (result.p_above_limit or 0.0)
        limits = (f"the probability {outside:.2g} (limit {tolerances.max_probability:g})"
                  if outside > tolerances.max_probability else
                  f"Cpk {result.cpk:.2f} (the design asks for {tolerances.min_cpk:g})")
        chain = " - ".join(stack.chain)
        if stack.kind == "envelope":
            what = (f"{stack.a}'s headroom under the {stack.limit} is {stack.gap_mm:.3f} mm in the CAD "
                    f"({result.nominal_mm:.3f} mm at the centre of the tolerances), but with the tolerances of {chain} "
                    f"it rises above it with {limits}")
        elif stack.kind == "fit":
            what = (f"{stack.a} presses {result.nominal_mm:.3f} mm into {stack.b} nominally (the {stack.limit} "
                    f"allows {stack.required_mm:g} mm .. {stack.upper_mm:g} mm), but with the tolerances of {chain} "
                    f"it leaves the range with {limits}: too loose {result.p_below_required:.2g}, too deep "
                    f"{result.p_above_limit or 0.0:.2g}")
        else:
            what = (f"{stack.a} and {stack.b} are {result.nominal_mm:.3f} mm apart nominally (need "
                    f"{stack.required_mm:g} mm), but with the tolerances of {chain} the gap falls below it with "
                    f"{limits}")
        yield STATISTICAL.finding(
            f"{what}; worst case {result.worst_mm[0]:.3f} .. {result.worst_mm[1]:.3f} mm, RSS "
            f"{result.rss_mm[0]:.3f} .. {result.rss_mm[1]:.3f} mm, Cpk {_cpk(result.cpk)}; most of the variance: "
            f"{drivers}",
            subjects=(stack.a, stack.b), measured=Q_(outside, "dimensionless"),
            limit=Q_(tolerances.max_probability, "dimensionless"), anchor=("design", "tolerances"),
            data={"stackup": {"kind": stack.kind, "limit": stack.limit, "chain": list(stack.chain)}})


def _cpk(cpk: float | None) -> str:
    return f"{cpk:.2f}" if cpk is not None else "n/a"


STATISTICAL = Rule(
    code="D501", name="stackup", severity="error",
    summary="A gap, an envelope headroom or a fit's depth passes in the CAD but leaves its limits too often "
            "with the tolerances of the parts and interfaces that make it.",
    explanation="Stacked are every gap with a requirement near it, every part within 2 mm of a spec pack's "
                "envelope limit (its headroom, from the assembly's lowest point) and every measured press fit or "
                "pad (its depth, held to the fit's range): the chain of touching declared contacts that joins "
                "the two sides, each part's size tolerance along the stack (sensitivity: the cosine of its face "
                "normal with the stack direction) and each interface's thickness, as worst case, RSS and a "
                "seeded Monte Carlo. A probability of leaving the limits above tolerances.max_probability "
                "(default 1e-4), or a Cpk below tolerances.min_cpk where the design sets one, is this finding.",
    fix="Tighten the tolerances that carry most of the variance (listed), or design more nominal clearance.",
    check=_statistical,
    configured_by="tolerances: {parts: {board: {size: ±10 %}}, contacts: [...], max_probability: 1e-4, "
                  "min_cpk: 1.33}",
)
