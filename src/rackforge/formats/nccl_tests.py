"""nccl-tests text output (github.com/NVIDIA/nccl-tests) as `CollectiveMeasurement` records.

An nccl-tests run prints a header (`# nThread 1 nGpus 8 ...`, one `#  Rank ...` line per GPU
with its host), a column header `#  size  count  type  redop  root  time  algbw  busbw  #wrong
time  algbw  busbw  #wrong`, one row per message size with the out-of-place then the in-place
results, and a footer (`# Out of bounds values : 0 OK`, `# Avg bus bandwidth : ...`).

Columns are found by name in the column header, so older layouts (`bytes N type op ...`, no
`root`), per-iteration columns (`i_min ...`) and a trailing timestamp all read the same way.
Times are printed in microseconds; the records carry seconds. Lines that are not part of the
report (NCCL INFO logging, a shell prompt) are skipped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from rackforge.codesign.measurements import CollectiveMeasurement, CollectiveOp
from rackforge.errors import InputError
from rackforge.formats.yaml_file import read_text

__all__ = ["parse_nccl_tests", "read_nccl_tests"]

Tier = Literal["scale_up", "scale_out"]

# nccl-tests binary stem -> the collective it times. Other binaries (broadcast_perf, ...) time
# collectives the co-design model does not use.
_BINARIES: dict[str, CollectiveOp] = {
    "all_reduce": "all_reduce",
    "all_gather": "all_gather",
    "reduce_scatter": "reduce_scatter",
    "alltoall": "all_to_all",
    "sendrecv": "send_recv",
}
# nccl-tests binaries whose collectives the co-design model does not use.
_UNMODELLED = {"broadcast", "reduce", "gather", "scatter", "hypercube", "alltoallv", "bisection"}
_OPS: tuple[CollectiveOp, ...] = get_args(CollectiveOp)
_TIERS: tuple[Tier, ...] = get_args(Tier)
_OP_FIX = f"pass the collective explicitly with --op ({' | '.join(_OPS)})"

_BINARY_RE = re.compile(r"\b([a-z]+(?:_[a-z]+)*)_perf(?:_\w+)?\b")
_UINT_RE = re.compile(r"[0-9]+")
_RANK_RE = re.compile(r"^#\s*Rank\s+(\d+)\b.*?\bon\s+(\S+)\s+device\b")
_THREADS_RE = re.compile(r"nThread\s+(\d+)\s+nGpus\s+(\d+)")
_OUT_OF_BOUNDS_RE = re.compile(r"Out of bounds values\s*:\s*(\d+)")


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where each value sits in a row, read from the column header line."""

    line: int
    size: int
    time: tuple[int, ...]
    algbw: tuple[int, ...]
    busbw: tuple[int, ...]
    wrong: tuple[int | None, ...]

    @classmethod
    def from_header(cls, names: list[str], where: str, line: int) -> _Columns:
        def at(*labels: str) -> tuple[int, ...]:
            return tuple(i for i, name in enumerate(names) if name in labels)

        sizes, times = at("size", "bytes"), at("time", "cputime")
        algbw, busbw, wrong = at("algbw"), at("busbw"), at("#wrong")
        groups = len(times)
        if len(sizes) != 1 or not 1 <= groups <= 2 or not len(algbw) == len(busbw) == groups:
            raise InputError(
                "column header not recognised: expected one 'size' column and one or two "
                "groups of 'time algbw busbw'",
                where=f"{where}:{line}",
                fix="give the unedited output of an nccl-tests binary",
            )
        wrongs = wrong if len(wrong) == groups else (None,) * groups
        return cls(line, sizes[0], times, algbw, busbw, wrongs)

    @property
    def width(self) -> int:
        used = [self.size, *self.time, *self.algbw, *self.busbw]
        used += [i for i in self.wrong if i is not None]
        return max(used) + 1


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    tokens: list[str]
    columns: _Columns


def read_nccl_tests(
    path: Path, *, op: CollectiveOp | None = None, tier: Tier | None = None
) -> list[CollectiveMeasurement]:
    """The measurements in an nccl-tests output file (see `parse_nccl_tests`)."""
    return parse_nccl_tests(read_text(path), source=str(path), op=op, tier=tier)


