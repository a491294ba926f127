"""`rackforge rack ...`: design racks from catalog parts and check them against rule sets."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rackforge.cli.output import guarded, print_json, stderr, stdout
from rackforge.config import Settings
from rackforge.rack import BillOfMaterials, DesignDiff, RackDesign, RuleCheck
from rackforge.rack.bom import flatten, roll_up, to_json_dict
from rackforge.services import rack as service

app = typer.Typer(
    help="Design racks from catalog parts (power, cooling, elevation, weight) and check them."
)

JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")]
SystemOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--system",
        help="catalog reference system (dgx-h100, dgx-b200, gb200-nvl72, gb300-nvl72); repeat",
    ),
]
ProgramArg = Annotated[
    Path | None,
    typer.Argument(
        help="program directory: its racks.yaml designs (current generations)",
        show_default=False,
    ),
]
GenerationsOpt = Annotated[
    bool, typer.Option("--all-generations", help="every generation of a program's designs")
]


@app.command()
def design(
    program: ProgramArg = None,
    system: SystemOpt = None,
    all_generations: GenerationsOpt = False,
    json: JsonOpt = False,
) -> None:
    """Build each rack from its parts and print its power, cooling and weight figures.

    Give a PROGRAM_DIR (its racks.yaml designs), --system NAME (catalog systems), or both.
    """
    designs = guarded(
        lambda: service.design_targets(program, system or [], all_generations=all_generations)
    )
    if json:
        print_json({"designs": designs})
        return
    stdout.print(_designs_table(designs))
    for d in designs:
        for figure, parts in d.missing.items():
            stdout.print(
                f"[yellow]{d.name}[/yellow]: {figure} lacks figures for {', '.join(parts)}",
                highlight=False,
            )


RulesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--rules",
        help="rule set (orv3-busbar, frame-payload, air-cooled-hall-15kw, liquid-hall-140kw); "
        "repeat",
    ),
]
FrameOpt = Annotated[
    str | None,
    typer.Option("--frame", help="catalog frame to stand each design in (e.g. ORv3, ORv3 HPR)"),
]


@app.command("check")
def check_rules(
    program: ProgramArg = None,
    system: SystemOpt = None,
    rules: RulesOpt = None,
    frame: FrameOpt = None,
    json: JsonOpt = False,
) -> None:
    """Check each rack against each rule set; exit 1 if any rule is violated.

    A PROGRAM_DIR's designs are checked against their own rule sets (racks.yaml `rules`, else
    their facility's in program.yaml) unless --rules is given; --system needs --rules.

    Every violation gives the figure, the limit, the rule's source and a fix. A figure that is
    a lower bound (parts lack figures) is still checked and said to be one; rules that cannot
    be evaluated are listed as unchecked. Exit codes: 0 every design passes, 1 a rule is
    violated (or an internal error), 2 bad input (an unknown system, rule set or frame).
    """
    checks = guarded(lambda: service.check_targets(program, system or [], rules or [], frame=frame))
    passed = all(c.passed for c in checks)
    if json:
        print_json({"checks": [_check_json(c) for c in checks], "passed": passed})
    else:
        for c in checks:
            _print_check(c)
    if not passed:
        raise typer.Exit(1)


@app.command()
def draw(
    program: ProgramArg = None,
    system: SystemOpt = None,
    out: Annotated[Path, typer.Option(help="folder for the SVG files")] = Path("out/racks"),
    face: Annotated[str, typer.Option(help="front, rear or both (side by side)")] = "both",
    frame: Annotated[str | None, typer.Option(help="catalog frame to use instead")] = None,
    all_generations: GenerationsOpt = False,
    json: JsonOpt = False,
) -> None:
    """Draw each rack's elevation (front and rear) as SVG files."""
    paths = guarded(
        lambda: service.draw_targets(
            program,
            system or [],
            out,
            face=face,
            frame=frame,
            all_generations=all_generations,
        )
    )
    if json:
        print_json({"drawings": [str(p) for p in paths]})
        return
    for p in paths:
        stdout.print(f"wrote {p}")


