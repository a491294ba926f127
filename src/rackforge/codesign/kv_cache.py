"""What one serving replica holds in accelerator memory: its weights and its KV cache.

Parameter counts are grouped by how a forward pass reads them (every layer's attention, the
dense MLPs, the routed experts a batch happens to touch), so the serving model can price
weight traffic per decode step as well as capacity. Layer norms and biases are left out: they
are well under 0.1 % of any model here. `ReplicaMemory` adds the KV cache, the activation
workspace and the framework reserve per GPU, and finds the largest batch that fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rackforge.catalog.schema import ModelArchitecture, Precision

FloatArray = npt.NDArray[np.float64]

# Bytes per stored weight. tf32 is a compute mode over fp32 storage; fp4 packs two values per
# byte. Block scales are not counted: they add 1/16 byte per weight for NVFP4 (an FP8 scale per
# 16 values) and 1/32 for MXFP4 (an E8M0 scale per 32, OCP Microscaling Formats spec v1.0).
WEIGHT_BYTES: dict[Precision, float] = {
    "fp32": 4.0,
    "tf32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "fp4": 0.5,
}

# Bytes per KV-cache element: the KV cache is stored in the activation precision (2 bytes for
# bf16/fp16, 1 for fp8). FP4 weight recipes keep the KV cache in FP8 (NVIDIA TensorRT-LLM NVFP4
# quantization docs), hence 1 for fp4.
KV_CACHE_BYTES: dict[Precision, float] = {
    "fp32": 4.0,
    "tf32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "fp4": 1.0,
}


@dataclass(frozen=True, slots=True)
class ParameterCount:
    """A decoder-only transformer's parameters, grouped by how serving reads them."""

    embedding: int  # input token table, V·h
    lm_head: int  # untied output projection V·h; 0 when tied (the embedding table is reused)
    vocab_projection: int  # the V·h matrix the logits are computed with, tied or not
    attention: int  # per layer
    dense_mlp: int  # per dense-MLP layer
    routed_expert: int  # one routed expert, per MoE layer
    shared_experts: int  # all shared experts together, per MoE layer
    router: int  # per MoE layer
    dense_layers: int
    moe_layers: int
    experts: int
    top_k: int

    @property
    def total(self) -> int:
        """Every parameter the replica stores."""
        moe_layer = self.router + self.shared_experts + self.experts * self.routed_expert
        return (
            self.embedding
            + self.lm_head
            + self.dense_layers * (self.attention + self.dense_mlp)
            + self.moe_layers * (self.attention + moe_layer)
        )

    @property
    def active_per_token(self) -> int:
        """Matmul weights one token multiplies: 2× this is its forward FLOPs (Kaplan 2020 §2.1).

        The input embedding is a table lookup, not a matmul, so it is left out; the output
        projection is counted whether or not it is tied.
        """
        moe_layer = self.router + self.shared_experts + self.top_k * self.routed_expert
        return (
            self.vocab_projection
            + self.dense_layers * (self.attention + self.dense_mlp)
            + self.moe_layers * (self.attention + moe_layer)
        )

    def experts_touched(self, tokens: FloatArray) -> FloatArray:
        """Expected distinct routed experts per MoE layer that `tokens` tokens are sent to.

        Uniform routing: an expert escapes one token's top-k with probability 1 - k/E, so it is
        touched by at least one of T tokens with 1 - (1 - k/E)^T (the classical occupancy
        problem, Feller 1968 vol. 1 ch. II). Real routers are skewed, which touches fewer.
        """
        if self.experts == 0:
            return np.zeros_like(tokens)
        miss = 1.0 - self.top_k / self.experts
        touched: FloatArray = self.experts * (1.0 - np.power(miss, tokens))
        return touched

    def weights_read(self, tokens: FloatArray) -> FloatArray:
        """Parameters one forward pass over `tokens` tokens streams from memory.

        All dense weights and the output projection, plus only the routed experts the tokens
        touch; the input table is read a row per token (negligible) unless it is the tied head.
        """
        moe_fixed = self.router + self.shared_experts
        read: FloatArray = (
            self.vocab_projection
            + self.dense_layers * (self.attention + self.dense_mlp)
            + self.moe_layers
            * (self.attention + moe_fixed + self.experts_touched(tokens) * self.routed_expert)
        )
        return read


