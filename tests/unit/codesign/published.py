"""Published model shapes, datasheet parts and the systems built of them, shared by these tests.

The test modules beside it import it by name (`from published import GPT3_175B`): pytest's
default import mode puts this folder on `sys.path` before it imports them.
"""

from __future__ import annotations

from rackforge.catalog.schema import (
    MLA,
    Accelerator,
    DenseTflops,
    ModelArchitecture,
    MoE,
    ScaleOut,
    ScaleUp,
)
from rackforge.codesign.hardware import Hardware
from rackforge.codesign.profile import EfficiencyProfile
from rackforge.codesign.space import SystemOption
from rackforge.codesign.system import SystemSpec

# Brown et al. 2020, Table 2.1 (the 175B row), with Megatron's padded vocabulary; the shape
# Narayanan et al. 2021 (Tables 1-2) and Korthikanti et al. 2022 (Table 3) measure.
GPT3_175B = ModelArchitecture(
    name="gpt3-175b", layers=96, hidden=12288, heads=96, vocab=51200, seq_len=2048
)
# Llama 2 70B (Touvron et al. 2023, Table 1 and the HF config): GQA with 8 KV heads.
LLAMA2_70B = ModelArchitecture(
    name="llama-2-70b",
    layers=80,
    hidden=8192,
    heads=64,
    kv_heads=8,
    ffn_hidden=28672,
    vocab=32000,
    seq_len=4096,
    activation="swiglu",
    tied_embeddings=False,
)
# Llama 3 70B: the same body with a 128,256-token vocabulary (Meta HF config).
LLAMA3_70B = LLAMA2_70B.model_copy(update={"name": "llama-3-70b", "vocab": 128256})
# Llama 3 8B (Meta HF config).
LLAMA3_8B = ModelArchitecture(
    name="llama-3-8b",
    layers=32,
    hidden=4096,
    heads=32,
    kv_heads=8,
    ffn_hidden=14336,
    vocab=128256,
    seq_len=8192,
    activation="swiglu",
    tied_embeddings=False,
)
# Mixtral 8x7B (Jiang et al. 2024): 46.7B parameters, 12.9B active per token.
MIXTRAL = ModelArchitecture(
    name="mixtral-8x7b",
    layers=32,
    hidden=4096,
    heads=32,
    kv_heads=8,
    vocab=32000,
    seq_len=32768,
    activation="swiglu",
    tied_embeddings=False,
    moe=MoE(experts=8, top_k=2, expert_ffn_hidden=14336),
)
# DeepSeek-V3 (technical report §4.2 and HF config): 671B total, 37B active, MLA.
DEEPSEEK_V3 = ModelArchitecture(
    name="deepseek-v3",
    layers=61,
    hidden=7168,
    heads=128,
    ffn_hidden=18432,
    vocab=129280,
    seq_len=4096,
    activation="swiglu",
    tied_embeddings=False,
    moe=MoE(experts=256, top_k=8, shared_experts=1, expert_ffn_hidden=2048, dense_layers=3),
    mla=MLA(
        q_lora_rank=1536,
        kv_lora_rank=512,
        qk_nope_head_dim=128,
        qk_rope_head_dim=64,
        v_head_dim=128,
    ),
)

# A100 SXM4 80GB datasheet: 19.5 fp32 and 312 dense fp16/bf16 TFLOP/s, 2.039 TB/s HBM2e, 108 SMs.
A100 = Accelerator(
    name="test-a100",
    dense_tflops=DenseTflops(fp32=19.5, fp16=312, bf16=312),
    memory_gib=80,
    memory_bandwidth_tb_s=2.039,
    compute_units=108,
)
# NVIDIA H100 SXM datasheet: 989 dense BF16 TFLOP/s, 1979 dense FP8, 80 GB HBM3 at 3.35 TB/s.
H100 = Accelerator(
    name="H100",
    dense_tflops=DenseTflops(bf16=989, fp8=1979),
    memory_gib=80,
    memory_bandwidth_tb_s=3.35,
    tdp_w=700,
)
# The same datasheet at its unrounded dense BF16/FP16 peak (1979 sparse / 2) with its 132 SMs,
# which the training model's GEMM wave quantisation counts.
H100_WITH_SMS = Accelerator(
    name="test-h100",
    dense_tflops=DenseTflops(bf16=989.5, fp16=989.5),
    memory_gib=80,
    memory_bandwidth_tb_s=3.35,
    compute_units=132,
)
# NVIDIA H200 datasheet: the H100's compute, 141 GB HBM3e at 4.8 TB/s.
H200 = Accelerator(
    name="H200",
    dense_tflops=DenseTflops(bf16=989, fp8=1979),
    memory_gib=141,
    memory_bandwidth_tb_s=4.8,
    tdp_w=700,
)

# GB/s per GPU per direction. DGX A100: NVLink 3 (600 GB/s bidirectional) and one HDR 200 Gb/s
# NIC; DGX/HGX H100: NVLink 4 (900 GB/s bidirectional) and one NDR 400 Gb/s NIC (datasheets).
NVLINK3_GB_S, HDR_NIC_GB_S = 300.0, 25.0
NVLINK4_GB_S, NDR_NIC_GB_S = 450.0, 50.0


def dgx_a100_option(count: int) -> SystemOption:
    """`count` A100s in DGX nodes of 8, as a search option."""
    return SystemOption(
        count=count, scale_up_size=8, scale_up_gb_s=NVLINK3_GB_S, scale_out_gb_s=HDR_NIC_GB_S
    )


def dgx_h100_option(count: int, scale_up_size: int = 8) -> SystemOption:
    """`count` H100s on NVLink 4 in domains of `scale_up_size`, as a search option."""
    return SystemOption(
        count=count,
        scale_up_size=scale_up_size,
        scale_up_gb_s=NVLINK4_GB_S,
        scale_out_gb_s=NDR_NIC_GB_S,
    )


def dgx_a100_system(count: int) -> SystemSpec:
    """`count` A100s in DGX nodes of 8."""
    return SystemSpec(
        accelerator=A100,
        count=count,
        scale_up=ScaleUp(size=8, bandwidth_gb_s=NVLINK3_GB_S),
        scale_out=ScaleOut(bandwidth_gb_s=HDR_NIC_GB_S),
    )


def hgx(accelerator: Accelerator = H100) -> SystemSpec:
    """An 8-GPU HGX board: one NVLink scale-up domain of 8."""
    return SystemSpec(
        accelerator=accelerator,
        count=8,
        scale_up=ScaleUp(size=8, bandwidth_gb_s=NVLINK4_GB_S),
        scale_out=ScaleOut(bandwidth_gb_s=NDR_NIC_GB_S),
    )


def hardware(accelerator: Accelerator, precision: str = "bf16", flash: bool = False) -> Hardware:
    """The accelerator at a precision under the first-principles profile, FlashAttention or not."""
    return Hardware.of(accelerator, precision, EfficiencyProfile(flash_attention=flash))  # type: ignore[arg-type]
