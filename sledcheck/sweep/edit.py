"""One case of a sweep as a design: the design file as written, with each varied path set to the case's value,
validated like the file itself (an edit that makes it invalid is an error naming the path and the value)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..checks.registry import catalog
from ..errors import SledcheckError
from ..load.design import Design, load_design
from ..load.yamlfile import YamlDocument, read_yaml


def read_document(path: Path) -> YamlDocument:
    """The design file as written (read once per sweep)."""
    return read_yaml(path, str(path))


def edited(document: YamlDocument, edits: Sequence[tuple[str, Any]]) -> YamlDocument:
    """A copy of ``document`` with each (dotted path, value) set; the last key of a path may be new (a
    ``max_inlet`` the file leaves to the ASHRAE class), everything before it must exist."""
    data = copy.deepcopy(document.data)
    for path, value in edits:
        _set(data, path, value, document)
    return replace(document, data=data)


def design_of(path: Path, document: YamlDocument, edits: Sequence[tuple[str, Any]]) -> Design:
    """The design of one case, validated; an invalid value is an error naming the case's edits."""
    try:
        return load_design(path, catalog(), edited(document, edits))
    except SledcheckError as err:
        shown = ", ".join(f"{p}={v}" for p, v in edits)
        raise SledcheckError(f"the case {shown} is not a valid design: {err.message}", file=err.file,
                             line=err.line, field=err.field, hint=err.hint or "narrow the --vary range") from None


def _set(data: Any, path: str, value: Any, document: YamlDocument) -> None:
    keys = path.split(".")
    node = data
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[:depth]) or "the design"
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                raise SledcheckError(f"--vary {path}: {where} is a list of {len(node)}; {key!r} is not an index in it",
                                     file=str(document.path), line=document.line(*_typed(keys[:depth])),
                                     hint=f"use 0 to {len(node) - 1}")
            if last:
                node[int(key)] = value
                return
            node = node[int(key)]
        elif isinstance(node, dict):
            if key not in node and not last:
                keys_known = sorted(str(k) for k in node)
                more = f", ... ({len(keys_known)} in all)" if len(keys_known) > 12 else ""
                known = ", ".join(keys_known[:12]) + more
                raise SledcheckError(f"--vary {path}: {where} has no {key!r}", file=str(document.path),
                                     line=document.line(*_typed(keys[:depth])), hint=f"it has: {known}")
            if last:
                node[key] = value
                return
            node = node[key]
        else:
            raise SledcheckError(f"--vary {path}: {where} is a value ({node!r}), not a mapping or list",
                                 file=str(document.path), line=document.line(*_typed(keys[:depth])),
                                 hint="give the path of the value itself")


def _typed(keys: Sequence[str]) -> tuple[str | int, ...]:
    return tuple(int(k) if k.isdigit() else k for k in keys)
