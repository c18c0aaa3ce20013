"""Fuzz corpus: hostile inputs for sledcheck, each a pure function of a seed.

A :class:`Case` is a command line (the arguments after ``sledcheck``, relative to the case folder) and the
files to create in an empty case folder. File values are ``bytes`` or one of the specials :class:`Fifo`,
:class:`Symlink`. :func:`materialise` writes a case into a folder.

``expect`` is the set of exit codes that are right for the case. Inputs that are broken on purpose expect
``{2}`` (an exit 0 is then a *wrong pass*); a design that must fail (a lid overlapping a heat sink) expects
``{1, 2}``; cases where any of 0/1/2 is acceptable only have to end cleanly.

Nothing here reads the clock or global random state: the same seed gives the same cases, byte for byte.
"""

# ruff: noqa: E501 - the case tables read better one case per line
from __future__ import annotations

import io
import json
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CAD = ROOT / "examples" / "tray-1u" / "cad"
REALDATA = ROOT.parent / "shared" / "realdata"
MESH_EXTS = (".stl", ".obj", ".ply", ".glb", ".gltf", ".3mf", ".step", ".stp")
ANY = frozenset({0, 1, 2})
ERR = frozenset({2})
FAILS = frozenset({1, 2})


@dataclass(frozen=True)
class Fifo:
    """A named pipe nobody writes to (opening it for reading blocks)."""


@dataclass(frozen=True)
class Symlink:
    target: str


FileValue = bytes | Fifo | Symlink


@dataclass
class Case:
    """One fuzz input: ``argv`` after ``sledcheck`` run in a folder holding ``files``."""

    id: str
    kind: str                      # random-bytes | truncation | mutation | structured | yaml | cli | property
    argv: list[str]
    files: dict[str, FileValue]
    expect: frozenset[int] = ANY
    note: str = ""
    may_change: frozenset[str] = frozenset()   # files the run may legitimately replace (declared outputs)
    json_outputs: tuple[str, ...] = ()          # report files that must be strict JSON when written
    as_nobody: bool = False                     # run unprivileged (the case writes outside its folder)

    @property
    def json_stdout(self) -> bool:
        return "--format" in self.argv and self.argv[self.argv.index("--format") + 1:][:1] == ["json"]


def materialise(case: Case, folder: Path) -> None:
    """Create the case's files in ``folder`` (which must exist)."""
    import os

    for name, value in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(value, Fifo):
            os.mkfifo(path)
        elif isinstance(value, Symlink):
            os.symlink(value.target, path)
        else:
            path.write_bytes(value)


# --------------------------------------------------------------------------------------------------
# Small mesh writers (pure Python, no trimesh): boxes and arbitrary vertex/face arrays.

Vec = tuple[float, float, float]


def box(lo: Vec, hi: Vec) -> tuple[list[Vec], list[tuple[int, int, int]]]:
    """An axis-aligned box with outward winding: 8 vertices, 12 triangles."""
    (x0, y0, z0), (x1, y1, z1) = lo, hi
    v = [(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0),
         (x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)]
    f = [(0, 2, 1), (0, 3, 2), (4, 5, 6), (4, 6, 7), (0, 1, 5), (0, 5, 4),
         (1, 2, 6), (1, 6, 5), (2, 3, 7), (2, 7, 6), (3, 0, 4), (3, 4, 7)]
    return v, f


def _fmt(x: float) -> str:
    return repr(float(x)) if isinstance(x, (int, float)) else str(x)


def stl_ascii(verts, faces, name: str | bytes = "part") -> bytes:
    head = name if isinstance(name, bytes) else name.encode()
    out = [b"solid " + head]
    for a, b, c in faces:
        out.append(b"  facet normal 0 0 0\n    outer loop")
        for i in (a, b, c):
            out.append(("      vertex " + " ".join(_fmt(x) for x in verts[i])).encode())
        out.append(b"    endloop\n  endfacet")
    out.append(b"endsolid " + head)
    return b"\n".join(out) + b"\n"


def stl_binary(verts, faces, header: bytes = b"sledcheck fuzz") -> bytes:
    out = [header.ljust(80, b"\0")[:80], struct.pack("<I", len(faces))]
    for face in faces:
        out.append(struct.pack("<3f", 0, 0, 0))
        for i in face:
            out.append(struct.pack("<3f", *[float(x) for x in verts[i]]))
        out.append(b"\0\0")
    return b"".join(out)


def obj(verts, faces) -> bytes:
    lines = ["# sledcheck fuzz"] + ["v " + " ".join(_fmt(x) for x in v) for v in verts]
    lines += ["f " + " ".join(str(i + 1) for i in f) for f in faces]
    return ("\n".join(lines) + "\n").encode()


def ply_ascii(verts, faces, n_verts: int | None = None, n_faces: int | None = None) -> bytes:
    head = ["ply", "format ascii 1.0", f"element vertex {len(verts) if n_verts is None else n_verts}",
            "property float x", "property float y", "property float z",
            f"element face {len(faces) if n_faces is None else n_faces}", "property list uchar int vertex_indices",
            "end_header"]
    body = [" ".join(_fmt(x) for x in v) for v in verts] + [f"{len(f)} " + " ".join(map(str, f)) for f in faces]
    return ("\n".join(head + body) + "\n").encode()


def ply_binary(verts, faces, n_verts: int | None = None, n_faces: int | None = None) -> bytes:
    head = ("ply\nformat binary_little_endian 1.0\n"
            f"element vertex {len(verts) if n_verts is None else n_verts}\n"
            "property float x\nproperty float y\nproperty float z\n"
            f"element face {len(faces) if n_faces is None else n_faces}\n"
            "property list uchar int vertex_indices\nend_header\n").encode()
    body = b"".join(struct.pack("<3f", *[float(x) for x in v]) for v in verts)
    body += b"".join(struct.pack("<B", len(f)) + struct.pack(f"<{len(f)}i", *f) for f in faces)
    return head + body


def gltf_parts(verts, faces, uri: str | None = None) -> tuple[dict, bytes]:
    """A glTF 2.0 document (dict) with one mesh and its binary buffer; ``uri`` for a separate .bin."""
    pos = b"".join(struct.pack("<3f", *[float(x) for x in v]) for v in verts)
    idx = b"".join(struct.pack("<3I", *[int(i) & 0xFFFFFFFF for i in f]) for f in faces)
    finite = [v for v in verts if all(isinstance(x, (int, float)) and x == x for x in v)] or [(0, 0, 0)]
    doc = {
        "asset": {"version": "2.0", "generator": "sledcheck fuzz"},
        "scene": 0, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0, "name": "body"}],
        "meshes": [{"name": "body", "primitives": [{"attributes": {"POSITION": 0}, "indices": 1, "mode": 4}]}],
        "buffers": [{"byteLength": len(pos) + len(idx)}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(pos)},
                        {"buffer": 0, "byteOffset": len(pos), "byteLength": len(idx)}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": len(verts), "type": "VEC3",
             "min": [min(v[k] for v in finite) for k in range(3)],
             "max": [max(v[k] for v in finite) for k in range(3)]},
            {"bufferView": 1, "componentType": 5125, "count": 3 * len(faces), "type": "SCALAR"},
        ],
    }
    if uri is not None:
        doc["buffers"][0]["uri"] = uri
    return doc, pos + idx


def glb_pack(doc: dict, binary: bytes) -> bytes:
    js = json.dumps(doc).encode()
    js += b" " * (-len(js) % 4)
    binary += b"\0" * (-len(binary) % 4)
    chunks = struct.pack("<I4s", len(js), b"JSON") + js + struct.pack("<I4s", len(binary), b"BIN\0") + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks


def glb(verts, faces) -> bytes:
    return glb_pack(*gltf_parts(verts, faces))


_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
                  b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
                  b'formats-package.relationships+xml"/><Default Extension="model" ContentType="application/'
                  b'vnd.ms-package.3dmanufacturing-3dmodel+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/'
         b'package/2006/relationships"><Relationship Target="/3D/3dmodel.model" Id="rel0" Type="http://'
         b'schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>')


