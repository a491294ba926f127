"""Training step time of a batch of candidates: compute, communication, pipeline, optimizer.

The step follows Megatron-LM's PTD-P schedule (Narayanan et al. 2021, arXiv 2104.04473):
m = B/(dp·b) micro-batches pass p stages with v model chunks each; the pipeline takes
(m + (p-1)/v) micro-batch slots of its slowest stage (§2.2.2, bubble fraction (p-1)/(v·m)).
A slot holds the stage's forward, backward and recomputed forward, its tensor-, context- and
expert-parallel collectives, and its point-to-point sends. The gradient reduction over data
parallel ranks and the optimizer step follow the pipeline flush.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rackforge.catalog.schema import ModelArchitecture
from rackforge.codesign.candidates import Candidates, FloatArray
from rackforge.codesign.comm import Network
from rackforge.codesign.compute import LayerForward, layer_forward, logits_forward
from rackforge.codesign.flops import training_flops_per_sequence
from rackforge.codesign.hardware import Hardware
from rackforge.codesign.memory import GIB, MemoryUse, gradient_bytes, memory_use

BREAKDOWN_KEYS: tuple[str, ...] = (
    "compute",
    "elementwise",
    "recompute",
    "tp_comm",
    "cp_comm",
    "ep_comm",
    "pp_comm",
    "overhead",
    "bubble",
    "dp_comm",
    "optimizer",
)


@dataclass(frozen=True, slots=True)
class TrainingProblem:
    """What stays fixed across candidates: the model, the hardware and the batch."""

    model: ModelArchitecture
    hw: Hardware
    global_batch: int

    @property
    def flash(self) -> bool:
        return self.hw.profile.flash_attention


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Predicted step of every candidate (arrays aligned with the candidates)."""

    candidates: Candidates
    step_time_s: FloatArray
    breakdown_s: dict[str, FloatArray]
    memory: MemoryUse
    fits: np.ndarray
    model_flops_per_step: FloatArray
    hardware_flops_per_step: FloatArray

    @property
    def gpus(self) -> np.ndarray:
        return self.candidates.gpus


def overlapped(comm: FloatArray, window: FloatArray, slowdown: float) -> FloatArray:
    """Time a collective adds when it runs behind `window` seconds of compute.

    The part longer than the window is exposed; the hidden part still slows the compute it
    shares SMs and HBM with by `slowdown` (EfficiencyProfile.overlap_slowdown).
    """
    hidden = np.minimum(comm, window)
    result: FloatArray = np.maximum(0.0, comm - window) + slowdown * hidden
    return result


def _layer_slot(
    layer: LayerForward,
    tp_coll: FloatArray,
    cp_pass: FloatArray,
    ep_coll: FloatArray,
    c: Candidates,
    kernel_s: float,
    slowdown: float,
) -> dict[str, FloatArray]:
    """One layer's share of a micro-batch slot: forward + 2×backward (+ recomputation)."""
    rc = c.recompute
    full, selective = (rc == 2), (rc == 1)
    recompute = np.where(full, layer.total, 0.0) + np.where(
        selective, layer.attention_core + layer.attention_elementwise, 0.0
    )
    passes = 3.0 + full  # forward, backward (2×), recomputed forward
    collectives = np.where(full, 6.0, 4.0)  # 2 per forward and per backward pass
    # Context parallel ring exchange of K/V overlaps the attention core (Megatron-Core CP).
    cp_exposed = overlapped(cp_pass, layer.attention_core, slowdown) * passes
    # MoE dispatch + combine per pass; with overlap they run while another micro-batch
    # computes the same layer (DeepSeek-V3 report §3.2.1, DualPipe), exposed only beyond it.
    a2a = 2.0 * ep_coll
    hidden_a2a = (
        overlapped(a2a, layer.total, slowdown)
        + overlapped(a2a, 2.0 * layer.total, slowdown)
        + np.where(full, overlapped(a2a, layer.total, slowdown), 0.0)
    )
    ep_exposed = np.where(c.ep_overlap, hidden_a2a, collectives * ep_coll)
    return {
        "compute": 3.0 * layer.matmul,
        "elementwise": 3.0 * (layer.elementwise + layer.attention_elementwise),
        "recompute": recompute,
        "tp_comm": collectives * tp_coll,
        "cp_comm": cp_exposed,
        "ep_comm": ep_exposed,
        "overhead": passes * layer.kernels * kernel_s,
    }


