"""`rackforge supply pool ...`: the supplier pool in the database, with its history."""

from __future__ import annotations

import json as json_module
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rackforge.cli.output import guarded, print_json, stderr, stdout
from rackforge.config import Settings
from rackforge.formats.pool_files import BadRowsError
from rackforge.services import pool_store as service
from rackforge.store import Change

app = typer.Typer(
    help="The supplier pool in the database (SQLite by default, PostgreSQL): import, export, "
    "history.",
    no_args_is_help=True,
)

ProgramArg = Annotated[Path, typer.Argument(help="program directory")]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="database URL (default: RACKFORGE_DATABASE_URL, else PROGRAM_DIR/.rackforge)"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON")]


@app.command("import")
def import_command(
    program: ProgramArg,
    who: Annotated[str, typer.Option("--who", help="who makes the change (name)")],
    source: Annotated[
        Path | None,
        typer.Option("--from", help="a folder with suppliers.csv/offers.csv or an .xlsx"),
    ] = None,
    why: Annotated[str, typer.Option("--why", help="why: kept in the history")] = "",
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Store the pool read from files, recording what changed (who, when, why).

    Every bad row is listed (exit 2) and nothing is stored.
    """
    settings = Settings()

    def run() -> service.PoolImport:
        try:
            return service.import_pool(program, settings, who=who, why=why, source=source, db=db)
        except BadRowsError as err:
            _bad_rows(err, json=json)
            raise typer.Exit(2) from None

    result = guarded(run)
    if json:
        print_json(
            {
                "import": {
                    "database": result.database,
                    "suppliers": result.suppliers,
                    "offers": result.offers,
                    "changes": [_record(c) for c in result.changes],
                }
            }
        )
        return
    stdout.print(
        f"stored {result.suppliers} suppliers and {result.offers} offers in {result.database}: "
        f"{_count(result.changes)}",
        highlight=False,
    )


def _count(changes: tuple[Change, ...]) -> str:
    if not changes:
        return "no change"
    counts = {a: sum(c.action == a for c in changes) for a in ("added", "changed", "removed")}
    return ", ".join(f"{n} {a}" for a, n in counts.items() if n)


def _bad_rows(err: BadRowsError, *, json: bool) -> None:
    """Every bad row on stdout (a table, or JSON), one line on stderr; nothing was stored."""
    rows = err.records()
    if json:
        print_json({"error": "bad rows in the supplier pool", "rows": rows})
    else:
        table = Table(title=f"Bad rows in the supplier pool ({len(rows)})")
        for column in ("file", "row", "column", "value", "problem", "fix"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row.values()))
        stdout.print(table)
    stderr.print(
        f"[red]error:[/red] {len(rows)} bad row{'s' if len(rows) != 1 else ''} in the supplier "
        f"pool; nothing was stored — fix: {err.fix}",
        highlight=False,
        soft_wrap=True,
    )


@app.command("export")
def export_command(
    program: ProgramArg,
    to: Annotated[Path, typer.Option("--to", help="an .xlsx workbook, or a folder for CSV")],
    db: DbOption = None,
) -> None:
    """Write the stored pool as files (the format `import` reads)."""
    paths = guarded(lambda: service.export_stored_pool(program, Settings(), to, db=db))
    for path in paths:
        stdout.print(f"wrote {path}", highlight=False)


@app.command("history")
def history_command(
    program: ProgramArg,
    supplier: Annotated[
        str | None, typer.Option("--supplier", help="only this supplier and its offers")
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Who changed what in the stored pool, when and why (oldest first)."""
    changes = guarded(lambda: service.pool_history(program, Settings(), supplier=supplier, db=db))
    if json:
        print_json({"changes": [_record(c) for c in changes]})
        return
    table = Table(title=f"Pool history ({len(changes)} changes)")
    for column in ("when (UTC)", "who", "what", "key", "field", "old", "new", "why"):
        table.add_column(column)
    for c in changes:
        table.add_row(
            c.at.strftime("%Y-%m-%d %H:%M:%S"),
            c.who,
            f"{c.entity} {c.action}",
            c.key,
            c.field or "",
            _short(c.old) if c.field else "",
            _short(c.new) if c.field else "",
            c.why,
        )
    stdout.print(table)


def _short(value: object) -> str:
    text = json_module.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _record(c: Change) -> dict[str, object]:
    return {
        "at": c.at.isoformat(),
        "who": c.who,
        "why": c.why,
        "entity": c.entity,
        "key": c.key,
        "supplier": c.supplier,
        "action": c.action,
        "field": c.field,
        "old": c.old,
        "new": c.new,
    }
