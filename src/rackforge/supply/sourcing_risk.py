"""Sourcing under disruption risk: a two-stage stochastic MILP with a CVaR term on shortfall.

The deterministic model (`rackforge.supply.sourcing`, its rows and costs unchanged) is the
first stage: awards x[o,t], used offers u[o] and price tiers are decided before the
uncertainty is known. A scenario s, of probability p_s (`CapacityScenario`), removes a share
ℓ[s,o,t] of offer o's capacity c_o in period t. The residual probability 1 − Σ_s p_s is the
nominal scenario: nothing is lost, nothing is bought or short in it.

Second stage, per scenario s — rows only where s touches something (a sparse expansion):

- lost:      L[s,o,t] ≥ x[o,t] − (1 − ℓ[s,o,t]) · c_o,  L ≥ 0, for every (o, t) the scenario
             hits: the planned units the damaged offer can no longer make (where ℓ = 1,
             L = x[o,t] itself: no column, no row);
- recourse:  r[s,o',t] ≤ σ_o' · (1 − ℓ[s,o',t]) · c_o' · u[o'] for an awarded offer o' of the
             same part with a contingency clause (`SurgeClause`: surge share σ of its capacity,
             reachable w periods after the scenario starts), only for periods
             t ≥ start_s + w_o' and t ≥ its lead time; bought at (1 + premium) × list price
             (`RiskSettings.recourse_premium`, an explicit input: surge capacity is expedited,
             overtime or spot-bought, dearer than the contract);
- shortfall: short[s,p,t] ≥ Σ_{o of p hit} L[s,o,t] − Σ_{o' of p} r[s,o',t],  short ≥ 0, for
             each part p and period t the scenario hits;
- S_s = Σ_{p,t} v_p · short[s,p,t], the scenario's shortfall cost, v_p = shortfall_multiple ×
  the part's highest list price (`RiskSettings.shortfall_multiple`: a unit not delivered costs
  its value that many times over — a rack not shipped, a line stopped).

Objective: first-stage cost (sourcing's: purchases, take-or-pay, risk-weighted spend, slacks)
+ Σ_s p_s · ((1 + premium) · Σ list_o' · r[s,o',t] + S_s) + λ · CVaR_α(S): expected total cost
plus λ times the shortfall tail (`RiskSettings.price_expected_shortfall=False` drops the
expected S_s, leaving shortfall priced by the CVaR term alone), with CVaR linearised after
Rockafellar & Uryasev ("Optimization of conditional value-at-risk", J. of Risk 2(3), 2000):

    CVaR_α(S) = min_η  η + 1/(1 − α) · Σ_s p_s · z_s,   z_s ≥ S_s − η,  z_s ≥ 0.

The nominal scenario has S = 0; as every S_s ≥ 0, the minimising η (the α-VaR) is ≥ 0, so η is
bounded below by 0 and the nominal scenario's z is 0 without a row. With λ = 0 the plan is
risk-neutral (least expected cost); with α = 0 CVaR is the mean, E[S]. Recourse is bought in a
scenario only where it is cheaper than the shortfall it saves (at λ = 0: p_s · (1 + premium) ·
list < p_s · v_p, i.e. whenever shortfall_multiple > 1 + premium).

Zero scenarios add nothing: the model is sourcing's, row for row (`tests`).

Solving (`source_under_risk(method=...)`): "mip", HiGHS's branch and bound on the whole
extensive form; "fix", relax-and-fix with a certified gap:

1. the LP relaxation (its optimum is a lower bound), rounded (`_round`): an offer is used where
   its relaxed u > 0, at the cheapest tier its relaxed total reaches;
2. the LP at those binaries, re-solved from the relaxation's basis: a feasible plan;
3. its gap against the relaxation's bound; where that is above `settings.mip_gap`, the bound is
   raised by Lagrangian relaxation (`rackforge.supply.lagrange`): priced at the relaxation's
   duals, the domestic-floor rows (one a year) and the CVaR rows (one a scenario) are the only
   rows that tie parts together, so the rest falls apart into one small MILP per part —
   its offers, tiers, periods and the scenarios' rows on it — each solved exactly; their sum
   bounds the optimum from below and is at least the relaxation. Parts are solved in the order
   of the discount their relaxation takes on fractional price tiers (where it is weakest), and
   only until the plan's gap is within the target;
4. only when the gap is still too wide, the MIP started from the plan.

The relaxation of all-units price breaks is weak (a fractional tier binary buys the discount
below its break): on the benchmark's 1,000-part instance the rounded plan sits 1.6–1.7 % above
the relaxation's bound, and 0.4–1 % above the Lagrangian bound (benchmarks/supply_sourcing.py).
Only the linking rows' duality gap is left, and it does not grow with the number of parts.

`efficient_frontier(problem, scenarios, lambdas)` solves once per λ and returns each plan's
expected cost (first stage + Σ p_s · (recourse_s + S_s)) and CVaR_α(S): the cost/risk trade-off.
With exact optima the expected cost does not fall and the CVaR does not rise as λ grows (the
weighted-sum scalarisation of two objectives); a MIP gap can bend that by up to the gap.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from rackforge.errors import InfeasibleError, InputError
from rackforge.supply.disruption import ScenarioClass, strike_probability
from rackforge.supply.lagrange import lagrangian_bound
from rackforge.supply.lp import FloatArray, IndexArray, Solution, Solver
from rackforge.supply.pool import SupplierPool
from rackforge.supply.sourcing import (
    Offer,
    SourcingPlan,
    SourcingProblem,
    _check,
    _Model,
)

Method = Literal["mip", "fix"]


@dataclass(frozen=True, slots=True)
class CapacityScenario:
    """A disruption: with `probability`, offer `key` loses `share` of its capacity in `period`.

    `lost` maps (offer key "part@supplier", period) → share in (0, 1]. The scenario starts at
    its first period hit (surge clauses count their weeks from there)."""

    probability: float
    lost: Mapping[tuple[str, int], float]
    name: str = ""

    @property
    def start(self) -> int:
        return min((t for _, t in self.lost), default=0)


@dataclass(frozen=True, slots=True)
class SurgeClause:
    """A contingency clause: `surge_share` × capacity more per period, from `within_periods`
    periods after a disruption starts (pool: surge_pct / 100, surge_within_weeks)."""

    surge_share: float
    within_periods: int


@dataclass(frozen=True, slots=True)
class RiskSettings:
    """The second stage's prices and the risk measure (module docstring)."""

    surge: Mapping[str, SurgeClause] = field(default_factory=dict)
    recourse_premium: float = 0.5
    shortfall_multiple: float = 10.0
    alpha: float = 0.95
    risk_aversion: float = 0.0
    price_expected_shortfall: bool = True
    mip_gap: float = 1e-4
    time_limit: float | None = None


