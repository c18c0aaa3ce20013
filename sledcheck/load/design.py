"""Design files: read, validate completely (before any geometry work) and turn into a :class:`Design`.

Every error names the file, the line and the field, and says what is expected. The keys are those of the
contract (``../shared/reference/contract.md``) plus a few documented in the README.
Coordinates: x is the width across the sled, y the depth (airflow from front, y=0, to back), z the height.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pint

from ..errors import DesignError
from ..units import UnitError, parse_quantity
from .mechanics import Material, Mechanical, read_mass, read_material, read_mechanical
from .rules import RuleCatalog, read_rule_code, read_rule_options, read_severity
from .schema import Section
from .selection import Reference, selects_any
from .specs import PackNotFound, SpecPack, apply_override, is_builtin, load_pack, resolve_pack, value_dimension
from .step import DEFAULT_TESSELLATION, Tessellation
from .thermal import ThermalSpec, read_thermal
from .tolerances import Tolerances, read_tolerances
from .yamlfile import YamlDocument, read_yaml
from .zones import Zone, read_zones


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute (POSIX style); links
    are not followed, so a message names the file as the user gave it, not where a link points."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(os.getcwd()).as_posix()
    except ValueError:
        return absolute.as_posix()

ROLES = ("heatsink", "lid", "tray", "pcb", "package", "fan", "dimm", "component", "standoff", "connector",
         "bracket", "duct", "cable", "psu", "drive", "fastener", "pad", "other")
DESIGN_KEYS = ("sledcheck", "name", "description", "units", "specs", "overrides", "parts", "contacts",
               "clearance", "fits", "keepouts", "height_limits", "hole_patterns", "waivers", "severity", "rules",
               "thermal", "exclude", "tessellation", "tolerances", "spec_path")
PART_KEYS = ("file", "role", "units", "node", "each", "position", "rotation", "description", "library",
             "fin_height", "material", "mass", "mechanical")
IDF_SUFFIX = ".emn"   # an IDF 3.0 board: the entry expands into the board and its components (load/idf)
FIT_KINDS = {"clearance-hole": None, "press": "interference", "compressible": "compression"}


@dataclass(frozen=True)
class PartSpec:
    """A part as the design declares it; ``position`` [mm] and ``rotation`` [deg] place the file's geometry."""

    name: str
    file: Path
    file_as_given: str
    role: str
    units: str | None
    units_declared_by: str | None  # "part" or "design"
    node: str | None
    position: tuple[float, float, float]
    rotation: tuple[float, float, float]
    line: int
    entry: str = ""          # the design's entry this part comes from ('' : its own name)
    each: bool = False       # the entry expands into one part per matching body
    bodies: tuple[str, ...] = ()   # for an expanded part: the instance paths of its bodies
    fin_height_mm: float | None = None   # a plate-fin sink's fins cut or drawn out to this height [mm]
    line_fin_height: int = 0
    library: Path | None = None    # an IDF board's .emp library when the design names it ('library: PATH')
    library_as_given: str | None = None
    material: Material | None = None      # its density gives the mass from the closed volume (model/mass.py)
    mass_kg: float | None = None          # a declared mass [kg] (wins over the material)
    mechanical: Mechanical | None = None  # how a heat sink is held down (load/mechanics.py)

    @property
    def is_idf(self) -> bool:
        """Is the file an IDF board (which expands into the board and one part per component)?"""
        return self.file.suffix.lower() == IDF_SUFFIX

    @property
    def group(self) -> str:
        """The design entry's name: the part's own name, or the entry it was expanded from."""
        return self.entry or self.name


@dataclass(frozen=True)
class Fit:
    """Intended closeness or overlap between two selections: a fastener in a ``clearance-hole`` (may be closer
    than the clearance rule, must not overlap), a ``press`` fit or a ``compressible`` part whose overlap depth
    must lie in ``range_mm`` [mm]."""

    between: tuple[str, str]
    kind: str
    range_mm: tuple[float, float] | None
    line: int


