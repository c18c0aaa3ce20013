"""TIM resistance."""

from __future__ import annotations

import pytest

from sledcheck.thermal import tim_resistance
from sledcheck.thermal.tim import tim_resistance as tim_si
from sledcheck.units import Q_, UnitError


def test_tim_bulk_and_contact() -> None:
    # BLT/(k A): 50 um / (5 W/(m K) * 1000 mm^2) = 0.01 K/W; + R''c/A = 5e-6 K m^2/W / 1e-3 m^2 = 0.005 K/W
    assert tim_si(50e-6, 5.0, 1e-3) == pytest.approx(0.01)
    assert tim_si(50e-6, 5.0, 1e-3, 5e-6) == pytest.approx(0.015)
    assert tim_resistance("50 um", "5 W/(m*K)", "1000 mm^2").m_as("K/W") == pytest.approx(0.01)
    r = tim_resistance(Q_(50, "um"), "5 W/(m*K)", Q_(10, "cm^2"), "5 K*mm^2/W")
    assert r.m_as("K/W") == pytest.approx(0.015)


def test_tim_unit_errors() -> None:
    with pytest.raises(UnitError, match="bond_line_thickness"):
        tim_resistance(50e-6, "5 W/(m*K)", "1000 mm^2")
    with pytest.raises(UnitError, match="area"):
        tim_resistance("50 um", "5 W/(m*K)", "1000 mm")
    with pytest.raises(UnitError, match="contact_resistance"):
        tim_resistance("50 um", "5 W/(m*K)", "1000 mm^2", "5 K/W")
