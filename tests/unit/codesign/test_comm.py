"""Collective times held to the ring cost model (Thakur et al. 2005; nccl-tests PERFORMANCE.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.codesign.comm import Network
from rackforge.codesign.profile import EfficiencyProfile

PROFILE = EfficiencyProfile(
    scale_up_efficiency=0.8,
    scale_out_efficiency=0.7,
    scale_up_latency_s=5e-6,
    scale_out_latency_s=20e-6,
)
UP_GB_S, OUT_GB_S = 450.0, 50.0  # NVLink 4 and one NDR NIC per GPU, per direction
B_UP = UP_GB_S * 1e9 * 0.8
B_OUT = OUT_GB_S * 1e9 * 0.7
ALPHA_UP = 5e-6


def network(domain: int, up_gb_s: float = UP_GB_S, out_gb_s: float = OUT_GB_S) -> Network:
    return Network.of(
        np.array([domain], dtype=np.int64),
        np.array([up_gb_s]),
        np.array([out_gb_s]),
        PROFILE,
    )


def ints(value: int) -> np.ndarray:
    return np.array([value], dtype=np.int64)


def floats(value: float) -> np.ndarray:
    return np.array([value], dtype=np.float64)


ranks = st.sampled_from([2, 3, 4, 6, 8, 16, 32, 72])
sizes = st.floats(1.0, 1e11)


def latency_steps(n: int) -> float:
    """Ring (2(n-1)) or tree (2⌈log2 n⌉) latency steps, whichever NCCL needs fewer of."""
    return float(min(2 * (n - 1), 2 * np.ceil(np.log2(n))))


@given(ranks, sizes)
def test_all_reduce_inside_one_domain_is_the_ring_formula(n: int, size: float) -> None:
    t = network(domain=72).all_reduce(floats(size), ints(n), ints(1))
    expected = 2 * (n - 1) / n * size / B_UP + latency_steps(n) * ALPHA_UP
    assert float(t[0]) == pytest.approx(expected, rel=1e-12)


@given(ranks, sizes)
def test_reduce_scatter_costs_half_an_all_reduce(n: int, size: float) -> None:
    for domain in (8, 72):
        net = network(domain)
        rs = net.reduce_scatter(floats(size), ints(n), ints(1))
        ar = net.all_reduce(floats(size), ints(n), ints(1))
        assert float(rs[0]) == pytest.approx(0.5 * float(ar[0]), rel=1e-12)
    inside = network(72).reduce_scatter(floats(size), ints(n), ints(1))
    expected = (n - 1) / n * size / B_UP + 0.5 * latency_steps(n) * ALPHA_UP
    assert float(inside[0]) == pytest.approx(expected, rel=1e-12)


@given(ranks, sizes)
def test_all_to_all_inside_one_domain_moves_n_minus_1_over_n_of_the_data(
    n: int, size: float
) -> None:
    t = network(domain=72).all_to_all(floats(size), ints(n), ints(1))
    bandwidth_term = (n - 1) / n * size / B_UP
    assert float(t[0]) >= bandwidth_term
    assert float(t[0]) == pytest.approx(bandwidth_term + ALPHA_UP * np.log2(n), rel=1e-12)


@given(sizes, st.sampled_from([1, 8, 72]))
def test_a_group_of_one_rank_communicates_for_free(size: float, domain: int) -> None:
    net = network(domain)
    one = ints(1)
    assert float(net.all_reduce(floats(size), one, one)[0]) == 0.0
    assert float(net.reduce_scatter(floats(size), one, one)[0]) == 0.0
    assert float(net.all_to_all(floats(size), one, one)[0]) == 0.0


def test_an_all_reduce_across_domains_runs_at_the_slower_of_the_links_and_the_domains_nics() -> (
    None
):
    # 32 ranks over 4 domains of 8: one ring channel per NIC, pipelined with the scale-up
    # links, so the bus bandwidth is min(B_up, 8·B_out) (comm.py docstring).
    size = 1e9
    t = network(domain=8).all_reduce(floats(size), ints(32), ints(1))
    bus = min(B_UP, 8 * B_OUT)
    expected = 2 * 31 / 32 * size / bus + latency_steps(8) * ALPHA_UP + 4 * 20e-6
    assert float(t[0]) == pytest.approx(expected, rel=1e-12)


def test_a_group_with_one_rank_per_domain_is_bound_by_one_nic() -> None:
    size = 1e9
    t = network(domain=8).all_reduce(floats(size), ints(4), ints(8))
    expected = 2 * 3 / 4 * size / B_OUT + 4 * 20e-6
    assert float(t[0]) == pytest.approx(expected, rel=1e-12)


@given(st.sampled_from([16, 32, 64, 128]), st.floats(1e9, 1e11))
def test_a_group_spanning_domains_is_slower_than_inside_one_domain(n: int, size: float) -> None:
    # Bandwidth-bound sizes: the S/k crossing the slower NICs costs more than the in-domain
    # ring's extra (n-k)/n·S (the latency side is the test below).
    spanning = network(domain=8).all_reduce(floats(size), ints(n), ints(1))
    inside = network(domain=n).all_reduce(floats(size), ints(n), ints(1))
    assert float(spanning[0]) > float(inside[0])


@given(
    st.sampled_from([16, 32, 64]),
    st.sampled_from([2, 4, 8]),
    st.floats(1.0, 1e11),
)
def test_a_larger_scale_up_domain_never_slows_an_all_reduce(
    n: int, small: int, size: float
) -> None:
    # The same ranks with a faster fabric between more of them: a collective library can always
    # run the small-domain algorithm inside the large domain, so it is never slower.
    before = network(domain=small).all_reduce(floats(size), ints(n), ints(1))
    after = network(domain=n).all_reduce(floats(size), ints(n), ints(1))
    assert float(after[0]) <= float(before[0]) * (1 + 1e-12)


def test_strided_groups_leave_the_domain_sooner() -> None:
    # A data-parallel group with stride t = 8 has one rank per 8-GPU domain.
    net = network(domain=8)
    size = 1e9
    strided = net.all_reduce(floats(size), ints(4), ints(8))
    expected = 2 * 3 / 4 * size / B_OUT + 4 * 20e-6
    assert float(strided[0]) == pytest.approx(expected, rel=1e-12)
    assert float(strided[0]) > float(net.all_reduce(floats(size), ints(4), ints(1))[0])


@given(st.sampled_from([8, 16, 32]), st.floats(1e3, 1e10))
def test_more_scale_out_bandwidth_never_slows_a_spanning_all_reduce(n: int, size: float) -> None:
    slow = network(domain=4, out_gb_s=25).all_reduce(floats(size), ints(n), ints(1))
    fast = network(domain=4, out_gb_s=100).all_reduce(floats(size), ints(n), ints(1))
    assert float(fast[0]) < float(slow[0])


def test_send_uses_the_tier_it_crosses() -> None:
    net = network(domain=8)
    size = 1e8
    inside = net.send(floats(size), np.array([True]))
    across = net.send(floats(size), np.array([False]))
    assert float(inside[0]) == pytest.approx(size / B_UP + ALPHA_UP, rel=1e-12)
    assert float(across[0]) == pytest.approx(size / B_OUT + 20e-6, rel=1e-12)
