"""The hardware seen by one evaluation: datasheet peaks scaled by the efficiency profile."""

from __future__ import annotations

from dataclasses import dataclass

from rackforge.catalog.schema import Accelerator, Precision
from rackforge.codesign.profile import EfficiencyProfile
from rackforge.errors import InputError

# Bytes per element of GEMM operands by compute precision. FP8/FP4 training keeps activations
# and master weights in higher precision but feeds the tensor cores narrow operands
# (Micikevicius et al. 2022, "FP8 Formats for Deep Learning", §4).
OPERAND_BYTES: dict[str, float] = {
    "fp32": 4,
    "tf32": 4,
    "bf16": 2,
    "fp16": 2,
    "fp8": 1,
    "fp4": 0.5,
}
# Activations, weights and gradients are 16-bit in mixed precision (Micikevicius et al. 2018);
# fp32/tf32 training keeps them in 32 bits.
STORAGE_BYTES: dict[str, int] = {
    "fp32": 4,
    "tf32": 4,
    "bf16": 2,
    "fp16": 2,
    "fp8": 2,
    "fp4": 2,
}


@dataclass(frozen=True, slots=True)
class Hardware:
    """Effective throughputs of one accelerator at one precision (SI units)."""

    peak_flops: float
    matmul_flops: float  # peak × matmul efficiency
    wide_matmul_flops: float  # 16-bit peak × matmul efficiency: attention and output layer
    memory_bytes_s: float  # HBM bandwidth × memory efficiency
    operand_bytes: float
    storage_bytes: int
    profile: EfficiencyProfile
    accelerator: Accelerator
    precision: Precision

    @staticmethod
    def of(accelerator: Accelerator, precision: Precision, profile: EfficiencyProfile) -> Hardware:
        """Build from the datasheet and the profile; error when the precision is unsupported."""
        peak = accelerator.dense_tflops.peak(precision)
        if peak is None:
            supported = [p for p in OPERAND_BYTES if accelerator.dense_tflops.peak(p)]  # type: ignore[arg-type]
            raise InputError(
                f"accelerator {accelerator.name!r} has no dense {precision} throughput",
                where="precision",
                fix=f"use one of: {', '.join(supported)}",
            )
        return Hardware(
            peak_flops=peak * 1e12,
            matmul_flops=peak * 1e12 * profile.matmul_efficiency,
            wide_matmul_flops=_wide_peak(accelerator, precision, peak)
            * 1e12
            * profile.matmul_efficiency,
            memory_bytes_s=accelerator.memory_bandwidth_tb_s * 1e12 * profile.memory_efficiency,
            operand_bytes=OPERAND_BYTES[precision],
            storage_bytes=STORAGE_BYTES[precision],
            profile=profile,
            accelerator=accelerator,
            precision=precision,
        )


def _wide_peak(accelerator: Accelerator, precision: Precision, peak: float) -> float:
    """Peak of the GEMMs that stay in 16-bit under FP8/FP4 training.

    Transformer Engine recipes quantise the linear layers only: attention (FlashAttention)
    and the output layer run in BF16 (NVIDIA Transformer Engine user guide, "FP8 primer";
    Llama 3 / DeepSeek-V3 FP8 recipes keep the same parts in high precision).
    """
    if precision not in ("fp8", "fp4"):
        return peak
    wide = accelerator.dense_tflops.peak("bf16") or accelerator.dense_tflops.peak("fp16")
    return wide or peak
