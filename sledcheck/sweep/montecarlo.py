"""A coupled Monte Carlo of a design: every uncertain input drawn at once (the parts' sizes and the interfaces
through the tolerance stack-ups; each component's power, the inlet temperature, the fan speed and each TIM's
resistance through the thermal model), every sample run through every scenario, and for each component the
probability of exceeding its limit and of falling short of its required margin, with the inputs that drive it.

The draws are made once, in a fixed order from one seeded generator (each thermal input normal, its ± three
sigma, as the tolerances are); the thermal core evaluates them in chunks, in this process or on the
scheduler's workers, each sample's result independent of the chunk it is in: the same numbers however the work
is split. A component's drivers are the shares of its worst margin's variance that a least-squares linear fit
on the standardised inputs gives each input (squared standardised regression coefficients, normalised).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..checks.registry import catalog
from ..errors import SledcheckError
from ..load.design import Design, load_design
from ..load.yamlfile import YamlDocument
from .edit import read_document
from .execute import Progress, chosen_scheduler, run_tasks

#: samples per task (a worker's chunk), and the most one run may draw
CHUNK = 25_000
MAX_SAMPLES = 10_000_000


@dataclass(frozen=True)
class Chunk:
    """Samples ``start`` .. ``start + len`` of a Monte Carlo: each input's draws (a multiplier, or an inlet
    offset [K])."""

    design: str
    document: YamlDocument
    start: int
    draws: tuple[tuple[str, np.ndarray], ...]


@dataclass(frozen=True)
class ChunkResult:
    """Each component's smallest margin over the scenarios [K] and the scenario it is in, per sample."""

    start: int
    margins: tuple[tuple[str, np.ndarray, np.ndarray], ...]
    error: str = ""


@dataclass(frozen=True)
class ComponentRisk:
    """One component over every sample: the probability that some scenario exceeds its limit and that some
    scenario leaves less than its required margin; its worst margin's mean, standard deviation and 0.1 %
    quantile [K]; the scenario that is worst most often; the inputs' shares of the variance."""

    part: str
    required_margin: float
    p_over_limit: float
    p_short: float
    mean_margin: float
    sigma_margin: float
    low_margin: float
    scenario: str
    drivers: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class MonteCarloResult:
    design: str
    samples: int
    seed: int
    inputs: tuple[tuple[str, float], ...]   # (name, half-width: a fraction, or K for the inlet)
    components: tuple[ComponentRisk, ...]
    stackups: tuple[Any, ...]               # model.stackups.Stackup of every stacked gap (their own sampling)
    margins: dict[str, np.ndarray]          # each component's worst margin per sample [K]


def montecarlo(design: str | Path, samples: int | None = None, seed: int | None = None,
               scheduler: str | None = None, progress: Progress | None = None) -> MonteCarloResult:
    """Draw ``samples`` builds (the design's ``tolerances.samples`` by default) with ``seed``."""
    from ..pipeline import run

    path = Path(design)
    base = load_design(path, catalog())
    tolerances = base.tolerances
    if tolerances is None and base.thermal is None:
        raise SledcheckError("the design has neither tolerances nor a thermal section: nothing to sample",
                             file=str(design), hint="add tolerances: (see the README, Monte Carlo)")
    count = samples if samples is not None else (tolerances.samples if tolerances else 100_000)
    seed = seed if seed is not None else (tolerances.seed if tolerances else 1)
    if not 0 <= seed < 2**32:
        raise SledcheckError(f"--seed {seed}: give a whole number from 0 to {2**32 - 1}")
    if not 1_000 <= count <= MAX_SAMPLES:
        raise SledcheckError(f"--samples {count}: give 1,000 to {MAX_SAMPLES:,}")
    if tolerances is not None:   # the stack-ups draw with the same count and seed
        base = replace(base, tolerances=replace(tolerances, samples=count, seed=seed))
    report, assembly = run(base, select=("D501",), thermal_analysis=False)
    stackups = tuple(s for s in assembly.analyses.get("stackups", ()) if s.status != "exact")
    inputs, draws = _draws(base, count, seed)
    components: tuple[ComponentRisk, ...] = ()
    margins: dict[str, np.ndarray] = {}
    if base.thermal is not None:
        document = read_document(path)
        chosen = chosen_scheduler(scheduler)
        from ..model.thermal.build import build_model

        _BUILT.clear()   # this process's chunks use the model of the assembly just checked
        _BUILT.update(key=(str(path), repr(document.data)), model=build_model(assembly))

        def split(workers: int) -> list[Chunk]:
            size = min(CHUNK, max(1_000, math.ceil(count / max(1, 2 * workers)))) if workers else CHUNK
            return [Chunk(str(path), document, start, tuple((name, d[start:start + size]) for name, d in draws))
                    for start in range(0, count, size)]

        found = run_tasks(evaluate_chunk, split, base, chosen, count, progress,
                          lambda results: sum(len(r.margins[0][1]) for r in results if r.margins))
        errors = [r.error for r in found if r.error]
        if errors:
            raise SledcheckError(errors[0])
        found.sort(key=lambda r: r.start)
        components, margins = _risks(base, found, inputs, draws)
    return MonteCarloResult(str(design), count, seed, inputs, components, stackups, margins)


