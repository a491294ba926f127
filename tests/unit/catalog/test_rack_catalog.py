"""The rack-component catalog and reference systems: sourced, consistent, found by name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from types import MappingProxyType
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from rackforge import catalog
from rackforge.catalog import Busbar, PowerShelf, RackPart, ReferenceSystem
from rackforge.catalog.loader import CatalogError
from rackforge.catalog.rack_catalog import parse_rack_components, parse_reference_systems
from rackforge.errors import UnknownNameError

COMPONENTS = catalog.rack_components()
SYSTEMS = list(catalog.reference_systems().values())
RECORDS: list[RackPart] = [*COMPONENTS.parts(), *SYSTEMS]
SECTIONS = (
    "power_supplies",
    "power_shelves",
    "bbu_shelves",
    "busbars",
    "frames",
    "cdus",
    "cold_plates",
    "manifolds",
    "nics",
    "switches",
    "optics",
    "cables",
    "compute_trays",
)


def numeric_fields(record: BaseModel) -> Iterator[str]:
    """Every set field that holds a number, or a table of numbers (a NIC count per NIC)."""
    for field in sorted(record.model_fields_set - {"sources", "unverified"}):
        value = getattr(record, field)
        if isinstance(value, dict):
            value = next(iter(value.values()), None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            yield field


def components_text(**sections: list[dict[str, Any]]) -> str:
    """A rack-components file with every section present, empty unless given."""
    document: dict[str, Any] = {"version": "1", **{key: [] for key in SECTIONS}}
    document.update(sections)
    return yaml.safe_dump(document, sort_keys=False)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.name)
def test_every_number_in_the_rack_catalog_names_its_source(record: RackPart) -> None:
    for field in numeric_fields(record):
        assert record.sources.get(field, "").strip(), f"{record.name}: {field} has no source"


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.name)
def test_every_source_cites_a_field_the_entry_sets(record: RackPart) -> None:
    assert set(record.sources) <= record.model_fields_set, record.name


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.name)
def test_a_figure_from_a_third_party_is_marked_unverified(record: RackPart) -> None:
    third_party = {f for f, text in record.sources.items() if "third-party" in text.lower()}
    assert third_party <= set(record.unverified), record.name


def test_every_kind_of_part_the_rack_engine_needs_is_catalogued() -> None:
    populated = {
        "power_supplies": COMPONENTS.power_supplies,
        "power_shelves": COMPONENTS.power_shelves,
        "bbu_shelves": COMPONENTS.bbu_shelves,
        "busbars": COMPONENTS.busbars,
        "frames": COMPONENTS.frames,
        "cdus": COMPONENTS.cdus,
        "nics": COMPONENTS.nics,
        "switches": COMPONENTS.switches,
        "optics": COMPONENTS.optics,
        "cables": COMPONENTS.cables,
        "compute_trays": COMPONENTS.compute_trays,
    }
    assert [kind for kind, table in populated.items() if not len(table)] == []
    assert {frame.standard for frame in COMPONENTS.frames} == {"ORv3", "ORv3 HPR", "EIA-310"}
    assert {switch.kind for switch in COMPONENTS.switches} == {"nvlink", "ethernet", "infiniband"}
    assert {optic.port_gbps for optic in COMPONENTS.optics} == {400, 800}


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        ("dgx-h100", "max_power_kw", 10.2),  # DGX H100 user guide, Table 3
        ("dgx-h100", "psus", 6),  # "6 x 3.3 kW", 4+2
        ("dgx-h100", "weight_kg", 130.45),  # "287.6 lbs (130.45 kg) max"
        ("dgx-h100", "ru", 8),
        ("dgx-b200", "max_power_kw", 14.3),  # DGX B200 user guide, Power Specifications
        ("dgx-b200", "psus", 6),
        ("dgx-b200", "weight_kg", 142.4),  # "313.9 lbs (142.4 kg) max"
        ("dgx-b200", "ru", 10),
        ("gb200-nvl72", "accelerators", 72),
        ("gb200-nvl72", "compute_trays", 18),  # DGX GB200 user guide
        ("gb200-nvl72", "switch_trays", 9),
        ("gb200-nvl72", "power_shelves", 8),  # NVIDIA BCM power shelf integration
        ("gb200-nvl72", "max_power_kw", 120),  # third-party (ServeTheHome, GTC 2024)
        ("gb200-nvl72", "weight_kg", 1360),  # third-party, "1.36 metric tons (3,000 lbs)"
        ("gb300-nvl72", "max_power_kw", 142),  # NVIDIA Enterprise RA, "up to 142 kW"
        ("gb300-nvl72", "power_shelves", 8),
    ],
)
def test_reference_systems_carry_their_published_figures(
    name: str, field: str, expected: float
) -> None:
    assert getattr(catalog.reference_system(name), field) == pytest.approx(expected)


def test_an_orv3_hpr_shelf_is_six_psus_of_5_5_kw_making_33_kw() -> None:
    shelf = COMPONENTS.power_shelves["ORv3 HPR power shelf 33 kW"]
    psu = COMPONENTS.power_supplies[shelf.psu]
    assert (shelf.psus, psu.output_kw, shelf.capacity_kw) == (6, 5.5, 33)


@pytest.mark.parametrize("shelf", COMPONENTS.power_shelves.entries(), ids=lambda s: s.name)
def test_a_shelf_capacity_is_its_psu_count_times_their_output(shelf: PowerShelf) -> None:
    psu = COMPONENTS.power_supplies[shelf.psu]
    assert shelf.capacity_kw == pytest.approx(shelf.psus * psu.output_kw)


@pytest.mark.parametrize("system", SYSTEMS, ids=lambda s: s.name)
def test_each_reference_system_runs_a_catalog_accelerator(system: ReferenceSystem) -> None:
    accel = catalog.accelerator(system.accelerator)
    if system.compute_tray is not None:
        tray = COMPONENTS.compute_trays[system.compute_tray]
        assert catalog.accelerator(tray.accelerator) == accel
        assert system.compute_trays * tray.accelerators == system.accelerators


@pytest.mark.parametrize(
    "system", [s for s in SYSTEMS if s.power_shelves is not None], ids=lambda s: s.name
)
def test_a_racks_published_shelves_can_carry_its_published_power(system: ReferenceSystem) -> None:
    assert system.power_shelf is not None and system.max_power_kw is not None
    shelf = COMPONENTS.power_shelves[system.power_shelf]
    assert (system.power_shelves or 0) * shelf.capacity_kw >= system.max_power_kw


@pytest.mark.parametrize("system", [s for s in SYSTEMS if s.psus], ids=lambda s: s.name)
def test_a_servers_psus_less_its_spares_carry_its_published_power(system: ReferenceSystem) -> None:
    assert system.psu is not None and system.psu_redundancy is not None
    assert system.max_power_kw is not None
    match = re.fullmatch(r"(\d+)\+(\d+)", system.psu_redundancy)
    assert match is not None, system.psu_redundancy
    working, spares = int(match[1]), int(match[2])
    assert working + spares == system.psus
    assert working * COMPONENTS.power_supplies[system.psu].output_kw >= system.max_power_kw


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("dgx-h100", "dgx-h100"),
        ("DGX H100", "dgx-h100"),
        ("NVIDIA DGX H100", "dgx-h100"),
        ("dgx_b200", "dgx-b200"),
        ("GB200 NVL72", "gb200-nvl72"),
        ("DGX GB200", "gb200-nvl72"),
        ("gb300nvl72", "gb300-nvl72"),
    ],
)
def test_a_reference_system_is_found_by_alias_ignoring_case_and_punctuation(
    spelling: str, name: str
) -> None:
    assert catalog.reference_system(spelling).name == name


def test_rack_parts_are_found_by_alias_in_their_table() -> None:
    assert COMPONENTS.power_shelves["33 kW power shelf"].capacity_kw == 33
    assert COMPONENTS.frames["open rack v3"].name == "ORv3"
    assert COMPONENTS.nics["cx-7"].port_gbps == 400
    assert "SN5600" in COMPONENTS.switches
    assert "SN9999" not in COMPONENTS.switches


@pytest.mark.parametrize(
    ("typo", "suggested"),
    [("dgx-h10O", "dgx-h100"), ("dgx-b2OO", "dgx-b200"), ("gb300 nvl7", "gb300-nvl72")],
)
def test_an_unknown_reference_system_suggests_the_closest(typo: str, suggested: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        catalog.reference_system(typo)
    assert typo in caught.value.message
    assert caught.value.fix is not None and suggested in caught.value.fix


def test_a_name_like_no_system_lists_every_reference_system() -> None:
    with pytest.raises(UnknownNameError) as caught:
        catalog.reference_system("quantum abacus")
    assert caught.value.fix == "use one of: dgx-b200, dgx-h100, gb200-nvl72, gb300-nvl72"


def test_an_unknown_part_names_its_kind_and_suggests_the_closest() -> None:
    with pytest.raises(UnknownNameError, match="no frame named 'ORv4'") as caught:
        COMPONENTS.frames["ORv4"]
    assert caught.value.fix is not None and "ORv3" in caught.value.fix


def test_the_rack_files_share_the_catalogs_dated_version() -> None:
    text = resources.files("rackforge.catalog").joinpath("systems.yaml").read_text("utf-8")
    systems = parse_reference_systems(text, file="systems.yaml", components=COMPONENTS)
    assert COMPONENTS.version == systems.version == catalog.catalog_version()


def test_changing_a_returned_table_leaves_the_catalog_untouched() -> None:
    catalog.reference_systems().clear()
    assert catalog.reference_systems()
    assert isinstance(COMPONENTS.frames.by_key, MappingProxyType)


def test_a_malformed_part_names_the_file_and_the_entry() -> None:
    text = components_text(power_supplies=[{"name": "Bad", "output_kw": -1}])
    with pytest.raises(CatalogError, match=r"bad\.yaml: power_supplies\[0\] \('Bad'\).*output_kw"):
        parse_rack_components(text, file="bad.yaml")


def test_a_missing_section_is_rejected_with_its_name() -> None:
    text = yaml.safe_dump({"version": "1", "power_supplies": []})
    with pytest.raises(CatalogError, match=r"short\.yaml: 'power_shelves' must be a list"):
        parse_rack_components(text, file="short.yaml")


def test_a_shelf_naming_an_unknown_psu_is_rejected() -> None:
    shelf = {"name": "S", "psus": 6, "psu": "ghost", "capacity_kw": 33}
    with pytest.raises(CatalogError, match=r"power_shelves \('S'\): no power supply named 'ghost'"):
        parse_rack_components(components_text(power_shelves=[shelf]), file="x.yaml")


def test_a_shelf_rated_above_its_psus_is_rejected() -> None:
    psu = {"name": "P", "output_kw": 5.5}
    shelf = {"name": "S", "psus": 6, "psu": "P", "capacity_kw": 40}
    text = components_text(power_supplies=[psu], power_shelves=[shelf])
    with pytest.raises(CatalogError, match=r"capacity_kw 40.0 exceeds 6 × 5.5 kW"):
        parse_rack_components(text, file="x.yaml")


def test_a_system_whose_trays_do_not_add_up_to_its_accelerators_is_rejected() -> None:
    system = {
        "name": "odd-rack",
        "title": "Odd",
        "kind": "rack",
        "accelerator": "GB200",
        "accelerators": 70,
        "compute_trays": 18,
        "compute_tray": "GB200 compute tray",
    }
    text = yaml.safe_dump({"version": "1", "systems": [system]})
    with pytest.raises(CatalogError, match=r"accelerators 70 ≠ 18 trays × 4"):
        parse_reference_systems(text, file="s.yaml", components=COMPONENTS)


def test_a_system_running_an_unknown_accelerator_is_rejected() -> None:
    system = {"name": "x", "title": "X", "kind": "server", "accelerator": "Z9", "accelerators": 8}
    text = yaml.safe_dump({"version": "1", "systems": [system]})
    with pytest.raises(CatalogError, match=r"no catalog accelerator named 'Z9'"):
        parse_reference_systems(text, file="s.yaml", components=COMPONENTS)


def test_marking_a_field_unverified_requires_the_field_to_be_set() -> None:
    with pytest.raises(ValidationError, match="max_power_kw"):
        Busbar(name="B", voltage_v=51, unverified=("max_power_kw",))


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.name)
def test_recorded_makers_cite_their_source(record: RackPart) -> None:
    if record.makers is not None:
        assert record.sources.get("makers", "").strip(), record.name
        assert len(set(record.makers)) == len(record.makers), record.name


def test_a_maker_list_is_never_empty() -> None:
    with pytest.raises(ValidationError, match="makers"):
        Busbar(name="B", voltage_v=51, makers=())
