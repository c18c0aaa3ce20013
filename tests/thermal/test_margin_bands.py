"""Each margin's band (contract: margin_band, status): the root sum of squares of its allowances, each the
temperature change it causes (model.thermal.uncertainty)."""

from __future__ import annotations

import math

import pytest

from conftest import EXAMPLES
from sledcheck.model.thermal.uncertainty import ALLOWANCES
from sledcheck.pipeline import check
from sledcheck.report.json_format import report_dict


@pytest.fixture(scope="module")
def scenarios() -> list[dict]:
    return report_dict(check(EXAMPLES / "tray-1u" / "fixed.yaml"))["thermal"]["scenarios"]


def test_resistance_allowances_are_power_times_resistance_times_allowance(scenarios: list[dict]) -> None:
    for scenario in scenarios:
        for comp in scenario["components"]:
            parts = {k: v["value"] for k, v in comp["margin_band"]["parts"].items()}
            band = comp["margin_band"]["high"]["value"] - comp["margin"]["value"]
            assert band == pytest.approx(math.sqrt(sum(v * v for v in parts.values())), abs=2e-4)
            assert comp["margin"]["value"] - comp["margin_band"]["low"]["value"] == pytest.approx(band, abs=2e-4)
            assert parts["fan curve"] > 0    # 10 % less fan speed always warms the part
            if comp["part"].startswith("package"):
                power, r = comp["power"]["value"], {k: v["value"] for k, v in comp["resistances"].items()}
                for name, key in (("heat-sink correlation", "r_heatsink"), ("spreading", "r_spreading"),
                                  ("TIM", "r_tim")):
                    assert parts[name] == pytest.approx(power * r[key] * ALLOWANCES[name], rel=1e-4, abs=2e-4)
            else:   # the DIMMs have no heat sink: only the air can move
                assert set(parts) == {"fan curve"}


def test_status_is_marginal_where_the_band_crosses_the_requirement(scenarios: list[dict]) -> None:
    for scenario in scenarios:
        for comp in scenario["components"]:
            margin, need = comp["margin"]["value"], comp["required_margin"]["value"]
            low = comp["margin_band"]["low"]["value"]
            expected = "fail" if margin < need else "marginal" if low < need else "pass"
            assert comp["status"] == expected
    # the package behind the failed fan keeps +6.2 K over its 5 K, but its band (about +-4.4 K) crosses it
    failed = next(s for s in scenarios if s["failed"] == ["fan1"])
    package0 = next(c for c in failed["components"] if c["part"] == "package0")
    assert package0["status"] == "marginal"
