"""The Ray executor runs the same search chunks as the in-process one, with the same answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rackforge.codesign.scenario import scenario_from_mapping
from rackforge.codesign.search import search
from rackforge.executors.ray_executor import RayExecutor
from rackforge.formats.profile_store import load_profile_book


@pytest.fixture(scope="module")
def ray_executor() -> Iterator[RayExecutor]:
    executor = RayExecutor.connect(num_cpus=2)
    yield executor
    executor.shutdown()


def test_a_search_on_ray_finds_the_same_best_configuration_as_in_process(
    ray_executor: RayExecutor,
) -> None:
    book = load_profile_book(None)
    scenario = scenario_from_mapping(
        {"model": "gpt3-175b", "system": {"accelerator": "A100", "count": 64}}, book=book
    )
    local = search(scenario)
    remote = search(scenario, executor=ray_executor)
    assert remote.evaluated == local.evaluated
    assert remote.feasible == local.feasible
    assert remote.best.parallelism == local.best.parallelism
    assert remote.best.step_time_s == pytest.approx(local.best.step_time_s, rel=1e-12)
