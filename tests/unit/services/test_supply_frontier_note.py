"""The plan report says so when the cost/risk frontier is one plan (services/supply_stage)."""

from __future__ import annotations

from rackforge.services.supply_stage import SupplyPlanResult, supply_section
from rackforge.supply.sourcing import SourcingPlan
from rackforge.supply.sourcing_risk import FrontierPoint

PLAN = SourcingPlan(
    awards=(),
    purchase_cost_usd=0.0,
    take_or_pay_usd=0.0,
    risk_cost_usd=0.0,
    domestic_share_by_year={},
    violations=(),
    shadow_prices=(),
)


def _notes(points: tuple[FrontierPoint, ...]) -> list[str]:
    section = supply_section(SupplyPlanResult(notes=(), plan=PLAN, frontier=points))
    return [n for n in section.notes if "frontier" in n]


def test_a_frontier_of_one_plan_is_named_with_the_risk_it_leaves() -> None:
    same = tuple(FrontierPoint(lam, 516.3e6, 780.0e6, 464.1e6) for lam in (0.0, 1.0, 16.0))
    (note,) = _notes(same)
    assert "single plan" in note and "USD 780,000,000" in note


def test_a_frontier_that_trades_cost_for_risk_has_no_such_note() -> None:
    bending = (
        FrontierPoint(0.0, 100.0e6, 50.0e6, 90.0e6),
        FrontierPoint(1.0, 104.0e6, 20.0e6, 95.0e6),
    )
    assert _notes(bending) == []
