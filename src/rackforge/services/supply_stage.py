"""Plan stage 40, supply: who supplies the racks' parts, how exposed the network is, and what
correlated disruptions would cost.

From the rack stage's fleets and the program's supplier pool (suppliers.csv, offers.csv):
weekly part demand (`services.supply_inputs`), the sourcing MILP (`supply.sourcing`), each
node's time to survive and recover (`supply.exposure`), what would fix each critical node
(`supply.remedies`: buffer, second source, contract TTR) and, when the program has a
scenarios.yaml, a seeded Monte Carlo of its disruption classes (`supply.disruption`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rackforge.formats.scenarios_file import SCENARIOS_FILE, load_scenarios
from rackforge.formats.supply_rules_file import SUPPLY_RULES_FILE, load_supply_rules
from rackforge.report.model import Figure, Section, Table
from rackforge.services.pipeline import PlanContext, StageResult
from rackforge.services.rack_stage import RackPlanResult
from rackforge.services.supply_inputs import SUPPLY_RULES, SupplyInputs, supply_inputs
from rackforge.services.supply_pool import load_pool
from rackforge.supply.disruption import Method, SimulationResult, simulate
from rackforge.supply.exposure import NodeExposure, exposure
from rackforge.supply.remedies import NodeRemedies, remedies
from rackforge.supply.sourcing import SourcingPlan, Violation, source
from rackforge.supply.sourcing_risk import (
    FrontierPoint,
    RiskSettings,
    class_scenarios,
    efficient_frontier,
    surge_clauses,
)

DEFAULT_TRIALS = 1000
QUICK_TRIALS = 200
FRONTIER_LAMBDAS = (0.0, 0.25, 1.0, 4.0, 16.0)
"""Risk aversions λ of the cost/CVaR frontier: from risk-neutral to the tail weighing 16×."""


@dataclass(frozen=True, slots=True)
class ViolationGroup:
    """One rule given up for one subject over a run of weeks, summed."""

    rule: str
    subject: str
    amount: float
    first_week: date | None
    last_week: date | None
    message: str


@dataclass(frozen=True, slots=True)
class SupplyPlanResult:
    """The supply stage's result; `plan` is None when there is nothing to source."""

    notes: tuple[str, ...]
    week_starts: tuple[date, ...] = ()
    parts: int = 0
    plan: SourcingPlan | None = None
    violations: tuple[ViolationGroup, ...] = ()
    floors: dict[int, float] | None = None
    exposure: dict[str, NodeExposure] | None = None
    simulation: SimulationResult | None = None
    part_names: dict[str, str] | None = None
    frontier: tuple[FrontierPoint, ...] = ()
    remedies: dict[str, NodeRemedies] | None = None

    @property
    def summary(self) -> str:
        if self.plan is None:
            return self.notes[0] if self.notes else "nothing to source"
        p = self.plan
        suppliers = len({a.supplier for a in p.awards})
        domestic = ", ".join(f"{y} {s:.0%}" for y, s in p.domestic_share_by_year.items())
        critical = sum(1 for e in (self.exposure or {}).values() if e.critical)
        return (
            f"{self.parts} parts from {suppliers} suppliers, USD "
            f"{p.purchase_cost_usd:,.0f}; domestic content {domestic}; "
            f"{len(self.violations)} rules given up; {critical} critical nodes"
        )


class SupplyStage:
    """Plan stage 40 (module docstring)."""

    def __init__(self, on_trial: Callable[[int, int], None] | None = None) -> None:
        self._on_trial = on_trial

    @property
    def order(self) -> int:
        return 40

    @property
    def name(self) -> str:
        return "supply"

    def run(self, context: PlanContext) -> StageResult:
        trials = QUICK_TRIALS if context.options.quick else DEFAULT_TRIALS
        result = plan_supply(context, trials=trials, on_trial=self._on_trial)
        return StageResult(result, supply_section(result), result.summary)


