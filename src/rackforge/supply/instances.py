"""Synthetic, realistic-looking multi-tier supply networks for tests and benchmarks.

`generate_network(n_nodes, seed=...)` returns a `SupplyNetwork` of four tiers, shaped like a
rack maker's supply base. Same `n_nodes` and `seed`, same network (a pure function of both:
NumPy's PCG64 generator seeded with `seed`, no global state). Every figure below is a
synthetic range chosen to look like the industry, not data; the reasoning is beside each.

Tiers (share of the nodes; what sits there):

- products (2 %, at least 1): rack lines (an NVL72-class rack, a storage rack, …). Demand
  5–60 racks a week per line: a contract manufacturer's integration line ships tens of racks
  a week. Loss weight 1–10 (two decimals): the relative margin of a rack not shipped.
- tier 1 (18 %): assemblers of rack-level parts (compute and switch trays, CDUs, power
  shelves, manifolds, cable cartridges). A rack takes 3–8 of these parts, 1–18 of each
  (an NVL72 rack holds 18 compute trays and 9 switch trays, one CDU).
- tier 2 (35 %): component makers (boards, cold plates, PSUs, connectors, optics). A
  tier-1 part takes 2–6 components, 1–8 of each.
- tier 3 (the rest, ~45 %): materials and commodity inputs (substrates, copper, resins,
  wafers). A component takes 1–4 materials, 0.1–5 units of each (kg, m², wafers per lot).

A node makes one part; a part is made by one node, or by two (a second source). Parts are
shared: a component may go into several assemblies, and the popular ones (connectors,
fasteners) into many, as in a real bill of materials (a part of rank r is picked with weight
1 / r^0.8, a Zipf-like spread); every node has at least one customer.

Second sources: 10 % of tier-1 parts, 20 % of tier-2 and 35 % of tier-3 parts — commodity
materials are the easiest to dual-source, custom assemblies the hardest. Each source of a
dual-sourced part can make 60–120 % of the part's whole demand (a qualified second source
with flexible capacity): when one source is down, the other covers all of it (≥ 100 %) or
part of it, so some disruptions are never felt and some only slowly.

Quantities follow the demand: each node's nominal rate is the products' demand carried down
the bill of materials (split between two sources 50–80 % / the rest). Then:

- capacity = rate × 1.05–1.5 (utilisation 67–95 %, typical of a loaded supply base), or for
  a dual-sourced part the 60–120 % of the part's demand above. 10 % of tier-3 nodes have no
  stated capacity (bought on the spot market: unconstrained).
- inventory, in weeks of the node's rate: products 0–2 (racks are built to order), tier 1
  1–4, tier 2 2–8, tier 3 4–12 (long-lead materials are held as safety stock).
- TTR (time to recover, weeks): products 2–8 (re-qualify an integration line), tier 1 4–16,
  tier 2 8–26, tier 3 12–52 (a fab or a mine: rebuilding or qualifying a new site takes six
  months to a year). 5 % of nodes state none (a supplier that did not answer the survey).

Regions and owners (for correlated disruptions, `rackforge.supply.disruption`) are drawn from
a second generator seeded with (seed, 1), so they leave every other figure as it was: each node
stands in one of `REGIONS`, with weights per tier (products are integrated in the US and Mexico,
components and materials come mostly from Taiwan, Asia and Mexico); its owner is a company
running 1–6 consecutive nodes of a tier ("tier2-co-17"), all in the owner's region.

So the network has critical nodes (single-sourced, their TTR well beyond the weeks of buffer
between them and the rack) and non-critical ones (a second source that covers the whole part,
or a short TTR behind a long buffer), as `exposure` then shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rackforge.supply.network import SupplyEdge, SupplyNetwork, SupplyNode

_TIER_SHARE = (0.02, 0.18, 0.35)  # products, tier 1, tier 2; tier 3 takes the rest
_SECOND_SOURCE = (0.0, 0.10, 0.20, 0.35)  # share of parts with two makers, per tier
_PARTS_PER_CONSUMER = ((3, 8), (2, 6), (1, 4))  # parts a tier-t node takes from tier t+1
_UNITS = ((1.0, 1.0, 1.0, 2.0, 4.0, 8.0, 9.0, 18.0), (1.0, 1.0, 2.0, 4.0, 8.0))
_INVENTORY_WEEKS = ((0.0, 2.0), (1.0, 4.0), (2.0, 8.0), (4.0, 12.0))
_TTR_WEEKS = ((2.0, 8.0), (4.0, 16.0), (8.0, 26.0), (12.0, 52.0))
_SLACK = (1.05, 1.5)
_DUAL_COVER = (0.6, 1.2)
_PRIMARY_SHARE = (0.5, 0.8)
_UNCONSTRAINED_TIER_3 = 0.10
_NO_TTR = 0.05
_DEMAND = (5.0, 60.0)
_LOSS_WEIGHT = (1.0, 10.0)
_PREFIX = ("rack", "asm", "cmp", "mat")
REGIONS = ("US-TX", "US-CA", "US-AZ", "US-NC", "MX", "TW", "KR", "JP", "CN", "MY")
_REGION_WEIGHTS = (  # per tier, over REGIONS
    (0.35, 0.20, 0.10, 0.05, 0.30, 0.0, 0.0, 0.0, 0.0, 0.0),
    (0.15, 0.10, 0.05, 0.05, 0.25, 0.25, 0.05, 0.0, 0.05, 0.05),
    (0.05, 0.05, 0.05, 0.05, 0.15, 0.30, 0.10, 0.05, 0.10, 0.10),
    (0.05, 0.02, 0.05, 0.03, 0.10, 0.25, 0.10, 0.15, 0.15, 0.10),
)
_OWNER_SIZE = (1, 6)
MIN_NODES = 8
"""Smallest network: room for every tier with a part or two."""


@dataclass
class _Part:
    makers: list[int]  # node indices
    demand: float = 0.0  # units a week, summed over its customers


def generate_network(n_nodes: int, *, seed: int = 0) -> SupplyNetwork:
    """A four-tier rack supply network of exactly `n_nodes` nodes (module docstring)."""
    if n_nodes < MIN_NODES:
        raise ValueError(f"n_nodes must be at least {MIN_NODES}, got {n_nodes}")
    rng = np.random.default_rng(seed)
    sizes = _tier_sizes(n_nodes)

    # Parts per tier: group each tier's nodes into parts of one or two makers.
    parts: list[list[_Part]] = []
    first = 0
    for tier, size in enumerate(sizes):
        parts.append(_group(rng, tier, list(range(first, first + size))))
        first += size

    # Bill of materials: each part of tier t (t < 3) takes parts of tier t + 1, every part of
    # tier t + 1 going into at least one; popular parts (low rank) are picked more often.
    bom: list[list[list[tuple[int, float]]]] = []  # bom[t][p]: (part of tier t+1, units)
    for tier in range(3):
        lower = len(parts[tier + 1])
        low, high = _PARTS_PER_CONSUMER[tier]
        popularity = 1.0 / np.arange(1, lower + 1) ** 0.8
        popularity /= popularity.sum()
        uses: list[list[tuple[int, float]]] = []
        for _ in parts[tier]:
            k = min(int(rng.integers(low, high + 1)), lower)
            chosen = rng.choice(lower, size=k, replace=False, p=popularity)
            uses.append([(int(q), _units(rng, tier)) for q in chosen])
        used = {q for row in uses for q, _ in row}
        for q in range(lower):  # every lower part has a customer
            if q not in used:
                uses[int(rng.integers(len(uses)))].append((q, _units(rng, tier)))
        bom.append(uses)

    # Demand carried down the BOM, split between a part's makers.
    for part in parts[0]:
        part.demand = float(rng.uniform(*_DEMAND))
    rate = np.zeros(n_nodes)
    for tier in range(4):
        for p, part in enumerate(parts[tier]):
            shares = _shares(rng, len(part.makers))
            for node, share in zip(part.makers, shares, strict=True):
                rate[node] = part.demand * share
            if tier < 3:
                for q, units in bom[tier][p]:
                    parts[tier + 1][q].demand += part.demand * units

    nodes: list[SupplyNode] = []
    for tier in range(4):
        for part in parts[tier]:
            for node in part.makers:
                nodes.append(_node(rng, tier, node, part, float(rate[node])))
    nodes.sort(key=lambda n: _index(n.id))
    nodes = _place(nodes, sizes, seed)
    edges = [
        SupplyEdge(
            source=_name(tier + 1, maker),
            target=_name(tier, consumer),
            material=f"{_PREFIX[tier + 1]}-part-{q}",
            units_per_unit=units,
        )
        for tier in range(3)
        for p, part in enumerate(parts[tier])
        for consumer in part.makers
        for q, units in bom[tier][p]
        for maker in parts[tier + 1][q].makers
    ]
    return SupplyNetwork(nodes=nodes, edges=edges)


def _place(nodes: list[SupplyNode], sizes: tuple[int, ...], seed: int) -> list[SupplyNode]:
    """Each node's region and owner, from a generator of their own (module docstring)."""
    rng = np.random.default_rng([seed, 1])
    placed: list[SupplyNode] = []
    first = 0
    for tier, size in enumerate(sizes):
        weights = np.asarray(_REGION_WEIGHTS[tier])
        i, company = first, 0
        while i < first + size:
            run = int(rng.integers(_OWNER_SIZE[0], _OWNER_SIZE[1] + 1))
            region = REGIONS[int(rng.choice(len(REGIONS), p=weights / weights.sum()))]
            owner = f"tier{tier}-co-{company}"
            for node in nodes[i : min(i + run, first + size)]:
                placed.append(node.model_copy(update={"region": region, "owner": owner}))
            i += run
            company += 1
        first += size
    return placed


