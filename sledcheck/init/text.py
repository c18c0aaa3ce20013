"""Text helpers: node patterns, YAML scalars and references, counts, paths as the design gives them."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from .settings import _PLAIN, _YAML_WORDS


def glob_escape(text: str) -> str:
    """``text`` as an fnmatch pattern that matches only itself."""
    return re.sub(r"([*?\[])", r"[\1]", text)



def _positional(names: Sequence[str]) -> str | None:
    """One fnmatch pattern for names of one length that differ in a few places ('FAN_1', 'FAN_2' -> 'FAN_?'),
    or None when their lengths differ."""
    if len({len(n) for n in names}) != 1:
        return None
    return "".join(glob_escape(chars[0]) if len(set(chars)) == 1 else "?" for chars in zip(*names, strict=True))



def _listing(names: Sequence[str], limit: int = 60) -> str:
    """'A, B and C' (distinct names, in order), cut short with '...' beyond ``limit`` characters."""
    unique = list(dict.fromkeys(names))
    text = ", ".join(unique[:-1]) + f" and {unique[-1]}" if len(unique) > 1 else "".join(unique)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _fresh(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    k = 2
    while f"{name}-{k}" in taken:
        k += 1
    return f"{name}-{k}"



def _scalar(text: str) -> str:
    """A YAML scalar: plain when that reads back as the same string, else double-quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _reference(name: str) -> str:
    """A part or entry name as a design reference: fnmatch characters escaped, then a YAML scalar."""
    return _scalar(glob_escape(name))


def _relative(source: Path, target: Path) -> str:
    """The assembly's path as the design gives it: relative to the design's folder (absolute if impossible)."""
    folder = os.path.abspath(target.parent if str(target.parent) else ".")
    try:
        return Path(os.path.relpath(os.path.abspath(source), folder)).as_posix()
    except ValueError:       # another drive
        return Path(os.path.abspath(source)).as_posix()


def _design_name(source: Path) -> str:
    return re.sub(r"\s+", "-", source.stem.strip()) or "design"


def _shell(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_./-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _volume(mm3: float) -> str:
    return f"{mm3:.4g}" if mm3 < 1e4 else f"{mm3:.0f}"
