"""The plan report's first section: the program, its roadmap and what each stage concluded."""

from __future__ import annotations

from rackforge.formats.program import ProgramInput
from rackforge.report.model import Cell, Section, Table
from rackforge.services.codesign_section import tokens_text
from rackforge.services.pipeline import PlanOutcome

__all__ = ["summary_section"]


def summary_section(program: ProgramInput, outcome: PlanOutcome) -> Section:
    """Summary: who plans what over which horizon, the roadmap, and each stage's one line."""
    p = program.program
    intro = [p.description.strip()] if p.description.strip() else []
    who = [
        f"{role}: {org.name}" + (f" ({org.headquarters})" if org.headquarters else "")
        for role, org in (("Lab", p.lab), ("Manufacturer", p.manufacturer))
        if org is not None
    ]
    intro.append(
        "; ".join([*who, f"horizon {p.horizon_start} to {p.horizon_end}"])
        + f". {len(program.roadmap.families)} model families; the stages below ran in "
        f"{outcome.elapsed_s:.1f} s."
    )
    tables = [_stages(outcome), _roadmap(program)]
    if p.facilities:
        tables.append(_facilities(program))
    return Section(title="Summary", intro="\n\n".join(intro), tables=tables)


def _stages(outcome: PlanOutcome) -> Table:
    return Table(
        columns=["stage", "finding", "time (s)"],
        rows=[
            [f"{s.order}\u00a0{s.name}", s.result.summary or "—", s.elapsed_s]
            for s in outcome.stages
        ],
        caption="What each plan stage concluded",
    )


def _roadmap(program: ProgramInput) -> Table:
    records: list[dict[str, Cell]] = [
        {
            "family": family.id,
            "name": family.name,
            "model": family.architecture_name,
            "precision": family.precision,
            "tokens": tokens_text(family.token_budget),
            "target days": family.target_training_days,
            "release": family.release_date.isoformat(),
            "serving demand": "yes" if family.serving else "no",
        }
        for family in program.roadmap.families
    ]
    return Table.from_records(records, caption="Roadmap")


def _facilities(program: ProgramInput) -> Table:
    return Table(
        columns=["facility", "name", "location", "max IT power (MW)", "available from"],
        rows=[
            [
                f.id,
                f.name,
                f.location,
                f.max_power_mw,
                f.available_from.isoformat() if f.available_from else None,
            ]
            for f in program.program.facilities
        ],
        caption="Facilities",
    )
