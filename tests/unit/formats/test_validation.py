"""pydantic validation errors become InputErrors naming the key path and the fix."""

from __future__ import annotations

import re
from typing import Any, Literal

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, PositiveFloat, PositiveInt, model_validator

from rackforge.errors import InputError
from rackforge.formats.validation import input_error_from_pydantic, key_path


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ScaleUp(_Strict):
    size: PositiveInt
    bandwidth_gb_s: PositiveFloat


class _System(_Strict):
    scale_up: _ScaleUp | None = None
    count: PositiveInt = 1


class _Scenario(_Strict):
    system: _System
    precision: Literal["fp16", "bf16"] = "bf16"
    cases: list[_ScaleUp] = []

    @model_validator(mode="after")
    def _not_too_many(self) -> _Scenario:
        if len(self.cases) > 2:
            raise ValueError("at most 2 cases")
        return self


def _error(data: dict[str, Any], model: type[BaseModel] | None = _Scenario) -> InputError:
    with pytest.raises(pydantic.ValidationError) as caught:
        _Scenario.model_validate(data)
    return input_error_from_pydantic(caught.value, "scenario.yaml", model)


def test_a_nested_bad_value_is_located_by_its_key_path() -> None:
    error = _error({"system": {"scale_up": {"size": 0, "bandwidth_gb_s": 300}}})
    assert error.where == "scenario.yaml:system.scale_up.size"
    assert "(got 0)" in error.message
    assert error.fix == "must be a positive integer"


def test_a_positive_float_field_asks_for_a_positive_number() -> None:
    error = _error({"system": {"scale_up": {"size": 8, "bandwidth_gb_s": -1.5}}})
    assert error.where == "scenario.yaml:system.scale_up.bandwidth_gb_s"
    assert error.fix == "must be a positive number"


def test_an_unknown_key_lists_the_allowed_keys_and_the_closest_spelling() -> None:
    scale_up = {"size": 8, "bandwidth_gb_s": 300, "bandwidth_gbs": 300}
    error = _error({"system": {"scale_up": scale_up}})
    assert error.where == "scenario.yaml:system.scale_up.bandwidth_gbs"
    assert error.message == "unknown key 'bandwidth_gbs'"
    assert error.fix is not None
    assert "did you mean 'bandwidth_gb_s'?" in error.fix
    assert error.fix.endswith("allowed keys here: bandwidth_gb_s, size")


def test_without_the_model_an_unknown_key_asks_to_check_its_spelling() -> None:
    error = _error({"system": {"colour": "red"}}, model=None)
    assert error.where == "scenario.yaml:system.colour"
    assert error.fix == "remove 'colour' or check its spelling"


def test_a_missing_key_says_which_key_to_add() -> None:
    error = _error({})
    assert error.where == "scenario.yaml:system"
    assert error.message == "required key 'system' is missing"
    assert error.fix == "add 'system: <value>'"


def test_a_list_index_is_written_in_brackets() -> None:
    error = _error({"system": {}, "cases": [{"size": 1, "bandwidth_gb_s": 1}, {"size": "x"}]})
    assert error.where is not None
    assert error.where.startswith("scenario.yaml:cases[1].")


def test_several_problems_are_joined_and_located_at_the_first() -> None:
    error = _error({"system": {"count": 0}, "precision": "fp64"})
    assert error.where == "scenario.yaml:system.count"
    assert "; precision: Input should be 'fp16' or 'bf16' (got 'fp64')" in error.message
    assert error.fix is not None
    assert "precision: must be 'fp16' or 'bf16'" in error.fix


def test_a_rule_across_keys_reads_without_the_value_error_prefix() -> None:
    one = {"size": 1, "bandwidth_gb_s": 1}
    error = _error({"system": {}, "cases": [one, one, one]})
    assert error.where == "scenario.yaml"
    assert error.message == "at most 2 cases"


def test_the_error_is_one_line_for_the_terminal() -> None:
    error = _error({"system": {"count": "many"}})
    assert "\n" not in error.one_line()
    assert error.one_line().startswith("scenario.yaml:system.count: ")


_LOC_PART = st.integers(min_value=0, max_value=99) | st.from_regex(r"[a-z_]{1,8}", fullmatch=True)


@given(st.lists(_LOC_PART, max_size=6))
def test_a_key_path_reads_back_into_the_location_it_was_written_from(
    loc: list[int | str],
) -> None:
    pieces = re.findall(r"\[(\d+)\]|([^.\[]+)", key_path(loc))
    assert [int(index) if index else name for index, name in pieces] == loc