@app.command()
def bom(
    program: ProgramArg = None,
    system: SystemOpt = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="table, csv or json (on stdout, or into --out); xlsx into --out"
        ),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option(help="write the bills to this file (csv, json or xlsx: its suffix picks)"),
    ] = None,
    frame: FrameOpt = None,
    all_generations: GenerationsOpt = False,
    json: JsonOpt = False,
) -> None:
    """Print each system's multi-level bill of materials: part numbers, quantities, cost.

    Levels: 0 the rack, 1 trays and assemblies, 2 modules inside them, 3 purchased parts of a
    module (HBM stacks, cold plates). Costs and criticality the catalog does not know are blank
    (table, csv) or null (json). Exit codes: 0 done,
    2 bad input (an unknown system, format or frame), 1 an internal error.
    """
    boms = guarded(
        lambda: service.bom_targets(
            program, system or [], fmt=fmt, out=out, frame=frame, all_generations=all_generations
        )
    )
    if json:
        print_json({"boms": [to_json_dict(b) for b in boms]})
        return
    if out is not None:
        stdout.print(f"wrote {out}", highlight=False)
        return
    if fmt in ("csv", "json"):
        sys.stdout.write(service.render_boms(boms, fmt))
        return
    for b in boms:
        stdout.print(_bom_table(b))


@app.command("diff")
def diff_command(
    args: Annotated[
        list[str],
        typer.Argument(
            help="PROGRAM_DIR (every generation against the one before), A B (catalog "
            "systems), or PROGRAM_DIR A B (id@version, id or catalog system)",
            metavar="[PROGRAM_DIR] [A B]",
            show_default=False,
        ),
    ],
    json: JsonOpt = False,
) -> None:
    """Show what changes from design A to design B: power, cooling, weight, units, cost, parts,
    and — for a program's designs — predicted training performance and why it changed.

    Deltas are B − A; a side marked ≥ is a lower bound (parts lack figures), n/a not known.
    Parts are matched by part number and listed where the rack's total differs (0: absent).
    Exit codes: 0 done, 2 bad input (an unknown design or system, named with close matches),
    1 an internal error.
    """
    with stderr.status("building designs and predicting their training performance"):
        diffs = guarded(lambda: service.diff_targets(args, Settings()))
    if json:
        print_json({"diffs": diffs})
        return
    for result in diffs:
        for note in result.notes:
            stdout.print(note, highlight=False, soft_wrap=True, markup=False)
        stdout.print(_figure_changes_table(result))
        if result.parts:
            stdout.print(_part_changes_table(result))
        else:
            stdout.print("no part changes", highlight=False)


def _figure_changes_table(d: DesignDiff) -> Table:
    table = Table(title=f"{d.a} → {d.b} (≥: lower bound, parts lack figures)")
    for column in ("figure", "unit", d.a, d.b, "Δ (B − A)", "Δ %"):
        table.add_column(column, justify="left" if column in ("figure", "unit") else "right")
    for f in d.figures:
        spec = _DIFF_FORMATS.get(f.unit, ".1f")
        table.add_row(
            f.name,
            f.unit,
            _amount(f.a, spec, not f.a_lower_bound),
            _amount(f.b, spec, not f.b_lower_bound),
            "n/a" if f.delta is None else format(f.delta, "+" + spec),
            "n/a" if f.relative is None else format(f.relative, "+.1%"),
        )
    return table


_DIFF_FORMATS = {
    unit: spec
    for units, spec in (
        (("A", "CFM", "USD", "count", "U", "tok/s"), ",.0f"),
        (("fraction",), ".3f"),
    )
    for unit in units
}