@dataclass(frozen=True, slots=True)
class ScenarioOutcome:
    name: str
    probability: float
    recourse_usd: float
    shortfall_units: float
    shortfall_usd: float


@dataclass(frozen=True, slots=True)
class RiskPlan:
    """The first-stage plan, what each scenario costs under it, and the risk figures."""

    plan: SourcingPlan | None
    first_stage_usd: float
    outcomes: tuple[ScenarioOutcome, ...]
    expected_cost_usd: float
    cvar_usd: float
    objective: float
    mip_gap: float

    @property
    def expected_recourse_usd(self) -> float:
        return sum(s.probability * s.recourse_usd for s in self.outcomes)

    @property
    def expected_shortfall_usd(self) -> float:
        return sum(s.probability * s.shortfall_usd for s in self.outcomes)


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    risk_aversion: float
    expected_cost_usd: float
    cvar_usd: float
    first_stage_usd: float


def source_under_risk(
    problem: SourcingProblem,
    scenarios: Sequence[CapacityScenario],
    settings: RiskSettings | None = None,
    *,
    explain: bool = True,
    method: Method = "mip",
) -> RiskPlan:
    """The two-stage plan (module docstring). `explain=False` skips the LP at fixed binaries
    and the award table (`plan` is None): the figures alone, for large instances.

    `method="mip"`: HiGHS's branch and bound to `settings.mip_gap`. `method="fix"`: the
    rounded relaxation, its gap certified against the relaxation's bound raised by the
    Lagrangian bound over parts (module docstring); returned when within `settings.mip_gap`,
    else the MIP is solved starting from it. `settings.time_limit` stops the MIP with its
    incumbent; `RiskPlan.mip_gap` then says how far it may be from optimal."""
    settings = settings or RiskSettings()
    if method == "fix":
        return _relax_and_fix(problem, scenarios, settings, explain=explain)
    return _solve_mip(TwoStageModel(problem, scenarios, settings), explain=explain)


