"""A program's rack designs (`racks.yaml`): their generations, rule sets, fleets and predicted
performance.

`program_lineages` builds every generation of every rack line of a program directory; rule sets
come from the line (`rules`) or else its facility (`program.yaml` facilities[].rules). A
generation's predicted performance is the co-design engine's best training configuration for
the line's family on the generation's accelerator, at the fleet the line needs rounded up to
whole racks, with the scale-up (NVLink) domain the generation's trays and switches form
(`rack.variant.scale_up_domain`): fewer trays in a minimal viable rack is a smaller domain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rackforge.catalog import (
    accelerators,
    find_accelerator,
    rack_components,
    reference_system,
    rule_set,
)
from rackforge.codesign.profiles import ProfileBook
from rackforge.codesign.scenario import scenario_from_mapping
from rackforge.errors import InputError, UnknownNameError
from rackforge.formats.program import RACKS_FILE, ProgramInput, load_program
from rackforge.rack.diff import FigureChange, figure_change
from rackforge.rack.generations import GenerationDesign, build_generations
from rackforge.rack_plan import RackLine
from rackforge.roadmap import ModelFamily
from rackforge.services.codesign_plan import CandidateOutcome
from rackforge.services.codesign_stage import (
    CandidateJob,
    family_scenario,
    network_overrides,
    run_candidate,
)

__all__ = [
    "Fleet",
    "Lineage",
    "Prediction",
    "fleet_accelerators",
    "generation_note",
    "load_lineages",
    "performance_changes",
    "predict",
    "program_lineages",
]


@dataclass(frozen=True, slots=True)
class Lineage:
    """One rack line of a program: its generations built, its rule sets, its family."""

    line: RackLine
    family: ModelFamily
    rule_sets: tuple[str, ...]
    generations: tuple[GenerationDesign, ...]

    @property
    def current(self) -> GenerationDesign:
        """The latest generation: what is built now."""
        return self.generations[-1]

    def generation(self, version: str) -> GenerationDesign | None:
        return next((g for g in self.generations if g.version == version), None)


@dataclass(frozen=True, slots=True)
class Prediction:
    """A generation's predicted training performance for its family at a fleet size.

    `outcome` is None with `reason` when it could not be predicted (the fleet is unknown);
    an outcome that does not fit in memory carries its own `infeasible_reason`.
    """

    design: str
    family: str
    racks: int | None
    accelerators: int | None
    scale_up_size: int
    outcome: CandidateOutcome | None
    reason: str | None = None

    @property
    def time_to_train_days(self) -> float | None:
        return None if self.outcome is None else self.outcome.time_to_train_days

    @property
    def tokens_per_s_per_accelerator(self) -> float | None:
        best = None if self.outcome is None else self.outcome.best
        if best is None or not self.accelerators:
            return None
        return best.tokens_per_s / self.accelerators

    @property
    def mfu(self) -> float | None:
        best = None if self.outcome is None else self.outcome.best
        return None if best is None else best.mfu


def load_lineages(directory: Path) -> tuple[ProgramInput, list[Lineage]]:
    """The program in `directory` and its rack lines; InputError when it has no racks.yaml."""
    program = load_program(directory)
    return program, program_lineages(program)


def program_lineages(program: ProgramInput) -> list[Lineage]:
    """Every rack line of the program with its generations built, in racks.yaml order."""
    if program.racks is None:
        raise InputError(
            f"no {RACKS_FILE}: the program names no rack designs",
            where=str(program.directory / RACKS_FILE),
            fix=f"add {RACKS_FILE} (examples/frontier-2027 has one; see docs/formats.md), or "
            "name a catalog system with --system",
        )
    where = program.directory / RACKS_FILE
    components, accelerator_table = rack_components(), accelerators()
    lineages = []
    for index, line in enumerate(program.racks.racks):
        at = f"racks[{index}]"
        try:
            system = reference_system(line.system)
        except UnknownNameError as err:
            raise err.located(f"{where}:{at}.system") from None
        facility = program.program.facility(line.facility)
        named = line.rules if line.rules is not None else facility.rules if facility else []
        rule_sets = tuple(named)
        for name in rule_sets:
            try:
                rule_set(name)
            except UnknownNameError as err:
                raise err.located(f"{where}:{at}.rules") from None
        try:
            generations = build_generations(
                line.id,
                system,
                [g.to_generation() for g in line.generations],
                components,
                accelerator_table,
            )
        except InputError as err:
            raise type(err)(err.message, where=f"{where}:{at}.{err.where}", fix=err.fix) from None
        family = program.roadmap.family(line.family)
        assert family is not None  # RackPlan.check_against ran on load
        lineages.append(Lineage(line, family, rule_sets, tuple(generations)))
    return lineages


@dataclass(frozen=True, slots=True)
class Fleet:
    """Accelerators a line's fleet needs (None: unknown) and where the figure comes from."""

    accelerators: int | None
    source: str


