"""Fan model files (``models/fans/NAME.yaml`` or a design's own) -> :class:`~sledcheck.thermal.fans.FanCurve`.

Read with the project's one YAML reader (:func:`.yamlfile.read_yaml`: line numbers, duplicate keys refused) and
validated with :class:`.schema.Section`, so every error names the file, the line and the field. The design
loader reads the fan model while it reads the thermal section (:func:`.thermal.read_thermal`): a bad fan file is
a design error (exit 2) before any mesh loads.

Format (quantities as strings with units)::

    name: 60x38 mm server fan
    manufacturer: ...
    model: ...
    status: datasheet | representative
    source: "manufacturer, model, document"
    density: 1.2 kg/m^3          # rated air density (optional, default 1.2 kg/m^3)
    speed: 16000 rpm             # rated speed (optional)
    power: 18 W                  # input power at the rated speed (optional)
    points:                      # [flow, static pressure] from shut-off to free delivery
      - [0 CFM, 2.5 inH2O]
      - ...
    failure: blocked             # what a failed fan does (optional, default blocked: a backflow flap), or
    # failure: {windmill: {reverse_k: 4}}            no flap: backflow through the stopped rotor, reverse_k
    #                                                 velocity heads of the face area (size W x H, or face_area)
    # failure: {rotor: {curve: [[0 CFM, 600 Pa], ...]}}   dual-rotor fan: one rotor failed, the other's curve
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DesignError
from ..resources import MODELS
from ..units import UnitError
from .schema import Section
from .yamlfile import read_yaml

if TYPE_CHECKING:   # types only: the physics library is loaded when a fan model is read
    from ..thermal.fans import FanCurve, FanFailure

#: Directory of the fan models shipped with sledcheck (``models/fans`` in the repository).
MODELS_DIR = MODELS / "fans"

#: Keys a fan model file may have (unknown keys are errors with a did-you-mean, as in the design file).
KEYS = ("name", "manufacturer", "model", "size", "status", "source", "url", "notes", "density", "speed", "power",
        "points", "failure")


class FanModelError(DesignError):
    """A fan-model YAML file is invalid (exit code 2; names the file, line and field)."""


def load_fan_model(path: str | Path, display: str | None = None) -> FanCurve:
    """Read a fan model YAML file into a :class:`FanCurve`.

    ``display`` is how the file is named in messages (default: the path as given). Raises
    :class:`FanModelError` (a DesignError: exit code 2) naming the file, line and field.
    """
    path = Path(path)
    try:
        info = path.stat()
        key = (str(path.resolve()), info.st_mtime_ns, info.st_size, info.st_ino)
    except (OSError, ValueError):
        key = None   # read_yaml says what is wrong with the path
    if key is not None and key in _READ:
        return _READ[key]
    try:
        curve = _load(path, display or str(path))
    except FanModelError:
        raise
    except DesignError as err:
        raise FanModelError(err.message, file=err.file, line=err.line, field=err.field, hint=err.hint) from None
    if key is not None:
        if len(_READ) > 64:
            _READ.clear()
        _READ[key] = curve
    return curve


#: fan models read in this process, by (path, modification time, size, inode): a sweep reads its design's
#: thousands of times
_READ: dict[tuple[str, int, int, int], FanCurve] = {}


def _points(parent: Section, key: str) -> tuple[list[Any], list[Any]]:
    """The [flow, pressure] pairs under ``key`` of ``parent``."""
    points = parent.child(key)
    if not isinstance(points.value, list) or len(points.value) < 2:
        raise parent.error(f"'{key}' must be a list of at least two [flow, pressure] pairs", key)
    flows, pressures = [], []
    for i, item in enumerate(points.elements()):
        if not isinstance(item.value, list) or len(item.value) != 2:
            raise points.error("each point must be [flow, pressure], e.g. [12 CFM, 450 Pa]", i)
        flows.append(item.quantity(0, "volumetric_flow"))
        pressures.append(item.quantity(1, "pressure"))
    return flows, pressures


#: "40 x 40 x 56 mm": a fan's frame size (width x height x depth and a length unit)
_SIZE = re.compile(r"^\s*([\d.]+)\s*[xX*]\s*([\d.]+)(?:\s*[xX*]\s*[\d.]+)?\s*mm\s*$")


def _failure(root: Section, kwargs: dict[str, Any]) -> FanFailure:
    """The declared failure behaviour (``blocked`` when absent)."""
    from ..thermal.fans import FanCurve, FanFailure

    if not root.has("failure"):
        return FanFailure()
    sec = root.child("failure")
    hint = "failure: blocked | {windmill: {reverse_k: 4}} | {rotor: {curve: [[flow, pressure], ...]}}"
    if sec.value == "blocked":
        return FanFailure()
    if not isinstance(sec.value, dict) or len(sec.value) != 1:
        raise root.error(f"unknown failure {sec.value!r}", "failure", hint)
    sec.mapping(("windmill", "rotor"))
    if sec.has("windmill"):
        wind = sec.child("windmill")
        wind.mapping(("reverse_k", "face_area"), required=("reverse_k",))
        k = float(wind.quantity("reverse_k", "dimensionless").m_as(""))
        if not k > 0.0:
            raise wind.error("reverse_k (velocity heads of the backflow) must be > 0", "reverse_k")
        if wind.has("face_area"):
            area = float(wind.quantity("face_area", "area").m_as("m**2"))
        else:
            size = _SIZE.match(str(root.value.get("size", "")))
            if size is None:
                raise wind.error("the backflow loss needs the fan's face area: give size: W x H x D mm in the "
                                 "fan file or face_area under windmill", "reverse_k")
            area = float(size.group(1)) * float(size.group(2)) * 1e-6
        if not area > 0.0:
            raise wind.error("the fan's face area must be > 0", "face_area" if wind.has("face_area") else None)
        return FanFailure("windmill", reverse_k=k, face_area=area)
    rotor = sec.child("rotor")
    rotor.mapping(("curve",), required=("curve",))
    flows, pressures = _points(rotor, "curve")
    try:
        curve = FanCurve(flow=flows, pressure=pressures, name="one rotor failed", **kwargs)
    except (UnitError, ValueError) as err:
        raise rotor.error(str(err), "curve") from None
    return FanFailure("rotor", rotor_curve=curve)


def _load(path: Path, display: str) -> FanCurve:
    from ..thermal.fans import FanCurve

    doc = read_yaml(path, display)
    root = Section(doc, (), display)
    if not isinstance(root.value, dict):
        raise root.error("a fan model must be a mapping with at least 'points' and 'source'")
    root.mapping(KEYS, required=("points", "source"))
    flows, pressures = _points(root, "points")
    kwargs: dict[str, Any] = {key: root.value[key] for key in ("density", "speed") if root.has(key)}
    power = {"power": root.value["power"]} if root.has("power") else {}
    try:
        curve = FanCurve(flow=flows, pressure=pressures, name=root.text("name", path.stem) or path.stem,
                         source=root.text("source") or "", status=root.text("status", "") or "", **kwargs, **power)
    except (UnitError, ValueError) as err:
        key = next((k for k in ("density", "speed", "power") if k in str(err)), "points")
        raise root.error(str(err), key) from None
    return replace(curve, failure=_failure(root, kwargs))
