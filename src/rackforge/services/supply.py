"""Supply use cases from files: a program's sourcing plan, exposure and disruption runs, or a
NETWORK.yaml's exposure (issue 4)."""

from __future__ import annotations

from pathlib import Path

from rackforge.config import Settings
from rackforge.errors import InputError
from rackforge.formats.network_file import load_network
from rackforge.formats.program import load_program
from rackforge.services.codesign import profile_book
from rackforge.services.codesign_stage import CodesignStage
from rackforge.services.pipeline import PlanContext, PlanOptions, run_pipeline
from rackforge.services.rack_stage import RackStage
from rackforge.services.supply_pool import load_pool
from rackforge.services.supply_stage import DEFAULT_TRIALS, SupplyPlanResult, plan_supply
from rackforge.supply import DEFAULT_HORIZON_WEEKS, NodeExposure, exposure


def program_supply(
    directory: Path, settings: Settings, *, trials: int = 0, seed: int = 0
) -> SupplyPlanResult:
    """The supply stage of a program, after its co-design and rack stages (fleet sizes)."""
    program = load_program(directory)
    if load_pool(directory) is None:  # say so before the co-design and rack stages run
        return SupplyPlanResult(
            (f"no suppliers.csv in {directory}: add the supplier pool (docs/formats.md)",)
        )
    book = profile_book(settings)
    context = PlanContext(program, PlanOptions(seed=seed))
    done = run_pipeline([CodesignStage(book), RackStage(book)], context)
    return plan_supply(PlanContext(program, context.options, done.stages), trials=trials, seed=seed)


def network_exposure(
    path: Path,
    settings: Settings | None = None,
    *,
    horizon_weeks: float = DEFAULT_HORIZON_WEEKS,
) -> dict[str, NodeExposure]:
    """Each node disrupted alone for its own TTR: of a NETWORK.yaml, or of a program's network
    (derived from its racks' BOMs and its supplier pool)."""
    if path.is_dir():
        result = program_supply(path, settings or Settings())
        if result.exposure is None:
            raise InputError(
                result.notes[0] if result.notes else "no supply network to evaluate",
                where=str(path),
                fix="add suppliers.csv and offers.csv (docs/formats.md, Supplier pool)",
            )
        return result.exposure
    return exposure(load_network(path), horizon_weeks=horizon_weeks)


__all__ = ["DEFAULT_TRIALS", "network_exposure", "program_supply"]
