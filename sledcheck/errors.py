"""Errors a user can act on: what is wrong, in which file and where, and what to do.

Any :class:`SledcheckError` ends a command with exit code 2 and its message; nothing else the user can
cause should escape as a traceback.
"""

from __future__ import annotations

import errno
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
        return printable(f"{where}{field}{self.message}{hint}")   # one line, no terminal escapes from inputs


class DesignError(SledcheckError):
    """A design or spec file is invalid."""


class MeshLoadError(SledcheckError):
    """A mesh file is missing, empty, corrupt or cannot be loaded."""


class InputLimitError(DesignError):
    """An input file exceeds one of sledcheck's size or complexity limits (see :mod:`sledcheck.load.yamlfile`)."""


def printable(text: str) -> str:
    """``text`` with control characters (NUL, newline, ESC, ...) shown as escapes, for one-line messages."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


_OS_ERRORS = {
    errno.ENOENT: ("file not found", "check the path"),
    errno.ENOTDIR: ("a folder in the path is not a folder", "check the path"),
    errno.EISDIR: ("is a folder, not a file", "give a file"),
    errno.ELOOP: ("too many levels of symbolic links (a symlink loop?)", "fix or remove the link"),
    errno.ENAMETOOLONG: ("the file name is too long (at most 255 bytes per name, 4096 per path)",
                         "shorten the name"),
    errno.EACCES: ("permission denied", "make the file readable"),
    errno.EPERM: ("operation not permitted", "check the file's permissions"),
}


def os_error_message(err: OSError | ValueError, action: str = "read") -> tuple[str, str | None]:
    """What went wrong and what to do, for an OSError (or the ValueError of a NUL byte in a path)."""
    if isinstance(err, ValueError):
        return "the path contains a NUL byte", "remove it from the path"
    if err.errno in _OS_ERRORS:
        return _OS_ERRORS[err.errno]
    return f"cannot {action} the file: {err.strerror or err}", None
