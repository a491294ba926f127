"""`rackforge rack ...`: design racks from catalog parts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from rackforge.cli.output import guarded, print_json, stdout
from rackforge.errors import UnknownNameError
from rackforge.rack import RackDesign
from rackforge.services import rack as service

app = typer.Typer(help="Design racks from catalog parts: power, cooling, elevation and weight.")

JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")]
SystemOpt = Annotated[
    list[str],
    typer.Option(
        "--system",
        help="catalog reference system (dgx-h100, dgx-b200, gb200-nvl72, gb300-nvl72); repeat",
    ),
]


@app.command()
def design(system: SystemOpt, json: JsonOpt = False) -> None:
    """Build each system's rack from its parts and print its power, cooling and weight figures."""

    def run() -> list[RackDesign]:
        try:
            return service.design_systems(system)
        except UnknownNameError as err:
            raise err.located("--system") from None

    designs = guarded(run)
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
