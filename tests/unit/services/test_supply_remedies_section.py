"""The plan report's table of critical nodes and what would fix each (services/supply_stage)."""

from __future__ import annotations

from rackforge.services.supply_stage import SupplyPlanResult, _remedies_table
from rackforge.supply import SupplyNetwork, exposure
from rackforge.supply.remedies import remedies

# P: 10 racks a week, 20 built; A (sole source of c, 30 held, TTR 10) and B (part d: 6 a week,
# d needed 1 a rack but B holds 100, TTR 4: never critical)
NETWORK = SupplyNetwork.model_validate(
    {
        "nodes": [
            {"id": "P", "kind": "product", "inventory": 20, "demand_per_week": 10},
            {"id": "acme/RF-C-1", "kind": "supplier", "capacity_per_week": 12, "inventory": 30,
             "ttr_weeks": 10},
            {"id": "bolt/RF-D-1", "kind": "supplier", "capacity_per_week": 12, "inventory": 100,
             "ttr_weeks": 4},
        ],
        "edges": [
            {"from": "acme/RF-C-1", "to": "P", "material": "RF-C-1"},
            {"from": "bolt/RF-D-1", "to": "P", "material": "RF-D-1"},
        ],
    }
)  # fmt: skip


def test_the_report_lists_each_critical_node_with_its_remedies_in_words() -> None:
    nodes = exposure(NETWORK)
    result = SupplyPlanResult(
        notes=(),
        exposure=nodes,
        remedies=remedies(NETWORK, nodes),
        part_names={"RF-C-1": "compute tray"},
    )
    table = _remedies_table(result)
    # acme down: 20 racks built + 30 trays held cover 10t until t = 5; over its 10-week TTR
    # P makes 80, so 50 more trays held, 6.25 weeks of P's 8 a week; or a second source of 5
    # a week; bolt survives (100 held for 10 a week: 12 weeks > 4)
    assert [row[0] for row in table.rows] == ["acme/RF-C-1"]
    (row,) = table.rows
    assert row[1] == "compute tray" and row[2] == 5.0 and row[3] == 10.0
    assert row[4] == 50 and row[5] == 6.2
    assert row[6] == "none: qualify one ≥ 5.0 units/week"
    assert row[7] == "≤ 5.0 weeks (5.0 shorter)"
