"""A batch of candidate configurations as parallel NumPy arrays (structure of arrays).

The whole engine evaluates `Candidates`, so one configuration and a million are the same code
path: a scenario with every knob given is a batch of one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rackforge.codesign.parallelism import RECOMPUTE_NAMES

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Candidates:
    """Configurations to evaluate: parallel degrees, execution options and system options."""

    tp: IntArray
    pp: IntArray
    dp: IntArray
    cp: IntArray
    ep: IntArray
    micro_batch: IntArray
    interleave: IntArray
    recompute: IntArray  # 0 none, 1 selective, 2 full
    sequence_parallel: BoolArray
    zero: IntArray
    dp_overlap: BoolArray
    ep_overlap: BoolArray
    scale_up_size: IntArray
    scale_up_gb_s: FloatArray
    scale_out_gb_s: FloatArray

    def __len__(self) -> int:
        return int(self.tp.shape[0])

    @property
    def gpus(self) -> IntArray:
        return self.tp * self.pp * self.dp * self.cp

    def stage_share(self, layers: int) -> FloatArray:
        """Fraction of the layers on the busiest device: ⌈L/(p·v)⌉·v of L.

        Stages may be uneven (Llama 3 405B: 126 layers on 16 stages, Dubey et al. 2024 §3.3.2);
        the pipeline runs at the pace of the stage with the most layers.
        """
        per_chunk = np.ceil(layers / (self.pp * self.interleave))
        result: FloatArray = per_chunk * self.interleave / layers
        return result

    def distinct(self, *names: str) -> tuple[Candidates, IntArray]:
        """The candidates with distinct values of `names`, and where each row maps to.

        Work that depends on a few knobs only (a layer's kernels depend on micro-batch, TP,
        CP, EP and SP, not on ZeRO or the network) is computed once per distinct row and
        gathered back with the returned inverse index.
        """
        key = np.zeros(len(self), dtype=np.int64)
        for name in names:
            values = getattr(self, name).astype(np.int64)
            key = key * (int(values.max(initial=0)) + 1) + values
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return self.take(first), inverse.astype(np.int64)

    def take(self, index: NDArray[Any]) -> Candidates:
        """The subset at `index` (a boolean mask or integer positions)."""
        return Candidates(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def with_recompute(self, code: int) -> Candidates:
        """The same candidates with every recompute mode set to `code`."""
        return replace(self, recompute=np.full_like(self.recompute, code))

    def row(self, i: int) -> dict[str, int | str | bool]:
        """One configuration's knobs, as the public `parallelism` mapping."""
        return {
            "tp": int(self.tp[i]),
            "pp": int(self.pp[i]),
            "dp": int(self.dp[i]),
            "cp": int(self.cp[i]),
            "ep": int(self.ep[i]),
            "zero": int(self.zero[i]),
            "micro_batch": int(self.micro_batch[i]),
            "interleave": int(self.interleave[i]),
            "recompute": RECOMPUTE_NAMES[int(self.recompute[i])],
            "sequence_parallel": bool(self.sequence_parallel[i]),
            "dp_overlap": bool(self.dp_overlap[i]),
            "ep_overlap": bool(self.ep_overlap[i]),
        }

    @staticmethod
    def concat(parts: list[Candidates]) -> Candidates:
        """Join batches end to end."""
        return Candidates(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in fields(Candidates)
            }
        )

    @staticmethod
    def single(**values: float | int | bool) -> Candidates:
        """A batch of one from scalar knobs (every field but `ep_overlap` must be given)."""
        arrays: dict[str, NDArray[Any]] = {}
        for f in fields(Candidates):
            v = values.get(f.name, False) if f.name == "ep_overlap" else values[f.name]
            dtype = (
                np.bool_
                if f.name in ("sequence_parallel", "dp_overlap", "ep_overlap")
                else np.float64
                if f.name.endswith("gb_s")
                else np.int64
            )
            arrays[f.name] = np.array([v], dtype=dtype)
        return Candidates(**arrays)
