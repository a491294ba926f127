"""The co-design stage's report section: recommendation, candidate tables, front and step charts."""

from __future__ import annotations

from typing import Any

from rackforge.codesign.results import TrainingEstimate
from rackforge.report.charts import ParetoPoint, pareto_chart, step_breakdown_chart
from rackforge.report.model import Cell, Figure, Section, Table
from rackforge.services.codesign_plan import CodesignPlan, FamilyCodesign, trade_off_points

__all__ = ["codesign_section", "parallelism_short", "tokens_text"]

RECOMMENDED_MARK = "★"
_LEGEND_ROOM_PX = 90
_INTRO = (
    "For every model family, each candidate system (accelerator × count) was searched over its "
    "parallel configurations (tensor, pipeline, context, data and expert parallelism, ZeRO "
    "stage, micro-batch, interleaving, recomputation); the fastest configuration that fits in "
    "memory prices the family's token budget.\n\n"
    "The recommended system is the one with the fewest accelerators that trains within the "
    "target days (ties: least energy); when none does, the fastest, flagged. The Pareto front "
    "keeps the candidates no other candidate beats on days, accelerators and power at once."
)


def codesign_section(plan: CodesignPlan) -> Section:
    """The report section of a co-design plan."""
    tables = [_recommendations(plan)]
    tables += [_candidates(family) for family in plan.families]
    serving = _serving(plan)
    if serving.rows:
        tables.append(serving)
    figures = [_front(family) for family in plan.families if family.candidates_feasible]
    breakdown = [
        (f"{family.family_id}: {family.recommended.label}", best.breakdown_s)
        for family in plan.families
        if family.recommended is not None and (best := family.recommended.best) is not None
    ]
    if breakdown:
        figures.append(
            Figure(
                "Step time of each recommended configuration",
                _legend_clear_of_toolbar(step_breakdown_chart(breakdown)),
                "One optimizer step split into compute, communication that is not hidden behind "
                "compute, the pipeline bubble and the optimizer update.",
            )
        )
    return Section(
        title="Co-design: training systems",
        intro=_INTRO,
        tables=tables,
        figures=figures,
        notes=_notes(plan),
    )


def parallelism_short(estimate: TrainingEstimate) -> str:
    """A configuration in one short line: `TP2 PP4 CP2 DP128 ZeRO-1 v10`."""
    p = estimate.parallelism
    parts = [f"TP{p['tp']}", f"PP{p['pp']}"]
    if p.get("cp", 1) != 1:
        parts.append(f"CP{p['cp']}")
    parts.append(f"DP{p['dp']}")
    if p.get("ep", 1) != 1:
        parts.append(f"EP{p['ep']}")
    parts.append(f"ZeRO-{p['zero']}")
    parts.append(f"mb{p['micro_batch']}")
    if p.get("interleave", 1) != 1:
        parts.append(f"v{p['interleave']}")
    if p.get("recompute", "none") != "none":
        parts.append(f"{p['recompute']} recompute")
    return " ".join(parts)


def _recommendations(plan: CodesignPlan) -> Table:
    records: list[dict[str, Cell]] = []
    for family in plan.families:
        chosen = family.recommended
        energy_j = chosen.energy_to_train_j if chosen else None
        records.append(
            {
                "family": family.family_id,
                "model": family.architecture,
                "recommended system": chosen.label if chosen else "nothing fits",
                "days to train": chosen.time_to_train_days if chosen else None,
                "target days": family.target_training_days,
                "MW": chosen.power_mw if chosen else None,
                "energy (GWh)": energy_j / 3.6e12 if energy_j else None,
                "meets target": family.meets_target,
            }
        )
    return Table.from_records(records, caption="Recommended training system per family")


def _candidates(family: FamilyCodesign) -> Table:
    rows: list[list[Cell]] = []
    for candidate in family.candidates:
        mark = f"{RECOMMENDED_MARK}\u00a0" if candidate is family.recommended else ""
        best = candidate.best
        if best is None:
            missing: list[Cell] = [None] * 5
            rows.append(
                [
                    mark + _unbroken(candidate.label),
                    candidate.gpus,
                    "does not fit in memory",
                    *missing,
                ]
            )
            continue
        rows.append(
            [
                mark + _unbroken(candidate.label),
                candidate.gpus,
                parallelism_short(best),
                f"{best.mfu:.1%}",
                best.step_time_s,
                candidate.time_to_train_days,
                candidate.power_mw,
                candidate.meets_target,
            ]
        )
    return Table(
        columns=[
            "candidate",
            "GPUs",
            "best parallelism",
            "MFU",
            "step time (s)",
            "days to train",
            "MW",
            "meets target",
        ],
        rows=rows,
        caption=(
            f"{family.family_id} ({family.family_name}, {family.architecture}, "
            f"{family.precision}): {tokens_text(family.token_budget)} tokens in "
            f"{family.target_training_days:g} days — {RECOMMENDED_MARK} recommended"
        ),
    )


