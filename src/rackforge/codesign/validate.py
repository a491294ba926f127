"""Validation against published measurements: predict each case, compare, summarise."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rackforge.codesign.profiles import ProfileBook
from rackforge.codesign.results import TrainingEstimate
from rackforge.codesign.scenario import scenario_from_mapping
from rackforge.codesign.search import search
from rackforge.errors import InfeasibleError, InputError

# Quantities a measured case may give, and how to read each from an estimate.
MEASURES: dict[str, str] = {
    "hardware_tflops_per_gpu": "hardware_tflops_per_gpu",
    "model_tflops_per_gpu": "model_tflops_per_gpu",
    "step_time_s": "step_time_s",
    "tokens_per_s": "tokens_per_s",
    "mfu": "mfu",
}


@dataclass(frozen=True, slots=True)
class CaseResult:
    """One published case: measured, predicted and the relative error."""

    case_id: str
    quantity: str
    measured: float
    predicted: float
    estimate: TrainingEstimate

    @property
    def error(self) -> float:
        return (self.predicted - self.measured) / self.measured


@dataclass(frozen=True, slots=True)
class CaseFailure:
    """A case the model could not predict, and why (it counts as failed validation)."""

    case_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ValidationReport:
    cases: tuple[CaseResult, ...]
    failed: tuple[CaseFailure, ...] = ()

    @property
    def mean_abs_error(self) -> float:
        return float(np.mean([abs(c.error) for c in self.cases])) if self.cases else 0.0

    @property
    def max_abs_error(self) -> float:
        return max((abs(c.error) for c in self.cases), default=0.0)

    def passes(self, case_tolerance: float, mean_tolerance: float) -> bool:
        return (
            not self.failed
            and self.max_abs_error <= case_tolerance
            and self.mean_abs_error <= mean_tolerance
        )


def measured_quantity(case: Mapping[str, Any], where: str) -> tuple[str, float]:
    """The (quantity, value) a case reports; exactly one known quantity is used."""
    measured = case.get("measured")
    if not isinstance(measured, Mapping) or not measured:
        raise InputError(
            "case has no `measured` mapping",
            where=f"{where}.measured",
            fix=f"add one of: {', '.join(MEASURES)}",
        )
    for key in MEASURES:
        if key in measured:
            return key, float(measured[key])
    raise InputError(
        f"unknown measured quantity {sorted(measured)[0]!r}",
        where=f"{where}.measured",
        fix=f"use one of: {', '.join(MEASURES)}",
    )


def predict_case(case: Mapping[str, Any], book: ProfileBook, where: str) -> CaseResult:
    quantity, value = measured_quantity(case, where)
    try:
        scenario = scenario_from_mapping(case, book=book, name=str(case.get("id", where)))
    except InputError as err:
        raise err.located(where) from None
    best = search(scenario, top=1).best
    return CaseResult(
        case_id=scenario.name,
        quantity=quantity,
        measured=value,
        predicted=float(getattr(best, MEASURES[quantity])),
        estimate=best,
    )


def validate_cases(
    cases: Sequence[Mapping[str, Any]],
    book: ProfileBook,
    progress: Callable[[int, int], None] | None = None,
) -> ValidationReport:
    """Predict every case (free knobs searched) and compare with what was measured.

    A case that cannot be predicted (bad knobs, nothing fits) is reported with its reason and
    the others still run; it makes the validation fail.
    """
    results: list[CaseResult] = []
    failed: list[CaseFailure] = []
    for i, case in enumerate(cases):
        where = f"cases[{i}]"
        try:
            results.append(predict_case(case, book, where))
        except (InputError, InfeasibleError) as err:
            failed.append(CaseFailure(str(case.get("id", where)), str(err)))
        if progress:
            progress(i + 1, len(cases))
    return ValidationReport(tuple(results), tuple(failed))