def _relax_and_fix(
    problem: SourcingProblem,
    scenarios: Sequence[CapacityScenario],
    settings: RiskSettings,
    *,
    explain: bool,
) -> RiskPlan:
    """Method "fix" (module docstring), rules first, then cost (`sourcing`'s docstring); the
    MIP from the plan when its gap is still too wide, or from scratch when rounding leaves
    no plan."""
    model = TwoStageModel(problem, scenarios, settings)
    solution = _fixed_plan(model)
    if solution is not None and model.gives_up(solution.values):
        model.hold_violations(solution.values)
        solution = _fixed_plan(model) or solution
    if solution is None:
        return _solve_mip(model, explain=explain)
    if solution.gap > settings.mip_gap:
        return _solve_mip(model, explain=explain, start=solution.values)
    plan = model.plan(solution, solution) if explain else None
    return model.result(solution, plan)


def _fixed_plan(model: TwoStageModel) -> Solution | None:
    """The LP relaxation, its rounded plan, the LP at the rounded binaries (from the
    relaxation's basis), and the plan's gap against the relaxation's bound, raised where
    needed by the Lagrangian bound over parts; None when the rounded binaries leave no plan."""
    target = model.settings.mip_gap
    arrays = model.lp.sparse()
    solver = Solver()
    solver.load(arrays)
    relaxed, x, duals = solver.solve()
    names = model.lp.names
    columns, chosen = model.rounded(dict(zip(names, x.tolist(), strict=True)))
    solver.change_col_bounds(columns, chosen, chosen)
    try:
        objective, values, row_duals = solver.solve()
    except InfeasibleError:
        return None

    def gap(bound: float) -> float:
        return max(0.0, (objective - bound) / max(abs(objective), 1e-9))

    bound = relaxed
    if gap(bound) > target:
        blocks = lagrangian_bound(
            arrays,
            np.asarray(model.lp.integers, dtype=np.intp),
            np.asarray(model.linking_rows, dtype=np.intp),
            x,
            duals,
            priority=model.fractional_discount(x),
            enough=lambda b: gap(b) <= target,
        )
        bound = max(bound, blocks.bound)
    return Solution(
        objective=objective,
        values=dict(zip(names, values.tolist(), strict=True)),
        duals=tuple(row_duals.tolist()),
        gap=gap(bound),
    )


def _round(
    model: TwoStageModel, values: Mapping[str, float]
) -> dict[str, list[tuple[Offer, int | None]]]:
    """Per part, each offer's tier (None: unused) rounded from the LP relaxation: used when
    its relaxed u > 0, at the cheapest tier its relaxed total reaches; then, while the used
    offers' least volumes (the least award share, the tier's floor) sum above the part's
    demand, the offer with the highest floor drops a tier."""
    rules = model.problem.rules
    chosen: dict[str, list[tuple[Offer, int | None]]] = defaultdict(list)
    for o in model.offers:
        if values[f"u[{o.key}]"] <= 1e-6:
            chosen[o.part].append((o, None))
            continue
        total = sum(values[f"q[{o.key}][{b}]"] for b in range(len(o.price_breaks)))
        tier = max(b for b, brk in enumerate(o.price_breaks) if brk.min_units <= total + 1e-6)
        chosen[o.part].append((o, tier))
    for part, offers in chosen.items():
        demand = model.total.get(part, 0.0)
        least = rules.min_award_share * demand
        while True:
            used = [(i, o, t) for i, (o, t) in enumerate(offers) if t is not None]
            floors = (max(least, o.moq, o.price_breaks[t].min_units) for _, o, t in used)
            if sum(floors) <= demand + 1e-6:
                break
            high = [(o.price_breaks[t].min_units, i) for i, o, t in used if t > 0]
            if not high:
                break
            _, i = max(high)
            o, t = offers[i]
            offers[i] = (o, None if t is None else t - 1)
    return chosen


