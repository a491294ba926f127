"""A reference system's parts list, line by line, from its catalog entries.

Each line carries the part's own catalog figures, or None where the catalog has none; the
assumptions behind the lines are listed in `rackforge.rack.design`. Lines also carry their
catalog supply facts (makers, lead time) and, for a module, the purchased parts inside one unit
(`PartLine.contents`): its HBM stacks where the catalog counts them (`hbm_stacks`), and a cold
plate on each package the design cools by liquid. Those contents are inside their module's
power and weight (0.0 on the line), so no figure is counted twice.
"""

from __future__ import annotations

from collections.abc import Mapping

from rackforge.catalog import (
    Accelerator,
    CatalogError,
    ComputeTray,
    RackComponents,
    ReferenceSystem,
)
from rackforge.rack.parts import PartLine


def server_parts(
    system: ReferenceSystem, components: RackComponents, accelerator: Accelerator
) -> list[PartLine]:
    """A server: its chassis (the rest of the box) and the parts inside it."""
    inside = f"weight in the {system.title}'s"
    lines = [
        PartLine(
            role="server",
            part=f"{system.title} chassis",
            quantity=1,
            units=system.ru,
            position_hint="bottom",
            source="memory, storage, fans, boards: no figure is published apart from the whole",
        ),
        PartLine(
            role="accelerator",
            part=accelerator.name,
            quantity=system.accelerators,
            power_w=accelerator.tdp_w,
            weight_kg=0.0,
            source=f"TDP (accelerators.yaml); {inside}",
            makers=accelerator.makers,
            lead_time_weeks=accelerator.lead_time_weeks,
            cost_usd=accelerator.unit_cost_usd,
            contents=_accelerator_contents(accelerator, liquid=False),
        ),
    ]
    if system.cpus:
        cpu_source = "no CPU power published" if system.cpu_power_w is None else "cpu_power_w"
        lines.append(
            _cpus(
                system.cpus,
                power_w=system.cpu_power_w,
                liquid=0.0,
                source=f"{cpu_source} (systems.yaml); {inside}",
            )
        )
    if system.nvlink_switch_chips:
        lines.append(
            PartLine(
                role="NVSwitch chip",
                part="NVSwitch chip",
                quantity=system.nvlink_switch_chips,
                weight_kg=0.0,
                source=f"no NVSwitch chip power is published; {inside}",
            )
        )
    return lines + _nic_lines(system.nics, components, included=False)


def rack_parts(
    system: ReferenceSystem, components: RackComponents, accelerator: Accelerator
) -> list[PartLine]:
    """A rack: compute trays and their parts, switch trays and spine, management switches."""
    if system.compute_tray is None:
        raise CatalogError(f"{system.name}: a rack names its compute tray (compute_tray)")
    tray = components.compute_trays[system.compute_tray]
    n = system.compute_trays
    published = tray.power_w is not None
    gpu_w = accelerator.tdp_w
    lines = [
        PartLine(
            role="compute tray",
            part=tray.name,
            quantity=n,
            power_w=tray.power_w,
            weight_kg=tray.weight_kg,
            units=tray.ru,
            liquid_fraction=_tray_liquid_fraction(tray, gpu_w),
            source="published tray maximum"
            if published
            else "tray maximum not published: memory, fans, boards have no figure",
            makers=tray.makers,
            lead_time_weeks=tray.lead_time_weeks,
        ),
        PartLine(
            role="accelerator",
            part=accelerator.name,
            quantity=n * tray.accelerators,
            power_w=0.0 if published else gpu_w,
            weight_kg=0.0,
            liquid_fraction=1.0,
            source="in the tray's maximum" if published else "TDP (accelerators.yaml)",
            makers=accelerator.makers,
            lead_time_weeks=accelerator.lead_time_weeks,
            cost_usd=accelerator.unit_cost_usd,
            contents=_accelerator_contents(accelerator, liquid=True),
        ),
    ]
    if tray.cpus:
        if published:
            power_w: float | None = 0.0
            source = "in the tray's maximum"
        else:
            power_w = tray.cpu_power_w
            source = "no CPU power published" if power_w is None else "tray cpu_power_w"
        lines.append(_cpus(n * tray.cpus, power_w=power_w, liquid=1.0, source=source))
    nics = {name: n * count for name, count in tray.nics.items()}
    lines += _nic_lines(nics, components, included=published)
    lines += _switch_lines(system, components)
    if any(line.liquid_fraction > 0 for line in lines):
        lines.append(
            PartLine(
                role="liquid manifold",
                part="rack liquid manifold",
                quantity=1,
                power_w=0.0,
                source="passive; no manifold is catalogued (no public weight or flow rating)",
            )
        )
    return lines


