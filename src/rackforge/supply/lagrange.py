"""A Lagrangian bound and a primal candidate for a MILP whose rows split into independent blocks
once a few linking rows are priced out.

The MILP: min c·x over l ≤ x ≤ u, lo ≤ A x ≤ up, x_j integer for j in J. Take a set L of
linking rows; without them the rows and columns fall apart into blocks B (the connected
components of the graph joining each row to its columns). For prices y on the linking rows,
of the sign the row's bounds allow (y_i > 0 only where lo_i is finite, y_i < 0 only where
up_i is), weak duality gives a lower bound on the MILP's optimum:

    L(y) = Σ_{i ∈ L} y_i · (lo_i if y_i > 0 else up_i)
           + Σ_B min { (c − A_Lᵀ y)_B · x_B : x_B within its bounds and block rows, integer on J }

(a feasible x meets every linking row, so y_i · (A x)_i ≥ y_i · lo_i or ≥ y_i · up_i as signed;
subtracting those terms from c·x leaves each block's own objective). Every block is solved as
a MILP on its own — a small one where the blocks are many — and its *dual bound* is summed,
so the bound holds even when a block stops short of its optimum. With y the LP relaxation's
duals, L(y) is at least the relaxation's bound (each block's MILP is at least its LP), and
tighter by all the integrality the blocks' own rows carry (in sourcing: the price tiers and
awards of one part, whose relaxation is weak). The duality gap left is that of the linking rows
alone; with few linking rows and many blocks it is small (Shapley–Folkman: it does not grow
with the number of blocks).

A column that no block row touches (a linking row's own slack, a CVaR threshold) is a block of
its own: its minimum over its bounds. Where its reduced cost would be negative on an unbounded
side — the LP's duals are optimal only to HiGHS's tolerance — the prices on its rows are scaled
down until that cost is zero (any sign-feasible y gives a valid bound; this keeps it finite).

The blocks' integer solutions are the primal candidate: fixed, they leave an LP that
re-balances the continuous columns across the linking rows (`rackforge.supply.sourcing_risk`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from rackforge.errors import InfeasibleError
from rackforge.supply.lp import FloatArray, IndexArray, SparseLP

_ROUNDING = 1e-12
"""A reduced cost this small (relative to its cost) is rounding, not a price."""
BLOCK_GAP = 1e-6
"""Relative MIP gap each block is solved to (its dual bound is what counts)."""
_SMALL_MIP = {
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_allow_restart": False,
}
"""HiGHS's sub-MIP heuristics and restarts off: on a block of a few binaries they cost more
than the branching they would save (measured: about half the time on the sourcing blocks)."""


@dataclass(frozen=True, slots=True)
class BlockBound:
    """L(y) (module docstring) with the blocks solved so far as MILPs, the rest at their LP
    value; each column's value in its block's MILP solution (the relaxation's where the block
    was not solved); blocks solved, and blocks in all."""

    bound: float
    values: FloatArray
    solved: int
    blocks: int


def lagrangian_bound(
    lp: SparseLP,
    integers: IndexArray,
    linking: IndexArray,
    relaxed: FloatArray,
    duals: FloatArray,
    *,
    priority: FloatArray | None = None,
    enough: Callable[[float], bool] | None = None,
    block_gap: float = BLOCK_GAP,
) -> BlockBound:
    """L(y) of the MILP `lp` (a minimisation; integer columns `integers`) with y = `duals` on
    the `linking` rows, from its LP relaxation's optimum (`relaxed` columns, `duals` rows).

    Anytime: every block starts at its LP value — (c − A_Lᵀ y)_B · x*_B, the relaxation's
    optimum split by block, exact to the LP's tolerances — and the blocks are then solved as
    MILPs, highest `priority` first (a block's priority is the sum of its columns'; default:
    its LP value), until `enough(bound)` says the bound suffices or every block is solved.
    A block's MILP bound replaces its LP value where higher. InfeasibleError when a block
    has no solution (then neither has the MILP)."""
    if lp.maximize:
        raise ValueError("lagrangian_bound takes a minimisation")
    m, n = len(lp.row_lower), len(lp.cost)
    matrix = sparse.csr_array((lp.values, (lp.rows, lp.cols)), shape=(m, n))
    is_linking = np.zeros(m, dtype=bool)
    is_linking[linking] = True
    y = np.where(is_linking, duals, 0.0)
    y[(y > 0) & ~np.isfinite(lp.row_lower)] = 0.0
    y[(y < 0) & ~np.isfinite(lp.row_upper)] = 0.0
    in_block = ~is_linking[lp.rows]  # the block rows' nonzeros
    b_rows, b_cols, b_values = lp.rows[in_block], lp.cols[in_block], lp.values[in_block]
    alone = np.setdiff1d(np.arange(n), b_cols)
    y = _bounded_prices(matrix, lp, y, alone)
    reduced = lp.cost - matrix.T @ y
    rounding = np.abs(reduced[alone]) <= _ROUNDING * np.maximum(1.0, np.abs(lp.cost[alone]))
    reduced[alone[rounding]] = 0.0
    bound = float(y[y > 0] @ lp.row_lower[y > 0] + y[y < 0] @ lp.row_upper[y < 0])
    values = relaxed.copy()
    for j in alone:  # a column in no block row: its least reduced cost over its bounds
        at = lp.col_lower[j] if reduced[j] >= 0 else lp.col_upper[j]
        values[j] = at if np.isfinite(at) else 0.0
        if reduced[j] != 0:
            bound += float(reduced[j] * at)

    # blocks: connected components of the graph of rows (0..m-1) and columns (m..m+n-1)
    graph = sparse.csr_array((np.ones(len(b_rows)), (b_rows, m + b_cols)), shape=(m + n, m + n))
    _, found = connected_components(graph, directed=False)
    row_label, col_label = found[:m].astype(np.intp), found[m:].astype(np.intp)
    rows_of = _members(row_label, np.flatnonzero(~is_linking))
    cols_of = _members(col_label, np.setdiff1d(np.arange(n), alone))
    at_lp = {b: float(reduced[cols] @ relaxed[cols]) for b, cols in cols_of.items()}
    bound += sum(at_lp.values())
    weight = priority if priority is not None else reduced * relaxed
    queue = sorted(at_lp, key=lambda b: -float(weight[cols_of[b]].sum()))
    local_row = np.zeros(m, dtype=np.intp)
    local_col = np.zeros(n, dtype=np.intp)
    for b, rows in rows_of.items():
        local_row[rows] = np.arange(len(rows))
        local_col[cols_of[b]] = np.arange(len(cols_of[b]))
    entries = _members(col_label[b_cols], np.arange(len(b_cols)))

    is_integer = np.zeros(n, dtype=bool)
    is_integer[integers] = True
    h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy 1.15 types its methods only
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", block_gap)
    for option, value in _SMALL_MIP.items():
        h.setOptionValue(option, value)
    solved = 0
    for label in queue:
        if enough is not None and enough(bound):
            break
        rows, cols = rows_of[label], cols_of[label]
        if is_integer[cols].any():
            nz = entries[label]
            block = sparse.csc_array(
                (b_values[nz], (local_row[b_rows[nz]], local_col[b_cols[nz]])),
                shape=(len(rows), len(cols)),
            )
            objective, x = _solve_block(h, block, reduced[cols], lp, rows, cols, is_integer[cols])
            bound += max(0.0, objective - at_lp[label])
            values[cols] = x
        solved += 1
    return BlockBound(bound=bound, values=values, solved=solved, blocks=len(queue))


def _bounded_prices(
    matrix: sparse.csr_array, lp: SparseLP, y: FloatArray, alone: IndexArray
) -> FloatArray:
    """y with the prices on an `alone` column's rows scaled down where its reduced cost is
    negative towards an infinite bound (module docstring); a reduced cost within rounding
    (`_ROUNDING` of its cost) of zero is taken as zero."""
    columns = matrix.tocsc()
    y = y.copy()
    for j in alone:
        rows = columns.indices[columns.indptr[j] : columns.indptr[j + 1]]
        weights = columns.data[columns.indptr[j] : columns.indptr[j + 1]] * y[rows]
        total, cost = float(weights.sum()), float(lp.cost[j])
        reduced = cost - total
        if abs(reduced) <= _ROUNDING * max(1.0, abs(cost)):
            continue
        toward = lp.col_upper[j] if reduced < 0 else lp.col_lower[j]
        if not np.isfinite(toward) and total != 0 and cost / total >= 0:
            y[rows] *= cost / total
    return y


def _members(labels: IndexArray, items: IndexArray) -> dict[int, IndexArray]:
    """{label: the items (ascending) with that label}, labels read at each item."""
    order = items[np.argsort(labels[items], kind="stable")]
    ranked = labels[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]]) if len(order) else order
    ends = np.r_[starts[1:], len(order)]
    return {int(ranked[s]): order[s:e] for s, e in zip(starts, ends, strict=True)}


def _solve_block(
    h: highspy.Highs,
    block: sparse.csc_array,
    cost: FloatArray,
    lp: SparseLP,
    rows: IndexArray,
    cols: IndexArray,
    integer: np.ndarray,
) -> tuple[float, FloatArray]:
    """(lower bound, best solution) of one block: a MILP's dual bound, an LP's optimum."""
    csc = block
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = len(cols), len(rows)
    model.col_cost_ = cost
    model.col_lower_ = lp.col_lower[cols]
    model.col_upper_ = lp.col_upper[cols]
    model.row_lower_ = lp.row_lower[rows]
    model.row_upper_ = lp.row_upper[rows]
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = csc.indptr.astype(np.int32)
    model.a_matrix_.index_ = csc.indices.astype(np.int32)
    model.a_matrix_.value_ = csc.data.astype(float)
    has_integers = bool(integer.any())
    if has_integers:
        model.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in integer
        ]
    h.passModel(model)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise InfeasibleError(f"a block has no optimum: {h.modelStatusToString(status)}")
    info = h.getInfo()
    x = np.asarray(h.getSolution().col_value, dtype=float)
    if not has_integers:
        return float(info.objective_function_value), x
    return float(info.mip_dual_bound), x
