"""Multi-sourcing: who supplies each part in each period, at least cost plus risk, within rules.

A mixed-integer program solved with HiGHS. Inputs are plain typed records, independent of any
file format: a service maps a supplier pool and a BOM-exploded demand onto them. Periods are
consecutive planning buckets (weeks in the issue's benchmark); `period_years` maps each to the
calendar year whose domestic-content floor applies.

Variables, per offer o (a part from a supplier) and period t:
- x[o,t] ≥ 0 units bought; u[o] ∈ {0, 1} the offer is used; for price breaks, z[o,b] ∈ {0, 1}
  picks the tier b whose quantity range holds the offer's total and q[o,b] ≥ 0 that total
  (all-units discount: every unit at the tier's price).

Rules (each a row; those a planner may have to give up are elastic, see below):
- demand:      Σ_o x[o,t] + short[p,t] = d[p,t] for each part p and period t (no more is
               bought than needed: extra domestic units must not buy the domestic floor);
- capacity:    x[o,t] ≤ capacity_o · u[o]; nothing before the offer's lead time (t < L_o);
- MOQ:         Σ_t x[o,t] ≥ moq_o · u[o], and a used offer takes at least `min_award_share`
               of its part's demand (default 10 %: a second source kept warm, not a name on a
               list — RackForge's planning convention), so "k sources" means k buying;
- price tier:  Σ_b z[o,b] = u[o], lo_b · z[o,b] ≤ q[o,b] ≤ hi_b · z[o,b], Σ_b q[o,b] = Σ_t x[o,t];
- contract:    Σ_t x[o,t] ≥ committed_o, or with take-or-pay the units not taken are paid;
- k sources:   Σ_{o of p, qualified} u[o] ≥ k_p for a critical part p;
- shares:      Σ_t x[o,t] ≤ s_max · D_p per supplier of a part with two or more offers, and
               per region r: Σ_{o in r} ≤ r_max · D_p;
- domestic:    Σ_o (dom_o − f_Y) · c_o · x[o,t] ≥ 0 over the periods t of year Y, f_Y the
               floor (FAR 25.101: 65 % through 2028, 75 % from 2029), c_o the offer's first
               price break: the cost basis of the domestic-content test (the tier actually
               bought may be cheaper; the test is on component cost, and list cost is used so
               the row stays linear).
Suspended offers are excluded; critical parts take qualified offers only.

Objective: Σ price · q + take-or-pay payments + λ · Σ_o risk_o · c_o · Σ_t x[o,t] (risk-weighted
spend) + penalties on elastic slacks. Elastic relaxation: unmet demand, missing sources, share
excess, the domestic gap and unmet commitments each have a slack priced far above any purchase
(`VIOLATION_PENALTY`), so the solver gives up a rule only when the rules cannot all hold, and
the plan names each rule given up and by how much — never a bare "infeasible". Rules come
first, then cost: when the optimum gives a rule up, a second solve caps each rule's slack at
that amount and prices it at zero, so the plan is the cheapest that breaks no rule further,
and its MIP gap measures cost (with the penalties in the objective, a relative gap of the
objective would be a gap of the penalties, which dwarf any purchase).

Explanation: with the binaries fixed at the optimum, the LP is solved again and its duals read
as shadow prices: the value of one more unit of capacity of an offer in a period, and of one
more point of domestic floor; each supplier's share is explained by the rows that bind it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from rackforge.errors import InputError
from rackforge.supply.lp import INF, LinearProgram, Solution

VIOLATION_PENALTY = 1e3
"""Slack price, as a multiple of the largest unit price: large enough that no purchase saving
pays for breaking a rule, small enough to keep HiGHS's tolerances meaningful."""
_GIVEN_UP = 1e-6
"""A slack above this breaks its rule (the plan's `violations` use the same threshold)."""


def far_domestic_floor(year: int) -> float:
    """FAR 25.101(a) domestic-content threshold by the year of delivery: 65 % for 2024–2028,
    75 % from 2029 (FAR Case 2019-016, final rule, 87 FR 12780, 2022-03-07)."""
    if year <= 2023:
        return 0.60
    return 0.65 if year <= 2028 else 0.75


