"""Errors a user can act on: what is wrong, in which file and where, and what to do.

Any :class:`SledcheckError` ends a command with exit code 2 and its message; nothing else the user can
cause should escape as a traceback.
"""

from __future__ import annotations

from pathlib import Path


class SledcheckError(Exception):
    """Input that sledcheck cannot use (exit code 2).

    ``file``, ``line`` and ``field`` say where; ``hint`` says what to do.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        field = f"{self.field}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{field}{self.message}{hint}"


class DesignError(SledcheckError):
    """A design or spec file is invalid."""


class MeshLoadError(SledcheckError):
    """A mesh file is missing, empty, corrupt or cannot be loaded."""
