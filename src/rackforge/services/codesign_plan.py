"""What the co-design stage decides per model family, as typed results, and how it decides.

`CodesignPlan` holds one `FamilyCodesign` per roadmap family: every candidate system evaluated
(or found not to fit), the recommended one, the Pareto front and the serving fleet. Units are in
the field names (`_s`, `_days`, `_j`, `_kw`, `_mw`) because plan.json publishes these records.
The choice rules (recommendation, Pareto front, serving fleet size) live here as pure functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rackforge.codesign.estimate import system_power_per_accelerator_w
from rackforge.codesign.inference import ServingEstimate, estimate_serving
from rackforge.codesign.results import TrainingEstimate
from rackforge.codesign.scenario import Scenario
from rackforge.codesign.search import pareto_front
from rackforge.errors import InfeasibleError
from rackforge.roadmap import ServingDemand

__all__ = [
    "SECONDS_PER_DAY",
    "CandidateOutcome",
    "CodesignPlan",
    "FamilyCodesign",
    "ServingPlan",
    "TradeOffPoint",
    "recommend",
    "size_serving",
    "trade_off_points",
]

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class CandidateOutcome:
    """One candidate system (accelerator × count) for one family: its best training plan.

    `estimates` are the search's fastest configurations, best first; empty (with
    `infeasible_reason`) when no configuration fits in memory. The `*_to_train_*` figures are
    for the family's whole token budget at the best configuration.
    """

    label: str
    accelerator: str
    gpus: int
    scale_up_size: int
    scale_out_gb_s: float
    estimates: tuple[TrainingEstimate, ...]
    infeasible_reason: str | None
    time_to_train_s: float | None
    time_to_train_days: float | None
    energy_to_train_j: float | None
    power_kw: float | None
    meets_target: bool
    configurations_evaluated: int
    configurations_feasible: int
    search_s: float

    @property
    def fits(self) -> bool:
        return bool(self.estimates)

    @property
    def best(self) -> TrainingEstimate | None:
        return self.estimates[0] if self.estimates else None

    @property
    def power_mw(self) -> float | None:
        return None if self.power_kw is None else self.power_kw / 1e3


@dataclass(frozen=True, slots=True)
class TradeOffPoint:
    """A feasible candidate on the time-to-train × accelerators × power plane."""

    label: str
    accelerator: str
    gpus: int
    time_to_train_days: float
    power_mw: float
    on_front: bool


@dataclass(frozen=True, slots=True)
class ServingPlan:
    """The inference fleet a family needs at its peak load on the recommended accelerator.

    `gpus` = ceil(peak / tokens_per_s_per_gpu) and `racks` = ceil(gpus / accelerators_per_rack);
    both are None when one replica does not fit in memory (`infeasible_reason` says why).
    """

    accelerator: str
    peak_tokens_per_s: float
    accelerators_per_rack: int
    estimate: ServingEstimate | None
    gpus: int | None
    racks: int | None
    power_kw: float | None
    meets_latency: bool
    infeasible_reason: str | None


@dataclass(frozen=True, slots=True)
class FamilyCodesign:
    """The co-design verdict for one model family."""

    family_id: str
    family_name: str
    architecture: str
    precision: str
    token_budget: float
    target_training_days: float
    candidates: tuple[CandidateOutcome, ...]
    recommended: CandidateOutcome | None
    meets_target: bool
    pareto: tuple[TradeOffPoint, ...]
    serving: ServingPlan | None

    @property
    def candidates_evaluated(self) -> int:
        return len(self.candidates)

    @property
    def candidates_feasible(self) -> int:
        return sum(1 for c in self.candidates if c.fits)


@dataclass(frozen=True, slots=True)
class CodesignPlan:
    """Every family's co-design verdict, in roadmap order."""

    families: tuple[FamilyCodesign, ...]

    def family(self, family_id: str) -> FamilyCodesign | None:
        """The verdict for this family, or None."""
        return next((f for f in self.families if f.family_id == family_id), None)

    @property
    def summary(self) -> str:
        """One line: how many families meet their target and on what."""
        parts = []
        for family in self.families:
            chosen = family.recommended
            if chosen is None:
                parts.append(f"{family.family_id}: nothing fits")
                continue
            flag = "" if family.meets_target else " (misses target)"
            parts.append(f"{family.family_id}: {chosen.label}{flag}")
        met = sum(1 for f in self.families if f.meets_target)
        return f"{met}/{len(self.families)} families meet their target; " + "; ".join(parts)


