"""Rack power held to ORv3 shelf ratings, busbar current I = P/V and the linear power model."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.errors import InputError
from rackforge.rack import (
    REDUNDANCIES,
    SERVER_IDLE_FRACTION,
    PowerShelfPlan,
    Redundancy,
    busbar_current_a,
    busbar_loading,
    plan_power_shelves,
    psu_input_kw,
    psu_loss_kw,
    shelf_output_kw,
    typical_power_kw,
)


# ORv3 HPR power shelf: six 5.5 kW PSUs, 33 kW (OCP Global Summit 2023, Delta and Advanced
# Energy, "Requirements/Considerations of Next Generation ORv3 PSU and Power Shelves").
def orv3_hpr(
    load_kw: float, redundancy: Redundancy, shelves_available: int | None = None
) -> PowerShelfPlan:
    return plan_power_shelves(
        load_kw,
        psu_kw=5.5,
        psus_per_shelf=6,
        shelf_capacity_kw=33.0,
        redundancy=redundancy,
        shelves_available=shelves_available,
    )


loads = st.floats(min_value=0.0, max_value=2000.0, allow_subnormal=False)
redundancies = st.sampled_from(REDUNDANCIES)
psu_sizes = st.floats(min_value=0.5, max_value=20.0)
shelf_sizes = st.integers(min_value=2, max_value=12)


def test_an_orv3_33_kw_shelf_with_one_psu_failed_still_carries_27_5_kw() -> None:
    assert shelf_output_kw(psu_kw=5.5, psus_working=5, shelf_capacity_kw=33.0) == 27.5
    plan = orv3_hpr(27.5, "N+1")
    assert (plan.shelves, plan.psus_installed, plan.psus_needed) == (1, 6, 6)
    assert plan.capacity_kw == 27.5
    assert plan.redundancy_met
    assert plan.headroom_kw == 0.0


def test_a_load_just_above_one_shelfs_n_plus_1_rating_takes_a_second_shelf() -> None:
    plan = orv3_hpr(27.6, "N+1")
    assert plan.shelves == 2
    assert plan.capacity_kw == 55.0
    assert plan.psus_needed == 6 + 2  # six working PSUs and one spare in each shelf


def test_a_healthy_orv3_shelf_delivers_its_33_kw_nameplate() -> None:
    plan = orv3_hpr(33.0, "N")
    assert (plan.shelves, plan.capacity_kw, plan.nameplate_kw) == (1, 33.0, 33.0)


def test_a_132_kw_rack_at_n_plus_n_takes_8_orv3_shelves_in_two_sides_of_4() -> None:
    # GB200 NVL72 class: ~132 kW; each side of 4 × 33 kW carries it alone.
    plan = orv3_hpr(132.0, "N+N")
    assert (plan.shelves, plan.psus_installed, plan.psus_needed) == (8, 48, 48)
    assert plan.capacity_kw == 132.0
    assert plan.nameplate_kw == 264.0


def test_a_rack_with_too_few_shelf_positions_reports_the_redundancy_unmet() -> None:
    plan = orv3_hpr(132.0, "N+N", 6)
    assert plan.shelves == 6
    assert plan.shelves_needed == 8
    assert not plan.redundancy_met
    assert plan.capacity_kw == 99.0
    assert plan.headroom_kw == -33.0


def test_a_shelf_rated_below_its_psus_is_limited_by_its_rating() -> None:
    plan = plan_power_shelves(
        60.0, psu_kw=5.5, psus_per_shelf=6, shelf_capacity_kw=25.0, redundancy="N+1"
    )
    assert plan.capacity_kw == 3 * 25.0
    assert plan.shelves == 3


def test_n_plus_1_needs_at_least_two_psus_in_a_shelf() -> None:
    with pytest.raises(InputError, match="at least 2 PSUs"):
        plan_power_shelves(
            10.0, psu_kw=5.5, psus_per_shelf=1, shelf_capacity_kw=5.5, redundancy="N+1"
        )


def test_an_unknown_redundancy_is_refused_with_the_accepted_ones() -> None:
    bad: Redundancy = "2N"  # type: ignore[assignment]
    with pytest.raises(InputError, match="use N, N\\+1 or N\\+N"):
        orv3_hpr(10.0, bad)


def test_no_load_needs_no_shelves() -> None:
    plan = orv3_hpr(0.0, "N+1")
    assert (plan.shelves, plan.psus_needed, plan.capacity_kw) == (0, 0, 0.0)
    assert plan.redundancy_met


@given(load=loads, redundancy=redundancies, psu_kw=psu_sizes, k=shelf_sizes)
def test_shelves_never_under_provision_the_load_at_the_requested_redundancy(
    load: float, redundancy: Redundancy, psu_kw: float, k: int
) -> None:
    plan = plan_power_shelves(
        load, psu_kw=psu_kw, psus_per_shelf=k, shelf_capacity_kw=psu_kw * k, redundancy=redundancy
    )
    assert plan.redundancy_met
    assert plan.capacity_kw >= load * (1 - 1e-9)
    assert plan.psus_needed <= plan.psus_installed


@given(load=st.floats(min_value=0.1, max_value=2000.0), redundancy=redundancies, k=shelf_sizes)
def test_one_shelf_fewer_would_not_carry_the_load(
    load: float, redundancy: Redundancy, k: int
) -> None:
    plan = plan_power_shelves(
        load, psu_kw=5.5, psus_per_shelf=k, shelf_capacity_kw=5.5 * k, redundancy=redundancy
    )
    step = 2 if redundancy == "N+N" else 1
    fewer = plan_power_shelves(
        load,
        psu_kw=5.5,
        psus_per_shelf=k,
        shelf_capacity_kw=5.5 * k,
        redundancy=redundancy,
        shelves_available=plan.shelves - step,
    )
    assert not fewer.redundancy_met
    assert fewer.capacity_kw < load


@given(load=loads, voltage=st.floats(min_value=12.0, max_value=800.0))
def test_busbar_current_times_voltage_is_the_load(load: float, voltage: float) -> None:
    assert math.isclose(busbar_current_a(load, voltage) * voltage, load * 1000.0, rel_tol=1e-12)


def test_a_130_kw_rack_on_48_v_draws_about_2_7_ka() -> None:
    assert busbar_current_a(130.0, 48.0) == pytest.approx(2708.3, abs=0.1)


def test_a_busbar_loaded_past_its_rating_says_so() -> None:
    busbar = busbar_loading(130.0, voltage_v=48.0, rating_a=1400.0)
    assert not busbar.within_rating
    assert busbar.utilisation == pytest.approx(2708.3 / 1400.0, rel=1e-4)
    assert busbar.rated_kw == pytest.approx(67.2)
    assert busbar_loading(60.0, voltage_v=48.0, rating_a=1400.0).within_rating


def test_psus_at_97_5_percent_draw_the_output_over_the_efficiency() -> None:
    # Worked by hand: 27.5 / 0.975 = 28.205 kW in, 0.705 kW of it heat.
    assert psu_input_kw(27.5, 0.975) == pytest.approx(28.205, abs=1e-3)
    assert psu_loss_kw(27.5, 0.975) == pytest.approx(0.705, abs=1e-3)


@given(out=loads, eta=st.floats(min_value=0.5, max_value=1.0))
def test_psu_input_is_output_plus_loss(out: float, eta: float) -> None:
    assert math.isclose(psu_input_kw(out, eta), out + psu_loss_kw(out, eta), rel_tol=1e-12)
    assert psu_loss_kw(out, eta) >= 0.0


@pytest.mark.parametrize("eta", [0.0, -0.5, 1.01, math.nan])
def test_an_efficiency_outside_zero_to_one_is_refused(eta: float) -> None:
    with pytest.raises(InputError, match="efficiency"):
        psu_input_kw(10.0, eta)


def test_typical_power_runs_from_the_idle_floor_to_the_maximum() -> None:
    assert typical_power_kw(10.0, 0.0, idle_fraction=0.3) == 3.0
    assert typical_power_kw(10.0, 1.0, idle_fraction=0.3) == 10.0
    assert typical_power_kw(10.0, 0.5, idle_fraction=SERVER_IDLE_FRACTION) == 7.5


@given(
    max_kw=st.floats(min_value=0.0, max_value=500.0),
    u=st.floats(min_value=0.0, max_value=1.0),
    f=st.floats(min_value=0.0, max_value=1.0),
)
def test_typical_power_lies_between_idle_and_maximum(max_kw: float, u: float, f: float) -> None:
    p = typical_power_kw(max_kw, u, idle_fraction=f)
    assert max_kw * f * (1 - 1e-12) <= p <= max_kw * (1 + 1e-12)


def test_a_utilisation_above_one_is_refused_where_it_was_given() -> None:
    with pytest.raises(InputError) as raised:
        typical_power_kw(10.0, 1.5, idle_fraction=0.3)
    assert raised.value.where == "utilisation"


def test_the_smallest_positive_load_still_takes_a_shelf() -> None:
    plan = orv3_hpr(5e-324, "N")
    assert (plan.shelves, plan.psus_needed) == (1, 1)
