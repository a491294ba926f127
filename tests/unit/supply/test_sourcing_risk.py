"""Golden cases of the two-stage sourcing model with a CVaR term, each worked by hand."""

from __future__ import annotations

from itertools import pairwise

import pytest

from rackforge.errors import InputError
from rackforge.supply.disruption import ScenarioClass
from rackforge.supply.sourcing import (
    Offer,
    PriceBreak,
    SourcingProblem,
    SourcingRules,
    demand_from_schedule,
    source,
)
from rackforge.supply.sourcing_risk import (
    CapacityScenario,
    RiskSettings,
    SurgeClause,
    TwoStageModel,
    class_scenarios,
    cvar,
    efficient_frontier,
    source_under_risk,
)

# tray: 40 a period for 3 periods; Hsinchu 70 USD, Dallas 100 USD, each 40 a period; no
# domestic floor; the default rule that a used offer takes ≥ 10 % of the part's demand
HSINCHU = Offer("tray", "hsinchu", "TW", (PriceBreak(0, 70.0),), 40)
DALLAS = Offer("tray", "dallas", "US-TX", (PriceBreak(0, 100.0),), 40, domestic_share=1.0)
PROBLEM = SourcingProblem(
    demand=demand_from_schedule({"tray": [40, 40, 40]}),
    offers=(HSINCHU, DALLAS),
    period_years=(2027, 2027, 2027),
    rules=SourcingRules(domestic_floor={}),
)
# shortfall is worth 10 × the part's top list price: 1 000 USD a tray; surge at 1.5 × list
SURGE = {"tray@dallas": SurgeClause(surge_share=1.0, within_periods=0)}


def lost(share: float, periods: range = range(3)) -> dict[tuple[str, int], float]:
    return {("tray@hsinchu", t): share for t in periods}


def units(result_plan: object, supplier: str) -> float:
    awards = getattr(result_plan, "awards", ())
    return sum(a.total_units for a in awards if a.supplier == supplier)


def test_without_scenarios_the_model_is_the_deterministic_one() -> None:
    plain = source(PROBLEM)
    risky = source_under_risk(PROBLEM, [], RiskSettings(risk_aversion=5.0))
    assert risky.plan is not None
    assert risky.plan.awards == plain.awards
    assert risky.first_stage_usd == pytest.approx(plain.purchase_cost_usd)  # 120 × 70 = 8 400
    assert risky.expected_cost_usd == pytest.approx(8400)
    assert risky.cvar_usd == 0
    model = TwoStageModel(PROBLEM, [], RiskSettings())
    assert model.lp.solve().objective == pytest.approx(8400)


def test_a_surge_clause_on_a_second_source_is_bought_only_when_the_tail_counts() -> None:
    # One scenario (p = 0.002) stops Hsinchu for the whole horizon. α = 0.95: the 5 % tail
    # holds the scenario's 0.002, so CVaR = 0.002 / 0.05 · S = 0.04 · S.
    # A, Hsinchu alone: 8 400 + 0.002 · 120 · 1 000 = 8 640; S = 120 000 → CVaR 4 800.
    # B, Dallas takes its 10 % (12 trays at 100) and surges 108 at 150 in the scenario:
    #    8 760 + 0.002 · 108 · 150 = 8 792.4; S = 0 → CVaR 0.
    # λ = 0: A (8 640 < 8 792.4); λ = 1: B (8 792.4 < 8 640 + 4 800).
    scenario = [CapacityScenario(0.002, lost(1.0), "Hsinchu down")]
    neutral = source_under_risk(PROBLEM, scenario, RiskSettings(surge=SURGE))
    assert units(neutral.plan, "dallas") == 0
    assert neutral.first_stage_usd == pytest.approx(8400)
    assert neutral.expected_cost_usd == pytest.approx(8640)
    assert neutral.cvar_usd == pytest.approx(4800)
    assert neutral.outcomes[0].shortfall_units == pytest.approx(120)

    averse = source_under_risk(PROBLEM, scenario, RiskSettings(surge=SURGE, risk_aversion=1.0))
    assert units(averse.plan, "dallas") == pytest.approx(12)
    assert averse.first_stage_usd == pytest.approx(8760)
    assert averse.expected_cost_usd == pytest.approx(8792.4)
    assert averse.cvar_usd == pytest.approx(0, abs=1e-6)
    assert averse.outcomes[0].recourse_usd == pytest.approx(108 * 150)


