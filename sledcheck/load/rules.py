"""What a design says about the rules: severities, rule options and the rule codes its waivers name.

The loader knows no rule itself (``load`` never imports ``checks``): the check layer hands it a
:class:`RuleCatalog` of the registered codes, names and option schemas, and the loader validates the design's
``severity:``, ``rules:`` and ``waivers[].code`` against it, with the file, line and field in every error::

    severity: {M003: off, clearance: warning}     # rule codes or names: error | warning | info | off
    rules:                                        # options a rule declares (`sledcheck rules CODE` lists them)
      M101: {sizes: {heatsink: [5 mm, 800 mm]}}
      D301: {min_depth: 0.01 mm}
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:   # types only: listing the rules' options needs no unit registry
    from .schema import Section

SEVERITIES = ("error", "warning", "info", "off")


@dataclass(frozen=True)
class Option:
    """One option a rule reads from the design's ``rules: {CODE: {name: value}}``.

    ``read(section, key)`` parses and validates the value (raising the section's error); ``default`` is the
    value when the design does not set it; ``help`` says what it does, with its unit, for ``sledcheck rules``.
    """

    name: str
    default: Any
    help: str
    read: Callable[[Section, str], Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class RuleCatalog:
    """The registered rules as the loader needs them: code and name -> code, options by code, and the codes
    whose severity is fixed (X001: a crashed rule always makes the verdict incomplete)."""

    codes: Mapping[str, str]
    options: Mapping[str, tuple[Option, ...]]
    fixed: frozenset[str] = frozenset()

    def code(self, code_or_name: str) -> str | None:
        """The rule code for a code or a name, None when no rule has it."""
        return self.codes.get(code_or_name)

    def defaults(self) -> dict[str, dict[str, Any]]:
        """Every rule's options at their defaults."""
        return {code: {o.name: o.default for o in options} for code, options in self.options.items()}


def _unknown(sec: Section, key: str, catalog: RuleCatalog) -> Exception:
    close = difflib.get_close_matches(key, sorted(catalog.codes), n=1)
    return sec.error(f"{key!r} is not a rule code or name", key,
                     f"did you mean {close[0]!r}?" if close else "`sledcheck rules` lists them")


def read_severity(root: Section, catalog: RuleCatalog) -> dict[str, str]:
    """The design's ``severity:`` as rule code -> severity."""
    if not root.has("severity"):
        return {}
    out: dict[str, str] = {}
    sec = root.child("severity")
    for key, item in sec.items():
        value = "off" if item.value is False else item.value   # YAML 1.1 reads a bare `off` as false
        if value not in SEVERITIES:
            raise item.error(f"{item.value!r} is not a severity", hint=f"one of: {', '.join(SEVERITIES)}")
        code = catalog.code(key)
        if code is None:
            raise _unknown(sec, key, catalog)
        if code in catalog.fixed:
            raise item.error(f"the severity of {code} cannot be changed: it marks a check that could not run",
                             hint="remove this line")
        out[code] = value
    return out


def read_rule_options(root: Section, catalog: RuleCatalog) -> dict[str, dict[str, Any]]:
    """Every rule's options: the design's ``rules:`` values over the defaults."""
    options = catalog.defaults()
    if not root.has("rules"):
        return options
    sec = root.child("rules")
    for key, item in sec.items():
        code = catalog.code(key)
        if code is None:
            raise _unknown(sec, key, catalog)
        declared = {o.name: o for o in catalog.options.get(code, ())}
        if not declared:
            raise item.error(f"rule {code} has no options", hint="`sledcheck rules CODE` lists a rule's options")
        item.mapping(declared)
        for name, option in declared.items():
            if item.has(name):
                options[code][name] = option.read(item, name)
    return options


def read_rule_code(sec: Section, key: str, catalog: RuleCatalog) -> str:
    """The rule code for a code or name at ``sec[key]`` (a waiver's ``code``); an unknown one is an error."""
    written = sec.text(key) or ""
    code = catalog.code(written)
    if code is None:
        raise sec.error(f"{written!r} is not a rule code or name", key, "e.g. D201; `sledcheck rules` lists them")
    return code
