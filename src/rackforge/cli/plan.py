"""`rackforge plan PROGRAM_DIR`: the main job — report.html and plan.json from a program folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.progress import Progress, TaskID
from rich.table import Table

from rackforge.cli.output import guarded, print_json, stderr_progress, stdout
from rackforge.errors import InfeasibleError, InputError
from rackforge.services.codesign_plan import CodesignPlan
from rackforge.services.pipeline import CompletedStage, Stage
from rackforge.services.plan_program import PlanRun, plan_program

T = TypeVar("T")


class StageBars:
    """One Rich progress bar per plan stage, on stderr (hidden when stderr is not a terminal)."""

    def __init__(self, bars: Progress) -> None:
        self._bars = bars
        self._tasks: dict[str, TaskID] = {}

    def stage_started(self, stage: Stage, index: int, total: int) -> None:
        label = f"{stage.order} {stage.name} ({index + 1}/{total})"
        self._tasks[stage.name] = self._bars.add_task(label, total=None)

    def step(self, stage: str, done: int, total: int) -> None:
        if stage in self._tasks:
            self._bars.update(self._tasks[stage], completed=done, total=total)

    def stage_finished(self, completed: CompletedStage, index: int, total: int) -> None:
        task = self._tasks[completed.name]
        size = next((t.total for t in self._bars.tasks if t.id == task), None) or 1
        self._bars.update(task, completed=size, total=size)


@contextmanager
def stage_bars() -> Iterator[StageBars]:
    with stderr_progress(transient=False) as bars:
        yield StageBars(bars)


def plan(
    program_dir: Annotated[
        Path, typer.Argument(help="program folder: program.yaml, roadmap.yaml (docs/formats.md)")
    ],
    out: Annotated[
        Path | None, typer.Option(help="where to write report.html and plan.json")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
    workers: Annotated[
        int | None, typer.Option(min=1, help="processes for the searches (default: all CPUs)")
    ] = None,
) -> None:
    """Plan a program: co-design per model family; writes report.html and plan.json."""
    target = out or Path("out") / program_dir.resolve().name

    def run() -> PlanRun:
        with stage_bars() as bars:
            return plan_program(program_dir, target, bars, workers=workers)

    result = guarded(lambda: _with_stage_notes(run))
    paths = {"report_html": str(result.report_path), "plan_json": str(result.plan_path)}
    if json:
        print_json({**result.document, "paths": paths})
        return
    stdout.print(_summary_table(result))
    for line in result.summary:
        stdout.print(line, highlight=False, soft_wrap=True)
    stdout.print(f"report: {paths['report_html']}", highlight=False, soft_wrap=True)
    stdout.print(f"plan:   {paths['plan_json']}", highlight=False, soft_wrap=True)


def _with_stage_notes(fn: Callable[[], T]) -> T:
    """Fold the pipeline's notes ("in plan stage 20 'codesign'") into the one-line error."""
    try:
        return fn()
    except (InputError, InfeasibleError) as err:
        notes = "; ".join(getattr(err, "__notes__", []))
        if not notes:
            raise
        if isinstance(err, InputError):
            raise type(err)(f"{err.message} ({notes})", where=err.where, fix=err.fix) from None
        raise InfeasibleError(f"{err} ({notes})") from None


def _summary_table(result: PlanRun) -> Table:
    codesign = result.outcome.value_of("codesign", CodesignPlan)
    table = Table(title=f"{result.program_name}: recommended training systems")
    for column in ("family", "recommended system", "days to train", "target", "MW"):
        table.add_column(column, justify="left" if column.startswith(("fam", "rec")) else "right")
    for family in codesign.families:
        chosen = family.recommended
        if chosen is None:
            table.add_row(family.family_id, "[red]nothing fits[/red]", "—", "—", "—")
            continue
        days = f"{chosen.time_to_train_days or 0:.1f}"
        table.add_row(
            family.family_id,
            chosen.label,
            days if family.meets_target else f"[red]{days}[/red]",
            f"{family.target_training_days:g}",
            f"{chosen.power_mw or 0:.1f}",
        )
    return table
