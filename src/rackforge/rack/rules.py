"""A rack design checked against a named rule set: which rules it breaks, and how to fix them.

`check_design` turns a catalog `RuleSet` into `checks.Rule`s for the design's frame (a limit
`limit_from` the frame is read from its catalog entry), compares the design's figures with
`checks.check`, and fills each fix template with figures computed from the violation
(`⌈value / limit⌉` racks, the catalog frames rated for the value). Two cases are reported
rather than hidden:

- a figure that is a lower bound (parts lack figures: `RackDesign.power_complete` false, ...)
  is still checked; a violation says the true value can only be higher, and a pass is noted as
  a pass of the lower bound only;
- a rule that cannot be evaluated (no figure: a server has no busbar, nothing is known of the
  weight; or the frame publishes no rating) is listed in `unchecked` with the reason.

`passed` is true when nothing is violated; `unchecked` and `notes` say how sure that is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from rackforge.catalog import Frame, RackComponents, RuleSet, RuleSpec
from rackforge.rack.checks import Rule, Violation, check
from rackforge.rack.figures import DESIGN_FIGURES, RackDesign
from rackforge.rack.layout import floor_load_kg_m2, footprint_m2

# The figures sized on the IT power: a lower bound with it (`DESIGN_FIGURES`' power_complete).
_POWER_FIGURES = frozenset(name for name, _, flag in DESIGN_FIGURES if flag == "power_complete")
# Rule quantities that are neither sized on the power nor weight or units.
_OTHER_FIGURES = ("scale_out_ports", "scale_up_copper_m")


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One design against one rule set: its violations, and what could not be checked."""

    design: str
    rules: str
    frame: str
    passed: bool
    violations: tuple[Violation, ...]
    unchecked: tuple[str, ...]
    notes: tuple[str, ...]


def check_design(design: RackDesign, rules: RuleSet, components: RackComponents) -> RuleCheck:
    """`design` against `rules`; `components` supplies the frame ratings rules read."""
    frame = components.frames[design.frame]
    figures, bounds = design_figures(design, frame)
    checkable: list[tuple[RuleSpec, Rule]] = []
    unchecked: list[str] = []
    for spec in rules.rules:
        limit, why_not = _limit(spec, design, frame, components)
        if limit is None:
            unchecked.append(f"{spec.id}: {why_not}")
        elif figures.get(spec.quantity) is None:
            unchecked.append(f"{spec.id}: {design.name} has no {spec.quantity} figure")
        else:
            checkable.append((spec, _rule(spec, limit)))
    known = {name: value for name, value in figures.items() if value is not None}
    found = check(known, [rule for _, rule in checkable])
    by_id = {spec.id: spec for spec, _ in checkable}
    violations = tuple(
        _explained(v, by_id[v.rule_id], design, frame, components, bounds.get(v.quantity))
        for v in found
    )
    broken = {v.rule_id for v in violations}
    notes = tuple(
        f"{spec.id}: holds for a lower bound of {spec.quantity} only ({bounds[spec.quantity]})"
        for spec, _ in checkable
        if spec.id not in broken and spec.quantity in bounds
    )
    return RuleCheck(
        design=design.name,
        rules=rules.name,
        frame=design.frame,
        passed=not violations,
        violations=violations,
        unchecked=tuple(unchecked),
        notes=notes,
    )


def design_figures(
    design: RackDesign, frame: Frame
) -> tuple[dict[str, float | None], dict[str, str]]:
    """(figure → value or None, figure → why it is a lower bound) for the rule quantities.

    `floor_load_kg_m2` is the design's weight over the frame's footprint (`layout`).
    """
    footprint = (
        footprint_m2(frame.width_mm, frame.depth_mm)
        if frame.width_mm is not None and frame.depth_mm is not None
        else None
    )
    weight = design.weight_kg
    figures: dict[str, float | None] = {
        name: getattr(design, name)
        for name in (*sorted(_POWER_FIGURES), "weight_kg", "ru_used", *_OTHER_FIGURES)
    }
    figures["floor_load_kg_m2"] = (
        None if weight is None or footprint is None else floor_load_kg_m2(weight, footprint)
    )
    bounds: dict[str, str] = {}
    for figure, names in design.missing.items():
        why = f"{', '.join(names)} lack {figure} figures; the true value can only be higher"
        if figure == "power":
            bounds.update(dict.fromkeys(_POWER_FIGURES, why))
        elif figure == "weight":
            bounds.update({"weight_kg": why, "floor_load_kg_m2": why})
        elif figure == "ru":
            bounds["ru_used"] = why
    if design.scale_up_copper_m is not None:
        bounds["scale_up_copper_m"] = (
            "the straight vertical run between unit centres; routing to the connectors adds to it"
        )
    if not design.nics_complete:
        bounds["scale_out_ports"] = "a NIC's fabric is not recorded in the catalog"
    return figures, bounds


