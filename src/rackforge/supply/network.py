"""A multi-tier supply network: who makes what, from which materials, at what rate.

Pure typed records (no I/O); `formats/network_file.py` reads them from a NETWORK.yaml whose
top-level `nodes` and `edges` are those of a case's `network` in the shared worked cases
(`shared/data/validation/tts_cases.yaml`). Time is in weeks, quantities in units.

- A node makes one output at up to `capacity_per_week` (absent: unconstrained) and holds
  `inventory` units of it on hand. A `product` node meets `demand_per_week`; each unit it
  fails to meet costs `loss_weight` (the performance-impact weight).
- An edge `from → to` ships the `from` node's output to the `to` node as its `material`;
  `units_per_unit` of it go into each unit `to` makes. Edges bringing the same material are
  alternative sources of it (a second source); different materials are all needed.
- `ttr_weeks` is the node's time to recover from a disruption, as the supplier states it;
  `region` and `owner` (optional) say which regional shocks and which company's failure hit it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import (
    ConfigDict,
    Field,
    NonNegativeFloat,
    PositiveFloat,
    field_validator,
    model_validator,
)

from rackforge.roadmap import Record, reject_duplicates

NodeKind = Literal["product", "supplier"]


class SupplyNode(Record):
    """A plant, supplier site or product line of the network."""

    id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_./:*@-]*$",
        description="unique node id (letters, digits and _ . / : * @ -)",
    )
    kind: NodeKind
    capacity_per_week: NonNegativeFloat | None = Field(
        default=None, description="output per week; absent: unconstrained"
    )
    inventory: NonNegativeFloat = Field(default=0.0, description="units of output on hand")
    demand_per_week: NonNegativeFloat = Field(default=0.0, description="products: demand")
    loss_weight: NonNegativeFloat = Field(default=1.0, description="cost of a unit not met")
    ttr_weeks: NonNegativeFloat | None = Field(
        default=None, description="time to recover when disrupted, as stated"
    )
    region: str | None = Field(
        default=None, description="where it stands (e.g. US-TX, TW, MX): regional shocks hit it"
    )
    owner: str | None = Field(
        default=None, description="the company operating it: an insolvency hits all its nodes"
    )

    @model_validator(mode="after")
    def _demand_only_on_products(self) -> SupplyNode:
        if self.kind != "product" and self.demand_per_week:
            raise ValueError("demand_per_week is set on a supplier; only products meet demand")
        return self


class SupplyEdge(Record):
    """`source` ships its output to `target` as `material`, `units_per_unit` per target unit."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    source: str = Field(alias="from", min_length=1)
    target: str = Field(alias="to", min_length=1)
    material: str = Field(min_length=1)
    units_per_unit: PositiveFloat = 1.0


class SupplyNetwork(Record):
    """Nodes and the edges between them; every edge names two nodes of the network."""

    nodes: list[SupplyNode] = Field(min_length=1)
    edges: list[SupplyEdge] = Field(default_factory=list)

    @field_validator("nodes")
    @classmethod
    def _unique_ids(cls, nodes: list[SupplyNode]) -> list[SupplyNode]:
        reject_duplicates([n.id for n in nodes], what="node id")
        return nodes

    @model_validator(mode="after")
    def _edges_join_known_nodes(self) -> SupplyNetwork:
        ids = {n.id for n in self.nodes}
        for index, edge in enumerate(self.edges):
            for end, name in (("from", edge.source), ("to", edge.target)):
                if name not in ids:
                    raise ValueError(
                        f"edges[{index}].{end} names node '{name}', not in nodes "
                        f"(known: {', '.join(sorted(ids))})"
                    )
            if edge.source == edge.target:
                raise ValueError(f"edges[{index}] ships node '{edge.source}' to itself")
        if not any(n.demand_per_week > 0 for n in self.nodes):
            raise ValueError("no product node has demand_per_week > 0: nothing to survive for")
        return self

    def node(self, node_id: str) -> SupplyNode:
        return next(n for n in self.nodes if n.id == node_id)
