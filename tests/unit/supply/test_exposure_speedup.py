"""The fast exposure paths ("local", "warm") give the reference's figures ("rebuild").

"rebuild" solves both LPs from scratch per node (the readable formulation); "warm" re-solves
the whole-network LPs after bound changes; "local" bounds each node's LPs on a neighbourhood
and falls back to "warm". Networks come from the synthetic generator, some with capacities
cut so the undisrupted network itself runs short, some with a short horizon.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackforge.errors import InputError
from rackforge.supply import NodeExposure, SupplyNetwork, exposure
from rackforge.supply.instances import MIN_NODES, generate_network

FIGURES = ("tts_weeks", "performance_impact", "lost_units", "risk_exposure_index")


def squeezed(network: SupplyNetwork, factor: float) -> SupplyNetwork:
    """Every stated capacity × factor."""
    nodes = [
        node.model_copy(
            update={
                "capacity_per_week": None
                if node.capacity_per_week is None
                else node.capacity_per_week * factor
            }
        )
        for node in network.nodes
    ]
    return SupplyNetwork(nodes=nodes, edges=network.edges)


def assert_same(got: dict[str, NodeExposure], want: dict[str, NodeExposure]) -> None:
    assert got.keys() == want.keys()
    for node, expected in want.items():
        actual = got[node]
        for figure in FIGURES:
            value, reference = getattr(actual, figure), getattr(expected, figure)
            if reference is None:
                assert value is None, (node, figure)
            else:
                assert value == pytest.approx(reference, rel=1e-6, abs=1e-7), (node, figure)
        assert actual.ttr_weeks == expected.ttr_weeks
        assert actual.critical == expected.critical, node
        assert actual.tts_capped == expected.tts_capped, node


@given(
    n_nodes=st.integers(min_value=MIN_NODES, max_value=60),
    seed=st.integers(0, 2**32 - 1),
    factor=st.sampled_from([1.0, 1.0, 0.8, 0.5]),
    horizon=st.sampled_from([104.0, 104.0, 30.0, 6.0]),
)
@settings(max_examples=25, deadline=None)
def test_local_and_warm_give_the_rebuilds_figures(
    n_nodes: int, seed: int, factor: float, horizon: float
) -> None:
    network = squeezed(generate_network(n_nodes, seed=seed), factor)
    want = exposure(network, horizon_weeks=horizon, method="rebuild")
    assert_same(exposure(network, horizon_weeks=horizon, method="local"), want)
    assert_same(exposure(network, horizon_weeks=horizon, method="warm"), want)


@pytest.mark.parametrize("seed", [11, 12])
def test_a_larger_network_matches_and_is_mostly_solved_on_neighbourhoods(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = sys.modules["rackforge.supply.exposure"]
    outcomes: list[bool] = []
    bounded = module._Exposures._bounded

    def spy(self: object, n: int, window: float | None) -> tuple[float, float] | None:
        found = bounded(self, n, window)
        outcomes.append(found is not None)
        return found

    monkeypatch.setattr(module._Exposures, "_bounded", spy)
    network = generate_network(150, seed=seed)
    assert_same(exposure(network), exposure(network, method="rebuild"))
    assert sum(outcomes) >= 0.8 * len(outcomes)  # the fallback stays the exception


def test_the_worked_examples_agree_on_every_method() -> None:
    network = SupplyNetwork.model_validate(
        {
            "nodes": [
                {"id": "R", "kind": "product", "capacity_per_week": 50, "demand_per_week": 5,
                 "loss_weight": 2},
                {"id": "T", "kind": "supplier", "capacity_per_week": 8, "inventory": 10,
                 "ttr_weeks": 4},
                {"id": "F", "kind": "supplier", "inventory": 40, "ttr_weeks": 12},
            ],
            "edges": [
                {"from": "T", "to": "R", "material": "tray"},
                {"from": "F", "to": "T", "material": "chip", "units_per_unit": 4},
            ],
        }
    )  # fmt: skip
    want = exposure(network, method="rebuild")
    assert want["F"].performance_impact == pytest.approx(80.0)
    for method in ("local", "warm"):
        assert_same(exposure(network, method=method), want)


def test_an_unknown_method_is_refused_with_the_fix() -> None:
    with pytest.raises(InputError) as caught:
        exposure(generate_network(20), method="fast")  # type: ignore[arg-type]
    assert caught.value.fix == "use one of: local, warm, rebuild"
