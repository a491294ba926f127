"""Rack engineering use cases: design racks from parts — a program's designs (racks.yaml) or
catalog reference systems — check them, draw them, list their bills, compare generations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

from rackforge.catalog import accelerators, rack_components, reference_system, rule_set
from rackforge.codesign.profiles import ProfileBook
from rackforge.config import Settings
from rackforge.errors import InputError, UnknownNameError
from rackforge.formats.bom_csv import boms_to_csv
from rackforge.formats.bom_xlsx import boms_to_xlsx
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
from rackforge.services.codesign import profile_book
from rackforge.services.rack_program import (
    Lineage,
    Prediction,
    fleet_accelerators,
    generation_note,
    load_lineages,
    performance_changes,
    predict,
)

BOM_FORMATS = ("table", "csv", "json", "xlsx")


def design_targets(
    program: Path | None,
    names: Sequence[str],
    *,
    frame: str | None = None,
    all_generations: bool = False,
) -> list[RackDesign]:
    """The designs a rack command works on: a program's, then the named catalog systems'.

    From a program directory, each racks.yaml design's current generation (every generation
    with `all_generations`); errors name the file and key. Unknown systems are located at
    --system, an unknown frame at --frame.
    """
    designs: list[RackDesign] = []
    if program is not None:
        _, lineages = load_lineages(program)
        for lineage in lineages:
            chosen = lineage.generations if all_generations else (lineage.current,)
            designs += [g.design for g in chosen]
    if names or program is None:
        try:
            designs += design_systems(names, frame=frame)
        except UnknownNameError as err:
            raise err if err.where == "--frame" else err.located("--system") from None
    return designs


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


def check_targets(
    program: Path | None,
    names: Sequence[str],
    rule_sets: Sequence[str],
    *,
    frame: str | None = None,
) -> list[RuleCheck]:
    """`rack check`: each design against each rule set, in order.

    A program's designs (current generations) are checked against their own sets (racks.yaml
    `rules`, else their facility's), or against `rule_sets` when given; catalog systems need
    `rule_sets`. An unknown system raises UnknownNameError located at --system, a set at
    --rules.
    """
    if not rule_sets and (names or program is None):
        raise InputError(
            "no rule set to check against", where="--rules", fix="e.g. --rules liquid-hall-140kw"
        )
    try:
        sets = [rule_set(name) for name in rule_sets]
    except UnknownNameError as err:
        raise err.located("--rules") from None
    components = rack_components()
    checks: list[RuleCheck] = []
    if program is not None:
        _, lineages = load_lineages(program)
        for lineage in lineages:
            own = sets or [rule_set(name) for name in lineage.rule_sets]
            design = lineage.current.design
            checks += [check_design(design, rules, components) for rules in own]
            if not own:
                checks.append(_no_rules(design, lineage.line.facility))
    if names:
        designs = design_targets(None, names, frame=frame)
        checks += [check_design(design, rules, components) for design in designs for rules in sets]
    return checks


def _no_rules(design: RackDesign, facility: str) -> RuleCheck:
    """A design nothing is checked against: said, not passed over in silence."""
    return RuleCheck(
        design=design.name,
        rules="(none)",
        frame=design.frame,
        passed=True,
        violations=(),
        unchecked=(
            f"no rule sets: add rules to facility '{facility}' in program.yaml, or to the "
            "design in racks.yaml",
        ),
        notes=(),
    )


def check_systems(
    names: Sequence[str], rule_sets: Sequence[str], *, frame: str | None = None
) -> list[RuleCheck]:
    """`rack check --system NAME ... --rules SET ...`: each design against each set, in order."""
    return check_targets(None, names, rule_sets, frame=frame)


def draw_targets(
    program: Path | None,
    names: Sequence[str],
    out_dir: Path,
    *,
    face: str = "both",
    frame: str | None = None,
    all_generations: bool = False,
) -> list[Path]:
    """`rack draw`: write each design's elevation as `<name>-<face>.svg` into `out_dir`."""
    if face not in ("front", "rear", "both"):
        raise InputError(f"unknown face {face!r}", where="--face", fix="use front, rear or both")
    designs = design_targets(program, names, frame=frame, all_generations=all_generations)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for design in designs:
        svg = (
            draw_front_and_rear(design)
            if face == "both"
            else draw_elevation(design, "front" if face == "front" else "rear")
        )
        path = out_dir / f"{design.name.replace('@', '-')}-{face}.svg"
        path.write_text(svg, encoding="utf-8")
        paths.append(path)
    return paths


