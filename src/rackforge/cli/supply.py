"""`rackforge supply ...`: supply-network exposure to disruptions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rackforge.cli.output import guarded, print_json, stdout
from rackforge.services import supply as service
from rackforge.supply import DEFAULT_HORIZON_WEEKS, NodeExposure

app = typer.Typer(help="Supply-chain resilience: disruption exposure.", no_args_is_help=True)


@app.command("exposure")
def exposure_command(
    network: Annotated[Path, typer.Argument(help="NETWORK.yaml: top-level nodes and edges")],
    horizon: Annotated[
        float, typer.Option(help="planning horizon in weeks: the cap on time to survive")
    ] = DEFAULT_HORIZON_WEEKS,
    json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Time to survive and to recover of every node, disrupted alone for its own TTR.

    A node is critical when its TTR exceeds its TTS (Simchi-Levi et al., Interfaces 45(5),
    2015); the risk exposure index is its performance impact over the network's largest.
    """
    nodes = guarded(lambda: service.network_exposure(network, horizon_weeks=horizon))
    if json:
        print_json({"nodes": {node_id: _record(e) for node_id, e in nodes.items()}})
        return
    stdout.print(_table(nodes))


def _record(e: NodeExposure) -> dict[str, object]:
    return {
        "tts_weeks": e.tts_weeks,
        "ttr_weeks": e.ttr_weeks,
        "performance_impact": e.performance_impact,
        "risk_exposure_index": e.risk_exposure_index,
        "critical": e.critical,
        "lost_units": e.lost_units,
        "tts_capped": e.tts_capped,
    }


def _table(nodes: dict[str, NodeExposure]) -> Table:
    table = Table(title="Disruption exposure (each node down alone for its TTR)")
    for column in ("node", "TTS weeks", "TTR weeks", "impact", "exposure index", "critical"):
        table.add_column(column, justify="left" if column == "node" else "right")
    ranked = sorted(nodes.items(), key=lambda kv: -(kv[1].risk_exposure_index or 0.0))
    for node_id, e in ranked:
        table.add_row(
            node_id,
            f"≥ {e.tts_weeks:g}" if e.tts_capped else f"{e.tts_weeks:.4g}",
            "—" if e.ttr_weeks is None else f"{e.ttr_weeks:g}",
            "—" if e.performance_impact is None else f"{e.performance_impact:,.4g}",
            "—" if e.risk_exposure_index is None else f"{e.risk_exposure_index:.2f}",
            "—" if e.critical is None else "[red]yes[/red]" if e.critical else "no",
        )
    return table