def _solve_mip(
    model: TwoStageModel, *, explain: bool, start: Mapping[str, float] | None = None
) -> RiskPlan:
    limit = model.settings.time_limit
    mip = model.lp.solve(start=start, time_limit=limit)
    if model.gives_up(mip.values) and not model.held:  # rules first, then cost
        model.hold_violations(mip.values)
        mip = model.lp.solve(start=mip.values, time_limit=limit)
    plan = None
    if explain:
        for column, name in model.binaries:
            model.lp.fix(column, round(mip.values[name]))
        plan = model.plan(mip, model.lp.solve())
    return model.result(mip, plan)


def efficient_frontier(
    problem: SourcingProblem,
    scenarios: Sequence[CapacityScenario],
    lambdas: Iterable[float],
    settings: RiskSettings | None = None,
    *,
    method: Method = "mip",
) -> tuple[FrontierPoint, ...]:
    """(expected cost, CVaR_α of shortfall cost) of the optimal plan for each λ, in λ order."""
    settings = settings or RiskSettings()
    points = []
    for lam in sorted(lambdas):
        each = RiskSettings(
            surge=settings.surge,
            recourse_premium=settings.recourse_premium,
            shortfall_multiple=settings.shortfall_multiple,
            alpha=settings.alpha,
            risk_aversion=lam,
            price_expected_shortfall=settings.price_expected_shortfall,
            mip_gap=settings.mip_gap,
            time_limit=settings.time_limit,
        )
        result = source_under_risk(problem, scenarios, each, explain=False, method=method)
        points.append(
            FrontierPoint(lam, result.expected_cost_usd, result.cvar_usd, result.first_stage_usd)
        )
    return tuple(points)


def cvar(losses: Sequence[float], probabilities: Sequence[float], alpha: float) -> float:
    """CVaR_α of a discrete loss (the rest of the mass, 1 − Σ p, at loss 0): the mean of the
    worst (1 − α) tail, the atom at the α-quantile split (Rockafellar & Uryasev 2000)."""
    tail = 1.0 - alpha
    rest = max(0.0, 1.0 - sum(probabilities))
    ranked = sorted(zip(losses, probabilities, strict=True), key=lambda lp: -lp[0])
    ranked.append((0.0, rest))
    taken, total = 0.0, 0.0
    for loss, p in ranked:
        take = min(p, tail - taken)
        if take <= 0:
            break
        taken += take
        total += take * loss
    return total / tail


def surge_clauses(pool: SupplierPool, *, period_weeks: float = 1.0) -> dict[str, SurgeClause]:
    """The pool's contingency clauses keyed as sourcing's offers ("part@supplier"): surge_pct
    / 100 of capacity, reachable after surge_within_weeks rounded up to whole periods."""
    clauses = {}
    for offer in pool.offers:
        pct, weeks = offer.contingency.surge_pct, offer.contingency.surge_within_weeks
        if pct and weeks is not None:
            clauses[f"{offer.part}@{offer.supplier}"] = SurgeClause(
                pct / 100.0, math.ceil(weeks / period_weeks - 1e-9)
            )
    return clauses


def _busiest_window(problem: SourcingProblem, length: int) -> int:
    """First period of the `length` consecutive periods buying the most units (the earliest of
    equals): an outage there is the one the plan must hedge."""
    periods = len(problem.period_years)
    bought = [0.0] * periods
    for (_, t), units in problem.demand.items():
        if 0 <= t < periods:
            bought[t] += units
    span = max(1, min(length, periods))
    sums = [sum(bought[t : t + span]) for t in range(max(periods - span + 1, 1))]
    return max(range(len(sums)), key=lambda t: (sums[t], -t))