def _part_changes_table(d: DesignDiff) -> Table:
    table = Table(title=f"parts changed from {d.a} to {d.b} (rack totals)")
    for column in ("part number", "description", "commodity", "qty A", "qty B", "Δ", "change"):
        table.add_column(column, justify="right" if column.startswith(("qty", "Δ")) else "left")
    for p in d.parts:
        change = "added" if p.qty_a == 0 else "removed" if p.qty_b == 0 else "quantity"
        table.add_row(
            p.part_number,
            p.description,
            p.commodity,
            str(p.qty_a),
            str(p.qty_b),
            format(p.delta, "+d"),
            change,
        )
    return table


def _bom_table(b: BillOfMaterials) -> Table:
    """The bill indented by level, with its roll-up in the caption; n/a: not known."""
    totals = roll_up(b)
    levels = ", ".join(f"level {t.level}: {t.lines} lines, {t.quantity} pcs" for t in totals.levels)
    cost = _amount(totals.cost_usd, ",.0f", totals.cost_complete)
    table = Table(title=f"{b.title} bill of materials", caption=f"{levels}; cost USD {cost}")
    for column in ("level", "part number", "description", "commodity", "qty", "ext qty"):
        table.add_column(column, justify="right" if "qty" in column else "left")
    table.add_column("unit USD", justify="right")
    table.add_column("ext USD", justify="right")
    for line in flatten(b):
        table.add_row(
            str(line.level),
            line.part_number,
            "  " * line.level + line.description,
            line.commodity,
            str(line.quantity),
            str(line.extended_quantity),
            _amount(line.unit_cost_usd, ",.0f", True),
            _amount(line.extended_cost_usd, ",.0f", True),
        )
    return table


def _check_json(c: RuleCheck) -> dict[str, object]:
    return {
        "design": c.design,
        "rules": c.rules,
        "frame": c.frame,
        "passed": c.passed,
        "violations": list(c.violations),
        "unchecked": list(c.unchecked),
        "notes": list(c.notes),
    }


def _print_check(c: RuleCheck) -> None:
    verdict = "[green]passes[/green]" if c.passed else "[red]violates[/red]"
    stdout.print(f"{c.design} on {c.frame} {verdict} {c.rules}", highlight=False)
    for v in c.violations:
        stdout.print(f"  [red]✗[/red] {v.rule_id}: {v.message}", highlight=False, soft_wrap=True)
    for line in c.unchecked:
        stdout.print(f"  [yellow]unchecked[/yellow] {line}", highlight=False, soft_wrap=True)
    for line in c.notes:
        stdout.print(f"  [yellow]note[/yellow] {line}", highlight=False, soft_wrap=True)


def _designs_table(designs: list[RackDesign]) -> Table:
    """One row per design; a figure that is a lower bound is marked ≥."""
    table = Table(title="rack designs from parts (≥: lower bound, parts lack figures)")
    for column in (
        "system",
        "IT max kW",
        "typical kW",
        "weight kg",
        "shelves",
        "PSUs",
        "busbar A",
        "liquid kW",
        "coolant L/min",
        "air kW",
        "airflow CFM",
        "units",
        "cost USD",
    ):
        table.add_column(column, justify="left" if column == "system" else "right")
    for d in designs:
        table.add_row(
            d.name,
            _amount(d.it_power_kw, ".1f", d.power_complete),
            _amount(d.typical_power_kw, ".1f", d.power_complete),
            _amount(d.weight_kg, ",.1f", d.weight_complete),
            _amount(d.power_shelves, "d", d.power_complete),
            _amount(d.psus, "d", d.power_complete),
            _amount(d.busbar_current_a, ",.0f", d.power_complete),
            _amount(d.liquid_heat_kw, ".1f", d.power_complete),
            _amount(d.coolant_flow_l_min, ".1f", d.power_complete),
            _amount(d.air_heat_kw, ".1f", d.power_complete),
            _amount(d.airflow_cfm, ",.0f", d.power_complete),
            _amount(d.ru_used, "d", d.ru_complete),
            _amount(d.cost_usd, ",.0f", d.cost_complete),
        )
    return table


def _amount(value: float | None, spec: str, complete: bool) -> str:
    if value is None:
        return "n/a"
    return ("" if complete else "≥ ") + format(value, spec)
