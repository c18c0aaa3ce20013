"""The design's YAML text and the summary said on stderr."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from ..errors import SledcheckError
from ..geometry.holes import Hole, find_through_holes, in_plane_axes
from ..geometry.sections import Sections, axis_index
from ..load.design import display_path
from ..load.roles import SURE, confidence_word
from ..load.specs import load_pack, resolve_pack
from ..model.pairs import TOUCH_MM
from ..resources import MODELS
from .model import Entry, Relation, Unit, required_gap
from .relations import RelationBuilder
from .settings import _NOT_PRESSED, DEFAULT_CLEARANCE_MM, ENVELOPE_PACKS, FIT_REACH_MM, HEATSINK_LID_CLEARANCE_MM
from .text import _count, _design_name, _reference, _relative, _scalar, _shell, _volume


def _hole_around(fastener: Unit, other: Unit) -> Hole | None:
    """A through-hole of ``other`` whose axis runs inside the fastener's outline, or None."""
    try:
        holes = find_through_holes(Sections(other.mesh))
    except Exception:  # noqa: BLE001 - recognition is best-effort on arbitrary CAD
        return None
    lo, hi = fastener.bounds
    for hole in holes:
        u, v = in_plane_axes(hole.axis)
        w = axis_index(hole.axis)
        centre = np.asarray(hole.center)
        if lo[u] <= centre[u] <= hi[u] and lo[v] <= centre[v] <= hi[v] and lo[w] - 1 <= centre[w] <= hi[w] + 1:
            return hole
    return None



