"""Parallelism and execution knobs of a training run, as given in a scenario.

Every knob is optional: a knob left out is searched. `ParallelismSpec` is the public scenario
format (docs/formats.md); `Candidates` (candidates.py) is its vectorised form.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

Recompute = Literal["none", "selective", "full"]
RECOMPUTE_CODES: dict[str, int] = {"none": 0, "selective": 1, "full": 2}
RECOMPUTE_NAMES: tuple[Recompute, ...] = ("none", "selective", "full")


class ParallelismSpec(BaseModel):
    """Parallel degrees and execution options; None means "search it"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tp: PositiveInt | None = Field(default=None, description="tensor parallel degree")
    pp: PositiveInt | None = Field(default=None, description="pipeline parallel stages")
    dp: PositiveInt | None = Field(default=None, description="data parallel replicas")
    cp: PositiveInt | None = Field(default=None, description="context (sequence) parallel degree")
    ep: PositiveInt | None = Field(default=None, description="expert parallel degree (MoE)")
    zero: Literal[0, 1, 2, 3] | None = Field(
        default=None, description="ZeRO stage; 1 is Megatron's distributed optimizer"
    )
    global_batch: PositiveInt | None = Field(default=None, description="sequences per step")
    micro_batch: PositiveInt | None = Field(default=None, description="sequences per micro-batch")
    interleave: PositiveInt | None = Field(
        default=None, description="virtual pipeline chunks per device (1 = plain 1F1B)"
    )
    recompute: Recompute | None = None
    sequence_parallel: bool | None = None
    ep_overlap: bool | None = Field(
        default=None,
        description="hide MoE all-to-all behind another micro-batch's compute (needs pp > 1: "
        "DeepSeek-V3 DualPipe, Megatron-Core 1F1B all-to-all overlap)",
    )
    dp_overlap: bool | None = Field(
        default=None, description="overlap the gradient reduction with the last backward pass"
    )
