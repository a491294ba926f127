"""A design's multi-level bill of materials: what to buy and build, how many, and its cost.

The tree is built from the design's parts list (`RackDesign.parts`), nothing else:

- level 0: the rack (or the one server) itself, quantity 1;
- level 1: trays and assemblies standing in the frame — compute trays, a server's chassis,
  switch trays, power shelves, management switches, the NVLink spine, manifold, frame;
- level 2: modules inside an assembly — accelerators, CPUs, NICs and NVSwitch chips in a
  compute tray or server chassis, PSUs in a power shelf (or a server's chassis);
- level 3: purchased parts inside one module (`PartLine.contents`), where a published source
  counts them: an accelerator's HBM stacks (`hbm_stacks` in accelerators.yaml: 8 per GB200, so
  576 in an NVL72) and a cold plate on each liquid-cooled package (GPU and CPU of a liquid-cooled
  compute tray). Optics are not listed: no reference architecture found says which of a
  system's NIC ports take transceivers rather than copper, so a count would be a guess.

A module goes under its assembly when the design has one and the module's total divides evenly
among them (72 GB200 in 18 trays: 4 per tray); otherwise it stays a level-1 line of the rack,
so every part keeps its design total. A module's contents go one level below it with their
per-unit quantity (8 HBM stacks per GPU), so they always divide evenly. Their power and weight
are inside the module's figures (`rackforge.rack.system_parts`); the bill carries no power or
weight, so nothing is counted twice.

Part numbers: `RF-<CODE>-<HASH>`, CODE the commodity's code (`COMMODITY_CODES`), HASH the first
8 hex digits (upper case) of the SHA-256 of the catalog name lower-cased with its whitespace
collapsed. Same catalog name and commodity, same number, in every run and every design; the
rack itself is `RF-SYS-<HASH of the design name>`.

Costs: a line's unit cost is what the line itself adds (a tray's boards and sheet metal, not
the modules that are lines of their own; a GPU, not its HBM stacks), as in
`rackforge.rack.parts`, so the rack's cost is the sum of the extended costs of every line below
it; the rack line (level 0) carries that sum (integration and test labour are not modelled).
The catalog prices a few parts (accelerators, NICs: published prices, the low end of a range);
a line without one has cost None, and a roll-up over such lines sums the priced ones with
`cost_complete` false: a lower bound, as the design's `cost_usd` is (None when nothing is
priced). An HBM stack costs 0 on its own line: it is bought inside its accelerator's price.

Criticality comes from the catalog's supply facts on each part, never guessed: `single_source`
is true when exactly one maker is recorded (the catalog records one only for a maker's own
proprietary part: NVIDIA's GPUs, NICs, switches), false for two or more, None when no makers
are recorded. `long_lead` is true when the recorded lead time is at least `LONG_LEAD_WEEKS`,
false below it, None when none is recorded. Each line also carries those facts (`makers`,
`lead_time_weeks`), so a reader can see why a flag is set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rackforge.rack.figures import RackDesign
from rackforge.rack.parts import PartLine

Commodity = Literal[
    "accelerator",
    "HBM",
    "CPU",
    "NIC",
    "optics",
    "switch ASIC",
    "PCB",
    "power supply",
    "busbar",
    "cold plate",
    "manifold",
    "CDU",
    "cable",
    "frame",
    "fasteners",
    "other",
]

COMMODITY_CODES: dict[Commodity, str] = {
    "accelerator": "ACCEL",
    "HBM": "HBM",
    "CPU": "CPU",
    "NIC": "NIC",
    "optics": "OPTIC",
    "switch ASIC": "SWASIC",
    "PCB": "PCB",
    "power supply": "PSU",
    "busbar": "BUSBAR",
    "cold plate": "COLDPL",
    "manifold": "MANIF",
    "CDU": "CDU",
    "cable": "CABLE",
    "frame": "FRAME",
    "fasteners": "FASTNR",
    "other": "OTHER",
}

# Part role → commodity class. A switch (NVLink tray or management) is bought for its switch
# ASIC; a compute tray or server chassis line stands for its boards, the modules on them being
# lines of their own. A role not listed here is "other".
ROLE_COMMODITIES: dict[str, Commodity] = {
    "accelerator": "accelerator",
    "CPU": "CPU",
    "NIC": "NIC",
    "NVSwitch chip": "switch ASIC",
    "HBM stack": "HBM",
    "switch tray": "switch ASIC",
    "management switch": "switch ASIC",
    "compute tray": "PCB",
    "server": "PCB",
    "NVLink spine": "cable",
    "liquid manifold": "manifold",
    "frame": "frame",
    "PSU": "power supply",
    "power shelf": "power supply",
    "busbar": "busbar",
    "cold plate": "cold plate",
    "CDU": "CDU",
    "optic": "optics",
    "cable": "cable",
}

# Module role → the assembly roles it sits in, first found wins.
MODULE_HOSTS: dict[str, tuple[str, ...]] = {
    "accelerator": ("compute tray", "server"),
    "CPU": ("compute tray", "server"),
    "NIC": ("compute tray", "server"),
    "NVSwitch chip": ("switch tray", "server"),
    "PSU": ("power shelf", "server"),
}

UNIT = "ea"

LONG_LEAD_WEEKS = 26.0
"""A lead time of half a year or more makes a part long-lead. RackForge's planning convention,
not an industry standard (none defines one): a part that cannot be had within two quarters must
be ordered before the design that uses it is frozen, so the plan treats it as a commitment."""


@dataclass(frozen=True, slots=True)
class BomLine:
    """One line of the bill: a part, how many per parent and in the whole rack, its cost.

    `quantity` is per parent line, `extended_quantity` the product of the quantities on the
    path from the rack. `parent` is the parent's part number (None for the rack). `makers` and
    `lead_time_weeks` are the catalog facts the criticality flags are read from (None: unknown).
    """

    level: int
    part_number: str
    description: str
    role: str
    quantity: int
    extended_quantity: int
    unit: str
    commodity: Commodity
    single_source: bool | None
    long_lead: bool | None
    unit_cost_usd: float | None
    extended_cost_usd: float | None
    parent: str | None = None
    children: tuple[BomLine, ...] = ()
    makers: tuple[str, ...] | None = None
    lead_time_weeks: float | None = None


@dataclass(frozen=True, slots=True)
class BillOfMaterials:
    """A design's bill of materials as a tree under `root`, the rack at level 0."""

    design: str
    title: str
    root: BomLine


