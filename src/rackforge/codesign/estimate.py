"""From the engine's arrays to the public `TrainingEstimate` of one configuration."""

from __future__ import annotations

from rackforge.catalog.schema import Accelerator
from rackforge.codesign.memory import GIB
from rackforge.codesign.results import TrainingEstimate
from rackforge.codesign.training import Evaluation, TrainingProblem

# Whole-system power per accelerator when the catalog gives no node power: DGX A100 draws
# 6.5 kW for 8 × 400 W GPUs (2.0×) and DGX H100 10.2 kW for 8 × 700 W (1.8×) (NVIDIA DGX
# datasheets); the lower ratio is used.
NODE_POWER_PER_TDP = 1.8


def system_power_per_accelerator_w(acc: Accelerator) -> float | None:
    """Nameplate power of one accelerator's share of its node (CPUs, NICs, fans included)."""
    if acc.node_power_w and acc.accelerators_per_node:
        return acc.node_power_w / acc.accelerators_per_node
    if acc.tdp_w:
        return acc.tdp_w * NODE_POWER_PER_TDP
    return None


def estimate_at(problem: TrainingProblem, ev: Evaluation, i: int) -> TrainingEstimate:
    """The estimate of candidate `i` of an evaluation."""
    c = ev.candidates
    gpus = int(c.gpus[i])
    step = float(ev.step_time_s[i])
    tokens = problem.global_batch * problem.model.seq_len
    model_tflops = float(ev.model_flops_per_step[i]) / step / gpus / 1e12
    hw_tflops = float(ev.hardware_flops_per_step[i]) / step / gpus / 1e12
    peak = problem.hw.peak_flops / 1e12
    per_gpu_w = system_power_per_accelerator_w(problem.hw.accelerator)
    notes: list[str] = []
    if per_gpu_w is None:
        notes.append("power unknown: the accelerator has no tdp_w")
        per_gpu_w = 0.0
    power_kw = gpus * per_gpu_w / 1e3
    return TrainingEstimate(
        step_time_s=step,
        tokens_per_s=tokens / step,
        model_tflops_per_gpu=model_tflops,
        hardware_tflops_per_gpu=hw_tflops,
        mfu=model_tflops / peak,
        hfu=hw_tflops / peak,
        memory_gib_per_gpu=float(ev.memory.total[i] / GIB),
        fits=bool(ev.fits[i]),
        breakdown_s={k: float(v[i]) for k, v in ev.breakdown_s.items()},
        memory_breakdown_gib=ev.memory.breakdown_gib(i),
        parallelism={**c.row(i), "global_batch": problem.global_batch},
        system={
            "accelerator": problem.hw.accelerator.name,
            "count": gpus,
            "scale_up_size": int(c.scale_up_size[i]),
            "scale_up_gb_s": float(c.scale_up_gb_s[i]),
            "scale_out_gb_s": float(c.scale_out_gb_s[i]),
            "precision": problem.hw.precision,
            "profile": f"{problem.hw.profile.name}@{problem.hw.profile.version}",
        },
        gpus=gpus,
        power_kw=power_kw,
        energy_per_step_j=power_kw * 1e3 * step,
        tokens_per_step=tokens,
        notes=tuple(notes),
    )
