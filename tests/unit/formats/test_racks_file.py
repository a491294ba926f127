"""racks.yaml: a program's rack designs and their generations, read by `load_program`."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from rackforge.errors import InputError
from rackforge.formats.program import load_program

EXAMPLE = Path(__file__).parents[3] / "examples" / "frontier-2027"
FILES = ("program.yaml", "roadmap.yaml", "racks.yaml")
FAMILIES = ("dense-70b", "moe-671b", "dense-405b", "moe-1t")

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture
def program_dir(tmp_path: Path) -> Path:
    """A copy of the example program's three files that a test may break."""
    return copy_example(tmp_path / "program")


def copy_example(target: Path) -> Path:
    target.mkdir()
    for name in FILES:
        shutil.copy(EXAMPLE / name, target / name)
    return target


def edit_yaml(path: Path, edit: Edit) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def load_error(program_dir: Path, edit: Edit) -> InputError:
    edit_yaml(program_dir / "racks.yaml", edit)
    with pytest.raises(InputError) as caught:
        load_program(program_dir)
    return caught.value


def test_the_example_loads_its_four_rack_lines_in_order(program_dir: Path) -> None:
    racks = load_program(program_dir).racks
    assert racks is not None
    assert [r.id for r in racks.racks] == [
        "dgx-b200-70b",
        "dgx-b200-671b",
        "nvl72-405b",
        "nvl72-1t",
    ]
    assert [r.family for r in racks.racks] == list(FAMILIES)
    assert [r.system for r in racks.racks] == ["dgx-b200", "dgx-b200", "gb200-nvl72", "gb300-nvl72"]
    assert {r.facility for r in racks.racks} == {"abilene"}
    assert [r.fleet_accelerators for r in racks.racks] == [None, None, 4608, None]
    assert all(r.rules is None for r in racks.racks)


def test_the_example_generations_are_read_as_written(program_dir: Path) -> None:
    racks = load_program(program_dir).racks
    assert racks is not None
    generations = {r.id: [(g.version, g.trigger) for g in r.generations] for r in racks.racks}
    assert generations == {
        "dgx-b200-70b": [("mvr", "initial"), ("v1", "benchmark")],
        "dgx-b200-671b": [("v1", "initial")],
        "nvl72-405b": [("mvr", "initial"), ("v1", "benchmark")],
        "nvl72-1t": [("mvr", "initial"), ("v1", "rule"), ("v2", "rule")],
    }
    nvl72 = racks.rack("nvl72-405b")
    assert nvl72 is not None
    assert [g.changes.compute_trays for g in nvl72.generations] == [9, 18]
    assert nvl72.generations[0].reason.startswith("minimal viable rack")
    dgx = racks.rack("dgx-b200-70b")
    assert dgx is not None
    assert [g.changes.servers_per_rack for g in dgx.generations] == [2, 4]
    gb300 = racks.rack("nvl72-1t")
    assert gb300 is not None
    first, second, third = gb300.generations
    assert first.changes.model_dump(exclude_none=True) == {}  # the catalog system as it stands
    assert second.changes.redundancy == "N+1"
    assert third.changes.battery_backup is True
    assert racks.rack("nope") is None


def test_a_program_without_racks_yaml_loads_with_racks_none(program_dir: Path) -> None:
    (program_dir / "racks.yaml").unlink()
    loaded = load_program(program_dir)
    assert loaded.racks is None
    assert [f.id for f in loaded.roadmap.families] == list(FAMILIES)


def test_an_unknown_family_names_the_file_the_key_and_the_roadmap_families(
    program_dir: Path,
) -> None:
    err = load_error(program_dir, lambda d: d["racks"][0].update(family="dense-9t"))
    assert err.where is not None
    assert "racks.yaml" in err.where and "racks[0].family" in err.where
    assert err.where == f"{program_dir / 'racks.yaml'}:racks[0].family"
    assert "dense-9t" in err.message
    assert err.fix is not None
    assert all(family in err.fix for family in FAMILIES)


def test_an_unknown_facility_names_the_rack_line_and_the_program_facilities(
    program_dir: Path,
) -> None:
    err = load_error(program_dir, lambda d: d["racks"][2].update(facility="mars"))
    assert err.where is not None
    assert "racks.yaml" in err.where
    assert err.where.endswith("racks[2].facility")
    assert err.fix is not None and "abilene" in err.fix and "new-albany" in err.fix


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        pytest.param(lambda d: d["racks"][1].update(id="dgx-b200-70b"), "racks", id="dup-id"),
        pytest.param(
            lambda d: d["racks"][2]["generations"][1].update(version="mvr"),
            "racks[2].generations",
            id="dup-version",
        ),
        pytest.param(
            lambda d: d["racks"][2]["generations"][1].update(trigger="whim"),
            "racks[2].generations[1].trigger",
            id="unknown-trigger",
        ),
        pytest.param(
            lambda d: d["racks"][2]["generations"][1]["changes"].update(gpus=4),
            "racks[2].generations[1].changes.gpus",
            id="unknown-change",
        ),
        pytest.param(
            lambda d: d["racks"][2]["generations"][0]["changes"].update(compute_trays=0),
            "racks[2].generations[0].changes.compute_trays",
            id="zero-trays",
        ),
    ],
)
def test_a_bad_racks_yaml_names_the_file_and_the_key_path(
    program_dir: Path, edit: Edit, key: str
) -> None:
    err = load_error(program_dir, edit)
    assert err.where == f"{program_dir / 'racks.yaml'}:{key}"
    assert err.fix


def test_a_repeated_id_or_version_names_what_repeats(program_dir: Path) -> None:
    err = load_error(program_dir, lambda d: d["racks"][1].update(id="dgx-b200-70b"))
    assert "rack id 'dgx-b200-70b'" in err.message and "[0] and [1]" in err.message
    program_dir = program_dir.parent / "again"
    program_dir.mkdir()
    for name in FILES:
        shutil.copy(EXAMPLE / name, program_dir / name)
    err = load_error(program_dir, lambda d: d["racks"][2]["generations"][1].update(version="mvr"))
    assert "version 'mvr'" in err.message


def test_an_unknown_trigger_lists_the_allowed_ones(program_dir: Path) -> None:
    err = load_error(program_dir, lambda d: d["racks"][0]["generations"][0].update(trigger="whim"))
    assert "whim" in err.message
    assert err.fix is not None
    assert all(t in err.fix for t in ("initial", "benchmark", "calibration", "rule", "part"))


def test_an_unknown_change_lists_the_allowed_changes(program_dir: Path) -> None:
    err = load_error(
        program_dir, lambda d: d["racks"][2]["generations"][1]["changes"].update(gpus=4)
    )
    assert err.message.startswith("unknown key 'gpus'")
    assert err.fix is not None
    assert "compute_trays" in err.fix and "servers_per_rack" in err.fix


def test_facility_rules_are_read_as_a_list(program_dir: Path) -> None:
    facilities = load_program(program_dir).program.facilities
    assert [(f.id, f.rules) for f in facilities] == [
        (
            "abilene",
            [
                "liquid-hall-140kw",
                "orv3-busbar",
                "frame-payload",
                "power-shelf-rating",
                "scale-up-copper",
                "tor-leaf-q3400",
            ],
        ),
        ("new-albany", ["air-cooled-hall-15kw", "frame-payload", "tor-leaf-sn5600"]),
    ]


def test_a_facility_without_rules_has_an_empty_list(program_dir: Path) -> None:
    edit_yaml(program_dir / "program.yaml", lambda d: d["facilities"][1].pop("rules"))
    facilities = load_program(program_dir).program.facilities
    assert facilities[1].rules == []
