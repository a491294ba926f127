"""Time to survive, time to recover and risk exposure of each node of a supply network.

The two linear programs of Simchi-Levi, Schmidt, Wei, Zhang, Combs, Ge, Gusikhin, Sanders and
Zhang, "Identifying Risks and Mitigating Disruptions in the Automotive Supply Chain",
Interfaces 45(5):375–390, 2015, over the multi-tier network of `rackforge.supply.network`,
aggregated over the disruption window (continuous quantities, no timing inside the window):

Variables over a window of length t: y_i ≥ 0, what node i makes; x_e ≥ 0, what edge e ships.

- capacity:   y_i ≤ c_i · t (nodes with a capacity); y_n = 0 for the disrupted node n, which
  can still ship its inventory;
- balance:    Σ_{e out of i} x_e + d_i · t − y_i ≤ s_i (what a node ships and sells comes from
  what it makes and holds; d_i is demand per week, s_i inventory);
- materials:  for each node k and each material m it takes in,
  Σ_{e into k carrying m} x_e / u_e ≥ y_k (u_e units per unit; edges of one material are
  alternative sources, every material is needed).

Time to survive (TTS) of node n: max t subject to the above — how long demand is met in full
with n down — capped at the planning horizon (the network may never run short).

Performance impact (PI) of node n: with t fixed at n's time to recover (TTR), the least
weighted loss min Σ_j w_j · l_j, where the product balance becomes
Σ_out x_j + d_j · TTR − l_j − y_j ≤ s_j with 0 ≤ l_j ≤ d_j · TTR.

Risk exposure index = PI / max PI over the network's nodes (0 when no node loses anything);
a node is critical when TTR > TTS: the network runs out before the node is back.

Every node in turn (`exposure`'s `method`; all three give the same figures):

- "rebuild": both LPs written row by row and solved from scratch per node (`time_to_survive`,
  `performance_impact`): the readable reference, and the benchmarks' baseline.
- "warm": each LP built once for the whole network with NumPy (`build_flow_lp`); per node only
  bounds move (y_n's upper bound to 0 and back; for PI the window T moves c_i · T, d_j · T and
  the balance bounds s_j − d_j · T) and HiGHS re-solves from the last basis. On a 5,000-node
  network a re-solve still takes about as long as a solve from scratch (a disruption moves t,
  and with it most of the basis), so this is the fallback of:
- "local" (the default): a disruption changes the plan near the node only. The undisrupted
  TTS LP is solved once: its TTS T0 and a plan x⁰ that reaches it; scaled by α = t / T0 ≤ 1,
  x⁰ stays feasible (every constraint is linear, inventories are ≥ 0). Each node's LP is then
  solved on a neighbourhood N (n and all it reaches downstream) twice: a restriction, the rest
  of the network held at the scaled plan (a plan for the whole network: a bound on TTS from
  below, on PI from above), and a relaxation, the rest dropped (what outside nodes ship into
  N is free, what N ships out is not owed: the other bound). When the two agree within
  `_GAP` the figure is the LP's optimum; otherwise N grows by the outside nodes they disagree
  on, and after `_ROUNDS` growths, past `_LOCAL_SHARE` of the network, or for a PI window
  beyond T0 (where the scaled plan would not hold), the node goes to "warm".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order

from rackforge.errors import InfeasibleError, InputError
from rackforge.supply.lp import INF, FloatArray, IndexArray, LinearProgram, Solver, SparseLP
from rackforge.supply.network import SupplyNetwork

DEFAULT_HORIZON_WEEKS = 104.0
"""TTS cap when the network never runs short: a two-year planning horizon (the example
program's roadmap spans 2026–2028); pass the program's own horizon when it has one."""

_ZERO = 1e-9

Method = Literal["local", "warm", "rebuild"]
BoolArray = NDArray[np.bool_]

_GAP = 1e-9
"""Relative gap at which a neighbourhood's two bounds are one figure (HiGHS's own optimality
tolerance is 1e-7)."""
_ROUNDS = 4
"""Neighbourhood growths before a node falls back to the whole network."""
_LOCAL_SHARE = 0.5
"""A neighbourhood above this share of the nodes is no cheaper: use the whole network."""


@dataclass(frozen=True, slots=True)
class NodeExposure:
    """One node disrupted alone: how long the network survives, and what its recovery costs.

    `performance_impact`, `risk_exposure_index` and `critical` are None for a node with no
    stated `ttr_weeks`. `lost_units` is the unweighted loss behind the performance impact.
    """

    tts_weeks: float
    ttr_weeks: float | None
    performance_impact: float | None
    risk_exposure_index: float | None
    critical: bool | None
    lost_units: float | None
    tts_capped: bool


def time_to_survive(
    network: SupplyNetwork, disrupted: str, *, horizon_weeks: float = DEFAULT_HORIZON_WEEKS
) -> float:
    """Weeks the network meets all demand with `disrupted` making nothing (≤ the horizon)."""
    _known(network, disrupted)
    lp = LinearProgram(maximize=True)
    t = lp.column("t", upper=horizon_weeks, cost=1.0)
    y, x = _flow_columns(lp, network, disrupted)
    shipments = _shipments(network, x)
    for node in network.nodes:
        if node.capacity_per_week is not None and node.id != disrupted:
            lp.row({y[node.id]: 1.0, t: -node.capacity_per_week}, upper=0.0)
        balance = shipments[node.id]
        balance[y[node.id]] = balance.get(y[node.id], 0.0) - 1.0
        if node.demand_per_week:
            balance[t] = node.demand_per_week
        lp.row(balance, upper=node.inventory)
    _material_rows(lp, network, y, x)
    return lp.solve().objective


def performance_impact(network: SupplyNetwork, disrupted: str, weeks: float) -> tuple[float, float]:
    """(least weighted loss, its units lost) over `weeks` with `disrupted` making nothing."""
    _known(network, disrupted)
    lp = LinearProgram(maximize=False)
    y, x = _flow_columns(lp, network, disrupted, weeks=weeks)
    shipments = _shipments(network, x)
    losses: dict[str, int] = {}
    for node in network.nodes:
        balance = shipments[node.id]
        balance[y[node.id]] = balance.get(y[node.id], 0.0) - 1.0
        need = node.demand_per_week * weeks
        if need:
            losses[node.id] = lp.column(f"l[{node.id}]", upper=need, cost=node.loss_weight)
            balance[losses[node.id]] = -1.0
        lp.row(balance, upper=node.inventory - need)
    _material_rows(lp, network, y, x)
    solution = lp.solve()
    lost = sum(solution.values[f"l[{node_id}]"] for node_id in losses)
    return max(solution.objective, 0.0), max(lost, 0.0)


def exposure(
    network: SupplyNetwork,
    *,
    horizon_weeks: float = DEFAULT_HORIZON_WEEKS,
    method: Method = "local",
) -> dict[str, NodeExposure]:
    """Every node disrupted alone for its own TTR (module docstring for the LPs and methods).

    `method`: "local" (default) bounds each node's LPs on a neighbourhood and falls back to
    "warm"; "warm" re-solves the two LPs, built once, with the node's bounds changed;
    "rebuild" builds and solves both LPs from scratch per node (the reference, and the
    benchmark's baseline). All three give the same figures, to the solver's tolerance.
    """
    if horizon_weeks <= 0:
        raise InputError(
            f"horizon {horizon_weeks:g} weeks", where="horizon", fix="give a positive horizon"
        )
    if method == "rebuild":
        tts: dict[str, float] = {}
        impact: dict[str, tuple[float, float]] = {}
        for node in network.nodes:
            tts[node.id] = time_to_survive(network, node.id, horizon_weeks=horizon_weeks)
            if node.ttr_weeks is not None:
                impact[node.id] = performance_impact(network, node.id, node.ttr_weeks)
    elif method in ("local", "warm"):
        tts, impact = _Exposures(network, horizon_weeks, local=method == "local").all()
    else:
        raise InputError(
            f"method {method!r}", where="method", fix="use one of: local, warm, rebuild"
        )
    worst = max((pi for pi, _ in impact.values()), default=0.0)
    result: dict[str, NodeExposure] = {}
    for node in network.nodes:
        pi, lost = impact.get(node.id, (None, None))
        result[node.id] = NodeExposure(
            tts_weeks=tts[node.id],
            ttr_weeks=node.ttr_weeks,
            performance_impact=pi,
            risk_exposure_index=None if pi is None else (pi / worst if worst > _ZERO else 0.0),
            critical=None if node.ttr_weeks is None else node.ttr_weeks > tts[node.id] + _ZERO,
            lost_units=lost,
            tts_capped=tts[node.id] >= horizon_weeks - _ZERO,
        )
    return result


def _known(network: SupplyNetwork, node_id: str) -> None:
    if all(n.id != node_id for n in network.nodes):
        raise InputError(
            f"no node {node_id!r} in the network",
            where="node",
            fix=f"use one of: {', '.join(n.id for n in network.nodes)}",
        )


def _flow_columns(
    lp: LinearProgram, network: SupplyNetwork, disrupted: str, *, weeks: float | None = None
) -> tuple[dict[str, int], list[int]]:
    """y per node (a fixed window bounds it by capacity × weeks; the disrupted one at 0), x per
    edge."""
    y: dict[str, int] = {}
    for node in network.nodes:
        upper = float("inf")
        if node.id == disrupted:
            upper = 0.0
        elif weeks is not None and node.capacity_per_week is not None:
            upper = node.capacity_per_week * weeks
        y[node.id] = lp.column(f"y[{node.id}]", upper=upper)
    x = [lp.column(f"x[{i}]") for i in range(len(network.edges))]
    return y, x


def _shipments(network: SupplyNetwork, x: list[int]) -> dict[str, dict[int, float]]:
    """Per node, its out-edges' columns with coefficient 1 (built once per LP: O(edges))."""
    out: dict[str, dict[int, float]] = {node.id: {} for node in network.nodes}
    for i, edge in enumerate(network.edges):
        out[edge.source][x[i]] = 1.0
    return out


def _material_rows(
    lp: LinearProgram, network: SupplyNetwork, y: dict[str, int], x: list[int]
) -> None:
    needs: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for i, edge in enumerate(network.edges):
        needs[(edge.target, edge.material)][x[i]] = 1.0 / edge.units_per_unit
    for (target, _), terms in needs.items():
        lp.row({**terms, y[target]: -1.0}, lower=0.0)


# Built once per network: the vectorised LPs, re-solved per node (methods "local" and "warm").


@dataclass(frozen=True, slots=True)
class NetworkArrays:
    """The network as arrays: nodes and edges by position."""

    capacity: FloatArray  # NaN: unconstrained
    inventory: FloatArray
    demand: FloatArray
    weight: FloatArray
    source: IndexArray  # per edge
    target: IndexArray
    per_unit: FloatArray  # 1 / units_per_unit
    group: IndexArray  # per edge: its (target, material) pair
    group_target: IndexArray  # per pair: the target
    graph: sparse.csr_array  # node → node, for the nodes a disruption reaches
    out_edges: _Adjacency  # per node, the edges it ships on
    in_edges: _Adjacency  # per node, the edges it receives on
    pairs: _Adjacency  # per node, its (node, material) pairs

    @property
    def size(self) -> int:
        return len(self.inventory)


@dataclass(frozen=True, slots=True)
class _Adjacency:
    """items[start[i]:start[i + 1]] belong to node i."""

    start: IndexArray
    items: IndexArray

    @classmethod
    def of(cls, owner: IndexArray, size: int) -> _Adjacency:
        items = np.argsort(owner, kind="stable")
        return cls(np.searchsorted(owner[items], np.arange(size + 1)), items)

    def gather(self, nodes: IndexArray) -> IndexArray:
        """The items of `nodes`, ascending."""
        first, counts = self.start[nodes], self.start[nodes + 1] - self.start[nodes]
        offsets = np.repeat(first - np.cumsum(counts) + counts, counts)
        return np.sort(self.items[offsets + np.arange(len(offsets))])


def network_arrays(network: SupplyNetwork) -> NetworkArrays:
    index = {node.id: i for i, node in enumerate(network.nodes)}
    nodes, edges = network.nodes, network.edges
    source = np.array([index[e.source] for e in edges], dtype=np.intp)
    target = np.array([index[e.target] for e in edges], dtype=np.intp)
    pairs: dict[tuple[int, str], int] = {}
    group = np.array(
        [pairs.setdefault((index[e.target], e.material), len(pairs)) for e in edges], dtype=np.intp
    )
    group_target = np.array([t for t, _ in pairs], dtype=np.intp)
    size = len(nodes)
    return NetworkArrays(
        capacity=np.array(
            [np.nan if n.capacity_per_week is None else n.capacity_per_week for n in nodes],
            dtype=float,
        ),
        inventory=np.array([n.inventory for n in nodes], dtype=float),
        demand=np.array([n.demand_per_week for n in nodes], dtype=float),
        weight=np.array([n.loss_weight for n in nodes], dtype=float),
        source=source,
        target=target,
        per_unit=np.array([1.0 / e.units_per_unit for e in edges], dtype=float),
        group=group,
        group_target=group_target,
        graph=sparse.csr_array((np.ones(len(edges)), (source, target)), shape=(size, size)),
        out_edges=_Adjacency.of(source, size),
        in_edges=_Adjacency.of(target, size),
        pairs=_Adjacency.of(group_target, size),
    )


@dataclass(frozen=True, slots=True)
class _Base:
    """The undisrupted network's TTS and a plan that reaches it (flow per edge)."""

    weeks: float
    flow: FloatArray


Boundary = Literal["none", "fixed", "free"]


@dataclass(frozen=True, slots=True)
class _Model:
    """An LP over some nodes (y of nodes[k] is column k), with where its boundary lies."""

    lp: SparseLP
    losses: IndexArray  # PI: the loss columns
    inbound: IndexArray  # edges from outside into the nodes
    inbound_rows: IndexArray  # their (target, material) rows
    inbound_cols: IndexArray  # "free": their columns
    outbound: IndexArray  # edges from the nodes to outside
    outbound_rows: IndexArray  # their source's balance row


@dataclass(frozen=True, slots=True)
class _Solved:
    model: _Model
    objective: float
    lost: float
    values: FloatArray
    duals: FloatArray


def build_flow_lp(
    a: NetworkArrays,
    nodes: IndexArray,
    *,
    window: float | None,
    boundary: Boundary,
    base: _Base | None,
    horizon: float,
    disrupted: int | None,
) -> _Model:
    """TTS (`window` None) or PI over `window` weeks, on `nodes` (module docstring).

    Columns: y per node, x per modelled edge, then t (TTS) or the losses (PI). Rows: balance
    per node, materials per (node, material), then capacity (TTS). Edges with one end outside
    `nodes`: "free" models what the outside node ships in as free and drops what goes out
    (a relaxation); "fixed" holds both at the base plan scaled to the window (a restriction,
    valid for windows up to base.weeks); "none" when `nodes` is the whole network.
    """
    ns = len(nodes)
    local = np.full(a.size, -1, dtype=np.intp)
    local[nodes] = np.arange(ns)
    inside = local >= 0
    shipped, received = a.out_edges.gather(nodes), a.in_edges.gather(nodes)
    internal = shipped[inside[a.target[shipped]]]
    outbound = shipped[~inside[a.target[shipped]]]
    inbound = received[~inside[a.source[received]]]
    free = np.concatenate([internal, inbound]) if boundary == "free" else internal
    pairs = a.pairs.gather(nodes)
    ms, nx = len(pairs), len(free)
    pair_row = np.full(len(a.group_target), -1, dtype=np.intp)
    pair_row[pairs] = ns + np.arange(ms)
    x_cols = ns + np.arange(nx)
    out_rate, in_rate = np.zeros(ns), np.zeros(ms)  # fixed boundary flows per week
    if boundary == "fixed":
        assert base is not None and base.weeks > 0
        np.add.at(out_rate, local[a.source[outbound]], base.flow[outbound] / base.weeks)
        np.add.at(
            in_rate,
            pair_row[a.group[inbound]] - ns,
            base.flow[inbound] * a.per_unit[inbound] / base.weeks,
        )
    rows = [local[a.source[internal]], np.arange(ns), pair_row[a.group[free]], ns + np.arange(ms)]
    cols = [x_cols[: len(internal)], np.arange(ns), x_cols, local[a.group_target[pairs]]]
    values = [np.ones(len(internal)), -np.ones(ns), a.per_unit[free], -np.ones(ms)]
    demand, capacity = a.demand[nodes], a.capacity[nodes]
    capped = np.flatnonzero(~np.isnan(capacity))
    y_upper = np.full(ns, INF)
    losses = np.empty(0, dtype=np.intp)
    if window is None:
        t = ns + nx
        ks = len(capped)
        cap_rows = ns + ms + np.arange(ks)
        t_balance = demand + out_rate
        on_balance, on_pair = np.flatnonzero(t_balance), np.flatnonzero(in_rate)
        rows += [on_balance, ns + on_pair, cap_rows, cap_rows]
        cols += [np.full(len(on_balance), t), np.full(len(on_pair), t), capped, np.full(ks, t)]
        values += [t_balance[on_balance], in_rate[on_pair], np.ones(ks), -capacity[capped]]
        cost = np.zeros(t + 1)
        cost[t] = 1.0
        t_upper = horizon if boundary != "fixed" or base is None else min(horizon, base.weeks)
        col_upper = np.concatenate([y_upper, np.full(nx, INF), [t_upper]])
        row_lower = np.concatenate([np.full(ns, -INF), np.zeros(ms), np.full(ks, -INF)])
        row_upper = np.concatenate([a.inventory[nodes], np.full(ms, INF), np.zeros(ks)])
    else:
        with_loss = np.flatnonzero(demand > 0)
        losses = ns + nx + np.arange(len(with_loss))
        rows.append(with_loss)
        cols.append(losses)
        values.append(-np.ones(len(with_loss)))
        y_upper[capped] = capacity[capped] * window
        cost = np.concatenate([np.zeros(ns + nx), a.weight[nodes][with_loss]])
        col_upper = np.concatenate([y_upper, np.full(nx, INF), demand[with_loss] * window])
        row_lower = np.concatenate([np.full(ns, -INF), -in_rate * window])
        row_upper = np.concatenate(
            [a.inventory[nodes] - (demand + out_rate) * window, np.full(ms, INF)]
        )
    if disrupted is not None:
        col_upper[local[disrupted]] = 0.0
    lp = SparseLP(
        cost=cost,
        col_lower=np.zeros(len(cost)),
        col_upper=col_upper,
        row_lower=row_lower,
        row_upper=row_upper,
        rows=np.concatenate(rows),
        cols=np.concatenate(cols),
        values=np.concatenate(values).astype(float),
        maximize=window is None,
    )
    return _Model(
        lp=lp,
        losses=losses,
        inbound=inbound,
        inbound_rows=pair_row[a.group[inbound]],
        inbound_cols=x_cols[len(internal) :] if boundary == "free" else x_cols[:0],
        outbound=outbound,
        outbound_rows=local[a.source[outbound]],
    )


class _Exposures:
    """TTS and PI of every node: the whole-network LPs built once and re-solved per node
    ("warm"), and with `local`, each node first tried on a neighbourhood (module docstring)."""

    def __init__(self, network: SupplyNetwork, horizon: float, *, local: bool) -> None:
        self._a = a = network_arrays(network)
        self._ids = [node.id for node in network.nodes]
        self._ttr = [node.ttr_weeks for node in network.nodes]
        self._horizon = horizon
        self._local = local
        self._all = np.arange(a.size)
        self._tts = Solver()
        self._tts.load(self._whole(window=None).lp)
        weeks, values, _ = self._tts.solve()
        self._base = _Base(weeks=weeks, flow=values[a.size : a.size + len(a.source)])
        self._pi: Solver | None = None
        self._pi_losses = np.empty(0, dtype=np.intp)
        self._window = 0.0
        self._scratch = Solver(presolve=False)

    def all(self) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
        tts = {self._ids[n]: self._time_to_survive(n) for n in range(self._a.size)}
        with_ttr = [n for n in range(self._a.size) if self._ttr[n] is not None]
        impact: dict[str, tuple[float, float]] = {}
        for n in sorted(with_ttr, key=lambda n: self._ttr[n] or 0.0):  # windows change least
            impact[self._ids[n]] = self._performance_impact(n, self._ttr[n] or 0.0)
        return tts, impact

    def _whole(self, *, window: float | None) -> _Model:
        return build_flow_lp(
            self._a,
            self._all,
            window=window,
            boundary="none",
            base=None,
            horizon=self._horizon,
            disrupted=None,
        )

    def _time_to_survive(self, n: int) -> float:
        if self._local and self._base.weeks > _ZERO:
            found = self._bounded(n, None)
            if found is not None:
                return found[0]
        col = np.array([n])
        self._tts.change_col_bounds(col, np.zeros(1), np.zeros(1))
        weeks, _, _ = self._tts.solve()
        self._tts.change_col_bounds(col, np.zeros(1), np.full(1, INF))
        return weeks

    def _performance_impact(self, n: int, window: float) -> tuple[float, float]:
        if self._local and self._base.weeks > _ZERO and window <= self._base.weeks:
            found = self._bounded(n, window)
            if found is not None:
                return max(found[0], 0.0), max(found[1], 0.0)
        pi = self._pi_at(window)
        col = np.array([n])
        restore = self._a.capacity[n] * window if not np.isnan(self._a.capacity[n]) else INF
        pi.change_col_bounds(col, np.zeros(1), np.zeros(1))
        loss, values, _ = pi.solve()
        pi.change_col_bounds(col, np.zeros(1), np.full(1, restore))
        return max(loss, 0.0), max(float(values[self._pi_losses].sum()), 0.0)

    def _bounded(self, n: int, window: float | None) -> tuple[float, float] | None:
        """(objective, units lost) of n's TTS (`window` None) or PI, found on a neighbourhood
        whose restriction and relaxation agree; None when none up to `_LOCAL_SHARE` does."""
        a = self._a
        inside = np.zeros(a.size, dtype=bool)
        inside[breadth_first_order(a.graph, n, directed=True, return_predecessors=False)] = True
        # the restriction's figure, when it reaches what no disruption can beat, is exact
        best = 0.0 if window is not None else min(self._horizon, self._base.weeks)
        for growth in range(_ROUNDS + 1):
            nodes = np.flatnonzero(inside)
            if len(nodes) > _LOCAL_SHARE * a.size:
                return None
            try:
                fixed = self._solve(nodes, window, "fixed", n)
                if abs(fixed.objective - best) <= _GAP * max(1.0, best):
                    return fixed.objective, fixed.lost
                free = self._solve(nodes, window, "free", n)
            except InfeasibleError:
                return None
            if abs(free.objective - fixed.objective) <= _GAP * max(1.0, abs(free.objective)):
                return fixed.objective, fixed.lost
            inside = self._grow(inside, fixed, free, window, growth)
        return None

    def _grow(
        self, inside: BoolArray, fixed: _Solved, free: _Solved, window: float | None, growth: int
    ) -> BoolArray:
        """Add the outside nodes the bounds disagree on: sources the relaxation draws on
        beyond the base plan, and ends of fixed flows on rows that bind in the restriction;
        when there are none, all suppliers (then all customers too)."""
        a = self._a
        add = np.zeros(a.size, dtype=bool)
        scale = (free.objective if window is None else window) / self._base.weeks
        drawn = free.values[free.model.inbound_cols]
        more = drawn > self._base.flow[free.model.inbound] * scale * (1 + _GAP) + _ZERO
        add[a.source[free.model.inbound[more]]] = True
        m = fixed.model
        binding_out = np.abs(fixed.duals[m.outbound_rows]) > _ZERO
        add[a.target[m.outbound[binding_out]]] = True
        binding_in = np.abs(fixed.duals[m.inbound_rows]) > _ZERO
        add[a.source[m.inbound[binding_in]]] = True
        add &= ~inside
        if not add.any():
            add[a.source[inside[a.target]]] = True
            if growth >= 1:
                add[a.target[inside[a.source]]] = True
        return inside | add

    def _pi_at(self, window: float) -> Solver:
        """The whole-network PI LP over `window` weeks: built once, its bounds moved after."""
        a = self._a
        if self._pi is None:
            self._pi = Solver()
            model = self._whole(window=window)
            self._pi.load(model.lp)
            self._pi_losses = model.losses
        elif window != self._window:
            capped = np.flatnonzero(~np.isnan(a.capacity))
            self._pi.change_col_bounds(capped, np.zeros(len(capped)), a.capacity[capped] * window)
            with_loss = np.flatnonzero(a.demand > 0)
            self._pi.change_col_bounds(
                self._pi_losses, np.zeros(len(with_loss)), a.demand[with_loss] * window
            )
            self._pi.change_row_bounds(
                self._all, np.full(a.size, -INF), a.inventory - a.demand * window
            )
        self._window = window
        return self._pi

    def _solve(
        self, nodes: IndexArray, window: float | None, boundary: Boundary, disrupted: int
    ) -> _Solved:
        """A neighbourhood's LP solved."""
        model = build_flow_lp(
            self._a,
            nodes,
            window=window,
            boundary=boundary,
            base=self._base,
            horizon=self._horizon,
            disrupted=disrupted,
        )
        self._scratch.load(model.lp)
        objective, values, duals = self._scratch.solve()
        lost = float(values[model.losses].sum())
        return _Solved(model=model, objective=objective, lost=lost, values=values, duals=duals)
