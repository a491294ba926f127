"""BOM-exploded part demand per weekly period, from the racks each family needs and when.

Until production planning exists (issue 5), a fleet's racks are built evenly over the
`build_weeks` before its need-by date (the family's training start: release date minus the
training days), and each rack's parts are bought in the week it is built. Parts are those of
the design's bill of materials, each at its quantity per rack; a part two designs share adds
up. Periods are weeks numbered from the Monday of the plan's start (`start`: the program's
horizon start, from which lead times count; default the earliest build week); a build week
before the start is due in week 0 — already late. `period_years` gives each period's calendar
year (for the domestic-content floor of the year of delivery).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rackforge.errors import InputError

BUILD_WEEKS = 13
"""A quarter's ramp: the weeks a fleet's racks are built over before its need-by date —
RackForge's planning convention until the production plan (issue 5) sets real build slots."""


@dataclass(frozen=True, slots=True)
class FleetNeed:
    """`racks` of `design`, all needed by `need_by`."""

    design: str
    racks: int
    need_by: date


@dataclass(frozen=True, slots=True)
class PartDemand:
    """Units per (part, period), the weeks' start dates and years, and each part's total."""

    demand: Mapping[tuple[str, int], float]
    week_starts: tuple[date, ...]
    totals: Mapping[str, float]

    @property
    def period_years(self) -> tuple[int, ...]:
        return tuple(week.year for week in self.week_starts)


def explode(
    fleets: Sequence[FleetNeed],
    parts_per_rack: Mapping[str, Mapping[str, float]],
    *,
    build_weeks: int = BUILD_WEEKS,
    start: date | None = None,
) -> PartDemand:
    """Weekly part demand of `fleets`; `parts_per_rack[design][part]` = units per rack."""
    if build_weeks < 1:
        raise InputError(f"build_weeks {build_weeks}", where="build_weeks", fix="use ≥ 1 week")
    if not fleets:
        return PartDemand(demand={}, week_starts=(), totals={})
    for fleet in fleets:
        if fleet.design not in parts_per_rack:
            raise InputError(
                f"no bill of materials for design {fleet.design!r}",
                where=fleet.design,
                fix="build its BOM first (rackforge rack bom)",
            )
    first = min(_monday(f.need_by) - timedelta(weeks=build_weeks) for f in fleets)
    if start is not None:
        first = _monday(start)
    last = max(_monday(f.need_by) for f in fleets)
    weeks = max((last - first).days // 7, 1)
    demand: dict[tuple[str, int], float] = defaultdict(float)
    totals: dict[str, float] = defaultdict(float)
    for fleet in fleets:
        end = (_monday(fleet.need_by) - first).days // 7
        begin = end - build_weeks
        per_week = _spread(fleet.racks, build_weeks)
        for offset, racks in enumerate(per_week):
            if not racks:
                continue
            week = max(begin + offset, 0)
            for part, units in parts_per_rack[fleet.design].items():
                demand[(part, week)] += racks * units
                totals[part] += racks * units
    starts = tuple(first + timedelta(weeks=w) for w in range(weeks))
    return PartDemand(demand=dict(demand), week_starts=starts, totals=dict(totals))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _spread(racks: int, weeks: int) -> list[int]:
    """Whole racks per week, as even as whole racks allow (the first weeks take the rest)."""
    base, extra = divmod(racks, weeks)
    return [base + (1 if w < extra else 0) for w in range(weeks)]
