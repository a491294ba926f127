"""What changed from one rack design to another: its figures and its bill of materials.

Two designs side by side — two catalog systems, or two generations of one design
(`rackforge.rack.generations`), whose trigger and reason the caller passes as `notes`. The
predicted performance of a design comes from the co-design engine, outside this core: the
caller passes it as extra `FigureChange`s (`figure_change`), listed after the rack's own.

- Figures: the contract figures of `RackDesign` (power, supply, cooling, units, weight, cost),
  `delta = b − a` and `relative = delta / a`; both None where either side is unknown (None),
  `relative` also where `a` is 0. A side whose design flags the figure incomplete
  (`power_complete`, `weight_complete`, `ru_complete`, `cost_complete`) is a lower bound and
  says so: the delta between two lower bounds is not a bound of anything.
- Parts: every bill-of-materials line (`rackforge.rack.bom`) matched by part number, its
  extended quantities summed over the bill, listed where the totals differ — an added part has
  `qty_a` 0, a removed one `qty_b` 0. The rack line itself (level 0) is the thing compared,
  not a part of it, and is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rackforge.rack.bom import BomLine, Commodity, build_bom, flatten
from rackforge.rack.figures import DESIGN_FIGURES, RackDesign


@dataclass(frozen=True, slots=True)
class FigureChange:
    """One figure on both sides; `delta` is b − a, None where either side is unknown."""

    name: str
    unit: str
    a: float | None
    b: float | None
    delta: float | None
    relative: float | None
    a_lower_bound: bool
    b_lower_bound: bool


@dataclass(frozen=True, slots=True)
class PartChange:
    """A part whose total quantity in the rack differs: 0 on the side that lacks it."""

    part_number: str
    description: str
    commodity: Commodity
    qty_a: int
    qty_b: int

    @property
    def delta(self) -> int:
        return self.qty_b - self.qty_a


@dataclass(frozen=True, slots=True)
class DesignDiff:
    """Design `a` against design `b`: every compared figure, and the parts that changed."""

    a: str
    b: str
    figures: tuple[FigureChange, ...]
    parts: tuple[PartChange, ...]
    notes: tuple[str, ...] = ()


def diff_designs(
    a: RackDesign,
    b: RackDesign,
    *,
    extra: Sequence[FigureChange] = (),
    notes: Sequence[str] = (),
) -> DesignDiff:
    """What changed from `a` to `b` (module docstring for the conventions)."""
    figures = tuple(_figure(name, unit, a, b, flag) for name, unit, flag in DESIGN_FIGURES)
    return DesignDiff(
        a=a.name,
        b=b.name,
        figures=(*figures, *extra),
        parts=_parts(a, b),
        notes=tuple(notes),
    )


def figure_change(name: str, unit: str, a: float | None, b: float | None) -> FigureChange:
    """A figure known exactly on both sides (or unknown: None), `delta` = b − a."""
    delta = None if a is None or b is None else b - a
    return FigureChange(
        name=name,
        unit=unit,
        a=a,
        b=b,
        delta=delta,
        relative=None if delta is None or not a else delta / a,
        a_lower_bound=False,
        b_lower_bound=False,
    )


def _figure(name: str, unit: str, a: RackDesign, b: RackDesign, flag: str) -> FigureChange:
    change = figure_change(name, unit, getattr(a, name), getattr(b, name))
    return replace(change, a_lower_bound=not getattr(a, flag), b_lower_bound=not getattr(b, flag))


def _parts(a: RackDesign, b: RackDesign) -> tuple[PartChange, ...]:
    """The parts whose totals differ, in order of appearance: a's bill, then b's new ones."""
    totals_a, totals_b = _totals(a), _totals(b)
    seen = {**totals_b, **totals_a}  # a's description wins where both have the part
    order = list(dict.fromkeys([*totals_a, *totals_b]))
    changes = []
    for number in order:
        qty_a = totals_a[number][1] if number in totals_a else 0
        qty_b = totals_b[number][1] if number in totals_b else 0
        if qty_a != qty_b:
            line = seen[number][0]
            changes.append(PartChange(number, line.description, line.commodity, qty_a, qty_b))
    return tuple(changes)


def _totals(design: RackDesign) -> dict[str, tuple[BomLine, int]]:
    """Part number → (its first line, its extended quantity summed over the bill)."""
    totals: dict[str, tuple[BomLine, int]] = {}
    for line in flatten(build_bom(design)):
        if line.level == 0:
            continue
        first, quantity = totals.get(line.part_number, (line, 0))
        totals[line.part_number] = (first, quantity + line.extended_quantity)
    return totals
