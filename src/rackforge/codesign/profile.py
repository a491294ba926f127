"""Efficiency profile of a system: how close real kernels and collectives get to the datasheet.

A profile is what calibration fits and what predictions use. The defaults below are engineering
assumptions, not measurements: each field says the range it was chosen from, and none has been
fitted to any run. Catalog profiles replace them with fitted values (saying what they were
fitted to); `rackforge codesign calibrate` writes a new version from benchmark feedback, and the
plan report names every accelerator still priced with these defaults.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Parameters that calibration may fit, in a fixed order (the least-squares vector).
FITTABLE: tuple[str, ...] = (
    "matmul_efficiency",
    "matmul_half_dim",
    "attention_efficiency",
    "memory_efficiency",
    "scale_up_efficiency",
    "scale_out_efficiency",
    "scale_up_latency_s",
    "scale_out_latency_s",
    "kernel_overhead_s",
    "overlap_slowdown",
)


class EfficiencyProfile(BaseModel):
    """Achieved fractions of datasheet peaks, latencies and overheads of one system."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "first-principles"
    version: int = 1
    accelerator: str | None = None
    matmul_efficiency: float = Field(
        0.80,
        gt=0,
        le=1,
        description="fraction of dense peak a large, well-shaped GEMM reaches "
        "(cuBLAS/hipBLASLt large square GEMMs reach 0.75-0.90 of peak)",
    )
    matmul_half_dim: float = Field(
        0.0,
        ge=0,
        description="reduction depth k at which a GEMM's efficiency halves: eff ∝ k/(k + "
        "half_dim) (fitted from GEMM benchmarks; 0 = no penalty)",
    )
    gemm_tile_m: int = Field(
        256,
        gt=0,
        description="largest GEMM tile rows (cuBLAS/CUTLASS 256×128 for fp16 on "
        "A100/H100: NVIDIA Matrix Multiplication Background guide)",
    )
    gemm_tile_n: int = Field(128, gt=0, description="largest GEMM tile columns")
    attention_efficiency: float = Field(
        0.75,
        gt=0,
        le=1,
        description="fused attention throughput relative to a large GEMM (FlashAttention-2, "
        "Dao 2023, reaches 50-73% of A100 peak vs ~80-90% for cuBLAS GEMMs)",
    )
    memory_efficiency: float = Field(
        0.80, gt=0, le=1, description="fraction of HBM bandwidth a streaming kernel reaches"
    )
    scale_up_efficiency: float = Field(
        0.80, gt=0, le=1, description="achieved collective bus bandwidth / scale-up link bandwidth"
    )
    scale_out_efficiency: float = Field(
        0.80, gt=0, le=1, description="achieved bus bandwidth / scale-out NIC bandwidth"
    )
    scale_up_latency_s: float = Field(
        2e-6,
        ge=0,
        description="latency per algorithm step inside the scale-up domain (an 8-GPU NVLink "
        "all-reduce of a few bytes takes ~10-15 µs in nccl-tests = 6 tree steps)",
    )
    scale_out_latency_s: float = Field(
        6e-6, ge=0, description="latency per algorithm step across domains (IB/RoCE NIC + switch)"
    )
    kernel_overhead_s: float = Field(
        4e-6, ge=0, description="launch and tail overhead per kernel (CUDA launch ~3-5 µs)"
    )
    overlap_slowdown: float = Field(
        0.15,
        ge=0,
        le=1,
        description="compute time lost per second of communication hidden behind it: NCCL "
        "runs one thread block per channel on an SM, so ~16 channels take ~15 % of an "
        "A100's 108 SMs (and HBM bandwidth) while a collective overlaps a kernel",
    )
    memory_reserved_gib: float = Field(
        4.0, ge=0, description="framework, CUDA context, NCCL buffers and fragmentation"
    )
    flash_attention: bool = Field(
        True,
        description="fused attention kernels (FlashAttention) in this system's software stack; "
        "False means attention scores are materialised in HBM",
    )
    uncertainty: dict[str, float] = Field(
        default_factory=dict, description="one standard deviation of each fitted parameter"
    )
    calibrated_from: list[str] = Field(default_factory=list)
    sources: dict[str, str] = Field(default_factory=dict)

    def with_values(self, **values: float) -> EfficiencyProfile:
        """A copy with some parameters replaced (used by calibration)."""
        return self.model_copy(update=values)
