"""nccl-tests output becomes one CollectiveMeasurement per row and placement."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.errors import InputError
from rackforge.formats.nccl_tests import parse_nccl_tests, read_nccl_tests

DATA = Path(__file__).resolve().parents[2] / "data" / "nccl"
ONE_NODE = DATA / "all_reduce_a100_8gpu_1node.txt"
TWO_NODES = DATA / "all_reduce_a100_16gpu_2node.txt"

_HEADER = (
    "#       size         count      type   redop    root     time   algbw   busbw #wrong"
    "     time   algbw   busbw #wrong\n"
    "#        (B)    (elements)                               (us)  (GB/s)  (GB/s)      "
    "      (us)  (GB/s)  (GB/s)\n"
)


def _rank_lines(hosts: list[str]) -> str:
    return "".join(
        f"#  Rank {r:2d} Group  0 Pid  1000 on {host} device {r % 8:2d} [0x07] NVIDIA H100\n"
        for r, host in enumerate(hosts)
    )


def _run(rows: list[str], *, binary: str = "all_reduce_perf", hosts: int = 1) -> str:
    names = [f"node{r // 8}" for r in range(8 * hosts)]
    return (
        f"# Collective test starting: {binary}\n"
        "# nThread 1 nGpus 8 minBytes 8 maxBytes 1024 step: 2(factor) warmup iters: 5\n"
        f"#\n# Using devices\n{_rank_lines(names)}#\n{_HEADER}"
        + "".join(row + "\n" for row in rows)
        + "# Out of bounds values : 0 OK\n# Avg bus bandwidth    : 1.0\n"
    )


_ROW = (
    "        1024           256     float     sum      -1"
    "    12.50    0.08    0.14       0    12.40    0.08    0.14       0"
)


def _error(text: str, **kw: object) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_nccl_tests(text, source="run.txt", **kw)  # type: ignore[arg-type]
    return caught.value


def test_the_one_node_sample_gives_two_records_per_size_from_8_bytes_to_8_gib() -> None:
    records = read_nccl_tests(ONE_NODE)
    out_of_place = [r for r in records if not r.in_place]
    assert len(records) == 62
    assert [r.size_bytes for r in out_of_place] == [8 * 2**k for k in range(31)]
    assert sum(r.in_place for r in records) == 31
    assert {(r.op, r.ranks, r.tier) for r in records} == {("all_reduce", 8, "scale_up")}


def test_times_in_microseconds_become_seconds() -> None:
    first, first_in_place = read_nccl_tests(ONE_NODE)[:2]
    assert first.time_s == pytest.approx(11.00e-6)
    assert first_in_place.time_s == pytest.approx(10.91e-6)
    assert first.source == f"{ONE_NODE}:19"


def test_the_one_node_sample_plateaus_near_230_gb_s_of_bus_bandwidth() -> None:
    large = [r.busbw_gb_s for r in read_nccl_tests(ONE_NODE) if r.size_bytes >= 2**30]
    assert 220 < min(large) <= max(large) < 240


def test_two_hosts_make_a_16_rank_scale_out_run_near_23_gb_s() -> None:
    records = read_nccl_tests(TWO_NODES)
    assert {(r.ranks, r.tier, r.op) for r in records} == {(16, "scale_out", "all_reduce")}
    assert max(r.busbw_gb_s for r in records) == pytest.approx(187, rel=0.03)  # 8 HDR NICs


def test_an_explicit_tier_and_op_win_over_what_the_file_says() -> None:
    records = read_nccl_tests(TWO_NODES, op="reduce_scatter", tier="scale_up")
    assert {(r.op, r.tier) for r in records} == {("reduce_scatter", "scale_up")}


@pytest.mark.parametrize(
    ("binary", "op"),
    [
        ("all_gather_perf", "all_gather"),
        ("reduce_scatter_perf", "reduce_scatter"),
        ("alltoall_perf_mpi", "all_to_all"),
        ("sendrecv_perf", "send_recv"),
        ("/opt/nccl-tests/build/all_reduce_perf", "all_reduce"),
    ],
)
def test_the_collective_is_read_from_the_binary_name(binary: str, op: str) -> None:
    records = parse_nccl_tests(_run([_ROW], binary=binary), source="run.txt")
    assert {r.op for r in records} == {op}


def test_without_a_binary_name_the_op_must_be_given() -> None:
    text = _run([_ROW]).replace("# Collective test starting: all_reduce_perf\n", "")
    error = _error(text)
    assert error.fix is not None
    assert "--op" in error.fix
    assert {r.op for r in parse_nccl_tests(text, source="run.txt", op="all_gather")} == {
        "all_gather"
    }


def test_a_collective_the_model_does_not_use_is_refused() -> None:
    assert "broadcast_perf" in _error(_run([_ROW], binary="broadcast_perf")).message


def test_two_different_binaries_in_one_file_are_ambiguous() -> None:
    text = _run([_ROW]) + "$ ./all_gather_perf -b 8\n"
    assert "several collectives" in _error(text).message


def test_a_row_with_wrong_elements_is_an_error_naming_its_line() -> None:
    bad = _ROW[:-1] + "3"
    text = _run([_ROW, bad])
    error = _error(text)
    assert error.where == f"run.txt:{text.splitlines().index(bad) + 1}"
    assert "invalid" in error.message


def test_unchecked_results_are_accepted() -> None:
    row = _ROW.replace("       0", "     N/A")
    assert len(parse_nccl_tests(_run([row]), source="run.txt")) == 2


def test_an_out_of_bounds_failure_in_the_footer_is_an_error() -> None:
    text = _run([_ROW]).replace("values : 0 OK", "values : 2 FAILED")
    assert "out-of-bounds" in _error(text).message


def test_a_cut_row_is_an_error_naming_its_line() -> None:
    text = _run([_ROW, _ROW[:60]])
    error = _error(text)
    assert error.where == f"run.txt:{text.splitlines().index(_ROW[:60]) + 1}"
    assert "columns" in error.message


def test_a_non_number_in_a_column_names_the_column() -> None:
    error = _error(_run([_ROW.replace("0.14", "fast", 1)]))
    assert "'out-of-place busbw'" in error.message


def test_nccl_logging_between_rows_is_skipped() -> None:
    noise = "node0:1234:1234 [0] NCCL INFO comm 0x55 rank 0 nranks 8 - Init COMPLETE"
    assert len(parse_nccl_tests(_run([noise, _ROW, noise]), source="run.txt")) == 2


def test_the_old_layout_without_root_and_with_per_iteration_columns_reads_alike() -> None:
    old = (
        "# nThread 1 nGpus 4 minBytes 8 maxBytes 8 step: 2(factor)\n"
        "#     bytes    N    type      op     time  algbw  busbw  res  i_min  i_max"
        "     time  algbw  busbw  res\n"
        "        1024  256   float     sum    20.00   0.05   0.08  N/A   19.0   21.0"
        "    21.00   0.05   0.07  N/A\n"
    )
    out_of_place, in_place = parse_nccl_tests(old, source="old.txt", op="all_reduce")
    assert (out_of_place.ranks, out_of_place.tier) == (4, "scale_up")
    assert (out_of_place.time_s, in_place.time_s) == pytest.approx((20e-6, 21e-6))
    assert in_place.busbw_gb_s == pytest.approx(0.07)


def test_output_without_any_rows_is_an_error() -> None:
    assert "no nccl-tests result rows" in _error(_run([])).message


def test_a_missing_file_is_an_input_error() -> None:
    with pytest.raises(InputError, match="file not found"):
        read_nccl_tests(DATA / "missing.txt")


_SIZES = st.integers(min_value=0, max_value=2**36)
_MICROS = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)
_GBPS = st.floats(min_value=0.0, max_value=5000.0, allow_nan=False)
_CELLS = st.tuples(_SIZES, _MICROS, _GBPS, _GBPS, _MICROS, _GBPS, _GBPS)


@given(st.lists(_CELLS, min_size=1, max_size=20), st.integers(min_value=1, max_value=3))
def test_any_generated_table_reads_back_with_its_sizes_times_and_bandwidths(
    rows: list[tuple[int, float, float, float, float, float, float]], hosts: int
) -> None:
    lines = [
        f"{size:12d}  {size // 4:12d}  float  sum  -1  {t1:.2f}  {a1:.2f}  {b1:.2f}  0"
        f"  {t2:.2f}  {a2:.2f}  {b2:.2f}  0"
        for size, t1, a1, b1, t2, a2, b2 in rows
    ]
    records = parse_nccl_tests(_run(lines, hosts=hosts), source="gen.txt")
    assert len(records) == 2 * len(rows)
    for (size, t1, a1, b1, t2, a2, b2), out, inp in zip(
        rows, records[::2], records[1::2], strict=True
    ):
        assert out.size_bytes == inp.size_bytes == size
        assert (out.in_place, inp.in_place) == (False, True)
        assert out.time_s == pytest.approx(float(f"{t1:.2f}") * 1e-6)
        assert inp.time_s == pytest.approx(float(f"{t2:.2f}") * 1e-6)
        assert (out.algbw_gb_s, out.busbw_gb_s) == (float(f"{a1:.2f}"), float(f"{b1:.2f}"))
        assert (inp.algbw_gb_s, inp.busbw_gb_s) == (float(f"{a2:.2f}"), float(f"{b2:.2f}"))
        assert out.ranks == 8 * hosts
        assert out.tier == ("scale_up" if hosts == 1 else "scale_out")


@given(st.text(max_size=300))
def test_arbitrary_text_gives_records_or_an_input_error(text: str) -> None:
    try:
        parse_nccl_tests(text, source="fuzz.txt")
    except InputError as error:
        assert error.where is not None
        assert error.where.startswith("fuzz.txt")


_TOKEN = st.sampled_from(["8", "-1", "sum", "N/A", "0", "1e9", "nan", "-3.5", "x", "12.5"])


@given(st.lists(st.lists(_TOKEN, max_size=16).map("  ".join), max_size=5))
def test_garbled_rows_under_a_real_header_give_records_or_an_input_error(
    rows: list[str],
) -> None:
    try:
        records = parse_nccl_tests(_run(rows), source="fuzz.txt")
    except InputError as error:
        assert error.where is not None
        assert error.where.startswith("fuzz.txt")
    else:
        assert all(r.time_s > 0 and r.busbw_gb_s >= 0 for r in records)
