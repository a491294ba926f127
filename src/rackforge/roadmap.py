"""The program a lab plans: its horizon, facility limits and the model families it will train.

Pure typed records (no I/O): `formats/program.py` reads them from `program.yaml` and
`roadmap.yaml`. Catalog names (accelerators, model architectures) stay strings here; the
co-design stage resolves them, so a roadmap can be checked without the catalog.
Units are in the field names (`_s`, `_mw`, `_gb_s`, `_days`); token counts are plain tokens.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveFloat,
    PositiveInt,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError

from rackforge.catalog.schema import ModelArchitecture, Precision
from rackforge.errors import InputError

# Planners write budgets the way papers do ("15T tokens"); SI prefixes as in the Llama 3 and
# DeepSeek-V3 reports.
_TOKEN_SUFFIXES = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12, "p": 1e15}
_TOKEN_COUNT = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([kKmMbBtTpP]?)\s*$")
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


def parse_token_count(value: object) -> object:
    """A token count from a number or a string such as "15T", "14.8T" or "1.5e13"."""
    if not isinstance(value, str):
        return value
    match = _TOKEN_COUNT.match(value)
    if match is None:
        # Leave it to pydantic, whose message names the expected type.
        return value
    number, suffix = match.groups()
    return float(number) * _TOKEN_SUFFIXES.get(suffix.lower(), 1.0)


TokenCount = Annotated[PositiveFloat, BeforeValidator(parse_token_count)]


def _catalog_name_or_inline(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    """A catalog model name as is, or an inline architecture validated on its own.

    Validating the mapping directly (rather than through a str | ModelArchitecture union)
    keeps error locations plain: `architecture.layers`, not one error per union branch.
    """
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, dict | ModelArchitecture):
        return ModelArchitecture.model_validate(value)
    raise PydanticCustomError(
        "architecture_kind",
        "must be a catalog model name (e.g. llama3-70b) or an inline architecture mapping "
        "(layers, hidden, heads, vocab, seq_len, ...)",
    )


ArchitectureRef = Annotated[str | ModelArchitecture, WrapValidator(_catalog_name_or_inline)]


class Record(BaseModel):
    """Base for immutable, strictly keyed program records (an unknown key is an error)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Organization(Record):
    """A company taking part in the program (the lab, its contract manufacturer)."""

    name: str = Field(min_length=1, description="legal or trading name")
    headquarters: str | None = Field(default=None, description="city, state")
    locations: list[str] = Field(
        default_factory=list, description="cities where it operates; capacities go to sites.yaml"
    )
    fictional: bool = Field(default=False, description="true for the synthetic example companies")


class Facility(Record):
    """A data-center campus that will host the lab's clusters, with its power envelope."""

    id: str = Field(pattern=ID_PATTERN, description="short key, e.g. abilene")
    name: str = Field(min_length=1)
    location: str | None = Field(default=None, description="city, state")
    max_power_mw: PositiveFloat | None = Field(
        default=None, description="IT power the site can deliver, MW; none means unlimited"
    )
    available_from: date | None = Field(default=None, description="first day it can host racks")
    rules: list[str] = Field(
        default_factory=list,
        description="rule sets (rack_rules.yaml names) its data halls impose on every rack",
    )


class Program(Record):
    """The plan's frame: who, over which horizon, within which facility limits."""

    name: str = Field(min_length=1)
    description: str = ""
    lab: Organization | None = Field(default=None, description="the AI lab owning the roadmap")
    manufacturer: Organization | None = Field(
        default=None, description="the contract manufacturer building the racks"
    )
    horizon_start: date = Field(description="first day of the planning horizon")
    horizon_end: date = Field(description="last day of the planning horizon")
    facilities: list[Facility] = Field(default_factory=list)

    @field_validator("horizon_end")
    @classmethod
    def _horizon_is_ordered(cls, horizon_end: date, info: ValidationInfo) -> date:
        # Checked on the field (not the model) so the error points at horizon_end.
        start = info.data.get("horizon_start")
        if isinstance(start, date) and horizon_end <= start:
            raise ValueError(f"horizon_end must be after horizon_start ({start})")
        return horizon_end

    @field_validator("facilities")
    @classmethod
    def _unique_facility_ids(cls, facilities: list[Facility]) -> list[Facility]:
        reject_duplicates([f.id for f in facilities], what="facility id")
        return facilities

    def facility(self, facility_id: str) -> Facility | None:
        """The facility with this id, or None."""
        return next((f for f in self.facilities if f.id == facility_id), None)


