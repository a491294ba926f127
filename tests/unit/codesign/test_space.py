"""The enumerated design space obeys every validity rule of space.py's docstring (Megatron-LM)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from rackforge.catalog.schema import ModelArchitecture, MoE
from rackforge.codesign.candidates import Candidates
from rackforge.codesign.parallelism import RECOMPUTE_CODES, ParallelismSpec
from rackforge.codesign.profiles import ProfileBook
from rackforge.codesign.scenario import Scenario, scenario_from_mapping
from rackforge.codesign.search import search
from rackforge.codesign.space import SystemOption, enumerate_space
from rackforge.errors import InfeasibleError, InputError

from published import GPT3_175B, dgx_a100_option, dgx_h100_option

# A GQA model with 6 KV groups: TP must split whole groups (g % t == 0) or replicate them
# evenly (t % g == 0), so only TP 1 and 2 of the powers of two qualify.
GQA = ModelArchitecture(
    name="gqa",
    layers=30,
    hidden=6144,
    heads=48,
    kv_heads=6,
    vocab=32000,
    seq_len=4096,
    activation="swiglu",
)
# An MoE model: EP must divide the 12 experts and the data-parallel degree.
SMALL_MOE = ModelArchitecture(
    name="moe",
    layers=6,
    hidden=1024,
    heads=16,
    vocab=32000,
    seq_len=1024,
    activation="swiglu",
    ffn_hidden=2816,
    moe=MoE(experts=12, top_k=2, expert_ffn_hidden=704),
)
DGX_A100 = dgx_a100_option(64)


def assert_every_rule_holds(
    c: Candidates, model: ModelArchitecture, count: int, global_batch: int
) -> None:
    """The validity rules of space.py's docstring, checked over whole arrays."""
    assert len(c) > 0
    tp, pp, dp, cp, ep = c.tp, c.pp, c.dp, c.cp, c.ep
    mb, v = c.micro_batch, c.interleave
    assert np.all(tp * cp * pp * dp == count)
    assert np.all(model.heads % tp == 0)
    g = model.n_kv_heads
    assert np.all((g % tp == 0) | (tp % g == 0))
    assert np.all(model.ffn % tp == 0)
    if model.moe is not None:
        assert np.all(model.moe.expert_ffn_hidden % tp == 0)
        assert np.all(model.moe.experts % ep == 0)
        assert np.all(dp % ep == 0)
    else:
        assert np.all(ep == 1)
    assert np.all((cp == 1) | (model.seq_len % (2 * cp) == 0))
    assert np.all(pp <= model.layers)
    assert np.all(global_batch % dp == 0)
    per_replica = global_batch // dp
    assert np.all(per_replica % mb == 0)
    m = per_replica // mb
    interleaved = v > 1
    assert np.all(pp[interleaved] > 1)
    assert np.all(m[interleaved] % pp[interleaved] == 0)
    assert not np.any(c.sequence_parallel & (tp == 1))
    replicas = dp * cp
    assert not np.any((c.zero > 0) & (replicas == 1))
    assert not np.any(c.dp_overlap & (replicas == 1))
    assert set(np.unique(c.recompute)) <= set(RECOMPUTE_CODES.values())
    assert set(np.unique(c.zero)) <= {0, 1, 2, 3}


def rows(c: Candidates) -> list[tuple[object, ...]]:
    return [tuple(c.row(i).values()) for i in range(len(c))]


@pytest.fixture(scope="module")
def gpt3_space() -> Candidates:
    return enumerate_space(GPT3_175B, [DGX_A100], ParallelismSpec(), global_batch=1536)


def test_the_gpt3_175b_space_on_64_gpus_is_non_empty_and_every_candidate_valid(
    gpt3_space: Candidates,
) -> None:
    assert_every_rule_holds(gpt3_space, GPT3_175B, 64, 1536)


def test_the_gpt3_space_holds_no_configuration_twice(gpt3_space: Candidates) -> None:
    assert len(set(rows(gpt3_space))) == len(gpt3_space)


def test_the_gpt3_space_holds_the_published_megatron_layout_on_64_gpus(
    gpt3_space: Candidates,
) -> None:
    # Narayanan et al. 2021 run GPT-3 with TP 8 inside a DGX A100 node.
    published = (gpt3_space.tp == 8) & (gpt3_space.pp == 8) & (gpt3_space.dp == 1)
    assert published.any()


