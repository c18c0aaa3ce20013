"""The band around each margin, from the model's known uncertainties, root-sum-squared (each a 1:1 change of
the temperature it causes; independent, so their squares add):

- the heat-sink correlation, +-10 % of R_hs (an allowance, not a published figure: the spread usually seen
  between laminar plate-fin models such as Teertstra's and measurements; a measured R narrows it); +-20 % for a
  pin-fin sink (the Grimison, ESDU 73031 and VDI tube-bank correlations the KCY model is tested against spread
  about that much around it: tests/thermal/test_pinfin.py);
- the bypass split, +-10 % of the fin flow (the Simons-Schmidt bypass estimate is approximate; a CFD fin-flow
  fraction narrows it), through R_hs's own sensitivity to its flow;
- the fan curve, +-10 % of speed, the usual datasheet tolerance (e.g. Delta AFB0405MA: "5000 +-10 % RPM"),
  evaluated by running the model again at 90 % speed (so preheat and the bypass move with it);
- spreading, +-10 % of R_sp, and the TIM, +-20 % of R_TIM (bond line and conductivity), allowances.

A margin whose band crosses its requirement is "marginal". A design narrows the allowances with its calibration
data: ``thermal: {uncertainty: {heatsink: ±5 %, bypass: ±3 %}}`` (0 % drops one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...geometry.heatsinks import PinFinGeometry
from ...load.thermal import ALLOWANCES  # noqa: F401  (the defaults; a design's thermal.uncertainty narrows them)
from .build import SledModel
from .evaluate import Evaluation, evaluate


@dataclass(frozen=True)
class Band:
    """A component's band over the scenarios: the total half-width [K] and each allowance's part [K]."""

    total: np.ndarray
    parts: dict[str, np.ndarray]


def margin_bands(model: SledModel, ev: Evaluation, inlet: Any, working: dict[str, Any]) -> dict[str, Band]:
    """Each component's band in every scenario of ``ev`` (arrays over the scenarios)."""
    allow = model.spec.allowances
    slow = evaluate(model, inlet, working, model.spec.fan_speed * (1.0 - allow["fan curve"]))
    out: dict[str, Band] = {}
    for lane in model.lanes:
        for comp in lane.components:
            part = comp.spec.part
            power = comp.spec.power
            temperature = np.asarray(ev.temperature[part], float)
            parts = {"fan curve": np.abs(np.asarray(slow.temperature[part], float) - temperature)}
            chain = ev.chain[part]
            if comp.sink is not None:
                r_hs = np.asarray(chain["r_heatsink"], float)
                r_slow = np.asarray(slow.chain[part]["r_heatsink"], float)
                q, q_slow = (np.asarray(e.fin_flow[comp.sink.part], float) for e in (ev, slow))
                with np.errstate(divide="ignore", invalid="ignore"):
                    elasticity = np.where((q > 0) & (q_slow > 0) & (q_slow != q),
                                          np.log(r_slow / r_hs) / np.log(q_slow / q), 0.0)
                correlation = allow["pin-fin correlation" if isinstance(comp.sink.fins, PinFinGeometry) else
                                    "heat-sink correlation"]
                parts["heat-sink correlation"] = power * r_hs * correlation
                parts["bypass split"] = power * r_hs * np.abs(elasticity) * allow["bypass split"]
                parts["spreading"] = power * np.asarray(chain["r_spreading"], float) * allow["spreading"]
                parts["TIM"] = power * np.asarray(chain["r_tim"], float) * allow["TIM"]
            parts = {k: np.where(np.isfinite(v), v, np.inf) for k, v in parts.items()}
            out[part] = Band(np.sqrt(sum(v ** 2 for v in parts.values())), parts)
    return out
