"""The one way a design selects parts: by part name, by a name pattern (``fan*``, ``DIMM_??``) or by role."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping


def selects(token: str, name: str, role: str | None) -> bool:
    """Does the design reference ``token`` (a part name, an fnmatch pattern or a role) select the part
    ``name`` with role ``role``?"""
    return token == role or fnmatch.fnmatchcase(name, token)


def selects_any(token: str, parts: Mapping[str, str], roles: Iterable[str] = ()) -> bool:
    """Is ``token`` a known reference: a role (any of ``roles``, whether or not a part has it) or a selector of
    at least one of ``parts`` (name -> role)?"""
    return token in set(roles) or any(selects(token, name, role) for name, role in parts.items())