def bom_targets(
    program: Path | None,
    names: Sequence[str],
    *,
    fmt: str = "table",
    out: Path | None = None,
    frame: str | None = None,
    all_generations: bool = False,
) -> list[BillOfMaterials]:
    """`rack bom`: each design's bill of materials; written to `out` as csv or json when given.

    With `out` and the format left at table, the file's suffix (.csv, .json) picks the format.
    An unknown system raises UnknownNameError located at --system; an unknown format, or a
    table asked to be written to a file, raises InputError located at --format.
    """
    if fmt not in BOM_FORMATS:
        raise InputError(
            f"unknown format {fmt!r}", where="--format", fix="use table, csv, json or xlsx"
        )
    if out is not None and fmt == "table":
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("csv", "json", "xlsx"):
            raise InputError(
                f"{out.name}: a table is not written to a file",
                where="--format",
                fix="use --format csv, json or xlsx, or an --out name ending so",
            )
    if fmt == "xlsx" and out is None:
        raise InputError("a workbook is not printed", where="--format", fix="give --out FILE.xlsx")
    designs = design_targets(program, names, frame=frame, all_generations=all_generations)
    boms = [build_bom(design) for design in designs]
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "xlsx":
            out.write_bytes(boms_to_xlsx(boms))
        else:
            out.write_text(render_boms(boms, fmt), encoding="utf-8")
    return boms


def diff_targets(args: Sequence[str], settings: Settings) -> list[DesignDiff]:
    """`rack diff [PROGRAM_DIR] [A B]`: what changes between designs, generation by generation.

    - `PROGRAM_DIR`: each racks.yaml design, every generation against the one before;
    - `A B`: two catalog systems;
    - `PROGRAM_DIR A B`: two designs of the program (`id@version`, or a bare `id` for its
      current generation) or catalog systems.

    Program designs carry their predicted training performance (`rack_program.predict`) and
    the trigger and reason of each generation.
    """
    if len(args) not in (1, 2, 3):
        raise InputError(
            f"rack diff takes 1 to 3 arguments, got {len(args)}",
            fix="rack diff PROGRAM_DIR, rack diff A B, or rack diff PROGRAM_DIR A B",
        )
    if len(args) == 2:
        return [diff_systems(args[0], args[1])]
    program = Path(args[0])
    _, lineages = load_lineages(program)
    book = profile_book(settings)
    if len(args) == 1:
        diffs = []
        for lineage in lineages:
            fleet = fleet_accelerators(lineage).accelerators
            gens = lineage.generations
            predictions = predict(lineage, gens, book, fleet)
            for (ga, pa), (gb, pb) in pairwise(zip(gens, predictions, strict=True)):
                diffs.append(
                    diff_designs(
                        ga.design,
                        gb.design,
                        extra=performance_changes(pa, pb),
                        notes=(generation_note(gb),),
                    )
                )
        return diffs
    pairs = zip("AB", args[1:], strict=True)
    sides = [_program_side(lineages, name, where, book) for where, name in pairs]
    (design_a, pred_a, note_a), (design_b, pred_b, note_b) = sides
    notes = tuple(n for n in (note_a, note_b) if n)
    extra = performance_changes(pred_a, pred_b) if pred_a or pred_b else ()
    return [diff_designs(design_a, design_b, extra=extra, notes=notes)]


def _program_side(
    lineages: Sequence[Lineage], name: str, where: str, book: ProfileBook
) -> tuple[RackDesign, Prediction | None, str | None]:
    """A design named in a program (`id@version` or `id`), or a catalog system."""
    lineage_id, _, version = name.partition("@")
    lineage = next((x for x in lineages if x.line.id == lineage_id), None)
    if lineage is None:
        if version:
            known = ", ".join(x.line.id for x in lineages)
            raise InputError(
                f"no rack design {lineage_id!r} in the program",
                where=where,
                fix=f"use one of {known} (racks.yaml ids), or a catalog system",
            )
        try:
            return design_systems([name])[0], None, None
        except UnknownNameError as err:
            raise err.located(where) from None
    generation = lineage.generation(version) if version else lineage.current
    if generation is None:
        versions = ", ".join(g.version for g in lineage.generations)
        raise InputError(
            f"rack design {lineage_id!r} has no generation {version!r}",
            where=where,
            fix=f"use {lineage_id}@<version> with a version among {versions}",
        )
    prediction = predict(lineage, [generation], book, fleet_accelerators(lineage).accelerators)[0]
    return generation.design, prediction, generation_note(generation)


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
