"""Finds rack components and reference systems in the shipped catalog by name.

`rack_components.yaml` holds a `version:` and one list per kind of part; `systems.yaml` holds a
`version:` and `systems:`. As in rackforge.catalog.loader, an entry may carry `aliases:`, lookups
ignore case and punctuation, a malformed file raises CatalogError naming the file and the entry,
and each file is read once per process. References between entries (a shelf's PSU, a frame's
busbar, a system's trays, switches, NICs and shelves, every accelerator) are checked on load, so
a name that resolves nowhere is a catalog bug reported at once, not a KeyError in a design.

loader.parse_catalog is not reused: its entry type is constrained to the three catalog record
types and it admits a single list per file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Generic, TypeVar

import yaml

from rackforge.catalog.loader import CatalogError, accelerators, find_accelerator, index_entries
from rackforge.catalog.rack_schema import (
    BbuShelf,
    Busbar,
    Cable,
    Cdu,
    ColdPlate,
    ComputeTray,
    Frame,
    Manifold,
    Nic,
    Optic,
    PowerShelf,
    PowerSupply,
    RackPart,
    ReferenceSystem,
    Switch,
)
from rackforge.catalog.schema import normalize_name
from rackforge.errors import UnknownNameError

PartT = TypeVar("PartT", bound=RackPart)
PartT_co = TypeVar("PartT_co", bound=RackPart, covariant=True)

_PACKAGE = "rackforge.catalog"
_COMPONENTS = "rack_components.yaml"
_SYSTEMS = "systems.yaml"
_COMPONENT_SECTIONS = {
    "power_supplies": "power supply",
    "power_shelves": "power shelf",
    "bbu_shelves": "battery backup shelf",
    "busbars": "busbar",
    "frames": "frame",
    "cdus": "CDU",
    "cold_plates": "cold plate",
    "manifolds": "manifold",
    "nics": "NIC",
    "switches": "switch",
    "optics": "optic",
    "cables": "cable",
    "compute_trays": "compute tray",
}


@dataclass(frozen=True)
class PartTable(Generic[PartT_co]):
    """The parts of one kind, each under its normalized name and every normalized alias."""

    kind: str
    by_key: Mapping[str, PartT_co]

    def __getitem__(self, name: str) -> PartT_co:
        found = self.find(name)
        if found is None:
            raise UnknownNameError(
                f"no {self.kind} named {name!r} in the catalog", fix=self.suggest(name)
            )
        return found

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.find(name) is not None

    def __iter__(self) -> Iterator[PartT_co]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self.entries())

    def find(self, name: str) -> PartT_co | None:
        """The part with this name or alias (case and punctuation ignored), or None."""
        return self.by_key.get(normalize_name(name))

    def entries(self) -> list[PartT_co]:
        """Every part once, in file order."""
        return list({id(part): part for part in self.by_key.values()}.values())

    def names(self) -> list[str]:
        """Every part's canonical name, sorted."""
        return sorted(part.name for part in self.entries())

    def suggest(self, name: str) -> str:
        """A fix for an unknown name: the closest names, or every name when none is close."""
        close = difflib.get_close_matches(normalize_name(name), self.by_key, n=5, cutoff=0.6)
        nearest = list(dict.fromkeys(self.by_key[key].name for key in close))
        return "use one of: " + ", ".join(nearest or self.names())


@dataclass(frozen=True)
class RackComponents:
    """The rack-component catalog, one table per kind of part."""

    version: str
    power_supplies: PartTable[PowerSupply]
    power_shelves: PartTable[PowerShelf]
    bbu_shelves: PartTable[BbuShelf]
    busbars: PartTable[Busbar]
    frames: PartTable[Frame]
    cdus: PartTable[Cdu]
    cold_plates: PartTable[ColdPlate]
    manifolds: PartTable[Manifold]
    nics: PartTable[Nic]
    switches: PartTable[Switch]
    optics: PartTable[Optic]
    cables: PartTable[Cable]
    compute_trays: PartTable[ComputeTray]

    def parts(self) -> list[RackPart]:
        """Every catalogued part, each once, kind by kind."""
        tables: tuple[PartTable[RackPart], ...] = (
            self.power_supplies,
            self.power_shelves,
            self.bbu_shelves,
            self.busbars,
            self.frames,
            self.cdus,
            self.cold_plates,
            self.manifolds,
            self.nics,
            self.switches,
            self.optics,
            self.cables,
            self.compute_trays,
        )
        return [part for table in tables for part in table.entries()]


@dataclass(frozen=True)
class ReferenceSystemCatalog:
    """The reference systems file: its version and its systems."""

    version: str
    systems: PartTable[ReferenceSystem]


def parse_rack_components(text: str, *, file: str) -> RackComponents:
    """Parse a rack-components file; a malformed file raises CatalogError naming file and entry."""
    version, document = _document(text, file=file, list_keys=tuple(_COMPONENT_SECTIONS))
    components = RackComponents(
        version=version,
        power_supplies=_table(document, file, "power_supplies", PowerSupply),
        power_shelves=_table(document, file, "power_shelves", PowerShelf),
        bbu_shelves=_table(document, file, "bbu_shelves", BbuShelf),
        busbars=_table(document, file, "busbars", Busbar),
        frames=_table(document, file, "frames", Frame),
        cdus=_table(document, file, "cdus", Cdu),
        cold_plates=_table(document, file, "cold_plates", ColdPlate),
        manifolds=_table(document, file, "manifolds", Manifold),
        nics=_table(document, file, "nics", Nic),
        switches=_table(document, file, "switches", Switch),
        optics=_table(document, file, "optics", Optic),
        cables=_table(document, file, "cables", Cable),
        compute_trays=_table(document, file, "compute_trays", ComputeTray),
    )
    _check_components(components, file)
    return components


