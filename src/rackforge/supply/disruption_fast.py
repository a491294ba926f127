"""The disruption Monte Carlo at scale (`simulate(method="fast")`): the same trials and the same
exact LP as `rackforge.supply.disruption`, drawn in blocks and solved far fewer times.

Draws. Trials come in blocks of `BLOCK_TRIALS`; block k draws from its own generator, seeded
with the k-th child of `SeedSequence(seed)` (`spawn_key=(k,)`), all its trials at once: per
class a strike uniform, a pick (the site or owner hit) and a duration factor for every trial,
struck or not. A block's draws and figures depend only on the network, classes, horizon, seed,
k, its trial count and the gap, not on how the blocks are spread over processes or machines:
in-process and on Ray the result is the same, bit for bit (each block starts its own solver).
The reference method draws trial after trial from one generator: other draws, the same
distribution.

Evaluation. A trial's figure is the optimum of `disruption._Evaluator`'s LP (racks late:
the least product units not met over the horizon), found one of these ways, each exact up to
the LP solver's tolerance (`_TOL`) unless a `gap` is given:

1. no outage: nothing lost (the undisrupted network is checked to lose nothing over the
   horizon; when it does, step 2 is skipped);
2. a plan that still holds: the undisrupted LP is solved once more for a plan using as little
   of each node's capacity as it can (inventory first); node i then stands τ_i = H − y_i / c_i
   weeks down at no cost, and a trial whose every hit node is down at most its τ_i loses
   nothing (that plan is still feasible). The same holds for the plans of the last
   `_ZERO_PLANS` trials solved losing nothing (and, for a one-node outage, any of them);
3. one class struck: the trial is a point of a one-parameter family, the class's nodes (one
   site, one owner, a region, a material's makers) down for a_i · f weeks, f the duration
   factor. The racks late are non-decreasing in f (more outage, less capacity), and convex
   while no node's outage reaches the horizon (an LP's optimum is convex in its right-hand
   side, here affine in f). So, trials sorted by f: equal figures at two trials fix every
   trial between them; a figure on the chord of its two neighbours (no node reaching the
   horizon between them) makes the segment linear, and the trials between are interpolated;
   otherwise the segment is bisected. A family costs a few solves per linear piece, not one
   per trial. With `gap` > 0, a segment whose ends differ by at most `gap` of the larger is
   interpolated too (racks late within `gap`, by monotonicity);
4. several classes struck: bounded from both sides, then solved only when the bounds differ.
   Below: any solved trial whose outage is node by node no larger (a class's own one-class
   trials at a factor ≤ the trial's; trials of the same classes and picks with every factor
   ≤). Above: a solved trial whose every factor is ≥ (same classes and picks), or a solved
   one-class trial whose production plan fits under this trial's capacities (that plan is
   feasible here, so this trial loses at most its figure). Equal bounds (within `gap`) settle
   the trial; otherwise the LP is solved.

Every solve is of the whole-network LP built once with NumPy and re-solved by HiGHS from the
last basis with the hit nodes' capacities changed (~10–50 ms on 5,000 nodes, against ~0.3–0.7
s to write and solve it afresh; a Taiwan-wide outage takes ~0.3–0.6 s either way), trials
ordered so that consecutive LPs are alike.

Weeks lost (the largest lost_j / d_j) is read from the LP's solution where the LP is solved,
interpolated between solved trials in step 3 (the LP's optimum may have several solutions, so
weeks lost is not unique in the reference either); racks late are exact.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rackforge.supply.exposure import build_flow_lp, network_arrays
from rackforge.supply.lp import INF, FloatArray, IndexArray, Solver
from rackforge.supply.network import SupplyNetwork

BLOCK_TRIALS = 25_000
"""Trials per block: the unit of seeding and of distribution (one task per block)."""
_TOL = 1e-7
"""Relative tolerance at which two LP optima are one figure (HiGHS's own is 1e-7)."""
_SAT = 1e-9
"""A node down within this of the horizon is out the whole window (as the reference)."""

_FITS = 3
"""Solved one-class trials tried, per class, for a plan that fits a several-class trial."""
_ZERO_PLANS = 32
"""Plans losing nothing kept to settle later trials (module docstring, step 2)."""

BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ClassTable:
    """A class's draws resolved to nodes: subgroup g (one pick) hits nodes[g], each down for
    per_factor[g] · f weeks of full capacity (capacity_loss · ttr)."""

    id: str
    strike: float
    pick: int  # subgroups to pick among (1: all candidates at once)
    triangular: tuple[float, float, float]
    nodes: tuple[IndexArray, ...]
    per_factor: tuple[FloatArray, ...]


@dataclass(frozen=True, slots=True)
class Block:
    """Work for one task: block `index` of `count` trials."""

    network: SupplyNetwork
    tables: tuple[ClassTable, ...]
    horizon: float
    seed: int
    index: int
    count: int
    slack: FloatArray  # τ per node (step 2); -1: no zero plan, solve every disrupted trial
    gap: float = 0.0  # step 3: relative gap at which a family's segment is interpolated


@dataclass(frozen=True, slots=True)
class BlockResult:
    """Per trial of the block: the struck classes (bitmask over tables), the pick and factor
    per class, racks late and weeks lost; `solves`: LP optima computed."""

    struck: NDArray[np.int64]
    picks: NDArray[np.int64]  # (classes, trials)
    factors: FloatArray  # (classes, trials)
    racks_late: FloatArray
    weeks_lost: FloatArray
    solves: int


def draw(block: Block) -> tuple[NDArray[np.int64], NDArray[np.int64], FloatArray]:
    """The block's draws: struck bitmask per trial, picks and factors per (class, trial)."""
    rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(block.seed, spawn_key=(block.index,)))
    )
    n, k = block.count, len(block.tables)
    struck = np.zeros(n, dtype=np.int64)
    picks = np.zeros((k, n), dtype=np.int64)
    factors = np.zeros((k, n))
    for c, table in enumerate(block.tables):
        hit = rng.random(n) < table.strike
        struck |= hit.astype(np.int64) << c
        picks[c] = rng.integers(table.pick, size=n)
        low, mode, high = table.triangular
        factors[c] = rng.triangular(low, mode, high, size=n) if high > low else np.full(n, low)
    return struck, picks, factors


