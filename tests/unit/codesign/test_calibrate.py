"""Calibration recovers a known profile from measurements synthesised with it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from rackforge.codesign.calibrate import CalibrationResult, calibrate, default_parameters
from rackforge.codesign.compute import gemm_time
from rackforge.codesign.hardware import Hardware
from rackforge.codesign.measurements import CollectiveMeasurement, GemmMeasurement
from rackforge.codesign.profile import EfficiencyProfile
from rackforge.errors import InputError

from published import A100, dgx_a100_system

# Two DGX A100 nodes: NVLink 3 at 300 GB/s and one HDR NIC (25 GB/s) per GPU per direction.
DGX = dgx_a100_system(16)
TRUE_GEMM = EfficiencyProfile(matmul_efficiency=0.7, matmul_half_dim=64)
# Compute-bound shapes with reduction depths from 128 to 16k, so both parameters show.
SHAPES = [
    (8192, 8192, 128),
    (8192, 8192, 256),
    (8192, 8192, 512),
    (8192, 8192, 1024),
    (8192, 8192, 4096),
    (8192, 8192, 8192),
    (4096, 4096, 4096),
    (16384, 8192, 8192),
    (8192, 12288, 1536),
    (8192, 4608, 12288),
    (2048, 2048, 16384),
]


def synthetic_gemms(truth: EfficiencyProfile, noise: float = 0.0) -> list[GemmMeasurement]:
    hw = Hardware.of(A100, "fp16", truth)
    rng = np.random.default_rng(7)
    out = []
    for m, n, k in SHAPES:
        one = np.ones(1)
        t = float(gemm_time(2.0 * m * n * k * one, m * one, n * one, k * one, hw)[0])
        t *= float(np.exp(rng.normal(0.0, noise))) if noise else 1.0
        out.append(GemmMeasurement(m, n, k, "fp16", t, source="synthetic"))
    return out


def all_reduce_time(size: float, ranks: int, truth: EfficiencyProfile) -> float:
    """Ring all-reduce on one DGX, one NIC-bound channel per GPU over two (comm.py docstring)."""
    b_up = 300e9 * truth.scale_up_efficiency
    b_out = 25e9 * truth.scale_out_efficiency
    k = min(ranks, 8)
    nodes = ranks // k
    bus = min(b_up, k * b_out) if nodes > 1 else b_up
    steps_up = min(2 * (k - 1), 2 * np.ceil(np.log2(k)))  # ring or tree, whichever is fewer
    t = 2 * (ranks - 1) / ranks * size / bus + steps_up * truth.scale_up_latency_s
    if nodes > 1:
        t += min(2 * (nodes - 1), 2 * np.ceil(np.log2(nodes))) * truth.scale_out_latency_s
    return float(t)


def synthetic_collectives(truth: EfficiencyProfile) -> list[CollectiveMeasurement]:
    """An nccl-tests style sweep, 8 B to 8 GiB, on one node (8 ranks) and two nodes (16)."""
    out = []
    for ranks, tier in ((8, "scale_up"), (16, "scale_out")):
        for size in [2**i for i in range(3, 34, 2)]:
            t = all_reduce_time(size, ranks, truth)
            algbw = size / t / 1e9
            busbw = algbw * 2 * (ranks - 1) / ranks  # nccl-tests PERFORMANCE.md
            out.append(
                CollectiveMeasurement("all_reduce", size, ranks, t, algbw, busbw, tier)  # type: ignore[arg-type]
            )
    return out


def fit_gemms(
    gemms: list[GemmMeasurement],
    base: EfficiencyProfile | None = None,
    sources: Sequence[str] = (),
) -> CalibrationResult:
    """Version 2 of the "a100-test" profile, fitted on the DGX pair to GEMM timings."""
    return calibrate(
        base or EfficiencyProfile(),
        name="a100-test",
        version=2,
        system=DGX,
        gemms=gemms,
        sources=sources,
    )


def test_gemm_measurements_recover_matmul_efficiency_and_half_dim() -> None:
    result = fit_gemms(synthetic_gemms(TRUE_GEMM))
    assert result.values["matmul_efficiency"] == pytest.approx(0.7, rel=0.02)
    assert result.values["matmul_half_dim"] == pytest.approx(64, rel=0.02)
    assert result.uncertainty["matmul_efficiency"] < 0.01 * 0.7
    assert result.uncertainty["matmul_half_dim"] < 0.01 * 64
    assert result.rms_log_error("after") < 1e-3 < result.rms_log_error("before")


def test_noisy_gemm_measurements_recover_the_profile_within_their_uncertainty() -> None:
    result = fit_gemms(synthetic_gemms(TRUE_GEMM, noise=0.01))
    for name, truth in (("matmul_efficiency", 0.7), ("matmul_half_dim", 64.0)):
        value, sigma = result.values[name], result.uncertainty[name]
        assert value == pytest.approx(truth, rel=0.05)
        assert 0 < sigma < 0.1 * truth
        assert abs(value - truth) < 4 * sigma


def test_the_calibrated_profile_is_a_new_version_that_remembers_its_sources() -> None:
    base = EfficiencyProfile(name="a100-test", version=1, flash_attention=False)
    result = fit_gemms(synthetic_gemms(TRUE_GEMM), base, sources=["bench.csv"])
    p = result.profile
    assert (p.name, p.version) == ("a100-test", 2)
    assert p.matmul_efficiency == result.values["matmul_efficiency"]
    assert p.flash_attention is False  # parameters not fitted are kept from the base
    assert p.scale_up_efficiency == base.scale_up_efficiency
    assert p.calibrated_from == ["bench.csv"]
    assert set(p.uncertainty) == {"matmul_efficiency", "matmul_half_dim"}
    assert [f.measured for f in result.points] == [g.time_s for g in synthetic_gemms(TRUE_GEMM)]


def test_nccl_sweeps_recover_both_network_tiers() -> None:
    truth = EfficiencyProfile(
        scale_up_efficiency=0.72,
        scale_up_latency_s=3e-6,
        scale_out_efficiency=0.9,
        scale_out_latency_s=12e-6,
    )
    result = calibrate(
        EfficiencyProfile(),
        name="dgx-test",
        version=1,
        system=DGX,
        collectives=synthetic_collectives(truth),
    )
    assert set(result.values) == {
        "scale_up_efficiency",
        "scale_up_latency_s",
        "scale_out_efficiency",
        "scale_out_latency_s",
    }
    for name in result.values:
        assert result.values[name] == pytest.approx(getattr(truth, name), rel=0.02), name
        assert result.uncertainty[name] < 0.01 * getattr(truth, name), name


def test_a_single_node_sweep_recovers_scale_up_efficiency_and_latency() -> None:
    truth = EfficiencyProfile(scale_up_efficiency=0.65, scale_up_latency_s=1.5e-6)
    one_node = [c for c in synthetic_collectives(truth) if c.tier == "scale_up"]
    result = calibrate(
        EfficiencyProfile(), name="dgx-test", version=1, system=DGX, collectives=one_node
    )
    assert result.values["scale_up_efficiency"] == pytest.approx(0.65, rel=0.02)
    assert result.values["scale_up_latency_s"] == pytest.approx(1.5e-6, rel=0.02)


def test_each_kind_of_measurement_pins_its_own_parameters() -> None:
    gemms = synthetic_gemms(TRUE_GEMM)
    collectives = synthetic_collectives(EfficiencyProfile())
    assert default_parameters(gemms, [], []) == ("matmul_efficiency", "matmul_half_dim")
    assert default_parameters([], collectives[:3], []) == (
        "scale_up_efficiency",
        "scale_up_latency_s",
    )


def test_fewer_measurements_than_parameters_is_an_input_error() -> None:
    with pytest.raises(InputError, match="1 measurements cannot pin 2 parameters"):
        calibrate(
            EfficiencyProfile(),
            name="x",
            version=1,
            system=DGX,
            gemms=synthetic_gemms(TRUE_GEMM)[:1],
        )


def test_no_measurements_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no measurements"):
        calibrate(EfficiencyProfile(), name="x", version=1, system=DGX)


def test_gemm_measurements_without_a_system_is_an_input_error() -> None:
    with pytest.raises(InputError, match="need a system"):
        calibrate(EfficiencyProfile(), name="x", version=1, gemms=synthetic_gemms(TRUE_GEMM))


def test_fitting_an_unknown_parameter_is_an_input_error_naming_it() -> None:
    with pytest.raises(InputError, match="gemm_tile_m") as err:
        calibrate(
            EfficiencyProfile(),
            name="x",
            version=1,
            system=DGX,
            gemms=synthetic_gemms(TRUE_GEMM),
            parameters=["gemm_tile_m"],
        )
    assert err.value.where == "parameters"
