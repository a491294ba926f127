"""Search speed: the full design space of GPT-3 175B on A100, vectorised vs one by one.

Goals (issue 2): ≥ 1,000,000 configurations for 64 A100 in ≤ 5 s, and the 1,024-GPU space in
≤ 20 s, on a 2-core machine. The baseline is the same `evaluate` called on one candidate at a
time, timed on a random sample of the same space in the same run and extrapolated.

Run: `.venv/bin/python benchmarks/search_speed.py` (or `make bench`).
"""

from __future__ import annotations

import time

import numpy as np

from rackforge.codesign.scenario import scenario_from_mapping
from rackforge.codesign.search import SearchSpace, problem_of, search, system_options
from rackforge.codesign.space import enumerate_space
from rackforge.codesign.training import evaluate
from rackforge.formats.profile_store import load_profile_book

# System options searched besides the parallel/execution knobs: scale-up domain of 2, 4 or 8
# A100s (NVLink 3 supports up to 8 per NVSwitch board), and 100-800 Gb/s per GPU to scale out.
SPACE = SearchSpace(scale_up_sizes=(2, 4, 8), scale_out_gb_s=(12.5, 25.0, 50.0, 100.0))
GOALS_S = {64: 5.0, 1024: 20.0}
ONE_BY_ONE_SAMPLE = 1_000


def run(gpus: int) -> None:
    book = load_profile_book(None)
    scenario = scenario_from_mapping(
        {"model": "gpt3-175b", "system": {"accelerator": "A100", "count": gpus}},
        book=book,
    )
    start = time.perf_counter()
    result = search(scenario, space=SPACE)
    elapsed = time.perf_counter() - start
    rate = result.evaluated / elapsed

    problem = problem_of(scenario)
    cands = enumerate_space(
        scenario.model, system_options(scenario, SPACE), scenario.parallelism, scenario.global_batch
    )
    rng = np.random.default_rng(0)
    sample = rng.choice(len(cands), size=ONE_BY_ONE_SAMPLE, replace=False)
    t0 = time.perf_counter()
    for i in sample:
        evaluate(problem, cands.take(np.array([i])))
    per_config = (time.perf_counter() - t0) / ONE_BY_ONE_SAMPLE
    baseline_rate = 1.0 / per_config
    goal = GOALS_S[gpus]
    verdict = "meets" if elapsed <= goal and result.evaluated >= 1_000_000 else "MISSES"
    print(
        f"GPT-3 175B on {gpus} A100: {result.evaluated:,} configurations "
        f"({result.feasible:,} fit) in {elapsed:.2f} s = {rate:,.0f} configs/s; "
        f"one by one: {baseline_rate:,.0f} configs/s "
        f"(would take {result.evaluated * per_config:,.0f} s); "
        f"ratio {rate / baseline_rate:,.0f}x; goal ≤ {goal:.0f} s: {verdict}"
    )


if __name__ == "__main__":
    for n in GOALS_S:
        run(n)