def test_pipeline_stages_times_chunks_never_exceed_the_layers(gpt3_space: Candidates) -> None:
    # space.py docstring: "PP·interleave ≤ layers". 64 stages × 2 chunks = 128 chunks for 96
    # layers leaves 32 chunks empty, yet the bubble is credited as if halved.
    c = gpt3_space
    too_many = c.pp * c.interleave > GPT3_175B.layers
    assert not too_many.any(), sorted(set(zip(c.pp[too_many], c.interleave[too_many], strict=True)))


def test_interleaving_never_adds_layers_to_the_busiest_device(gpt3_space: Candidates) -> None:
    c = gpt3_space
    busiest = np.ceil(GPT3_175B.layers / (c.pp * c.interleave)) * c.interleave
    assert np.all(busiest == np.ceil(GPT3_175B.layers / c.pp))


def test_a_gqa_model_splits_tensor_parallelism_by_whole_kv_groups() -> None:
    system = dgx_h100_option(16)
    c = enumerate_space(GQA, [system], ParallelismSpec(), global_batch=64)
    assert_every_rule_holds(c, GQA, 16, 64)
    assert set(np.unique(c.tp)) == {1, 2}


def test_tensor_parallelism_divides_the_ffn_width() -> None:
    narrow = GPT3_175B.model_copy(update={"heads": 32, "hidden": 4096, "ffn_hidden": 6000})
    system = dgx_h100_option(32, scale_up_size=32)
    c = enumerate_space(narrow, [system], ParallelismSpec(), global_batch=64)
    assert_every_rule_holds(c, narrow, 32, 64)
    assert set(np.unique(c.tp)) == {1, 2, 4, 8, 16}  # 6000 = 2⁴·375


def test_context_parallelism_needs_a_sequence_divisible_into_2cp_chunks() -> None:
    odd = GPT3_175B.model_copy(update={"seq_len": 2050})  # 2050 = 2·1025
    c = enumerate_space(odd, [DGX_A100], ParallelismSpec(), global_batch=1536)
    assert set(np.unique(c.cp)) == {1}


def test_a_moe_model_puts_expert_parallelism_on_divisors_of_experts_and_dp() -> None:
    system = dgx_h100_option(48)
    c = enumerate_space(SMALL_MOE, [system], ParallelismSpec(), global_batch=96)
    assert_every_rule_holds(c, SMALL_MOE, 48, 96)
    assert set(np.unique(c.ep)) == {1, 2, 3, 4, 6, 12}


def test_a_dense_model_refuses_expert_parallelism() -> None:
    c = enumerate_space(GPT3_175B, [DGX_A100], ParallelismSpec(ep=2), global_batch=1536)
    assert len(c) == 0


def test_fixed_knobs_are_honoured_by_every_candidate() -> None:
    spec = ParallelismSpec(
        tp=4,
        pp=4,
        cp=1,
        micro_batch=2,
        interleave=2,
        recompute="full",
        sequence_parallel=True,
        zero=1,
        dp_overlap=True,
    )
    c = enumerate_space(GPT3_175B, [DGX_A100], spec, global_batch=1536)
    assert len(c) == 1
    assert c.row(0) == {
        "tp": 4,
        "pp": 4,
        "dp": 4,
        "cp": 1,
        "ep": 1,
        "zero": 1,
        "micro_batch": 2,
        "interleave": 2,
        "recompute": "full",
        "sequence_parallel": True,
        "dp_overlap": True,
        "ep_overlap": False,
    }


@pytest.mark.parametrize(
    ("knob", "value"),
    [("tp", 8), ("pp", 16), ("dp", 2), ("cp", 2), ("micro_batch", 4), ("zero", 3)],
)
def test_one_fixed_knob_restricts_the_space_to_that_value(knob: str, value: int) -> None:
    c = enumerate_space(GPT3_175B, [DGX_A100], ParallelismSpec(**{knob: value}), global_batch=1536)
    assert_every_rule_holds(c, GPT3_175B, 64, 1536)
    assert np.all(getattr(c, knob) == value)


def test_each_system_option_gets_its_own_network() -> None:
    small = dgx_a100_option(32)
    big = SystemOption(count=64, scale_up_size=64, scale_up_gb_s=900.0, scale_out_gb_s=50.0)
    c = enumerate_space(GPT3_175B, [small, big], ParallelismSpec(tp=8), global_batch=1536)
    on_small = c.gpus == 32
    assert on_small.any()
    assert (~on_small).any()
    assert np.all(c.scale_up_size[on_small] == 8)
    assert np.all(c.scale_up_gb_s[~on_small] == 900.0)
    assert np.all(c.scale_out_gb_s[~on_small] == 50.0)


