"""Monte Carlo of correlated disruptions: held to the exact LPs on cases worked by hand."""

from __future__ import annotations

from typing import Any

import pytest

from rackforge.errors import InputError
from rackforge.supply import SupplyNetwork, performance_impact
from rackforge.supply.disruption import ScenarioClass, simulate, strike_probability


def network(**changes: dict[str, Any]) -> SupplyNetwork:
    """P makes 10 a week from material k, sourced from A (Taiwan) or B (Texas), 6 a week each."""
    nodes = {
        "P": {"id": "P", "kind": "product", "capacity_per_week": 100, "inventory": 20,
              "demand_per_week": 10},
        "A": {"id": "A", "kind": "supplier", "capacity_per_week": 6, "inventory": 30,
              "ttr_weeks": 20, "region": "TW", "owner": "acme"},
        "B": {"id": "B", "kind": "supplier", "capacity_per_week": 6, "inventory": 0,
              "ttr_weeks": 20, "region": "US-TX", "owner": "acme"},
    }  # fmt: skip
    for node, update in changes.items():
        nodes[node] = {**nodes[node], **update}
    return SupplyNetwork.model_validate(
        {
            "nodes": list(nodes.values()),
            "edges": [
                {"from": "A", "to": "P", "material": "k"},
                {"from": "B", "to": "P", "material": "k"},
            ],
        }
    )


def certain(kind: str, **fields: Any) -> ScenarioClass:
    return ScenarioClass(id=kind, kind=kind, annual_probability=1.0, **fields)


def test_a_certain_shock_of_one_node_for_its_ttr_costs_its_performance_impact() -> None:
    # horizon = A's TTR: the trial is exactly the PI LP of A (30 racks, worked in
    # tests/unit/supply/test_exposure.py)
    result = simulate(
        network(), [certain("region", regions=("TW",))], trials=3, seed=1, horizon_weeks=20
    )
    expected, _ = performance_impact(network(), "A", 20)
    assert expected == pytest.approx(30)
    assert result.racks_late.p50 == pytest.approx(expected)
    assert result.weeks_lost.max == pytest.approx(3.0)  # 30 racks / 10 a week


def test_a_shock_hitting_both_sources_at_once_costs_more_than_either_alone() -> None:
    # both out 20 weeks: 200 wanted, 20 racks + 30 of A's stock = 50 → 150 late
    both = certain("region", regions=("TW", "US-TX"))
    result = simulate(network(), [both], trials=2, seed=1, horizon_weeks=20)
    assert result.racks_late.p50 == pytest.approx(150)
    insolvency = simulate(network(), [certain("owner", owners=("acme",))], trials=2, seed=1,
                          horizon_weeks=20)  # fmt: skip
    assert insolvency.racks_late.p50 == pytest.approx(150)  # one owner runs both plants


def test_a_site_fire_stops_one_site_only() -> None:
    fire = certain("site", regions=("TW", "US-TX"))
    result = simulate(network(), [fire], trials=40, seed=3, horizon_weeks=20)
    hit = {o.node for t in result.samples for o in t.outages}
    assert all(len(t.outages) == 1 for t in result.samples)
    assert hit <= {"A", "B"}
    assert result.racks_late.max <= 30 + 1e-6  # one source down costs at most A's 30


def test_an_allocation_cut_takes_a_share_of_the_materials_makers() -> None:
    # half of A's and B's capacity for 20 weeks: 20 + 30 + 6·10 + 6·10 = 170 → 30 late
    cut = certain("material", materials=("k",), capacity_loss=0.5)
    result = simulate(network(), [cut], trials=2, seed=1, horizon_weeks=20)
    assert result.racks_late.p50 == pytest.approx(30)


def test_no_event_no_loss_and_the_strike_rate_follows_the_yearly_probability() -> None:
    never = ScenarioClass(id="never", kind="region", annual_probability=0.0, regions=("TW",))
    result = simulate(network(), [never], trials=50, seed=1)
    assert result.racks_late.max == 0 and result.disrupted_share == 0
    coin = ScenarioClass(id="coin", kind="region", annual_probability=0.5, regions=("TW",))
    trials = 2000
    result = simulate(network(), [coin], trials=trials, seed=7, horizon_weeks=26)
    p = strike_probability(0.5, 26)
    assert p == pytest.approx(1 - 0.5**0.5)
    sigma = (p * (1 - p) / trials) ** 0.5
    assert abs(result.disrupted_share - p) < 4 * sigma


def test_the_same_seed_gives_the_same_distribution() -> None:
    classes = [
        ScenarioClass(id="tw", kind="region", annual_probability=0.3, regions=("TW",),
                      duration_factor=(0.5, 1.0, 2.0)),
        ScenarioClass(id="fire", kind="site", annual_probability=0.2, regions=("US-TX",)),
    ]  # fmt: skip
    a = simulate(network(), classes, trials=200, seed=42)
    b = simulate(network(), classes, trials=200, seed=42)
    c = simulate(network(), classes, trials=200, seed=43)
    assert a == b
    assert a.racks_late != c.racks_late or a.disrupted_share != c.disrupted_share
    assert set(a.by_class) <= {"tw", "fire"}


@pytest.mark.parametrize(
    ("bad", "key"),
    [
        (ScenarioClass(id="x", kind="meteor", annual_probability=0.1), "kind"),
        (ScenarioClass(id="x", kind="region", annual_probability=2, regions=("TW",)),
         "annual_probability"),
        (ScenarioClass(id="x", kind="region", annual_probability=0.1, regions=("TW",),
                       duration_factor=(2, 1, 3)), "duration_factor"),
        (ScenarioClass(id="x", kind="region", annual_probability=0.1, regions=("FR",)), ""),
    ],
)  # fmt: skip
def test_a_bad_scenario_class_names_its_key(bad: ScenarioClass, key: str) -> None:
    with pytest.raises(InputError) as caught:
        simulate(network(), [bad], trials=1, seed=1)
    assert (caught.value.where or "").startswith("scenarios[0]")
    assert (caught.value.where or "").endswith(key)
