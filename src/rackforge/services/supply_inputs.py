"""A program's supply inputs: the racks' part demand, the sourcing problem and the network.

From the rack stage's fleets (design, racks, family) and each design's BOM, with the family's
need-by date (release date minus training days: the racks must stand before training starts):

- demand: `supply.demand.explode`, part numbers as in the BOM (`RF-<CODE>-<HASH>`), which is how
  offers.csv names parts;
- the sourcing problem: the pool's offers (`services.supply_pool.sourcing_offers`), critical
  parts (below) and the rules (`SUPPLY_RULES`);
- the supply network for exposure and disruption runs: one product node per rack design (its
  racks spread over the build weeks), one node per offer (a supplier making a part; its
  capacity, its supplier's TTR, region and owner) shipping that part to the designs using it at
  their per-rack quantity, and one node per sub-supplier without offers. A sub-supplier link of
  the pool is a one-for-one dependency: every node of the parent takes one unit of the child's
  output per unit it makes (the pool does not say how much flows; with no stated capacity, the
  child binds only when it is disrupted). An offer node's `inventory` is the offer's
  `inventory_units`: finished units of its part the supplier holds for the program, which it
  ships while it makes nothing. That stock is in the offer node's output, so it also covers the
  one-for-one link to a parent supplier (the link takes any unit the child makes). A
  sub-supplier node without offers (`<id>/*`) holds none: the pool records stock per offered
  part, and that node's output is no offered part, so none is assumed (a conservative time to
  survive).

Critical parts (need `min_suppliers_critical` qualified sources): the BOM lines that are not
single-source by the catalog — a part a second maker can supply — and that cost or weigh on the
rack's build: every level-1 assembly and level-2 module. Single-source parts (NVIDIA's GPUs,
NICs, switches) cannot be dual-sourced; their risk shows in the exposure instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rackforge.rack.bom import BillOfMaterials, build_bom, flatten
from rackforge.roadmap import Roadmap
from rackforge.services.rack_stage import RackFleet
from rackforge.services.supply_pool import sourcing_offers
from rackforge.supply.demand import BUILD_WEEKS, FleetNeed, PartDemand, explode
from rackforge.supply.network import SupplyEdge, SupplyNetwork, SupplyNode
from rackforge.supply.pool import Supplier, SupplierPool
from rackforge.supply.sourcing import SourcingProblem, SourcingRules

SUPPLY_RULES = SourcingRules(
    max_supplier_share=0.8,
    max_region_share={"TW": 0.5, "CN": 0.0},
    min_suppliers_critical=2,
    risk_weight=0.05,
)
"""The example program's defaults, RackForge's planning conventions until a program sets its
own: no supplier above 80 % of a part (a second source kept warm), at most half of any part
from Taiwan and none from China (geographic concentration; a trade-compliance stance), two
qualified sources for critical parts, and 5 % of spend per unit of supplier risk weight added
to the objective (a risk premium, not a cost)."""


@dataclass(frozen=True, slots=True)
class SupplyInputs:
    """What the supply stage solves: demand, the sourcing problem, the network and the BOMs."""

    fleets: tuple[FleetNeed, ...]
    demand: PartDemand
    problem: SourcingProblem
    network: SupplyNetwork | None
    boms: tuple[BillOfMaterials, ...]
    part_names: dict[str, str]
    uncovered: tuple[str, ...]


def need_by(roadmap: Roadmap, family_id: str) -> date:
    """The day a family's racks must stand: its release date minus its training days."""
    family = roadmap.family(family_id)
    assert family is not None  # racks.yaml families are checked against the roadmap on load
    return family.release_date - timedelta(days=family.target_training_days)


