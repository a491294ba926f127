"""Supply exposure speed: TTS and PI of every node of a generated network, fast vs rebuild.

Goal (issue 4): the exposure LPs (time to survive, and performance impact over the node's
TTR) for every node of a 5,000-node network in ≤ 60 s on this 2–4-core machine. Networks come
from `rackforge.supply.instances.generate_network` (synthetic, seeded). The fast path is
`exposure(method="local")`; the baseline is the same LPs built row by row and solved from
scratch per node (`method="rebuild"`), timed in the same run on a fixed random sample of nodes
and extrapolated per node (the whole baseline would take minutes to an hour). The sampled
nodes' figures are checked against the fast path's.

Run: `.venv/bin/python benchmarks/supply_exposure.py` (or `make bench`).
"""

from __future__ import annotations

import time

import numpy as np

from rackforge.supply import exposure, performance_impact, time_to_survive
from rackforge.supply.instances import generate_network

GOAL_S = 60.0
GOAL_NODES = 5_000
SIZES = (1_000, 5_000)
BASELINE_SAMPLE = {1_000: 60, 5_000: 30}
SEED = 2015  # Simchi-Levi et al.'s year: any fixed seed


def run(n_nodes: int) -> None:
    network = generate_network(n_nodes, seed=SEED)
    start = time.perf_counter()
    fast = exposure(network)
    elapsed = time.perf_counter() - start
    lps = len(fast) + sum(e.ttr_weeks is not None for e in fast.values())

    rng = np.random.default_rng(0)
    sample = rng.choice(len(network.nodes), size=BASELINE_SAMPLE[n_nodes], replace=False)
    deviation = 0.0
    t0 = time.perf_counter()
    for i in sample:
        node = network.nodes[int(i)]
        tts = time_to_survive(network, node.id)
        deviation = max(deviation, abs(tts - fast[node.id].tts_weeks) / max(1.0, tts))
        if node.ttr_weeks is not None:
            pi, _ = performance_impact(network, node.id, node.ttr_weeks)
            reference = fast[node.id].performance_impact or 0.0
            deviation = max(deviation, abs(pi - reference) / max(1.0, pi))
    per_node = (time.perf_counter() - t0) / len(sample)
    baseline = per_node * len(network.nodes)

    critical = sum(e.critical is True for e in fast.values())
    verdict = ""
    if n_nodes == GOAL_NODES:
        verdict = f"; goal ≤ {GOAL_S:.0f} s: {'meets' if elapsed <= GOAL_S else 'MISSES'}"
    print(
        f"{n_nodes:,}-node network ({len(network.edges):,} edges, {critical:,} critical nodes): "
        f"TTS and PI of every node ({lps:,} LP optima) in {elapsed:.1f} s; "
        f"rebuild per node: {per_node * 1000:,.0f} ms "
        f"on a sample of {len(sample)} nodes, {baseline:,.0f} s extrapolated to all "
        f"(figures agree to {deviation:.0e}); ratio {baseline / elapsed:,.0f}x{verdict}"
    )


if __name__ == "__main__":
    for n in SIZES:
        run(n)
