"""Design generations: a rack design versioned MVR → v1 → v2 …, each with why it changed.

A lineage starts from a catalog reference system. Each generation records its own changes
(`rackforge.rack.variant.DesignChanges`), the reason, and what triggered it — benchmark
feedback, a recalibrated performance model, a rule violation, or a part change; the first is
`initial` (the minimal viable rack, MVR). A generation's design is the system with every change
up to and including its own, so a later generation only says what it changes. Designs are named
`<lineage>@<version>` (`nvl72-405b@v1`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rackforge.catalog import Accelerator, RackComponents, ReferenceSystem
from rackforge.errors import InputError
from rackforge.rack.figures import DesignAssumptions, RackDesign
from rackforge.rack.variant import DesignChanges, design_variant, scale_up_domain

Trigger = Literal["initial", "benchmark", "calibration", "rule", "part"]
TRIGGERS: tuple[Trigger, ...] = ("initial", "benchmark", "calibration", "rule", "part")


@dataclass(frozen=True, slots=True)
class Generation:
    """One version of a design as recorded: its own changes, why, and what triggered it."""

    version: str
    trigger: Trigger
    reason: str
    changes: DesignChanges = field(default_factory=DesignChanges)


@dataclass(frozen=True, slots=True)
class GenerationDesign:
    """A generation built: its design, the changes in force, and the scale-up domain size."""

    lineage: str
    version: str
    trigger: Trigger
    reason: str
    own_changes: tuple[str, ...]
    changes: DesignChanges
    design: RackDesign
    scale_up_size: int

    @property
    def name(self) -> str:
        return self.design.name

    @property
    def accelerators(self) -> int:
        """Accelerators in the design: rack-level parts of role accelerator."""
        return sum(p.quantity for p in self.design.parts if p.role == "accelerator")

    @property
    def accelerator(self) -> str:
        return next(p.part for p in self.design.parts if p.role == "accelerator")


def design_name(lineage: str, version: str) -> str:
    return f"{lineage}@{version}"


def build_generations(
    lineage: str,
    system: ReferenceSystem,
    generations: Sequence[Generation],
    components: RackComponents,
    accelerators: Mapping[str, Accelerator],
    *,
    title: str | None = None,
    assumptions: DesignAssumptions | None = None,
) -> list[GenerationDesign]:
    """Every generation of `lineage`, in order, each with the changes made up to it.

    InputError (located at `generations[i]...`) for a repeated version, or a change the system
    cannot take; with no generations the lineage is the catalog system as it stands (`@base`).
    """
    recorded = list(generations) or [Generation("base", "initial", f"catalog {system.name}")]
    seen: dict[str, int] = {}
    built: list[GenerationDesign] = []
    changes = DesignChanges()
    for index, generation in enumerate(recorded):
        where = f"generations[{index}]"
        if generation.version in seen:
            raise InputError(
                f"version {generation.version!r} repeats generations[{seen[generation.version]}]",
                where=f"{where}.version",
                fix="give each generation its own version (mvr, v1, v2, ...)",
            )
        seen[generation.version] = index
        changes = changes.then(generation.changes)
        name = design_name(lineage, generation.version)
        try:
            design = design_variant(
                system,
                changes,
                components,
                accelerators,
                name=name,
                title=f"{title or system.title} {generation.version}",
                assumptions=assumptions,
            )
            domain = scale_up_domain(system, changes, components)
        except InputError as err:
            inner = f"{where}.changes.{err.where}" if err.where else where
            raise type(err)(err.message, where=inner, fix=err.fix) from None
        built.append(
            GenerationDesign(
                lineage=lineage,
                version=generation.version,
                trigger=generation.trigger,
                reason=generation.reason,
                own_changes=generation.changes.described(),
                changes=changes,
                design=design,
                scale_up_size=domain,
            )
        )
    return built