def _tier_sizes(n_nodes: int) -> tuple[int, int, int, int]:
    products = max(1, round(n_nodes * _TIER_SHARE[0]))
    tier1 = max(2, round(n_nodes * _TIER_SHARE[1]))
    tier2 = max(2, round(n_nodes * _TIER_SHARE[2]))
    return products, tier1, tier2, n_nodes - products - tier1 - tier2


def _group(rng: np.random.Generator, tier: int, members: list[int]) -> list[_Part]:
    """Consecutive nodes into parts: a second source with the tier's probability."""
    result: list[_Part] = []
    i = 0
    while i < len(members):
        two = i + 1 < len(members) and rng.random() < _SECOND_SOURCE[tier]
        result.append(_Part(members[i : i + (2 if two else 1)]))
        i += 2 if two else 1
    return result


def _shares(rng: np.random.Generator, makers: int) -> list[float]:
    if makers == 1:
        return [1.0]
    primary = float(rng.uniform(*_PRIMARY_SHARE))
    return [primary, 1.0 - primary]


def _units(rng: np.random.Generator, tier: int) -> float:
    if tier < 2:
        return float(rng.choice(_UNITS[tier]))
    return round(float(rng.uniform(0.1, 5.0)), 2)


def _node(rng: np.random.Generator, tier: int, index: int, part: _Part, rate: float) -> SupplyNode:
    if len(part.makers) > 1:
        capacity: float | None = part.demand * float(rng.uniform(*_DUAL_COVER))
    else:
        capacity = rate * float(rng.uniform(*_SLACK))
    if tier == 3 and rng.random() < _UNCONSTRAINED_TIER_3:
        capacity = None
    ttr = None if rng.random() < _NO_TTR else round(float(rng.uniform(*_TTR_WEEKS[tier])), 1)
    product = tier == 0
    return SupplyNode(
        id=_name(tier, index),
        kind="product" if product else "supplier",
        capacity_per_week=None if capacity is None else round(capacity, 3),
        inventory=round(rate * float(rng.uniform(*_INVENTORY_WEEKS[tier])), 3),
        demand_per_week=round(part.demand, 3) if product else 0.0,
        loss_weight=round(float(rng.uniform(*_LOSS_WEIGHT)), 2) if product else 1.0,
        ttr_weeks=ttr,
    )


def _name(tier: int, index: int) -> str:
    return f"{_PREFIX[tier]}-{index}"


def _index(node_id: str) -> int:
    return int(node_id.rsplit("-", 1)[1])
