"""Time of one transformer layer's forward pass on one GPU, vectorised over candidates.

Matrix multiplies follow a roofline (Williams et al. 2009) with shape penalties: a GEMM runs
at min(peak·eff·u, intensity·bandwidth), where u is the useful fraction of its tile-waves on
the accelerator's SMs (tile and wave quantisation, NVIDIA "Matrix Multiplication Background"
guide) and a short reduction depth k costs k/(k + k½). Element-wise
kernels (norms, activations, dropout, residuals, softmax) are bound by HBM traffic; their bytes
per token follow the tensors Korthikanti et al. 2022 (arXiv 2205.05198, §4.1) enumerate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rackforge.catalog.schema import ModelArchitecture
from rackforge.codesign.candidates import BoolArray, FloatArray, IntArray
from rackforge.codesign.flops import (
    attention_core_dims,
    attention_projection_params,
    mlp_matrices,
)
from rackforge.codesign.hardware import Hardware

# Kernels launched per layer forward pass (norms, fused bias-activation, GEMMs, dropout-add,
# attention): counted from Megatron-LM's GPT layer; MoE adds routing, permute, unpermute.
KERNELS_PER_LAYER = 16
KERNELS_PER_MOE_LAYER = 10


def _tile(dim: FloatArray, largest: int) -> FloatArray:
    """Tile edge along one output dimension: the largest tile, or a smaller power of two (≥ 64)
    when the dimension is smaller, as cuBLAS heuristics pick."""
    fitted = 2.0 ** np.ceil(np.log2(np.maximum(dim, 1.0)))
    return np.minimum(float(largest), np.maximum(64.0, fitted))


def wave_utilisation(
    m: FloatArray, n: FloatArray, batch: FloatArray | float, hw: Hardware
) -> FloatArray:
    """Useful fraction of the tile-waves a GEMM occupies.

    Tile quantisation (edge tiles partly empty) and wave quantisation (the last wave of tiles
    leaves SMs idle) from NVIDIA's "Matrix Multiplication Background User's Guide" (2023),
    §§ "Tile Quantization" and "Wave Quantization". Without a known SM count, only tile
    quantisation applies.
    """
    best: FloatArray | None = None
    big_m, big_n = hw.profile.gemm_tile_m, hw.profile.gemm_tile_n
    units = hw.accelerator.compute_units
    # The library's heuristics pick, per shape, among the large tile, its transpose and a
    # half-size tile; the best-filled choice is used.
    for tile_m, tile_n in ((big_m, big_n), (big_n, big_m), (big_n, big_n)):
        tm, tn = _tile(m, tile_m), _tile(n, tile_n)
        tiles = batch * np.ceil(m / tm) * np.ceil(n / tn)
        slots = tiles if units is None else np.ceil(tiles / units) * units
        util: FloatArray = batch * m * n / (slots * tm * tn)
        best = util if best is None else np.maximum(best, util)
    assert best is not None
    return best


Dim = FloatArray | float


def gemm_time(
    flops: FloatArray,
    m: Dim,
    n: Dim,
    k: Dim,
    hw: Hardware,
    batch: FloatArray | float = 1.0,
    *,
    wide: bool = False,
) -> FloatArray:
    """Roofline time of `batch` GEMMs [m×k]·[k×n] totalling `flops` (`wide`: kept 16-bit)."""
    m, n, k = np.broadcast_arrays(
        np.asarray(m, np.float64), np.asarray(n, np.float64), np.asarray(k, np.float64)
    )
    half = hw.profile.matmul_half_dim
    kdepth = k / (k + half)  # short reductions cannot hide the tile prologue/epilogue
    util = wave_utilisation(m, n, batch, hw)
    rate = hw.wide_matmul_flops if wide else hw.matmul_flops
    operand = hw.storage_bytes if wide else hw.operand_bytes
    compute = flops / (rate * util * kdepth)
    traffic = operand * (m * k + k * n) + hw.storage_bytes * m * n
    memory = batch * traffic / hw.memory_bytes_s
    result: FloatArray = np.maximum(compute, memory)
    return result


@dataclass(frozen=True, slots=True)
class LayerForward:
    """Forward-pass time components of one layer for one micro-batch on one GPU."""

    projections: FloatArray
    attention_core: FloatArray
    mlp: FloatArray
    elementwise: FloatArray
    attention_elementwise: FloatArray  # softmax/dropout over s×s (standard attention only)
    kernels: int

    def gather(self, rows: IntArray) -> LayerForward:
        """Expand per-distinct-row results back to every candidate."""
        return LayerForward(
            self.projections[rows],
            self.attention_core[rows],
            self.mlp[rows],
            self.elementwise[rows],
            self.attention_elementwise[rows],
            self.kernels,
        )

    @property
    def matmul(self) -> FloatArray:
        return self.projections + self.attention_core + self.mlp

    @property
    def total(self) -> FloatArray:
        return self.matmul + self.elementwise + self.attention_elementwise


def layer_forward(
    model: ModelArchitecture,
    hw: Hardware,
    *,
    micro_batch: IntArray,
    tp: IntArray,
    cp: IntArray,
    ep: IntArray,
    sequence_parallel: BoolArray,
    moe_layer: bool,
    flash: bool,
) -> LayerForward:
    """Forward time of one dense or MoE layer (tokens per GPU: micro_batch·s/cp)."""
    h, a, s = float(model.hidden), float(model.heads), float(model.seq_len)
    t = tp.astype(np.float64)
    tokens = micro_batch * s / cp
    h_shard = np.where(sequence_parallel, t, 1.0)

    # QKV and output projections, split column/row-wise over TP (Shoeybi et al. 2019, §3).
    proj_width = attention_projection_params(model) / h  # (q + k + v + out) columns
    proj_flops = 2.0 * tokens * h * proj_width / t
    projections = gemm_time(proj_flops, tokens, proj_width / t, np.full_like(t, h), hw)

    # Attention core: scores and values per head; local queries against all s keys under CP.
    dk, dv = attention_core_dims(model)
    heads_local = a / t
    core_flops = 2.0 * tokens * s * heads_local * (dk + dv)
    if flash:
        # Fused kernel (FlashAttention-2, Dao 2023): scores never reach HBM; the causal mask
        # skips half the blocks; throughput below a plain GEMM's.
        eff = hw.profile.attention_efficiency
        attention_core = 0.5 * core_flops / (hw.wide_matmul_flops * eff)
        attention_elementwise = np.zeros_like(t)
    else:
        sq = s / cp
        batch = micro_batch * heads_local
        scores = gemm_time(
            2.0 * tokens * s * heads_local * dk, sq, np.full_like(t, s), dk, hw, batch, wide=True
        )
        values = gemm_time(
            2.0 * tokens * s * heads_local * dv, sq, dv, np.full_like(t, s), hw, batch, wide=True
        )
        attention_core = scores + values
        # Scale-mask-softmax reads and writes the scores (2+2 bytes), dropout reads the probs,
        # writes them and a 1-byte mask: 9 bytes per score (Korthikanti §4.1 counts 5 stored).
        attention_elementwise = 9.0 * tokens * s * heads_local / hw.memory_bytes_s

    # Per-token element-wise traffic of the h-wide tensors: two LayerNorms (4h each) and two
    # bias-dropout-residual adds (read 2h + 2h, write 2h, mask h): 22h bytes (16-bit).
    elementwise = 22.0 * h * tokens / h_shard / hw.memory_bytes_s
    n_mat = mlp_matrices(model)
    if hw.operand_bytes < hw.storage_bytes:
        # FP8/FP4: every linear layer's input is cast (read 16-bit, write narrow) first
        # (Transformer Engine); inputs of QKV and MLP (h), projection (a·d/t) and down (f/t).
        width = 2.0 * h + (a * model.d_head + float(model.ffn)) / t
        elementwise = elementwise + (
            (hw.storage_bytes + hw.operand_bytes) * width * tokens / hw.memory_bytes_s
        )
    act_bytes = 4.0 if n_mat == 2 else 6.0  # GeLU reads/writes f; SwiGLU reads 2f, writes f
    if moe_layer and model.moe is not None:
        moe = model.moe
        fe = float(moe.expert_ffn_hidden)
        k_top, experts = float(moe.top_k), float(moe.experts)
        router = gemm_time(2.0 * tokens * h * experts, tokens, np.full_like(t, experts), h, hw)
        # Grouped GEMMs: each GPU hosts E/ep experts; each expert sees ep·tokens·k/E tokens.
        local_experts = experts / ep
        per_expert_tokens = tokens * k_top * ep / experts
        up = gemm_time(
            2.0 * per_expert_tokens * h * (n_mat - 1) * fe / t,
            per_expert_tokens,
            (n_mat - 1) * fe / t,
            np.full_like(t, h),
            hw,
        )
        down = gemm_time(2.0 * per_expert_tokens * fe / t * h, per_expert_tokens, h, fe / t, hw)
        mlp = router + local_experts * (up + down)
        if moe.shared_experts:
            fs = fe * moe.shared_experts
            mlp = mlp + _dense_mlp_time(tokens, h, fs, n_mat, t, hw)
        # Token permutation for dispatch and combine: k copies of h, read and written twice.
        elementwise = elementwise + (
            (k_top * act_bytes * fe + 8.0 * k_top * h + moe.shared_experts * act_bytes * fe)
            * tokens
            / t
            / hw.memory_bytes_s
        )
        kernels = KERNELS_PER_LAYER + KERNELS_PER_MOE_LAYER
    else:
        f = float(model.ffn)
        mlp = _dense_mlp_time(tokens, h, f, n_mat, t, hw)
        elementwise = elementwise + act_bytes * f * tokens / t / hw.memory_bytes_s
        kernels = KERNELS_PER_LAYER
    return LayerForward(
        projections, attention_core, mlp, elementwise, attention_elementwise, kernels
    )


def _dense_mlp_time(
    tokens: FloatArray, h: float, f: float, n_mat: int, t: FloatArray, hw: Hardware
) -> FloatArray:
    """Up (and gate) projection column-split, down projection row-split over TP."""
    hh = np.full_like(t, h)
    up = gemm_time(2.0 * tokens * h * (n_mat - 1) * f / t, tokens, (n_mat - 1) * f / t, hh, hw)
    down = gemm_time(2.0 * tokens * f / t * h, tokens, hh, f / t, hw)
    return up + down


def logits_forward(
    model: ModelArchitecture, hw: Hardware, *, micro_batch: IntArray, tp: IntArray, cp: IntArray
) -> FloatArray:
    """Vocabulary-parallel output layer and cross-entropy, forward, one micro-batch."""
    t = tp.astype(np.float64)
    tokens = micro_batch * float(model.seq_len) / cp
    v, h = float(model.vocab), float(model.hidden)
    gemm = gemm_time(2.0 * tokens * h * v / t, tokens, v / t, np.full_like(t, h), hw, wide=True)
    # Cross-entropy in fp32 over V/t logits: cast, max, exp-sum, gradient (≈ 4 passes × 4 B).
    loss = 16.0 * tokens * v / t / hw.memory_bytes_s
    return gemm + loss
