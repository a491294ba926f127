"""Typed entries of the design-rule catalog: named rule sets per frame, site or data hall.

A rule bounds one design figure (`RuleQuantity`, the names of `rackforge.rack.RackDesign`
figures plus `floor_load_kg_m2`). Its limit is either a number (`limit`, with the `source`
that sets it) or read from the catalog frame the design stands in (`limit_from`), so a frame
rating is written once, in rack_components.yaml, and never retyped here. `fix` is a template:
the placeholders in `FIX_PLACEHOLDERS` are filled in from the violating figure.
"""

from __future__ import annotations

import string
from typing import Literal

from pydantic import Field, model_validator

from rackforge.catalog.schema import Frozen, normalize_name

RuleQuantity = Literal[
    "it_power_kw",
    "typical_power_kw",
    "input_power_kw",
    "busbar_current_a",
    "liquid_heat_kw",
    "coolant_flow_l_min",
    "air_heat_kw",
    "airflow_cfm",
    "weight_kg",
    "floor_load_kg_m2",
    "ru_used",
    "power_shelves",
    "psus",
    "shelf_load_kw",
    "scale_out_ports",
    "scale_up_copper_m",
]
LimitFrom = Literal["frame_busbar_kw", "frame_payload_kg", "shelf_rating_kw", "leaf_downlinks"]
"""frame_busbar_kw: the `max_power_kw` of the frame's busbar; frame_payload_kg: its payload;
shelf_rating_kw: what one of the design's power shelves delivers at its redundancy;
leaf_downlinks: the server ports the rule's `leaf` switch offers at the design's NIC speed,
⌊ports × leaf Gb/s ÷ NIC Gb/s × r / (1 + r)⌋ for a down:up bandwidth ratio r
(`oversubscription`; 1 = non-blocking, half the leaf's bandwidth faces the servers)."""

FIX_PLACEHOLDERS = ("value", "limit", "excess", "racks", "needed", "shelves", "frames", "frame")
"""{value} {limit} {excess}: the figures; {racks} and {needed}: ⌈value / limit⌉ (racks,
leaves, ...); {shelves}: power shelves to add until the redundancy is met; {frames}: catalog
frames whose rating (the rule's `limit_from`) holds the value; {frame}: the design's frame."""


class RuleSpec(Frozen):
    """One rule as written: `quantity` `comparison` a limit, its source and its fix."""

    id: str
    quantity: RuleQuantity
    comparison: Literal["<=", ">="] = "<="
    limit: float | None = Field(default=None, description="a fixed limit, in `unit`")
    limit_from: LimitFrom | None = Field(
        default=None, description="read the limit from the design's catalog frame"
    )
    leaf: str | None = Field(
        default=None, description="catalog switch used as leaf (limit_from: leaf_downlinks)"
    )
    oversubscription: float = Field(
        default=1.0, gt=0, description="leaf down:up bandwidth ratio (1 = non-blocking)"
    )
    unit: str
    source: str = Field(description="who sets the limit: a document, or a labelled example")
    fix: str = Field(description="what to do, with {placeholders} from FIX_PLACEHOLDERS")

    @model_validator(mode="after")
    def _one_limit_and_known_placeholders(self) -> RuleSpec:
        if (self.limit is None) == (self.limit_from is None):
            raise ValueError(f"rule {self.id}: give exactly one of limit and limit_from")
        if (self.limit_from == "leaf_downlinks") != (self.leaf is not None):
            raise ValueError(f"rule {self.id}: limit_from leaf_downlinks goes with a leaf switch")
        fields = {name for _, name, _, _ in string.Formatter().parse(self.fix) if name}
        unknown = sorted(fields - set(FIX_PLACEHOLDERS))
        if unknown:
            raise ValueError(
                f"rule {self.id}: fix names unknown placeholders {unknown}; "
                f"use {list(FIX_PLACEHOLDERS)}"
            )
        return self


class RuleSet(Frozen):
    """A named set of rules a design must keep: a frame's ratings, or a data hall's limits."""

    name: str
    title: str
    scope: Literal["frame", "power", "network", "data hall"]
    fictional: bool = Field(
        default=False, description="true: limits of the fictional example program, not a site"
    )
    rules: tuple[RuleSpec, ...] = Field(min_length=1)

    @property
    def key(self) -> str:
        return normalize_name(self.name)

    @model_validator(mode="after")
    def _unique_rule_ids(self) -> RuleSet:
        ids = [rule.id for rule in self.rules]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"rule ids repeat: {repeated}")
        return self
