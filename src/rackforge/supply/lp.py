"""Linear programs solved with HiGHS (highspy), written two ways.

- `LinearProgram`: row by row (named columns, rows as {column: coefficient}), readable, built
  afresh for every solve: the reference formulation of the supply LPs.
- `SparseLP` and `Solver`: an LP given as arrays and one sparse matrix, built with NumPy, and
  one HiGHS instance that keeps it; after bound changes (`change_col_bounds`,
  `change_row_bounds`) `solve` starts from the last optimal basis (a warm start).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import highspy
import numpy as np
from numpy.typing import NDArray

from rackforge.errors import InfeasibleError

INF = highspy.kHighsInf

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]


@dataclass
class LinearProgram:
    """Columns with bounds and costs, rows with bounds; `solve` maximises or minimises."""

    maximize: bool = False
    mip_gap: float = 1e-4
    _names: list[str] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)
    _lower: list[float] = field(default_factory=list)
    _upper: list[float] = field(default_factory=list)
    _cost: list[float] = field(default_factory=list)
    _integer: list[int] = field(default_factory=list)
    _rows: list[tuple[Mapping[int, float], float, float]] = field(default_factory=list)
    _row_names: list[str] = field(default_factory=list)

    def column(
        self,
        name: str,
        *,
        lower: float = 0.0,
        upper: float = INF,
        cost: float = 0.0,
        integer: bool = False,
    ) -> int:
        """A new column `name` (`integer`: a MILP integer column); returns its index."""
        if name in self._index:
            raise ValueError(f"column {name!r} defined twice")
        self._index[name] = len(self._names)
        self._names.append(name)
        self._lower.append(lower)
        self._upper.append(upper)
        self._cost.append(cost)
        if integer:
            self._integer.append(self._index[name])
        return self._index[name]

    def row(
        self,
        terms: Mapping[int, float],
        *,
        lower: float = -INF,
        upper: float = INF,
        name: str = "",
    ) -> int:
        """lower ≤ Σ coefficient · column ≤ upper, over the column indices of `terms`; its index.

        `name` labels the row in `Solution.duals` (an LP's shadow prices)."""
        self._rows.append((dict(terms), lower, upper))
        self._row_names.append(name or f"row {len(self._rows) - 1}")
        return len(self._rows) - 1

    def row_name(self, row: int) -> str:
        return self._row_names[row]

    def column_index(self, name: str) -> int:
        return self._index[name]

    @property
    def names(self) -> tuple[str, ...]:
        """Column names, by column index."""
        return tuple(self._names)

    @property
    def integers(self) -> tuple[int, ...]:
        """The integer columns' indices."""
        return tuple(self._integer)

    def sparse(self) -> SparseLP:
        """The same LP as arrays (integrality aside: see `integers`)."""
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for r, (terms, _, _) in enumerate(self._rows):
            rows.extend([r] * len(terms))
            cols.extend(terms.keys())
            values.extend(terms.values())
        return SparseLP(
            cost=np.asarray(self._cost, dtype=np.float64),
            col_lower=np.asarray(self._lower, dtype=np.float64),
            col_upper=np.asarray(self._upper, dtype=np.float64),
            row_lower=np.asarray([r[1] for r in self._rows], dtype=np.float64),
            row_upper=np.asarray([r[2] for r in self._rows], dtype=np.float64),
            rows=np.asarray(rows, dtype=np.intp),
            cols=np.asarray(cols, dtype=np.intp),
            values=np.asarray(values, dtype=np.float64),
            maximize=self.maximize,
        )

    def limit(self, column: int, *, upper: float, cost: float) -> None:
        """A new upper bound and cost for `column`."""
        self._upper[column] = upper
        self._cost[column] = cost

    def fix(self, column: int, value: float) -> None:
        """Fix a column at `value` and make it continuous (an LP over a MILP's chosen integers)."""
        self._lower[column] = self._upper[column] = value
        if column in self._integer:
            self._integer.remove(column)

    def solve(
        self,
        *,
        start: Mapping[str, float] | None = None,
        time_limit: float | None = None,
        presolve: bool = True,
    ) -> Solution:
        """The optimum; InfeasibleError when HiGHS finds none.

        `start`: column values by name, a feasible MILP solution HiGHS begins from (an
        incumbent). `time_limit` (seconds): a MILP stopped there returns its incumbent, its
        `gap` saying how far it may be from the optimum. `presolve=False`: HiGHS's presolve
        off."""
        n = len(self._names)
        lp = self.sparse().highs_lp()
        if self._integer:
            kinds = [highspy.HighsVarType.kContinuous] * n
            for c in self._integer:
                kinds[c] = highspy.HighsVarType.kInteger
            lp.integrality_ = kinds
        h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy 1.15 types its methods only
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", self.mip_gap)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        if not presolve:
            h.setOptionValue("presolve", "off")
        h.passModel(lp)
        if start is not None:
            guess = highspy.HighsSolution()
            guess.col_value = [start.get(name, 0.0) for name in self._names]
            guess.value_valid = True
            h.setSolution(guess)
        h.run()
        status = h.getModelStatus()
        feasible = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
        stopped = status == highspy.HighsModelStatus.kTimeLimit and feasible
        if status != highspy.HighsModelStatus.kOptimal and not stopped:
            raise InfeasibleError(f"the LP has no optimum: {h.modelStatusToString(status)}")
        solution = h.getSolution()
        values_out = list(solution.col_value)
        duals = list(solution.row_dual) if solution.dual_valid and not self._integer else []
        return Solution(
            objective=float(h.getInfo().objective_function_value),
            values={name: values_out[i] for name, i in self._index.items()},
            row_activity=tuple(solution.row_value),
            duals=tuple(duals),
            gap=float(h.getInfo().mip_gap) if self._integer else 0.0,
        )


@dataclass(frozen=True, slots=True)
class Solution:
    """The optimum: objective, column values by name, each row's activity and (an LP's) duals —
    the objective's change per unit the row's bound is relaxed; empty for a MILP; and a MILP's
    relative gap between the incumbent and the best bound (0 for an LP)."""

    objective: float
    values: Mapping[str, float]
    row_activity: tuple[float, ...] = ()
    duals: tuple[float, ...] = ()
    gap: float = 0.0


@dataclass(frozen=True, slots=True)
class SparseLP:
    """max or min cost · x, col_lower ≤ x ≤ col_upper, row_lower ≤ A x ≤ row_upper.

    A is given by its nonzero triplets (rows, cols, values), each position at most once."""

    cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    rows: IndexArray
    cols: IndexArray
    values: FloatArray
    maximize: bool

    def highs_lp(self) -> highspy.HighsLp:
        n, m = len(self.cost), len(self.row_lower)
        order = np.lexsort((self.rows, self.cols))  # column-wise, rows ascending in each
        cols = self.cols[order]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_ = self.cost
        lp.col_lower_ = self.col_lower
        lp.col_upper_ = self.col_upper
        lp.row_lower_ = self.row_lower
        lp.row_upper_ = self.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.searchsorted(cols, np.arange(n + 1)).astype(np.int32)
        lp.a_matrix_.index_ = self.rows[order].astype(np.int32)
        lp.a_matrix_.value_ = self.values[order]
        lp.sense_ = highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        return lp


class Solver:
    """One HiGHS instance holding one LP at a time; re-solves start from the last basis."""

    def __init__(self, *, presolve: bool = True) -> None:
        self._h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy 1.15 types its methods only
        self._h.setOptionValue("output_flag", False)
        if not presolve:
            self._h.setOptionValue("presolve", "off")

    def load(self, lp: SparseLP) -> None:
        """Replace the LP held (the basis goes with it)."""
        self._h.passModel(lp.highs_lp())

    def change_col_bounds(self, cols: IndexArray, lower: FloatArray, upper: FloatArray) -> None:
        self._h.changeColsBounds(len(cols), cols.astype(np.int32), lower, upper)

    def change_row_bounds(self, rows: IndexArray, lower: FloatArray, upper: FloatArray) -> None:
        # highspy 1.15 has changeRowsBounds at run time; its stubs list only changeRowBounds
        self._h.changeRowsBounds(len(rows), rows.astype(np.int32), lower, upper)  # type: ignore[attr-defined]

    def solve(self) -> tuple[float, FloatArray, FloatArray]:
        """(objective, column values, row duals); a failed warm start is retried from scratch
        once; InfeasibleError when HiGHS still finds no optimum."""
        self._h.run()
        if self._h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            self._h.clearSolver()
            self._h.run()
        status = self._h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise InfeasibleError(f"the LP has no optimum: {self._h.modelStatusToString(status)}")
        solution = self._h.getSolution()
        return (
            float(self._h.getInfo().objective_function_value),
            np.asarray(solution.col_value, dtype=float),
            np.asarray(solution.row_dual, dtype=float),
        )
