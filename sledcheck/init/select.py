"""Which bodies a design's node pattern selects, as check reads it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ..load.body import Body
from ..model.assembly import body_selected, select_bodies
from .text import glob_escape


def body_matches(pattern: str, body: Body) -> bool:
    """Does a design's ``node:`` pattern select ``body`` (instance name, product name or instance path)?"""
    return body_selected(body, pattern)


class Selector:
    """Which bodies a ``node:`` pattern selects, as ``check`` reads it: a body is selected by its instance name,
    product name or instance path, or by the path of a sub-assembly it is in (or that path's last name, less any
    '#k'); ``each: true`` makes one part per body selected by itself and one per sub-assembly selected. Literal
    names are answered from an index, other patterns by a scan."""

    def __init__(self, bodies: Sequence[Body]) -> None:
        self.bodies = bodies
        self.by_text: dict[str, set[int]] = defaultdict(set)
        self.by_ancestor: dict[str, set[int]] = defaultdict(set)
        for i, body in enumerate(bodies):
            for text in (body.node, body.geometry, body.path):
                if text:
                    self.by_text[text].add(i)
            for prefix in _prefixes(body.path):
                self.by_ancestor[prefix].add(i)
                self.by_ancestor[prefix.rsplit("/", 1)[-1].split("#")[0]].add(i)

    def literal(self, text: str) -> set[int]:
        """The bodies ``glob_escape(text)`` selects."""
        return set(self.by_text.get(text, ())) | set(self.by_ancestor.get(text, ()))

    def groups(self, pattern: str) -> dict[int, str]:
        """Each body ``pattern`` selects -> the instance path it is selected by (its own, or the innermost
        sub-assembly's): with ``each: true`` the bodies of one path are one part."""
        return {i: path for i, (path, _) in select_bodies(self.bodies, pattern)}



def _prefixes(path: str) -> list[str]:
    """The instance paths of the sub-assemblies a body is in, root first."""
    segments = path.split("/")[:-1] if path else []
    return ["/".join(segments[:k]) for k in range(1, len(segments) + 1)]


def _positional(names: Sequence[str]) -> str | None:
    """One fnmatch pattern for names of one length that differ in a few places ('FAN_1', 'FAN_2' -> 'FAN_?'),
    or None when their lengths differ."""
    if len({len(n) for n in names}) != 1:
        return None
    return "".join(glob_escape(chars[0]) if len(set(chars)) == 1 else "?" for chars in zip(*names, strict=True))


def _segments(path: str) -> tuple[str, ...]:
    return tuple(path.split("/")) if path else ()
