"""scenarios.yaml: a program's library of disruption classes (docs/formats.md, "Disruption
scenarios"). Errors name the file and key (`scenarios.yaml:scenarios[1].annual_probability`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pydantic
from pydantic import Field

from rackforge.formats.validation import input_error_from_pydantic
from rackforge.formats.yaml_file import load_yaml_mapping
from rackforge.roadmap import ID_PATTERN, Record, reject_duplicates
from rackforge.supply.disruption import ScenarioClass

SCENARIOS_FILE = "scenarios.yaml"


class ScenarioRecord(Record):
    """One disruption class as written."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = ""
    kind: Literal["region", "site", "owner", "material"]
    annual_probability: float = Field(ge=0, le=1, description="chance it strikes in a year")
    regions: list[str] = Field(default_factory=list, description="region codes (US-TX, TW)")
    owners: list[str] = Field(default_factory=list, description="supplier ids")
    materials: list[str] = Field(default_factory=list, description="part numbers")
    duration_factor: tuple[float, float, float] = Field(
        default=(1.0, 1.0, 1.0), description="[low, mode, high] times the node's TTR"
    )
    capacity_loss: float = Field(default=1.0, gt=0, le=1)
    source: str = Field(min_length=1, description="why this chance and this duration")

    def to_class(self) -> ScenarioClass:
        return ScenarioClass(
            id=self.id,
            kind=self.kind,
            annual_probability=self.annual_probability,
            regions=tuple(self.regions),
            owners=tuple(self.owners),
            materials=tuple(self.materials),
            duration_factor=self.duration_factor,
            capacity_loss=self.capacity_loss,
            title=self.title,
        )


class ScenarioLibrary(Record):
    scenarios: list[ScenarioRecord] = Field(min_length=1)

    @pydantic.field_validator("scenarios")
    @classmethod
    def _unique(cls, scenarios: list[ScenarioRecord]) -> list[ScenarioRecord]:
        reject_duplicates([s.id for s in scenarios], what="scenario id")
        return scenarios


def load_scenarios(path: Path) -> tuple[ScenarioClass, ...]:
    """The classes in `path`; InputError naming the file and key when malformed."""
    data = load_yaml_mapping(path)
    try:
        library = ScenarioLibrary.model_validate(data)
    except pydantic.ValidationError as err:
        raise input_error_from_pydantic(err, str(path), ScenarioLibrary) from None
    return tuple(s.to_class() for s in library.scenarios)
