"""Fit a system's efficiency profile to benchmark feedback (least squares, with uncertainty).

The "minimal viable rack, measure, iterate" loop: GEMM timings fix the matmul parameters,
nccl-tests tables the network tiers, measured training steps whatever is left. Residuals are
log(predicted / measured), so a 5 % miss weighs the same on a 1 ms GEMM and a 20 s step. The
covariance is s²·(JᵀJ)⁻¹ at the optimum (Gauss-Newton; Nocedal & Wright 2006, §10.3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from rackforge.codesign.candidates import FloatArray
from rackforge.codesign.comm import Network
from rackforge.codesign.compute import gemm_time
from rackforge.codesign.hardware import Hardware
from rackforge.codesign.measurements import CollectiveMeasurement, GemmMeasurement
from rackforge.codesign.profile import FITTABLE, EfficiencyProfile
from rackforge.codesign.scenario import Scenario
from rackforge.codesign.search import search
from rackforge.codesign.system import SystemSpec
from rackforge.errors import InputError

# Search box of each parameter (physical limits, not tuning ranges).
BOUNDS: dict[str, tuple[float, float]] = {
    "matmul_efficiency": (0.05, 1.0),
    "matmul_half_dim": (0.0, 4096.0),
    "attention_efficiency": (0.05, 1.0),
    "memory_efficiency": (0.05, 1.0),
    "scale_up_efficiency": (0.05, 1.0),
    "scale_out_efficiency": (0.05, 1.0),
    "scale_up_latency_s": (0.0, 1e-3),
    "scale_out_latency_s": (0.0, 1e-3),
    "kernel_overhead_s": (0.0, 1e-4),
    "overlap_slowdown": (0.0, 1.0),
}


@dataclass(frozen=True, slots=True)
class StepCase:
    """A measured training scenario: `quantity` is an attribute of TrainingEstimate."""

    case_id: str
    scenario: Scenario
    quantity: str
    measured: float


@dataclass(frozen=True, slots=True)
class Fitted:
    """One measurement's prediction before and after calibration."""

    label: str
    measured: float
    before: float
    after: float


@dataclass(frozen=True, slots=True)
class CalibrationResult:
    profile: EfficiencyProfile
    values: dict[str, float]
    uncertainty: dict[str, float]
    points: tuple[Fitted, ...]

    def rms_log_error(self, which: str) -> float:
        values = [(f.before if which == "before" else f.after, f.measured) for f in self.points]
        return float(np.sqrt(np.mean([np.log(p / m) ** 2 for p, m in values])))


def default_parameters(
    gemms: Sequence[GemmMeasurement],
    collectives: Sequence[CollectiveMeasurement],
    steps: Sequence[StepCase],
) -> tuple[str, ...]:
    """Fit what the data can identify: each kind of feedback pins its own parameters."""
    chosen: list[str] = []
    if gemms:
        chosen += ["matmul_efficiency", "matmul_half_dim"]
    for tier in ("scale_up", "scale_out"):
        if any(c.tier == tier for c in collectives):
            chosen += [f"{tier}_efficiency", f"{tier}_latency_s"]
    if steps:
        chosen += ["memory_efficiency"] if gemms else ["matmul_efficiency", "memory_efficiency"]
    return tuple(chosen)


def _predictors(
    system: SystemSpec | None,
    precision: str,
    gemms: Sequence[GemmMeasurement],
    collectives: Sequence[CollectiveMeasurement],
    steps: Sequence[StepCase],
) -> list[tuple[str, float, Callable[[EfficiencyProfile], float]]]:
    out: list[tuple[str, float, Callable[[EfficiencyProfile], float]]] = []
    for g in gemms:
        if system is None:
            raise InputError("GEMM measurements need a system", fix="pass --system")

        def gemm(p: EfficiencyProfile, g: GemmMeasurement = g) -> float:
            hw = Hardware.of(system.accelerator, g.precision, p)  # type: ignore[arg-type]
            one = np.ones(1)
            flops = 2.0 * g.m * g.n * g.k * one
            return float(gemm_time(flops, g.m * one, g.n * one, g.k * one, hw)[0])

        out.append((f"gemm {g.m}x{g.n}x{g.k} {g.precision}", g.time_s, gemm))
    for c in collectives:
        if system is None:
            raise InputError("collective measurements need a system", fix="pass --system")

        def coll(p: EfficiencyProfile, c: CollectiveMeasurement = c) -> float:
            return _collective_time(c, system, p)

        out.append((f"{c.op} {c.size_bytes} B on {c.ranks} ({c.tier})", c.time_s, coll))
    for s in steps:

        def step(p: EfficiencyProfile, s: StepCase = s) -> float:
            best = search(s.scenario.model_copy(update={"profile": p}), top=1).best
            return float(getattr(best, s.quantity))

        out.append((f"{s.case_id} {s.quantity}", s.measured, step))
    del precision
    return out


