"""The supplier pool as two CSV files: `suppliers.csv` and `offers.csv` (flat rows).

One row per supplier and one per offer; the columns (`SUPPLIER_COLUMNS`, `OFFER_COLUMNS`) map
one to one onto the fields of `rackforge.supply.pool` (a nested field such as an offer's
contract term is spread over `contract_*` columns). List cells are joined by `;`
(`ISO 9001; AS9100`), price breaks are `min_quantity:unit_price_usd` pairs
(`1:120; 100:110`), audits are `date|auditor|result` triples. Empty cells are absent values
(their field's default: an empty or missing `inventory_units` is 0, no stock on hand).
Lines whose first cell starts with `#` are comments; blank lines are skipped. Columns may come
in any order; an unknown column is an error (usually a typo).

Reading never stops at the first bad row: every bad cell of both files, and every
cross-record problem (an offer naming an unknown supplier, a cycle of sub-suppliers), is
collected into one `BadRowsError` (an `InputError`) listing file, row, column, value, problem and
fix. Row numbers are the file's line numbers (a spreadsheet's row numbers for XLSX,
`rackforge.formats.pool_xlsx`), so the header is row 1 when no comment precedes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import pydantic
from pydantic import BaseModel

from rackforge.errors import InputError
from rackforge.formats.validation import key_path
from rackforge.formats.yaml_file import read_text
from rackforge.supply.pool import Offer, Supplier, SupplierPool, pool_problems

__all__ = [
    "LIST_SEPARATOR",
    "OFFERS_FILE",
    "OFFER_COLUMNS",
    "SUPPLIERS_FILE",
    "SUPPLIER_COLUMNS",
    "BadRowsError",
    "Cell",
    "Column",
    "RawTable",
    "RowError",
    "build_pool",
    "cell_text",
    "csv_table",
    "number_text",
    "offer_rows",
    "parse_pool_csv",
    "pool_to_csv",
    "read_pool_csv",
    "supplier_rows",
    "table_row",
]

SUPPLIERS_FILE = "suppliers.csv"
OFFERS_FILE = "offers.csv"
LIST_SEPARATOR = ";"
_JOIN = f"{LIST_SEPARATOR} "
_DOC = 'docs/formats.md, "Supplier pool"'

CellKind = Literal["value", "list", "price_breaks", "audits"]
RecordT = TypeVar("RecordT", bound=BaseModel)
Cell = str | int | float | bool | dt.date | None


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a pool file: its header name, the record field it fills, how it is written."""

    name: str
    path: tuple[str, ...]
    kind: CellKind = "value"
    required: bool = False  # the header must have it


SUPPLIER_COLUMNS: tuple[Column, ...] = (
    Column("id", ("id",), required=True),
    Column("name", ("name",), required=True),
    Column("country", ("site", "country"), required=True),
    Column("region", ("site", "region"), required=True),
    Column("city", ("site", "city"), required=True),
    Column("tier", ("tier",), required=True),
    Column("qualification", ("qualification",)),
    Column("qualification_since", ("qualification_since",)),
    Column("audits", ("audits",), "audits"),
    Column("certifications", ("certifications",), "list"),
    Column("financial_risk", ("risk", "financial"), required=True),
    Column("geopolitical_risk", ("risk", "geopolitical"), required=True),
    Column("sub_suppliers", ("sub_suppliers",), "list"),
    Column("commodities", ("commodities",), "list"),
    Column("ttr_weeks", ("ttr_weeks",)),
    Column("fictional", ("fictional",)),
    Column("notes", ("notes",)),
)

