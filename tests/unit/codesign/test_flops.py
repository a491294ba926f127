"""FLOP and parameter counts held to Narayanan et al. 2021 (arXiv 2104.04473), eqs. 2 and 3."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.catalog.schema import ModelArchitecture, MoE
from rackforge.codesign.flops import (
    attention_projection_params,
    dense_mlp_params,
    forward_flops_per_sequence,
    mlp_matrices,
    moe_params,
    parameter_count,
    training_flops_per_sequence,
)

from published import GPT3_175B, LLAMA3_8B

# Narayanan et al. 2021, Table 1 / Table 2 and §5.1: GPT shapes with V = 51,200, s = 2048
# (GPT3_175B and the 1T row).
GPT_1T = ModelArchitecture(
    name="gpt-1t", layers=128, hidden=25600, heads=160, vocab=51200, seq_len=2048
)
PAPER_SHAPES = [pytest.param(GPT3_175B, 1536, id="gpt3-175b"), pytest.param(GPT_1T, 3072, id="1t")]


def narayanan_eq3(m: ModelArchitecture, batch: int) -> float:
    """Narayanan eq. 3: FLOPs per iteration with full activation recomputation."""
    B, s, L, h, V = batch, m.seq_len, m.layers, m.hidden, m.vocab
    return 96.0 * B * s * L * h**2 * (1 + s / (6 * h) + V / (16 * L * h))


def model_flops_without_recompute(m: ModelArchitecture, batch: int) -> float:
    """3/4 of eq. 3's layer terms (no recomputed forward), logits still counted 3×."""
    B, s, L, h, V = batch, m.seq_len, m.layers, m.hidden, m.vocab
    return 72.0 * B * s * L * h**2 * (1 + s / (6 * h) + V / (12 * L * h))


def narayanan_eq2(m: ModelArchitecture) -> float:
    """Narayanan eq. 2: parameters of a GPT with biases, position and (tied) token embeddings."""
    s, L, h, V = m.seq_len, m.layers, m.hidden, m.vocab
    return 12.0 * L * h**2 * (1 + 13 / (12 * h) + (V + s) / (12 * L * h))


gpt_shapes = st.builds(
    lambda layers, heads, d_head, vocab, seq: ModelArchitecture(
        layers=layers,
        hidden=heads * d_head,
        heads=heads,
        vocab=vocab,
        seq_len=seq,
    ),
    layers=st.integers(1, 160),
    heads=st.integers(1, 160),
    d_head=st.sampled_from([32, 64, 80, 96, 128, 256]),
    vocab=st.integers(1000, 260_000),
    seq=st.sampled_from([128, 512, 1024, 2048, 4096, 8192, 32768]),
)


@pytest.mark.parametrize(("model", "batch"), PAPER_SHAPES)
def test_hardware_flops_with_full_recompute_equal_narayanan_eq3(
    model: ModelArchitecture, batch: int
) -> None:
    _, hardware = training_flops_per_sequence(model, "full")
    assert hardware * batch == pytest.approx(narayanan_eq3(model, batch), rel=1e-12)


@pytest.mark.parametrize(("model", "batch"), PAPER_SHAPES)
def test_model_flops_count_no_recompute_and_the_logits_three_times(
    model: ModelArchitecture, batch: int
) -> None:
    for recompute in ("none", "selective", "full"):
        model_flops, _ = training_flops_per_sequence(model, recompute)
        assert model_flops * batch == pytest.approx(
            model_flops_without_recompute(model, batch), rel=1e-12
        )


@pytest.mark.parametrize(("model", "batch"), PAPER_SHAPES)
def test_without_recompute_hardware_flops_equal_model_flops(
    model: ModelArchitecture, batch: int
) -> None:
    model_flops, hardware = training_flops_per_sequence(model, "none")
    assert hardware == model_flops


@pytest.mark.parametrize(("model", "batch"), PAPER_SHAPES)
def test_selective_recompute_adds_exactly_the_attention_core_forward(
    model: ModelArchitecture, batch: int
) -> None:
    # Korthikanti et al. 2022 §4.2: QKᵀ and PV over the full s×s matrix, 2·2·s²·h per layer.
    _, none = training_flops_per_sequence(model, "none")
    _, selective = training_flops_per_sequence(model, "selective")
    s, h, L = model.seq_len, model.hidden, model.layers
    assert (selective - none) * batch == pytest.approx(4.0 * batch * s**2 * h * L, rel=1e-12)


@given(gpt_shapes, st.integers(1, 4096))
def test_eq3_holds_for_any_gpt_shape(model: ModelArchitecture, batch: int) -> None:
    model_flops, full = training_flops_per_sequence(model, "full")
    assert full * batch == pytest.approx(narayanan_eq3(model, batch), rel=1e-12)
    assert model_flops * batch == pytest.approx(
        model_flops_without_recompute(model, batch), rel=1e-12
    )