def outage(
    tables: Sequence[ClassTable],
    struck: int,
    picks: Sequence[int] | NDArray[np.int64],
    factors: Sequence[float] | FloatArray,
) -> dict[int, float]:
    """A trial's merged outage: node index → weeks of full capacity lost (the worst of the
    classes hitting it, as `disruption._merge`)."""
    down: dict[int, float] = {}
    for c, table in enumerate(tables):
        if not struck >> c & 1:
            continue
        g = int(picks[c])
        for node, a in zip(table.nodes[g], table.per_factor[g], strict=True):
            weeks = float(a) * float(factors[c])
            if weeks > 0:
                down[int(node)] = max(down.get(int(node), 0.0), weeks)
    return down


class WarmLoss:
    """The reference LP (`disruption._Evaluator`) over the whole network, built once and
    re-solved from the last basis with the hit nodes' capacity bounds changed."""

    def __init__(self, network: SupplyNetwork, horizon: float) -> None:
        a = network_arrays(network)
        self.capacity = a.capacity
        self.horizon = float(horizon)
        model = build_flow_lp(a, np.arange(a.size), window=horizon, boundary="none", base=None,
                       horizon=horizon, disrupted=None)  # fmt: skip
        cost = np.zeros(len(model.lp.cost))
        cost[model.losses] = 1.0  # racks late: units, unweighted
        self.lp = dataclasses.replace(model.lp, cost=cost)
        self.losses = model.losses
        self.demand = a.demand[a.demand > 0]
        self.size = a.size
        self.solver = Solver()
        self.solver.load(self.lp)
        self.solves = 0
        self.plan = np.zeros(0)  # the last solve's production per node

    def upper(self, nodes: IndexArray, down: FloatArray) -> FloatArray:
        cap = self.capacity[nodes]
        d = np.minimum(down, self.horizon)
        out = np.where(np.isnan(cap), INF, np.nan_to_num(cap) * (self.horizon - d))
        return np.where(d >= self.horizon - _SAT, 0.0, out)

    def loss(self, nodes: IndexArray, down: FloatArray) -> tuple[float, float]:
        """(racks late, weeks lost) with `nodes` down `down` weeks each."""
        zero = np.zeros(len(nodes))
        self.solver.change_col_bounds(nodes, zero, self.upper(nodes, down))
        try:
            _, values, _ = self.solver.solve()
        finally:
            self.solver.change_col_bounds(nodes, zero, self.upper(nodes, zero))
        self.solves += 1
        self.plan = values[: self.size]
        late = values[self.losses]
        weeks = float(np.max(late / self.demand, initial=0.0))
        return max(float(late.sum()), 0.0), max(weeks, 0.0)

    def slack_of(self, plan: FloatArray) -> FloatArray:
        """Per node, the weeks it can be down with `plan` still within its capacity (alone)."""
        h, cap = self.horizon, self.capacity
        tau = np.full(self.size, h - 2 * _SAT)  # uncapped: fine until out the whole window
        capped = ~np.isnan(cap) & (cap > 0)
        tau[capped] = h - plan[capped] / cap[capped] - 1e-9 * h
        return tau

    def slack(self) -> FloatArray:
        """τ per node (module docstring, step 2); all -1 when the undisrupted network loses."""
        late, _ = self.loss(np.empty(0, dtype=np.intp), np.empty(0))
        tau = np.full(self.size, -1.0)
        if late > _TOL:
            return tau
        h, cap = self.horizon, self.capacity
        capped = np.flatnonzero(~np.isnan(cap) & (cap > 0))
        cost = np.zeros(len(self.lp.cost))
        cost[capped] = 1.0 / (cap[capped] * h)
        upper = self.lp.col_upper.copy()
        upper[self.losses] = 0.0
        plan = Solver()
        plan.load(dataclasses.replace(self.lp, cost=cost, col_upper=upper))
        _, values, _ = plan.solve()
        y = values[: self.size]
        tau = np.full(self.size, h)  # uncapped: any outage short of the horizon
        tau[capped] = h - y[capped] / cap[capped] - 1e-9 * h
        zero_cap = ~np.isnan(cap) & (cap <= 0)
        tau[zero_cap] = h
        used_uncapped = np.isnan(cap) & (y > 1e-9)
        tau[used_uncapped] = h - 2 * _SAT  # fine until out the whole window
        return tau


