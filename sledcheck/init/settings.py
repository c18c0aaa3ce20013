"""The limits and names init decides with: clearances written, fit reach, unit roles, plurals."""

from __future__ import annotations

import re

from ..geometry.proximity import Overlap

#: The clearances written (and used to tell "close" pairs) [mm].
DEFAULT_CLEARANCE_MM = 0.5
HEATSINK_LID_CLEARANCE_MM = 1.5
#: A fastener this close to a part without overlapping it sits in a clearance hole [mm].
FIT_REACH_MM = 0.5
#: Pairs are measured up to this gap [mm] (above every clearance written).
REACH_MM = 2.0
#: Sub-assemblies whose name says they are one thing: their bodies become one part.
UNIT_ROLES = frozenset({"fan", "dimm", "heatsink", "psu", "drive", "connector", "package", "cable"})
#: Bodies that stay parts of their own inside such a sub-assembly (so it is not merged).
SEPARATE_ROLES = frozenset({"fastener", "pad"})
#: Envelope packs tried, smallest first.
ENVELOPE_PACKS = ("eia-310-1u", "eia-310-2u")
#: Bodies with more triangles than this are not sectioned for heat-sink recognition (too slow to be worth it).
RECOGNITION_TRIANGLES = 2_000_000
PLURALS = {"dimm": "dimms", "fastener": "fasteners", "fan": "fans", "standoff": "standoffs",
           "connector": "connectors", "package": "packages", "heatsink": "heatsinks", "component": "components",
           "bracket": "brackets", "cable": "cables", "duct": "ducts", "drive": "drives", "psu": "psus",
           "pad": "pads", "pcb": "boards", "lid": "lids", "tray": "trays", "other": "others"}
#: Parts a fastener, standoff or pad is not pressed into by design: their overlaps get no suggested fit.
_NOT_PRESSED = frozenset({"dimm", "fan", "package", "psu", "drive", "cable"})
_NO_OVERLAP = Overlap(0.0, ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0)))
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null", "none", "nan", "inf"})
