from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from rackforge.errors import InputError
from rackforge.formats.program import ProgramInput
from rackforge.report.model import Section
from rackforge.roadmap import Program, Roadmap
from rackforge.services.pipeline import (
    CompletedStage,
    PlanContext,
    PlanOutcome,
    Stage,
    StageRegistry,
    StageResult,
    run_pipeline,
)


def tiny_program() -> ProgramInput:
    program = Program(name="p", horizon_start=date(2026, 1, 1), horizon_end=date(2026, 12, 31))
    roadmap = Roadmap.model_validate(
        {
            "families": [
                {
                    "id": "f",
                    "name": "F",
                    "architecture": "llama3-70b",
                    "token_budget": "1T",
                    "target_training_days": 10,
                    "release_date": "2026-06-01",
                    "candidate_systems": [{"accelerator": "H100", "counts": [8]}],
                }
            ]
        }
    )
    return ProgramInput(directory=Path("."), program=program, roadmap=roadmap)


@dataclass
class RecordingStage:
    """A fake stage that logs its run and returns the names of the stages it saw before it."""

    order: int
    name: str
    log: list[str]
    fails_with: Exception | None = None
    section: Section | None = field(default=None)

    def run(self, context: PlanContext) -> StageResult:
        self.log.append(self.name)
        if self.fails_with is not None:
            raise self.fails_with
        seen = [done.name for done in context.completed]
        return StageResult(value=seen, section=self.section, summary=f"{self.name} ok")


@dataclass
class ProgressLog:
    events: list[str] = field(default_factory=list)

    def stage_started(self, stage: Stage, index: int, total: int) -> None:
        self.events.append(f"start {stage.name} {index + 1}/{total}")

    def stage_finished(self, completed: CompletedStage, index: int, total: int) -> None:
        self.events.append(f"end {completed.name} {index + 1}/{total}")


def run(*stages: Stage, progress: ProgressLog | None = None) -> PlanOutcome:
    return run_pipeline(stages, PlanContext(program=tiny_program()), progress)


def test_stages_run_in_order_of_their_number_not_of_registration() -> None:
    log: list[str] = []
    outcome = run(RecordingStage(30, "rack", log), RecordingStage(10, "roadmap", log))
    assert log == ["roadmap", "rack"]
    assert [done.order for done in outcome.stages] == [10, 30]


def test_each_stage_sees_the_results_of_the_stages_before_it() -> None:
    log: list[str] = []
    outcome = run(
        RecordingStage(10, "roadmap", log),
        RecordingStage(20, "codesign", log),
        RecordingStage(30, "rack", log),
    )
    assert outcome.value_of("rack", list) == ["roadmap", "codesign"]
    assert outcome.value_of("roadmap", list) == []


def test_the_outcome_keeps_sections_in_stage_order_and_skips_stages_without_one() -> None:
    log: list[str] = []
    outcome = run(
        RecordingStage(20, "codesign", log, section=Section(title="Co-design")),
        RecordingStage(15, "quiet", log),
        RecordingStage(10, "roadmap", log, section=Section(title="Roadmap")),
    )
    assert [s.title for s in outcome.sections] == ["Roadmap", "Co-design"]


def test_a_failing_stage_propagates_its_error_with_the_stage_name() -> None:
    log: list[str] = []
    error = InputError("unknown accelerator 'Z9000'", where="roadmap.yaml:families[0]")
    with pytest.raises(InputError) as caught:
        run(
            RecordingStage(10, "roadmap", log),
            RecordingStage(20, "codesign", log, fails_with=error),
            RecordingStage(30, "rack", log),
        )
    assert caught.value is error
    assert caught.value.__notes__ == ["in plan stage 20 'codesign'"]
    assert log == ["roadmap", "codesign"]


def test_progress_hears_each_stage_start_and_end() -> None:
    log: list[str] = []
    progress = ProgressLog()
    run(RecordingStage(10, "roadmap", log), RecordingStage(20, "codesign", log), progress=progress)
    assert progress.events == [
        "start roadmap 1/2",
        "end roadmap 1/2",
        "start codesign 2/2",
        "end codesign 2/2",
    ]


def test_two_stages_with_one_order_number_are_refused() -> None:
    log: list[str] = []
    with pytest.raises(ValueError, match="both have order 10"):
        StageRegistry([RecordingStage(10, "a", log), RecordingStage(10, "b", log)])


def test_two_stages_with_one_name_are_refused() -> None:
    log: list[str] = []
    with pytest.raises(ValueError, match="named 'a' is already registered"):
        StageRegistry([RecordingStage(10, "a", log), RecordingStage(20, "a", log)])


def test_asking_for_a_stage_that_has_not_run_says_so() -> None:
    outcome = run(RecordingStage(10, "roadmap", []))
    with pytest.raises(LookupError, match="no result from stage 'codesign'"):
        outcome.value_of("codesign", list)


def test_asking_for_the_wrong_result_type_says_what_the_stage_returned() -> None:
    outcome = run(RecordingStage(10, "roadmap", []))
    with pytest.raises(TypeError, match="returned list, not dict"):
        outcome.value_of("roadmap", dict)