def class_scenarios(
    problem: SourcingProblem,
    classes: Sequence[ScenarioClass],
    *,
    outage_periods: int = 8,
    period_weeks: float = 1.0,
) -> tuple[CapacityScenario, ...]:
    """A program's disruption classes (scenarios.yaml) as capacity scenarios of its offers.

    Kept simple (RackForge's convention for the frontier; the Monte Carlo of
    `supply.disruption` draws real durations from each node's TTR): a class hits the offers
    of suppliers in its regions (a region code, or its country: "US" hits "US-TX"), of its
    owners (supplier ids) and of its materials (part numbers), losing its `capacity_loss` for
    `outage_periods` periods where the plan buys the most (the outage that hurts most: a
    window in the middle of the horizon may fall between two fleets' builds and hit nothing),
    with the chance it strikes within the horizon. A "site" class strikes one site in its
    regions, as the Monte Carlo picks one node: one scenario per supplier there (a supplier
    is one site in the sourcing model), each with an equal share of the class's chance.
    Classes are taken as exclusive scenarios (a joint strike is not modelled); when their
    chances sum above 1 they are scaled to sum to 1."""
    first = _busiest_window(problem, outage_periods)
    periods = range(first, min(first + outage_periods, len(problem.period_years)))
    horizon = len(problem.period_years) * period_weeks
    found = []
    for c in classes:
        if c.annual_probability <= 0:
            continue
        hit = [
            o
            for o in problem.offers
            if any(o.region == r or o.region.startswith(f"{r}-") for r in c.regions)
            or o.supplier in c.owners
            or o.part in c.materials
        ]
        chance = strike_probability(c.annual_probability, horizon)
        groups = {c.title or c.id: hit} if hit else {}
        if c.kind == "site":
            sites = sorted({o.supplier for o in hit})
            groups = {
                f"{c.title or c.id}: {site}": [o for o in hit if o.supplier == site]
                for site in sites
            }
        for name, offers in groups.items():
            lost = {(o.key, t): c.capacity_loss for o in offers for t in periods}
            found.append(CapacityScenario(chance / len(groups), lost, name))
    total = sum(s.probability for s in found)
    if total > 1.0:
        found = [replace(s, probability=s.probability / total) for s in found]
    return tuple(found)


def _check_risk(
    model: _Model, scenarios: Sequence[CapacityScenario], settings: RiskSettings
) -> None:
    keys = {o.key for o in model.problem.offers}
    if sum(s.probability for s in scenarios) > 1.0 + 1e-9:
        raise InputError(
            "scenario probabilities sum above 1",
            where="scenarios",
            fix="give each scenario's own probability; the rest is the undisrupted case",
        )
    for i, s in enumerate(scenarios):
        if not 0.0 <= s.probability <= 1.0:
            raise InputError(
                f"scenario {s.name or i}: probability {s.probability:g}",
                where=f"scenarios[{i}].probability",
                fix="give a probability between 0 and 1",
            )
        for (key, t), share in s.lost.items():
            if key not in keys or not 0 <= t < model.periods or not 0.0 < share <= 1.0:
                raise InputError(
                    f"scenario {s.name or i}: loss {share:g} of {key} in period {t}",
                    where=f"scenarios[{i}].lost[{key}][{t}]",
                    fix="name an offer of the problem, a planned period and a share in (0, 1]",
                )
    if not 0.0 <= settings.alpha < 1.0 or settings.risk_aversion < 0:
        raise InputError(
            f"alpha {settings.alpha:g}, risk_aversion {settings.risk_aversion:g}",
            where="settings",
            fix="give 0 ≤ alpha < 1 and risk_aversion ≥ 0",
        )