@dataclass(frozen=True, slots=True)
class LevelTotal:
    """The sum over one level's lines: extended quantity and cost (None if any is unknown)."""

    level: int
    lines: int
    quantity: int
    cost_usd: float | None
    cost_complete: bool


@dataclass(frozen=True, slots=True)
class BomRollUp:
    """Per-level and whole-bill totals; `cost_usd` is None unless every line has a cost."""

    levels: tuple[LevelTotal, ...]
    quantity: int
    cost_usd: float | None
    cost_complete: bool


def commodity_of(role: str) -> Commodity:
    """The commodity class a part role is bought as; "other" for a role not mapped."""
    return ROLE_COMMODITIES.get(role, "other")


def single_source(makers: Sequence[str] | None) -> bool | None:
    """True for exactly one known maker, False for more, None when none are recorded."""
    return None if not makers else len(set(makers)) == 1


def long_lead(lead_time_weeks: float | None) -> bool | None:
    """True at or above `LONG_LEAD_WEEKS`, False below, None when no lead time is recorded."""
    return None if lead_time_weeks is None else lead_time_weeks >= LONG_LEAD_WEEKS


def part_number(name: str, commodity: Commodity) -> str:
    """The stable internal part number of a catalog name (module docstring for the scheme)."""
    return f"RF-{COMMODITY_CODES[commodity]}-{_name_hash(name)}"


