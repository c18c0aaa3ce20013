"""Small helpers to validate YAML sections completely, with the file, line and field in every error."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import pint

from ..errors import DesignError
from ..units import UnitError, parse_quantity, parse_unit
from .yamlfile import YamlDocument, YamlPath


def _field(path: YamlPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


class Section:
    """One mapping (or value) inside a YAML document, with its path, for validation."""

    def __init__(self, doc: YamlDocument, path: YamlPath = (), display: str | None = None) -> None:
        self.doc = doc
        self.path = path
        self.display = display or str(doc.path)
        self.value: Any = doc.data
        for key in path:
            self.value = self.value[key]

    # -- navigation ---------------------------------------------------------------------------------
    def child(self, key: str | int) -> Section:
        return Section(self.doc, (*self.path, key), self.display)

    def line(self, key: str | int | None = None) -> int:
        return self.doc.line(*self.path, key) if key is not None else self.doc.line(*self.path)

    def field_name(self, key: str | int | None = None) -> str:
        """The dotted field of this section (or of its ``key``) as errors name it: ``contacts[2][0]``."""
        return _field((*self.path, key) if key is not None else self.path)

    def error(self, message: str, key: str | int | None = None, hint: str | None = None) -> DesignError:
        path = (*self.path, key) if key is not None else self.path
        return DesignError(message, file=self.display, line=self.doc.line(*path), field=_field(path), hint=hint)

    # -- shape checks -------------------------------------------------------------------------------
    def mapping(self, allowed: Iterable[str], required: Iterable[str] = ()) -> dict[str, Any]:
        """The value as a dict; unknown keys (with a did-you-mean) and missing keys are errors."""
        if not isinstance(self.value, dict):
            raise self.error(f"expected a mapping (key: value lines), got {_kind(self.value)}")
        allowed = list(allowed)
        for key in self.value:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
                raise self.error(f"unknown key {key!r}", key, hint)
        for key in required:
            if key not in self.value:
                raise self.error(f"missing required key {key!r}", hint=f"add '{key}: ...'")
        return self.value

    def items(self) -> list[tuple[str, Section]]:
        if not isinstance(self.value, dict):
            raise self.error(f"expected a mapping, got {_kind(self.value)}")
        return [(key, self.child(key)) for key in self.value]

    def elements(self) -> list[Section]:
        if not isinstance(self.value, list):
            raise self.error(f"expected a list, got {_kind(self.value)}")
        return [self.child(i) for i in range(len(self.value))]

    # -- typed fields -------------------------------------------------------------------------------
    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and key in self.value and self.value[key] is not None

    def text(self, key: str, default: str | None = None, choices: Iterable[str] | None = None) -> str | None:
        if not self.has(key):
            return default
        value = self.value[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(f"expected text, got {_kind(value)}", key)
        value = str(value)
        if choices is not None:
            choices = list(choices)
            if value not in choices:
                close = difflib.get_close_matches(value, choices, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(choices)}"
                raise self.error(f"{value!r} is not allowed", key, hint)
        return value

    def integer(self, key: str, default: int | None = None, minimum: int | None = None) -> int | None:
        if not self.has(key):
            return default
        value = self.value[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"expected a whole number, got {_kind(value)}", key)
        if minimum is not None and value < minimum:
            raise self.error(f"must be at least {minimum}, got {value}", key)
        return value

    def boolean(self, key: str, default: bool) -> bool:
        if not self.has(key):
            return default
        value = self.value[key]
        if not isinstance(value, bool):
            raise self.error(f"expected true or false, got {_kind(value)}", key)
        return value

    def quantity(self, key: str | int, dimension: str, default_unit: str | None = None,
                 positive: bool = False) -> pint.Quantity:
        """A quantity of ``dimension`` (see :data:`sledcheck.units.DIMENSIONS`)."""
        value = self.value[key]
        try:
            q = parse_quantity(value, dimension, default_unit)
        except UnitError as err:
            raise self.error(str(err), key) from None
        if positive and q.magnitude <= 0:
            raise self.error(f"must be greater than zero, got {value!r}", key)
        return q

    def unit(self, key: str, dimension: str = "length") -> str | None:
        if not self.has(key):
            return None
        value = self.text(key) or ""
        try:
            unit = parse_unit(value)
        except UnitError as err:
            raise self.error(str(err), key, "e.g. mm, cm, m or in") from None
        if not (1 * unit).check("[length]" if dimension == "length" else dimension):
            raise self.error(f"{value!r} is not a unit of {dimension}", key, "e.g. mm, cm, m or in")
        return value

    def string_list(self, key: str) -> list[str]:
        if not self.has(key):
            return []
        value = self.value[key]
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error("expected a list of names", key)
        return list(value)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({value})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"{value!r}"
