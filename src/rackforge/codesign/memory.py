"""Memory per GPU during training: model states (ZeRO-aware) and activations.

Model states follow Rajbhandari et al. 2020 (ZeRO, arXiv 1910.02054, §3): mixed-precision Adam
holds 2 B weights + 2 B gradients + 12 B optimizer state (fp32 master, momentum, variance) per
parameter; stage 1 shards the optimizer state, 2 also the gradients, 3 also the weights, over
the data-parallel ranks. Activations follow Korthikanti et al. 2022 (arXiv 2205.05198), eqs.
1-6, generalised to GQA (K and V of g·d instead of h), SwiGLU (three f-wide tensors instead of
two) and MoE (k routed copies of each token).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rackforge.catalog.schema import ModelArchitecture
from rackforge.codesign.candidates import Candidates, FloatArray, IntArray
from rackforge.codesign.flops import (
    attention_projection_params,
    dense_mlp_params,
    layer_norm_params,
    mlp_matrices,
    moe_params,
)
from rackforge.codesign.hardware import Hardware

GIB = 2.0**30
ADAM_STATE_BYTES = 12.0  # fp32 master weights + momentum + variance (ZeRO §3.1)


@dataclass(frozen=True, slots=True)
class MemoryUse:
    """Bytes per GPU on the most loaded pipeline stage."""

    weights: FloatArray
    gradients: FloatArray
    optimizer: FloatArray
    activations: FloatArray
    reserved: float
    params_per_gpu: FloatArray

    @property
    def total(self) -> FloatArray:
        return self.weights + self.gradients + self.optimizer + self.activations + self.reserved

    def breakdown_gib(self, i: int) -> dict[str, float]:
        return {
            "weights": float(self.weights[i] / GIB),
            "gradients": float(self.gradients[i] / GIB),
            "optimizer": float(self.optimizer[i] / GIB),
            "activations": float(self.activations[i] / GIB),
            "reserved": self.reserved / GIB,
        }


def gradient_bytes(precision: str) -> float:
    """fp16 runs reduce fp16 gradients; bf16/fp8 runs accumulate them in fp32 (Megatron-LM)."""
    return 2.0 if precision == "fp16" else 4.0


def params_per_gpu(model: ModelArchitecture, c: Candidates) -> FloatArray:
    """Parameters held by one GPU of the most loaded stage (first or last)."""
    t = c.tp.astype(np.float64)
    share = c.stage_share(model.layers)
    common = attention_projection_params(model) / t + layer_norm_params(model)
    dense_layers = model.layers - model.moe_layers
    per_stage = model.layers * share * common + dense_layers * share * dense_mlp_params(model) / t
    if model.moe is not None:
        moe = model.moe
        expert = mlp_matrices(model) * model.hidden * moe.expert_ffn_hidden
        local = moe.experts / c.ep * expert / t + moe.shared_experts * expert / t
        router = moe_params(model)[0] - expert * (moe.experts + moe.shared_experts)
        per_stage = per_stage + model.moe_layers * share * (local + router)
    # Input embedding on the first stage, output layer on the last; one GPU holds both when
    # there is a single stage and the two are tied.
    vh = model.vocab * model.hidden / t
    embeddings = np.where((c.pp == 1) & model.tied_embeddings, vh, np.where(c.pp == 1, 2 * vh, vh))
    result: FloatArray = per_stage + embeddings
    return result


def activation_bytes_per_layer(
    model: ModelArchitecture, c: Candidates, hw: Hardware, flash: bool, moe_layer: bool
) -> FloatArray:
    """Stored activations of one layer and one micro-batch (Korthikanti eqs. 1-6, generalised)."""
    return _LayerActivations.of(model, c, hw, flash, moe_layer).stored


@dataclass(frozen=True, slots=True)
class _LayerActivations:
    """Per-layer activations under the candidate's recompute mode, and without recompute."""

    stored: FloatArray
    full: FloatArray

    @staticmethod
    def of(
        model: ModelArchitecture,
        c: Candidates,
        hw: Hardware,
        flash: bool,
        moe_layer: bool,
        distinct: tuple[Candidates, IntArray] | None = None,
    ) -> _LayerActivations:
        # Computed once per distinct (micro-batch, TP, CP, SP) and recompute mode, then gathered;
        # `distinct` may be any finer grouping the caller already has.
        rows, inverse = distinct or c.distinct("micro_batch", "tp", "cp", "sequence_parallel")
        table = np.stack(
            [
                _activation_bytes(model, rows.with_recompute(code), hw, flash, moe_layer)
                for code in range(3)
            ]
        )
        return _LayerActivations(table[c.recompute, inverse], table[0, inverse])


