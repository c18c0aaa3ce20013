"""Hostile inputs from pull requests: no data loss, no denial of service, no internal errors, strict reports."""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import MINIMAL, Run
from sledcheck.checks.engine import Finding
from sledcheck.cli import main
from sledcheck.report.json_format import render_json
from sledcheck.report.model import Report
from sledcheck.units import Q_

ROOT = Path(__file__).resolve().parents[1]
Cli = Callable[..., Run]
Design = Callable[..., Path]


def _subprocess(*args: str, cwd: Path, env: dict[str, str] | None = None,
                **kwargs: object) -> subprocess.CompletedProcess[str]:
    """``python -m sledcheck ARGS`` in a child process (stdout and stderr captured unless given)."""
    options = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "sledcheck", *args], cwd=cwd, env=environment, timeout=60,
                          text=True, check=False, **options)  # type: ignore[call-overload]


def _error(result: Run, *fragments: str) -> str:
    assert result.code == 2, (result.code, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    message = result.err.strip().splitlines()[-1]
    assert message.startswith("sledcheck: error: "), message
    for fragment in fragments:
        assert fragment in message, message
    return message


# -- 1. data loss: never write over an input, a link, a special file, or one output twice ---------------------

@pytest.mark.parametrize("args", [
    ("--output", "json={design}"),
    ("--write-baseline", "{design}"),
    ("--output", "json={mesh}"),
    ("--output", "sarif={hardlink}"),
])
def test_outputs_never_overwrite_an_input(cli: Cli, design: Design, tmp_path: Path, args: tuple[str, str]) -> None:
    path = design(MINIMAL)
    os.link(path, tmp_path / "hardlink.json")
    before = {p: p.read_bytes() for p in (path, tmp_path / "a.stl")}
    argv = [a.format(design=path, mesh=tmp_path / "a.stl", hardlink=tmp_path / "hardlink.json") for a in args]
    message = _error(cli("check", path, *argv), "which this run reads", "write the report to another path")
    assert ("the design file" in message) or ("mesh of part 'a'" in message)
    assert {p: p.read_bytes() for p in before} == before


def test_the_baseline_and_a_spec_pack_are_inputs_too(cli: Cli, design: Design, tmp_path: Path) -> None:
    path = design(MINIMAL)
    baseline = tmp_path / "base.json"
    assert cli("check", path, "--write-baseline", baseline).code == 0
    _error(cli("check", path, "--baseline", baseline, "--write-baseline", baseline), "the --baseline file")
    spec = tmp_path / "spec.yaml"
    spec.write_text("sledcheck-spec: 1\nname: mine\n", encoding="utf-8")
    with_spec = design(MINIMAL + "specs: [spec.yaml]\n", "with-spec.yaml")
    _error(cli("check", with_spec, "--output", f"json={spec}"), "the spec pack 'mine'")


def test_outputs_are_refused_before_meshes_load(cli: Cli, design: Design) -> None:
    path = design(MINIMAL.replace("a.stl", "missing.stl"))
    _error(cli("check", path, "--output", f"json={path}"), "the design file")


def test_a_symlink_is_never_replaced(cli: Cli, design: Design, tmp_path: Path) -> None:
    path = design(MINIMAL)
    (tmp_path / "real.json").write_text("keep", encoding="utf-8")
    for name, target in (("link.json", "real.json"), ("dangling.json", "nowhere.json")):
        link = tmp_path / name
        link.symlink_to(target)
        _error(cli("check", path, "--output", f"json={link}"), "is a symbolic link", "never replaces a link")
        assert link.is_symlink()
    assert (tmp_path / "real.json").read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_special_files_are_never_replaced(cli: Cli, design: Design, tmp_path: Path, kind: str) -> None:
    target = Path(os.devnull)
    if kind == "fifo":
        target = tmp_path / "pipe.json"
        os.mkfifo(target)
    _error(cli("check", design(MINIMAL), "--output", f"json={target}"), "is not a regular file")
    assert not stat.S_ISREG(os.stat(target).st_mode)


@pytest.mark.parametrize("second", ["r.json", "./r.json", "sub/../r.json"])
def test_two_outputs_to_one_file_are_refused(cli: Cli, design: Design, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             second: str) -> None:
    path = design(MINIMAL)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    _error(cli("check", path, "--output", "json=r.json", "--output", f"sarif={second}"), "write the same file")
    assert not (tmp_path / "r.json").exists()


def test_reports_are_ordinary_files_with_normal_permissions(cli: Cli, design: Design, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o600)
    assert cli("check", design(MINIMAL), "--output", f"json={out}").code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    assert json.loads(out.read_text(encoding="utf-8"))["verdict"] == "pass"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# -- 2. denial of service from small files ----------------------------------------------------------------

BOMB = "\n".join(['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
                 + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)])


