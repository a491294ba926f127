"""The Lagrangian bound over blocks: weak duality held to worked cases and to HiGHS's MILP."""

from __future__ import annotations

import numpy as np
import pytest

from rackforge.supply.lagrange import lagrangian_bound
from rackforge.supply.lp import INF, LinearProgram, Solver, SparseLP
from rackforge.supply.sourcing_instances import generate_sourcing
from rackforge.supply.sourcing_risk import RiskSettings, TwoStageModel, source_under_risk


def _relax(lp: SparseLP) -> tuple[float, np.ndarray, np.ndarray]:
    solver = Solver()
    solver.load(lp)
    return solver.solve()


def _two_knapsacks(linking_upper: float) -> tuple[LinearProgram, int]:
    """min a + b, 2a ≥ 1 and 2b ≥ 1 (each its own block), a, b binary; linking a + b ≤ U.

    By hand: the LP takes a = b = 0.5 (cost 1); each block's MILP needs a = 1 (cost 1 each),
    so with the linking row slack (y = 0) L = 2 = the MILP's optimum, twice the LP's."""
    lp = LinearProgram()
    a = lp.column("a", upper=1, cost=1.0, integer=True)
    b = lp.column("b", upper=1, cost=1.0, integer=True)
    lp.row({a: 2.0}, lower=1.0)
    lp.row({b: 2.0}, lower=1.0)
    link = lp.row({a: 1.0, b: 1.0}, upper=linking_upper)
    return lp, link


def test_slack_linking_rows_leave_independent_blocks_whose_milps_are_the_bound() -> None:
    lp, link = _two_knapsacks(5.0)
    arrays = lp.sparse()
    relaxed, x, duals = _relax(arrays)
    assert relaxed == pytest.approx(1.0)
    found = lagrangian_bound(arrays, np.asarray(lp.integers), np.asarray([link]), x, duals)
    assert found.bound == pytest.approx(2.0)
    assert found.bound == pytest.approx(lp.solve().objective)
    assert found.solved == found.blocks == 2
    assert found.values[[0, 1]] == pytest.approx([1.0, 1.0])


def test_the_bound_starts_at_the_lp_and_only_solved_blocks_raise_it() -> None:
    lp, link = _two_knapsacks(5.0)
    arrays = lp.sparse()
    relaxed, x, duals = _relax(arrays)
    integers, linking = np.asarray(lp.integers), np.asarray([link])
    none = lagrangian_bound(arrays, integers, linking, x, duals, enough=lambda _: True)
    assert none.solved == 0 and none.bound == pytest.approx(relaxed)
    one = lagrangian_bound(arrays, integers, linking, x, duals, enough=lambda b: b > relaxed)
    assert one.solved == 1 and one.bound == pytest.approx(1.5)


def test_a_binding_linking_row_is_priced_by_its_dual() -> None:
    # min −a − b over binaries with 2a + 2b ≤ 3 linking: LP 1.5 units (−1.5), y = −0.5 on the
    # row; each block's price −1 + 2·0.5 = 0, so L = y·3 = −1.5; the MILP's optimum is −1
    lp = LinearProgram()
    a = lp.column("a", upper=1, cost=-1.0, integer=True)
    b = lp.column("b", upper=1, cost=-1.0, integer=True)
    lp.row({a: 1.0}, upper=1.0)
    lp.row({b: 1.0}, upper=1.0)
    link = lp.row({a: 2.0, b: 2.0}, upper=3.0)
    arrays = lp.sparse()
    relaxed, x, duals = _relax(arrays)
    found = lagrangian_bound(arrays, np.asarray(lp.integers), np.asarray([link]), x, duals)
    assert relaxed == pytest.approx(-1.5)
    assert found.bound == pytest.approx(-1.5)
    assert found.bound <= lp.solve().objective + 1e-9


def test_a_column_alone_on_linking_rows_is_at_its_best_bound() -> None:
    # s ≥ 0 only in the linking row a + s ≥ 1 (a slack priced 3): a = 1 is cheaper (cost 2)
    lp = LinearProgram()
    a = lp.column("a", upper=1, cost=2.0, integer=True)
    s = lp.column("s", upper=INF, cost=3.0)
    lp.row({a: 1.0}, upper=1.0)
    link = lp.row({a: 1.0, s: 1.0}, lower=1.0)
    arrays = lp.sparse()
    relaxed, x, duals = _relax(arrays)
    found = lagrangian_bound(arrays, np.asarray(lp.integers), np.asarray([link]), x, duals)
    assert relaxed == pytest.approx(2.0)  # the LP is integral here: a = 1, s = 0
    assert found.bound == pytest.approx(2.0) == pytest.approx(lp.solve().objective)


def test_with_every_block_an_lp_the_bound_is_the_relaxation_exactly() -> None:
    instance = generate_sourcing(12, 10, 8, 6, seed=7)
    settings = RiskSettings(surge=instance.surge, risk_aversion=1.0)
    model = TwoStageModel(instance.problem, instance.scenarios, settings)
    arrays = model.lp.sparse()
    relaxed, x, duals = _relax(arrays)
    linking = np.asarray(model.linking_rows)
    as_lp = lagrangian_bound(arrays, np.asarray([], dtype=np.intp), linking, x, duals)
    assert as_lp.bound == pytest.approx(relaxed, rel=1e-9)
    assert as_lp.blocks == len({o.part for o in model.offers})  # one block per part


def test_on_a_sourcing_instance_the_bound_lies_between_the_lp_and_the_milp() -> None:
    instance = generate_sourcing(6, 8, 6, 5, seed=3)
    settings = RiskSettings(surge=instance.surge, risk_aversion=1.0, mip_gap=1e-6)
    model = TwoStageModel(instance.problem, instance.scenarios, settings)
    arrays = model.lp.sparse()
    relaxed, x, duals = _relax(arrays)
    found = lagrangian_bound(
        arrays, np.asarray(model.lp.integers), np.asarray(model.linking_rows), x, duals
    )
    optimum = model.lp.solve().objective
    assert relaxed - 1e-6 * abs(relaxed) <= found.bound <= optimum * (1 + 1e-6)


def test_relax_and_fix_certifies_its_gap_against_a_bound_no_higher_than_the_optimum() -> None:
    instance = generate_sourcing(6, 8, 6, 5, seed=3)
    exact = RiskSettings(surge=instance.surge, risk_aversion=1.0, mip_gap=1e-6)
    optimum = source_under_risk(instance.problem, instance.scenarios, exact, explain=False)
    loose = RiskSettings(surge=instance.surge, risk_aversion=1.0, mip_gap=0.02)
    fixed = source_under_risk(
        instance.problem, instance.scenarios, loose, explain=False, method="fix"
    )
    assert fixed.mip_gap <= 0.02
    assert fixed.objective >= optimum.objective * (1 - 1e-6)
    bound = fixed.objective * (1 - fixed.mip_gap)
    assert bound <= optimum.objective * (1 + 1e-6)