def recommend(candidates: Sequence[CandidateOutcome]) -> tuple[CandidateOutcome | None, bool]:
    """The recommended candidate and whether it meets the family's target days.

    The fewest accelerators that meets the target (ties: the least energy to train); when none
    meets it, the fastest. None when no candidate fits in memory.
    """
    feasible = [c for c in candidates if c.fits]
    if not feasible:
        return None, False
    meeting = [c for c in feasible if c.meets_target]
    if meeting:
        return min(meeting, key=lambda c: (c.gpus, c.energy_to_train_j or 0.0)), True
    return min(feasible, key=lambda c: (c.time_to_train_s or 0.0, c.gpus)), False


def trade_off_points(candidates: Sequence[CandidateOutcome]) -> tuple[TradeOffPoint, ...]:
    """Every feasible candidate as a point, marked on the front of (days, accelerators, MW).

    All three objectives are minimised; a point is on the front when no other point is at least
    as good on all three and better on one.
    """
    feasible = [c for c in candidates if c.fits]
    if not feasible:
        return ()
    days = [c.time_to_train_days or 0.0 for c in feasible]
    power = [c.power_mw or 0.0 for c in feasible]
    objectives = np.array([[d, c.gpus, p] for d, c, p in zip(days, feasible, power, strict=True)])
    front = {int(i) for i in pareto_front(objectives)}
    return tuple(
        TradeOffPoint(c.label, c.accelerator, c.gpus, d, p, on_front=i in front)
        for i, (c, d, p) in enumerate(zip(feasible, days, power, strict=True))
    )


def size_serving(
    demand: ServingDemand | None, chosen: CandidateOutcome | None, scenario: Scenario | None
) -> ServingPlan | None:
    """The fleet for a family's peak load on the recommended candidate's system (its scenario).

    Accelerators = ceil(peak / tokens_per_s_per_gpu), rounded up to whole replicas of `tp`;
    None without a serving demand or a recommended system.
    """
    if demand is None or chosen is None or scenario is None:
        return None
    system = scenario.system
    per_gpu_w = system_power_per_accelerator_w(system.accelerator)
    frame: dict[str, Any] = {
        "accelerator": chosen.accelerator,
        "peak_tokens_per_s": demand.peak_tokens_per_s,
        "accelerators_per_rack": system.rack_size,
    }
    try:
        estimate = estimate_serving(
            scenario.model,
            system,
            scenario.profile,
            scenario.precision,
            prompt_tokens=demand.prompt_tokens,
            output_tokens=demand.output_tokens,
            tpot_target_s=demand.tpot_target_s,
            ttft_target_s=demand.ttft_target_s,
        )
    except InfeasibleError as err:
        return ServingPlan(
            **frame,
            estimate=None,
            gpus=None,
            racks=None,
            power_kw=None,
            meets_latency=False,
            infeasible_reason=str(err),
        )
    # Whole replicas of `tp` accelerators: ceil(peak / per-GPU rate) rounded up to a multiple of tp.
    replicas = math.ceil(demand.peak_tokens_per_s / (estimate.tokens_per_s_per_gpu * estimate.tp))
    gpus = replicas * estimate.tp
    return ServingPlan(
        **frame,
        estimate=estimate,
        gpus=gpus,
        racks=math.ceil(gpus / system.rack_size),
        power_kw=None if per_gpu_w is None else gpus * per_gpu_w / 1e3,
        meets_latency=estimate.meets_latency,
        infeasible_reason=None,
    )