@pytest.mark.parametrize(("text", "line", "fragments"), [
    (BOMB, 1, ["YAML anchors (&a) are not supported"]),
    ("sledcheck: 1\nx: *nothing\n", 2, ["YAML aliases (*nothing) are not supported"]),
    ("[" * 100_000, 1, ["nested more than 64 levels"]),
    ("sledcheck: 1\nx: " + "[" * 70 + "]" * 70 + "\n", 2, ["nested more than 64 levels", "flatten"]),
    ("sledcheck: 1\nname: " + "9" * 100_000 + "\n", 2, ["a value of 100000 characters; the limit is 65536",
                                                       "SLEDCHECK_MAX_YAML_SCALAR"]),
    ("sledcheck: 1\nname: " + "9" * 300 + "\n", 2, ["a number of 300 characters; the limit is 100"]),
    ("sledcheck: 1\nname: " + "x" * 1_000_000 + "\n", 2, ["the limit is 65536"]),
    ("x: [" + ",".join(["1"] * 50_001) + "]\n", 1, ["more than 50000 YAML values", "SLEDCHECK_MAX_YAML_NODES"]),
    ("sledcheck: 1\nx: !!python/object:os.system ls\n", 2, ["YAML tag '!!python/object:os.system' is not allowed"]),
    ("sledcheck: 1\nx: !custom 1\n", 2, ["YAML tag '!custom' is not allowed"]),
    ("sledcheck: 1\nx: !!binary aGVsbG8=\n", 2, ["YAML tag '!!binary' is not allowed"]),
    ("sledcheck: 1\nx: !!set {a}\n", 2, ["YAML tag '!!set' is not allowed"]),
    ("sledcheck: 1\n---\nname: x\n", 2, ["more than one YAML document"]),
    ("sledcheck: 1\nname: a\x07b\n", 2, ["is not allowed in YAML"]),
])
def test_small_hostile_yaml_ends_fast_with_the_file_line_and_limit(cli: Cli, design: Design, text: str, line: int,
                                                                   fragments: list[str]) -> None:
    path = design(text)
    start = time.process_time()
    result = cli("check", path)
    assert time.process_time() - start < 1.5
    _error(result, f"{path}:{line}: ", *fragments)


def test_a_big_file_is_refused_by_its_size(cli: Cli, design: Design, monkeypatch: pytest.MonkeyPatch) -> None:
    path = design(MINIMAL + "#" * 5_000_000 + "\n")
    _error(cli("check", path), f"{path}: the file is 5", "the limit is 4194304 bytes", "SLEDCHECK_MAX_YAML_BYTES")
    monkeypatch.setenv("SLEDCHECK_MAX_YAML_BYTES", "8000000")
    assert cli("check", path).code == 0


