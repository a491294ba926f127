"""Megatron-LM logs and published-run YAML files become StepMeasurements."""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.errors import InputError
from rackforge.formats.training_log import read_measured_runs, read_megatron_log

# The shared data folder sits beside the repository unless RACKFORGE_SHARED says otherwise.
SHARED = Path(
    os.environ.get("RACKFORGE_SHARED", Path(__file__).resolve().parents[3].parent / "shared")
)
TRAINING_RUNS = SHARED / "data" / "validation" / "training_runs.yaml"

SCENARIO: dict[str, object] = {"model": {"layers": 96}, "precision": "fp16"}


def _iteration(i: int, total: int, ms: float) -> str:
    return (
        f" [2021-04-09 10:{i % 60:02d}:00] iteration {i:8d}/{total:8d} | consumed samples:"
        f" {i * 1536:12d} | elapsed time per iteration (ms): {ms:.1f} | learning rate:"
        " 5.999E-05 | global batch size:  1536 | lm loss: 2.512E+00 | loss scale: 131072.0 |"
        " number of skipped iterations:   0 | number of nan iterations:   0 | TFLOPs: 150.1 |"
    )


def _log(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _runs(tmp_path: Path, text: str) -> InputError:
    path = tmp_path / "runs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_measured_runs(path)
    return caught.value


def test_the_step_time_is_the_median_after_the_skipped_warm_up(tmp_path: Path) -> None:
    times = [90000.0, 40000.0, 13100.0, 13000.0, 12900.0, 13050.0]
    lines = ["using world size: 384", "> building GPT model ..."]
    lines += [_iteration(10 * (i + 1), 500000, ms) for i, ms in enumerate(times)]
    lines.insert(4, " saving checkpoint at iteration      20 to /checkpoints")
    step = read_megatron_log(_log(tmp_path, lines), SCENARIO, "gpt-175b", skip_first=2)
    assert step.step_time_s == pytest.approx(13.025)
    assert step.tflops_per_gpu is None
    assert (step.scenario_id, step.scenario) == ("gpt-175b", SCENARIO)
    assert "median of 4" in step.source


def test_a_log_without_iteration_lines_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no Megatron-LM iteration lines"):
        read_megatron_log(_log(tmp_path, ["> building GPT model ..."]), SCENARIO, "x")


def test_a_log_shorter_than_the_warm_up_is_an_error(tmp_path: Path) -> None:
    path = _log(tmp_path, [_iteration(i, 100, 1000.0) for i in (10, 20, 30)])
    with pytest.raises(InputError) as caught:
        read_megatron_log(path, SCENARIO, "x", skip_first=5)
    assert caught.value.fix is not None
    assert "skip_first < 3" in caught.value.fix


def test_an_iteration_line_without_its_time_is_an_error_naming_its_line(tmp_path: Path) -> None:
    broken = _iteration(20, 100, 1.0).replace("elapsed time per iteration (ms): 1.0 |", "")
    path = _log(tmp_path, [_iteration(10, 100, 1.0), broken])
    with pytest.raises(InputError) as caught:
        read_megatron_log(path, SCENARIO, "x", skip_first=0)
    assert caught.value.where == f"{path}:2"


def test_a_negative_skip_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="skip_first"):
        read_megatron_log(_log(tmp_path, [_iteration(1, 2, 1.0)]), SCENARIO, "x", skip_first=-1)