class CandidateSystem(Record):
    """An accelerator the family may train on, at the cluster sizes worth evaluating."""

    accelerator: str = Field(min_length=1, description="catalog accelerator name, e.g. H100")
    counts: list[PositiveInt] = Field(
        min_length=1, description="cluster sizes (accelerators) to evaluate"
    )
    scale_up_size: PositiveInt | None = Field(
        default=None, description="accelerators per scale-up domain; default from the catalog"
    )
    scale_out_gb_s: PositiveFloat | None = Field(
        default=None, description="scale-out GB/s per accelerator per direction; default catalog"
    )

    @field_validator("counts")
    @classmethod
    def _unique_counts(cls, counts: list[int]) -> list[int]:
        reject_duplicates([str(c) for c in counts], what="count")
        return sorted(counts)


class ServingDemand(Record):
    """The inference load the family must carry once released, and its latency targets."""

    peak_tokens_per_s: PositiveFloat = Field(description="generated tokens/s across the fleet")
    prompt_tokens: PositiveInt = Field(description="typical prompt length, tokens")
    output_tokens: PositiveInt = Field(description="typical response length, tokens")
    tpot_target_s: PositiveFloat = Field(description="time per output token target, s")
    ttft_target_s: PositiveFloat = Field(description="time to first token target, s")


class ModelFamily(Record):
    """One model the lab will train: its shape, data, deadline and where it may run."""

    id: str = Field(pattern=ID_PATTERN, description="short key used in reports, e.g. dense-70b")
    name: str = Field(min_length=1)
    architecture: ArchitectureRef = Field(
        description="catalog model name (e.g. llama3-70b) or an inline architecture"
    )
    token_budget: TokenCount = Field(description="training tokens; accepts 15e12 or '15T'")
    target_training_days: PositiveFloat = Field(description="wall-clock days allowed to train")
    release_date: date = Field(description="day the trained model must be ready")
    precision: Precision = "bf16"
    global_batch: PositiveInt | None = Field(
        default=None, description="sequences per optimizer step; default from the architecture"
    )
    candidate_systems: list[CandidateSystem] = Field(min_length=1)
    serving: ServingDemand | None = None
    description: str = ""

    @property
    def architecture_name(self) -> str:
        """The catalog name, or the inline architecture's own name."""
        return self.architecture if isinstance(self.architecture, str) else self.architecture.name


class Roadmap(Record):
    """The model families of a program, in the order the planner listed them."""

    families: list[ModelFamily] = Field(min_length=1)

    @field_validator("families")
    @classmethod
    def _unique_family_ids(cls, families: list[ModelFamily]) -> list[ModelFamily]:
        reject_duplicates([f.id for f in families], what="family id")
        return families

    def family(self, family_id: str) -> ModelFamily | None:
        """The family with this id, or None."""
        return next((f for f in self.families if f.id == family_id), None)

    def check_within(self, program: Program) -> None:
        """Raise InputError (located at the family's release_date) for a release off the horizon."""
        for index, family in enumerate(self.families):
            if program.horizon_start <= family.release_date <= program.horizon_end:
                continue
            raise InputError(
                f"family '{family.id}' is released on {family.release_date}, outside the "
                f"program horizon {program.horizon_start}..{program.horizon_end}",
                where=f"families[{index}].release_date",
                fix="move release_date inside the horizon, or widen horizon_start/horizon_end "
                "in program.yaml",
            )


def reject_duplicates(keys: list[str], *, what: str) -> None:
    first_index: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key in first_index:
            raise ValueError(
                f"{what} '{key}' appears at [{first_index[key]}] and [{index}]; each must be unique"
            )
        first_index[key] = index
