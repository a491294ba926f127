"""The shipped catalog: every entry valid and sourced, names resolve, shapes match their names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from rackforge import catalog
from rackforge.catalog import Accelerator, Interconnect, ModelArchitecture
from rackforge.catalog.loader import CatalogError, parse_catalog
from rackforge.errors import UnknownNameError

# Each entry once (the tables key every entry under its name and each alias).
ACCELERATORS = list({a.name: a for a in catalog.accelerators().values()}.values())
MODELS = list({m.name: m for m in catalog.models().values()}.values())
INTERCONNECTS = list({i.name: i for i in catalog.interconnects().values()}.values())
ENTRIES: list[Accelerator | ModelArchitecture | Interconnect] = [
    *ACCELERATORS,
    *MODELS,
    *INTERCONNECTS,
]


def numeric_fields(record: BaseModel, prefix: str = "") -> Iterator[str]:
    """Dotted paths of every number set on a record, nested records included."""
    for field in sorted(record.model_fields_set - {"sources"}):
        value = getattr(record, field)
        path = f"{prefix}{field}"
        if isinstance(value, BaseModel):
            yield from numeric_fields(value, f"{path}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield path


def parameter_count(arch: ModelArchitecture) -> int:
    """A decoder's weights: embeddings, attention and MLP or MoE; norms and biases left out."""
    h = arch.hidden
    embeddings = arch.vocab * h * (1 if arch.tied_embeddings else 2)
    if arch.mla is not None:  # DeepSeek-V3 report, Section 2.1.1 (MLA projections)
        m = arch.mla
        q_lora = m.q_lora_rank or h
        qk_dim = m.qk_nope_head_dim + m.qk_rope_head_dim
        attention = (
            h * q_lora
            + q_lora * arch.heads * qk_dim
            + h * (m.kv_lora_rank + m.qk_rope_head_dim)
            + m.kv_lora_rank * arch.heads * (m.qk_nope_head_dim + m.v_head_dim)
            + arch.heads * m.v_head_dim * h
        )
    else:
        q_and_o = 2 * h * arch.heads * arch.d_head
        attention = q_and_o + 2 * h * arch.n_kv_heads * arch.d_head
    matrices = 3 if arch.activation == "swiglu" else 2
    dense_mlp = matrices * h * arch.ffn
    per_moe_layer = 0
    dense_layers = arch.layers
    if arch.moe is not None:
        experts = arch.moe.experts + arch.moe.shared_experts
        per_moe_layer = experts * matrices * h * arch.moe.expert_ffn_hidden + arch.moe.experts * h
        dense_layers = arch.moe.dense_layers
    return (
        embeddings
        + arch.layers * attention
        + dense_layers * dense_mlp
        + arch.moe_layers * per_moe_layer
    )


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_number_in_the_catalog_names_its_source(
    entry: Accelerator | ModelArchitecture | Interconnect,
) -> None:
    for path in numeric_fields(entry):
        prefixes = [".".join(path.split(".")[:i]) for i in range(1, path.count(".") + 2)]
        cited = [entry.sources.get(prefix, "").strip() for prefix in prefixes]
        assert any(cited), f"{entry.name}: {path} has no source"


@pytest.mark.parametrize("accel", ACCELERATORS, ids=lambda a: a.name)
def test_every_accelerator_has_a_16_bit_peak(accel: Accelerator) -> None:
    assert accel.dense_tflops.peak("bf16") or accel.dense_tflops.peak("fp16")