def parse_reference_systems(
    text: str, *, file: str, components: RackComponents
) -> ReferenceSystemCatalog:
    """Parse a reference-systems file whose part names must resolve in `components`."""
    version, document = _document(text, file=file, list_keys=("systems",))
    systems = _table(document, file, "systems", ReferenceSystem, label="reference system")
    if not systems.by_key:
        raise CatalogError(f"{file}: 'systems' must be a non-empty list of entries")
    for system in systems.entries():
        _check_system(system, components, where=f"{file}: systems ({system.name!r})")
    return ReferenceSystemCatalog(version=version, systems=systems)


def rack_components() -> RackComponents:
    """The shipped rack-component catalog (read once; its tables are read-only)."""
    return _components_file()


def reference_systems() -> dict[str, ReferenceSystem]:
    """Every reference system once, keyed by its canonical name (e.g. "dgx-h100"), file order."""
    return {system.name: system for system in _systems_file().systems.entries()}


def reference_system(name: str) -> ReferenceSystem:
    """The reference system with this name or alias (case and punctuation ignored)."""
    return _systems_file().systems[name]


def _document(text: str, *, file: str, list_keys: tuple[str, ...]) -> tuple[str, dict[str, object]]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise CatalogError(f"{file}: expected a mapping with 'version' and {list(list_keys)}")
    unexpected = sorted(str(key) for key in document if key not in ("version", *list_keys))
    if unexpected:
        raise CatalogError(f"{file}: unexpected top-level keys {unexpected}")
    version = document.get("version")
    if not isinstance(version, str) or not version:
        raise CatalogError(f"{file}: 'version' must be a non-empty string such as \"2026.11\"")
    return version, document


def _table(
    document: dict[str, object],
    file: str,
    list_key: str,
    part_type: type[PartT],
    *,
    label: str | None = None,
) -> PartTable[PartT]:
    entries = document.get(list_key)
    if not isinstance(entries, list):
        raise CatalogError(
            f"{file}: '{list_key}' must be a list of entries (write [] when none is catalogued)"
        )
    by_key = index_entries(entries, where=f"{file}: {list_key}", entry_type=part_type)
    return PartTable(kind=label or _COMPONENT_SECTIONS[list_key], by_key=MappingProxyType(by_key))


def _resolve(table: PartTable[PartT], name: str, *, where: str) -> PartT:
    found = table.find(name)
    if found is None:
        raise CatalogError(f"{where}: no {table.kind} named {name!r}; {table.suggest(name)}")
    return found


def _check_accelerator(name: str, *, where: str) -> None:
    if find_accelerator(name) is None:
        known = sorted({accel.name for accel in accelerators().values()})
        raise CatalogError(f"{where}: no catalog accelerator named {name!r}; use one of: {known}")


def _check_components(components: RackComponents, file: str) -> None:
    for shelf in components.power_shelves:
        where = f"{file}: power_shelves ({shelf.name!r})"
        psu = _resolve(components.power_supplies, shelf.psu, where=where)
        if shelf.capacity_kw > shelf.psus * psu.output_kw * (1 + 1e-9):
            raise CatalogError(
                f"{where}: capacity_kw {shelf.capacity_kw} exceeds {shelf.psus} × "
                f"{psu.output_kw} kW ({psu.name})"
            )
    for frame in components.frames:
        if frame.busbar is not None:
            _resolve(components.busbars, frame.busbar, where=f"{file}: frames ({frame.name!r})")
    for tray in components.compute_trays:
        where = f"{file}: compute_trays ({tray.name!r})"
        _check_accelerator(tray.accelerator, where=where)
        for nic in tray.nics:
            _resolve(components.nics, nic, where=where)


def _check_system(system: ReferenceSystem, components: RackComponents, *, where: str) -> None:
    _check_accelerator(system.accelerator, where=where)
    if system.compute_tray is not None:
        tray = _resolve(components.compute_trays, system.compute_tray, where=where)
        if find_accelerator(tray.accelerator) != find_accelerator(system.accelerator):
            raise CatalogError(
                f"{where}: accelerator {system.accelerator!r} differs from its compute tray's "
                f"{tray.accelerator!r}"
            )
        if system.accelerators != system.compute_trays * tray.accelerators:
            raise CatalogError(
                f"{where}: accelerators {system.accelerators} ≠ {system.compute_trays} trays × "
                f"{tray.accelerators}"
            )
    for switch_name in (system.switch_tray, system.management_switch):
        if switch_name is not None:
            _resolve(components.switches, switch_name, where=where)
    if system.switch_tray is not None:
        tray_kind = components.switches[system.switch_tray].kind
        if tray_kind != "nvlink":
            raise CatalogError(f"{where}: switch_tray {system.switch_tray!r} is {tray_kind}")
    for nic in system.nics:
        _resolve(components.nics, nic, where=where)
    if system.psu is not None:
        _resolve(components.power_supplies, system.psu, where=where)
    if system.power_shelf is not None:
        _resolve(components.power_shelves, system.power_shelf, where=where)


def _read(file: str) -> str:
    try:
        return resources.files(_PACKAGE).joinpath(file).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogError(
            f"{file}: missing from the installed package (pyproject package-data "
            "'catalog/**/*.yaml' ships it)"
        ) from exc


@cache
def _components_file() -> RackComponents:
    return parse_rack_components(_read(_COMPONENTS), file=_COMPONENTS)


@cache
def _systems_file() -> ReferenceSystemCatalog:
    return parse_reference_systems(_read(_SYSTEMS), file=_SYSTEMS, components=_components_file())
