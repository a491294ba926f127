"""Time to survive, performance impact and exposure (Simchi-Levi et al., Interfaces 45(5), 2015).

Each expected figure is worked by hand in the comment beside it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackforge.errors import InputError
from rackforge.supply import SupplyNetwork, exposure, performance_impact, time_to_survive


def network(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> SupplyNetwork:
    return SupplyNetwork.model_validate({"nodes": nodes, "edges": edges})


def second_source(a_inventory: float = 30.0, b_capacity: float = 6.0) -> SupplyNetwork:
    return network(
        [
            {"id": "P", "kind": "product", "capacity_per_week": 100, "inventory": 20,
             "demand_per_week": 10},
            {"id": "A", "kind": "supplier", "capacity_per_week": 6, "inventory": a_inventory,
             "ttr_weeks": 20},
            {"id": "B", "kind": "supplier", "capacity_per_week": b_capacity, "inventory": 0,
             "ttr_weeks": 20},
        ],
        [
            {"from": "A", "to": "P", "material": "k"},
            {"from": "B", "to": "P", "material": "k"},
        ],
    )  # fmt: skip


def test_a_second_source_and_buffers_carry_demand_until_they_run_dry() -> None:
    # A down: 30 of A's stock + 6t from B + 20 finished units must cover 10t → t = 12.5
    assert time_to_survive(second_source(), "A") == pytest.approx(12.5)
    # over A's 20-week TTR: 200 demanded, 20 + 30 + 120 = 170 available → 30 lost
    assert performance_impact(second_source(), "A", 20) == pytest.approx((30.0, 30.0))


def test_the_product_node_down_survives_on_its_finished_stock() -> None:
    assert time_to_survive(second_source(), "P") == pytest.approx(2.0)  # 20 units / 10 a week


def test_survival_is_capped_at_the_horizon_when_a_loss_never_bites() -> None:
    # B down: A makes 6 a week but A's 30 + P's 20 only delay the shortfall: 50 + 6t = 10t
    assert time_to_survive(second_source(), "B") == pytest.approx(12.5)
    # with B able to make 10 a week, A down never runs short: capped at the horizon
    roomy = second_source(b_capacity=10.0)
    assert time_to_survive(roomy, "A", horizon_weeks=52) == pytest.approx(52.0)
    e = exposure(roomy, horizon_weeks=52)["A"]
    assert e.tts_capped and e.critical is False and e.performance_impact == pytest.approx(0.0)


def two_tier() -> SupplyNetwork:
    """R needs 1 tray a unit; the tray maker T needs 4 chips a tray from the chip fab F."""
    return network(
        [
            {"id": "R", "kind": "product", "capacity_per_week": 50, "inventory": 0,
             "demand_per_week": 5, "loss_weight": 2},
            {"id": "T", "kind": "supplier", "capacity_per_week": 8, "inventory": 10,
             "ttr_weeks": 4},
            {"id": "F", "kind": "supplier", "inventory": 40, "ttr_weeks": 12},
        ],
        [
            {"from": "T", "to": "R", "material": "tray"},
            {"from": "F", "to": "T", "material": "chip", "units_per_unit": 4},
        ],
    )  # fmt: skip


def test_a_tier_2_disruption_reaches_the_product_through_its_buffers() -> None:
    # F down: its 40 chips make 10 trays, plus T's 10 trays: 20 racks at 5 a week → 4 weeks
    assert time_to_survive(two_tier(), "F") == pytest.approx(4.0)
    # over F's 12 weeks: 60 demanded, 20 made → 40 lost at weight 2 → impact 80
    assert performance_impact(two_tier(), "F", 12) == pytest.approx((80.0, 40.0))


def test_an_unconstrained_node_is_limited_only_by_what_it_takes_in() -> None:
    # T down: 10 trays on hand, 5 a week → 2 weeks; F (no capacity) cannot help without T
    assert time_to_survive(two_tier(), "T") == pytest.approx(2.0)


def test_exposure_ranks_nodes_by_impact_and_flags_ttr_beyond_tts() -> None:
    result = exposure(two_tier())
    # T: 4 weeks down, 20 demanded, 10 on hand → 10 lost × 2 = 20; F: 80 (above)
    assert result["T"].performance_impact == pytest.approx(20.0)
    assert result["F"].risk_exposure_index == pytest.approx(1.0)
    assert result["T"].risk_exposure_index == pytest.approx(0.25)
    assert result["T"].critical and result["F"].critical  # 4 > 2 and 12 > 4
    assert result["R"].ttr_weeks is None and result["R"].critical is None


def test_losses_fall_on_the_cheaper_product_first() -> None:
    shared = network(
        [
            {"id": "X", "kind": "product", "demand_per_week": 1, "loss_weight": 10},
            {"id": "Y", "kind": "product", "demand_per_week": 1, "loss_weight": 1},
            {"id": "S", "kind": "supplier", "capacity_per_week": 1, "ttr_weeks": 3},
            {"id": "S2", "kind": "supplier", "capacity_per_week": 1, "ttr_weeks": 3},
        ],
        [
            {"from": "S", "to": "X", "material": "m"},
            {"from": "S", "to": "Y", "material": "m"},
            {"from": "S2", "to": "X", "material": "m"},
            {"from": "S2", "to": "Y", "material": "m"},
        ],
    )  # fmt: skip
    # S down for 3 weeks: S2's 3 units all go to X; Y loses 3 at weight 1
    assert performance_impact(shared, "S", 3) == pytest.approx((3.0, 3.0))


def test_an_unknown_node_or_horizon_is_refused_with_the_fix() -> None:
    with pytest.raises(InputError) as caught:
        time_to_survive(second_source(), "Z")
    assert caught.value.fix == "use one of: P, A, B"
    with pytest.raises(InputError):
        exposure(second_source(), horizon_weeks=0)


@given(
    extra=st.floats(min_value=0, max_value=500),
    b_capacity=st.floats(min_value=0, max_value=20),
)
@settings(max_examples=60, deadline=None)
def test_more_buffer_never_shortens_survival_nor_raises_the_loss(
    extra: float, b_capacity: float
) -> None:
    base, more = second_source(30.0, b_capacity), second_source(30.0 + extra, b_capacity)
    assert time_to_survive(more, "B") >= time_to_survive(base, "B") - 1e-7
    loss_base, lost_base = performance_impact(base, "B", 20)
    loss_more, _ = performance_impact(more, "B", 20)
    assert loss_more <= loss_base + 1e-7
    assert 0.0 <= lost_base <= 10 * 20 + 1e-7  # never more than the window's demand
