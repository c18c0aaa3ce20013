"""The one way a design selects parts: by part name, by a name pattern (``fan*``, ``DIMM_??``) or by role."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """A reference that names no declared part: it may name a part expanded from an assembly file, which is
    only known once the files are loaded, and is checked then (:func:`sledcheck.model.assembly.build_assembly`).
    ``part`` references (thermal) must name one part exactly, of ``role`` when one is given."""

    token: str
    line: int
    field: str
    part: bool = False
    role: str | None = None


def selects(token: str, name: str, role: str | None) -> bool:
    """Does the design reference ``token`` (a part name, an fnmatch pattern or a role) select the part
    ``name`` with role ``role``?"""
    return token == role or fnmatch.fnmatchcase(name, token)


def selects_any(token: str, parts: Mapping[str, str], roles: Iterable[str] = ()) -> bool:
    """Is ``token`` a known reference: a role (any of ``roles``, whether or not a part has it) or a selector of
    at least one of ``parts`` (name -> role)?"""
    return token in set(roles) or any(selects(token, name, role) for name, role in parts.items())
