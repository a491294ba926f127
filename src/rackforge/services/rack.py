"""Rack engineering use cases: design catalog reference systems from their parts, check them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rackforge.catalog import accelerators, rack_components, reference_system, rule_set
from rackforge.errors import InputError, UnknownNameError
from rackforge.formats.bom_csv import boms_to_csv
from rackforge.rack import (
    BillOfMaterials,
    DesignAssumptions,
    DesignDiff,
    RackDesign,
    RuleCheck,
    build_bom,
    check_design,
    design_reference_system,
    diff_designs,
    draw_elevation,
    draw_front_and_rear,
)
from rackforge.rack.bom import to_json_dict

BOM_FORMATS = ("table", "csv", "json")


def design_systems(
    names: Sequence[str],
    *,
    assumptions: DesignAssumptions | None = None,
    frame: str | None = None,
) -> list[RackDesign]:
    """`rack design --system NAME ...`: one design per named reference system, in order.

    An unknown name raises UnknownNameError (an InputError) with the closest catalog names;
    `frame` (a catalog frame name) replaces each design's default frame.
    """
    if not names:
        raise InputError("no system to design", fix="name one or more, e.g. --system gb200-nvl72")
    components, accelerator_table = rack_components(), accelerators()
    systems = [reference_system(name) for name in names]
    try:
        housing = None if frame is None else components.frames[frame]
    except UnknownNameError as err:
        raise err.located("--frame") from None
    return [
        design_reference_system(
            system, components, accelerator_table, assumptions=assumptions, frame=housing
        )
        for system in systems
    ]


def check_systems(
    names: Sequence[str], rule_sets: Sequence[str], *, frame: str | None = None
) -> list[RuleCheck]:
    """`rack check --system NAME ... --rules SET ...`: each design against each set, in order.

    An unknown system raises UnknownNameError located at --system, an unknown set at --rules.
    """
    if not rule_sets:
        raise InputError(
            "no rule set to check against", where="--rules", fix="e.g. --rules liquid-hall-140kw"
        )
    try:
        sets = [rule_set(name) for name in rule_sets]
    except UnknownNameError as err:
        raise err.located("--rules") from None
    try:
        designs = design_systems(names, frame=frame)
    except UnknownNameError as err:
        raise err if err.where == "--frame" else err.located("--system") from None
    components = rack_components()
    return [check_design(design, rules, components) for design in designs for rules in sets]


def draw_systems(
    names: Sequence[str], out_dir: Path, *, face: str = "both", frame: str | None = None
) -> list[Path]:
    """`rack draw`: write each design's elevation as `<name>-<face>.svg` into `out_dir`."""
    if face not in ("front", "rear", "both"):
        raise InputError(f"unknown face {face!r}", where="--face", fix="use front, rear or both")
    designs = design_systems(names, frame=frame)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for design in designs:
        svg = (
            draw_front_and_rear(design)
            if face == "both"
            else draw_elevation(design, "front" if face == "front" else "rear")
        )
        path = out_dir / f"{design.name}-{face}.svg"
        path.write_text(svg, encoding="utf-8")
        paths.append(path)
    return paths


def bom_systems(
    names: Sequence[str],
    *,
    fmt: str = "table",
    out: Path | None = None,
    frame: str | None = None,
) -> list[BillOfMaterials]:
    """`rack bom`: each design's bill of materials; written to `out` as csv or json when given.

    With `out` and the format left at table, the file's suffix (.csv, .json) picks the format.
    An unknown system raises UnknownNameError located at --system; an unknown format, or a
    table asked to be written to a file, raises InputError located at --format.
    """
    if fmt not in BOM_FORMATS:
        raise InputError(f"unknown format {fmt!r}", where="--format", fix="use table, csv or json")
    if out is not None and fmt == "table":
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("csv", "json"):
            raise InputError(
                f"{out.name}: a table is not written to a file",
                where="--format",
                fix="use --format csv or json, or an --out name ending .csv or .json",
            )
    try:
        designs = design_systems(names, frame=frame)
    except UnknownNameError as err:
        raise err if err.where == "--frame" else err.located("--system") from None
    boms = [build_bom(design) for design in designs]
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_boms(boms, fmt), encoding="utf-8")
    return boms


def diff_systems(a: str, b: str) -> DesignDiff:
    """`rack diff A B`: what changes in figures and parts from system `a`'s design to `b`'s.

    An unknown name raises UnknownNameError located at the argument (A or B) with the closest
    catalog names.
    """
    designs = []
    for where, name in (("A", a), ("B", b)):
        try:
            designs += design_systems([name])
        except UnknownNameError as err:
            raise err.located(where) from None
    return diff_designs(*designs)


def render_boms(boms: Sequence[BillOfMaterials], fmt: str) -> str:
    """The bills as CSV text (one header) or as the JSON object `{"boms": [...]}`."""
    if fmt == "csv":
        return boms_to_csv(boms)
    return json.dumps({"boms": [to_json_dict(bom) for bom in boms]}, indent=2) + "\n"