@dataclass(frozen=True)
class Exclusion:
    """Bodies of assembly files that are not checked at all, and why (fnmatch over names and paths)."""

    node: str
    reason: str
    line: int


@dataclass(frozen=True)
class Clearance:
    """A minimum gap; ``between`` is empty for the default, else two part names or roles."""

    between: tuple[str, ...]
    minimum: pint.Quantity
    line: int

    @property
    def minimum_mm(self) -> float:
        """The minimum gap [mm] (stored in mm at load time)."""
        return float(self.minimum.magnitude)


@dataclass(frozen=True)
class Waiver:
    """An accepted deviation: a rule code (or name) and subjects, with a reason and an optional expiry."""

    code: str
    subjects: tuple[str, ...]
    reason: str
    expires: dt.date | None
    line: int


@dataclass(frozen=True)
class HolePattern:
    """A part's through-holes must match ``against``'s holes under it, or the ``pattern`` [mm] (x, y)."""

    part: str
    against: str | None
    pattern: tuple[tuple[float, float], ...]
    tolerance: float
    line: int
    index: int


@dataclass(frozen=True)
class Design:
    """A validated design file."""

    path: Path
    path_as_given: str
    name: str
    units: str | None
    specs: tuple[SpecPack, ...]
    parts: tuple[PartSpec, ...]
    contacts: tuple[tuple[str, str, int], ...]
    clearances: tuple[Clearance, ...]
    waivers: tuple[Waiver, ...]
    severity: dict[str, str]
    thermal: ThermalSpec | None
    document: YamlDocument
    zones: tuple[Zone, ...] = ()
    hole_patterns: tuple[HolePattern, ...] = ()
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)   # code -> option -> value
    fits: tuple[Fit, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    tessellation: Tessellation = DEFAULT_TESSELLATION
    references: tuple[Reference, ...] = ()   # checked against the expanded parts by the assembly
    tolerances: Tolerances | None = None

    def part(self, name: str) -> PartSpec:
        return next(p for p in self.parts if p.name == name)

    def part_line(self, name: str) -> int:
        """The line of the design entry the part ``name`` comes from (1 when there is none)."""
        spec = next((p for p in self.parts if p.name == name), None)
        return self.line("parts", spec.group) if spec else 1

    def input_files(self) -> tuple[tuple[Path, str], ...]:
        """Every file a check of this design reads, with what it is for messages: the design, its spec packs,
        the parts' meshes and the fan model (paths as the design gives them; compare them by inode)."""
        files = [(self.path, "the design file")]
        files += [(p.path, f"the spec pack {p.name!r}") for p in self.specs if p.path]
        files += [(p.file, f"the mesh of part {p.name!r}") for p in self.parts if not p.entry]
        from .idf import library_for  # (here: reading a design must not load the mesh libraries)

        libraries = [(p, p.library or library_for(p.file)) for p in self.parts if p.is_idf and not p.entry]
        files += [(lib, f"the IDF library of part {p.name!r}") for p, lib in libraries if lib is not None]
        if self.thermal is not None:
            files.append((self.thermal.fan_model, "the fan model"))
        return tuple(files)

    def line(self, *path: str | int) -> int:
        return self.document.line(*path)


def load_design(path: str | Path, rules: RuleCatalog, document: YamlDocument | None = None) -> Design:
    """Read and validate the design file at ``path`` and the spec packs it names; ``rules`` are the registered
    rules (``sledcheck.checks.registry.catalog()``), against which severities, options and waivers are read.
    ``document`` is the file as already read (a sweep's edited copy: its lines stay those of the file)."""
    as_given = str(path)
    file = Path(path)
    doc = document if document is not None else read_yaml(file, as_given)   # (read_yaml refuses folders, FIFOs,
    # devices, loops and long names, within its limits)
    root = Section(doc, (), as_given)
    if doc.data is None:
        raise DesignError("the design file is empty", file=as_given, line=1, hint="see the README for a minimal design")
    root.mapping(DESIGN_KEYS, required=("sledcheck", "name", "parts"))
    version = root.value.get("sledcheck")
    if version != 1:
        raise root.error(f"unsupported design-file version {version!r}", "sledcheck", "write 'sledcheck: 1'")
    name = root.text("name")
    units = root.unit("units")
    base = file.resolve().parent

    specs = tuple(_load_specs(root, base, _spec_path(root, base)))
    specs = _apply_overrides(root, specs)
    parts = _parts(root, base, units)
    names = {p.name for p in parts}
    roles = {p.role for p in parts}
    # Parts expanded from assemblies (each: true, and the bodies no entry selects) are named by the files: a
    # reference that names no declared part may name one of them, and is checked once the files are loaded.
    later: list[Reference] | None = [] if any(p.node or p.is_idf for p in parts) else None
    contacts = tuple(_contacts(root, names, roles, later))
    clearances = tuple(_clearances(root, names, roles, units, later))
    fits = tuple(_fits(root, names, roles, units, later))
    waivers = tuple(_waivers(root, names, roles, rules, later))
    tolerances = read_tolerances(root, names, roles | set(ROLES), units, later)
    severity = read_severity(root, rules)
    rule_options = read_rule_options(root, rules)
    known = names | set(ROLES)
    zones = (read_zones(root, "keepouts", units, known, names)
             + read_zones(root, "height_limits", units, known, names))
    for pack in specs:
        zones += pack.zones
    hole_patterns = _hole_patterns(root, names, units, later)
    thermal = read_thermal(root, names, {p.name: p.role for p in parts}, units, later)
    return Design(path=file, path_as_given=as_given, name=name or file.stem, units=units, specs=specs,
                  parts=parts, contacts=contacts, clearances=clearances, waivers=waivers, severity=severity,
                  thermal=thermal, document=doc, zones=zones, hole_patterns=hole_patterns,
                  rule_options=rule_options, fits=fits, exclusions=tuple(_exclusions(root)),
                  tessellation=_tessellation(root), references=tuple(later or ()), tolerances=tolerances)


def _spec_path(root: Section, base: Path) -> tuple[Path, ...]:
    """The design's ``spec_path:`` folders (relative to the design), searched for packs by name first."""
    folders = []
    for i, entry in enumerate(root.string_list("spec_path")):
        folder = base / entry
        if folder.is_file():
            raise root.child("spec_path").error(f"spec_path {entry!r} is a file, not a folder", i,
                                                "spec_path takes folders that hold packs; name a pack file "
                                                "itself under specs:")
        if not folder.is_dir():
            raise root.child("spec_path").error(f"spec_path folder {entry!r} not found", i,
                                                "folders are relative to the design file")
        folders.append(folder)
    return tuple(folders)


def _load_specs(root: Section, base: Path, search: tuple[Path, ...] = ()) -> list[SpecPack]:
    packs = []
    for sec in root.child("specs").elements() if root.has("specs") else []:
        if not isinstance(sec.value, str):
            raise sec.error("expected a spec pack name or a path to a spec YAML file")
        try:
            path = resolve_pack(sec.value, base, search)
        except PackNotFound as err:
            raise sec.error(err.message, hint=err.hint) from None
        except FileNotFoundError:
            raise sec.error(f"spec file {sec.value!r} not found", hint="paths are relative to the design file") \
                from None
        pack = load_pack(path, None if is_builtin(path) else display_path(path))
        named = sec.value.partition("@")[0]
        if "/" not in sec.value and not sec.value.endswith((".yaml", ".yml")) and pack.name != named:
            raise sec.error(f"{pack.file} names its pack {pack.name!r}, not {named!r}",
                            hint="a pack found by name N (N.yaml or N/*.yaml) must say name: N")
        packs.append(pack)
    return packs


def _apply_overrides(root: Section, specs: tuple[SpecPack, ...]) -> tuple[SpecPack, ...]:
    if not root.has("overrides"):
        return specs
    by_name = {p.name: p for p in specs}
    for pack_name, pack_sec in root.child("overrides").items():
        if pack_name not in by_name:
            raise pack_sec.error(f"{pack_name!r} is not one of the design's specs",
                                 hint=f"specs: {', '.join(by_name) or 'none'}")
        for key, sec in pack_sec.items():
            sec.mapping(("value", "reason"), required=("value", "reason"))
            dimension = value_dimension(key)
            value = sec.quantity("value", dimension, root.value.get("units") if dimension == "length" else None,
                                 positive=True)
            reason = sec.text("reason") or ""
            if not reason.strip():
                raise sec.error("an override needs a reason", "reason")
            try:
                by_name[pack_name] = apply_override(by_name[pack_name], key, value, reason, sec.display,
                                                    sec.line())
            except DesignError as err:
                err.field = f"overrides.{pack_name}.{key}"
                raise
    return tuple(by_name[p.name] for p in specs)


def _parts(root: Section, base: Path, units: str | None) -> tuple[PartSpec, ...]:
    parts_sec = root.child("parts")
    if not isinstance(parts_sec.value, dict) or not parts_sec.value:
        raise parts_sec.error("expected a mapping of part names to parts", hint="see the README")
    parts = []
    for name, sec in parts_sec.items():
        sec.mapping(PART_KEYS, required=("file", "role"))
        file_text = sec.text("file") or ""
        role = sec.text("role", choices=ROLES) or "component"
        part_units = sec.unit("units")
        node = sec.text("node")
        each = sec.boolean("each", False)
        if each and not node:
            raise sec.error("'each: true' expands the bodies a 'node' pattern selects, but there is no 'node'",
                            "each", "add e.g. node: \"*/DIMM_*\", or drop 'each'")
        position = _vector(sec, "position", units, "length") if sec.has("position") else (0.0, 0.0, 0.0)
        rotation = _vector(sec, "rotation", "deg", "angle") if sec.has("rotation") else (0.0, 0.0, 0.0)
        fin_height = None
        if sec.has("fin_height"):
            if role != "heatsink":
                raise sec.error("fin_height re-cuts a heat sink's fins; this part's role is not heatsink",
                                "fin_height", "drop it, or give the part role: heatsink")
            fin_height = float(sec.quantity("fin_height", "length", units).m_as("mm"))
            if not 1 <= fin_height < 1000:   # (below 1 mm no plate-fin sink is recognisable)
                raise sec.error(f"a fin height of {fin_height:g} mm is not usable", "fin_height",
                                "give 1 mm to 1000 mm, e.g. 24 mm")
        library = sec.text("library")
        if library is not None and Path(file_text).suffix.lower() != IDF_SUFFIX:
            raise sec.error("'library' names the .emp library of an IDF board, but the file is not a .emn board",
                            "library", "drop 'library', or give the board's .emn file")
        material, mass, mechanical = read_material(sec), read_mass(sec), read_mechanical(sec, role)
        parts.append(PartSpec(
            name=name, file=(base / file_text), file_as_given=file_text, role=role,
            units=part_units or units, units_declared_by="part" if part_units else ("design" if units else None),
            node=node, position=position, rotation=rotation, line=sec.line(), each=each,
            fin_height_mm=fin_height, line_fin_height=sec.line("fin_height") if fin_height else 0,
            library=base / library if library is not None else None, library_as_given=library,
            material=material, mass_kg=mass, mechanical=mechanical,
        ))
    return tuple(parts)


def _vector(sec: Section, key: str, default_unit: str | None, kind: str) -> tuple[float, float, float]:
    value = sec.value[key]
    if not isinstance(value, list) or len(value) != 3:
        raise sec.error("expected a list of three values [x, y, z]", key)
    vec = sec.child(key)
    out = []
    for i in range(3):
        if kind == "length":
            if default_unit is None and isinstance(value[i], (int, float)) and not isinstance(value[i], bool):
                raise vec.error(f"a bare number {value[i]!r} has no unit", i,
                                "write it with one ('130 mm') or give the design 'units: mm'")
            out.append(vec.quantity(i, "length", default_unit).m_as("mm"))
        else:
            out.append(float(vec.quantity(i, "angle", "deg").m_as("deg")))
            if abs(out[-1]) > 3600:
                raise vec.error(f"{value[i]!r} is not a usable angle (more than ten turns)", i, "e.g. 90 or '90 deg'")
    return (out[0], out[1], out[2])


def _pair(sec: Section, names: set[str], roles: set[str], what: str,
          later: list[Reference] | None) -> tuple[str, str]:
    value = sec.value
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str) for v in value):
        raise sec.error(f"expected a pair [a, b] of part names or roles for {what}")
    for i, item in enumerate(value):
        _known(sec, i, item, names, roles, later)
    return (value[0], value[1])


