"""Design rules as data: a rule bounds one named figure, and a check lists what breaks them.

A rule knows nothing of racks: `it_power_kw <= 18.0 kW` is a quantity, a comparison and a
limit, with the source that sets the limit and the fix to suggest. Rule sets (per site, data
hall or frame) are data elsewhere; this module only compares.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rackforge.errors import InputError

Comparison = Literal["<=", ">="]
COMPARISONS: tuple[Comparison, ...] = ("<=", ">=")


@dataclass(frozen=True, slots=True)
class Rule:
    """`quantity` must stay `comparison` `limit` (in `unit`), because `source` says so."""

    id: str
    quantity: str
    limit: float
    comparison: Comparison
    unit: str
    source: str
    fix: str

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise InputError(
                f"comparison {self.comparison!r} is unknown",
                where=f"rule {self.id}",
                fix="use <= (an upper limit) or >= (a lower limit)",
            )
        if not math.isfinite(self.limit):
            raise InputError(
                f"limit {self.limit} is not a finite number",
                where=f"rule {self.id}",
                fix="give the limit as a number",
            )

    def holds_for(self, value: float) -> bool:
        """Whether `value` keeps the rule; a NaN never does."""
        return value <= self.limit if self.comparison == "<=" else value >= self.limit


@dataclass(frozen=True, slots=True)
class Violation:
    """A figure that breaks a rule, with everything needed to act on it."""

    rule_id: str
    quantity: str
    value: float
    limit: float
    unit: str
    source: str
    fix: str
    message: str


def check(figures: Mapping[str, float], rules: Sequence[Rule]) -> list[Violation]:
    """The violations of `rules` by `figures`, in rule order (empty when all hold).

    A rule whose quantity is not among the figures is an error, not a pass: a rule set naming a
    figure the design does not report would otherwise approve it silently.
    """
    missing = [rule for rule in rules if rule.quantity not in figures]
    if missing:
        names = ", ".join(sorted({rule.quantity for rule in missing}))
        raise InputError(
            f"no figure for {names}",
            where=f"rule {missing[0].id}",
            fix=f"report these figures or drop the rules on them (known: {', '.join(figures)})",
        )
    return [
        _violation(rule, float(figures[rule.quantity]))
        for rule in rules
        if not rule.holds_for(float(figures[rule.quantity]))
    ]


def _violation(rule: Rule, value: float) -> Violation:
    breach = "exceeds the limit" if rule.comparison == "<=" else "falls short of the minimum"
    message = (
        f"{rule.quantity} {_amount(value, rule.unit)} {breach} {_amount(rule.limit, rule.unit)}"
        f" ({rule.source}) — fix: {rule.fix}"
    )
    return Violation(
        rule_id=rule.id,
        quantity=rule.quantity,
        value=value,
        limit=rule.limit,
        unit=rule.unit,
        source=rule.source,
        fix=rule.fix,
        message=message,
    )


def _amount(value: float, unit: str) -> str:
    """`130.0 kW`, `2708.3 A`, `0.25`: one decimal from 100 up, four significant digits below."""
    number = f"{value:.1f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:.4g}"
    return f"{number} {unit}" if unit else number