def model_xml(verts, faces, unit: str = "millimeter", name: str = "body") -> bytes:
    vs = "".join(f'<vertex x="{_fmt(a)}" y="{_fmt(b)}" z="{_fmt(c)}"/>' for a, b, c in verts)
    ts = "".join(f'<triangle v1="{a}" v2="{b}" v3="{c}"/>' for a, b, c in faces)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<model unit="{unit}" xml:lang="en-US" '
            f'xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"><resources>'
            f'<object id="1" name="{name}" type="model"><mesh><vertices>{vs}</vertices><triangles>{ts}'
            f'</triangles></mesh></object></resources><build><item objectid="1"/></build></model>').encode()


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date, so the same seed gives the same bytes (zipfile stamps the current time)."""
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


def zip_3mf(model: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(_entry("[Content_Types].xml"), _CONTENT_TYPES, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(_entry("_rels/.rels"), _RELS, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(_entry("3D/3dmodel.model"), model, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def three_mf(verts, faces, unit: str = "millimeter") -> bytes:
    return zip_3mf(model_xml(verts, faces, unit))


@lru_cache(maxsize=2)
def zip_bomb_3mf(inflated_gib: float = 4.0) -> bytes:
    """A 3MF whose model entry inflates to ``inflated_gib`` GiB of XML whitespace (about 4 MB on disk).

    The deflate stream is built from one compressed block of 1 MiB of spaces repeated, so making it takes
    milliseconds; the CRC is computed with zlib.crc32 over the same repeated data.
    """
    prefix = (b'<?xml version="1.0" encoding="UTF-8"?>\n<model unit="millimeter" xmlns="http://schemas.'
              b'microsoft.com/3dmanufacturing/core/2015/02"><resources><object id="1" type="model"><mesh>'
              b'<vertices><vertex x="0" y="0" z="0"/>')
    chunk = b" " * (1 << 20)
    reps = int(inflated_gib * 1024)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = [comp.compress(prefix) + comp.flush(zlib.Z_FULL_FLUSH)]
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    # a full flush resets nothing in the dictionary but makes the block byte-aligned; with 1 MiB of spaces
    # the dictionary state at the block's start is "32 KiB of spaces" every time, so the block repeats.
    second = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    body.append(block)
    body.extend([second] * (reps - 1))
    body.append(comp.flush(zlib.Z_FINISH))
    data = b"".join(body)
    crc = zlib.crc32(prefix)
    crc_chunk_state = crc
    for _ in range(reps):
        crc_chunk_state = zlib.crc32(chunk, crc_chunk_state)
    size = len(prefix) + reps * len(chunk)
    return _zip_with_raw_entry(data, crc_chunk_state, size)


def _zip_with_raw_entry(deflated: bytes, crc: int, size: int) -> bytes:
    """A zip with the 3MF boilerplate and '3D/3dmodel.model' stored as the given raw deflate stream (zip64)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(_entry("[Content_Types].xml"), _CONTENT_TYPES, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(_entry("_rels/.rels"), _RELS, compress_type=zipfile.ZIP_DEFLATED)
    head = buf.getvalue()
    # cut the central directory off: rebuild it with our extra entry
    cd_start = struct.unpack("<I", head[-6:-2])[0]
    local = head[:cd_start]
    central = head[cd_start:head.rfind(b"PK\x05\x06")]
    name = b"3D/3dmodel.model"
    offset = len(local)
    extra_local = struct.pack("<HHQQ", 1, 16, size, len(deflated))
    local_header = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                               len(name), len(extra_local)) + name + extra_local
    extra_cd = struct.pack("<HHQQQ", 1, 24, size, len(deflated), offset)
    cd_entry = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 45, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF,
                           0xFFFFFFFF, len(name), len(extra_cd), 0, 0, 0, 0, 0xFFFFFFFF) + name + extra_cd
    body = local + local_header + deflated
    cd = central + cd_entry
    n = 3
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, len(cd), len(body), 0)
    return body + cd + eocd


# --------------------------------------------------------------------------------------------------
# Designs

def design_yaml(parts: dict[str, str], units: str | None = "mm", extra: str = "", name: str = "fuzz") -> bytes:
    """A design: ``parts`` maps a part name to its flow mapping body (``{file: a.stl, role: pcb}``)."""
    lines = ["sledcheck: 1", f"name: {name}"] + ([f"units: {units}"] if units else []) + ["parts:"]
    lines += [f"  {k}: {v}" for k, v in parts.items()]
    return ("\n".join(lines) + "\n" + extra).encode()


BASE_BOX = box((0, 0, 0), (100, 100, 10))       # a board
HS_BOX = box((10, 10, 10), (90, 90, 30))          # a heat sink on it
LID_BOX = box((0, 0, 25), (100, 100, 27))          # a lid overlapping the heat sink by 80*80*2 = 12800 mm^3
CLEAR_LID = box((0, 0, 40), (100, 100, 42))        # a lid well clear


def wrap_in_design(mesh_name: str, mesh: FileValue, extra_files: dict | None = None) -> dict[str, FileValue]:
    """Files of a small passing design whose lid is ``mesh`` (so a broken mesh is met inside `check`)."""
    files: dict[str, FileValue] = {
        "board.stl": stl_binary(*BASE_BOX),
        "hs.stl": stl_binary(*HS_BOX),
        mesh_name: mesh,
        "design.yaml": design_yaml({"board": "{file: board.stl, role: pcb}",
                                    "hs": "{file: hs.stl, role: heatsink}",
                                    "lid": f"{{file: {json.dumps(mesh_name)}, role: lid}}"},
                                   extra="contacts:\n  - [heatsink, pcb]\n"),
    }
    files.update(extra_files or {})
    return files


def inspect_argv(name: str) -> list[str]:
    ext = Path(name).suffix.lower()
    units = ["--units", "mm"] if ext in (".stl", ".obj", ".ply") else []
    return ["inspect", name, *units, "--format", "json"]


CHECK_JSON = ["check", "design.yaml", "--format", "json"]


# --------------------------------------------------------------------------------------------------
# Sources: the real files

def source_files(folders: tuple[Path, ...] = (REALDATA, EXAMPLE_CAD)) -> list[Path]:
    """Every real mesh/CAD file: shared/realdata and the tray-1u example, sorted."""
    found = []
    for folder in folders:
        if folder.is_dir():
            found += [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in MESH_EXTS]
    return sorted(found)


@lru_cache(maxsize=64)
def _read(path: Path) -> bytes:
    return path.read_bytes()


def _safe_name(path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem)[:40]
    return stem + path.suffix.lower()


def _format_of(path: Path, data: bytes) -> str:
    ext = path.suffix.lower()
    if ext == ".stl":
        if len(data) >= 84 and 84 + 50 * struct.unpack("<I", data[80:84])[0] == len(data):
            return "stl-binary"
        return "stl-ascii" if data[:5].lower() == b"solid" else "stl-binary"
    if ext == ".ply":
        return "ply-ascii" if b"format ascii" in data[:200] else "ply-binary"
    return {".stp": "step", ".step": "step", ".3mf": "3mf", ".glb": "glb", ".gltf": "gltf", ".obj": "obj"}[ext]


def _is_text(fmt: str) -> bool:
    return fmt in ("stl-ascii", "step", "obj", "ply-ascii", "gltf")


# --------------------------------------------------------------------------------------------------
# Generators. Each takes a seeded random.Random and an index and returns one Case.

def random_bytes_case(rng: random.Random, i: int) -> Case:
    ext = rng.choice(MESH_EXTS)
    magic = rng.choice([b"", b"", b"solid ", b"solid x\n facet normal", b"ply\nformat ascii 1.0\n",
                        b"ply\nformat binary_little_endian 1.0\n", b"glTF\x02\x00\x00\x00", b"PK\x03\x04",
                        b"ISO-10303-21;\nHEADER;\n", b"v 1 2 3\nv 4 5 6\n", b"\xef\xbb\xbf", b"{\"asset\":"])
    size = rng.choice([1, 2, 10, 83, 84, 85, 100, 1000, 4096, 50_000])
    data = magic + rng.randbytes(size)
    if ext == ".stl" and len(data) >= 84 and 84 + 50 * struct.unpack("<I", data[80:84])[0] == len(data):
        data += b"\0"   # keep it broken: a count that happens to match would make it a valid STL
    name = f"random{ext}"
    if rng.random() < 0.3:
        return Case(f"random-bytes-{i}-check{ext}", "random-bytes", list(CHECK_JSON), wrap_in_design(name, data),
                    ERR, f"{len(data)} random bytes (magic {magic[:12]!r}) as the lid of a design")
    return Case(f"random-bytes-{i}{ext}", "random-bytes", inspect_argv(name), {name: data}, ERR,
                f"{len(data)} random bytes (magic {magic[:12]!r})")


def truncation_offsets(size: int, rng: random.Random, n: int) -> list[int]:
    fixed = [0, 1, 5, 10, 80, 83, 84, 85, 134, size // 100, size // 10, size // 3, size // 2, size - 50,
             size - 51, size - 100, size - 2, size - 1]
    out = sorted({o for o in fixed if 0 <= o < size})
    out += [rng.randrange(size) for _ in range(max(0, n - len(out)))] if size > 0 else []
    return out


