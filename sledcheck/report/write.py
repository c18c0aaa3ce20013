"""Write report files atomically: a reader never sees half a report, and a failed run leaves the old one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..errors import SledcheckError


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and an atomic rename."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SledcheckError("the output folder does not exist", file=path, hint="create it first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)
        raise SledcheckError(f"cannot write the report: {err.strerror or err}", file=path) from None
