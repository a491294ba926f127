"""`rackforge codesign serve`: sizing a serving replica from a scenario."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rackforge.cli.main import app

SCENARIOS = Path(__file__).parents[1] / "data" / "scenarios"


def serve(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["codesign", "serve", *args])
    return result.exit_code, result.stdout, result.stderr


def test_serving_llama3_70b_on_h100_meets_a_30_ms_tpot_with_its_kv_cache_in_memory() -> None:
    code, out, _ = serve(
        str(SCENARIOS / "llama3_70b_h100_serving.yaml"),
        "--prompt-tokens",
        "2048",
        "--output-tokens",
        "256",
        "--tpot-target",
        "0.03",
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["meets_latency"] is True
    assert doc["tpot_s"] <= 0.03
    assert 1 <= doc["batch"] <= doc["max_batch"]
    assert doc["memory_gib_per_gpu"] <= 80
    assert doc["tokens_per_s_per_rack"] == doc["tokens_per_s_per_gpu"] * 8


def test_a_tighter_latency_target_never_serves_more_tokens_per_gpu() -> None:
    rates = []
    for target in ("0.1", "0.03", "0.015"):
        code, out, _ = serve(
            str(SCENARIOS / "llama3_70b_h100_serving.yaml"), "--tpot-target", target, "--json"
        )
        assert code == 0
        rates.append(json.loads(out)["tokens_per_s_per_gpu"])
    assert rates == sorted(rates, reverse=True)


def test_a_model_that_cannot_fit_exits_2_naming_the_file(tmp_path: Path) -> None:
    scenario = tmp_path / "big.yaml"
    scenario.write_text("model: llama3-405b\nsystem: {accelerator: H100, count: 8}\n")
    code, _, err = serve(str(scenario), "--json")
    assert code == 2
    assert "big.yaml" in err and "does not fit" in err
