"""The report as data: sections of text, tables and figures, rendered later (`report/html.py`).

Stages build `Section`s from their typed results; nothing here knows HTML. Figures hold plain
plotly figure JSON (`{"data": [...], "layout": {...}}`) so a section can also go to plan.json.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Cell", "Drawing", "Figure", "Report", "Section", "Table"]

# A table cell: numbers are right-aligned and formatted by the renderer; None shows as a dash.
Cell = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Table:
    """A captioned table: a header row and rows of cells, one per column."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    caption: str = ""

    def __post_init__(self) -> None:
        for index, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table '{self.caption}': row {index} has {len(row)} cells, "
                    f"expected {len(self.columns)} ({', '.join(self.columns)})"
                )

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Cell]], caption: str = "") -> Table:
        """A table from rows written as {column: cell}, each cell beside its header.

        The first record's keys, in order, are the columns; every record must have the same.
        """
        if not records:
            raise ValueError(f"table '{caption}': no records to take the columns from")
        columns = list(records[0])
        for index, record in enumerate(records):
            if list(record) != columns:
                raise ValueError(
                    f"table '{caption}': record {index} has columns {list(record)}, "
                    f"expected {columns}"
                )
        return cls(columns=columns, rows=[list(r.values()) for r in records], caption=caption)


@dataclass(frozen=True, slots=True)
class Figure:
    """A plotly figure as JSON (`data` and `layout`), with a title and a caption."""

    title: str
    plotly: Mapping[str, Any]
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Drawing:
    """A standalone SVG document drawn by RackForge itself (a rack elevation), with a caption.

    Only SVG that RackForge generated belongs here: the renderer inlines it as it is.
    """

    title: str
    svg: str
    caption: str = ""

    def __post_init__(self) -> None:
        if not self.svg.lstrip().startswith("<svg"):
            raise ValueError(f"drawing '{self.title}': not an SVG document")


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the report, usually one pipeline stage's findings."""

    title: str
    intro: str = ""
    tables: Sequence[Table] = field(default_factory=tuple)
    figures: Sequence[Figure] = field(default_factory=tuple)
    notes: Sequence[str] = field(default_factory=tuple)
    drawings: Sequence[Drawing] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Report:
    """A whole report: a title page and its sections in order."""

    title: str
    subtitle: str
    generated_at: datetime
    sections: Sequence[Section]
