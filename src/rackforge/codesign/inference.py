"""Serving performance of one model replica: the best (tp, batch) and its `ServingEstimate`.

A replica is `tp` accelerators of one scale-up domain (`replica.py` times its prefill and decode
steps). Every (tp, batch) candidate is priced at once with numpy: a column of tp values
broadcasts against a row of batch sizes.

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
from rackforge.codesign.kv_cache import FloatArray
from rackforge.codesign.profile import EfficiencyProfile
from rackforge.codesign.replica import Replica, decode_step_s, prefill_s
from rackforge.codesign.system import SystemSpec
from rackforge.errors import InfeasibleError, InputError

GIB = 2.0**30
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


def _evaluate(r: Replica, tp: FloatArray, batch: FloatArray, prompt: int, output: int) -> _Grid:
    """Price every (tp, batch) pair that `tp` (a column) and `batch` (a row) broadcast to."""
    ttft = prefill_s(r, tp, np.ones_like(tp), float(prompt))
    prefill_batch = prefill_s(r, tp, batch, float(prompt))
    tpot, compute, memory_s = decode_step_s(r, tp, batch, prompt + output / 2)
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
    r: Replica,
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


def _infeasible(r: Replica, tp: int, prompt: int, output: int) -> InfeasibleError:
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
    r = Replica.of(model, system, profile, precision)
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
    r = Replica.of(model, system, profile, precision)
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
