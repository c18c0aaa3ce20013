"""Hostile mesh files (issue 8): each class of bad input is a MeshLoadError naming the file and saying what to do,
never a signal, a traceback, a hang, unbounded memory or a silently wrong load.

Every hostile file is generated in tmp_path; mutations of the real files in ../shared/realdata are extra cases,
skipped when that folder is absent.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import trimesh

from conftest import MINIMAL, REALDATA, ROOT, Run
from sledcheck.errors import MeshLoadError
from sledcheck.load import meshes
from sledcheck.load.meshes import MeshFile, read_mesh_file
from sledcheck.load.native import Budget, ChildFailed, parse_size, run_isolated

STEP_HEAD = ("ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION((''),'2;1');\nFILE_NAME('x','',(''),(''),'','','');\n"
             "FILE_SCHEMA(('AUTOMOTIVE_DESIGN'));\nENDSEC;\nDATA;\n")
STEP_TAIL = "ENDSEC;\nEND-ISO-10303-21;\n"
SMALL_STEP = REALDATA / "skot-bitaxeHex" / "bm1366.STP"          # 7.7 KB, 28 triangles, no unit


def load(path: Path) -> MeshFile:
    return read_mesh_file(path, path.name)


def refused(path: Path, *fragments: str, display: str | None = None) -> str:
    """Loading ``path`` is a MeshLoadError naming the file and holding every fragment; returns the message."""
    with pytest.raises(MeshLoadError) as caught:
        read_mesh_file(path, display or path.name)
    message = str(caught.value)
    assert (display or path.name) in message, message
    for fragment in fragments:
        assert fragment in message, message
    assert caught.value.hint, message
    return message


def box(**kwargs: float) -> trimesh.Trimesh:
    return trimesh.creation.box(extents=(10.0, 20.0, 30.0), **kwargs)


def export(mesh: trimesh.Trimesh, path: Path, **kwargs: object) -> Path:
    data = mesh.export(file_type=path.suffix[1:], **kwargs)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def realdata_file(name: str) -> Path:
    path = REALDATA / name
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return path


def ascii_stl(solids: dict[str, trimesh.Trimesh]) -> bytes:
    out = io.BytesIO()
    for name, mesh in solids.items():
        out.write(f"solid {name}\n".encode("latin-1"))
        for tri in mesh.triangles:
            out.write(b"  facet normal 0 0 0\n    outer loop\n")
            for v in tri:
                out.write(f"      vertex {v[0]:.6f} {v[1]:.6f} {v[2]:.6f}\n".encode())
            out.write(b"    endloop\n  endfacet\n")
        out.write(f"endsolid {name}\n".encode("latin-1"))
    return out.getvalue()


# --- 1. native crashes: OpenCASCADE runs in a child ----------------------------------------------------------------


def test_a_native_crash_in_the_child_is_reported_not_fatal() -> None:
    with pytest.raises(ChildFailed) as caught:
        run_isolated("ctypes:string_at", [0], budget=Budget(timeout=60), what="the test loader")
    assert caught.value.kind == "crash" and "the test loader crashed (SIGSEGV)" in caught.value.message


def test_child_errors_timeouts_and_memory_are_told_apart(tmp_path: Path) -> None:
    with pytest.raises(ChildFailed) as error:
        run_isolated("json:loads", ["{"], budget=Budget(timeout=60))
    assert error.value.kind == "error" and "JSONDecodeError" in error.value.message
    with pytest.raises(ChildFailed) as timeout:
        run_isolated("time:sleep", [30], budget=Budget(timeout=1))
    assert timeout.value.kind == "timeout" and "SLEDCHECK_LOAD_TIMEOUT" in timeout.value.hint
    with pytest.raises(ChildFailed) as memory:
        run_isolated("os:urandom", [400 * 1024**2], budget=Budget(timeout=60, memory=200 * 1024**2))
    assert memory.value.kind == "memory" and "SLEDCHECK_LOAD_MEMORY" in memory.value.hint
    assert "200 MiB" in memory.value.message


def test_budget_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert parse_size("8GiB") == 8 * 1024**3 and parse_size("512 MB") == 512 * 1000**2
    monkeypatch.setenv("SLEDCHECK_LOAD_TIMEOUT", "12.5")
    monkeypatch.setenv("SLEDCHECK_LOAD_MEMORY", "3GiB")
    assert Budget.from_env() == Budget(timeout=12.5, memory=3 * 1024**3)
    monkeypatch.setenv("SLEDCHECK_LOAD_MEMORY", "lots")
    path = tmp_path / "part.step"
    path.write_text(STEP_HEAD + STEP_TAIL)
    refused(path, "SLEDCHECK_LOAD_MEMORY='lots' is not a size")


def test_step_that_crashes_opencascade_is_a_message(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.step"   # 100 000 nested parentheses: SIGSEGV inside OpenCASCADE's parser
    path.write_text(STEP_HEAD + "#1=CARTESIAN_POINT(''," + "(" * 100_000 + "0." + ")" * 100_000 + ");\n" + STEP_TAIL)
    message = refused(path, "OpenCASCADE crashed (SIGSEGV) reading the file", "re-export it", "STEP AP214")
    assert "it is corrupt or uses an entity OpenCASCADE cannot read" in message
    assert capfd.readouterr().out == ""


def test_step_with_nan_points_is_refused_as_damaged(tmp_path: Path) -> None:
    source = realdata_file("skot-bitaxeHex/bm1366.STP").read_text(encoding="latin-1")
    path = tmp_path / "nan.step"   # NaN literals in points: OpenCASCADE's transfer never finished (cascadio)
    path.write_text(re.sub(r"CARTESIAN_POINT\('',\(([-0-9.E+]+),", "CARTESIAN_POINT('',(NaN,", source, count=3))
    started = time.monotonic()
    refused(path, "syntax error(s) in the STEP file: it is damaged")
    assert time.monotonic() - started < 30


def test_step_over_its_time_budget_says_which_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLEDCHECK_LOAD_TIMEOUT", "0.05")   # less than OpenCASCADE's own import takes
    monkeypatch.setenv("SLEDCHECK_NO_CACHE", "1")           # no earlier result may answer
    path = tmp_path / "part.step"
    path.write_bytes(realdata_file("skot-bitaxeHex/heatsink.step").read_bytes())
    refused(path, "did not finish within 0.05 s", "SLEDCHECK_LOAD_TIMEOUT=")


def test_step_over_its_memory_budget_says_which_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLEDCHECK_LOAD_MEMORY", "100MiB")
    path = tmp_path / "part.step"
    path.write_text(STEP_HEAD + STEP_TAIL)
    refused(path, "ran out of its memory budget of 100 MiB", "SLEDCHECK_LOAD_MEMORY=")


@pytest.mark.parametrize("mutation", [pytest.param("delete-first", marks=pytest.mark.slow), "delete-middle",
                                      pytest.param("dangling", marks=pytest.mark.slow), "deep"])
def test_mutated_real_step_loads_or_is_a_message(tmp_path: Path, mutation: str,
                                                 capfd: pytest.CaptureFixture[str]) -> None:
    source = realdata_file("skot-bitaxeHex/bm1366.STP").read_text(encoding="latin-1")
    lines = source.splitlines()
    entities = [i for i, line in enumerate(lines) if re.match(r"#\d+\s*=", line)]
    if mutation.startswith("delete"):
        drop = entities[0 if mutation == "delete-first" else len(entities) // 2]
        text = "\n".join(lines[:drop] + lines[drop + 1:])
    elif mutation == "dangling":
        text = re.sub(r"#(\d+)\)", "#999999)", source, count=5)
    else:
        text = source.replace("ENDSEC;\nEND-ISO", "#99999=FOO(" + "(" * 100_000 + ")" * 100_000 + ");\nENDSEC;\n"
                              "END-ISO", 1)
    path = tmp_path / f"{mutation}.step"
    path.write_text(text, encoding="latin-1")
    try:
        loaded = read_mesh_file(path, path.name)
    except MeshLoadError as err:
        assert path.name in str(err)
    else:
        assert all(np.isfinite(b.mesh.vertices).all() for b in loaded.bodies)
    assert "ERR" not in capfd.readouterr().out   # OpenCASCADE's chatter never reaches our stdout


def test_cli_on_a_crashing_step_is_exit_2(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "deep.step"
    path.write_text(STEP_HEAD + "#1=CARTESIAN_POINT(''," + "(" * 100_000 + "0." + ")" * 100_000 + ");\n" + STEP_TAIL)
    result = cli("inspect", path, "--units", "mm")
    assert result.code == 2 and "Traceback" not in result.err
    assert "deep.step" in result.err and "OpenCASCADE crashed (SIGSEGV)" in result.err


# --- 2. non-finite and absurd coordinates, in every format -----------------------------------------------------------


def _poisoned(value: float) -> trimesh.Trimesh:
    mesh = box()
    vertices = mesh.vertices.copy()
    vertices[3, 1] = value
    return trimesh.Trimesh(vertices=vertices, faces=mesh.faces, process=False)


@pytest.mark.parametrize("suffix", [".stl", ".obj", ".ply", ".glb", ".3mf"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e12])
def test_non_finite_or_absurd_coordinates_are_refused(tmp_path: Path, suffix: str, value: float) -> None:
    path = export(_poisoned(value), tmp_path / f"part{suffix}")
    fragment = "non-finite coordinate" if not np.isfinite(value) else "beyond the limit of 1e+09"
    refused(path, fragment, "re-export")


def test_nan_in_ascii_stl_is_refused(tmp_path: Path) -> None:
    text = ascii_stl({"part": box()}).replace(b"vertex 5.000000", b"vertex nan", 1)
    path = tmp_path / "part.stl"
    path.write_bytes(text)
    refused(path, "non-finite coordinate")


def test_nan_from_a_scene_transform_is_refused(tmp_path: Path) -> None:
    scene = trimesh.Scene()
    transform = np.eye(4)
    transform[0, 3] = 1e300
    scene.add_geometry(box(), node_name="far", transform=transform * 1e10)
    path = export(scene, tmp_path / "scene.glb")   # type: ignore[arg-type]
    refused(path, "body 'far'")


def test_absurd_real_step_coordinates_are_refused(tmp_path: Path) -> None:
    source = realdata_file("skot-bitaxeHex/bm1366.STP").read_text(encoding="latin-1")
    text = re.sub(r"CARTESIAN_POINT\('',\(([-0-9.E+]+),", "CARTESIAN_POINT('',(1.E15,", source)
    path = tmp_path / "far.step"
    path.write_text(text, encoding="latin-1")
    refused(path, "OpenCASCADE kept no face of any body", "coordinates out of range?")   # it drops such faces


# --- 3. denial of service from small files ----------------------------------------------------------------------------


def _3mf(path: Path, model: bytes, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.'
                         'org/package/2006/content-types"><Default Extension="model" ContentType="application/'
                         'vnd.ms-package.3dmanufacturing-3dmodel+xml"/></Types>')
        archive.writestr("3D/3dmodel.model", model)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def _model(vertices: str, triangles: str, unit: str = "millimeter") -> bytes:
    return (f'<?xml version="1.0"?><model unit="{unit}" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/'
            f'2015/02"><resources><object id="1" type="model"><mesh><vertices>{vertices}</vertices><triangles>'
            f'{triangles}</triangles></mesh></object></resources><build><item objectid="1"/></build></model>'
            ).encode()


TETRA_V = ('<vertex x="0" y="0" z="0"/><vertex x="10" y="0" z="0"/><vertex x="0" y="10" z="0"/>'
           '<vertex x="0" y="0" z="10"/>')
TETRA_T = ('<triangle v1="0" v2="2" v3="1"/><triangle v1="0" v2="1" v3="3"/><triangle v1="0" v2="3" v3="2"/>'
           '<triangle v1="1" v2="2" v3="3"/>')


def test_3mf_zip_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    path = _3mf(tmp_path / "bomb.3mf", _model(TETRA_V, TETRA_T), {"3D/padding.bin": b" " * 32 * 1024**2})
    assert path.stat().st_size < 200_000
    refused(path, "inflates", "zip bomb", "SLEDCHECK_MAX_ZIP_RATIO=")


def test_3mf_over_the_uncompressed_limit_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _3mf(tmp_path / "big.3mf", _model(TETRA_V, TETRA_T), {"3D/noise.bin": os.urandom(2 * 1024**2)})
    assert len(load(path).bodies) == 1
    monkeypatch.setenv("SLEDCHECK_MAX_UNCOMPRESSED", "1MiB")
    refused(path, "inflates to 2 MiB, more than the limit of 1 MiB", "SLEDCHECK_MAX_UNCOMPRESSED=")


def test_3mf_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "part.3mf"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    refused(path, "not a valid 3MF file")


def _gltf(folder: Path, uri: str, name: str = "part.gltf") -> Path:
    """A one-triangle glTF whose buffer is ``uri``."""
    folder.mkdir(parents=True, exist_ok=True)
    tree = {"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0}],
            "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
            "buffers": [{"uri": uri, "byteLength": 42}],
            "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": 36},
                            {"buffer": 0, "byteOffset": 36, "byteLength": 6}],
            "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
                           "min": [0, 0, 0], "max": [1, 1, 0]},
                          {"bufferView": 1, "componentType": 5123, "count": 3, "type": "SCALAR"}]}
    path = folder / name
    path.write_text(json.dumps(tree))
    return path


TRIANGLE_BIN = np.array([0, 0, 0, 1, 0, 0, 0, 1, 0], dtype="<f4").tobytes() + np.array([0, 1, 2], "<u2").tobytes()


def test_gltf_with_its_buffer_next_to_it_loads(tmp_path: Path) -> None:
    (tmp_path / "part.bin").write_bytes(TRIANGLE_BIN)
    loaded = load(_gltf(tmp_path, "part.bin"))
    assert sum(len(b.mesh.faces) for b in loaded.bodies) == 1


@pytest.mark.parametrize("uri", ["../secret.bin", "/SECRET", "file:///SECRET", "sub/../../secret.bin",
                                 "%2E%2E/secret.bin", "http://example.com/x.bin", "data:application/octet-stream,xyz"])
def test_gltf_uri_outside_its_folder_is_refused(tmp_path: Path, uri: str) -> None:
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"TOP-SECRET-BYTES" + TRIANGLE_BIN)
    path = _gltf(tmp_path / "model", uri.replace("SECRET", str(secret).lstrip("/")))
    message = refused(path, "sledcheck reads only files in the glTF's own folder")
    assert "TOP-SECRET" not in message


def test_gltf_image_uri_outside_its_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "part.bin").write_bytes(TRIANGLE_BIN)
    path = _gltf(tmp_path, "part.bin")
    tree = json.loads(path.read_text())
    tree["images"] = [{"uri": "texture.png"}, {"uri": "../../etc/shadow"}]
    path.write_text(json.dumps(tree))
    refused(path, "images[1].uri '../../etc/shadow' climbs out of the glTF's folder")


def test_gltf_uri_to_etc_passwd_is_refused(tmp_path: Path) -> None:
    message = refused(_gltf(tmp_path, "/etc/passwd"), "is an absolute path")
    assert "root:" not in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_gltf_uri_naming_a_fifo_a_device_or_a_link_out_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.bin")
    refused(_gltf(tmp_path, "pipe.bin"), "is a named pipe (FIFO), not a regular file")
    (tmp_path / "zero.bin").symlink_to("/dev/zero")
    refused(_gltf(tmp_path, "zero.bin"), "outside the glTF's folder")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.bin"
    outside.write_bytes(TRIANGLE_BIN)
    (tmp_path / "link.bin").symlink_to(outside)
    refused(_gltf(tmp_path, "link.bin"), "through a symbolic link")


def test_gltf_missing_buffer_and_oversized_data_uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refused(_gltf(tmp_path, "missing.bin"), "which is not in the glTF's folder")
    monkeypatch.setenv("SLEDCHECK_MAX_UNCOMPRESSED", "1KiB")
    uri = "data:application/octet-stream;base64," + "A" * 4000
    refused(_gltf(tmp_path, uri, "big.gltf"), "more than the limit of 1 KiB", "SLEDCHECK_MAX_UNCOMPRESSED")


def test_glb_with_an_external_buffer_outside_is_refused(tmp_path: Path) -> None:
    tree = json.loads(_gltf(tmp_path, "/etc/passwd").read_text())
    chunk = json.dumps(tree).encode().ljust(4 * ((len(json.dumps(tree)) + 3) // 4))
    path = tmp_path / "part.glb"
    path.write_bytes(b"glTF" + struct.pack("<II", 2, 20 + len(chunk)) + struct.pack("<I4s", len(chunk), b"JSON")
                     + chunk)
    refused(path, "is an absolute path")


def test_triangle_cap_before_loading_where_the_header_tells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLEDCHECK_MAX_TRIANGLES", "10")
    binary = export(box(), tmp_path / "binary.stl")
    refused(binary, "holds 12 triangles, more than the limit of 10", "SLEDCHECK_MAX_TRIANGLES=")
    text = tmp_path / "text.stl"
    text.write_bytes(ascii_stl({"box": box()}))
    refused(text, "more than the limit of 10")
    refused(export(box(), tmp_path / "part.obj"), "more than the limit of 10")


def test_binary_stl_header_claiming_billions_is_truncated_not_allocated(tmp_path: Path) -> None:
    path = export(box(), tmp_path / "liar.stl")
    data = bytearray(path.read_bytes())
    data[80:84] = struct.pack("<I", 4_000_000_000)
    path.write_bytes(bytes(data))
    refused(path, "header says 4000000000 triangles", "truncated")


def test_step_unit_scan_is_linear() -> None:
    text = "#1=(" * 250_000   # 1 MB with no ';': the old regular expression took minutes
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"sledcheck-linear-{os.getpid()}.step"
    try:
        path.write_text(STEP_HEAD + text)
        started = time.monotonic()
        assert meshes._step_unit(path)[0] is None
        assert time.monotonic() - started < 1.0
    finally:
        path.unlink()


def test_step_unit_scan_reads_strings_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "units.step"
    path.write_text(STEP_HEAD + "/* don't; #9=LENGTH_UNIT */\n#5=PRODUCT('a;b','it''s',' ');\n"
                    "#10=(LENGTH_UNIT()NAMED_UNIT(*)SI_UNIT(.MILLI.,.METRE.));\n"
                    "#11=(GEOMETRIC_REPRESENTATION_CONTEXT(3)GLOBAL_UNIT_ASSIGNED_CONTEXT((#10))"
                    "REPRESENTATION_CONTEXT('x','y'));\n" + STEP_TAIL)
    assert meshes._step_unit(path)[0] == "mm"


@pytest.mark.parametrize("name", ["trimesh/featuretype.STEP", "framework-laptop-13/printable_case_full.stp",
                                  "ocp-Time-Appliance-Project/time_card_bracket_v4_asm.stp"])
def test_step_unit_scan_finds_the_real_units(name: str) -> None:
    expected = {"trimesh/featuretype.STEP": "in"}.get(name, "mm")
    assert meshes._step_unit(realdata_file(name))[0] == expected


# --- 4. silently wrong loads ------------------------------------------------------------------------------------------


def test_multi_solid_ascii_stl_truncated_in_a_later_solid(tmp_path: Path) -> None:
    text = ascii_stl({"first": box(), "second": box()})
    path = tmp_path / "two.stl"
    path.write_bytes(text[: text.rfind(b"endfacet") - 40] + b"\n" + b" " * 5000)
    refused(path, "solid 2 ('second')", "truncated")


def test_multi_solid_ascii_stl_missing_an_inner_endsolid(tmp_path: Path) -> None:
    text = ascii_stl({"first": box(), "second": box()}).replace(b"endsolid first\n", b"", 1)
    path = tmp_path / "two.stl"
    path.write_bytes(text)
    refused(path, "solid 1 ('first') has no 'endsolid'")


def test_ascii_stl_facet_with_two_vertices(tmp_path: Path) -> None:
    text = ascii_stl({"box": box()})
    first = text.index(b"      vertex")
    path = tmp_path / "short.stl"
    path.write_bytes(text[:first] + text[text.index(b"\n", first) + 1:])
    refused(path, "has 2 vertices, not 3")


def test_ascii_stl_with_latin1_name_loads(tmp_path: Path) -> None:
    path = tmp_path / "latin.stl"
    path.write_bytes(ascii_stl({"Gehäuse": box(), "Kühler": box()}))
    loaded = load(path)
    assert sorted(b.geometry for b in loaded.bodies) == ["Gehäuse", "Kühler"]
    assert sum(len(b.mesh.faces) for b in loaded.bodies) == 24


def test_real_multi_solid_stl_truncated_loses_no_body_silently(tmp_path: Path) -> None:
    text = realdata_file("trimesh/multibody.stl").read_bytes()
    path = tmp_path / "multibody.stl"
    cut = text.rfind(b"endfacet")
    path.write_bytes(text[:cut] + b"\n" + b"\n" * 5000)   # "endsolid" would still be in the old 4096-byte tail
    refused(path, "truncated")


def test_mesh_of_only_zero_area_triangles_is_refused(tmp_path: Path) -> None:
    vertices = np.array([[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3.0]])
    flat = trimesh.Trimesh(vertices=vertices, faces=[[0, 1, 2], [1, 2, 3], [0, 0, 3]], process=False)
    refused(export(flat, tmp_path / "line.stl"), "all 3 triangles have zero area: the file holds no surface")
    point = trimesh.Trimesh(vertices=np.zeros((3, 3)), faces=[[0, 1, 2]], process=False)
    refused(export(point, tmp_path / "point.ply"), "all 1 triangles have zero area")


def test_mesh_with_some_zero_area_triangles_loads(tmp_path: Path) -> None:
    mesh = box()
    vertices = np.vstack([mesh.vertices, [[0, 0, 0], [1, 1, 1], [2, 2, 2]]])
    faces = np.vstack([mesh.faces, [[8, 9, 10]]])
    loaded = load(export(trimesh.Trimesh(vertices=vertices, faces=faces, process=False), tmp_path / "some.stl"))
    assert sum(len(b.mesh.faces) for b in loaded.bodies) == 13


# --- 5. internal errors become messages ------------------------------------------------------------------------------


def test_obj_face_index_out_of_range(tmp_path: Path) -> None:
    path = tmp_path / "part.obj"
    path.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 1 2 99\n")
    message = refused(path, "re-export")
    assert "Traceback" not in message


def test_obj_vertex_with_two_coordinates(tmp_path: Path) -> None:
    path = tmp_path / "part.obj"
    path.write_text("v 0 0 0\nv 1 0\nv 0 1 0\nf 1 2 3\n")
    refused(path)


def test_ply_face_index_out_of_range(tmp_path: Path) -> None:
    path = tmp_path / "part.ply"
    path.write_text("ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
                    "element face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n"
                    "3 0 1 7\n")
    refused(path, "vertex 7", "numbered 0 to 2")


@pytest.mark.parametrize("body", ["0 0 0\n1 0 0\n", "0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n"])
def test_ply_header_that_lies_about_counts(tmp_path: Path, body: str) -> None:
    path = tmp_path / "liar.ply"
    path.write_text("ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
                    "element face 5\nproperty list uchar int vertex_indices\nend_header\n" + body)
    refused(path)


def test_binary_ply_header_that_lies_about_counts(tmp_path: Path) -> None:
    data = export(box(), tmp_path / "box.ply").read_bytes()
    path = tmp_path / "liar.ply"
    path.write_bytes(data.replace(b"element face 12", b"element face 99999", 1))
    refused(path)


def test_glb_face_index_out_of_range(tmp_path: Path) -> None:
    (tmp_path / "part.bin").write_bytes(TRIANGLE_BIN[:36] + np.array([0, 1, 9], "<u2").tobytes())
    refused(_gltf(tmp_path, "part.bin"), "vertex 9")


def test_gltf_node_cycle_is_refused(tmp_path: Path) -> None:
    (tmp_path / "part.bin").write_bytes(TRIANGLE_BIN)
    path = _gltf(tmp_path, "part.bin")
    tree = json.loads(path.read_text())
    tree["nodes"] = [{"mesh": 0, "children": [1]}, {"children": [2]}, {"children": [1]}]
    path.write_text(json.dumps(tree))
    refused(path, "node 1 has two parents")
    tree["nodes"] = [{"mesh": 0}, {"children": [2]}, {"children": [1]}]
    path.write_text(json.dumps(tree))
    refused(path, "has a cycle")
    tree["nodes"] = [{"mesh": 0, "children": [0]}]
    path.write_text(json.dumps(tree))
    refused(path, "cycle")


def test_3mf_face_index_out_of_range(tmp_path: Path) -> None:
    path = _3mf(tmp_path / "part.3mf", _model(TETRA_V, TETRA_T.replace('v3="3"/>', 'v3="40"/>', 1)))
    refused(path)


def test_3mf_without_vertices(tmp_path: Path) -> None:
    refused(_3mf(tmp_path / "empty.3mf", _model("", "")))


@pytest.mark.parametrize("unit", ["degC", "second", "parsec-ish"])
def test_3mf_unit_that_is_not_a_length(tmp_path: Path, unit: str) -> None:
    refused(_3mf(tmp_path / "part.3mf", _model(TETRA_V, TETRA_T, unit=unit)), "which is not a length")


def test_3mf_in_inches_still_loads(tmp_path: Path) -> None:
    loaded = load(_3mf(tmp_path / "part.3mf", _model(TETRA_V, TETRA_T, unit="inch")))
    assert loaded.declared_unit == "in"


def test_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.stl").symlink_to(tmp_path / "b.stl")
    (tmp_path / "b.stl").symlink_to(tmp_path / "a.stl")
    refused(tmp_path / "a.stl", "loop of symbolic links")


def test_name_over_255_bytes(tmp_path: Path) -> None:
    refused(tmp_path / ("ä" * 200 + ".stl"), "too long", "404 bytes")


def test_nul_byte_in_the_path(tmp_path: Path) -> None:
    refused(tmp_path / "a\0b.stl", "NUL byte", display="a\\0b.stl")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_device_as_the_mesh_file(tmp_path: Path, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    link = tmp_path / "part.stl"
    link.symlink_to(device)
    refused(link, "is a character device, not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("suffix", [".stl", ".step", ".3mf", ".gltf"])
def test_fifo_as_the_mesh_file_does_not_block(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"pipe{suffix}"
    os.mkfifo(path)
    refused(path, "is a named pipe (FIFO), not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_in_a_design_is_exit_2_at_the_design_line(cli: Callable[..., Run],
                                                       design: Callable[[str], Path]) -> None:
    path = design(MINIMAL.replace("a.stl", "pipe.stl"))
    os.mkfifo(path.parent / "pipe.stl")
    result = cli("check", path)
    assert result.code == 2 and "Traceback" not in result.err
    assert f"{path}:5: parts.a.file: " in result.err and "pipe.stl: is a named pipe (FIFO)" in result.err


def test_folder_and_empty_file(tmp_path: Path) -> None:
    (tmp_path / "dir.stl").mkdir()
    refused(tmp_path / "dir.stl", "is a folder")
    (tmp_path / "empty.obj").write_bytes(b"")
    refused(tmp_path / "empty.obj", "file is empty")


# --- 6. dependency floors ---------------------------------------------------------------------------------------------


def test_dependency_floors_exclude_the_unsafe_releases() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    floors = {name: spec for name, spec in re.findall(r'^\s*"(trimesh|lxml)(>=[^"]*)"', text, re.M)}
    assert re.search(r">=\s*5\.0", floors["trimesh"]), floors["trimesh"]   # reads any file a glTF names before 5.0
    assert re.search(r">=\s*6\.1", floors["lxml"]), floors["lxml"]         # iterparse XXE (CVE-2026-41066) before 6.1


def test_a_child_that_returns_prints_nothing_of_ours() -> None:
    assert run_isolated("os:getpid", [], budget=Budget(timeout=60)) == ""


def test_a_broken_mesh_is_sectioned_in_seconds(tmp_path: Path) -> None:
    """Regression (fuzz campaign, seed 1): a mutated OBJ whose sections are not simple rings sent GEOS into
    minutes of polygon repair inside trimesh; the section builder now keeps the closed rings there are."""
    import gzip

    source = Path(__file__).parent / "data" / "hostile" / "groups-duplicated-block.obj.gz"
    mesh = tmp_path / "m.obj"
    mesh.write_bytes(gzip.decompress(source.read_bytes()))
    done = subprocess.run([sys.executable, "-m", "sledcheck", "inspect", str(mesh), "--units", "mm",
                           "--format", "json"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["triangles"] == 2308
