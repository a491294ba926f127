"""`rackforge codesign` as a user drives it: JSON contracts, exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from rackforge.cli.main import app

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
GPT3_A100 = DATA / "scenarios" / "gpt3_175b_a100.yaml"
SHARED = REPO.parent / "shared"
TRAINING_RUNS = SHARED / "data" / "validation" / "training_runs.yaml"

ESTIMATE_KEYS = {
    "step_time_s",
    "tokens_per_s",
    "model_tflops_per_gpu",
    "hardware_tflops_per_gpu",
    "mfu",
    "hfu",
    "memory_gib_per_gpu",
    "fits",
    "breakdown_s",
    "parallelism",
}
KNOBS = {
    "tp",
    "pp",
    "dp",
    "cp",
    "ep",
    "zero",
    "global_batch",
    "micro_batch",
    "interleave",
    "recompute",
    "sequence_parallel",
}


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    return tmp_path / "profiles"


@pytest.fixture
def env(profile_dir: Path) -> dict[str, str]:
    return {"RACKFORGE_PROFILE_DIR": str(profile_dir), "RACKFORGE_SHARED_DIR": str(SHARED)}


def rackforge(env: dict[str, str], *args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def one_json_object(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.stderr
    text = result.stdout.strip()
    assert text.startswith("{")
    assert text.endswith("}")
    data = json.loads(text)  # fails on anything printed before or after the object
    assert isinstance(data, dict)
    return data


def assert_estimate(e: dict[str, Any]) -> None:
    assert set(e) >= ESTIMATE_KEYS
    assert set(e["parallelism"]) >= KNOBS
    assert e["step_time_s"] > 0
    assert 0 < e["mfu"] <= e["hfu"] < 1
    assert e["fits"] is True
    assert sum(e["breakdown_s"].values()) == pytest.approx(e["step_time_s"], rel=1e-9)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def assert_one_line_error(result: Result, *needles: str) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_estimate_prints_one_json_object_with_every_contract_key(env: dict[str, str]) -> None:
    result = rackforge(env, "codesign", "estimate", GPT3_A100, "--json")
    e = one_json_object(result)
    assert_estimate(e)
    assert e["parallelism"]["global_batch"] == 1536
    assert e["gpus"] == 1024
    assert e["tokens_per_step"] == 1536 * 2048
    assert result.stderr == ""


def test_estimate_without_json_prints_a_table(env: dict[str, str]) -> None:
    result = rackforge(env, "codesign", "estimate", GPT3_A100)
    assert result.exit_code == 0, result.stderr
    assert "step time" in result.stdout
    assert "MFU" in result.stdout


def test_search_prints_best_top_and_counts(env: dict[str, str]) -> None:
    s = one_json_object(rackforge(env, "codesign", "search", GPT3_A100, "--json"))
    assert {"best", "top", "evaluated", "feasible", "elapsed_s"} <= set(s)
    assert_estimate(s["best"])
    assert 1 <= len(s["top"]) <= 10
    assert s["top"][0] == s["best"]
    times = [t["step_time_s"] for t in s["top"]]
    assert times == sorted(times)
    assert 0 < s["feasible"] <= s["evaluated"]
    assert s["elapsed_s"] >= 0


def test_search_over_system_sizes_returns_a_pareto_front(env: dict[str, str]) -> None:
    s = one_json_object(
        rackforge(env, "codesign", "search", GPT3_A100, "--json", "--counts", "512,1024")
    )
    gpus = [p["gpus"] for p in s["pareto"]]
    assert gpus == sorted(gpus)
    assert set(gpus) <= {512, 1024}


def test_an_unknown_accelerator_exits_2_naming_file_key_and_a_close_match(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = write(
        tmp_path, "unknown.yaml", "model: gpt3-175b\nsystem: {accelerator: H1000, count: 64}\n"
    )
    assert_one_line_error(
        rackforge(env, "codesign", "estimate", path, "--json"),
        str(path),
        "system.accelerator",
        "H100-SXM5-80GB",
    )


@pytest.mark.parametrize(
    ("count", "parallelism", "needle"),
    [
        # GPT-3 has 96 heads: TP 5 divides the 40 GPUs but not the heads (nor the 49,152 FFN).
        pytest.param(40, "{tp: 5}", "parallelism.tp", id="tp-not-dividing-the-heads"),
        # Each knob is possible alone; together m = 1536 / (4 · 128) = 3 micro-batches, which
        # 2 pipeline stages cannot interleave (Megatron-LM needs m % pp == 0).
        pytest.param(
            64,
            "{tp: 8, pp: 2, dp: 4, micro_batch: 128, interleave: 2}",
            "interleave",
            id="knobs-that-cannot-hold-together",
        ),
        # TP 3 is valid for GPT-3 (96 heads, FFN 49,152, 24 GPUs), but 175B parameters cannot
        # fit on 24 A100s: ≥ 175e9 × 18 B / 24 = 131 GB per GPU of model states alone.
        pytest.param(24, "{tp: 3}", "fits in memory", id="fits-nowhere"),
    ],
)
def test_gpt3_on_a100s_that_cannot_run_exits_2_naming_the_file_and_the_cause(
    env: dict[str, str], tmp_path: Path, count: int, parallelism: str, needle: str
) -> None:
    path = write(
        tmp_path,
        "gpt3.yaml",
        f"model: gpt3-175b\nsystem: {{accelerator: A100-SXM4-80GB, count: {count}}}\n"
        f"parallelism: {parallelism}\n",
    )
    assert_one_line_error(rackforge(env, "codesign", "estimate", path, "--json"), str(path), needle)


def test_negative_layers_exit_2_naming_file_and_key(env: dict[str, str], tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "negative.yaml",
        "model: {layers: -4, hidden: 1024, heads: 16, vocab: 32000, seq_len: 2048}\n"
        "system: {accelerator: A100-SXM4-80GB, count: 8}\n",
    )
    assert_one_line_error(
        rackforge(env, "codesign", "estimate", path, "--json"), f"{path}:model.layers", "-4"
    )


def test_malformed_yaml_exits_2_naming_file_and_line(env: dict[str, str], tmp_path: Path) -> None:
    path = write(
        tmp_path, "broken.yaml", "model: gpt3-175b\nsystem:\n  accelerator: A100\n   count: 8\n"
    )
    assert_one_line_error(
        rackforge(env, "codesign", "estimate", path, "--json"), f"{path}:4", "invalid YAML"
    )


def test_a_missing_file_exits_2_naming_it(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert_one_line_error(
        rackforge(env, "codesign", "search", path, "--json"), str(path), "file not found"
    )


def validation_report(env: dict[str, str]) -> dict[str, Any]:
    result = rackforge(env, "codesign", "validate", "--json")
    assert result.exit_code in (0, 1), result.stderr
    text = result.stdout.strip()
    report: dict[str, Any] = json.loads(text)
    assert report["passed"] is (result.exit_code == 0)
    return report


def test_validate_reports_every_published_case_of_the_shared_file(env: dict[str, str]) -> None:
    report = validation_report(env)
    assert {"cases", "mean_abs_error", "max_abs_error", "passed"} <= set(report)
    expected_ids = [c["id"] for c in yaml.safe_load(TRAINING_RUNS.read_text())["cases"]]
    assert [c["id"] for c in report["cases"]] == expected_ids
    for case in report["cases"]:
        assert {"id", "quantity", "measured", "predicted", "error", "parallelism"} <= set(case)
        assert case["error"] == pytest.approx(
            (case["predicted"] - case["measured"]) / case["measured"], rel=1e-9
        )
        assert KNOBS - {"global_batch"} <= set(case["parallelism"])
    errors = [abs(c["error"]) for c in report["cases"]]
    assert report["max_abs_error"] == pytest.approx(max(errors), rel=1e-12)
    assert report["mean_abs_error"] == pytest.approx(sum(errors) / len(errors), rel=1e-12)


def test_validate_passes_on_the_shared_published_runs(env: dict[str, str]) -> None:
    report = validation_report(env)
    worst = max(report["cases"], key=lambda c: abs(c["error"]))
    assert report["passed"] is True, (
        f"mean |error| {report['mean_abs_error']:.1%}, worst {worst['id']} {worst['error']:+.1%}"
    )


def calibrate_args(*extra: str) -> list[str | Path]:
    return [
        "codesign",
        "calibrate",
        "--name",
        "test-a100",
        "--system",
        GPT3_A100,
        "--nccl",
        DATA / "nccl" / "all_reduce_a100_8gpu_1node.txt",
        "--nccl",
        DATA / "nccl" / "all_reduce_a100_16gpu_2node.txt",
        "--gemm",
        DATA / "gemm" / "a100_fp16.csv",
        *extra,
    ]


def test_calibrate_dry_run_prints_the_fit_and_writes_no_profile(
    env: dict[str, str], profile_dir: Path
) -> None:
    result = rackforge(env, *calibrate_args("--dry-run"))
    assert result.exit_code == 0, result.stderr
    for name in ("matmul_efficiency", "scale_up_efficiency", "scale_out_latency_s"):
        assert name in result.stdout
    assert "dry run: not saved" in result.stdout
    assert not profile_dir.exists() or not any(profile_dir.iterdir())


def test_calibrate_saves_a_new_version_in_the_profile_directory(
    env: dict[str, str], profile_dir: Path
) -> None:
    first = one_json_object(rackforge(env, *calibrate_args("--json")))
    assert first["saved"] == str(profile_dir / "test-a100@v1.yaml")
    second = one_json_object(rackforge(env, *calibrate_args("--json")))
    assert second["saved"] == str(profile_dir / "test-a100@v2.yaml")
    assert sorted(p.name for p in profile_dir.iterdir()) == [
        "test-a100@v1.yaml",
        "test-a100@v2.yaml",
    ]
    assert first["rms_log_error_after"] < first["rms_log_error_before"]
