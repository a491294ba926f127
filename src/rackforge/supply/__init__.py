"""Supply-chain resilience: the supply network and its disruption exposure (issue 4).

Pure functions on typed inputs (no I/O): `network` (nodes and edges of a multi-tier supply
network), `exposure` (time to survive, time to recover and risk exposure per node, Simchi-Levi
et al. 2015) over `lp` (a row-wise LP solved with HiGHS).
"""

from rackforge.supply.exposure import (
    DEFAULT_HORIZON_WEEKS,
    NodeExposure,
    exposure,
    performance_impact,
    time_to_survive,
)
from rackforge.supply.network import SupplyEdge, SupplyNetwork, SupplyNode

__all__ = [
    "DEFAULT_HORIZON_WEEKS",
    "NodeExposure",
    "SupplyEdge",
    "SupplyNetwork",
    "SupplyNode",
    "exposure",
    "performance_impact",
    "time_to_survive",
]
