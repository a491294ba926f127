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
    _names: list[str] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)
    _lower: list[float] = field(default_factory=list)
    _upper: list[float] = field(default_factory=list)
    _cost: list[float] = field(default_factory=list)
    _rows: list[tuple[Mapping[int, float], float, float]] = field(default_factory=list)

    def column(
        self, name: str, *, lower: float = 0.0, upper: float = INF, cost: float = 0.0
    ) -> int:
        """A new column `name`; returns its index."""
        if name in self._index:
            raise ValueError(f"column {name!r} defined twice")
        self._index[name] = len(self._names)
        self._names.append(name)
        self._lower.append(lower)
        self._upper.append(upper)
        self._cost.append(cost)
        return self._index[name]

    def row(self, terms: Mapping[int, float], *, lower: float = -INF, upper: float = INF) -> None:
        """lower ≤ Σ coefficient · column ≤ upper, over the column indices of `terms`."""
        self._rows.append((dict(terms), lower, upper))

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
        h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy 1.15 types its methods only
        h.setOptionValue("output_flag", False)
        h.passModel(lp)
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise InfeasibleError(f"the LP has no optimum: {h.modelStatusToString(status)}")
        values_out = list(h.getSolution().col_value)
        return Solution(
            objective=float(h.getInfo().objective_function_value),
            values={name: values_out[i] for name, i in self._index.items()},
        )


@dataclass(frozen=True, slots=True)
class Solution:
    objective: float
    values: Mapping[str, float]
