"""The search finds what exhaustive evaluation finds, whatever the chunking or executor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import pytest

from rackforge.codesign import search as search_module
from rackforge.codesign.candidates import Candidates
from rackforge.codesign.profiles import ProfileBook
from rackforge.codesign.results import TrainingEstimate
from rackforge.codesign.scenario import Scenario, scenario_from_mapping
from rackforge.codesign.search import (
    SearchSpace,
    pareto_front,
    problem_of,
    search,
    system_options,
)
from rackforge.codesign.space import enumerate_space
from rackforge.codesign.training import Evaluation, evaluate

T = TypeVar("T")
R = TypeVar("R")

# GPT-3 XL (Brown et al. 2020, Table 2.1) on H100s (datasheet: 989.5 dense BF16 TFLOP/s).
SCENARIO: dict[str, object] = {
    "model": {"layers": 24, "hidden": 2048, "heads": 16, "vocab": 51200, "seq_len": 2048},
    "system": {
        "accelerator": {
            "name": "test-h100",
            "dense_tflops": {"bf16": 989.5},
            "memory_gib": 80,
            "memory_bandwidth_tb_s": 3.35,
            "compute_units": 132,
            "tdp_w": 700,
        },
        "count": 32,
        "scale_up": {"size": 8, "bandwidth_gb_s": 450},
        "scale_out": {"bandwidth_gb_s": 50},
    },
    "parallelism": {"global_batch": 256},
}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return scenario_from_mapping(SCENARIO, book=ProfileBook())


class ReversedOrder:
    """An executor that runs the chunks last to first, returning results in item order."""

    def __init__(self) -> None:
        self.calls = 0

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[R]:
        self.calls += len(items)
        done = {i: fn(items[i]) for i in reversed(range(len(items)))}
        return [done[i] for i in range(len(items))]


def exhaustive(
    scenario: Scenario, space: SearchSpace | None = None
) -> tuple[Candidates, Evaluation]:
    problem = problem_of(scenario)
    c = enumerate_space(
        scenario.model,
        system_options(scenario, space),
        scenario.parallelism,
        scenario.global_batch,
    )
    return c, evaluate(problem, c)


def key(e: TrainingEstimate) -> tuple[object, ...]:
    return (e.gpus, e.step_time_s, tuple(sorted(e.parallelism.items())))


def test_the_best_is_the_fastest_feasible_candidate_of_the_whole_space(scenario: Scenario) -> None:
    c, ev = exhaustive(scenario)
    result = search(scenario)
    fastest = float(np.min(ev.step_time_s[ev.fits]))
    assert result.best.step_time_s == pytest.approx(fastest, rel=1e-12)
    assert result.best.fits
    assert result.evaluated == len(c)
    assert result.feasible == int(ev.fits.sum())


def test_the_best_is_a_candidate_of_the_space_with_the_step_time_it_reports(
    scenario: Scenario,
) -> None:
    c, ev = exhaustive(scenario)
    best = search(scenario).best
    knobs = {k: v for k, v in best.parallelism.items() if k != "global_batch"}
    matches = [i for i in range(len(c)) if c.row(i) == knobs]
    assert len(matches) == 1
    assert float(ev.step_time_s[matches[0]]) == pytest.approx(best.step_time_s, rel=1e-12)


def test_top_is_sorted_by_step_time_and_holds_the_best_ten(scenario: Scenario) -> None:
    _, ev = exhaustive(scenario)
    result = search(scenario, top=10)
    times = [e.step_time_s for e in result.top]
    assert len(times) == 10
    assert times == sorted(times)
    assert result.top[0] == result.best
    expected = np.sort(ev.step_time_s[ev.fits])[:10]
    np.testing.assert_allclose(times, expected, rtol=1e-12)


def test_every_candidate_of_top_fits_and_is_distinct(scenario: Scenario) -> None:
    result = search(scenario, top=25)
    assert all(e.fits for e in result.top)
    assert len({key(e) for e in result.top}) == 25


def test_the_pareto_front_holds_no_dominated_point(scenario: Scenario) -> None:
    space = SearchSpace(counts=(8, 16, 32, 64))
    result = search(scenario, space=space)
    front = result.pareto
    assert front
    for a in front:
        for b in front:
            dominates = (
                b.step_time_s <= a.step_time_s
                and b.gpus <= a.gpus
                and b.power_kw <= a.power_kw
                and (b.step_time_s, b.gpus, b.power_kw) != (a.step_time_s, a.gpus, a.power_kw)
            )
            assert not dominates, (key(a), key(b))


def test_the_pareto_front_is_the_front_of_the_whole_space(scenario: Scenario) -> None:
    # Power is proportional to GPU count here, so the front is: for each count, its fastest
    # step, kept when no smaller count is as fast.
    space = SearchSpace(counts=(8, 16, 32, 64))
    c, ev = exhaustive(scenario, space)
    best_per_count = {
        n: float(np.min(ev.step_time_s[ev.fits & (c.gpus == n)]))
        for n in (8, 16, 32, 64)
        if (ev.fits & (c.gpus == n)).any()
    }
    expected = []
    fastest_so_far = np.inf
    for n in sorted(best_per_count):
        if best_per_count[n] < fastest_so_far:
            expected.append((n, best_per_count[n]))
            fastest_so_far = best_per_count[n]
    got = [(e.gpus, e.step_time_s) for e in search(scenario, space=space).pareto]
    assert [n for n, _ in got] == [n for n, _ in expected]
    np.testing.assert_allclose([t for _, t in got], [t for _, t in expected], rtol=1e-12)


def test_pareto_front_keeps_exactly_the_non_dominated_rows() -> None:
    points = np.array([[1.0, 4.0], [2.0, 2.0], [3.0, 3.0], [4.0, 1.0], [2.0, 2.0], [5.0, 5.0]])
    front = set(pareto_front(points).tolist())
    assert front == {0, 1, 3, 4}


def test_searching_in_small_chunks_gives_the_same_answer(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = search(scenario, top=10)
    monkeypatch.setattr(search_module, "CHUNK", 997)
    chunked = search(scenario, top=10)
    # Exact ties (ZeRO 1 and 2 cost the same time) may come out in either order.
    np.testing.assert_allclose(
        [e.step_time_s for e in chunked.top], [e.step_time_s for e in whole.top], rtol=1e-12
    )
    assert chunked.feasible == whole.feasible
    assert chunked.evaluated == whole.evaluated


def test_an_executor_running_chunks_in_reverse_gives_the_same_best(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "CHUNK", 997)
    in_order = search(scenario, top=10)
    executor = ReversedOrder()
    reverse = search(scenario, top=10, executor=executor)
    assert executor.calls > 1
    assert key(reverse.best) == key(in_order.best)
    assert [key(e) for e in reverse.top] == [key(e) for e in in_order.top]
    assert reverse.feasible == in_order.feasible


def test_progress_is_reported_once_per_chunk(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "CHUNK", 4999)
    seen: list[tuple[int, int]] = []
    result = search(scenario, progress=lambda done, total: seen.append((done, total)))
    chunks = -(-result.evaluated // 4999)
    assert seen == [(i, chunks) for i in range(1, chunks + 1)]


def test_estimates_report_consistent_throughput_and_utilisation(scenario: Scenario) -> None:
    best = search(scenario).best
    tokens = 256 * 2048
    assert best.tokens_per_step == tokens
    assert best.tokens_per_s == pytest.approx(tokens / best.step_time_s, rel=1e-12)
    assert best.mfu == pytest.approx(best.model_tflops_per_gpu / 989.5, rel=1e-12)
    assert best.hfu >= best.mfu
    assert 0 < best.mfu < 1
    assert sum(best.breakdown_s.values()) == pytest.approx(best.step_time_s, rel=1e-12)
    # No node power in the inline accelerator: 1.8 × TDP per GPU (estimate.py, DGX H100).
    assert best.power_kw == pytest.approx(32 * 700 * 1.8 / 1e3, rel=1e-12)
