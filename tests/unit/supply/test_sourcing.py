"""Golden scenarios of the sourcing MILP: small, described, each expected plan worked by hand."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackforge.errors import InputError
from rackforge.supply.sourcing import (
    Offer,
    PriceBreak,
    SourcingPlan,
    SourcingProblem,
    SourcingRules,
    awards_by_part,
    demand_from_schedule,
    far_domestic_floor,
    source,
)

NO_FLOOR: dict[int, float] = {}


def breaks(*pairs: tuple[float, float]) -> tuple[PriceBreak, ...]:
    return tuple(PriceBreak(q, p) for q, p in pairs)


DALLAS = Offer("tray", "dallas", "US-TX", breaks((0, 100.0)), 30, domestic_share=1.0)
HSINCHU = Offer("tray", "hsinchu", "TW", breaks((0, 80.0), (50, 70.0)), 40)


def problem(
    *offers: Offer,
    per_period: float = 40,
    years: tuple[int, ...] = (2027, 2027, 2027),
    critical: frozenset[str] = frozenset(),
    **rules: object,
) -> SourcingProblem:
    return SourcingProblem(
        demand=demand_from_schedule({"tray": [per_period] * len(years)}),
        offers=offers,
        period_years=years,
        critical_parts=critical,
        rules=SourcingRules(**rules),  # type: ignore[arg-type]
    )


def units(plan: SourcingPlan, supplier: str) -> float:
    return sum(a.total_units for a in plan.awards if a.supplier == supplier)


def test_far_25_101_floors_by_year() -> None:
    assert [far_domestic_floor(y) for y in (2026, 2028, 2029, 2035)] == [0.65, 0.65, 0.75, 0.75]


def test_without_a_floor_the_cheaper_offer_takes_all_at_its_volume_price() -> None:
    # 120 trays; Hsinchu makes 40 a period, enough alone; 120 ≥ 50 → the 70 USD break
    plan = source(problem(DALLAS, HSINCHU, domestic_floor=NO_FLOOR, min_award_share=0))
    assert units(plan, "hsinchu") == pytest.approx(120)
    assert plan.purchase_cost_usd == pytest.approx(120 * 70)
    assert plan.feasible


def test_the_2027_domestic_floor_buys_domestic_until_65_percent_of_list_cost() -> None:
    # 100·d / (100·d + 80·h) = 0.65 with d + h = 120 → 35·d = 52·h → h = 48.28, d = 71.72;
    # h < 50 stays at the 80 USD tier: cost = 100·71.72 + 80·48.28 = 11 034.48
    plan = source(problem(DALLAS, HSINCHU))
    h = 120 / (1 + 52 / 35)
    assert units(plan, "hsinchu") == pytest.approx(h, rel=1e-6)
    assert units(plan, "dallas") == pytest.approx(120 - h, rel=1e-6)
    assert plan.purchase_cost_usd == pytest.approx(100 * (120 - h) + 80 * h, rel=1e-6)
    assert plan.domestic_share_by_year[2027] == pytest.approx(0.65)
    dallas = next(a for a in plan.awards if a.supplier == "dallas")
    assert "domestic floor" in " ".join(dallas.reasons)
    # one point more floor: 34·d = 52.8·h → cost 11 059.9, about 25.4 USD a point
    (price,) = [p for p in plan.shadow_prices if p.rule == "domestic floor"]
    assert price.usd_per_unit == pytest.approx(25.4, abs=0.5)


def test_from_2029_the_floor_is_75_percent() -> None:
    plan = source(problem(DALLAS, HSINCHU, years=(2029, 2029, 2029)))
    assert plan.domestic_share_by_year[2029] == pytest.approx(0.75)


def test_a_capacity_bound_supplier_has_a_shadow_price_of_the_price_gap() -> None:
    # 50 a period wanted; Hsinchu's 40 a period are all taken (120 in total ≥ 50: the 70 USD
    # break), Dallas makes up 10 a period at 100: one more Hsinchu unit saves 100 − 70 = 30
    plan = source(problem(DALLAS, HSINCHU, per_period=50, domestic_floor=NO_FLOOR))
    assert units(plan, "hsinchu") == pytest.approx(120)
    assert units(plan, "dallas") == pytest.approx(30)
    capacity = [p for p in plan.shadow_prices if p.rule == "capacity"]
    assert capacity and all(p.usd_per_unit == pytest.approx(30) for p in capacity)
    hsinchu = next(a for a in plan.awards if a.supplier == "hsinchu")
    assert any("capacity-bound" in r for r in hsinchu.reasons)


def test_a_critical_part_keeps_two_qualified_sources_each_with_a_real_award() -> None:
    plan = source(problem(DALLAS, HSINCHU, critical=frozenset({"tray"}), domestic_floor=NO_FLOOR))
    # 10 % of the 120 must go to the second source: Dallas 12, Hsinchu 108 at 70 USD
    assert units(plan, "dallas") == pytest.approx(12)
    assert units(plan, "hsinchu") == pytest.approx(108)
    assert all(any("critical" in r for r in a.reasons) for a in plan.awards)


def test_an_unqualified_or_suspended_offer_is_never_awarded() -> None:
    candidate = Offer("tray", "juarez", "MX", breaks((0, 10.0)), 100, qualified=False)
    suspended = Offer("tray", "reno", "US-NV", breaks((0, 1.0)), 100, suspended=True)
    plan = source(
        problem(
            DALLAS, HSINCHU, candidate, suspended, critical=frozenset({"tray"}),
            domestic_floor=NO_FLOOR,
        )
    )  # fmt: skip
    assert units(plan, "juarez") == 0 and units(plan, "reno") == 0


def test_a_supplier_share_cap_splits_the_volume() -> None:
    plan = source(problem(DALLAS, HSINCHU, max_supplier_share=0.6, domestic_floor=NO_FLOOR))
    assert units(plan, "hsinchu") == pytest.approx(72)  # 60 % of 120
    assert units(plan, "dallas") == pytest.approx(48)
    # 72 ≥ 50: Hsinchu's volume break still applies
    assert plan.purchase_cost_usd == pytest.approx(72 * 70 + 48 * 100)


def test_lead_time_keeps_an_offer_out_of_the_first_periods() -> None:
    late = Offer("tray", "hsinchu", "TW", breaks((0, 80.0)), 40, lead_time_periods=1)
    plan = source(problem(DALLAS, late, per_period=30, domestic_floor=NO_FLOOR))
    hsinchu = next(a for a in plan.awards if a.supplier == "hsinchu")
    assert hsinchu.units[0] == 0
    dallas = next(a for a in plan.awards if a.supplier == "dallas")
    assert dallas.units[0] == pytest.approx(30)


def test_take_or_pay_pays_for_committed_units_not_taken() -> None:
    # Dallas holds a take-or-pay contract for 60 trays; 60 bought from it (cheaper than paying
    # for them unused and buying at 70 elsewhere): 60·100 + 60·70 = 10 200
    contract = Offer("tray", "dallas", "US-TX", breaks((0, 100.0)), 30, committed_units=60,
                     take_or_pay=True)  # fmt: skip
    plan = source(problem(contract, HSINCHU, domestic_floor=NO_FLOOR, min_award_share=0))
    assert units(plan, "dallas") == pytest.approx(60)
    assert plan.take_or_pay_usd == pytest.approx(0)
    assert plan.purchase_cost_usd == pytest.approx(60 * 100 + 60 * 70)


def test_demand_beyond_every_offer_is_named_not_infeasible() -> None:
    plan = source(problem(DALLAS, HSINCHU, per_period=100, domestic_floor=NO_FLOOR))
    assert not plan.feasible
    shortfalls = [v for v in plan.violations if v.rule == "demand"]
    assert sum(v.amount for v in shortfalls) == pytest.approx(3 * (100 - 70))
    assert all("add a supplier or capacity" in v.message for v in shortfalls)


def test_conflicting_rules_are_named_with_what_was_given_up() -> None:
    # one qualified source of a critical part: the 2-source rule cannot hold
    plan = source(problem(DALLAS, critical=frozenset({"tray"}), per_period=20))
    (violation,) = [v for v in plan.violations if v.rule == "sources"]
    assert violation.amount == pytest.approx(1)
    assert "qualify a second source" in violation.message


def test_bad_inputs_name_the_offer_and_the_fix() -> None:
    bad = Offer("tray", "x", "US", breaks((50, 1.0), (10, 0.5)), 10)
    with pytest.raises(InputError) as caught:
        source(problem(bad))
    assert caught.value.where == "offers[tray@x].price_breaks"


@given(
    demand=st.lists(st.floats(min_value=0, max_value=80), min_size=1, max_size=4),
    caps=st.tuples(st.floats(min_value=0, max_value=50), st.floats(min_value=0, max_value=50)),
    share=st.floats(min_value=0.3, max_value=1.0),
)
@settings(max_examples=25, deadline=None)
def test_every_plan_meets_demand_or_names_the_shortfall_within_capacity(
    demand: list[float], caps: tuple[float, float], share: float
) -> None:
    offers = (
        Offer("tray", "a", "US-TX", breaks((0, 100.0)), caps[0], domestic_share=1.0),
        Offer("tray", "b", "TW", breaks((0, 80.0)), caps[1]),
    )
    prob = SourcingProblem(
        demand=demand_from_schedule({"tray": demand}),
        offers=offers,
        period_years=(2027,) * len(demand),
        rules=SourcingRules(max_supplier_share=share),
    )
    plan = source(prob)
    short = {v.subject: v.amount for v in plan.violations if v.rule == "demand"}
    for t, wanted in enumerate(demand):
        bought = sum(a.units[t] for a in plan.awards)
        assert bought + short.get(f"tray period {t}", 0.0) == pytest.approx(wanted, abs=1e-5)
    for award in plan.awards:
        cap = next(o.capacity_per_period for o in offers if o.supplier == award.supplier)
        assert all(u <= cap + 1e-6 for u in award.units)
    assert set(awards_by_part(plan)) <= {"tray"}
