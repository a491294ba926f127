"""Validation keeps going past a case it cannot predict, and fails because of it."""

from __future__ import annotations

from typing import Any

from rackforge.codesign.validate import validate_cases
from rackforge.formats.profile_store import load_profile_book

GPT_1_7B: dict[str, Any] = {
    "model": {"layers": 24, "hidden": 2304, "heads": 24, "vocab": 51200, "seq_len": 2048},
    "system": {"accelerator": "A100", "count": 32},
    "precision": "fp16",
    "measured": {"hardware_tflops_per_gpu": 137},
}


def test_a_case_that_cannot_be_predicted_is_reported_and_the_rest_still_run() -> None:
    cases = [
        {**GPT_1_7B, "id": "bad", "parallelism": {"tp": 5}},
        {**GPT_1_7B, "id": "good", "parallelism": {"tp": 1, "pp": 1, "recompute": "full"}},
    ]
    seen: list[tuple[int, int]] = []
    report = validate_cases(
        cases, load_profile_book(None), progress=lambda d, t: seen.append((d, t))
    )
    assert [c.case_id for c in report.cases] == ["good"]
    assert [f.case_id for f in report.failed] == ["bad"]
    assert "parallelism.tp" in report.failed[0].reason
    assert not report.passes(1.0, 1.0)  # even with generous tolerances
    assert seen == [(1, 2), (2, 2)]


def test_a_clean_report_passes_within_its_tolerances() -> None:
    report = validate_cases(
        [{**GPT_1_7B, "id": "good", "parallelism": {"tp": 1, "recompute": "full"}}],
        load_profile_book(None),
    )
    assert report.failed == ()
    assert report.passes(0.10, 0.05) == (abs(report.cases[0].error) <= 0.05)
