"""Run one fuzz case in a child process and classify what happened.

Budget per case: :data:`TIMEOUT` seconds of wall clock and :data:`MEMORY` bytes of address space
(RLIMIT_AS, 4 GiB). Two ways to run a case, same limits and same classification:

- ``mode="subprocess"``: ``[sys.executable, "-m", "sledcheck", *argv]`` (exactly what a user runs; ~1-2 s of
  imports per case), limits set in ``preexec_fn``;
- a :class:`Driver`: one pre-imported server (``driver.py``) that forks a child per case (~0.1 s per case).

Outcome classes, checked in this order (the first that applies wins):

``hang``            no exit within the timeout (killed)
``memory``          MemoryError / std::bad_alloc / killed by SIGKILL without a timeout (memory blow-up)
``signal``          killed by a signal (returncode < 0): a native crash
``input-modified``  a file that was there before the run changed or went away (hashes before/after)
``internal-error``  stderr has "internal error" or "Traceback"
``wrong-pass``      exit 0 for a case built to fail
``invalid-report``  exit 0/1 with --format json and stdout not strict UTF-8 JSON (NaN/Infinity refused), or no
                    report at all; or a --output JSON file that is not strict JSON
``bad-message``     exit 2 without a ``sledcheck: error:`` line naming a file (or, for a bad command line,
                    the option)
``wrong-exit``      any other exit code outside the case's ``expect`` (e.g. a valid file refused)
``ok``
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import resource
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .corpus import Case, materialise

TIMEOUT = 60.0
MEMORY = 4 * 1024**3
OUTCOMES = ("ok", "hang", "memory", "signal", "input-modified", "internal-error", "wrong-pass", "invalid-report",
            "bad-message", "wrong-exit")
FAILURES = OUTCOMES[1:]
DRIVER = Path(__file__).with_name("driver.py")
_CAP = 200_000   # characters of stdout/stderr kept in a result


@dataclass
class Result:
    case: str
    kind: str
    outcome: str
    detail: str
    returncode: int | None
    timed_out: bool
    seconds: float
    max_rss_kib: int | None
    note: str
    command: str
    stdout: str = ""
    stderr: str = ""

    def brief(self) -> dict:
        out = asdict(self)
        out["command"] = _shorten(self.command)
        out["detail"] = _shorten(self.detail)
        out["stdout"] = self.stdout[:2000]
        out["stderr"] = self.stderr[-3000:]
        return out


# --------------------------------------------------------------------------------------------------

def _shorten(text: str, keep: int = 240) -> str:
    return text if len(text) <= keep else f"{text[:keep]}...[{len(text)} chars]"


def _strict_json(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def snapshot(folder: Path) -> dict[str, str]:
    """A hash of every entry below ``folder`` (not following symlinks; FIFOs are never opened)."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            try:
                st = path.lstat()
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                found[rel] = "link:" + os.readlink(path)
            elif stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                with path.open("rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        h.update(block)
                found[rel] = "file:" + h.hexdigest()
            elif stat.S_ISDIR(st.st_mode):
                found[rel] = "dir"
            else:
                found[rel] = f"special:{stat.S_IFMT(st.st_mode)}"
    return found


def _names(case: Case) -> set[str]:
    names = set()
    for key in case.files:
        names.add(key)
        names.add(Path(key).name)
    for arg in case.argv:
        if arg and not arg.startswith("-"):
            names.add(arg.partition("=")[2] or arg)
    return {n for n in names if n}


_ERROR_LINE = re.compile(r"^sledcheck: error: (.*)$", re.M)


def classify(case: Case, rc: int | None, timed_out: bool, stdout: str, stderr: str,
             before: dict[str, str], after: dict[str, str], folder: Path, stdout_utf8: bool = True) -> tuple[str, str]:
    """The outcome class of one run and a one-line detail."""
    if timed_out:
        return "hang", "no exit within the timeout; killed"
    both = stdout[-20000:] + stderr
    if re.search(r"MemoryError|bad_alloc|Cannot allocate memory|out of memory", both) or rc == -signal.SIGKILL:
        line = next((ln for ln in stderr.splitlines() if re.search(r"Memory|alloc", ln)), f"returncode {rc}")
        return "memory", line.strip()[:300]
    if rc is not None and rc < 0:
        return "signal", f"killed by {signal.Signals(-rc).name}"
    changed = sorted(k for k, v in before.items() if k not in case.may_change and after.get(k) != v)
    if changed:
        return "input-modified", "changed or removed: " + ", ".join(changed[:5])
    if "internal error" in stderr or "Traceback" in stderr:
        line = next((ln for ln in stderr.splitlines() if "internal error" in ln), None)
        if line is None:
            tail = [ln for ln in stderr.splitlines() if ln.strip()]
            line = tail[-1] if tail else "Traceback"
        return "internal-error", line.strip()[:300]
    if rc == 0 and 0 not in case.expect:
        return "wrong-pass", f"exit 0 for a case that must fail ({case.note})"[:300]
    if rc in (0, 1):
        if not stdout.strip():
            return "invalid-report", f"exit {rc} with nothing on standard output"
        if case.json_stdout:
            if not stdout_utf8:
                return "invalid-report", "the JSON report on stdout is not UTF-8"
            try:
                data = _strict_json(stdout)
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
            except ValueError as err:
                return "invalid-report", f"stdout is not strict JSON: {str(err)[:200]}"
        for name in case.json_outputs:
            path = folder / name
            if not path.exists():
                return "invalid-report", f"--output {name} was not written"
            try:
                _strict_json(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as err:
                return "invalid-report", f"--output {name} is not strict JSON: {str(err)[:200]}"
    if rc == 2:
        lines = _ERROR_LINE.findall(stderr)
        if not lines:
            return "bad-message", "exit 2 without a 'sledcheck: error:' line: " + (stderr.strip()[-200:] or "(silent)")
        command_line = "usage:" in stderr or any(ln.startswith(("--", "argument ")) for ln in lines)
        names = _names(case)
        if not (command_line or any(n in ln for ln in lines for n in names)):
            return "bad-message", "exit 2 but no error line names a file: " + lines[0][:200]
    if rc not in case.expect:
        return "wrong-exit", f"exit {rc}, expected {sorted(case.expect)} ({case.note})"[:300]
    return "ok", ""


# --------------------------------------------------------------------------------------------------

def command_line(case: Case) -> str:
    """The reproduction command, to run in the case folder."""
    return "python -m sledcheck " + " ".join(shlex.quote(a) for a in case.argv)


def _limits(memory: int, as_nobody: bool):  # type: ignore[no-untyped-def]
    def apply() -> None:
        os.setpgid(0, 0)
        if as_nobody:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def _run_subprocess(case: Case, folder: Path, timeout: float, memory: int) -> dict:
    out_path, err_path = folder.parent / "stdout", folder.parent / "stderr"
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    start = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "sledcheck", *case.argv], cwd=folder, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err, env=env, preexec_fn=_limits(memory, case.as_nobody))
        timed_out = False
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    return {"returncode": proc.returncode, "timed_out": timed_out, "seconds": round(time.monotonic() - start, 3),
            "max_rss_kib": None}


