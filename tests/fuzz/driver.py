"""A fuzz-case server: import sledcheck once, then fork one child per case.

Run as a script (``python tests/fuzz/driver.py``); it reads one JSON request per line on stdin and writes one
JSON answer per line on stdout. Each case runs in a fresh forked child, so a crash, a hang, a memory blow-up or
leftover state of one case cannot touch the next: the child gets its own working folder, stdin from
/dev/null, stdout/stderr to the files the request names, an RLIMIT_AS budget, and is killed (SIGKILL) at
its wall-clock timeout. The child calls ``sledcheck.cli.main(argv)`` exactly as ``python -m sledcheck``
does and ends with ``os._exit`` (an uncaught exception prints its traceback and exits 1, as Python would).

Request:  {"argv": [...], "cwd": DIR, "stdout": FILE, "stderr": FILE, "timeout": s, "memory": bytes,
           "as_nobody": bool}
Answer:   {"returncode": n (negative: killed by that signal), "timed_out": bool, "seconds": s,
           "max_rss_kib": n}

Only the standard library and sledcheck are imported here (no test code), so the server is what a user runs.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")   # no BLAS thread pools: forking a process with live threads is unsafe

import contextlib  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import pkgutil  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

_STDOUT = (sys.stdout.encoding, sys.stdout.errors)
_STDERR = (sys.stderr.encoding, sys.stderr.errors)


def preload() -> None:
    """Import everything a check may import, so the forked children start warm."""
    import sledcheck

    for mod in pkgutil.walk_packages(sledcheck.__path__, "sledcheck."):
        if mod.name.endswith(("__main__", "xde_child")):   # the child's OpenCASCADE stays out of the parent
            continue
        with contextlib.suppress(Exception):   # an optional module: the child imports (and fails) itself
            importlib.import_module(mod.name)
    for name in ("trimesh", "trimesh.exchange.load", "trimesh.exchange.threemf", "trimesh.exchange.gltf",
                 "trimesh.exchange.ply", "trimesh.exchange.obj", "trimesh.exchange.stl", "lxml.etree",
                 "manifold3d", "fcl", "shapely", "scipy.spatial", "matplotlib", "matplotlib.pyplot"):
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def _child(req: dict) -> None:  # never returns
    code = 1
    try:
        os.setpgid(0, 0)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        out = os.open(req["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        err = os.open(req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, 1)
        os.dup2(err, 2)
        for fd in (null, out, err):
            os.close(fd)
        # the encodings and error handlers `python -m sledcheck` would get in this environment (locale,
        # PYTHONIOENCODING): strict in a UTF-8 locale, surrogateescape in C/POSIX
        sys.stdout = open(1, "w", encoding=_STDOUT[0], errors=_STDOUT[1], closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding=_STDERR[0], errors=_STDERR[1], closefd=False)  # noqa: SIM115
        os.chdir(req["cwd"])
        if req.get("as_nobody"):
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        mem = int(req["memory"])
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)   # what Python sets at start-up
        signal.signal(signal.SIGINT, signal.default_int_handler)
        argv = list(req["argv"])   # lone surrogates arrive as sys.argv has them (surrogateescape)
        sys.argv = ["sledcheck", *argv]
        from sledcheck.cli import main

        try:
            code = main(argv)
        except SystemExit as exit_:
            if exit_.code is None:
                code = 0
            elif isinstance(exit_.code, int):
                code = exit_.code
            else:
                sys.stderr.write(f"{exit_.code}\n")
                code = 1
    except BaseException:  # noqa: BLE001 - what the interpreter would print for an uncaught exception
        with contextlib.suppress(BaseException):
            traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001 - Python exits 120 when it cannot flush stdout at exit
                code = 120
        os._exit(int(code) & 0xFF)


def run(req: dict) -> dict:
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(req)
    deadline = start + float(req["timeout"])
    timed_out = False
    delay = 0.002
    while True:
        wpid, status, usage = os.wait4(pid, os.WNOHANG)
        if wpid:
            break
        if time.monotonic() > deadline:
            timed_out = True
            for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
                with contextlib.suppress(OSError):
                    target()
            wpid, status, usage = os.wait4(pid, 0)
            break
        time.sleep(delay)
        delay = min(delay * 1.5, 0.05)
    with contextlib.suppress(OSError):   # grandchildren (if any) go with the case
        os.killpg(pid, signal.SIGKILL)
    rc = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return {"returncode": rc, "timed_out": timed_out, "seconds": round(time.monotonic() - start, 3),
            "max_rss_kib": int(usage.ru_maxrss)}


def serve() -> None:
    preload()
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)   # nothing sledcheck prints at import can corrupt the protocol
    answers.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = run(json.loads(line))
        except Exception as err:  # noqa: BLE001 - a broken request is answered, not fatal
            answer = {"driver_error": f"{type(err).__name__}: {err}"}
        answers.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    serve()