def truncation_case(src: Path, offset: int, in_design: bool, i: int) -> Case:
    data = _read(src)
    fmt = _format_of(src, data)
    cut = data[:offset]
    removed = data[offset:]
    expect = ANY if fmt == "obj" else ERR
    if _is_text(fmt) and not removed.strip():
        expect = ANY  # only trailing whitespace went
    end_marker = {"stl-ascii": b"endsolid", "step": b"END-ISO-10303-21;"}.get(fmt)
    if end_marker and data.rfind(end_marker) != -1 and offset >= data.rfind(end_marker) + len(end_marker):
        expect = ANY  # the cut is after the file's last end marker (e.g. inside the name after 'endsolid')
    name = "t_" + _safe_name(src)
    note = f"{src.relative_to(src.parents[1]) if len(src.parents) > 1 else src} ({fmt}) cut at byte {offset} of {len(data)}"
    if in_design:
        return Case(f"truncation-{i}-check-{name}@{offset}", "truncation", list(CHECK_JSON),
                    wrap_in_design(name, cut), expect if expect == ANY else FAILS, note + ", as the lid of a design")
    return Case(f"truncation-{i}-{name}@{offset}", "truncation", inspect_argv(name), {name: cut}, expect, note)


_NUMBERS = [b"NaN", b"nan", b"inf", b"-inf", b"1e30", b"-1e30", b"1e309", b"-0", b"0", b"1e-320",
            b"99999999999999999999999999", b"-9" * 1 + b"9" * 400, b"0x10", b"1,5", b""]
_NUM_RE = re.compile(rb"(?<![#\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _mutate_text(data: bytes, rng: random.Random, fmt: str) -> tuple[bytes, str]:
    lines = data.split(b"\n")
    op = rng.choice(["delete-line", "duplicate-line", "swap-lines", "number", "number", "number", "garbage-line",
                     "cut-line", "deep-parens", "dangling-ref", "delete-entity", "number-run"]
                    if fmt == "step" else
                    ["delete-line", "duplicate-line", "swap-lines", "number", "number", "number", "garbage-line",
                     "cut-line", "number-run", "duplicate-block"])
    j = rng.randrange(len(lines))
    if op == "delete-line":
        del lines[j]
    elif op == "duplicate-line":
        lines.insert(j, lines[j])
    elif op == "duplicate-block":
        k = rng.randrange(j, min(len(lines), j + 200) + 1)
        lines[j:j] = lines[j:k] * rng.choice([2, 10])
    elif op == "swap-lines":
        k = rng.randrange(len(lines))
        lines[j], lines[k] = lines[k], lines[j]
    elif op in ("number", "number-run"):
        value = rng.choice(_NUMBERS)
        spans = list(_NUM_RE.finditer(data))
        if not spans:
            return data + b"\nNaN\n", "append NaN"
        picks = [rng.choice(spans)] if op == "number" else spans[rng.randrange(len(spans)):][:rng.choice([3, 30, 300])]
        out = bytearray(data)
        for m in sorted(picks, key=lambda m: -m.start()):
            out[m.start():m.end()] = value
        return bytes(out), f"{op}: {len(picks)} number(s) -> {value[:20]!r}"
    elif op == "garbage-line":
        lines.insert(j, rng.randbytes(rng.choice([1, 20, 200])))
    elif op == "cut-line":
        lines[j] = lines[j][: rng.randrange(len(lines[j]) + 1)]
    elif op == "deep-parens":
        depth = rng.choice([1000, 100_000])
        ents = [k for k, line in enumerate(lines) if line.startswith(b"#") and b"(" in line] or [j]
        k = rng.choice(ents)
        at = lines[k].find(b"(") + 1
        lines[k] = lines[k][:at] + b"(" * depth + b")" * (depth if rng.random() < 0.5 else 0) + lines[k][at:]
        return b"\n".join(lines), f"deep-parens x{depth} in line {k + 1}"
    elif op == "dangling-ref":
        refs = [k for k, line in enumerate(lines) if re.search(rb"=.*#\d+", line)] or [j]
        k = rng.choice(refs)
        lines[k] = re.sub(rb"(?<=[(,])\s*#\d+", b"#987654321", lines[k], count=1)
        return b"\n".join(lines), f"dangling #ref in line {k + 1}"
    elif op == "delete-entity":
        ents = [k for k, line in enumerate(lines) if re.match(rb"#\d+\s*=", line)] or [j]
        k = rng.choice(ents)
        del lines[k]
        return b"\n".join(lines), f"delete entity line {k + 1}"
    return b"\n".join(lines), f"{op} at line {j + 1}"


def _mutate_binary(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    out = bytearray(data)
    op = rng.choice(["flip", "flip", "word", "word", "nan-run", "insert", "delete", "count"])
    if not out:
        return b"\xff", "empty -> one byte"
    j = rng.randrange(len(out))
    if op == "flip":
        n = rng.choice([1, 4, 64])
        for _ in range(n):
            k = rng.randrange(len(out))
            out[k] ^= 1 << rng.randrange(8)
        return bytes(out), f"flip {n} bit(s)"
    if op == "word":
        word = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\xc0\x7f", b"\x00\x00\x80\x7f", b"\x00\x00\x00\x80",
                           b"\xff\xff\xff\x7f"])
        j -= j % 4
        out[j:j + 4] = word
        return bytes(out), f"word {word.hex()} at {j}"
    if op == "nan-run":
        j -= j % 4
        n = rng.choice([3, 30, 3000])
        out[j:j + 4 * n] = b"\x00\x00\xc0\x7f" * n
        return bytes(out[:len(data)]), f"{n} NaN floats at {j}"
    if op == "insert":
        ins = rng.randbytes(rng.choice([1, 3, 50]))
        out[j:j] = ins
        return bytes(out), f"insert {len(ins)} bytes at {j}"
    if op == "delete":
        n = rng.choice([1, 3, 50])
        del out[j:j + n]
        return bytes(out), f"delete {n} bytes at {j}"
    # 'count': the STL triangle count / a header length field
    k = rng.choice([80, 8, 12, 16]) if len(out) > 84 else 0
    out[k:k + 4] = struct.pack("<I", rng.choice([0, 1, 2**31 - 1, 2**32 - 1, 10**8]))
    return bytes(out), f"length field at {k}"


