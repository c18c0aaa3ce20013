"""Run a native loader (OpenCASCADE, ...) in a child process with a time and memory budget.

A crash in native code (SIGSEGV inside OpenCASCADE on a corrupt STEP file), an endless loop or a memory
blow-up then ends the child, not sledcheck: :func:`run_isolated` reports it as a :class:`ChildFailed` that
says what happened, which budget was hit and how to raise it. The child writes its results to files the
parent names (for STEP, a folder of arrays and a manifest); what it prints goes to bounded temporary files,
never to our stdout.

Usage in the parent::

    run_isolated("sledcheck.load.xde_child:step_to_folder", [step, folder, 0.01, 0.5], budget=Budget.from_env())

The child is this file run as a script (``python native.py JSON``), a fresh interpreter that imports only the
loader's module, not sledcheck: its start-up is the loader's own import time (1 to 2 s for OpenCASCADE's OCP). A fork
of the parent would start in milliseconds, but it deadlocks once the parent has used OpenCASCADE's thread pool
(the pool's threads do not survive the fork), so it is not used. This module uses only the standard library.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

TIMEOUT_ENV = "SLEDCHECK_LOAD_TIMEOUT"
MEMORY_ENV = "SLEDCHECK_LOAD_MEMORY"
DEFAULT_TIMEOUT = 300.0              # wall-clock budget of one load [s], when the file's size gives none
#: Without SLEDCHECK_LOAD_TIMEOUT a file gets BASE + PER_MIB per MiB of itself, at most MAX [s]: a real export
#: tessellates in seconds per MiB, while a small file that hangs OpenCASCADE ends within a minute.
TIMEOUT_BASE_S, TIMEOUT_PER_MIB_S, TIMEOUT_MAX_S = 20.0, 30.0, 1800.0
DEFAULT_MEMORY = 8 * 1024**3         # address-space budget of the child [bytes]
OUTPUT_TAIL = 64 * 1024              # how much of the child's stdout/stderr is kept [bytes]

#: exit codes of the child (a signal is a negative return code)
EXIT_ERROR = 3    # the loader raised an exception; its text is on stderr after ERROR_MARK
EXIT_MEMORY = 4   # the loader raised MemoryError (the address-space budget was hit)
ERROR_MARK = "sledcheck-native-error: "

_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2,
          "g": 1000**3, "gb": 1000**3, "gib": 1024**3, "t": 1000**4, "tb": 1000**4, "tib": 1024**4}
_CRASHES = {signal.SIGSEGV: "SIGSEGV", signal.SIGBUS: "SIGBUS", signal.SIGILL: "SIGILL", signal.SIGFPE: "SIGFPE",
            signal.SIGABRT: "SIGABRT"}


#: what a child that hit its address-space limit prints (C++, OpenCASCADE, the dynamic loader, Python)
_MEMORY_TEXT = re.compile(r"bad_alloc|out of memory|OutOfMemory|failed to map segment|cannot allocate memory|"
                          r"MemoryError", re.I)


class BudgetError(ValueError):
    """An environment variable that should hold a budget does not."""


def parse_size(text: str) -> int:
    """'8GiB', '512 MB', '1e9' -> bytes; raises ValueError on anything else or a size <= 0."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([a-z]*)\s*", text.lower())
    if not match or match.group(2) not in _UNITS:
        raise ValueError(f"not a size: {text!r}")
    size = int(float(match.group(1)) * _UNITS[match.group(2)])
    if size <= 0:
        raise ValueError(f"not a positive size: {text!r}")
    return size


def format_size(size: float) -> str:
    """Bytes -> '8 GiB', '512 MiB', '300 B'."""
    for unit, factor in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{int(size)} B"


def env_size(name: str, default: int) -> int:
    """A size [bytes] from environment variable ``name`` ('8GiB'), or ``default``; BudgetError when invalid."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return parse_size(raw)
    except ValueError:
        raise BudgetError(f"{name}={raw!r} is not a size; use e.g. {name}=8GiB or {name}=512MiB") from None


def env_number(name: str, default: float) -> float:
    """A positive number from environment variable ``name``, or ``default``; BudgetError when invalid."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise BudgetError(f"{name}={raw!r} is not a positive number")
    return value


@dataclass(frozen=True)
class Budget:
    """What one child may use: wall-clock ``timeout`` [s] and address space ``memory`` [bytes]."""

    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY

    @classmethod
    def from_env(cls, file_bytes: int | None = None) -> Budget:
        """The budget from SLEDCHECK_LOAD_TIMEOUT [s] and SLEDCHECK_LOAD_MEMORY ('8GiB'); without the first, a
        timeout that grows with the size of the file read (``file_bytes``), else the defaults."""
        default = DEFAULT_TIMEOUT if file_bytes is None else min(
            TIMEOUT_MAX_S, TIMEOUT_BASE_S + TIMEOUT_PER_MIB_S * file_bytes / 1024**2)
        return cls(timeout=env_number(TIMEOUT_ENV, default), memory=env_size(MEMORY_ENV, DEFAULT_MEMORY))


