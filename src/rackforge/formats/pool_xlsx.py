"""The supplier pool as one XLSX workbook: sheet "Suppliers" and sheet "Offers".

Each sheet holds the same header and rows as its CSV file (`rackforge.formats.pool_files`):
numbers are numbers, dates are dates, flags "yes"/"no", list cells text joined by "; ". A
workbook read back goes through the same checks as the CSV files, and its errors name the
workbook, the sheet and the spreadsheet row (`pool.xlsx[Offers]:7`). Sheets other than these
two are ignored, so a planner may keep notes beside them.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from rackforge.errors import InputError
from rackforge.formats.pool_files import (
    OFFER_COLUMNS,
    SUPPLIER_COLUMNS,
    Cell,
    Column,
    RawTable,
    RowError,
    build_pool,
    cell_text,
    offer_rows,
    supplier_rows,
    table_row,
)
from rackforge.formats.xlsx_sheet import fill_sheet
from rackforge.supply.pool import SupplierPool

__all__ = ["OFFERS_SHEET", "SUPPLIERS_SHEET", "parse_pool_xlsx", "pool_to_xlsx", "read_pool_xlsx"]

SUPPLIERS_SHEET = "Suppliers"
OFFERS_SHEET = "Offers"
_MAX_WIDTH = 50


def pool_to_xlsx(pool: SupplierPool) -> bytes:
    """The pool as XLSX bytes: a bold, frozen, filterable header on each of the two sheets."""
    workbook = Workbook()
    suppliers = workbook.active
    assert isinstance(suppliers, Worksheet)  # a new workbook's one sheet
    suppliers.title = SUPPLIERS_SHEET
    _fill(suppliers, SUPPLIER_COLUMNS, supplier_rows(pool))
    _fill(workbook.create_sheet(OFFERS_SHEET), OFFER_COLUMNS, offer_rows(pool))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill(sheet: Worksheet, columns: Sequence[Column], rows: Iterable[list[Cell]]) -> None:
    fill_sheet(
        sheet,
        [c.name for c in columns],
        ([_excel(value) for value in row] for row in rows),
        shown=cell_text,
        max_width=_MAX_WIDTH,
    )


def _excel(value: Cell) -> Cell:
    """Flags as the CSV's yes/no (a spreadsheet's TRUE would read back the same, but a planner
    sees one spelling in both formats); everything else as is."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def read_pool_xlsx(path: Path) -> SupplierPool:
    """The pool in the workbook at `path`; `BadRowsError` listing every bad row."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(
            f"cannot read the workbook ({err.strerror or err})",
            where=str(path),
            fix="check the path",
        ) from None
    return parse_pool_xlsx(data, str(path))


def parse_pool_xlsx(data: bytes, name: str = "pool.xlsx") -> SupplierPool:
    """The pool in XLSX bytes; `name` (the file) is used in errors."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as err:
        raise InputError(
            f"not an XLSX workbook ({err})",
            where=name,
            fix="save the file from the spreadsheet program as .xlsx (Excel workbook)",
        ) from None
    try:
        tables: list[RawTable] = []
        for sheet_name in (SUPPLIERS_SHEET, OFFERS_SHEET):
            table = RawTable(f"{name}[{sheet_name}]")
            if sheet_name not in workbook.sheetnames:
                close = [s for s in workbook.sheetnames if s.casefold() == sheet_name.casefold()]
                table.errors.append(
                    RowError(
                        name,
                        None,
                        None,
                        ", ".join(workbook.sheetnames),
                        f"no sheet named '{sheet_name}'",
                        f"rename sheet '{close[0]}' to '{sheet_name}'"
                        if close
                        else f"add a sheet '{sheet_name}' (the sheets are {SUPPLIERS_SHEET} and "
                        f"{OFFERS_SHEET})",
                    )
                )
            else:
                sheet = workbook[sheet_name]
                for row, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    table_row(table, row, [_text(value) for value in values])
            tables.append(table)
    finally:
        workbook.close()
    suppliers, offers = tables
    return build_pool(suppliers, offers)


def _text(value: object) -> str:
    """A cell as the text its CSV twin would hold (numbers as typed, dates as ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, bool | int | float | dt.date):
        return cell_text(value)
    return str(value).strip()