def _known(sec: Section, key: str | int, item: str, names: set[str], roles: set[str],
           later: list[Reference] | None = None) -> None:
    if selects_any(item, {n: "" for n in names}, (*roles, *ROLES)):
        return
    if later is not None:
        later.append(Reference(item, sec.line(key), sec.field_name(key)))
        return
    close = difflib.get_close_matches(item, sorted(names | set(ROLES)), n=1)
    raise sec.error(f"{item!r} is neither a part nor a role", key,
                    f"did you mean {close[0]!r}?" if close else "use a part name from 'parts:' or a role")


def _contacts(root: Section, names: set[str], roles: set[str],
              later: list[Reference] | None) -> list[tuple[str, str, int]]:
    if not root.has("contacts"):
        return []
    return [(*_pair(sec, names, roles, "a contact", later), sec.line())
            for sec in root.child("contacts").elements()]


def _fits(root: Section, names: set[str], roles: set[str], units: str | None,
          later: list[Reference] | None) -> list[Fit]:
    if not root.has("fits"):
        return []
    fits = []
    for sec in root.child("fits").elements():
        sec.mapping(("between", "kind", "interference", "compression", "reason"), required=("between", "kind"))
        between = _pair(sec.child("between"), names, roles, "a fit", later)
        kind = sec.text("kind", choices=tuple(FIT_KINDS)) or ""
        range_key = FIT_KINDS[kind]
        for other in ("interference", "compression"):
            if other != range_key and sec.has(other):
                raise sec.error(f"a {kind} fit takes no '{other}'", other,
                                f"give '{range_key}'" if range_key else "drop it")
        span = None
        if range_key:
            if not sec.has(range_key):
                raise sec.error(f"a {kind} fit needs its '{range_key}' range", range_key,
                                f"e.g. {range_key}: [0 mm, 0.1 mm]")
            value = sec.value[range_key]
            if isinstance(value, str) and value.count("..") == 1:   # the contract's '0 mm .. 0.1 mm'
                texts = [t.strip() for t in value.split("..")]
                try:
                    low, high = (float(parse_quantity(t, "length", units).m_as("mm")) for t in texts)
                except UnitError as err:
                    raise sec.error(str(err), range_key, "e.g. 0 mm .. 0.1 mm") from None
            elif isinstance(value, list) and len(value) == 2:
                low, high = (float(sec.child(range_key).quantity(i, "length", units).m_as("mm")) for i in range(2))
            else:
                raise sec.error("expected a range 'low .. high' or [low, high]", range_key,
                                "e.g. 0 mm .. 0.1 mm")
            if not 0 <= low <= high:
                raise sec.error(f"the range {low:g} mm .. {high:g} mm is not 0 <= low <= high", range_key)
            span = (low, high)
        fits.append(Fit(between=between, kind=kind, range_mm=span, line=sec.line()))
    return fits


