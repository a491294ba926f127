"""A rack design's figures from its parts list: supply, heat, weight, units and cost.

Pure arithmetic over plain typed lines (`rackforge.rack.parts`), independent of the catalog
(`rackforge.rack.design` fills the lines from it). Conventions, each with its reason:

- IT power is DC: what the parts draw from the busbar, or from a server's own PSUs, at their
  maximum. Wall power adds the PSU conversion losses, and all of it leaves as heat: the liquid
  loop takes the cold-plated share of the IT power, air the rest and the PSU losses
  (`rackforge.rack.cooling.rack_cooling`), so `liquid_heat_kw + air_heat_kw == input_power_kw`.
- Figures a part does not publish make the design's figure a lower bound, flagged and named
  (`rackforge.rack.parts`); the supply and the cooling are sized on that lower bound.
- The operating point (utilisation, loop temperature rises, a PSU efficiency the catalog lacks)
  is `DesignAssumptions`, each default sourced below and echoed in the design's `assumptions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rackforge.rack.cooling import PG25_30C, Coolant, RackCooling, rack_cooling
from rackforge.rack.layout import Allocation, Slot, allocate
from rackforge.rack.parts import PartLine, tally
from rackforge.rack.power import (
    SERVER_IDLE_FRACTION,
    PowerShelfPlan,
    Redundancy,
    busbar_current_a,
    plan_power_shelves,
    psu_loss_kw,
    typical_power_kw,
)

# Barroso & Hölzle 2007 ("The Case for Energy-Proportional Computing", IEEE Computer 40(12)):
# servers "spend most of their time" between 10 and 50 % of maximum utilisation; the top of that
# range is taken. Accelerator racks in training run hotter: a known workload should pass its own.
TYPICAL_UTILISATION = 0.5
# Rise across the cold plates: the OCP Reservoir & Pumping Unit point (150 L/min of PG25 to a
# 100 kW load; catalog CDU "OCP RPU in-rack CDU 100 kW", third-party) gives
# ΔT = 100 kW / (1019.2 kg/m³ · 3940 J/(kg·K) · 0.0025 m³/s) = 9.96 K.
LIQUID_DELTA_T_K = 10.0
# Rise across air-cooled parts: the one published airflow-at-power pair in the catalog, DGX H100
# at 10.2 kW and 1105 CFM (user guide), gives ΔT = 10 200 / (ρ·c_p · 1105 · M3_S_PER_CFM) = 16.2 K.
AIR_DELTA_T_K = 16.2
# PSU efficiency where the catalog has none (the ORv3 HPR 5.5 kW and DGX 3.3 kW PSUs): the
# full-load efficiency of the ORv3 3 kW rectifier, 96.5 % (Keyhani & Harris, "Open Rack Standard
# V3 Power System", OCP 2019). Full load because the design is sized at maximum power.
FALLBACK_PSU_EFFICIENCY = 0.965


# (figure, unit, the completeness flag that makes it a lower bound when false). Everything
# sized on the IT power (supply, busbar, heat, flow) is as complete as the power is.
DESIGN_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("it_power_kw", "kW", "power_complete"),
    ("typical_power_kw", "kW", "power_complete"),
    ("input_power_kw", "kW", "power_complete"),
    ("weight_kg", "kg", "weight_complete"),
    ("power_shelves", "count", "power_complete"),
    ("psus", "count", "power_complete"),
    ("busbar_current_a", "A", "power_complete"),
    ("liquid_heat_kw", "kW", "power_complete"),
    ("coolant_flow_l_min", "L/min", "power_complete"),
    ("air_heat_kw", "kW", "power_complete"),
    ("airflow_cfm", "CFM", "power_complete"),
    ("ru_used", "U", "ru_complete"),
    ("cost_usd", "USD", "cost_complete"),
)


@dataclass(frozen=True, slots=True)
class DesignAssumptions:
    """The operating point a design's figures assume; each default is sourced above."""

    utilisation: float = TYPICAL_UTILISATION
    idle_fraction: float = SERVER_IDLE_FRACTION
    coolant: Coolant = PG25_30C
    liquid_delta_t_k: float = LIQUID_DELTA_T_K
    air_delta_t_k: float = AIR_DELTA_T_K
    fallback_psu_efficiency: float = FALLBACK_PSU_EFFICIENCY


