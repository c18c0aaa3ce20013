"""`sledcheck init`: the role dictionary, and the design written for a generated multi-level STEP sled.

The sled is written here through OpenCASCADE's document layer (XCAF): a pan, a lid named like a sheet of metal
(its role must come from its shape), a board, two fans that are sub-assemblies of a housing and a hub, four DIMMs
of one product, and an accelerator sub-assembly of a package, a plate-fin heat sink and two screws in clearance
holes of the sink and the board. A variant has a package 0.5 mm too thick, overlapping the heat sink.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Run
from sledcheck.cli import main
from sledcheck.load.body import Body
from sledcheck.load.roles import confidence_word, guess_role, tokens

# --- the role dictionary -----------------------------------------------------------------------------------------

#: (instance name, product name, instance path) -> the role(s) it may get
ROLE_TABLE: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("HS_BASE", "", "", ("heatsink",)),
    ("heatsink2", "", "", ("heatsink",)),
    ("CPU0_HEATSINK", "", "", ("heatsink",)),
    ("HEATSINK_CPU0", "", "", ("heatsink",)),
    ("HeatSink", "", "", ("heatsink",)),
    ("Mini-heatsink_c1", "", "", ("heatsink",)),
    ("FAN_HOUSING", "", "", ("fan",)),
    ("BLOWER_2", "", "", ("fan",)),
    ("CASE_FAN", "", "", ("fan",)),
    ("DIMM_SLOT_3", "", "", ("connector",)),
    ("DIMM_SLOT_3", "DDR5_RDIMM", "SLED/DIMM_SLOT_3", ("dimm",)),   # the product says what it is
    ("DDR5_RDIMM", "", "", ("dimm",)),
    ("SODIMM_A", "", "", ("dimm",)),
    ("CPU_SOCKET", "", "", ("connector",)),
    ("PCIE_CONN_X16", "", "", ("connector",)),
    ("M3x8_SCREW", "", "", ("fastener",)),
    ("M2.5x6", "", "", ("fastener",)),
    ("HEX_NUT_M3", "", "", ("fastener",)),
    ("PCB_MAIN", "", "", ("pcb",)),
    ("MAINBOARD", "", "", ("pcb",)),
    ("MotherBoard_v2", "", "", ("pcb",)),
    ("TOP_COVER", "", "", ("lid",)),
    ("TOPCOVER", "", "", ("lid",)),
    ("CHASSIS_PAN", "", "", ("tray",)),
    ("ENCLOSURE_BOTTOM", "", "", ("tray",)),
    ("STANDOFF_M3_L5", "", "", ("standoff",)),
    ("PSU_1", "", "", ("psu",)),
    ("Power Supply 800W", "", "", ("psu",)),
    ("PCIE_RISER", "", "", ("bracket", "connector")),
    ("FAN_BRACKET", "", "", ("bracket",)),
    ("SATA_CABLE", "", "", ("cable",)),
    ("AIR_DUCT", "", "", ("duct",)),
    ("CPU_SHROUD", "", "", ("duct",)),
    ("M.2_SSD", "", "", ("drive",)),
    ("HDD_3_5", "", "", ("drive",)),
    ("ASIC_PKG", "", "", ("package",)),
    ("GPU0", "", "", ("package",)),
    ("THERMAL_PAD_1", "", "", ("pad",)),
    ("TIM", "", "", ("pad",)),
    ("GASKET_FRONT", "", "", ("pad",)),
    # sub-assembly context: a hub under FAN_3 is a fan, a screw under ACCEL_0 is still a fastener
    ("HUB", "HUB_D14", "SLED/FAN_3/HUB", ("fan",)),
    ("SCREW", "M3x8_SCREW", "SLED/ACCEL_0/SCREW#1", ("fastener",)),
    ("BASE", "", "SLED/CPU0_HEATSINK/BASE", ("heatsink",)),
    # names from the real files in ../shared/realdata
    ("PENN_S-M3-0ZI", "PENN_S-M3-0ZI", "TIME_CARD_BRACKET_V4_ASM/PENN_S-M3-0ZI#1", ("standoff",)),
    ("9_FW_TOP_COVER_MAIN", "9_FW_TOP_COVER_MAIN_1",
     "FW_PCB_BOX_FULL_UPDATE_ASM/7_ME_ASM_ASM_1/8_FW_TOP_ASM/9_FW_TOP_COVER_MAIN", ("lid",)),
    ("9_FW_BOT_COVER_L", "9_FW_BOT_COVER_L_1",
     "FW_PCB_BOX_FULL_UPDATE_ASM/7_ME_ASM_ASM_1/8_FW_BOTTOM_ASM/9_FW_BOT_COVER_L", ("tray",)),
    ("CONNECT_PIN_1", "CONNECT_PIN_1", "FW_PCB_BOX_FULL_UPDATE_ASM/7_ME_ASM_ASM_1/CONNECT_PIN_1#3",
     ("connector", "fastener")),
    ("GFW30_HINGE_R_BASE_BRK", "GFW30_HINGE_R_BASE_BRK", "GFW30_HINGE_R_ASSY_2D_ASM/GFW30_HINGE_R_BASE_BRK",
     ("bracket",)),
    ("GFW30_BASE_HINGE_RIVET_R", "GFW30_BASE_HINGE_RIVET_R", "GFW30_HINGE_R_ASSY_2D_ASM/GFW30_BASE_HINGE_RIVET_R#1",
     ("fastener",)),
    ("TIME_CARD_BRACKET_V4", "TIME_CARD_BRACKET_V4", "TIME_CARD_BRACKET_V4_ASM/TIME_CARD_BRACKET_V4/SOLID",
     ("bracket",)),
    # nothing to go on
    ("gusset", "gusset", "box_sides/gusset#2", ("component",)),
    ("difference", "", "", ("component",)),
]


@pytest.mark.parametrize(("name", "product", "path", "roles"), ROLE_TABLE, ids=[r[0] + ":" + r[2] for r in ROLE_TABLE])
def test_role_dictionary(name: str, product: str, path: str, roles: tuple[str, ...]) -> None:
    role, confidence, reason = guess_role(name, product, path)
    assert role in roles, reason
    assert 0.0 <= confidence <= 1.0
    assert reason
    if role == "component":
        assert confidence_word(confidence) == "guess"


def test_tokens_split_separators_case_and_digits() -> None:
    assert tokens("CPU0_HEATSINK") == ["cpu", "0", "heatsink"]
    assert tokens("HeatSink2") == ["heat", "sink", "2"]
    assert tokens("M3x8_SCREW") == ["m", "3", "x", "8", "screw"]
    assert tokens("DIMM_SLOT_3") == ["dimm", "slot", "3"]
    assert tokens("FANHOUSING") == ["fan", "housing"]     # run-together words that split completely
    assert tokens("defenestration") == ["defenestration"]  # and not the ones that do not


def test_confidence_words() -> None:
    assert [confidence_word(c) for c in (0.95, 0.7, 0.3)] == ["sure", "likely", "guess"]
    assert guess_role("CPU0_HEATSINK").confidence > guess_role("HUB", "", "SLED/FAN_3/HUB").confidence


# --- helpers -----------------------------------------------------------------------------------------------------


def test_node_patterns_escape_and_match_names_products_and_paths() -> None:
    import trimesh

    from sledcheck.init import _scalar, body_matches, glob_escape

    body = Body(node="FAN[1]", geometry="FAN_40", mesh=trimesh.creation.box(), path="SLED/FAN[1]/HOUSING*")
    assert body_matches(glob_escape("FAN[1]"), body)
    assert not body_matches("FAN[1]", body)                       # a character class, not the name
    assert body_matches(glob_escape("SLED/FAN[1]/HOUSING*"), body)
    assert body_matches("FAN_40", body) and body_matches("*/FAN?1]/*", body)
    for text in ("plain_name", "9_FW", "yes", "a: b", "x#1", "[0:1]", "null", "*/FAN_1/*", "ü"):
        assert yaml.safe_load(f"key: {_scalar(text)}")["key"] == text


def _draft(bodies: list[tuple[str, str, str, tuple[float, ...]]], tmp_path: Path) -> Any:
    """A Draft of a file of boxes: (instance name, product, instance path, (x0, y0, z0, x1, y1, z1)) [mm]."""
    import numpy as np
    import trimesh

    from sledcheck.init import Draft
    from sledcheck.load.meshes import MeshFile, Units

    def box(lo_hi: tuple[float, ...]) -> trimesh.Trimesh:
        lo, hi = np.array(lo_hi[:3]), np.array(lo_hi[3:])
        return trimesh.creation.box(hi - lo).apply_translation((lo + hi) / 2)

    file = MeshFile(path=tmp_path / "boxes.step", display="boxes.step", format="step",
                    bodies=tuple(Body(node=n, geometry=g, path=p, mesh=box(b)) for n, g, p, b in bodies),
                    loaded_unit="mm", declared_unit="mm", note="")
    return Draft(file, Units("mm", 1.0, "test"), tmp_path / "boxes.step", tmp_path / "boxes.yaml")


def test_sub_assemblies_and_repeated_products_become_parts(tmp_path: Path) -> None:
    from sledcheck.checks.registry import catalog
    from sledcheck.load.design import load_design

    draft = _draft([
        ("TRAY", "TRAY", "S/TRAY", (0, 0, 0, 300, 300, 2)),
        ("FRAME", "FRAME_40", "S/FAN_A/FRAME", (10, 10, 2, 50, 38, 42)),     # a fan of two bodies
        ("ROTOR", "ROTOR_38", "S/FAN_A/ROTOR", (20, 12, 10, 40, 36, 30)),
        ("FRAME", "FRAME_40", "S/FAN_B2/FRAME", (60, 10, 2, 100, 38, 42)),   # another, named unlike it
        ("ROTOR", "ROTOR_38", "S/FAN_B2/ROTOR", (70, 12, 10, 90, 36, 30)),
        ("FRAME", "FRAME_40", "S/FAN_C/FRAME", (110, 10, 2, 150, 38, 42)),   # a fan with a screw in it
        ("SCREW", "M3_SCREW", "S/FAN_C/SCREW", (112, 40, 2, 115, 43, 10)),
        ("GUSSET", "GUSSET", "S/GUSSET", (200, 200, 2, 220, 220, 20)),       # on the tray
        ("GUSSET", "GUSSET", "S/GUSSET#1", (250, 250, 5, 270, 270, 20)),     # floating 3 mm above it
    ], tmp_path)
    entries = {e.name: e for e in draft.entries}
    assert entries["FAN_A"].node == "*/FAN_A/*" and entries["FAN_B2"].node == "*/FAN_B2/*"
    assert [draft.bodies[i].name for i in entries["FAN_A"].units[0].bodies] == ["FRAME", "ROTOR"]
    assert not any(e.node == "*/FAN_C/*" for e in entries.values())      # kept apart: a screw is a part
    assert any("FAN_C: kept as separate parts" in note for note in draft.notes)
    roles = {draft.labels[i]: e.role for e in draft.entries for u in e.units for i in u.bodies}
    assert roles["FAN_C/FRAME"] == "fan" and roles["SCREW"] == "fastener"
    # the two gussets are one product, but touch different things: one entry each, the contact by name
    assert "GUSSET" in entries and "GUSSET#1" in entries and not any(e.each for e in entries.values())
    assert ("GUSSET", "TRAY") in {tuple(sorted((r.a, r.b))) for r in draft.contacts}
    text = draft.render()
    (tmp_path / "boxes.yaml").write_text(text, encoding="utf-8")
    design = load_design(tmp_path / "boxes.yaml", catalog())   # the loader accepts what init writes
    assert {p.name for p in design.parts} == set(entries)


def test_a_member_unlike_the_others_becomes_an_entry_before_its_group(tmp_path: Path) -> None:
    draft = _draft([
        ("TRAY", "TRAY", "S/TRAY", (0, 0, 0, 100, 100, 2)),
        ("SCREW", "SCREW", "S/SCREW", (10, 10, 2, 15, 15, 7)),
        ("SCREW", "SCREW", "S/SCREW#1", (30, 10, 2, 35, 15, 7)),
        ("SCREW", "SCREW", "S/SCREW#2", (50, 10, 1.5, 55, 15, 6.5)),    # sunk 0.5 mm into the tray
    ], tmp_path)
    names = [e.name for e in draft.entries]
    assert names == ["TRAY", "SCREW#2", "fasteners"]    # an each entry takes only what earlier entries left
    fasteners = draft.entries[2]
    assert fasteners.each and fasteners.node == "SCREW" and [u.label for u in fasteners.units] == ["SCREW", "SCREW#1"]
    assert [(r.a, r.b, r.level) for r in draft.contacts] == [("TRAY", "fasteners", "name")]
    assert [(r.a, r.b) for r in draft.fits] == [("fasteners", "TRAY")]
    assert draft.overlaps() == [("TRAY", "SCREW#2", pytest.approx(12.5, rel=1e-3))]
    text = draft.render()
    assert "1 of them is an entry above" in text
    # a suggested press fit up to its depth: SCREW#2 is sunk 0.5 mm into the tray (z 1.5 against the top at 2)
    assert "# - {between: [SCREW#2, TRAY], kind: press, interference: [0 mm, 0.5 mm]}" in text.replace('"', "")


def test_repeated_instance_names_select_their_sub_assemblies(tmp_path: Path) -> None:
    draft = _draft([
        ("PAN", "PAN", "S/PAN", (0, 0, 0, 300, 300, 2)),
        *[(name, product, f"S/{fan}/{name}", (x + dx, 10 + dy, 2 + dz, x + dx + w, 38 - dy, 42 - dz))
          for fan, x in (("FAN", 10), ("FAN#1", 60), ("FAN#2", 110))
          for name, product, dx, dy, dz, w in (("FRAME", "FRAME_40", 0, 0, 0, 40),
                                               ("ROTOR", "ROTOR_38", 10, 2, 8, 20))],
    ], tmp_path)
    (fans,) = [e for e in draft.entries if e.role == "fan"]
    assert fans.each and fans.node == "FAN" and len(fans.units) == 3    # 'FAN' names FAN, FAN#1 and FAN#2
    assert sorted(u.label for u in fans.units) == ["FAN", "FAN#1", "FAN#2"]
    assert [(r.a, r.b, r.level) for r in draft.contacts] == [("fan", "tray", "role")]



def test_part_labels_are_the_part_names_check_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Names repeated at several levels (BOLT, A/BOLT, B/BOLT; fans FAN and FAN#1): every label init uses in a
    comment or a reference is the name `sledcheck check` gives the part of the same bodies."""
    import sledcheck.model.assembly as assembly

    draft = _draft([
        ("TRAY", "TRAY", "S/TRAY", (0, 0, 0, 300, 300, 2)),
        ("BOLT", "M4_BOLT", "S/BOLT", (10, 10, 2, 14, 14, 12)),         # one of its product: an entry of its own
        ("BOLT", "M3_BOLT", "S/A/BOLT", (30, 10, 2, 33, 13, 12)),       # two of one product: an each entry
        ("SCREW", "M3_BOLT", "S/B/SCREW", (50, 10, 2, 53, 13, 12)),
        *[(name, product, f"S/{fan}/{name}", (x + dx, 100 + dy, 2 + dz, x + dx + w, 128 - dy, 42 - dz))
          for fan, x in (("FAN", 10), ("FAN#1", 60))
          for name, product, dx, dy, dz, w in (("FRAME", "FRAME_40", 0, 0, 0, 40),
                                               ("ROTOR", "ROTOR_38", 10, 2, 8, 20))],
    ], tmp_path)
    assert any(e.each and e.role == "fastener" for e in draft.entries)
    (tmp_path / "boxes.yaml").write_text(draft.render(), encoding="utf-8")
    (tmp_path / "boxes.step").write_text("", encoding="utf-8")
    monkeypatch.setattr(assembly, "read_mesh_file_shared", lambda *args, **kwargs: draft.file)
    built = _assembly(tmp_path / "boxes.yaml")
    by_bodies = {frozenset(p.spec.bodies or {p.path}): p.name for p in built.parts}
    labels = {frozenset(draft.bodies[i].path for i in u.bodies): u.label for u in draft.units_list}
    assert labels == by_bodies
    # the lone M4 bolt's entry is S/BOLT, so check names the each entry's A/BOLT just BOLT (init used to say A/BOLT)
    assert labels[frozenset({"S/BOLT"})] == "S/BOLT" and labels[frozenset({"S/A/BOLT"})] == "BOLT"
    assert "A/BOLT" not in draft.render().replace("S/A/BOLT", "")

