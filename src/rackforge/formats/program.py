"""Reading a program directory (`program.yaml`, `roadmap.yaml`) into typed records.

Errors name the file and the key path (`roadmap.yaml:families[2].token_budget`) and say how to
fix it. Catalog names are not resolved here: the co-design stage does that, so a roadmap that
names an accelerator the catalog lacks still loads, and the error comes from the stage that
needs the part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pydantic

from rackforge.errors import InputError
from rackforge.formats.validation import input_error_from_pydantic
from rackforge.formats.yaml_file import load_yaml_mapping
from rackforge.rack_plan import RackPlan
from rackforge.roadmap import Program, Roadmap

__all__ = [
    "FORMATS_DOC",
    "PROGRAM_FILE",
    "RACKS_FILE",
    "ROADMAP_FILE",
    "ProgramInput",
    "load_program",
]

PROGRAM_FILE = "program.yaml"
ROADMAP_FILE = "roadmap.yaml"
RACKS_FILE = "racks.yaml"  # optional: the program's rack designs and their generations
FORMATS_DOC = "docs/formats.md"

# What each file holds, for the error when it is missing.
_CONTENTS = {
    PROGRAM_FILE: "the program's name, horizon and facility limits",
    ROADMAP_FILE: "the model families to train, with token budgets and release dates",
    RACKS_FILE: "the rack designs, their sites and generations",
}

RecordT = TypeVar("RecordT", bound=pydantic.BaseModel)


@dataclass(frozen=True, slots=True)
class ProgramInput:
    """Everything read from one program directory, validated and typed.

    `racks` is None when the directory has no racks.yaml (the rack stage then picks a catalog
    system for each family's recommended accelerator).
    """

    directory: Path
    program: Program
    roadmap: Roadmap
    racks: RackPlan | None = None


def load_program(directory: Path) -> ProgramInput:
    """Read and validate the program directory; InputError naming file, key and fix if bad."""
    _check_directory(directory)
    program_path = directory / PROGRAM_FILE
    roadmap_path = directory / ROADMAP_FILE
    program = _load_record(program_path, Program)
    roadmap = _load_record(roadmap_path, Roadmap)
    try:
        roadmap.check_within(program)
    except InputError as err:
        raise err.located(str(roadmap_path)) from None
    racks_path = directory / RACKS_FILE
    racks = _load_record(racks_path, RackPlan) if racks_path.is_file() else None
    if racks is not None:
        try:
            racks.check_against(program, roadmap)
        except InputError as err:
            raise err.located(str(racks_path)) from None
    return ProgramInput(directory=directory, program=program, roadmap=roadmap, racks=racks)


def _check_directory(directory: Path) -> None:
    expected = f"a folder holding {PROGRAM_FILE} and {ROADMAP_FILE}"
    if not directory.exists():
        raise InputError(
            f"program directory not found; expected {expected}",
            where=str(directory),
            fix=f"check the path, or copy examples/frontier-2027 and edit it (see {FORMATS_DOC})",
        )
    if not directory.is_dir():
        raise InputError(
            f"not a directory; expected {expected}",
            where=str(directory),
            fix=f"give the folder, not a file inside it (see {FORMATS_DOC})",
        )


def _load_record(path: Path, record: type[RecordT]) -> RecordT:
    if not path.is_file():
        raise InputError(
            f"missing {path.name}: the program directory must hold {path.name} "
            f"({_CONTENTS[path.name]})",
            where=str(path),
            fix=f"create {path.name} as described in {FORMATS_DOC} "
            "(examples/frontier-2027 has one to start from)",
        )
    data = load_yaml_mapping(path)
    try:
        return record.model_validate(data)
    except pydantic.ValidationError as err:
        raise input_error_from_pydantic(err, str(path), record) from None