def _collective_time(c: CollectiveMeasurement, system: SystemSpec, p: EfficiencyProfile) -> float:
    one_i = np.ones(1, dtype=np.int64)
    domain = (c.ranks if c.tier == "scale_up" else min(system.scale_up.size, c.ranks)) * one_i
    net = Network.of(
        domain,
        system.scale_up.bandwidth_gb_s * np.ones(1),
        system.scale_out.bandwidth_gb_s * np.ones(1),
        p,
    )
    size: FloatArray = float(c.size_bytes) * np.ones(1)
    n = c.ranks * one_i
    if c.op == "all_reduce":
        t = net.all_reduce(size, n, one_i)
    elif c.op in ("all_gather", "reduce_scatter"):
        t = net.reduce_scatter(size, n, one_i)
    elif c.op == "all_to_all":
        t = net.all_to_all(size, n, one_i)
    else:
        t = net.send(size, np.array([c.tier == "scale_up"]))
    return float(t[0])


def calibrate(
    base: EfficiencyProfile,
    *,
    name: str,
    version: int,
    system: SystemSpec | None = None,
    gemms: Sequence[GemmMeasurement] = (),
    collectives: Sequence[CollectiveMeasurement] = (),
    steps: Sequence[StepCase] = (),
    parameters: Sequence[str] | None = None,
    sources: Sequence[str] = (),
) -> CalibrationResult:
    """A new profile version whose parameters best explain the measurements."""
    params = tuple(parameters or default_parameters(gemms, collectives, steps))
    unknown = [p for p in params if p not in FITTABLE]
    if unknown:
        raise InputError(
            f"cannot fit {unknown[0]!r}",
            where="parameters",
            fix=f"fit any of: {', '.join(FITTABLE)}",
        )
    predictors = _predictors(system, "", gemms, collectives, steps)
    if not predictors:
        raise InputError(
            "no measurements to calibrate from", fix="give nccl-tests, GEMM or step files"
        )
    if len(predictors) < len(params):
        raise InputError(
            f"{len(predictors)} measurements cannot pin {len(params)} parameters",
            fix="add measurements or fit fewer parameters (--fit)",
        )
    measured = np.array([m for _, m, _ in predictors])
    scale = np.array([max(abs(float(getattr(base, p))), BOUNDS[p][1] * 1e-3) for p in params])

    def profile_at(x: FloatArray) -> EfficiencyProfile:
        return base.with_values(**{p: float(v) for p, v in zip(params, x * scale, strict=True)})

    def residuals(x: FloatArray) -> FloatArray:
        prof = profile_at(x)
        pred = np.array([f(prof) for _, _, f in predictors])
        result: FloatArray = np.log(pred / measured)
        return result

    x0 = np.array([float(getattr(base, p)) for p in params]) / scale
    lo = np.array([BOUNDS[p][0] for p in params]) / scale
    hi = np.array([BOUNDS[p][1] for p in params]) / scale
    x0 = np.clip(x0, lo, hi)
    fit = least_squares(
        residuals, x0, bounds=(lo, hi), diff_step=np.full(len(params), 1e-3), x_scale="jac"
    )
    dof = len(measured) - len(params)
    # With as many measurements as parameters the fit is exact and its spread unknowable.
    s2 = float(np.sum(fit.fun**2)) / dof if dof > 0 else float("nan")
    try:
        jac = np.asarray(fit.jac, dtype=np.float64)
        cov = np.linalg.pinv(jac.T @ jac) * s2
        std = np.sqrt(np.clip(np.diag(cov), 0.0, None)) * scale
    except np.linalg.LinAlgError:
        std = np.full(len(params), np.nan)
    values = {p: float(v) for p, v in zip(params, fit.x * scale, strict=True)}
    uncertainty = {p: float(s) for p, s in zip(params, std, strict=True)}
    profile = base.model_copy(
        update={
            **values,
            "name": name,
            "version": version,
            "uncertainty": {**base.uncertainty, **uncertainty},
            "calibrated_from": list(sources),
        }
    )
    before = [f(base) for _, _, f in predictors]
    after = [f(profile) for _, _, f in predictors]
    points = tuple(
        Fitted(label, m, b, a)
        for (label, m, _), b, a in zip(predictors, before, after, strict=True)
    )
    return CalibrationResult(profile, values, uncertainty, points)
