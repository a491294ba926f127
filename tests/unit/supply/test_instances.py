"""The synthetic network generator: deterministic per seed, valid, a mix of exposures."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackforge.supply import SupplyNetwork, exposure
from rackforge.supply.instances import MIN_NODES, generate_network


def test_the_same_seed_gives_the_same_network_and_another_seed_another() -> None:
    first = generate_network(300, seed=7)
    assert first == generate_network(300, seed=7)
    assert first.model_dump() == generate_network(300, seed=7).model_dump()
    assert first != generate_network(300, seed=8)


@given(n_nodes=st.integers(min_value=MIN_NODES, max_value=400), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_every_network_is_valid_four_tiered_and_fully_used(n_nodes: int, seed: int) -> None:
    network = generate_network(n_nodes, seed=seed)
    assert len(network.nodes) == n_nodes
    SupplyNetwork.model_validate(network.model_dump(by_alias=True))  # passes its own checks
    tiers = Counter(node.id.split("-")[0] for node in network.nodes)
    assert set(tiers) == {"rack", "asm", "cmp", "mat"}
    shipping = {edge.source for edge in network.edges}
    receiving = {edge.target for edge in network.edges}
    for node in network.nodes:
        if node.kind == "product":
            assert node.demand_per_week > 0 and node.id not in shipping
        else:
            assert node.id in shipping  # every supplier has a customer
        if not node.id.startswith("mat"):
            assert node.id in receiving  # everything but materials takes something in
    for edge in network.edges:  # edges go one tier up: mat → cmp → asm → rack
        order = ["rack", "asm", "cmp", "mat"]
        assert order.index(edge.source.split("-")[0]) == order.index(edge.target.split("-")[0]) + 1


def test_some_materials_have_a_second_source() -> None:
    network = generate_network(500, seed=3)
    sources = Counter((edge.target, edge.material) for edge in network.edges)
    assert any(count == 2 for (_, material), count in sources.items() if material.startswith("mat"))
    assert any(count == 1 for count in sources.values())


def test_inventories_and_capacities_follow_the_demand_in_their_ranges() -> None:
    network = generate_network(500, seed=4)
    for node in network.nodes:
        assert node.inventory >= 0
        if node.ttr_weeks is not None:
            assert 2.0 <= node.ttr_weeks <= 52.0
    assert any(node.capacity_per_week is None for node in network.nodes)  # spot-market materials
    assert sum(node.ttr_weeks is None for node in network.nodes) < 0.15 * 500


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_networks_have_critical_and_non_critical_nodes(seed: int) -> None:
    result = exposure(generate_network(200, seed=seed))
    critical = [e.critical for e in result.values() if e.critical is not None]
    assert critical.count(True) >= 10 and critical.count(False) >= 10
    assert any(e.tts_capped for e in result.values())  # some disruptions are never felt
    assert any(e.performance_impact and e.performance_impact > 0 for e in result.values())


def test_too_small_a_network_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        generate_network(MIN_NODES - 1)