def count_parameters(model: ModelArchitecture) -> ParameterCount:
    """Count a model's parameters from its shape (GQA-, MLA- and MoE-aware)."""
    h, heads, d = model.hidden, model.heads, model.d_head
    # A GeLU MLP has 2 matrices (Vaswani 2017); SwiGLU adds a gate (Shazeer 2020, "GLU Variants").
    matrices = 2 if model.activation == "gelu" else 3
    if model.mla is None:
        # Q and out are heads·d wide; K and V only kv_heads·d (GQA, Ainslie et al. 2023; MQA is
        # kv_heads = 1, Shazeer 2019). With kv_heads = heads this is MHA's 4h² (Narayanan 2021).
        attention = h * heads * d + 2 * h * model.n_kv_heads * d + heads * d * h
    else:
        # MLA, DeepSeek-V2 report §2.1.2-2.1.3: low-rank query (optional) and joint KV
        # compression, a decoupled RoPE key shared by all heads, and per-head up-projections.
        mla = model.mla
        qk = mla.qk_nope_head_dim + mla.qk_rope_head_dim
        if mla.q_lora_rank is None:
            query = h * heads * qk
        else:
            query = h * mla.q_lora_rank + mla.q_lora_rank * heads * qk
        kv_down = h * (mla.kv_lora_rank + mla.qk_rope_head_dim)
        kv_up = mla.kv_lora_rank * heads * (mla.qk_nope_head_dim + mla.v_head_dim)
        attention = query + kv_down + kv_up + heads * mla.v_head_dim * h
    vocab = model.vocab * h
    moe = model.moe
    return ParameterCount(
        embedding=vocab,
        lm_head=0 if model.tied_embeddings else vocab,
        vocab_projection=vocab,
        attention=attention,
        dense_mlp=matrices * h * model.ffn,
        # Experts are MLPs of expert_ffn_hidden width; shared experts see every token
        # (DeepSeekMoE, Dai et al. 2024); the router is one h×E matrix (Fedus et al. 2022).
        routed_expert=0 if moe is None else matrices * h * moe.expert_ffn_hidden,
        shared_experts=0
        if moe is None
        else moe.shared_experts * matrices * h * moe.expert_ffn_hidden,
        router=0 if moe is None else h * moe.experts,
        dense_layers=model.layers - model.moe_layers,
        moe_layers=model.moe_layers,
        experts=0 if moe is None else moe.experts,
        top_k=0 if moe is None else moe.top_k,
    )


def kv_elements_per_token_per_layer(model: ModelArchitecture) -> int:
    """KV-cache elements one token adds to one layer.

    Pope et al. 2022 §2: K and V, each kv_heads·head_dim wide (GQA: Ainslie et al. 2023). MLA
    caches only the compressed latent and the shared RoPE key, d_c + d_h^R (DeepSeek-V2 report
    §2.1.2 and Table 1).
    """
    if model.mla is not None:
        return model.mla.kv_lora_rank + model.mla.qk_rope_head_dim
    return 2 * model.n_kv_heads * model.d_head


def kv_bytes_per_token(model: ModelArchitecture, precision: Precision) -> float:
    """KV-cache bytes one token of one sequence occupies across all layers."""
    per_layer = kv_elements_per_token_per_layer(model) * KV_CACHE_BYTES[precision]
    return float(model.layers * per_layer)


def kv_fraction_per_gpu(model: ModelArchitecture, tp: FloatArray) -> FloatArray:
    """Share of the replica's KV cache each of `tp` tensor-parallel GPUs stores and reads.

    Heads are split across GPUs, but a KV head is never split: when tp exceeds kv_heads each
    GPU keeps a replica of one KV head (vLLM `QKVParallelLinear`, num_kv_head_replicas). MLA's
    latent is shared by all heads, so every TP rank holds the whole latent cache (the reason
    SGLang v0.4 introduced data-parallel attention for DeepSeek models).
    """
    if model.mla is not None:
        return np.ones_like(tp)
    kv_heads = model.n_kv_heads
    fraction: FloatArray = np.ceil(kv_heads / tp) / kv_heads
    return fraction


# Hidden states between GEMMs (and TP all-reduces) stay in bf16 when weights are fp8/fp4: the
# quantised GEMMs quantise their inputs on the fly (vLLM and TensorRT-LLM W8A8 and NVFP4 paths).
HIDDEN_STATE_BYTES: dict[Precision, float] = {
    "fp32": 4.0,
    "tf32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 2.0,
    "fp4": 2.0,
}
# Searched batches stop here; serving engines cap far lower (vLLM's max_num_seqs defaults to
# 256), so the cap only keeps the search finite for tiny models.
MAX_BATCH = 65_536
# Hidden-size buffers live per token in one layer's forward: residual, normed input, attention
# output, MLP output. Layers run one after another, so one layer's buffers are all that is live.
_HIDDEN_BUFFERS = 4
_LOGIT_BYTES = 4.0  # logits kept in fp32 for sampling (conservative)
_GIB = 2.0**30