class Driver:
    """A running ``driver.py``: pre-imported sledcheck, one forked child per case. Not thread-safe: one per thread."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def _start(self) -> None:
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
        self.proc = subprocess.Popen([sys.executable, str(DRIVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1, env=env)
        ready = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not ready:
            raise RuntimeError("the fuzz driver did not start")

    def run(self, request: dict) -> dict:
        with self.lock:
            for _attempt in range(2):
                if self.proc is None or self.proc.poll() is not None:
                    self._start()
                try:
                    self.proc.stdin.write(json.dumps(request) + "\n")  # type: ignore[union-attr]
                    self.proc.stdin.flush()  # type: ignore[union-attr]
                    line = self.proc.stdout.readline()  # type: ignore[union-attr]
                except (BrokenPipeError, OSError):
                    line = ""
                if line:
                    answer = json.loads(line)
                    if "driver_error" in answer:
                        raise RuntimeError(answer["driver_error"])
                    return answer
                self.close()
            raise RuntimeError("the fuzz driver died twice on one case")

    def close(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(Exception):
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(5)
            with contextlib.suppress(Exception):
                self.proc.kill()
            self.proc = None


def _read_output(path: Path, limit: int = 256 * 1024**2) -> tuple[str, bool]:
    """All of a captured stream (up to 256 MiB), decoded (invalid UTF-8 shows as U+FFFD), and whether it was UTF-8."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit)
    except OSError:
        return "", True
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), False


