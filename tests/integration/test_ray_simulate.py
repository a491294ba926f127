"""The Ray executor runs the fast disruption Monte Carlo's blocks with the in-process result."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from rackforge.executors.ray_executor import RayExecutor
from rackforge.supply import disruption_fast as fast
from rackforge.supply.disruption import ScenarioClass, blocks, simulate, summarise
from rackforge.supply.instances import generate_network


@pytest.fixture(scope="module")
def ray_executor() -> Iterator[RayExecutor]:
    executor = RayExecutor.connect(num_cpus=2)
    yield executor
    executor.shutdown()


CLASSES = [
    ScenarioClass(id="tw", kind="region", annual_probability=0.1, regions=("TW",),
                  duration_factor=(1.0, 1.5, 3.0)),
    ScenarioClass(id="storm", kind="region", annual_probability=0.3, regions=("US-TX",),
                  duration_factor=(0.1, 0.25, 0.5)),
    ScenarioClass(id="fire", kind="site", annual_probability=0.4,
                  regions=("US-CA", "US-TX", "US-AZ", "US-NC"), duration_factor=(0.5, 1.0, 1.5)),
    ScenarioClass(id="hbm", kind="material", annual_probability=0.3,
                  materials=("cmp-part-0",), capacity_loss=0.3, duration_factor=(0.25, 0.5, 1.0)),
]  # fmt: skip


def test_blocks_on_ray_give_the_in_process_figures_bit_for_bit(
    ray_executor: RayExecutor,
) -> None:
    network = generate_network(200, seed=9)
    work = blocks(network, CLASSES, trials=1_200, seed=5, block_trials=300)
    here = [fast.run_block(b) for b in work]
    there = ray_executor.map(fast.run_block, work)
    for a, b in zip(here, there, strict=True):
        np.testing.assert_array_equal(a.racks_late, b.racks_late)
        np.testing.assert_array_equal(a.weeks_lost, b.weeks_lost)
        np.testing.assert_array_equal(a.factors, b.factors)
    kw = {"trials": 1_200, "seed": 5, "horizon_weeks": 52.0, "keep": 10}
    assert summarise(network, CLASSES, work, here, **kw) == summarise(  # type: ignore[arg-type]
        network,
        CLASSES,
        work,
        there,
        **kw,  # type: ignore[arg-type]
    )


def test_simulate_on_ray_is_simulate_in_process(ray_executor: RayExecutor) -> None:
    network = generate_network(200, seed=9)
    local = simulate(network, CLASSES, trials=800, seed=3, method="fast")
    remote = simulate(network, CLASSES, trials=800, seed=3, method="fast", executor=ray_executor)
    assert remote == local
    assert local.disrupted_share > 0.5 and local.racks_late.max > 0
