"""Spec packs: dimensional limits with their unit, source, clause and status.

A pack is a YAML file (built-in ones live in the repository's ``specs/`` folder) with this shape::

    sledcheck-spec: 1
    name: eia-310-1u
    title: EIA-310 19-inch rack, 1U chassis
    sources:
      eia-310: "EIA-310-E, Cabinets, Racks, Panels and Associated Equipment (2005)"
    envelope:                         # the assembly's bounding box must fit inside (x width, y depth, z height)
      width:  {value: 450.85 mm, source: eia-310, clause: "...", status: secondary}
      depth:  {value: null, status: user, note: "EIA-310 leaves depth to the rack: set it in the design"}
    values:                           # reference values shown by `sledcheck specs`
      rack_unit: {value: 44.45 mm, source: eia-310, status: secondary}

``status`` is ``verified`` (read in the primary spec), ``secondary`` (quoted by others), ``user`` (the spec
leaves it open: a design supplies it) or ``template`` (not confirmed: a design must fill it in).
A design may override a value, with a reason, under ``overrides: {PACK: {KEY: {value, reason}}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pint

from ..errors import DesignError
from ..resources import SPECS
from .schema import Section
from .yamlfile import read_yaml
from .zones import Zone, read_zones

SPEC_DIR = SPECS
STATUSES = ("verified", "secondary", "user", "template")
ENVELOPE_AXES = {"width": 0, "depth": 1, "height": 2}


@dataclass(frozen=True)
class SpecValue:
    """One value of a spec pack: ``quantity`` is None when the spec leaves it to the design."""

    key: str
    quantity: pint.Quantity | None
    source: str | None
    clause: str | None
    status: str
    note: str | None
    file: str
    line: int
    override_reason: str | None = None
    pack_line: int = 0        # the value's line in the pack file (``file``/``line`` move to an override)


@dataclass(frozen=True)
class SpecPack:
    """A parsed spec pack."""

    name: str
    title: str
    file: str
    sources: dict[str, str]
    envelope: dict[str, SpecValue]
    values: dict[str, SpecValue]
    zones: tuple[Zone, ...] = ()
    description: str = ""
    path: Path | None = None   # the pack's file on disk (``file`` is how reports show it)
    builtin: bool = False      # one of sledcheck's own packs (``file`` is then ``specs/NAME.yaml``)

    def all_values(self) -> dict[str, SpecValue]:
        """Every value by its dotted key (``envelope.width``, ``rack_unit``)."""
        merged = {f"envelope.{k}": v for k, v in self.envelope.items()}
        merged.update(self.values)
        return merged


def builtin_packs() -> list[str]:
    """Names of the built-in spec packs."""
    return sorted(p.stem for p in SPEC_DIR.glob("*.yaml"))


def resolve_pack(reference: str, base: Path) -> Path:
    """A pack name (built-in) or a path relative to ``base`` -> the YAML file."""
    if "/" not in reference and "\\" not in reference and not reference.endswith((".yaml", ".yml")):
        if reference in builtin_packs():   # a name, never a path: nothing else is looked up
            return SPEC_DIR / f"{reference}.yaml"
        raise KeyError(reference)
    try:
        path = (base / reference).resolve()
        found = path.is_file()
    except (OSError, ValueError, RuntimeError):   # too long, a NUL byte, a link loop: not a file we can read
        found = False
    if not found:
        raise FileNotFoundError(reference)
    return path


def is_builtin(path: Path) -> bool:
    """Is ``path`` one of sledcheck's own spec packs?"""
    return path.resolve().parent == SPEC_DIR.resolve()


def load_pack(path: Path, display: str | None = None) -> SpecPack:
    """Read and validate one spec pack file; ``display`` is how messages name it (default: ``specs/NAME.yaml``
    for a built-in pack, else the path)."""
    builtin = is_builtin(path)
    if display is None:
        display = f"specs/{path.name}" if builtin else str(path)
    doc = read_yaml(path, display)
    root = Section(doc, (), display or str(path))
    root.mapping(("sledcheck-spec", "name", "title", "description", "sources", "envelope", "values", "keepouts",
                  "height_limits"),
                 required=("sledcheck-spec", "name"))
    if root.value.get("sledcheck-spec") != 1:
        raise root.error("this sledcheck reads spec packs of version 1", "sledcheck-spec",
                         "write 'sledcheck-spec: 1'")
    name = root.text("name") or path.stem
    sources: dict[str, str] = {}
    if root.has("sources"):
        for key, sec in root.child("sources").items():
            if not isinstance(sec.value, str):
                raise sec.error("expected the source's title as text")
            sources[key] = sec.value
    envelope: dict[str, SpecValue] = {}
    if root.has("envelope"):
        env = root.child("envelope")
        env.mapping(ENVELOPE_AXES)
        for key, sec in env.items():
            envelope[key] = _value(sec, key, sources)
    values: dict[str, SpecValue] = {}
    if root.has("values"):
        for key, sec in root.child("values").items():
            values[key] = _value(sec, key, sources)
    zones = tuple(replace(z, pack=name) for z in read_zones(root, "keepouts", None, set())
                  + read_zones(root, "height_limits", None, set()))
    return SpecPack(name=name, title=root.text("title", name) or name, file=root.display, sources=sources,
                    envelope=envelope, values=values, zones=zones, description=root.text("description", "") or "",
                    path=path, builtin=builtin)


def _value(sec: Section, key: str, sources: dict[str, str]) -> SpecValue:
    sec.mapping(("value", "source", "clause", "status", "note"), required=("status",))
    status = sec.text("status", choices=STATUSES) or "secondary"
    quantity = sec.quantity("value", "length", positive=True) if sec.has("value") else None
    if quantity is None and status not in ("user", "template"):
        raise sec.error("a value is required unless status is 'user' or 'template'", "value")
    source = sec.text("source")
    if source is not None and sources and source not in sources:
        raise sec.error(f"unknown source {source!r}", "source", f"declare it under 'sources:' ({', '.join(sources)})")
    return SpecValue(key=key, quantity=quantity, source=source, clause=sec.text("clause"), status=status,
                     note=sec.text("note"), file=sec.display, line=sec.line(), pack_line=sec.line())


def apply_override(pack: SpecPack, key: str, value: pint.Quantity, reason: str, file: str, line: int) -> SpecPack:
    """A copy of ``pack`` with ``key`` (dotted, as in :meth:`SpecPack.all_values`) replaced."""
    current = pack.all_values().get(key)
    if current is None:
        raise DesignError(f"spec pack {pack.name!r} has no value {key!r}", file=file, line=line,
                          hint=f"known: {', '.join(pack.all_values())}")
    new = SpecValue(key=current.key, quantity=value, source=current.source, clause=current.clause,
                    status=current.status, note=current.note, file=file, line=line, override_reason=reason,
                    pack_line=current.pack_line)
    if key.startswith("envelope."):
        envelope = dict(pack.envelope)
        envelope[current.key] = new
        return replace(pack, envelope=envelope)
    values = dict(pack.values)
    values[key] = new
    return replace(pack, values=values)
