"""Design-space sweeps: vary quantities of a design over ranges or lists, and check every case for fit (in the
CAD and with the tolerance stack-ups) and thermal margin, locally or on a Dask cluster.

    result = sweep("design.yaml", [parse_vary("thermal.components.package0.power=250W..350W:5")])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..checks.registry import catalog
from ..load.design import load_design
from .edit import edited, read_document
from .execute import Progress, execute
from .run import CaseResult, Group, group_key
from .space import Variable, grid_cases, lhs_cases, parse_vary

__all__ = ["CaseResult", "SweepResult", "Variable", "parse_vary", "sweep"]


@dataclass(frozen=True)
class SweepResult:
    """Every case of a sweep: its values (one per variable, in the variable's unit) and its result."""

    design: str
    variables: tuple[Variable, ...]
    values: tuple[tuple[float | str, ...], ...]
    cases: tuple[CaseResult, ...]
    components: tuple[str, ...]
    sample: str                   # "grid" or "lhs:N"
    seed: int

    @property
    def passing(self) -> tuple[int, ...]:
        """The indices of the cases that pass (fit with tolerances and every margin)."""
        return tuple(c.index for c in self.cases if c.verdict == "pass")

    def worst_margin(self, case: CaseResult) -> float | None:
        """The case's smallest margin less its requirement [K] (None without components)."""
        return min((m - r for _, m, r, _ in case.margins), default=None)

    @property
    def best(self) -> CaseResult | None:
        """The passing case with the most margin to spare (the first of equals)."""
        passing = [c for c in self.cases if c.verdict == "pass"]
        if not passing:
            return None
        return max(passing, key=lambda c: (self.worst_margin(c) if self.worst_margin(c) is not None else 0.0,
                                           -c.index))


def sweep(design: str | Path, variables: Sequence[Variable], sample: str | None = None, seed: int = 1,
          scheduler: str | None = None, progress: Progress | None = None) -> SweepResult:
    """Check every case of the variables' grid (or ``sample`` "lhs:N", a Latin hypercube of N cases, seeded)."""
    from ..errors import SledcheckError

    if not 0 <= seed < 2**32:
        raise SledcheckError(f"--seed {seed}: give a whole number from 0 to {2**32 - 1}")
    if not variables:
        raise SledcheckError("a sweep needs at least one --vary PATH=...",
                             hint="e.g. --vary thermal.fans.speed=0.6..1:5")
    paths = [p for v in variables for p in v.paths]
    if len(set(paths)) != len(paths):
        raise SledcheckError("a path is varied twice", hint="give each --vary path once")
    path = Path(design)
    base = load_design(path, catalog())   # the design as written must be valid before any case is
    document = read_document(path)
    variables = tuple(variables)
    for variable in variables:   # a path that is not in the design is an error before any case runs
        edited(document, [(p, variable.text(variable.grid[0])) for p in variable.paths])
    if sample:
        kind, _, count = sample.partition(":")
        if kind != "lhs" or not count.isdigit():
            raise SledcheckError(f"--sample {sample!r} is not lhs:N", hint="e.g. --sample lhs:200")
        values = lhs_cases(variables, int(count), seed)
    else:
        values = grid_cases(variables)
    groups: dict[tuple, list[tuple[int, tuple]]] = {}
    for index, case in enumerate(values):
        edits = tuple((p, v.text(x)) for v, x in zip(variables, case, strict=True) for p in v.paths)
        groups.setdefault(group_key(edits), []).append((index, edits))
    tasks = [Group(str(path), document, tuple(cases)) for cases in groups.values()]
    results = execute(tasks, base, scheduler, progress)
    if results and all(r.verdict == "error" for r in results):   # not a value: the sweep itself cannot run
        raise SledcheckError(f"no case of the sweep is a valid design; the first: {results[0].error}",
                             hint="check the --vary paths and values")
    components = tuple(sorted({m[0] for r in results for m in r.margins}))
    return SweepResult(str(design), variables, tuple(values), tuple(results), components,
                       sample or "grid", seed)
