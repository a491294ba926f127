"""How every command ends: JSON on stdout or a Rich view, and the exit-code contract.

Exit codes (public API): 0 success, 2 bad input (one line on stderr naming file and key, and
the fix), 1 internal error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from rackforge.errors import InfeasibleError, InputError, RackForgeError

T = TypeVar("T")
stdout = Console()
if not stdout.is_terminal:
    # Logs and CI capture output without a terminal: Rich would fall back to 80 columns and
    # cut table cells; a wider page keeps every figure whole.
    stdout = Console(width=160)
stderr = Console(stderr=True)


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples, dates (ISO text) and NumPy scalars as JSON-ready Python values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN/inf: unknown values are null
    return value


def print_json(obj: Any) -> None:
    """One JSON object on stdout and nothing else."""
    sys.stdout.write(json.dumps(to_plain(obj), indent=2, sort_keys=False) + "\n")


def guarded(fn: Callable[[], T]) -> T:
    """Run a command body, mapping errors to the exit-code contract."""
    try:
        return fn()
    except InputError as err:
        stderr.print(f"[red]error:[/red] {err.one_line()}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except InfeasibleError as err:
        stderr.print(f"[red]infeasible:[/red] {err}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except RackForgeError as err:
        stderr.print(f"[red]error:[/red] {err}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except (typer.Exit, KeyboardInterrupt):
        raise
    except Exception as err:
        if os.environ.get("RACKFORGE_DEBUG"):
            raise
        stderr.print(
            f"[red]internal error:[/red] {type(err).__name__}: {err} "
            "(set RACKFORGE_DEBUG=1 for the traceback and report it)",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None


def stderr_progress(*, transient: bool) -> Progress:
    """Rich progress bars on stderr, label then bar, count and time (hidden off a terminal).

    `transient` bars vanish when done; a multi-stage command keeps them as a record.
    """
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=transient,
        disable=not stderr.is_terminal,
    )


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback drawing a bar on stderr (hidden when stderr is not a terminal)."""
    with stderr_progress(transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
