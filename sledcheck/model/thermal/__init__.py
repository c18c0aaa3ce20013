"""The thermal model of a sled, built from the design's thermal section and the CAD, run per scenario.

One module per job:

- :mod:`.results` -- the results as data (components, lanes, scenarios, problems);
- :mod:`.cad` -- what the CAD says about each heat sink (fins, tip gap, lane height, bypass passages);
- :mod:`.build` -- building the fixed model once (lanes, losses, per-component chain parts, spreading tables);
- :mod:`.evaluate` -- evaluating batches of cases at once (airflow, preheat, junction chain);
- :mod:`.scenarios` -- the scenarios a design is checked in (nominal, worst inlet, N+1);
- :mod:`.analyse` -- running the scenarios and packaging the results.

Geometry comes from the meshes: each heat sink's fins are recognised from sections
(:func:`~sledcheck.geometry.heatsinks.recognise_plate_fin`), the tip gap is measured from the fin tips to the
lid above them, the lane height from the board top to the lid, and the lane width from the span of the lane's
fans. Junction chain (thermal.md section 5): Tj = T_local + P (R_jc + R_TIM + R_sp + R_base + R_hs), with
T_local the lane inlet plus the preheat of upstream components in the lane, sum(P) / (m_dot cp).
"""

from __future__ import annotations

from .analyse import analyse_thermal
from .build import R0_GRID, ComponentModel, LaneModel, SledModel, build_model
from .cad import SinkGeometry, sink_geometry
from .evaluate import Evaluation, evaluate
from .results import ComponentResult, LaneResult, Problem, ScenarioResult, ThermalResult
from .scenarios import scenarios

__all__ = [
    "R0_GRID",
    "ComponentModel",
    "ComponentResult",
    "Evaluation",
    "LaneModel",
    "LaneResult",
    "Problem",
    "ScenarioResult",
    "SinkGeometry",
    "SledModel",
    "ThermalResult",
    "analyse_thermal",
    "build_model",
    "evaluate",
    "scenarios",
    "sink_geometry",
]