# A toy model small enough to enumerate by brute force with the rules written out again.
TOY = ModelArchitecture(layers=6, hidden=256, heads=4, kv_heads=2, vocab=1000, seq_len=512)


def brute_force(model: ModelArchitecture, count: int, batch: int) -> set[tuple[object, ...]]:
    out: set[tuple[object, ...]] = set()
    divisors = [d for d in range(1, count + 1) if count % d == 0]
    for tp, cp, pp in itertools.product(divisors, divisors, range(1, model.layers + 1)):
        if count % (tp * cp * pp) or tp & (tp - 1) or cp & (cp - 1):
            continue
        dp = count // (tp * cp * pp)
        g = model.n_kv_heads
        if model.heads % tp or model.ffn % tp or (g % tp and tp % g):
            continue
        if cp > 1 and model.seq_len % (2 * cp):
            continue
        if batch % dp:
            continue
        for mb in range(1, batch // dp + 1):
            if (batch // dp) % mb:
                continue
            m = batch // (dp * mb)
            for v in range(1, model.layers + 1):
                busiest = math.ceil(model.layers / (pp * v)) * v
                if busiest != math.ceil(model.layers / pp) or pp * v > model.layers:
                    continue
                if v > 1 and (pp == 1 or m % pp):
                    continue
                for rc, sp, zero, overlap in itertools.product(
                    ("none", "selective", "full"), (False, True), range(4), (False, True)
                ):
                    if sp and tp == 1:
                        continue
                    if (zero or overlap) and dp * cp == 1:
                        continue
                    out.add((tp, pp, dp, cp, 1, zero, mb, v, rc, sp, overlap, False))
    return out


@pytest.mark.parametrize(("count", "batch"), [(8, 8), (12, 24), (16, 4)])
def test_the_space_is_exactly_every_valid_configuration(count: int, batch: int) -> None:
    system = dgx_a100_option(count)
    c = enumerate_space(TOY, [system], ParallelismSpec(), global_batch=batch)
    assert set(rows(c)) == brute_force(TOY, count, batch)
    assert len(set(rows(c))) == len(c)


def test_tensor_parallelism_that_cannot_divide_the_gpus_gives_an_empty_space() -> None:
    c = enumerate_space(GPT3_175B, [DGX_A100], ParallelismSpec(tp=5), global_batch=1536)
    assert len(c) == 0


def gpt3_scenario(parallelism: dict[str, object]) -> Scenario:
    return scenario_from_mapping(
        {
            "model": GPT3_175B.model_dump(exclude={"sources"}),
            "system": {
                "accelerator": {
                    "name": "test-a100",
                    "dense_tflops": {"bf16": 312},
                    "memory_gib": 80,
                    "memory_bandwidth_tb_s": 2.039,
                },
                "count": 64,
                "scale_up": {"size": 8, "bandwidth_gb_s": 300},
            },
            "parallelism": {"global_batch": 1536, **parallelism},
        },
        book=ProfileBook(),
    )


def test_searching_with_a_tp_that_cannot_divide_the_gpus_names_the_knob() -> None:
    with pytest.raises(InputError) as err:
        search(gpt3_scenario({"tp": 5}))
    assert err.value.where == "parallelism.tp"


def test_searching_an_empty_space_raises_infeasible() -> None:
    # Each knob is possible alone, but dp = 64 / (8 · 2) = 4 leaves 384 sequences per replica,
    # which 100 does not divide (dp is derived, so the knob checks cannot see it).
    knobs: dict[str, object] = {"tp": 8, "pp": 2, "micro_batch": 100}
    scenario = gpt3_scenario(knobs)
    assert len(enumerate_space(GPT3_175B, [DGX_A100], scenario.parallelism, 1536)) == 0
    with pytest.raises(InfeasibleError, match="no valid parallel configuration"):
        search(scenario)


def test_all_to_all_overlap_is_offered_only_with_experts_and_a_pipeline() -> None:
    moe = ModelArchitecture(
        layers=8,
        hidden=1024,
        heads=8,
        vocab=1000,
        seq_len=1024,
        moe=MoE(experts=8, top_k=2, expert_ffn_hidden=512),
    )
    c = enumerate_space(moe, [DGX_A100], ParallelismSpec(), global_batch=64)
    assert c.ep_overlap.any()
    assert not np.any(c.ep_overlap & ((c.ep == 1) | (c.pp == 1)))
