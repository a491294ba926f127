"""One table on one worksheet, as every RackForge workbook writes it.

A bold, frozen header with an autofilter; columns sized to their longest shown value (within
bounds); dates and chosen columns given a number format. Text is stored as text, always: a
value such as "=0" or "+1" stays the text it is rather than turning into a formula (openpyxl
reads a leading "=" as one), which also keeps a workbook from running what a supplier typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT = "yyyy-mm-dd"
_MIN_WIDTH = 6

SheetCell = str | int | float | bool | dt.date | None


def fill_sheet(
    sheet: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[SheetCell]],
    *,
    shown: Callable[[SheetCell], str] = lambda value: "" if value is None else str(value),
    number_formats: Mapping[str, str] | None = None,
    max_width: int = 60,
) -> None:
    """Write `header` then `rows` on `sheet` (module docstring for the layout)."""
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(name) for name in header]
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"  # text, not a formula
            elif isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
        widths = [max(width, len(shown(value))) for width, value in zip(widths, row, strict=True)]
    formats = number_formats or {}
    for index, (name, width) in enumerate(zip(header, widths, strict=True), start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(max(width, _MIN_WIDTH) + 2, max_width)
        if name in formats:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = formats[name]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
