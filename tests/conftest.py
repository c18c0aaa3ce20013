"""Shared fixtures: the real CAD files, the examples, and a runner for the command line."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trimesh

from sledcheck.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
REALDATA = ROOT.parent / "shared" / "realdata"
#: Small real files carried with the tests (licences beside them), for clones without ../shared.
BUNDLED = ROOT / "tests" / "data" / "realdata"


@functools.cache
def tray_scratch() -> Path:
    """A folder of this test process with the tray example's CAD linked in (``cad/``): tests write their variants
    of the tray's designs here, never into examples/ (a checkout other workers and runs share)."""
    folder = Path(tempfile.mkdtemp(prefix="sledcheck-tray-"))
    (folder / "cad").symlink_to(EXAMPLES / "tray-1u" / "cad")
    atexit.register(shutil.rmtree, folder, True)
    return folder


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``sledcheck ARGS`` in-process; returns the exit code and what it printed."""

    def run(*args: str) -> Run:
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def _tree_digest(folder: Path) -> dict[str, str]:
    import hashlib

    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tessellation cache of the test run: a fresh folder, never the user's own cache, shared by the xdist
    workers of one run (the cache is safe for concurrent runs, and each STEP file is then meshed once)."""
    import os

    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if base.name.startswith("popen-gw") else base) / "step-cache"
    folder.mkdir(exist_ok=True)
    before = {name: os.environ.get(name) for name in ("SLEDCHECK_CACHE_DIR", "SLEDCHECK_NO_CACHE")}
    os.environ["SLEDCHECK_CACHE_DIR"] = str(folder)
    os.environ.pop("SLEDCHECK_NO_CACHE", None)
    yield folder
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session", autouse=True)
def examples_stay_untouched() -> Iterator[None]:
    """No test writes into examples/ (they are the user's first contact with the tool)."""
    before = _tree_digest(EXAMPLES)
    yield
    after = _tree_digest(EXAMPLES)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"tests changed files in examples/: {changed}"


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present")
    return REALDATA


def box_stl(path: Path, lo: tuple[float, float, float], hi: tuple[float, float, float]) -> Path:
    """Write an axis-aligned box [lo, hi] as an STL file."""
    extents = [h - lo_ for lo_, h in zip(lo, hi, strict=True)]
    centre = [(lo_ + h) / 2 for lo_, h in zip(lo, hi, strict=True)]
    trimesh.creation.box(extents=extents, transform=trimesh.transformations.translation_matrix(centre)).export(path)
    return path


@pytest.fixture
def design(tmp_path: Path) -> Callable[[str], Path]:
    """Write a design YAML (dedented) next to two box meshes, a.stl and b.stl; return its path."""
    box_stl(tmp_path / "a.stl", (0, 0, 0), (100, 100, 10))
    box_stl(tmp_path / "b.stl", (0, 0, 20), (100, 100, 30))

    def write(text: str, name: str = "design.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


MINIMAL = """
sledcheck: 1
name: minimal
units: mm
parts:
  a: {file: a.stl, role: pcb}
  b: {file: b.stl, role: lid}
"""