# --- the generated sled ------------------------------------------------------------------------------------------


def make_sled(path: Path, *, overlap: bool = False) -> Path:
    """Write the test sled (see the module docstring) as STEP AP214 in mm; returns ``path``."""
    pytest.importorskip("OCP")
    from OCP.BRepAlgoAPI import BRepAlgoAPI_Cut, BRepAlgoAPI_Fuse
    from OCP.BRepPrimAPI import BRepPrimAPI_MakeBox, BRepPrimAPI_MakeCylinder
    from OCP.gp import gp_Ax2, gp_Dir, gp_Pnt, gp_Trsf, gp_Vec
    from OCP.IFSelect import IFSelect_RetDone
    from OCP.STEPCAFControl import STEPCAFControl_Writer
    from OCP.STEPControl import STEPControl_AsIs
    from OCP.TCollection import TCollection_ExtendedString
    from OCP.TDataStd import TDataStd_Name
    from OCP.TDocStd import TDocStd_Document
    from OCP.TopLoc import TopLoc_Location
    from OCP.XCAFDoc import XCAFDoc_DocumentTool

    def box(x0: float, y0: float, z0: float, x1: float, y1: float, z1: float) -> Any:
        return BRepPrimAPI_MakeBox(gp_Pnt(x0, y0, z0), gp_Pnt(x1, y1, z1)).Shape()

    def cylinder(x: float, y: float, z: float, d: float, h: float, axis: tuple[int, int, int] = (0, 0, 1)) -> Any:
        return BRepPrimAPI_MakeCylinder(gp_Ax2(gp_Pnt(x, y, z), gp_Dir(*axis)), d / 2, h).Shape()

    def cut(shape: Any, *tools: Any) -> Any:
        for tool in tools:
            shape = BRepAlgoAPI_Cut(shape, tool).Shape()
        return shape

    def fuse(shape: Any, *tools: Any) -> Any:
        for tool in tools:
            shape = BRepAlgoAPI_Fuse(shape, tool).Shape()
        return shape

    doc = TDocStd_Document(TCollection_ExtendedString("XmlXCAF"))
    shapes = XCAFDoc_DocumentTool.ShapeTool_s(doc.Main())

    def named(label: Any, text: str) -> Any:
        TDataStd_Name.Set_s(label, TCollection_ExtendedString(text))
        return label

    def product(shape: Any, name: str) -> Any:
        return named(shapes.AddShape(shape, False), name)

    def place(parent: Any, label: Any, instance: str, dx: float = 0.0, dy: float = 0.0, dz: float = 0.0) -> None:
        trsf = gp_Trsf()
        trsf.SetTranslation(gp_Vec(dx, dy, dz))
        named(shapes.AddComponent(parent, label, TopLoc_Location(trsf)), instance)

    sled = named(shapes.NewShape(), "SLED")
    # a 440 x 600 x 40 mm pan with 1 mm walls, and a 1 mm lid on its walls, named like a sheet of metal
    place(sled, product(cut(box(0, 0, 0, 440, 600, 40), box(1, 1, 1, 439, 599, 41)), "CHASSIS_PAN"), "CHASSIS_PAN")
    place(sled, product(box(0, 0, 40, 440, 600, 41), "SHEET_1"), "SHEET_1")
    # the board on the floor of the pan, with clearance holes (d 3.4 mm) for the heat-sink screws
    board = cut(box(20, 60, 1, 420, 590, 2.6), *(cylinder(x, 200, 0, 3.4, 4) for x in (175, 265)))
    place(sled, product(board, "PCB_MAIN"), "PCB_MAIN")
    # two fans, each a sub-assembly of a housing (a square tube along y) and a hub whose name says nothing
    fan = named(shapes.NewShape(), "FAN_40X28")
    place(fan, product(cut(box(0, 0, 0, 36, 28, 36), cylinder(18, -1, 18, 32, 30, (0, 1, 0))), "FAN_HOUSING"),
          "FAN_HOUSING")
    place(fan, product(cylinder(18, 1, 18, 14, 26, (0, 1, 0)), "HUB_D14"), "HUB")
    for k, x in enumerate((100, 300), start=1):
        place(sled, fan, f"FAN_{k}", x, 10, 1)
    # four DIMMs of one product, instances named by their slot
    dimm = product(box(0, 0, 0, 133.35, 4, 31.25), "DDR5_RDIMM")
    for k in range(4):
        place(sled, dimm, f"DIMM_SLOT_{k}", 150, 400 + 10 * k, 2.6)
    # the accelerator: a package, a plate-fin heat sink (20 fins along y) and two M3 screws whose heads sit on
    # the sink's base and whose shanks pass 0.2 mm clear through the sink's and the board's holes
    accel = named(shapes.NewShape(), "ACCEL_MODULE")
    top = 6.1 if overlap else 5.6
    place(accel, product(box(200, 180, 2.6, 240, 220, top), "ASIC_PKG"), "ASIC0")
    fins = [box(181.5 + 4 * i, 160, 10.6, 182.5 + 4 * i, 240, 35.6) for i in range(20)]
    sink = cut(fuse(box(170, 160, 5.6, 270, 240, 10.6), *fins), *(cylinder(x, 200, 5, 3.4, 6) for x in (175, 265)))
    place(accel, product(sink, "HS_4U_COPPER"), "CPU0_HEATSINK")
    screw = product(fuse(cylinder(0, 0, 2.0, 3.0, 8.6), cylinder(0, 0, 10.6, 5.5, 3.0)), "M3x8_SCREW")
    for x in (175, 265):
        place(accel, screw, "SCREW", x, 200, 0)
    place(sled, accel, "ACCEL_0")
    shapes.UpdateAssemblies()
    writer = STEPCAFControl_Writer()
    writer.SetNameMode(True)
    with contextlib.redirect_stdout(io.StringIO()):
        if not writer.Transfer(doc, STEPControl_AsIs) or writer.Write(str(path)) != IFSelect_RetDone:
            raise RuntimeError(f"cannot write {path}")
    return path