@dataclass(frozen=True, slots=True)
class Supply:
    """How a design is powered: PSUs in a server's chassis (`shelf` None), or rack power shelves.

    A server keeps `spare_psus` beyond those its load needs (a published "4+2" is 2 spares);
    shelves follow `redundancy` (`rackforge.rack.power`). `servers` identical servers share a
    load evenly, each with its own PSUs (a rack of servers); shelves ignore it.
    """

    psu: str
    psu_kw: float
    efficiency: float
    efficiency_source: str
    redundancy: Redundancy = "N"
    spare_psus: int = 0
    shelf: str | None = None
    psus_per_shelf: int = 1
    shelf_capacity_kw: float | None = None
    shelf_units: int | None = None
    shelf_weight_kg: float | None = None
    busbar_voltage_v: float | None = None
    servers: int = 1

    @property
    def redundancy_label(self) -> str:
        if self.shelf is not None:
            return self.redundancy
        return f"N+{self.spare_psus}" if self.spare_psus else "N"


def plan_supply(load_kw: float, supply: Supply) -> tuple[int, int, PowerShelfPlan | None]:
    """(power shelves, PSUs installed, shelf plan) carrying `load_kw` at the redundancy."""
    if supply.shelf is None or supply.shelf_capacity_kw is None:
        working = plan_power_shelves(
            load_kw / supply.servers,
            psu_kw=supply.psu_kw,
            psus_per_shelf=1,
            shelf_capacity_kw=supply.psu_kw,
            redundancy="N",
        ).psus_needed
        return 0, supply.servers * (working + supply.spare_psus), None
    plan = plan_power_shelves(
        load_kw,
        psu_kw=supply.psu_kw,
        psus_per_shelf=supply.psus_per_shelf,
        shelf_capacity_kw=supply.shelf_capacity_kw,
        redundancy=supply.redundancy,
    )
    return plan.shelves, plan.psus_installed, plan


@dataclass(frozen=True, slots=True)
class RackDesign:
    """A rack (or one server) built from parts, with the figures to build it and site it by.

    The contract figures come first. `it_power_kw` is the maximum DC draw of the parts;
    `typical_power_kw` the linear power model at `assumptions.utilisation`; `weight_kg` and
    `cost_usd` are None when nothing is known of them (`rackforge.rack.parts.Tally`). A figure
    whose `*_complete` is false is a lower bound, and `missing[figure]` names the parts that
    lack it; the shelves, PSUs, busbar current and heat sized on a lower-bound power are too.
    `busbar_current_a` is None for a server (its PSUs are in its chassis, fed AC). `ru_used`
    counts the units placed in `elevation`; `liquid_heat_kw + air_heat_kw == input_power_kw`.
    """

    name: str
    title: str
    kind: str
    frame: str
    frame_units: int
    it_power_kw: float
    typical_power_kw: float
    weight_kg: float | None
    power_shelves: int
    psus: int
    busbar_current_a: float | None
    liquid_heat_kw: float
    coolant_flow_l_min: float
    air_heat_kw: float
    airflow_cfm: float
    ru_used: int
    cost_usd: float | None
    input_power_kw: float
    psu_loss_kw: float
    psu_efficiency: float
    redundancy: str
    liquid_fraction: float
    power_complete: bool
    weight_complete: bool
    ru_complete: bool
    cost_complete: bool
    missing: dict[str, tuple[str, ...]]
    assumptions: tuple[str, ...]
    shelf_plan: PowerShelfPlan | None
    cooling: RackCooling
    elevation: Allocation
    parts: tuple[PartLine, ...]