def _exclusions(root: Section) -> list[Exclusion]:
    if not root.has("exclude"):
        return []
    out = []
    for sec in root.child("exclude").elements():
        sec.mapping(("node", "reason"), required=("node", "reason"))
        reason = sec.text("reason") or ""
        if not reason.strip():
            raise sec.error("an exclusion needs a reason: nothing in a file goes unchecked silently", "reason")
        out.append(Exclusion(node=sec.text("node") or "", reason=reason, line=sec.line()))
    return out


def _tessellation(root: Section) -> Tessellation:
    if not root.has("tessellation"):
        return DEFAULT_TESSELLATION
    sec = root.child("tessellation")
    sec.mapping(("linear", "angular"))
    linear = DEFAULT_TESSELLATION.linear_mm
    if sec.has("linear"):
        linear = float(sec.quantity("linear", "length", positive=True).m_as("mm"))
        if not 1e-4 <= linear <= 10:
            raise sec.error(f"a chord error of {linear:g} mm is outside 0.0001 mm .. 10 mm", "linear",
                            "0.01 mm keeps a 3.2 mm hole within 0.01 mm; 0.1 mm is coarse")
    angular = DEFAULT_TESSELLATION.angular_rad
    if sec.has("angular"):
        angular = float(sec.quantity("angular", "angle", "rad", positive=True).m_as("rad"))
        if not 0.01 <= angular <= 1.0:
            raise sec.error(f"an angular deflection of {angular:g} rad is outside 0.01 .. 1 rad", "angular",
                            "0.5 rad is the default")
    return Tessellation(linear_mm=linear, angular_rad=angular)