@dataclass(frozen=True)
class Written:
    """A run of ``sledcheck init``: the exit code, stderr, the design path, text and data."""

    code: int
    err: str
    path: Path
    text: str

    @property
    def data(self) -> dict[str, Any]:
        return yaml.safe_load(self.text)


def run_init(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["init", *(str(a) for a in args)])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def sleds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sled")
    return {"clean": make_sled(folder / "sled.step"), "overlap": make_sled(folder / "sled_overlap.step", overlap=True)}


@pytest.fixture(scope="module")
def written(sleds: dict[str, Path]) -> dict[str, Written]:
    """init run once on each sled, the design written beside it."""
    found = {}
    for key, step in sleds.items():
        design = step.with_name(f"{step.stem}.yaml")
        code, _, err = run_init(step, "-o", design)
        found[key] = Written(code, err, design, design.read_text(encoding="utf-8") if design.exists() else "")
    return found


@pytest.fixture
def check_json(cli: Callable[..., Run]) -> Callable[[Path], tuple[int, dict[str, Any]]]:
    def run(design: Path) -> tuple[int, dict[str, Any]]:
        result = cli("check", design, "--format", "json")
        assert result.code in (0, 1), result.err
        return result.code, json.loads(result.out)
    return run


def _assembly(design: Path) -> Any:
    """The parts `sledcheck check` builds from ``design``."""
    from sledcheck.checks.registry import catalog
    from sledcheck.load.design import load_design
    from sledcheck.model.assembly import build_assembly

    return build_assembly(load_design(design, catalog()))