def _activation_bytes(
    model: ModelArchitecture, c: Candidates, hw: Hardware, flash: bool, moe_layer: bool
) -> FloatArray:
    h, a, g, d = model.hidden, model.heads, model.n_kv_heads, model.d_head
    t = c.tp.astype(np.float64)
    tokens = c.micro_batch * model.seq_len / c.cp
    sp = c.sequence_parallel
    scale = hw.storage_bytes / 2.0  # the paper's counts are for 16-bit tensors
    # Tensors not split by TP unless sequence parallel: LN inputs, QKV/MLP inputs, masks (10h).
    replicated = 10.0 * h / np.where(sp, t, 1.0)
    attention = (4.0 * a * d + 4.0 * g * d) / t  # Q, K, V, projection input
    act = 4.0 if mlp_matrices(model) == 2 else 6.0
    if moe_layer and model.moe is not None:
        moe = model.moe
        mlp = (
            moe.top_k * (2.0 * h + act * moe.expert_ffn_hidden)
            + moe.shared_experts * act * moe.expert_ffn_hidden
        ) / t
    else:
        mlp = act * model.ffn / t
    full = (replicated + attention + mlp) * tokens * scale
    if not flash:
        # Softmax output, dropout output (16-bit each) and a 1-byte mask per score: 5·a·s
        # bytes per token (Korthikanti eq. 1), dropped by selective recomputation (§4.2).
        keys = model.seq_len / c.cp
        full = full + np.where(c.recompute == 1, 0.0, (4.0 * scale + 1.0) * a * keys / t * tokens)
    # Full recomputation keeps only each layer's input (Korthikanti §4.1: 2sbh, /t with SP).
    checkpoint = 2.0 * h * tokens / np.where(sp, t, 1.0) * scale
    stored: FloatArray = np.where(c.recompute == 2, checkpoint, full)
    return stored


def memory_use(
    model: ModelArchitecture,
    c: Candidates,
    hw: Hardware,
    *,
    global_batch: int,
    flash: bool,
    distinct: tuple[Candidates, IntArray] | None = None,
) -> MemoryUse:
    """Per-GPU memory of every candidate (`distinct`: rows grouped by at least mb, TP, CP, SP)."""
    params = params_per_gpu(model, c)
    shard = (c.dp * c.cp).astype(np.float64)
    weights = params * hw.storage_bytes / np.where(c.zero >= 3, shard, 1.0)
    grads = params * gradient_bytes(hw.precision) / np.where(c.zero >= 2, shard, 1.0)
    optimizer = params * ADAM_STATE_BYTES / np.where(c.zero >= 1, shard, 1.0)

    p = c.pp.astype(np.float64)
    v = c.interleave.astype(np.float64)
    micro_batches = global_batch / (c.dp * c.micro_batch)
    # 1F1B keeps min(p, m) micro-batches in flight on the first stage; interleaving adds
    # (1 + (p-1)/(p·v)) (Korthikanti §4.2.3, eq. 5); the stage holds L/p layers.
    share = c.stage_share(model.layers)
    in_flight = np.minimum(p, micro_batches) * np.where(v > 1, 1.0 + (p - 1) / (p * v), 1.0)
    dense_layers = model.layers - model.moe_layers
    if distinct is None:
        distinct = c.distinct("micro_batch", "tp", "cp", "sequence_parallel")
    dense = _LayerActivations.of(model, c, hw, flash, False, distinct)
    worst = _LayerActivations.of(model, c, hw, flash, True, distinct) if model.moe_layers else dense
    per_mb = dense_layers * share * dense.stored + model.moe_layers * share * worst.stored
    activations = in_flight * per_mb
    # Recomputation needs one layer's full activations while it runs its backward pass.
    activations = activations + np.where(c.recompute == 2, worst.full, 0.0)
    # Logits and loss in fp32 on the last stage (Korthikanti eq. 4: 4·s·b·V/t).
    tokens = c.micro_batch * model.seq_len / c.cp
    activations = activations + 4.0 * tokens * model.vocab / c.tp
    return MemoryUse(
        weights=weights,
        gradients=grads,
        optimizer=optimizer,
        activations=activations,
        reserved=hw.profile.memory_reserved_gib * GIB,
        params_per_gpu=params,
    )
