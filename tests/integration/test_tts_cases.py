"""The exposure LPs against the shared worked cases (shared/data/validation/tts_cases.yaml)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from rackforge.supply import SupplyNetwork, exposure

SHARED = Path(os.environ.get("RACKFORGE_SHARED_DIR", Path(__file__).parents[3] / "shared"))
CASES = SHARED / "data" / "validation" / "tts_cases.yaml"


def cases() -> list[dict[str, Any]]:
    assert CASES.is_file(), f"worked cases missing: {CASES}"
    loaded: list[dict[str, Any]] = yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"]
    return loaded


@pytest.mark.parametrize("case", cases(), ids=lambda c: str(c["id"]))
def test_every_worked_case_reproduces_exactly(case: dict[str, Any]) -> None:
    result = exposure(SupplyNetwork.model_validate(case["network"]))
    assert case["expected"], case["id"]
    for node, expected in case["expected"].items():
        assert result[node].tts_weeks == pytest.approx(expected["tts_weeks"], abs=1e-9), node
        assert result[node].lost_units == pytest.approx(expected["lost_units_at_ttr"], abs=1e-9), (
            node
        )
