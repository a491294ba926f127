"""Part demand per week from fleets and bills of materials."""

from __future__ import annotations

from datetime import date

import pytest

from rackforge.errors import InputError
from rackforge.supply.demand import FleetNeed, explode

PARTS = {"nvl72": {"tray": 18, "cdu": 1}, "dgx": {"tray": 1, "psu": 6}}


def test_a_fleet_is_built_evenly_over_the_weeks_before_its_need_by_date() -> None:
    # 26 racks over 13 weeks: 2 a week, 36 trays and 2 CDUs a week; need-by a Monday
    got = explode([FleetNeed("nvl72", 26, date(2027, 3, 1))], PARTS)
    assert len(got.week_starts) == 13
    assert got.week_starts[0] == date(2026, 11, 30) and got.week_starts[-1] == date(2027, 2, 22)
    assert [got.demand[("tray", w)] for w in range(13)] == [36] * 13
    assert got.totals == {"tray": 26 * 18, "cdu": 26}
    assert got.period_years[:5] == (2026, 2026, 2026, 2026, 2026)
    assert got.period_years[-1] == 2027


def test_whole_racks_only_and_shared_parts_add_up() -> None:
    got = explode(
        [FleetNeed("nvl72", 14, date(2027, 3, 3)), FleetNeed("dgx", 5, date(2027, 3, 3))],
        PARTS,
        build_weeks=4,
    )
    # 14 racks over 4 weeks: 4, 4, 3, 3; 5 DGX: 2, 1, 1, 1
    assert [got.demand[("cdu", w)] for w in range(4)] == [4, 4, 3, 3]
    assert [got.demand[("tray", w)] for w in range(4)] == [4 * 18 + 2, 4 * 18 + 1, 3 * 18 + 1,
                                                           3 * 18 + 1]  # fmt: skip
    assert sum(v for (p, _), v in got.demand.items() if p == "tray") == got.totals["tray"]


def test_a_design_without_a_bom_is_named() -> None:
    with pytest.raises(InputError) as caught:
        explode([FleetNeed("ghost", 1, date(2027, 1, 4))], PARTS)
    assert caught.value.where == "ghost"


def test_builds_before_the_plan_start_are_due_in_its_first_week() -> None:
    # need-by 2027-03-01, 13 build weeks from 2026-11-30; the plan starts 2027-01-04
    got = explode([FleetNeed("nvl72", 26, date(2027, 3, 1))], PARTS, start=date(2027, 1, 4))
    assert got.week_starts[0] == date(2027, 1, 4)
    assert got.demand[("cdu", 0)] == 2 * 6  # the five weeks before the start, and week 0
    assert got.totals["cdu"] == 26
