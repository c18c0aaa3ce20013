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


def test_calibration_data_narrows_the_band(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # a measured heat-sink resistance (0 %) and a CFD fin-flow fraction (±3 %): the correlation's part drops out
    # and the bypass part scales by 3/10; the others stay
    from sledcheck.errors import SledcheckError

    fixed = EXAMPLES / "tray-1u" / "fixed.yaml"
    text = fixed.read_text(encoding="utf-8").replace("file: cad/", f"file: {fixed.parent / 'cad'}/")
    narrowed = text.replace("thermal:\n", "thermal:\n  uncertainty: {heatsink: ±0 %, bypass: ±3 %}\n", 1)
    design = tmp_path / "calibrated.yaml"
    design.write_text(narrowed, encoding="utf-8")
    base = report_dict(check(EXAMPLES / "tray-1u" / "fixed.yaml"))["thermal"]["scenarios"]
    calibrated = report_dict(check(design))["thermal"]["scenarios"]
    for before, after in zip(base, calibrated, strict=True):
        b = next(c for c in before["components"] if c["part"] == "package0")["margin_band"]["parts"]
        a = next(c for c in after["components"] if c["part"] == "package0")["margin_band"]["parts"]
        assert a["heat-sink correlation"]["value"] == 0.0
        assert a["bypass split"]["value"] == pytest.approx(b["bypass split"]["value"] * 0.3, abs=2e-4)
        assert a["fan curve"]["value"] == pytest.approx(b["fan curve"]["value"], abs=1e-6)
    for bad in ("lots", "±-5 %", "±100 %"):
        design.write_text(text.replace("thermal:\n", f"thermal:\n  uncertainty: {{heatsink: {bad}}}\n", 1),
                          encoding="utf-8")
        with pytest.raises(SledcheckError, match="not a ± per cent"):
            check(design)