def run_case(case: Case, mode: str | Driver = "subprocess", timeout: float = TIMEOUT, memory: int = MEMORY,
             keep: Path | None = None) -> Result:
    """Materialise ``case`` in a fresh folder, run it, classify it, clean up (unless ``keep``: a folder to use)."""
    top = Path(tempfile.mkdtemp(prefix="sledfuzz-")) if keep is None else keep
    folder = top / "case"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        materialise(case, folder)
        if case.as_nobody:
            os.chmod(top, 0o777)
            os.chmod(folder, 0o777)
        before = snapshot(folder)
        if isinstance(mode, Driver):
            answer = mode.run({"argv": case.argv, "cwd": str(folder), "stdout": str(top / "stdout"),
                               "stderr": str(top / "stderr"), "timeout": timeout, "memory": memory,
                               "as_nobody": case.as_nobody})
        else:
            answer = _run_subprocess(case, folder, timeout, memory)
        (stdout, utf8), (stderr, _) = _read_output(top / "stdout"), _read_output(top / "stderr")
        after = snapshot(folder)
        outcome, detail = classify(case, answer["returncode"], answer["timed_out"], stdout, stderr, before, after,
                                   folder, stdout_utf8=utf8)
        return Result(case=case.id, kind=case.kind, outcome=outcome, detail=detail, returncode=answer["returncode"],
                      timed_out=answer["timed_out"], seconds=answer["seconds"], max_rss_kib=answer.get("max_rss_kib"),
                      note=case.note, command=command_line(case), stdout=stdout[:_CAP], stderr=stderr[-_CAP:])
    finally:
        if keep is None:
            shutil.rmtree(top, ignore_errors=True)


def run_many(cases, jobs: int = 2, timeout: float = TIMEOUT, memory: int = MEMORY, subprocess_mode: bool = False,
             on_result=None) -> list[Result]:  # type: ignore[no-untyped-def]
    """Run ``cases`` ``jobs`` at a time (one driver per lane unless ``subprocess_mode``), in completion order.

    ``on_result(result, done, total)`` is called under a lock after each case. A harness failure becomes a
    ``harness-error`` result; the run goes on.
    """
    import queue

    work: queue.Queue = queue.Queue()
    cases = list(cases)
    for case in cases:
        work.put(case)
    results: list[Result] = []
    lock = threading.Lock()

    def lane() -> None:
        driver = None if subprocess_mode else Driver()
        try:
            while True:
                try:
                    case = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    result = run_case(case, "subprocess" if driver is None else driver, timeout, memory)
                except Exception as err:  # noqa: BLE001
                    result = Result(case.id, case.kind, "harness-error", f"{type(err).__name__}: {err}", None, False,
                                    0.0, None, case.note, command_line(case))
                with lock:
                    results.append(result)
                    if on_result is not None:
                        on_result(result, len(results), len(cases))
        finally:
            if driver is not None:
                driver.close()

    threads = [threading.Thread(target=lane, daemon=True) for _ in range(max(1, jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
