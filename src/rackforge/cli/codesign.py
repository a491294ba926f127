"""`rackforge codesign ...`: estimate, search, validate, calibrate."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from rackforge.cli.output import guarded, print_json, progress_bar, stdout, to_plain
from rackforge.codesign.results import TrainingEstimate
from rackforge.codesign.search import SearchResult, SearchSpace
from rackforge.codesign.validate import ValidationReport
from rackforge.config import Settings
from rackforge.errors import InputError
from rackforge.executors import executor_named
from rackforge.services import codesign as service

T = TypeVar("T", int, float)

app = typer.Typer(help="Predict, search, validate and calibrate LLM training on candidate systems.")

JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")]
ScenarioArg = Annotated[Path, typer.Argument(help="scenario YAML (see docs/formats.md)")]


def _numbers(text: str | None, option: str, kind: type[T]) -> tuple[T, ...] | None:
    """A comma-separated option value as numbers; a bad item is an input error naming it."""
    if not text:
        return None
    values = []
    for item in text.split(","):
        try:
            value = kind(item.strip())
        except ValueError:
            raise InputError(
                f"{item.strip()!r} is not a number", where=option, fix=f"e.g. {option} 8,72"
            ) from None
        if value <= 0:
            raise InputError(f"{item.strip()} must be positive", where=option, fix="use > 0")
        values.append(value)
    return tuple(values)


def _estimate_table(e: TrainingEstimate, title: str) -> Table:
    t = Table(title=title, show_header=False)
    t.add_row("step time", f"{e.step_time_s:.3f} s")
    t.add_row("tokens/s", f"{e.tokens_per_s:,.0f}")
    t.add_row(
        "model / hardware TFLOP/s per GPU",
        f"{e.model_tflops_per_gpu:.1f} / {e.hardware_tflops_per_gpu:.1f}",
    )
    t.add_row("MFU / HFU", f"{e.mfu:.1%} / {e.hfu:.1%}")
    t.add_row(
        "memory per GPU", f"{e.memory_gib_per_gpu:.1f} GiB ({'fits' if e.fits else 'DOES NOT FIT'})"
    )
    t.add_row("parallelism", ", ".join(f"{k}={v}" for k, v in e.parallelism.items()))
    t.add_row("power", f"{e.power_kw:,.0f} kW")
    for k, v in e.breakdown_s.items():
        if v > 0:
            t.add_row(f"  {k}", f"{v:.3f} s ({v / e.step_time_s:.1%})")
    return t


@app.command()
def estimate(
    scenario: ScenarioArg,
    json: JsonOpt = False,
    tokens: Annotated[
        float | None,
        typer.Option(min=1.0, help="token budget: adds time and energy to train it, e.g. 15e12"),
    ] = None,
) -> None:
    """Predict one training step; knobs left out of the scenario are searched."""
    result = guarded(lambda: service.estimate_file(scenario, Settings()))
    budget: dict[str, float] = {}
    if tokens:
        budget = {
            "tokens": tokens,
            "time_to_train_s": result.time_to_train_s(tokens),
            "time_to_train_days": result.time_to_train_s(tokens) / 86_400,
            "energy_to_train_j": result.energy_to_train_j(tokens),
        }
    if json:
        print_json({**to_plain(result), **budget})
        return
    table = _estimate_table(result, f"{scenario.name}")
    if budget:
        table.add_row(
            f"train {tokens:.3g} tokens",
            f"{budget['time_to_train_days']:,.1f} days, "
            f"{budget['energy_to_train_j'] / 3.6e12:,.2f} GWh",
        )
    stdout.print(table)


@app.command("search")
def search_cmd(
    scenario: ScenarioArg,
    json: JsonOpt = False,
    counts: Annotated[
        str | None, typer.Option(help="accelerator counts to try, e.g. 512,1024")
    ] = None,
    scale_up: Annotated[str | None, typer.Option(help="scale-up domain sizes, e.g. 8,72")] = None,
    scale_out: Annotated[
        str | None, typer.Option(help="scale-out GB/s per GPU, e.g. 25,50")
    ] = None,
    executor: Annotated[str, typer.Option(help="local or ray")] = "local",
) -> None:
    """Evaluate every valid configuration; print the best, the top 10 and the Pareto front."""

    def run() -> SearchResult:
        space = SearchSpace(
            _numbers(counts, "--counts", int),
            _numbers(scale_up, "--scale-up", int),
            _numbers(scale_out, "--scale-out", float),
        )
        with progress_bar("searching") as progress:
            return service.search_file(
                scenario,
                Settings(),
                space=space,
                executor=executor_named(executor),
                progress=progress,
            )

    result = guarded(run)
    if json:
        print_json(
            {
                "best": result.best,
                "top": result.top,
                "pareto": result.pareto,
                "evaluated": result.evaluated,
                "feasible": result.feasible,
                "elapsed_s": result.elapsed_s,
            }
        )
        return
    stdout.print(_estimate_table(result.best, "best configuration"))
    stdout.print(
        f"evaluated {result.evaluated:,} configurations, {result.feasible:,} fit, "
        f"in {result.elapsed_s:.2f} s"
    )


@app.command()
def serve(
    scenario: ScenarioArg,
    prompt_tokens: Annotated[int, typer.Option(min=1, help="tokens per prompt")] = 2048,
    output_tokens: Annotated[int, typer.Option(min=1, help="generated tokens per request")] = 512,
    tpot_target: Annotated[
        float, typer.Option(min=0.0, help="time per output token target, seconds")
    ] = 0.05,
    ttft_target: Annotated[
        float | None, typer.Option(help="time to first token target, seconds")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Size a serving replica: tensor parallelism and batch that meet the latency targets."""
    result = guarded(
        lambda: service.serve_file(
            scenario,
            Settings(),
            prompt_tokens=prompt_tokens,
            output_tokens=output_tokens,
            tpot_target_s=tpot_target,
            ttft_target_s=ttft_target,
        )
    )
    if json:
        print_json(result)
        return
    t = Table(title=f"serving {scenario.name}", show_header=False)
    t.add_row("replica", f"TP {result.tp} × batch {result.batch} (max {result.max_batch})")
    t.add_row("TTFT / TPOT", f"{result.ttft_s * 1e3:.1f} ms / {result.tpot_s * 1e3:.1f} ms")
    t.add_row("tokens/s per GPU", f"{result.tokens_per_s_per_gpu:,.0f}")
    t.add_row("tokens/s per rack", f"{result.tokens_per_s_per_rack:,.0f}")
    t.add_row("memory per GPU", f"{result.memory_gib_per_gpu:.1f} GiB ({result.bound}-bound)")
    t.add_row("meets latency", "yes" if result.meets_latency else "NO")
    for note in result.notes:
        t.add_row("note", note)
    stdout.print(t)


