"""The shared worksheet writer keeps text as text: no formula from a cell a supplier typed."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from rackforge.formats.xlsx_sheet import DATE_FORMAT, fill_sheet


def test_text_that_looks_like_a_formula_is_stored_as_text() -> None:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    fill_sheet(sheet, ["note", "when", "cost"], [["=HYPERLINK(\"x\")", dt.date(2027, 1, 4), 2.5]],
               number_formats={"cost": "#,##0.00"})  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    read = load_workbook(io.BytesIO(buffer.getvalue()))
    note, when, cost = next(read.active.iter_rows(min_row=2))  # type: ignore[union-attr]
    assert note.value == '=HYPERLINK("x")' and note.data_type == "s"
    assert when.number_format == DATE_FORMAT
    assert cost.number_format == "#,##0.00"
    assert read.active.freeze_panes == "A2"  # type: ignore[union-attr]
