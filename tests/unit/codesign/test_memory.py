"""Training memory held to Korthikanti et al. 2022 (arXiv 2205.05198) and ZeRO (1910.02054)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.catalog.schema import ModelArchitecture
from rackforge.codesign.candidates import Candidates
from rackforge.codesign.hardware import Hardware
from rackforge.codesign.memory import (
    activation_bytes_per_layer,
    gradient_bytes,
    memory_use,
    params_per_gpu,
)
from rackforge.codesign.parallelism import RECOMPUTE_CODES
from rackforge.codesign.profile import EfficiencyProfile

from published import A100, GPT3_175B, hardware


def candidate(**knobs: float | int | bool) -> Candidates:
    values: dict[str, float | int | bool] = {
        "tp": 1,
        "pp": 1,
        "dp": 1,
        "cp": 1,
        "ep": 1,
        "micro_batch": 1,
        "interleave": 1,
        "recompute": 0,
        "sequence_parallel": False,
        "zero": 0,
        "dp_overlap": False,
        "scale_up_size": 8,
        "scale_up_gb_s": 300.0,
        "scale_out_gb_s": 25.0,
    }
    values.update(knobs)
    return Candidates.single(**values)


def per_layer(model: ModelArchitecture, flash: bool = False, **knobs: float | int | bool) -> float:
    c = candidate(**knobs)
    return float(activation_bytes_per_layer(model, c, hardware(A100, flash=flash), flash, False)[0])


shapes = st.builds(
    lambda heads, d_head, seq: ModelArchitecture(
        layers=4, hidden=heads * d_head, heads=heads, vocab=32000, seq_len=seq
    ),
    heads=st.sampled_from([8, 16, 32, 64, 96, 128]),
    d_head=st.sampled_from([64, 128]),
    seq=st.sampled_from([512, 1024, 2048, 4096]),
)
tp_degrees = st.sampled_from([1, 2, 4, 8])
micro_batches = st.integers(1, 8)


@given(shapes, micro_batches)
def test_activations_without_parallelism_are_34_sbh_plus_5_as2b(
    model: ModelArchitecture, b: int
) -> None:
    # Korthikanti eq. 2: s·b·h·(34 + 5·a·s/h) bytes per layer.
    s, h, a = model.seq_len, model.hidden, model.heads
    expected = s * b * h * (34 + 5 * a * s / h)
    assert per_layer(model, micro_batch=b) == pytest.approx(expected, rel=1e-12)


@given(shapes, micro_batches, tp_degrees)
def test_tensor_parallel_activations_keep_10_sbh_replicated(
    model: ModelArchitecture, b: int, t: int
) -> None:
    # Korthikanti eq. 3: s·b·h·(10 + 24/t + 5·a·s/(h·t)).
    s, h, a = model.seq_len, model.hidden, model.heads
    expected = s * b * h * (10 + 24 / t + 5 * a * s / (h * t))
    assert per_layer(model, micro_batch=b, tp=t) == pytest.approx(expected, rel=1e-12)


@given(shapes, micro_batches, tp_degrees)
def test_sequence_parallel_divides_every_activation_by_t(
    model: ModelArchitecture, b: int, t: int
) -> None:
    # Korthikanti eq. 4: s·b·h·(34/t + 5·a·s/(h·t)).
    s, h, a = model.seq_len, model.hidden, model.heads
    expected = s * b * h * (34 / t + 5 * a * s / (h * t))
    got = per_layer(model, micro_batch=b, tp=t, sequence_parallel=t > 1)
    assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("recompute", "sbh_per_t"),
    [
        pytest.param("selective", 34, id="selective-34"),  # Korthikanti eq. 6
        # Korthikanti §4.1 / Table 2: only each layer's input, 2·s·b·h (÷ t with SP).
        pytest.param("full", 2, id="full-2"),
    ],
)
@given(shapes, micro_batches, tp_degrees)
def test_recompute_with_sequence_parallel_stores_a_multiple_of_sbh_over_t(
    recompute: str, sbh_per_t: int, model: ModelArchitecture, b: int, t: int
) -> None:
    s, h = model.seq_len, model.hidden
    got = per_layer(
        model, micro_batch=b, tp=t, sequence_parallel=t > 1, recompute=RECOMPUTE_CODES[recompute]
    )
    assert got == pytest.approx(sbh_per_t * s * b * h / t, rel=1e-12)


def test_full_recompute_without_sequence_parallel_stores_2_sbh() -> None:
    s, h = GPT3_175B.seq_len, GPT3_175B.hidden
    got = per_layer(GPT3_175B, tp=8, recompute=RECOMPUTE_CODES["full"])
    assert got == pytest.approx(2 * s * h, rel=1e-12)


def test_flash_attention_drops_the_5_as2b_score_term() -> None:
    s, h = GPT3_175B.seq_len, GPT3_175B.hidden
    assert per_layer(GPT3_175B, flash=True) == pytest.approx(34 * s * h, rel=1e-12)


def test_fp32_training_doubles_the_stored_layer_tensors() -> None:
    c = candidate(tp=8, sequence_parallel=True)
    half = activation_bytes_per_layer(GPT3_175B, c, hardware(A100, "bf16", flash=True), True, False)
    full = activation_bytes_per_layer(GPT3_175B, c, hardware(A100, "fp32", flash=True), True, False)
    assert float(full[0]) == pytest.approx(2 * float(half[0]), rel=1e-12)


def test_fp32_training_stores_the_attention_scores_in_four_bytes() -> None:
    # Korthikanti's 5·a·s²·b is softmax output (2) + dropout mask (1) + dropout output (2)
    # bytes per score in 16 bits; in fp32 the two tensors take 4 bytes each: 9·a·s²·b.
    c = candidate(tp=8, sequence_parallel=True)
    s, b, a, t = GPT3_175B.seq_len, 1, GPT3_175B.heads, 8
    stored = activation_bytes_per_layer(GPT3_175B, c, hardware(A100, "fp32"), False, False)
    without_scores = activation_bytes_per_layer(GPT3_175B, c, hardware(A100, "fp32"), True, False)
    assert float(stored[0] - without_scores[0]) == pytest.approx(9 * a * s * s * b / t, rel=1e-12)


def bytes_per_param(precision: str, zero: int, dp: int) -> float:
    c = candidate(dp=dp, zero=zero)
    mem = memory_use(GPT3_175B, c, hardware(A100, precision), global_batch=dp * 8, flash=False)
    states = mem.weights + mem.gradients + mem.optimizer
    return float(states[0] / mem.params_per_gpu[0])


def test_mixed_precision_adam_holds_16_bytes_per_parameter_in_fp16() -> None:
    # ZeRO §3.1: 2 (fp16 weights) + 2 (fp16 gradients) + 12 (fp32 master, momentum, variance).
    assert gradient_bytes("fp16") == 2.0
    assert bytes_per_param("fp16", zero=0, dp=8) == pytest.approx(16.0, rel=1e-12)


def test_bf16_training_keeps_fp32_gradients_for_18_bytes_per_parameter() -> None:
    # Megatron-LM accumulates bf16 gradients in fp32 (docs "Distributed Optimizer": 18 bytes
    # per parameter without the distributed optimizer, 6 + 12/d with it).
    assert gradient_bytes("bf16") == 4.0
    assert bytes_per_param("bf16", zero=0, dp=8) == pytest.approx(18.0, rel=1e-12)
    assert bytes_per_param("bf16", zero=1, dp=8) == pytest.approx(6.0 + 12.0 / 8, rel=1e-12)


@pytest.mark.parametrize(
    ("zero", "expected"),
    [
        (0, 2 + 2 + 12),
        (1, 2 + 2 + 12 / 8),  # optimizer state sharded
        (2, 2 + (2 + 12) / 8),  # + gradients
        (3, (2 + 2 + 12) / 8),  # + weights
    ],
)
def test_each_zero_stage_shards_one_more_model_state_over_dp(zero: int, expected: float) -> None:
    assert bytes_per_param("fp16", zero=zero, dp=8) == pytest.approx(expected, rel=1e-12)


@given(st.sampled_from([2, 4, 8, 16, 64]), st.sampled_from(["fp16", "bf16", "fp32"]))
def test_memory_shrinks_strictly_with_every_zero_stage(dp: int, precision: str) -> None:
    per_stage = [bytes_per_param(precision, zero=z, dp=dp) for z in range(4)]
    assert per_stage == sorted(per_stage, reverse=True)
    assert len(set(per_stage)) == 4


def test_context_parallel_ranks_share_the_zero_shards() -> None:
    c = candidate(dp=4, cp=2, zero=3)
    mem = memory_use(GPT3_175B, c, hardware(A100, "fp16"), global_batch=32, flash=False)
    states = mem.weights + mem.gradients + mem.optimizer
    assert float(states[0] / mem.params_per_gpu[0]) == pytest.approx(16.0 / 8, rel=1e-12)


def activations(recompute: str, flash: bool, **knobs: float | int | bool) -> float:
    c = candidate(recompute=RECOMPUTE_CODES[recompute], **knobs)
    mem = memory_use(GPT3_175B, c, hardware(A100, flash=flash), global_batch=1536, flash=flash)
    return float(mem.activations[0])


@pytest.mark.parametrize(
    "knobs",
    [
        {"tp": 8, "pp": 12, "dp": 4, "sequence_parallel": True},
        {"tp": 8, "pp": 12, "dp": 4},
        {"tp": 4, "pp": 16, "dp": 1, "micro_batch": 2},
        {"tp": 8, "pp": 1, "dp": 8},
    ],
)
def test_full_recompute_stores_less_than_selective_which_stores_less_than_none(
    knobs: dict[str, int | bool],
) -> None:
    full = activations("full", False, **knobs)
    selective = activations("selective", False, **knobs)
    none = activations("none", False, **knobs)
    assert full < selective < none


def test_selective_recompute_never_stores_more_than_no_recompute_under_flash_attention() -> None:
    # With FlashAttention the s×s scores are never stored, so selective recomputation has
    # nothing to drop; it must not add memory either (Korthikanti §4.2: it only removes the
    # 5·a·s²·b term). The engine adds one whole layer's activations for any recompute mode.
    knobs = {"tp": 8, "pp": 12, "dp": 4, "sequence_parallel": True}
    assert activations("selective", True, **knobs) <= activations("none", True, **knobs)


def test_pipeline_first_stage_holds_p_micro_batches_of_its_l_over_p_layers() -> None:
    # Korthikanti §4.2.3: 1F1B keeps p micro-batches of L/p layers = L layers' worth, whatever
    # p is; interleaving multiplies by 1 + (p-1)/(p·v).
    hw = hardware(A100)
    layer = float(
        activation_bytes_per_layer(
            GPT3_175B, candidate(tp=8, sequence_parallel=True), hw, False, False
        )[0]
    )
    s, V, t = GPT3_175B.seq_len, GPT3_175B.vocab, 8
    logits = 4.0 * s * V / t
    for p, v in [(4, 1), (12, 1), (12, 2), (8, 4)]:
        c = candidate(tp=8, pp=p, dp=1, interleave=v, sequence_parallel=True)
        mem = memory_use(GPT3_175B, c, hw, global_batch=1536, flash=False)
        expected = GPT3_175B.layers * layer * (1 + (p - 1) / (p * v) if v > 1 else 1) + logits
        assert float(mem.activations[0]) == pytest.approx(expected, rel=1e-12)


def test_parameters_per_gpu_divide_by_tensor_and_pipeline_parallelism() -> None:
    one = float(params_per_gpu(GPT3_175B, candidate())[0])
    split = float(params_per_gpu(GPT3_175B, candidate(tp=8, pp=12))[0])
    # Layer norms are replicated over TP and the first stage also holds the embedding.
    h, V, L = GPT3_175B.hidden, GPT3_175B.vocab, GPT3_175B.layers
    assert split == pytest.approx(L / 12 * (12 * h * h / 8 + 4 * h) + V * h / 8, rel=1e-12)
    assert one == pytest.approx(L * (12 * h * h + 4 * h) + V * h, rel=1e-12)


def test_reserved_memory_comes_from_the_profile() -> None:
    profile = EfficiencyProfile(memory_reserved_gib=7.5)
    hw = Hardware.of(A100, "bf16", profile)
    mem = memory_use(GPT3_175B, candidate(tp=8, pp=12, dp=4), hw, global_batch=1536, flash=True)
    assert mem.reserved == 7.5 * 2**30
    assert float(mem.total[0]) == pytest.approx(
        float(mem.weights[0] + mem.gradients[0] + mem.optimizer[0] + mem.activations[0])
        + 7.5 * 2**30,
        rel=1e-12,
    )
    assert np.isclose(sum(mem.breakdown_gib(0).values()), float(mem.total[0]) / 2**30)
