"""Rack cooling held to the sensible-heat equation, handbook coolant figures and energy balance."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.errors import InputError
from rackforge.rack import (
    AIR_DENSITY_KG_M3,
    AIR_SPECIFIC_HEAT_J_KG_K,
    M3_S_PER_CFM,
    PG25_30C,
    WATER_30C,
    Coolant,
    airflow_cfm,
    coolant_flow_l_min,
    heat_split,
    psu_loss_kw,
    rack_cooling,
)

heats = st.floats(min_value=0.0, max_value=500.0, allow_subnormal=False)
positive_heats = st.floats(min_value=0.01, max_value=500.0)
rises = st.floats(min_value=1.0, max_value=30.0)
fractions = st.floats(min_value=0.0, max_value=1.0)
coolants = st.sampled_from([WATER_30C, PG25_30C])


def test_120_kw_on_water_at_a_10_k_rise_needs_about_173_l_per_min() -> None:
    # By hand with 25 °C water: 120000 / (4180 · 997 · 10) · 60000 = 172.8 L/min; at 30 °C the
    # water is a little lighter, so a little more flow.
    assert coolant_flow_l_min(120.0, 10.0, WATER_30C) == pytest.approx(172.8, rel=0.005)


def test_pg25_needs_more_flow_than_water_for_the_same_load() -> None:
    water = coolant_flow_l_min(120.0, 10.0, WATER_30C)
    glycol = coolant_flow_l_min(120.0, 10.0, PG25_30C)
    assert glycol / water == pytest.approx(995.6 * 4180 / (1019.2 * 3940), rel=1e-12)
    assert 1.03 < glycol / water < 1.05


def test_the_coolants_carry_their_sources() -> None:
    assert "NIST" in WATER_30C.source
    assert "ASHRAE" in PG25_30C.source


def test_one_cfm_is_0_000471947_cubic_metres_per_second() -> None:
    assert pytest.approx(0.000471947, rel=1e-6) == M3_S_PER_CFM


def test_standard_air_reproduces_the_3_16_watts_per_degree_fahrenheit_rule() -> None:
    # CFM = 3.16 · W / ΔT°F (ASHRAE's q = 1.08 · cfm · Δt with 1 W = 3.412 Btu/h).
    coefficient = 1.8 / (AIR_DENSITY_KG_M3 * AIR_SPECIFIC_HEAT_J_KG_K * M3_S_PER_CFM)
    assert coefficient == pytest.approx(3.16, abs=0.005)
    delta_f = 20.0
    assert airflow_cfm(10.0, delta_f / 1.8) == pytest.approx(3.16 * 10_000 / delta_f, rel=0.002)


def test_a_40_kw_air_cooled_rack_at_a_20_f_rise_moves_about_6300_cfm() -> None:
    assert airflow_cfm(40.0, 20.0 / 1.8) == pytest.approx(6319, rel=0.002)


@given(heat=positive_heats, rise=rises, scale=st.floats(min_value=0.1, max_value=10.0), c=coolants)
def test_coolant_flow_scales_linearly_with_load(
    heat: float, rise: float, scale: float, c: Coolant
) -> None:
    flow = coolant_flow_l_min(heat, rise, c)
    assert math.isclose(coolant_flow_l_min(heat * scale, rise, c), flow * scale, rel_tol=1e-9)


@given(heat=positive_heats, rise=rises, scale=st.floats(min_value=0.1, max_value=10.0), c=coolants)
def test_coolant_flow_scales_inversely_with_the_temperature_rise(
    heat: float, rise: float, scale: float, c: Coolant
) -> None:
    flow = coolant_flow_l_min(heat, rise, c)
    assert math.isclose(coolant_flow_l_min(heat, rise * scale, c), flow / scale, rel_tol=1e-9)


@given(heat=positive_heats, rise=rises, scale=st.floats(min_value=0.1, max_value=10.0))
def test_airflow_scales_with_load_and_inversely_with_the_rise(
    heat: float, rise: float, scale: float
) -> None:
    cfm = airflow_cfm(heat, rise)
    assert math.isclose(airflow_cfm(heat * scale, rise), cfm * scale, rel_tol=1e-9)
    assert math.isclose(airflow_cfm(heat, rise * scale), cfm / scale, rel_tol=1e-9)


@given(heat=heats, rise=rises, c=coolants)
def test_the_flow_carries_exactly_the_heat_back(heat: float, rise: float, c: Coolant) -> None:
    m3_s = coolant_flow_l_min(heat, rise, c) / 60_000.0
    carried_w = m3_s * c.density_kg_m3 * c.specific_heat_j_kg_k * rise
    assert math.isclose(carried_w, heat * 1000.0, rel_tol=1e-9, abs_tol=1e-9)


@given(it=heats, f=fractions)
def test_the_heat_split_adds_up_to_the_it_power(it: float, f: float) -> None:
    liquid, air = heat_split(it, f)
    assert liquid >= 0.0
    assert air >= 0.0
    assert math.isclose(liquid + air, it, rel_tol=1e-12, abs_tol=1e-12)


def test_a_fully_air_cooled_rack_sends_no_heat_to_liquid() -> None:
    assert heat_split(40.0, 0.0) == (0.0, 40.0)


@given(it=heats, f=fractions, eta=st.floats(min_value=0.8, max_value=1.0), c=coolants)
def test_heat_out_equals_power_in(it: float, f: float, eta: float, c: Coolant) -> None:
    cooling = rack_cooling(
        it,
        liquid_fraction=f,
        psu_loss_kw=psu_loss_kw(it, eta),
        coolant=c,
        liquid_delta_t_k=10.0,
        air_delta_t_k=12.0,
    )
    assert math.isclose(cooling.heat_out_kw, cooling.power_in_kw, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(cooling.power_in_kw, it / eta, rel_tol=1e-12, abs_tol=1e-12)


def test_psu_losses_leave_the_rack_through_the_air() -> None:
    cooling = rack_cooling(
        120.0,
        liquid_fraction=0.85,
        psu_loss_kw=3.0,
        coolant=PG25_30C,
        liquid_delta_t_k=10.0,
        air_delta_t_k=12.0,
    )
    assert cooling.liquid.heat_kw == pytest.approx(102.0)
    assert cooling.air.heat_kw == pytest.approx(18.0 + 3.0)
    assert cooling.liquid.flow_unit == "L/min"
    assert cooling.air.flow_unit == "CFM"
    assert cooling.liquid.flow == coolant_flow_l_min(102.0, 10.0, PG25_30C)
    assert cooling.air.flow == airflow_cfm(21.0, 12.0)
    assert cooling.liquid_share == pytest.approx(102.0 / 123.0)


@pytest.mark.parametrize("rise", [0.0, -5.0, math.inf])
def test_a_temperature_rise_that_is_not_positive_is_refused(rise: float) -> None:
    with pytest.raises(InputError, match="delta_t_k"):
        coolant_flow_l_min(10.0, rise, WATER_30C)


def test_a_liquid_fraction_above_one_is_refused() -> None:
    with pytest.raises(InputError, match="liquid_fraction"):
        heat_split(10.0, 1.2)
