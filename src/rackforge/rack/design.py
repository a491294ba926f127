"""Rack designs of the reference systems, built from catalog parts rather than from their totals.

`design_reference_system` lists a system's parts with each part's own catalog figures and
composes them (`rackforge.rack.figures.compose`), so the result can be checked against the
system's published power, weight and shelf counts. The published totals are never read. The
assumptions, each also echoed in the design's `assumptions`:

1. A compute tray draws its published maximum (`ComputeTray.power_w`) when the catalog has one;
   its GPUs, CPUs and NICs are inside that figure. Otherwise — and for a server, whose chassis
   is its one tray — it draws the sum of its parts: accelerators at their TDP
   (accelerators.yaml `tdp_w`), CPUs at their published maximum (`cpu_power_w` of the tray or
   server, where one is published), NVSwitch chips, NICs and the rest of the chassis (memory,
   storage, fans, boards). No figure is published for the rest, so such a design's power is a
   lower bound that names what it lacks. A server's published
   maximum (and accelerators.yaml `node_power_w`, which repeats it) is the figure under test,
   so it is never read as a part figure.
2. Switch trays, management switches, shelves, the frame and trays weigh and draw what their
   catalog entries say; absent figures are missing, never zero. Passive parts (the NVLink copper
   spine, manifolds, shelves and PSUs, whose losses are counted apart) draw no IT power.
3. Cooling: in a rack of compute trays the GPUs and CPUs sit on cold plates and the rest is
   air cooled ("cooled by liquid ... through the cold plates that are attached to the CPUs and
   the GPUs in the tray. The rest of the components ... are air cooled", NVIDIA DGX GB200 user
   guide, Compute Trays). A tray with a published maximum uses its catalog
   `liquid_cooled_fraction`, or else its GPUs' TDP share of that maximum. A server is air
   cooled (DGX H100 user guide: "Airflow 1105 CFM Front-to-Back"; the DGX B200 likewise).
4. Supply: a server keeps the spare PSUs of its published scheme ("4+2": 2 spares) beyond those
   its load needs; a rack's shelves are N+N, A and B feeds each carrying the whole load
   (third-party: Supermicro quotes 132 kW of DC output from 8 × 33 kW GB200 NVL72 shelves, half
   their nameplate). A PSU without a published efficiency is taken at the fallback efficiency.
5. Frame: a server stands in the first EIA-310 (RU) frame of the catalog, and the frame is not
   part of its figures (the published server figures exclude a rack); a rack uses the frame of
   its shelves' unit kind with the highest-rated busbar, and the frame is part of its figures.
6. Elevation: management switches at the top, switch trays mid-rack, shelves at the bottom,
   compute trays first-fit; a tray's published height (NVIDIA's "1RU") counts as one frame unit.
7. Cost: the parts the catalog prices (`unit_cost_usd`: published prices, the low end of a
   range); with any part unpriced `cost_usd` is the priced parts' sum, a lower bound naming the
   rest (`missing["cost"]`), and None when nothing is priced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from rackforge.catalog import (
    Accelerator,
    CatalogError,
    Frame,
    PowerSupply,
    RackComponents,
    ReferenceSystem,
    normalize_name,
)
from rackforge.errors import InputError, UnknownNameError
from rackforge.rack.figures import (
    BatteryBackup,
    CduChoice,
    DesignAssumptions,
    RackDesign,
    ScaleOut,
    Supply,
    compose,
)
from rackforge.rack.inputs import count
from rackforge.rack.parts import PartLine
from rackforge.rack.power import Redundancy
from rackforge.rack.system_parts import rack_parts, server_parts

RACK_REDUNDANCY: Redundancy = "N+N"


def design_reference_system(
    system: ReferenceSystem,
    components: RackComponents,
    accelerators: Mapping[str, Accelerator],
    *,
    assumptions: DesignAssumptions | None = None,
    frame: Frame | None = None,
    redundancy: Redundancy = RACK_REDUNDANCY,
    servers: int | None = None,
    options: RackOptions | None = None,
) -> RackDesign:
    """The design of `system` from its parts (module docstring for every assumption).

    `servers` stands that many of a server system in its frame, the frame counted (a rack of
    servers); left None a server is designed alone, as published. A rack system takes none.
    `options` fixes the shelf count, adds battery backup shelves or in-rack CDUs (rack systems).
    """
    chosen = assumptions or DesignAssumptions()
    accelerator = accelerators.get(normalize_name(system.accelerator))
    if accelerator is None:
        raise CatalogError(f"{system.name}: no catalog accelerator named {system.accelerator!r}")
    if servers is not None and system.kind != "server":
        raise InputError(
            f"{system.name} is a whole rack; servers per rack apply to server systems",
            where="servers_per_rack",
            fix="change compute_trays instead, or start from a server system (dgx-h100, dgx-b200)",
        )
    chosen_options = options or RackOptions()
    if system.kind == "server" and not chosen_options.empty:
        raise InputError(
            f"{system.name} is a server: its PSUs are in its chassis, its cooling is air",
            where=chosen_options.first_set(),
            fix="power shelves, battery backup and CDUs apply to rack systems (gb200-nvl72, ...)",
        )
    if system.kind == "server":
        lines = server_parts(system, components, accelerator)
        supply = _server_supply(system, components, chosen)
        housing = frame or next(f for f in components.frames if f.unit_kind == "RU")
        notes: tuple[str, ...] = _SERVER_NOTES
        if servers is not None:
            k = count("servers_per_rack", servers, minimum=1)
            lines = [replace(line, quantity=line.quantity * k) for line in lines]
            lines.append(_frame_line(housing))
            supply = replace(supply, servers=k)
            notes = (*_SERVER_NOTES[:1], f"{k} servers in a {housing.name}, the frame counted")
    else:
        lines = rack_parts(system, components, accelerator)
        supply, housing = _rack_supply(system, components, chosen, frame, redundancy)
        supply = _with_options(supply, chosen_options, housing, components, redundancy)
        lines.append(_frame_line(housing))
        notes = (*_RACK_NOTES, f"power shelves {redundancy}: A and B feeds each carry the load")
    return compose(
        name=system.name,
        title=system.title,
        kind=system.kind,
        frame=housing.name,
        frame_units=housing.height_units,
        lines=lines,
        supply=supply,
        assumptions=chosen,
        notes=notes,
        scale_out=_scale_out(system, components, servers or 1),
        cdu=_cdu(chosen_options.cdu, components),
        unit_height_mm=housing.unit_height_mm,
    )


@dataclass(frozen=True, slots=True)
class RackOptions:
    """Choices a rack system's design may make beyond its catalog entry (None/False: none).

    `power_shelves` fixes the shelf count (a frame's power zone, or a minimal viable rack
    trading redundancy for space); `battery_backup` adds the frame's class of battery backup
    shelves (the first catalog BBU shelf in the frame's unit kind whose rating is at least the
    power shelf's); `cdu` names a catalog in-rack CDU.
    """

    power_shelves: int | None = None
    battery_backup: bool = False
    cdu: str | None = None

    @property
    def empty(self) -> bool:
        return self.power_shelves is None and not self.battery_backup and self.cdu is None

    def first_set(self) -> str:
        if self.power_shelves is not None:
            return "power_shelves"
        return "battery_backup" if self.battery_backup else "cdu"


def _with_options(
    supply: Supply,
    options: RackOptions,
    frame: Frame,
    components: RackComponents,
    redundancy: Redundancy,
) -> Supply:
    shelves = options.power_shelves
    if shelves is not None:
        count("power_shelves", shelves, minimum=1)
        if redundancy == "N+N" and shelves % 2:
            raise InputError(
                f"N+N power needs shelves in A/B pairs; {shelves} is odd",
                where="power_shelves",
                fix=f"use {shelves + 1} (or {shelves - 1}) shelves, or redundancy N / N+1",
            )
    battery = _battery(frame, supply, components) if options.battery_backup else None
    return replace(supply, shelves_available=shelves, battery=battery)


def _battery(frame: Frame, supply: Supply, components: RackComponents) -> BatteryBackup:
    rating = supply.shelf_capacity_kw or 0.0
    fit = [b for b in components.bbu_shelves if b.ru_kind == frame.unit_kind]
    shelf = next((b for b in fit if b.capacity_kw >= rating), None)
    if shelf is None:
        raise InputError(
            f"no catalog battery backup shelf fits the {frame.name} frame and its "
            f"{rating:g} kW power shelves",
            where="battery_backup",
            fix=f"catalog BBU shelves: {', '.join(b.name for b in components.bbu_shelves)}",
        )
    return BatteryBackup(
        shelf=shelf.name,
        capacity_kw=shelf.capacity_kw,
        holdup_s=shelf.holdup_s,
        units=shelf.ru,
        weight_kg=shelf.weight_kg,
    )


def _cdu(name: str | None, components: RackComponents) -> CduChoice | None:
    if name is None:
        return None
    try:
        cdu = components.cdus[name]
    except UnknownNameError as err:
        raise err.located("cdu") from None
    if cdu.placement != "in-rack":
        raise InputError(
            f"{cdu.name} is an {cdu.placement} CDU; only an in-rack CDU is part of the rack",
            where="cdu",
            fix="leave cdu out (the hall's CDU rules cover in-row units) or name an in-rack CDU",
        )
    return CduChoice(
        name=cdu.name,
        capacity_kw=cdu.capacity_kw,
        flow_l_min=cdu.flow_l_min,
        units=cdu.ru,
        weight_kg=cdu.weight_kg,
    )


def _scale_out(system: ReferenceSystem, components: RackComponents, servers: int) -> ScaleOut:
    """Compute-fabric NIC ports: the system's (a server's, times `servers`) or its trays'."""
    if system.kind == "server":
        nics, copies = system.nics, servers
    else:
        tray = components.compute_trays[system.compute_tray or ""]
        nics, copies = tray.nics, system.compute_trays
    ports, speeds, complete = 0, set(), True
    for name, n in nics.items():
        nic = components.nics[name]
        if nic.fabric is None:
            complete = False
        elif nic.fabric == "compute":
            ports += copies * n * nic.ports
            speeds.add(nic.port_gbps)
    return ScaleOut(ports=ports, port_gbps=max(speeds) if speeds else None, complete=complete)