def evaluate(problem: TrainingProblem, c: Candidates) -> Evaluation:
    """Step time, FLOPs and memory of every candidate."""
    model, hw = problem.model, problem.hw
    net = Network.of(c.scale_up_size, c.scale_up_gb_s, c.scale_out_gb_s, hw.profile)
    t, p, v = c.tp, c.pp.astype(np.float64), c.interleave.astype(np.float64)
    one = np.ones_like(c.tp)
    tokens = c.micro_batch * model.seq_len / c.cp
    act_bytes = float(hw.storage_bytes)
    m = problem.global_batch / (c.dp * c.micro_batch)

    # Tensor parallel: an all-reduce (or reduce-scatter + all-gather under SP, same volume)
    # of the b·s·h activations per collective (Korthikanti §4.2.2).
    tp_coll = net.all_reduce(tokens * model.hidden * act_bytes, t, one)
    g, d = model.n_kv_heads, model.d_head
    kv_bytes = c.micro_batch * model.seq_len * 2.0 * g * d * act_bytes / t
    cp_pass = net.all_reduce(kv_bytes, c.cp, t) * 0.5  # all-gather volume of K and V
    slot: dict[str, FloatArray] = {k: np.zeros(len(c)) for k in BREAKDOWN_KEYS}
    share = c.stage_share(model.layers)
    kernels, kernel_rows = c.distinct("micro_batch", "tp", "cp", "ep", "sequence_parallel")
    kinds = [(False, model.layers - model.moe_layers), (True, model.moe_layers)]
    for moe_layer, count in kinds:
        if count == 0:
            continue
        layer = layer_forward(
            model,
            hw,
            micro_batch=kernels.micro_batch,
            tp=kernels.tp,
            cp=kernels.cp,
            ep=kernels.ep,
            sequence_parallel=kernels.sequence_parallel,
            moe_layer=moe_layer,
            flash=problem.flash,
        ).gather(kernel_rows)
        ep_coll = np.zeros(len(c))
        if moe_layer and model.moe is not None:
            dispatch = tokens * model.moe.top_k * model.hidden * act_bytes
            ep_coll = net.all_to_all(dispatch, c.ep, t * c.cp)
        for key, value in _layer_slot(
            layer,
            tp_coll,
            cp_pass,
            ep_coll,
            c,
            hw.profile.kernel_overhead_s,
            hw.profile.overlap_slowdown,
        ).items():
            slot[key] = slot[key] + value * count * share

    # Output layer on the last stage: forward + backward, never recomputed.
    logits = logits_forward(
        model, hw, micro_batch=kernels.micro_batch, tp=kernels.tp, cp=kernels.cp
    )
    slot["compute"] = slot["compute"] + 3.0 * logits[kernel_rows]
    # Pipeline sends: activations forward, gradients backward, once per chunk; scattered over
    # TP ranks (Narayanan §4.1 scatter/gather), inside the domain only if the whole job is.
    p2p_bytes = tokens * model.hidden * act_bytes / t
    inside = c.gpus <= c.scale_up_size
    slot["pp_comm"] = np.where(c.pp > 1, 2.0 * v * net.send(p2p_bytes, inside), 0.0)

    slot_time = sum(slot.values(), np.zeros(len(c)))
    breakdown = {k: val * m for k, val in slot.items()}
    breakdown["bubble"] = (p - 1) / v * slot_time

    mem = memory_use(
        model,
        c,
        hw,
        global_batch=problem.global_batch,
        flash=problem.flash,
        distinct=(kernels, kernel_rows),
    )
    breakdown["dp_comm"] = _data_parallel(mem, c, net, hw, slot, m)
    # Adam step: read weights, gradients, states; write weights and states (≈ 32 B/param).
    shard = np.where(c.zero >= 1, c.dp * c.cp, 1).astype(np.float64)
    update_bytes = mem.params_per_gpu / shard * (2 * act_bytes + gradient_bytes(hw.precision) + 24)
    breakdown["optimizer"] = update_bytes / hw.memory_bytes_s

    step = sum(breakdown.values(), np.zeros(len(c)))
    model_seq, hw_seq = np.zeros(len(c)), np.zeros(len(c))
    for code, name in enumerate(("none", "selective", "full")):
        mf, hf = training_flops_per_sequence(model, name)
        model_seq = np.where(c.recompute == code, mf, model_seq)
        hw_seq = np.where(c.recompute == code, hf, hw_seq)
    fits = mem.total <= hw.accelerator.memory_gib * GIB
    return Evaluation(
        candidates=c,
        step_time_s=step,
        breakdown_s=breakdown,
        memory=mem,
        fits=fits,
        model_flops_per_step=model_seq * problem.global_batch,
        hardware_flops_per_step=hw_seq * problem.global_batch,
    )