@pytest.mark.parametrize("accel", ACCELERATORS, ids=lambda a: a.name)
def test_lower_precisions_are_never_slower_than_higher_ones(accel: Accelerator) -> None:
    # A sparse figure left un-halved next to dense ones usually breaks this ordering.
    peaks = [accel.dense_tflops.peak(p) for p in ("fp32", "tf32", "bf16", "fp8", "fp4")]
    present = [p for p in peaks if p is not None]
    assert present == sorted(present)
    if accel.dense_tflops.bf16 and accel.dense_tflops.fp16:
        assert accel.dense_tflops.bf16 == accel.dense_tflops.fp16


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        ("A100", "dense_tflops.bf16", 312),  # A100 datasheet
        ("A100", "memory_bandwidth_tb_s", 2.039),
        ("H100", "dense_tflops.bf16", 989.5),  # 1,979 sparse / 2
        ("H100", "dense_tflops.fp8", 1979),
        ("H100", "memory_gib", 80),
        ("H200", "memory_gib", 141),
        ("B200", "dense_tflops.fp4", 9000),  # HGX B200 "144 | 72 PFLOPS" / 8
        ("GB200", "scale_up.size", 72),
        ("GB200", "scale_up.bandwidth_gb_s", 900),
        ("GB300", "dense_tflops.fp4", 15000),  # printed dense, not half of sparse
        ("MI300X", "dense_tflops.bf16", 1307.4),
        ("Gaudi 3", "dense_tflops.bf16", 1835),
        ("TPU v5p", "dense_tflops.bf16", 459),
        ("H100", "hbm_stacks", 5),  # H100 whitepaper, "5 HBM3 stacks" (SXM5)
        ("GB200", "hbm_stacks", 8),  # third-party teardown, unverified
        ("GB300", "hbm_stacks", 8),
    ],
)
def test_datasheet_figures_are_carried_as_dense_per_direction_values(
    name: str, field: str, expected: float
) -> None:
    value: object = catalog.accelerator(name)
    for part in field.split("."):
        value = getattr(value, part)
    assert value == pytest.approx(expected)


@pytest.mark.parametrize("accel", ACCELERATORS, ids=lambda a: a.name)
def test_an_accelerators_third_party_figures_are_marked_unverified(accel: Accelerator) -> None:
    third_party = {f for f, text in accel.sources.items() if "third-party" in text.lower()}
    assert third_party <= set(accel.unverified)
    assert set(accel.unverified) <= set(accel.sources)


@pytest.mark.parametrize("accel", ACCELERATORS, ids=lambda a: a.name)
def test_an_accelerators_makers_cite_a_source_and_include_its_vendor(accel: Accelerator) -> None:
    if accel.makers is None:
        return
    assert accel.sources.get("makers", "").strip(), accel.name
    assert accel.vendor in accel.makers


def test_scale_up_and_scale_out_technologies_are_catalog_interconnects() -> None:
    for accel in ACCELERATORS:
        for link, tier in ((accel.scale_up, "scale_up"), (accel.scale_out, "scale_out")):
            if link is None:
                continue
            fabric = catalog.interconnect(link.technology or "")
            assert fabric.tier == tier, accel.name
            assert fabric.bandwidth_gb_s == link.bandwidth_gb_s, accel.name
        if accel.scale_up is not None:
            fabric = catalog.interconnect(accel.scale_up.technology or "")
            assert accel.scale_up.size <= (fabric.max_domain or 0), accel.name


@pytest.mark.parametrize("alias", ["A100", "a100 80gb", "A100-SXM4-80GB", "a100_sxm4_80gb"])
def test_an_accelerator_is_found_by_alias_ignoring_case_and_punctuation(alias: str) -> None:
    assert catalog.accelerator(alias).name == "A100-SXM4-80GB"
    assert catalog.accelerators()[catalog.normalize_name(alias)].name == "A100-SXM4-80GB"


@given(
    accel=st.sampled_from(ACCELERATORS),
    upper_mask=st.integers(min_value=0, max_value=2**32),
    junk=st.sampled_from(["", "-", " ", "_", "."]),
)
def test_any_casing_and_punctuation_of_a_name_finds_the_same_accelerator(
    accel: Accelerator, upper_mask: int, junk: str
) -> None:
    letters = (c.upper() if upper_mask >> i & 1 else c.lower() for i, c in enumerate(accel.name))
    assert catalog.accelerator(junk.join(letters)) == accel


