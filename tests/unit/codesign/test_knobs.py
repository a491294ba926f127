"""Fixed knobs that can never be valid are named, with the reason and the valid choices."""

from __future__ import annotations

import pytest

from rackforge import catalog
from rackforge.codesign.knobs import check_knobs
from rackforge.codesign.parallelism import ParallelismSpec
from rackforge.errors import InputError

GPT3 = catalog.model("gpt3-175b")


@pytest.mark.parametrize(
    ("knobs", "count", "where", "says"),
    [
        ({"tp": 5}, 40, "parallelism.tp", "does not divide heads=96"),
        ({"tp": 16}, 24, "parallelism.tp", "does not divide the 24 accelerators"),
        ({"pp": 97}, 97, "parallelism.pp", "exceeds the 96 layers"),
        ({"cp": 3}, 24, "parallelism.cp", "not divisible by 2·cp"),
        ({"tp": 8, "pp": 2, "dp": 2, "cp": 1}, 64, "parallelism.dp", "system.count = 64"),
        ({"dp": 7}, 56, "parallelism.dp", "not divisible by dp=7"),
        ({"ep": 4}, 64, "parallelism.ep", "dense model"),
        ({"pp": 1, "interleave": 2}, 64, "parallelism.interleave", "needs pipeline"),
        ({"tp": 1, "sequence_parallel": True}, 64, "parallelism.sequence_parallel", "tp > 1"),
    ],
)
def test_an_impossible_fixed_knob_is_named_with_its_reason(
    knobs: dict[str, object], count: int, where: str, says: str
) -> None:
    with pytest.raises(InputError) as err:
        check_knobs(GPT3, count, ParallelismSpec.model_validate(knobs), 1536)
    assert err.value.where == where
    assert says in err.value.message
    assert err.value.fix


def test_valid_fixed_knobs_pass() -> None:
    spec = ParallelismSpec(tp=8, pp=12, dp=16, cp=1, micro_batch=1, interleave=2)
    check_knobs(GPT3, 1536, spec, 1536)