@dataclass(frozen=True, slots=True)
class PriceBreak:
    """From `min_units` units in total over the horizon, every unit costs `unit_price_usd`."""

    min_units: float
    unit_price_usd: float


@dataclass(frozen=True, slots=True)
class Offer:
    """A supplier's offer of one part, with the terms sourcing must respect."""

    part: str
    supplier: str
    region: str
    price_breaks: tuple[PriceBreak, ...]
    capacity_per_period: float
    lead_time_periods: int = 0
    moq: float = 0.0
    domestic_share: float = 0.0
    committed_units: float = 0.0
    take_or_pay: bool = False
    risk: float = 0.0
    qualified: bool = True
    suspended: bool = False

    @property
    def key(self) -> str:
        return f"{self.part}@{self.supplier}"

    @property
    def list_price(self) -> float:
        return self.price_breaks[0].unit_price_usd


@dataclass(frozen=True, slots=True)
class SourcingRules:
    """The rules sourcing keeps; the defaults are RackForge's planning conventions (below)."""

    max_supplier_share: float = 1.0
    min_award_share: float = 0.1
    max_region_share: Mapping[str, float] = field(default_factory=dict)
    min_suppliers_critical: int = 2
    domestic_floor: Mapping[int, float] | None = None
    risk_weight: float = 0.0

    def floor(self, year: int) -> float:
        if self.domestic_floor is not None:
            return self.domestic_floor.get(year, 0.0)
        return far_domestic_floor(year)


@dataclass(frozen=True, slots=True)
class SourcingProblem:
    """Demand per (part, period), the offers, which parts are critical, and the rules."""

    demand: Mapping[tuple[str, int], float]
    offers: tuple[Offer, ...]
    period_years: tuple[int, ...]
    critical_parts: frozenset[str] = frozenset()
    rules: SourcingRules = field(default_factory=SourcingRules)