@app.command()
def validate(
    file: Annotated[
        Path | None, typer.Argument(help="measured runs (default: shared validation)")
    ] = None,
    json: JsonOpt = False,
    tolerance: Annotated[float, typer.Option(help="largest error allowed per case")] = 0.10,
    mean_tolerance: Annotated[float, typer.Option(help="largest mean absolute error")] = 0.05,
) -> None:
    """Predict every published case; exit 1 if an error exceeds the tolerances."""
    settings = Settings()
    path = file or service.default_validation_file(settings)

    def run() -> ValidationReport:
        with progress_bar("validating") as progress:
            return service.validate_file(path, settings, progress)

    report = guarded(run)
    ok = report.passes(tolerance, mean_tolerance)
    if json:
        print_json(
            {
                "cases": [
                    {
                        "id": c.case_id,
                        "quantity": c.quantity,
                        "measured": c.measured,
                        "predicted": c.predicted,
                        "error": c.error,
                        "parallelism": c.estimate.parallelism,
                        "profile": c.estimate.system["profile"],
                    }
                    for c in report.cases
                ],
                "failed": [{"id": f.case_id, "reason": f.reason} for f in report.failed],
                "mean_abs_error": report.mean_abs_error,
                "max_abs_error": report.max_abs_error,
                "passed": ok,
            }
        )
    else:
        t = Table(title=f"validation: {path}")
        t.add_column("case", no_wrap=True)
        for col in ("measured", "predicted", "error"):
            t.add_column(col, justify="right", no_wrap=True)
        t.add_column("chosen knobs", no_wrap=True)
        for c in report.cases:
            p = c.estimate.parallelism
            knobs = f"mb={p['micro_batch']} v={p['interleave']} zero={p['zero']}"
            t.add_row(
                c.case_id, f"{c.measured:.1f}", f"{c.predicted:.1f}", f"{c.error:+.1%}", knobs
            )
        for f in report.failed:
            t.add_row(f.case_id, "—", "—", "FAILED", f.reason[:60])
        quantities = sorted({c.quantity for c in report.cases})
        t.caption = f"quantity: {', '.join(quantities)}"
        stdout.print(t)
        verdict = "[green]PASS[/green]" if ok else "[red]FAIL[/red]"
        stdout.print(
            f"{verdict} mean |error| {report.mean_abs_error:.1%} (≤ {mean_tolerance:.0%}), "
            f"max |error| {report.max_abs_error:.1%} (≤ {tolerance:.0%})"
            + (f", {len(report.failed)} case(s) could not be predicted" if report.failed else "")
        )
    if not ok:
        raise typer.Exit(1)