def test_a_surge_reached_only_after_its_weeks_moves_the_first_period_to_the_second_source() -> None:
    # the same outage, Dallas's surge reachable one period after it starts: Hsinchu's period-0
    # trays cannot be replaced, so at λ = 1 each is worth moving to Dallas (30 more against
    # 0.002 · 1 000 + 0.04 · 1 000 = 42 saved); periods 1 and 2 stay with Hsinchu, surged.
    # First stage 40 · 100 + 80 · 70 = 9 600; expected 9 600 + 0.002 · 80 · 150 = 9 624.
    late = {"tray@dallas": SurgeClause(surge_share=1.0, within_periods=1)}
    scenario = [CapacityScenario(0.002, lost(1.0), "Hsinchu down")]
    plan = source_under_risk(PROBLEM, scenario, RiskSettings(surge=late, risk_aversion=1.0))
    assert plan.plan is not None
    dallas = next(a for a in plan.plan.awards if a.supplier == "dallas")
    assert dallas.units == pytest.approx((40, 0, 0), abs=1e-6)
    assert plan.first_stage_usd == pytest.approx(9600)
    assert plan.expected_cost_usd == pytest.approx(9624)
    assert plan.outcomes[0].shortfall_units == pytest.approx(0, abs=1e-6)


def test_risk_aversion_splits_the_volume_when_capacity_is_half_lost() -> None:
    # Hsinchu keeps 20 of its 40 a period in the scenario; no surge anywhere. A tray moved
    # from Hsinchu (above 20 a period) to Dallas costs 30 and saves 0.002 · 1 000 = 2 expected
    # at λ = 0 (not worth it), plus λ · 0.04 · 1 000 = 40 at λ = 1 (worth it):
    # λ = 0: Hsinchu 120, cost 8 400 + 0.002 · 60 · 1 000 = 8 520, CVaR 0.04 · 60 000 = 2 400;
    # λ = 1: Hsinchu 20 and Dallas 20 a period: 60 · 70 + 60 · 100 = 10 200, CVaR 0.
    scenario = [CapacityScenario(0.002, lost(0.5), "Hsinchu at half")]
    neutral = source_under_risk(PROBLEM, scenario)
    assert units(neutral.plan, "hsinchu") == pytest.approx(120)
    assert neutral.expected_cost_usd == pytest.approx(8520)
    assert neutral.cvar_usd == pytest.approx(2400)
    averse = source_under_risk(PROBLEM, scenario, RiskSettings(risk_aversion=1.0))
    assert units(averse.plan, "hsinchu") == pytest.approx(60)
    assert units(averse.plan, "dallas") == pytest.approx(60)
    assert averse.expected_cost_usd == pytest.approx(10200)
    assert averse.cvar_usd == pytest.approx(0, abs=1e-6)


def test_the_frontier_trades_expected_cost_for_tail_risk_monotonically() -> None:
    scenarios = [
        CapacityScenario(0.004, lost(1.0), "Hsinchu down"),
        CapacityScenario(0.01, lost(0.5, range(1, 3)), "Hsinchu at half, late"),
        CapacityScenario(0.03, {("tray@dallas", 2): 1.0}, "Dallas down, week 3"),
    ]
    lambdas = [0.0, 0.05, 0.2, 0.5, 1.0, 3.0, 10.0]
    points = efficient_frontier(PROBLEM, scenarios, lambdas, RiskSettings(surge=SURGE))
    assert [p.risk_aversion for p in points] == lambdas
    costs = [p.expected_cost_usd for p in points]
    risks = [p.cvar_usd for p in points]
    assert all(b >= a - 1e-6 for a, b in pairwise(costs))
    assert all(b <= a + 1e-6 for a, b in pairwise(risks))
    assert risks[0] > risks[-1]  # risk aversion buys something here


