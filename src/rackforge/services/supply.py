"""Supply use cases from files: a program's sourcing plan, exposure and disruption runs, or a
NETWORK.yaml's exposure (issue 4)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rackforge.config import Settings
from rackforge.errors import InputError
from rackforge.formats.network_file import load_network
from rackforge.formats.program import load_program
from rackforge.formats.scenarios_file import SCENARIOS_FILE
from rackforge.services.codesign import profile_book
from rackforge.services.codesign_stage import CodesignStage
from rackforge.services.pipeline import PlanContext, PlanOptions, run_pipeline
from rackforge.services.rack_stage import RackStage
from rackforge.services.supply_pool import load_pool
from rackforge.services.supply_stage import DEFAULT_TRIALS, SupplyPlanResult, plan_supply
from rackforge.supply import DEFAULT_HORIZON_WEEKS, NodeExposure, exposure
from rackforge.supply.disruption import Method
from rackforge.supply.remedies import NodeRemedies, remedies


def program_supply(
    directory: Path,
    settings: Settings,
    *,
    trials: int = 0,
    seed: int = 0,
    scenarios_file: Path | None = None,
    method: Method = "reference",
) -> SupplyPlanResult:
    """The supply stage of a program, after its co-design and rack stages (fleet sizes).

    `scenarios_file` replaces the program's own scenarios.yaml (a what-if under another
    program's scenarios)."""
    program = load_program(directory)
    if load_pool(directory) is None:  # say so before the co-design and rack stages run
        return SupplyPlanResult(
            (f"no suppliers.csv in {directory}: add the supplier pool (docs/formats.md)",)
        )
    book = profile_book(settings)
    context = PlanContext(program, PlanOptions(seed=seed))
    done = run_pipeline([CodesignStage(book), RackStage(book)], context)
    return plan_supply(
        PlanContext(program, context.options, done.stages),
        trials=trials,
        seed=seed,
        scenarios_file=scenarios_file,
        method=method,
        with_frontier=False,  # the commands print no frontier: the plan's report draws it
    )


@dataclass(frozen=True, slots=True)
class WhatIf:
    """Two programs' supply under the same scenario library and seed (common random numbers:
    the same events strike both in each trial), and B − A of the headline figures."""

    a: SupplyPlanResult
    b: SupplyPlanResult
    difference: dict[str, float]


def compare_supply(a: Path, b: Path, settings: Settings, *, trials: int, seed: int) -> WhatIf:
    """Program `b` against program `a`, both under `a`'s scenarios.yaml."""
    scenarios = a / SCENARIOS_FILE
    if not scenarios.is_file():
        raise InputError(
            f"no {SCENARIOS_FILE} in {a}: a what-if compares plans under one scenario library",
            where=str(scenarios),
            fix=f"add {SCENARIOS_FILE} to {a} (docs/formats.md, Disruption scenarios)",
        )
    first = program_supply(a, settings, trials=trials, seed=seed)
    second = program_supply(b, settings, trials=trials, seed=seed, scenarios_file=scenarios)
    difference: dict[str, float] = {}
    if first.simulation is not None and second.simulation is not None:
        sa, sb = first.simulation, second.simulation
        difference = {
            "racks_late_mean": sb.racks_late.mean - sa.racks_late.mean,
            "racks_late_p50": sb.racks_late.p50 - sa.racks_late.p50,
            "racks_late_p95": sb.racks_late.p95 - sa.racks_late.p95,
            "weeks_lost_p50": sb.weeks_lost.p50 - sa.weeks_lost.p50,
            "weeks_lost_p95": sb.weeks_lost.p95 - sa.weeks_lost.p95,
        }
    if first.plan is not None and second.plan is not None:
        difference["purchase_cost_usd"] = (
            second.plan.purchase_cost_usd - first.plan.purchase_cost_usd
        )
    return WhatIf(first, second, difference)


@dataclass(frozen=True, slots=True)
class NetworkExposure:
    """Each node's exposure, and the remedies of the critical ones (`supply.remedies`)."""

    nodes: dict[str, NodeExposure]
    remedies: dict[str, NodeRemedies]


def network_exposure(
    path: Path,
    settings: Settings | None = None,
    *,
    horizon_weeks: float = DEFAULT_HORIZON_WEEKS,
) -> dict[str, NodeExposure]:
    """Each node disrupted alone for its own TTR: of a NETWORK.yaml, or of a program's network
    (derived from its racks' BOMs and its supplier pool)."""
    return exposure_with_remedies(path, settings, horizon_weeks=horizon_weeks).nodes


def exposure_with_remedies(
    path: Path,
    settings: Settings | None = None,
    *,
    horizon_weeks: float = DEFAULT_HORIZON_WEEKS,
) -> NetworkExposure:
    """`network_exposure`, with what would fix each critical node: a buffer, a second source
    or a shorter TTR by contract (a program's network is evaluated on the default horizon)."""
    if path.is_dir():
        result = program_supply(path, settings or Settings())
        if result.exposure is None:
            raise InputError(
                result.notes[0] if result.notes else "no supply network to evaluate",
                where=str(path),
                fix="add suppliers.csv and offers.csv (docs/formats.md, Supplier pool)",
            )
        return NetworkExposure(result.exposure, result.remedies or {})
    network = load_network(path)
    nodes = exposure(network, horizon_weeks=horizon_weeks)
    return NetworkExposure(nodes, remedies(network, nodes, horizon_weeks=horizon_weeks))


__all__ = [
    "DEFAULT_TRIALS",
    "NetworkExposure",
    "WhatIf",
    "compare_supply",
    "exposure_with_remedies",
    "network_exposure",
    "program_supply",
]
