"""contract.md, "Thermal, second generation": every scenario says its kind and which fans failed."""

from __future__ import annotations

from conftest import EXAMPLES
from sledcheck.pipeline import check
from sledcheck.report.json_format import report_dict


def test_each_scenario_has_its_kind_and_failed_fans() -> None:
    scenarios = report_dict(check(EXAMPLES / "tray-1u" / "fixed.yaml"))["thermal"]["scenarios"]
    kinds = [(s["kind"], s["failed"]) for s in scenarios]
    # nominal inlet, the worst inlet with every fan, then the worst inlet with each of the six fans failed
    assert kinds[:2] == [("nominal", []), ("worst_inlet", [])]
    assert kinds[2:] == [("fan_failed", [f"fan{k}"]) for k in range(1, 7)]
