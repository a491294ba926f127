"""Acceptance scenarios of issue 3: designs refused by a frame or a hall, with reason and fix."""

from __future__ import annotations

import pytest

from rackforge.catalog import (
    CatalogError,
    accelerators,
    rack_components,
    reference_system,
    rule_set,
)
from rackforge.catalog.rule_catalog import parse_rule_sets
from rackforge.rack import DesignAssumptions, PartLine, RackDesign, Supply, compose
from rackforge.rack.design import design_reference_system
from rackforge.rack.rules import check_design
from rackforge.rack.system_parts import server_parts

COMPONENTS = rack_components()


def _liquid_rack_130kw(frame: str) -> RackDesign:
    """26 cold-plated 5 kW trays on the catalog ORv3 HPR shelves, in `frame` (130 kW)."""
    housing = COMPONENTS.frames[frame]
    shelf = COMPONENTS.power_shelves["ORv3 HPR power shelf 33 kW"]
    psu = COMPONENTS.power_supplies[shelf.psu]
    tray = PartLine(
        role="compute tray",
        part="5 kW tray",
        quantity=26,
        power_w=5000.0,
        units=1,
        liquid_fraction=0.85,
    )
    supply = Supply(
        psu=psu.name, psu_kw=psu.output_kw, efficiency=0.965, efficiency_source="test",
        redundancy="N+N", shelf=shelf.name, psus_per_shelf=shelf.psus,
        shelf_capacity_kw=shelf.capacity_kw, shelf_units=shelf.ru, busbar_voltage_v=51.0,
    )  # fmt: skip
    return compose(
        name="liquid-130kw", title="130 kW liquid rack", kind="rack", frame=housing.name,
        frame_units=housing.height_units, lines=[tray], supply=supply,
        assumptions=DesignAssumptions(),
    )  # fmt: skip


def _air_rack_of_dgx_b200(servers: int) -> RackDesign:
    """`servers` DGX B200s (air cooled, their own PSUs) in the catalog 42U EIA frame."""
    system = reference_system("dgx-b200")
    accelerator = accelerators()[system.accelerator.lower()]
    one = server_parts(system, COMPONENTS, accelerator)
    lines = [
        PartLine(
            role=line.role, part=line.part, quantity=line.quantity * servers,
            power_w=line.power_w, weight_kg=line.weight_kg, units=line.units,
            liquid_fraction=line.liquid_fraction,
        )
        for line in one
    ]  # fmt: skip
    psu = COMPONENTS.power_supplies["DGX 3.3 kW PSU"]
    frame = COMPONENTS.frames["EIA 42U"]
    supply = Supply(
        psu=psu.name, psu_kw=psu.output_kw, efficiency=0.965, efficiency_source="test",
        spare_psus=2 * servers,
    )  # fmt: skip
    return compose(
        name=f"{servers}x-dgx-b200", title="air rack", kind="rack", frame=frame.name,
        frame_units=frame.height_units, lines=lines, supply=supply,
        assumptions=DesignAssumptions(),
    )  # fmt: skip


def test_a_130kw_liquid_design_on_an_18kw_busbar_orv3_frame_is_refused_with_a_fix() -> None:
    design = _liquid_rack_130kw("ORv3")
    assert design.it_power_kw == pytest.approx(130.0)
    result = check_design(design, rule_set("orv3-busbar"), COMPONENTS)
    assert not result.passed
    (violation,) = result.violations
    assert (violation.rule_id, violation.value, violation.limit) == ("busbar-power", 130.0, 18.0)
    assert "exceeds the limit 18.0 kW" in violation.message
    assert "Busbar Capacity" in violation.source  # the catalog busbar's own citation
    assert "split into 8 racks of at most 18 kW" in violation.fix
    assert "ORv3 HPR" not in violation.fix  # the HPR busbar's 92 kW class does not carry 130


def test_the_same_130kw_design_fits_the_liquid_hall_but_not_the_hpr_busbar_class() -> None:
    design = _liquid_rack_130kw("ORv3 HPR")
    hall = check_design(design, rule_set("liquid-hall-140kw"), COMPONENTS)
    busbar = check_design(design, rule_set("orv3-busbar"), COMPONENTS)
    assert [v.rule_id for v in hall.violations] == []
    assert hall.passed
    assert [(v.limit, v.fix) for v in busbar.violations] == [
        (92.0, "use a frame whose busbar carries 130 kW (none in the catalog), or split into "
         "2 racks of at most 92 kW")
    ]  # fmt: skip


