"""Supply use cases from files: a network's disruption exposure (issue 4)."""

from __future__ import annotations

from pathlib import Path

from rackforge.errors import InputError
from rackforge.formats.network_file import load_network
from rackforge.supply import DEFAULT_HORIZON_WEEKS, NodeExposure, exposure


def network_exposure(
    path: Path, *, horizon_weeks: float = DEFAULT_HORIZON_WEEKS
) -> dict[str, NodeExposure]:
    """Each node of the NETWORK.yaml at `path` disrupted alone for its own TTR."""
    if path.is_dir():
        raise InputError(
            "a program directory's supply network is derived from its BOM and supplier pool, "
            "and the supplier pool is not built yet",
            where=str(path),
            fix="give a NETWORK.yaml with top-level nodes and edges (docs/formats.md)",
        )
    return exposure(load_network(path), horizon_weeks=horizon_weeks)
