"""Remedies of critical nodes: buffer, second source, contract TTR (`rackforge.supply.remedies`).

Each expected figure is worked by hand in the comment beside it; then each remedy, applied to
the network, must lift the node's TTS to its TTR (the LP's own check of the figures).
"""

from __future__ import annotations

from typing import Any

import pytest

from rackforge.errors import InputError
from rackforge.supply import SupplyNetwork, exposure, time_to_survive
from rackforge.supply.instances import generate_network
from rackforge.supply.remedies import remedies


def chain(
    *,
    a_inventory: float = 30.0,
    a_ttr: float = 10.0,
    r_capacity: float = 30.0,
    extra: dict[str, Any] | None = None,
) -> SupplyNetwork:
    """R → A → P, with B a second source of A's part c (4 a week, nothing held).

    P: rack line, 10 racks a week, 20 racks built. A: 1 c per rack, 12 a week, 30 held,
    TTR 10. R: 2 r per c, 30 a week, 40 held, TTR 14. B: c, 4 a week, TTR 20.
    """
    nodes: list[dict[str, Any]] = [
        {"id": "P", "kind": "product", "inventory": 20, "demand_per_week": 10},
        {"id": "A", "kind": "supplier", "capacity_per_week": 12, "inventory": a_inventory,
         "ttr_weeks": a_ttr},
        {"id": "R", "kind": "supplier", "capacity_per_week": r_capacity, "inventory": 40,
         "ttr_weeks": 14},
        {"id": "B", "kind": "supplier", "capacity_per_week": 4, "ttr_weeks": 20},
    ]  # fmt: skip
    edges: list[dict[str, Any]] = [
        {"from": "A", "to": "P", "material": "c"},
        {"from": "B", "to": "P", "material": "c"},
        {"from": "R", "to": "A", "material": "r", "units_per_unit": 2},
    ]
    if extra is not None:
        nodes.append(extra)
        edges.append({"from": extra["id"], "to": "P", "material": "c"})
    return SupplyNetwork.model_validate({"nodes": nodes, "edges": edges})


def test_the_chains_critical_nodes_are_a_and_r() -> None:
    e = exposure(chain())
    # A down: P needs 10t − 20 parts c; A's 30 held + B's 4t cover them until t = 50/6
    assert e["A"].tts_weeks == pytest.approx(50 / 6) and e["A"].critical
    # R down: A makes at most 40 / 2 = 20 c from R's stock: 10t − 20 = 30 + 20 + 4t → 70/6
    assert e["R"].tts_weeks == pytest.approx(70 / 6) and e["R"].critical
    # B down: A (12 a week, fed by R's 30 r a week = 15 c) outruns demand: never short
    assert e["B"].critical is False
    assert set(remedies(chain(), e)) == {"A", "R"}


def test_a_buffer_of_the_nodes_output_lifts_tts_to_ttr() -> None:
    fix = remedies(chain(), exposure(chain()))
    # A down for 10 weeks: P makes 100 − 20 = 80 racks, needing 80 c; B makes 40, A holds 30:
    # 10 more c held at A (or at P), on top of A's 30. P makes 80 / 10 = 8 racks a week,
    # taking 8 c a week: 10 / 8 = 1.25 weeks of use
    a = fix["A"].buffer
    assert a.units == pytest.approx(10.0) and a.inventory_units == 30.0
    assert a.use_per_week == pytest.approx(8.0) and a.weeks_of_cover == pytest.approx(1.25)
    # R down for 14 weeks: P makes 140 − 20 = 120; B 56 and A's 30 leave A to make 34 c,
    # 68 r; R holds 40: 28 more r. A makes 34 / 14 c a week, 68 / 14 r: 28 / (68/14) weeks
    r = fix["R"].buffer
    assert r.units == pytest.approx(28.0)
    assert r.weeks_of_cover == pytest.approx(28 / (68 / 14))
    # applied: the node's TTS reaches its TTR
    assert time_to_survive(chain(a_inventory=40.0), "A") == pytest.approx(10.0)


