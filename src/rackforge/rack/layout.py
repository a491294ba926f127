"""Rack elevation: which units of the frame each tray, shelf and switch takes; floor loading.

Units are numbered from 1 at the bottom of the frame, as NetBox numbers rack units (its
default ascending elevation); a frame counts rack units of 44.45 mm (EIA-310-E: 1.75 in) or
Open Rack units of 48 mm (OCP Open Rack V2/V3 "OpenU"), and this module does not care which.

Placement, in this order, each group in the order its items were given:

1. `bottom` items stack up from unit 1;
2. `top` items stack down from the top unit;
3. `middle` items form one block centred in the space left between those two stacks, so the
   trays placed around it sit equally far above and below — why NVL72-class racks put their
   NVLink switch trays mid-rack: the copper spine reaches compute trays both ways (NVIDIA
   GB200 NVL72 rack elevation: 10 compute trays, 9 switch trays, 8 compute trays);
4. `any` items take the lowest free run of units that holds them (first fit, bottom-up).

An item with no room goes to `Allocation.overflow` and placement carries on with the rest, so
one result says everything that did not fit; `Allocation.require_fit()` turns that into an
`InfeasibleError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rackforge.errors import InfeasibleError, InputError
from rackforge.rack.inputs import count, non_negative, positive

RACK_UNIT_MM = 44.45  # EIA-310-E: 1 U = 1.75 in
OPEN_UNIT_MM = 48.0  # OCP Open Rack V2/V3: 1 OU = 48 mm

PositionHint = Literal["top", "middle", "bottom", "any"]
POSITION_HINTS: tuple[PositionHint, ...] = ("bottom", "top", "middle", "any")


@dataclass(frozen=True, slots=True)
class Slot:
    """Something to mount: its name, its height in frame units and where it wants to go."""

    name: str
    units: int
    position_hint: PositionHint = "any"


@dataclass(frozen=True, slots=True)
class Placement:
    """A slot placed: it occupies units `position` … `top_unit` (1 = bottom of the frame)."""

    name: str
    position: int
    units: int
    position_hint: PositionHint

    @property
    def top_unit(self) -> int:
        return self.position + self.units - 1


@dataclass(frozen=True, slots=True)
class Allocation:
    """A frame's elevation: what went where (bottom to top) and what did not fit."""

    frame_units: int
    placements: tuple[Placement, ...]
    overflow: tuple[Slot, ...]

    @property
    def fits(self) -> bool:
        return not self.overflow

    @property
    def units_used(self) -> int:
        return sum(p.units for p in self.placements)

    @property
    def units_free(self) -> int:
        return self.frame_units - self.units_used

    @property
    def overflow_units(self) -> int:
        """Units asked for by the slots that did not fit."""
        return sum(s.units for s in self.overflow)

    def occupant(self, unit: int) -> str | None:
        """Name of what occupies `unit`, or None when it is free."""
        for p in self.placements:
            if p.position <= unit <= p.top_unit:
                return p.name
        return None

    def require_fit(self) -> Allocation:
        """This allocation, or `InfeasibleError` naming what did not fit."""
        if self.fits:
            return self
        names = ", ".join(f"{s.name} ({s.units} U, {s.position_hint})" for s in self.overflow)
        raise InfeasibleError(
            f"{self.overflow_units} units do not fit in a {self.frame_units}-unit frame "
            f"({self.units_free} free): {names} — fix: use a taller frame, fewer or "
            "shorter items, or split the design into 2 racks"
        )


def allocate(frame_units: int, items: Sequence[Slot]) -> Allocation:
    """Place `items` in a frame of `frame_units` units (module docstring for the rules)."""
    frame = _Frame(count("frame_units", frame_units, minimum=1))
    for i, item in enumerate(items):
        count(f"items[{i}].units", item.units, minimum=1)
        if item.position_hint not in POSITION_HINTS:
            raise _unknown_hint(i, item)
    by_hint = {hint: [s for s in items if s.position_hint == hint] for hint in POSITION_HINTS}

    cursor = 1
    for slot in by_hint["bottom"]:
        if frame.place(slot, cursor):
            cursor += slot.units
    cursor = frame.units
    for slot in by_hint["top"]:
        if frame.place(slot, cursor - slot.units + 1):
            cursor -= slot.units
    frame.place_middle(by_hint["middle"], low=frame.lowest_free(), high=frame.highest_free())
    for slot in by_hint["any"]:
        frame.place_first_fit(slot)
    return frame.allocation()


class _Frame:
    """Occupancy of a frame while it is being filled."""

    def __init__(self, units: int) -> None:
        self.units = units
        self._free = [True] * (units + 1)  # index = unit number; index 0 unused
        self._free[0] = False
        self._placed: list[Placement] = []
        self._overflow: list[Slot] = []

    def is_free(self, position: int, units: int) -> bool:
        top = position + units - 1
        return position >= 1 and top <= self.units and all(self._free[position : top + 1])

    def place(self, slot: Slot, position: int) -> bool:
        """Put `slot` at `position` if its units are free; otherwise record it as overflow."""
        if not self.is_free(position, slot.units):
            self._overflow.append(slot)
            return False
        for unit in range(position, position + slot.units):
            self._free[unit] = False
        self._placed.append(Placement(slot.name, position, slot.units, slot.position_hint))
        return True

    def lowest_free(self) -> int:
        return next((u for u in range(1, self.units + 1) if self._free[u]), self.units + 1)

    def highest_free(self) -> int:
        return next((u for u in range(self.units, 0, -1) if self._free[u]), 0)

    def place_middle(self, slots: Sequence[Slot], *, low: int, high: int) -> None:
        """Centre `slots`, as one block, between units `low` and `high` (both free)."""
        room = high - low + 1
        block: list[Slot] = []
        for slot in slots:
            if sum(s.units for s in block) + slot.units <= room:
                block.append(slot)
            else:
                self._overflow.append(slot)
        position = low + (room - sum(s.units for s in block)) // 2
        for slot in block:
            self.place(slot, position)
            position += slot.units

    def place_first_fit(self, slot: Slot) -> None:
        for position in range(1, self.units - slot.units + 2):
            if self.is_free(position, slot.units):
                self.place(slot, position)
                return
        self._overflow.append(slot)

    def allocation(self) -> Allocation:
        return Allocation(
            frame_units=self.units,
            placements=tuple(sorted(self._placed, key=lambda p: p.position)),
            overflow=tuple(self._overflow),
        )


def _unknown_hint(i: int, item: Slot) -> InputError:
    return InputError(
        f"position hint {item.position_hint!r} of {item.name!r} is unknown",
        where=f"items[{i}].position_hint",
        fix="use top, middle, bottom or any",
    )


def footprint_m2(width_mm: float, depth_mm: float) -> float:
    """Floor area a rack stands on: width × depth."""
    return positive("width_mm", width_mm) * positive("depth_mm", depth_mm) / 1e6


def floor_load_kg_m2(weight_kg: float, footprint_m2: float) -> float:
    """Distributed floor load of a rack: its weight over its footprint (kg/m²).

    The load-per-area figure facility floor ratings are stated in (ASHRAE TC 9.9, "Structural
    and Vibration Guidelines for Datacom Equipment Centers", uniform load over the footprint);
    point loads on the casters are the frame maker's figure, not this one.
    """
    return non_negative("weight_kg", weight_kg) / positive("footprint_m2", footprint_m2)
