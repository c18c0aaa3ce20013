"""Running the groups of a sweep: in this process, on local processes (all cores by default), or on a running
Dask distributed cluster (``tcp://HOST:PORT``), with the same results, case by case, whichever runs them.

On a cluster the design's files travel once per worker: they are scattered to every worker as one bundle of
bytes named by the SHA-256 of its contents, and each worker writes the bundle once to a folder of that name
(later tasks find it there). A case's result never contains a path, so a worker's folder does not show.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import SledcheckError
from ..load.design import Design
from ..resources import MODELS, SPECS
from .run import CaseResult, Group, evaluate_group

Progress = Callable[[int, int], None]
#: the environment variable that sets the default scheduler
SCHEDULER_ENV = "SLEDCHECK_SCHEDULER"


def execute(groups: list[Group], design: Design, scheduler: str | None = None,
            progress: Progress | None = None) -> list[CaseResult]:
    """Every case of every group, sorted by case index. ``scheduler``: ``local`` (all cores), ``local:N``
    (N processes; 1 runs in this process) or ``tcp://HOST:PORT`` (a running Dask scheduler); None takes
    $SLEDCHECK_SCHEDULER, else ``local``."""
    chosen = chosen_scheduler(scheduler)
    results = run_tasks(evaluate_group, lambda workers: _chunks(groups, workers), design, chosen,
                        sum(len(g.cases) for g in groups), progress, len)
    return sorted(results, key=lambda r: r.index)


def chosen_scheduler(scheduler: str | None) -> str:
    """The scheduler asked for, else $SLEDCHECK_SCHEDULER, else ``local``."""
    return (scheduler or os.environ.get(SCHEDULER_ENV) or "local").strip()


def workers_of(scheduler: str) -> int:
    """How many workers a local scheduler has (a cluster's are counted when it is reached)."""
    return 0 if scheduler.startswith(("tcp://", "tls://")) else _local_workers(scheduler)


def run_tasks(fn: Callable[[Any], list[Any]], split: Callable[[int], list[Any]], design: Design, scheduler: str,
              total: int, progress: Progress | None, done: Callable[[list[Any]], int]) -> list[Any]:
    """``fn`` over the tasks ``split(workers)`` gives (each task names its design file in ``task.design``),
    on the scheduler; ``done`` counts what a task's result finished, for ``progress``."""
    if scheduler.startswith(("tcp://", "tls://")):
        return _on_dask(fn, split, design, scheduler, total, progress, done)
    workers = _local_workers(scheduler)
    return _locally(fn, split(workers), workers, total, progress, done)


def _local_workers(text: str) -> int:
    if text == "local":
        return max(1, os.cpu_count() or 1)
    head, _, count = text.partition(":")
    if head != "local" or not count.isdigit() or not 1 <= int(count) <= 1024:
        raise SledcheckError(f"--scheduler {text!r} is not local, local:N or tcp://HOST:PORT",
                             hint="e.g. --scheduler local:2, or the address a `dask scheduler` printed")
    return int(count)


def _chunks(groups: list[Group], workers: int) -> list[Group]:
    """Groups split so that every worker has work (a worker keeps the last geometry it built, so the chunks of
    one group cost it one build)."""
    total = sum(len(g.cases) for g in groups)
    size = max(1, math.ceil(total / (4 * workers))) if workers > 1 else max(total, 1)
    out = []
    for group in groups:
        for start in range(0, len(group.cases), size):
            out.append(replace(group, cases=group.cases[start:start + size]))
    return out


def _locally(fn: Callable[[Any], list[Any]], tasks: list[Any], workers: int, total: int, progress: Progress | None,
             done: Callable[[list[Any]], int]) -> list[Any]:
    results: list[Any] = []
    finished = 0
    if workers == 1 or len(tasks) == 1:
        for task in tasks:
            found = fn(task)
            results += found
            finished += done(found)
            if progress:
                progress(finished, total)
        return results
    import multiprocessing

    context = multiprocessing.get_context("spawn")   # no fork of a process that may hold threads
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
        for future in as_completed([pool.submit(fn, task) for task in tasks]):
            found = future.result()
            results += found
            finished += done(found)
            if progress:
                progress(finished, total)
    return results


@dataclass(frozen=True)
class Bundle:
    """The design's files as bytes (paths relative to their common folder), named by their SHA-256."""

    key: str
    files: tuple[tuple[str, bytes], ...]
    design: str          # the design's path in the bundle


def bundle(design: Design) -> Bundle:
    """Every file the design reads, except sledcheck's own built-in packs and models (each worker has them), and
    the files beside each mesh that share its name (a glTF's buffers, an IDF board's library)."""
    builtin = (SPECS.resolve(), MODELS.resolve())
    paths: set[Path] = set()
    for path, _ in design.input_files():
        resolved = Path(path).resolve()
        if any(resolved.is_relative_to(b) for b in builtin):
            continue
        paths.add(resolved)
        paths.update(p.resolve() for p in resolved.parent.glob(f"{resolved.stem}.*") if p.is_file())
    root = Path(os.path.commonpath([str(p.parent) for p in paths]))
    files = tuple(sorted((str(p.relative_to(root)), p.read_bytes()) for p in paths))
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return Bundle(digest.hexdigest(), files, str(design.path.resolve().relative_to(root)))


def unpack(item: Bundle) -> Path:
    """The bundle's folder on this machine, written once (atomically: concurrent tasks are safe)."""
    folder = Path(tempfile.gettempdir()) / f"sledcheck-bundle-{item.key}"
    if not folder.is_dir():
        staging = Path(tempfile.mkdtemp(prefix=f".sledcheck-bundle-{item.key[:12]}-"))
        for name, data in item.files:
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            staging.rename(folder)
        except OSError:   # another task published it first
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
    return folder / item.design


def _remote(fn: Callable[[Any], list[Any]], task: Any, item: Bundle, shown: str) -> list[Any]:
    """A task on a worker: its design from the bundle; error messages name the design as the user gave it."""
    design = unpack(item)
    results = fn(replace(task, design=str(design)))
    root, given = str(design.parent), str(Path(shown).parent)
    return [replace(r, error=r.error.replace(root, given)) if getattr(r, "error", "") else r for r in results]


def _reachable(address: str) -> None:
    """Refuse at once an address nothing listens on (the Dask client would retry until its timeout)."""
    import socket
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(address)
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or not port:
        raise SledcheckError(f"--scheduler {address!r} is not tcp://HOST:PORT", hint="e.g. tcp://10.0.0.5:8786")
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as err:
        raise SledcheckError(f"cannot reach the Dask scheduler at {address}: {err.strerror or err}",
                             hint="start one (`dask scheduler`, then `dask worker ADDRESS`) or use --scheduler "
                                  "local") from None


#: how long a scheduler may take to answer the client's handshake [s]
HANDSHAKE_S = 20.0


def _connect(client_type: Any, address: str) -> Any:
    """A client of the scheduler at ``address``, or an error when what answers there is not one (the handshake
    runs in a daemon thread, so a peer that never replies cannot hang the run)."""
    import threading

    found: dict[str, Any] = {}

    def connect() -> None:
        try:
            found["client"] = client_type(address, timeout=10)
        except BaseException as err:   # noqa: BLE001 - any failure of a foreign peer's reply is "not a scheduler"
            found["error"] = err

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(HANDSHAKE_S)
    if "client" in found:
        return found["client"]
    why = f"{type(found['error']).__name__}" if "error" in found else f"no answer in {HANDSHAKE_S:g} s"
    raise SledcheckError(f"{address} did not answer as a Dask scheduler ({why})",
                         hint="give the address a `dask scheduler` printed, or use --scheduler local")


def _on_dask(fn: Callable[[Any], list[Any]], split: Callable[[int], list[Any]], design: Design, address: str,
             total: int, progress: Progress | None, done: Callable[[list[Any]], int]) -> list[Any]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:   # a dependency: only a broken install lacks it
        raise SledcheckError("--scheduler tcp://... needs dask.distributed",
                             hint="pip install 'dask[distributed]'") from None
    _reachable(address)
    item = bundle(design)
    client = _connect(Client, address)
    results: list[Any] = []
    finished = 0
    with client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        shipped = client.scatter(item, broadcast=True, hash=False)
        futures = [client.submit(_remote, fn, task, shipped, design.path_as_given, pure=False)
                   for task in split(workers)]
        for future in dask_completed(futures):
            found = future.result()
            results += found
            finished += done(found)
            if progress:
                progress(finished, total)
    return results
