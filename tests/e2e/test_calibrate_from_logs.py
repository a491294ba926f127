"""Calibrating from a Megatron-LM training log: the minimal-viable-rack feedback loop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rackforge.cli.main import app

DATA = Path(__file__).parents[1] / "data"
LOG = DATA / "logs" / "gpt3_175b_1536_a100.log"
SCENARIO = DATA / "scenarios" / "gpt3_175b_1536_a100.yaml"


def calibrate(tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        ["codesign", "calibrate", "--name", "selene-a100", "--base", "a100-sxm4-80gb@1", *extra],
        env={"RACKFORGE_PROFILE_DIR": str(tmp_path)},
    )
    return result.exit_code, result.stdout, result.stderr


def test_a_training_log_calibrates_a_new_profile_that_reproduces_its_step_time(
    tmp_path: Path,
) -> None:
    code, out, _ = calibrate(
        tmp_path,
        "--megatron-log",
        str(LOG),
        "--log-scenario",
        str(SCENARIO),
        "--fit",
        "matmul_efficiency",
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    (point,) = doc["points"]
    assert point["after"] == pytest.approx(point["measured"], rel=1e-3)
    assert abs(point["before"] / point["measured"] - 1) > 0.05  # the log moved the profile
    assert doc["uncertainty"]["matmul_efficiency"] is None  # one point, one parameter
    saved = Path(doc["saved"])
    assert saved.parent == tmp_path and saved.name == "selene-a100@v1.yaml"


def test_a_log_without_its_scenario_is_refused_naming_the_option(tmp_path: Path) -> None:
    code, _, err = calibrate(tmp_path, "--megatron-log", str(LOG))
    assert code == 2
    assert "--log-scenario" in err
    assert not list(tmp_path.iterdir())
