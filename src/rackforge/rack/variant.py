"""A design derived from a catalog system by a few named changes: the unit of a generation.

A design generation (`rackforge.rack.generations`) is a catalog reference system plus the
changes made to it so far. The changes a rack engineer makes between generations are few and
physical, and each maps onto the catalog entry it alters:

- `compute_trays`: trays in the rack (a rack system) — fewer for a minimal viable rack, e.g. 9
  of an NVL72's 18; the GPUs, CPUs and NICs follow the tray count (`rack.system_parts`);
- `compute_tray`: another catalog tray (a part change, e.g. GB200 → GB300 trays); the
  rack's accelerator becomes the tray's;
- `switch_trays`: scale-up switch trays in the rack;
- `servers_per_rack`: servers of a server system stood in one frame;
- `frame`, `power_shelf`: other catalog entries; `redundancy`: N, N+1 or N+N power shelves;
- `power_shelves`: a fixed shelf count; `battery_backup`: battery backup shelves on the busbar;
  `cdu`: an in-rack CDU from the catalog (`rack.design.RackOptions`).

A change left None keeps what the catalog system (or the previous generation) has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import TypeVar

from rackforge.catalog import Accelerator, PartTable, RackComponents, RackPart, ReferenceSystem
from rackforge.errors import InputError, UnknownNameError
from rackforge.rack.design import RACK_REDUNDANCY, RackOptions, design_reference_system
from rackforge.rack.figures import DesignAssumptions, RackDesign
from rackforge.rack.power import REDUNDANCIES, Redundancy

T = TypeVar("T", bound=RackPart)


@dataclass(frozen=True, slots=True)
class DesignChanges:
    """What a design changes from its catalog system; None keeps the system's own."""

    compute_trays: int | None = None
    compute_tray: str | None = None
    switch_trays: int | None = None
    servers_per_rack: int | None = None
    frame: str | None = None
    power_shelf: str | None = None
    redundancy: Redundancy | None = None
    power_shelves: int | None = None
    battery_backup: bool | None = None
    cdu: str | None = None

    def then(self, later: DesignChanges) -> DesignChanges:
        """These changes followed by `later`'s: a change `later` makes wins."""
        return replace(
            self,
            **{
                f.name: getattr(later, f.name)
                for f in fields(later)
                if getattr(later, f.name) is not None
            },
        )

    def described(self) -> tuple[str, ...]:
        """Each change made, as `name → value` text, in field order."""
        return tuple(
            f"{f.name} → {getattr(self, f.name)}"
            for f in fields(self)
            if getattr(self, f.name) is not None
        )

    @property
    def empty(self) -> bool:
        return not self.described()


def changed_system(
    system: ReferenceSystem, changes: DesignChanges, components: RackComponents
) -> ReferenceSystem:
    """`system` with the catalog-entry changes applied (trays, shelf), checked and counted.

    Raises InputError located at the change's key for a change the system cannot take, and
    UnknownNameError for a catalog name that does not exist.
    """
    update: dict[str, object] = {}
    if system.kind == "server":
        for key in ("compute_trays", "compute_tray", "switch_trays", "power_shelf"):
            if getattr(changes, key) is not None:
                raise InputError(
                    f"{system.name} is a server; {key} applies to rack systems",
                    where=key,
                    fix="use servers_per_rack, or start from a rack system (gb200-nvl72, ...)",
                )
        return system
    tray_name = changes.compute_tray or system.compute_tray
    if changes.compute_tray is not None:
        tray = _entry(components.compute_trays, changes.compute_tray, "compute_tray")
        update |= {"compute_tray": tray.name, "accelerator": tray.accelerator}
        tray_name = tray.name
    trays = changes.compute_trays or system.compute_trays
    if changes.compute_trays is not None or changes.compute_tray is not None:
        tray = components.compute_trays[tray_name or ""]
        update |= {
            "compute_trays": trays,
            "accelerators": trays * tray.accelerators,
            "cpus": trays * tray.cpus,
        }
    if changes.switch_trays is not None:
        if system.switch_tray is None:
            raise InputError(
                f"{system.name} names no switch tray to count",
                where="switch_trays",
                fix="leave switch_trays out for this system",
            )
        update["switch_trays"] = changes.switch_trays
    if changes.power_shelf is not None:
        shelf = _entry(components.power_shelves, changes.power_shelf, "power_shelf")
        update |= {"power_shelf": shelf.name}
    return system.model_copy(update=update)


def design_variant(
    system: ReferenceSystem,
    changes: DesignChanges,
    components: RackComponents,
    accelerators: Mapping[str, Accelerator],
    *,
    name: str,
    title: str,
    assumptions: DesignAssumptions | None = None,
) -> RackDesign:
    """The design of `system` with `changes`, called `name` (e.g. `nvl72-405b@v1`)."""
    changed = changed_system(system, changes, components)
    redundancy = changes.redundancy or RACK_REDUNDANCY
    if redundancy not in REDUNDANCIES:
        raise InputError(
            f"unknown redundancy {redundancy!r}", where="redundancy", fix="use N, N+1 or N+N"
        )
    frame = None if changes.frame is None else _entry(components.frames, changes.frame, "frame")
    design = design_reference_system(
        changed.model_copy(update={"name": name}),
        components,
        accelerators,
        assumptions=assumptions,
        frame=frame,
        redundancy=redundancy,
        servers=changes.servers_per_rack,
        options=RackOptions(
            power_shelves=changes.power_shelves,
            battery_backup=bool(changes.battery_backup),
            cdu=changes.cdu,
        ),
    )
    return replace(design, title=title)


def scale_up_domain(
    system: ReferenceSystem, changes: DesignChanges, components: RackComponents
) -> int:
    """Accelerators one scale-up (NVLink) domain joins: a server's all, or a rack's all when
    switch trays join its trays, else one tray's."""
    changed = changed_system(system, changes, components)
    if changed.kind == "server" or changed.switch_trays:
        return changed.accelerators
    return components.compute_trays[changed.compute_tray or ""].accelerators


def _entry(table: PartTable[T], name: str, key: str) -> T:
    try:
        return table[name]
    except UnknownNameError as err:
        raise err.located(key) from None
