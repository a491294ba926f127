"""Measured training runs as `StepMeasurement` records: Megatron-LM logs and published cases.

Two sources of whole-step feedback:

- a Megatron-LM training log, whose iteration lines read
  ` iteration  100/ 500000 | consumed samples: ... | elapsed time per iteration (ms): 13000.2 |`
  (the time is the mean over the log interval); the step time is the median over the logged
  intervals after the first `skip_first`, which hold start-up and warm-up;
- a YAML file of published runs (`cases:`, each a scenario plus what was `measured`), as in
  the validation data set `training_runs.yaml`.
"""

from __future__ import annotations

import contextlib
import copy
import math
import re
import statistics
from pathlib import Path
from typing import Any

from rackforge.codesign.measurements import StepMeasurement
from rackforge.errors import InputError
from rackforge.formats.yaml_file import load_yaml_mapping, read_text

__all__ = ["MEASURED_KEYS", "read_measured_runs", "read_megatron_log"]

_ITERATION_RE = re.compile(r"\biteration\s+(\d+)\s*/\s*(\d+)\s*\|")
_ELAPSED_RE = re.compile(r"elapsed time per iteration \(ms\):\s*([^\s|]+)")

# What a published case may say it measured -> the StepMeasurement field it fills.
MEASURED_KEYS = {"hardware_tflops_per_gpu": "tflops_per_gpu", "step_time_s": "step_time_s"}
_NOT_YET = {
    "model_tflops_per_gpu": "model FLOP/s (without recomputation) are not supported yet",
}
_MEASURED_FIX = f"give exactly one of: {', '.join(MEASURED_KEYS)}"


def read_megatron_log(
    path: Path, scenario: dict[str, object], scenario_id: str, skip_first: int = 5
) -> StepMeasurement:
    """The median step time of a Megatron-LM run, for the scenario it was measured on."""
    if skip_first < 0:
        raise InputError(
            f"skip_first must not be negative, got {skip_first}",
            fix="give the number of logged iterations to skip (0 or more)",
        )
    times_ms: list[float] = []
    for line_no, line in enumerate(read_text(path).splitlines(), start=1):
        if not _ITERATION_RE.search(line):
            continue
        elapsed = _ELAPSED_RE.search(line)
        if elapsed is None:
            raise InputError(
                "iteration line without 'elapsed time per iteration (ms): <value>'",
                where=f"{path}:{line_no}",
                fix="give the unedited log of the rank that prints iteration lines",
            )
        times_ms.append(_positive(elapsed.group(1), f"{path}:{line_no}", "elapsed time"))
    if not times_ms:
        raise InputError(
            "no Megatron-LM iteration lines ('iteration N/ M | ... | elapsed time per "
            "iteration (ms): ...')",
            where=str(path),
            fix="give the training log of the last pipeline stage's rank 0",
        )
    kept = times_ms[skip_first:]
    if not kept:
        raise InputError(
            f"only {len(times_ms)} iteration lines, all within the first {skip_first} skipped",
            where=str(path),
            fix=f"train for more iterations, or skip fewer (skip_first < {len(times_ms)})",
        )
    return StepMeasurement(
        scenario_id=scenario_id,
        scenario=scenario,
        step_time_s=statistics.median(kept) / 1e3,
        source=f"{path} (Megatron-LM log: median of {len(kept)} logged intervals "
        f"after the first {skip_first})",
    )


def read_measured_runs(path: Path) -> list[StepMeasurement]:
    """Every case of a published-runs YAML file; the scenario is the case minus id/measured."""
    cases = load_yaml_mapping(path).get("cases")
    if not isinstance(cases, list) or not cases:
        raise InputError(
            "needs a non-empty list under 'cases:'",
            where=f"{path}:cases",
            fix="list one case per measured run: - id: ..., model: ..., measured: {...}",
        )
    runs: list[StepMeasurement] = []
    first_index: dict[str, int] = {}
    for index, case in enumerate(cases):
        where = f"{path}:cases[{index}]"
        run = _measured_run(case, where)
        if run.scenario_id in first_index:
            raise InputError(
                f"id '{run.scenario_id}' is also the id of cases[{first_index[run.scenario_id]}]",
                where=f"{where}.id",
                fix="give every case its own id",
            )
        first_index[run.scenario_id] = index
        runs.append(run)
    return runs


def _measured_run(case: Any, where: str) -> StepMeasurement:
    if not isinstance(case, dict) or not all(isinstance(key, str) for key in case):
        raise InputError(
            "a case must be a mapping of keys to values",
            where=where,
            fix="write the case as `- id: ...` followed by its keys",
        )
    case_id = case.get("id")
    if not isinstance(case_id, str) or not case_id.strip():
        raise InputError(
            "the case has no id", where=f"{where}.id", fix="add `id: <unique name>` to the case"
        )
    measured = case.get("measured")
    if not isinstance(measured, dict) or len(measured) != 1:
        raise InputError(
            "'measured' must hold exactly one measured value",
            where=f"{where}.measured",
            fix=_MEASURED_FIX,
        )
    [(key, value)] = measured.items()
    if key not in MEASURED_KEYS:
        reason = _NOT_YET.get(str(key), f"unknown measured quantity '{key}'")
        raise InputError(reason, where=f"{where}.measured.{key}", fix=_MEASURED_FIX)
    number = _positive(value, f"{where}.measured.{key}", key)
    # A deep copy: YAML aliases (`<<: *a100_selene`) share nested mappings between cases.
    scenario = copy.deepcopy({k: v for k, v in case.items() if k not in ("id", "measured")})
    field = MEASURED_KEYS[key]
    return StepMeasurement(
        scenario_id=case_id,
        scenario=scenario,
        step_time_s=number if field == "step_time_s" else None,
        tflops_per_gpu=number if field == "tflops_per_gpu" else None,
        source=f"{where} ({case_id})",
    )


def _positive(value: object, where: str, what: str) -> float:
    """`value` as a positive finite number (a number or its text)."""
    number = math.nan
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        with contextlib.suppress(ValueError, OverflowError):
            number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise InputError(
            f"{what} must be a positive number, got {value!r}",
            where=where,
            fix=f"write the measured {what} as a positive number",
        )
    return number