def _clearances(root: Section, names: set[str], roles: set[str], units: str | None,
                later: list[Reference] | None) -> list[Clearance]:
    if not root.has("clearance"):
        return []
    rules = []
    for sec in root.child("clearance").elements():
        sec.mapping(("between", "min"), required=("min",))
        between: tuple[str, ...] = ()
        if sec.has("between"):
            between = _pair(sec.child("between"), names, roles, "a clearance", later)
        minimum = sec.quantity("min", "length", units)
        if minimum.magnitude < 0:
            raise sec.error("a minimum gap cannot be negative", "min")
        rules.append(Clearance(between=between, minimum=minimum.to("mm"), line=sec.line()))
    return rules


def _waivers(root: Section, names: set[str], roles: set[str], rules: RuleCatalog,
             later: list[Reference] | None) -> list[Waiver]:
    if not root.has("waivers"):
        return []
    waivers = []
    for sec in root.child("waivers").elements():
        sec.mapping(("code", "subjects", "reason", "expires"), required=("code", "reason"))
        code = read_rule_code(sec, "code", rules)
        reason = sec.text("reason") or ""
        if not reason.strip():
            raise sec.error("a waiver needs a reason", "reason")
        expires = None
        if sec.has("expires"):
            try:
                expires = dt.date.fromisoformat(str(sec.value["expires"]))
            except ValueError:
                raise sec.error(f"{sec.value['expires']!r} is not a date", "expires", "write YYYY-MM-DD") from None
        subjects = sec.string_list("subjects")
        for i, subject in enumerate(subjects):
            _known(sec.child("subjects"), i, subject, names, roles, later)
        waivers.append(Waiver(code=code, subjects=tuple(subjects), reason=reason,
                              expires=expires, line=sec.line()))
    return waivers


