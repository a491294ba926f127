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
7. Cost: the catalog carries no unit costs, so `cost_usd` stays None until it does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from rackforge.catalog import (
    Accelerator,
    CatalogError,
    Frame,
    PowerSupply,
    RackComponents,
    ReferenceSystem,
    normalize_name,
)
from rackforge.errors import InputError
from rackforge.rack.figures import DesignAssumptions, RackDesign, Supply, compose
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
) -> RackDesign:
    """The design of `system` from its parts (module docstring for every assumption).

    `servers` stands that many of a server system in its frame, the frame counted (a rack of
    servers); left None a server is designed alone, as published. A rack system takes none.
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
    )


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
