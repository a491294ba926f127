"""Design generations and design variants: cumulative changes, scale-up domains, errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackforge.catalog import accelerators, rack_components, reference_system
from rackforge.errors import InputError, UnknownNameError
from rackforge.rack import design_reference_system
from rackforge.rack.generations import Generation, build_generations
from rackforge.rack.variant import DesignChanges, changed_system, design_variant


def build(system: str, *generations: Generation) -> list:  # type: ignore[type-arg]
    return build_generations(
        "line", reference_system(system), list(generations), rack_components(), accelerators()
    )


def test_a_later_generation_keeps_the_earlier_changes_it_does_not_override() -> None:
    first = DesignChanges(compute_trays=9, redundancy="N+1")
    assert first.then(DesignChanges(compute_trays=18)) == DesignChanges(
        compute_trays=18, redundancy="N+1"
    )
    mvr, v1 = build(
        "gb200-nvl72",
        Generation("mvr", "initial", "half rack", first),
        Generation("v1", "benchmark", "fill it", DesignChanges(compute_trays=18)),
    )
    assert v1.changes.redundancy == "N+1"
    assert v1.own_changes == ("compute_trays → 18",)
    assert (mvr.name, v1.name) == ("line@mvr", "line@v1")


def test_half_the_trays_is_half_the_gpus_the_domain_and_the_tray_power() -> None:
    mvr, v1 = build(
        "gb200-nvl72",
        Generation("mvr", "initial", "half", DesignChanges(compute_trays=9)),
        Generation("v1", "benchmark", "full", DesignChanges(compute_trays=18)),
    )
    tray = rack_components().compute_trays["GB200 compute tray"]
    assert tray.power_w is not None
    assert (mvr.accelerators, v1.accelerators) == (36, 72)
    assert (mvr.scale_up_size, v1.scale_up_size) == (36, 72)
    assert v1.design.it_power_kw - mvr.design.it_power_kw == pytest.approx(9 * tray.power_w / 1e3)
    assert mvr.design.power_shelves < v1.design.power_shelves


def test_the_full_generation_is_the_catalog_system_itself() -> None:
    (v1,) = build("gb200-nvl72", Generation("v1", "initial", "as published"))
    stock = design_reference_system(
        reference_system("gb200-nvl72"), rack_components(), accelerators()
    )
    assert v1.design.parts == stock.parts
    for figure in ("it_power_kw", "power_shelves", "psus", "liquid_heat_kw", "ru_used"):
        assert getattr(v1.design, figure) == getattr(stock, figure), figure


def test_no_generations_is_the_catalog_system_as_base() -> None:
    (base,) = build("dgx-h100")
    assert base.version == "base" and base.trigger == "initial"
    assert base.scale_up_size == 8


def test_a_tray_swap_changes_the_accelerator() -> None:
    (v2,) = build(
        "gb200-nvl72",
        Generation("v2", "part", "Blackwell Ultra", DesignChanges(compute_tray="GB300 tray")),
    )
    assert v2.accelerator == "GB300" and v2.accelerators == 72


def test_servers_per_rack_multiplies_the_servers_and_their_psus_and_counts_the_frame() -> None:
    one, four = build(
        "dgx-h100",
        Generation("mvr", "initial", "one", DesignChanges(servers_per_rack=1)),
        Generation("v1", "benchmark", "four", DesignChanges(servers_per_rack=4)),
    )
    assert four.design.it_power_kw == pytest.approx(4 * one.design.it_power_kw)
    assert four.design.psus == 4 * one.design.psus
    assert four.design.ru_used == 4 * one.design.ru_used
    assert any(p.role == "frame" for p in four.design.parts)
    assert four.scale_up_size == 8  # NVLink stays inside each server
    alone = design_reference_system(reference_system("dgx-h100"), rack_components(), accelerators())
    assert not any(p.role == "frame" for p in alone.parts)


@pytest.mark.parametrize(
    ("system", "changes", "key"),
    [
        ("gb200-nvl72", DesignChanges(servers_per_rack=2), "servers_per_rack"),
        ("dgx-h100", DesignChanges(compute_trays=2), "compute_trays"),
        ("dgx-b200", DesignChanges(power_shelf="ORv3 HPR shelf"), "power_shelf"),
    ],
)
def test_a_change_the_system_cannot_take_names_its_key_and_a_fix(
    system: str, changes: DesignChanges, key: str
) -> None:
    with pytest.raises(InputError) as caught:
        build(system, Generation("mvr", "initial", "x"), Generation("v1", "part", "y", changes))
    assert caught.value.where == f"generations[1].changes.{key}"
    assert caught.value.fix


def test_an_unknown_catalog_name_in_a_change_suggests_close_names() -> None:
    with pytest.raises(UnknownNameError) as caught:
        build(
            "gb200-nvl72",
            Generation("v1", "part", "x", DesignChanges(compute_tray="GB300 compute tra")),
        )
    assert caught.value.where == "generations[0].changes.compute_tray"
    assert "GB300 compute tray" in str(caught.value)


def test_a_repeated_version_is_refused() -> None:
    with pytest.raises(InputError, match="repeats generations\\[0\\]"):
        build("dgx-h100", Generation("v1", "initial", "a"), Generation("v1", "rule", "b"))


def test_an_unknown_redundancy_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        design_variant(
            reference_system("gb200-nvl72"),
            DesignChanges(redundancy="2N"),  # type: ignore[arg-type]
            rack_components(),
            accelerators(),
            name="x",
            title="x",
        )
    assert caught.value.where == "redundancy"


def test_changed_system_recounts_gpus_and_cpus_with_the_trays() -> None:
    changed = changed_system(
        reference_system("gb200-nvl72"), DesignChanges(compute_trays=4), rack_components()
    )
    assert (changed.compute_trays, changed.accelerators, changed.cpus) == (4, 16, 8)


@given(st.integers(min_value=1, max_value=18), st.integers(min_value=1, max_value=18))
@settings(max_examples=25, deadline=None)
def test_rack_power_heat_and_flow_grow_by_the_tray_power_per_tray(a: int, b: int) -> None:
    tray_w = rack_components().compute_trays["GB200 compute tray"].power_w
    assert tray_w is not None
    da, db = (
        design_variant(
            reference_system("gb200-nvl72"),
            DesignChanges(compute_trays=k),
            rack_components(),
            accelerators(),
            name=f"k{k}",
            title=f"k{k}",
        )
        for k in (a, b)
    )
    assert db.it_power_kw - da.it_power_kw == pytest.approx((b - a) * tray_w / 1e3, abs=1e-9)
    for d in (da, db):  # heat out is power in, whatever the tray count
        assert d.liquid_heat_kw + d.air_heat_kw == pytest.approx(d.input_power_kw, rel=1e-12)
    if a < b:
        assert db.coolant_flow_l_min > da.coolant_flow_l_min
        assert db.power_shelves >= da.power_shelves