@dataclass(frozen=True, slots=True)
class ReplicaMemory:
    """Per-GPU memory of a serving replica: weights, KV cache, activation workspace, reserve."""

    model: ModelArchitecture
    params: ParameterCount
    weight_bytes: float  # per parameter
    kv_bytes: float  # per KV-cache element
    hidden_bytes: float  # per hidden-state element
    workspace_width: float  # attention + MLP activations per token, elements, whole replica
    reserved_bytes: float
    capacity_bytes: float
    flash_attention: bool

    @classmethod
    def of(
        cls,
        model: ModelArchitecture,
        precision: Precision,
        *,
        memory_gib: float,
        reserved_gib: float,
        flash_attention: bool,
    ) -> ReplicaMemory:
        """The memory model of `model` served at `precision` on GPUs of `memory_gib`."""
        heads, d = model.heads, model.d_head
        if model.mla is None:
            attention = heads * d + 2 * model.n_kv_heads * d
        else:
            mla = model.mla
            qk = mla.qk_nope_head_dim + mla.qk_rope_head_dim
            attention = heads * (qk + mla.v_head_dim) + mla.kv_lora_rank + mla.qk_rope_head_dim
        matrices = 2 if model.activation == "gelu" else 3
        mlp = matrices * model.ffn if model.moe_layers < model.layers else 0
        if model.moe is not None:
            per_token = model.moe.top_k + model.moe.shared_experts
            mlp = max(mlp, matrices * per_token * model.moe.expert_ffn_hidden)
        return cls(
            model=model,
            params=count_parameters(model),
            weight_bytes=WEIGHT_BYTES[precision],
            kv_bytes=KV_CACHE_BYTES[precision],
            hidden_bytes=HIDDEN_STATE_BYTES[precision],
            workspace_width=float(attention + mlp),
            reserved_bytes=reserved_gib * _GIB,
            capacity_bytes=memory_gib * _GIB,
            flash_attention=flash_attention,
        )

    def per_gpu(
        self, tp: FloatArray, batch: FloatArray, prompt: int, output: int
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per-GPU (weights, KV cache, total) bytes with `batch` sequences resident.

        The KV cache reserves each sequence's full prompt + output context, which is what bounds
        the batch (Kwon et al. 2023, vLLM §3). The workspace is one layer's live activations
        for the larger of one prompt's prefill and one decode step, plus the step's logits.
        """
        model = self.model
        weights = self.params.total * self.weight_bytes / tp
        per_sequence = (prompt + output) * kv_elements_per_token_per_layer(model) * model.layers
        kv = batch * per_sequence * self.kv_bytes * kv_fraction_per_gpu(model, tp)
        tokens = np.maximum(batch, float(prompt))
        width = _HIDDEN_BUFFERS * model.hidden + self.workspace_width / tp
        workspace = tokens * width * self.hidden_bytes + batch * model.vocab / tp * _LOGIT_BYTES
        if not self.flash_attention:
            # One prompt's scores and probabilities materialised for one layer (Dao et al. 2022).
            workspace = workspace + 2.0 * model.heads / tp * float(prompt) ** 2 * self.hidden_bytes
        total: FloatArray = weights + kv + workspace + self.reserved_bytes
        return weights, kv, total

    def max_batch(self, tp: FloatArray, prompt: int, output: int) -> npt.NDArray[np.int64]:
        """Largest batch that fits, per tp (0 where not even one sequence fits).

        Memory grows monotonically with the batch, so a vectorised bisection finds it.
        """
        lo = np.zeros(tp.shape, dtype=np.int64)
        hi = np.full(tp.shape, MAX_BATCH + 1, dtype=np.int64)
        while np.any(searching := hi - lo > 1):
            mid = (lo + hi) // 2
            needed = self.per_gpu(tp, mid.astype(np.float64), prompt, output)[2]
            fits = needed <= self.capacity_bytes
            lo = np.where(searching & fits, mid, lo)
            hi = np.where(searching & ~fits, mid, hi)
        return lo