def build_bom(design: RackDesign) -> BillOfMaterials:
    """The bill of materials of `design`, from its parts list (module docstring)."""
    assemblies, modules = _split(design.parts)
    root_number = f"RF-SYS-{_name_hash(design.name)}"
    top: list[BomLine] = []
    for line in assemblies:
        inside = [
            (module, module.quantity // line.quantity)
            for module, host in modules
            if host is line and line.quantity
        ]
        top.append(_line(line, 1, line.quantity, 1, root_number, inside))
    top += [
        _line(module, 1, module.quantity, 1, root_number, [])
        for module, host in modules
        if host is None
    ]
    below = _total(1, [line for part in top for line in _walk(part)])
    root = BomLine(
        level=0,
        part_number=root_number,
        description=design.title,
        role=design.kind,
        quantity=1,
        extended_quantity=1,
        unit=UNIT,
        commodity="other",
        single_source=None,
        long_lead=None,
        unit_cost_usd=below.cost_usd,
        extended_cost_usd=below.cost_usd,
        children=tuple(top),
    )
    return BillOfMaterials(design=design.name, title=design.title, root=root)


def flatten(bom: BillOfMaterials) -> list[BomLine]:
    """Every line of the bill, depth first from the rack, each with its extended quantity."""
    return _walk(bom.root)


def _walk(top: BomLine) -> list[BomLine]:
    out: list[BomLine] = []
    stack = [top]
    while stack:
        line = stack.pop()
        out.append(line)
        stack.extend(reversed(line.children))
    return out


def roll_up(bom: BillOfMaterials) -> BomRollUp:
    """Totals per level and for the whole bill: Σ extended quantity and Σ extended cost.

    The whole bill is every line below the rack (levels ≥ 1); the rack line's own cost is that
    same sum, so level 0 equals the whole bill's cost and counts one rack.
    """
    lines = flatten(bom)
    levels = tuple(
        _total(level, [line for line in lines if line.level == level])
        for level in sorted({line.level for line in lines})
    )
    whole = _total(-1, [line for line in lines if line.level > 0])
    return BomRollUp(
        levels=levels,
        quantity=whole.quantity,
        cost_usd=whole.cost_usd,
        cost_complete=whole.cost_complete,
    )


def to_json_dict(bom: BillOfMaterials) -> dict[str, object]:
    """The bill as JSON-ready values: the tree, its flattened lines and its roll-up."""
    totals = roll_up(bom)
    return {
        "design": bom.design,
        "title": bom.title,
        "tree": _line_dict(bom.root, nested=True),
        "lines": [_line_dict(line, nested=False) for line in flatten(bom)],
        "roll_up": {
            "levels": [
                {
                    "level": t.level,
                    "lines": t.lines,
                    "quantity": t.quantity,
                    "cost_usd": t.cost_usd,
                    "cost_complete": t.cost_complete,
                }
                for t in totals.levels
            ],
            "quantity": totals.quantity,
            "cost_usd": totals.cost_usd,
            "cost_complete": totals.cost_complete,
        },
    }


def _split(
    parts: Sequence[PartLine],
) -> tuple[list[PartLine], list[tuple[PartLine, PartLine | None]]]:
    """Assembly lines, and each module line with the assembly it divides evenly into (or None)."""
    modules = [p for p in parts if p.role in MODULE_HOSTS]
    assemblies = [p for p in parts if p.role not in MODULE_HOSTS]
    placed: list[tuple[PartLine, PartLine | None]] = []
    for module in modules:
        host = next(
            (
                a
                for role in MODULE_HOSTS[module.role]
                for a in assemblies
                if a.role == role and a.quantity and module.quantity % a.quantity == 0
            ),
            None,
        )
        placed.append((module, host))
    return assemblies, placed


def _line(
    part: PartLine,
    level: int,
    quantity: int,
    parent_extended: int,
    parent: str,
    inside: Sequence[tuple[PartLine, int]],
) -> BomLine:
    commodity = commodity_of(part.role)
    number = part_number(part.part, commodity)
    extended = parent_extended * quantity
    below = [*inside, *((content, content.quantity) for content in part.contents)]
    children = tuple(
        _line(child, level + 1, per_unit, extended, number, []) for child, per_unit in below
    )
    return BomLine(
        level=level,
        part_number=number,
        description=part.part,
        role=part.role,
        quantity=quantity,
        extended_quantity=extended,
        unit=UNIT,
        commodity=commodity,
        single_source=single_source(part.makers),
        long_lead=long_lead(part.lead_time_weeks),
        unit_cost_usd=part.cost_usd,
        extended_cost_usd=None if part.cost_usd is None else extended * part.cost_usd,
        parent=parent,
        children=children,
        makers=part.makers,
        lead_time_weeks=part.lead_time_weeks,
    )


def _total(level: int, lines: Sequence[BomLine]) -> LevelTotal:
    costs = [line.extended_cost_usd for line in lines]
    known = [cost for cost in costs if cost is not None]
    complete = len(known) == len(costs)
    return LevelTotal(
        level=level,
        lines=len(lines),
        quantity=sum(line.extended_quantity for line in lines),
        cost_usd=sum(known) if complete or known else None,
        cost_complete=complete,
    )


def line_record(line: BomLine) -> dict[str, object]:
    """One line's fields (its children left out), as plain values for JSON or CSV."""
    return {
        "level": line.level,
        "part_number": line.part_number,
        "description": line.description,
        "role": line.role,
        "quantity": line.quantity,
        "extended_quantity": line.extended_quantity,
        "unit": line.unit,
        "commodity": line.commodity,
        "single_source": line.single_source,
        "long_lead": line.long_lead,
        "unit_cost_usd": line.unit_cost_usd,
        "extended_cost_usd": line.extended_cost_usd,
        "parent": line.parent,
        "makers": None if line.makers is None else list(line.makers),
        "lead_time_weeks": line.lead_time_weeks,
    }


def _line_dict(line: BomLine, *, nested: bool) -> dict[str, object]:
    plain = line_record(line)
    if nested:
        plain["children"] = [_line_dict(child, nested=True) for child in line.children]
    return plain


def _name_hash(name: str) -> str:
    key = " ".join(name.lower().split())
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8].upper()
