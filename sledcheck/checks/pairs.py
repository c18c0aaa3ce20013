"""D101 interference, D103 missing contact, D201 clearance: every pair of parts, from one shared analysis."""

from __future__ import annotations

from collections.abc import Iterable

from ..model.assembly import Assembly, Part
from ..model.pairs import TOUCH_MM, PairResult, analyse_pairs
from ..units import Q_
from .engine import Finding, Rule
from .evidence import GapEvidence, OverlapEvidence, TouchEvidence


def _pairs(assembly: Assembly) -> tuple[PairResult, ...]:
    return assembly.analysis("pairs", lambda: analyse_pairs(assembly, assembly.progress))


def _volume(mm3: float) -> str:
    """A volume [mm^3] to 4 significant digits, never in exponent notation (10000, not 1e+04)."""
    return f"{mm3:.4g}" if mm3 < 1e4 else f"{mm3:.0f}"


def _point(p: tuple[float, float, float]) -> str:
    return f"({p[0]:.2f}, {p[1]:.2f}, {p[2]:.2f})"


def _fit_text(pair: PairResult) -> str:
    assert pair.fit is not None
    if pair.fit.range_mm is None:
        deep = (f"; it cuts {pair.overlap.penetration:.3f} mm deep" if pair.overlap is not None
                and pair.overlap.penetration is not None else "")
        return f" (a declared {pair.fit.kind} fit may come close, not overlap{deep})"
    low, high = pair.fit.range_mm
    return (f" (a declared {pair.fit.kind} fit allows {low:g} mm .. {high:g} mm; it is {pair.fit_depth:.3f} mm deep, "
            f"measured on the {'exact B-rep' if pair.exact == 'brep' else 'meshes'})")


def _interference(assembly: Assembly) -> Iterable[Finding]:
    for pair in _pairs(assembly):
        if pair.gap.distance > TOUCH_MM or pair.fit_verdict in ("fit", "loose"):
            continue
        subjects = (pair.a, pair.b)
        if pair.interferes:
            assert pair.overlap is not None
            lo, hi = pair.overlap.bounds
            size = [h - lo_ for lo_, h in zip(lo, hi, strict=True)]
            axis = "xyz"[min(range(3), key=lambda k: size[k])]
            yield INTERFERENCE.finding(
                f"{pair.a} and {pair.b} overlap by {_volume(pair.overlap.volume)} mm^3"
                + (_fit_text(pair) if pair.fit else " (a declared contact may touch, not overlap)" if pair.contact
                   else "")
                + f"; overlap region {size[0]:.2f} x {size[1]:.2f} x {size[2]:.2f} mm from {_point(lo)} to "
                f"{_point(hi)} (thinnest along {axis}: {min(size):.3f} mm)",
                subjects=subjects, measured=Q_(pair.overlap.volume, "mm**3"), limit=Q_(0, "mm**3"),
                data=_stack_data(assembly, pair),
                evidence=OverlapEvidence(volume_mm3=pair.overlap.volume, region_mm=(lo, hi), depth_mm=min(size),
                                         depth_axis=axis, contact=pair.contact,
                                         penetration_mm=pair.overlap.penetration))
        elif not pair.measurable and pair.contact:
            yield INTERFERENCE.finding(
                f"{pair.a} and {pair.b} (a declared contact) touch at {_point(pair.gap.point_a)}; whether they also "
                "overlap cannot be measured because " + _open_parts(assembly, pair) + " not a closed volume",
                subjects=subjects, severity="warning", evidence=TouchEvidence(pair.gap.point_a))
        elif not pair.measurable:
            yield INTERFERENCE.finding(
                f"{pair.a} and {pair.b} touch or overlap at {_point(pair.gap.point_a)}; the overlap depth could not "
                "be measured because " + _open_parts(assembly, pair) + " not a closed volume",
                subjects=subjects, measured=Q_(0, "mm"), limit=Q_(pair.required.minimum, "mm"),
                evidence=TouchEvidence(pair.gap.point_a))