OFFER_COLUMNS: tuple[Column, ...] = (
    Column("supplier", ("supplier",), required=True),
    Column("part", ("part",), required=True),
    Column("part_name", ("part_name",)),
    Column("price_breaks", ("price_breaks",), "price_breaks", required=True),
    Column("capacity_per_week", ("capacity_per_week",), required=True),
    Column("lead_time_weeks", ("lead_time_weeks",), required=True),
    Column("moq", ("moq",)),
    Column("domestic_content", ("domestic_content",)),
    Column("inventory_units", ("inventory_units",)),
    Column("contract_committed_units", ("contract", "committed_units")),
    Column("contract_take_or_pay", ("contract", "take_or_pay")),
    Column("contract_start", ("contract", "term_start")),
    Column("contract_end", ("contract", "term_end")),
    Column("surge_pct", ("contingency", "surge_pct")),
    Column("surge_within_weeks", ("contingency", "surge_within_weeks")),
    Column("force_majeure_exclusions", ("contingency", "force_majeure_exclusions"), "list"),
    Column("backup_country", ("contingency", "backup_site", "country")),
    Column("backup_region", ("contingency", "backup_site", "region")),
    Column("backup_city", ("contingency", "backup_site", "city")),
    Column("notes", ("notes",)),
)


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad cell (or row, or file): where it is, what it holds, what is wrong, the fix."""

    file: str
    row: int | None  # None: the file as a whole
    column: str | None  # None: the row as a whole
    value: str
    problem: str
    fix: str

    def one_line(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        cell = f" {self.column}={self.value!r}" if self.column else ""
        return f"{where}{cell}: {self.problem} — fix: {self.fix}"


class BadRowsError(InputError):
    """Every bad row of a supplier pool's files at once; `rows` lists them (file order)."""

    def __init__(self, rows: Sequence[RowError]) -> None:
        self.rows = tuple(rows)
        count = f"{len(self.rows)} problem{'s' if len(self.rows) != 1 else ''}"
        listed = "; ".join(error.one_line() for error in self.rows)
        super().__init__(
            f"{count} in the supplier pool: {listed}",
            fix=f"correct each listed cell ({_DOC})",
        )

    def located(self, where: str) -> BadRowsError:
        """The same errors with `where` (a folder) put in front of each file name."""
        return BadRowsError([_replace_file(e, f"{where}/{e.file}") for e in self.rows])

    def records(self) -> list[dict[str, object]]:
        """The errors as plain dicts (file, row, column, value, problem, fix) for JSON."""
        return [
            {f: getattr(e, f) for f in ("file", "row", "column", "value", "problem", "fix")}
            for e in self.rows
        ]


def _replace_file(error: RowError, file: str) -> RowError:
    return RowError(file, error.row, error.column, error.value, error.problem, error.fix)


@dataclass(slots=True)
class RawTable:
    """A pool file as read: its name, header and data rows of cell text with their row numbers.

    `errors` holds what was wrong with the file itself (unreadable, malformed, bad header).
    """

    file: str
    header: list[str] = field(default_factory=list)
    header_row: int = 1
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def read_pool_csv(suppliers: Path, offers: Path | None = None) -> SupplierPool:
    """The pool in `suppliers` (and `offers`, when given); `BadRowsError` listing every bad row."""
    offers_text = read_text(offers) if offers is not None else None
    return parse_pool_csv(
        read_text(suppliers),
        offers_text,
        suppliers_name=str(suppliers),
        offers_name=str(offers) if offers is not None else OFFERS_FILE,
    )


def parse_pool_csv(
    suppliers_text: str,
    offers_text: str | None = None,
    *,
    suppliers_name: str = SUPPLIERS_FILE,
    offers_name: str = OFFERS_FILE,
) -> SupplierPool:
    """The pool in two CSV texts (`offers_text` None: no offers); `BadRowsError` if bad."""
    suppliers = csv_table(suppliers_text, suppliers_name)
    offers = csv_table(offers_text, offers_name) if offers_text is not None else None
    return build_pool(suppliers, offers)


def csv_table(text: str, file: str) -> RawTable:
    """The header and rows of a CSV text, comments and blank lines dropped."""
    table = RawTable(file)
    reader = csv.reader(io.StringIO(text), strict=True)
    last_line = 0
    try:
        for cells in reader:
            row, last_line = last_line + 1, reader.line_num
            table_row(table, row, [cell.strip() for cell in cells])
    except csv.Error as err:
        table.errors.append(
            RowError(file, last_line + 1, None, "", f"malformed CSV: {err}", _CSV_FIX)
        )
    return table


_CSV_FIX = 'close the quote, or quote a cell that holds a comma or a quote (double it: "")'


def table_row(table: RawTable, row: int, cells: list[str]) -> None:
    """Add one row of cell text to `table` (the first non-comment row is the header)."""
    if not any(cells) or cells[0].startswith("#"):
        return
    if not table.header:
        table.header, table.header_row = [c.lower() for c in cells], row
    else:
        table.rows.append((row, cells))