# --- what init writes --------------------------------------------------------------------------------------------


def test_init_writes_a_design_with_a_comment_on_every_guess(written: dict[str, Written]) -> None:
    run = written["clean"]
    assert run.code == 0, run.err
    parts = run.data["parts"]
    entry_lines = [line for line in run.text.splitlines() if line.startswith("  ") and ": {file:" in line]
    assert len(entry_lines) == len(parts)
    for line in entry_lines:
        assert "#" in line.split("}", 1)[1], line
        assert any(f"({word})" in line for word in ("sure", "likely", "guess")), line
    assert all(p["file"] == "sled.step" for p in parts.values())   # relative to the design's folder
    assert run.data["specs"] == ["eia-310-1u"]                        # 41 mm high: fits 1U
    assert {"min": "0.5 mm"} in run.data["clearance"]
    assert {"between": ["heatsink", "lid"], "min": "1.5 mm"} in run.data["clearance"]
    assert "thermal" not in run.data and "# thermal:" in run.text    # the stub is commented out
    assert "# tessellation:" in run.text


def test_roles_of_every_body(written: dict[str, Written]) -> None:
    run = written["clean"]
    assembly = _assembly(run.path)
    roles = {part.path or part.name: part.role for part in assembly.parts}   # one-body parts by instance path
    assert roles == {
        "SLED/CHASSIS_PAN": "tray", "SLED/SHEET_1": "lid", "SLED/PCB_MAIN": "pcb", "FAN_1": "fan", "FAN_2": "fan",
        **{f"SLED/DIMM_SLOT_{k}": "dimm" for k in range(4)}, "SLED/ACCEL_0/ASIC0": "package",
        "SLED/ACCEL_0/CPU0_HEATSINK": "heatsink", "SLED/ACCEL_0/SCREW": "fastener",
        "SLED/ACCEL_0/SCREW#1": "fastener",
    }
    # a fan's housing and hub are one part named after its sub-assembly, both fans one entry with each: true
    # (a pattern that names the sub-assemblies); the DIMMs one entry by their product
    assert assembly.part("FAN_1").bodies == assembly.part("FAN_2").bodies == ("FAN_HOUSING", "HUB")
    assert run.data["parts"]["fans"] == {"file": "sled.step", "node": "*/FAN_?", "each": True, "role": "fan"}
    assert run.data["parts"]["dimms"] == {"file": "sled.step", "node": "DDR5_RDIMM", "each": True, "role": "dimm"}
    assert run.data["parts"]["fasteners"]["each"] is True
    assert len(run.data["parts"]) == 8
    # why: the lid from its shape, the heat sink from its name and confirmed by its shape
    lines = {line.split(":")[0].strip(): line for line in run.text.splitlines() if ": {file:" in line}
    assert "guessed from geometry: the largest thin plate on top" in lines["SHEET_1"]
    assert "from name 'CPU0_HEATSINK'" in lines["CPU0_HEATSINK"] and "plate-fin heat sink, 20 fins" in \
        lines["CPU0_HEATSINK"]
    assert "2 sub-assemblies alike (FAN_1 and FAN_2)" in lines["fans"]
    assert "from the sub-assembly name 'FAN_1'" in lines["fans"] and "FAN_HOUSING and HUB as one part" in lines["fans"]


