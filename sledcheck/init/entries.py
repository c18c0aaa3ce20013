"""Units into entries of ``parts:``: one per unit, ``each: true`` for repeated products and sub-assemblies."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from .model import Entry, Unit
from .settings import PLURALS
from .text import _fresh, _listing, _positional, glob_escape
from .units import UnitBuilder, _last


class EntryBuilder(UnitBuilder):
    """Units into entries."""

    def _entries(self) -> list[Entry]:
        """One entry per unit; one ``each: true`` entry per product repeated with one role (16 DIMMs) and per
        sub-assembly repeated as one unit (6 fans of a housing and a hub each)."""
        units = self.units_list
        if len(self.bodies) == 1 or (len(units) == 1 and not units[0].patterns):
            return [Entry(units[0].label, units, None)]
        entries: list[Entry] = []
        grouped: set[int] = set()
        names = {u.label for u in units} | {b.node for b in self.bodies} | {b.geometry for b in self.bodies} \
            | self._reserved | set(PLURALS)
        repeats = self._repeats()
        per_role = Counter(members[0].role for members, _, _ in repeats)
        for members, pattern, what in repeats:
            role = members[0].role
            name = PLURALS.get(role, f"{role}s")
            if per_role[role] > 1 and members[0].product:
                name += "-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", members[0].product)
            name = _fresh(name, names)
            names.add(name)
            entries.append(Entry(name, members, pattern, each=True, what=what))
            grouped.update(u.index for u in members)
        for unit in units:
            if unit.index not in grouped:
                entries.append(Entry(unit.label, [unit], unit.patterns[0]))
        return sorted(entries, key=lambda e: min(e.units[0].bodies))

    def _repeats(self) -> list[tuple[list[Unit], str, str]]:
        """(units, node pattern, what they are) for every set of two or more units that one ``each: true``
        pattern selects exactly, one part per unit: bodies of one product and role, and sub-assemblies of the
        same bodies and role whose names differ in a few characters."""
        found = []
        by_product: dict[tuple[str, str], list[Unit]] = defaultdict(list)
        by_unit: dict[tuple[str, tuple[str, ...]], list[Unit]] = defaultdict(list)
        for unit in self.units_list:
            if unit.subassembly:
                products = tuple(sorted(self.bodies[i].geometry for i in unit.bodies))
                by_unit[(unit.role, products)].append(unit)
            elif unit.product:
                by_product[(unit.product, unit.role)].append(unit)
        for (product, _), members in by_product.items():
            wanted = {i: self.bodies[i].path or self.bodies[i].name for u in members for i in u.bodies}
            if len(members) >= 2 and self.select.groups(glob_escape(product)) == wanted:
                found.append((members, glob_escape(product), f"{len(members)} bodies of product {product!r}"))
        for members in by_unit.values():
            left = list(members)
            # all of them, else those of one name less '#k' (FAN, FAN#1), else those of one name length
            for key in (lambda u: "", lambda u: _last(u).split("#")[0], lambda u: str(len(_last(u)))):
                buckets: dict[str, list[Unit]] = defaultdict(list)
                for unit in left:
                    buckets[key(unit)].append(unit)
                for bucket in buckets.values():
                    pattern = self._subassembly_pattern(bucket) if len(bucket) >= 2 else None
                    if pattern is not None:
                        found.append((bucket, pattern, f"{len(bucket)} sub-assemblies alike "
                                                       f"({_listing([u.label for u in bucket])})"))
                        left = [u for u in left if u not in bucket]
        return found

    def _subassembly_pattern(self, units: list[Unit]) -> str | None:
        """A node pattern that selects exactly these sub-assemblies' bodies, grouped by sub-assembly, or None."""
        wanted = {i: u.subassembly for u in units for i in u.bodies}
        last = [_last(u) for u in units]
        stripped = {n.split("#")[0] for n in last}
        candidates = [glob_escape(stripped.pop())] if len(stripped) == 1 else []
        positional = _positional(last)
        if positional is not None:
            candidates.append(f"*/{positional}")
        return next((c for c in candidates if self.select.groups(c) == wanted), None)

    def _split(self, entry: Entry, odd: set[int]) -> None:
        """An ``each`` entry whose members ``odd`` (unit indices) behave unlike the others: they become entries
        of their own, written before it, so that it takes only the others (an ``each`` entry takes only the
        bodies no earlier entry took); with fewer than two others left, every member becomes an entry."""
        position = self.entries.index(entry)
        keep = [u for u in entry.units if u.index not in odd]
        apart = [u for u in entry.units if u.index in odd] if len(keep) >= 2 else entry.units
        singles = [Entry(u.label, [u], u.patterns[0]) for u in apart]
        if len(keep) >= 2:
            entry.split += len(apart)
            entry.units = keep
            singles.append(entry)
        self.entries[position:position + 1] = singles