_SERVER_NOTES = (
    "server chassis as its one tray: accelerators at TDP; CPUs, NVSwitch chips, NICs and the "
    "rest of the chassis at their catalog power, where published (else a lower bound)",
    "air cooled; stands in an EIA-310 frame that is not part of its figures",
)
_RACK_NOTES = (
    "compute trays at their published maximum, else the sum of their parts (lower bound)",
    "GPUs and CPUs on cold plates, the rest air cooled (NVIDIA DGX GB200 user guide)",
    "elevation: management switches top, switch trays mid-rack, power shelves bottom",
)


def _frame_line(frame: Frame) -> PartLine:
    return PartLine(
        role="frame", part=frame.name, quantity=1, power_w=0.0, weight_kg=frame.weight_kg
    )


def _server_supply(
    system: ReferenceSystem, components: RackComponents, assumptions: DesignAssumptions
) -> Supply:
    if system.psu is None:
        raise CatalogError(f"{system.name}: a server names its PSU (psu)")
    psu = components.power_supplies[system.psu]
    efficiency, source = _efficiency(psu, assumptions)
    return Supply(
        psu=psu.name,
        psu_kw=psu.output_kw,
        efficiency=efficiency,
        efficiency_source=source,
        spare_psus=_spare_psus(system),
    )


