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
    whole_units,
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
    ("shelf_load_kw", "kW", "power_complete"),
    ("bbu_shelves", "count", "power_complete"),
    ("cdus", "count", "power_complete"),
    ("scale_out_ports", "count", "nics_complete"),
    ("scale_up_copper_m", "m", "ru_complete"),
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
class BatteryBackup:
    """Battery backup shelves on the busbar: each carries `capacity_kw` for `holdup_s`.

    Sized N on the IT power: ⌈P_IT / capacity⌉ shelves, so every shelf runs at or below its
    rating and the rack rides through for at least the published hold-up time.
    """

    shelf: str
    capacity_kw: float
    holdup_s: float | None
    units: int | None
    weight_kg: float | None


@dataclass(frozen=True, slots=True)
class CduChoice:
    """An in-rack coolant distribution unit: ⌈liquid heat / capacity⌉ of them, or more when
    the loop's coolant flow exceeds their rated flow. Pump power is not published: a CDU
    line without `power_w` leaves the design's power a lower bound, named."""

    name: str
    capacity_kw: float
    flow_l_min: float | None
    units: int | None
    weight_kg: float | None
    power_w: float | None = None


@dataclass(frozen=True, slots=True)
class ScaleOut:
    """The compute-fabric (east-west) NIC ports a rack cables to its leaf switches.

    `complete` is false when a NIC's fabric is not recorded in the catalog (its ports are then
    not counted, and the count is a lower bound).
    """

    ports: int = 0
    port_gbps: float | None = None
    complete: bool = True