def test_a_40kw_air_cooled_rack_in_a_15kw_hall_is_refused_with_a_split() -> None:
    design = _air_rack_of_dgx_b200(5)
    assert design.liquid_heat_kw == 0.0
    assert 40.0 <= design.it_power_kw < 41.0  # five 8 kW servers (a lower bound, see notes)
    result = check_design(design, rule_set("air-cooled-hall-15kw"), COMPONENTS)
    by_id = {v.rule_id: v for v in result.violations}
    assert set(by_id) == {"hall-kw-per-rack", "hall-air-heat"}
    assert by_id["hall-kw-per-rack"].fix == "split into 3 racks of at most 15 kW each"
    assert "needs liquid cooling" in by_id["hall-air-heat"].fix
    assert "the true value can only be higher" in by_id["hall-kw-per-rack"].message
    assert "fictional example facility limit" in by_id["hall-kw-per-rack"].source


def test_a_liquid_cooled_rack_in_the_air_hall_needs_liquid_cooling() -> None:
    design = _liquid_rack_130kw("ORv3")
    result = check_design(design, rule_set("air-cooled-hall-15kw"), COMPONENTS)
    fixes = {v.rule_id: v.fix for v in result.violations}
    assert fixes["hall-no-facility-water"].startswith("needs liquid cooling: 110.5 kW")
    assert fixes["hall-kw-per-rack"] == "split into 9 racks of at most 15 kW each"


def test_gb200_nvl72_on_hpr_passes_the_liquid_hall_on_a_lower_bound_and_breaks_the_busbar() -> None:
    design = design_reference_system(
        reference_system("gb200-nvl72"), COMPONENTS, accelerators(),
        frame=COMPONENTS.frames["ORv3 HPR"],
    )  # fmt: skip
    hall = check_design(design, rule_set("liquid-hall-140kw"), COMPONENTS)
    assert hall.passed
    assert any("lower bound of it_power_kw" in note for note in hall.notes)
    assert hall.unchecked == ("hall-floor-load: gb200-nvl72 has no floor_load_kg_m2 figure",)
    busbar = check_design(design, rule_set("orv3-busbar"), COMPONENTS)
    assert not busbar.passed  # ≥ 120 kW modelled against the HPR busbar's 92 kW class


def test_one_dgx_b200_passes_the_air_hall() -> None:
    design = design_reference_system(reference_system("dgx-b200"), COMPONENTS, accelerators())
    assert check_design(design, rule_set("air-cooled-hall-15kw"), COMPONENTS).passed


def test_a_frame_rule_on_a_frame_without_the_rating_is_listed_as_unchecked() -> None:
    design = design_reference_system(reference_system("dgx-b200"), COMPONENTS, accelerators())
    result = check_design(design, rule_set("orv3-busbar"), COMPONENTS)
    assert result.passed and not result.violations
    assert result.unchecked == (
        "busbar-power: frame EIA-310 42U (APC NetShelter SX AR3300) publishes no busbar rating "
        "(rack_components.yaml)",
    )


def test_the_payload_rule_reads_the_frame_payload_from_the_catalog() -> None:
    design = _air_rack_of_dgx_b200(12)
    result = check_design(design, rule_set("frame-payload"), COMPONENTS)
    assert result.unchecked == ("frame-payload: 12x-dgx-b200 has no weight_kg figure",)


def test_a_rule_with_both_limit_and_limit_from_is_a_catalog_error() -> None:
    text = """
version: "1"
rule_sets:
  - name: bad
    title: bad
    scope: frame
    rules:
      - {id: r, quantity: it_power_kw, limit: 1, limit_from: frame_payload_kg, unit: kW,
         source: s, fix: f}
"""
    with pytest.raises(CatalogError, match="exactly one of limit and limit_from"):
        parse_rule_sets(text, file="bad.yaml")


def test_a_fix_with_an_unknown_placeholder_is_a_catalog_error() -> None:
    text = """
version: "1"
rule_sets:
  - name: bad
    title: bad
    scope: frame
    rules:
      - {id: r, quantity: it_power_kw, limit: 1, unit: kW, source: s, fix: "add {bogus}"}
"""
    with pytest.raises(CatalogError, match="bogus"):
        parse_rule_sets(text, file="bad.yaml")
