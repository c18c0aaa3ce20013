"""Contacts and fits from the measured pairs: by role where that is exact, else by entry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .measure import PairMeasure
from .model import Entry, Pair, Relation, Unit
from .text import _reference


def _ordered(r1: str, r2: str, kind: str) -> tuple[str, str]:
    if kind == "fit":
        return ("fastener", r2 if r1 == "fastener" else r1)
    return (r1, r2) if r1 <= r2 else (r2, r1)



class RelationBuilder(PairMeasure):
    """Measured pairs into contacts and fits."""

    def _relations(self) -> tuple[list[Relation], list[Relation]]:
        """Contacts and fits, by role where that is exact, else by entry; when an ``each`` entry cannot be named
        as a whole, the members that differ become entries of their own and everything is decided again."""
        while True:
            entry_of = {u.index: e for e in self.entries for u in e.units}
            contacts, broken = self._level(entry_of, "contact")
            if broken is None:
                fits, broken = self._level(entry_of, "fit")
            if broken is None:
                return contacts, fits
            self._split(*broken)

    def _level(self, entry_of: dict[int, Entry], kind: str) -> tuple[list[Relation], tuple[Entry, set[int]] | None]:
        units = self.units_list
        wanted = [p for p in self.pairs.values() if (p.touching if kind == "contact" else self.fit_eligible(p))]
        relations: list[Relation] = []
        covered: set[tuple[int, int]] = set()
        by_roles: dict[tuple[str, str], list[Pair]] = defaultdict(list)
        for p in wanted:
            by_roles[_ordered(units[p.a].role, units[p.b].role, kind)].append(p)
        for (r1, r2), found in sorted(by_roles.items()):
            side_a = [u for u in units if u.role == r1]
            side_b = [u for u in units if u.role == r2]
            if self._valid(side_a, side_b, kind):
                relations.append(Relation(r1, r2, "role", kind, found, side_a, side_b))
                covered.update((p.a, p.b) for p in found)
        by_entries: dict[tuple[str, str], list[Pair]] = defaultdict(list)
        entries: dict[str, Entry] = {}
        for p in wanted:
            if (p.a, p.b) in covered:
                continue
            ea, eb = entry_of[p.a], entry_of[p.b]
            if kind == "fit" and units[p.b].role == "fastener":
                ea, eb = eb, ea
            key = (ea.name, eb.name) if kind == "fit" else tuple(sorted((ea.name, eb.name)))
            entries[ea.name], entries[eb.name] = ea, eb
            by_entries[key].append(p)   # type: ignore[index]
        for (n1, n2), found in sorted(by_entries.items()):
            e1, e2 = entries[n1], entries[n2]
            if not self._valid(e1.units, e2.units, kind):
                odd_a, odd_b = self._offenders(e1.units, e2.units, kind)
                if e1.each and odd_a:
                    return [], (e1, odd_a)
                if e2.each and odd_b:
                    return [], (e2, odd_b)
            relations.append(Relation(_reference(n1), _reference(n2), "name", kind, found, e1.units, e2.units))
        return relations, None

    def _valid(self, side_a: Sequence[Unit], side_b: Sequence[Unit], kind: str) -> bool:
        """May a relation be declared between these two sets as a whole? Every pair of them that comes closer
        than its clearance must be allowed (touching, or a fastener's fit; for a fit, a fit), and for a contact
        every part of each side must touch one of the other (else check warns of a missing contact)."""
        if not side_a or not side_b:
            return False
        in_a, in_b = {u.index for u in side_a}, {u.index for u in side_b}
        touched_b: set[int] = set()
        for a in in_a:
            touches = False
            for b, pair in self.neighbours.get(a, ()):
                if b not in in_b:
                    continue
                if self.close(pair):
                    allowed = self.fit_eligible(pair) if kind == "fit" else pair.touching or self.fit_eligible(pair)
                    if not allowed:
                        return False
                if pair.touching:
                    touches = True
                    touched_b.add(b)
            if kind == "contact" and not touches:
                return False
        return kind != "contact" or in_b <= touched_b

    def _offenders(self, side_a: Sequence[Unit], side_b: Sequence[Unit], kind: str) -> tuple[set[int], set[int]]:
        """The units of each side that keep a relation between the sides from being declared as a whole: those
        of a pair closer than allowed, and for a contact those that touch nothing on the other side."""
        in_a, in_b = {u.index for u in side_a}, {u.index for u in side_b}
        odd_a: set[int] = set()
        odd_b: set[int] = set()
        touched_a: set[int] = set()
        touched_b: set[int] = set()
        for a in in_a:
            for b, pair in self.neighbours.get(a, ()):
                if b not in in_b:
                    continue
                allowed = self.fit_eligible(pair) if kind == "fit" else pair.touching or self.fit_eligible(pair)
                if self.close(pair) and not allowed:
                    odd_a.add(a)
                    odd_b.add(b)
                if pair.touching:
                    touched_a.add(a)
                    touched_b.add(b)
        if kind == "contact":
            odd_a |= in_a - touched_a
            odd_b |= in_b - touched_b
        return odd_a, odd_b