def build_pool(suppliers: RawTable, offers: RawTable | None) -> SupplierPool:
    """The pool from the two tables, or `BadRowsError` with every problem found in either."""
    errors = [*_header_errors(suppliers, SUPPLIER_COLUMNS)]
    if offers is not None:
        errors += _header_errors(offers, OFFER_COLUMNS)
    if errors:
        raise BadRowsError(errors)
    good_suppliers, bad_ids = _records(suppliers, SUPPLIER_COLUMNS, Supplier, errors)
    good_offers = _records(offers, OFFER_COLUMNS, Offer, errors)[0] if offers else []
    offers_file = offers.file if offers else ""
    rows = {
        "supplier": (suppliers.file, SUPPLIER_COLUMNS, [(r, c) for r, c, _ in good_suppliers]),
        "offer": (offers_file, OFFER_COLUMNS, [(r, c) for r, c, _ in good_offers]),
    }
    supplier_list = [record for _, _, record in good_suppliers]
    offer_list = [record for _, _, record in good_offers]
    for problem in pool_problems(supplier_list, offer_list):
        if problem.refers_to in bad_ids:
            continue  # that supplier's own row is already reported
        file, columns, located = rows[problem.record]
        row, cells = located[problem.index]
        name = next(c.name for c in columns if c.path == (problem.field,))
        errors.append(RowError(file, row, name, cells.get(name, ""), problem.message, problem.fix))
    if errors:
        tables = [suppliers, *([offers] if offers else [])]
        errors.sort(key=lambda e: _position(e, tables))
        raise BadRowsError(errors)
    return SupplierPool(suppliers=tuple(supplier_list), offers=tuple(offer_list))


def _position(error: RowError, tables: Sequence[RawTable]) -> tuple[int, int, int]:
    """Where an error sits, as a reader meets it: file, row, then column left to right."""
    for index, table in enumerate(tables):
        if table.file == error.file:
            header = table.header
            column = header.index(error.column) if error.column in header else -1
            return index, error.row or 0, column
    return len(tables), error.row or 0, -1


def _header_errors(table: RawTable, columns: Sequence[Column]) -> Iterator[RowError]:
    yield from table.errors
    if table.errors:
        return
    names = [c.name for c in columns]
    if not table.header:
        yield RowError(
            table.file,
            None,
            None,
            "",
            "no header row",
            f"start the file with the header: {','.join(names)}",
        )
        return
    seen: set[str] = set()
    for name in table.header:
        if name in seen:
            yield RowError(
                table.file,
                table.header_row,
                name,
                name,
                "column appears twice",
                "keep one of the two columns",
            )
        seen.add(name)
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            yield RowError(
                table.file,
                table.header_row,
                name or "(empty)",
                name,
                "unknown column",
                f"{hint}rename or remove it; columns: {', '.join(names)}",
            )
    for column in columns:
        if column.required and column.name not in seen:
            yield RowError(
                table.file,
                table.header_row,
                column.name,
                "",
                "required column is missing",
                f"add a '{column.name}' column",
            )


def _records(
    table: RawTable, columns: Sequence[Column], model: type[RecordT], errors: list[RowError]
) -> tuple[list[tuple[int, dict[str, str], RecordT]], set[str]]:
    """Each row validated as `model`: the good ones (row, cells, record), the bad rows' ids.

    Problems go to `errors`; the ids (first column) of bad rows are returned so that
    references to them are not reported a second time.
    """
    good: list[tuple[int, dict[str, str], RecordT]] = []
    bad_ids: set[str] = set()
    width = len(table.header)
    for row, values in table.rows:
        if len(values) > width and any(values[width:]):
            errors.append(
                RowError(
                    table.file,
                    row,
                    None,
                    _JOIN.join(values[width:]),
                    f"{len(values)} cells but the header has {width} columns",
                    "remove the extra cells, or quote a cell that holds a comma",
                )
            )
            bad_ids.add(values[0])
            continue
        cells = dict(zip(table.header, values, strict=False))
        data, problems = _row_data(cells, columns)
        try:
            record = model.model_validate(data)
        except pydantic.ValidationError as err:
            # A cell that could not be split is left out, so a check across cells that needs
            # it (a state against the audits) would report a consequence, not a cause.
            found = _cell_problems(err, columns, skip={p[0] for p in problems})
            problems += [p for p in found if not problems or p[3] != "value_error"]
            record = None
        if problems:
            errors += [
                RowError(table.file, row, c, cells.get(c, ""), p, f) for c, p, f, _ in problems
            ]
            bad_ids.add(values[0] if values else "")
        elif record is not None:
            good.append((row, cells, record))
    return good, bad_ids