def run_block(block: Block) -> BlockResult:
    """One block's trials drawn and evaluated (module docstring)."""
    struck, picks, factors = draw(block)
    tables = block.tables
    n = block.count
    late = np.zeros(n)
    lost = np.zeros(n)
    evaluator = WarmLoss(block.network, block.horizon)
    tau = block.slack
    screen = bool(np.any(tau != -1.0))  # all -1: the undisrupted network loses already
    h = block.horizon

    plans: dict[int, FloatArray] = {}  # one-class trials solved: their production plan
    zero_plans: list[FloatArray] = []  # plans of trials solved losing nothing (the latest)
    zero_tau = tau.copy()  # per node, the most weeks down some plan losing nothing allows

    def solve(t: int) -> tuple[float, float]:
        down = outage(tables, int(struck[t]), picks[:, t], factors[:, t])
        nodes = np.fromiter(down, dtype=np.intp, count=len(down))
        weeks = np.fromiter(down.values(), dtype=float, count=len(down))
        if len(nodes) == 0:
            return 0.0, 0.0
        if screen and bool(np.all(weeks <= tau[nodes])):
            return 0.0, 0.0
        if zero_plans:
            if len(nodes) == 1 and weeks[0] <= zero_tau[nodes[0]]:
                return 0.0, 0.0
            caps = evaluator.upper(nodes, weeks) * (1 + _SAT) + _SAT
            if bool(np.any(np.all(np.asarray(zero_plans)[:, nodes] <= caps, axis=1))):
                return 0.0, 0.0
        figures = evaluator.loss(nodes, weeks)
        if screen and figures[0] <= _SAT:  # a plan losing nothing: it holds for more trials
            zero_plans.append(evaluator.plan.copy())
            del zero_plans[:-_ZERO_PLANS]
            np.maximum(zero_tau, evaluator.slack_of(evaluator.plan), out=zero_tau)
        if struck[t] & (struck[t] - 1) == 0:
            plans[t] = evaluator.plan.copy()
        return figures

    solved_single: dict[tuple[int, int], tuple[FloatArray, list[int]]] = {}

    def bounds(t: int) -> tuple[float, float, float] | None:
        """(lower, upper, weeks at the upper) of a several-class trial from its classes'
        one-class trials solved: each loses at most the trial's (a smaller outage), and one
        whose plan fits the trial's capacities loses at least as much (module docstring)."""
        down = outage(tables, int(struck[t]), picks[:, t], factors[:, t])
        nodes = np.fromiter(down, dtype=np.intp, count=len(down))
        caps = evaluator.upper(nodes, np.fromiter(down.values(), dtype=float, count=len(down)))
        lower, upper, weeks = 0.0, np.inf, 0.0
        for k in range(len(tables)):
            if not int(struck[t]) >> k & 1:
                continue
            entry = solved_single.get((k, int(picks[k, t])))
            if entry is None:
                continue
            fs, ts = entry
            f = float(factors[k, t])
            below = int(np.searchsorted(fs, f, side="right"))
            if below:
                lower = max(lower, float(late[ts[below - 1]]))
            start = below - int(below > 0 and fs[below - 1] == f)
            for u in ts[start : start + _FITS]:  # the first ones lose least: the best bounds
                if late[u] < upper and bool(np.all(plans[u][nodes] <= caps * (1 + _SAT) + _SAT)):
                    upper, weeks = float(late[u]), float(lost[u])
                    break
        return lower, upper, weeks

    single = np.flatnonzero((struck > 0) & (struck & (struck - 1) == 0))
    multi = np.flatnonzero(struck & (struck - 1) != 0)
    lead = np.zeros(n, dtype=np.int64)  # the first class struck
    for c in reversed(range(len(tables))):
        lead[(struck >> c & 1) == 1] = c
    for c, table in enumerate(tables):
        # one class: a family per pick, sorted by factor; its saturation count says where
        # the figure may stop being convex
        members = single[lead[single] == c]
        families: dict[int, list[int]] = {}
        for t in members.tolist():
            families.setdefault(int(picks[c, t]), []).append(t)
        for g, family in sorted(families.items()):
            order = sorted(family, key=lambda t: (float(factors[c, t]), t))
            f = factors[c, order]
            saturated = (table.per_factor[g][:, None] * f[None, :] >= h - _SAT).sum(axis=0)
            _family(order, f, saturated, solve, late, lost, block.gap)
            done = [t for t in order if t in plans]
            solved_single[(c, g)] = (factors[c, done], done)
    for c in range(len(tables)):
        # several classes, this one first: groups by (classes, picks), in an order that keeps
        # consecutive LPs alike (warm starts), each settled by monotonicity where it can
        groups: dict[tuple[int, ...], list[int]] = {}
        for t in multi[lead[multi] == c].tolist():
            on = [k for k in range(len(tables)) if int(struck[t]) >> k & 1]
            groups.setdefault((int(struck[t]), *(int(picks[k, t]) for k in on)), []).append(t)
        lead_factor = {key: float(factors[c, ts].min()) for key, ts in groups.items()}
        for key in sorted(groups, key=lambda key: (key[0], lead_factor[key], key)):
            on = [k for k in range(len(tables)) if key[0] >> k & 1]
            trials = sorted(groups[key], key=lambda t: (*(float(factors[k, t]) for k in on), t))
            _dominated(trials, factors[on][:, trials], solve, bounds, late, lost, block.gap)
    return BlockResult(struck, picks, factors, late, lost, evaluator.solves)


