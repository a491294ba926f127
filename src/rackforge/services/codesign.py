"""Co-design use cases: estimate, search, validate and calibrate from files on disk."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rackforge.codesign.calibrate import CalibrationResult, StepCase, calibrate
from rackforge.codesign.inference import ServingEstimate, estimate_serving
from rackforge.codesign.measurements import CollectiveMeasurement, GemmMeasurement
from rackforge.codesign.profile import EfficiencyProfile
from rackforge.codesign.profiles import ProfileBook
from rackforge.codesign.results import TrainingEstimate
from rackforge.codesign.scenario import Scenario, scenario_from_mapping
from rackforge.codesign.search import Executor, SearchResult, SearchSpace, search
from rackforge.codesign.validate import (
    ValidationReport,
    measured_quantity,
    validate_cases,
)
from rackforge.config import Settings
from rackforge.errors import InfeasibleError, InputError
from rackforge.formats.gemm_csv import read_gemm_csv
from rackforge.formats.nccl_tests import read_nccl_tests
from rackforge.formats.profile_store import load_profile_book, save_profile
from rackforge.formats.training_log import read_megatron_log
from rackforge.formats.yaml_file import load_yaml_mapping

Progress = Callable[[int, int], None]


def profile_book(settings: Settings) -> ProfileBook:
    return load_profile_book(settings.profile_dir)


def load_scenario(path: Path, book: ProfileBook) -> Scenario:
    """A scenario file, resolved; errors carry the file name."""
    data = load_yaml_mapping(path)
    try:
        return scenario_from_mapping(data, book=book, name=path.stem)
    except InputError as err:
        raise err.located(str(path)) from None


def estimate_file(path: Path, settings: Settings) -> TrainingEstimate:
    """`codesign estimate`: the best configuration for the knobs left free."""
    return search_file(path, settings, top=1).best


def search_file(
    path: Path,
    settings: Settings,
    *,
    space: SearchSpace | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    top: int = 10,
) -> SearchResult:
    """`codesign search`: every configuration, best first, with the Pareto front."""
    scenario = load_scenario(path, profile_book(settings))
    try:
        return search(scenario, space=space, executor=executor, progress=progress, top=top)
    except InputError as err:
        raise err.located(str(path)) from None
    except InfeasibleError as err:
        raise InfeasibleError(f"{path}: {err}") from None


def serve_file(
    path: Path,
    settings: Settings,
    *,
    prompt_tokens: int,
    output_tokens: int,
    tpot_target_s: float,
    ttft_target_s: float | None,
) -> ServingEstimate:
    """`codesign serve`: the best serving replica of the scenario's model on its accelerator."""
    scenario = load_scenario(path, profile_book(settings))
    try:
        return estimate_serving(
            scenario.model,
            scenario.system,
            scenario.profile,
            scenario.precision,
            prompt_tokens=prompt_tokens,
            output_tokens=output_tokens,
            tpot_target_s=tpot_target_s,
            ttft_target_s=ttft_target_s,
        )
    except InputError as err:
        raise err.located(str(path)) from None
    except InfeasibleError as err:
        raise InfeasibleError(f"{path}: {err}") from None


def read_cases(path: Path) -> list[dict[str, Any]]:
    """The `cases:` list of a measured-runs file (training_runs.yaml layout)."""
    doc = load_yaml_mapping(path)
    cases = doc.get("cases")
    if not isinstance(cases, list) or not cases:
        raise InputError("no `cases:` list", where=str(path), fix="see docs/formats.md")
    return cases


def default_validation_file(settings: Settings) -> Path:
    return settings.shared_dir / "data" / "validation" / "training_runs.yaml"


def validate_file(
    path: Path, settings: Settings, progress: Progress | None = None
) -> ValidationReport:
    """`codesign validate`: predict every published case and compare."""
    try:
        return validate_cases(read_cases(path), profile_book(settings), progress)
    except InputError as err:
        if (err.where or "").startswith(str(path)):
            raise
        raise err.located(str(path)) from None


@dataclass(frozen=True, slots=True)
class CalibrationRun:
    result: CalibrationResult
    saved: Path | None


def step_cases(path: Path, book: ProfileBook, ids: Sequence[str] | None) -> list[StepCase]:
    """Measured training runs as calibration cases (optionally only some ids)."""
    out = []
    for i, case in enumerate(read_cases(path)):
        cid = str(case.get("id", f"cases[{i}]"))
        if ids and cid not in ids:
            continue
        quantity, value = measured_quantity(case, f"{path}:cases[{i}]")
        try:
            scenario = scenario_from_mapping(case, book=book, name=cid)
        except InputError as err:
            raise err.located(f"{path}:cases[{i}]") from None
        out.append(StepCase(cid, scenario, quantity, value))
    if ids and len(out) < len(set(ids)):
        missing = sorted(set(ids) - {c.case_id for c in out})
        raise InputError(f"no case {missing[0]!r}", where=str(path), fix="check the ids")
    return out


def log_case(log: Path, scenario_file: Path, book: ProfileBook) -> StepCase:
    """A Megatron-LM log's median step time, for the scenario it ran."""
    mapping = load_yaml_mapping(scenario_file)
    measured = read_megatron_log(log, mapping, str(log))
    try:
        scenario = scenario_from_mapping(mapping, book=book, name=str(log))
    except InputError as err:
        raise err.located(str(scenario_file)) from None
    assert measured.step_time_s is not None
    return StepCase(str(log), scenario, "step_time_s", measured.step_time_s)


def calibrate_files(
    *,
    settings: Settings,
    name: str,
    base: str | None,
    system_file: Path | None,
    nccl: Sequence[Path] = (),
    gemm: Sequence[Path] = (),
    steps: Path | None = None,
    logs: Sequence[tuple[Path, Path]] = (),
    step_ids: Sequence[str] | None = None,
    parameters: Sequence[str] | None = None,
    save: bool = True,
) -> CalibrationRun:
    """`codesign calibrate`: fit a new profile version and (by default) save it."""
    book = profile_book(settings)
    base_profile = book.named(base) if base else EfficiencyProfile()
    system = load_scenario(system_file, book).system if system_file else None
    collectives: list[CollectiveMeasurement] = []
    for p in nccl:
        collectives += read_nccl_tests(p)
    gemms: list[GemmMeasurement] = []
    for p in gemm:
        gemms += read_gemm_csv(p)
    cases = step_cases(steps, book, step_ids) if steps else []
    cases += [log_case(log, scenario, book) for log, scenario in logs]
    if cases and base:
        cases = [
            StepCase(
                c.case_id,
                c.scenario.model_copy(update={"profile": base_profile}),
                c.quantity,
                c.measured,
            )
            for c in cases
        ]
    sources = [str(p) for p in (*nccl, *gemm)]
    sources += [
        f"{steps}#{c.case_id}" for c in cases if c.case_id not in {str(lg) for lg, _ in logs}
    ]
    sources += [str(log) for log, _ in logs]
    result = calibrate(
        base_profile,
        name=name,
        version=book.next_version(name),
        system=system,
        gemms=gemms,
        collectives=collectives,
        steps=cases,
        parameters=parameters,
        sources=sources,
    )
    saved = save_profile(result.profile, settings.profile_dir) if save else None
    return CalibrationRun(result, saved)
