"""Scenario parsing: names and inline shapes resolve, the profile rule holds, errors say where."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rackforge.codesign.profile import EfficiencyProfile
from rackforge.codesign.profiles import ProfileBook
from rackforge.codesign.scenario import scenario_from_mapping
from rackforge.errors import InputError, UnknownNameError
from rackforge.formats.profile_store import load_profile_book

CATALOG_BOOK = load_profile_book(None)  # the built-in profiles only

# The A100 80GB SXM datasheet figures, written inline.
INLINE_A100: dict[str, Any] = {
    "name": "A100-SXM4-80GB",
    "dense_tflops": {"fp16": 312, "bf16": 312},
    "memory_gib": 80,
    "memory_bandwidth_tb_s": 2.039,
    "tdp_w": 400,
}
INLINE_MODEL: dict[str, Any] = {
    "layers": 24,
    "hidden": 2304,
    "heads": 24,
    "vocab": 51200,
    "seq_len": 2048,
}


def base(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "model": copy.deepcopy(INLINE_MODEL),
        "system": {
            "accelerator": copy.deepcopy(INLINE_A100),
            "count": 32,
            "scale_up": {"size": 8, "bandwidth_gb_s": 300},
            "scale_out": {"bandwidth_gb_s": 25},
        },
    }
    data.update(overrides)
    return data


def parse(data: Any, book: ProfileBook = CATALOG_BOOK) -> Any:
    return scenario_from_mapping(data, book=book)


def input_error(data: Any) -> InputError:
    with pytest.raises(InputError) as err:
        parse(data)
    return err.value


def unknown_name_error(data: Any) -> UnknownNameError:
    with pytest.raises(UnknownNameError) as err:
        parse(data)
    return err.value


def test_catalog_names_resolve_to_catalog_entries() -> None:
    s = parse({"model": "gpt3-175b", "system": {"accelerator": "H100", "count": 1024}})
    assert (s.model.layers, s.model.hidden, s.model.heads) == (96, 12288, 96)
    assert s.system.accelerator.name == "H100-SXM5-80GB"
    assert s.system.scale_up.size == 8  # the catalog's DGX H100 integration
    assert s.system.scale_out.bandwidth_gb_s == 50
    assert s.global_batch == 1536  # the model's published batch


def test_inline_dimensions_resolve_to_the_same_types() -> None:
    s = parse(base(precision="fp16", parallelism={"tp": 2, "global_batch": 512}))
    assert s.model.layers == 24
    assert s.model.ffn == 4 * 2304
    assert s.system.count == 32
    assert s.system.accelerator.memory_gib == 80
    assert s.precision == "fp16"
    assert s.parallelism.tp == 2
    assert s.global_batch == 512


def test_a_scale_up_domain_larger_than_the_system_is_cut_to_the_system() -> None:
    data = base()
    data["system"]["count"] = 4
    assert parse(data).system.scale_up.size == 4


def test_without_any_batch_the_step_is_about_four_million_tokens() -> None:
    s = parse(base())
    assert s.global_batch == 4 * 2**20 // 2048


@pytest.mark.parametrize("name", ["A100-SXM4-80GB", "a100 sxm4 80gb", "A100_SXM4_80GB"])
def test_an_inline_accelerator_named_like_a_catalog_part_gets_its_profile(name: str) -> None:
    data = base()
    data["system"]["accelerator"]["name"] = name
    s = parse(data)
    assert s.profile.name == "a100-sxm4-80gb"
    assert s.profile.flash_attention is False  # the catalog v1: Megatron 2021 software stack


def test_a_catalog_accelerator_gets_its_profile() -> None:
    s = parse({"model": INLINE_MODEL, "system": {"accelerator": "A100", "count": 8}})
    assert s.profile.name == "a100-sxm4-80gb"


def test_system_profile_picks_a_profile_explicitly_and_by_version() -> None:
    book = CATALOG_BOOK.with_profile(
        EfficiencyProfile(name="lab-a100", version=1, matmul_efficiency=0.6)
    ).with_profile(EfficiencyProfile(name="lab-a100", version=2, matmul_efficiency=0.65))
    data = base()
    data["system"]["profile"] = "lab-a100"
    assert parse(data, book).profile.version == 2
    data["system"]["profile"] = "lab-a100@1"
    assert parse(data, book).profile.matmul_efficiency == 0.6
    data["system"]["profile"] = "lab-a100@v1"
    assert parse(data, book).profile.version == 1


def test_the_newest_calibrated_version_of_an_accelerator_wins() -> None:
    newer = EfficiencyProfile(
        name="a100-sxm4-80gb", version=7, accelerator="A100-SXM4-80GB", matmul_efficiency=0.66
    )
    s = parse(base(), CATALOG_BOOK.with_profile(newer))
    assert (s.profile.version, s.profile.matmul_efficiency) == (7, 0.66)


def test_an_unknown_inline_accelerator_gets_the_first_principles_profile() -> None:
    data = base()
    data["system"]["accelerator"]["name"] = "Lab Prototype X1"
    s = parse(data)
    assert s.profile == EfficiencyProfile()
    assert s.profile.name == "first-principles"


@pytest.mark.parametrize(
    ("key", "name", "known"),
    [
        pytest.param("profile", "no-such-profile", "a100-sxm4-80gb@1", id="profile-lists-all"),
        pytest.param("accelerator", "H1000", "H100-SXM5-80GB", id="accelerator-a-close-match"),
    ],
)
def test_an_unknown_system_name_says_where_and_offers_a_known_one(
    key: str, name: str, known: str
) -> None:
    data = base()
    data["system"][key] = name
    err = unknown_name_error(data)
    assert err.where == f"system.{key}"
    assert known in (err.fix or "")


def test_an_unknown_model_name_says_where() -> None:
    assert unknown_name_error(base(model="gpt-17")).where == "model"


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("model", "layers"), -4, "model.layers"),
        (("model", "hidden"), 0, "model.hidden"),
        (("model", "heads"), "many", "model.heads"),
        (("system", "count"), -8, "system.count"),
        (("system", "count"), "lots", "system.count"),
        (("system", "accelerator", "memory_gib"), -80, "system.accelerator.memory_gib"),
        (("system", "scale_up", "size"), 0, "system.scale_up.size"),
        (("system", "scale_out", "bandwidth_gb_s"), -1, "system.scale_out.bandwidth_gb_s"),
        (("parallelism", "tp"), -2, "parallelism.tp"),
        (("parallelism", "recompute"), "sometimes", "parallelism.recompute"),
        (("parallelism", "zero"), 4, "parallelism.zero"),
    ],
)
def test_bad_values_are_input_errors_naming_the_key_path(
    path: tuple[str, ...], value: Any, where: str
) -> None:
    data = base(parallelism={})
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    err = input_error(data)
    assert err.where == where
    assert repr(value) in err.message


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ((), "gpus"),
        (("model",), "model.gpus"),
        (("system",), "system.gpus"),
        (("system", "accelerator"), "system.accelerator.gpus"),
        (("parallelism",), "parallelism.gpus"),
    ],
)
def test_unknown_keys_are_input_errors_naming_the_key_path(
    path: tuple[str, ...], where: str
) -> None:
    data = base(parallelism={})
    node = data
    for part in path:
        node = node[part]
    node["gpus"] = 8
    err = input_error(data)
    assert err.where == where


def test_an_unknown_precision_names_the_choices() -> None:
    err = input_error(base(precision="fp12"))
    assert err.where == "precision"
    assert "bf16" in (err.fix or "")


@pytest.mark.parametrize("missing", ["model", "system"])
def test_a_missing_block_is_an_input_error(missing: str) -> None:
    data = base()
    del data[missing]
    assert input_error(data).where == missing


def test_a_system_without_count_is_an_input_error() -> None:
    data = base()
    del data["system"]["count"]
    err = input_error(data)
    assert err.where == "system"
    assert "count" in err.message


def test_an_inline_accelerator_without_a_known_scale_up_asks_for_one() -> None:
    data = base()
    data["system"]["accelerator"]["name"] = "Lab Prototype X1"
    del data["system"]["scale_up"]
    err = input_error(data)
    assert err.where == "system.scale_up"


def test_a_scenario_that_is_not_a_mapping_is_an_input_error() -> None:
    assert input_error(["model", "system"]).where == "scenario"
    assert input_error(base(system=[1, 2])).where == "system"


@pytest.mark.parametrize("fused", [True, False])
def test_the_scenario_can_override_the_profiles_attention_kernels(fused: bool) -> None:
    scenario = parse(
        {
            "model": "gpt3-175b",
            "system": {"accelerator": "A100", "count": 8, "flash_attention": fused},
        }
    )
    assert scenario.profile.flash_attention is fused
    assert scenario.profile.name == "a100-sxm4-80gb"  # everything else from the catalog profile