def _hole_patterns(root: Section, names: set[str], units: str | None,
                   later: list[Reference] | None) -> tuple[HolePattern, ...]:
    if not root.has("hole_patterns"):
        return ()
    patterns = []
    for index, sec in enumerate(root.child("hole_patterns").elements()):
        sec.mapping(("part", "against", "pattern", "tolerance"), required=("part", "tolerance"))
        part = sec.text("part") or ""
        against = sec.text("against")
        for key, name in (("part", part), ("against", against)):
            if name is None or name in names:
                continue
            if later is None:
                raise sec.error(f"{name!r} is not a part", key)
            later.append(Reference(name, sec.line(key), sec.field_name(key), part=True))   # expanded later
        if (against is None) == (not sec.has("pattern")):
            raise sec.error("give exactly one of 'against: PART' or 'pattern: [[x, y], ...]'")
        pattern = []
        for point in sec.child("pattern").elements() if sec.has("pattern") else []:
            if not isinstance(point.value, list) or len(point.value) != 2:
                raise point.error("expected a hole centre [x, y]")
            x, y = (float(point.quantity(i, "length", units).m_as("mm")) for i in range(2))
            pattern.append((x, y))
        tolerance = sec.quantity("tolerance", "length", units, positive=True).m_as("mm")
        patterns.append(HolePattern(part=part, against=against, pattern=tuple(pattern), tolerance=tolerance,
                                    line=sec.line(), index=index))
    return tuple(patterns)
