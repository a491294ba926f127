"""Stock on hand in the pool reaches the derived supply network (services/supply_inputs):
an offer's `inventory_units` is its node's inventory, and it lifts that node's time to survive
(and a sub-supplier's whose only customer holds stock)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rackforge.formats.program import load_program
from rackforge.rack.bom import build_bom, roll_up
from rackforge.roadmap import Roadmap
from rackforge.services.rack_program import program_lineages
from rackforge.services.rack_stage import RackFleet
from rackforge.services.supply_inputs import supply_inputs
from rackforge.services.supply_pool import load_pool
from rackforge.supply.exposure import time_to_survive
from rackforge.supply.network import SupplyNetwork
from rackforge.supply.pool import SupplierPool

EXAMPLE = Path(__file__).parents[3] / "examples" / "frontier-2027"
RACKS = 32  # per design: within every offer's capacity (the CPU's sole source binds at 48)
HBM_B200 = "saebyeol-memory/RF-HBM-66A89D76"
BATTERY = "blue-ridge-battery/RF-OTHER-2F6705B1"  # its cells: sub-supplier ochang-cells


@pytest.fixture(scope="module")
def fleets_and_roadmap() -> tuple[list[RackFleet], Roadmap]:
    """Each example design's current generation as a fleet of `RACKS` racks."""
    program = load_program(EXAMPLE)
    fleets = []
    for lineage in program_lineages(program):
        current = lineage.current
        fleets.append(
            RackFleet(
                lineage=lineage.line.id,
                design=current.name,
                family=lineage.family.id,
                facility=lineage.line.facility,
                accelerator=current.accelerator,
                accelerators_per_rack=1,
                fleet_accelerators=None,
                fleet_source="a test fleet",
                racks=RACKS,
                fleet_it_power_mw=None,
                power_complete=current.design.power_complete,
                rack=current.design,
                checks=(),
                bom=roll_up(build_bom(current.design)),
                history=(),
            )
        )
    return fleets, program.roadmap


@pytest.fixture(scope="module")
def pool() -> SupplierPool:
    loaded = load_pool(EXAMPLE)
    assert loaded is not None
    return loaded


def network_of(
    pool: SupplierPool, fleets_and_roadmap: tuple[list[RackFleet], Roadmap]
) -> SupplyNetwork:
    fleets, roadmap = fleets_and_roadmap
    network = supply_inputs(fleets, roadmap, pool).network
    assert network is not None
    return network


def without_stock(pool: SupplierPool) -> SupplierPool:
    offers = tuple(o.model_copy(update={"inventory_units": 0}) for o in pool.offers)
    return pool.model_copy(update={"offers": offers})


def direct_use_per_week(network: SupplyNetwork, node_id: str) -> float:
    """Units a week the products draw from `node_id` straight (its BOM part, not a link)."""
    products = {n.id: n.demand_per_week for n in network.nodes if n.kind == "product"}
    return sum(
        e.units_per_unit * products[e.target]
        for e in network.edges
        if e.source == node_id and e.target in products
    )


def test_each_offer_node_holds_its_offers_stock_and_a_sub_supplier_node_none(
    pool: SupplierPool, fleets_and_roadmap: tuple[list[RackFleet], Roadmap]
) -> None:
    network = network_of(pool, fleets_and_roadmap)
    stock = {f"{o.supplier}/{o.part}": float(o.inventory_units) for o in pool.offers}
    held = {n.id: n.inventory for n in network.nodes if n.kind == "supplier"}
    assert {k: v for k, v in held.items() if not k.endswith("/*")} == {
        k: v for k, v in stock.items() if k in held
    }
    assert network.node(HBM_B200).inventory == 11520
    assert all(v == 0 for k, v in held.items() if k.endswith("/*"))


def test_stock_lifts_a_sole_sources_time_to_survive_to_the_weeks_it_covers(
    pool: SupplierPool, fleets_and_roadmap: tuple[list[RackFleet], Roadmap]
) -> None:
    stocked = network_of(pool, fleets_and_roadmap)
    bare = network_of(without_stock(pool), fleets_and_roadmap)
    assert time_to_survive(bare, HBM_B200) == 0.0
    weeks = stocked.node(HBM_B200).inventory / direct_use_per_week(stocked, HBM_B200)
    assert time_to_survive(stocked, HBM_B200) == pytest.approx(weeks, rel=1e-6)


def test_a_customers_stock_carries_its_sub_supplier_through_a_disruption(
    pool: SupplierPool, fleets_and_roadmap: tuple[list[RackFleet], Roadmap]
) -> None:
    # the battery shelves' maker has one sub-supplier (its cells): the shelves it holds ship
    # while the cells do not come, so both nodes survive as long as the stock lasts
    stocked = network_of(pool, fleets_and_roadmap)
    weeks = stocked.node(BATTERY).inventory / direct_use_per_week(stocked, BATTERY)
    assert weeks > 0
    assert time_to_survive(stocked, BATTERY) == pytest.approx(weeks, rel=1e-6)
    assert time_to_survive(stocked, "ochang-cells/*") == pytest.approx(weeks, rel=1e-6)
    assert time_to_survive(network_of(without_stock(pool), fleets_and_roadmap), BATTERY) == 0.0