def _serving(plan: CodesignPlan) -> Table:
    rows: list[list[Cell]] = []
    for family in plan.families:
        serving = family.serving
        if serving is None:
            continue
        e = serving.estimate
        rows.append(
            [
                _unbroken(family.family_id),
                serving.accelerator,
                f"TP{e.tp}\u00a0×\u00a0{e.batch}" if e else "does not fit",
                e.ttft_s if e else None,
                e.tpot_s if e else None,
                e.tokens_per_s_per_gpu if e else None,
                serving.peak_tokens_per_s,
                serving.gpus,
                serving.racks,
                None if serving.power_kw is None else serving.power_kw / 1e3,
                serving.meets_latency,
            ]
        )
    return Table(
        columns=[
            "family",
            "accelerator",
            "replica",
            "TTFT (s)",
            "TPOT (s)",
            "tok/s per GPU",
            "peak tok/s",
            "GPUs",
            "racks",
            "MW",
            "latency met",
        ],
        rows=rows,
        caption=(
            "Serving fleet at peak load on the recommended accelerator (replica: tensor-parallel "
            "degree × concurrent sequences)"
        ),
    )


def _front(family: FamilyCodesign) -> Figure:
    points = [
        ParetoPoint(
            p.label,
            family.family_id,
            p.accelerator,
            p.gpus,
            p.time_to_train_days,
            p.power_mw,
            p.on_front,
        )
        for p in trade_off_points(family.candidates)
    ]
    return Figure(
        f"{family.family_id}: time to train against accelerators",
        _colorbar_title_aside(
            pareto_chart(points, {family.family_id: family.target_training_days})
        ),
        "Every candidate that fits, coloured by power; large outlined markers are on the Pareto "
        "front of (days, accelerators, power), so a slower candidate of the same size stays on it "
        "when it draws less power; the dotted line is the target.",
    )


def _notes(plan: CodesignPlan) -> list[str]:
    notes: list[str] = []
    for family in plan.families:
        if family.recommended is None:
            notes.append(f"{family.family_id}: no candidate system fits the model in memory.")
        elif not family.meets_target:
            notes.append(
                f"{family.family_id}: no candidate trains within {family.target_training_days:g} "
                f"days; the fastest, {family.recommended.label}, takes "
                f"{family.recommended.time_to_train_days or 0:.1f} days."
            )
        notes += [
            f"{family.family_id} on {c.label}: {c.infeasible_reason}"
            for c in family.candidates
            if c.infeasible_reason
        ]
        serving = family.serving
        if serving is not None and serving.infeasible_reason:
            notes.append(f"{family.family_id} serving: {serving.infeasible_reason}")
        elif serving is not None and not serving.meets_latency:
            notes.append(
                f"{family.family_id} serving: no replica on {serving.accelerator} meets the "
                "latency targets; the table shows the closest."
            )
    notes.append(_profiles_note(plan))
    notes.append(
        "Serving racks count one scale-up domain per rack (8 accelerators for HGX-class "
        "nodes, 72 for NVL72) until the rack stage sizes racks by power and cooling."
    )
    return notes


def _profiles_note(plan: CodesignPlan) -> str:
    """Which efficiency profile priced each accelerator, and whether it was calibrated."""
    used: dict[str, str] = {}
    for family in plan.families:
        for candidate in family.candidates:
            if candidate.estimates:
                used[candidate.accelerator] = str(candidate.estimates[0].system["profile"])
    calibrated = sorted(f"{a} ({p})" for a, p in used.items() if "first-principles" not in p)
    defaults = sorted(a for a, p in used.items() if "first-principles" in p)
    parts = []
    if calibrated:
        parts.append(f"calibrated profiles: {', '.join(calibrated)}")
    if defaults:
        parts.append(
            f"first-principles defaults, not yet calibrated against measurements: "
            f"{', '.join(defaults)} — import nccl-tests, GEMM or training-step feedback with "
            "`rackforge codesign calibrate` to tighten them"
        )
    return "Efficiency profiles — " + "; ".join(parts) + "."


def _colorbar_title_aside(figure: dict[str, Any]) -> dict[str, Any]:
    """Turn the power colour bar's title sideways: read horizontally, it runs into the legend's
    "accelerator" title beside it (seen in a headless-Chromium screenshot of the report)."""
    colorbar = figure.get("layout", {}).get("coloraxis", {}).get("colorbar")
    if isinstance(colorbar, dict):
        colorbar["title"] = {**colorbar.get("title", {}), "side": "right"}
    return figure


def _legend_clear_of_toolbar(figure: dict[str, Any]) -> dict[str, Any]:
    """Room above the bars for a two-row legend, which otherwise sits under plotly's toolbar,
    listed in stacking order (plotly lists stacked bars' legend last trace first)."""
    layout = figure.get("layout", {})
    margin = layout.get("margin")
    if isinstance(margin, dict) and isinstance(layout.get("height"), int | float):
        margin["t"] = _LEGEND_ROOM_PX
        layout["height"] += _LEGEND_ROOM_PX - 30
    if isinstance(layout.get("legend"), dict):
        layout["legend"]["traceorder"] = "normal"  # compute first, as stacked
    return figure


def _unbroken(text: str) -> str:
    """Keep a label on one line in a table cell (no-break spaces and hyphens)."""
    return text.replace(" ", "\u00a0").replace("-", "\u2011")


def tokens_text(count: float) -> str:
    """A token count the way planners write it: 15T, 14.8T, 500B."""
    for suffix, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if count >= scale:
            return f"{count / scale:.3g}{suffix}"
    return f"{count:,.0f}"
