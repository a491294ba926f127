"""Typed results of the co-design engine (one object per computation)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TrainingEstimate:
    """Predicted training step of one configuration (public API: keys are stable)."""

    step_time_s: float
    tokens_per_s: float
    model_tflops_per_gpu: float
    hardware_tflops_per_gpu: float
    mfu: float
    hfu: float
    memory_gib_per_gpu: float
    fits: bool
    breakdown_s: dict[str, float]
    memory_breakdown_gib: dict[str, float]
    parallelism: dict[str, int | str | bool]
    system: dict[str, int | float | str]
    gpus: int
    power_kw: float
    energy_per_step_j: float
    tokens_per_step: int
    notes: tuple[str, ...] = field(default=())

    def time_to_train_s(self, tokens: float) -> float:
        """Wall time to train `tokens` tokens at this step rate."""
        return tokens / self.tokens_per_s

    def energy_to_train_j(self, tokens: float) -> float:
        """Energy (system level) to train `tokens` tokens."""
        return self.energy_per_step_j * tokens / self.tokens_per_step