@dataclass(frozen=True, slots=True)
class Supply:
    """How a design is powered: PSUs in a server's chassis (`shelf` None), or rack power shelves.

    A server keeps `spare_psus` beyond those its load needs (a published "4+2" is 2 spares);
    shelves follow `redundancy` (`rackforge.rack.power`). `servers` identical servers share a
    load evenly, each with its own PSUs (a rack of servers); shelves ignore it.
    `shelves_available` fixes the shelf count (a design's choice, or the frame's power zone):
    a load that needs more is planned on those and the plan says the redundancy is not met.
    `battery` adds battery backup shelves on the busbar.
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
    shelves_available: int | None = None
    battery: BatteryBackup | None = None

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
        shelves_available=supply.shelves_available,
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

    Supply and network figures: `shelf_load_kw` is the load on each shelf still carrying once
    the redundancy is spent, `shelf_rating_kw` what such a shelf delivers (None for a server);
    `bbu_shelves` battery backup shelves riding through `backup_s` (published hold-up at
    rating); `cdus` in-rack CDUs; `scale_out_ports` compute-fabric NIC ports at
    `scale_out_port_gbps`; `scale_up_copper_m` the longest straight vertical run between a
    compute tray and a scale-up switch tray, unit centre to centre (a lower bound of the
    copper cable's length; None without cabled scale-up switch trays placed).
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
    shelf_load_kw: float | None
    shelf_rating_kw: float | None
    bbu_shelves: int
    backup_s: float | None
    cdus: int
    scale_out_ports: int
    scale_out_port_gbps: float | None
    scale_up_copper_m: float | None
    input_power_kw: float
    psu_loss_kw: float
    psu_efficiency: float
    redundancy: str
    liquid_fraction: float
    power_complete: bool
    weight_complete: bool
    ru_complete: bool
    cost_complete: bool
    nics_complete: bool
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
    scale_out: ScaleOut | None = None,
    cdu: CduChoice | None = None,
    unit_height_mm: float | None = None,
) -> RackDesign:
    """The design of `lines` powered by `supply`: sizes the supply, places the parts, sums up.

    `unit_height_mm` (the frame's unit) turns the elevation into the copper run length.
    """
    power = tally(lines, "power_w")
    it_kw = (power.total or 0.0) / 1000.0
    shelves, psus, shelf_plan = plan_supply(it_kw, supply)
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
    bbu_shelves = whole_units(it_kw, supply.battery.capacity_kw) if supply.battery else 0
    cdus = _cdus(cdu, cooling) if cdu is not None else 0
    parts = (
        *lines,
        *_supply_lines(supply, shelves, psus, bbu_shelves),
        *_cdu_lines(cdu, cdus),
    )
    power_missing = tally(parts, "power_w").missing
    weight, cost = tally(parts, "weight_kg"), tally(parts, "cost_usd")
    unplaced = tuple(dict.fromkeys(line.part for line in parts if line.units is None))
    elevation = allocate(frame_units, _slots(parts))
    voltage = supply.busbar_voltage_v
    missing = {"power": power_missing, "weight": weight.missing, "ru": unplaced}
    missing["cost"] = cost.missing
    out = scale_out or ScaleOut()
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
        shelf_load_kw=None if shelf_plan is None else shelf_plan.shelf_load_kw,
        shelf_rating_kw=None if shelf_plan is None else shelf_plan.shelf_rating_kw,
        bbu_shelves=bbu_shelves,
        backup_s=supply.battery.holdup_s if supply.battery else None,
        cdus=cdus,
        scale_out_ports=out.ports,
        scale_out_port_gbps=out.port_gbps,
        scale_up_copper_m=_copper_run_m(parts, elevation, unit_height_mm),
        input_power_kw=cooling.power_in_kw,
        psu_loss_kw=loss_kw,
        psu_efficiency=supply.efficiency,
        redundancy=supply.redundancy_label,
        liquid_fraction=liquid_fraction,
        power_complete=not power_missing,
        weight_complete=weight.complete,
        ru_complete=not unplaced and elevation.fits,
        cost_complete=cost.complete,
        nics_complete=out.complete,
        missing={figure: parts for figure, parts in missing.items() if parts},
        assumptions=(*_operating_point(assumptions, supply), *notes),
        shelf_plan=shelf_plan,
        cooling=cooling,
        elevation=elevation,
        parts=parts,
    )


def _cdus(cdu: CduChoice, cooling: RackCooling) -> int:
    """CDUs carrying the liquid heat, and its flow where the CDU rates one."""
    by_heat = whole_units(cooling.liquid.heat_kw, cdu.capacity_kw)
    by_flow = whole_units(cooling.liquid.flow, cdu.flow_l_min) if cdu.flow_l_min else 0
    return max(by_heat, by_flow)


def _cdu_lines(cdu: CduChoice | None, cdus: int) -> list[PartLine]:
    if cdu is None or not cdus:
        return []
    return [
        _bottom_unit(
            "CDU",
            cdu.name,
            cdus,
            weight_kg=cdu.weight_kg,
            units=cdu.units,
            power_w=cdu.power_w,
            source="in-rack CDU: pump power, height and weight as catalogued (absent: unpublished)",
        )
    ]


def _copper_run_m(
    parts: Sequence[PartLine], elevation: Allocation, unit_height_mm: float | None
) -> float | None:
    """The longest vertical run between a compute tray and a switch tray, centre to centre."""
    if unit_height_mm is None:
        return None
    names = {role: {line.part for line in parts if line.role == role} for role in _SCALE_UP}
    centres: dict[str, list[float]] = {role: [] for role in _SCALE_UP}
    for placed in elevation.placements:
        part = placed.name.rsplit(" #", 1)[0]
        for role, parts_of_role in names.items():
            if part in parts_of_role:
                centres[role].append(placed.position + (placed.units - 1) / 2)
    trays, switches = centres["compute tray"], centres["switch tray"]
    if not trays or not switches:
        return None
    span_units = max(abs(t - w) for t in trays for w in switches)
    return span_units * unit_height_mm / 1000.0


_SCALE_UP = ("compute tray", "switch tray")


def _supply_lines(supply: Supply, shelves: int, psus: int, bbu_shelves: int) -> list[PartLine]:
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
            _bottom_unit(
                "power shelf",
                supply.shelf,
                shelves,
                weight_kg=supply.shelf_weight_kg,
                units=supply.shelf_units,
                source=f"{supply.psus_per_shelf} PSUs each, {supply.redundancy}",
            )
        )
    if supply.battery is not None and bbu_shelves:
        battery = supply.battery
        holdup = "" if battery.holdup_s is None else f" for {battery.holdup_s:g} s"
        lines.append(
            _bottom_unit(
                "battery backup shelf",
                battery.shelf,
                bbu_shelves,
                weight_kg=battery.weight_kg,
                units=battery.units,
                source=f"{battery.capacity_kw:g} kW each{holdup}; sized N on the IT power",
            )
        )
    return lines


def _bottom_unit(
    role: str,
    part: str,
    quantity: int,
    *,
    weight_kg: float | None,
    units: int | None,
    source: str,
    power_w: float | None = 0.0,
) -> PartLine:
    """A supply or cooling unit stacked from the bottom of the frame, with no catalog price."""
    return PartLine(
        role=role,
        part=part,
        quantity=quantity,
        power_w=power_w,
        weight_kg=weight_kg,
        cost_usd=None,
        units=units,
        position_hint="bottom",
        source=source,
    )


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