def _draws(design: Design, count: int, seed: int) -> tuple[tuple[tuple[str, float], ...],
                                                            list[tuple[str, np.ndarray]]]:
    """Every thermal input with an uncertainty, and its draws (normal, ± = 3 sigma), in a fixed order."""
    spec = design.thermal
    uncertain = design.tolerances.thermal if design.tolerances else None
    if spec is None or uncertain is None:
        return (), []
    rng = np.random.default_rng(np.random.SeedSequence([seed, 13]))   # apart from the stack-ups' stream
    inputs: list[tuple[str, float]] = []
    draws: list[tuple[str, np.ndarray]] = []

    def draw(name: str, half: float, offset: bool = False) -> None:
        if half > 0:
            inputs.append((name, half))
            values = rng.normal(0.0, half / 3.0, count)
            draws.append((name, values if offset else np.maximum(1.0 + values, 0.05)))

    for comp in spec.components:
        draw(f"power:{comp.part}", uncertain.half(uncertain.power, comp.part))
    draw("inlet", uncertain.inlet_k, offset=True)
    draw("fan_speed", uncertain.fan_speed)
    for comp in spec.components:
        if comp.heatsink is not None:
            draw(f"tim:{comp.part}", uncertain.half(uncertain.tim, comp.part))
    return tuple(inputs), draws


_BUILT: dict[str, Any] = {}


def evaluate_chunk(chunk: Chunk) -> list[ChunkResult]:
    """A chunk's samples through every scenario of the design's thermal model (built once per process)."""
    from ..model.assembly import build_assembly
    from ..model.thermal.build import build_model
    from ..model.thermal.evaluate import evaluate
    from ..model.thermal.scenarios import scenarios, working_fans
    from ..thermal import atmosphere
    from .edit import design_of

    key = (chunk.design, repr(chunk.document.data))
    if _BUILT.get("key") != key:
        _BUILT.clear()
        try:
            design = design_of(Path(chunk.design), chunk.document, ())
            model = build_model(build_assembly(design))
        except SledcheckError as err:
            return [ChunkResult(chunk.start, (), str(err))]
        _BUILT.update(key=key, model=model)
    model = _BUILT["model"]
    assert model is not None
    draws = dict(chunk.draws)
    n = len(next(iter(draws.values()))) if draws else 1
    cases = scenarios(model.spec)
    s = len(cases)
    inlet = np.repeat([c[1] for c in cases], n) + np.tile(draws.get("inlet", np.zeros(n)), s)
    working = {lane: np.repeat(fans, n) for lane, fans in working_fans(model.spec, cases).items()}
    speed = model.spec.fan_speed * np.tile(draws.get("fan_speed", np.ones(n)), s)
    if len({c.altitude for c in cases}) > 1:   # an altitude range: the air's pressure per scenario
        model = replace(model, pressure=np.repeat(atmosphere.pressure_at_altitude([c.altitude for c in cases]), n))
    scales = {name: np.tile(values, s) for name, values in draws.items() if name not in ("inlet", "fan_speed")}
    ev = evaluate(model, inlet, working, speed, scales=scales)
    margins = []
    for lane in model.lanes:
        for comp in lane.components:
            margin = (comp.spec.limit - np.asarray(ev.temperature[comp.spec.part], float)).reshape(s, n)
            margin = np.where(np.isfinite(margin), margin, -np.inf)
            worst = margin.argmin(axis=0)
            margins.append((comp.spec.part, margin[worst, np.arange(n)], worst.astype(np.int16)))
    return [ChunkResult(chunk.start, tuple(margins))]


def _risks(design: Design, found: list[ChunkResult], inputs: tuple[tuple[str, float], ...],
           draws: list[tuple[str, np.ndarray]]) -> tuple[tuple[ComponentRisk, ...], dict[str, np.ndarray]]:
    from ..model.thermal.scenarios import scenarios

    assert design.thermal is not None
    names = [c[0] for c in scenarios(design.thermal)]
    required = {c.part: (c.required_margin, c.limit) for c in design.thermal.components}
    parts = [m[0] for m in found[0].margins] if found and found[0].margins else []
    out, margins = [], {}
    x = np.column_stack([d for _, d in draws]) if draws else np.empty((0, 0))
    for k, part in enumerate(parts):
        margin = np.concatenate([r.margins[k][1] for r in found])
        worst = np.concatenate([r.margins[k][2] for r in found])
        margins[part] = margin
        need = required[part][0]
        finite = margin[np.isfinite(margin)]
        out.append(ComponentRisk(
            part=part, required_margin=need, p_over_limit=float(np.mean(margin < 0.0)),
            p_short=float(np.mean(margin < need)),
            mean_margin=float(finite.mean()) if len(finite) else -math.inf,
            sigma_margin=float(finite.std()) if len(finite) else 0.0,
            low_margin=float(np.quantile(margin, 0.001)),
            scenario=names[int(np.bincount(worst, minlength=len(names)).argmax())],
            drivers=_drivers(x, margin, [name for name, _ in inputs])))
    return tuple(out), margins


def _drivers(x: np.ndarray, y: np.ndarray, names: list[str]) -> tuple[tuple[str, float], ...]:
    """Squared standardised regression coefficients of ``y`` on the columns of ``x``, normalised to 1."""
    keep = np.isfinite(y)
    if not names or keep.sum() < len(names) + 2:
        return ()
    xs, ys = x[keep], y[keep]
    sigma = xs.std(axis=0)
    scaled = (xs - xs.mean(axis=0)) / np.where(sigma > 0, sigma, 1.0)
    beta, *_ = np.linalg.lstsq(np.column_stack([scaled, np.ones(len(ys))]), ys, rcond=None)
    share = beta[:-1] ** 2
    total = share.sum()
    if not total > 0:
        return ()
    ranked = sorted(zip(names, share / total, strict=True), key=lambda item: -item[1])
    return tuple((name, float(value)) for name, value in ranked)
