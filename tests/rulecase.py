"""Rule case files (``tests/rules/<CODE>.yaml``, as sqlfluff's rule fixtures): small mesh generators, the
case schema, and the matching of a rule's findings against the expected ones.

A case file::

    rule: D201
    cases:
      - name: lid too close to the heat sink
        meshes:                       # generated into a fresh folder next to the design
          a.stl: {box: [[0, 0, 0], [100, 100, 10]]}
        design: |                     # the design YAML, written as given (its line numbers are the text's)
          sledcheck: 1
          ...
        select: [D]                   # optional: sledcheck.check(select=..., ignore=..., fail_on=...)
        ignore: []
        fail_on: error
        today: 2026-06-01             # optional: the date waivers expire against
        crash: D201                   # optional: that rule's check raises (X001)
        exit: 1                       # optional: the run's exit code (0 pass, 1 fail, 2 error)
        xfail: why                    # optional: the rule is known to get this case wrong (strict xfail)
        expect:                       # exactly these findings of the file's rule (others' are ignored)
          - {subjects: [a, b], severity: error, message: "short by 0.100 mm", measured: 0.4 mm, line: 7}

Each ``expect`` entry matches one finding: same subjects (in any order) and severity; optionally a message
substring (``message``, or a list of them), ``measured``/``limit`` within ``tol`` (a quantity; default 1e-3
of the expected value's unit), the design ``line`` it is located at, and ``waived``.

Mesh generators (all lengths in mm; every generator takes an optional ``at: [x, y, z]`` translation):

- ``box: [lo, hi]``: a closed axis-aligned box.
- ``open_box: [lo, hi]``: the box without its top face (two triangles): four boundary edges (M001).
- ``inverted_box: [lo, hi]``: the box with every face's winding reversed: a closed shell of negative volume (M002).
- ``flipped_face_box: [lo, hi]``: the box with one face's winding reversed: inconsistent winding (M002).
- ``sliver_box: {box: [lo, hi], slivers: N}``: the box with N of its edges each split at the midpoint by a
  zero-area triangle; still closed and consistently wound (M003 alone).
- ``plate: {box: [lo, hi], holes: [[x, y, diameter], ...]}``: a plate with round through-holes along z (D401).
- ``plate_fin: {fins, thickness, height, base, width, length, field, along}``: a straight plate-fin heat
  sink, base underside at z = 0 centred on the origin, fins ``along`` y (default) or x, in the middle
  ``field`` mm of the base (default: the whole width).
- ``tray_heatsink: FIN_HEIGHT``: examples/tray-1u/make_meshes.py's heat sink (48 fins 0.4 mm, 120 x 140 mm).
- ``copy: PATH``: a file of the repository, copied (e.g. examples/tray-1u/cad/heatsink_fit.stl).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import trimesh
import yaml

from sledcheck import Q_
from sledcheck.checks.engine import Finding

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).resolve().parent / "rules"
CASE_KEYS = {"name", "meshes", "design", "select", "ignore", "fail_on", "today", "crash", "exit", "expect", "xfail"}
EXPECT_KEYS = {"subjects", "severity", "message", "measured", "limit", "tol", "line", "waived"}


@dataclass(frozen=True)
class Case:
    file: Path
    rule: str
    name: str
    design: str
    meshes: dict[str, dict[str, Any]]
    expect: tuple[dict[str, Any], ...]
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "error"
    today: dt.date | None = None
    crash: str | None = None
    exit: int | None = None
    xfail: str | None = None      # a known wrong result of the rule: the case is expected to fail (strict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.rule}: {self.name}"

    @property
    def failing(self) -> bool:
        return bool(self.expect)


def load_case_file(path: Path) -> list[Case]:
    """The cases of one case file; malformed files raise ValueError naming the file and the case."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != {"rule", "cases"}:
        raise ValueError(f"{path.name}: expected exactly the keys 'rule' and 'cases'")
    rule = data["rule"]
    if rule != path.stem:
        raise ValueError(f"{path.name}: rule {rule!r} is not the file's name")
    cases = []
    for i, raw in enumerate(data["cases"]):
        where = f"{path.name}: case {i} ({raw.get('name', '?')})"
        unknown = set(raw) - CASE_KEYS
        if unknown or not {"name", "design", "expect"} <= set(raw):
            raise ValueError(f"{where}: unknown keys {sorted(unknown)} or missing name/design/expect")
        for entry in raw["expect"]:
            if set(entry) - EXPECT_KEYS or not {"subjects", "severity"} <= set(entry):
                raise ValueError(f"{where}: expect entry {entry} needs subjects and severity, and only "
                                 f"{sorted(EXPECT_KEYS)}")
        today = raw.get("today")
        cases.append(Case(
            file=path, rule=rule, name=raw["name"], design=raw["design"], meshes=raw.get("meshes") or {},
            expect=tuple(raw["expect"]), select=tuple(raw.get("select", ())), ignore=tuple(raw.get("ignore", ())),
            fail_on=raw.get("fail_on", "error"),
            today=today if isinstance(today, dt.date) or today is None else dt.date.fromisoformat(str(today)),
            crash=raw.get("crash"), exit=raw.get("exit"), xfail=raw.get("xfail")))
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError(f"{path.name}: case names must be unique")
    return cases