def test_a_fan_model_is_read_within_the_yaml_limits(cli: Cli, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples" / "tray-1u", tmp_path / "tray")
    design = tmp_path / "tray" / "fixed.yaml"
    text = design.read_text(encoding="utf-8")
    assert "model: server-40x56-dual-rotor" in text
    design.write_text(text.replace("model: server-40x56-dual-rotor", "model: bomb.yaml"), encoding="utf-8")
    (tmp_path / "tray" / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    _error(cli("check", design), "bomb.yaml:1: YAML anchors (&a) are not supported")


@pytest.mark.parametrize(("value", "fragments"), [
    ("9**9**9", ["cannot read '9**9**9' as a quantity", "e.g. '90 deg'"]),
    ("1 9**9**9", ["cannot read '1 9**9**9' as a quantity", "e.g. '90 deg'"]),
    ("90 " + "m" * 5000, ["is too long for a quantity", "e.g. '90 deg'"]),
])
def test_angles_are_never_evaluated(cli: Cli, design: Design, value: str, fragments: list[str]) -> None:
    placed = f"{{file: a.stl, role: pcb, rotation: [0, 0, '{value}']}}"
    path = design(MINIMAL.replace("{file: a.stl, role: pcb}", placed))
    start = time.process_time()
    result = cli("check", path)
    assert time.process_time() - start < 1.5
    _error(result, f"{path}:5: parts.a.rotation[2]: ", *fragments)


@pytest.mark.parametrize(("value", "fragments"), [
    ("9**9**9 mm", ["cannot read '9**9**9 mm'", "one number and one unit"]),
    ("1 mm**9**9", ["expected a unit name in the unit 'mm**9**9' at '**'"]),
    ("1 mm^99", ["an exponent above 12"]),
    ("1 " + "m*" * 40 + "m", ["characters long; a unit has at most 64"]),
    ("1 " + "m*" * 200 + "m", ["is too long for a quantity (at most 100 characters"]),
    ("1 __import__('os')", ["unexpected"]),
    ("1" * 200 + " mm", ["is too long for a quantity"]),
    ("1e999 mm", ["finite"]),
    ("2 furlongz", ["unknown unit 'furlongz'"]),
])
def test_clearances_are_one_number_and_one_unit(cli: Cli, design: Design, value: str, fragments: list[str]) -> None:
    path = design(MINIMAL + f'clearance:\n  - {{min: "{value}"}}\n')
    _error(cli("check", path), f"{path}:8: clearance[0].min: ", *fragments)


# -- 3. internal errors become messages -------------------------------------------------------------------

def test_design_paths_that_cannot_be_read(cli: Cli, tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    fifo = tmp_path / "design.fifo"
    os.mkfifo(fifo)
    cases = [
        (loop, "too many levels of symbolic links"),
        (tmp_path / ("x" * 300 + ".yaml"), "the file name is too long"),
        (f"{tmp_path}/a\0b.yaml", "the path contains a NUL byte"),
        ("/dev/zero", "is not a regular file"),
        (fifo, "is not a regular file"),
        (tmp_path, "is a folder"),
        (tmp_path / "red\x1b[31m\nname.yaml", "red\\x1b[31m\\nname.yaml: file not found"),
    ]
    for path, fragment in cases:
        start = time.process_time()
        message = _error(cli("check", path), fragment)
        assert time.process_time() - start < 1.5
        assert "\0" not in message


@pytest.mark.parametrize(("content", "fragments"), [
    (b"", [":1: the design file is empty"]),
    (b"sledcheck: 1\nname: caf\xe9\n", [":2: not UTF-8 text: byte 0xe9 at byte offset 22", "save the file as UTF-8"]),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", [":1: a binary file, not YAML text (NUL byte at byte offset 7)"]),
    (b"\xff\xfes\x00l\x00", [":1: a binary file"]),
])
def test_empty_binary_and_non_utf8_designs(cli: Cli, tmp_path: Path, content: bytes, fragments: list[str]) -> None:
    path = tmp_path / "design.yaml"
    path.write_bytes(content)
    _error(cli("check", path), *fragments)


def test_a_special_mesh_is_refused_before_it_is_opened(cli: Cli, design: Design, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.stl")
    path = design(MINIMAL.replace("a.stl", "pipe.stl"))
    _error(cli("check", path), f"{path}:5: parts.a.file: {tmp_path / 'pipe.stl'}: is a named pipe (FIFO)")
    _error(cli("inspect", str(tmp_path / "pipe.stl")), "pipe.stl: is a named pipe (FIFO), not a regular file")
    _error(cli("inspect", "/dev/zero"), "/dev/zero: unsupported file type")


def test_a_baseline_that_is_a_device_is_refused(cli: Cli, design: Design) -> None:
    _error(cli("check", design(MINIMAL), "--baseline", "/dev/zero"), "/dev/zero: is not a regular file")


def test_internal_errors_show_the_traceback_only_with_debug(cli: Cli, design: Design,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("sledcheck.pipeline.check", broken)
    result = cli("check", design(MINIMAL))
    assert result.code == 2 and "internal error: RuntimeError: boom" in result.err and "Traceback" not in result.err
    assert "--debug" in result.err
    for args in (("--debug", "check", design(MINIMAL)), ("check", design(MINIMAL), "--debug")):
        result = cli(*args)
        assert result.code == 2 and "Traceback" in result.err and "RuntimeError: boom" in result.err
    monkeypatch.setenv("SLEDCHECK_DEBUG", "1")
    assert "Traceback" in cli("check", design(MINIMAL)).err


def test_keyboard_interrupt_is_exit_130_and_blames_no_file(cli: Cli, design: Design,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("sledcheck.pipeline.check", interrupted)
    result = cli("check", design(MINIMAL))
    assert (result.code, result.err) == (130, "sledcheck: interrupted\n")


SLOW_CHECK = """
import signal, sys, time
# a shell starts background jobs (a CI runner's too) with SIGINT ignored; a user's Ctrl-C reaches a foreground
# process with Python's default handler, which is what this child stands for
signal.signal(signal.SIGINT, signal.default_int_handler)
import sledcheck.pipeline
def slow(*args, **kwargs):
    sys.stderr.write("ready\\n"); sys.stderr.flush(); time.sleep(50)
sledcheck.pipeline.check = slow
from sledcheck.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_sigint_in_a_child_process(design: Design, tmp_path: Path) -> None:
    path = design(MINIMAL)
    child = subprocess.Popen([sys.executable, "-c", SLOW_CHECK, "check", str(path)], cwd=tmp_path,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stderr is not None
        before = []   # a first run in a fresh environment may print a library's one-time notice first
        while (line := child.stderr.readline()) not in ("ready\n", ""):
            before.append(line)
        assert line == "ready\n", before
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 130, (before, err)
    assert err == "sledcheck: interrupted\n", (before, err)


@pytest.mark.slow
def test_stdout_full_or_closed(design: Design, tmp_path: Path) -> None:
    path = design(MINIMAL)
    with open("/dev/full", "w") as full:
        done = _subprocess("check", str(path), cwd=tmp_path, stdout=full)
    assert done.returncode == 2
    assert done.stderr == ("sledcheck: error: cannot write the report to standard output: No space left on device "
                           "(check the disk or the pipe it goes to; or use --output FORMAT=PATH)\n")
    done = _subprocess("check", str(path), cwd=tmp_path, stdout=None, preexec_fn=lambda: os.close(1))
    assert done.returncode == 2
    assert "standard output is closed" in done.stderr and "Traceback" not in done.stderr


def _unicode_design(design: Design, tmp_path: Path) -> Path:
    (tmp_path / "ä.stl").write_bytes((tmp_path / "a.stl").read_bytes())
    return design(MINIMAL.replace("a.stl", "ä.stl").replace("name: minimal", "name: Kühler-Ω"), "désign.yaml")


def _check_escaped(fmt: str, out: str) -> None:
    assert out.isascii()
    if fmt in ("json", "sarif"):
        parsed = json.loads(out)
        if fmt == "json":
            assert parsed["name"] == "Kühler-Ω" and parsed["design"] == "désign.yaml"
    if fmt == "junit":
        assert "K&#252;hler" in out or "d&#233;sign" in out


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "junit", "markdown", "html", "github"])
def test_an_ascii_only_stdout_gets_escapes_that_keep_the_format_valid(design: Design, tmp_path: Path, fmt: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = _unicode_design(design, tmp_path)
    monkeypatch.chdir(tmp_path)
    buffer = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(buffer, encoding="ascii", newline="\n"))
    assert main(["check", path.name, "--format", fmt]) == 0
    sys.stdout.flush()
    _check_escaped(fmt, buffer.getvalue().decode("ascii"))


@pytest.mark.parametrize("fmt", ["json", pytest.param("text", marks=pytest.mark.slow),
                                 pytest.param("junit", marks=pytest.mark.slow)])
def test_pythonioencoding_ascii_in_a_child_process(design: Design, tmp_path: Path, fmt: str) -> None:
    path = _unicode_design(design, tmp_path)
    done = _subprocess("check", path.name, "--format", fmt, cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    _check_escaped(fmt, done.stdout)


@pytest.mark.slow
def test_non_utf8_file_names_under_the_c_locale(design: Design, tmp_path: Path) -> None:
    name = os.fsdecode(b"d\xe9sign.yaml")
    path = design(MINIMAL, name)
    for fmt in ("json",):
        done = _subprocess("check", path.name, "--format", fmt, cwd=tmp_path, env={"LANG": "C", "LC_ALL": "C"})
        assert done.returncode == 0, done.stderr
        if fmt == "json":
            json.loads(done.stdout)
    done = _subprocess("check", "n\xe9pe.yaml", cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 2 and done.stderr.startswith("sledcheck: error: n\\xe9pe.yaml: file not found")


# -- 4. strict reports ------------------------------------------------------------------------------------

def test_json_reports_never_contain_nan_or_infinity() -> None:
    finding = Finding(code="D201", name="clearance", severity="error", message="gap", subjects=("a", "b"),
                      measured=Q_(math.nan, "mm"), limit=Q_(math.inf, "mm"),
                      data={"gap_mm": math.nan, "points": [[1.0, -math.inf], (math.nan,)], "nested": {"x": math.inf}})
    report = Report(design="d.yaml", name="d", specs=(), findings=(finding,), parts=(), rules_run=(),
                    incomplete=False, fail_on="error")
    text = render_json(report)
    parsed = json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name} in the JSON"))
    item = parsed["findings"][0]
    assert item["measured"]["value"] is None and item["limit"]["value"] is None
    assert item["data"] == {"gap_mm": None, "points": [[1.0, None], [None]], "nested": {"x": None}}


def test_paths_the_campaign_found(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the fuzz campaign on the merged code: an empty path, a link to a device (named as given, not by
    its target), and 300-byte names for inspect and specs each end in a message, never an internal error."""
    monkeypatch.chdir(tmp_path)
    _error(cli("check", ""), "argument design: the path is empty")
    _error(cli("inspect", ""), "argument mesh: the path is empty")
    (tmp_path / "z.stl").symlink_to("/dev/zero")
    _error(cli("inspect", "z.stl"), "z.stl: is a character device, not a regular file")
    _error(cli("inspect", "m" * 300 + ".stl"), "the path is too long for the system")
    _error(cli("specs", "s" * 300), "no spec pack")
