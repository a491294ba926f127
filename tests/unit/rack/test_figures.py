"""A design's figures from any parts list: energy balance, flows that scale, honest sums."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.rack import (
    REDUNDANCIES,
    DesignAssumptions,
    PartLine,
    RackDesign,
    Supply,
    compose,
    plan_supply,
    tally,
)

lines = st.builds(
    PartLine,
    role=st.just("part"),
    part=st.sampled_from(["tray", "switch", "nic", "shelf"]),
    quantity=st.integers(min_value=1, max_value=20),
    power_w=st.none() | st.floats(min_value=0.0, max_value=10_000.0),
    weight_kg=st.none() | st.floats(min_value=0.0, max_value=100.0),
    units=st.none() | st.integers(min_value=0, max_value=2),
    liquid_fraction=st.floats(min_value=0.0, max_value=1.0),
)
server_supply = st.builds(
    Supply,
    psu=st.just("server PSU"),
    psu_kw=st.just(3.3),
    efficiency=st.floats(min_value=0.8, max_value=1.0),
    efficiency_source=st.just("test"),
    spare_psus=st.integers(min_value=0, max_value=2),
)
shelf_supply = st.builds(
    Supply,
    psu=st.just("shelf PSU"),
    psu_kw=st.just(5.5),
    efficiency=st.floats(min_value=0.8, max_value=1.0),
    efficiency_source=st.just("test"),
    redundancy=st.sampled_from(REDUNDANCIES),
    shelf=st.just("33 kW shelf"),
    psus_per_shelf=st.just(6),
    shelf_capacity_kw=st.just(33.0),
    shelf_units=st.just(1),
    busbar_voltage_v=st.just(51.0),
)
supplies = server_supply | shelf_supply


def build(parts: list[PartLine], supply: Supply) -> RackDesign:
    return compose(
        name="test",
        title="test rack",
        kind="rack",
        frame="test frame",
        frame_units=600,
        lines=parts,
        supply=supply,
        assumptions=DesignAssumptions(),
    )


@given(st.lists(lines, max_size=12), supplies)
def test_any_design_gives_out_as_heat_exactly_what_it_takes_in(
    parts: list[PartLine], supply: Supply
) -> None:
    d = build(parts, supply)
    assert d.liquid_heat_kw + d.air_heat_kw == pytest.approx(d.input_power_kw, abs=1e-9)
    assert d.input_power_kw == pytest.approx(d.it_power_kw + d.psu_loss_kw, abs=1e-9)
    assert d.psu_loss_kw == pytest.approx(d.it_power_kw * (1 / supply.efficiency - 1), abs=1e-9)


@given(st.lists(lines, min_size=1, max_size=12), supplies, st.floats(0.1, 10.0))
def test_coolant_flow_and_airflow_scale_with_the_load(
    parts: list[PartLine], supply: Supply, k: float
) -> None:
    scaled = [replace(p, power_w=None if p.power_w is None else k * p.power_w) for p in parts]
    base, heavier = build(parts, supply), build(scaled, supply)
    assert heavier.it_power_kw == pytest.approx(k * base.it_power_kw, rel=1e-9, abs=1e-12)
    assert heavier.coolant_flow_l_min == pytest.approx(
        k * base.coolant_flow_l_min, rel=1e-9, abs=1e-9
    )
    assert heavier.airflow_cfm == pytest.approx(k * base.airflow_cfm, rel=1e-9, abs=1e-9)


def test_a_figure_a_part_lacks_makes_the_sum_a_lower_bound_that_names_the_part() -> None:
    parts = [
        PartLine("tray", "compute tray", 18, power_w=6667.0),
        PartLine("switch", "switch tray", 9, power_w=None),
    ]
    power = tally(parts, "power_w")
    assert power.total == 18 * 6667.0
    assert power.missing == ("switch tray",) and not power.complete


def test_a_sum_of_only_included_zeros_says_nothing_rather_than_zero() -> None:
    parts = [
        PartLine("server", "chassis", 1, weight_kg=None),
        PartLine("accelerator", "GPU", 8, weight_kg=0.0),  # its weight is the chassis'
    ]
    assert tally(parts, "weight_kg").total is None
    assert tally([PartLine("spine", "copper spine", 1, power_w=0.0)], "power_w").total == 0.0


def test_a_server_keeps_its_published_spares_beyond_the_psus_its_load_needs() -> None:
    dgx = Supply(psu="DGX 3.3 kW", psu_kw=3.3, efficiency=0.965, efficiency_source="", spare_psus=2)
    # 10.2 kW needs 4 PSUs of 3.3 kW (3.09 → 4); with 2 spares, the DGX H100's 6.
    assert plan_supply(10.2, dgx)[:2] == (0, 6)
    assert dgx.redundancy_label == "N+2"


def test_rack_shelves_at_n_plus_n_come_in_pairs_each_side_carrying_the_load() -> None:
    shelves = Supply(
        psu="5.5 kW",
        psu_kw=5.5,
        efficiency=0.965,
        efficiency_source="",
        redundancy="N+N",
        shelf="33 kW",
        psus_per_shelf=6,
        shelf_capacity_kw=33.0,
    )
    assert plan_supply(120.0, shelves)[:2] == (8, 48)
    assert plan_supply(132.1, shelves)[:2] == (10, 60)


def test_the_liquid_share_weighs_each_line_by_its_power() -> None:
    parts = [
        PartLine("tray", "tray", 1, power_w=900.0, liquid_fraction=1.0),
        PartLine("switch", "switch", 1, power_w=100.0, liquid_fraction=0.0),
        PartLine("switch", "unknown", 1, power_w=None, liquid_fraction=1.0),
    ]
    d = build(parts, Supply(psu="p", psu_kw=3.3, efficiency=1.0, efficiency_source=""))
    assert d.liquid_fraction == pytest.approx(0.9)
    assert d.liquid_heat_kw == pytest.approx(0.9) and d.air_heat_kw == pytest.approx(0.1)


def test_parts_of_unknown_height_are_left_out_of_the_elevation_and_named() -> None:
    parts = [
        PartLine("tray", "tray", 2, power_w=1.0, units=1),
        PartLine("switch", "mystery switch", 1, power_w=1.0, units=None),
    ]
    d = build(parts, Supply(psu="p", psu_kw=3.3, efficiency=1.0, efficiency_source=""))
    assert d.ru_used == 2 and not d.ru_complete
    assert d.missing["ru"] == ("mystery switch",)
