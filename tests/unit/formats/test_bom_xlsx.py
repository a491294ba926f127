"""The XLSX bill of materials holds the CSV's rows, typed, and each level's totals."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rackforge.catalog import accelerators, rack_components, reference_system
from rackforge.formats.bom_csv import BOM_COLUMNS, boms_to_csv
from rackforge.formats.bom_xlsx import (
    BOM_SHEET,
    ROLL_UP_COLUMNS,
    ROLL_UP_SHEET,
    boms_to_xlsx,
)
from rackforge.rack import BillOfMaterials, PartLine, build_bom, design_reference_system
from rackforge.rack.bom import flatten

SYSTEMS = ("gb200-nvl72", "dgx-h100")
INT_COLUMNS = {"level", "quantity", "extended_quantity"}
FLOAT_COLUMNS = {"unit_cost_usd", "extended_cost_usd", "lead_time_weeks"}


def _bom(name: str, *, cost: float | None = None) -> BillOfMaterials:
    design = design_reference_system(reference_system(name), rack_components(), accelerators())
    if cost is not None:
        design = replace(design, parts=tuple(_priced(p, cost) for p in design.parts))
    return build_bom(design)


def _priced(part: PartLine, cost: float) -> PartLine:
    """`part` and the parts inside it, each at `cost`."""
    inside = tuple(replace(content, cost_usd=cost) for content in part.contents)
    return replace(part, cost_usd=cost, contents=inside)


@pytest.fixture(scope="module")
def boms() -> list[BillOfMaterials]:
    return [_bom(name) for name in SYSTEMS]


def _sheets(boms: list[BillOfMaterials]) -> tuple[Worksheet, Worksheet]:
    workbook = load_workbook(io.BytesIO(boms_to_xlsx(boms)))
    assert workbook.sheetnames == [BOM_SHEET, ROLL_UP_SHEET]
    lines, totals = workbook[BOM_SHEET], workbook[ROLL_UP_SHEET]
    assert isinstance(lines, Worksheet) and isinstance(totals, Worksheet)
    return lines, totals


def _rows(sheet: Worksheet) -> list[tuple[object, ...]]:
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def _typed(column: str, text: str) -> object:
    """A CSV cell as the XLSX should hold it: blank as None, numbers as numbers."""
    if text == "":
        return None
    if column in INT_COLUMNS:
        return int(text)
    if column in FLOAT_COLUMNS:
        return pytest.approx(float(text), abs=0.005)  # the CSV shows two decimals
    return text


def _csv_rows(boms: list[BillOfMaterials]) -> list[list[str]]:
    return list(csv.reader(io.StringIO(boms_to_csv(boms))))


def _assert_bom_sheet_matches_csv(boms: list[BillOfMaterials]) -> None:
    lines, _ = _sheets(boms)
    header, *rows = _rows(lines)
    csv_header, *csv_rows = _csv_rows(boms)
    assert list(header) == csv_header == list(BOM_COLUMNS)
    assert len(rows) == len(csv_rows) == sum(len(flatten(bom)) for bom in boms)
    for row, csv_row in zip(rows, csv_rows, strict=True):
        assert list(row) == [
            _typed(column, text) for column, text in zip(BOM_COLUMNS, csv_row, strict=True)
        ]
        for column, value in zip(BOM_COLUMNS, row, strict=True):
            if column in INT_COLUMNS:
                assert type(value) is int
            if value is not None and column in FLOAT_COLUMNS:
                assert type(value) in (int, float)  # XLSX has one number type: 2.0 reads as 2


def test_the_bom_sheet_holds_the_csv_rows_with_numbers_as_numbers(
    boms: list[BillOfMaterials],
) -> None:
    _assert_bom_sheet_matches_csv(boms)


def test_known_costs_are_numbers_and_match_the_csv() -> None:
    priced = [_bom(name, cost=1234.5) for name in SYSTEMS]
    _assert_bom_sheet_matches_csv(priced)
    lines, totals = _sheets(priced)
    costs = [row[BOM_COLUMNS.index("extended_cost_usd")] for row in _rows(lines)[1:]]
    assert all(isinstance(cost, int | float) and cost > 0 for cost in costs)
    for row in _rows(totals)[1:]:
        assert type(row[ROLL_UP_COLUMNS.index("cost_usd")]) in (int, float)
        assert row[ROLL_UP_COLUMNS.index("cost_complete")] == "yes"


def test_unknown_costs_and_flags_are_empty_cells(boms: list[BillOfMaterials]) -> None:
    lines, totals = _sheets(boms)
    rows = _rows(lines)[1:]
    flat = [line for bom in boms for line in flatten(bom)]
    for column in ("unit_cost_usd", "extended_cost_usd"):
        index = BOM_COLUMNS.index(column)
        empty = [row[index] is None for row in rows]
        assert empty == [getattr(line, column) is None for line in flat], column
        assert any(empty), column  # most parts carry no catalog price
    for column in ("single_source", "long_lead", "makers", "lead_time_weeks"):
        index = BOM_COLUMNS.index(column)
        empty = [row[index] is None for row in rows]
        assert empty == [getattr(line, column) is None for line in flat], column
        assert not all(empty), column  # the catalog records some, for the GPUs at least
    flags = {row[ROLL_UP_COLUMNS.index("cost_complete")] for row in _rows(totals)[1:]}
    assert "no" in flags and flags <= {"yes", "no"}  # partial sums say they are incomplete


def test_level_3_rows_and_the_supply_facts_are_on_the_bom_sheet(
    boms: list[BillOfMaterials],
) -> None:
    lines, _ = _sheets(boms)
    header, *rows = _rows(lines)
    assert list(header[-2:]) == ["makers", "lead_time_weeks"]
    column = {name: index for index, name in enumerate(header)}
    gpus = [row for row in rows if row[column["role"]] == "accelerator"]
    assert {row[column["makers"]] for row in gpus} == {"NVIDIA"}
    assert {row[column["single_source"]] for row in gpus} == {"yes"}
    assert {row[column["lead_time_weeks"]] for row in gpus} == {52, 12}  # GB200, H100
    assert {row[column["long_lead"]] for row in gpus} == {"yes", "no"}
    hbm = [row for row in rows if row[column["role"]] == "HBM stack"]
    assert [(row[column["level"]], row[column["extended_quantity"]]) for row in hbm] == [
        (3, 576),
        (3, 40),
    ]


def test_the_roll_up_pieces_are_the_sum_of_each_levels_extended_quantities(
    boms: list[BillOfMaterials],
) -> None:
    _, totals = _sheets(boms)
    header, *rows = _rows(totals)
    assert list(header) == list(ROLL_UP_COLUMNS)
    expected: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for bom in boms:
        for line in flatten(bom):
            expected[bom.design, line.level][0] += 1
            expected[bom.design, line.level][1] += line.extended_quantity
    got = {(row[0], row[1]): [row[2], row[3]] for row in rows}
    assert got == expected
    assert len(rows) == len(expected)


def test_both_designs_appear_on_both_sheets(boms: list[BillOfMaterials]) -> None:
    lines, totals = _sheets(boms)
    for sheet in (lines, totals):
        designs = [row[0] for row in _rows(sheet)[1:]]
        assert list(dict.fromkeys(designs)) == list(SYSTEMS)


def test_the_header_is_bold_and_frozen_and_columns_are_sized(boms: list[BillOfMaterials]) -> None:
    for sheet in _sheets(boms):
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        for index, (name,) in enumerate(sheet.iter_cols(max_row=1, values_only=True), start=1):
            width = sheet.column_dimensions[get_column_letter(index)].width
            assert width >= len(str(name))
