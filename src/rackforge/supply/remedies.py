"""What would make a critical node survivable: a buffer, a second source or a shorter TTR.

A node is critical when its time to recover exceeds the network's time to survive its loss
(TTR > TTS; Simchi-Levi et al., Interfaces 45(5), 2015, and `rackforge.supply.exposure`). Each
remedy below is the least change that lifts TTS to the target T = min(TTR, horizon), found
exactly on the TTS LP of `exposure.build_flow_lp` (t fixed at T, the node's output y_n at 0),
not by a rule of thumb:

- buffer: one more column σ ≥ 0 in the node's balance row,
  Σ_out x_n − y_n − σ ≤ s_n, minimising σ — the least extra inventory of the node's own
  output, on top of its stated `inventory` s_n, that keeps every demand met for T weeks. It is
  finished output the disruption does not touch: held at the node (the LP's s_n, shippable to
  any customer) or at its customers, split as the plan draws it. Weeks of cover: σ over the
  customers' use of the node's material per week (Σ over the out-edges the plan ships the
  buffer on, of units_per_unit × the customer's output per week in that plan).
- second source: a new source v of the node's output, shipping along copies of the node's
  out-edges (same customers, materials and units_per_unit) and needing nothing itself,
  minimising what it ships over T weeks; over T, the capacity per week a second source needs
  beyond the spare capacity of the alternatives the network already has (other nodes
  shipping the same material to the same customers, listed).
- shorter TTR by contract: the node's TTR must fall to its TTS, by TTR − TTS weeks (a TTS of
  0 asks for an instant recovery, which no contract gives: a buffer or second source is then
  the remedy).

Both LPs are feasible exactly when the undisrupted network itself lasts T weeks (T0 ≥ T: the
node's undisrupted plan is then a feasible buffer, and v can copy it); otherwise no remedy at
this node alone helps, and the result says so with T0.

Cost: each LP is built once for the whole network (one σ column per node, one copy column per
edge, all held at 0 but the node's own), then per node only bounds move and HiGHS re-solves
from the last basis — two whole-network LP solves per node asked for, plus one for T0. On the
example program's network (about 50 nodes) that is milliseconds a node; on a 5,000-node
network a re-solve takes about as long as the exposure's "warm" re-solve (a second or so), so
ask only for the critical nodes (the default), or pass `nodes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from rackforge.errors import InfeasibleError, InputError
from rackforge.supply.exposure import (
    DEFAULT_HORIZON_WEEKS,
    NodeExposure,
    build_flow_lp,
    network_arrays,
)
from rackforge.supply.lp import INF, FloatArray, IndexArray, Solver, SparseLP
from rackforge.supply.network import SupplyNetwork

_ZERO = 1e-9
_TOLERANCE = 1e-7
"""Relative slack on T0 ≥ T (HiGHS's own optimality tolerance)."""


@dataclass(frozen=True, slots=True)
class BufferRemedy:
    """Extra inventory of the node's output that lifts its TTS to the target.

    `units` is on top of `inventory_units` (what the node already holds); `weeks_of_cover` is
    `units` over `use_per_week`, the customers' use of the node's material per week. All None
    when no buffer here is enough (the network runs short anyway; `NodeRemedies.note`).
    """

    units: float | None
    weeks_of_cover: float | None
    use_per_week: float | None
    inventory_units: float


@dataclass(frozen=True, slots=True)
class SecondSourceRemedy:
    """A second source of the node's output: who else ships it, and what capacity it lacks.

    `alternatives`: per material the node ships, the other nodes shipping that material to
    one of its customers (empty: the node is the sole source of it). `capacity_per_week`: what
    a new source (needing nothing of the node's suppliers) must make per week beyond the
    alternatives' spare capacity; None when no source is enough, or the node ships to no one
    (a product has no second source).
    """

    customers: tuple[str, ...]
    alternatives: Mapping[str, tuple[str, ...]]
    capacity_per_week: float | None

    @property
    def sole_source_of(self) -> tuple[str, ...]:
        """The materials no other node ships to the node's customers."""
        return tuple(m for m, others in self.alternatives.items() if not others)


@dataclass(frozen=True, slots=True)
class ContractRemedy:
    """The TTR a contract must promise: the node's TTS, `cut_weeks` below the stated TTR.

    `achievable` is False when the TTS is 0: no contract gives an instant recovery."""

    ttr_weeks: float
    cut_weeks: float
    achievable: bool


@dataclass(frozen=True, slots=True)
class NodeRemedies:
    """Each remedy's least size for one critical node (module docstring for the LPs).

    `target_weeks` = min(TTR, horizon), the TTS each remedy reaches; `network_weeks` is the
    undisrupted network's TTS (T0); `note` says why buffer and second source are None when
    T0 < target.
    """

    node: str
    tts_weeks: float
    ttr_weeks: float
    target_weeks: float
    network_weeks: float
    buffer: BufferRemedy
    second_source: SecondSourceRemedy
    contract: ContractRemedy
    note: str | None

    @property
    def summary(self) -> str:
        """The three remedies in one line of text."""
        parts: list[str] = []
        b = self.buffer
        if b.units is not None:
            cover = f" ({b.weeks_of_cover:.1f} weeks of use)" if b.weeks_of_cover else ""
            parts.append(f"buffer {b.units:,.0f} units{cover}")
        s = self.second_source
        if s.capacity_per_week is not None:
            need = f"{s.capacity_per_week:,.1f} units/week"
            sole = s.sole_source_of
            if sole and len(sole) == len(s.alternatives):
                parts.append(f"sole source: qualify a second ≥ {need}")
            elif sole:
                parts.append(f"sole source of {', '.join(sole)}: qualify a second ≥ {need}")
            else:
                others = sorted({o for alts in s.alternatives.values() for o in alts})
                parts.append(f"{', '.join(others)} short: a second source ≥ {need} more")
        c = self.contract
        parts.append(
            f"contract TTR ≤ {c.ttr_weeks:.1f} weeks (−{c.cut_weeks:.1f})"
            if c.achievable
            else "contract: TTR would have to be 0 (TTS 0), no contract term"
        )
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


def remedies(
    network: SupplyNetwork,
    exposures: Mapping[str, NodeExposure],
    *,
    nodes: Iterable[str] | None = None,
    horizon_weeks: float = DEFAULT_HORIZON_WEEKS,
) -> dict[str, NodeRemedies]:
    """Remedies of `nodes` (default: the critical ones of `exposures`, which `exposure`
    computed on `network` with the same `horizon_weeks`), in network order."""
    ids = [node.id for node in network.nodes]
    asked = (
        [n for n in ids if exposures.get(n) is not None and exposures[n].critical]
        if nodes is None
        else list(nodes)
    )
    for node_id in asked:
        _check(network, exposures, node_id)
    if not asked:
        return {}
    if horizon_weeks <= 0:
        raise InputError(
            f"horizon {horizon_weeks:g} weeks", where="horizon", fix="give a positive horizon"
        )
    lps = _RemedyLPs(network, horizon_weeks)
    order = {node_id: i for i, node_id in enumerate(ids)}
    return {
        n: lps.remedies(order[n], exposures[n]) for n in sorted(set(asked), key=lambda n: order[n])
    }


def _check(network: SupplyNetwork, exposures: Mapping[str, NodeExposure], node_id: str) -> None:
    ids = [node.id for node in network.nodes]
    if node_id not in ids:
        raise InputError(
            f"no node {node_id!r} in the network", where="node", fix=f"use one of: {', '.join(ids)}"
        )
    if node_id not in exposures:
        raise InputError(
            f"no exposure figures for node {node_id!r}",
            where="exposures",
            fix="pass the result of exposure() on the same network",
        )
    if network.node(node_id).ttr_weeks is None:
        raise InputError(
            f"node {node_id!r} has no ttr_weeks: remedies lift its TTS to its TTR",
            where=f"nodes[{node_id}].ttr_weeks",
            fix="state the node's time to recover in weeks",
        )


class _RemedyLPs:
    """The buffer and second-source LPs, built once for the whole network, and T0."""

    def __init__(self, network: SupplyNetwork, horizon: float) -> None:
        self._a = a = network_arrays(network)
        self._ids = [node.id for node in network.nodes]
        self._materials = [edge.material for edge in network.edges]
        self._horizon = horizon
        base = build_flow_lp(
            a,
            np.arange(a.size),
            window=None,
            boundary="none",
            base=None,
            horizon=horizon,
            disrupted=None,
        ).lp
        ns, nx = a.size, len(a.source)
        self._t = ns + nx  # build_flow_lp: y per node, x per edge, then t
        assert len(base.cost) == ns + nx + 1
        undisrupted = Solver()
        undisrupted.load(base)
        self.network_weeks, _, _ = undisrupted.solve()
        # each node's balance row (where its y has −1) and each edge's material row (where
        # its x sits, past the balance rows), read off the LP rather than assumed
        balance_row, material_row = np.empty(ns, dtype=np.intp), np.empty(nx, dtype=np.intp)
        y_in_balance = (base.cols < ns) & (base.rows < ns)
        balance_row[base.cols[y_in_balance]] = base.rows[y_in_balance]
        x_in_material = (base.cols >= ns) & (base.cols < ns + nx) & (base.rows >= ns)
        material_row[base.cols[x_in_material] - ns] = base.rows[x_in_material]
        # buffer: σ_k ≥ 0 per node k in k's balance row: Σ_out x − y − σ ≤ s
        self._buffer = Solver()
        self._buffer.load(
            _with_columns(base, rows=balance_row, values=-np.ones(ns), upper=np.zeros(ns))
        )
        self._sigma0 = len(base.cost)
        # second source: a copy x'_e per edge, in the material row of e's (target, material)
        self._second = Solver()
        self._second.load(
            _with_columns(base, rows=material_row, values=a.per_unit, upper=np.zeros(nx))
        )
        self._copy0 = len(base.cost)

    def remedies(self, n: int, e: NodeExposure) -> NodeRemedies:
        a = self._a
        ttr = e.ttr_weeks if e.ttr_weeks is not None else 0.0
        target = min(ttr, self._horizon)
        inventory = float(a.inventory[n])
        out = a.out_edges.items[a.out_edges.start[n] : a.out_edges.start[n + 1]]
        second = SecondSourceRemedy(
            customers=tuple(sorted({self._ids[a.target[i]] for i in out})),
            alternatives=self._alternatives(n, out),
            capacity_per_week=None,
        )
        buffer = BufferRemedy(None, None, None, inventory)
        note = None
        if target <= _ZERO or e.tts_weeks >= target - _ZERO:
            buffer = BufferRemedy(0.0, 0.0, None, inventory)
            second = _replace_capacity(second, 0.0 if len(out) else None)
        elif self.network_weeks < target * (1 - _TOLERANCE) - _ZERO:
            note = (
                f"the network meets demand for only {self.network_weeks:.3g} weeks with every "
                f"node up: no buffer or source here alone lifts TTS to {target:g} weeks"
            )
        else:
            buffer = self._buffer_at(n, target, inventory, out)
            if len(out):
                second = _replace_capacity(second, self._second_source_at(n, target, out))
        return NodeRemedies(
            node=self._ids[n],
            tts_weeks=e.tts_weeks,
            ttr_weeks=ttr,
            target_weeks=target,
            network_weeks=self.network_weeks,
            buffer=buffer,
            second_source=second,
            contract=ContractRemedy(
                ttr_weeks=e.tts_weeks,
                cut_weeks=max(ttr - e.tts_weeks, 0.0),
                achievable=e.tts_weeks > _ZERO,
            ),
            note=note,
        )

    def _buffer_at(self, n: int, target: float, inventory: float, out: IndexArray) -> BufferRemedy:
        sigma = self._sigma0 + n
        values = self._solve(self._buffer, n, target, np.array([sigma]))
        if values is None:
            return BufferRemedy(None, None, None, inventory)
        units = max(float(values[sigma]), 0.0)
        a = self._a
        # the customers' use of the node's material where the plan draws on the node (an
        # out-edge that ships): units_per_unit × their output per week
        drawn = out[values[a.size + out] > _ZERO]
        use = float(np.sum(values[a.target[drawn]] / a.per_unit[drawn])) / target
        weeks = units / use if use > _ZERO else None
        return BufferRemedy(units, weeks, use if use > _ZERO else None, inventory)

    def _second_source_at(self, n: int, target: float, out: IndexArray) -> float | None:
        copies = self._copy0 + out
        values = self._solve(self._second, n, target, copies)
        if values is None:
            return None
        return max(float(values[copies].sum()), 0.0) / target

    def _solve(self, solver: Solver, n: int, target: float, free: IndexArray) -> FloatArray | None:
        """The LP with node n down, t fixed at `target` and the `free` columns opened; the
        bounds are put back after."""
        fixed = np.array([n, self._t], dtype=np.intp)
        solver.change_col_bounds(fixed, np.array([0.0, target]), np.array([0.0, target]))
        solver.change_col_bounds(free, np.zeros(len(free)), np.full(len(free), INF))
        try:
            _, values, _ = solver.solve()
        except InfeasibleError:
            values = None
        solver.change_col_bounds(free, np.zeros(len(free)), np.zeros(len(free)))
        solver.change_col_bounds(fixed, np.zeros(2), np.array([INF, self._horizon]))
        return values

    def _alternatives(self, n: int, out: IndexArray) -> dict[str, tuple[str, ...]]:
        """Per material n ships: the other sources of the (customer, material) pairs it feeds."""
        a = self._a
        others: dict[str, set[str]] = {self._materials[int(i)]: set() for i in out}
        pairs = set(a.group[out].tolist())
        for i in range(len(a.source)):
            if int(a.group[i]) in pairs and a.source[i] != n:
                others[self._materials[i]].add(self._ids[a.source[i]])
        return {m: tuple(sorted(found)) for m, found in sorted(others.items())}


def _with_columns(
    lp: SparseLP, *, rows: IndexArray, values: FloatArray, upper: FloatArray
) -> SparseLP:
    """`lp` with one new column per entry of `rows` (its one coefficient there), costing 1 each,
    bounded by [0, upper], minimised; the old columns cost nothing."""
    start, extra = len(lp.cost), len(rows)
    return SparseLP(
        cost=np.concatenate([np.zeros(start), np.ones(extra)]),
        col_lower=np.concatenate([lp.col_lower, np.zeros(extra)]),
        col_upper=np.concatenate([lp.col_upper, upper]),
        row_lower=lp.row_lower,
        row_upper=lp.row_upper,
        rows=np.concatenate([lp.rows, rows]).astype(np.intp),
        cols=np.concatenate([lp.cols, start + np.arange(extra)]).astype(np.intp),
        values=np.concatenate([lp.values, values]).astype(float),
        maximize=False,
    )


def _replace_capacity(second: SecondSourceRemedy, capacity: float | None) -> SecondSourceRemedy:
    return SecondSourceRemedy(second.customers, second.alternatives, capacity_per_week=capacity)


__all__ = [
    "BufferRemedy",
    "ContractRemedy",
    "NodeRemedies",
    "SecondSourceRemedy",
    "remedies",
]