def _dominated(
    trials: list[int],
    f: FloatArray,
    solve: Callable[[int], tuple[float, float]],
    bounds: Callable[[int], tuple[float, float, float] | None],
    late: FloatArray,
    lost: FloatArray,
    gap: float,
) -> None:
    """Trials of one group (same classes, same picks; f: their factors, one row per class):
    a trial whose factors are all ≥ (≤) a solved trial's loses at least (most) as much; one
    between two solved trials of one figure has it, or with `gap` > 0, their mean when they
    differ by at most `gap` of the larger; else `bounds` from the one-class trials (module
    docstring, step 4); else solved. Visited coarse to fine."""
    m = len(trials)
    order = _coarse_to_fine(m)
    solved = np.zeros(m, dtype=bool)
    value = np.zeros(m)
    weeks = np.zeros(m)
    for i in order:
        if solved.any():
            idx = np.flatnonzero(solved)
            below = idx[np.all(f[:, idx] <= f[:, i : i + 1], axis=0)]
            above = idx[np.all(f[:, idx] >= f[:, i : i + 1], axis=0)]
            if len(below) and len(above):
                lo = below[np.argmax(value[below])]
                hi = above[np.argmin(value[above])]
                if value[hi] - value[lo] <= max(_TOL, gap) * max(1.0, value[hi]):
                    late[trials[i]] = (value[lo] + value[hi]) / 2
                    lost[trials[i]] = (weeks[lo] + weeks[hi]) / 2
                    continue
        known = bounds(trials[i])
        if known is not None:
            lower, upper, at_upper = known
            if np.isfinite(upper) and upper - lower <= max(_TOL, gap) * max(1.0, upper):
                late[trials[i]] = (lower + upper) / 2 if gap > 0 else upper
                lost[trials[i]] = at_upper
                continue
        value[i], weeks[i] = solve(trials[i])
        solved[i] = True
        late[trials[i]], lost[trials[i]] = value[i], weeks[i]


