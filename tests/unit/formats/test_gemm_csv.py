"""A GEMM benchmark CSV becomes GemmMeasurements; bad cells are named by line and column."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.errors import InputError
from rackforge.formats.gemm_csv import TIME_COLUMNS, read_gemm_csv

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "gemm" / "a100_fp16.csv"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gemm.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> InputError:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_gemm_csv(path)
    return caught.value


def test_the_a100_sample_reads_every_row_below_the_fp16_peak() -> None:
    gemms = read_gemm_csv(SAMPLE)
    assert len(gemms) == 14
    assert {g.precision for g in gemms} == {"fp16"}
    assert all(0 < g.tflops < 312 for g in gemms)
    assert (gemms[0].m, gemms[0].n, gemms[0].k) == (512, 512, 512)
    assert gemms[0].time_s == pytest.approx(20.00e-6)
    assert gemms[0].source == f"{SAMPLE}:4"


def test_a_throughput_column_becomes_a_time_through_2mnk_flops(tmp_path: Path) -> None:
    [gemm] = read_gemm_csv(_write(tmp_path, "m,n,k,precision,tflops\n4096,4096,4096,bf16,250\n"))
    assert gemm.time_s == pytest.approx(2 * 4096**3 / 250e12)
    assert gemm.tflops == pytest.approx(250)


@pytest.mark.parametrize(
    ("column", "seconds"), [("time_s", 0.5), ("time_ms", 5e-4), ("time_us", 5e-7)]
)
def test_each_time_unit_is_converted_to_seconds(
    tmp_path: Path, column: str, seconds: float
) -> None:
    [gemm] = read_gemm_csv(_write(tmp_path, f"m,n,k,precision,{column}\n1,2,3,fp8,0.5\n"))
    assert gemm.time_s == pytest.approx(seconds)


def test_columns_may_come_in_any_order_and_case_with_extra_columns(tmp_path: Path) -> None:
    text = "# from cuBLASLt\nDType, K ,N,M,Time_ms,gpu\nbfloat16,3,2,1,2.0,0\n"
    [gemm] = read_gemm_csv(_write(tmp_path, text))
    assert (gemm.m, gemm.n, gemm.k, gemm.precision) == (1, 2, 3, "bf16")
    assert gemm.time_s == pytest.approx(2e-3)


def test_a_time_column_wins_over_a_throughput_column(tmp_path: Path) -> None:
    [gemm] = read_gemm_csv(_write(tmp_path, "m,n,k,precision,tflops,time_us\n8,8,8,fp16,1,10\n"))
    assert gemm.time_s == pytest.approx(10e-6)


def test_a_missing_column_is_named_with_the_header_line(tmp_path: Path) -> None:
    error = _error(tmp_path, "# comment\nm,n,precision\n1,2,fp16\n")
    assert error.where is not None
    assert error.where.endswith("gemm.csv:2")
    assert "k" in error.message
    assert "time_s or time_ms or time_us or tflops" in error.message


def test_a_bad_cell_is_named_by_line_and_column(tmp_path: Path) -> None:
    error = _error(tmp_path, "m,n,k,precision,time_us\n1,2,3,fp16,4\n1,2,3,fp16,soon\n")
    assert error.where is not None
    assert error.where.endswith("gemm.csv:3")
    assert "column 'time_us'" in error.message


@pytest.mark.parametrize("cell", ["0", "-4", "4.5", "four", ""])
def test_a_dimension_must_be_a_positive_whole_number(tmp_path: Path, cell: str) -> None:
    error = _error(tmp_path, f"m,n,k,precision,time_us\n1,{cell},3,fp16,4\n")
    assert "column 'n'" in error.message


@pytest.mark.parametrize("cell", ["0", "-1", "inf", "nan"])
def test_a_time_must_be_positive_and_finite(tmp_path: Path, cell: str) -> None:
    assert "positive" in _error(tmp_path, f"m,n,k,dtype,time_s\n1,2,3,fp16,{cell}\n").message


def test_an_unknown_precision_lists_the_known_ones(tmp_path: Path) -> None:
    error = _error(tmp_path, "m,n,k,precision,time_us\n1,2,3,int8,4\n")
    assert error.fix is not None
    assert "fp16" in error.fix


def test_a_short_row_is_an_error(tmp_path: Path) -> None:
    assert "cells" in _error(tmp_path, "m,n,k,precision,time_us\n1,2,3\n").message


def test_an_unclosed_quote_is_an_error(tmp_path: Path) -> None:
    assert "CSV" in _error(tmp_path, 'm,n,k,precision,time_us\n1,2,3,"fp16,4\n').message


def test_a_repeated_column_is_an_error(tmp_path: Path) -> None:
    assert "more than once" in _error(tmp_path, "m,n,k,m,precision,time_us\n").message


@pytest.mark.parametrize("text", ["", "# only comments\n\n", "m,n,k,precision,time_us\n"])
def test_a_file_without_rows_is_an_error(tmp_path: Path, text: str) -> None:
    _error(tmp_path, text)


_DIMS = st.integers(min_value=1, max_value=2**20)
_VALUES = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(
    st.lists(st.tuples(_DIMS, _DIMS, _DIMS, _VALUES), min_size=1, max_size=10),
    st.sampled_from(list(TIME_COLUMNS)),
)
def test_any_generated_table_reads_back_with_its_shapes_and_times(
    rows: list[tuple[int, int, int, float]], column: str
) -> None:
    text = f"m,n,k,precision,{column}\n" + "".join(
        f"{m},{n},{k},fp16,{value!r}\n" for m, n, k, value in rows
    )
    with tempfile.TemporaryDirectory() as folder:
        gemms = read_gemm_csv(_write(Path(folder), text))
    assert [(g.m, g.n, g.k) for g in gemms] == [(m, n, k) for m, n, k, _ in rows]
    for gemm, (*_, value) in zip(gemms, rows, strict=True):
        factor = TIME_COLUMNS[column]
        if factor is None:
            assert gemm.tflops == pytest.approx(value)
        else:
            assert gemm.time_s == pytest.approx(value * factor)


@given(st.text(max_size=200))
def test_arbitrary_text_gives_rows_or_an_input_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        try:
            read_gemm_csv(_write(Path(folder), text))
        except InputError as error:
            assert error.where is not None
            assert "gemm.csv" in error.where
