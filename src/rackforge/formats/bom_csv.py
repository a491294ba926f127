"""Bills of materials as CSV text: one row per flattened line, parents before their children.

`rackforge.rack` does no I/O (the import-linter contract forbids `csv` there), so the writer
lives here. It returns a string; whoever calls it decides where it goes. Columns are
`BOM_COLUMNS`: the design, then each `BomLine` field but its children, the supply facts behind
the criticality flags last (`makers`, joined by "; ", and `lead_time_weeks`); unknown values (a
cost, a criticality flag, a maker) are empty cells. Rows are every level the bill has, level 3
(HBM stacks, cold plates) included. `bom_rows` gives the same rows as plain values (None for
unknown, makers as a list) for writers of other formats (`rackforge.formats.bom_xlsx`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from rackforge.rack.bom import BillOfMaterials, flatten, line_record

__all__ = ["BOM_COLUMNS", "MAKER_SEPARATOR", "bom_rows", "boms_to_csv", "to_csv"]

MAKER_SEPARATOR = "; "

BOM_COLUMNS = (
    "design",
    "level",
    "part_number",
    "parent",
    "description",
    "role",
    "quantity",
    "extended_quantity",
    "unit",
    "commodity",
    "single_source",
    "long_lead",
    "unit_cost_usd",
    "extended_cost_usd",
    "makers",
    "lead_time_weeks",
)


def to_csv(bom: BillOfMaterials) -> str:
    """One bill as CSV: a header row, then one row per line of `flatten(bom)`."""
    return boms_to_csv([bom])


def boms_to_csv(boms: Iterable[BillOfMaterials]) -> str:
    """Several bills in one CSV: one header row, then each bill's lines in turn."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(BOM_COLUMNS)
    writer.writerows([_cell(value) for value in row] for row in bom_rows(boms))
    return buffer.getvalue()


def bom_rows(boms: Iterable[BillOfMaterials]) -> Iterator[list[object]]:
    """Each bill's flattened lines in turn, as values in `BOM_COLUMNS` order (None if unknown)."""
    for bom in boms:
        for line in flatten(bom):
            values: dict[str, object] = {"design": bom.design, **line_record(line)}
            yield [values[column] for column in BOM_COLUMNS]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return MAKER_SEPARATOR.join(str(item) for item in value)
    return str(value)