class DraftText(RelationBuilder):
    """The design text and the summary."""

    def render(self) -> str:
        lines: list[str] = []
        n_parts = len(self.units_list)
        lines += [
            f"# Written by `sledcheck init` from {self.source.name} ({_count(len(self.bodies), 'body', 'bodies')}, "
            f"{_count(n_parts, 'part')}).",
            "# Every guessed line says why and how sure (sure, likely, guess): review them, then run",
            f"#   sledcheck check {_shell(display_path(self.target))}",
            "# Paths are relative to this file's folder; x is the width, y the depth (front to back), z the height.",
        ]
        for warning in self.warnings:
            lines.append(f"# WARNING: {warning}")
        for note in self.notes:
            lines.append(f"# note: {note}")
        lines += ["sledcheck: 1", f"name: {_scalar(_design_name(self.source))}"]
        if self.units_option:
            lines.append(f"units: {self.units_option}                    # the file carries no unit: from --units")
        lines += self._specs()
        lines.append("# tessellation: {linear: 0.01 mm, angular: 0.5 rad}   # how STEP faces become triangles "
                     "(the default)")
        lines += ["", "parts:"]
        file_ref = _scalar(_relative(self.source, self.target))
        for entry in self.entries:
            lines.append(self._entry_line(entry, file_ref))
        lines += ["# exclude:                    # bodies to leave out of the check (every other body is checked)",
                  "#   - {node: \"*DUMMY*\", reason: \"a placeholder, not hardware\"}"]
        lines += self._contact_lines()
        lines += self._fit_lines()
        lines += self._clearance_lines()
        lines += self._problem_lines()
        lines += self._thermal_lines()
        return "\n".join(lines) + "\n"

    def _entry_line(self, entry: Entry, file_ref: str) -> str:
        unit = entry.units[0]
        fields = [f"file: {file_ref}"]
        if entry.node is not None:
            fields.append(f"node: {_scalar(entry.node)}")
        if entry.each:
            fields.append("each: true")
        fields.append(f"role: {entry.role}")
        confidence = min(u.confidence for u in entry.units)
        if unit.reason.startswith("from"):
            why = f"role {unit.reason} ({confidence_word(confidence)})"
        elif unit.reason.startswith("guessed"):
            why = f"{unit.reason} ({confidence_word(confidence)})"
        else:
            why = f"role {unit.role}: {unit.reason} ({confidence_word(confidence)})"
        if entry.each:
            apart = "" if not entry.split else \
                f" ({entry.split} of them {'is an entry' if entry.split == 1 else 'are entries'} above: unlike " \
                "the others, in contacts or fits; this entry takes the rest)"
            why = f"{entry.what}{apart}, one part each; {why}"
        if unit.merged:
            why += f"; {'each of ' if entry.each else ''}{unit.merged}"
        if unit.shape_note:
            why += f"; {unit.shape_note}"
        return f"  {_scalar(entry.name)}: {{{', '.join(fields)}}}   # {why}"

    def _specs(self) -> list[str]:
        height, width = float(self.extents[2]), float(self.extents[0])
        if len(self.units_list) < 2:
            return [f"# specs: [eia-310-1u]   # one part, {height:.4g} mm high: name the envelope it must fit, if any"]
        for name in ENVELOPE_PACKS:
            try:
                pack = load_pack(resolve_pack(name, Path(".")))
            except (KeyError, FileNotFoundError, SledcheckError):
                continue
            limit = pack.envelope.get("height")
            if limit is None or limit.quantity is None:
                continue
            allowed = float(limit.quantity.m_as("mm"))
            if height <= allowed:
                wide = pack.envelope.get("width")
                width_note = ""
                if wide is not None and wide.quantity is not None:
                    w = float(wide.quantity.m_as("mm"))
                    width_note = f", {width:.5g} mm wide ({w:.5g} mm allowed)"
                return [f"specs: [{name}]   # the assembly is {height:.5g} mm high ({allowed:.5g} mm allowed)"
                        f"{width_note}; set the depth of your rack under overrides"]
        return [f"# specs: [eia-310-2u]   # the assembly is {height:.4g} mm high: more than 2U; name the envelope "
                "it must fit"]

    def _contact_lines(self) -> list[str]:
        if not self.contacts:
            lines = ["contacts: []                # no two parts were measured touching"]
        else:
            lines = ["", "contacts:                    # measured touching: gap <= 0.001 mm and no shared volume"]
            for rel in self.contacts:
                lines.append(f"  - [{rel.a}, {rel.b}]".ljust(34) + f"  # {self._relation_note(rel)}")
        unknown = [p for p in self.pairs.values() if p.unmeasured_touch]
        if unknown:
            lines.append("  # touching, but a part is not a closed volume, so an overlap cannot be measured: "
                         "uncomment the pairs that only touch")
            refs = dict.fromkeys(tuple(sorted((self._label_ref(p.a), self._label_ref(p.b))))
                                 for p in sorted(unknown, key=lambda p: (p.a, p.b)))
            lines += [f"  # - [{a}, {b}]" for a, b in refs]
        return lines

    def _relation_note(self, rel: Relation) -> str:
        gaps = [p.gap for p in rel.pairs]
        pairs = _count(len(rel.pairs), "pair")
        sides = _count(len(rel.side_a), rel.a) + ("" if rel.a == rel.b else f", {_count(len(rel.side_b), rel.b)}")
        if rel.kind == "fit":
            what = f"{pairs} within {FIT_REACH_MM:g} mm, closest {min(gaps):.3g} mm, no overlap"
            return (f"by role ({sides}): " if rel.level == "role" else "") + what + self._hole_note(rel)
        if rel.level == "role":
            return f"by role: {pairs} touching ({sides})"
        return f"{pairs} touching" if len(rel.pairs) > 1 else "touching"

    def _hole_note(self, rel: Relation) -> str:
        """", in a d 3.4 mm hole of PCB_MAIN" when a through-hole of the other part holds the fastener."""
        for p in rel.pairs:
            fastener, other = (self.units_list[p.a], self.units_list[p.b])
            if fastener.role != "fastener":
                fastener, other = other, fastener
            hole = _hole_around(fastener, other)
            if hole is not None:
                return f"; {fastener.label} is in a d {hole.diameter:.3g} mm hole of {other.label}"
        return ""

    def _fit_lines(self) -> list[str]:
        suggestions = self._fit_suggestions()
        if not self.fits and not suggestions:
            return []
        lines = ["", ("fits:" if self.fits else "# fits:").ljust(29) + "# a fastener in a clearance hole may come "
                 "closer than the clearance, never overlap"]
        for rel in self.fits:
            lines.append(f"  - {{between: [{rel.a}, {rel.b}], kind: clearance-hole}}".ljust(58)
                         + f"  # {self._relation_note(rel)}")
        if suggestions:
            lines.append("  # overlapping hardware: uncomment where the overlap is the design (a press fit, a "
                         "compressed pad), else fix the CAD")
            lines += suggestions
        return lines

    def _fit_suggestions(self) -> list[str]:
        """Commented-out press and compressible fits for overlapping fasteners, standoffs and pads."""
        found: dict[tuple[str, str, str], tuple[float, float]] = {}
        for p in sorted(self.pairs.values(), key=lambda p: (p.a, p.b)):
            if not p.overlaps:
                continue
            a, b = self.units_list[p.a], self.units_list[p.b]
            if b.role in ("fastener", "standoff", "pad") and a.role not in ("fastener", "standoff", "pad"):
                a, b = b, a
            kind = "compressible" if a.role == "pad" else "press" if a.role in ("fastener", "standoff") else ""
            if not kind or b.role in _NOT_PRESSED:
                continue
            key = (kind, self._label_ref(a.index), self._label_ref(b.index))
            depth, volume = found.get(key, (0.0, 0.0))
            found[key] = (max(depth, p.overlap.depth if p.overlap else 0.0), max(volume, p.volume))
        lines = []
        for (kind, a_ref, b_ref), (depth, volume) in found.items():
            what = "interference" if kind == "press" else "compression"
            deep, said = (f"{depth:.2g} mm", f"about {depth:.2g} mm deep") if depth > 0 else \
                ("??? mm", "depth not measured")
            lines.append(f"  # - {{between: [{a_ref}, {b_ref}], kind: {kind}, {what}: [0 mm, {deep}]}}"
                         f"   # overlap up to {_volume(volume)} mm^3, {said}")
        return lines

    def _clearance_lines(self) -> list[str]:
        roles = {u.role for u in self.units_list}
        lines = ["", "clearance:",
                 f"  - {{min: {DEFAULT_CLEARANCE_MM:g} mm}}".ljust(46) + "  # every pair that is not a contact "
                 "or a fit: a starting point, set your own rule"]
        if {"heatsink", "lid"} <= roles:
            gaps = [self._gap(a, b) for a in self.units_list if a.role == "heatsink"
                    for b in self.units_list if b.role == "lid"]
            closest = f"the closest now is {min(gaps):.3g} mm" if gaps else "none measured"
            lines.append(f"  - {{between: [heatsink, lid], min: {HEATSINK_LID_CLEARANCE_MM:g} mm}}".ljust(46)
                         + f"  # air over the fins; {closest}")
        return lines

    def _problem_lines(self) -> list[str]:
        lines = []
        overlaps = self.overlaps()
        if overlaps:
            lines += ["", "# Overlapping pairs, not declared: `sledcheck check` reports them as D101 interference:"]
            lines += [f"#   {a} and {b}: {_volume(v)} mm^3" for a, b, v in overlaps]
        near = self.near_misses()
        if near:
            lines += ["", "# Closer than their clearance, not touching: `sledcheck check` reports them as D201:"]
            lines += [f"#   {a} and {b}: {gap:.3g} mm apart, {need:g} mm required" for a, b, gap, need in near]
        return lines

    def _thermal_lines(self) -> list[str]:
        sinks = [u for u in self.units_list if u.role == "heatsink"]
        fans = [u for u in self.units_list if u.role == "fan"]
        if not sinks or not fans:
            return []
        components: list[tuple[str, str]] = []      # (component, its heat sink): entry names
        for sink in sinks:
            under = [u for u in self.units_list if u.role == "package" and (p := self.pair(u, sink)) is not None
                     and p.gap <= TOUCH_MM]
            for package in under:
                components.append((package.label, sink.label))
            if not under:
                components.append((f"PACKAGE_UNDER_{sink.label}", sink.label))
        components = list(dict.fromkeys(components))
        fan_names = ", ".join(_reference(f.label) for f in fans[:12]) + (", ..." if len(fans) > 12 else "")
        names = ", ".join(_reference(c) for c, _ in components)
        models = sorted(p.stem for p in (MODELS / "fans").glob("*.yaml")) if (MODELS / "fans").is_dir() else []
        lines = ["",
                 f"# Thermal model: {_count(len(sinks), 'heat sink')} and {_count(len(fans), 'fan')} were found. "
                 "Fill in the ??? (powers and",
                 "# limits from the data sheets), pick a fan model (models/fans/NAME.yaml or a path"
                 + (f"; built in: {', '.join(models)}" if models else "") + "),",
                 "# list the components of each lane in airflow order, then uncomment. Left commented, `sledcheck "
                 "check` runs",
                 "# the fit checks only.",
                 "# thermal:",
                 "#   environment: {ashrae_class: A2, altitude: 0 m, nominal_inlet: 25 degC}",
                 f"#   fans: {{model: {models[0] if models else '???'}, speed: 100 %}}",
                 "#   lanes:",
                 "#     - name: lane1",
                 f"#       fans: [{fan_names}]",
                 f"#       components: [{names}]",
                 "#   components:"]
        for component, sink_name in components:
            lines.append(f"#     {_scalar(component)}: {{power: ??? W, tj_max: ??? degC, r_jc: ??? K/W, "
                         f"tim: ???, heatsink: {_reference(sink_name)}, required_margin: 5 K}}")
        return lines

    # --- what the summary and the comments name --------------------------------------------------------------

    def _label_ref(self, index: int) -> str:
        """A unit's part name as a reference (for commented-out lines: the part itself, not its entry)."""
        return _reference(self.units_list[index].label)

    def overlaps(self) -> list[tuple[str, str, float]]:
        return [(self.units_list[p.a].label, self.units_list[p.b].label, p.volume)
                for p in sorted(self.pairs.values(), key=lambda p: (p.a, p.b)) if p.overlaps]

    def near_misses(self) -> list[tuple[str, str, float, float]]:
        out = []
        for p in sorted(self.pairs.values(), key=lambda p: (p.a, p.b)):
            a, b = self.units_list[p.a], self.units_list[p.b]
            need = required_gap(a.role, b.role)
            if TOUCH_MM < p.gap < need and not self.fit_eligible(p):
                out.append((a.label, b.label, p.gap, need))
        return out

    def summary(self) -> list[str]:
        roles = Counter(u.role for u in self.units_list)
        lines = [f"sledcheck init: {self.file.display}: {_count(len(self.bodies), 'body', 'bodies')} in "
                 f"{_count(len(self.units_list), 'part')} ({_count(len(self.entries), 'entry', 'entries')})",
                 "  roles: " + ", ".join(f"{n} {r}" for r, n in sorted(roles.items(), key=lambda x: (-x[1], x[0])))]
        for warning in self.warnings:
            lines.append(f"  warning: {warning}")
        for note in self.notes:
            lines.append(f"  note: {note}")
        unsure = [e for e in self.entries if min(u.confidence for u in e.units) < SURE]
        if unsure:
            lines.append(f"  not sure ({_count(len(unsure), 'entry', 'entries')}; check these in the design):")
            for entry in unsure[:40]:
                unit = entry.units[0]
                confidence = min(u.confidence for u in entry.units)
                many = f" ({len(entry.units)} parts)" if entry.each else ""
                lines.append(f"    {entry.name}{many}: {unit.role}, {unit.reason} ({confidence_word(confidence)})")
            if len(unsure) > 40:
                lines.append(f"    ... and {len(unsure) - 40} more")
        by_role = sum(1 for r in self.contacts if r.level == "role")
        lines.append(f"  contacts: {len(self.contacts)} ({by_role} by role, {len(self.contacts) - by_role} by name); "
                     f"fits: {len(self.fits)}")
        overlaps = self.overlaps()
        if overlaps:
            lines.append("  overlapping, left out of contacts (check reports them as D101): "
                         + "; ".join(f"{a} / {b} ({_volume(v)} mm^3)" for a, b, v in overlaps[:10])
                         + (" ..." if len(overlaps) > 10 else ""))
        else:
            lines.append("  overlapping pairs: none")
        near = self.near_misses()
        if near:
            lines.append("  closer than their clearance (check reports them as D201): "
                         + "; ".join(f"{a} / {b} {g:.3g} mm" for a, b, g, _ in near[:10])
                         + (" ..." if len(near) > 10 else ""))
        unknown = [p for p in self.pairs.values() if p.unmeasured_touch]
        if unknown:
            lines.append(f"  touching but not closed, overlap not measurable: {_count(len(unknown), 'pair')} "
                         "(commented out under contacts)")
        lines.append(f"wrote {display_path(self.target)}; review the guesses, then run: sledcheck check "
                     f"{_shell(display_path(self.target))}")
        return lines
