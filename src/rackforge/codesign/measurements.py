"""Benchmark feedback from a real system, as typed records the calibration fits to.

File formats (nccl-tests text, GEMM CSV, training logs) are parsed by `rackforge.formats`
into these records; the cores never read files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CollectiveOp = Literal["all_reduce", "all_gather", "reduce_scatter", "all_to_all", "send_recv"]


@dataclass(frozen=True, slots=True)
class CollectiveMeasurement:
    """One row of an nccl-tests run: a collective of `size_bytes` over `ranks` GPUs."""

    op: CollectiveOp
    size_bytes: int
    ranks: int
    time_s: float
    algbw_gb_s: float
    busbw_gb_s: float
    tier: Literal["scale_up", "scale_out"]
    in_place: bool = False
    source: str = ""


@dataclass(frozen=True, slots=True)
class GemmMeasurement:
    """One timed matrix multiply C[m,n] = A[m,k] @ B[k,n]."""

    m: int
    n: int
    k: int
    precision: str
    time_s: float
    source: str = ""

    @property
    def tflops(self) -> float:
        return 2.0 * self.m * self.n * self.k / self.time_s / 1e12


@dataclass(frozen=True, slots=True)
class StepMeasurement:
    """A measured training step time (or throughput) of a whole scenario.

    `scenario` is the scenario mapping (as in a scenario YAML) the step was measured on.
    Exactly one of `step_time_s`, `tflops_per_gpu` is set.
    """

    scenario_id: str
    scenario: dict[str, object]
    step_time_s: float | None = None
    tflops_per_gpu: float | None = None
    source: str = ""
