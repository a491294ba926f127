"""Plan stage 20, co-design: search every candidate system of every family, pick one per family.

For each family of the roadmap and each candidate system (accelerator × count) the stage builds
a `Scenario`, searches its parallel configurations (`codesign.search`), and prices the family's
token budget at the best one. A candidate on which nothing fits in memory is recorded, not
fatal. The recommendation rule is `codesign_plan.recommend`; families with a serving demand get
their inference fleet sized on the recommended accelerator.

The searches are independent, so with `PlanOptions.workers > 1` they run in a process pool
(spawned, not forked: the CLI's progress bar runs a thread). Results do not depend on the
worker count.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rackforge.codesign.profiles import ProfileBook
from rackforge.codesign.scenario import Scenario, scenario_from_mapping
from rackforge.codesign.search import problem_of, search
from rackforge.errors import InfeasibleError, InputError
from rackforge.formats.program import ROADMAP_FILE
from rackforge.roadmap import CandidateSystem, ModelFamily
from rackforge.services.codesign_plan import (
    SECONDS_PER_DAY,
    CandidateOutcome,
    CodesignPlan,
    FamilyCodesign,
    recommend,
    size_serving,
    trade_off_points,
)
from rackforge.services.codesign_section import codesign_section
from rackforge.services.pipeline import PlanContext, StageResult

__all__ = [
    "CandidateJob",
    "CandidateProgress",
    "CodesignStage",
    "family_scenario",
    "network_overrides",
    "run_candidate",
]

# Told (candidates done, candidates in all) after each search, for a progress bar.
CandidateProgress = Callable[[int, int], None]
TOP_CONFIGURATIONS = 3

# Where a scenario key comes from in roadmap.yaml (first matching prefix wins), so an error
# raised while resolving a scenario points at the planner's file, not at the scenario format.
_ROADMAP_KEYS = (
    ("model", "architecture"),
    ("system.accelerator", "candidate_systems[{j}].accelerator"),
    ("system.scale_up", "candidate_systems[{j}].scale_up_size"),
    ("system.scale_out", "candidate_systems[{j}].scale_out_gb_s"),
    ("system", "candidate_systems[{j}]"),
    ("precision", "precision"),
    ("parallelism", "global_batch"),
)


@dataclass(frozen=True, slots=True)
class CandidateJob:
    """One search to run: a resolved scenario and the family figures to price it against."""

    label: str
    accelerator: str
    scenario: Scenario
    token_budget: float
    target_training_days: float
    top: int = TOP_CONFIGURATIONS


def run_candidate(job: CandidateJob) -> CandidateOutcome:
    """Search one candidate; a candidate on which nothing fits comes back with the reason."""
    system = job.scenario.system
    common: dict[str, Any] = {
        "label": job.label,
        "accelerator": job.accelerator,
        "gpus": system.count,
        "scale_up_size": system.scale_up.size,
        "scale_out_gb_s": system.scale_out.bandwidth_gb_s,
    }
    try:
        result = search(job.scenario, top=job.top)
    except InfeasibleError as err:
        return CandidateOutcome(
            **common,
            estimates=(),
            infeasible_reason=str(err),
            time_to_train_s=None,
            time_to_train_days=None,
            energy_to_train_j=None,
            power_kw=None,
            meets_target=False,
            configurations_evaluated=0,
            configurations_feasible=0,
            search_s=0.0,
        )
    best = result.best
    seconds = best.time_to_train_s(job.token_budget)
    return CandidateOutcome(
        **common,
        estimates=result.top,
        infeasible_reason=None,
        time_to_train_s=seconds,
        time_to_train_days=seconds / SECONDS_PER_DAY,
        energy_to_train_j=best.energy_to_train_j(job.token_budget),
        power_kw=best.power_kw,
        meets_target=seconds / SECONDS_PER_DAY <= job.target_training_days,
        configurations_evaluated=result.evaluated,
        configurations_feasible=result.feasible,
        search_s=result.elapsed_s,
    )


class CodesignStage:
    """Plan stage 20: the recommended training system and serving fleet of every family."""

    def __init__(self, book: ProfileBook, on_candidate: CandidateProgress | None = None) -> None:
        self._book = book
        self._on_candidate = on_candidate

    @property
    def order(self) -> int:
        return 20

    @property
    def name(self) -> str:
        return "codesign"

    def run(self, context: PlanContext) -> StageResult:
        roadmap_path = context.program.directory / ROADMAP_FILE
        per_family = [
            [
                (candidate, self._job(family, candidate, count, roadmap_path, (i, j)))
                for j, candidate in enumerate(family.candidate_systems)
                for count in candidate.counts
            ]
            for i, family in enumerate(context.program.roadmap.families)
        ]
        jobs = [job for family_jobs in per_family for _, job in family_jobs]
        outcomes = iter(_run_all(jobs, context.options.workers, self._on_candidate))
        families = []
        for family, family_jobs in zip(context.program.roadmap.families, per_family, strict=True):
            pairs = [(job, next(outcomes)) for _, job in family_jobs]
            families.append(_verdict(family, pairs))
        plan = CodesignPlan(tuple(families))
        return StageResult(value=plan, section=codesign_section(plan), summary=plan.summary)

    def _job(
        self,
        family: ModelFamily,
        candidate: CandidateSystem,
        count: int,
        roadmap_path: Path,
        at: tuple[int, int],
    ) -> CandidateJob:
        mapping = family_scenario(family, candidate.accelerator, count)
        label = f"{candidate.accelerator} × {count:,}"
        try:
            scenario = scenario_from_mapping(mapping, book=self._book, name=label)
            if candidate.scale_up_size or candidate.scale_out_gb_s:
                mapping["system"] |= network_overrides(
                    scenario, candidate.scale_up_size, candidate.scale_out_gb_s
                )
                scenario = scenario_from_mapping(mapping, book=self._book, name=label)
            problem_of(scenario)  # an unsupported precision is the planner's error, found here
        except InputError as err:
            raise _in_roadmap(err, family, roadmap_path, at) from None
        return CandidateJob(
            label=label,
            accelerator=candidate.accelerator,
            scenario=scenario,
            token_budget=family.token_budget,
            target_training_days=family.target_training_days,
        )


def family_scenario(family: ModelFamily, accelerator: str, count: int) -> dict[str, Any]:
    """The scenario mapping of training `family` on `count` × `accelerator` (catalog network)."""
    return {
        "model": family.architecture
        if isinstance(family.architecture, str)
        else family.architecture.model_dump(),
        "system": {"accelerator": accelerator, "count": count},
        "precision": family.precision,
        "parallelism": {"global_batch": family.global_batch} if family.global_batch else {},
    }


def network_overrides(
    scenario: Scenario, scale_up_size: int | None, scale_out_gb_s: float | None
) -> dict[str, Any]:
    """A scale-up size / scale-out bandwidth on top of the scenario's (catalog) network."""
    overrides: dict[str, Any] = {}
    if scale_up_size:
        up = scenario.system.scale_up.model_dump()
        overrides["scale_up"] = up | {"size": scale_up_size}
    if scale_out_gb_s:
        out = scenario.system.scale_out.model_dump()
        overrides["scale_out"] = out | {"bandwidth_gb_s": scale_out_gb_s}
    return overrides


