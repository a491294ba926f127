"""supply.yaml: a program's sourcing rules (docs/formats.md, "Sourcing rules"). Every key is
optional; a key left out keeps the default of `services.supply_inputs.SUPPLY_RULES`. Errors
name the file and key (`supply.yaml:max_region_share.TW`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pydantic
from pydantic import Field, PositiveInt

from rackforge.formats.validation import input_error_from_pydantic
from rackforge.formats.yaml_file import load_yaml_mapping
from rackforge.roadmap import Record
from rackforge.supply.sourcing import SourcingRules

SUPPLY_RULES_FILE = "supply.yaml"


class SupplyRulesRecord(Record):
    """The sourcing rules as written; units: shares are fractions 0–1."""

    max_supplier_share: float | None = Field(default=None, gt=0, le=1)
    min_award_share: float | None = Field(default=None, ge=0, le=1)
    max_region_share: dict[str, float] | None = Field(
        default=None, description="region code (US-TX, TW, CN) → largest share of a part"
    )
    min_suppliers_critical: PositiveInt | None = None
    domestic_floor: dict[int, float] | None = Field(
        default=None, description="year → floor; absent: FAR 25.101 (65 % to 2028, 75 % after)"
    )
    risk_weight: float | None = Field(default=None, ge=0)

    @pydantic.field_validator("max_region_share", "domestic_floor")
    @classmethod
    def _fractions(cls, shares: dict[object, float] | None) -> dict[object, float] | None:
        for key, share in (shares or {}).items():
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{key}: {share} is not a fraction between 0 and 1")
        return shares

    def applied_to(self, rules: SourcingRules) -> SourcingRules:
        given = {k: v for k, v in self.model_dump().items() if v is not None}
        return replace(rules, **given)


def load_supply_rules(path: Path, defaults: SourcingRules) -> SourcingRules:
    """`defaults` with the keys of `path` applied; InputError naming the file and key."""
    data = load_yaml_mapping(path)
    try:
        record = SupplyRulesRecord.model_validate(data)
    except pydantic.ValidationError as err:
        raise input_error_from_pydantic(err, str(path), SupplyRulesRecord) from None
    return record.applied_to(defaults)
