"""Reading YAML and text files: data in, or an InputError naming file, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from rackforge.errors import InputError
from rackforge.formats.yaml_file import load_yaml_mapping, load_yaml_text, read_text


def _error(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        load_yaml_text(text, "scenario.yaml")
    return caught.value


def test_a_yaml_mapping_file_loads_into_a_dict(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("model: {layers: 24, hidden: 2304}\nprecision: fp16\n")
    assert load_yaml_mapping(path) == {
        "model": {"layers": 24, "hidden": 2304},
        "precision": "fp16",
    }


def test_a_merge_key_may_be_overridden_without_counting_as_a_duplicate() -> None:
    text = "base: &b {size: 8, count: 1}\nsystem: {<<: *b, count: 32}\n"
    assert load_yaml_text(text, "s.yaml")["system"] == {"size": 8, "count": 32}


def test_malformed_yaml_names_the_line_of_the_problem() -> None:
    error = _error("model:\n  layers: 24\n  hidden: [2304\nprecision: fp16\n")
    assert error.where is not None
    assert error.where.startswith("scenario.yaml:")
    assert int(error.where.rsplit(":", 1)[1]) in {3, 4}
    assert error.fix is not None
    assert "invalid YAML" in error.message


def test_a_tab_indentation_is_reported_on_its_line() -> None:
    error = _error("model:\n\tlayers: 24\n")
    assert error.where == "scenario.yaml:2"


def test_a_key_written_twice_is_an_error_at_its_second_line() -> None:
    error = _error("precision: fp16\nmodel: {layers: 2}\nprecision: bf16\n")
    assert error.where == "scenario.yaml:3"
    assert "'precision' appears twice (first on line 1)" in error.message
    assert error.fix is not None
    assert "once" in error.fix


def test_a_top_level_list_is_refused_with_a_fix() -> None:
    error = _error("- a\n- b\n")
    assert "not a list" in error.message
    assert error.where == "scenario.yaml"
    assert error.fix is not None


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n", "~\n"])
def test_an_empty_document_is_refused(text: str) -> None:
    assert "empty" in _error(text).message


def test_a_number_as_top_level_key_is_refused() -> None:
    error = _error("1: one\n")
    assert "not text" in error.message


def test_a_control_character_is_reported_on_its_line() -> None:
    error = _error("a: 1\nb: \x07\n")
    assert error.where == "scenario.yaml:2"
    assert "U+0007" in error.message


def test_several_documents_in_one_file_are_refused() -> None:
    error = _error("a: 1\n---\nb: 2\n")
    assert error.where == "scenario.yaml:2"  # the "---" that starts the second one
    assert "single document" in error.message


def test_a_missing_file_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(InputError) as caught:
        load_yaml_mapping(path)
    assert caught.value.where == str(path)
    assert caught.value.message == "file not found"


def test_a_directory_is_not_read_as_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nname: caf\xe9\n")
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert caught.value.where == f"{path}:2"
    assert "0xe9" in caught.value.message


def test_a_byte_order_mark_is_not_part_of_the_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert load_yaml_mapping(path) == {"a": 1}


@given(st.text(max_size=200))
def test_arbitrary_text_gives_a_mapping_or_an_input_error(text: str) -> None:
    try:
        data = load_yaml_text(text, "fuzz.yaml")
    except InputError as error:
        assert error.where is not None
        assert error.where.startswith("fuzz.yaml")
    else:
        assert isinstance(data, dict)
        assert all(isinstance(key, str) for key in data)


_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
_MAPPINGS = st.dictionaries(
    st.text(min_size=1, max_size=12),
    _SCALARS | st.lists(_SCALARS, max_size=3) | st.dictionaries(st.text(max_size=5), _SCALARS),
    min_size=1,
    max_size=6,
)


@given(_MAPPINGS)
def test_any_dumped_mapping_loads_back_unchanged(data: dict[str, object]) -> None:
    assert load_yaml_text(yaml.safe_dump(data), "round.yaml") == data