def compose(
    *,
    name: str,
    title: str,
    kind: str,
    frame: str,
    frame_units: int,
    lines: Sequence[PartLine],
    supply: Supply,
    assumptions: DesignAssumptions,
    notes: Sequence[str] = (),
) -> RackDesign:
    """The design of `lines` powered by `supply`: sizes the supply, places the parts, sums up."""
    power = tally(lines, "power_w")
    it_kw = (power.total or 0.0) / 1000.0
    shelves, psus, shelf_plan = plan_supply(it_kw, supply)
    parts = (*lines, *_supply_lines(supply, shelves, psus))
    weight, cost = tally(parts, "weight_kg"), tally(parts, "cost_usd")
    unplaced = tuple(dict.fromkeys(line.part for line in parts if line.units is None))
    elevation = allocate(frame_units, _slots(parts))
    loss_kw = psu_loss_kw(it_kw, supply.efficiency)
    liquid_fraction = _liquid_fraction(lines)
    cooling = rack_cooling(
        it_kw,
        liquid_fraction=liquid_fraction,
        psu_loss_kw=loss_kw,
        coolant=assumptions.coolant,
        liquid_delta_t_k=assumptions.liquid_delta_t_k,
        air_delta_t_k=assumptions.air_delta_t_k,
    )
    voltage = supply.busbar_voltage_v
    missing = {"power": power.missing, "weight": weight.missing, "ru": unplaced}
    missing["cost"] = cost.missing
    return RackDesign(
        name=name,
        title=title,
        kind=kind,
        frame=frame,
        frame_units=frame_units,
        it_power_kw=it_kw,
        typical_power_kw=typical_power_kw(
            it_kw, assumptions.utilisation, idle_fraction=assumptions.idle_fraction
        ),
        weight_kg=weight.total,
        power_shelves=shelves,
        psus=psus,
        busbar_current_a=None if voltage is None else busbar_current_a(it_kw, voltage),
        liquid_heat_kw=cooling.liquid.heat_kw,
        coolant_flow_l_min=cooling.liquid.flow,
        air_heat_kw=cooling.air.heat_kw,
        airflow_cfm=cooling.air.flow,
        ru_used=elevation.units_used,
        cost_usd=cost.total,
        input_power_kw=cooling.power_in_kw,
        psu_loss_kw=loss_kw,
        psu_efficiency=supply.efficiency,
        redundancy=supply.redundancy_label,
        liquid_fraction=liquid_fraction,
        power_complete=power.complete,
        weight_complete=weight.complete,
        ru_complete=not unplaced and elevation.fits,
        cost_complete=cost.complete,
        missing={figure: parts for figure, parts in missing.items() if parts},
        assumptions=(*_operating_point(assumptions, supply), *notes),
        shelf_plan=shelf_plan,
        cooling=cooling,
        elevation=elevation,
        parts=parts,
    )


def _supply_lines(supply: Supply, shelves: int, psus: int) -> list[PartLine]:
    """The shelves and PSUs: no IT load of their own (their losses are counted apart)."""
    where = "its shelf" if supply.shelf is not None else "the chassis"
    lines = [
        PartLine(
            role="PSU",
            part=supply.psu,
            quantity=psus,
            power_w=0.0,
            weight_kg=0.0,
            cost_usd=None,
            units=0,
            source=f"{supply.psu_kw:g} kW each, weight in {where}'s",
        )
    ]
    if supply.shelf is not None and shelves:
        lines.append(
            PartLine(
                role="power shelf",
                part=supply.shelf,
                quantity=shelves,
                power_w=0.0,
                weight_kg=supply.shelf_weight_kg,
                cost_usd=None,
                units=supply.shelf_units,
                position_hint="bottom",
                source=f"{supply.psus_per_shelf} PSUs each, {supply.redundancy}",
            )
        )
    return lines


def _slots(lines: Sequence[PartLine]) -> list[Slot]:
    return [
        Slot(f"{line.part} #{i + 1}", line.units, line.position_hint)
        for line in lines
        if line.units
        for i in range(line.quantity)
    ]


def _liquid_fraction(lines: Sequence[PartLine]) -> float:
    """Share of the known IT power on cold plates: Σ P·f / Σ P over lines with a power figure."""
    known = [(line.quantity * line.power_w, line.liquid_fraction) for line in lines if line.power_w]
    total = sum(p for p, _ in known)
    return sum(p * f for p, f in known) / total if total else 0.0


def _operating_point(assumptions: DesignAssumptions, supply: Supply) -> list[str]:
    return [
        f"typical power at utilisation {assumptions.utilisation:g} and idle fraction "
        f"{assumptions.idle_fraction:g} of maximum (linear power model)",
        f"liquid loop: {assumptions.coolant.name}, {assumptions.liquid_delta_t_k:g} K rise; "
        f"air: standard air, {assumptions.air_delta_t_k:g} K rise",
        f"PSU efficiency {supply.efficiency:.1%}: {supply.efficiency_source}",
    ]
