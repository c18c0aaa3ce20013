"""The fan models shipped in models/fans: what each curve is, and that what each file claims holds (issue 12,
item 2).

A file is ``status: datasheet`` only when every point is traceable to a named document: its model number, the
document (name, revision, URL) and how the points were taken (a table, or digitised from figure N). Each such
file's source table is quoted in ``DATASHEET_TABLES`` below, and its points, monotonic shape, free delivery and
shut-off are checked against it.

Today no shipped curve is a datasheet curve. The public documents found give the P-Q curves as figures only
(e.g. Sanyo Denki San Ace 40 9CRH/9CRB/9CRA counter-rotating 40 x 40 x 56 mm, San Ace 80 9GA 80 x 80 x 38 mm,
San Ace 92 9HV: their text carries the axes' tick labels, not the curve), and no published table or digitised
point set traceable to one model's document was found for a 40 x 56 dual-rotor, 60 x 38 or 80 x 38 server fan.
So all three files stay ``representative`` and say why; the tests below hold them to that and to the headline
values the 40 x 56 file cites.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from sledcheck.load.fans import MODELS_DIR, load_fan_model
from sledcheck.thermal.fans import FanCurve

CFM = 0.3048**3 / 60.0          # m^3/s per ft^3/min (1 ft = 0.3048 m exactly)
M3_PER_MIN = 1.0 / 60.0         # m^3/s per m^3/min
SHIPPED = sorted(MODELS_DIR.glob("*.yaml"))

#: file stem -> the datasheet it was taken from: document, url, how the points were taken ("table" or
#: "digitised from figure N"), the points as published [(CFM, Pa)], and the headline free delivery [CFM] and
#: shut-off [Pa]. Empty: no shipped curve is from a datasheet yet (see the module docstring).
DATASHEET_TABLES: dict[str, dict[str, Any]] = {}


def _document(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


def _check_against_table(curve: FanCurve, table: dict[str, Any]) -> None:
    """A datasheet curve's points are the quoted table's, it falls monotonically, and its ends are the
    datasheet's headline free delivery and shut-off."""
    q = curve.flow_si / CFM
    p = curve.pressure_si
    published = np.array(table["points"], float)
    assert q == pytest.approx(published[:, 0], rel=1e-6), "flows differ from the quoted table"
    assert p == pytest.approx(published[:, 1], rel=1e-6), "pressures differ from the quoted table"
    assert np.all(np.diff(p) < 0.0), "the curve must fall monotonically from shut-off to free delivery"
    assert q[-1] == pytest.approx(table["free_delivery"], rel=1e-3) and p[-1] == 0.0
    assert q[0] == 0.0 and p[0] == pytest.approx(table["shut_off"], rel=1e-3)


def test_every_shipped_model_says_what_its_curve_is() -> None:
    assert {p.stem for p in SHIPPED} >= {"server-40x56-dual-rotor", "server-60x38", "server-80x38-high-pressure"}
    datasheet = set()
    for path in SHIPPED:
        doc = _document(path)
        assert doc["status"] in ("datasheet", "representative"), path.name
        assert load_fan_model(path).status == doc["status"]
        if doc["status"] == "representative":
            # says so in its name and why in its source
            assert "representative" in doc["name"], path.name
            assert "not copied from a datasheet" in doc["source"].lower(), path.name
        else:
            datasheet.add(path.stem)
            for key in ("manufacturer", "model", "url", "source"):
                assert doc.get(key), f"{path.name}: a datasheet curve names its {key}"
    # every datasheet curve has its source table quoted in this test, and no table is left without its file;
    # each curve is checked against its table
    assert datasheet == set(DATASHEET_TABLES)
    for stem, table in DATASHEET_TABLES.items():
        _check_against_table(load_fan_model(MODELS_DIR / f"{stem}.yaml"), table)


def test_the_datasheet_check_rejects_a_curve_that_is_not_its_table() -> None:
    """The check above on a made-up table (no shipped file): it passes the curve drawn from the table and fails
    one point off, a rising segment, or the wrong shut-off."""
    table = {"points": [(0, 600), (10, 450), (20, 250), (25, 0)], "free_delivery": 25, "shut_off": 600}

    def curve(points: list[tuple[float, float]]) -> FanCurve:
        return FanCurve(flow=[f"{q} CFM" for q, _ in points], pressure=[f"{p} Pa" for _, p in points])

    _check_against_table(curve(table["points"]), table)
    off = [(0, 600), (10, 455), (20, 250), (25, 0)]              # one point 5 Pa off the table
    rising = [(0, 600), (10, 620), (20, 250), (25, 0)]           # a table, but not a falling curve
    for got, quoted in ((off, table), (rising, {**table, "points": rising}),
                        (table["points"], {**table, "shut_off": 650})):
        with pytest.raises(AssertionError):
            _check_against_table(curve(got), quoted)


def test_the_40x56_curve_lies_between_the_san_ace_headline_values_it_cites() -> None:
    """Its notes say the curve (30 CFM, 1000 Pa, 24 W) lies between two public San Ace 40 x 40 x 56 mm
    counter-rotating datasheets' headline values (specifications tables):
    9CRH0412P5J001: max airflow 0.93 m^3/min, max static pressure 1700 Pa, rated input 30.24 W
    (https://pdf.datasheet.live/aeb175e7/sanyodenki.co.jp/9CRH0412P5J001.html);
    9CRB0412P5K001: 0.76 m^3/min, 730 Pa, 10.56 W (https://xonelec.com/mpn/sanyodenki/9crb0412p5k001)."""
    path = MODELS_DIR / "server-40x56-dual-rotor.yaml"
    fan, notes = load_fan_model(path), _document(path)["notes"]
    for text in ("9CRH0412P5J001", "0.93 m^3/min", "1700 Pa", "30.24 W", "9CRB0412P5K001", "0.76 m^3/min",
                 "730 Pa", "10.56 W"):
        assert text in notes
    assert 0.76 * M3_PER_MIN < fan.free_delivery_si < 0.93 * M3_PER_MIN
    assert 730.0 < float(fan.pressure_si[0]) < 1700.0
    assert 10.56 < float(fan.power.m_as("W")) < 30.24
    assert np.all(np.diff(fan.pressure_si) < 0.0)         # "no pronounced stall dip; the curve falls"


def test_the_single_rotor_curves_have_the_shape_their_files_state() -> None:
    """The 60 x 38 file says its curve flattens between 25 and 45 % of free delivery; the 80 x 38 file that it
    has a slight stall dip near 35 % (the pressure rises again up to 40 %)."""
    fan60 = load_fan_model(MODELS_DIR / "server-60x38.yaml")
    slope = np.diff(fan60.pressure_si) / np.diff(fan60.flow_si / fan60.free_delivery_si)
    middle = (fan60.flow_si[1:] / fan60.free_delivery_si > 0.25) & (fan60.flow_si[:-1] / fan60.free_delivery_si < 0.45)
    assert np.all(slope < 0.0) and np.abs(slope[middle]).max() < np.abs(slope[~middle]).min()
    fan80 = load_fan_model(MODELS_DIR / "server-80x38-high-pressure.yaml")
    share = fan80.flow_si / fan80.free_delivery_si
    rising = np.diff(fan80.pressure_si) > 0.0
    assert np.any(rising) and np.all((share[:-1][rising] >= 0.35) & (share[1:][rising] <= 0.40))