def _data_parallel(
    mem: MemoryUse,
    c: Candidates,
    net: Network,
    hw: Hardware,
    slot: dict[str, FloatArray],
    m: FloatArray,
) -> FloatArray:
    """Exposed time of the gradient reduction (and ZeRO-3 parameter gathers)."""
    n = c.dp * c.cp
    stride = c.tp
    grads = mem.params_per_gpu * gradient_bytes(hw.precision)
    params = mem.params_per_gpu * hw.storage_bytes
    scatter_grads = net.reduce_scatter(grads, n, stride)
    gather_params = net.reduce_scatter(params, n, stride)  # all-gather: same cost
    # ZeRO 0 all-reduces gradients (= reduce-scatter + all-gather of the same bytes); ZeRO 1/2
    # (distributed optimizer) reduce-scatter gradients and all-gather the updated weights.
    slot_time = sum(slot.values(), np.zeros(len(c)))
    # The backward share of a micro-batch slot (2 of its 3 passes) is the overlap window.
    backward = 2.0 / 3.0 * slot_time
    # ZeRO 0 all-reduces gradients once (= reduce-scatter + all-gather of the same bytes);
    # ZeRO 1 (Megatron distributed optimizer) reduce-scatters them once and all-gathers the
    # updated weights; ZeRO 2 keeps only its gradient shard, so it reduce-scatters after every
    # micro-batch's backward (Rajbhandari et al. 2020, §5.2) and all-gathers weights at the end.
    at_end = np.where(
        c.zero == 0,
        2.0 * scatter_grads,
        np.where(c.zero == 2, gather_params, scatter_grads + gather_params),
    )
    # With overlap, buckets are reduced while the last micro-batch's backward runs (Megatron
    # --overlap-grad-reduce; PyTorch DDP, Li et al. 2020).
    slowdown = hw.profile.overlap_slowdown
    exposed_end = np.where(c.dp_overlap, overlapped(at_end, backward, slowdown), at_end)
    per_mb_z2 = np.where(c.dp_overlap, overlapped(scatter_grads, backward, slowdown), scatter_grads)
    exposed_end = exposed_end + np.where(c.zero == 2, m * per_mb_z2, 0.0)
    # ZeRO-3 gathers weights before each forward and backward and reduce-scatters gradients
    # per micro-batch; prefetching hides them behind that micro-batch's slot.
    per_mb = 2.0 * gather_params + scatter_grads
    zero3 = m * np.where(c.dp_overlap, overlapped(per_mb, slot_time, slowdown), per_mb)
    result: FloatArray = np.where(c.zero == 3, zero3, exposed_end)
    return result
