"""A linear program written row by row and solved with HiGHS (highspy).

The supply LPs are small and sparse; this module keeps their construction readable (named
columns, rows as {column: coefficient}) and hands HiGHS one column-wise sparse matrix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy import sparse

from rackforge.errors import InfeasibleError

INF = highspy.kHighsInf


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

    def fix(self, column: int, value: float) -> None:
        """Fix a column at `value` and make it continuous (an LP over a MILP's chosen integers)."""
        self._lower[column] = self._upper[column] = value
        if column in self._integer:
            self._integer.remove(column)

    def solve(self) -> Solution:
        """The optimum; InfeasibleError when HiGHS finds none."""
        n, m = len(self._names), len(self._rows)
        rows, cols, values = [], [], []
        for r, (terms, _, _) in enumerate(self._rows):
            for c, v in terms.items():
                rows.append(r)
                cols.append(c)
                values.append(v)
        matrix = sparse.csc_matrix((values, (rows, cols)), shape=(m, n))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_ = np.asarray(self._cost, dtype=float)
        lp.col_lower_ = np.asarray(self._lower, dtype=float)
        lp.col_upper_ = np.asarray(self._upper, dtype=float)
        lp.row_lower_ = np.asarray([r[1] for r in self._rows], dtype=float)
        lp.row_upper_ = np.asarray([r[2] for r in self._rows], dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(float)
        lp.sense_ = highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        if self._integer:
            kinds = [highspy.HighsVarType.kContinuous] * n
            for c in self._integer:
                kinds[c] = highspy.HighsVarType.kInteger
            lp.integrality_ = kinds
        h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy 1.15 types its methods only
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", self.mip_gap)
        h.passModel(lp)
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise InfeasibleError(f"the LP has no optimum: {h.modelStatusToString(status)}")
        solution = h.getSolution()
        values_out = list(solution.col_value)
        duals = list(solution.row_dual) if solution.dual_valid and not self._integer else []
        return Solution(
            objective=float(h.getInfo().objective_function_value),
            values={name: values_out[i] for name, i in self._index.items()},
            row_activity=tuple(solution.row_value),
            duals=tuple(duals),
        )


@dataclass(frozen=True, slots=True)
class Solution:
    """The optimum: objective, column values by name, each row's activity and (an LP's) duals —
    the objective's change per unit the row's bound is relaxed; empty for a MILP."""

    objective: float
    values: Mapping[str, float]
    row_activity: tuple[float, ...] = ()
    duals: tuple[float, ...] = ()