def _open_parts(assembly: Assembly, pair: PairResult) -> str:
    open_ = [n for n in (pair.a, pair.b) if assembly.part(n).solid is None]
    return " and ".join(open_) + (" are" if len(open_) > 1 else " is")


def _clearance(assembly: Assembly) -> Iterable[Finding]:
    yield from _distant_fits(assembly)
    for pair in _pairs(assembly):
        if pair.fit_verdict == "loose":
            assert pair.fit is not None and pair.fit.range_mm is not None
            yield CLEARANCE.finding(
                f"{pair.a} and {pair.b} are a declared {pair.fit.kind} fit of {pair.fit.range_mm[0]:g} mm .. "
                f"{pair.fit.range_mm[1]:g} mm, but " + (f"only {pair.fit_depth:.3f} mm deep" if pair.fit_depth > 0
                                                       else f"{-pair.fit_depth:.3f} mm apart")
                + f": the fit is loose (measured on the {'exact B-rep' if pair.exact == 'brep' else 'meshes'})",
                subjects=(pair.a, pair.b), measured=Q_(pair.fit_depth, "mm"), limit=Q_(pair.fit.range_mm[0], "mm"),
                anchor=("design", "fits", assembly.design.fits.index(pair.fit)), data=_stack_data(assembly, pair))
            continue
        if pair.fit is not None or pair.contact or pair.gap.distance <= TOUCH_MM and not pair.touching:
            continue  # fits and contacts may come close or touch; overlaps are D101
        required = pair.required.minimum
        if pair.gap.distance > TOUCH_MM and pair.gap.distance >= required:
            continue
        what = "touch" if pair.gap.distance <= TOUCH_MM else f"are {pair.gap.distance:.3f} mm apart" + (
            " (exact B-rep)" if pair.exact == "brep" else "") + (
            f" (the mesh gap less its chord error {pair.chord_mm:.3g} mm: the exact B-rep measurement failed: "
            f"{pair.exact_failed})" if pair.exact_failed else "")
        need = f"need {required:.3g} mm" if required > 0 else "must not touch (not a declared contact)"
        anchor = ("design", "clearance", pair.required.index) if pair.required.index is not None else None
        yield CLEARANCE.finding(
            data=_stack_data(assembly, pair),
            message=f"{pair.a} and {pair.b} {what}, {need}"
            + (f", short by {required - pair.gap.distance:.3f} mm" if required > pair.gap.distance else "")
            + f"; closest points {_point(pair.gap.point_a)} on {pair.a} and {_point(pair.gap.point_b)} on {pair.b}",
            subjects=(pair.a, pair.b), measured=Q_(pair.gap.distance, "mm"), limit=Q_(required, "mm"), anchor=anchor,
            evidence=GapEvidence(gap_mm=pair.gap.distance, required_mm=required,
                                 points_mm=(pair.gap.point_a, pair.gap.point_b)))


def _stack_data(assembly: Assembly, pair: PairResult) -> dict[str, object]:
    """The pair's tolerance stack (its gap, or its fit's depth), for the finding's JSON data (empty without
    tolerances or a stack)."""
    if assembly.design.tolerances is None:
        return {}
    from .stackups import stackups  # (the same layer; stacks exist only with tolerances)

    stack = next((s for s in stackups(assembly) if s.kind != "envelope" and {s.a, s.b} == {pair.a, pair.b}), None)
    if stack is None or stack.result is None:
        return {"stackup": {"kind": stack.kind, "status": stack.status, "reason": stack.reason}} if stack else {}
    r = stack.result
    return {"stackup": {"kind": stack.kind, "status": stack.status, "chain": list(stack.chain),
                        "nominal_mm": round(r.nominal_mm, 6), "worst_mm": [round(v, 6) for v in r.worst_mm],
                        "worst_min_mm": round(r.worst_mm[0], 6), "rss_min_mm": round(r.rss_mm[0], 6),
                        "p_below_required": r.p_below_required, "p_above_limit": r.p_above_limit}}