def _paired_logs(logs: list[Path], scenarios: list[Path]) -> list[tuple[Path, Path]]:
    if len(logs) != len(scenarios):
        raise InputError(
            f"{len(logs)} --megatron-log but {len(scenarios)} --log-scenario",
            where="--log-scenario",
            fix="give one scenario per log, in the same order",
        )
    return list(zip(logs, scenarios, strict=True))


@app.command()
def calibrate(
    name: Annotated[str, typer.Option(help="profile name to save a new version of")],
    base: Annotated[str | None, typer.Option(help="profile to start from, NAME[@VERSION]")] = None,
    system: Annotated[
        Path | None, typer.Option(help="scenario whose system ran the benchmarks")
    ] = None,
    nccl: Annotated[
        list[Path] | None, typer.Option(help="nccl-tests output file (repeatable)")
    ] = None,
    gemm: Annotated[list[Path] | None, typer.Option(help="GEMM benchmark CSV (repeatable)")] = None,
    steps: Annotated[Path | None, typer.Option(help="measured training runs YAML")] = None,
    case: Annotated[
        list[str] | None, typer.Option(help="use only these case ids (repeatable)")
    ] = None,
    megatron_log: Annotated[
        list[Path] | None, typer.Option(help="Megatron-LM training log (repeatable)")
    ] = None,
    log_scenario: Annotated[
        list[Path] | None,
        typer.Option(help="scenario each --megatron-log ran (repeatable, same order)"),
    ] = None,
    fit: Annotated[str | None, typer.Option(help="parameters to fit, comma-separated")] = None,
    dry_run: Annotated[bool, typer.Option(help="fit and show, but do not save")] = False,
    json: JsonOpt = False,
) -> None:
    """Fit an efficiency profile to benchmark feedback and save it as a new version."""
    run = guarded(
        lambda: service.calibrate_files(
            settings=Settings(),
            name=name,
            base=base,
            system_file=system,
            nccl=nccl or [],
            gemm=gemm or [],
            steps=steps,
            step_ids=case,
            logs=_paired_logs(megatron_log or [], log_scenario or []),
            parameters=fit.split(",") if fit else None,
            save=not dry_run,
        )
    )
    r = run.result
    if json:
        print_json(
            {
                "profile": r.profile.model_dump(mode="json"),
                "values": r.values,
                "uncertainty": r.uncertainty,
                "saved": str(run.saved) if run.saved else None,
                "points": r.points,
                "rms_log_error_before": r.rms_log_error("before"),
                "rms_log_error_after": r.rms_log_error("after"),
            }
        )
        return
    t = Table(title=f"profile {r.profile.name}@v{r.profile.version}")
    for col in ("parameter", "value", "± 1σ"):
        t.add_column(col)
    for k, v in r.values.items():
        sigma = r.uncertainty[k]
        t.add_row(
            k,
            f"{v:.4g}",
            f"{sigma:.2g}" if math.isfinite(sigma) else "n/a (as many points as parameters)",
        )
    stdout.print(t)
    changes = Table(title="what changed in the predictions")
    for col in ("measurement", "measured", "before", "after"):
        changes.add_column(col, justify="left" if col == "measurement" else "right")
    for p in r.points:
        changes.add_row(
            p.label,
            f"{p.measured:.4g}",
            f"{p.before:.4g} ({p.before / p.measured - 1:+.1%})",
            f"{p.after:.4g} ({p.after / p.measured - 1:+.1%})",
        )
    stdout.print(changes)
    stdout.print(f"saved {run.saved}" if run.saved else "dry run: not saved")