def test_contacts_are_measured_touching_and_never_overlap(written: dict[str, Written],
                                                          check_json: Callable[..., Any]) -> None:
    run = written["clean"]
    contacts = {tuple(sorted(c)) for c in run.data["contacts"]}
    assert {("heatsink", "package"), ("package", "pcb"), ("dimm", "pcb"), ("fan", "tray"), ("lid", "tray"),
            ("pcb", "tray")} <= contacts
    code, report = check_json(run.path)
    assert code == 0, [f["message"] for f in report["findings"]]
    codes = {f["code"] for f in report["findings"]}
    assert not codes & {"D101", "D103", "D201"}
    statuses = {tuple(g["parts"]): g["status"] for g in report["gaps"]}
    assert "interference" not in statuses.values()


def test_the_thermal_stub_loads_once_filled_in(written: dict[str, Written], tmp_path: Path) -> None:
    run = written["clean"]
    lines, inside = [], False
    for line in run.text.splitlines():
        inside = inside or line.startswith("# thermal:")
        lines.append(line[2:] if inside and line.startswith("# ") else line)
    filled = "\n".join(lines).replace("??? W", "300 W").replace("??? degC", "95 degC") \
        .replace("??? K/W", "0.03 K/W").replace("tim: ???", "tim: phase-change")
    assert "???" not in filled.split("\nthermal:", 1)[1]
    design = run.path.with_name("thermal.yaml")
    design.write_text(filled, encoding="utf-8")
    try:
        assembly = _assembly(design)    # the fans named in the lane are the parts the fans entry expands into
        thermal = assembly.design.thermal
        assert thermal is not None and [lane.fans for lane in thermal.lanes] == [("FAN_1", "FAN_2")]
        assert [c.part for c in thermal.components] == ["ASIC0"]
    finally:
        design.unlink()