def test_a_second_source_needs_what_the_alternatives_cannot_spare() -> None:
    fix = remedies(chain(), exposure(chain()))
    a = fix["A"].second_source
    # the same 10 c short over 10 weeks: 1 c a week beyond B's 4
    assert a.alternatives == {"c": ("B",)} and a.sole_source_of == ()
    assert a.customers == ("P",) and a.capacity_per_week == pytest.approx(1.0)
    # R: 28 r short over 14 weeks, 2 a week, and no one else makes r
    r = fix["R"].second_source
    assert r.alternatives == {"r": ()} and r.sole_source_of == ("r",)
    assert r.capacity_per_week == pytest.approx(2.0)
    # applied: a source C of c at 1 a week lifts A's TTS to its 10-week TTR
    with_c = chain(extra={"id": "C", "kind": "supplier", "capacity_per_week": 1.0})
    assert time_to_survive(with_c, "A") == pytest.approx(10.0)


def test_a_contract_ttr_must_fall_to_the_tts() -> None:
    fix = remedies(chain(), exposure(chain()))
    c = fix["A"].contract
    assert c.ttr_weeks == pytest.approx(50 / 6) and c.cut_weeks == pytest.approx(10 - 50 / 6)
    assert c.achievable
    assert exposure(chain(a_ttr=50 / 6))["A"].critical is False
    assert "buffer 10 units" in fix["A"].summary and "B short" in fix["A"].summary


def test_a_network_short_with_every_node_up_says_no_local_remedy_helps() -> None:
    # R at 10 r a week feeds A 5 c a week: with everything up, 10t − 20 ≤ 30 + 40/2 + 5t + 4t
    # holds until t = 70, short of A's TTR of 100: nothing done at A alone reaches 100 weeks
    short = chain(a_ttr=100.0, r_capacity=10.0)
    fix = remedies(short, exposure(short))
    assert fix["A"].network_weeks == pytest.approx(70.0) and fix["A"].note is not None
    assert fix["A"].buffer.units is None and fix["A"].second_source.capacity_per_week is None
    assert fix["A"].contract.achievable


def test_a_sole_source_with_nothing_held_needs_its_whole_use_and_no_contract_helps() -> None:
    net = SupplyNetwork.model_validate(
        {
            "nodes": [
                {"id": "P", "kind": "product", "demand_per_week": 5},
                {"id": "S", "kind": "supplier", "capacity_per_week": 40, "ttr_weeks": 6},
            ],
            "edges": [{"from": "S", "to": "P", "material": "gpu", "units_per_unit": 4}],
        }
    )
    fix = remedies(net, exposure(net))["S"]
    # 5 racks a week × 4 GPUs × 6 weeks = 120 GPUs, 6 weeks of use; a second source 20 a week
    assert fix.buffer.units == pytest.approx(120.0) and fix.buffer.weeks_of_cover == 6.0
    assert fix.second_source.capacity_per_week == pytest.approx(20.0)
    assert fix.contract.achievable is False and fix.tts_weeks == 0.0


def test_every_buffer_on_a_generated_network_lifts_its_node_to_its_ttr() -> None:
    net = generate_network(60, seed=3)
    e = exposure(net)
    fix = remedies(net, e)
    assert fix, "the generated network has critical nodes"
    for node_id, remedy in list(fix.items())[:8]:
        if remedy.buffer.units is None:
            continue
        held = remedy.buffer.inventory_units + remedy.buffer.units
        data = net.model_dump(by_alias=True)
        for node in data["nodes"]:
            if node["id"] == node_id:
                node["inventory"] = held * (1 + 1e-7)
        lifted = time_to_survive(SupplyNetwork.model_validate(data), node_id)
        assert lifted >= remedy.target_weeks * (1 - 1e-6), node_id


def test_unknown_or_ttr_less_nodes_are_refused_with_the_fix() -> None:
    e = exposure(chain())
    with pytest.raises(InputError, match="no node 'Z'"):
        remedies(chain(), e, nodes=["Z"])
    with pytest.raises(InputError, match="has no ttr_weeks"):
        remedies(chain(), e, nodes=["P"])