# ----------------------------------------------------------------------------------------------------------
# Meshes


@functools.cache
def tray_meshes() -> Any:
    """examples/tray-1u/make_meshes.py as a module (its box, union and heatsink functions)."""
    path = ROOT / "examples" / "tray-1u" / "make_meshes.py"
    spec = importlib.util.spec_from_file_location("tray_make_meshes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _box(corners: Any) -> trimesh.Trimesh:
    lo, hi = (tuple(float(v) for v in c) for c in corners)
    return tray_meshes().box(lo, hi)


def _sliver_box(corners: Any, slivers: int) -> trimesh.Trimesh:
    """A closed box whose edges p-q (``slivers`` of them) are each split at the midpoint m: the face (p, q, r)
    becomes (p, m, r) + (m, q, r) and the zero-area triangle (p, q, m) closes the seam against the
    neighbour's q -> p, so the shell stays closed and consistently wound."""
    mesh = _box(corners)
    vertices, faces = [list(v) for v in mesh.vertices], [list(f) for f in mesh.faces]
    done: set[frozenset[int]] = set()
    for index in range(len(faces)):
        if len(done) == slivers:
            break
        p, q, r = faces[index]
        if frozenset((p, q)) in done:
            continue
        m = len(vertices)
        vertices.append(list((np.asarray(vertices[p]) + np.asarray(vertices[q])) / 2))
        faces[index] = [p, m, r]
        faces += [[m, q, r], [p, q, m]]
        done.add(frozenset((p, q)))
    if len(done) != slivers:
        raise ValueError(f"could not place {slivers} slivers")
    return trimesh.Trimesh(vertices=np.array(vertices), faces=np.array(faces), process=False)


def _plate(spec: dict[str, Any]) -> trimesh.Trimesh:
    lo, hi = spec["box"]
    plate = _box(spec["box"])
    height = float(hi[2] - lo[2])
    holes = [trimesh.creation.cylinder(radius=d / 2, height=height + 2, sections=48,
                                       transform=trimesh.transformations.translation_matrix(
                                           (x, y, (lo[2] + hi[2]) / 2)))
             for x, y, d in spec.get("holes", [])]
    return trimesh.boolean.difference([plate, *holes], engine="manifold") if holes else plate


def _plate_fin(spec: dict[str, Any]) -> trimesh.Trimesh:
    """Fins ``along`` y (or x) on a base ``width`` (x) x ``length`` (y), base underside at z = 0, centred."""
    n, t, h, base = int(spec["fins"]), float(spec["thickness"]), float(spec["height"]), float(spec["base"])
    width, length = float(spec["width"]), float(spec["length"])
    along = spec.get("along", "y")
    across, run = (width, length) if along == "y" else (length, width)
    fin_field = float(spec.get("field", across))
    pitch = (fin_field - t) / (n - 1)
    pieces = [_box([[-width / 2, -length / 2, 0], [width / 2, length / 2, base]])]
    for i in range(n):
        a0 = -fin_field / 2 + i * pitch
        if along == "y":
            pieces.append(_box([[a0, -run / 2, base], [a0 + t, run / 2, base + h]]))
        else:
            pieces.append(_box([[-run / 2, a0, base], [run / 2, a0 + t, base + h]]))
    return tray_meshes().union(pieces)


def make_mesh(spec: dict[str, Any]) -> trimesh.Trimesh:
    """One generated mesh from its case-file description (see the module docstring)."""
    kinds = set(spec) - {"at"}
    if len(kinds) != 1:
        raise ValueError(f"a mesh needs exactly one generator, got {sorted(kinds)}")
    (kind,) = kinds
    value = spec[kind]
    if kind == "box":
        mesh = _box(value)
    elif kind == "open_box":
        mesh = _box(value)
        keep = mesh.face_normals[:, 2] < 0.5          # drop the two triangles of the top face
        mesh = trimesh.Trimesh(vertices=mesh.vertices, faces=mesh.faces[keep], process=False)
    elif kind == "inverted_box":
        mesh = _box(value)
        mesh = trimesh.Trimesh(vertices=mesh.vertices, faces=mesh.faces[:, ::-1], process=False)
    elif kind == "flipped_face_box":
        mesh = _box(value)
        faces = mesh.faces.copy()
        faces[0] = faces[0][::-1]
        mesh = trimesh.Trimesh(vertices=mesh.vertices, faces=faces, process=False)
    elif kind == "sliver_box":
        mesh = _sliver_box(value["box"], int(value.get("slivers", 1)))
    elif kind == "plate":
        mesh = _plate(value)
    elif kind == "plate_fin":
        mesh = _plate_fin(value)
    elif kind == "tray_heatsink":
        mesh = tray_meshes().heatsink(float(value))
    else:
        raise ValueError(f"unknown mesh generator {kind!r}")
    if "at" in spec:
        mesh = trimesh.Trimesh(vertices=mesh.vertices + np.asarray(spec["at"], float), faces=mesh.faces,
                               process=False)
    return mesh


def write_meshes(meshes: dict[str, dict[str, Any]], folder: Path) -> None:
    for name, spec in meshes.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if set(spec) == {"copy"}:
            shutil.copyfile(ROOT / spec["copy"], target)
            continue
        mesh = make_mesh(spec)
        # process=False everywhere: trimesh would otherwise merge vertices and drop the zero-area triangles
        trimesh.Trimesh(vertices=mesh.vertices, faces=mesh.faces, process=False).export(target)


# ----------------------------------------------------------------------------------------------------------
# Matching


def _close(actual: Any, expected: Any, tol: Any) -> bool:
    if actual is None:
        return False
    want = Q_(expected) if isinstance(expected, str) else Q_(expected, actual.units)
    if not want.dimensionless and want.dimensionality != actual.dimensionality:
        return False
    tolerance = (Q_(tol) if isinstance(tol, str) else Q_(tol, want.units)) if tol is not None \
        else Q_(1e-3, want.units)
    return bool(abs(actual.to(want.units) - want) <= tolerance.to(want.units))


def mismatch(finding: Finding, entry: dict[str, Any]) -> str | None:
    """Why ``finding`` does not match the expected ``entry`` (None when it does)."""
    if sorted(finding.subjects) != sorted(entry["subjects"]):
        return f"subjects {sorted(finding.subjects)} != {sorted(entry['subjects'])}"
    if finding.severity != entry["severity"]:
        return f"severity {finding.severity} != {entry['severity']}"
    messages = entry.get("message", [])
    for text in [messages] if isinstance(messages, str) else messages:
        if text not in finding.message:
            return f"message lacks {text!r}"
    for key in ("measured", "limit"):
        if key in entry and not _close(getattr(finding, key), entry[key], entry.get("tol")):
            return f"{key} {getattr(finding, key)} != {entry[key]}"
    if "line" in entry and (finding.location is None or finding.location.line != entry["line"]):
        return f"line {finding.location} != {entry['line']}"
    if "waived" in entry and finding.waived != entry["waived"]:
        return f"waived {finding.waived} != {entry['waived']}"
    return None


def match_findings(findings: list[Finding], expect: tuple[dict[str, Any], ...]) -> list[str]:
    """Problems pairing the findings one-to-one with the expected entries (empty when they match)."""
    left = list(findings)
    problems = []
    for entry in expect:
        hit = next((f for f in left if mismatch(f, entry) is None), None)
        if hit is None:
            reasons = "; ".join(f"[{f.subjects}] {mismatch(f, entry)}" for f in left) or "no finding left"
            problems.append(f"expected {entry}: not found ({reasons})")
        else:
            left.remove(hit)
    problems += [f"unexpected finding {f.code} {f.severity} {list(f.subjects)}: {f.message} "
                 f"(measured {f.measured}, limit {f.limit}, at {f.location})" for f in left]
    return problems
