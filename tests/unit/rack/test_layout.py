"""Rack elevation: slots placed by their hints, overflow reported, floor load per footprint."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.errors import InfeasibleError, InputError
from rackforge.rack import (
    OPEN_UNIT_MM,
    POSITION_HINTS,
    RACK_UNIT_MM,
    PositionHint,
    Slot,
    allocate,
    floor_load_kg_m2,
    footprint_m2,
)


def nvl72_like() -> list[Slot]:
    """GB200 NVL72-class elevation: 18 compute trays (1 U), 9 NVLink switch trays (1 U) mid-rack,
    power shelves top and bottom."""
    shelves_top = [Slot(f"power-shelf-{i}", 1, "top") for i in range(1, 4)]
    shelves_bottom = [Slot(f"power-shelf-{i}", 1, "bottom") for i in range(4, 7)]
    switches = [Slot(f"nvswitch-{i}", 1, "middle") for i in range(1, 10)]
    compute = [Slot(f"compute-{i}", 1, "any") for i in range(1, 19)]
    return shelves_top + shelves_bottom + switches + compute


def test_an_nvl72_like_rack_puts_its_switch_trays_mid_rack_between_compute_trays() -> None:
    allocation = allocate(48, nvl72_like()).require_fit()
    switches = [p for p in allocation.placements if p.name.startswith("nvswitch")]
    compute = [p for p in allocation.placements if p.name.startswith("compute")]
    low, high = switches[0].position, switches[-1].top_unit
    assert high - low + 1 == 9  # one contiguous block
    below = [p for p in compute if p.top_unit < low]
    above = [p for p in compute if p.position > high]
    assert len(below) + len(above) == 18
    assert below and above
    assert allocation.units_used == 6 + 9 + 18
    assert allocation.units_free == 48 - 33


def test_bottom_items_stack_up_from_unit_1_and_top_items_down_from_the_top() -> None:
    allocation = allocate(
        10,
        [Slot("a", 2, "bottom"), Slot("b", 1, "bottom"), Slot("c", 3, "top"), Slot("d", 1, "top")],
    )
    where = {p.name: (p.position, p.top_unit) for p in allocation.placements}
    assert where == {"a": (1, 2), "b": (3, 3), "c": (8, 10), "d": (7, 7)}
    assert allocation.occupant(9) == "c"
    assert allocation.occupant(5) is None


def test_any_items_fill_the_lowest_free_run_that_holds_them() -> None:
    allocation = allocate(
        10, [Slot("base", 1, "bottom"), Slot("mid", 2, "middle"), Slot("x", 4), Slot("y", 1)]
    )
    where = {p.name: p.position for p in allocation.placements}
    # free run 2..10; the middle block of 2 sits at 5..6; x (4 U) fits only above it; y fills 2.
    assert where == {"base": 1, "mid": 5, "x": 7, "y": 2}


def test_what_does_not_fit_is_reported_and_the_rest_still_placed() -> None:
    allocation = allocate(4, [Slot("big", 3, "bottom"), Slot("huge", 5), Slot("small", 1)])
    assert not allocation.fits
    assert [s.name for s in allocation.overflow] == ["huge"]
    assert allocation.overflow_units == 5
    assert [p.name for p in allocation.placements] == ["big", "small"]


def test_an_overflowing_allocation_raises_when_a_fit_is_required() -> None:
    allocation = allocate(42, [Slot(f"tray-{i}", 4) for i in range(12)])
    with pytest.raises(InfeasibleError, match=r"split the design into 2 racks") as raised:
        allocation.require_fit()
    assert "tray-10 (4 U, any)" in str(raised.value)


def test_a_slot_of_no_height_is_refused() -> None:
    with pytest.raises(InputError) as raised:
        allocate(42, [Slot("busbar", 0)])
    assert raised.value.where == "items[0].units"


def test_an_unknown_position_hint_is_refused() -> None:
    bad: PositionHint = "side"  # type: ignore[assignment]
    with pytest.raises(InputError, match="use top, middle, bottom or any"):
        allocate(42, [Slot("pdu", 1, bad)])


slots = st.lists(
    st.builds(
        Slot,
        name=st.text(alphabet="abcdef", min_size=1, max_size=3),
        units=st.integers(min_value=1, max_value=8),
        position_hint=st.sampled_from(POSITION_HINTS),
    ),
    max_size=20,
)


@given(frame=st.integers(min_value=1, max_value=60), items=slots)
def test_every_item_is_placed_or_reported_and_no_two_share_a_unit(
    frame: int, items: list[Slot]
) -> None:
    allocation = allocate(frame, items)
    assert len(allocation.placements) + len(allocation.overflow) == len(items)
    used: set[int] = set()
    for p in allocation.placements:
        units = set(range(p.position, p.top_unit + 1))
        assert p.position >= 1
        assert p.top_unit <= frame
        assert not used & units
        used |= units
    assert allocation.units_used == len(used)


@given(frame=st.integers(min_value=1, max_value=60), items=slots)
def test_items_that_sum_to_the_frame_or_less_without_a_middle_block_always_fit(
    frame: int, items: list[Slot]
) -> None:
    # Bottom and top stacks and first-fit `any` items never fragment a frame: they fit
    # whenever their units do.
    plain = [s for s in items if s.position_hint != "middle"]
    if sum(s.units for s in plain) <= frame:
        assert allocate(frame, plain).fits


def test_rack_and_open_units_have_their_standard_heights() -> None:
    assert pytest.approx(1.75 * 25.4) == RACK_UNIT_MM
    assert OPEN_UNIT_MM == 48.0


def test_a_1_5_tonne_rack_on_a_600_by_1200_mm_footprint_loads_the_floor_at_about_2083_kg_m2() -> (
    None
):
    assert footprint_m2(600.0, 1200.0) == pytest.approx(0.72)
    assert floor_load_kg_m2(1500.0, 0.72) == pytest.approx(2083.3, abs=0.1)


@given(
    weight=st.floats(min_value=0.0, max_value=5000.0),
    area=st.floats(min_value=0.1, max_value=3.0),
)
def test_floor_load_times_footprint_is_the_weight(weight: float, area: float) -> None:
    assert floor_load_kg_m2(weight, area) * area == pytest.approx(weight, rel=1e-12, abs=1e-12)
