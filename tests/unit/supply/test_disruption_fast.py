"""The fast disruption Monte Carlo: the reference LP's figures, trial by trial, for fewer solves."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pytest

from rackforge.errors import InputError
from rackforge.supply import disruption_fast as fast
from rackforge.supply.disruption import (
    ScenarioClass,
    _Evaluator,
    blocks,
    simulate,
    summarise,
)
from rackforge.supply.instances import generate_network
from rackforge.supply.network import SupplyNetwork

T = TypeVar("T")
R = TypeVar("R")


def network() -> SupplyNetwork:
    """tests/unit/supply/test_disruption.py's: P makes 10 a week from k, sourced from A (Taiwan)
    or B (Texas), 6 a week each."""
    return SupplyNetwork.model_validate(
        {
            "nodes": [
                {"id": "P", "kind": "product", "capacity_per_week": 100, "inventory": 20,
                 "demand_per_week": 10},
                {"id": "A", "kind": "supplier", "capacity_per_week": 6, "inventory": 30,
                 "ttr_weeks": 20, "region": "TW", "owner": "acme"},
                {"id": "B", "kind": "supplier", "capacity_per_week": 6, "inventory": 0,
                 "ttr_weeks": 20, "region": "US-TX", "owner": "acme"},
            ],
            "edges": [
                {"from": "A", "to": "P", "material": "k"},
                {"from": "B", "to": "P", "material": "k"},
            ],
        }
    )  # fmt: skip


def certain(kind: str, **fields: Any) -> ScenarioClass:
    return ScenarioClass(id=kind, kind=kind, annual_probability=1.0, **fields)


def library(net: SupplyNetwork) -> list[ScenarioClass]:
    """Six classes like the Frontier 2027 library, frequent enough to strike together often."""
    owners = sorted({n.owner for n in net.nodes if n.owner and n.owner.startswith("tier2")})
    return [
        ScenarioClass(id="tw", kind="region", annual_probability=0.15, regions=("TW",),
                      duration_factor=(0.5, 1.0, 2.0)),
        ScenarioClass(id="storm", kind="region", annual_probability=0.3, regions=("US-TX",),
                      duration_factor=(0.1, 0.25, 0.5)),
        ScenarioClass(id="border", kind="region", annual_probability=0.2, regions=("MX",),
                      duration_factor=(0.1, 0.2, 0.5)),
        ScenarioClass(id="fire", kind="site", annual_probability=0.5,
                      regions=("US-CA", "US-TX", "US-AZ", "US-NC"),
                      duration_factor=(0.5, 1.0, 1.5)),
        ScenarioClass(id="insolvency", kind="owner", annual_probability=0.2,
                      owners=tuple(owners[:4]), duration_factor=(1.0, 1.0, 2.0)),
        ScenarioClass(id="hbm", kind="material", annual_probability=0.4,
                      materials=("cmp-part-0", "cmp-part-1"), capacity_loss=0.3,
                      duration_factor=(0.25, 0.5, 1.0)),
    ]  # fmt: skip


def reference(block: fast.Block, evaluator: _Evaluator) -> tuple[np.ndarray, np.ndarray]:
    """The block's draws, each disrupted trial's LP written and solved afresh."""
    struck, picks, factors = fast.draw(block)
    ids = [n.id for n in block.network.nodes]
    late, lost = np.zeros(block.count), np.zeros(block.count)
    for t in range(block.count):
        down = fast.outage(block.tables, int(struck[t]), picks[:, t], factors[:, t])
        if down:
            late[t], lost[t] = evaluator.loss({ids[i]: w for i, w in down.items()})
    return late, lost


def test_every_trial_has_the_reference_lps_racks_late_for_fewer_solves() -> None:
    net = generate_network(150, seed=5)
    (block,) = blocks(net, library(net), trials=400, seed=11, horizon_weeks=52)
    result = fast.run_block(block)
    late, _ = reference(block, _Evaluator(net, 52))
    assert (result.struck & (result.struck - 1) != 0).sum() > 20  # classes striking together
    assert (late > 0).sum() > 20  # and trials that lose racks
    np.testing.assert_allclose(result.racks_late, late, rtol=1e-6, atol=1e-6)
    disrupted = int((late > 0).sum() + (result.struck > 0).sum())
    assert result.solves < disrupted / 2


def test_a_gap_interpolates_within_it() -> None:
    net = generate_network(150, seed=5)
    (block,) = blocks(net, library(net), trials=400, seed=11, horizon_weeks=52, gap=0.02)
    result = fast.run_block(block)
    late, _ = reference(block, _Evaluator(net, 52))
    assert np.all(np.abs(result.racks_late - late) <= 0.02 * np.maximum(late, 1.0) + 1e-6)


class Reversed:
    """An executor that runs the blocks last first: the result must not care."""

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[R]:
        out = [fn(item) for item in reversed(items)]
        return out[::-1]


def test_the_blocks_give_the_same_result_wherever_and_in_whatever_order_they_run() -> None:
    net = generate_network(120, seed=2)
    classes = library(net)
    work = blocks(net, classes, trials=900, seed=4, block_trials=300)
    here = [fast.run_block(b) for b in work]
    there = Reversed().map(fast.run_block, work)
    for a, b in zip(here, there, strict=True):
        np.testing.assert_array_equal(a.racks_late, b.racks_late)
        np.testing.assert_array_equal(a.weeks_lost, b.weeks_lost)
    one = summarise(net, classes, work, here, trials=900, seed=4, horizon_weeks=52.0, keep=5)
    two = summarise(net, classes, work, there, trials=900, seed=4, horizon_weeks=52.0, keep=5)
    assert one == two
    assert simulate(net, classes, trials=500, seed=4, method="fast") == simulate(
        net, classes, trials=500, seed=4, method="fast", executor=Reversed()
    )


def test_the_fast_method_keeps_the_worked_cases() -> None:
    tw = certain("region", regions=("TW",))
    result = simulate(network(), [tw], trials=3, seed=1, horizon_weeks=20, method="fast")
    assert result.racks_late.p50 == pytest.approx(30)
    assert result.weeks_lost.max == pytest.approx(3.0)
    both = certain("region", regions=("TW", "US-TX"))
    result = simulate(network(), [both], trials=2, seed=1, horizon_weeks=20, method="fast")
    assert result.racks_late.p50 == pytest.approx(150)
    cut = certain("material", materials=("k",), capacity_loss=0.5)
    result = simulate(network(), [cut], trials=2, seed=1, horizon_weeks=20, method="fast")
    assert result.racks_late.p50 == pytest.approx(30)
    fire = certain("site", regions=("TW", "US-TX"))
    result = simulate(network(), [fire], trials=40, seed=3, horizon_weeks=20, method="fast")
    assert all(len(t.outages) == 1 for t in result.samples)
    assert result.racks_late.max <= 30 + 1e-6
    assert result.disrupted_share == 1.0 and result.by_class["site"][0] == 40


def test_the_fast_strike_rate_follows_the_yearly_probability() -> None:
    coin = ScenarioClass(id="coin", kind="region", annual_probability=0.5, regions=("TW",))
    result = simulate(network(), [coin], trials=2000, seed=7, horizon_weeks=26, method="fast")
    p = 1 - 0.5**0.5
    assert abs(result.disrupted_share - p) < 4 * (p * (1 - p) / 2000) ** 0.5


def test_a_bad_method_or_gap_is_named() -> None:
    tw = certain("region", regions=("TW",))
    with pytest.raises(InputError) as caught:
        simulate(network(), [tw], trials=1, seed=1, method="quick")  # type: ignore[arg-type]
    assert caught.value.where == "method"
    with pytest.raises(InputError) as caught:
        simulate(network(), [tw], trials=1, seed=1, method="fast", gap=1.5)
    assert caught.value.where == "gap"
