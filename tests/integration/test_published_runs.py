"""The co-design model against published training runs (shared/data/validation)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rackforge.codesign.validate import ValidationReport
from rackforge.config import Settings
from rackforge.services.codesign import default_validation_file, read_cases, validate_file

SHARED = Path(os.environ.get("RACKFORGE_SHARED_DIR", Path(__file__).parents[3] / "shared"))
RUNS = default_validation_file(Settings(shared_dir=SHARED))


@pytest.fixture(scope="module")
def report() -> ValidationReport:
    assert RUNS.is_file(), f"validation data missing: {RUNS}"
    return validate_file(RUNS, Settings(shared_dir=SHARED, profile_dir=Path("/nonexistent")))


def test_every_published_case_is_predicted_within_ten_percent(report: ValidationReport) -> None:
    worst = max(report.cases, key=lambda c: abs(c.error))
    assert abs(worst.error) <= 0.10, f"{worst.case_id}: {worst.error:+.1%}"


def test_the_mean_absolute_error_is_at_most_five_percent(report: ValidationReport) -> None:
    assert report.mean_abs_error <= 0.05


def test_cases_held_out_of_the_a100_calibration_are_within_ten_percent(
    report: ValidationReport,
) -> None:
    held_out = [c for c in report.cases if "-t2-" in c.case_id]
    assert len(held_out) == 6
    assert all(abs(c.error) <= 0.10 for c in held_out), [(c.case_id, c.error) for c in held_out]


def test_every_case_of_the_file_is_reported_once(report: ValidationReport) -> None:
    ids = [str(c["id"]) for c in read_cases(RUNS)]
    assert [c.case_id for c in report.cases] == ids


def test_the_search_reports_the_knobs_it_chose_for_unpublished_ones(
    report: ValidationReport,
) -> None:
    for case in report.cases:
        assert {"micro_batch", "interleave", "zero", "dp_overlap"} <= set(case.estimate.parallelism)
        assert case.estimate.fits
