"""D001: the whole assembly must fit the envelope of each spec pack (x width, y depth, z height)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .engine import Finding, Rule, engine_level
from .evidence import EnvelopeEvidence

if TYPE_CHECKING:   # types only: `sledcheck rules` lists the rules without loading meshes or models
    from ..model.assembly import Assembly

TOLERANCE_MM = 1e-6


def _envelope(assembly: Assembly) -> Iterable[Finding]:
    from ..load.specs import ENVELOPE_AXES
    from ..units import Q_

    low, high = assembly.bounds
    for pack in assembly.design.specs:
        for dim, value in pack.envelope.items():
            axis = ENVELOPE_AXES[dim]
            if value.quantity is None:
                yield SPEC_VALUE_UNSET.finding(
                    f"{pack.name} envelope {dim} is not set ({value.note or value.status}); the {dim} was not "
                    f"checked", anchor=("spec", pack.name, f"envelope.{dim}"))
                continue
            limit = value.quantity.m_as("mm")
            extent = float(high[axis] - low[axis])
            if extent <= limit + TOLERANCE_MM:
                continue
            ceiling = low[axis] + limit
            offenders = sorted(((float(p.bounds[1][axis] - ceiling), p.name) for p in assembly.parts
                                if p.bounds[1][axis] > ceiling + TOLERANCE_MM), key=lambda o: (-o[0], o[1]))
            lowest = min(assembly.parts, key=lambda p: p.bounds[0][axis]).name
            listed = ", ".join(f"{name} (+{over:.2f} mm)" for over, name in offenders[:8])
            more = f" and {len(offenders) - 8} more" if len(offenders) > 8 else ""
            axis_name = "xyz"[axis]
            yield ENVELOPE.finding(
                f"assembly {dim} {extent:.2f} mm exceeds the {pack.name} envelope {dim} {limit:.2f} mm by "
                f"{extent - limit:.2f} mm; measured from the lowest point ({lowest}, {axis_name} = "
                f"{low[axis]:.2f} mm), the parts beyond {axis_name} = {ceiling:.2f} mm are {listed}{more}",
                subjects=tuple(name for _, name in offenders), measured=Q_(extent, "mm"), limit=Q_(limit, "mm"),
                anchor=("spec", pack.name, f"envelope.{dim}"),
                evidence=EnvelopeEvidence(pack=pack.name, dimension=dim, overrun_mm=extent - limit,
                                          parts=tuple((name, over) for over, name in offenders)))


ENVELOPE = Rule(
    code="D001", name="envelope", severity="error",
    summary="The assembly's bounding box exceeds a spec pack's envelope (width x, depth y, height z).",
    explanation="Each spec pack may give the maximum width, depth and height of the assembly (e.g. a 1U "
                "chassis is 43.66 mm tall). The rule measures the assembly's bounding box and names the parts "
                "that stick out beyond the limit, measured from the assembly's lowest point on that axis.",
    fix="Shorten or move the named parts; if the spec value does not apply, override it in the design with "
        "a reason (overrides: {PACK: {envelope.height: {value: ..., reason: ...}}}).",
    check=_envelope,
    reports=("S101",),
)


SPEC_VALUE_UNSET = Rule(
    code="S101", name="spec-value-unset", severity="info",
    summary="A spec value the design must supply is not set, so the check it drives was skipped.",
    explanation="Some specs leave values open (EIA-310 does not fix chassis depth) and template packs hold "
                "unconfirmed values; sledcheck never invents them.",
    fix="Set the value with a reason under overrides: {PACK: {KEY: {value: ..., reason: ...}}}.",
    check=engine_level,
)
