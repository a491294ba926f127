"""A design's bill of materials: its roll-up is the sum of its lines, and no part goes missing."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.catalog import accelerators, rack_components, reference_system
from rackforge.formats.bom_csv import BOM_COLUMNS, boms_to_csv, to_csv
from rackforge.rack import (
    BillOfMaterials,
    BomLine,
    DesignAssumptions,
    PartLine,
    RackDesign,
    Supply,
    build_bom,
    compose,
    design_reference_system,
)
from rackforge.rack.bom import (
    COMMODITY_CODES,
    LONG_LEAD_WEEKS,
    ROLE_COMMODITIES,
    commodity_of,
    flatten,
    long_lead,
    part_number,
    roll_up,
    single_source,
    to_json_dict,
)

ROLES = ["compute tray", "accelerator", "CPU", "NIC", "switch tray", "frame", "PSU", "gadget"]
CONTENT_ROLES = ["HBM stack", "cold plate"]


def _empty_design() -> RackDesign:
    supply = Supply(psu="PSU", psu_kw=3.3, efficiency=0.95, efficiency_source="test")
    return compose(
        name="test",
        title="test rack",
        kind="rack",
        frame="test frame",
        frame_units=48,
        lines=[],
        supply=supply,
        assumptions=DesignAssumptions(),
    )


EMPTY = _empty_design()


makers = st.none() | st.lists(st.sampled_from(["NVIDIA", "AMD", "Delta"]), min_size=1, max_size=3)
lead_times = st.none() | st.floats(min_value=1.0, max_value=104.0)


def contents(costs: st.SearchStrategy[float | None]) -> st.SearchStrategy[tuple[PartLine, ...]]:
    """Purchased parts inside one unit of a line, `quantity` per unit."""
    content = st.builds(
        PartLine,
        role=st.sampled_from(CONTENT_ROLES),
        part=st.sampled_from(["stack", "plate"]),
        quantity=st.integers(min_value=1, max_value=12),
        cost_usd=costs,
        makers=makers.map(lambda m: None if m is None else tuple(m)),
        lead_time_weeks=lead_times,
    )
    return st.lists(content, max_size=2).map(tuple)


def part_lines(costs: st.SearchStrategy[float | None]) -> st.SearchStrategy[PartLine]:
    return st.builds(
        PartLine,
        role=st.sampled_from(ROLES),
        part=st.sampled_from(["alpha", "beta", "gamma"]),
        quantity=st.integers(min_value=1, max_value=72),
        cost_usd=costs,
        makers=makers.map(lambda m: None if m is None else tuple(m)),
        lead_time_weeks=lead_times,
        contents=contents(costs),
    )


def designs(costs: st.SearchStrategy[float | None]) -> st.SearchStrategy[RackDesign]:
    return st.lists(part_lines(costs), max_size=12).map(
        lambda parts: replace(EMPTY, parts=tuple(parts))
    )


any_cost = st.none() | st.floats(min_value=0.0, max_value=50_000.0)
known_cost = st.floats(min_value=0.0, max_value=50_000.0)


def paths(line: BomLine, above: tuple[BomLine, ...] = ()) -> list[tuple[BomLine, ...]]:
    path = (*above, line)
    return [path] + [p for child in line.children for p in paths(child, path)]


@given(designs(any_cost))
def test_the_roll_up_of_each_level_is_the_sum_of_its_lines(design: RackDesign) -> None:
    bom = build_bom(design)
    lines = flatten(bom)
    totals = roll_up(bom)
    assert [t.level for t in totals.levels] == sorted({line.level for line in lines})
    for t in totals.levels:
        at_level = [line for line in lines if line.level == t.level]
        assert t.lines == len(at_level)
        assert t.quantity == sum(line.extended_quantity for line in at_level)
        costs = [line.extended_cost_usd for line in at_level]
        known = [c for c in costs if c is not None]
        assert t.cost_complete == (None not in costs)
        # a partial sum is a lower bound, flagged; nothing priced is None
        assert (t.cost_usd is None) == (not known)
        if known:
            assert t.cost_usd == pytest.approx(sum(known))
    below = [line for line in lines if line.level > 0]
    assert totals.quantity == sum(line.extended_quantity for line in below)
    priced = [line.extended_cost_usd for line in below if line.extended_cost_usd is not None]
    assert totals.cost_complete == (len(priced) == len(below))
    if priced:
        assert totals.cost_usd == pytest.approx(sum(priced))


@given(designs(known_cost))
def test_with_every_cost_known_the_rack_costs_the_sum_of_its_lines(design: RackDesign) -> None:
    bom = build_bom(design)
    below = [line for line in flatten(bom) if line.level > 0]
    totals = roll_up(bom)
    assert totals.cost_complete
    expected = sum(line.extended_cost_usd or 0.0 for line in below)
    assert totals.cost_usd == pytest.approx(expected)
    assert bom.root.extended_cost_usd == pytest.approx(expected)
    for t in totals.levels:
        at_level = [line for line in flatten(bom) if line.level == t.level]
        assert t.cost_usd == pytest.approx(sum(line.extended_cost_usd or 0.0 for line in at_level))
    for line in below:
        assert line.unit_cost_usd is not None
        assert line.extended_cost_usd == pytest.approx(line.extended_quantity * line.unit_cost_usd)


@given(designs(any_cost))
def test_extended_quantity_is_the_product_of_the_quantities_on_its_path(
    design: RackDesign,
) -> None:
    for path in paths(build_bom(design).root):
        line = path[-1]
        assert line.extended_quantity == math.prod(step.quantity for step in path)
        assert line.level == len(path) - 1
        assert line.parent == (path[-2].part_number if len(path) > 1 else None)


@given(designs(any_cost))
def test_every_design_part_appears_with_its_total_quantity(design: RackDesign) -> None:
    wanted: Counter[tuple[str, str]] = Counter()
    for part in design.parts:
        wanted[(part.role, part.part)] += part.quantity
        for content in part.contents:
            wanted[(content.role, content.part)] += part.quantity * content.quantity
    found: Counter[tuple[str, str]] = Counter()
    for line in flatten(build_bom(design))[1:]:
        found[(line.role, line.description)] += line.extended_quantity
    assert found == wanted


@given(designs(any_cost))
def test_part_numbers_are_stable_and_one_per_part(design: RackDesign) -> None:
    first, second = flatten(build_bom(design)), flatten(build_bom(design))
    assert [line.part_number for line in first] == [line.part_number for line in second]
    numbers: dict[tuple[str, str], set[str]] = {}
    for line in first[1:]:
        numbers.setdefault((line.description, line.commodity), set()).add(line.part_number)
    assert all(len(found) == 1 for found in numbers.values())
    distinct = [next(iter(found)) for found in numbers.values()]
    assert len(distinct) == len(set(distinct))


def test_part_numbers_follow_the_documented_scheme() -> None:
    assert part_number("GB200", "accelerator") == part_number("  gb200 ", "accelerator")
    assert re.fullmatch(r"RF-ACCEL-[0-9A-F]{8}", part_number("GB200", "accelerator"))
    assert part_number("GB200", "accelerator") != part_number("B200", "accelerator")
    assert set(COMMODITY_CODES) >= set(ROLE_COMMODITIES.values())
    assert len(set(COMMODITY_CODES.values())) == len(COMMODITY_CODES)


def test_a_role_nobody_mapped_is_bought_as_other() -> None:
    assert commodity_of("gadget") == "other"
    assert commodity_of("PSU") == "power supply"


def test_a_module_that_does_not_divide_among_its_trays_stays_on_the_rack() -> None:
    design = replace(
        EMPTY,
        parts=(
            PartLine(role="compute tray", part="tray", quantity=4),
            PartLine(role="NIC", part="odd NIC", quantity=6),
            PartLine(role="accelerator", part="GPU", quantity=16),
        ),
    )
    levels = {line.description: (line.level, line.quantity) for line in flatten(build_bom(design))}
    assert levels["odd NIC"] == (1, 6)
    assert levels["GPU"] == (2, 4)


@pytest.fixture(scope="module")
def nvl72() -> BillOfMaterials:
    system = reference_system("gb200-nvl72")
    return build_bom(design_reference_system(system, rack_components(), accelerators()))


def test_the_gb200_nvl72_bill_counts_its_published_parts(nvl72: BillOfMaterials) -> None:
    totals: Counter[str] = Counter()
    for line in flatten(nvl72):
        totals[line.role] += line.extended_quantity
    assert totals["accelerator"] == 72
    assert totals["CPU"] == 36
    assert totals["power shelf"] == 8
    assert totals["PSU"] == 48
    assert totals["compute tray"] == 18
    assert totals["switch tray"] == 9
    per_parent = {line.role: (line.level, line.quantity) for line in flatten(nvl72)}
    assert per_parent["accelerator"] == (2, 4)  # in each compute tray
    assert per_parent["CPU"] == (2, 2)
    assert per_parent["PSU"] == (2, 6)  # in each power shelf
    assert per_parent["compute tray"] == (1, 18)


def test_the_nvl72_costs_at_least_its_priced_nics_and_says_it_is_a_lower_bound(
    nvl72: BillOfMaterials,
) -> None:
    # only the 72 ConnectX-7 carry a catalog price (third-party, lowest listing); the GB200,
    # trays, switch trays, shelves and frame have none, so the total is a flagged lower bound
    nic = rack_components().nics["ConnectX-7 400G OSFP"]
    assert nic.unit_cost_usd is not None
    totals = roll_up(nvl72)
    assert not totals.cost_complete
    assert totals.cost_usd == pytest.approx(72 * nic.unit_cost_usd)
    assert all(line.unit_cost_usd is None for line in flatten(nvl72) if line.role == "accelerator")


def test_the_nvl72_lists_each_gpus_hbm_stacks_and_cold_plates_at_level_3(
    nvl72: BillOfMaterials,
) -> None:
    stacks = accelerators()["gb200"].hbm_stacks
    assert stacks == 8  # third-party teardown, accelerators.yaml
    lines = flatten(nvl72)
    gpu = next(line for line in lines if line.role == "accelerator")
    hbm = [line for line in lines if line.commodity == "HBM"]
    assert [(h.level, h.quantity, h.extended_quantity) for h in hbm] == [(3, 8, 576)]
    assert hbm[0].parent == gpu.part_number and hbm[0].role == "HBM stack"
    plates = {line.description: line for line in lines if line.commodity == "cold plate"}
    assert {d: (p.level, p.quantity, p.extended_quantity) for d, p in plates.items()} == {
        "cold plate for GB200": (3, 1, 72),  # one per GPU package
        "cold plate for CPU": (3, 1, 36),  # one per Grace CPU
    }
    assert all(p.unit_cost_usd is None and p.single_source is None for p in plates.values())
    assert [t.level for t in roll_up(nvl72).levels] == [0, 1, 2, 3]


def test_level_3_parts_sit_inside_their_modules_figures() -> None:
    system = reference_system("gb200-nvl72")
    design = design_reference_system(system, rack_components(), accelerators())
    inside = [content for line in design.parts for content in line.contents]
    assert {c.role for c in inside} == {"HBM stack", "cold plate"}
    assert all(c.power_w == 0.0 and c.weight_kg == 0.0 for c in inside)
    assert not {c.role for c in inside} & {line.role for line in design.parts}  # not summed


def test_an_air_cooled_server_lists_hbm_but_no_cold_plates() -> None:
    design = design_reference_system(
        reference_system("dgx-h100"), rack_components(), accelerators()
    )
    lines = flatten(build_bom(design))
    assert not [line for line in lines if line.commodity == "cold plate"]
    hbm = next(line for line in lines if line.commodity == "HBM")
    assert (hbm.level, hbm.quantity, hbm.extended_quantity) == (3, 5, 40)  # H100 whitepaper


def test_a_modules_parts_stay_one_level_below_it_when_it_stays_on_the_rack() -> None:
    stack = PartLine(role="HBM stack", part="stack", quantity=6)
    design = replace(
        EMPTY,
        parts=(
            PartLine(role="compute tray", part="tray", quantity=4),
            PartLine(role="accelerator", part="odd GPU", quantity=6, contents=(stack,)),
        ),
    )
    lines = {line.description: line for line in flatten(build_bom(design))}
    assert (lines["odd GPU"].level, lines["stack"].level) == (1, 2)
    assert lines["stack"].extended_quantity == 36


def test_criticality_is_read_from_the_catalogs_makers_and_lead_times(
    nvl72: BillOfMaterials,
) -> None:
    by_role = {line.role: line for line in flatten(nvl72)}
    gpu = by_role["accelerator"]
    assert gpu.makers == ("NVIDIA",) and gpu.single_source is True
    assert gpu.lead_time_weeks == 52 and gpu.long_lead is True  # "booked out 12 months"
    assert by_role["NIC"].single_source is True and by_role["NIC"].long_lead is None
    for role in ("CPU", "HBM stack", "cold plate", "compute tray", "power shelf", "PSU", "rack"):
        assert by_role[role].single_source is None, role  # no makers recorded
        assert by_role[role].long_lead is None, role
    h100 = build_bom(
        design_reference_system(reference_system("dgx-h100"), rack_components(), accelerators())
    )
    gpu = next(line for line in flatten(h100) if line.role == "accelerator")
    assert gpu.lead_time_weeks == 12 and gpu.long_lead is False


@pytest.mark.parametrize(
    ("makers", "expected"),
    [
        (None, None),
        ((), None),
        (("NVIDIA",), True),
        (("NVIDIA", "NVIDIA"), True),
        (("A", "B"), False),
    ],
)
def test_single_source_means_exactly_one_recorded_maker(
    makers: tuple[str, ...] | None, expected: bool | None
) -> None:
    assert single_source(makers) is expected


def test_long_lead_starts_at_the_planning_threshold() -> None:
    assert LONG_LEAD_WEEKS == 26
    assert long_lead(None) is None
    assert long_lead(LONG_LEAD_WEEKS - 0.5) is False
    assert long_lead(LONG_LEAD_WEEKS) is True


@given(designs(any_cost))
def test_every_line_flags_what_its_part_records(design: RackDesign) -> None:
    for line in flatten(build_bom(design))[1:]:
        assert line.single_source == single_source(line.makers)
        assert line.long_lead == long_lead(line.lead_time_weeks)


def test_the_json_and_csv_exports_carry_every_flattened_line(nvl72: BillOfMaterials) -> None:
    plain = json.loads(json.dumps(to_json_dict(nvl72)))  # JSON-ready: survives a round trip
    lines = flatten(nvl72)
    assert [row["part_number"] for row in plain["lines"]] == [line.part_number for line in lines]
    assert plain["tree"]["part_number"] == nvl72.root.part_number
    rows = to_csv(nvl72).splitlines()
    assert rows[0].split(",") == list(BOM_COLUMNS)
    assert len(rows) == 1 + len(lines)
    two = boms_to_csv([nvl72, nvl72]).splitlines()
    assert len(two) == 1 + 2 * len(lines)


def test_the_exports_append_the_supply_facts_and_carry_level_3(nvl72: BillOfMaterials) -> None:
    earlier = ["design", "level", "part_number", "parent", "description", "role", "quantity"]
    earlier += ["extended_quantity", "unit", "commodity", "single_source", "long_lead"]
    earlier += ["unit_cost_usd", "extended_cost_usd"]
    assert list(BOM_COLUMNS) == [*earlier, "makers", "lead_time_weeks"]  # old order kept
    plain = json.loads(json.dumps(to_json_dict(nvl72)))
    gpu = next(row for row in plain["lines"] if row["role"] == "accelerator")
    assert gpu["makers"] == ["NVIDIA"] and gpu["lead_time_weeks"] == 52
    assert gpu["single_source"] is True and gpu["long_lead"] is True
    assert {row["level"] for row in plain["lines"]} == {0, 1, 2, 3}
    rows = list(csv.DictReader(io.StringIO(to_csv(nvl72))))
    by_role = {row["role"]: row for row in rows}
    assert by_role["accelerator"]["makers"] == "NVIDIA"
    assert by_role["accelerator"]["lead_time_weeks"] == "52.00"
    assert by_role["accelerator"]["single_source"] == "yes"
    assert by_role["HBM stack"]["level"] == "3" and by_role["HBM stack"]["makers"] == ""
    assert by_role["CPU"]["single_source"] == ""
