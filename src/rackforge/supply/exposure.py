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
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rackforge.errors import InputError
from rackforge.supply.lp import LinearProgram
from rackforge.supply.network import SupplyNetwork

DEFAULT_HORIZON_WEEKS = 104.0
"""TTS cap when the network never runs short: a two-year planning horizon (the example
program's roadmap spans 2026–2028); pass the program's own horizon when it has one."""

_ZERO = 1e-9


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
    network: SupplyNetwork, *, horizon_weeks: float = DEFAULT_HORIZON_WEEKS
) -> dict[str, NodeExposure]:
    """Every node disrupted alone for its own TTR (module docstring for the LPs)."""
    if horizon_weeks <= 0:
        raise InputError(
            f"horizon {horizon_weeks:g} weeks", where="horizon", fix="give a positive horizon"
        )
    tts: dict[str, float] = {}
    impact: dict[str, tuple[float, float]] = {}
    for node in network.nodes:
        tts[node.id] = time_to_survive(network, node.id, horizon_weeks=horizon_weeks)
        if node.ttr_weeks is not None:
            impact[node.id] = performance_impact(network, node.id, node.ttr_weeks)
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
