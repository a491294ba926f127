from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from rackforge.catalog.schema import ModelArchitecture
from rackforge.errors import InputError
from rackforge.roadmap import CandidateSystem, ModelFamily, Program, Roadmap, parse_token_count


def family_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "dense-70b",
        "name": "Dense 70B",
        "architecture": "llama3-70b",
        "token_budget": 15e12,
        "target_training_days": 60,
        "release_date": "2026-11-16",
        "candidate_systems": [{"accelerator": "H100", "counts": [4096, 2048]}],
    }
    data.update(changes)
    return data


def program(start: str = "2026-01-01", end: str = "2028-12-31") -> Program:
    return Program.model_validate({"name": "p", "horizon_start": start, "horizon_end": end})


def test_a_token_budget_written_with_a_suffix_reads_as_tokens() -> None:
    family = ModelFamily.model_validate(family_data(token_budget="14.8T"))
    assert family.token_budget == pytest.approx(14.8e12)


@pytest.mark.parametrize(
    ("text", "tokens"), [("15T", 15e12), ("2.5B", 2.5e9), ("1.5e13", 1.5e13), ("700", 700.0)]
)
def test_token_counts_accept_si_suffixes_and_exponents(text: str, tokens: float) -> None:
    assert parse_token_count(text) == pytest.approx(tokens)


@pytest.mark.parametrize("budget", [0, -1e12, "lots"])
def test_a_token_budget_that_is_not_a_positive_number_is_refused(budget: object) -> None:
    with pytest.raises(ValidationError) as caught:
        ModelFamily.model_validate(family_data(token_budget=budget))
    assert caught.value.errors()[0]["loc"] == ("token_budget",)


def test_an_architecture_is_a_catalog_name_or_an_inline_shape() -> None:
    by_name = ModelFamily.model_validate(family_data())
    shape = {"name": "tiny", "layers": 2, "hidden": 64, "heads": 4, "vocab": 100, "seq_len": 128}
    inline = ModelFamily.model_validate(family_data(architecture=shape))
    assert by_name.architecture == "llama3-70b"
    assert isinstance(inline.architecture, ModelArchitecture)
    assert inline.architecture_name == "tiny"


def test_an_inline_architecture_error_points_inside_the_architecture() -> None:
    bad = {"layers": 0, "hidden": 64, "heads": 4, "vocab": 100, "seq_len": 128}
    with pytest.raises(ValidationError) as caught:
        ModelFamily.model_validate(family_data(architecture=bad))
    assert [e["loc"] for e in caught.value.errors()] == [("architecture", "layers")]


def test_an_architecture_that_is_neither_name_nor_mapping_is_refused() -> None:
    with pytest.raises(ValidationError, match="catalog model name"):
        ModelFamily.model_validate(family_data(architecture=70))


def test_candidate_counts_are_sorted_and_must_not_repeat() -> None:
    assert CandidateSystem(accelerator="H100", counts=[8192, 2048]).counts == [2048, 8192]
    with pytest.raises(ValidationError, match="count '2048' appears at"):
        CandidateSystem(accelerator="H100", counts=[2048, 2048])


def test_an_unknown_key_in_a_family_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        ModelFamily.model_validate(family_data(token_budjet=1e12))
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_two_families_with_one_id_are_refused() -> None:
    with pytest.raises(
        ValidationError, match="family id 'dense-70b' appears at \\[0\\] and \\[1\\]"
    ):
        Roadmap.model_validate({"families": [family_data(), family_data(name="again")]})


def test_a_horizon_that_ends_before_it_starts_is_refused_at_horizon_end() -> None:
    with pytest.raises(ValidationError) as caught:
        program(start="2028-01-01", end="2027-01-01")
    assert caught.value.errors()[0]["loc"] == ("horizon_end",)


def test_a_release_outside_the_horizon_names_the_family_and_the_fix() -> None:
    roadmap = Roadmap.model_validate(
        {"families": [family_data(), family_data(id="late", release_date="2029-03-01")]}
    )
    with pytest.raises(InputError) as caught:
        roadmap.check_within(program())
    assert caught.value.where == "families[1].release_date"
    assert "'late'" in caught.value.message
    assert caught.value.fix is not None and "horizon" in caught.value.fix


def test_a_release_inside_the_horizon_passes_the_check() -> None:
    roadmap = Roadmap.model_validate({"families": [family_data()]})
    roadmap.check_within(program())
    assert roadmap.family("dense-70b") is not None
    assert roadmap.families[0].release_date == date(2026, 11, 16)


def test_program_records_are_frozen() -> None:
    record = program()
    with pytest.raises(ValidationError):
        record.name = "other"  # type: ignore[misc]