def _tray_liquid_fraction(tray: ComputeTray, gpu_w: float | None) -> float:
    """The tray's catalog liquid share, else its GPUs' TDP share of its published maximum."""
    if tray.liquid_cooled_fraction is not None:
        return tray.liquid_cooled_fraction
    if tray.power_w is None or gpu_w is None:
        return 0.0  # no power figure on the line: its share weighs nothing in the design's
    return min(1.0, tray.accelerators * gpu_w / tray.power_w)


def _cpus(count: int, *, power_w: float | None, liquid: float, source: str) -> PartLine:
    return PartLine(
        role="CPU",
        part="CPU",
        quantity=count,
        power_w=power_w,
        weight_kg=0.0,
        liquid_fraction=liquid,
        source=source,
        contents=(_cold_plate("CPU"),) if liquid > 0 else (),
    )


def _accelerator_contents(accelerator: Accelerator, *, liquid: bool) -> tuple[PartLine, ...]:
    """One accelerator's HBM stacks (where the catalog counts them) and, cooled by liquid, its
    cold plate."""
    contents: list[PartLine] = []
    if accelerator.hbm_stacks is not None:
        contents.append(
            PartLine(
                role="HBM stack",
                part=f"HBM stack for {accelerator.name}",
                quantity=accelerator.hbm_stacks,
                power_w=0.0,
                weight_kg=0.0,
                cost_usd=0.0,
                source="hbm_stacks (accelerators.yaml); power, weight and price in the "
                "accelerator's",
            )
        )
    if liquid:
        contents.append(_cold_plate(accelerator.name))
    return tuple(contents)


def _cold_plate(package: str) -> PartLine:
    """The cold plate on one liquid-cooled package: uncatalogued, so nameless and unpriced."""
    return PartLine(
        role="cold plate",
        part=f"cold plate for {package}",
        quantity=1,
        power_w=0.0,
        weight_kg=0.0,
        source="one per liquid-cooled package (NVIDIA DGX GB200 user guide: liquid flows "
        '"through the cold plates that are attached to the CPUs and the GPUs in the tray"); '
        "no cold plate is catalogued: no model, cost or weight is published (weight in the "
        "tray's)",
    )


def _nic_lines(
    nics: Mapping[str, int], components: RackComponents, *, included: bool
) -> list[PartLine]:
    """NICs inside a tray or chassis: weight always in their host's, power when `included`."""
    return [
        PartLine(
            role="NIC",
            part=nic.name,
            quantity=count,
            power_w=0.0 if included else nic.power_w,
            weight_kg=0.0,
            source="in the tray's maximum" if included else "NIC power_w",
            makers=nic.makers,
            lead_time_weeks=nic.lead_time_weeks,
            cost_usd=nic.unit_cost_usd,
        )
        for name, count in nics.items()
        for nic in [components.nics[name]]
    ]


def _switch_lines(system: ReferenceSystem, components: RackComponents) -> list[PartLine]:
    """Scale-up switch trays with their copper spine, and the management switches."""
    lines: list[PartLine] = []
    if system.switch_tray is not None and system.switch_trays:
        tray = components.switches[system.switch_tray]
        lines.append(
            PartLine(
                role="switch tray",
                part=tray.name,
                quantity=system.switch_trays,
                power_w=tray.power_w,
                weight_kg=tray.weight_kg,
                units=tray.ru,
                position_hint="middle",
                source="catalog switch entry",
                makers=tray.makers,
                lead_time_weeks=tray.lead_time_weeks,
            )
        )
        spine = next((c for c in components.cables if c.kind == "nvlink-spine"), None)
        if spine is not None:
            lines.append(
                PartLine(
                    role="NVLink spine",
                    part=spine.name,
                    quantity=1,
                    power_w=0.0,
                    source="passive copper; no weight is published",
                )
            )
    if system.management_switches:
        named = system.management_switch
        switch = None if named is None else components.switches[named]
        lines.append(
            PartLine(
                role="management switch",
                part=switch.name if switch else "management switch (model not published)",
                quantity=system.management_switches,
                power_w=switch.power_w if switch else None,
                weight_kg=switch.weight_kg if switch else None,
                units=switch.ru if switch else None,
                position_hint="top",
                source="catalog switch entry" if switch else "the system names no model",
                makers=switch.makers if switch else None,
                lead_time_weeks=switch.lead_time_weeks if switch else None,
            )
        )
    return lines
