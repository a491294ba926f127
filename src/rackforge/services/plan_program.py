"""The main job, `plan_program`: a program directory in, `report.html` and `plan.json` out.

It loads the program, runs the plan pipeline's registered stages (today: co-design and racks;
supply, production and compliance follow) and writes the two artefacts. plan.json is one JSON
object: the program, when and by which version it was made, and per stage its typed result as
plain JSON, units in the key names (`_s`, `_days`, `_kw`, `_mw`, `_j`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from rackforge.config import Settings
from rackforge.errors import InputError
from rackforge.formats.program import ProgramInput, load_program
from rackforge.report.html import render_html
from rackforge.report.model import Report
from rackforge.services.codesign import profile_book
from rackforge.services.codesign_stage import CodesignStage
from rackforge.services.pipeline import (
    PipelineProgress,
    PlanContext,
    PlanOptions,
    PlanOutcome,
    Stage,
    run_pipeline,
)
from rackforge.services.plan_summary import summary_section
from rackforge.services.rack_stage import RackStage
from rackforge.services.supply_stage import SupplyStage

__all__ = ["PLAN_FILE", "REPORT_FILE", "PlanProgress", "PlanRun", "plan_program", "plan_stages"]

REPORT_FILE = "report.html"
PLAN_FILE = "plan.json"


class PlanProgress(PipelineProgress, Protocol):
    """Told when stages start and end, and how far a long stage is (`done` of `total` units)."""

    def step(self, stage: str, done: int, total: int) -> None: ...


@dataclass(frozen=True, slots=True)
class PlanRun:
    """A finished plan: where its artefacts are, what plan.json holds, one line per stage."""

    program_name: str
    report_path: Path
    plan_path: Path
    outcome: PlanOutcome
    document: dict[str, Any]
    summary: tuple[str, ...]


def plan_stages(settings: Settings, progress: PlanProgress | None = None) -> list[Stage]:
    """The registered plan stages, in any order (the pipeline sorts them by number)."""

    def on_candidate(done: int, total: int) -> None:
        if progress is not None:
            progress.step("codesign", done, total)

    def on_generation(done: int, total: int) -> None:
        if progress is not None:
            progress.step("racks", done, total)

    def on_trial(done: int, total: int) -> None:
        if progress is not None:
            progress.step("supply", done, total)

    book = profile_book(settings)
    return [
        CodesignStage(book, on_candidate),
        RackStage(book, on_generation),
        SupplyStage(on_trial),
    ]


def plan_program(
    directory: Path,
    out: Path,
    progress: PlanProgress | None = None,
    *,
    workers: int | None = None,
    settings: Settings | None = None,
) -> PlanRun:
    """Plan the program in `directory`; write `out/report.html` and `out/plan.json`.

    `workers` processes run independent searches side by side (default: the CPUs this process
    may use). InputError names the file and key of bad input.
    """
    program = load_program(directory)
    settings = settings or Settings()
    options = PlanOptions(workers=workers or _available_cpus())
    outcome = run_pipeline(
        plan_stages(settings, progress), PlanContext(program=program, options=options), progress
    )
    generated_at = datetime.now(UTC).replace(microsecond=0)
    document = plan_document(program, outcome, generated_at)
    report = Report(
        title=program.program.name,
        subtitle=_subtitle(program),
        generated_at=generated_at,
        sections=[summary_section(program, outcome), *outcome.sections],
    )
    _prepare(out)
    report_path, plan_path = out / REPORT_FILE, out / PLAN_FILE
    report_path.write_text(render_html(report), encoding="utf-8")
    plan_path.write_text(
        json.dumps(document, indent=2, allow_nan=False, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return PlanRun(
        program_name=program.program.name,
        report_path=report_path,
        plan_path=plan_path,
        outcome=outcome,
        document=document,
        summary=tuple(f"{s.name}: {s.result.summary}" for s in outcome.stages),
    )


def plan_document(
    program: ProgramInput, outcome: PlanOutcome, generated_at: datetime
) -> dict[str, Any]:
    """plan.json's content: the program, provenance and each stage's result as plain JSON."""
    return {
        "program": program.program.name,
        "program_dir": str(program.directory),
        "generated_at": generated_at.isoformat(),
        "rackforge_version": _version(),
        "stages": {
            stage.name: {
                "order": stage.order,
                "summary": stage.result.summary,
                "elapsed_s": stage.elapsed_s,
                "result": to_json(stage.result.value),
            }
            for stage in outcome.stages
        },
    }


def to_json(value: object) -> Any:
    """Typed results as JSON values: dataclasses and pydantic models become objects, dates ISO
    text, paths strings, NumPy scalars numbers, and non-finite floats null (JSON has none)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, BaseModel):
        return to_json(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    item = getattr(value, "item", None)
    if callable(item):
        return to_json(item())
    raise TypeError(f"cannot write {type(value).__name__} to plan.json")


def _subtitle(program: ProgramInput) -> str:
    p = program.program
    lab = f"{p.lab.name} · " if p.lab else ""
    return f"{lab}plan for {p.horizon_start} to {p.horizon_end}"


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(
            "the output path is a file; expected a folder for report.html and plan.json",
            where=str(out),
            fix="give --out a folder (it is created if missing)",
        )
    out.mkdir(parents=True, exist_ok=True)


def _available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _version() -> str:
    try:
        return version("rackforge")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"
