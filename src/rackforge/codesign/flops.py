"""Exact FLOP accounting of a decoder-only transformer (per sequence, whole model).

Conventions follow Narayanan et al. 2021 (arXiv 2104.04473, eq. 3) and Korthikanti et al. 2022
(arXiv 2205.05198, §5): a multiply-add is 2 FLOPs, attention scores and values are counted over
the full s×s matrix (the causal mask is not subtracted), the backward pass costs twice the
forward, and the logits are not recomputed. For a GPT with full recomputation this reproduces
96·B·s·l·h²·(1 + s/6h + V/16lh) exactly (tests/unit/codesign/test_flops.py). Reported FLOPs
keep this convention for fused causal attention too, as published MFU figures do; the kernels
then execute only the causal half, which the timing model (compute.py) accounts for, so at
very long contexts MFU can exceed the utilisation the kernels actually reach.
"""

from __future__ import annotations

from dataclasses import dataclass

from rackforge.catalog.schema import ModelArchitecture


def mlp_matrices(model: ModelArchitecture) -> int:
    """Weight matrices in one MLP: 2 for GeLU (up, down), 3 for SwiGLU (gate, up, down)."""
    return 2 if model.activation == "gelu" else 3


def attention_projection_params(model: ModelArchitecture) -> int:
    """Weights of Q, K, V and output projections of one layer (GQA/MQA and MLA aware)."""
    h, a, g, d = model.hidden, model.heads, model.n_kv_heads, model.d_head
    if model.mla is None:
        # Q: h×(a·d); K, V: h×(g·d) each (GQA, Ainslie et al. 2023); out: (a·d)×h.
        return h * a * d + 2 * h * g * d + a * d * h
    m = model.mla  # DeepSeek-V2 report (arXiv 2405.04434) §2.1.2, eqs. 9-19
    qk = m.qk_nope_head_dim + m.qk_rope_head_dim
    q = h * a * qk if m.q_lora_rank is None else h * m.q_lora_rank + m.q_lora_rank * a * qk
    kv = h * (m.kv_lora_rank + m.qk_rope_head_dim) + m.kv_lora_rank * a * (
        m.qk_nope_head_dim + m.v_head_dim
    )
    return q + kv + a * m.v_head_dim * h


def attention_core_dims(model: ModelArchitecture) -> tuple[int, int]:
    """Per-head widths of the score (Q·Kᵀ) and value (P·V) products."""
    if model.mla is None:
        return model.d_head, model.d_head
    m = model.mla
    return m.qk_nope_head_dim + m.qk_rope_head_dim, m.v_head_dim


def dense_mlp_params(model: ModelArchitecture) -> int:
    return mlp_matrices(model) * model.hidden * model.ffn


def moe_params(model: ModelArchitecture) -> tuple[int, int]:
    """(total, active per token) weights of one MoE layer, router included."""
    assert model.moe is not None
    moe = model.moe
    expert = mlp_matrices(model) * model.hidden * moe.expert_ffn_hidden
    router = model.hidden * moe.experts
    total = expert * (moe.experts + moe.shared_experts) + router
    active = expert * (moe.top_k + moe.shared_experts) + router
    return total, active


def embedding_params(model: ModelArchitecture) -> int:
    """Input embedding (+ output layer when untied)."""
    return model.vocab * model.hidden * (1 if model.tied_embeddings else 2)


def layer_norm_params(model: ModelArchitecture) -> int:
    return 4 * model.hidden  # two LayerNorms (weight + bias) per layer


def parameter_count(model: ModelArchitecture) -> tuple[int, int]:
    """(total, active per token) parameters of the whole model."""
    dense_layers = model.layers - model.moe_layers
    per_layer_common = attention_projection_params(model) + layer_norm_params(model)
    total = model.layers * per_layer_common + dense_layers * dense_mlp_params(model)
    active = total
    if model.moe is not None:
        moe_total, moe_active = moe_params(model)
        total += model.moe_layers * moe_total
        active += model.moe_layers * moe_active
    emb = embedding_params(model)
    return total + emb, active + emb


@dataclass(frozen=True, slots=True)
class ForwardFlops:
    """Forward FLOPs of one sequence, by part of the model."""

    projections: float  # QKV + output projections, all layers
    attention_core: float  # scores and values, all layers
    mlp: float  # dense MLPs and MoE experts (+ router), all layers
    logits: float

    @property
    def layers(self) -> float:
        return self.projections + self.attention_core + self.mlp

    @property
    def total(self) -> float:
        return self.layers + self.logits


def forward_flops_per_sequence(model: ModelArchitecture) -> ForwardFlops:
    """Forward FLOPs of one sequence of `seq_len` tokens."""
    s = model.seq_len
    dk, dv = attention_core_dims(model)
    projections = 2.0 * s * attention_projection_params(model) * model.layers
    attention_core = 2.0 * s * s * model.heads * (dk + dv) * model.layers
    dense_layers = model.layers - model.moe_layers
    mlp = 2.0 * s * dense_mlp_params(model) * dense_layers
    if model.moe is not None:
        mlp += 2.0 * s * moe_params(model)[1] * model.moe_layers
    logits = 2.0 * s * model.hidden * model.vocab
    return ForwardFlops(projections, attention_core, mlp, logits)


def training_flops_per_sequence(model: ModelArchitecture, recompute: str) -> tuple[float, float]:
    """(model, hardware) FLOPs of one training sequence: fwd + bwd (+ recomputed fwd).

    Model FLOPs exclude recomputation (MFU, Chowdhery et al. 2022 App. B); hardware FLOPs
    include it (HFU). Selective recompute redoes only the attention core (Korthikanti §4.2).
    """
    f = forward_flops_per_sequence(model)
    model_flops = 3.0 * f.total
    extra = {"none": 0.0, "selective": f.attention_core, "full": f.layers}[recompute]
    return model_flops, model_flops + extra