def test_cvar_of_a_discrete_loss_by_hand() -> None:
    # 10 % tail: 0.02 at 100 and 0.08 of the 0.1 at 50 → (2 + 4) / 0.1 = 60
    assert cvar([100.0, 50.0], [0.02, 0.1], 0.9) == pytest.approx(60)
    assert cvar([100.0], [0.5], 0.0) == pytest.approx(50)  # α = 0: the mean


def test_bad_scenarios_name_the_entry_and_the_fix() -> None:
    with pytest.raises(InputError) as caught:
        source_under_risk(PROBLEM, [CapacityScenario(0.1, {("tray@nowhere", 0): 1.0})])
    assert caught.value.where == "scenarios[0].lost[tray@nowhere][0]"
    with pytest.raises(InputError):
        source_under_risk(PROBLEM, [CapacityScenario(0.7, {}), CapacityScenario(0.7, {})])
    with pytest.raises(InputError):
        source_under_risk(PROBLEM, [], RiskSettings(alpha=1.0))


def test_a_regional_class_becomes_a_scenario_on_that_regions_offers() -> None:
    taiwan = ScenarioClass("strait", "region", 0.1, regions=("TW",), capacity_loss=0.5)
    texas = ScenarioClass("freeze", "region", 0.2, regions=("US",))
    site = ScenarioClass("fire", "site", 0.5)
    tw, us = class_scenarios(PROBLEM, [taiwan, texas, site], outage_periods=2)
    assert tw.lost == {("tray@hsinchu", 0): 0.5, ("tray@hsinchu", 1): 0.5}
    assert set(us.lost) == {("tray@dallas", 0), ("tray@dallas", 1)}  # "US" covers US-TX
    assert tw.probability == pytest.approx(1 - 0.9 ** (3 / 52))  # 3 weekly periods


def test_a_site_class_strikes_one_supplier_of_its_regions_each_equally_likely() -> None:
    fire = ScenarioClass("fire", "site", 0.5, regions=("TW", "US"), title="Site fire")
    scenarios = class_scenarios(PROBLEM, [fire], outage_periods=1)
    assert [s.name for s in scenarios] == ["Site fire: dallas", "Site fire: hsinchu"]
    assert [set(s.lost) for s in scenarios] == [{("tray@dallas", 0)}, {("tray@hsinchu", 0)}]
    whole = 1 - 0.5 ** (3 / 52)  # the class strikes once within the 3 weekly periods
    assert [s.probability for s in scenarios] == pytest.approx([whole / 2, whole / 2])


def test_relax_and_fix_finds_the_same_golden_plan_within_its_gap() -> None:
    scenario = [CapacityScenario(0.002, lost(1.0), "Hsinchu down")]
    settings = RiskSettings(surge=SURGE, risk_aversion=1.0, mip_gap=0.01)
    fixed = source_under_risk(PROBLEM, scenario, settings, method="fix")
    assert fixed.mip_gap <= 0.01
    assert fixed.expected_cost_usd == pytest.approx(8792.4, rel=0.01)
    assert fixed.plan is not None and fixed.plan.awards


def test_the_frontiers_cost_is_spend_not_the_objectives_rule_penalties() -> None:
    # a critical part with one qualified source breaks the 2-source rule: its slack is priced
    # in the objective, but only the 120 trays at 70 USD are paid for
    alone = SourcingProblem(
        demand=demand_from_schedule({"tray": [40, 40, 40]}),
        offers=(HSINCHU,),
        period_years=(2027, 2027, 2027),
        critical_parts=frozenset({"tray"}),
        rules=SourcingRules(domestic_floor={}),
    )
    (point,) = efficient_frontier(alone, [], [0.0])
    assert point.first_stage_usd == pytest.approx(120 * 70)
    assert point.expected_cost_usd == pytest.approx(120 * 70)
