"""Write report files safely: atomically (a reader never sees half a report, a failed run leaves the old
one), with ordinary permissions, and only over regular files: never over a symlink, a device or a FIFO."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from ..errors import SledcheckError, os_error_message

#: What identifies an output target: ("inode", st_dev, st_ino) for an existing file, else
#: ("path", real folder, name) for a file still to be created.
TargetKey = tuple[str, int | str, int | str]


def check_target(path: Path, option: str | None = None) -> TargetKey:
    """Refuse an output path that sledcheck must not replace; return its identity for comparisons.

    Allowed: an existing regular file (not a symlink to one) or an absent name in an existing folder.
    ``option`` (e.g. ``"--output json"``) is named in the error.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return _new_file(path, option)
    except (OSError, ValueError) as err:
        message, hint = os_error_message(err, "write")
        raise SledcheckError(message, file=path, field=option, hint=hint) from None
    if stat.S_ISLNK(info.st_mode):
        raise SledcheckError("is a symbolic link; sledcheck never replaces a link with a report", file=path,
                             field=option, hint="write the report to another path, or remove the link first")
    if stat.S_ISDIR(info.st_mode):
        raise SledcheckError("is a folder; give a file name", file=path, field=option)
    if not stat.S_ISREG(info.st_mode):
        raise SledcheckError("is not a regular file (a device, FIFO or socket); sledcheck only replaces "
                             "regular files", file=path, field=option, hint="write the report to another path")
    return ("inode", info.st_dev, info.st_ino)


def _new_file(path: Path, option: str | None) -> TargetKey:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SledcheckError("the output folder does not exist", file=path, field=option, hint="create it first")
    return ("path", os.path.realpath(folder), path.name)


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path`` via a temporary file in the same folder and an atomic rename.

    The target is checked again just before (see :func:`check_target`); characters UTF-8 cannot hold
    (lone surrogates from undecodable file names) are written as '?'.
    """
    check_target(path)
    folder = path.parent if str(path.parent) else Path(".")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=folder)
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as raw:
                raw.write(text)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="\n") as handle:
                handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())   # mkstemp makes 0600; a report is an ordinary file
        check_target(path)
        os.replace(tmp, path)
    except OSError as err:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        message, hint = os_error_message(err, "write")
        raise SledcheckError(f"cannot write the report: {err.strerror or message}", file=path, hint=hint) from None
    except SledcheckError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