@dataclass(frozen=True, slots=True)
class Award:
    """What one offer was awarded: units per period, the tier bought and why."""

    part: str
    supplier: str
    units: tuple[float, ...]
    total_units: float
    unit_price_usd: float
    cost_usd: float
    share: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule the rules together could not keep, and by how much."""

    rule: str
    subject: str
    amount: float
    message: str


@dataclass(frozen=True, slots=True)
class ShadowPrice:
    """The objective's fall per unit of a binding rule's limit relaxed (LP with binaries fixed)."""

    rule: str
    subject: str
    usd_per_unit: float
    unit: str


@dataclass(frozen=True, slots=True)
class SourcingPlan:
    awards: tuple[Award, ...]
    purchase_cost_usd: float
    take_or_pay_usd: float
    risk_cost_usd: float
    domestic_share_by_year: Mapping[int, float]
    violations: tuple[Violation, ...]
    shadow_prices: tuple[ShadowPrice, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def source(problem: SourcingProblem) -> SourcingPlan:
    """The least-cost-plus-risk plan (module docstring); rules broken only when they conflict."""
    _check(problem)
    model = _Model(problem)
    mip = model.lp.solve()
    if model.gives_up(mip.values):  # rules first, then cost (module docstring)
        model.hold_violations(mip.values)
        mip = model.lp.solve(start=mip.values)
    # the same model as an LP with the integers at the MILP's values: duals are shadow prices
    for column, name in model.binaries:
        model.lp.fix(column, round(mip.values[name]))
    lp = model.lp.solve()
    return model.plan(mip, lp)


def _check(problem: SourcingProblem) -> None:
    periods = len(problem.period_years)
    for (part, t), units in problem.demand.items():
        if not 0 <= t < periods:
            raise InputError(
                f"demand for {part} in period {t}, outside the {periods} planned periods",
                where=f"demand[{part}][{t}]",
                fix=f"use periods 0..{periods - 1}, or add years to period_years",
            )
        if units < 0:
            raise InputError(
                f"negative demand {units:g}", where=f"demand[{part}][{t}]", fix="use units ≥ 0"
            )
    for offer in problem.offers:
        breaks = offer.price_breaks
        if not breaks or any(b.min_units >= a.min_units for b, a in pairwise(breaks)):
            raise InputError(
                f"offer {offer.key}: price breaks must be non-empty and ascending in quantity",
                where=f"offers[{offer.key}].price_breaks",
                fix="list breaks from the smallest quantity up, the first at 0 units",
            )
        if not 0.0 <= offer.domestic_share <= 1.0:
            raise InputError(
                f"offer {offer.key}: domestic_share {offer.domestic_share:g}",
                where=f"offers[{offer.key}].domestic_share",
                fix="give a fraction between 0 and 1",
            )


class _Model:
    """The MILP of one problem, with the row indices the explanation reads."""

    def __init__(self, problem: SourcingProblem) -> None:
        self.problem = problem
        self.lp = LinearProgram(maximize=False)
        self.binaries: list[tuple[int, str]] = []
        self.periods = len(problem.period_years)
        self.parts = sorted({part for part, _ in problem.demand} | {o.part for o in problem.offers})
        self.total = {
            p: sum(problem.demand.get((p, t), 0.0) for t in range(self.periods)) for p in self.parts
        }
        self.offers = [o for o in problem.offers if self._usable(o)]
        top_price = max((b.unit_price_usd for o in self.offers for b in o.price_breaks), default=1)
        self.penalty = VIOLATION_PENALTY * max(top_price, 1.0)
        self.x: dict[tuple[str, int], int] = {}
        self.u: dict[str, int] = {}
        self.q: dict[str, list[tuple[PriceBreak, int]]] = {}
        self.z: dict[str, list[int]] = {}
        self.slacks: list[tuple[str, str, str, str]] = []  # column name, rule, subject, unit
        self.held = False  # slacks capped at a plan's violations (`hold_violations`)
        self.capacity_rows: dict[tuple[str, int], int] = {}
        self.rows_of_offer: dict[str, list[int]] = defaultdict(list)
        self.share_rows: dict[str, int] = {}
        self.floor_rows: dict[int, int] = {}
        self.topay: dict[str, int] = {}
        self._build()

    def _usable(self, offer: Offer) -> bool:
        if offer.suspended:
            return False
        return offer.qualified or offer.part not in self.problem.critical_parts

    def gives_up(self, values: Mapping[str, float]) -> bool:
        """Whether `values` break a rule: an elastic slack above zero."""
        return any(values[name] > _GIVEN_UP for name, *_ in self.slacks)

    def hold_violations(self, values: Mapping[str, float]) -> None:
        """The second phase of a plan that breaks rules: each rule's slack capped at its
        amount in `values` and priced at zero, so that what is minimised, and what a MIP gap
        measures, is the plan's cost — not the rule penalties, which dwarf it."""
        for name, *_ in self.slacks:
            # room for the solver's feasibility tolerance (1e-7), no more: a free slack is used
            cap = max(0.0, values[name]) + 1e-7 * max(1.0, values[name])
            self.lp.limit(self.lp.column_index(name), upper=cap, cost=0.0)
        self.held = True

    def _slack(self, rule: str, subject: str, unit: str, *, cost: float | None = None) -> int:
        """An elastic slack of `rule`, priced at `cost` per unit (default: the unit penalty)."""
        name = f"slack[{rule}][{subject}]"
        column = self.lp.column(name, cost=self.penalty if cost is None else cost)
        self.slacks.append((name, rule, subject, unit))
        return column

    def _binary(self, name: str) -> int:
        column = self.lp.column(name, upper=1, integer=True)
        self.binaries.append((column, name))
        return column

    def _build(self) -> None:
        lp, rules = self.lp, self.problem.rules
        risk_weight = rules.risk_weight
        for o in self.offers:
            cap_total = o.capacity_per_period * self.periods
            u = self.u[o.key] = self._binary(f"u[{o.key}]")
            for t in range(self.periods):
                upper = 0.0 if t < o.lead_time_periods else INF
                risk_cost = risk_weight * o.risk * o.list_price
                self.x[(o.key, t)] = lp.column(f"x[{o.key}][{t}]", upper=upper, cost=risk_cost)
                self.capacity_rows[(o.key, t)] = lp.row(
                    {self.x[(o.key, t)]: 1.0, u: -o.capacity_per_period},
                    upper=0.0,
                    name=f"capacity {o.key} period {t}",
                )
                self.rows_of_offer[o.key].append(self.capacity_rows[(o.key, t)])
            bought = {self.x[(o.key, t)]: 1.0 for t in range(self.periods)}
            lp.row({**bought, u: -o.moq}, lower=0.0, name=f"MOQ {o.key}")
            least = rules.min_award_share * self.total.get(o.part, 0.0)
            if least > 0:
                lp.row({**bought, u: -least}, lower=0.0, name=f"least award {o.key}")
            tiers: list[tuple[PriceBreak, int]] = []
            picks = self.z[o.key] = []
            choose: dict[int, float] = {u: -1.0}
            total_row: dict[int, float] = {c: -1.0 for c in bought}
            for b, brk in enumerate(o.price_breaks):
                hi = o.price_breaks[b + 1].min_units if b + 1 < len(o.price_breaks) else cap_total
                z = self._binary(f"z[{o.key}][{b}]")
                picks.append(z)
                q = lp.column(f"q[{o.key}][{b}]", cost=brk.unit_price_usd)
                lp.row({q: 1.0, z: -brk.min_units}, lower=0.0, name=f"tier {b} floor {o.key}")
                lp.row({q: 1.0, z: -max(hi, brk.min_units)}, upper=0.0, name=f"tier {b} {o.key}")
                choose[z] = 1.0
                total_row[q] = 1.0
                tiers.append((brk, q))
            self.q[o.key] = tiers
            lp.row(choose, lower=0.0, upper=0.0, name=f"one tier {o.key}")
            lp.row(total_row, lower=0.0, upper=0.0, name=f"tier total {o.key}")
            self._contract(o, bought)
        self._demand_rows()
        self._source_rows()
        self._share_rows()
        self._domestic_rows()

    def _contract(self, o: Offer, bought: dict[int, float]) -> None:
        if o.committed_units <= 0:
            return
        if o.take_or_pay:
            paid = self.lp.column(f"topay[{o.key}]", cost=o.list_price)
            self.topay[o.key] = paid
            self.lp.row({**bought, paid: 1.0}, lower=o.committed_units, name=f"take-or-pay {o.key}")
        else:
            gap = self._slack("commitment", o.key, "units")
            self.lp.row({**bought, gap: 1.0}, lower=o.committed_units, name=f"commitment {o.key}")

    def _demand_rows(self) -> None:
        by_part: dict[str, list[Offer]] = defaultdict(list)
        for o in self.offers:
            by_part[o.part].append(o)
        for part in self.parts:
            for t in range(self.periods):
                units = self.problem.demand.get((part, t), 0.0)
                terms = {self.x[(o.key, t)]: 1.0 for o in by_part[part]}
                if units > 0:
                    # unmet demand is the last rule to give: ten times any other slack
                    short = self._slack(
                        "demand", f"{part} period {t}", "units", cost=10 * self.penalty
                    )
                    terms[short] = 1.0
                if terms:  # nothing bought beyond the need, even in a week with none
                    self.lp.row(terms, lower=units, upper=units, name=f"demand {part} period {t}")

    def _source_rows(self) -> None:
        k = self.problem.rules.min_suppliers_critical
        for part in sorted(self.problem.critical_parts):
            if self.total.get(part, 0.0) <= 0:
                continue
            missing = self._slack("sources", part, "suppliers")
            terms = {self.u[o.key]: 1.0 for o in self.offers if o.part == part}
            self.lp.row({**terms, missing: 1.0}, lower=k, name=f"{k} sources {part}")

    def _share_rows(self) -> None:
        rules = self.problem.rules
        sources: dict[str, int] = defaultdict(int)
        for o in self.offers:
            sources[o.part] += 1
        for o in self.offers:
            # a cap on a sole source is no choice: its gap shows as a missing source instead
            if (
                rules.max_supplier_share < 1.0
                and self.total.get(o.part, 0.0) > 0
                and (sources[o.part] > 1)
            ):
                cap = rules.max_supplier_share * self.total[o.part]
                over = self._slack("supplier share", o.key, "units")
                terms = {self.x[(o.key, t)]: 1.0 for t in range(self.periods)}
                self.share_rows[o.key] = self.lp.row(
                    {**terms, over: -1.0}, upper=cap, name=f"supplier share {o.key}"
                )
        for region, share in sorted(rules.max_region_share.items()):
            for part in self.parts:
                if share >= 1.0 or self.total.get(part, 0.0) <= 0:
                    continue
                offers = [o for o in self.offers if o.part == part and o.region == region]
                if not offers:
                    continue
                over = self._slack("region share", f"{part} in {region}", "units")
                terms = {self.x[(o.key, t)]: 1.0 for o in offers for t in range(self.periods)}
                self.lp.row(
                    {**terms, over: -1.0},
                    upper=share * self.total[part],
                    name=f"region share {part} {region}",
                )

    def _domestic_rows(self) -> None:
        years = self.problem.period_years
        for year in sorted(set(years)):
            floor = self.problem.rules.floor(year)
            if floor <= 0:
                continue
            terms: dict[int, float] = {}
            for o in self.offers:
                for t in (t for t in range(self.periods) if years[t] == year):
                    terms[self.x[(o.key, t)]] = (o.domestic_share - floor) * o.list_price
            # the gap is in USD of domestic spend: VIOLATION_PENALTY per USD short
            gap = self._slack("domestic content", str(year), "USD", cost=VIOLATION_PENALTY)
            self.floor_rows[year] = self.lp.row(
                {**terms, gap: 1.0}, lower=0.0, name=f"domestic floor {year}"
            )

    # -- reading the solution ---------------------------------------------------------------

    def plan(self, mip: Solution, lp: Solution) -> SourcingPlan:
        values = mip.values
        awards = []
        purchase = 0.0
        for o in self.offers:
            units = tuple(values[f"x[{o.key}][{t}]"] for t in range(self.periods))
            total = sum(units)
            if total <= 1e-6:
                continue
            cost = sum(brk.unit_price_usd * values[f"q[{o.key}][{b}]"] for b, (brk, _) in
                       enumerate(self.q[o.key]))  # fmt: skip
            purchase += cost
            share = total / self.total[o.part] if self.total.get(o.part) else 0.0
            awards.append(
                Award(
                    part=o.part,
                    supplier=o.supplier,
                    units=units,
                    total_units=total,
                    unit_price_usd=cost / total,
                    cost_usd=cost,
                    share=share,
                    reasons=self._reasons(o, lp, total),
                )
            )
        topay = sum(
            values[f"topay[{o.key}]"] * o.list_price for o in self.offers if o.key in self.topay
        )
        risk = sum(
            self.problem.rules.risk_weight * o.risk * o.list_price * values[f"x[{o.key}][{t}]"]
            for o in self.offers
            for t in range(self.periods)
        )
        return SourcingPlan(
            awards=tuple(awards),
            purchase_cost_usd=purchase,
            take_or_pay_usd=topay,
            risk_cost_usd=risk,
            domestic_share_by_year=self._domestic_shares(values),
            violations=self._violations(values),
            shadow_prices=self._shadow_prices(lp),
        )

    def _domestic_shares(self, values: Mapping[str, float]) -> dict[int, float]:
        spend: dict[int, float] = defaultdict(float)
        domestic: dict[int, float] = defaultdict(float)
        for o in self.offers:
            for t, year in enumerate(self.problem.period_years):
                basis = o.list_price * values[f"x[{o.key}][{t}]"]
                spend[year] += basis
                domestic[year] += o.domestic_share * basis
        return {year: domestic[year] / spend[year] for year in sorted(spend) if spend[year] > 0}

    def _violations(self, values: Mapping[str, float]) -> tuple[Violation, ...]:
        found = []
        for name, rule, subject, unit in self.slacks:
            amount = values[name]
            if amount > _GIVEN_UP:
                found.append(
                    Violation(rule, subject, amount, _message(rule, subject, amount, unit))
                )
        return tuple(found)

    def _shadow_prices(self, lp: Solution) -> tuple[ShadowPrice, ...]:
        if not lp.duals:
            return ()
        prices = []
        for (key, t), row in sorted(self.capacity_rows.items()):
            dual = -lp.duals[row]
            if dual > 1e-6:
                prices.append(ShadowPrice("capacity", f"{key} period {t}", dual, "USD per unit"))
        for year, row in sorted(self.floor_rows.items()):
            dual = lp.duals[row]
            if abs(dual) > 1e-9:
                # d cost / d floor: the row is Σ (dom − f)·c·x ≥ 0, so one point of floor moves
                # its left side by −0.01 · Σ c·x (the year's cost basis)
                basis = sum(
                    o.list_price * lp.values[f"x[{o.key}][{t}]"]
                    for o in self.offers
                    for t, y in enumerate(self.problem.period_years)
                    if y == year
                )
                prices.append(
                    ShadowPrice(
                        "domestic floor", str(year), abs(dual) * 0.01 * basis, "USD per point"
                    )
                )
        return tuple(prices)

    def _reasons(self, o: Offer, lp: Solution, total: float) -> tuple[str, ...]:
        reasons = []
        if lp.duals and any(-lp.duals[row] > 1e-6 for row in self.rows_of_offer[o.key]):
            reasons.append("capacity-bound: every unit it can make is taken")
        row = self.share_rows.get(o.key)
        if row is not None and lp.duals and abs(lp.duals[row]) > 1e-6:
            reasons.append(
                f"capped at the {self.problem.rules.max_supplier_share:.0%} share per supplier"
            )
        if o.moq and abs(total - o.moq) <= 1e-6:
            reasons.append(f"bought at its MOQ of {o.moq:g}")
        if o.committed_units and total <= o.committed_units + 1e-6:
            reasons.append(f"held to its contract of {o.committed_units:g} units")
        years = {y for t, y in enumerate(self.problem.period_years) if values_at(lp, o, t) > 1e-6}
        if lp.duals and any(
            abs(lp.duals[self.floor_rows[y]]) > 1e-9
            and o.domestic_share > self.problem.rules.floor(y)
            for y in years
            if y in self.floor_rows
        ):
            reasons.append("its domestic content holds the domestic floor")
        if o.part in self.problem.critical_parts:
            reasons.append(
                f"one of ≥ {self.problem.rules.min_suppliers_critical} qualified sources of a "
                "critical part"
            )
        if not reasons:
            reasons.append("least cost plus risk for the units it supplies")
        return tuple(reasons)