def test_screws_in_clearance_holes_get_fits(written: dict[str, Written]) -> None:
    fits = written["clean"].data["fits"]
    assert {"between": ["fastener", "pcb"], "kind": "clearance-hole"} in fits
    assert {"between": ["fastener", "heatsink"], "kind": "clearance-hole"} in fits
    assert "d 3.4 mm hole of PCB_MAIN" in written["clean"].text


def test_summary_on_stderr(written: dict[str, Written]) -> None:
    err = written["clean"].err
    assert "15 bodies in 13 parts" in err
    assert "roles: 4 dimm, 2 fan, 2 fastener, 1 heatsink, 1 lid, 1 package, 1 pcb, 1 tray" in err
    assert "not sure" in err and "SHEET_1: lid, guessed from geometry" in err
    assert "overlapping pairs: none" in err
    assert f"wrote {written['clean'].path.name}" in err or "wrote " in err


def test_overlapping_pair_is_left_out_and_check_reports_it(written: dict[str, Written],
                                                           check_json: Callable[..., Any]) -> None:
    run = written["overlap"]
    assert run.code == 0, run.err
    assert "ASIC0 / CPU0_HEATSINK (800 mm^3)" in run.err
    assert "#   ASIC0 and CPU0_HEATSINK: 800 mm^3" in run.text
    contacts = {tuple(sorted(c)) for c in run.data["contacts"]}
    assert ("heatsink", "package") not in contacts
    assert not any({"ASIC0", "CPU0_HEATSINK"} & set(c) for c in contacts)
    code, report = check_json(run.path)
    assert code == 1
    interference = [f for f in report["findings"] if f["code"] == "D101"]
    assert [sorted(f["subjects"]) for f in interference] == [["ASIC0", "CPU0_HEATSINK"]]
    assert "declared contact" not in interference[0]["message"]


