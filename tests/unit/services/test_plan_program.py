import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import yaml

from rackforge.errors import InputError
from rackforge.services.codesign_plan import CodesignPlan
from rackforge.services.pipeline import CompletedStage, Stage
from rackforge.services.plan_program import plan_program, to_json

PROGRAM = {"name": "Tiny", "horizon_start": "2026-01-01", "horizon_end": "2026-12-31"}
FAMILY = {
    "id": "small",
    "name": "Small 8B",
    "architecture": "llama3-8b",
    "token_budget": "100B",
    "target_training_days": 30,
    "release_date": "2026-06-01",
    "candidate_systems": [{"accelerator": "H100", "counts": [8, 16]}],
}


def program_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "program.yaml").write_text(yaml.safe_dump(PROGRAM))
    (folder / "roadmap.yaml").write_text(yaml.safe_dump({"families": [FAMILY]}))
    return folder


@dataclass
class ProgressLog:
    events: list[str] = field(default_factory=list)

    def stage_started(self, stage: Stage, index: int, total: int) -> None:
        self.events.append(f"start {stage.name}")

    def step(self, stage: str, done: int, total: int) -> None:
        self.events.append(f"{stage} {done}/{total}")

    def stage_finished(self, completed: CompletedStage, index: int, total: int) -> None:
        self.events.append(f"end {completed.name}")


def test_planning_writes_the_report_and_a_plan_json_with_each_stage_result(
    tmp_path: Path,
) -> None:
    progress = ProgressLog()
    run = plan_program(program_dir(tmp_path), tmp_path / "out", progress, workers=1)
    document = json.loads(run.plan_path.read_text())
    assert document == run.document
    assert document["program"] == "Tiny"
    assert document["rackforge_version"]
    families = document["stages"]["codesign"]["result"]["families"]
    assert [f["family_id"] for f in families] == ["small"]
    assert families[0]["recommended"]["gpus"] == 8
    assert isinstance(run.outcome.value_of("codesign", CodesignPlan), CodesignPlan)
    steps = ["codesign 0/2", "codesign 1/2", "codesign 2/2"]
    racks = ["start racks", "end racks"]  # no racks.yaml: nothing to predict
    supply = ["start supply", "end supply"]  # no suppliers.csv: nothing to source
    assert progress.events == ["start codesign", *steps, "end codesign", *racks, *supply]
    assert document["stages"]["racks"]["summary"] == "no rack designs (racks.yaml absent)"
    assert "no suppliers.csv" in document["stages"]["supply"]["summary"]


def test_the_report_opens_with_the_summary_then_the_stage_sections(tmp_path: Path) -> None:
    run = plan_program(program_dir(tmp_path), tmp_path / "out", workers=1)
    html = run.report_path.read_text()
    assert html.index("1. Summary") < html.index("2. Co-design")
    assert "<title>Tiny</title>" in html


def test_an_output_path_that_is_a_file_is_an_input_error(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("")
    with pytest.raises(InputError) as caught:
        plan_program(program_dir(tmp_path), taken, workers=1)
    assert caught.value.where == str(taken)


def test_plan_json_values_are_plain_with_non_finite_numbers_as_null() -> None:
    @dataclass(frozen=True)
    class Record:
        when: date
        where: Path
        times_s: tuple[float, ...]

    value = Record(date(2027, 3, 31), Path("out/x"), (1.5, math.inf, math.nan))
    assert to_json(value) == {"when": "2027-03-31", "where": "out/x", "times_s": [1.5, None, None]}


def test_plan_json_refuses_values_it_cannot_write_rather_than_guessing() -> None:
    with pytest.raises(TypeError):
        to_json(object())
