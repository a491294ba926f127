"""Checks of the parallel knobs a scenario fixes, each naming the knob and the valid choices.

The search enumerates only valid configurations; when a user fixes a knob that can never be
valid, this says which knob and why instead of "no configuration".
"""

from __future__ import annotations

from rackforge.catalog.schema import ModelArchitecture
from rackforge.codesign.parallelism import ParallelismSpec
from rackforge.errors import InputError


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def _fail(knob: str, message: str, fix: str) -> InputError:
    return InputError(message, where=f"parallelism.{knob}", fix=fix)


def check_knobs(
    model: ModelArchitecture, count: int, spec: ParallelismSpec, global_batch: int
) -> None:
    """Raise InputError for the first fixed knob that no configuration can satisfy."""
    tp, pp, cp, dp = spec.tp, spec.pp, spec.cp, spec.dp
    if tp is not None:
        widths = {"heads": model.heads, "ffn_hidden": model.ffn}
        if model.moe is not None:
            widths["moe.expert_ffn_hidden"] = model.moe.expert_ffn_hidden
        for name, width in widths.items():
            if width % tp:
                ok = [d for d in _divisors(width) if count % d == 0 and d <= 64]
                raise _fail("tp", f"tp={tp} does not divide {name}={width}", f"use tp in {ok}")
        g = model.n_kv_heads
        if g % tp and tp % g:
            raise _fail(
                "tp",
                f"tp={tp} and kv_heads={g}: neither divides the other",
                "use a divisor of kv_heads",
            )
        if count % tp:
            raise _fail(
                "tp", f"tp={tp} does not divide the {count} accelerators", "change tp or count"
            )
    if pp is not None and pp > model.layers:
        raise _fail("pp", f"pp={pp} exceeds the {model.layers} layers", f"use pp ≤ {model.layers}")
    if cp is not None and cp > 1 and model.seq_len % (2 * cp):
        raise _fail(
            "cp", f"cp={cp}: seq_len {model.seq_len} is not divisible by 2·cp", "use a smaller cp"
        )
    fixed = (tp or 1) * (pp or 1) * (cp or 1) * (dp or 1)
    if count % fixed:
        raise _fail(
            "dp" if dp else "pp" if pp else "tp",
            f"tp·pp·cp·dp = {fixed} does not divide the {count} accelerators",
            "make tp·pp·cp·dp equal to system.count",
        )
    if None not in (tp, pp, cp, dp) and fixed != count:
        raise _fail("dp", f"tp·pp·cp·dp = {fixed} but system.count = {count}", "make them equal")
    if dp is not None and global_batch % dp:
        raise _fail(
            "dp", f"global_batch {global_batch} is not divisible by dp={dp}", "change either"
        )
    if dp is not None and spec.micro_batch is not None and global_batch % (dp * spec.micro_batch):
        raise _fail(
            "micro_batch",
            f"global_batch {global_batch} is not divisible by "
            f"dp·micro_batch = {dp * spec.micro_batch}",
            "change micro_batch",
        )
    if spec.ep not in (None, 1):
        if model.moe is None:
            raise _fail("ep", f"ep={spec.ep} on a dense model", "use ep: 1 or leave it out")
        if model.moe.experts % spec.ep:
            raise _fail(
                "ep", f"ep={spec.ep} does not divide {model.moe.experts} experts", "use a divisor"
            )
    if spec.interleave not in (None, 1) and pp == 1:
        raise _fail(
            "interleave", "interleaving needs pipeline parallelism", "set pp > 1 or interleave: 1"
        )
    if spec.interleave not in (None, 1) and pp is not None and dp is not None and spec.micro_batch:
        micro_batches = global_batch // (dp * spec.micro_batch)
        if micro_batches % pp:
            raise _fail(
                "interleave",
                f"the interleaved schedule needs micro-batches ({micro_batches}) "
                f"divisible by pp={pp}",
                "change micro_batch or global_batch, or set interleave: 1",
            )
    if spec.interleave is not None and pp is not None and pp * spec.interleave > model.layers:
        raise _fail(
            "interleave",
            f"pp·interleave = {pp * spec.interleave} exceeds the {model.layers} layers",
            "use fewer chunks",
        )
    if spec.sequence_parallel and tp == 1:
        raise _fail("sequence_parallel", "sequence parallelism needs tp > 1", "set tp > 1 or false")
