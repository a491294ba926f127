"""The time model of one serving replica: prefill and decode-step seconds at any (tp, batch).

A replica is `tp` accelerators of one scale-up domain running Megatron-style tensor parallelism
(pipeline depth 1); MoE experts are split across the same GPUs (EP = tp). Every function here
takes numpy arrays that broadcast, so a column of tp values against a row of batch sizes prices
a whole (tp, batch) grid at once (`inference.py` searches it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rackforge.catalog.schema import ModelArchitecture, Precision
from rackforge.codesign.kv_cache import (
    FloatArray,
    ParameterCount,
    ReplicaMemory,
    kv_elements_per_token_per_layer,
    kv_fraction_per_gpu,
)
from rackforge.codesign.profile import EfficiencyProfile
from rackforge.codesign.system import SystemSpec
from rackforge.errors import InputError

# Kernels in one decoder layer's forward: 2 norms, QKV GEMM, RoPE, attention, out GEMM,
# gate/up GEMM, activation, down GEMM, residual adds: about 10 (a vLLM LLaMA layer's trace).
KERNELS_PER_LAYER = 10


@dataclass(frozen=True, slots=True)
class Replica:
    """The constants the time formulas need, derived once from the inputs."""

    model: ModelArchitecture
    params: ParameterCount
    memory: ReplicaMemory
    profile: EfficiencyProfile
    kv_layer_bytes: float  # per token per layer, whole replica
    kv_streams: int  # distinct K/V streams per layer: kv_heads, or 1 shared MLA latent
    prefill_pair_flops: float  # per (query, key) pair per layer, all heads
    decode_key_flops: float  # per cached key per layer per sequence, all heads
    peak_flops: float
    memory_bw: float  # achieved HBM bytes/s
    link_bw: float  # achieved scale-up bytes/s per GPU per direction

    @staticmethod
    def of(
        model: ModelArchitecture,
        system: SystemSpec,
        profile: EfficiencyProfile,
        precision: Precision,
    ) -> Replica:
        """Derive the constants; an InputError when the part lists no peak at `precision`."""
        accelerator = system.accelerator
        peak = accelerator.dense_tflops.peak(precision)
        if peak is None:
            raise InputError(
                f"{accelerator.name} lists no dense {precision} peak",
                where="precision",
                fix="serve at a precision the accelerator's dense_tflops lists, or add that peak",
            )
        if model.mla is None:
            # QKᵀ and PV are 2·heads·d FLOPs each per (query, key) pair (Dao 2023, FlashAttention-2
            # §4.1: 4·N²·d·heads per forward, halved when causal).
            prefill_pair = decode_key = 4.0 * model.heads * model.d_head
            kv_streams = model.n_kv_heads
        else:
            mla = model.mla
            qk = mla.qk_nope_head_dim + mla.qk_rope_head_dim
            prefill_pair = 2.0 * model.heads * (qk + mla.v_head_dim)
            # Decode absorbs W^UK into the query and W^UV into the output (DeepSeek-V2 §2.1.2), so
            # scores run against the cached latent + RoPE key and values are the latent itself.
            decode_key = 2.0 * model.heads * (2 * mla.kv_lora_rank + mla.qk_rope_head_dim)
            kv_streams = 1
        memory = ReplicaMemory.of(
            model,
            precision,
            memory_gib=accelerator.memory_gib,
            reserved_gib=profile.memory_reserved_gib,
            flash_attention=profile.flash_attention,
        )
        return Replica(
            model=model,
            params=memory.params,
            memory=memory,
            profile=profile,
            kv_layer_bytes=kv_elements_per_token_per_layer(model) * memory.kv_bytes,
            kv_streams=kv_streams,
            prefill_pair_flops=prefill_pair,
            decode_key_flops=decode_key,
            peak_flops=peak * 1e12,
            memory_bw=accelerator.memory_bandwidth_tb_s * 1e12 * profile.memory_efficiency,
            link_bw=system.scale_up.bandwidth_gb_s * 1e9 * profile.scale_up_efficiency,
        )


def _matmul_s(r: Replica, flops: FloatArray, m: FloatArray, relative: float = 1.0) -> FloatArray:
    """GEMM time: peak × matmul_efficiency × m/(m + half_dim) on the token dimension m.

    `relative` scales a kernel's throughput against a large GEMM's (attention_efficiency).
    """
    half = r.profile.matmul_half_dim
    rate = r.peak_flops * r.profile.matmul_efficiency * relative * m / (m + half)
    seconds: FloatArray = flops / rate
    return seconds


def _allreduce_s(r: Replica, nbytes: FloatArray, tp: FloatArray) -> FloatArray:
    """TP all-reduce inside the scale-up domain: the fastest of ring, two-shot and one-shot.

    Ring: 2(t-1)/t of the message over each link in 2(t-1) steps (Patarasuk & Yuan 2009; NCCL
    tests PERFORMANCE.md busBw factor). Decode messages are a few KiB, so the step latency
    dominates; on a switched domain every GPU reaches every peer directly, and serving
    engines then reduce in two steps (reduce-scatter + all-gather by direct reads: two-shot)
    or one (each GPU reads all peers' whole buffers: one-shot) — vLLM custom_all_reduce.cuh,
    TensorRT-LLM allreduce plugin. All three use the profile's per-step latency.
    """
    latency = r.profile.scale_up_latency_s
    share = (tp - 1.0) / tp * nbytes / r.link_bw
    ring = 2.0 * share + 2.0 * (tp - 1.0) * latency
    two_shot = 2.0 * share + 2.0 * latency
    one_shot = (tp - 1.0) * nbytes / r.link_bw + latency
    seconds: FloatArray = np.where(tp > 1, np.minimum(ring, np.minimum(two_shot, one_shot)), 0.0)
    return seconds


def _forward_s(
    r: Replica,
    tp: FloatArray,
    tokens: FloatArray,
    *,
    attention_flops: FloatArray,
    attention_m: FloatArray,
    kv_traffic: FloatArray,
    logit_rows: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One forward pass over `tokens` tokens: (time, compute time, memory time) on each GPU.

    Each layer takes max(compute, memory) (the roofline, Williams et al. 2009), summed over
    layers (Pope et al. 2022 §2: small-batch decode is bound by streaming the weights). Matmul
    FLOPs are 2 per weight per token (Kaplan et al. 2020 §2.1); `kv_traffic` is the KV bytes one
    GPU reads or writes per layer and `attention_flops` the replica's attention-core FLOPs.
    """
    p, wb = r.params, r.memory.weight_bytes
    attention_c = _matmul_s(
        r, attention_flops / tp, attention_m, relative=r.profile.attention_efficiency
    )
    kv_m = kv_traffic / r.memory_bw

    dense = p.attention + p.dense_mlp
    dense_c = _matmul_s(r, 2.0 * dense * tokens / tp, tokens) + attention_c
    dense_m = dense * wb / tp / r.memory_bw + kv_m

    moe_c = moe_m = np.zeros_like(dense_c)
    if p.moe_layers:
        touched = p.experts_touched(tokens)
        fixed = p.attention + p.router + p.shared_experts
        # Each touched expert's GEMM sees only the tokens routed to it: m = T·k / touched.
        routed_flops = 2.0 * p.top_k * p.routed_expert * tokens / tp
        moe_c = (
            _matmul_s(r, 2.0 * fixed * tokens / tp, tokens)
            + _matmul_s(r, routed_flops, tokens * p.top_k / touched)
            + attention_c
        )
        moe_m = (fixed + touched * p.routed_expert) * wb / tp / r.memory_bw + kv_m

    head_c = _matmul_s(r, 2.0 * p.vocab_projection * logit_rows / tp, logit_rows)
    head_m = np.full_like(head_c, p.vocab_projection * wb) / tp / r.memory_bw

    time = (
        p.dense_layers * np.maximum(dense_c, dense_m)
        + p.moe_layers * np.maximum(moe_c, moe_m)
        + np.maximum(head_c, head_m)
    )
    compute = p.dense_layers * dense_c + p.moe_layers * moe_c + head_c
    memory = p.dense_layers * dense_m + p.moe_layers * moe_m + head_m
    return time, compute, memory


def _overheads_s(r: Replica, tp: FloatArray, tokens: FloatArray) -> FloatArray:
    """TP all-reduces (2 per layer, Shoeybi et al. 2019 §3) plus kernel launch overheads."""
    layers = r.model.layers
    message = tokens * r.model.hidden * r.memory.hidden_bytes
    launches = r.profile.kernel_overhead_s * KERNELS_PER_LAYER * layers
    seconds: FloatArray = 2.0 * layers * _allreduce_s(r, message, tp) + launches
    return seconds


def prefill_s(r: Replica, tp: FloatArray, seqs: FloatArray, prompt: float) -> FloatArray:
    """Prefill of `seqs` prompts of `prompt` tokens each, in one batched forward pass."""
    tokens = seqs * prompt
    kv_traffic = tokens * r.kv_layer_bytes * kv_fraction_per_gpu(r.model, tp)  # written once
    if r.profile.flash_attention:
        # FlashAttention skips fully masked blocks: P(P+1)/2 causal pairs.
        pairs = prompt * (prompt + 1) / 2
    else:
        # Standard attention computes the whole masked P×P matrix and writes then reads S and
        # softmax(S) through HBM: 4 passes of heads·P² elements (Dao et al. 2022 Algorithm 0).
        pairs = prompt * prompt
        kv_traffic = kv_traffic + seqs * 4 * r.model.heads * pairs * r.memory.hidden_bytes / tp
    time, _, _ = _forward_s(
        r,
        tp,
        tokens,
        attention_flops=seqs * pairs * r.prefill_pair_flops,
        attention_m=np.full_like(tokens, prompt),
        kv_traffic=kv_traffic,
        logit_rows=seqs,  # only each prompt's last position needs logits
    )
    seconds: FloatArray = time + _overheads_s(r, tp, tokens)
    return seconds


def decode_step_s(
    r: Replica, tp: FloatArray, batch: FloatArray, context: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One decode step of `batch` sequences at mean context `context`: (time, compute, memory)."""
    fraction = kv_fraction_per_gpu(r.model, tp)
    # Query heads on a GPU that read one K/V stream: the m of the attention GEMM (GQA groups;
    # all of a GPU's heads for MLA's single latent).
    group = r.model.heads / tp / (fraction * r.kv_streams)
    time, compute, memory = _forward_s(
        r,
        tp,
        batch,
        attention_flops=batch * context * r.decode_key_flops,
        attention_m=group,
        kv_traffic=batch * context * r.kv_layer_bytes * fraction,
        logit_rows=batch,
    )
    return time + _overheads_s(r, tp, batch), compute, memory
