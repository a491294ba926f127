import shutil
from pathlib import Path

import pytest

from rackforge.catalog.schema import ModelArchitecture
from rackforge.errors import InputError
from rackforge.formats.program import load_program

EXAMPLE = Path(__file__).parents[3] / "examples" / "frontier-2027"


@pytest.fixture
def program_dir(tmp_path: Path) -> Path:
    """A copy of the example program that a test may break."""
    target = tmp_path / "program"
    shutil.copytree(EXAMPLE, target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_example_program_loads_with_its_four_families() -> None:
    loaded = load_program(EXAMPLE)
    assert loaded.program.name == "Frontier 2027"
    assert [f.id for f in loaded.roadmap.families] == [
        "dense-70b",
        "moe-671b",
        "dense-405b",
        "moe-1t",
    ]
    assert loaded.roadmap.families[1].token_budget == pytest.approx(14.8e12)
    assert isinstance(loaded.roadmap.families[3].architecture, ModelArchitecture)
    assert loaded.program.facilities[0].max_power_mw == 300


def test_a_negative_token_budget_names_the_file_the_key_path_and_the_fix(
    program_dir: Path,
) -> None:
    replace_in(program_dir / "roadmap.yaml", "token_budget: 15.6e+12", "token_budget: -1")
    with pytest.raises(InputError) as caught:
        load_program(program_dir)
    assert caught.value.where == f"{program_dir / 'roadmap.yaml'}:families[2].token_budget"
    assert caught.value.fix == "must be a positive number"


def test_an_unknown_key_names_the_key_and_lists_the_allowed_ones(program_dir: Path) -> None:
    replace_in(
        program_dir / "roadmap.yaml",
        "    target_training_days: 60\n",
        "    target_training_days: 60\n    training_dayz: 60\n",
    )
    with pytest.raises(InputError) as caught:
        load_program(program_dir)
    assert str(caught.value.where).endswith("roadmap.yaml:families[0].training_dayz")
    assert caught.value.message.startswith("unknown key 'training_dayz'")
    assert caught.value.fix is not None and "target_training_days" in caught.value.fix


def test_a_bad_key_in_program_yaml_names_program_yaml(program_dir: Path) -> None:
    replace_in(program_dir / "program.yaml", "max_power_mw: 150", "max_power_mw: lots")
    with pytest.raises(InputError) as caught:
        load_program(program_dir)
    assert str(caught.value.where).endswith("program.yaml:facilities[1].max_power_mw")


def test_malformed_yaml_names_the_file_and_line(program_dir: Path) -> None:
    roadmap = program_dir / "roadmap.yaml"
    roadmap.write_text("families:\n  - id: a\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_program(program_dir)
    assert caught.value.where is not None
    assert caught.value.where.startswith(f"{roadmap}:")
    assert "invalid YAML" in caught.value.message


@pytest.mark.parametrize("missing", ["program.yaml", "roadmap.yaml"])
def test_a_missing_file_says_which_file_is_expected_and_where_it_is_documented(
    program_dir: Path, missing: str
) -> None:
    (program_dir / missing).unlink()
    with pytest.raises(InputError) as caught:
        load_program(program_dir)
    assert caught.value.where == str(program_dir / missing)
    assert f"missing {missing}" in caught.value.message
    assert caught.value.fix is not None and "docs/formats.md" in caught.value.fix


def test_a_missing_directory_points_to_the_format_document(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_program(tmp_path / "nowhere")
    assert "program.yaml and roadmap.yaml" in caught.value.message
    assert caught.value.fix is not None and "docs/formats.md" in caught.value.fix


def test_a_release_after_the_horizon_is_located_in_roadmap_yaml(program_dir: Path) -> None:
    replace_in(program_dir / "roadmap.yaml", "release_date: 2028-09-29", "release_date: 2029-09-29")
    with pytest.raises(InputError) as caught:
        load_program(program_dir)
    assert str(caught.value.where).endswith("roadmap.yaml:families[3].release_date")
    assert "'moe-1t'" in caught.value.message


def test_an_unknown_accelerator_name_still_loads_because_the_catalog_is_not_consulted(
    program_dir: Path,
) -> None:
    replace_in(program_dir / "roadmap.yaml", "accelerator: H100", "accelerator: Z9000")
    loaded = load_program(program_dir)
    assert loaded.roadmap.families[0].candidate_systems[0].accelerator == "Z9000"
