"""A design's parts list, and the sums over it that know what they are missing.

A part's figure is None where nobody publishes it. A sum over the list is then over the parts
that have the figure — a lower bound — and names the parts that lack it: reading an unpublished
figure as zero would let a design pass a rule it breaks. A figure another line already carries
(a NIC inside a tray whose published maximum covers it, a GPU inside a chassis whose weight is
the chassis') is 0.0, and the line's `source` says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rackforge.rack.layout import PositionHint

Figure = Literal["power_w", "weight_kg", "cost_usd"]


@dataclass(frozen=True, slots=True)
class PartLine:
    """One line of a design's parts list, its figures per unit, and where they come from.

    A figure left out is unpublished (None). `units` is the frame units each takes (0: inside
    or on something else; None: unpublished). `liquid_fraction` is the share of its power its
    cold plates take. `makers` and `lead_time_weeks` are the catalog's supply facts (None:
    unknown). `contents` are the purchased parts inside one unit of this line (HBM stacks, cold
    plates), each `quantity` per unit; their figures are inside this line's, so no sum over the
    parts list counts them.
    """

    role: str
    part: str
    quantity: int
    power_w: float | None = None
    weight_kg: float | None = None
    cost_usd: float | None = None
    units: int | None = 0
    liquid_fraction: float = 0.0
    position_hint: PositionHint = "any"
    source: str = ""
    makers: tuple[str, ...] | None = None
    lead_time_weeks: float | None = None
    contents: tuple[PartLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Tally:
    """A figure summed over a parts list, and the parts that lack it.

    `total` is None when the parts that have the figure add up to nothing while others lack it:
    a lower bound of zero (GPUs whose weight is their chassis', a chassis of unknown weight)
    says nothing.
    """

    total: float | None
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def tally(lines: Sequence[PartLine], figure: Figure) -> Tally:
    """Σ quantity × figure over the lines that have it, naming the lines that do not."""
    values = [(line, getattr(line, figure)) for line in lines]
    total = sum(line.quantity * value for line, value in values if value is not None)
    missing = tuple(dict.fromkeys(line.part for line, value in values if value is None))
    return Tally(total=None if missing and not total else float(total), missing=missing)