def fleet_accelerators(lineage: Lineage, recommended: CandidateOutcome | None = None) -> Fleet:
    """Accelerators the line's fleet needs: racks.yaml's figure, else the co-design pick.

    The co-design pick counts only when it is on the line's accelerator; else the family's
    largest candidate count of that accelerator in roadmap.yaml; else unknown (None).
    """
    if lineage.line.fleet_accelerators is not None:
        return Fleet(lineage.line.fleet_accelerators, RACKS_FILE)
    accelerator = lineage.current.accelerator
    if recommended is not None and _same_accelerator(recommended.accelerator, accelerator):
        return Fleet(recommended.gpus, "co-design recommendation")
    counts = [
        count
        for candidate in lineage.family.candidate_systems
        if _same_accelerator(candidate.accelerator, accelerator)
        for count in candidate.counts
    ]
    return Fleet(max(counts), "largest roadmap candidate") if counts else Fleet(None, "unknown")


def predict(
    lineage: Lineage,
    generations: Sequence[GenerationDesign],
    book: ProfileBook,
    fleet: int | None,
) -> list[Prediction]:
    """Each generation's predicted training performance for the line's family at `fleet`."""
    return [_predict_one(lineage, g, book, fleet) for g in generations]


def _predict_one(
    lineage: Lineage, generation: GenerationDesign, book: ProfileBook, fleet: int | None
) -> Prediction:
    family = lineage.family
    per_rack = generation.accelerators
    common: dict[str, Any] = {
        "design": generation.name,
        "family": family.id,
        "scale_up_size": generation.scale_up_size,
    }
    if fleet is None or per_rack == 0:
        return Prediction(
            **common,
            racks=None,
            accelerators=None,
            outcome=None,
            reason=f"fleet size unknown: set fleet_accelerators in {RACKS_FILE}, or add "
            f"{generation.accelerator} to family '{family.id}' candidate_systems",
        )
    racks = math.ceil(fleet / per_rack)
    count = racks * per_rack
    mapping = family_scenario(family, generation.accelerator, count)
    label = f"{generation.name} × {racks}"
    scenario = scenario_from_mapping(mapping, book=book, name=label)
    scale_out = next(  # the roadmap's scale-out bandwidth for this accelerator, if any
        (
            c.scale_out_gb_s
            for c in family.candidate_systems
            if c.scale_out_gb_s and _same_accelerator(c.accelerator, generation.accelerator)
        ),
        None,
    )
    mapping["system"] |= network_overrides(scenario, generation.scale_up_size, scale_out)
    scenario = scenario_from_mapping(mapping, book=book, name=label)
    outcome = run_candidate(
        CandidateJob(
            label=label,
            accelerator=generation.accelerator,
            scenario=scenario,
            token_budget=family.token_budget,
            target_training_days=family.target_training_days,
            top=1,
        )
    )
    return Prediction(**common, racks=racks, accelerators=count, outcome=outcome)


def _same_accelerator(a: str, b: str) -> bool:
    """Whether two accelerator names (catalog names or aliases) are one catalog entry."""
    first, second = find_accelerator(a), find_accelerator(b)
    return first is not None and first is second


def performance_changes(a: Prediction | None, b: Prediction | None) -> list[FigureChange]:
    """The predicted-performance rows of a diff: fleet, days to train, throughput, MFU."""

    def of(p: Prediction | None, figure: str) -> float | None:
        value = None if p is None else getattr(p, figure)
        return None if value is None else float(value)

    return [
        figure_change(f"predicted {label}", unit, of(a, figure), of(b, figure))
        for label, unit, figure in _PERFORMANCE
    ]


_PERFORMANCE = (
    ("fleet racks", "count", "racks"),
    ("fleet accelerators", "count", "accelerators"),
    ("scale-up domain", "count", "scale_up_size"),
    ("days to train", "days", "time_to_train_days"),
    ("tokens/s per accelerator", "tok/s", "tokens_per_s_per_accelerator"),
    ("MFU", "fraction", "mfu"),
)


def generation_note(generation: GenerationDesign) -> str:
    """`v1 (benchmark): reason — changes` for a diff or a history table."""
    changes = "; ".join(generation.own_changes) or "no part change"
    return f"{generation.name} ({generation.trigger}): {generation.reason} [{changes}]"
