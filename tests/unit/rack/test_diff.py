"""Two designs compared: figure deltas are b − a, and parts are matched by part number."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackforge.catalog import accelerators, rack_components, reference_system
from rackforge.rack import (
    DesignAssumptions,
    DesignDiff,
    RackDesign,
    design_reference_system,
    diff_designs,
)
from rackforge.rack.bom import part_number
from rackforge.rack.figures import DESIGN_FIGURES as FIGURES

SYSTEMS = ("dgx-h100", "dgx-b200", "gb200-nvl72", "gb300-nvl72")


@cache
def designed(name: str, utilisation: float = 0.5) -> RackDesign:
    return design_reference_system(
        reference_system(name),
        rack_components(),
        accelerators(),
        assumptions=DesignAssumptions(utilisation=utilisation),
    )


def figure(diff: DesignDiff, name: str) -> tuple[float | None, float | None, float | None]:
    change = next(f for f in diff.figures if f.name == name)
    return change.a, change.b, change.delta


@pytest.mark.parametrize("name", SYSTEMS)
def test_a_design_against_itself_changes_no_part_and_no_figure(name: str) -> None:
    diff = diff_designs(designed(name), designed(name))
    assert (diff.a, diff.b) == (name, name)
    assert diff.parts == ()
    assert [f.name for f in diff.figures] == [name for name, _, _ in FIGURES]
    for change in diff.figures:
        if change.a is None:
            assert change.delta is None and change.relative is None
        else:
            assert change.delta == 0
            assert change.relative in (0, None)  # None where a is 0
        assert change.a_lower_bound == change.b_lower_bound


def test_gb200_to_gb300_swaps_the_accelerator_and_moves_the_power_by_b_minus_a() -> None:
    a, b = designed("gb200-nvl72"), designed("gb300-nvl72")
    diff = diff_designs(a, b)
    accelerators_changed = {
        p.part_number: (p.qty_a, p.qty_b) for p in diff.parts if p.commodity == "accelerator"
    }
    assert accelerators_changed == {
        part_number("GB200", "accelerator"): (72, 0),
        part_number("GB300", "accelerator"): (0, 72),
    }
    assert figure(diff, "it_power_kw") == (
        a.it_power_kw,
        b.it_power_kw,
        b.it_power_kw - a.it_power_kw,
    )
    assert figure(diff, "input_power_kw")[2] == b.input_power_kw - a.input_power_kw
    # Parts both racks share in the same number (the frame, the power shelves) are not listed.
    assert part_number("ORv3 HPR", "frame") not in {p.part_number for p in diff.parts}


def test_a_side_missing_figures_is_flagged_a_lower_bound() -> None:
    a = designed("gb200-nvl72")
    diff = diff_designs(a, a)
    power = next(f for f in diff.figures if f.name == "it_power_kw")
    cost = next(f for f in diff.figures if f.name == "cost_usd")
    assert power.a_lower_bound is (not a.power_complete)
    assert cost.a_lower_bound is (not a.cost_complete)
    if a.cost_usd is None:
        assert cost.delta is None and cost.relative is None


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(SYSTEMS),
    st.sampled_from(SYSTEMS),
    st.sampled_from([0.1, 0.3, 0.5, 0.8, 1.0]),
    st.sampled_from([0.1, 0.3, 0.5, 0.8, 1.0]),
)
def test_swapping_the_designs_negates_every_delta_and_swaps_the_quantities(
    name_a: str, name_b: str, use_a: float, use_b: float
) -> None:
    a, b = designed(name_a, use_a), designed(name_b, use_b)
    forward, backward = diff_designs(a, b), diff_designs(b, a)
    assert (backward.a, backward.b) == (forward.b, forward.a)
    for there, back in zip(forward.figures, backward.figures, strict=True):
        assert (back.a, back.b) == (there.b, there.a)
        assert (back.a_lower_bound, back.b_lower_bound) == (
            there.b_lower_bound,
            there.a_lower_bound,
        )
        assert back.delta == (None if there.delta is None else -there.delta)
    assert {p.part_number: (p.qty_b, p.qty_a) for p in backward.parts} == {
        p.part_number: (p.qty_a, p.qty_b) for p in forward.parts
    }
    assert all(p.qty_a != p.qty_b and p.delta == p.qty_b - p.qty_a for p in forward.parts)
