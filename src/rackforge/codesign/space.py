"""Enumerate every valid parallel and execution configuration, vectorised.

Each knob expands the table of partial configurations at once: a boolean matrix (rows ×
options) says which options are valid for each row, and `np.nonzero` turns it into the longer
table. Knobs given in the scenario have a single option. Validity rules are Megatron-LM's
(arguments.py): TP divides heads, query groups and FFN width; PP·interleave ≤ layers
(uneven stages allowed, the busiest sets the pace);
interleaving needs m % p == 0; CP needs s % 2cp == 0 (load-balanced causal split); EP divides
experts and DP; the micro-batch divides the per-replica batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rackforge.catalog.schema import ModelArchitecture
from rackforge.codesign.candidates import Candidates
from rackforge.codesign.parallelism import RECOMPUTE_CODES, ParallelismSpec

Table = dict[str, NDArray[Any]]


@dataclass(frozen=True, slots=True)
class SystemOption:
    """One system variant to search: accelerator count and network."""

    count: int
    scale_up_size: int
    scale_up_gb_s: float
    scale_out_gb_s: float


def _expand(rows: Table, name: str, options: NDArray[Any], valid: NDArray[np.bool_]) -> Table:
    """Cross each row with the options valid for it (valid: rows × options)."""
    if valid.shape[1] == 1 and valid.all():  # a single option everywhere: no copy needed
        return {**rows, name: np.full(valid.shape[0], options[0], dtype=options.dtype)}
    r, o = np.nonzero(valid)
    out = {k: v[r] for k, v in rows.items()}
    out[name] = options[o]
    return out


def _powers_of_two(limit: int) -> NDArray[np.int64]:
    return 2 ** np.arange(int(np.log2(max(1, limit))) + 1, dtype=np.int64)


def _divisors(n: int) -> NDArray[np.int64]:
    d = np.arange(1, n + 1, dtype=np.int64)
    divisors: NDArray[np.int64] = d[n % d == 0]
    return divisors


def _given(value: object, options: NDArray[Any]) -> NDArray[Any]:
    return options if value is None else np.array([value], dtype=options.dtype)


def enumerate_space(
    model: ModelArchitecture,
    systems: list[SystemOption],
    spec: ParallelismSpec,
    global_batch: int,
) -> Candidates:
    """All valid candidates for the given systems; fixed knobs restrict the space."""
    tables = [_space_for(model, s, spec, global_batch) for s in systems]
    return Candidates.concat(tables)


def _space_for(
    model: ModelArchitecture, system: SystemOption, spec: ParallelismSpec, global_batch: int
) -> Candidates:
    n = system.count
    rows: Table = {"count": np.array([n], dtype=np.int64)}
    ffn_widths = [model.ffn] + ([model.moe.expert_ffn_hidden] if model.moe else [])
    tp_opts = _given(spec.tp, _powers_of_two(min(n, model.heads)))
    g = model.n_kv_heads
    tp_ok = (model.heads % tp_opts == 0) & ((g % tp_opts == 0) | (tp_opts % g == 0))
    for f in ffn_widths:
        tp_ok &= f % tp_opts == 0
    rows = _expand(rows, "tp", tp_opts, (n % tp_opts == 0)[None, :] & tp_ok[None, :])

    cp_opts = _given(spec.cp, _powers_of_two(n))
    cp_ok = (model.seq_len % (2 * cp_opts) == 0) | (cp_opts == 1)
    rows = _expand(rows, "cp", cp_opts, (n % (rows["tp"][:, None] * cp_opts[None, :]) == 0) & cp_ok)

    pp_opts = _given(spec.pp, np.arange(1, model.layers + 1, dtype=np.int64))
    tc = rows["tp"] * rows["cp"]
    rows = _expand(rows, "pp", pp_opts, (n % (tc[:, None] * pp_opts[None, :])) == 0)
    rows["dp"] = n // (rows["tp"] * rows["cp"] * rows["pp"])
    keep = global_batch % rows["dp"] == 0
    if spec.dp is not None:
        keep &= rows["dp"] == spec.dp
    rows = {k: v[keep] for k, v in rows.items()}

    if model.moe is None:
        rows["ep"] = np.ones_like(rows["tp"])
        if spec.ep not in (None, 1):
            rows = {k: v[:0] for k, v in rows.items()}
    else:
        ep_opts = _given(spec.ep, _divisors(model.moe.experts))
        rows = _expand(rows, "ep", ep_opts, rows["dp"][:, None] % ep_opts[None, :] == 0)

    per_replica = global_batch // rows["dp"]
    mb_opts = _given(spec.micro_batch, _divisors(global_batch))
    rows = _expand(rows, "micro_batch", mb_opts, per_replica[:, None] % mb_opts[None, :] == 0)
    m = global_batch // (rows["dp"] * rows["micro_batch"])

    v_opts = _given(spec.interleave, np.arange(1, model.layers + 1, dtype=np.int64))
    pp = rows["pp"][:, None]
    v = v_opts[None, :]
    # Only chunkings that do not add layers to the busiest device beyond ⌈L/p⌉ are useful.
    busiest = np.ceil(model.layers / (pp * v)) * v
    v_ok = (
        (busiest == np.ceil(model.layers / pp))
        & (pp * v <= model.layers)
        & ((v == 1) | ((pp > 1) & (m[:, None] % pp == 0)))
    )
    rows = _expand(rows, "interleave", v_opts, v_ok)

    rows = _expand_execution(rows, spec)

    size = len(rows["tp"])
    return Candidates(
        tp=rows["tp"].astype(np.int64),
        pp=rows["pp"].astype(np.int64),
        dp=rows["dp"].astype(np.int64),
        cp=rows["cp"].astype(np.int64),
        ep=rows["ep"].astype(np.int64),
        micro_batch=rows["micro_batch"].astype(np.int64),
        interleave=rows["interleave"].astype(np.int64),
        recompute=rows["recompute"].astype(np.int64),
        sequence_parallel=rows["sequence_parallel"].astype(np.bool_),
        zero=rows["zero"].astype(np.int64),
        dp_overlap=rows["dp_overlap"].astype(np.bool_),
        ep_overlap=rows["ep_overlap"].astype(np.bool_),
        scale_up_size=np.full(size, system.scale_up_size, dtype=np.int64),
        scale_up_gb_s=np.full(size, system.scale_up_gb_s),
        scale_out_gb_s=np.full(size, system.scale_out_gb_s),
    )


def _expand_execution(rows: Table, spec: ParallelismSpec) -> Table:
    """Cross every row with the execution options valid for it, in one expansion.

    Their validity depends only on three facts about a row (TP > 1 for sequence parallelism;
    more than one replica for ZeRO and gradient overlap; EP > 1 with PP > 1 for all-to-all
    overlap), so one table of option combinations per kind of row replaces five expansions.
    """
    rc = _given(
        None if spec.recompute is None else RECOMPUTE_CODES[spec.recompute],
        np.array(list(RECOMPUTE_CODES.values()), dtype=np.int64),
    )
    sp = _given(spec.sequence_parallel, np.array([False, True]))
    zero = _given(spec.zero, np.arange(4, dtype=np.int64))
    dpo = _given(spec.dp_overlap, np.array([False, True]))
    epo = _given(spec.ep_overlap, np.array([False, True]))
    grid = np.meshgrid(rc, sp, zero, dpo, epo, indexing="ij")
    rc_c, sp_c, zero_c, dpo_c, epo_c = (g.ravel() for g in grid)
    kinds = np.arange(8)
    tp_split, replicated, can_hide = (kinds & 1) > 0, (kinds & 2) > 0, (kinds & 4) > 0
    allowed = (
        (~sp_c[None, :] | tp_split[:, None])
        & ((zero_c[None, :] == 0) | replicated[:, None])
        & (~dpo_c[None, :] | replicated[:, None])
        & (~epo_c[None, :] | can_hide[:, None])
    )
    kind = (
        (rows["tp"] > 1).astype(np.int64)
        + 2 * (rows["dp"] * rows["cp"] > 1)
        + 4 * ((rows["ep"] > 1) & (rows["pp"] > 1))
    )
    r, o = np.nonzero(allowed[kind])
    out = {k: v[r] for k, v in rows.items()}
    out.update(
        recompute=rc_c[o],
        sequence_parallel=sp_c[o],
        zero=zero_c[o],
        dp_overlap=dpo_c[o],
        ep_overlap=epo_c[o],
    )
    return out
