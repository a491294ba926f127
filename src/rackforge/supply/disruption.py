"""Monte Carlo of correlated supply disruptions: how many racks are late, how many weeks lost.

A scenario class is a kind of event with a yearly chance and the nodes it hits
(`ScenarioClass`): a regional shock stops every node in its regions at once (a Taiwan Strait
closure stops all Taiwan sites — the correlation), a site fire stops one node drawn among those
it may hit, an insolvency stops every node of one owner, an allocation cut takes a share of the
capacity of the nodes making a material (HBM). Each hit node is out for its own stated
`ttr_weeks` times a factor drawn from a triangular distribution (the class's
`duration_factor`), capacity_loss of its capacity gone while out.

A trial draws, for each class independently, whether it strikes within the horizon
(probability 1 − (1 − p_year)^(H / 52)) and, when it does, its nodes and durations; the trial's
disrupted network is then solved exactly: the least lost product units over the horizon H,
with each hit node's capacity over the window reduced by loss · c · min(outage, H) (the
aggregated model of `rackforge.supply.exposure`: timing inside the window is not modelled, so
a node without a stated capacity loses nothing — it catches up on recovery). Racks late = units
of product demand not met within the horizon; program weeks lost = the largest of lost_j / d_j.

Seeded (NumPy PCG64) and reproducible: the same network, classes, horizon, trial count, seed
and method give the same distribution.

`method`: "reference" (the default) draws trial after trial from one generator and writes and
solves the LP afresh for every disrupted trial: the readable reference. "fast"
(`rackforge.supply.disruption_fast`) draws in seeded blocks of trials (other draws than the
reference's, the same distribution), solves the same LP warm-started, and only for the trials
that neither a still-feasible plan nor bounds from solved trials (monotone and convex in the
outage) settle; its blocks can run on an executor (`executor.map`, e.g. Ray) with the same
result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

import numpy as np

from rackforge.errors import InputError
from rackforge.supply import disruption_fast as fast
from rackforge.supply.lp import LinearProgram
from rackforge.supply.network import SupplyNetwork, SupplyNode

Method = Literal["reference", "fast"]
_T = TypeVar("_T")
_R = TypeVar("_R")


class Executor(Protocol):
    """Maps a function over items, possibly elsewhere; results in item order (the search's
    executors: `rackforge.executors.executor_named`)."""

    def map(
        self,
        fn: Callable[[_T], _R],
        items: Sequence[_T],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[_R]: ...


WEEKS_PER_YEAR = 52.0
_ZERO = 1e-9


@dataclass(frozen=True, slots=True)
class ScenarioClass:
    """A kind of disruption: what it hits, how often, for how long, how hard."""

    id: str
    kind: str  # "region" | "site" | "owner" | "material"
    annual_probability: float
    regions: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    duration_factor: tuple[float, float, float] = (1.0, 1.0, 1.0)
    capacity_loss: float = 1.0
    title: str = ""


KINDS = ("region", "site", "owner", "material")


@dataclass(frozen=True, slots=True)
class Outage:
    node: str
    weeks: float
    capacity_loss: float


@dataclass(frozen=True, slots=True)
class Trial:
    """One drawn future: the classes that struck, their outages, and what they cost."""

    classes: tuple[str, ...]
    outages: tuple[Outage, ...]
    racks_late: float
    weeks_lost: float


@dataclass(frozen=True, slots=True)
class Distribution:
    """Summary of a figure over trials: mean and percentiles."""

    mean: float
    p50: float
    p95: float
    max: float


@dataclass(frozen=True, slots=True)
class SimulationResult:
    trials: int
    seed: int
    horizon_weeks: float
    racks_late: Distribution
    weeks_lost: Distribution
    by_class: dict[str, tuple[int, Distribution, Distribution]]
    disrupted_share: float
    samples: tuple[Trial, ...]


def check_classes(classes: Sequence[ScenarioClass], network: SupplyNetwork) -> None:
    """InputError naming the class and key for an unusable class."""
    for i, c in enumerate(classes):
        where = f"scenarios[{i}]"
        if c.kind not in KINDS:
            raise InputError(
                f"scenario {c.id!r}: unknown kind {c.kind!r}",
                where=f"{where}.kind",
                fix=f"use one of {', '.join(KINDS)}",
            )
        if not 0.0 <= c.annual_probability <= 1.0:
            raise InputError(
                f"scenario {c.id!r}: annual_probability {c.annual_probability:g}",
                where=f"{where}.annual_probability",
                fix="give a probability between 0 and 1",
            )
        low, mode, high = c.duration_factor
        if not 0.0 <= low <= mode <= high or high <= 0:
            raise InputError(
                f"scenario {c.id!r}: duration_factor {c.duration_factor}",
                where=f"{where}.duration_factor",
                fix="give [low, mode, high] with 0 ≤ low ≤ mode ≤ high, high > 0",
            )
        if not 0.0 < c.capacity_loss <= 1.0:
            raise InputError(
                f"scenario {c.id!r}: capacity_loss {c.capacity_loss:g}",
                where=f"{where}.capacity_loss",
                fix="give the share of capacity lost, in (0, 1]",
            )
        if not _candidates(c, network):
            raise InputError(
                f"scenario {c.id!r} hits no node of the network",
                where=where,
                fix="check its regions / owners / materials against the nodes' region, owner "
                "and edge materials",
            )


def simulate(
    network: SupplyNetwork,
    classes: Sequence[ScenarioClass],
    *,
    trials: int,
    seed: int,
    horizon_weeks: float = WEEKS_PER_YEAR,
    keep: int = 20,
    progress: Callable[[int], None] | None = None,
    method: Method = "reference",
    executor: Executor | None = None,
    gap: float = 0.0,
) -> SimulationResult:
    """`trials` seeded draws of the classes over the horizon (module docstring).

    `method` "fast" runs in blocks, on `executor` when given (else in this process);
    `progress` then hears after each block. `gap` (fast only, default 0: exact): a trial whose
    racks late are bracketed, by monotonicity, between two solved figures at most `gap` apart
    (relative) takes their interpolation instead of a solve (then within `gap` of the LP's)."""
    if trials < 1:
        raise InputError(f"{trials} trials", where="scenarios", fix="run at least 1 trial")
    check_classes(classes, network)
    if method == "fast":
        return _simulate_fast(
            network, classes, trials=trials, seed=seed, horizon_weeks=horizon_weeks, keep=keep,
            progress=progress, executor=executor, gap=gap,
        )  # fmt: skip
    if method != "reference":
        raise InputError(f"method {method!r}", where="method", fix="use reference or fast")
    rng = np.random.Generator(np.random.PCG64(seed))
    strike = [strike_probability(c.annual_probability, horizon_weeks) for c in classes]
    candidates = [_candidates(c, network) for c in classes]
    evaluator = _Evaluator(network, horizon_weeks)
    results: list[Trial] = []
    for n in range(trials):
        struck, outages = [], []
        for c, p, nodes in zip(classes, strike, candidates, strict=True):
            if rng.random() < p:
                struck.append(c.id)
                outages += _outages(c, nodes, rng)
        if outages:
            racks, weeks = evaluator.loss(_merge(outages))
        else:
            racks, weeks = 0.0, 0.0
        results.append(Trial(tuple(struck), tuple(outages), racks, weeks))
        if progress is not None:
            progress(n + 1)
    late = np.array([t.racks_late for t in results])
    lost = np.array([t.weeks_lost for t in results])
    by_class = {}
    for c in classes:
        hit = [i for i, t in enumerate(results) if c.id in t.classes]
        if hit:
            by_class[c.id] = (len(hit), _summary(late[hit]), _summary(lost[hit]))
    disrupted = sum(1 for t in results if t.outages) / trials
    worst = sorted(results, key=lambda t: -t.racks_late)[:keep]
    return SimulationResult(
        trials=trials,
        seed=seed,
        horizon_weeks=horizon_weeks,
        racks_late=_summary(late),
        weeks_lost=_summary(lost),
        by_class=by_class,
        disrupted_share=disrupted,
        samples=tuple(worst),
    )


def class_tables(
    network: SupplyNetwork, classes: Sequence[ScenarioClass], horizon_weeks: float
) -> tuple[fast.ClassTable, ...]:
    """Each class's picks resolved to node indices (`disruption_fast.ClassTable`)."""
    index = {n.id: i for i, n in enumerate(network.nodes)}
    tables = []
    for c in classes:
        nodes = _candidates(c, network)
        if c.kind == "site":
            groups = [[n] for n in nodes]
        elif c.kind == "owner":
            owners = sorted({n.owner for n in nodes if n.owner is not None})
            groups = [[n for n in nodes if n.owner == o] for o in owners]
        else:
            groups = [nodes]
        tables.append(
            fast.ClassTable(
                id=c.id,
                strike=strike_probability(c.annual_probability, horizon_weeks),
                pick=len(groups),
                triangular=c.duration_factor,
                nodes=tuple(np.array([index[n.id] for n in g], dtype=np.intp) for g in groups),
                per_factor=tuple(
                    np.array([c.capacity_loss * (n.ttr_weeks or 0.0) for n in g]) for g in groups
                ),
            )
        )
    return tuple(tables)


def blocks(
    network: SupplyNetwork,
    classes: Sequence[ScenarioClass],
    *,
    trials: int,
    seed: int,
    horizon_weeks: float = WEEKS_PER_YEAR,
    gap: float = 0.0,
    block_trials: int = fast.BLOCK_TRIALS,
) -> list[fast.Block]:
    """The fast method's work: `trials` in blocks of `block_trials` (`disruption_fast`)."""
    tables = class_tables(network, classes, horizon_weeks)
    slack = fast.WarmLoss(network, horizon_weeks).slack()
    size = block_trials
    return [
        fast.Block(
            network, tables, horizon_weeks, seed, k, min(size, trials - k * size), slack, gap
        )
        for k in range(-(-trials // size))
    ]


def _simulate_fast(
    network: SupplyNetwork,
    classes: Sequence[ScenarioClass],
    *,
    trials: int,
    seed: int,
    horizon_weeks: float,
    keep: int,
    progress: Callable[[int], None] | None,
    executor: Executor | None,
    gap: float,
) -> SimulationResult:
    if not 0.0 <= gap < 1.0:
        raise InputError(f"gap {gap:g}", where="gap", fix="give a relative gap in [0, 1)")
    work = blocks(network, classes, trials=trials, seed=seed, horizon_weeks=horizon_weeks, gap=gap)
    done = [0]

    def heard(finished: int, _: int) -> None:
        if progress is not None:
            progress(sum(b.count for b in work[:finished]))

    if executor is None:
        results: list[Any] = []
        for b in work:
            results.append(fast.run_block(b))
            done[0] += 1
            heard(done[0], len(work))
    else:
        results = list(executor.map(fast.run_block, work, heard))
    return summarise(network, classes, work, results, trials=trials, seed=seed,
                     horizon_weeks=horizon_weeks, keep=keep)  # fmt: skip


def summarise(
    network: SupplyNetwork,
    classes: Sequence[ScenarioClass],
    work: Sequence[fast.Block],
    results: Sequence[fast.BlockResult],
    *,
    trials: int,
    seed: int,
    horizon_weeks: float,
    keep: int,
) -> SimulationResult:
    """The blocks' figures as a `SimulationResult` (as the reference method's)."""
    tables = work[0].tables
    struck = np.concatenate([r.struck for r in results])
    picks = np.concatenate([r.picks for r in results], axis=1)
    factors = np.concatenate([r.factors for r in results], axis=1)
    late = np.concatenate([r.racks_late for r in results])
    lost = np.concatenate([r.weeks_lost for r in results])
    hit = np.zeros(trials, dtype=bool)
    by_class = {}
    for c, table in enumerate(tables):
        on = (struck >> c & 1) == 1
        widest = np.array([float(a.max(initial=0.0)) for a in table.per_factor])
        hit |= on & (widest[picks[c]] * factors[c] > 0)
        if on.any():
            by_class[table.id] = (int(on.sum()), _summary(late[on]), _summary(lost[on]))
    samples = []
    for t in np.argsort(-late, kind="stable")[:keep].tolist():
        struck_ids, outages = [], []
        for c, table in enumerate(tables):
            if not int(struck[t]) >> c & 1:
                continue
            struck_ids.append(table.id)
            g, f = int(picks[c, t]), float(factors[c, t])
            loss = classes[c].capacity_loss
            for i in table.nodes[g].tolist():
                node = network.nodes[i]
                if (node.ttr_weeks or 0.0) * f > 0:
                    outages.append(Outage(node.id, (node.ttr_weeks or 0.0) * f, loss))
        samples.append(Trial(tuple(struck_ids), tuple(outages), float(late[t]), float(lost[t])))
    return SimulationResult(
        trials=trials,
        seed=seed,
        horizon_weeks=horizon_weeks,
        racks_late=_summary(late),
        weeks_lost=_summary(lost),
        by_class=by_class,
        disrupted_share=float(hit.sum()) / trials,
        samples=tuple(samples),
    )


def _summary(values: np.ndarray) -> Distribution:
    return Distribution(
        mean=float(values.mean()),
        p50=float(np.percentile(values, 50)),
        p95=float(np.percentile(values, 95)),
        max=float(values.max()),
    )


def _candidates(c: ScenarioClass, network: SupplyNetwork) -> list[SupplyNode]:
    if c.kind in ("region", "site"):
        return [n for n in network.nodes if n.region is not None and n.region in c.regions]
    if c.kind == "owner":
        return [n for n in network.nodes if n.owner is not None and n.owner in c.owners]
    makers = {e.source for e in network.edges if e.material in c.materials}
    return [n for n in network.nodes if n.id in makers]


def _outages(c: ScenarioClass, nodes: list[SupplyNode], rng: np.random.Generator) -> list[Outage]:
    if c.kind == "site":
        nodes = [nodes[int(rng.integers(len(nodes)))]]
    elif c.kind == "owner":
        owners = sorted({n.owner for n in nodes if n.owner is not None})
        owner = owners[int(rng.integers(len(owners)))]
        nodes = [n for n in nodes if n.owner == owner]
    low, mode, high = c.duration_factor
    factor = float(rng.triangular(low, mode, high)) if high > low else low
    return [
        Outage(n.id, (n.ttr_weeks or 0.0) * factor, c.capacity_loss)
        for n in nodes
        if (n.ttr_weeks or 0.0) * factor > 0
    ]


def _merge(outages: list[Outage]) -> dict[str, float]:
    """Capacity-weeks lost per node as a share of a week's capacity: loss × weeks, the worst
    of overlapping events (they strike the same plant: not added)."""
    lost: dict[str, float] = {}
    for o in outages:
        lost[o.node] = max(lost.get(o.node, 0.0), o.capacity_loss * o.weeks)
    return lost


class _Evaluator:
    """The least lost product units over the horizon with some nodes' capacity reduced."""

    def __init__(self, network: SupplyNetwork, horizon_weeks: float) -> None:
        self.network = network
        self.horizon = horizon_weeks
        self.demand = {n.id: n.demand_per_week for n in network.nodes if n.demand_per_week}

    def loss(self, lost_weeks: dict[str, float]) -> tuple[float, float]:
        h = self.horizon
        lp = LinearProgram(maximize=False)
        y: dict[str, int] = {}
        for node in self.network.nodes:
            down = min(lost_weeks.get(node.id, 0.0), h)
            if down >= h - _ZERO:
                upper = 0.0  # out the whole window, whatever its capacity
            elif node.capacity_per_week is None:
                upper = float("inf")
            else:
                upper = node.capacity_per_week * (h - down)
            y[node.id] = lp.column(f"y[{node.id}]", upper=upper)
        x = [lp.column(f"x[{i}]") for i in range(len(self.network.edges))]
        out: dict[str, dict[int, float]] = {n.id: {} for n in self.network.nodes}
        needs: dict[tuple[str, str], dict[int, float]] = {}
        for i, edge in enumerate(self.network.edges):
            out[edge.source][x[i]] = 1.0
            needs.setdefault((edge.target, edge.material), {})[x[i]] = 1.0 / edge.units_per_unit
        short: dict[str, int] = {}
        for node in self.network.nodes:
            row = dict(out[node.id])
            row[y[node.id]] = -1.0
            need = node.demand_per_week * h
            if need:
                short[node.id] = lp.column(f"l[{node.id}]", upper=need, cost=1.0)
                row[short[node.id]] = -1.0
            lp.row(row, upper=node.inventory - need)
        for (target, _), terms in needs.items():
            lp.row({**terms, y[target]: -1.0}, lower=0.0)
        solution = lp.solve()
        late = {n: solution.values[f"l[{n}]"] for n in short}
        weeks = max((late[n] / self.demand[n] for n in late), default=0.0)
        return max(sum(late.values()), 0.0), max(weeks, 0.0)


def baseline_loss(network: SupplyNetwork, horizon_weeks: float) -> float:
    """Racks late over the horizon with nothing disrupted (a network short already)."""
    return _Evaluator(network, horizon_weeks).loss({})[0]


def strike_probability(annual: float, horizon_weeks: float) -> float:
    """Chance an event of yearly probability `annual` strikes within the horizon."""
    return float(1.0 - (1.0 - annual) ** (horizon_weeks / WEEKS_PER_YEAR))