def parse_nccl_tests(
    text: str, *, source: str, op: CollectiveOp | None = None, tier: Tier | None = None
) -> list[CollectiveMeasurement]:
    """One record per table row and placement (out-of-place, in-place) of an nccl-tests run.

    `source` names the input in errors and records. `op` and `tier` override what the file
    says; without them the op comes from the binary name in the output (`all_reduce_perf`)
    and the tier from the hosts of the `# Rank` lines (one host: scale_up).
    """
    if op is not None and op not in _OPS:
        raise InputError(f"unknown collective '{op}'", where=source, fix=_OP_FIX)
    if tier is not None and tier not in _TIERS:
        raise InputError(
            f"unknown tier '{tier}'", where=source, fix=f"use one of: {', '.join(_TIERS)}"
        )
    hosts: dict[int, str] = {}
    per_process: int | None = None
    columns: _Columns | None = None
    rows: list[_Row] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#"):
            if rank := _RANK_RE.match(line):
                hosts[int(rank.group(1))] = rank.group(2)
            elif threads := _THREADS_RE.search(line):
                per_process = int(threads.group(1)) * int(threads.group(2))
            elif (bounds := _OUT_OF_BOUNDS_RE.search(line)) and int(bounds.group(1)) > 0:
                raise InputError(
                    f"the run reports {bounds.group(1)} out-of-bounds values: its results "
                    "are invalid",
                    where=f"{source}:{line_no}",
                    fix="fix the system (drivers, NCCL settings) and re-run nccl-tests",
                )
            names = line[1:].split()
            if "busbw" in names and "algbw" in names:
                columns = _Columns.from_header(names, source, line_no)
            continue
        tokens = line.split()
        if columns is not None and tokens and _UINT_RE.fullmatch(tokens[0]):
            rows.append(_Row(line_no, tokens, columns))
    if not rows:
        raise InputError(
            "no nccl-tests result rows found",
            where=source,
            fix="give the complete stdout of an nccl-tests binary such as all_reduce_perf",
        )
    collective = op or _infer_op(text, source)
    ranks = _ranks(hosts, per_process, source)
    placement: Tier = tier or ("scale_up" if len(set(hosts.values())) <= 1 else "scale_out")
    records: list[CollectiveMeasurement] = []
    for row in rows:
        records.extend(_records(row, collective, ranks, placement, source))
    return records


def _infer_op(text: str, source: str) -> CollectiveOp:
    stems = set(_BINARY_RE.findall(text))
    # A suffix match also accepts prefixed builds (nccl_all_reduce_perf); no key of
    # _BINARIES ends with another key, so the match is never ambiguous.
    known = {
        collective
        for stem in stems
        for binary, collective in _BINARIES.items()
        if stem == binary or stem.endswith(f"_{binary}")
    }
    if len(known) == 1:
        return known.pop()
    if len(known) > 1:
        names = ", ".join(sorted(known))
        raise InputError(
            f"the output names several collectives ({names}); cannot tell which was timed",
            where=source,
            fix=_OP_FIX + ", or split the file into one run per collective",
        )
    if unmodelled := stems & _UNMODELLED:
        other = ", ".join(sorted(f"{stem}_perf" for stem in unmodelled))
        raise InputError(
            f"{other} times a collective the co-design model does not use",
            where=source,
            fix=f"run one of: {', '.join(f'{stem}_perf' for stem in _BINARIES)}",
        )
    raise InputError(
        "cannot tell which collective was timed: the output names no nccl-tests binary",
        where=source,
        fix=_OP_FIX,
    )


def _ranks(hosts: dict[int, str], per_process: int | None, source: str) -> int:
    if hosts:
        return len(hosts)
    if per_process:
        # No `# Rank` lines: a single process, so nThread * nGpus is every rank.
        return per_process
    raise InputError(
        "cannot tell how many GPUs took part: no '# Rank' or '# nThread ... nGpus' lines",
        where=source,
        fix="give the complete output, header lines included",
    )


def _records(
    row: _Row, op: CollectiveOp, ranks: int, tier: Tier, source: str
) -> list[CollectiveMeasurement]:
    where = f"{source}:{row.line}"
    cols = row.columns
    if len(row.tokens) < cols.width:
        raise InputError(
            f"row has {len(row.tokens)} columns, the column header on line {cols.line} "
            f"needs {cols.width}",
            where=where,
            fix="the table looks cut or edited: give the unedited nccl-tests output",
        )
    size_token = row.tokens[cols.size]
    if not _UINT_RE.fullmatch(size_token):
        raise InputError(
            f"column 'size' holds {size_token!r}, not a whole number of bytes",
            where=where,
            fix="give the unedited nccl-tests output",
        )
    records = []
    for group in range(len(cols.time)):
        in_place = group == 1
        label = "in-place" if in_place else "out-of-place"
        wrong_at = cols.wrong[group]
        if wrong_at is not None and _wrong_count(row.tokens[wrong_at], label, where) > 0:
            raise InputError(
                f"{row.tokens[wrong_at]} wrong elements in the {label} result: the run's "
                "results were invalid",
                where=where,
                fix="fix the system (drivers, NCCL settings) and re-run nccl-tests",
            )
        time_us = _number(row.tokens[cols.time[group]], f"{label} time", where)
        if time_us <= 0:
            raise InputError(
                f"{label} time must be positive, got {time_us}",
                where=where,
                fix="give the unedited nccl-tests output",
            )
        records.append(
            CollectiveMeasurement(
                op=op,
                size_bytes=int(size_token),
                ranks=ranks,
                time_s=time_us * 1e-6,
                algbw_gb_s=_number(row.tokens[cols.algbw[group]], f"{label} algbw", where),
                busbw_gb_s=_number(row.tokens[cols.busbw[group]], f"{label} busbw", where),
                tier=tier,
                in_place=in_place,
                source=where,
            )
        )
    return records


def _number(token: str, column: str, where: str) -> float:
    try:
        value = float(token)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise InputError(
            f"column '{column}' holds {token!r}, not a non-negative number",
            where=where,
            fix="give the unedited nccl-tests output",
        )
    return value


def _wrong_count(token: str, label: str, where: str) -> float:
    if token == "N/A":  # validation was off (-c 0): nothing was checked
        return 0.0
    return _number(token, f"{label} #wrong", where)