def supply_inputs(
    fleets: Sequence[RackFleet],
    roadmap: Roadmap,
    pool: SupplierPool,
    *,
    rules: SourcingRules = SUPPLY_RULES,
    build_weeks: int = BUILD_WEEKS,
    start: date | None = None,
) -> SupplyInputs:
    """The program's supply inputs (module docstring); fleets of unknown size are left out."""
    sized = [f for f in fleets if f.racks]
    boms = tuple(build_bom(f.rack) for f in sized)
    per_rack: dict[str, dict[str, float]] = {}
    names: dict[str, str] = {}
    critical: set[str] = set()
    for fleet, bom in zip(sized, boms, strict=True):
        parts: dict[str, float] = defaultdict(float)
        for line in flatten(bom):
            if line.level == 0:
                continue
            parts[line.part_number] += line.extended_quantity
            names[line.part_number] = line.description
            if line.level <= 2 and line.single_source is not True:
                critical.add(line.part_number)
        per_rack[fleet.design] = dict(parts)
    needs = tuple(FleetNeed(f.design, f.racks or 0, need_by(roadmap, f.family)) for f in sized)
    demand = explode(needs, per_rack, build_weeks=build_weeks, start=start)
    offers = sourcing_offers(pool)
    offered = {o.part for o in offers}
    problem = SourcingProblem(
        demand=demand.demand,
        offers=offers,
        period_years=demand.period_years,
        critical_parts=frozenset(critical & offered),
        rules=rules,
    )
    uncovered = tuple(sorted(p for p in demand.totals if p not in offered))
    network = _network(sized, per_rack, pool, build_weeks) if sized else None
    return SupplyInputs(needs, demand, problem, network, boms, names, uncovered)


def _network(
    fleets: Sequence[RackFleet],
    per_rack: dict[str, dict[str, float]],
    pool: SupplierPool,
    build_weeks: int,
) -> SupplyNetwork:
    nodes = [
        SupplyNode(
            id=f.design.replace("@", "-"),
            kind="product",
            demand_per_week=(f.racks or 0) / build_weeks,
        )
        for f in fleets
    ]
    edges: list[SupplyEdge] = []
    by_supplier: dict[str, list[str]] = defaultdict(list)
    for offer in pool.offers:
        users = [f for f in fleets if offer.part in per_rack[f.design]]
        if not users:
            continue
        supplier = pool.supplier(offer.supplier)
        assert supplier is not None
        node_id = f"{offer.supplier}/{offer.part}"
        nodes.append(
            _supplier_node(
                node_id, supplier, offer.capacity_per_week, inventory=offer.inventory_units
            )
        )
        by_supplier[supplier.id].append(node_id)
        for fleet in users:
            edges.append(
                SupplyEdge(
                    source=node_id,
                    target=fleet.design.replace("@", "-"),
                    material=offer.part,
                    units_per_unit=per_rack[fleet.design][offer.part],
                )
            )
    for parent, child in _reachable_links(pool, set(by_supplier)):
        if child not in by_supplier:
            supplier = pool.supplier(child)
            assert supplier is not None
            node_id = f"{child}/*"
            nodes.append(_supplier_node(node_id, supplier, None))
            by_supplier[child].append(node_id)
        for target in by_supplier[parent]:
            for source in by_supplier[child]:
                edges.append(SupplyEdge(source=source, target=target, material=f"from {child}"))
    return SupplyNetwork(nodes=nodes, edges=edges)


def _supplier_node(
    node_id: str, supplier: Supplier, capacity: float | None, *, inventory: float = 0.0
) -> SupplyNode:
    return SupplyNode(
        id=node_id,
        kind="supplier",
        capacity_per_week=capacity,
        inventory=inventory,
        ttr_weeks=supplier.ttr_weeks,
        region=supplier.site.region_code,
        owner=supplier.id,
    )


def _reachable_links(pool: SupplierPool, roots: set[str]) -> list[tuple[str, str]]:
    """(parent, child) sub-supplier links below the suppliers in `roots`, parents first."""
    links, seen, frontier = [], set(roots), sorted(roots)
    while frontier:
        parent = frontier.pop(0)
        supplier = pool.supplier(parent)
        if supplier is None:
            continue
        for child in supplier.sub_suppliers:
            links.append((parent, child))
            if child not in seen:
                seen.add(child)
                frontier.append(child)
    return links
