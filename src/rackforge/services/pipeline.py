"""The plan pipeline: numbered stages run in order, each adding a typed result and a report section.

Like frePPLe's plan steps, a stage carries an order number (10 roadmap, 20 codesign, 30 rack, ...
leaving gaps for stages in between), and `run_pipeline` runs the stages sorted by it. A stage sees
the results of the stages before it through `PlanContext.value_of`, so later stages build on
earlier ones without the pipeline knowing what any of them computes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from time import perf_counter
from typing import Protocol, TypeVar

from rackforge.formats.program import ProgramInput
from rackforge.report.model import Section

__all__ = [
    "CompletedStage",
    "PipelineProgress",
    "PlanContext",
    "PlanOptions",
    "PlanOutcome",
    "Stage",
    "StageRegistry",
    "StageResult",
    "run_pipeline",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """How to run a plan (not what to plan: that is the program directory)."""

    seed: int = 0
    workers: int = 1
    quick: bool = False  # fewer search points, for smoke tests and demos


@dataclass(frozen=True, slots=True)
class StageResult:
    """What one stage returns: its typed result, its report section and a one-line summary."""

    value: object
    section: Section | None = None
    summary: str = ""


@dataclass(frozen=True, slots=True)
class CompletedStage:
    """A stage that has run, with its result and how long it took."""

    order: int
    name: str
    result: StageResult
    elapsed_s: float


def _value_of(completed: Iterable[CompletedStage], stage_name: str, kind: type[T]) -> T:
    for stage in completed:
        if stage.name == stage_name:
            value = stage.result.value
            if not isinstance(value, kind):
                raise TypeError(
                    f"stage '{stage_name}' returned {type(value).__name__}, not {kind.__name__}"
                )
            return value
    raise LookupError(f"no result from stage '{stage_name}': it has not run before this one")


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What a stage reads: the loaded program, the run options and the earlier stages' results."""

    program: ProgramInput
    options: PlanOptions = field(default_factory=PlanOptions)
    completed: tuple[CompletedStage, ...] = ()

    def value_of(self, stage_name: str, kind: type[T]) -> T:
        """The typed result of an earlier stage; LookupError if it has not run."""
        return _value_of(self.completed, stage_name, kind)


class Stage(Protocol):
    """One plan step: an order number, a name and a run from context to result."""

    @property
    def order(self) -> int: ...

    @property
    def name(self) -> str: ...

    def run(self, context: PlanContext) -> StageResult: ...


class PipelineProgress(Protocol):
    """Told when each stage starts and ends (the CLI draws progress bars from it)."""

    def stage_started(self, stage: Stage, index: int, total: int) -> None: ...

    def stage_finished(self, completed: CompletedStage, index: int, total: int) -> None: ...


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """Every stage's result, in the order the stages ran."""

    stages: tuple[CompletedStage, ...]

    def value_of(self, stage_name: str, kind: type[T]) -> T:
        """The typed result of a stage; LookupError if it did not run."""
        return _value_of(self.stages, stage_name, kind)

    @property
    def sections(self) -> list[Section]:
        """The report sections, in stage order (stages without one are skipped)."""
        return [s.result.section for s in self.stages if s.result.section is not None]

    @property
    def elapsed_s(self) -> float:
        return sum(s.elapsed_s for s in self.stages)


class StageRegistry:
    """The stages of a pipeline, kept sorted by order; names and orders must be unique."""

    def __init__(self, stages: Iterable[Stage] = ()) -> None:
        self._stages: list[Stage] = []
        for stage in stages:
            self.register(stage)

    def register(self, stage: Stage) -> Stage:
        """Add a stage; ValueError if its name or order is taken (returns it, for chaining)."""
        for known in self._stages:
            if known.name == stage.name:
                raise ValueError(f"a stage named '{stage.name}' is already registered")
            if known.order == stage.order:
                raise ValueError(
                    f"stages '{known.name}' and '{stage.name}' both have order {stage.order}"
                )
        self._stages.append(stage)
        self._stages.sort(key=_by_order)
        return stage

    def __iter__(self) -> Iterator[Stage]:
        return iter(tuple(self._stages))

    def __len__(self) -> int:
        return len(self._stages)

    @property
    def names(self) -> list[str]:
        return [stage.name for stage in self._stages]


def run_pipeline(
    stages: Iterable[Stage], context: PlanContext, progress: PipelineProgress | None = None
) -> PlanOutcome:
    """Run the stages by order; each sees the results of those before it.

    An error inside a stage propagates unchanged in type (an InputError still exits with code 2)
    with a note naming the stage, which tracebacks and `__notes__` show.
    """
    ordered = list(StageRegistry(stages))
    completed: list[CompletedStage] = []
    for index, stage in enumerate(ordered):
        if progress is not None:
            progress.stage_started(stage, index, len(ordered))
        started = perf_counter()
        try:
            result = stage.run(replace(context, completed=tuple(completed)))
        except Exception as err:
            err.add_note(f"in plan stage {stage.order} '{stage.name}'")
            raise
        done = CompletedStage(stage.order, stage.name, result, perf_counter() - started)
        completed.append(done)
        if progress is not None:
            progress.stage_finished(done, index, len(ordered))
    return PlanOutcome(stages=tuple(completed))


def _by_order(stage: Stage) -> int:
    return stage.order
