"""Plan stage 30, racks: size each family's fleet of racks, check them, cost them, trace them.

For every design of the program's racks.yaml (`services.rack_program`) the stage takes the
current generation and:

- sizes the fleet: accelerators from racks.yaml, else the co-design stage's recommendation
  when it is on the design's accelerator, else the family's largest roadmap candidate on it;
  racks = ⌈accelerators / accelerators per rack⌉ and fleet IT power = racks × rack IT power;
- checks the rack against its rule sets (its own, else its facility's) and the facility's
  power envelope (program.yaml `max_power_mw`) against the fleets sited there;
- rolls up its bill of materials per level;
- predicts every generation's training performance for the family at that fleet
  (`rack_program.predict`), so the history shows what each change bought.

A program without racks.yaml gets a section that says so; families without a rack design are
listed. Figures that are lower bounds (parts lack published figures) stay marked as such.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rackforge.catalog import rack_components, rule_set
from rackforge.codesign.profiles import ProfileBook
from rackforge.formats.program import RACKS_FILE
from rackforge.rack import RuleCheck, build_bom, check_design, draw_front_and_rear
from rackforge.rack.bom import BomRollUp, roll_up
from rackforge.rack.figures import RackDesign
from rackforge.report.model import Cell, Drawing, Section, Table
from rackforge.services.codesign_plan import CodesignPlan
from rackforge.services.pipeline import PlanContext, StageResult
from rackforge.services.rack_program import (
    Lineage,
    Prediction,
    fleet_accelerators,
    predict,
    program_lineages,
)

__all__ = ["FacilityLoad", "RackFleet", "RackPlanResult", "RackStage", "rack_section"]

# Told (generations predicted, generations in all), for a progress bar.
GenerationProgress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class GenerationRecord:
    """One generation in the history: why it was made, its rack power, its predicted run."""

    design: str
    version: str
    trigger: str
    reason: str
    changes: tuple[str, ...]
    it_power_kw: float
    power_complete: bool
    prediction: Prediction


@dataclass(frozen=True, slots=True)
class RackFleet:
    """One design's fleet for one family at one facility, on its current generation."""

    lineage: str
    design: str
    family: str
    facility: str
    accelerator: str
    accelerators_per_rack: int
    fleet_accelerators: int | None
    fleet_source: str
    racks: int | None
    fleet_it_power_mw: float | None
    power_complete: bool
    rack: RackDesign
    checks: tuple[RuleCheck, ...]
    bom: BomRollUp
    history: tuple[GenerationRecord, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


@dataclass(frozen=True, slots=True)
class FacilityLoad:
    """The fleets sited at a facility against its power envelope."""

    facility: str
    max_power_mw: float | None
    planned_mw: float
    complete: bool
    fleets: tuple[str, ...]

    @property
    def within(self) -> bool | None:
        """Whether the planned IT power fits; None when the site publishes no limit."""
        return None if self.max_power_mw is None else self.planned_mw <= self.max_power_mw


@dataclass(frozen=True, slots=True)
class RackPlanResult:
    """The rack stage's result: fleets, facility loads, families without a design."""

    fleets: tuple[RackFleet, ...]
    facilities: tuple[FacilityLoad, ...]
    families_without_design: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def summary(self) -> str:
        if not self.fleets:
            return f"no rack designs ({RACKS_FILE} absent)"
        racks = sum(f.racks or 0 for f in self.fleets)
        failing = sum(1 for f in self.fleets if not f.passed)
        return f"{len(self.fleets)} rack designs, {racks:,} racks; {failing} break a rule" + (
            f"; {len(self.families_without_design)} families without a design"
            if self.families_without_design
            else ""
        )


class RackStage:
    """Plan stage 30: rack designs, fleets, rule checks, BOM roll-ups, generation history."""

    def __init__(self, book: ProfileBook, on_generation: GenerationProgress | None = None) -> None:
        self._book = book
        self._on_generation = on_generation

    @property
    def order(self) -> int:
        return 30

    @property
    def name(self) -> str:
        return "racks"

    def run(self, context: PlanContext) -> StageResult:
        program = context.program
        families = [f.id for f in program.roadmap.families]
        if program.racks is None:
            result = RackPlanResult(
                (),
                (),
                tuple(families),
                (
                    f"no {RACKS_FILE} in {program.directory}: add one to design racks for "
                    "each family (examples/frontier-2027/racks.yaml; docs/formats.md)",
                ),
            )
            return StageResult(result, rack_section(result), result.summary)
        try:
            codesign: CodesignPlan | None = context.value_of("codesign", CodesignPlan)
        except LookupError:
            codesign = None
        lineages = program_lineages(program)
        total = sum(len(x.generations) for x in lineages)
        done = 0
        fleets = []
        for lineage in lineages:
            fleets.append(self._fleet(lineage, codesign))
            done += len(lineage.generations)
            if self._on_generation:
                self._on_generation(done, total)
        designed = {x.line.family for x in lineages}
        loads = tuple(
            _facility_load(f.id, f.max_power_mw, [x for x in fleets if x.facility == f.id])
            for f in program.program.facilities
            if any(x.facility == f.id for x in fleets)
        )
        result = RackPlanResult(
            tuple(fleets), loads, tuple(f for f in families if f not in designed), ()
        )
        return StageResult(result, rack_section(result), result.summary)

    def _fleet(self, lineage: Lineage, codesign: CodesignPlan | None) -> RackFleet:
        current = lineage.current
        family_plan = (
            None
            if codesign is None
            else next((f for f in codesign.families if f.family_id == lineage.family.id), None)
        )
        recommended = None if family_plan is None else family_plan.recommended
        sized = fleet_accelerators(lineage, recommended)
        fleet = sized.accelerators
        predictions = predict(lineage, lineage.generations, self._book, fleet)
        per_rack = current.accelerators
        racks = None if fleet is None else -(-fleet // per_rack)
        design = current.design
        components = rack_components()
        checks = tuple(
            check_design(design, rule_set(name), components) for name in lineage.rule_sets
        )
        history = tuple(
            GenerationRecord(
                design=g.name,
                version=g.version,
                trigger=g.trigger,
                reason=g.reason,
                changes=g.own_changes,
                it_power_kw=g.design.it_power_kw,
                power_complete=g.design.power_complete,
                prediction=p,
            )
            for g, p in zip(lineage.generations, predictions, strict=True)
        )
        return RackFleet(
            lineage=lineage.line.id,
            design=current.name,
            family=lineage.family.id,
            facility=lineage.line.facility,
            accelerator=current.accelerator,
            accelerators_per_rack=per_rack,
            fleet_accelerators=fleet,
            fleet_source=sized.source,
            racks=racks,
            fleet_it_power_mw=None if racks is None else racks * design.it_power_kw / 1e3,
            power_complete=design.power_complete,
            rack=design,
            checks=checks,
            bom=roll_up(build_bom(design)),
            history=history,
        )


def _facility_load(
    facility: str, max_power_mw: float | None, fleets: Sequence[RackFleet]
) -> FacilityLoad:
    return FacilityLoad(
        facility=facility,
        max_power_mw=max_power_mw,
        planned_mw=sum(f.fleet_it_power_mw or 0.0 for f in fleets),
        complete=all(f.power_complete and f.racks is not None for f in fleets),
        fleets=tuple(f.design for f in fleets),
    )


def rack_section(result: RackPlanResult) -> Section:
    """The report's rack section: fleets, per-rack figures, rule checks, BOM, history, drawings."""
    intro = (
        "Each family's racks, built from catalog parts (rackforge rack design). A figure marked "
        "≥ is a lower bound: some parts publish no figure, and it is never read as zero. "
        "Predicted training performance is the co-design engine's best configuration for the "
        "family at the fleet size, on each generation's scale-up domain."
    )
    if not result.fleets:
        return Section("Racks", intro=intro, notes=result.notes)
    tables = [
        _fleets_table(result),
        _figures_table(result),
        _checks_table(result),
        _bom_table(result),
        _history_table(result),
    ]
    if result.facilities:
        tables.insert(1, _facilities_table(result))
    drawings = [
        Drawing(
            title=f"{f.design}: front and rear",
            svg=draw_front_and_rear(f.rack),
            caption=f"{f.rack.title} in {f.rack.frame} ({f.rack.ru_used} of "
            f"{f.rack.frame_units} units)",
        )
        for f in result.fleets
    ]
    notes = list(result.notes)
    if result.families_without_design:
        notes.append(
            "families without a rack design in racks.yaml: "
            + ", ".join(result.families_without_design)
        )
    notes += [
        f"{f.design}: {figure} lacks figures for {', '.join(parts)}"
        for f in result.fleets
        for figure, parts in f.rack.missing.items()
        if figure != "cost"
    ]
    if any(not f.rack.cost_complete for f in result.fleets):
        notes.append(
            "costs: the catalog carries no sourced unit cost for most parts, so BOM costs are "
            "blank rather than guessed"
        )
    return Section("Racks", intro=intro, tables=tables, drawings=drawings, notes=notes)


def _bound(value: float | None, complete: bool, digits: int = 1) -> Cell:
    if value is None:
        return None
    text = f"{value:,.{digits}f}"
    return text if complete else f"≥ {text}"


def _fleets_table(result: RackPlanResult) -> Table:
    rows = [
        {
            "family": f.family,
            "design": f.design,
            "facility": f.facility,
            "accelerator": f.accelerator,
            "per rack": f.accelerators_per_rack,
            "fleet accelerators": f.fleet_accelerators,
            "sized from": f.fleet_source,
            "racks": f.racks,
            "fleet IT MW": _bound(f.fleet_it_power_mw, f.power_complete, 2),
            "rules": "pass" if f.passed else "VIOLATED",
        }
        for f in result.fleets
    ]
    return Table.from_records(rows, caption="Fleets: racks per family, current generation")


def _facilities_table(result: RackPlanResult) -> Table:
    rows = [
        {
            "facility": load.facility,
            "max IT MW": load.max_power_mw,
            "planned IT MW": _bound(load.planned_mw, load.complete, 2),
            "fits": "n/a" if load.within is None else "yes" if load.within else "NO",
            "fleets": ", ".join(load.fleets),
        }
        for load in result.facilities
    ]
    return Table.from_records(rows, caption="Facility power: planned fleets against the envelope")


def _figures_table(result: RackPlanResult) -> Table:
    rows = []
    for f in result.fleets:
        d, ok = f.rack, f.rack.power_complete
        rows.append(
            {
                "design": d.name,
                "IT max kW": _bound(d.it_power_kw, ok),
                "typical kW": _bound(d.typical_power_kw, ok),
                "input kW": _bound(d.input_power_kw, ok),
                "shelves": _bound(float(d.power_shelves), ok, 0),
                "PSUs": _bound(float(d.psus), ok, 0),
                "busbar A": _bound(d.busbar_current_a, ok, 0),
                "liquid kW": _bound(d.liquid_heat_kw, ok),
                "coolant L/min": _bound(d.coolant_flow_l_min, ok),
                "air kW": _bound(d.air_heat_kw, ok),
                "airflow CFM": _bound(d.airflow_cfm, ok, 0),
                "BBU shelves": _bound(float(d.bbu_shelves), ok, 0),
                "CDUs": _bound(float(d.cdus), ok, 0),
                "fabric ports": _bound(float(d.scale_out_ports), d.nics_complete, 0),
                "units": _bound(float(d.ru_used), d.ru_complete, 0),
                "weight kg": _bound(d.weight_kg, d.weight_complete),
            }
        )
    return Table.from_records(rows, caption="Power and cooling per rack (≥: lower bound)")


def _checks_table(result: RackPlanResult) -> Table:
    columns = ("design", "rule set", "rule", "figure", "limit", "verdict", "fix / source")
    rows: list[tuple[Cell, ...]] = []
    for f in result.fleets:
        for c in f.checks:
            if not c.violations:
                verdict = "pass" + (" (lower bound)" if c.notes else "")
                unchecked = "; ".join(c.unchecked) or None
                rows.append((f.design, c.rules, "all", None, None, verdict, unchecked))
            rows += [
                (
                    f.design,
                    c.rules,
                    v.rule_id,
                    f"{v.value:,.1f} {v.unit}",
                    f"{v.limit:,.1f} {v.unit}",
                    "VIOLATED",
                    f"{v.fix} (source: {v.source})",
                )
                for v in c.violations
            ]
    if not rows:
        rows.append((None, None, None, None, None, "no rule sets named", "add facility rules"))
    return Table(columns, rows, caption="Design-rule check of each current generation")


def _bom_table(result: RackPlanResult) -> Table:
    rows = [
        {
            "design": f.design,
            "level": level.level,
            "lines": level.lines,
            "pieces": level.quantity,
            "cost USD": level.cost_usd,
        }
        for f in result.fleets
        for level in f.bom.levels
    ]
    return Table.from_records(rows, caption="Bill of materials roll-up per level (per rack)")


def _history_table(result: RackPlanResult) -> Table:
    rows = [
        {
            "design": g.design,
            "trigger": g.trigger,
            "reason": g.reason,
            "changes": "; ".join(g.changes) or "—",
            "IT max kW": _bound(g.it_power_kw, g.power_complete),
            "racks": g.prediction.racks,
            "scale-up": g.prediction.scale_up_size,
            "days to train": g.prediction.time_to_train_days,
            "MFU": g.prediction.mfu,
            "note": g.prediction.reason
            or (g.prediction.outcome.infeasible_reason if g.prediction.outcome else None),
        }
        for f in result.fleets
        for g in f.history
    ]
    return Table.from_records(
        rows, caption="Generation history: each change, why, and the predicted training run"
    )
