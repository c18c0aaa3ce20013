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

A pack may carry a ``version:`` (text, e.g. ``"1.2"``); a design pins one with ``name@version``. Packs are found
by name in the design's ``spec_path:`` folders (relative to the design), then in the folders of
``SLEDCHECK_SPEC_PATH`` (colon-separated), then among the built-in packs; in a folder a pack ``N`` is ``N.yaml``
or any ``N/*.yaml`` (several versions side by side), and its ``name:`` must be ``N``.

``values`` are lengths, except the design-guide limits of :data:`GUIDE_VALUES` (mass, force, a g-level), which
have their own dimension.

Two lists state limits that are not one number (README, "Mass, loads and design guides")::

    keepins:                          # D304: the space a part may occupy (over its socket)
      - name: sink-over-socket
        parts: [heatsink]             # roles, names or patterns of the parts it holds
        relative_to: package          # optional: x-y from the reference part's box centre, z from its top
        rect: [-45 mm, -45 mm, 45 mm, 45 mm]     # or outline: [[x, y], ...]
        z: [0 mm, 25 mm]
        source: guide
        clause: "figure 6-3"
        status: verified
    airflow:                          # T101: a flow a slot or component needs from its lane
      - name: nic-slot
        for: [nic0]                   # components (names, patterns, roles) or lane names
        velocity: 200 LFM             # or flow: 12 CFM
        pressure: 25 Pa               # optional: the back pressure the flow is stated at
        source: guide
        status: secondary

``status`` is ``verified`` (read in the primary spec), ``secondary`` (quoted by others), ``user`` (the spec
leaves it open: a design supplies it) or ``template`` (not confirmed: a design must fill it in).
A design may override a value, with a reason, under ``overrides: {PACK: {KEY: {value, reason}}}``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
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
SPEC_PATH_ENV = "SLEDCHECK_SPEC_PATH"

#: The limits a thermal-mechanical design guide states, by value key, with their dimension (units.DIMENSIONS);
#: every other value is a length. Used by sledcheck/checks/mechanics.py.
GUIDE_VALUES = {
    "heatsink_mass_max": "mass",                       # L001: a heat sink's mass
    "heatsink_cog_height_max": "length",               # L002: its centre of gravity above the board
    "static_load_min": "force",                        # L101: the mounting preload window
    "static_load_max": "force",
    "shock_g": "dimensionless",                        # L102: the shock level [g] ...
    "dynamic_load_max": "force",                       # ... and the allowed dynamic load
    "board_attach_mass_max": "mass",                   # L201: heavier sinks attach to the chassis
    "component_height_under_heatsink_max": "length",   # D303: parts under a sink's footprint, above the board
    "tim_bond_line_max": "length",                     # L301: the thickest TIM bond line allowed
    "tim_pressure_min": "pressure",                    # L302: preload / TIM contact area, at least this
}
#: Keys of a ``keepins:`` entry and of an ``airflow:`` entry.
KEEPIN_KEYS = ("name", "parts", "relative_to", "rect", "outline", "z", "source", "clause", "status", "note")
AIRFLOW_KEYS = ("name", "for", "flow", "velocity", "pressure", "source", "clause", "status", "note")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def value_dimension(key: str) -> str:
    """The dimension of a pack value (dotted key as in :meth:`SpecPack.all_values`)."""
    return GUIDE_VALUES.get(key, "length")


class PackNotFound(KeyError):
    """No pack of that name (or that pinned version) on the search path; ``str()`` says what was looked at."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


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
class KeepIn:
    """A volume the selected ``parts`` must stay inside: the prism ``outline`` x ``z`` [mm]. With
    ``relative_to`` (roles or part names) x-y are in the reference part's own frame (turned with it about z),
    from its bounding-box centre in that frame, and z from its top; without, they are sled coordinates. ``rect``
    says the outline is a box along those axes (its sides are then named -x, +x, -y, +y). ``outline`` is None
    for a ``template``/``user`` entry without geometry (S101)."""

    name: str
    parts: tuple[str, ...]
    relative_to: tuple[str, ...]
    outline: tuple[tuple[float, float], ...] | None
    rect: bool
    z: tuple[float, float] | None
    source: str | None
    clause: str | None
    status: str
    note: str | None
    file: str
    line: int


@dataclass(frozen=True)
class AirflowBudget:
    """A flow that the components (or lanes) ``targets`` need from their lane: ``flow_m3_s`` [m^3/s] or the
    approach ``velocity_m_s`` [m/s] over the lane's cross-section, optionally at a back pressure ``pressure_pa``
    [Pa]; both None for a ``template``/``user`` entry (S101)."""

    name: str
    targets: tuple[str, ...]
    flow_m3_s: float | None
    velocity_m_s: float | None
    pressure_pa: float | None
    source: str | None
    clause: str | None
    status: str
    note: str | None
    file: str
    line: int

    @property
    def stated(self) -> str:
        """The requirement as the pack states it, for messages."""
        if self.velocity_m_s is not None:
            text = f"{self.velocity_m_s / LFM_M_S:.0f} LFM ({self.velocity_m_s:.3g} m/s)"
        elif self.flow_m3_s is not None:
            text = f"{self.flow_m3_s / CFM_M3_S:.2f} CFM"
        else:
            return "not set"
        return text + (f" at {self.pressure_pa:g} Pa" if self.pressure_pa is not None else "")


CFM_M3_S = 0.3048**3 / 60   # 1 ft^3/min [m^3/s] (international foot, 0.3048 m exactly)
LFM_M_S = 0.3048 / 60       # 1 ft/min [m/s]


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
    version: str | None = None
    keepins: tuple[KeepIn, ...] = ()
    airflow: tuple[AirflowBudget, ...] = ()
    versions: tuple[str, ...] = ()   # the versions side by side in the pack's folder (N/*.yaml), when several

    @property
    def label(self) -> str:
        """How reports name the pack: ``NAME``, or ``NAME@VERSION`` when its folder holds several versions (so
        the report says which one an unpinned name picked)."""
        return f"{self.name}@{self.version}" if len(self.versions) > 1 and self.version else self.name

    def entry_lines(self) -> list[str]:
        """The keep-ins and airflow budgets as ``sledcheck specs NAME`` lists them, each with its source and
        status (the scalar values are listed from :meth:`all_values`)."""
        lines = []
        for volume in self.keepins:
            if volume.outline is not None and volume.z is not None:
                xs, ys = [x for x, _ in volume.outline], [y for _, y in volume.outline]
                shape = (f"x {min(xs):g}..{max(xs):g}, y {min(ys):g}..{max(ys):g}"
                         + ("" if volume.rect else f" ({len(volume.outline)}-point outline)")
                         + f", z {volume.z[0]:g}..{volume.z[1]:g} mm")
            else:
                shape = "(not set)"
            where = f" from {', '.join(volume.relative_to)}" if volume.relative_to else " (sled coordinates)"
            lines.append(self._entry_line(f"keep-in {volume.name}", f"{', '.join(volume.parts)}: {shape}{where}",
                                          volume.status, volume.source, volume.clause, volume.note))
        for budget in self.airflow:
            lines.append(self._entry_line(f"airflow {budget.name}", f"{', '.join(budget.targets)}: {budget.stated}",
                                          budget.status, budget.source, budget.clause, budget.note))
        return lines

    def _entry_line(self, label: str, what: str, status: str, source: str | None, clause: str | None,
                    note: str | None) -> str:
        cited = self.sources.get(source or "", source or "")
        line = f"  {label:28} {what}  [{status}]  {cited}" + (f", {clause}" if clause else "")
        return line + (f"\n  {'':28} note: {note}" if note else "")

    def all_values(self) -> dict[str, SpecValue]:
        """Every value by its dotted key (``envelope.width``, ``rack_unit``)."""
        merged = {f"envelope.{k}": v for k, v in self.envelope.items()}
        merged.update(self.values)
        return merged


def builtin_packs() -> list[str]:
    """Names of the built-in spec packs."""
    return sorted(p.stem for p in SPEC_DIR.glob("*.yaml"))


def search_path(design_dirs: Sequence[Path] = ()) -> tuple[Path, ...]:
    """The folders packs are looked up in by name: the design's ``spec_path`` folders, then
    ``SLEDCHECK_SPEC_PATH``'s (colon-separated; empty entries skipped), then the built-in ``specs/``."""
    env = [Path(d) for d in os.environ.get(SPEC_PATH_ENV, "").split(os.pathsep) if d.strip()]
    return (*design_dirs, *env, SPEC_DIR)


def resolve_pack(reference: str, base: Path, search: Sequence[Path] = ()) -> Path:
    """A pack name (``NAME`` or ``NAME@VERSION``, looked up on :func:`search_path` with ``search`` first) or a
    path relative to ``base`` -> the YAML file. Raises :class:`PackNotFound` (a KeyError) for a name,
    FileNotFoundError for a path."""
    if "/" not in reference and "\\" not in reference and not reference.endswith((".yaml", ".yml")):
        return _find_named(reference, search_path(search))
    try:
        path = (base / reference).resolve()
        found = path.is_file()
    except (OSError, ValueError, RuntimeError):   # too long, a NUL byte, a link loop: not a file we can read
        found = False
    if not found:
        raise FileNotFoundError(reference)
    return path


def _find_named(reference: str, folders: Sequence[Path]) -> Path:
    name, _, pinned = reference.partition("@")
    if not _NAME.match(name) or (pinned and not _NAME.match(pinned)):
        raise PackNotFound(f"{reference!r} is not a pack name", "a name is letters, digits, '.', '-', '_'; "
                           "pin a version with NAME@VERSION")
    for folder in folders:
        candidates = _candidates(folder, name)
        if not candidates:
            continue
        versions = [(_version_of(c), c) for c in candidates]
        if not pinned:
            return max(versions, key=lambda v: _version_key(v[0]))[1]
        for version, path in versions:
            if version == pinned:
                return path
        known = ", ".join(sorted(v or "(none)" for v, _ in versions))
        raise PackNotFound(f"spec pack {name!r} has no version {pinned!r} in {folder}",
                           f"versions there: {known}")
    own = [str(f) for f in folders if f != SPEC_DIR]
    where = f"no spec pack {name!r} on the search path ({', '.join(own)}); " if own else ""
    raise PackNotFound(f"{where}no built-in spec pack {name!r}",
                       f"built-in packs: {', '.join(builtin_packs())}; add a folder with 'spec_path:' in the design "
                       f"or {SPEC_PATH_ENV}, or give a path")


def _candidates(folder: Path, name: str) -> list[Path]:
    try:
        found = [folder / f"{name}.yaml"] if (folder / f"{name}.yaml").is_file() else []
        sub = folder / name
        if sub.is_dir():
            found += sorted(p for p in sub.glob("*.yaml") if p.is_file())
    except OSError:
        return []
    return found


def _version_of(path: Path) -> str | None:
    """The ``version:`` of a pack file (without validating the rest: load_pack does that)."""
    data = read_yaml(path, str(path)).data
    version = data.get("version") if isinstance(data, dict) else None
    return None if version is None else str(version)


def _version_key(version: str | None) -> tuple[tuple[int, int | str], ...]:
    """Order versions numerically by their dotted parts (``1.10`` > ``1.9``); no version is the lowest."""
    if version is None:
        return ()
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.-]", version))


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
    root.mapping(("sledcheck-spec", "name", "version", "title", "description", "sources", "envelope", "values",
                  "keepouts", "height_limits", "keepins", "airflow"),
                 required=("sledcheck-spec", "name"))
    if root.value.get("sledcheck-spec") != 1:
        raise root.error("this sledcheck reads spec packs of version 1", "sledcheck-spec",
                         "write 'sledcheck-spec: 1'")
    name = root.text("name") or path.stem
    version = None
    if root.has("version"):
        raw = root.value["version"]
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)) or not _NAME.match(str(raw)):
            raise root.error(f"{raw!r} is not a version", "version", "write e.g. version: \"1.2\"")
        version = str(raw)
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
            values[key] = _value(sec, key, sources, value_dimension(key))
    zones = tuple(replace(z, pack=name) for z in read_zones(root, "keepouts", None, set())
                  + read_zones(root, "height_limits", None, set()))
    keepins = tuple(_keepin(sec, sources) for sec in root.child("keepins").elements()) \
        if root.has("keepins") else ()
    airflow = tuple(_airflow(sec, sources) for sec in root.child("airflow").elements()) \
        if root.has("airflow") else ()
    for kind, entries in (("keepins", keepins), ("airflow", airflow)):
        names = [e.name for e in entries]
        for i, entry_name in enumerate(names):
            if entry_name in names[:i]:
                raise root.child(kind).error(f"{entry_name!r} is named twice", i, "give each entry its own name")
    return SpecPack(name=name, title=root.text("title", name) or name, file=root.display, sources=sources,
                    envelope=envelope, values=values, zones=zones, description=root.text("description", "") or "",
                    path=path, builtin=builtin, version=version, keepins=keepins, airflow=airflow,
                    versions=_sibling_versions(path, name))


def _sibling_versions(path: Path, name: str) -> tuple[str, ...]:
    """The versions of pack ``name`` side by side in its folder ``name/`` (empty for a lone ``N.yaml``)."""
    if path.parent.name != name:
        return ()
    try:
        return tuple(sorted((v or "(none)" for v in map(_version_of, _candidates(path.parent.parent, name))),
                            key=_version_key))
    except DesignError:   # a sibling that does not parse: only the pack actually used is validated
        return ()


def _entry_text(sec: Section, sources: dict[str, str]) -> tuple[str, str, str | None]:
    """(name, status, source) of a keepins/airflow entry, validated like a value's."""
    name = sec.text("name") or ""
    if not name.strip():
        raise sec.error("an entry needs a name", "name")
    status = sec.text("status", choices=STATUSES) or "secondary"
    source = sec.text("source")
    if source is not None and sources and source not in sources:
        raise sec.error(f"unknown source {source!r}", "source", f"declare it under 'sources:' ({', '.join(sources)})")
    return name, status, source


def _keepin(sec: Section, sources: dict[str, str]) -> KeepIn:
    from .zones import _outline

    sec.mapping(KEEPIN_KEYS, required=("name", "parts", "status"))
    name, status, source = _entry_text(sec, sources)
    parts = tuple(sec.string_list("parts"))
    if not parts:
        raise sec.error("name the parts the volume holds", "parts", "e.g. parts: [heatsink]")
    has_shape = sec.has("rect") or sec.has("outline") or sec.has("z")
    if not has_shape and status not in ("user", "template"):
        raise sec.error("a keep-in needs rect (or outline) and z unless its status is 'user' or 'template'")
    outline = z = None
    if has_shape:
        outline = _outline(sec, None)
        if not sec.has("z"):
            raise sec.error("a keep-in needs its height range", "z", "e.g. z: [0 mm, 25 mm]")
        zs = sec.value["z"]
        if not isinstance(zs, list) or len(zs) != 2:
            raise sec.error("expected [bottom, top]", "z", "e.g. z: [0 mm, 25 mm]")
        low, high = (float(sec.child("z").quantity(i, "length").m_as("mm")) for i in range(2))
        if high <= low:
            raise sec.error("the top must be above the bottom", "z")
        z = (low, high)
    return KeepIn(name=name, parts=parts, relative_to=tuple(sec.string_list("relative_to")), outline=outline,
                  rect=sec.has("rect"), z=z, source=source, clause=sec.text("clause"), status=status,
                  note=sec.text("note"), file=sec.display, line=sec.line())


def _airflow(sec: Section, sources: dict[str, str]) -> AirflowBudget:
    sec.mapping(AIRFLOW_KEYS, required=("name", "for", "status"))
    name, status, source = _entry_text(sec, sources)
    targets = tuple(sec.string_list("for"))
    if not targets:
        raise sec.error("name the components or lanes that need the flow", "for", "e.g. for: [nic0]")
    if sec.has("flow") and sec.has("velocity"):
        raise sec.error("give the required flow or the approach velocity, not both", "velocity")
    flow = float(sec.quantity("flow", "volumetric_flow", positive=True).m_as("m**3/s")) if sec.has("flow") else None
    velocity = float(sec.quantity("velocity", "velocity", positive=True).m_as("m/s")) \
        if sec.has("velocity") else None
    pressure = float(sec.quantity("pressure", "pressure", positive=True).m_as("Pa")) \
        if sec.has("pressure") else None
    if flow is None and velocity is None:
        if status not in ("user", "template"):
            raise sec.error("an airflow budget needs 'flow' (e.g. 12 CFM) or 'velocity' (e.g. 200 LFM) unless its "
                            "status is 'user' or 'template'")
        if pressure is not None:
            raise sec.error("a pressure without a flow or velocity states nothing", "pressure")
    return AirflowBudget(name=name, targets=targets, flow_m3_s=flow, velocity_m_s=velocity, pressure_pa=pressure,
                         source=source, clause=sec.text("clause"), status=status, note=sec.text("note"),
                         file=sec.display, line=sec.line())


def _value(sec: Section, key: str, sources: dict[str, str], dimension: str = "length") -> SpecValue:
    sec.mapping(("value", "source", "clause", "status", "note"), required=("status",))
    status = sec.text("status", choices=STATUSES) or "secondary"
    quantity = sec.quantity("value", dimension, positive=True) if sec.has("value") else None
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
