"""The design's ``thermal`` section: environment, fans, airflow lanes and the hot components.

    thermal:
      environment: {ashrae_class: A2, altitude: 900 m, nominal_inlet: 25 degC}   # max_inlet: optional override
      fans: {model: server-40x56-dual-rotor, speed: 100 %}      # models/fans/NAME.yaml or a path (sledcheck.load.fans)
      spreading: series                                          # series (exact) or lee
      lanes:                                                     # ducted lanes, components in airflow order
        - name: left
          fans: [fan1, fan2, fan3]
          width: 180 mm            # optional: default the span of the lane's fans across x
          height: 35 mm            # optional: default lid underside - board top, from the CAD
          losses:                  # optional extra series losses
            - {name: front grille, k: 1.2}                          # velocity heads of the lane
            - {name: rear vent, open_area: 0.55, thickness: 1 mm}   # perforated plate (fluids correlation)
          components: [package0, dimms]
      components:
        package0:
          power: 450 W
          tj_max: 95 degC          # or tcase_max
          r_jc: 0.04 K/W
          tim: phase-change        # models/tims.yaml name, or {thickness: 50 um, conductivity: 6 W/(m*K)}
          heatsink: heatsink0      # the heat-sink part; its fins are read from the mesh
          material: copper         # models/materials.yaml name, or a conductivity
          package: bare            # bare (TIM on the die) or lidded (TIM on the lid: add lid: [70 mm, 70 mm])
          die: [40 mm, 40 mm]      # the die's footprint; the base spreads from the die (bare) or the lid (lidded)
          junction: peak           # Tj at the source centroid (default with package) or average over it
          # source: [40 mm, 40 mm] # the older key, without package: TIM over the footprint, spreading from it
          # heatsink_geometry: {fin_count: 40, fin_thickness: 0.5 mm, fin_height: 25 mm, base_thickness: 4 mm}
          #   only for a sink the mesh recogniser cannot read (optional: fin_field_width, fin_length); pins:
          #   {type: pin-fin, pin_diameter: 3 mm, pitch: [6 mm, 6 mm], layout: staggered, fin_height: 25 mm,
          #    base_thickness: 4 mm}   (pitch along, across the flow; layout in-line | staggered)
          # base: {kind: vapour-chamber, k_in_plane: 3000 W/(m*K), k_through: 30 W/(m*K)}   (proposal keys)
          #   or {kind: heat-pipe, k_along: 6000 W/(m*K), k_across: 400 W/(m*K), k_through: 200 W/(m*K),
          #   direction: y}, or {kind: ..., material: NAME} (models/materials.yaml): an orthotropic base plate;
          #   material then stays the fins' metal
          required_margin: 5 K
        dimms: {power: 80 W, tcase_max: 85 degC, r_ca: 0.5 K/W, required_margin: 3 K}
        vrm: {power: 40 W, tcase_max: 105 degC, r_ca: {ref: 0.6 K/W, at: 2 m/s, exponent: 0.8}, air: wake}
          # r_ca at the local mass velocity (reference air 25 degC, 1 atm); air: wake takes the fin exhaust of the
          # heat sink ahead of it in its lane (default mixed: the lane's air after the parts upstream)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..resources import MODELS
from ..units import parse_quantity
from .fans import load_fan_model
from .schema import Section
from .selection import Reference
from .tolerances import plus_minus_fraction
from .yamlfile import read_yaml

if TYPE_CHECKING:   # types only: the physics library is loaded when a fan model is read
    from ..thermal.fans import FanCurve

#: Fin geometry a design may declare for a heat sink the mesh recogniser cannot read (fins along y).
GEOMETRY_KEYS = ("fin_count", "fin_thickness", "fin_height", "base_thickness", "fin_field_width", "fin_length")
#: ... and of a pin-fin sink (``type: pin-fin``; ``pitch`` is [along, across] the flow, or one value for both).
PIN_GEOMETRY_KEYS = ("type", "pin_diameter", "pitch", "layout", "fin_height", "base_thickness", "fin_field_width",
                     "fin_length")


@dataclass(frozen=True)
class Environment:
    ashrae_class: str | None
    altitude: float          # [m]
    nominal_inlet: float     # [degC]
    max_inlet: float | None  # [degC], explicit; else from the ASHRAE class derated with altitude
    altitude_min: float | None = None   # [m]: with a range (``altitude: 0 m .. 3050 m``) its low end; ``altitude``
    #                                     is then the high end and the worst altitude is searched


@dataclass(frozen=True)
class Loss:
    name: str
    k: float | None           # velocity heads of the lane [-]
    open_area: float | None   # perforated plate open-area ratio [-]
    thickness: float | None   # plate thickness [m]


@dataclass(frozen=True)
class Lane:
    name: str
    fans: tuple[str, ...]
    width: float | None       # [m]
    height: float | None      # [m]
    losses: tuple[Loss, ...]
    components: tuple[str, ...]
    line: int


#: an orthotropic base's conductivity keys by kind, and a models/materials.yaml entry's keys for them
BASE_KEYS = {"vapour-chamber": ("k_in_plane", "k_through"), "heat-pipe": ("k_along", "k_across", "k_through")}
BASE_MATERIAL_KEYS = {"k_in_plane": "conductivity_in_plane", "k_through": "conductivity_through",
                      "k_along": "conductivity_along", "k_across": "conductivity_across"}


@dataclass(frozen=True)
class Base:
    """A heat-sink base plate that is orthotropic (a vapour chamber, a heat-pipe base): conductivities along x, y
    (in plane, design axes) and z (through the plate) [W/(m K)], and where they come from."""

    kind: str                      # "vapour-chamber" | "heat-pipe"
    k_x: float
    k_y: float
    k_z: float
    source: str


@dataclass(frozen=True)
class Component:
    part: str
    power: float                   # [W]
    limit: float                   # [degC]
    limit_kind: str                # "junction" or "case"
    r_jc: float                    # [K/W] (0 for a case limit)
    tim_thickness: float | None    # [m]
    tim_conductivity: float | None # [W/(m K)]
    tim_source: str
    heatsink: str | None
    heatsink_conductivity: float   # [W/(m K)]
    material_source: str
    source_size: tuple[float, float] | None   # [m]
    r_ca: float | None             # [K/W] case to local air, for parts without a heat sink (at r_ca_velocity)
    required_margin: float         # [K]
    line: int
    heatsink_geometry: dict[str, Any] | None = None   # [mm] fins declared for a sink not recognised (pins: with
                                                      # "type": "pin-fin" and "layout")
    package: str | None = None     # "bare" | "lidded" | None (not declared: the footprint or ``source``)
    die_size: tuple[float, float] | None = None   # [m] the die's footprint (bare or lidded)
    lid_size: tuple[float, float] | None = None   # [m] the lid's footprint (lidded)
    junction: str = "average"      # "peak" (the source centroid) | "average" (over the source)
    r_ca_velocity: float | None = None   # [m/s] the local velocity r_ca was measured at (None: fixed r_ca)
    r_ca_exponent: float = 0.0     # [-] n in R = r_ca (v_ref / v)^n
    air: str = "mixed"             # "mixed" (lane air after the upstream parts) | "wake" (a heat sink's exhaust)
    base: Base | None = None       # an orthotropic base plate (None: the base is of ``material``)


#: the margin bands' allowances (model/thermal/uncertainty.py), as fractions; a design's
#: ``thermal: {uncertainty: {...}}`` narrows (or widens) them with its own calibration data
ALLOWANCES = {"heat-sink correlation": 0.10, "bypass split": 0.10, "fan curve": 0.10, "spreading": 0.10,
              "TIM": 0.20, "pin-fin correlation": 0.20}
#: the design keys of each allowance
ALLOWANCE_KEYS = {"heatsink": "heat-sink correlation", "bypass": "bypass split", "fan": "fan curve",
                  "spreading": "spreading", "tim": "TIM"}


@dataclass(frozen=True)
class ThermalSpec:
    """The validated thermal section (SI, temperatures in degC); ``fan`` is the fan model file's curve, read and
    validated with the design (:func:`sledcheck.load.fans.load_fan_model`), ``fan_model`` its path."""

    environment: Environment
    fan_model: Path
    fan_speed: float               # fraction of rated speed
    fan: FanCurve                  # the fan model file, read and validated with the design
    spreading: str
    lanes: tuple[Lane, ...]
    components: tuple[Component, ...]
    line: int
    allowances: dict[str, float] = field(default_factory=lambda: dict(ALLOWANCES))   # the margin bands'



def _library(name: str, kind: str) -> dict:
    """A built-in library (models/KIND.yaml), read once per version of the file."""
    path = MODELS / f"{kind}.yaml"
    info = path.stat()
    return _read_library(path, kind, info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=8)
def _read_library(path: Path, kind: str, mtime_ns: int, size: int) -> dict:
    return read_yaml(path).data[kind]


def read_thermal(root: Section, names: set[str], roles: dict[str, str], units: str | None,
                 later: list[Reference] | None = None) -> ThermalSpec | None:
    if not root.has("thermal"):
        return None
    sec = root.child("thermal")
    sec.mapping(("environment", "fans", "spreading", "lanes", "components", "uncertainty"),
                required=("environment", "fans", "lanes", "components"))
    env = _environment(sec.child("environment"))
    fans = sec.child("fans")
    fans.mapping(("model", "speed"), required=("model",))
    model = fans.text("model") or ""
    path = MODELS / "fans" / f"{model}.yaml"
    if "/" in model or model.endswith((".yaml", ".yml")):
        path = (Path(root.doc.path).resolve().parent / model)
    if not path.is_file():
        known = sorted(p.stem for p in (MODELS / "fans").glob("*.yaml"))
        raise fans.error(f"no fan model {model!r}", "model", f"built-in models: {', '.join(known)}; or a path")
    fan_curve = load_fan_model(path)     # a bad fan file is a design error here, before any mesh loads
    speed = 1.0
    if fans.has("speed"):
        speed = float(fans.quantity("speed", "dimensionless").m_as(""))
        if not 0.1 <= speed <= 1.0:
            raise fans.error(f"speed {speed:.0%} is outside 10-100 % of the rated curve", "speed",
                             "a fan curve is its maximum; a faster fan needs its own curve")
    spreading = sec.text("spreading", "series", choices=("series", "lee")) or "series"
    components = tuple(_component(s, key, names, units, later) for key, s in sec.child("components").items())
    comp_names = {c.part for c in components}
    sinks = [c.heatsink for c in components if c.heatsink]
    for sink in sorted({s for s in sinks if sinks.count(s) > 1}):
        raise sec.child("components").error(f"heat sink {sink!r} is given to more than one component",
                                            hint="one heat sink per component")
    lanes = []
    for lane in sec.child("lanes").elements():
        lane.mapping(("name", "fans", "width", "height", "losses", "components"),
                     required=("name", "fans", "components"))
        lane_fans = lane.string_list("fans")
        for i, fan in enumerate(lane_fans):
            if fan not in names and later is not None:   # a fan expanded from an assembly: checked on loading
                later.append(Reference(fan, lane.child("fans").line(i), lane.child("fans").field_name(i), part=True,
                                       role="fan"))
            elif fan not in names or roles.get(fan) != "fan":
                raise lane.child("fans").error(f"{fan!r} is not a part with role fan", i)
        lane_components = lane.string_list("components")
        for i, comp_name in enumerate(lane_components):
            if comp_name not in comp_names:
                raise lane.child("components").error(f"{comp_name!r} is not listed under thermal.components", i)
        losses = []
        for loss in lane.child("losses").elements() if lane.has("losses") else []:
            loss.mapping(("name", "k", "open_area", "thickness"), required=("name",))
            if loss.has("k") == loss.has("open_area"):
                raise loss.error("give either k (velocity heads) or open_area (perforated plate)")
            k = float(loss.quantity("k", "dimensionless").m_as("")) if loss.has("k") else None
            if k is not None and k < 0:
                raise loss.error("a loss coefficient cannot be negative", "k")
            open_area = float(loss.quantity("open_area", "dimensionless").m_as("")) if loss.has("open_area") else None
            if open_area is not None and not 0.05 <= open_area < 1.0:
                raise loss.error("open_area is a fraction between 0.05 and 1", "open_area")
            thickness = loss.quantity("thickness", "length", units).m_as("m") if loss.has("thickness") else 1e-3
            losses.append(Loss(name=loss.text("name") or "", k=k, open_area=open_area, thickness=thickness))
        lanes.append(Lane(
            name=lane.text("name") or "", fans=tuple(lane_fans),
            width=lane.quantity("width", "length", units, positive=True).m_as("m") if lane.has("width") else None,
            height=lane.quantity("height", "length", units, positive=True).m_as("m") if lane.has("height") else None,
            losses=tuple(losses), components=tuple(lane_components), line=lane.line()))
    placed = [c for lane in lanes for c in lane.components]
    for kind, items in (("component", placed), ("fan", [f for lane in lanes for f in lane.fans])):
        for item in sorted({i for i in items if items.count(i) > 1}):
            raise sec.child("lanes").error(f"{kind} {item!r} is in more than one lane",
                                           hint="a ducted lane owns its fans and components; list each once")
    for comp in components:
        if comp.part not in placed:
            raise sec.child("components").error(f"{comp.part!r} is in no lane", comp.part,
                                                "add it to the components of the lane it sits in")
    return ThermalSpec(environment=env, fan_model=path, fan_speed=speed, fan=fan_curve, spreading=spreading,
                       lanes=tuple(lanes), components=components, line=sec.line(),
                       allowances=_allowances(sec.child("uncertainty")) if sec.has("uncertainty") else dict(ALLOWANCES))


def _allowances(sec: Section) -> dict[str, float]:
    """``uncertainty: {heatsink: ±5 %, ...}``: the margin bands' allowances, each ± per cent (0 % drops one: a
    measured heat-sink resistance, a CFD fin-flow fraction)."""
    sec.mapping(tuple(ALLOWANCE_KEYS))
    out = dict(ALLOWANCES)
    for key, name in ALLOWANCE_KEYS.items():
        if not sec.has(key):
            continue
        value = plus_minus_fraction(sec, key, allow_zero=True)
        out[name] = value
        if key == "heatsink":   # a measured resistance narrows a pin-fin sink's correlation allowance too
            out["pin-fin correlation"] = value
    return out


def _environment(sec: Section) -> Environment:
    sec.mapping(("ashrae_class", "altitude", "nominal_inlet", "max_inlet"), required=("nominal_inlet",))
    cls = sec.text("ashrae_class", choices=("A1", "A2", "A3", "A4", "H1"))
    if cls is None and not sec.has("max_inlet"):
        raise sec.error("give ashrae_class (A1-A4, H1) or max_inlet for the worst case")
    altitude, altitude_min = 0.0, None
    text = sec.value.get("altitude")
    if isinstance(text, str) and ".." in text:   # a range: "0 m .. 3050 m"
        low, _, high = text.partition("..")
        try:
            altitude_min = parse_quantity(low.strip(), "length").m_as("m")
            altitude = parse_quantity(high.strip(), "length").m_as("m")
        except Exception:
            raise sec.error(f"altitude {text!r} is not a range of lengths", "altitude",
                            "write e.g. altitude: 0 m .. 3050 m, or one altitude: 900 m") from None
        if altitude_min > altitude:
            raise sec.error("the altitude range's low end is above its high end", "altitude",
                            "write it low to high, e.g. 0 m .. 3050 m")
    elif sec.has("altitude"):
        altitude = sec.quantity("altitude", "length").m_as("m")
    for z in (altitude, altitude_min if altitude_min is not None else altitude):
        if not -610 <= z <= 3050:
            raise sec.error("altitude must be between -610 m and 3050 m (the ASHRAE classes' range)", "altitude")
    max_inlet = sec.quantity("max_inlet", "temperature").m_as("degC") if sec.has("max_inlet") else None
    nominal = sec.quantity("nominal_inlet", "temperature").m_as("degC")
    if not -20.0 <= nominal <= 70.0:
        raise sec.error(f"{nominal:.1f} degC is not a plausible inlet temperature", "nominal_inlet")
    if max_inlet is not None and max_inlet < nominal:
        raise sec.error("max_inlet is below nominal_inlet", "max_inlet", "the worst case must be at least as hot")
    return Environment(ashrae_class=cls, altitude=altitude,
                       nominal_inlet=sec.quantity("nominal_inlet", "temperature").m_as("degC"), max_inlet=max_inlet,
                       altitude_min=altitude_min)


def _component(sec: Section, part: str, names: set[str], units: str | None,
               later: list[Reference] | None) -> Component:
    if part not in names and later is not None:
        later.append(Reference(part, sec.line(), sec.field_name(), part=True))
    elif part not in names:
        raise sec.error(f"{part!r} is not a part of the design")
    sec.mapping(("power", "tj_max", "tcase_max", "r_jc", "tim", "heatsink", "heatsink_geometry", "material",
                 "source", "package", "die", "lid", "junction", "r_ca", "air", "required_margin", "base"),
                required=("power",))
    if sec.has("tj_max") == sec.has("tcase_max"):
        raise sec.error("give exactly one of tj_max or tcase_max")
    kind = "junction" if sec.has("tj_max") else "case"
    limit_key = "tj_max" if kind == "junction" else "tcase_max"
    limit = sec.quantity(limit_key, "temperature").m_as("degC")
    if not 30.0 <= limit <= 250.0:
        raise sec.error(f"{limit:.1f} degC is not a plausible temperature limit", limit_key,
                        "write it in degC, e.g. 95 degC (95 K is -178 degC)")
    if sec.has("r_jc") and sec.quantity("r_jc", "thermal_resistance").m_as("K/W") < 0:
        raise sec.error("a thermal resistance cannot be negative", "r_jc")
    r_jc = sec.quantity("r_jc", "thermal_resistance").m_as("K/W") if sec.has("r_jc") else 0.0
    if kind == "junction" and not sec.has("r_jc"):
        raise sec.error("a junction limit needs r_jc (junction to case)", hint="add r_jc: 0.05 K/W")
    heatsink = sec.text("heatsink")
    if heatsink is not None and heatsink not in names and later is not None:
        later.append(Reference(heatsink, sec.line("heatsink"), sec.field_name("heatsink"), part=True))
    elif heatsink is not None and heatsink not in names:
        raise sec.error(f"{heatsink!r} is not a part", "heatsink")
    if (heatsink is None) == (not sec.has("r_ca")):
        raise sec.error("give either heatsink: PART or r_ca (case to local air)")
    tim_t = tim_k = None
    tim_source = ""
    if sec.has("tim"):
        tim_t, tim_k, tim_source = _tim(sec)
    elif heatsink is not None:
        raise sec.error("a component under a heat sink needs a tim", hint="e.g. tim: grease (models/tims.yaml)")
    k_hs, material_source = 0.0, ""
    if heatsink is not None:
        value = sec.value.get("material", "aluminium-6063")
        materials = _library("materials", "materials")
        if isinstance(value, str) and value in materials and "conductivity" not in materials[value]:
            raise sec.error(f"{value!r} is an orthotropic base material (models/materials.yaml)", "material",
                            f"material is the fins' metal; give the base as base: {{kind: "
                            f"{materials[value].get('kind', 'vapour-chamber')}, material: {value}}}")
        if isinstance(value, str) and value in materials:
            k_hs = parse_quantity(materials[value]["conductivity"], "thermal_conductivity").m_as("W/(m*K)")
            material_source = f"{value}: {materials[value]['source']}"
        else:
            try:
                k_hs = parse_quantity(value, "thermal_conductivity").m_as("W/(m*K)")
                material_source = f"{value} (design)"
            except Exception:
                raise sec.error(f"{value!r} is neither a material nor a conductivity", "material",
                                f"materials: {', '.join(materials)}; or e.g. '200 W/(m*K)'") from None
    source_size = _size(sec, "source", "the heat source (die)", units) if sec.has("source") else None
    package, die, lid, junction = _package(sec, heatsink, units)
    r_ca, r_ca_velocity, r_ca_exponent = _r_ca(sec) if sec.has("r_ca") else (None, None, 0.0)
    air = sec.text("air", "mixed", choices=("mixed", "wake")) or "mixed"
    if air == "wake" and heatsink is not None:
        raise sec.error("air: wake is for a part without a heat sink downstream of one", "air",
                        "remove air, or give it to the part in the heat sink's exhaust")
    geometry = None
    if sec.has("heatsink_geometry"):
        if heatsink is None:
            raise sec.error("heatsink_geometry needs heatsink: PART", "heatsink_geometry")
        geo = sec.child("heatsink_geometry")
        if isinstance(geo.value, dict) and geo.value.get("type") == "pin-fin":
            geometry = _pin_fin_geometry(geo, units)
        else:
            geo.mapping(GEOMETRY_KEYS, required=("fin_count", "fin_thickness", "fin_height", "base_thickness"))
            geometry = {"fin_count": float(geo.integer("fin_count", minimum=2) or 2)}
            for key in GEOMETRY_KEYS[1:]:
                if geo.has(key):
                    geometry[key] = geo.quantity(key, "length", units, positive=True).m_as("mm")
            if "fin_field_width" in geometry and geometry["fin_count"] * geometry["fin_thickness"] \
                    >= geometry["fin_field_width"]:
                raise geo.error("the fins do not fit in the fin field width", "fin_count")
    base = None
    if sec.has("base"):
        if heatsink is None:
            raise sec.error("base describes a heat sink's base plate; this part has none", "base",
                            "remove base, or give the part a heatsink")
        base = _base(sec.child("base"))
    return Component(
        heatsink_geometry=geometry, base=base,
        part=part, power=sec.quantity("power", "power", positive=True).m_as("W"), limit=limit, limit_kind=kind,
        r_jc=r_jc, tim_thickness=tim_t, tim_conductivity=tim_k, tim_source=tim_source, heatsink=heatsink,
        heatsink_conductivity=k_hs, material_source=material_source, source_size=source_size,
        package=package, die_size=die, lid_size=lid, junction=junction,
        r_ca=r_ca, r_ca_velocity=r_ca_velocity, r_ca_exponent=r_ca_exponent, air=air,
        required_margin=sec.quantity("required_margin", "temperature_difference").m_as("K")
        if sec.has("required_margin") else 0.0,
        line=sec.line())


def _pin_fin_geometry(geo: Section, units: str | None) -> dict[str, Any]:
    """A declared pin-fin sink, ``heatsink_geometry: {type: pin-fin, pin_diameter: 3 mm, pitch: [6 mm, 6 mm],
    layout: staggered, fin_height: 25 mm, base_thickness: 4 mm}`` (optional fin_field_width, fin_length: the pin
    field, default the part's footprint): lengths [mm], ``pitch_along`` / ``pitch_across`` the flow."""
    geo.mapping(PIN_GEOMETRY_KEYS, required=("type", "pin_diameter", "pitch", "layout", "fin_height",
                                             "base_thickness"))
    out: dict[str, Any] = {"type": "pin-fin",
                           "layout": geo.text("layout", choices=("in-line", "staggered"))}
    for key in ("pin_diameter", "fin_height", "base_thickness", "fin_field_width", "fin_length"):
        if geo.has(key):
            out[key] = geo.quantity(key, "length", units, positive=True).m_as("mm")
    pitch = geo.child("pitch")
    if isinstance(pitch.value, list):
        if len(pitch.value) != 2:
            raise geo.error("expected [along, across] the flow", "pitch", "e.g. pitch: [6 mm, 6 mm]")
        out["pitch_along"], out["pitch_across"] = (pitch.quantity(i, "length", units, positive=True).m_as("mm")
                                                   for i in range(2))
    else:
        out["pitch_along"] = out["pitch_across"] = geo.quantity("pitch", "length", units, positive=True).m_as("mm")
    if not out["pin_diameter"] < min(out["pitch_across"], 2.0 * out["pitch_along"]):
        raise geo.error(f"pins of {out['pin_diameter']:g} mm at a pitch of {out['pitch_along']:g} x "
                        f"{out['pitch_across']:g} mm touch their neighbours", "pin_diameter",
                        "the diameter must be smaller than the pitch across the flow")
    return out


def _base(sec: Section) -> Base:
    """``base: {kind: vapour-chamber, k_in_plane, k_through}`` or ``{kind: heat-pipe, k_along, k_across, k_through,
    direction: x|y}`` (the axis the pipes run along), the conductivities given or read from a models/materials.yaml
    entry (``material: NAME``, whose ``kind`` must match) [W/(m K)]."""
    example = "e.g. base: {kind: vapour-chamber, k_in_plane: 3000 W/(m*K), k_through: 30 W/(m*K)}"
    if not isinstance(sec.value, dict):
        raise sec.error("expected a mapping", hint=example)
    every = tuple(dict.fromkeys(k for keys in BASE_KEYS.values() for k in keys))
    sec.mapping(("kind", "material", "direction", *every), required=("kind",))
    kind = sec.text("kind", choices=tuple(BASE_KEYS)) or ""
    keys = BASE_KEYS[kind]
    for key in every:
        if key not in keys and sec.has(key):
            other = next(k for k, v in BASE_KEYS.items() if key in v)
            raise sec.error(f"{key} is a key of kind: {other}", key, f"a {kind} base takes {', '.join(keys)}")
    if (kind == "heat-pipe") != sec.has("direction"):
        raise sec.error("direction (the axis the heat pipes run along, x or y) is for kind: heat-pipe only"
                        if kind != "heat-pipe" else "a heat-pipe base needs direction: x or y (the pipes' axis)",
                        "direction" if sec.has("direction") else None)
    direction = sec.text("direction", choices=("x", "y"))
    given = [k for k in keys if sec.has(k)]
    values: dict[str, float] = {}
    if sec.has("material"):
        if given:
            raise sec.error(f"give either material or the conductivities ({', '.join(keys)}), not both", given[0])
        name = sec.text("material") or ""
        library = _library("materials", "materials")
        entry = library.get(name)
        bases = [n for n, e in library.items() if isinstance(e, dict) and e.get("kind") == kind]
        if not isinstance(entry, dict) or entry.get("kind") != kind:
            raise sec.error(f"{name!r} is not a {kind} material in models/materials.yaml", "material",
                            f"{kind} materials: {', '.join(bases) or 'none'}; or give {', '.join(keys)}")
        for key in keys:
            values[key] = parse_quantity(entry[BASE_MATERIAL_KEYS[key]], "thermal_conductivity").m_as("W/(m*K)")
        source = f"{name}: {entry.get('source', '')}"
    else:
        missing = [k for k in keys if k not in given]
        if missing:
            raise sec.error(f"a {kind} base needs {', '.join(missing)}", hint=f"add {missing[0]}: ..., or material: "
                            "NAME (models/materials.yaml)")
        for key in keys:
            values[key] = sec.quantity(key, "thermal_conductivity", positive=True).m_as("W/(m*K)")
        source = "design"
    for key, k in values.items():
        if not 1.0 <= k <= 1e5:
            raise sec.error(f"{key} {k:g} W/(m K) is outside 1-100000 W/(m K)", key if key in given else "material",
                            "give the effective conductivity in W/(m*K), e.g. 3000 W/(m*K)")
    if kind == "vapour-chamber":
        k_x = k_y = values["k_in_plane"]
    elif direction == "x":
        k_x, k_y = values["k_along"], values["k_across"]
    else:
        k_x, k_y = values["k_across"], values["k_along"]
    return Base(kind=kind, k_x=k_x, k_y=k_y, k_z=values["k_through"], source=source)


def _size(sec: Section, key: str, what: str, units: str | None) -> tuple[float, float]:
    """``key: [x size, y size]`` [m]."""
    value = sec.child(key)
    if not isinstance(value.value, list) or len(value.value) != 2:
        raise sec.error(f"expected [x size, y size] of {what}", key, f"e.g. {key}: [40 mm, 40 mm]")
    size_x, size_y = (value.quantity(i, "length", units, positive=True).m_as("m") for i in range(2))
    return size_x, size_y


def _package(sec: Section, heatsink: str | None, units: str | None
             ) -> tuple[str | None, tuple[float, float] | None, tuple[float, float] | None, str]:
    """What the heat source is: ``package: bare`` with ``die``, or ``package: lidded`` with ``die`` and ``lid``
    (contract.md, "Thermal, second generation"); ``junction`` peak (default with a package) or average."""
    package = sec.text("package", choices=("bare", "lidded"))
    if package is None:
        for key in ("die", "lid"):
            if sec.has(key):
                raise sec.error(f"{key} needs package: bare or package: lidded", key,
                                "say what the component is, e.g. package: bare, die: [40 mm, 40 mm]")
    elif heatsink is None:
        raise sec.error("package describes the heat source under a heat sink; this part has none", "package",
                        "remove package, die and lid, or give the part a heatsink")
    elif sec.has("source"):
        raise sec.error("give either source (the older key) or package with die (and lid)", "source",
                        "with package, the die and lid say where the heat is; remove source")
    elif not sec.has("die"):
        raise sec.error(f"package: {package} needs die: [x size, y size]", "package",
                        "e.g. die: [40 mm, 40 mm]")
    elif package == "bare" and sec.has("lid"):
        raise sec.error("a bare die has no lid", "lid", "remove lid, or write package: lidded")
    elif package == "lidded" and not sec.has("lid"):
        raise sec.error("package: lidded needs lid: [x size, y size]", "package", "e.g. lid: [70 mm, 70 mm]")
    die = _size(sec, "die", "the die", units) if sec.has("die") else None
    lid = _size(sec, "lid", "the lid", units) if sec.has("lid") else None
    if die is not None and lid is not None and (die[0] > lid[0] * (1 + 1e-9) or die[1] > lid[1] * (1 + 1e-9)):
        raise sec.error(f"the die ({die[0] * 1e3:g} x {die[1] * 1e3:g} mm) is larger than the lid "
                        f"({lid[0] * 1e3:g} x {lid[1] * 1e3:g} mm)", "die", "give the sizes along x and y")
    default = "peak" if package is not None else "average"   # an older design keeps its reading
    junction = sec.text("junction", default, choices=("peak", "average")) or default
    if sec.has("junction") and sec.value.get("tcase_max") is not None:
        raise sec.error("junction applies to a tj_max limit", "junction", "remove junction, or give tj_max")
    return package, die, lid, junction


def _r_ca(sec: Section) -> tuple[float, float | None, float]:
    """``r_ca: 0.25 K/W`` (fixed) or ``r_ca: {ref: 0.25 K/W, at: 2 m/s, exponent: 0.8}``: R = ref (at / v)^n
    [K/W, m/s, -]."""
    if not isinstance(sec.value["r_ca"], dict):
        value = sec.quantity("r_ca", "thermal_resistance").m_as("K/W")
        if value < 0:
            raise sec.error("a thermal resistance cannot be negative", "r_ca")
        return value, None, 0.0
    law = sec.child("r_ca")
    law.mapping(("ref", "at", "exponent"), required=("ref", "at", "exponent"))
    ref = law.quantity("ref", "thermal_resistance", positive=True).m_as("K/W")
    at = law.quantity("at", "velocity", positive=True).m_as("m/s")
    exponent = float(law.quantity("exponent", "dimensionless").m_as(""))
    if not 0.0 <= exponent <= 1.0:
        raise law.error(f"exponent {exponent:g} is outside 0-1", "exponent",
                        "forced convection gives Nu ~ Re^n with n = 0.5 (laminar) to 0.8 (turbulent)")
    return ref, at, exponent


def _tim(sec: Section) -> tuple[float, float, str]:
    value = sec.value["tim"]
    tims = _library("tims", "tims")
    if isinstance(value, str):
        if value not in tims:
            raise sec.error(f"unknown TIM {value!r}", "tim",
                            f"known: {', '.join(tims)}; or {{thickness, conductivity}}")
        entry = tims[value]
        return (parse_quantity(entry["thickness"], "length").m_as("m"),
                parse_quantity(entry["conductivity"], "thermal_conductivity").m_as("W/(m*K)"),
                f"{value}: {entry['source']}")
    tim = sec.child("tim")
    tim.mapping(("thickness", "conductivity"), required=("thickness", "conductivity"))
    return (tim.quantity("thickness", "length", positive=True).m_as("m"),
            tim.quantity("conductivity", "thermal_conductivity", positive=True).m_as("W/(m*K)"), "design")
