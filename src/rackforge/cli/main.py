"""The `rackforge` command line: thin commands over the services."""

from __future__ import annotations

import typer

from rackforge.cli import codesign, plan, rack, supply

app = typer.Typer(
    help="RackForge: from an AI lab's model roadmap to compliant, US-built data-center racks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(codesign.app, name="codesign")
app.add_typer(rack.app, name="rack")
app.add_typer(supply.app, name="supply")
app.command("plan")(plan.plan)


def run() -> None:
    """Console-script entry point."""
    app()
