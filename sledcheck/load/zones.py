"""Keep-out zones and height limits, from designs and spec packs: 2-D outlines extruded over heights.

    keepouts:
      - name: fan-plenum
        rect: [0, 0, 440, 80]          # x0, y0, x1, y1 [design units]; or outline: [[x, y], ...]
        z: [0, 50 mm]                  # optional height range (default: all heights)
        above: board                   # optional: z is measured from the top of this part
        allow: [fan, tray]             # roles or part names allowed inside
    height_limits:
      - name: dimm-area
        rect: [140, 400, 230, 580]
        max: 25 mm                     # nothing may rise above this height in the outline
        above: board
        roles: [dimm, component]       # optional: only these are limited (default: every part)
        allow: [lid, tray]             # optional: exempt roles or part names
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from shapely.geometry import Polygon

from .schema import Section
from .selection import selects_any

ZONE_KEYS = ("name", "rect", "outline", "z", "above", "allow", "roles", "source", "note")
LIMIT_KEYS = ("name", "rect", "outline", "max", "above", "allow", "roles", "source", "note")


@dataclass(frozen=True)
class Zone:
    """A prism: ``outline`` [mm] in x-y, heights ``z`` [mm] (None = unbounded), measured from the top of
    part ``above`` when set. ``kind`` is "keepout" (only ``allow`` may enter) or "height" (parts in ``roles``,
    or all, stay below ``z[0]``)."""

    kind: str
    name: str
    outline: tuple[tuple[float, float], ...]
    z: tuple[float | None, float | None]
    above: str | None
    allow: tuple[str, ...]
    roles: tuple[str, ...]
    source: str | None
    file: str
    line: int
    pack: str | None = None   # the spec pack it comes from (None: the design)

    @property
    def polygon(self) -> Polygon:
        return Polygon(self.outline)


def read_zones(root: Section, key: str, units: str | None, known: set[str],
               parts: set[str] | None = None) -> tuple[Zone, ...]:
    """Parse ``keepouts`` or ``height_limits`` under ``root``; ``known`` = part names and roles allowed,
    ``parts`` = part names (for ``above``; None in spec packs, which know no parts)."""
    if not root.has(key):
        return ()
    kind = "keepout" if key == "keepouts" else "height"
    zones = []
    for sec in root.child(key).elements():
        sec.mapping(ZONE_KEYS if kind == "keepout" else LIMIT_KEYS,
                    required=("name", "max") if kind == "height" else ("name",))
        name = sec.text("name") or ""
        outline = _outline(sec, units)
        if kind == "height":
            z: tuple[float | None, float | None] = (sec.quantity("max", "length", units).m_as("mm"), None)
        elif sec.has("z"):
            zs = sec.value["z"]
            if not isinstance(zs, list) or len(zs) != 2:
                raise sec.error("expected [bottom, top]", "z", "e.g. z: [0, 20 mm]")
            lo, hi = (sec.child("z").quantity(i, "length", units).m_as("mm") for i in range(2))
            if hi <= lo:
                raise sec.error("the top must be above the bottom", "z")
            z = (lo, hi)
        else:
            z = (None, None)
        names = {"allow": sec.string_list("allow"), "roles": sec.string_list("roles")}
        for field, values in names.items():
            for i, value in enumerate(values):
                if known and not selects_any(value, {k: "" for k in known}):
                    raise sec.child(field).error(f"{value!r} is neither a part nor a role", i)
        above = sec.text("above")
        if above is not None and parts is not None and above not in parts:
            close = difflib.get_close_matches(above, sorted(parts), n=1)
            raise sec.error(f"{above!r} is not a part name", "above",
                            f"did you mean {close[0]!r}?" if close else "heights are measured from one named part")
        zones.append(Zone(kind=kind, name=name, outline=outline, z=z, above=above, allow=tuple(names["allow"]),
                          roles=tuple(names["roles"]), source=sec.text("source"), file=sec.display,
                          line=sec.line()))
    return tuple(zones)


def _outline(sec: Section, units: str | None) -> tuple[tuple[float, float], ...]:
    if sec.has("rect") == sec.has("outline"):
        raise sec.error("give exactly one of 'rect: [x0, y0, x1, y1]' or 'outline: [[x, y], ...]'")
    if sec.has("rect"):
        rect = sec.child("rect")
        if not isinstance(rect.value, list) or len(rect.value) != 4:
            raise sec.error("expected [x0, y0, x1, y1]", "rect")
        x0, y0, x1, y1 = (rect.quantity(i, "length", units).m_as("mm") for i in range(4))
        if x1 <= x0 or y1 <= y0:
            raise sec.error("expected x0 < x1 and y0 < y1", "rect")
        return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    points = []
    for point in sec.child("outline").elements():
        if not isinstance(point.value, list) or len(point.value) != 2:
            raise point.error("expected a point [x, y]")
        points.append(tuple(point.quantity(i, "length", units).m_as("mm") for i in range(2)))
    if len(points) < 3:
        raise sec.error("an outline needs at least three points", "outline")
    polygon = Polygon(points)
    if not polygon.is_valid or polygon.area <= 0:
        raise sec.error("the outline crosses itself or has no area", "outline")
    return tuple(points)