def _limit(
    spec: RuleSpec, design: RackDesign, frame: Frame, components: RackComponents
) -> tuple[float | None, str]:
    if spec.limit is not None:
        return spec.limit, ""
    if spec.limit_from == "shelf_rating_kw":
        if design.shelf_rating_kw is None:
            return None, f"{design.name} has no rack power shelves (its PSUs are in its chassis)"
        return design.shelf_rating_kw, ""
    if spec.limit_from == "leaf_downlinks":
        return _leaf_downlinks(spec, design, components)
    rating = _frame_rating(spec, frame, components)
    if rating is None:
        what = "busbar rating" if spec.limit_from == "frame_busbar_kw" else "payload"
        return None, f"frame {frame.name} publishes no {what} (rack_components.yaml)"
    return rating, ""


def _leaf_downlinks(
    spec: RuleSpec, design: RackDesign, components: RackComponents
) -> tuple[float | None, str]:
    """⌊leaf ports × leaf Gb/s ÷ NIC Gb/s × r / (1 + r)⌋ (rule_schema.LimitFrom)."""
    leaf = components.switches[spec.leaf or ""]
    if design.scale_out_port_gbps is None:
        return None, f"{design.name} has no compute-fabric NIC ports"
    at_nic_speed = leaf.ports * leaf.port_gbps / design.scale_out_port_gbps
    r = spec.oversubscription
    return float(math.floor(at_nic_speed * r / (1.0 + r) + 1e-9)), ""


def _frame_rating(spec: RuleSpec, frame: Frame, components: RackComponents) -> float | None:
    if spec.limit_from == "frame_payload_kg":
        return frame.payload_kg
    if frame.busbar is None:
        return None
    return components.busbars[frame.busbar].max_power_kw


def _rule(spec: RuleSpec, limit: float) -> Rule:
    source = spec.source
    if spec.limit_from is not None:
        source = f"{spec.source}; {spec.limit_from} = {limit:g} {spec.unit}"
    return Rule(
        id=spec.id,
        quantity=spec.quantity,
        limit=limit,
        comparison=spec.comparison,
        unit=spec.unit,
        source=source,
        fix=spec.fix,
    )


def _explained(
    violation: Violation,
    spec: RuleSpec,
    design: RackDesign,
    frame: Frame,
    components: RackComponents,
    lower_bound: str | None,
) -> Violation:
    """The violation with its fix filled in and, for a lower bound, the caveat said."""
    value, limit = violation.value, violation.limit
    racks = math.ceil(value / limit) if spec.comparison == "<=" and limit > 0 else 1
    fix = spec.fix.format(
        value=f"{value:.4g}",
        limit=f"{limit:g}",
        excess=f"{abs(value - limit):.4g}",
        racks=racks,
        needed=racks,
        shelves=design.shelf_plan.shelves_short if design.shelf_plan else "n/a",
        frames=_frames_rated_for(spec, value, components),
        frame=frame.name,
    )
    head = violation.message.split(" — fix: ")[0]
    if lower_bound is not None:
        head += f" (a lower bound: {lower_bound})"
    return replace(violation, fix=fix, message=f"{design.name}: {head} — fix: {fix}")


def _frames_rated_for(spec: RuleSpec, value: float, components: RackComponents) -> str:
    if spec.limit_from is None:
        return "n/a"
    fit = [
        f.name
        for f in components.frames
        if (rating := _frame_rating(spec, f, components)) is not None and rating >= value
    ]
    return ", ".join(fit) if fit else "none in the catalog"
