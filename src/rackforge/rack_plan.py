"""The racks a program builds (`racks.yaml`): per design, its family, site and generations.

Pure typed records (no I/O); `formats/program.py` reads them. Catalog names (the reference
system, trays, frames, shelves, rule sets) stay strings here and are resolved by the rack
service, whose errors name the key. See docs/formats.md, "racks.yaml".
"""

from __future__ import annotations

from pydantic import Field, PositiveInt, field_validator

from rackforge.errors import InputError
from rackforge.rack.generations import TRIGGERS, Generation, Trigger
from rackforge.rack.power import Redundancy
from rackforge.rack.variant import DesignChanges
from rackforge.roadmap import ID_PATTERN, Program, Record, Roadmap, reject_duplicates


class RackChanges(Record):
    """What a generation changes from the one before (or from the catalog system)."""

    compute_trays: PositiveInt | None = Field(default=None, description="trays in the rack")
    compute_tray: str | None = Field(default=None, description="catalog compute tray")
    switch_trays: int | None = Field(default=None, ge=0, description="scale-up switch trays")
    servers_per_rack: PositiveInt | None = Field(
        default=None, description="servers of a server system per frame"
    )
    frame: str | None = Field(default=None, description="catalog frame")
    power_shelf: str | None = Field(default=None, description="catalog power shelf")
    redundancy: Redundancy | None = Field(default=None, description="N, N+1 or N+N shelves")
    power_shelves: PositiveInt | None = Field(default=None, description="a fixed shelf count")
    battery_backup: bool | None = Field(default=None, description="battery backup shelves")
    cdu: str | None = Field(default=None, description="catalog in-rack CDU")

    def to_changes(self) -> DesignChanges:
        return DesignChanges(**self.model_dump())


class RackGeneration(Record):
    """One version of a design and why it was made."""

    version: str = Field(pattern=ID_PATTERN, description="mvr, v1, v2, ...")
    trigger: Trigger = Field(description=f"one of {', '.join(TRIGGERS)}")
    reason: str = Field(min_length=1, description="why this generation exists")
    changes: RackChanges = Field(default_factory=RackChanges)

    def to_generation(self) -> Generation:
        return Generation(self.version, self.trigger, self.reason, self.changes.to_changes())


class RackLine(Record):
    """A rack design the program builds for one family, at one facility."""

    id: str = Field(pattern=ID_PATTERN, description="short key, e.g. nvl72-405b")
    family: str = Field(description="roadmap family id it serves")
    system: str = Field(min_length=1, description="catalog reference system it starts from")
    facility: str = Field(description="program facility id it is sited in")
    rules: list[str] | None = Field(
        default=None, description="rule sets to check; default: the facility's rules"
    )
    fleet_accelerators: PositiveInt | None = Field(
        default=None,
        description="accelerators the fleet needs; default: the co-design recommendation",
    )
    generations: list[RackGeneration] = Field(default_factory=list)

    @field_validator("generations")
    @classmethod
    def _unique_versions(cls, generations: list[RackGeneration]) -> list[RackGeneration]:
        reject_duplicates([g.version for g in generations], what="version")
        return generations


class RackPlan(Record):
    """Every rack design of a program."""

    racks: list[RackLine] = Field(min_length=1)

    @field_validator("racks")
    @classmethod
    def _unique_ids(cls, racks: list[RackLine]) -> list[RackLine]:
        reject_duplicates([r.id for r in racks], what="rack id")
        return racks

    def rack(self, rack_id: str) -> RackLine | None:
        return next((r for r in self.racks if r.id == rack_id), None)

    def check_against(self, program: Program, roadmap: Roadmap) -> None:
        """InputError (at `racks[i].family` / `.facility`) for an id the program lacks."""
        families = [f.id for f in roadmap.families]
        facilities = [f.id for f in program.facilities]
        for index, line in enumerate(self.racks):
            if line.family not in families:
                raise InputError(
                    f"rack '{line.id}' serves family '{line.family}', not in roadmap.yaml",
                    where=f"racks[{index}].family",
                    fix=f"use one of {', '.join(families)}",
                )
            if line.facility not in facilities:
                raise InputError(
                    f"rack '{line.id}' is sited at '{line.facility}', not a program facility",
                    where=f"racks[{index}].facility",
                    fix=f"use one of {', '.join(facilities) or '(none: add facilities)'}"
                    " from program.yaml",
                )
