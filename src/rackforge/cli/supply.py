"""`rackforge supply ...`: supply-network exposure to disruptions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rackforge.cli import supply_pool
from rackforge.cli.output import guarded, print_json, stdout
from rackforge.config import Settings
from rackforge.errors import InputError
from rackforge.services import supply as service
from rackforge.services.supply_stage import SupplyPlanResult
from rackforge.supply import DEFAULT_HORIZON_WEEKS, NodeExposure
from rackforge.supply.disruption import Method
from rackforge.supply.remedies import NodeRemedies

app = typer.Typer(help="Supply-chain resilience: disruption exposure.", no_args_is_help=True)
app.add_typer(supply_pool.app, name="pool")


@app.command("exposure")
def exposure_command(
    network: Annotated[
        Path, typer.Argument(help="NETWORK.yaml (top-level nodes and edges) or PROGRAM_DIR")
    ],
    horizon: Annotated[
        float, typer.Option(help="planning horizon in weeks: the cap on time to survive")
    ] = DEFAULT_HORIZON_WEEKS,
    json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Time to survive and to recover of every node, disrupted alone for its own TTR, and
    what would fix each critical node.

    A node is critical when its TTR exceeds its TTS (Simchi-Levi et al., Interfaces 45(5),
    2015); the risk exposure index is its performance impact over the network's largest. Each
    critical node gets its remedies, each alone lifting its TTS to its TTR: a buffer of its
    output, a second source's capacity, the TTR a contract must promise.
    """
    result = guarded(
        lambda: service.exposure_with_remedies(network, Settings(), horizon_weeks=horizon)
    )
    if json:
        print_json(
            {
                "nodes": {
                    node_id: {
                        **_record(e),
                        "remedies": _remedies_record(result.remedies.get(node_id)),
                    }
                    for node_id, e in result.nodes.items()
                }
            }
        )
        return
    stdout.print(_table(result.nodes))
    if result.remedies:
        stdout.print("[bold]Critical nodes (TTR > TTS) and what would fix each[/bold]")
        for node_id, fix in result.remedies.items():
            stdout.print(f"  [red]{node_id}[/red]: {fix.summary}", highlight=False)


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


def _remedies_record(fix: NodeRemedies | None) -> dict[str, object] | None:
    if fix is None:
        return None
    b, s, c = fix.buffer, fix.second_source, fix.contract
    return {
        "target_weeks": fix.target_weeks,
        "network_weeks": fix.network_weeks,
        "buffer": {
            "units": b.units,
            "weeks_of_cover": b.weeks_of_cover,
            "use_per_week": b.use_per_week,
            "inventory_units": b.inventory_units,
        },
        "second_source": {
            "customers": list(s.customers),
            "alternatives": {m: list(others) for m, others in s.alternatives.items()},
            "sole_source_of": list(s.sole_source_of),
            "capacity_per_week": s.capacity_per_week,
        },
        "contract": {
            "ttr_weeks": c.ttr_weeks,
            "cut_weeks": c.cut_weeks,
            "achievable": c.achievable,
        },
        "note": fix.note,
        "summary": fix.summary,
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


@app.command("source")
def source_command(
    program: Annotated[Path, typer.Argument(help="program directory with suppliers.csv")],
    json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Who supplies each part of the program's racks, at what cost, under the sourcing rules.

    Rules that cannot all hold are named with what was given up (never a bare "infeasible");
    exit 0 either way, as a plan with gaps is still the plan to act on.
    """
    result = guarded(lambda: service.program_supply(program, Settings()))
    if json:
        print_json({"sourcing": _sourcing_record(result)})
        return
    if result.plan is None:
        stdout.print(result.summary)
        return
    stdout.print(result.summary, highlight=False)
    for group in result.violations:
        stdout.print(f"[yellow]{group.rule}[/yellow]: {group.message}", highlight=False)


@app.command("simulate")
def simulate_command(
    program: Annotated[Path, typer.Argument(help="program directory with scenarios.yaml")],
    scenarios: Annotated[int, typer.Option(help="Monte Carlo trials")] = service.DEFAULT_TRIALS,
    seed: Annotated[int, typer.Option(help="random seed: same seed, same result")] = 0,
    method: Annotated[
        str, typer.Option(help="reference (one exact LP a disrupted trial) or fast (bounds)")
    ] = "reference",
    compare: Annotated[
        Path | None,
        typer.Option(help="another program directory: its plan under the same scenarios"),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Correlated disruptions of the program's scenarios.yaml: racks late, weeks lost.

    --compare B runs program B under the same scenario library and seed (the same events in
    each trial) and prints B − A.
    """
    if compare is not None:
        other = compare
        what_if = guarded(
            lambda: service.compare_supply(program, other, Settings(), trials=scenarios, seed=seed)
        )
        if json:
            print_json(
                {
                    "simulation": what_if.a.simulation,
                    "compare": {
                        "program": str(other),
                        "simulation": what_if.b.simulation,
                        "difference": what_if.difference,
                    },
                }
            )
            return
        for name, delta in what_if.difference.items():
            stdout.print(f"{other} − {program}: {name} {delta:+,.2f}", highlight=False)
        return
    if method not in ("reference", "fast"):
        guarded(lambda: _bad_method(method))
    chosen: Method = "fast" if method == "fast" else "reference"
    result = guarded(
        lambda: service.program_supply(
            program, Settings(), trials=scenarios, seed=seed, method=chosen
        )
    )
    sim = result.simulation
    if json:
        print_json({"simulation": sim, "notes": result.notes})
        return
    if sim is None:
        stdout.print("no simulation: " + "; ".join(result.notes or ("no scenarios.yaml",)))
        return
    stdout.print(
        f"{sim.trials} trials (seed {sim.seed}) over {sim.horizon_weeks:g} weeks: racks late "
        f"P50 {sim.racks_late.p50:.1f}, P95 {sim.racks_late.p95:.1f}; weeks lost P50 "
        f"{sim.weeks_lost.p50:.2f}, P95 {sim.weeks_lost.p95:.2f}",
        highlight=False,
    )


def _bad_method(method: str) -> None:
    raise InputError(f"unknown method {method!r}", where="--method", fix="use reference or fast")


def _sourcing_record(result: SupplyPlanResult) -> dict[str, object]:
    plan = result.plan
    return {
        "notes": list(result.notes),
        "plan": plan,
        "violations": result.violations,
        "domestic_floor_by_year": result.floors,
        "feasible": None if plan is None else plan.feasible,
    }