@given(
    st.lists(st.floats(min_value=1.0, max_value=1e6), min_size=1, max_size=30),
    st.integers(min_value=0, max_value=5),
)
def test_any_logged_times_give_the_median_of_those_kept(times: list[float], skip: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _log(Path(folder), [_iteration(i + 1, 100, ms) for i, ms in enumerate(times)])
        if skip >= len(times):
            with pytest.raises(InputError):
                read_megatron_log(path, SCENARIO, "x", skip_first=skip)
            return
        step = read_megatron_log(path, SCENARIO, "x", skip_first=skip)
    kept = [float(f"{ms:.1f}") for ms in times[skip:]]
    assert step.step_time_s == pytest.approx(statistics.median(kept) / 1e3)


@given(st.text(max_size=300))
def test_arbitrary_log_text_gives_a_step_or_an_input_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.log"
        path.write_text(text, encoding="utf-8")
        try:
            step = read_megatron_log(path, SCENARIO, "x", skip_first=0)
        except InputError as error:
            assert error.where is not None
            assert "fuzz.log" in error.where
        else:
            assert step.step_time_s is not None
            assert step.step_time_s > 0


def test_the_published_runs_file_gives_sixteen_throughput_measurements() -> None:
    assert TRAINING_RUNS.is_file(), f"{TRAINING_RUNS} is missing: set RACKFORGE_SHARED"
    runs = read_measured_runs(TRAINING_RUNS)
    assert len(runs) == 16
    assert len({run.scenario_id for run in runs}) == 16
    assert all(run.step_time_s is None for run in runs)
    assert runs[0].scenario_id == "narayanan2021-t1-1.7b"
    assert runs[0].tflops_per_gpu == 137
    assert runs[-1].tflops_per_gpu == 159


def test_a_published_scenario_is_the_case_without_id_and_measured() -> None:
    first, second = read_measured_runs(TRAINING_RUNS)[:2]
    assert set(first.scenario) == {"model", "system", "precision", "parallelism"}
    system = first.scenario["system"]
    assert isinstance(system, dict)
    assert system["count"] == 32
    assert system["accelerator"]["name"] == "A100-SXM4-80GB"
    # The YAML anchor is shared in the file; the records must not share it.
    system["accelerator"]["name"] = "changed"
    second_system = second.scenario["system"]
    assert isinstance(second_system, dict)
    assert second_system["accelerator"]["name"] == "A100-SXM4-80GB"


def test_a_measured_step_time_is_carried_as_a_step_time(tmp_path: Path) -> None:
    path = tmp_path / "runs.yaml"
    path.write_text("cases:\n  - {id: a, model: {layers: 2}, measured: {step_time_s: 12.5}}\n")
    [run] = read_measured_runs(path)
    assert (run.step_time_s, run.tflops_per_gpu, run.scenario) == (
        12.5,
        None,
        {"model": {"layers": 2}},
    )


def test_model_flops_are_refused_until_the_record_can_say_which_flops(tmp_path: Path) -> None:
    error = _runs(tmp_path, "cases:\n  - {id: a, measured: {model_tflops_per_gpu: 120}}\n")
    assert error.where is not None
    assert error.where.endswith("runs.yaml:cases[0].measured.model_tflops_per_gpu")
    assert "not supported yet" in error.message
    assert error.fix == "give exactly one of: hardware_tflops_per_gpu, step_time_s"


@pytest.mark.parametrize(
    ("case", "located", "words"),
    [
        ("{id: a, measured: {mfu: 0.5}}", "cases[1].measured.mfu", "unknown measured"),
        (
            "{id: a, measured: {step_time_s: 1, hardware_tflops_per_gpu: 2}}",
            "cases[1].measured",
            "exactly one",
        ),
        ("{id: a, measured: {step_time_s: -1}}", "cases[1].measured.step_time_s", "positive"),
        ("{id: a, measured: {step_time_s: .nan}}", "cases[1].measured.step_time_s", "positive"),
        ("{id: a, measured: {step_time_s: true}}", "cases[1].measured.step_time_s", "positive"),
        ("{id: b, model: {}}", "cases[1].measured", "exactly one"),
        ("{measured: {step_time_s: 1}}", "cases[1].id", "no id"),
        ("{id: b0, measured: {step_time_s: 1}}", "cases[1].id", "also the id of cases[0]"),
        ("[1, 2]", "cases[1]", "mapping"),
    ],
)
def test_a_bad_case_is_named_by_its_index_and_key(
    tmp_path: Path, case: str, located: str, words: str
) -> None:
    text = f"cases:\n  - {{id: b0, measured: {{step_time_s: 1}}}}\n  - {case}\n"
    error = _runs(tmp_path, text)
    assert error.where is not None
    assert error.where.endswith(f"runs.yaml:{located}")
    assert words in error.message


@pytest.mark.parametrize("text", ["runs: []\n", "cases: []\n", "cases: {a: 1}\n"])
def test_a_file_without_a_list_of_cases_is_an_error(tmp_path: Path, text: str) -> None:
    error = _runs(tmp_path, text)
    assert error.where is not None
    assert error.where.endswith("runs.yaml:cases")