class TwoStageModel(_Model):
    """Sourcing's MILP (first stage) with each scenario's recourse and shortfall rows added."""

    def __init__(
        self,
        problem: SourcingProblem,
        scenarios: Sequence[CapacityScenario],
        settings: RiskSettings,
        *,
        relax: bool = False,
    ) -> None:
        _check(problem)
        self._relax = relax
        super().__init__(problem)
        self.lp.mip_gap = settings.mip_gap
        _check_risk(self, scenarios, settings)
        self.scenarios = tuple(scenarios)
        self.settings = settings
        top: dict[str, float] = defaultdict(float)
        for o in self.offers:
            top[o.part] = max(top[o.part], *(b.unit_price_usd for b in o.price_breaks))
        self.value = {part: settings.shortfall_multiple * price for part, price in top.items()}
        self.cells: list[list[_Cell]] = []  # per scenario: the (part, period) it hits
        self.cvar_rows: list[int] = []
        self.eta = -1
        if scenarios:
            self._second_stage()

    def _binary(self, name: str) -> int:
        if not self._relax:
            return super()._binary(name)
        column = self.lp.column(name, upper=1)
        self.binaries.append((column, name))
        return column

    def _second_stage(self) -> None:
        lp, settings = self.lp, self.settings
        lam, alpha = settings.risk_aversion, settings.alpha
        by_key = {o.key: o for o in self.offers}
        by_part: dict[str, list[str]] = defaultdict(list)
        for o in self.offers:
            by_part[o.part].append(o.key)
        self.eta = lp.column("cvar eta", cost=lam)  # η ≥ 0: the α-VaR of losses ≥ 0
        for s, scen in enumerate(self.scenarios):
            start = scen.start  # a property over every loss: read once per scenario
            hit: dict[tuple[str, int], list[tuple[str, float]]] = defaultdict(list)
            for (key, t), share in sorted(scen.lost.items()):
                if key in by_key:  # suspended / unqualified offers are out of the plan anyway
                    hit[(by_key[key].part, t)].append((key, share))
            cells: list[_Cell] = []
            loss_terms: dict[int, float] = {}
            for (part, t), offers in sorted(hit.items()):
                value = self.value[part]
                expected = scen.probability * value if settings.price_expected_shortfall else 0
                short = lp.column(f"short[{s}][{part}][{t}]", cost=expected)
                loss_terms[short] = -value
                balance: dict[int, float] = {short: 1.0}
                damaged = []
                for key, share in offers:
                    o = by_key[key]
                    left = (1.0 - share) * o.capacity_per_period
                    damaged.append((key, left))
                    if left <= 0:  # all of it lost: L = x, no column or row needed
                        balance[self.x[(key, t)]] = -1.0
                        continue
                    lost = lp.column(f"lost[{s}][{key}][{t}]")
                    lp.row(
                        {lost: 1.0, self.x[(key, t)]: -1.0},
                        lower=-left,
                        name=f"lost {key} period {t} scenario {s}",
                    )
                    balance[lost] = -1.0
                recourse = []
                for key in by_part[part]:
                    o, clause = by_key[key], settings.surge.get(key)
                    if clause is None or clause.surge_share <= 0:
                        continue
                    if t < start + clause.within_periods or t < o.lead_time_periods:
                        continue
                    reach = clause.surge_share * o.capacity_per_period
                    reach *= 1.0 - scen.lost.get((key, t), 0.0)
                    if reach <= 0:
                        continue
                    price = (1.0 + settings.recourse_premium) * o.list_price
                    name = f"recourse[{s}][{key}][{t}]"
                    r = lp.column(name, cost=scen.probability * price)
                    recourse.append((name, price))
                    lp.row(
                        {r: 1.0, self.u[key]: -reach},
                        upper=0.0,
                        name=f"surge {key} period {t} scenario {s}",
                    )
                    balance[r] = 1.0
                lp.row(balance, lower=0.0, name=f"shortfall {part} period {t} scenario {s}")
                cells.append(_Cell(part, t, value, tuple(damaged), tuple(recourse)))
            self.cells.append(cells)
            if cells:
                cost = lam * scen.probability / (1.0 - alpha)
                z = lp.column(f"cvar z[{s}]", cost=cost)
                self.cvar_rows.append(
                    lp.row({z: 1.0, self.eta: 1.0, **loss_terms}, lower=0.0, name=f"cvar {s}")
                )

    def rounded(self, values: Mapping[str, float]) -> tuple[IndexArray, FloatArray]:
        """The binaries of `_round`'s plan from relaxed `values`: (columns, 0/1 values)."""
        fixed: dict[int, float] = {}
        for offers in _round(self, values).values():
            for o, tier in offers:
                fixed[self.u[o.key]] = 0.0 if tier is None else 1.0
                for b, column in enumerate(self.z[o.key]):
                    fixed[column] = 1.0 if b == tier else 0.0
        columns = np.asarray(sorted(fixed), dtype=np.intp)
        return columns, np.asarray([fixed[c] for c in columns], dtype=float)

    def fractional_discount(self, x: FloatArray) -> FloatArray:
        """Per column, the discount the relaxation `x` takes on a fractional price tier:
        (list − tier price) × units × (1 − z) on each tier's q column — where a part's
        relaxation is weakest, and its own MILP most likely to raise the bound."""
        weight = np.zeros(len(x))
        for o in self.offers:
            for (brk, q), z in zip(self.q[o.key], self.z[o.key], strict=True):
                weight[q] = (o.list_price - brk.unit_price_usd) * x[q] * (1.0 - x[z])
        return weight

    @property
    def linking_rows(self) -> list[int]:
        """The rows that tie parts together: each year's domestic floor and each scenario's
        CVaR row; every other row holds one part's columns only."""
        return sorted([*self.floor_rows.values(), *self.cvar_rows])

    def result(self, mip: Solution, plan: SourcingPlan | None) -> RiskPlan:
        values = mip.values
        outcomes = []
        for scen, cells in zip(self.scenarios, self.cells, strict=True):
            recourse = units = short = 0.0
            for cell in cells:
                # read from x and r, not from the shortfall columns: those are loose where
                # shortfall costs nothing (λ = 0 without its expected cost)
                lost = sum(
                    max(0.0, values[f"x[{key}][{cell.period}]"] - left)
                    for key, left in cell.damaged
                )
                bought = sum(values[name] for name, _ in cell.recourse)
                recourse += sum(price * values[name] for name, price in cell.recourse)
                missing = max(0.0, lost - bought)
                units += missing
                short += cell.value * missing
            outcomes.append(ScenarioOutcome(scen.name, scen.probability, recourse, units, short))
        second = sum(s.probability * (s.recourse_usd + s.shortfall_usd) for s in outcomes)
        risk = 0.0
        if outcomes:
            risk = cvar(
                [s.shortfall_usd for s in outcomes],
                [s.probability for s in outcomes],
                self.settings.alpha,
            )
        # spend, not the objective: the objective's rule penalties and risk premium are not paid
        first = self.spend(values)
        return RiskPlan(
            plan=plan,
            first_stage_usd=first,
            outcomes=tuple(outcomes),
            expected_cost_usd=first + second,
            cvar_usd=risk,
            objective=mip.objective,
            mip_gap=mip.gap,
        )

    def spend(self, values: Mapping[str, float]) -> float:
        """First-stage purchases at their tier prices plus take-or-pay payments."""
        bought = sum(
            brk.unit_price_usd * values[f"q[{key}][{b}]"]
            for key, tiers in self.q.items()
            for b, (brk, _) in enumerate(tiers)
        )
        listed = {o.key: o.list_price for o in self.offers}
        return bought + sum(values[f"topay[{key}]"] * listed[key] for key in self.topay)

    def second_stage_objective(self, values: Mapping[str, float]) -> float:
        """The objective's scenario terms at `values` (the rest is sourcing's, first stage)."""
        if not self.scenarios:
            return 0.0
        settings = self.settings
        lam, alpha = settings.risk_aversion, settings.alpha
        total = lam * values["cvar eta"]
        for s, (scen, cells) in enumerate(zip(self.scenarios, self.cells, strict=True)):
            for cell in cells:
                total += scen.probability * sum(p * values[n] for n, p in cell.recourse)
                if settings.price_expected_shortfall:
                    total += scen.probability * cell.value * values[cell.short_name(s)]
            if cells:
                total += lam * scen.probability / (1.0 - alpha) * values[f"cvar z[{s}]"]
        return total


@dataclass(frozen=True, slots=True)
class _Cell:
    """A (part, period) a scenario hits: its damaged offers (key, capacity left), its recourse
    columns (name, USD per unit) and the USD value of a unit short."""

    part: str
    period: int
    value: float
    damaged: tuple[tuple[str, float], ...]
    recourse: tuple[tuple[str, float], ...]

    def short_name(self, scenario: int) -> str:
        return f"short[{scenario}][{self.part}][{self.period}]"