def _rack_supply(
    system: ReferenceSystem,
    components: RackComponents,
    assumptions: DesignAssumptions,
    frame: Frame | None,
    redundancy: Redundancy,
) -> tuple[Supply, Frame]:
    if system.power_shelf is None:
        raise CatalogError(f"{system.name}: a rack names its power shelf (power_shelf)")
    shelf = components.power_shelves[system.power_shelf]
    psu = components.power_supplies[shelf.psu]
    housing = frame or max(
        (f for f in components.frames if f.unit_kind == shelf.ru_kind),
        key=lambda f: (components.busbars[f.busbar].max_power_kw or 0.0) if f.busbar else 0.0,
    )
    busbar = components.busbars[housing.busbar] if housing.busbar else None
    efficiency, source = _efficiency(psu, assumptions)
    supply = Supply(
        psu=psu.name,
        psu_kw=psu.output_kw,
        efficiency=efficiency,
        efficiency_source=source,
        redundancy=redundancy,
        shelf=shelf.name,
        psus_per_shelf=shelf.psus,
        shelf_capacity_kw=shelf.capacity_kw,
        shelf_units=shelf.ru,
        shelf_weight_kg=shelf.weight_kg,
        busbar_voltage_v=busbar.voltage_v if busbar else shelf.output_voltage_v,
    )
    return supply, housing


def _efficiency(psu: PowerSupply, assumptions: DesignAssumptions) -> tuple[float, str]:
    """The PSU's full-load efficiency (sized at maximum), its peak one, or the fallback."""
    if psu.full_load_efficiency is not None:
        return psu.full_load_efficiency, f"{psu.name} full-load efficiency (catalog)"
    if psu.efficiency is not None:
        return psu.efficiency, f"{psu.name} peak efficiency (catalog)"
    return (
        assumptions.fallback_psu_efficiency,
        f"assumed: {psu.name} publishes none; ORv3 3 kW rectifier full-load figure",
    )


def _spare_psus(system: ReferenceSystem) -> int:
    """Spares of a published "k+m" PSU scheme (m); none when no scheme is published."""
    if system.psu_redundancy is None:
        return 0
    match = re.fullmatch(r"\s*(\d+)\s*\+\s*(\d+)\s*", system.psu_redundancy)
    if match is None:
        raise CatalogError(
            f"{system.name}: psu_redundancy {system.psu_redundancy!r} is not of the form k+m"
        )
    return int(match.group(2))