class ChildFailed(Exception):
    """The child did not finish its job. ``kind`` is 'crash', 'timeout', 'memory' or 'error'; ``message`` says
    what happened (naming the budget that was hit), ``hint`` how to raise that budget (empty when none was hit)
    and ``output`` is the tail of what the child printed."""

    def __init__(self, kind: str, message: str, hint: str = "", output: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.hint = hint
        self.output = output


def run_isolated(target: str, args: Sequence[Any], *, budget: Budget, kwargs: dict[str, Any] | None = None,
                 what: str = "the loader") -> str:
    """Call ``target`` ('module:function') with JSON-able ``args``/``kwargs`` in a child process under ``budget``.

    Returns what the child printed (stdout and stderr, at most the last 64 KiB) when the call returned;
    raises :class:`ChildFailed` when it crashed, timed out, ran out of memory or raised. ``what`` names the
    native code in messages ('OpenCASCADE').
    """
    payload = json.dumps({"target": target, "args": list(args), "kwargs": kwargs or {}})
    command = [sys.executable, os.path.abspath(__file__), payload]
    with tempfile.TemporaryFile() as out:
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=budget.timeout, preexec_fn=_limiter(budget), env=_child_env(),
                                  check=False)
        except subprocess.TimeoutExpired:
            raise ChildFailed("timeout", f"{what} did not finish within {budget.timeout:g} s (the {TIMEOUT_ENV} "
                              "budget)", f"if the file is just large, raise it, e.g. {TIMEOUT_ENV}="
                              f"{budget.timeout * 4:g}", _tail(out)) from None
        output = _tail(out)
    if done.returncode == 0:
        return output
    raise _failure(done.returncode, output, budget, what)


def _failure(code: int, output: str, budget: Budget, what: str) -> ChildFailed:
    """Why the child ended with ``code``, as a ChildFailed."""
    if code == EXIT_MEMORY or (code != 0 and _MEMORY_TEXT.search(output)):
        return ChildFailed("memory", f"{what} ran out of its memory budget of {format_size(budget.memory)} "
                           f"(the {MEMORY_ENV} budget)", f"if the file is just large, raise it, e.g. "
                           f"{MEMORY_ENV}={format_size(budget.memory * 2).replace(' ', '')}", output)
    if code == -signal.SIGXCPU:
        return ChildFailed("timeout", f"{what} used more CPU time than its budget (derived from {TIMEOUT_ENV}="
                           f"{budget.timeout:g} s)", f"if the file is just large, raise it, e.g. {TIMEOUT_ENV}="
                           f"{budget.timeout * 4:g}", output)
    if code == EXIT_ERROR:
        marked = [line for line in output.splitlines() if line.startswith(ERROR_MARK)]
        error = marked[-1][len(ERROR_MARK):] if marked else "an exception"
        return ChildFailed("error", f"{what} failed ({error})", "", output)
    if code < 0:
        try:
            name = _CRASHES.get(signal.Signals(-code)) or signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return ChildFailed("crash", f"{what} crashed ({name})", "", output)
    return ChildFailed("crash", f"{what} exited with status {code}", "", output)


def _limiter(budget: Budget) -> Callable[[], None]:
    """The child's set-up before exec: address-space budget, a CPU-time backstop, no core dump."""
    cpu = int(budget.timeout * max(1, os.cpu_count() or 1)) + 5   # threads add up CPU time; wall time rules

    def limit() -> None:  # pragma: no cover - runs in the child
        import resource
        for which, value in ((resource.RLIMIT_AS, budget.memory), (resource.RLIMIT_CPU, cpu),
                             (resource.RLIMIT_CORE, 0)):
            hard = resource.getrlimit(which)[1]
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, hard))
    return limit


def _child_env() -> dict[str, str]:
    """The parent's environment, with thread pools that would reserve address space kept small."""
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


def _tail(handle: IO[bytes]) -> str:
    """The last OUTPUT_TAIL bytes written to ``handle``, decoded."""
    size = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, size - OUTPUT_TAIL))
    return handle.read().decode("utf-8", "replace")


def _child(payload: str) -> int:  # pragma: no cover - runs in the child
    """Import and call the target; the exit code says how it went (errors are written to fd 2)."""
    try:
        job = json.loads(payload)
        module, _, function = job["target"].partition(":")
        call = getattr(importlib.import_module(module), function)
        call(*job["args"], **job["kwargs"])
    except MemoryError:
        return EXIT_MEMORY
    except BaseException as err:  # noqa: BLE001 - reported to the parent, which words it
        text = " ".join(f"{type(err).__name__}: {err}".split())[:500]
        os.write(2, f"\n{ERROR_MARK}{text}\n".encode("utf-8", "replace"))
        return EXIT_ERROR
    return 0


if __name__ == "__main__":  # pragma: no cover - the child
    sys.path.pop(0)   # this file's folder (sledcheck/load) must not shadow top-level modules
    sys.exit(_child(sys.argv[1]))
