"""Bills of materials as an XLSX workbook: the CSV's rows on one sheet, level totals on another.

Sheets, in order:

- "BOM": the same header and rows as `rackforge.formats.bom_csv` (columns `BOM_COLUMNS`, rows
  `bom_rows`: each bill's flattened lines in turn, parents before their children). Levels,
  quantities, costs and lead times are numbers (costs shown with two decimals, the stored value
  unrounded), text stays text, a known criticality flag is "yes" or "no" and the makers one
  text joined by "; " as in the CSV, and an unknown value (a cost, a flag, a maker) is an empty
  cell.
- "Roll-up": one row per bill and level from `roll_up`, columns `ROLL_UP_COLUMNS`: the design,
  the level, its number of lines, its pieces (the sum of its lines' extended quantities), its
  cost in USD (empty unless every line at that level has one) and whether that cost is complete.
  Level 0 is the rack itself, whose cost is the sum of every line below it.

Each sheet's header row is bold and frozen, carries an autofilter, and its columns are sized to
their longest value. The function returns the workbook's bytes and writes no file; whoever calls
it decides where they go.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from rackforge.formats.bom_csv import BOM_COLUMNS, MAKER_SEPARATOR, bom_rows
from rackforge.formats.xlsx_sheet import SheetCell, fill_sheet
from rackforge.rack.bom import BillOfMaterials, roll_up

__all__ = ["BOM_SHEET", "ROLL_UP_COLUMNS", "ROLL_UP_SHEET", "boms_to_xlsx"]

BOM_SHEET = "BOM"
ROLL_UP_SHEET = "Roll-up"
ROLL_UP_COLUMNS = ("design", "level", "lines", "pieces", "cost_usd", "cost_complete")

_COST_COLUMNS = frozenset({"unit_cost_usd", "extended_cost_usd", "cost_usd"})
_COST_FORMAT = "#,##0.00"
_MAX_WIDTH = 60

Cell = str | int | float | None


def boms_to_xlsx(boms: Sequence[BillOfMaterials]) -> bytes:
    """Several bills in one workbook (module docstring for the layout), as XLSX bytes."""
    workbook = Workbook()
    lines = workbook.active
    assert isinstance(lines, Worksheet)  # a new workbook's one sheet
    lines.title = BOM_SHEET
    _fill(lines, BOM_COLUMNS, ([_cell(value) for value in row] for row in bom_rows(boms)))
    totals = workbook.create_sheet(ROLL_UP_SHEET)
    _fill(
        totals,
        ROLL_UP_COLUMNS,
        (
            [bom.design, t.level, t.lines, t.quantity, t.cost_usd, _cell(t.cost_complete)]
            for bom in boms
            for t in roll_up(bom).levels
        ),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill(sheet: Worksheet, columns: Sequence[str], rows: Iterable[list[Cell]]) -> None:
    """The bold, frozen, filterable header, then `rows`, cost columns with two decimals."""
    fill_sheet(
        sheet,
        columns,
        rows,
        shown=_shown,
        number_formats=dict.fromkeys(_COST_COLUMNS, _COST_FORMAT),
        max_width=_MAX_WIDTH,
    )


def _cell(value: object) -> Cell:
    """A plain value as a cell: a flag as "yes"/"no", makers joined (as the CSV has them),
    numbers kept."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        return MAKER_SEPARATOR.join(str(item) for item in value)
    return str(value)


def _shown(value: SheetCell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