# --- the output file ---------------------------------------------------------------------------------------------


def test_refuses_an_existing_file_without_force(sleds: dict[str, Path], tmp_path: Path) -> None:
    design = tmp_path / "design.yaml"
    design.write_text("# mine\n", encoding="utf-8")
    code, _, err = run_init(sleds["clean"], "-o", design)
    assert code == 2
    assert "design.yaml" in err and "already exists" in err and "--force" in err
    assert design.read_text(encoding="utf-8") == "# mine\n"
    code, _, err = run_init(sleds["clean"], "-o", design, "--force")
    assert code == 0, err
    text = design.read_text(encoding="utf-8")
    assert text.startswith("# Written by `sledcheck init`") and "parts:" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["design.yaml"]   # no temporary file left behind
    assert "file: " + os.path.relpath(sleds["clean"], tmp_path) in text.replace('"', "")


def test_never_writes_over_the_assembly(sleds: dict[str, Path], tmp_path: Path) -> None:
    code, _, err = run_init(sleds["clean"], "-o", tmp_path / "sled.step", "--force")
    assert code == 2 and "named like a CAD or mesh file" in err
    twin = tmp_path / "twin.yaml"
    os.link(sleds["clean"], twin)     # the assembly under another name
    before = sleds["clean"].read_bytes()
    code, _, err = run_init(sleds["clean"], "-o", twin, "--force")
    assert code == 2 and "is the assembly file itself" in err
    assert sleds["clean"].read_bytes() == before


