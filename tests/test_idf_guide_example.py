"""examples/idf-guide (issue 14, done when): an IDF board with the mechanical parts and a design-guide pack
fails on a component-height and a mass limit, and the fixed variant beside it passes."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from conftest import EXAMPLES, Run

FOLDER = EXAMPLES / "idf-guide"


def test_the_example_fails_on_height_under_the_sink_and_mass(cli: Callable[..., Run]) -> None:
    result = cli("check", FOLDER / "design.yaml", "--format", "json")
    report = json.loads(result.out)
    assert result.code == 1, result.err
    by_code: dict[str, list[dict]] = {}
    for finding in report["findings"]:
        by_code.setdefault(finding["code"], []).append(finding)
    assert set(by_code) == {"D303", "L001"}
    # the capacitors' library height 2.5 mm above the board top, against the guide's 2.0 mm
    assert sorted(f["subjects"][0] for f in by_code["D303"]) == ["C1", "C2", "C3", "C4"]
    assert all(f["measured"]["value"] == pytest.approx(2.5, abs=1e-6) for f in by_code["D303"])
    # base 90 x 90 x 5 mm + 20 fins 1 x 90 x 30 mm = 94,500 mm^3 of copper at 8933 kg/m^3 (Incropera, table A.1)
    (mass,) = by_code["L001"]
    assert mass["measured"]["value"] == pytest.approx(94_500e-9 * 8933, rel=1e-6)
    sink = next(p for p in report["parts"] if p["name"] == "heatsink")
    assert sink["mass"]["value"] == pytest.approx(94_500e-9 * 8933, rel=1e-6)
    # the centre of gravity: (40500 mm^3 at z 2.5 + 54000 mm^3 at z 20) / 94500 above the sink's base at 4.6 mm
    assert sink["center_of_gravity"]["value"][2] == pytest.approx(4.6 + (40500 * 2.5 + 54000 * 20) / 94500, abs=1e-3)


def test_the_fixed_variant_passes(cli: Callable[..., Run]) -> None:
    result = cli("check", FOLDER / "fixed.yaml", "--format", "json")
    assert result.code == 0, result.out[-2000:]
    sink = next(p for p in json.loads(result.out)["parts"] if p["name"] == "heatsink")
    assert sink["mass"]["value"] == pytest.approx(94_500e-9 * 2690, rel=1e-6)    # aluminium 6063
