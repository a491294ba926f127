"""Shelf rating, battery backup, in-rack CDUs, leaf ports and copper reach (issue 3 rules)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackforge.catalog import accelerators, rack_components, reference_system, rule_set, rule_sets
from rackforge.catalog.rule_catalog import parse_rule_sets
from rackforge.errors import InputError, UnknownNameError
from rackforge.rack.design import RackOptions, design_reference_system
from rackforge.rack.figures import RackDesign
from rackforge.rack.power import REDUNDANCIES, Redundancy, plan_power_shelves
from rackforge.rack.rules import check_design
from rackforge.rack.variant import DesignChanges, design_variant

COMPONENTS = rack_components()


def design(
    system: str, changes: DesignChanges | None = None, *, name: str | None = None
) -> RackDesign:
    return design_variant(
        reference_system(system),
        changes or DesignChanges(),
        COMPONENTS,
        accelerators(),
        name=name or system,
        title=system,
    )


# --- power shelf rating --------------------------------------------------------------------


def test_a_pinned_shelf_count_too_small_is_refused_with_add_a_power_shelf() -> None:
    # 120 kW on 4 N+N shelves: one feed lost leaves 2 shelves carrying 60 kW each, 33 kW rated.
    d = design("gb200-nvl72", DesignChanges(power_shelves=4))
    assert d.power_shelves == 4
    assert d.shelf_load_kw == pytest.approx(d.it_power_kw / 2)
    assert d.shelf_rating_kw == pytest.approx(33.0)
    result = check_design(d, rule_set("power-shelf-rating"), COMPONENTS)
    assert not result.passed
    (violation,) = result.violations
    assert violation.rule_id == "shelf-rating"
    assert violation.fix.startswith("add 4 power shelves")
    assert "rack_components.yaml" in violation.source


def test_the_catalog_shelf_count_passes_the_shelf_rating() -> None:
    d = design("gb200-nvl72")
    assert d.shelf_load_kw is not None and d.shelf_rating_kw is not None
    assert d.shelf_load_kw <= d.shelf_rating_kw
    assert check_design(d, rule_set("power-shelf-rating"), COMPONENTS).passed


def test_n_plus_n_refuses_an_odd_shelf_count_naming_the_key() -> None:
    with pytest.raises(InputError) as caught:
        design("gb200-nvl72", DesignChanges(power_shelves=5))
    assert caught.value.where == "power_shelves"


def test_a_server_has_no_shelf_rating_to_check() -> None:
    d = design_reference_system(reference_system("dgx-b200"), COMPONENTS, accelerators())
    assert d.shelf_load_kw is None
    result = check_design(d, rule_set("power-shelf-rating"), COMPONENTS)
    assert result.passed
    assert any("no rack power shelves" in u for u in result.unchecked)


@given(
    load=st.floats(min_value=0.5, max_value=400.0),
    shelves=st.integers(min_value=1, max_value=16),
    redundancy=st.sampled_from(REDUNDANCIES),
)
@settings(max_examples=200, deadline=None)
def test_each_shelf_is_within_rating_exactly_when_the_redundancy_is_met(
    load: float, shelves: int, redundancy: Redundancy
) -> None:
    plan = plan_power_shelves(
        load,
        psu_kw=5.5,
        psus_per_shelf=6,
        shelf_capacity_kw=33.0,
        redundancy=redundancy,
        shelves_available=shelves,
    )
    if plan.shelf_load_kw is None or plan.shelf_rating_kw is None:
        assert plan.carrying_shelves == 0 and not plan.redundancy_met
        return
    within = plan.shelf_load_kw <= plan.shelf_rating_kw * (1 + 1e-9)
    assert within == (plan.capacity_kw >= load * (1 - 1e-9))
    assert plan.shelves_short == max(0, plan.shelves_needed - plan.shelves)


# --- battery backup and CDUs ---------------------------------------------------------------


def test_battery_backup_adds_hpr_bbu_shelves_sized_on_the_it_power() -> None:
    d = design("gb200-nvl72", DesignChanges(battery_backup=True))
    shelf = COMPONENTS.bbu_shelves["ORv3 HPR BBU shelf 33 kW"]
    assert d.bbu_shelves == math.ceil(d.it_power_kw / shelf.capacity_kw) == 4
    assert d.backup_s == shelf.holdup_s == 90
    (line,) = [p for p in d.parts if p.role == "battery backup shelf"]
    assert (line.part, line.quantity) == (shelf.name, 4)
    assert line.units == shelf.ru == 2
    assert d.ru_used == design("gb200-nvl72").ru_used + 4 * 2


def test_no_battery_backup_unless_asked() -> None:
    d = design("gb200-nvl72")
    assert d.bbu_shelves == 0 and d.backup_s is None
    assert not [p for p in d.parts if p.role == "battery backup shelf"]


@pytest.mark.parametrize(
    ("cdu", "expected"),
    [
        # 250 kW of capacity for ~101 kW of cold-plate heat: one unit
        ("Supermicro in-rack CDU 250 kW", 1),
        # 100 kW and 150 L/min each: the heat needs 2, and so does the flow
        ("OCP RPU in-rack CDU 100 kW", 2),
    ],
)
def test_in_rack_cdus_are_sized_on_the_liquid_heat_and_flow(cdu: str, expected: int) -> None:
    d = design("gb200-nvl72", DesignChanges(cdu=cdu))
    entry = COMPONENTS.cdus[cdu]
    by_heat = math.ceil(d.liquid_heat_kw / entry.capacity_kw)
    by_flow = math.ceil(d.coolant_flow_l_min / entry.flow_l_min) if entry.flow_l_min else 0
    assert d.cdus == max(by_heat, by_flow) == expected
    (line,) = [p for p in d.parts if p.role == "CDU"]
    assert line.quantity == expected
    # the CDU's pump power is not published: the design's power says it is a lower bound
    assert entry.name in d.missing["power"] and not d.power_complete


def test_an_unknown_cdu_is_refused_at_its_key() -> None:
    with pytest.raises(UnknownNameError) as caught:
        design("gb200-nvl72", DesignChanges(cdu="ghost CDU"))
    assert caught.value.where == "cdu"


def test_a_server_refuses_rack_options() -> None:
    with pytest.raises(InputError) as caught:
        design_reference_system(
            reference_system("dgx-h100"),
            COMPONENTS,
            accelerators(),
            options=RackOptions(battery_backup=True),
        )
    assert caught.value.where == "battery_backup"


# --- scale-out ports and leaves ------------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "ports", "gbps"),
    [
        ("dgx-h100", 8, 400),  # 8 single-port ConnectX-7; the 2 dual-port cards are storage
        ("dgx-b200", 8, 400),  # BlueField-3 DPUs are storage/management
        ("gb200-nvl72", 72, 400),  # 18 trays × 4 ConnectX-7
        ("gb300-nvl72", 72, 800),  # 18 trays × 4 ConnectX-8
    ],
)
def test_scale_out_ports_count_the_compute_fabric_nics(system: str, ports: int, gbps: int) -> None:
    d = design(system)
    assert (d.scale_out_ports, d.scale_out_port_gbps) == (ports, gbps)


def test_a_rack_of_servers_counts_every_servers_ports() -> None:
    assert design("dgx-b200", DesignChanges(servers_per_rack=4)).scale_out_ports == 32


@pytest.mark.parametrize(
    ("system", "rules", "limit", "passed"),
    [
        # SN5600: 64 × 800G = 128 × 400G; non-blocking leaves half to servers: 64 < 72
        ("gb200-nvl72", "tor-leaf-sn5600", 64, False),
        # at 800 Gb/s the same leaf serves 32
        ("gb300-nvl72", "tor-leaf-sn5600", 32, False),
        # Q3400: 144 × 800G → 288 × 400G, half: 144 ≥ 72
        ("gb200-nvl72", "tor-leaf-q3400", 144, True),
        ("gb300-nvl72", "tor-leaf-q3400", 72, True),
        ("dgx-b200", "tor-leaf-sn5600", 64, True),
    ],
)
def test_leaf_downlinks_follow_ports_speed_and_oversubscription(
    system: str, rules: str, limit: int, passed: bool
) -> None:
    result = check_design(design(system), rule_set(rules), COMPONENTS)
    assert result.passed is passed
    if not passed:
        (violation,) = result.violations
        assert violation.limit == limit
        needed = math.ceil(72 / limit)
        assert f"need {needed} leaf switches of {limit} server ports" in violation.fix


def test_an_oversubscribed_leaf_offers_more_server_ports() -> None:
    text = """