@pytest.mark.parametrize(
    ("typo", "suggested"),
    [("H10O", "H100-SXM5-80GB"), ("MI300", "MI300X"), ("GB-20O", "GB200")],
)
def test_an_unknown_accelerator_name_suggests_the_closest_match(typo: str, suggested: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        catalog.accelerator(typo)
    assert typo in caught.value.message
    assert caught.value.fix is not None and suggested in caught.value.fix


def test_a_name_like_nothing_in_the_catalog_lists_every_accelerator() -> None:
    with pytest.raises(UnknownNameError) as caught:
        catalog.accelerator("quantum abacus")
    assert caught.value.fix == "use one of: " + ", ".join(sorted(a.name for a in ACCELERATORS))


def test_find_accelerator_answers_none_for_an_unknown_name() -> None:
    assert catalog.find_accelerator("no such part") is None
    assert catalog.find_accelerator("h200") == catalog.accelerator("H200-SXM-141GB")


def test_unknown_models_and_interconnects_raise_with_a_suggestion() -> None:
    with pytest.raises(UnknownNameError, match="llama3-406b"):
        catalog.model("llama3-406b")
    with pytest.raises(UnknownNameError, match="nvlink 6"):
        catalog.interconnect("nvlink 6")


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("gpt3-175b", "GPT-3 175B"),
        ("GPT-3 175B", "GPT-3 175B"),
        ("llama3-405b", "Llama 3 405B"),
        ("Llama-3.1-70B", "Llama 3 70B"),
        ("deepseek-v3", "DeepSeek-V3"),
        ("MT-NLG", "Megatron-Turing NLG 530B"),
    ],
)
def test_models_resolve_by_their_common_spellings(spelling: str, name: str) -> None:
    assert catalog.model(spelling).name == name


@pytest.mark.parametrize(
    ("name", "billions"),
    [
        ("GPT-3 175B", 175),
        ("Megatron-Turing NLG 530B", 530),
        ("Megatron 1T", 1000),
        ("Llama 3 8B", 8),
        ("Llama 3 70B", 70),
        ("Llama 3 405B", 405),
        ("DeepSeek-V3", 671),  # report: 671B total, MTP module excluded
        ("Mixtral 8x7B", 46.7),  # Jiang et al. 2024: 47B total
        ("Llama 2 70B", 70),
    ],
)
def test_a_models_shape_adds_up_to_the_size_in_its_name(name: str, billions: float) -> None:
    assert parameter_count(catalog.model(name)) / 1e9 == pytest.approx(billions, rel=0.03)


def test_all_catalog_files_share_one_dated_version() -> None:
    assert re.fullmatch(r"\d{4}\.\d{2}", catalog.catalog_version())


def test_a_malformed_entry_names_the_file_and_the_entry() -> None:
    text = "version: '1'\naccelerators:\n  - name: Bad\n    dense_tflops: {}\n    memory_gib: -1\n"
    with pytest.raises(CatalogError, match=r"bad\.yaml: accelerators\[0\] \('Bad'\).*memory_gib"):
        parse_catalog(text, file="bad.yaml", list_key="accelerators", entry_type=Accelerator)


def test_two_entries_claiming_one_name_are_rejected() -> None:
    entry = (
        "  - {name: %s, aliases: [X1], dense_tflops: {}, memory_gib: 1, memory_bandwidth_tb_s: 2}"
    )
    text = "\n".join(["version: '1'", "accelerators:", entry % "A", entry % "B"])
    clash = r"dup\.yaml: accelerators\[1\] \('B'\): key 'x1' already names 'A'"
    with pytest.raises(CatalogError, match=clash):
        parse_catalog(text, file="dup.yaml", list_key="accelerators", entry_type=Accelerator)


def test_changing_a_returned_table_leaves_the_catalog_untouched() -> None:
    catalog.accelerators().clear()
    assert catalog.accelerators()


def test_the_package_exports_exactly_its_public_names() -> None:
    assert len(catalog.__all__) == len(set(catalog.__all__))
    assert all(hasattr(catalog, name) for name in catalog.__all__)
    public = {
        name
        for name, value in vars(catalog).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)  # submodules
    }
    assert public == set(catalog.__all__)
