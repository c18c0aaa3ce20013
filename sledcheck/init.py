"""`sledcheck init ASSEMBLY`: a commented design written from an assembly export (being built, issue 10)."""

from __future__ import annotations

from .errors import SledcheckError


def run_init(assembly: str, output: str, *, force: bool = False, units: str | None = None) -> int:
    """Write the design for ``assembly`` to ``output``; returns the exit code."""
    raise SledcheckError("sledcheck init is not available yet", hint="write the design by hand (see the README)")