def _coarse_to_fine(m: int) -> list[int]:
    """0 … m − 1: the ends first, then midpoints of ever finer halves."""
    if m <= 2:
        return list(range(m))
    order, seen = [0, m - 1], {0, m - 1}
    spans = [(0, m - 1)]
    while spans:
        nxt = []
        for i, j in spans:
            if j - i > 1:
                k = (i + j) // 2
                if k not in seen:
                    order.append(k)
                    seen.add(k)
                nxt += [(i, k), (k, j)]
        spans = nxt
    return order


def _family(
    order: list[int],
    f: FloatArray,
    saturated: NDArray[np.int64],
    solve: Callable[[int], tuple[float, float]],
    late: FloatArray,
    lost: FloatArray,
    gap: float,
) -> None:
    """Trials `order` (f: their factors, ascending) of one family: solved at a few, the rest
    fixed by monotonicity and convexity (module docstring, step 3); `gap` > 0 also settles a
    segment whose two ends differ by at most `gap` of the larger."""
    known: dict[int, tuple[float, float]] = {}

    def at(i: int) -> tuple[float, float]:
        if i not in known:
            known[i] = solve(order[i])
        return known[i]

    def fill(i: int, j: int) -> None:
        (vi, wi), (vj, wj) = at(i), at(j)
        fi, fj = float(f[i]), float(f[j])
        for k in range(i + 1, j):
            s = 0.0 if fj <= fi else (float(f[k]) - fi) / (fj - fi)
            known[k] = (vi + s * (vj - vi), wi + s * (wj - wi))

    stack = [(0, len(order) - 1)]
    while stack:
        i, j = stack.pop()
        if j - i <= 1:
            at(i), at(j)
            continue
        vi, vj = at(i)[0], at(j)[0]
        if abs(vj - vi) <= max(_TOL, gap) * max(1.0, abs(vj)):
            fill(i, j)
            continue
        m = (i + j) // 2
        vm = at(m)[0]
        fi, fj, fm = float(f[i]), float(f[j]), float(f[m])
        chord = vi + (fm - fi) / (fj - fi) * (vj - vi) if fj > fi else vi
        convex = saturated[i] == saturated[j]
        if convex and abs(vm - chord) <= _TOL * max(1.0, abs(vm)):
            fill(i, m)
            fill(m, j)
            continue
        stack += [(m, j), (i, m)]
    for k, t in enumerate(order):
        late[t], lost[t] = known[k]