# (column, problem, fix, kind): kind is pydantic's error type, or "split" for a cell whose list,
# price breaks or audits could not be taken apart.
_CellProblem = tuple[str, str, str, str]


def _row_data(
    cells: dict[str, str], columns: Sequence[Column]
) -> tuple[dict[str, Any], list[_CellProblem]]:
    """The nested data of one row for model_validate, and the cells that could not be split."""
    data: dict[str, Any] = {}
    problems: list[_CellProblem] = []
    for column in columns:
        text = cells.get(column.name, "")
        if not text:
            continue
        try:
            value = _split(text, column.kind)
        except ValueError as err:
            problems.append((column.name, str(err), _SPLIT_FIX[column.kind], "split"))
            continue
        target = data
        for key in column.path[:-1]:
            target = target.setdefault(key, {})
        target[column.path[-1]] = value
    return data, problems


_SPLIT_FIX = {
    "value": "",
    "list": "separate items with ';'",
    "price_breaks": "write min_quantity:unit_price_usd pairs separated by ';' (1:120; 100:110)",
    "audits": "write date|auditor|result entries separated by ';' (2026-03-02|Acme|passed)",
}


def _split(text: str, kind: CellKind) -> object:
    if kind == "value":
        return text
    items = [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]
    if kind == "list":
        return items
    if kind == "price_breaks":
        pairs = [item.split(":") for item in items]
        for item, pair in zip(items, pairs, strict=True):
            if len(pair) != 2:
                raise ValueError(f"price break '{item}' is not quantity:price")
        return [{"min_quantity": q.strip(), "unit_price_usd": p.strip()} for q, p in pairs]
    triples = [item.split("|") for item in items]
    for item, triple in zip(items, triples, strict=True):
        if len(triple) != 3:
            raise ValueError(f"audit '{item}' is not date|auditor|result")
    return [{"date": d.strip(), "auditor": a.strip(), "result": r.strip()} for d, a, r in triples]


def _cell_problems(
    err: pydantic.ValidationError, columns: Sequence[Column], *, skip: set[str]
) -> list[_CellProblem]:
    """Each pydantic problem as (column, problem, fix, kind); columns in `skip` have one."""
    found: list[_CellProblem] = []
    for problem in err.errors(include_url=False):
        loc = tuple(problem["loc"])
        column = _column_at(loc, columns)
        name = column.name if column else ""
        if name in skip:
            continue
        inner = key_path(loc[len(column.path) :]) if column else key_path(loc)
        message = str(problem["msg"]).removeprefix("Value error, ")
        if problem["type"] == "missing":
            message = "empty; a value is required"
        text = f"{inner}: {message}" if inner else message
        found.append((name, text, _fix(problem, name), problem["type"]))
        skip.add(name)
    return found


def _column_at(loc: tuple[int | str, ...], columns: Sequence[Column]) -> Column | None:
    """The column a pydantic location points into: the longest column path it starts with,
    else the first column inside it (a nested record's own check, e.g. `contract`)."""
    inside = [c for c in columns if loc[: len(c.path)] == c.path]
    if inside:
        return max(inside, key=lambda c: len(c.path))
    if not loc:
        return None
    return next((c for c in columns if c.path[: len(loc)] == loc), None)