def values_at(solution: Solution, offer: Offer, period: int) -> float:
    return solution.values[f"x[{offer.key}][{period}]"]


def _message(rule: str, subject: str, amount: float, unit: str) -> str:
    texts = {
        "demand": f"{amount:,.4g} units of {subject} cannot be bought: the offers' capacity, "
        "lead times and rules fall short; add a supplier or capacity",
        "sources": f"{subject} lacks {amount:.0f} qualified supplier(s) for its required count: "
        "qualify a second source",
        "supplier share": f"{subject} must supply {amount:,.4g} units beyond the share cap: "
        "no other supplier can take them",
        "region share": f"{subject}: {amount:,.4g} units beyond the region's share cap",
        "domestic content": f"year {subject}: domestic spend falls USD {amount:,.0f} short of "
        "the floor: qualify domestic offers or relax the floor",
        "commitment": f"{subject}: {amount:,.4g} committed units are not needed by the plan",
    }
    return texts.get(rule, f"{rule} {subject}: {amount:g} {unit}")


def awards_by_part(plan: SourcingPlan) -> dict[str, list[Award]]:
    """The plan's awards grouped by part, largest share first."""
    grouped: dict[str, list[Award]] = defaultdict(list)
    for award in plan.awards:
        grouped[award.part].append(award)
    return {p: sorted(a, key=lambda x: -x.share) for p, a in sorted(grouped.items())}


def demand_from_schedule(
    schedule: Mapping[str, Sequence[float]],
) -> dict[tuple[str, int], float]:
    """{part: units per period} as the (part, period) → units mapping `SourcingProblem` takes."""
    return {(part, t): u for part, units in schedule.items() for t, u in enumerate(units) if u}