def _mutate_glb(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    try:
        jlen = struct.unpack("<I", data[12:16])[0]
        doc = json.loads(data[20:20 + jlen])
        rest = data[20 + jlen:]
        bin_len = struct.unpack("<I", rest[:4])[0]
        binary = rest[8:8 + bin_len]
    except Exception:  # noqa: BLE001 - not a GLB we can take apart: fall back to bytes
        return _mutate_binary(data, rng)
    op = rng.choice(["count", "offset", "componentType", "indices-oob", "uri", "type", "nodes-cycle", "drop-key"])
    acc = doc.get("accessors") or [{}]
    a = rng.randrange(len(acc))
    if op == "count":
        acc[a]["count"] = rng.choice([0, 2**31, 10**9, -1, 1.5])
    elif op == "offset":
        bvs = doc.get("bufferViews") or [{}]
        bvs[rng.randrange(len(bvs))]["byteOffset"] = rng.choice([2**31, 10**9, -4, 3])
    elif op == "componentType":
        acc[a]["componentType"] = rng.choice([5120, 5121, 5122, 5123, 5125, 5126, 0, 99999])
    elif op == "type":
        acc[a]["type"] = rng.choice(["VEC2", "MAT4", "SCALAR", "BOGUS"])
    elif op == "uri":
        doc.setdefault("buffers", [{}])[0]["uri"] = rng.choice(["/dev/zero", "../../../../etc/passwd",
                                                                "data:application/octet-stream;base64,AAAA"])
    elif op == "nodes-cycle":
        nodes = doc.get("nodes") or [{}]
        nodes[0]["children"] = [0]
    elif op == "drop-key":
        key = rng.choice(sorted(doc))
        del doc[key]
    elif op == "indices-oob":
        binary = bytearray(binary)
        k = len(binary) - 4 * rng.randrange(1, 8)
        binary[k:k + 4] = struct.pack("<I", rng.choice([10**6, 2**32 - 1, 2**31]))
        binary = bytes(binary)
    return glb_pack(doc, binary), f"glb {op}"


def _mutate_3mf(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            entries = {n: z.read(n) for n in z.namelist()}
    except Exception:  # noqa: BLE001
        return _mutate_binary(data, rng)
    models = [n for n in entries if n.lower().endswith(".model")]
    if not models or rng.random() < 0.2:
        return _mutate_binary(data, rng)
    m = rng.choice(models)
    text = entries[m]
    op = rng.choice(["xml", "xml", "index-oob", "unit", "entity"])
    if op == "xml":
        text, what = _mutate_text(text, rng, "xml")
    elif op == "index-oob":
        spans = list(re.finditer(rb'v[123]="(\d+)"', text))
        if spans:
            s = rng.choice(spans)
            text = text[:s.start(1)] + rng.choice([b"99999999", b"-1", b"4294967296", b"1e3"]) + text[s.end(1):]
        what = "triangle index out of range"
    elif op == "unit":
        text = re.sub(rb'unit="[^"]*"', b'unit="' + rng.choice([b"furlong", b"", b"meter" * 1000, b"\xff"]) + b'"',
                      text, count=1)
        what = "bad unit"
    else:  # an XML entity expansion (billion laughs) in the model
        bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE model [<!ENTITY a "aaaaaaaaaa">'
                + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + k]), (b"&" + bytes([97 + k]) + b";") * 10)
                           for k in range(8)) + b"]>\n")
        text = bomb + re.sub(rb"^<\?xml[^>]*>\s*", b"", text)
        text = text.replace(b'name="', b'name="&i;', 1) if b'name="' in text else text
        what = "XML entity bomb"
    entries[m] = text
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, v in entries.items():
            z.writestr(_entry(n), v, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue(), f"3mf {op}: {what}"


def mutation_case(src: Path, rng: random.Random, i: int) -> Case:
    data = _read(src)
    fmt = _format_of(src, data)
    if fmt == "glb":
        out, what = _mutate_glb(data, rng)
    elif fmt == "3mf":
        out, what = _mutate_3mf(data, rng)
    elif _is_text(fmt):
        out, what = _mutate_text(data, rng, fmt)
    else:
        out, what = _mutate_binary(data, rng)
    name = "m_" + _safe_name(src)
    note = f"{src.name} ({fmt}) mutated: {what}"
    if rng.random() < 0.25:
        return Case(f"mutation-{i}-check-{name}", "mutation", list(CHECK_JSON), wrap_in_design(name, out), ANY,
                    note + ", as the lid of a design")
    return Case(f"mutation-{i}-{name}", "mutation", inspect_argv(name), {name: out}, ANY, note)


# --------------------------------------------------------------------------------------------------
# Structured hostile cases: a fixed list, each built on purpose.

def _overlap_files(lid_name: str, lid: bytes) -> dict[str, FileValue]:
    """A heat sink on a board and a lid overlapping the heat sink by 12800 mm^3: it must never pass."""
    return {
        "board.stl": stl_binary(*BASE_BOX),
        "hs.stl": stl_binary(*HS_BOX),
        lid_name: lid,
        "design.yaml": design_yaml({"board": "{file: board.stl, role: pcb}", "hs": "{file: hs.stl, role: heatsink}",
                                    "lid": f"{{file: {lid_name}, role: lid}}"},
                                   extra="contacts:\n  - [heatsink, pcb]\n"),
    }


def _with(verts, k: int, value) -> list:
    out = [list(v) for v in verts]
    out[k // 3][k % 3] = value
    return [tuple(v) for v in out]


def structured_cases() -> list[Case]:
    nan, inf = float("nan"), float("inf")
    v, f = LID_BOX
    cases: list[Case] = []

    def add(id_, argv, files, expect=ANY, note="", **kw):
        cases.append(Case(id_, "structured", list(argv), files, expect, note, **kw))

    # --- the wrong-pass family: an overlapping lid, with non-finite numbers in its mesh --------------------
    add("overlap-control", CHECK_JSON, _overlap_files("lid.stl", stl_ascii(v, f)), frozenset({1}),
        "lid overlaps the heat sink by 12800 mm^3 (control: must fail with exit 1)")
    for label, verts in [("nan-one-vertex", _with(v, 14, nan)), ("nan-all-top", [(x, y, nan if z > 26 else z)
                                                                             for x, y, z in v]),
                         ("inf-one-vertex", _with(v, 2, inf)), ("nan-x", _with(v, 0, nan)),
                         ("huge-one-vertex", _with(v, 14, 1e30))]:
        add(f"overlap-{label}-stl-ascii", CHECK_JSON, _overlap_files("lid.stl", stl_ascii(verts, f)), FAILS,
            f"overlapping lid with {label} (ASCII STL): must not pass")
        add(f"overlap-{label}-stl-binary", CHECK_JSON, _overlap_files("lid.stl", stl_binary(verts, f)), FAILS,
            f"overlapping lid with {label} (binary STL): must not pass")
    for label, verts in [("nan-one-vertex", _with(v, 14, nan)), ("inf-one-vertex", _with(v, 2, inf))]:
        add(f"overlap-{label}-obj", CHECK_JSON, _overlap_files("lid.obj", obj(verts, f)), FAILS,
            f"overlapping lid with {label} (OBJ): must not pass")
        add(f"overlap-{label}-ply", CHECK_JSON, _overlap_files("lid.ply", ply_binary(verts, f)), FAILS,
            f"overlapping lid with {label} (binary PLY): must not pass")
        add(f"overlap-{label}-3mf", CHECK_JSON, _overlap_files("lid.3mf", three_mf(verts, f)), FAILS,
            f"overlapping lid with {label} (3MF): must not pass")
        add(f"overlap-{label}-glb", CHECK_JSON, _overlap_files("lid.glb", glb(verts, f)), FAILS,
            f"overlapping lid with {label} (GLB): must not pass")
    # with the size-plausibility rule (M101, the only one a NaN lid trips today) turned off, nothing else
    # may let the overlap through: the interference check itself must see it
    ignore = [*CHECK_JSON, "--ignore", "M101"]
    add("overlap-control-ignore-M101", ignore, _overlap_files("lid.stl", stl_binary(v, f)), frozenset({1}),
        "overlapping lid, --ignore M101 (control: must fail with exit 1)")
    for label, name, data in [("stl-binary", "lid.stl", stl_binary(_with(v, 14, nan), f)),
                              ("stl-ascii", "lid.stl", stl_ascii(_with(v, 14, nan), f)),
                              ("obj", "lid.obj", obj(_with(v, 14, nan), f)),
                              ("3mf", "lid.3mf", three_mf(_with(v, 14, nan), f)),
                              ("glb", "lid.glb", glb(_with(v, 14, nan), f))]:
        add(f"overlap-nan-one-vertex-{label}-ignore-M101", ignore, _overlap_files(name, data), FAILS,
            f"overlapping lid with one NaN vertex ({label}), --ignore M101: the overlap must still fail")
    files = _overlap_files("lid.stl", stl_binary(_with(v, 14, nan), f))
    files["design.yaml"] += b"severity: {M101: warning}\n"
    add("overlap-nan-one-vertex-severity-M101-warning", CHECK_JSON, files, FAILS,
        "overlapping lid with one NaN vertex, design sets M101 to warning: the overlap must still fail")
    add("overlap-nan-position", CHECK_JSON,
        {**_overlap_files("lid.stl", stl_ascii(v, f)),
         "design.yaml": design_yaml({"board": "{file: board.stl, role: pcb}", "hs": "{file: hs.stl, role: heatsink}",
                                     "lid": "{file: lid.stl, role: lid, position: [.nan, 0, 0]}"},
                                    extra="contacts:\n  - [heatsink, pcb]\n")}, FAILS,
        "overlapping lid placed at x = .nan")
    add("overlap-degenerate-triangle-nan", CHECK_JSON,
        _overlap_files("lid.stl", stl_ascii(v + [(nan, nan, nan)], f + [(0, 1, 8)])), FAILS,
        "overlapping lid plus one extra triangle with a NaN vertex")

    # --- meshes: hostile structure ----------------------------------------------------------------------
    bv, bf = box((0, 0, 0), (10, 10, 10))
    oob = [*bf[:-1], (0, 1, 99)]
    add("obj-index-out-of-range", inspect_argv("m.obj"), {"m.obj": obj(bv, oob)}, ERR, "OBJ face index 100 of 8")
    add("obj-negative-index-out-of-range", inspect_argv("m.obj"),
        {"m.obj": obj(bv, bf) + b"f -1 -2 -99\n"}, ERR, "OBJ face index -99 of 8")
    add("obj-two-coordinates", inspect_argv("m.obj"), {"m.obj": obj(bv, bf).replace(b"v 10.0 10.0 10.0", b"v 10.0 10.0")},
        ERR, "OBJ vertex with two coordinates")
    add("ply-index-out-of-range", inspect_argv("m.ply"), {"m.ply": ply_ascii(bv, oob)}, ERR, "PLY face index 99 of 8")
    add("ply-binary-index-out-of-range", inspect_argv("m.ply"), {"m.ply": ply_binary(bv, [*bf[:-1], (0, 1, 2**31 - 1)])},
        ERR, "binary PLY face index 2^31-1")
    add("ply-lying-vertex-count", inspect_argv("m.ply"), {"m.ply": ply_binary(bv, bf, n_verts=1_000_000_000)}, ERR,
        "binary PLY header says 1e9 vertices, has 8")
    add("ply-lying-face-count", inspect_argv("m.ply"), {"m.ply": ply_ascii(bv, bf, n_faces=500)}, ERR,
        "ASCII PLY header says 500 faces, has 12")
    add("ply-lying-list-length", inspect_argv("m.ply"),
        {"m.ply": ply_binary(bv, bf)[:-(12 * 13)] + b"".join(b"\xff" + struct.pack("<3i", *t) for t in bf)}, ERR,
        "binary PLY face list length byte 255 with 3 indices")
    add("ply-two-coordinates", inspect_argv("m.ply"), {"m.ply": ply_ascii(bv, bf).replace(b"10.0 10.0 10.0\n", b"10.0 10.0\n")},
        ERR, "ASCII PLY vertex row with two values")
    add("ply-header-only", inspect_argv("m.ply"), {"m.ply": ply_ascii([], [], n_verts=8, n_faces=12)}, ERR,
        "PLY header declaring 8 vertices and 12 faces, no data")
    g_doc, g_bin = gltf_parts(bv, oob)
    add("glb-index-out-of-range", inspect_argv("m.glb"), {"m.glb": glb_pack(g_doc, g_bin)}, ERR, "GLB index 99 of 8")
    add("3mf-index-out-of-range", inspect_argv("m.3mf"), {"m.3mf": three_mf(bv, oob)}, ERR, "3MF v3=99 of 8 vertices")
    add("3mf-negative-index", inspect_argv("m.3mf"), {"m.3mf": three_mf(bv, [*bf[:-1], (0, 1, -3)])}, ERR,
        "3MF v3=-3")
    add("3mf-zip-bomb", inspect_argv("bomb.3mf"), {"bomb.3mf": zip_bomb_3mf(4.0)}, ERR,
        "3MF whose model inflates to 4 GiB (about 4 MB on disk)")
    add("3mf-zip-bomb-check", CHECK_JSON, wrap_in_design("bomb.3mf", zip_bomb_3mf(4.0)), ERR,
        "the zip bomb as the lid of a design")
    # glTF with a separate buffer
    doc, binary = gltf_parts(bv, bf, uri="../outside.bin")
    add("gltf-uri-outside-folder", inspect_argv("sub/m.gltf"),
        {"sub/m.gltf": json.dumps(doc).encode(), "outside.bin": binary}, ERR,
        "glTF buffer URI '../outside.bin' (outside the file's folder) must be refused")
    doc_abs, _ = gltf_parts(bv, bf, uri="/etc/passwd")
    add("gltf-uri-absolute", inspect_argv("m.gltf"), {"m.gltf": json.dumps(doc_abs).encode()}, ERR,
        "glTF buffer URI '/etc/passwd'")
    doc_fifo, _ = gltf_parts(bv, bf, uri="pipe.bin")
    add("gltf-uri-fifo", inspect_argv("m.gltf"), {"m.gltf": json.dumps(doc_fifo).encode(), "pipe.bin": Fifo()}, ERR,
        "glTF buffer URI pointing to a FIFO nobody writes")
    doc_zero, _ = gltf_parts(bv, bf, uri="/dev/zero")
    add("gltf-uri-dev-zero", inspect_argv("m.gltf"), {"m.gltf": json.dumps(doc_zero).encode()}, ERR,
        "glTF buffer URI '/dev/zero'")
    doc_link, _ = gltf_parts(bv, bf, uri="zero.bin")
    add("gltf-uri-symlink-dev-zero", inspect_argv("m.gltf"),
        {"m.gltf": json.dumps(doc_link).encode(), "zero.bin": Symlink("/dev/zero")}, ERR,
        "glTF buffer 'zero.bin', a symlink to /dev/zero")
    doc_ok, bin_ok = gltf_parts(bv, bf, uri="m.bin")
    add("gltf-valid-control", inspect_argv("m.gltf"), {"m.gltf": json.dumps(doc_ok).encode(), "m.bin": bin_ok},
        frozenset({0}), "a valid glTF with a .bin beside it (control: must load)")
    add("gltf-uri-fifo-check", CHECK_JSON, wrap_in_design("m.gltf", json.dumps(doc_fifo).encode(), {"pipe.bin": Fifo()}),
        ERR, "FIFO buffer glTF as the lid of a design")
    # degenerate
    dv = [(0, 0, 0), (1, 1, 1), (2, 2, 2), (0, 0, 0)]
    df = [(0, 1, 2), (0, 0, 0), (1, 3, 0), (2, 2, 1)]
    add("degenerate-only-stl", inspect_argv("d.stl"), {"d.stl": stl_ascii(dv, df)}, ANY, "only zero-area triangles")
    add("degenerate-only-check", CHECK_JSON, wrap_in_design("d.stl", stl_binary(dv, df)), ANY,
        "a lid of only zero-area triangles")
    add("single-triangle-check", CHECK_JSON, wrap_in_design("t.stl", stl_ascii([(0, 0, 50), (1, 0, 50), (0, 1, 50)],
                                                                                [(0, 1, 2)])), ANY,
        "a lid of one triangle")
    # multi-solid ASCII STL truncated inside a later solid
    s1 = stl_ascii(*box((0, 0, 0), (1, 1, 1)), name="first")
    s2 = stl_ascii(*box((2, 0, 0), (3, 1, 1)), name="second")
    add("stl-multisolid-truncated-in-second", inspect_argv("multi.stl"), {"multi.stl": s1 + s2[: len(s2) // 2]}, ERR,
        "two solids; the file ends in the middle of the second (the first's 'endsolid' is in the last 4 KiB)")
    add("stl-multisolid-truncated-in-second-check", CHECK_JSON,
        wrap_in_design("multi.stl", s1 + s2[: len(s2) // 2]), FAILS, "the same as the lid of a design")
    add("stl-latin1-name", inspect_argv("k.stl"), {"k.stl": stl_ascii(bv, bf, name=b"K\xfchler_\xb5m")},
        frozenset({0}), "valid ASCII STL whose solid name is Latin-1 ('K\\xfchler'): must load")
    add("stl-latin1-multisolid", inspect_argv("k.stl"),
        {"k.stl": stl_ascii(*box((0, 0, 0), (1, 1, 1)), name=b"Geh\xe4use") + stl_ascii(*box((2, 0, 0), (3, 1, 1)),
                                                                                        name=b"Deckel \xa7 2")},
        frozenset({0}), "valid two-solid ASCII STL with Latin-1 names: must load")
    add("stl-binary-header-solid", inspect_argv("b.stl"), {"b.stl": stl_binary(bv, bf, header=b"solid binary-but-says-solid")},
        frozenset({0}), "valid binary STL whose header starts with 'solid': must load")
    add("stl-binary-count-huge", inspect_argv("b.stl"),
        {"b.stl": stl_binary(bv, bf)[:80] + struct.pack("<I", 2**32 - 1) + stl_binary(bv, bf)[84:]}, ERR,
        "binary STL whose count is 2^32-1")
    add("stl-ascii-facet-4-vertices", inspect_argv("q.stl"),
        {"q.stl": stl_ascii(bv, bf).replace(b"    endloop", b"      vertex 1 2 3\n    endloop", 1)}, ANY,
        "ASCII STL with a facet of four vertices")
    add("stl-ascii-two-coordinates", inspect_argv("q.stl"),
        {"q.stl": stl_ascii(bv, bf).replace(b"vertex 10.0 10.0 10.0", b"vertex 10.0 10.0", 1)}, ERR,
        "ASCII STL vertex with two coordinates")
    add("stl-ascii-no-facets-endsolid", inspect_argv("e.stl"), {"e.stl": b"solid x\nendsolid x\n"}, ERR,
        "ASCII STL with no facets")
    add("stl-binary-all-nan", inspect_argv("n.stl"), {"n.stl": stl_binary([(nan, nan, nan)] * 8, bf)}, ANY,
        "binary STL whose vertices are all NaN")
    add("stl-binary-all-nan-check", CHECK_JSON, wrap_in_design("n.stl", stl_binary([(nan, nan, nan)] * 8, bf)),
        FAILS, "a lid whose vertices are all NaN must not pass")
    add("step-deep-parens", inspect_argv("p.step"),
        {"p.step": b"ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('x'),'2;1');\nENDSEC;\nDATA;\n#1=CARTESIAN_POINT('',"
                   + b"(" * 200_000 + b"0.,0.,0." + b")" * 200_000 + b");\nENDSEC;\nEND-ISO-10303-21;\n"}, ERR,
        "STEP with 200000 nested parentheses")
    add("step-unit-regex-bomb", inspect_argv("u.step"),
        {"u.step": b"ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\n" + b"#1=GLOBAL_UNIT_ASSIGNED_CONTEXT((" + b"#2," * 200_000
                   + b"\n" + b"#3=" * 50_000 + b"\nENDSEC;\nEND-ISO-10303-21;\n"}, ERR,
        "STEP with a 200000-reference unit context and no end (unit-regex back-tracking)")
    add("step-no-entities", inspect_argv("x.step"), {"x.step": b"ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\nENDSEC;\n"
                                                               b"END-ISO-10303-21;\n"}, ERR, "STEP with no data")
    add("step-latin1-and-nul", inspect_argv("y.step"),
        {"y.step": b"ISO-10303-21;\nHEADER;\nFILE_NAME('K\xfchler\x00','',(''),(''),'','','');\nENDSEC;\nDATA;\n"
                   b"ENDSEC;\nEND-ISO-10303-21;\n"}, ERR, "STEP with a Latin-1 name and a NUL byte")
    return cases


# --------------------------------------------------------------------------------------------------
# Hostile designs (YAML and schema)

def _minimal_files(design: bytes, more: dict | None = None) -> dict[str, FileValue]:
    files: dict[str, FileValue] = {"a.stl": stl_binary(*BASE_BOX), "b.stl": stl_binary(*CLEAR_LID),
                                   "design.yaml": design}
    files.update(more or {})
    return files


_MIN_PARTS = "parts:\n  a: {file: a.stl, role: pcb}\n  b: {file: b.stl, role: lid}\n"


def yaml_cases() -> list[Case]:
    cases: list[Case] = []

    def add(id_, text: bytes | str, expect=ERR, note="", more=None, argv=None):
        data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        cases.append(Case(id_, "yaml", list(argv or CHECK_JSON), _minimal_files(data, more), expect, note))

    head = "sledcheck: 1\nname: y\nunits: mm\n"
    add("yaml-control", head + _MIN_PARTS, frozenset({0}), "the minimal passing design (control)")
    laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]\n" for k in range(1, 10))
    add("yaml-alias-bomb", head + _MIN_PARTS + laughs, ERR,
        "billion laughs: 9 levels of 9 aliases under unknown top-level keys")
    add("yaml-alias-bomb-in-value", head + "description:\n" + "".join("  " + line + "\n" for line in laughs.splitlines())
        + _MIN_PARTS, ERR, "billion laughs inside 'description'")
    add("yaml-alias-bomb-in-parts", head + "parts:\n  a: {file: a.stl, role: pcb}\n  b: {file: b.stl, role: lid, "
        "description: " + "[" + ", ".join(["*nope"]) + "]}\n", ERR, "an undefined alias")
    add("yaml-deep-list", head + _MIN_PARTS + "description: " + "[" * 100_000 + "]" * 100_000 + "\n", ERR,
        "100000 nested flow lists")
    add("yaml-deep-map", head + _MIN_PARTS + "description: " + "{a: " * 20_000 + "b" + "}" * 20_000 + "\n", ERR,
        "20000 nested flow mappings")
    add("yaml-deep-block", head + _MIN_PARTS + "description:\n" + "".join(" " * k + "- \n" for k in range(1, 3000)),
        ERR, "3000 nested block lists")
    add("yaml-huge-int-version", "sledcheck: " + "9" * 5000 + "\nname: y\nunits: mm\n" + _MIN_PARTS, ERR,
        "sledcheck: <5000-digit integer>")
    add("yaml-huge-int-position", head + "parts:\n  a: {file: a.stl, role: pcb, position: [" + "9" * 400 + ", 0, 0]}\n"
        "  b: {file: b.stl, role: lid}\n", ERR, "position x = a 400-digit integer (mm)")
    add("yaml-huge-float-position", head + "parts:\n  a: {file: a.stl, role: pcb, position: [1e308, 0, 0]}\n"
        "  b: {file: b.stl, role: lid}\n", ANY, "position x = 1e308 mm")
    add("yaml-inf-position", head + "parts:\n  a: {file: a.stl, role: pcb, position: [.inf, 0, 0]}\n"
        "  b: {file: b.stl, role: lid}\n", ERR, "position x = .inf")
    add("yaml-nan-clearance", head + _MIN_PARTS + "clearance:\n  - {min: .nan}\n", ERR, "clearance min .nan")
    add("yaml-nan-string-clearance", head + _MIN_PARTS + "clearance:\n  - {min: nan mm}\n", ERR, "clearance 'nan mm'")
    add("yaml-python-tag", head.replace("name: y", "name: !!python/object/apply:os.system ['touch pwned']")
        + _MIN_PARTS, ERR, "a python/object tag in the name")
    add("yaml-python-tag-mapping", head + "parts: !!python/object:os.system {}\n", ERR, "a python tag on a mapping")
    add("yaml-custom-tag", head.replace("name: y", "name: !shout y") + _MIN_PARTS, ERR, "an unknown local tag")
    add("yaml-binary-tag", head.replace("name: y", "name: !!binary aGVsbG8=") + _MIN_PARTS, ERR, "a !!binary name")
    add("yaml-set-tag", head + "specs: !!set {eia-310-1u}\n" + _MIN_PARTS, ERR, "specs as a !!set")
    add("yaml-float-tag-on-text", head + _MIN_PARTS + "clearance:\n  - {min: !!float 1 mm}\n", ERR, "!!float '1 mm'")
    add("yaml-int-key", head + "parts:\n  1: {file: a.stl, role: pcb}\n  b: {file: b.stl, role: lid}\n", ANY,
        "a part named by the integer 1")
    add("yaml-date-key", head + "parts:\n  2027-01-01: {file: a.stl, role: pcb}\n  b: {file: b.stl, role: lid}\n", ANY,
        "a part named by a date")
    add("yaml-null-key", head + "parts:\n  ~: {file: a.stl, role: pcb}\n  b: {file: b.stl, role: lid}\n", ERR,
        "a part named ~ (null)")
    add("yaml-complex-key", head + "parts:\n  ? [x, y]\n  : {file: a.stl, role: pcb}\n  b: {file: b.stl, role: lid}\n",
        ERR, "a part whose name is a list")
    for label, q in [("pow-chain", "9**9**9"), ("pow-unit", "1 mm**9**9**9"), ("pow-unit-big", "1 mm**99999999"),
                     ("pow-paren", "1 (mm**9)**99999"), ("mul-chain", "1 " + "mm*" * 20_000 + "mm"),
                     ("long-prefix", "1 " + "milli" * 5000 + "meter"), ("unicode-unit", "1 \u339c"),
                     ("inf", "1e999 mm"), ("neg-zero", "-0 mm"), ("hex", "0x10 mm"), ("nul", "1 m\0m"),
                     ("percent", "5 %"), ("offset", "1 degC"), ("div-zero", "1 mm/0"), ("big-exp", "1e-999999 mm"),
                     ("long-number", "1" * 5000 + " mm")]:
        add(f"yaml-quantity-{label}", head + _MIN_PARTS + "clearance:\n  - {min: " + json.dumps(q) + "}\n", ANY,
            f"clearance min {q[:40]!r}")
    add("yaml-units-long", head.replace("units: mm", "units: " + json.dumps("mm*" * 20_000 + "mm")) + _MIN_PARTS, ERR,
        "design units 'mm*mm*...' (60000 characters)")
    add("yaml-units-pow", head.replace("units: mm", "units: \"mm**9**9**9\"") + _MIN_PARTS, ERR, "units mm**9**9**9")
    add("yaml-rotation-pow", head + "parts:\n  a: {file: a.stl, role: pcb, rotation: [\"9**9**9 deg\", 0, 0]}\n"
        "  b: {file: b.stl, role: lid}\n", ERR, "rotation '9**9**9 deg'")
    add("yaml-rotation-expr", head + "parts:\n  a: {file: a.stl, role: pcb, rotation: [\"2**2**2**2**2 deg\", 0, 0]}\n"
        "  b: {file: b.stl, role: lid}\n", ERR, "rotation '2**2**2**2**2 deg' (pint evaluates it)")
    add("yaml-nul-in-file", head + "parts:\n  a: {file: \"a\\0.stl\", role: pcb}\n  b: {file: b.stl, role: lid}\n", ERR,
        "a part file name with a NUL byte")
    add("yaml-300-byte-file", head + "parts:\n  a: {file: " + "a" * 300 + ".stl, role: pcb}\n  b: {file: b.stl, role: lid}\n",
        ERR, "a 304-byte file name")
    add("yaml-deep-path-file", head + "parts:\n  a: {file: " + "d/" * 3000 + "a.stl, role: pcb}\n"
        "  b: {file: b.stl, role: lid}\n", ERR, "a 6000-byte path")
    add("yaml-file-is-dev-zero-link", head + "parts:\n  a: {file: z.stl, role: pcb}\n  b: {file: b.stl, role: lid}\n",
        ERR, "a part file symlinked to /dev/zero", more={"z.stl": Symlink("/dev/zero")})
    add("yaml-file-is-fifo", head + "parts:\n  a: {file: p.stl, role: pcb}\n  b: {file: b.stl, role: lid}\n", ERR,
        "a part file that is a FIFO", more={"p.stl": Fifo()})
    add("yaml-file-is-fifo-step", head + "parts:\n  a: {file: p.step, role: pcb}\n  b: {file: b.stl, role: lid}\n", ERR,
        "a STEP part file that is a FIFO", more={"p.step": Fifo()})
    add("yaml-file-dangling-link", head + "parts:\n  a: {file: l.stl, role: pcb}\n  b: {file: b.stl, role: lid}\n", ERR,
        "a part file that is a dangling symlink", more={"l.stl": Symlink("nowhere/x.stl")})
    add("yaml-file-link-loop", head + "parts:\n  a: {file: l.stl, role: pcb}\n  b: {file: b.stl, role: lid}\n", ERR,
        "a part file that is a symlink loop", more={"l.stl": Symlink("l.stl")})
    add("yaml-spec-fifo", head + "specs: [s.yaml]\n" + _MIN_PARTS, ERR, "a spec pack file that is a FIFO",
        more={"s.yaml": Fifo()})
    add("yaml-spec-dev-zero", head + "specs: [/dev/zero]\n" + _MIN_PARTS, ERR, "spec pack /dev/zero")
    add("yaml-spec-is-design", head + "specs: [design.yaml]\n" + _MIN_PARTS, ERR, "the design names itself as a spec")
    add("yaml-latin1-file", (head + "description: K\xfchler\n" + _MIN_PARTS).encode("latin-1"), ERR,
        "a design file in Latin-1")
    add("yaml-utf16", (head + _MIN_PARTS).encode("utf-16"), ERR, "a design file in UTF-16")
    add("yaml-bom", b"\xef\xbb\xbf" + (head + _MIN_PARTS).encode(), ANY, "a design file with a UTF-8 BOM")
    add("yaml-nul-byte", (head + _MIN_PARTS).encode() + b"\0\n", ERR, "a NUL byte at the end")
    add("yaml-multi-document", (head + _MIN_PARTS + "---\n" + head + _MIN_PARTS).encode(), ERR, "two YAML documents")
    add("yaml-merge-key", head + "base: &b {role: pcb}\nparts:\n  a: {<<: *b, file: a.stl}\n  b: {file: b.stl, role: lid}\n",
        ERR, "merge key")
    add("yaml-huge-part-count", head + "parts:\n" + "".join(f"  p{k}: {{file: a.stl, role: pcb, position: [0, 0, {k * 20}]}}\n"
                                                           for k in range(3000)), ANY, "3000 parts (same file)")
    add("yaml-waiver-bad-date", head + _MIN_PARTS + "waivers:\n  - {code: D201, subjects: [a, b], reason: r, "
        "expires: 99999-99-99}\n", ERR, "waiver with a bad date")
    add("yaml-waiver-date-object", head + _MIN_PARTS + "waivers:\n  - {code: D201, subjects: [a, b], reason: r, "
        "expires: 2027-02-30}\n", ERR, "waiver with 30 February")
    add("yaml-thermal-garbage", head + _MIN_PARTS + "thermal:\n  environment: {altitude: 1e30 m, nominal_inlet: -300 degC}\n"
        "  fans: {model: /dev/zero, speed: 1e9 %}\n  lanes: []\n  components: {}\n", ERR, "thermal section with "
        "impossible values and a fan model /dev/zero")
    add("yaml-severity-weird", head + _MIN_PARTS + "severity: {D201: [error]}\n", ERR, "severity value is a list")
    add("yaml-design-is-mesh", b"", ERR, "the design file is a binary STL", argv=["check", "a.stl", "--format", "json"])
    add("yaml-design-fifo", b"", ERR, "the design file is a FIFO", more={"fifo.yaml": Fifo()},
        argv=["check", "fifo.yaml", "--format", "json"])
    add("yaml-design-dev-zero", b"", ERR, "the design file is a symlink to /dev/zero", more={"z.yaml": Symlink("/dev/zero")},
        argv=["check", "z.yaml", "--format", "json"])
    add("yaml-design-dev-urandom", b"", ERR, "the design file is a symlink to /dev/urandom",
        more={"r.yaml": Symlink("/dev/urandom")}, argv=["check", "r.yaml", "--format", "json"])
    return cases


# --------------------------------------------------------------------------------------------------
# Command lines

def cli_cases() -> list[Case]:
    head = "sledcheck: 1\nname: c\nunits: mm\n"
    ok_design = (head + _MIN_PARTS).encode()
    fail_design = design_yaml({"board": "{file: a.stl, role: pcb}", "hs": "{file: hs.stl, role: heatsink}",
                               "lid": "{file: lid.stl, role: lid}"}, extra="contacts:\n  - [heatsink, pcb]\n")
    files = _minimal_files(ok_design)
    cases: list[Case] = []

    def add(id_, argv, expect=ANY, note="", more=None, base=None, **kw):
        f = dict(base or files)
        f.update(more or {})
        cases.append(Case(id_, "cli", list(argv), f, expect, note, **kw))

    add("cli-output-json-over-design", ["check", "design.yaml", "--output", "json=design.yaml"], ERR,
        "--output json=<the design itself>: must refuse, not overwrite the input")
    add("cli-output-over-mesh", ["check", "design.yaml", "--output", "junit=a.stl"], ERR,
        "--output junit=<a mesh of the design>")
    add("cli-write-baseline-over-design", ["check", "design.yaml", "--write-baseline", "design.yaml"], ERR,
        "--write-baseline <the design itself>")
    add("cli-write-baseline-over-baseline-input", ["check", "design.yaml", "--baseline", "base.json",
                                                   "--write-baseline", "base.json"], ANY,
        "--baseline and --write-baseline the same file (refreshing a baseline is a normal use)",
        more={"base.json": b'{"sledcheck-baseline": 1, "design": "design.yaml", "findings": []}\n'},
        may_change=frozenset({"base.json"}))
    add("cli-output-symlink-to-design", ["check", "design.yaml", "--output", "json=link.json"], ANY,
        "--output json=link.json, a symlink to the design: the design must not change",
        more={"link.json": Symlink("design.yaml")}, may_change=frozenset({"link.json"}))
    add("cli-output-symlink-to-mesh-dir", ["check", "design.yaml", "--output", "json=out/r.json"], ANY,
        "--output into a folder that is a symlink to the case folder", more={"out": Symlink(".")},
        json_outputs=("out/r.json",))
    add("cli-output-dangling-symlink", ["check", "design.yaml", "--output", "json=d.json"], ANY,
        "--output json=d.json, a dangling symlink", more={"d.json": Symlink("missing/x.json")},
        may_change=frozenset({"d.json"}))
    # issue 8: outputs never replace anything that is not a regular file; a device or a link is refused (exit 2,
    # with a message), before any work starts
    add("cli-output-dev-null", ["check", "design.yaml", "--output", "json=/dev/null"], ERR,
        "--output json=/dev/null (run unprivileged): refused, a device", as_nobody=True)
    add("cli-output-dev-stdout", ["check", "design.yaml", "--format", "json", "--output", "sarif=/dev/stdout"],
        ERR, "--output sarif=/dev/stdout (run unprivileged): refused, a symbolic link", as_nobody=True)
    add("cli-output-is-dir", ["check", "design.yaml", "--output", "json=."], ERR, "--output json=.")
    add("cli-output-empty", ["check", "design.yaml", "--output", "json="], ERR, "--output json=")
    add("cli-output-no-format", ["check", "design.yaml", "--output", "=r.json"], ERR, "--output =r.json")
    add("cli-output-unknown-format", ["check", "design.yaml", "--output", "pdf=r.pdf"], ERR, "--output pdf=r.pdf")
    add("cli-output-300-byte-name", ["check", "design.yaml", "--output", "json=" + "r" * 300 + ".json"], ERR,
        "--output json=<305-byte name>")
    add("cli-output-missing-folder", ["check", "design.yaml", "--output", "json=no/such/r.json"], ERR,
        "--output into a missing folder")
    add("cli-output-json-valid", ["check", "design.yaml", "--output", "json=r.json", "--output", "sarif=r.sarif"],
        frozenset({0}), "two --output files (control)", json_outputs=("r.json", "r.sarif"))
    add("cli-output-same-file-twice", ["check", "design.yaml", "--output", "json=r.json", "--output", "html=r.json"],
        ANY, "two --output formats to one file")
    add("cli-design-300-byte-name", ["check", "d" * 300 + ".yaml", "--format", "json"], ERR, "a 305-byte design name")
    add("cli-design-missing", ["check", "missing.yaml", "--format", "json"], ERR, "a missing design")
    add("cli-design-dir", ["check", ".", "--format", "json"], ERR, "the design is a folder")
    add("cli-design-empty-name", ["check", "", "--format", "json"], ERR, "the design is ''")
    add("cli-design-non-utf8-name", ["check", "\udcff.yaml", "--format", "json"], frozenset({0}),
        "a design whose file name is not UTF-8 (byte 0xff)", more={"\udcff.yaml": ok_design})
    add("cli-design-newline-name", ["check", "a\nb.yaml", "--format", "json"], frozenset({0}),
        "a design whose file name has a newline", more={"a\nb.yaml": ok_design})
    add("cli-design-dash-name", ["check", "--", "-d.yaml", "--format", "json"], ANY, "a design named -d.yaml")
    add("cli-baseline-is-design", ["check", "design.yaml", "--baseline", "design.yaml"], ERR, "--baseline <the design>")
    add("cli-baseline-nan", ["check", "design.yaml", "--baseline", "b.json"], ERR, "a baseline with NaN",
        more={"b.json": b'{"sledcheck-baseline": NaN, "findings": []}'})
    add("cli-baseline-fifo", ["check", "design.yaml", "--baseline", "b.json"], ERR, "a baseline that is a FIFO",
        more={"b.json": Fifo()})
    add("cli-baseline-dev-zero", ["check", "design.yaml", "--baseline", "/dev/zero"], ERR, "--baseline /dev/zero")
    add("cli-baseline-deep-json", ["check", "design.yaml", "--baseline", "b.json"], ERR, "a baseline nested 100000 deep",
        more={"b.json": b"[" * 100_000 + b"]" * 100_000})
    add("cli-baseline-latin1", ["check", "design.yaml", "--baseline", "b.json"], ERR, "a Latin-1 baseline",
        more={"b.json": b'{"sledcheck-baseline": 1, "findings": [], "x": "\xfc"}'})
    add("cli-select-empty", ["check", "design.yaml", "--select", ""], ANY, "--select ''")
    add("cli-select-commas", ["check", "design.yaml", "--select", ",,,"], ANY, "--select ,,,")
    add("cli-select-unknown", ["check", "design.yaml", "--select", "Z999"], ERR, "--select Z999")
    add("cli-select-long", ["check", "design.yaml", "--select", ",".join(["D"] * 50_000)], ANY, "--select D,D,... (50000)")
    add("cli-fail-on-bogus", ["check", "design.yaml", "--fail-on", "bogus"], ERR, "--fail-on bogus")
    add("cli-format-bogus", ["check", "design.yaml", "--format", "pdf"], ERR, "--format pdf")
    add("cli-every-format", ["check", "design.yaml"] + sum((["--output", f"{f}=r.{f}"] for f in
                                                            ("json", "junit", "sarif", "markdown", "html", "github",
                                                             "text")), []), frozenset({0}),
        "every --output format at once", json_outputs=("r.json", "r.sarif"))
    add("cli-fail-design-json", ["check", "design.yaml", "--format", "json"], frozenset({1}),
        "an overlapping lid (control: exit 1)", base={"a.stl": stl_binary(*BASE_BOX), "hs.stl": stl_binary(*HS_BOX),
                                                      "lid.stl": stl_binary(*LID_BOX), "design.yaml": fail_design})
    add("cli-inspect-dir", ["inspect", ".", "--format", "json"], ERR, "inspect a folder")
    add("cli-inspect-no-units", ["inspect", "a.stl", "--format", "json"], ERR, "inspect an STL without --units")
    add("cli-inspect-units-bogus", ["inspect", "a.stl", "--units", "furlong"], ERR, "--units furlong")
    add("cli-inspect-no-ext", ["inspect", "noext", "--units", "mm"], ERR, "inspect a file without extension",
        more={"noext": stl_binary(*BASE_BOX)})
    add("cli-inspect-dev-zero-stl", ["inspect", "z.stl", "--units", "mm", "--format", "json"], ERR,
        "inspect z.stl -> /dev/zero", more={"z.stl": Symlink("/dev/zero")})
    add("cli-inspect-fifo", ["inspect", "p.obj", "--units", "mm", "--format", "json"], ERR, "inspect a FIFO",
        more={"p.obj": Fifo()})
    add("cli-inspect-300-byte-name", ["inspect", "m" * 300 + ".stl", "--units", "mm"], ERR, "inspect a 304-byte name")
    add("cli-specs-dev-zero", ["specs", "/dev/zero"], ERR, "specs /dev/zero")
    add("cli-specs-fifo", ["specs", "s.yaml"], ERR, "specs <a FIFO>", more={"s.yaml": Fifo()})
    add("cli-specs-design", ["specs", "design.yaml"], ERR, "specs <a design file>")
    add("cli-specs-300-byte", ["specs", "s" * 300], ERR, "specs <300-byte name>")
    add("cli-rules-bogus", ["rules", "Q" * 10_000], ERR, "rules <10000-char code>")
    add("cli-no-command", [], ERR, "no command")
    add("cli-unknown-command", ["frobnicate"], ERR, "unknown command")
    return cases


# --------------------------------------------------------------------------------------------------
# The corpus

def fixed_cases() -> list[Case]:
    """Every structured, YAML and command-line case (a fixed list, no randomness)."""
    return structured_cases() + yaml_cases() + cli_cases()


def generated_cases(seed: int, n: int, sources: list[Path] | None = None) -> Iterator[Case]:
    """``n`` generated cases: random bytes, truncations and mutations of the real files, in a fixed mix."""
    sources = source_files() if sources is None else sources
    rng = random.Random(f"sledcheck-fuzz:{seed}")
    # big files cost seconds per load (a 2.5 MB STEP takes ~20 s): give them turns in proportion
    weights = [min(1.0, 150_000 / max(1, len(_read(p)))) for p in sources]
    for i in range(n):
        r = random.Random(f"{seed}:{i}")
        pick = rng.random()
        if pick < 0.15 or not sources:
            yield random_bytes_case(r, i)
            continue
        src = r.choices(sources, weights)[0]
        if pick < 0.55:
            size = len(_read(src))
            offsets = truncation_offsets(size, r, 30)
            offset = offsets[r.randrange(len(offsets))] if offsets else 0
            yield truncation_case(src, offset, r.random() < 0.2, i)
        else:
            yield mutation_case(src, r, i)


def campaign_cases(seed: int, n: int) -> Iterator[Case]:
    """The campaign: every fixed case once, then generated cases up to ``n`` in all."""
    fixed = fixed_cases()
    yield from fixed[:n]
    yield from generated_cases(seed, max(0, n - len(fixed)))


def fast_slice(seed: int = 0, generated: int = 40) -> list[Case]:
    """The CI slice: a chosen subset of the fixed cases plus a few generated ones of each kind.

    The generated ones come from the example's CAD files only (always in the repository), so the slice is the
    same whether or not ../shared/realdata is present.
    """
    fixed = fixed_cases()
    keep = [c for c in fixed if c.id in FAST_IDS]
    gen = [replace(c, id="slice-" + c.id) for c in generated_cases(seed, generated, source_files((EXAMPLE_CAD,)))]
    return keep + gen


FAST_IDS = frozenset({
    "overlap-control", "overlap-control-ignore-M101", "overlap-nan-one-vertex-stl-binary-ignore-M101",
    "overlap-nan-one-vertex-3mf-ignore-M101", "overlap-nan-one-vertex-severity-M101-warning",
    "overlap-nan-one-vertex-stl-ascii", "overlap-nan-one-vertex-stl-binary",
    "overlap-inf-one-vertex-stl-binary", "overlap-nan-one-vertex-obj", "overlap-nan-one-vertex-ply",
    "overlap-nan-one-vertex-3mf", "overlap-nan-one-vertex-glb", "overlap-nan-position",
    "obj-index-out-of-range", "ply-index-out-of-range", "glb-index-out-of-range", "3mf-index-out-of-range",
    "ply-lying-vertex-count", "ply-lying-face-count", "obj-two-coordinates", "ply-two-coordinates",
    "3mf-zip-bomb", "gltf-uri-outside-folder", "gltf-uri-fifo", "gltf-uri-dev-zero", "gltf-valid-control",
    "degenerate-only-stl", "degenerate-only-check", "stl-multisolid-truncated-in-second", "stl-latin1-name",
    "stl-binary-all-nan-check", "step-deep-parens",
    "yaml-control", "yaml-alias-bomb", "yaml-deep-list", "yaml-huge-int-version", "yaml-huge-int-position",
    "yaml-python-tag", "yaml-custom-tag", "yaml-quantity-pow-chain", "yaml-quantity-pow-unit",
    "yaml-quantity-mul-chain", "yaml-units-long", "yaml-nul-in-file", "yaml-300-byte-file", "yaml-file-is-fifo",
    "yaml-design-fifo", "yaml-design-dev-zero", "yaml-rotation-expr",
    "cli-output-json-over-design", "cli-write-baseline-over-design", "cli-output-symlink-to-design",
    "cli-output-dev-null", "cli-output-300-byte-name", "cli-design-300-byte-name", "cli-baseline-fifo",
    "cli-design-non-utf8-name", "cli-fail-design-json", "cli-every-format",
})
