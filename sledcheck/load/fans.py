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
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import DesignError
from ..resources import MODELS
from ..thermal.fans import FanCurve
from ..units import UnitError
from .schema import Section
from .yamlfile import read_yaml

#: Directory of the fan models shipped with sledcheck (``models/fans`` in the repository).
MODELS_DIR = MODELS / "fans"

#: Keys a fan model file may have (unknown keys are errors with a did-you-mean, as in the design file).
KEYS = ("name", "manufacturer", "model", "size", "status", "source", "url", "notes", "density", "speed", "power",
        "points")


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


def _load(path: Path, display: str) -> FanCurve:
    doc = read_yaml(path, display)
    root = Section(doc, (), display)
    if not isinstance(root.value, dict):
        raise root.error("a fan model must be a mapping with at least 'points' and 'source'")
    root.mapping(KEYS, required=("points", "source"))
    points = root.child("points")
    if not isinstance(points.value, list) or len(points.value) < 2:
        raise root.error("'points' must be a list of at least two [flow, pressure] pairs", "points")
    flows, pressures = [], []
    for i, item in enumerate(points.elements()):
        if not isinstance(item.value, list) or len(item.value) != 2:
            raise points.error("each point must be [flow, pressure], e.g. [12 CFM, 450 Pa]", i)
        flows.append(item.quantity(0, "volumetric_flow"))
        pressures.append(item.quantity(1, "pressure"))
    kwargs: dict[str, Any] = {key: root.value[key] for key in ("density", "speed", "power") if root.has(key)}
    try:
        return FanCurve(flow=flows, pressure=pressures, name=root.text("name", path.stem) or path.stem,
                        source=root.text("source") or "", status=root.text("status", "") or "", **kwargs)
    except (UnitError, ValueError) as err:
        key = next((k for k in ("density", "speed", "power") if k in str(err)), "points")
        raise root.error(str(err), key) from None