def test_design_in_another_folder_points_back_at_the_assembly(sleds: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "designs"
    folder.mkdir()
    code, _, err = run_init(sleds["clean"], "-o", folder / "sled.yaml")
    assert code == 0, err
    data = yaml.safe_load((folder / "sled.yaml").read_text(encoding="utf-8"))
    expected = Path(os.path.relpath(sleds["clean"], folder)).as_posix()
    assert {p["file"] for p in data["parts"].values()} == {expected}
    assert len(_assembly(folder / "sled.yaml").parts) == 13   # the file is found from the design's folder


def test_missing_output_folder_and_unitless_files(tmp_path: Path) -> None:
    import trimesh

    mesh = trimesh.util.concatenate([trimesh.creation.box((100, 100, 2)),
                                     trimesh.creation.box((10, 10, 10)).apply_translation((0, 0, 6))])
    stl = tmp_path / "tray.stl"
    mesh.export(stl)
    code, _, err = run_init(stl, "-o", tmp_path / "nowhere" / "d.yaml")
    assert code == 2 and "folder does not exist" in err
    code, _, err = run_init(stl, "-o", tmp_path / "d.yaml")
    assert code == 2 and "--units mm" in err
    assert not (tmp_path / "d.yaml").exists()
    code, _, err = run_init(stl, "-o", tmp_path / "d.yaml", "--units", "mm")
    assert code == 0, err
    data = yaml.safe_load((tmp_path / "d.yaml").read_text(encoding="utf-8"))
    assert data["units"] == "mm"
    assert [p["role"] for p in data["parts"].values()] == ["tray"]   # one unnamed body: the file name says it


@pytest.fixture(autouse=True)
def _no_leftovers(tmp_path: Path) -> Iterator[None]:
    yield
    assert not [p for p in tmp_path.rglob(".*.tmp")], "a temporary design file was left behind"
