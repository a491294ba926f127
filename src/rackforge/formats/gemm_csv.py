"""A CSV of timed matrix multiplies (a GEMM benchmark's output) as `GemmMeasurement` records.

The header names the columns, in any order and case: `m`, `n`, `k`, `precision` (or `dtype`)
and one timing column, `time_s`, `time_ms`, `time_us` or `tflops`. When several timing columns
are present the first of that list wins; `tflops` becomes a time through the 2·m·n·k FLOPs of
the multiply. Other columns are kept out of the record. Lines starting with `#` and blank lines
are skipped, so a file can say where its numbers come from.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from rackforge.catalog.schema import PRECISIONS
from rackforge.codesign.measurements import GemmMeasurement
from rackforge.errors import InputError
from rackforge.formats.yaml_file import read_text

__all__ = ["TIME_COLUMNS", "read_gemm_csv"]

# Timing column -> factor from its value to seconds; None marks a throughput (TFLOP/s).
TIME_COLUMNS: dict[str, float | None] = {
    "time_s": 1.0,
    "time_ms": 1e-3,
    "time_us": 1e-6,
    "tflops": None,
}
_SHAPE = ("m", "n", "k")
_PRECISION_COLUMNS = ("precision", "dtype")
# Names benchmarks and frameworks print for the precisions of the catalog.
_PRECISION_ALIASES = {
    "float32": "fp32",
    "float": "fp32",
    "float16": "fp16",
    "half": "fp16",
    "bfloat16": "bf16",
    "tensorfloat32": "tf32",
    "float8": "fp8",
    "fp8_e4m3": "fp8",
    "fp8_e5m2": "fp8",
    "e4m3": "fp8",
    "e5m2": "fp8",
    "float4": "fp4",
    "nvfp4": "fp4",
    "mxfp4": "fp4",
}


def read_gemm_csv(path: Path) -> list[GemmMeasurement]:
    """Every row of a GEMM benchmark CSV; errors name file:line and the column."""
    lines = [
        (f"{path}:{line_no}", line)
        for line_no, line in enumerate(read_text(path).splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise InputError(
            "no header and no rows",
            where=str(path),
            fix="start with a header line such as: m,n,k,precision,time_us",
        )
    header_at, header = lines[0]
    columns = _columns(_cells(header, header_at), header_at)
    rows = [_measurement(_cells(text, where), columns, where) for where, text in lines[1:]]
    if not rows:
        raise InputError(
            "the header has no rows under it",
            where=header_at,
            fix="add one line per timed multiply",
        )
    return rows


def _cells(line: str, where: str) -> list[str]:
    try:
        return [cell.strip() for cell in next(csv.reader([line], strict=True))]
    except csv.Error as err:
        raise InputError(
            f"not a valid CSV line ({err})",
            where=where,
            fix="check the quotes: a quoted cell must open and close with '\"'",
        ) from None


def _columns(header: list[str], where: str) -> dict[str, int]:
    """Column name -> position, for the columns the record needs."""
    names = [name.lower() for name in header]
    duplicates = sorted({name for name in names if name and names.count(name) > 1})
    if duplicates:
        raise InputError(
            f"column(s) {', '.join(duplicates)} appear more than once in the header",
            where=where,
            fix="keep one column of each name",
        )
    position = {name: i for i, name in enumerate(names)}
    missing = [name for name in _SHAPE if name not in position]
    precision = next((name for name in _PRECISION_COLUMNS if name in position), None)
    if precision is None:
        missing.append("precision")
    timing = next((name for name in TIME_COLUMNS if name in position), None)
    if timing is None:
        missing.append(" or ".join(TIME_COLUMNS))
    if missing or precision is None or timing is None:
        raise InputError(
            f"the header lacks column(s): {', '.join(missing)} (it has: {', '.join(header)})",
            where=where,
            fix="name the columns m, n, k, precision and one of " + ", ".join(TIME_COLUMNS),
        )
    chosen = {name: position[name] for name in _SHAPE}
    chosen["precision"] = position[precision]
    chosen[timing] = position[timing]
    return chosen


def _measurement(cells: list[str], columns: dict[str, int], where: str) -> GemmMeasurement:
    if len(cells) < max(columns.values()) + 1:
        raise InputError(
            f"row has {len(cells)} cells, the header has more columns",
            where=where,
            fix="fill every column (or remove the row)",
        )
    m, n, k = (_dimension(cells[columns[name]], name, where) for name in _SHAPE)
    timing = next(name for name in TIME_COLUMNS if name in columns)
    value = _positive(cells[columns[timing]], timing, where)
    factor = TIME_COLUMNS[timing]
    time_s = 2.0 * m * n * k / (value * 1e12) if factor is None else value * factor
    return GemmMeasurement(
        m=m,
        n=n,
        k=k,
        precision=_precision(cells[columns["precision"]], where),
        time_s=time_s,
        source=where,
    )


def _dimension(cell: str, column: str, where: str) -> int:
    if not cell.isascii() or not cell.isdigit() or int(cell) == 0:
        raise InputError(
            f"column '{column}' holds {cell!r}, not a positive whole number",
            where=where,
            fix=f"write the matrix dimension {column} as a positive integer",
        )
    return int(cell)


def _positive(cell: str, column: str, where: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise InputError(
            f"column '{column}' holds {cell!r}, not a positive number",
            where=where,
            fix=f"write the measured {column} as a positive number",
        )
    return value


def _precision(cell: str, where: str) -> str:
    name = cell.lower().removeprefix("torch.").replace("-", "_")
    name = _PRECISION_ALIASES.get(name, name)
    if name not in PRECISIONS:
        raise InputError(
            f"column 'precision' holds {cell!r}, not a known precision",
            where=where,
            fix=f"use one of: {', '.join(PRECISIONS)}",
        )
    return name