def plan_supply(
    context: PlanContext,
    *,
    trials: int,
    seed: int | None = None,
    scenarios_file: Path | None = None,
    method: Method = "reference",
    with_frontier: bool = True,
    on_trial: Callable[[int, int], None] | None = None,
) -> SupplyPlanResult:
    """The supply result of a plan whose rack stage has run (module docstring)."""
    program = context.program
    pool = load_pool(program.directory)
    if pool is None:
        return SupplyPlanResult(
            (f"no suppliers.csv in {program.directory}: add the supplier pool (docs/formats.md)",)
        )
    racks = context.value_of("racks", RackPlanResult)
    rules_file = program.directory / SUPPLY_RULES_FILE
    rules = load_supply_rules(rules_file, SUPPLY_RULES) if rules_file.is_file() else SUPPLY_RULES
    inputs = supply_inputs(
        racks.fleets, program.roadmap, pool, rules=rules, start=program.program.horizon_start
    )
    if not inputs.fleets:
        return SupplyPlanResult(("no rack fleet of known size to source for",))
    plan = source(inputs.problem)
    nodes = exposure(inputs.network) if inputs.network is not None else None
    fixes = remedies(inputs.network, nodes) if inputs.network is not None and nodes else None
    simulation = None
    frontier: tuple[FrontierPoint, ...] = ()
    path = scenarios_file or program.directory / SCENARIOS_FILE
    classes = load_scenarios(path) if path.is_file() else None
    if classes is not None and with_frontier:
        # the cost/risk frontier of sourcing under the program's disruption classes
        # (`supply.sourcing_risk.class_scenarios`; surge clauses from the pool's offers)
        frontier = efficient_frontier(
            inputs.problem,
            class_scenarios(inputs.problem, classes),
            FRONTIER_LAMBDAS,
            RiskSettings(surge=surge_clauses(pool), mip_gap=0.01, time_limit=30.0),
            method="fix",
        )
    if classes is not None and inputs.network is not None and trials > 0:
        total = trials
        simulation = simulate(
            inputs.network,
            classes,
            trials=trials,
            seed=context.options.seed if seed is None else seed,
            progress=None if on_trial is None else (lambda done: on_trial(done, total)),
            method=method,
        )
    notes = tuple(
        f"no offer in offers.csv for {inputs.part_names.get(p, p)} ({p})" for p in inputs.uncovered
    )
    return SupplyPlanResult(
        notes=notes,
        week_starts=inputs.demand.week_starts,
        parts=len(inputs.demand.totals),
        plan=plan,
        violations=_grouped(plan.violations, inputs),
        floors={y: inputs.problem.rules.floor(y) for y in sorted(set(inputs.demand.period_years))},
        exposure=nodes,
        simulation=simulation,
        part_names=inputs.part_names,
        frontier=frontier,
        remedies=fixes,
    )


def _grouped(violations: tuple[Violation, ...], inputs: SupplyInputs) -> tuple[ViolationGroup, ...]:
    """Demand shortfalls summed per part over their weeks; other violations as they are."""
    weeks = inputs.demand.week_starts
    names = inputs.part_names
    short: dict[str, list[tuple[int, float]]] = defaultdict(list)
    groups: list[ViolationGroup] = []
    for v in violations:
        if v.rule == "demand":
            part, _, period = v.subject.rpartition(" period ")
            short[part].append((int(period), v.amount))
        else:
            message = v.message
            for number in sorted({o.part for o in inputs.problem.offers} & set(names)):
                message = message.replace(number, f"{names[number]} ({number})")
            groups.append(ViolationGroup(v.rule, v.subject, v.amount, None, None, message))
    for part, runs in sorted(short.items()):
        first, last = min(t for t, _ in runs), max(t for t, _ in runs)
        units = sum(a for _, a in runs)
        offers = [o for o in inputs.problem.offers if o.part == part]
        lead = min((o.lead_time_periods for o in offers), default=None)
        why = (
            "no offer in the pool"
            if lead is None
            else f"the shortest lead time is {lead} weeks from {weeks[0]}"
            if first < lead
            else "the offers' capacity and rules fall short"
        )
        groups.insert(
            0,
            ViolationGroup(
                "demand",
                part,
                units,
                weeks[first],
                weeks[last],
                f"{units:,.0f} × {names.get(part, part)} cannot arrive in weeks {weeks[first]} to "
                f"{weeks[last]}: {why}; order earlier, add a source or capacity",
            ),
        )
    return tuple(groups)


# -- report section ---------------------------------------------------------------------------

_INTRO = (
    "Who supplies each part of the planned racks, at what cost and domestic content, under the "
    "sourcing rules; which rules cannot all hold; how long the supply network survives each "
    "node's loss (Simchi-Levi et al., Interfaces 45(5), 2015) and what correlated disruptions "
    "would cost. Suppliers, offers and disruption chances are the program's own files."
)


