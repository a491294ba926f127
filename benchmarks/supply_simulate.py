"""Disruption Monte Carlo speed: 100,000 trials on a 5,000-node network, fast vs one LP a trial.

Goal (issue 4): 100,000 Monte Carlo scenarios on the 5,000-node network in ≤ 30 s, agreeing
with the exact LP on racks late within 1 % on a sample of scenarios; the Ray executor runs the
same simulation distributed. The network is `generate_network(5_000, seed=2015)` (synthetic;
its nodes' regions and owners are the generator's); the scenario library is six classes shaped
like examples/frontier-2027/scenarios.yaml (a Taiwan closure, a Texas hurricane, a Mexican
border closure, a US site fire, three tier-2 owners' insolvency, an allocation cut on the three
most used components), with that file's chances and duration factors.

The fast path is `simulate(method="fast")` (rackforge.supply.disruption_fast), run here through
its blocks so that each trial's figure can be checked. The baseline is the straightforward
one: every disrupted trial's LP written and solved afresh (`disruption._Evaluator.loss`, the
reference method's), timed in the same run on a fixed random sample of the disrupted trials —
which is also the agreement check — and extrapolated to all the disrupted trials (the whole
baseline would take hours).

Run: `.venv/bin/python benchmarks/supply_simulate.py [--trials N] [--gap G] [--executor ray]
[--sample S]`.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from rackforge.supply import disruption_fast as fast
from rackforge.supply.disruption import ScenarioClass, _Evaluator, blocks, summarise
from rackforge.supply.instances import generate_network
from rackforge.supply.network import SupplyNetwork

GOAL_S = 30.0
GOAL_TRIALS = 100_000
NODES = 5_000
SEED = 2027
HORIZON = 52.0


def library(network: SupplyNetwork) -> list[ScenarioClass]:
    owners = sorted(
        {n.owner for n in network.nodes if n.owner and n.owner.startswith("tier2")
         and n.region in ("MX", "TW")}
    )[:3]  # fmt: skip
    return [
        ScenarioClass(id="taiwan-strait", kind="region", annual_probability=0.02,
                      regions=("TW",), duration_factor=(1.0, 1.5, 3.0)),
        ScenarioClass(id="gulf-hurricane", kind="region", annual_probability=0.10,
                      regions=("US-TX",), duration_factor=(0.1, 0.25, 0.5)),
        ScenarioClass(id="border-closure", kind="region", annual_probability=0.05,
                      regions=("MX",), duration_factor=(0.1, 0.2, 0.5)),
        ScenarioClass(id="site-fire", kind="site", annual_probability=0.15,
                      regions=("US-CA", "US-TX", "US-AZ", "US-NC"),
                      duration_factor=(0.5, 1.0, 1.5)),
        ScenarioClass(id="tier2-insolvency", kind="owner", annual_probability=0.05,
                      owners=tuple(owners), duration_factor=(1.0, 1.0, 2.0)),
        ScenarioClass(id="hbm-allocation", kind="material", annual_probability=0.20,
                      materials=("cmp-part-0", "cmp-part-1", "cmp-part-2"), capacity_loss=0.3,
                      duration_factor=(0.25, 0.5, 1.0)),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=GOAL_TRIALS)
    parser.add_argument("--gap", type=float, default=0.0)
    parser.add_argument("--sample", type=int, default=60)
    parser.add_argument("--executor", choices=("local", "ray"), default="local")
    args = parser.parse_args()

    network = generate_network(NODES, seed=2015)
    classes = library(network)
    executor: Any = None
    if args.executor == "ray":
        from rackforge.executors.ray_executor import RayExecutor  # noqa: PLC0415 (optional)

        executor = RayExecutor.connect()

    start = time.perf_counter()
    work = blocks(network, classes, trials=args.trials, seed=SEED, horizon_weeks=HORIZON,
                  gap=args.gap)  # fmt: skip
    if executor is None:
        results = [fast.run_block(b) for b in work]
    else:
        results = executor.map(fast.run_block, work)
    result = summarise(network, classes, work, results, trials=args.trials, seed=SEED,
                       horizon_weeks=HORIZON, keep=20)  # fmt: skip
    elapsed = time.perf_counter() - start
    solves = sum(r.solves for r in results)

    # the baseline on a sample of disrupted trials, half of them trials that lose racks
    ids = [n.id for n in network.nodes]
    trials = [(b, t, r) for b, r in zip(work, results, strict=True) for t in range(b.count)]
    disrupted = [i for i, (_, t, r) in enumerate(trials) if r.struck[t] > 0]
    losing = [i for i in disrupted if trials[i][2].racks_late[trials[i][1]] > 0]
    rng = np.random.default_rng(0)
    half = min(len(losing), args.sample // 2)
    sample = list(rng.choice(losing, size=half, replace=False)) if half else []
    rest = [i for i in disrupted if i not in set(sample)]
    sample += list(rng.choice(rest, size=min(len(rest), args.sample - half), replace=False))
    evaluator = _Evaluator(network, HORIZON)
    worst = 0.0
    t0 = time.perf_counter()
    for i in sample:
        b, t, r = trials[int(i)]
        down = fast.outage(b.tables, int(r.struck[t]), r.picks[:, t], r.factors[:, t])
        exact, _ = evaluator.loss({ids[k]: w for k, w in down.items()}) if down else (0.0, 0.0)
        worst = max(worst, abs(float(r.racks_late[t]) - exact) / max(1.0, exact))
    per_trial = (time.perf_counter() - t0) / max(1, len(sample))
    baseline = per_trial * len(disrupted)

    verdict = ""
    if args.trials == GOAL_TRIALS:
        verdict = f"; goal ≤ {GOAL_S:.0f} s: {'meets' if elapsed <= GOAL_S else 'MISSES'}"
    print(
        f"{NODES:,}-node network ({len(network.edges):,} edges), {len(classes)} classes, "
        f"{args.trials:,} trials ({len(disrupted):,} disrupted, {result.disrupted_share:.1%}), "
        f"executor {args.executor}, gap {args.gap:g}: {elapsed:.1f} s, {solves:,} LP solves; "
        f"racks late mean {result.racks_late.mean:,.1f}, p95 {result.racks_late.p95:,.1f}, "
        f"max {result.racks_late.max:,.1f}; exact LP on a sample of {len(sample)} disrupted "
        f"trials ({half} losing racks): max relative error {worst:.1e}; baseline one LP a "
        f"trial: {per_trial * 1000:,.0f} ms a trial on that sample, {baseline:,.0f} s "
        f"extrapolated to the {len(disrupted):,} disrupted trials; "
        f"ratio {baseline / elapsed:,.1f}x{verdict}"
    )


if __name__ == "__main__":
    main()
