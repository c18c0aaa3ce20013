"""The tessellation cache: what an expensive loader made from a file, kept by the file's content hash.

An entry is a folder ``<cache>/<kind>/<key>/`` that is complete or absent: the loader writes into a fresh
temporary folder beside it and :func:`publish` renames that into place (atomic on one file system). Two runs
that mesh the same file at once both succeed; the second rename loses and its folder is dropped. A reader that
finds an entry it cannot use (truncated by a full disk, edited by hand) calls :func:`discard` and loads again.

The cache lives in ``SLEDCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/sledcheck``, else ``~/.cache/sledcheck``;
``sledcheck check --no-cache`` (or ``SLEDCHECK_NO_CACHE=1``) uses none.
"""

from __future__ import annotations

import atexit
import contextvars
import hashlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

CACHE_ENV = "SLEDCHECK_CACHE_DIR"
NO_CACHE_ENV = "SLEDCHECK_NO_CACHE"
_HASH_CHUNK = 4 * 1024**2
#: set by ``--no-cache`` for the duration of one command (a context variable: no global state between calls)
disabled: contextvars.ContextVar[bool] = contextvars.ContextVar("sledcheck_no_cache", default=False)


def cache_root() -> Path | None:
    """The cache folder, or None when caching is off (``--no-cache``, or ``SLEDCHECK_NO_CACHE`` set to anything
    but 0 or empty)."""
    if disabled.get() or os.environ.get(NO_CACHE_ENV, "").strip() not in ("", "0"):
        return None
    if os.environ.get(CACHE_ENV, "").strip():
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sledcheck"


def content_key(path: Path, settings: Iterable[object]) -> str:
    """SHA-256 of the file's bytes and of ``settings`` (whatever else changes the result), as hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    digest.update(repr(tuple(settings)).encode())
    return digest.hexdigest()


def entry(root: Path | None, kind: str, key: str) -> Path | None:
    """The folder of a complete entry (a real folder: a link or a file there is removed), or None."""
    if root is None:
        return None
    folder = root / kind / key
    try:
        info = os.lstat(folder)
    except OSError:
        return None
    if stat.S_ISDIR(info.st_mode):
        return folder
    discard(folder)
    return None


def scratch(root: Path | None, kind: str) -> Path:
    """A new empty folder to build an entry in: inside the cache (so :func:`publish` is a rename), or, without a
    cache or when the cache cannot be written, a temporary folder removed when the process ends."""
    if root is not None and encodable(root):
        try:
            (root / kind).mkdir(parents=True, exist_ok=True)
            _sweep(root / kind)
            return Path(tempfile.mkdtemp(prefix=".building-", dir=root / kind))
        except OSError:
            pass
    folder = Path(tempfile.mkdtemp(prefix="sledcheck-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def publish(root: Path | None, kind: str, key: str, built: Path) -> Path:
    """Move the finished ``built`` folder into the cache as entry ``key``; returns where the entry now is (the
    other run's entry when it won the race, ``built`` itself when there is no cache)."""
    if root is None or built.parent != root / kind:
        return built
    final = root / kind / key
    for _ in range(2):
        try:
            os.rename(built, final)
            return final
        except OSError:          # another run published first (use theirs), or something else is in the way
            if entry(root, kind, key) is not None:
                shutil.rmtree(built, ignore_errors=True)
                return final
    return built


def discard(folder: Path) -> None:
    """Remove an unusable entry: a folder with its files, or a link or file in its place (best effort: a
    concurrent reader may still hold its files). A link is removed, never followed."""
    try:
        if os.path.islink(folder) or not os.path.isdir(folder):
            os.unlink(folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    except OSError:
        pass


STALE_S = 24 * 3600   # a build folder older than this was left by a killed run [s]


def _sweep(folder: Path) -> None:
    """Remove build folders that killed runs left behind."""
    now = time.time()
    for path in folder.glob(".building-*"):
        try:
            if now - os.lstat(path).st_mtime > STALE_S:
                discard(path)
        except OSError:
            continue


def encodable(path: Path) -> bool:
    """Can the path be handed to OpenCASCADE (UTF-8)? A name with undecodable bytes cannot."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
