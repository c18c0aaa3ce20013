"""The design written safely: refused targets, checked by the design loader, written atomically."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from ..checks.registry import catalog
from ..errors import SledcheckError, os_error_message
from ..load.design import display_path, load_design
from ..load.meshes import FORMATS
from ..report.write import check_target


def _refuse_target(source: Path, target: Path, force: bool) -> None:
    """Refuse, before any work: an existing output without --force, the assembly itself, a CAD file name,
    a link, a folder or a special file, or an output folder that does not exist."""
    if target.suffix.lower() in FORMATS:
        raise SledcheckError(f"is named like a CAD or mesh file ({target.suffix}); the design is YAML",
                             file=target, field="--output", hint="write it to a .yaml file, e.g. design.yaml")
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except (OSError, ValueError) as err:
        message, hint = os_error_message(err, "write")
        raise SledcheckError(message, file=target, field="--output", hint=hint) from None
    if info is not None and stat.S_ISREG(info.st_mode):
        with contextlib.suppress(OSError, ValueError):
            if os.path.samefile(source, target):
                raise SledcheckError("is the assembly file itself; sledcheck init never writes over its input",
                                     file=target, field="--output", hint="write the design to a .yaml file")
        if not force:
            raise SledcheckError("already exists; sledcheck init does not overwrite it", file=target,
                                 field="--output", hint="give another name with -o, or --force to replace it")
    check_target(target, "--output")


def _write(source: Path, target: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``target`` atomically, after the design loader has accepted it; without ``force``
    never over a file that appeared meanwhile."""
    folder = target.parent if str(target.parent) else Path(".")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:200]}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="\n") as handle:
            handle.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        try:
            load_design(tmp, catalog())   # paths in it are relative to the target's folder: the same folder
        except SledcheckError as err:
            raise SledcheckError(f"internal error: the design drafted for {display_path(source)} does not load "
                                 f"({err}); nothing was written", file=target,
                                 hint="please report this with the assembly file") from None
        _refuse_target(source, target, force)
        if force:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)          # fails if the name exists: no file is ever replaced
            except FileExistsError:
                raise SledcheckError("already exists; sledcheck init does not overwrite it", file=target,
                                     field="--output", hint="give another name with -o, or --force") from None
            except OSError as err:
                if err.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                    raise
                os.replace(tmp, target)       # a file system without hard links: checked just above
    except OSError as err:
        message, hint = os_error_message(err, "write")
        raise SledcheckError(f"cannot write the design: {err.strerror or message}", file=target,
                             hint=hint) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
