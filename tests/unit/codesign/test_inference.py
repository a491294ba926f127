"""The serving model held to first principles and to published model and hardware facts."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackforge.catalog.schema import Accelerator, ModelArchitecture
from rackforge.codesign.inference import (
    ServingEstimate,
    estimate_serving,
    estimate_serving_at,
)
from rackforge.codesign.kv_cache import (
    count_parameters,
    kv_bytes_per_token,
    kv_fraction_per_gpu,
)
from rackforge.codesign.profile import EfficiencyProfile
from rackforge.errors import InfeasibleError, InputError

from published import DEEPSEEK_V3, H100, H200, LLAMA2_70B, LLAMA3_8B, LLAMA3_70B, MIXTRAL, hgx

# A profile with no latencies or launch overheads isolates the roofline terms.
ROOFLINE_ONLY = EfficiencyProfile(kernel_overhead_s=0.0, scale_up_latency_s=0.0)


def test_llama_70b_kv_cache_is_327680_bytes_per_token_in_bf16() -> None:
    # 2 (K and V) × 80 layers × 8 KV heads × 128 head dim × 2 bytes.
    for model in (LLAMA2_70B, LLAMA3_70B):
        assert kv_bytes_per_token(model, "bf16") == 2 * 80 * 8 * 128 * 2 == 327_680
    assert kv_bytes_per_token(LLAMA2_70B, "bf16") / 2**20 == pytest.approx(0.3125)


def test_an_fp8_kv_cache_is_half_the_size_of_a_bf16_one() -> None:
    assert kv_bytes_per_token(LLAMA2_70B, "fp8") == kv_bytes_per_token(LLAMA2_70B, "bf16") / 2


def test_grouped_query_attention_cuts_the_kv_cache_by_heads_over_kv_heads() -> None:
    mha = LLAMA2_70B.model_copy(update={"kv_heads": None})
    mqa = LLAMA2_70B.model_copy(update={"kv_heads": 1})
    gqa = kv_bytes_per_token(LLAMA2_70B, "bf16")
    assert kv_bytes_per_token(mha, "bf16") / gqa == 64 / 8
    assert gqa / kv_bytes_per_token(mqa, "bf16") == 8


def test_mla_caches_only_the_compressed_latent_and_the_rope_key() -> None:
    # DeepSeek-V2 Table 1: (d_c + d_h^R) per layer; V3 has d_c = 512, d_h^R = 64, 61 layers.
    assert kv_bytes_per_token(DEEPSEEK_V3, "bf16") == (512 + 64) * 61 * 2 == 70_272


def test_parameter_counts_match_the_published_model_sizes() -> None:
    assert count_parameters(LLAMA2_70B).total == pytest.approx(69.0e9, rel=0.005)
    assert count_parameters(LLAMA3_8B).total == pytest.approx(8.03e9, rel=0.005)
    mixtral = count_parameters(MIXTRAL)
    assert mixtral.total == pytest.approx(46.7e9, rel=0.005)
    # Published "active" counts include the input embedding, a lookup rather than a matmul.
    assert mixtral.active_per_token + mixtral.embedding == pytest.approx(12.9e9, rel=0.01)
    deepseek = count_parameters(DEEPSEEK_V3)
    assert deepseek.total == pytest.approx(671e9, rel=0.005)
    assert deepseek.active_per_token + deepseek.embedding == pytest.approx(37e9, rel=0.02)


def test_each_kv_head_lives_on_one_gpu_until_tp_exceeds_the_kv_heads() -> None:
    fraction = kv_fraction_per_gpu(LLAMA2_70B, np.array([1.0, 2.0, 8.0, 16.0]))
    np.testing.assert_allclose(fraction, [1.0, 0.5, 1 / 8, 1 / 8])
    # MLA's latent is shared by all heads, so every TP rank keeps all of it.
    np.testing.assert_allclose(kv_fraction_per_gpu(DEEPSEEK_V3, np.array([8.0])), [1.0])


def test_batch_one_decode_is_memory_bound_at_weights_over_achieved_bandwidth() -> None:
    profile = ROOFLINE_ONLY
    for model, tp in ((LLAMA3_8B, 1), (LLAMA2_70B, 8)):
        estimate = estimate_serving_at(
            model, hgx(), profile, "bf16", tp=tp, batch=1, prompt_tokens=512, output_tokens=128
        )
        params = count_parameters(model)
        # A step streams every weight but the untied input table, of which it reads one row.
        streamed = (params.total - params.embedding) * 2
        floor = streamed / (tp * 3.35e12 * profile.memory_efficiency)
        assert estimate.bound == "memory"
        assert estimate.tpot_s == pytest.approx(floor, rel=0.02)
        # Against all weights the gap is at most the input table's share (6.5 % for Llama 3 8B).
        all_weights = params.total * 2 / (tp * 3.35e12 * profile.memory_efficiency)
        assert estimate.tpot_s == pytest.approx(all_weights, rel=0.07)


def test_launch_and_all_reduce_overheads_add_to_the_batch_one_floor() -> None:
    def tpot(profile: EfficiencyProfile) -> float:
        return estimate_serving_at(
            LLAMA2_70B, hgx(), profile, "bf16", tp=8, batch=1, prompt_tokens=512, output_tokens=1
        ).tpot_s

    overheads = tpot(EfficiencyProfile()) - tpot(ROOFLINE_ONLY)
    # 80 layers × 10 kernels × 4 µs of launches plus 160 latency-bound all-reduces.
    assert overheads > 80 * 10 * 4e-6


def test_doubling_memory_bandwidth_roughly_halves_batch_one_tpot() -> None:
    fast = H100.model_copy(update={"memory_bandwidth_tb_s": 2 * 3.35})

    def tpot(accelerator: Accelerator, profile: EfficiencyProfile) -> float:
        return estimate_serving_at(
            LLAMA3_8B,
            hgx(accelerator),
            profile,
            "bf16",
            tp=1,
            batch=1,
            prompt_tokens=512,
            output_tokens=128,
        ).tpot_s

    assert tpot(fast, ROOFLINE_ONLY) / tpot(H100, ROOFLINE_ONLY) == pytest.approx(0.5, rel=0.01)
    # Fixed launch overheads do not scale with bandwidth, so the real gain is a bit smaller.
    assert 0.5 < tpot(fast, EfficiencyProfile()) / tpot(H100, EfficiencyProfile()) < 0.7


def test_prefill_of_a_long_prompt_runs_at_the_effective_matmul_peak() -> None:
    prompt = 4096
    estimate = estimate_serving_at(
        LLAMA3_8B,
        hgx(),
        ROOFLINE_ONLY,
        "bf16",
        tp=1,
        batch=1,
        prompt_tokens=prompt,
        output_tokens=1,
    )
    params = count_parameters(LLAMA3_8B)
    profile = ROOFLINE_ONLY
    shape = prompt / (prompt + profile.matmul_half_dim)
    rate = 989e12 * profile.matmul_efficiency * shape
    # 2 FLOPs per weight per token, logits only for the last position (Kaplan et al. 2020).
    linear = 2 * (params.active_per_token - params.vocab_projection) * prompt
    # Causal attention: 4·P²·heads·d / 2 per layer (Dao 2023, FlashAttention-2 §4.1).
    attention = 32 * 4 * prompt * (prompt + 1) / 2 * 32 * 128
    # The one-row logits GEMM is bound by streaming the V×h output matrix.
    head = params.vocab_projection * 2 / (3.35e12 * profile.memory_efficiency)
    expected = linear / rate + attention / (rate * profile.attention_efficiency) + head
    assert estimate.ttft_s == pytest.approx(expected, rel=1e-6)


def test_throughput_per_gpu_rises_with_batch_until_memory_binds() -> None:
    rates = [
        estimate_serving_at(
            LLAMA2_70B,
            hgx(),
            EfficiencyProfile(),
            "fp8",
            tp=4,
            batch=batch,
            prompt_tokens=1024,
            output_tokens=256,
        ).tokens_per_s_per_gpu
        for batch in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
    ]
    assert all(later > earlier for earlier, later in itertools.pairwise(rates))


def test_the_chosen_batch_is_the_largest_the_tpot_target_allows() -> None:
    target = 0.02
    best = estimate_serving(
        LLAMA2_70B,
        hgx(),
        EfficiencyProfile(),
        "fp8",
        prompt_tokens=1024,
        output_tokens=256,
        tpot_target_s=target,
        tp_options=[4],
    )
    assert best.meets_latency
    assert best.tpot_s <= target
    assert best.batch < best.max_batch  # latency, not memory, binds
    bigger = int(best.batch * 1.15) + 1
    assert (
        estimate_serving_at(
            LLAMA2_70B,
            hgx(),
            EfficiencyProfile(),
            "fp8",
            tp=4,
            batch=bigger,
            prompt_tokens=1024,
            output_tokens=256,
        ).tpot_s
        > target
    )


def test_with_a_loose_target_memory_binds_the_batch() -> None:
    best = estimate_serving(
        LLAMA3_8B,
        hgx(),
        EfficiencyProfile(),
        "bf16",
        prompt_tokens=1024,
        output_tokens=256,
        tpot_target_s=10.0,
    )
    assert best.batch == best.max_batch
    assert best.memory_gib_per_gpu <= 80
    with pytest.raises(InfeasibleError, match="lower the batch"):
        estimate_serving_at(
            LLAMA3_8B,
            hgx(),
            EfficiencyProfile(),
            "bf16",
            tp=best.tp,
            batch=best.max_batch + 1,
            prompt_tokens=1024,
            output_tokens=256,
        )


def test_a_tighter_tpot_target_never_gives_more_throughput() -> None:
    rates = []
    for target in (0.2, 0.1, 0.05, 0.03, 0.02, 0.015, 0.01):
        best = estimate_serving(
            LLAMA2_70B,
            hgx(),
            EfficiencyProfile(),
            "fp8",
            prompt_tokens=1024,
            output_tokens=256,
            tpot_target_s=target,
        )
        assert best.meets_latency
        rates.append(best.tokens_per_s_per_gpu)
    assert all(later <= earlier for earlier, later in itertools.pairwise(rates))


def test_an_unreachable_target_returns_the_fastest_configuration_flagged_unmet() -> None:
    best = estimate_serving(
        LLAMA2_70B,
        hgx(),
        EfficiencyProfile(),
        "fp8",
        prompt_tokens=1024,
        output_tokens=256,
        tpot_target_s=1e-4,
    )
    assert not best.meets_latency
    assert (best.tp, best.batch) == (8, 1)
    assert any("closest" in note for note in best.notes)


def test_a_ttft_target_is_enforced_alongside_tpot() -> None:
    loose = estimate_serving(
        LLAMA2_70B,
        hgx(),
        EfficiencyProfile(),
        "fp8",
        prompt_tokens=8192,
        output_tokens=256,
        tpot_target_s=0.1,
    )
    tight = estimate_serving(
        LLAMA2_70B,
        hgx(),
        EfficiencyProfile(),
        "fp8",
        prompt_tokens=8192,
        output_tokens=256,
        tpot_target_s=0.1,
        ttft_target_s=0.5 * loose.ttft_s,
    )
    assert tight.ttft_s <= 0.5 * loose.ttft_s
    assert tight.tp > loose.tp


def test_a_model_too_big_for_memory_raises_infeasible() -> None:
    # 671B parameters at 1 byte need 78 GiB per GPU on 8 GPUs before any KV cache or reserve.
    with pytest.raises(InfeasibleError, match="does not fit"):
        estimate_serving(
            DEEPSEEK_V3,
            hgx(),
            EfficiencyProfile(),
            "fp8",
            prompt_tokens=1024,
            output_tokens=256,
            tpot_target_s=0.05,
        )


def test_deepseek_v3_fits_on_eight_h200_with_its_latent_cache_on_every_rank() -> None:
    best = estimate_serving(
        DEEPSEEK_V3,
        hgx(H200),
        EfficiencyProfile(),
        "fp8",
        prompt_tokens=1024,
        output_tokens=256,
        tpot_target_s=0.1,
    )
    assert best.tp == 8
    assert best.weights_gib_per_gpu == pytest.approx(671e9 / 8 / 2**30, rel=0.01)
    assert any("MLA latent" in note for note in best.notes)


def test_moe_decode_reads_fewer_weight_bytes_than_a_dense_model_of_equal_size() -> None:
    dense = MIXTRAL.model_copy(update={"moe": None, "ffn_hidden": 8 * 14336})
    moe_params, dense_params = count_parameters(MIXTRAL), count_parameters(dense)
    assert moe_params.total == pytest.approx(dense_params.total, rel=1e-3)
    one = np.array([1.0])
    assert moe_params.weights_read(one)[0] < 0.3 * dense_params.weights_read(one)[0]

    def tpot(model: ModelArchitecture, batch: int) -> float:
        return estimate_serving_at(
            model,
            hgx(),
            EfficiencyProfile(),
            "bf16",
            tp=2,
            batch=batch,
            prompt_tokens=512,
            output_tokens=128,
        ).tpot_s

    assert tpot(MIXTRAL, 1) < 0.5 * tpot(dense, 1)


def test_a_batch_touches_more_distinct_experts_until_it_touches_them_all() -> None:
    params = count_parameters(DEEPSEEK_V3)
    touched = params.experts_touched(np.array([1.0, 8.0, 64.0, 4096.0]))
    assert touched[0] == pytest.approx(8)
    assert np.all(np.diff(touched) > 0)
    assert touched[-1] == pytest.approx(256)
    # E·(1 - (1 - k/E)^B) at B = 64: about 221 of 256.
    assert touched[2] == pytest.approx(256 * (1 - (1 - 8 / 256) ** 64))


def test_per_rack_throughput_is_per_gpu_throughput_times_the_rack_size() -> None:
    system = hgx().model_copy(update={"accelerators_per_rack": 32})
    best = estimate_serving(
        LLAMA3_8B,
        system,
        EfficiencyProfile(),
        "bf16",
        prompt_tokens=1024,
        output_tokens=256,
        tpot_target_s=0.05,
    )
    assert best.tokens_per_s_per_rack == pytest.approx(32 * best.tokens_per_s_per_gpu)
    # Amortising prefill can only lower the rate below steady-state decode.
    assert best.tokens_per_s_per_gpu < best.decode_tokens_per_s_per_gpu


def test_memory_per_gpu_adds_weights_kv_cache_workspace_and_reserve() -> None:
    estimate = estimate_serving_at(
        LLAMA2_70B,
        hgx(),
        EfficiencyProfile(),
        "bf16",
        tp=8,
        batch=64,
        prompt_tokens=1024,
        output_tokens=1024,
    )
    assert estimate.weights_gib_per_gpu == pytest.approx(69.0e9 * 2 / 8 / 2**30, rel=0.005)
    assert estimate.kv_cache_gib == pytest.approx(64 * 2048 * 327_680 / 8 / 2**30)
    workspace = (
        estimate.memory_gib_per_gpu - estimate.weights_gib_per_gpu - estimate.kv_cache_gib - 4.0
    )
    assert 0 < workspace < 1.0


def test_a_precision_the_accelerator_lacks_is_an_input_error() -> None:
    with pytest.raises(InputError, match="fp4"):
        estimate_serving(
            LLAMA3_8B,
            hgx(),
            EfficiencyProfile(),
            "fp4",
            prompt_tokens=128,
            output_tokens=128,
            tpot_target_s=0.05,
        )


def test_tensor_parallel_degrees_outside_the_scale_up_domain_are_rejected() -> None:
    with pytest.raises(InputError, match="tp_options"):
        estimate_serving(
            LLAMA3_8B,
            hgx(),
            EfficiencyProfile(),
            "bf16",
            prompt_tokens=128,
            output_tokens=128,
            tpot_target_s=0.05,
            tp_options=[16],
        )


def test_estimates_are_finite_and_consistent_for_every_model_here() -> None:
    for model in (LLAMA3_8B, LLAMA2_70B, MIXTRAL):
        best = estimate_serving(
            model,
            hgx(),
            EfficiencyProfile(),
            "fp8",
            prompt_tokens=2048,
            output_tokens=512,
            tpot_target_s=0.05,
            ttft_target_s=1.0,
        )
        assert best.meets_latency
        assert best.tpot_s <= 0.05
        assert best.ttft_s <= 1.0
        assert math.isfinite(best.tokens_per_s_per_gpu)
        assert 0 < best.tokens_per_s_per_gpu < best.decode_tokens_per_s_per_gpu
        assert 1 <= best.batch <= best.max_batch
        assert best.memory_gib_per_gpu <= 80


@settings(max_examples=40, deadline=None)
@given(
    layers=st.integers(1, 48),
    heads_log2=st.integers(2, 6),
    group_log2=st.integers(0, 3),
    head_dim=st.sampled_from([64, 128]),
    batch=st.integers(1, 16),
    prompt=st.integers(1, 2048),
    output=st.integers(1, 512),
)
def test_doubling_the_batch_costs_time_and_memory_but_never_throughput(
    *,
    layers: int,
    heads_log2: int,
    group_log2: int,
    head_dim: int,
    batch: int,
    prompt: int,
    output: int,
) -> None:
    heads = 2**heads_log2
    model = ModelArchitecture(
        layers=layers,
        hidden=heads * head_dim,
        heads=heads,
        kv_heads=max(1, heads >> group_log2),
        vocab=32000,
        seq_len=8192,
        activation="swiglu",
    )

    def at(b: int) -> ServingEstimate:
        return estimate_serving_at(
            model,
            hgx(),
            EfficiencyProfile(),
            "bf16",
            tp=min(8, heads),
            batch=b,
            prompt_tokens=prompt,
            output_tokens=output,
        )

    one, two = at(batch), at(2 * batch)
    assert two.tpot_s >= one.tpot_s
    assert two.memory_gib_per_gpu >= one.memory_gib_per_gpu
    assert two.decode_tokens_per_s_per_gpu >= one.decode_tokens_per_s_per_gpu * (1 - 1e-12)
    assert two.ttft_s == one.ttft_s