def supply_section(result: SupplyPlanResult) -> Section:
    if result.plan is None:
        return Section(title="Supply: sourcing and resilience", intro=_INTRO, notes=result.notes)
    tables = [_awards_table(result), _violations_table(result), _domestic_table(result)]
    if result.exposure:
        tables.append(_exposure_table(result))
    if result.remedies:
        tables.append(_remedies_table(result))
    figures = [_domestic_figure(result)]
    notes = list(result.notes)
    if result.frontier:
        figures.append(_frontier_figure(result.frontier))
        if _flat(result.frontier):
            notes.append(
                "The cost/risk frontier is a single plan: every risk aversion λ buys the same "
                "offers, so no spend lowers the shortfall tail — the offers the scenarios hit "
                "have no second source or surge clause left to buy. The CVaR 95 % of "
                f"USD {result.frontier[-1].cvar_usd:,.0f} is borne until one is qualified."
            )
    if result.simulation is not None:
        tables.append(_simulation_table(result.simulation))
    survived = sorted(n for n, e in (result.exposure or {}).items() if e.critical is False)
    if survived:
        notes.append(
            f"Not critical (the network outlasts their TTR, other sources covering them): "
            f"{len(survived)} nodes — {', '.join(survived)}."
        )
    notes.append(
        "Stock is what offers.csv records (inventory_units, finished units a supplier holds "
        "for the program); a node with none and no other source has a TTS of 0, which no "
        "contract TTR can meet: its buffer and second source are sized for its whole TTR."
    )
    return Section(
        title="Supply: sourcing and resilience",
        intro=_INTRO,
        tables=tables,
        figures=figures,
        notes=notes,
    )


def _awards_table(result: SupplyPlanResult) -> Table:
    assert result.plan is not None
    names = result.part_names or {}
    rows = [
        (
            names.get(a.part, a.part),
            a.supplier,
            round(a.total_units, 1),
            f"{a.share:.0%}",
            round(a.unit_price_usd, 2),
            round(a.cost_usd),
            "; ".join(a.reasons),
        )
        for a in sorted(result.plan.awards, key=lambda a: (names.get(a.part, a.part), -a.share))
    ]
    columns = ("part", "supplier", "units", "share", "unit USD", "cost USD", "why")
    return Table(columns, rows, caption="Sourcing plan: awards per part and supplier")


def _violations_table(result: SupplyPlanResult) -> Table:
    rows = [(v.rule, v.message) for v in result.violations] or [("none", "every rule holds")]
    return Table(("rule given up", "what and why"), rows, caption="Rules that cannot all hold")


def _domestic_table(result: SupplyPlanResult) -> Table:
    assert result.plan is not None
    floors = result.floors or {}
    rows = [
        (year, f"{share:.1%}", f"{floors.get(year, 0):.0%}")
        for year, share in result.plan.domestic_share_by_year.items()
    ]
    return Table(
        ("year", "domestic content (list cost)", "floor (FAR 25.101)"),
        rows,
        caption="Domestic content of the purchases by year of delivery",
    )


def _domestic_figure(result: SupplyPlanResult) -> Figure:
    assert result.plan is not None
    years = [str(y) for y in result.plan.domestic_share_by_year]
    shares = [100 * s for s in result.plan.domestic_share_by_year.values()]
    floors = [100 * (result.floors or {}).get(int(y), 0.0) for y in years]
    chart = {
        "data": [
            {"type": "bar", "x": years, "y": shares, "name": "domestic content %"},
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": years,
                "y": floors,
                "name": "FAR 25.101 floor %",
            },
        ],
        "layout": {"yaxis": {"title": "% of list cost", "range": [0, 100]}},
    }
    return Figure(
        "Domestic content against the floor",
        chart,
        "Share of purchase cost (at list price) from domestic content, per year of delivery.",
    )


def _flat(points: tuple[FrontierPoint, ...]) -> bool:
    """Whether the frontier's plans agree within 0.1 % on first-stage spend and 1 % on CVaR
    (within the solves' 1 % gap: one plan, not a trade-off)."""

    def spread(values: list[float]) -> float:
        return (max(values) - min(values)) / max(*values, 1.0)

    return (
        spread([p.first_stage_usd for p in points]) <= 1e-3
        and spread([p.cvar_usd for p in points]) <= 1e-2
    )