def _distant_fits(assembly: Assembly) -> Iterable[Finding]:
    """A press fit or pad declared between two named parts that never came near each other is loose too."""
    met = [pair.fit for pair in _pairs(assembly) if pair.fit is not None]
    names = {p.name for p in assembly.parts}
    for index, fit in enumerate(assembly.design.fits):
        a, b = fit.between
        if fit.range_mm is None or fit in met or a not in names or b not in names:
            continue
        yield CLEARANCE.finding(
            f"{a} and {b} are a declared {fit.kind} fit of {fit.range_mm[0]:g} mm .. {fit.range_mm[1]:g} mm, but "
            "they are not even near each other: the fit is loose (is a part misplaced?)",
            subjects=(a, b), anchor=("design", "fits", index))


def _contacts(assembly: Assembly) -> Iterable[Finding]:
    """Each part named by a contact entry should touch at least one part on the other side of the entry."""
    touching: dict[str, set[str]] = {}
    for pair in _pairs(assembly):
        if pair.gap.distance <= TOUCH_MM:
            touching.setdefault(pair.a, set()).add(pair.b)
            touching.setdefault(pair.b, set()).add(pair.a)
    parts = assembly.parts
    selected: dict[str, list[Part]] = {}
    for index, (x, y, _line) in enumerate(assembly.design.contacts):
        for token in (x, y):
            if token not in selected:
                selected[token] = [p for p in parts if p.selected_by(token)]
        for first, second in ((x, y), (y, x)) if x != y else ((x, y),):
            for part in selected[first]:
                partners = [p for p in selected[second] if p is not part]
                if not partners or touching.get(part.name, set()) & {p.name for p in partners}:
                    continue
                yield CONTACT_MISSING.finding(
                    f"{part.name} is declared to touch {second} but touches none of "
                    f"{', '.join(p.name for p in partners[:6])}{' ...' if len(partners) > 6 else ''}; a floating "
                    "heat sink or an unseated part conducts no heat and carries no load",
                    subjects=(part.name,), anchor=("design", "contacts", index))


INTERFERENCE = Rule(
    code="D101", name="interference", severity="error",
    summary="Two parts overlap (share volume). Touching is not interference; any overlap is, contact or not.",
    explanation="The overlap volume is measured with manifold3d when both parts are closed volumes; ranked like "
                "CAD interference detection. When a part is not closed the depth cannot be measured and the "
                "finding says so. Declared contacts may touch but not overlap.",
    fix="Move or resize one of the parts; if the overlap is a modelling artefact (e.g. a compressed gasket), "
        "waive it with a reason.",
    check=_interference,
)
CLEARANCE = Rule(
    code="D201", name="clearance", severity="error",
    summary="Two parts are closer than their required minimum gap, or touch without being a declared contact.",
    explanation="Minimum gaps come from the design's clearance list: a default entry, entries by role and by "
                "part name; the most specific entry wins. The gap is the exact minimum distance between the "
                "meshes (BVH), reported with the two closest points. Curved surfaces tessellated coarsely lie "
                "inside the true surface, so a measured gap can be optimistic by the chord error.",
    fix="Increase the gap (shorter fins, a lid relief, a moved part) or, where a smaller gap is acceptable, "
        "add a more specific clearance entry or a waiver with a reason.",
    check=_clearance,
    configured_by="clearance: [{min: 0.5 mm}, {between: [heatsink, lid], min: 1.5 mm}, "
                  "{between: [hs0, lid], min: 2 mm}]",
)
CONTACT_MISSING = Rule(
    code="D103", name="contact-missing", severity="warning",
    summary="A part declared to touch another (contacts) touches none of them.",
    explanation="Declared contacts are the seats of the design: a heat sink on its package, a board on its "
                "standoffs. A seat that does not touch is a floating heat sink or a mis-placed part.",
    fix="Place the part on its seat (check its position and the file's origin), or remove the contact entry.",
    check=_contacts,
)
