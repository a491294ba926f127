"""Typed entries of the catalog: accelerators, interconnects and model architectures.

These are also the types a scenario file uses inline, so a catalog entry and an inline
definition are interchangeable. Units are in the field names (GiB, TB/s, GB/s per GPU per
direction, W).
"""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, model_validator

Precision = Literal["fp32", "tf32", "bf16", "fp16", "fp8", "fp4"]
PRECISIONS: tuple[Precision, ...] = ("fp32", "tf32", "bf16", "fp16", "fp8", "fp4")


def normalize_name(name: str) -> str:
    """A catalog key: case and punctuation ignored ("A100-SXM4-80GB" == "a100 sxm4 80gb")."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


class Frozen(BaseModel):
    """Base for immutable, strictly keyed catalog records."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class DenseTflops(Frozen):
    """Dense (no structured sparsity) peak throughput per precision, TFLOP/s."""

    fp32: PositiveFloat | None = None
    tf32: PositiveFloat | None = None
    bf16: PositiveFloat | None = None
    fp16: PositiveFloat | None = None
    fp8: PositiveFloat | None = None
    fp4: PositiveFloat | None = None

    def peak(self, precision: Precision) -> float | None:
        """Peak TFLOP/s at a precision, or None when the part does not support it."""
        value: float | None = getattr(self, precision)
        return value


class ScaleUp(Frozen):
    """The scale-up (NVLink/xGMI/ICI-like) domain: GPUs that share the fast fabric."""

    size: PositiveInt = Field(description="accelerators in one scale-up domain")
    bandwidth_gb_s: PositiveFloat = Field(description="GB/s per accelerator per direction")
    technology: str | None = None


class ScaleOut(Frozen):
    """The scale-out network (InfiniBand/Ethernet) seen by one accelerator."""

    bandwidth_gb_s: PositiveFloat = Field(description="GB/s per accelerator per direction")
    technology: str | None = None


class SupplyFacts(Frozen):
    """What a bill of materials and sourcing read of a part, each left out when unknown (never
    "none"): who makes it, how long it takes to get, what it costs."""

    makers: tuple[str, ...] | None = Field(
        default=None,
        min_length=1,
        description="companies known to make this exact part. One name claims there is no "
        "second source: give one only for a maker's own proprietary product (its GPUs, NICs, "
        "switches); otherwise list two or more, or leave it out",
    )
    lead_time_weeks: PositiveFloat | None = Field(
        default=None,
        description="order-to-delivery time as last published; the source carries its date",
    )
    unit_cost_usd: PositiveFloat | None = Field(
        default=None,
        description="price per unit as published, the low end of a published range (a design's"
        " cost is then a lower bound); the source carries its date",
    )


class SourcedPart(SupplyFacts):
    """A named catalog part whose numbers each cite a source (`sources`, keyed by field), with
    the fields resting on a third-party source only listed in `unverified`."""

    name: str
    sources: dict[str, str] = Field(default_factory=dict)
    unverified: tuple[str, ...] = Field(
        default=(),
        description="fields whose figure rests on a secondary or third-party source only",
    )

    @property
    def key(self) -> str:
        return normalize_name(self.name)

    @model_validator(mode="after")
    def _unverified_names_set_fields(self) -> Self:
        unknown = sorted(set(self.unverified) - self.model_fields_set)
        if unknown:
            raise ValueError(f"unverified names fields that are not set: {unknown}")
        return self


class Accelerator(SourcedPart):
    """One accelerator part and its default system integration."""

    vendor: str | None = None
    dense_tflops: DenseTflops
    memory_gib: PositiveFloat
    memory_bandwidth_tb_s: PositiveFloat
    tdp_w: PositiveFloat | None = None
    compute_units: PositiveInt | None = Field(
        default=None,
        description="streaming multiprocessors (NVIDIA) or compute units (AMD) that GEMM tiles "
        "are scheduled on; sets wave quantisation",
    )
    scale_up: ScaleUp | None = None
    scale_out: ScaleOut | None = None
    accelerators_per_node: PositiveInt | None = None
    node_power_w: PositiveFloat | None = Field(
        default=None, description="whole node (server/tray) power incl. CPUs, NICs, fans"
    )
    release_year: int | None = None
    hbm_stacks: PositiveInt | None = Field(
        default=None, description="HBM stacks on the package, as published; a BOM counts them"
    )


class Interconnect(Frozen):
    """A link or fabric technology with its per-accelerator bandwidth."""

    name: str
    tier: Literal["scale_up", "scale_out"]
    bandwidth_gb_s: PositiveFloat = Field(description="GB/s per accelerator per direction")
    max_domain: PositiveInt | None = None
    latency_us: PositiveFloat | None = None
    sources: dict[str, str] = Field(default_factory=dict)


class MoE(Frozen):
    """Mixture-of-experts feed-forward layers."""

    experts: PositiveInt
    top_k: PositiveInt
    shared_experts: int = Field(default=0, ge=0)
    expert_ffn_hidden: PositiveInt
    dense_layers: int = Field(default=0, ge=0, description="leading layers with a dense MLP")

    @model_validator(mode="after")
    def _top_k_within_experts(self) -> MoE:
        if self.top_k > self.experts:
            raise ValueError(f"top_k ({self.top_k}) exceeds experts ({self.experts})")
        return self


class MLA(Frozen):
    """Multi-head latent attention (DeepSeek-V2/V3): low-rank compressed Q and KV."""

    q_lora_rank: PositiveInt | None = None
    kv_lora_rank: PositiveInt
    qk_nope_head_dim: PositiveInt
    qk_rope_head_dim: PositiveInt
    v_head_dim: PositiveInt


class ModelArchitecture(Frozen):
    """A decoder-only transformer's shape: everything the FLOP and memory counts need."""

    name: str = "custom"
    layers: PositiveInt
    hidden: PositiveInt
    heads: PositiveInt
    kv_heads: PositiveInt | None = None
    head_dim: PositiveInt | None = None
    ffn_hidden: PositiveInt | None = None
    vocab: PositiveInt
    seq_len: PositiveInt
    activation: Literal["gelu", "swiglu"] = "gelu"
    tied_embeddings: bool = True
    moe: MoE | None = None
    mla: MLA | None = None
    global_batch: PositiveInt | None = Field(
        default=None, description="sequences per step used to train it, when published"
    )
    sources: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> ModelArchitecture:
        kv = self.kv_heads or self.heads
        if self.heads % kv:
            raise ValueError(f"heads ({self.heads}) must be a multiple of kv_heads ({kv})")
        if self.head_dim is None and self.hidden % self.heads:
            raise ValueError(
                f"hidden ({self.hidden}) must be divisible by heads ({self.heads}) "
                "unless head_dim is given"
            )
        if self.moe is not None and self.moe.dense_layers > self.layers:
            raise ValueError("moe.dense_layers exceeds layers")
        return self

    @property
    def n_kv_heads(self) -> int:
        return self.kv_heads or self.heads

    @property
    def d_head(self) -> int:
        return self.head_dim or self.hidden // self.heads

    @property
    def ffn(self) -> int:
        """Dense MLP width: 4h for GeLU (GPT), 8h/3 rounded up to 256 for SwiGLU (LLaMA)."""
        if self.ffn_hidden is not None:
            return self.ffn_hidden
        if self.activation == "gelu":
            return 4 * self.hidden
        return 256 * -(-(8 * self.hidden // 3) // 256)

    @property
    def moe_layers(self) -> int:
        return 0 if self.moe is None else self.layers - self.moe.dense_layers