def _fix(problem: Any, column: str) -> str:
    kind: str = problem["type"]
    ctx: dict[str, Any] = problem.get("ctx") or {}
    if kind == "missing":
        return f"fill in '{column}'"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        if column in _BOUND_FIXES:
            return _BOUND_FIXES[column]
        sign = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<"}.get(kind, "<=")
        bound = next(iter(ctx.values()), "the bound")
        return f"write a number {sign} {bound}"
    if kind == "value_error":
        return _VALUE_FIXES.get(column, f"correct '{column}' so that this holds ({_DOC})")
    simple = {
        "int_parsing": "write a whole number",
        "int_from_float": "write a whole number",
        "float_parsing": "write a number (a '.' for decimals, no thousands separator)",
        "bool_parsing": "write yes or no",
        "date_parsing": "write an ISO date, YYYY-MM-DD",
        "date_from_datetime_parsing": "write an ISO date, YYYY-MM-DD",
        "literal_error": f"write {ctx.get('expected', 'one of the allowed values')}",
        "string_pattern_mismatch": "use lowercase letters, digits, '-' and '_' (a country: two "
        "capital letters, e.g. US)",
        "too_short": "give at least one",
        "string_too_short": f"fill in '{column}'",
    }
    return simple.get(kind, f"correct '{column}' so that the condition holds ({_DOC})")


# The fix for a number out of range, where the bound alone would not say what to write.
_BOUND_FIXES = {
    "inventory_units": "write the finished units the supplier holds for the program, 0 or more "
    "(leave the cell empty for none)",
}

# The fix for each column's own checks (`rackforge.supply.pool` validators).
_VALUE_FIXES = {
    "region": "write the state's two-letter USPS code (TX, OH, CA, ...)",
    "audits": "list the audits oldest first",
    "qualification": "match the state to the audits: candidate has none, audited and above have "
    "one or more, qualified and preferred need the last one passed or conditional",
    "certifications": "list each certification once",
    "sub_suppliers": "list each sub-supplier once, and not the supplier itself",
    "commodities": "list each commodity once",
    "price_breaks": "list quantities in ascending order with prices that never rise, the first "
    "at or below the MOQ",
    "contract_end": "put contract_end after contract_start",
    "contract_committed_units": "lower the committed units, lengthen the term or raise "
    "capacity_per_week",
    "surge_within_weeks": "fill in both surge_pct and surge_within_weeks, or neither",
}


# --------------------------------------------------------------------------- writing


def supplier_rows(pool: SupplierPool) -> Iterator[list[Cell]]:
    """Each supplier as typed cells in `SUPPLIER_COLUMNS` order (lists already joined)."""
    return _rows(pool.suppliers, SUPPLIER_COLUMNS)


def offer_rows(pool: SupplierPool) -> Iterator[list[Cell]]:
    """Each offer as typed cells in `OFFER_COLUMNS` order (lists already joined)."""
    return _rows(pool.offers, OFFER_COLUMNS)


def _rows(records: Iterable[BaseModel], columns: Sequence[Column]) -> Iterator[list[Cell]]:
    for record in records:
        data = record.model_dump()
        yield [_joined(_at(data, column.path), column.kind) for column in columns]


def _at(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _joined(value: Any, kind: CellKind) -> Cell:
    if kind == "value":
        return None if value in ("", ()) else value
    if not value:
        return None
    if kind == "list":
        return _JOIN.join(value)
    if kind == "price_breaks":
        return _JOIN.join(f"{b['min_quantity']}:{number_text(b['unit_price_usd'])}" for b in value)
    return _JOIN.join(f"{a['date'].isoformat()}|{a['auditor']}|{a['result']}" for a in value)


def pool_to_csv(
    pool: SupplierPool,
    *,
    supplier_comments: Sequence[str] = (),
    offer_comments: Sequence[str] = (),
) -> tuple[str, str]:
    """The pool as (suppliers.csv text, offers.csv text); comments go on `#` lines on top."""
    return (
        _csv(SUPPLIER_COLUMNS, supplier_rows(pool), supplier_comments),
        _csv(OFFER_COLUMNS, offer_rows(pool), offer_comments),
    )


def _csv(columns: Sequence[Column], rows: Iterable[list[Cell]], comments: Sequence[str]) -> str:
    buffer = io.StringIO()
    for comment in comments:
        buffer.write(f"# {comment}\n" if comment else "#\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    writer.writerows([cell_text(value) for value in row] for row in rows)
    return buffer.getvalue()


def cell_text(value: Cell) -> str:
    """A typed cell as CSV text: empty for None, yes/no, ISO dates, numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def number_text(value: float) -> str:
    """A number as the shortest text that reads back the same (12.0 → "12")."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