def _frontier_figure(points: tuple[FrontierPoint, ...]) -> Figure:
    chart = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "x": [round(p.cvar_usd) for p in points],
                "y": [round(p.expected_cost_usd) for p in points],
                "text": [f"λ = {p.risk_aversion:g}" for p in points],
                "textposition": "top right",
                "name": "optimal plans",
            }
        ],
        "layout": {
            "xaxis": {"title": "CVaR 95 % of shortfall cost, USD"},
            "yaxis": {"title": "expected cost (purchases, surge, shortfall), USD"},
        },
    }
    return Figure(
        "Sourcing cost against disruption risk (efficient frontier)",
        chart,
        "Each point is the two-stage sourcing plan minimising expected cost + λ · CVaR of the "
        "shortfall under the scenarios.yaml classes (each hitting its regions', owners' or "
        "materials' offers, a site class one supplier at a time, for the 8 weeks the plan "
        "buys most; surge clauses as recourse at 1.5 × list; "
        "a unit short valued at 10 × list); Rockafellar & Uryasev, J. of Risk 2(3), 2000.",
    )


def _exposure_table(result: SupplyPlanResult) -> Table:
    nodes = result.exposure or {}
    ranked = sorted(nodes.items(), key=lambda kv: -(kv[1].risk_exposure_index or 0.0))[:15]
    rows = [
        (
            node,
            round(e.tts_weeks, 1),
            None if e.ttr_weeks is None else round(e.ttr_weeks, 1),
            None if e.risk_exposure_index is None else round(e.risk_exposure_index, 2),
            "yes" if e.critical else "no" if e.critical is not None else None,
        )
        for node, e in ranked
    ]
    return Table(
        ("node", "TTS weeks", "TTR weeks", "exposure index", "critical (TTR > TTS)"),
        rows,
        caption="Most exposed nodes: each lost alone for its stated time to recover",
    )


def _remedies_table(result: SupplyPlanResult) -> Table:
    nodes, names = result.exposure or {}, result.part_names or {}
    fixes = sorted(
        (result.remedies or {}).values(),
        key=lambda r: -(nodes[r.node].risk_exposure_index or 0.0),
    )
    rows = [
        (
            r.node,
            names.get(r.node.partition("/")[2], "all it makes (sub-supplier)"),
            round(r.tts_weeks, 1),
            round(r.ttr_weeks, 1),
            None if r.buffer.units is None else round(r.buffer.units),
            None if r.buffer.weeks_of_cover is None else round(r.buffer.weeks_of_cover, 1),
            _second_source_text(r),
            _contract_text(r),
        )
        for r in fixes
    ]
    return Table(
        (
            "critical node",
            "part",
            "TTS weeks",
            "TTR weeks",
            "buffer units",
            "buffer weeks of use",
            "second source",
            "contract TTR",
        ),
        rows,
        caption="What would fix each critical node, each remedy alone lifting its TTS to its "
        "TTR: extra stock of its output held at it or its customers (units; weeks of their "
        "use), a second source's capacity beyond what other sources can spare, or the TTR a "
        "contract must promise (supply.remedies, from the TTS LP)",
    )


def _second_source_text(r: NodeRemedies) -> str | None:
    s = r.second_source
    if s.capacity_per_week is None:
        return r.note
    need = f"{s.capacity_per_week:,.1f} units/week"
    if s.sole_source_of and len(s.sole_source_of) == len(s.alternatives):
        return f"none: qualify one ≥ {need}"
    if s.sole_source_of:
        return f"none for {', '.join(s.sole_source_of)}: qualify one ≥ {need}"
    others = sorted({o for alts in s.alternatives.values() for o in alts})
    return f"{', '.join(others)} short by {need}"


def _contract_text(r: NodeRemedies) -> str:
    c = r.contract
    if not c.achievable:
        return "would need 0 weeks: not a contract term"
    return f"≤ {c.ttr_weeks:.1f} weeks ({c.cut_weeks:.1f} shorter)"


def _simulation_table(sim: SimulationResult) -> Table:
    rows = [
        ("all trials", sim.trials, round(sim.racks_late.p50, 1), round(sim.racks_late.p95, 1),
         round(sim.weeks_lost.p50, 2), round(sim.weeks_lost.p95, 2)),
    ]  # fmt: skip
    for cls, (n, late, lost) in sorted(sim.by_class.items()):
        rows.append(
            (cls, n, round(late.p50, 1), round(late.p95, 1), round(lost.p50, 2), round(lost.p95, 2))
        )
    return Table(
        ("scenario class", "trials", "racks late P50", "P95", "weeks lost P50", "P95"),
        rows,
        caption=f"Disruptions over {sim.horizon_weeks:g} weeks: {sim.trials} trials, seed "
        f"{sim.seed}; {sim.disrupted_share:.0%} of trials see an event",
    )
