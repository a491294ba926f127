"""Rack power: typical draw, PSU conversion losses, power-shelf plans and busbar current.

Conventions, each with its reason:

- Loads are DC output power, what the trays draw from the busbar; shelf and PSU ratings are
  output ratings too (the ORv3 33 kW shelf puts out 33 kW). Wall (AC) power is
  `psu_input_kw(load, efficiency)`, and the difference is `psu_loss_kw`.
- N+1 means one spare PSU *per shelf*. ORv3 shelves are separate AC feeds whose PSUs share load
  only on their own output, and the OCP ORv3 practice rates a shelf at 5+1: six PSUs of which
  five carry the rated load (ORv3 base shelf: 6 × 3 kW, 15 kW at 5+1; ORv3 HPR shelf: 6 × 5.5 kW,
  33 kW nameplate, 27.5 kW at 5+1 — OCP Global Summit 2023, Delta and Advanced Energy,
  "Requirements/Considerations of Next Generation ORv3 PSU and Power Shelves"; Lenovo GB300
  NVL72 user guide, "Power shelf front view": six 5.5 kW PSUs give up to 33 kW).
- N+N means two independent sets of shelves (A and B feeds), each able to carry the whole load
  alone: shelves come in pairs and only half of them count toward the guaranteed capacity.
- Shelves are fully populated: `psus_installed` = shelves × PSUs per shelf, while `psus_needed`
  is the fewest PSUs the load needs at the redundancy (the gap is spare capacity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from rackforge.errors import InputError
from rackforge.rack.inputs import (
    conversion_efficiency,
    count,
    fraction,
    non_negative,
    positive,
)

Redundancy = Literal["N", "N+1", "N+N"]
REDUNDANCIES: tuple[Redundancy, ...] = ("N", "N+1", "N+N")

# "Even an energy-efficient server still consumes about half its full power when doing
# virtually no work" — Barroso & Hölzle 2007, "The Case for Energy-Proportional Computing",
# IEEE Computer 40(12). A general-server figure: accelerator racks idle lower, so a design
# with a measured idle draw should pass its own fraction.
SERVER_IDLE_FRACTION = 0.5

# Share of a count that float rounding may leave above a whole number (1.1 / 0.1 gives
# 11.000000000000002): ignoring it keeps an exact fit from buying one more shelf.
_ROUNDING = 1e-9


def typical_power_kw(max_kw: float, utilisation: float, *, idle_fraction: float) -> float:
    """Average draw of equipment of maximum draw `max_kw` run at `utilisation` (0…1).

    Linear power model of Fan, Weber & Barroso 2007 ("Power Provisioning for a Warehouse-sized
    Computer", ISCA, §4.1): P(u) = P_idle + (P_max − P_idle)·u, with P_idle = f_idle·P_max, so
    P(u) = P_max·(f_idle + (1 − f_idle)·u). `idle_fraction` is f_idle; `SERVER_IDLE_FRACTION`
    is a sourced general-server value.
    """
    p_max = non_negative("max_kw", max_kw)
    u = fraction("utilisation", utilisation)
    f_idle = fraction("idle_fraction", idle_fraction)
    return p_max * (f_idle + (1.0 - f_idle) * u)


def psu_input_kw(output_kw: float, efficiency: float) -> float:
    """Input (wall) power of PSUs delivering `output_kw`: P_in = P_out / η (η = P_out / P_in)."""
    return non_negative("output_kw", output_kw) / conversion_efficiency("efficiency", efficiency)


def psu_loss_kw(output_kw: float, efficiency: float) -> float:
    """Heat the PSUs dissipate delivering `output_kw`: P_in − P_out = P_out·(1/η − 1).

    All of it is heat in the rack (first law); see `rackforge.rack.cooling.rack_cooling`.
    """
    return psu_input_kw(output_kw, efficiency) - float(output_kw)


def shelf_output_kw(*, psu_kw: float, psus_working: int, shelf_capacity_kw: float) -> float:
    """What one shelf can deliver with `psus_working` healthy PSUs: min(shelf rating, n·P_psu)."""
    p = positive("psu_kw", psu_kw)
    n = count("psus_working", psus_working, minimum=0)
    return min(positive("shelf_capacity_kw", shelf_capacity_kw), n * p)


@dataclass(frozen=True, slots=True)
class PowerShelfPlan:
    """How many power shelves and PSUs a load needs at a redundancy, and what is left over.

    `capacity_kw` is the output guaranteed at the redundancy by the shelves planned (one PSU
    per shelf failed for N+1, one whole side failed for N+N); `nameplate_kw` is the output with
    every PSU healthy. `headroom_kw` = capacity − load, negative when the shelves fall short.
    """

    load_kw: float
    redundancy: Redundancy
    shelves: int
    shelves_needed: int
    psus_installed: int
    psus_needed: int
    capacity_kw: float
    nameplate_kw: float
    redundancy_met: bool

    @property
    def headroom_kw(self) -> float:
        return self.capacity_kw - self.load_kw

    @property
    def carrying_shelves(self) -> int:
        """Shelves left carrying the load once the redundancy is spent (one feed of N+N lost)."""
        return self.shelves // 2 if self.redundancy == "N+N" else self.shelves

    @property
    def shelf_rating_kw(self) -> float | None:
        """What one carrying shelf delivers at the redundancy (one PSU down for N+1)."""
        carrying = self.carrying_shelves
        return self.capacity_kw / carrying if carrying else None

    @property
    def shelf_load_kw(self) -> float | None:
        """The load on each carrying shelf: load / carrying shelves (None with none carrying)."""
        carrying = self.carrying_shelves
        return self.load_kw / carrying if carrying else None

    @property
    def shelves_short(self) -> int:
        """Shelves to add before the redundancy is met (0 when it is)."""
        return max(0, self.shelves_needed - self.shelves)


def plan_power_shelves(
    load_kw: float,
    *,
    psu_kw: float,
    psus_per_shelf: int,
    shelf_capacity_kw: float,
    redundancy: Redundancy,
    shelves_available: int | None = None,
) -> PowerShelfPlan:
    """The fewest shelves carrying `load_kw` (DC output) at `redundancy`.

    `shelves_available` caps the shelves (positions in the frame, or a design's fixed count);
    when the load needs more, the plan uses those available and says `redundancy_met=False`.
    """
    load = non_negative("load_kw", load_kw)
    p = positive("psu_kw", psu_kw)
    k = count("psus_per_shelf", psus_per_shelf, minimum=1)
    healthy = shelf_output_kw(psu_kw=p, psus_working=k, shelf_capacity_kw=shelf_capacity_kw)
    working = whole_units(load, p)
    if redundancy == "N":
        shelves_needed, psus_needed = whole_units(load, healthy), working
    elif redundancy == "N+1":
        if k < 2:
            raise InputError(
                "N+1 keeps one spare PSU per shelf, so a shelf needs at least 2 PSUs",
                where="psus_per_shelf",
                fix="use shelves of 2 or more PSUs, or redundancy N+N",
            )
        degraded = shelf_output_kw(psu_kw=p, psus_working=k - 1, shelf_capacity_kw=healthy)
        shelves_needed = whole_units(load, degraded)
        psus_needed = working + shelves_needed
    elif redundancy == "N+N":
        shelves_needed, psus_needed = 2 * whole_units(load, healthy), 2 * working
    else:
        raise InputError(
            f"unknown redundancy {redundancy!r}", where="redundancy", fix="use N, N+1 or N+N"
        )
    shelves = shelves_needed
    if shelves_available is not None:
        shelves = min(shelves, count("shelves_available", shelves_available, minimum=0))
    return PowerShelfPlan(
        load_kw=load,
        redundancy=redundancy,
        shelves=shelves,
        shelves_needed=shelves_needed,
        psus_installed=shelves * k,
        psus_needed=psus_needed,
        capacity_kw=_capacity_kw(shelves, redundancy, healthy=healthy, psu_kw=p, k=k),
        nameplate_kw=shelves * healthy,
        redundancy_met=shelves >= shelves_needed,
    )


def _capacity_kw(
    shelves: int, redundancy: Redundancy, *, healthy: float, psu_kw: float, k: int
) -> float:
    """Output `shelves` guarantee at `redundancy` (see the module docstring)."""
    if redundancy == "N+1":
        return shelves * min(healthy, (k - 1) * psu_kw)
    if redundancy == "N+N":
        return (shelves // 2) * healthy
    return shelves * healthy


def whole_units(amount: float, per: float) -> int:
    """The whole number of `per` that covers `amount`, forgiving float rounding just above one.

    Any positive amount takes at least one, even one so small that `amount / per` underflows.
    """
    units = math.ceil(amount / per * (1.0 - _ROUNDING))
    return max(units, 1) if amount > 0 else units


def busbar_current_a(load_kw: float, voltage_v: float) -> float:
    """Current a busbar carries delivering `load_kw` at `voltage_v`: I = P / V (from P = V·I)."""
    return non_negative("load_kw", load_kw) * 1000.0 / positive("voltage_v", voltage_v)


@dataclass(frozen=True, slots=True)
class BusbarLoading:
    """A busbar's current against its rating."""

    load_kw: float
    voltage_v: float
    current_a: float
    rating_a: float

    @property
    def utilisation(self) -> float:
        """Current as a share of the rating (above 1: overloaded)."""
        return self.current_a / self.rating_a

    @property
    def within_rating(self) -> bool:
        return self.current_a <= self.rating_a

    @property
    def rated_kw(self) -> float:
        """The load the busbar can carry at this voltage: P = V·I_rated."""
        return self.voltage_v * self.rating_a / 1000.0


def busbar_loading(load_kw: float, *, voltage_v: float, rating_a: float) -> BusbarLoading:
    """The current of `load_kw` on a busbar at `voltage_v`, checked against `rating_a`."""
    return BusbarLoading(
        load_kw=non_negative("load_kw", load_kw),
        voltage_v=positive("voltage_v", voltage_v),
        current_a=busbar_current_a(load_kw, voltage_v),
        rating_a=positive("rating_a", rating_a),
    )