version: "1"
rule_sets:
  - name: leaf-3to1
    title: SN5600 at 3:1
    scope: network
    rules:
      - {id: leaf, quantity: scale_out_ports, limit_from: leaf_downlinks, leaf: SN5600,
         oversubscription: 3, unit: ports, source: test, fix: "{needed} leaves"}
"""
    (rules,) = parse_rule_sets(text, file="t.yaml").entries()
    result = check_design(design("gb200-nvl72"), rules, COMPONENTS)
    # ⌊128 × 3/4⌋ = 96 server ports ≥ 72
    assert result.passed
    assert not result.unchecked


# --- copper reach ----------------------------------------------------------------------------


def test_nvl72_copper_run_spans_its_trays_around_the_mid_rack_switches() -> None:
    d = design("gb200-nvl72")
    frame = COMPONENTS.frames[d.frame]
    placed = d.elevation.placements
    trays = [p.position for p in placed if p.name.startswith("GB200 compute tray")]
    switches = [p.position for p in placed if p.name.startswith("NVLink switch tray")]
    span = max(abs(t - s) for t in trays for s in switches)
    assert d.scale_up_copper_m == pytest.approx(span * frame.unit_height_mm / 1000)
    assert check_design(d, rule_set("scale-up-copper"), COMPONENTS).passed


def test_a_run_past_the_copper_reach_is_refused_and_said_to_be_a_lower_bound() -> None:
    text = """
version: "1"
rule_sets:
  - name: short-copper
    title: 0.5 m copper
    scope: network
    rules:
      - {id: reach, quantity: scale_up_copper_m, limit: 0.5, unit: m, source: test,
         fix: "use optics ({excess} m too long)"}
"""
    (rules,) = parse_rule_sets(text, file="t.yaml").entries()
    result = check_design(design("gb200-nvl72"), rules, COMPONENTS)
    (violation,) = result.violations
    assert "lower bound" in violation.message
    assert violation.fix.startswith("use optics")


def test_a_server_has_no_cabled_scale_up_run() -> None:
    assert design("dgx-h100").scale_up_copper_m is None


def test_every_leaf_a_rule_names_is_a_catalog_fabric_switch() -> None:
    leaves = [r.leaf for s in rule_sets() for r in s.rules if r.leaf is not None]
    assert leaves
    for leaf in leaves:
        assert COMPONENTS.switches[leaf].kind in ("ethernet", "infiniband")
