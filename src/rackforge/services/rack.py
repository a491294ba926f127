"""Rack engineering use cases: design catalog reference systems from their parts."""

from __future__ import annotations

from collections.abc import Sequence

from rackforge.catalog import accelerators, rack_components, reference_system
from rackforge.errors import InputError
from rackforge.rack import DesignAssumptions, RackDesign, design_reference_system


def design_systems(
    names: Sequence[str], *, assumptions: DesignAssumptions | None = None
) -> list[RackDesign]:
    """`rack design --system NAME ...`: one design per named reference system, in order.

    An unknown name raises UnknownNameError (an InputError) with the closest catalog names.
    """
    if not names:
        raise InputError("no system to design", fix="name one or more, e.g. --system gb200-nvl72")
    components, accelerator_table = rack_components(), accelerators()
    systems = [reference_system(name) for name in names]
    return [
        design_reference_system(system, components, accelerator_table, assumptions=assumptions)
        for system in systems
    ]