def _in_roadmap(
    err: InputError, family: ModelFamily, roadmap_path: Path, at: tuple[int, int]
) -> InputError:
    i, j = at
    inner = err.where or ""
    key = next(
        (k for prefix, k in _ROADMAP_KEYS if inner == prefix or inner.startswith(prefix + ".")),
        "candidate_systems[{j}]",
    )
    where = f"{roadmap_path}:families[{i}].{key.format(j=j)}"
    return type(err)(f"family '{family.id}': {err.message}", where=where, fix=err.fix)


def _run_all(
    jobs: Sequence[CandidateJob], workers: int, progress: CandidateProgress | None
) -> list[CandidateOutcome]:
    """Every job's outcome, in job order; in a process pool when more than one worker."""
    total = len(jobs)
    if progress:
        progress(0, total)
    if workers <= 1 or total <= 1:
        outcomes = []
        for done, job in enumerate(jobs, start=1):
            outcomes.append(run_candidate(job))
            if progress:
                progress(done, total)
        return outcomes
    results: dict[int, CandidateOutcome] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, total), mp_context=context) as pool:
        futures: dict[Future[CandidateOutcome], int] = {
            pool.submit(run_candidate, job): index for index, job in enumerate(jobs)
        }
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress:
                    progress(done, total)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [results[index] for index in range(total)]


def _verdict(
    family: ModelFamily, pairs: Sequence[tuple[CandidateJob, CandidateOutcome]]
) -> FamilyCodesign:
    outcomes = [outcome for _, outcome in pairs]
    chosen, meets = recommend(outcomes)
    scenario = next((job.scenario for job, o in pairs if o is chosen), None)
    return FamilyCodesign(
        family_id=family.id,
        family_name=family.name,
        architecture=family.architecture_name,
        precision=family.precision,
        token_budget=family.token_budget,
        target_training_days=family.target_training_days,
        candidates=tuple(outcomes),
        recommended=chosen,
        meets_target=meets,
        pareto=tuple(p for p in trade_off_points(outcomes) if p.on_front),
        serving=size_serving(family.serving, chosen, scenario),
    )