@given(gpt_shapes)
def test_recompute_never_lowers_hardware_flops_and_never_changes_model_flops(
    model: ModelArchitecture,
) -> None:
    flops = [training_flops_per_sequence(model, r) for r in ("none", "selective", "full")]
    assert flops[0][1] < flops[1][1] < flops[2][1]
    assert flops[0][0] == flops[1][0] == flops[2][0]


def test_forward_flops_are_a_third_of_model_flops() -> None:
    forward = forward_flops_per_sequence(GPT3_175B).total
    model_flops, _ = training_flops_per_sequence(GPT3_175B, "none")
    assert model_flops == pytest.approx(3.0 * forward, rel=1e-15)


def test_gpt3_has_174_6_billion_parameters_with_the_tied_embedding() -> None:
    total, active = parameter_count(GPT3_175B)
    assert total == active
    assert round(total / 1e9, 1) == 174.6  # Narayanan et al. 2021, Table 2


@pytest.mark.parametrize("model", [GPT3_175B, GPT_1T], ids=["gpt3-175b", "1t"])
def test_parameter_count_is_narayanan_eq2_less_the_position_embeddings(
    model: ModelArchitecture,
) -> None:
    # Eq. 2 also counts learned position embeddings (s·h); the engine does not (RoPE-era
    # models have none). What remains (biases, 9h per layer) is below 0.01 %.
    total, _ = parameter_count(model)
    expected = narayanan_eq2(model) - model.seq_len * model.hidden
    assert total == pytest.approx(expected, rel=1e-4)


def test_untied_embeddings_add_one_vocabulary_matrix() -> None:
    untied = GPT3_175B.model_copy(update={"tied_embeddings": False})
    assert parameter_count(untied)[0] - parameter_count(GPT3_175B)[0] == 51200 * 12288


@given(
    heads=st.sampled_from([8, 16, 32, 64, 128]),
    groups_per=st.sampled_from([1, 2, 4, 8]),
    d=st.sampled_from([64, 128]),
    hidden=st.sampled_from([2048, 4096, 8192]),
)
def test_gqa_projections_are_q_plus_grouped_k_and_v_plus_output(
    heads: int, groups_per: int, d: int, hidden: int
) -> None:
    g = max(1, heads // groups_per)
    m = ModelArchitecture(
        layers=2, hidden=hidden, heads=heads, kv_heads=g, head_dim=d, vocab=1000, seq_len=128
    )
    h, a = hidden, heads
    assert attention_projection_params(m) == h * (a * d) + 2 * h * g * d + a * d * h


def test_multi_head_attention_projections_are_four_h_squared() -> None:
    assert attention_projection_params(GPT3_175B) == 4 * 12288**2


def test_multi_query_attention_has_one_key_and_one_value_head() -> None:
    mqa = GPT3_175B.model_copy(update={"kv_heads": 1})
    h, d = 12288, 128
    assert attention_projection_params(mqa) == 2 * h * h + 2 * h * d


def test_swiglu_mlp_has_three_matrices_and_gelu_two() -> None:
    assert mlp_matrices(LLAMA3_8B) == 3
    assert dense_mlp_params(LLAMA3_8B) == 3 * 4096 * 14336
    assert mlp_matrices(GPT3_175B) == 2
    assert dense_mlp_params(GPT3_175B) == 2 * 12288 * 4 * 12288


def test_swiglu_default_width_is_eight_thirds_h_rounded_up_to_256() -> None:
    # LLaMA (Touvron et al. 2023, §2.2): 2/3·4h, rounded to a multiple of 256 in the code.
    m = ModelArchitecture(
        layers=2, hidden=4096, heads=32, vocab=32000, seq_len=2048, activation="swiglu"
    )
    assert m.ffn == 11008


# A small MoE (Mixtral-like, Jiang et al. 2024): 8 experts, top-2, one shared expert added.
MOE = ModelArchitecture(
    layers=4,
    hidden=1024,
    heads=16,
    vocab=32000,
    seq_len=2048,
    activation="swiglu",
    ffn_hidden=3 * 2048,
    moe=MoE(experts=8, top_k=2, shared_experts=1, expert_ffn_hidden=2048, dense_layers=1),
)


def test_moe_active_parameters_count_top_k_and_shared_experts_only() -> None:
    expert = 3 * 1024 * 2048
    router = 1024 * 8
    total, active = moe_params(MOE)
    assert total == expert * (8 + 1) + router
    assert active == expert * (2 + 1) + router
    all_total, all_active = parameter_count(MOE)
    assert all_total - all_active == 3 * expert * (8 - 2)  # 3 MoE layers, 6 idle experts each


def test_moe_forward_flops_use_the_active_experts_only() -> None:
    dense_equivalent = MOE.model_copy(update={"moe": None})
    moe_mlp = forward_flops_per_sequence(MOE).mlp
    dense_mlp = forward_flops_per_sequence(dense_equivalent).mlp
    router = 2.0 * 2048 * 1024 * 8 * 3
    # 1 dense layer of ffn 6144 + 3 MoE layers of (2 routed + 1 shared) × 2048 + routers.
    assert moe_mlp == pytest.approx(dense_mlp + router, rel=1e-12)
