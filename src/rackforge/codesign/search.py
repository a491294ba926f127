"""Design-space search: evaluate every valid configuration, keep the best and the Pareto front.

The space is cut into chunks evaluated by an `Executor` (a port: the local executor runs them
in this process, the Ray executor on a cluster — same function, same results). Each chunk
returns only its best candidates, so the search's memory is bounded by the chunk size.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from rackforge.codesign.candidates import Candidates
from rackforge.codesign.estimate import estimate_at
from rackforge.codesign.hardware import Hardware
from rackforge.codesign.knobs import check_knobs
from rackforge.codesign.results import TrainingEstimate
from rackforge.codesign.scenario import Scenario
from rackforge.codesign.space import SystemOption, enumerate_space
from rackforge.codesign.training import TrainingProblem, evaluate
from rackforge.errors import InfeasibleError

T = TypeVar("T")
R = TypeVar("R")
CHUNK = 200_000


class Executor(Protocol):
    """Runs a function over items, possibly elsewhere; results in item order."""

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[R]: ...


class InProcess:
    """The default executor: one item after another in this process."""

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[R]:
        out = []
        for i, item in enumerate(items):
            out.append(fn(item))
            if progress:
                progress(i + 1, len(items))
        return out


@dataclass(frozen=True, slots=True)
class SearchSpace:
    """System options to search besides the scenario's own (None: keep the scenario's)."""

    counts: tuple[int, ...] | None = None
    scale_up_sizes: tuple[int, ...] | None = None
    scale_out_gb_s: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class ChunkBest:
    """What one chunk keeps: its feasible count, top candidates, best per system option."""

    evaluated: int
    feasible: int
    top: Candidates
    per_system: Candidates


@dataclass(frozen=True, slots=True)
class SearchResult:
    best: TrainingEstimate
    top: tuple[TrainingEstimate, ...]
    pareto: tuple[TrainingEstimate, ...]
    evaluated: int
    feasible: int
    elapsed_s: float


def system_options(scenario: Scenario, space: SearchSpace | None) -> list[SystemOption]:
    s = scenario.system
    space = space or SearchSpace()
    return [
        SystemOption(count, size, s.scale_up.bandwidth_gb_s, out)
        for count in (space.counts or (s.count,))
        for size in (space.scale_up_sizes or (s.scale_up.size,))
        for out in (space.scale_out_gb_s or (s.scale_out.bandwidth_gb_s,))
        if size <= count
    ]


def problem_of(scenario: Scenario) -> TrainingProblem:
    hw = Hardware.of(scenario.system.accelerator, scenario.precision, scenario.profile)
    return TrainingProblem(scenario.model, hw, scenario.global_batch)


def best_of_chunk(job: tuple[TrainingProblem, Candidates, int]) -> ChunkBest:
    """Evaluate one chunk and keep its `top` fastest feasible candidates."""
    problem, cands, top = job
    ev = evaluate(problem, cands)
    ok = np.flatnonzero(ev.fits)
    times = ev.step_time_s[ok]
    if ok.size > top:
        part = np.argpartition(times, top)[:top]
        order = ok[part[np.argsort(times[part], kind="stable")]]
    else:
        order = ok[np.argsort(times, kind="stable")]
    # Best per system option (count, scale-up size, scale-out bandwidth) for the Pareto front.
    best: list[int] = []
    if ok.size:
        key = (
            cands.gpus[ok] * 1_000_003
            + cands.scale_up_size[ok] * 1_009
            + np.round(cands.scale_out_gb_s[ok] * 8).astype(np.int64)
        )
        for value in np.unique(key):
            members = np.flatnonzero(key == value)
            best.append(int(ok[members[np.argmin(times[members])]]))
    return ChunkBest(
        len(cands), int(ok.size), cands.take(order), cands.take(np.array(best, dtype=np.int64))
    )


def _chunks(c: Candidates, size: int) -> list[Candidates]:
    return [c.take(np.arange(i, min(i + size, len(c)))) for i in range(0, len(c), size)]


def pareto_front(points: np.ndarray) -> np.ndarray:
    """Indices of rows not dominated (every objective minimised)."""
    keep = []
    for i in range(points.shape[0]):
        dominated = np.all(points <= points[i], axis=1) & np.any(points < points[i], axis=1)
        if not dominated.any():
            keep.append(i)
    return np.array(keep, dtype=np.int64)


def search(
    scenario: Scenario,
    *,
    space: SearchSpace | None = None,
    top: int = 10,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """Every valid configuration of the scenario's free knobs, best first."""
    start = time.perf_counter()
    problem = problem_of(scenario)
    for option in system_options(scenario, space):
        check_knobs(scenario.model, option.count, scenario.parallelism, scenario.global_batch)
    cands = enumerate_space(
        scenario.model, system_options(scenario, space), scenario.parallelism, scenario.global_batch
    )
    jobs = [(problem, chunk, top) for chunk in _chunks(cands, CHUNK)]
    results = (executor or InProcess()).map(best_of_chunk, jobs, progress)
    feasible = sum(r.feasible for r in results)
    if not results or feasible == 0:
        raise InfeasibleError(
            f"none of {len(cands):,} configurations of {scenario.model.name} on "
            f"{scenario.system.count} × {scenario.system.accelerator.name} fits in memory"
            if len(cands)
            else "no valid parallel configuration for the given knobs and system size"
        )
    finalists = Candidates.concat([r.top for r in results])
    ev = evaluate(problem, finalists)
    order = np.argsort(ev.step_time_s, kind="stable")[:top]
    tops = tuple(estimate_at(problem, ev, int(i)) for i in order)

    per_system = Candidates.concat([r.per_system for r in results])
    ev_sys = evaluate(problem, per_system)
    # A system option split across chunks has one best per chunk: keep the fastest.
    best_of: dict[tuple[int, int, float], int] = {}
    for i in np.argsort(ev_sys.step_time_s, kind="stable"):
        key = (
            int(per_system.gpus[i]),
            int(per_system.scale_up_size[i]),
            float(per_system.scale_out_gb_s[i]),
        )
        best_of.setdefault(key, int(i))
    ests = [estimate_at(problem, ev_sys, i) for i in sorted(best_of.values())]
    objectives = np.array([[e.step_time_s, e.gpus, e.power_kw] for e in ests])
    front = pareto_front(objectives) if ests else np.array([], dtype=np.int64)
    pareto = tuple(sorted((ests[i] for i in front), key=lambda e: (e.gpus, e.step_time_s)))
    return SearchResult(
        best=tops[0],
        top=tops,
        pareto=pareto,
        evaluated=len(cands),
        feasible=feasible,
        elapsed_s=time.perf_counter() - start,
    )
