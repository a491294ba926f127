"""Design rules as data: each violation names the figure, the limit, its source and a fix."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.errors import InputError
from rackforge.rack import Comparison, Rule, check

ORV3_BUSBAR = Rule(
    id="orv3-busbar-kw",
    quantity="it_power_kw",
    limit=18.0,
    comparison="<=",
    unit="kW",
    source="ORv3 busbar, OCP Open Rack V3 base specification",
    fix="split into 2 racks",
)
AIR_HALL = Rule(
    id="hall-kw-per-rack",
    quantity="air_heat_kw",
    limit=15.0,
    comparison="<=",
    unit="kW",
    source="data hall A air cooling, site rule set",
    fix="needs liquid cooling",
)
MIN_HEADROOM = Rule(
    id="shelf-headroom",
    quantity="headroom_kw",
    limit=0.0,
    comparison=">=",
    unit="kW",
    source="N+1 power shelves",
    fix="add a power shelf",
)


def test_a_130_kw_rack_on_an_18_kw_busbar_is_refused_with_the_limit_source_and_fix() -> None:
    [violation] = check({"it_power_kw": 130.0}, [ORV3_BUSBAR])
    assert violation.message == (
        "it_power_kw 130.0 kW exceeds the limit 18.0 kW "
        "(ORv3 busbar, OCP Open Rack V3 base specification) — fix: split into 2 racks"
    )
    assert (violation.rule_id, violation.value, violation.limit) == ("orv3-busbar-kw", 130.0, 18.0)
    assert (violation.unit, violation.fix) == ("kW", "split into 2 racks")


def test_a_40_kw_air_cooled_rack_in_a_15_kw_hall_needs_liquid_cooling() -> None:
    [violation] = check({"air_heat_kw": 40.0}, [AIR_HALL])
    assert violation.fix == "needs liquid cooling"
    assert "air_heat_kw 40.0 kW exceeds the limit 15.0 kW" in violation.message


def test_a_lower_limit_reports_a_shortfall() -> None:
    [violation] = check({"headroom_kw": -5.5}, [MIN_HEADROOM])
    assert violation.message.startswith("headroom_kw -5.5 kW falls short of the minimum 0.0 kW")


def test_figures_within_every_limit_raise_no_violation() -> None:
    figures = {"it_power_kw": 18.0, "air_heat_kw": 2.0, "headroom_kw": 0.0}
    assert check(figures, [ORV3_BUSBAR, AIR_HALL, MIN_HEADROOM]) == []


def test_violations_come_in_rule_order() -> None:
    figures = {"it_power_kw": 130.0, "air_heat_kw": 40.0, "headroom_kw": -1.0}
    ids = [v.rule_id for v in check(figures, [MIN_HEADROOM, ORV3_BUSBAR, AIR_HALL])]
    assert ids == ["shelf-headroom", "orv3-busbar-kw", "hall-kw-per-rack"]


def test_a_rule_on_a_figure_the_design_does_not_report_is_an_error_not_a_pass() -> None:
    with pytest.raises(InputError, match="no figure for air_heat_kw") as raised:
        check({"it_power_kw": 10.0}, [ORV3_BUSBAR, AIR_HALL])
    assert raised.value.where == "rule hall-kw-per-rack"


def test_a_figure_that_is_not_a_number_violates_every_rule_on_it() -> None:
    assert len(check({"it_power_kw": math.nan}, [ORV3_BUSBAR])) == 1


def test_a_rule_with_an_unknown_comparison_is_refused() -> None:
    bad: Comparison = "<"  # type: ignore[assignment]
    with pytest.raises(InputError, match="use <= \\(an upper limit\\) or >="):
        Rule("r", "x", 1.0, bad, "kW", "somewhere", "something")


def test_small_and_unitless_figures_keep_their_significant_digits() -> None:
    rule = Rule("pue", "liquid_share", 0.8, ">=", "", "site", "add cold plates")
    [violation] = check({"liquid_share": 0.7525}, [rule])
    assert violation.message.startswith("liquid_share 0.7525 falls short of the minimum 0.8 (")


@given(
    value=st.floats(allow_nan=False, allow_infinity=False),
    limit=st.floats(allow_nan=False, allow_infinity=False),
    comparison=st.sampled_from(["<=", ">="]),
)
def test_a_rule_is_violated_exactly_when_its_comparison_fails(
    value: float, limit: float, comparison: Comparison
) -> None:
    rule = Rule("r", "x", limit, comparison, "kW", "s", "f")
    holds = value <= limit if comparison == "<=" else value >= limit
    assert (check({"x": value}, [rule]) == []) == holds
