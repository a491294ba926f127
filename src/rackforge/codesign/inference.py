"""Serving performance of one model replica: prefill, KV-cache decode and the best (tp, batch).

A replica is `tp` accelerators of one scale-up domain running Megatron-style tensor parallelism
(pipeline depth 1); MoE experts are split across the same GPUs (EP = tp). Every (tp, batch)
candidate is priced at once with numpy: each array below broadcasts a column of tp values
against a row of batch sizes.

Throughput amortises prefill: a batch of B requests runs its B prompts' prefill and then O decode
steps, so it yields B·O output tokens in prefill(B prompts) + O·TPOT seconds. TTFT is the prefill
of one prompt on an otherwise idle replica (no queueing, no interference from running decodes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

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
from rackforge.errors import InfeasibleError, InputError

GIB = 2.0**30
# Kernels in one decoder layer's forward: 2 norms, QKV GEMM, RoPE, attention, out GEMM,
# gate/up GEMM, activation, down GEMM, residual adds: about 10 (a vLLM LLaMA layer's trace).
KERNELS_PER_LAYER = 10
_FINE_GRID_POINTS = 128


@dataclass(frozen=True, slots=True)
class ServingEstimate:
    """Predicted serving of one model replica at one (tp, batch) (public API: keys are stable).

    Times are seconds; memory figures are per GPU. `tokens_per_s_per_gpu` is output tokens per
    second amortising the batch's prefill; `decode_tokens_per_s_per_gpu` is steady-state
    decode only (B / TPOT / tp).
    """

    tp: int
    batch: int
    prompt_tokens: int
    output_tokens: int
    ttft_s: float
    tpot_s: float
    tokens_per_s_per_gpu: float
    tokens_per_s_per_rack: float
    decode_tokens_per_s_per_gpu: float
    memory_gib_per_gpu: float
    max_batch: int
    kv_cache_gib: float  # per GPU, for `batch` sequences at their full prompt + output context
    weights_gib_per_gpu: float
    bound: Literal["memory", "compute"]
    meets_latency: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Replica:
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


def _replica(
    model: ModelArchitecture,
    system: SystemSpec,
    profile: EfficiencyProfile,
    precision: Precision,
) -> _Replica:
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
    return _Replica(
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


def _matmul_s(r: _Replica, flops: FloatArray, m: FloatArray, relative: float = 1.0) -> FloatArray:
    """GEMM time: peak × matmul_efficiency × m/(m + half_dim) on the token dimension m.

    `relative` scales a kernel's throughput against a large GEMM's (attention_efficiency).
    """
    half = r.profile.matmul_half_dim
    rate = r.peak_flops * r.profile.matmul_efficiency * relative * m / (m + half)
    seconds: FloatArray = flops / rate
    return seconds


def _allreduce_s(r: _Replica, nbytes: FloatArray, tp: FloatArray) -> FloatArray:
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
    r: _Replica,
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


def _overheads_s(r: _Replica, tp: FloatArray, tokens: FloatArray) -> FloatArray:
    """TP all-reduces (2 per layer, Shoeybi et al. 2019 §3) plus kernel launch overheads."""
    layers = r.model.layers
    message = tokens * r.model.hidden * r.memory.hidden_bytes
    launches = r.profile.kernel_overhead_s * KERNELS_PER_LAYER * layers
    seconds: FloatArray = 2.0 * layers * _allreduce_s(r, message, tp) + launches
    return seconds


def _prefill_s(r: _Replica, tp: FloatArray, seqs: FloatArray, prompt: float) -> FloatArray:
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


def _decode_step_s(
    r: _Replica, tp: FloatArray, batch: FloatArray, context: float
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


def _tp_options(
    model: ModelArchitecture, system: SystemSpec, requested: Sequence[int] | None
) -> list[int]:
    """Tensor-parallel degrees to price: inside one scale-up domain, splitting heads evenly."""
    domain = min(system.scale_up.size, system.count)
    if requested is None:
        powers = [2**k for k in range(domain.bit_length()) if 2**k <= domain]
        # KV heads split evenly, or are replicated whole when tp exceeds them (vLLM).
        kv = 1 if model.mla is not None else model.n_kv_heads
        return [
            t
            for t in powers
            if system.scale_up.size % t == 0
            and model.heads % t == 0
            and (kv % t == 0 or t % kv == 0)
        ] or [1]
    bad = [t for t in requested if t < 1 or t > domain or model.heads % t]
    if bad or not requested:
        raise InputError(
            f"tensor-parallel degrees {bad or list(requested)} cannot serve {model.name}",
            where="tp_options",
            fix=f"give degrees from 1 to {domain} (the scale-up domain) that divide "
            f"its {model.heads} heads",
        )
    return sorted(set(requested))


@dataclass(frozen=True, slots=True)
class _Grid:
    """Every figure of merit over the (tp, batch) grid, as equally shaped arrays."""

    tp: FloatArray
    batch: FloatArray
    ttft: FloatArray
    tpot: FloatArray
    tokens_per_s_per_gpu: FloatArray
    decode_tokens_per_s_per_gpu: FloatArray
    weights: FloatArray
    kv: FloatArray
    memory: FloatArray
    compute_s: FloatArray
    memory_s: FloatArray
    prompt: int
    output: int


def _evaluate(r: _Replica, tp: FloatArray, batch: FloatArray, prompt: int, output: int) -> _Grid:
    """Price every (tp, batch) pair that `tp` (a column) and `batch` (a row) broadcast to."""
    ttft = _prefill_s(r, tp, np.ones_like(tp), float(prompt))
    prefill_batch = _prefill_s(r, tp, batch, float(prompt))
    tpot, compute, memory_s = _decode_step_s(r, tp, batch, prompt + output / 2)
    weights, kv, memory = r.memory.per_gpu(tp, batch, prompt, output)
    shape = np.broadcast_shapes(tp.shape, batch.shape)

    def full(values: FloatArray) -> FloatArray:
        return np.broadcast_to(values, shape)

    return _Grid(
        tp=full(tp),
        batch=full(batch),
        ttft=full(ttft),
        tpot=full(tpot),
        tokens_per_s_per_gpu=full(batch * output / (prefill_batch + output * tpot) / tp),
        decode_tokens_per_s_per_gpu=full(batch / tpot / tp),
        weights=full(weights),
        kv=full(kv),
        memory=full(memory),
        compute_s=full(compute),
        memory_s=full(memory_s),
        prompt=prompt,
        output=output,
    )


def _check_request(prompt_tokens: int, output_tokens: int, *targets: float | None) -> None:
    if prompt_tokens < 1 or output_tokens < 1:
        raise InputError(
            f"prompt_tokens={prompt_tokens}, output_tokens={output_tokens}",
            where="serving request",
            fix="give at least one prompt token and one output token",
        )
    if any(t is not None and t <= 0 for t in targets):
        raise InputError(
            f"latency targets must be positive, got {targets}",
            where="serving request",
            fix="give TPOT and TTFT targets in seconds, e.g. 0.05",
        )


def _estimate(
    r: _Replica,
    system: SystemSpec,
    grid: _Grid,
    at: tuple[int, ...],
    *,
    max_batch: int,
    meets: bool,
) -> ServingEstimate:
    tp, batch = int(grid.tp[at]), int(grid.batch[at])
    prompt, output = grid.prompt, grid.output
    model = r.model
    notes = [
        "tokens/s amortise the batch's prefill: B·O / (prefill of B prompts + O·TPOT); "
        "TTFT is one prompt's prefill on an idle replica"
    ]
    if model.mla is not None and tp > 1:
        notes.append(f"MLA latent KV cache replicated on each of the {tp} TP ranks")
    elif model.mla is None and tp > model.n_kv_heads:
        notes.append(f"{model.n_kv_heads} KV heads replicated across {tp} TP ranks")
    if prompt + output > model.seq_len:
        notes.append(f"context {prompt + output} exceeds the model's seq_len {model.seq_len}")
    if not meets:
        notes.append("no configuration met the latency targets: the closest one is returned")
    per_gpu = float(grid.tokens_per_s_per_gpu[at])
    return ServingEstimate(
        tp=tp,
        batch=batch,
        prompt_tokens=prompt,
        output_tokens=output,
        ttft_s=float(grid.ttft[at]),
        tpot_s=float(grid.tpot[at]),
        tokens_per_s_per_gpu=per_gpu,
        tokens_per_s_per_rack=per_gpu * system.rack_size,
        decode_tokens_per_s_per_gpu=float(grid.decode_tokens_per_s_per_gpu[at]),
        memory_gib_per_gpu=float(grid.memory[at]) / GIB,
        max_batch=max_batch,
        kv_cache_gib=float(grid.kv[at]) / GIB,
        weights_gib_per_gpu=float(grid.weights[at]) / GIB,
        bound="compute" if grid.compute_s[at] > grid.memory_s[at] else "memory",
        meets_latency=meets,
        notes=tuple(notes),
    )


def _infeasible(r: _Replica, tp: int, prompt: int, output: int) -> InfeasibleError:
    weights, kv, total = r.memory.per_gpu(np.array([float(tp)]), np.ones(1), prompt, output)
    return InfeasibleError(
        f"{r.model.name} does not fit: one sequence of {prompt + output} tokens needs "
        f"{total[0] / GIB:.1f} GiB per GPU at tp={tp} ({weights[0] / GIB:.1f} GiB weights, "
        f"{kv[0] / GIB:.2f} GiB KV cache) against {r.memory.capacity_bytes / GIB:.0f} GiB; "
        "serve at a lower precision, on an accelerator with more memory or a larger scale-up "
        "domain, or with shorter contexts"
    )


def estimate_serving(
    model: ModelArchitecture,
    system: SystemSpec,
    profile: EfficiencyProfile,
    precision: Precision,
    *,
    prompt_tokens: int,
    output_tokens: int,
    tpot_target_s: float,
    ttft_target_s: float | None = None,
    tp_options: Sequence[int] | None = None,
) -> ServingEstimate:
    """The (tp, batch) with the most output tokens/s per GPU that meets the latency targets.

    Prices every tensor-parallel degree (default: powers of two inside the scale-up domain that
    split the heads) against batches 1..max_batch (powers of two, a geometric grid and each
    tp's max batch). When nothing meets the targets, returns the configuration closest to them
    (smallest worst ratio of latency to target) with meets_latency=False. Raises
    InfeasibleError when even one sequence does not fit on the largest tp.
    """
    _check_request(prompt_tokens, output_tokens, tpot_target_s, ttft_target_s)
    r = _replica(model, system, profile, precision)
    tps = np.array(_tp_options(model, system, tp_options), dtype=np.float64)
    max_batch = r.memory.max_batch(tps, prompt_tokens, output_tokens)
    if not max_batch.any():
        raise _infeasible(r, int(tps[-1]), prompt_tokens, output_tokens)
    top = int(max_batch.max())
    batches = np.unique(
        np.concatenate(
            [
                2.0 ** np.arange(top.bit_length()),
                np.rint(np.geomspace(1, top, _FINE_GRID_POINTS)),
                max_batch[max_batch > 0].astype(np.float64),
            ]
        )
    )
    grid = _evaluate(r, tps[:, None], batches[None, :], prompt_tokens, output_tokens)
    fits = grid.batch <= max_batch[:, None]
    lateness = grid.tpot / tpot_target_s
    if ttft_target_s is not None:
        lateness = np.maximum(lateness, grid.ttft / ttft_target_s)
    meets = fits & (lateness <= 1.0)
    if meets.any():
        best = np.argmax(np.where(meets, grid.tokens_per_s_per_gpu, -np.inf))
    else:
        best = np.argmin(np.where(fits, lateness, np.inf))
    at = tuple(int(i) for i in np.unravel_index(best, grid.tp.shape))
    return _estimate(r, system, grid, at, max_batch=int(max_batch[at[0]]), meets=bool(meets[at]))


def estimate_serving_at(
    model: ModelArchitecture,
    system: SystemSpec,
    profile: EfficiencyProfile,
    precision: Precision,
    *,
    tp: int,
    batch: int,
    prompt_tokens: int,
    output_tokens: int,
    tpot_target_s: float = math.inf,
    ttft_target_s: float | None = None,
) -> ServingEstimate:
    """Serving at one given (tp, batch); raises InfeasibleError when that batch does not fit."""
    _check_request(prompt_tokens, output_tokens, tpot_target_s, ttft_target_s)
    if batch < 1:
        raise InputError(f"batch={batch}", where="serving request", fix="give a batch of >= 1")
    r = _replica(model, system, profile, precision)
    tps = np.array(_tp_options(model, system, [tp]), dtype=np.float64)
    max_batch = int(r.memory.max_batch(tps, prompt_tokens, output_tokens)[0])
    if max_batch == 0:
        raise _infeasible(r, tp, prompt_tokens, output_tokens)
    if batch > max_batch:
        raise InfeasibleError(
            f"batch {batch} does not fit {model.name} at tp={tp}: at most {max_batch} sequences "
            f"of {prompt_tokens + output_tokens} tokens fit in memory; lower the batch"
        )
    grid = _evaluate(r, tps[:, None], np.array([[float(batch)]]), prompt_tokens, output_tokens)
    meets = grid.tpot[0, 0] <= tpot_target_s and (
        ttft_target_s is None or grid.ttft[0, 0] <= ttft_target_s
    )
    return _estimate(r, system, grid, (0, 0), max_batch=max_batch, meets=meets)
