"""A co-design scenario: model × system × precision × (partly given) parallelism.

`scenario_from_mapping` turns the public scenario format (docs/formats.md) into typed objects,
resolving catalog names and the efficiency profile. It is pure: the caller reads the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from rackforge import catalog
from rackforge.catalog.schema import (
    Accelerator,
    ModelArchitecture,
    Precision,
    ScaleOut,
    ScaleUp,
    normalize_name,
)
from rackforge.codesign.parallelism import ParallelismSpec
from rackforge.codesign.profile import EfficiencyProfile
from rackforge.codesign.profiles import ProfileBook
from rackforge.codesign.system import DEFAULT_SCALE_OUT_GB_S, SystemSpec
from rackforge.errors import InputError

TOP_LEVEL_KEYS = {"id", "name", "notes", "model", "system", "precision", "parallelism", "measured"}
SYSTEM_KEYS = {
    "accelerator",
    "count",
    "scale_up",
    "scale_out",
    "profile",
    "accelerators_per_rack",
    "flash_attention",
}

# Used when a scenario and the model's catalog entry give no global batch: about 4M tokens
# per step, the order of GPT-3 (3.2M) and Llama 3 (4M-16M) pre-training batches.
DEFAULT_BATCH_TOKENS = 4 * 2**20


class Scenario(BaseModel):
    """Everything an estimate or a search needs, resolved and validated."""

    model_config = ConfigDict(frozen=True)

    name: str = "scenario"
    model: ModelArchitecture
    system: SystemSpec
    precision: Precision = "bf16"
    parallelism: ParallelismSpec = ParallelismSpec()
    profile: EfficiencyProfile = EfficiencyProfile()

    @property
    def global_batch(self) -> int:
        """Sequences per step: given, else the model's published batch, else ~4M tokens."""
        if self.parallelism.global_batch:
            return self.parallelism.global_batch
        if self.model.global_batch:
            return self.model.global_batch
        return max(1, DEFAULT_BATCH_TOKENS // self.model.seq_len)


def _validated(cls: type[BaseModel], data: Any, where: str) -> Any:
    try:
        return cls.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        key = f"{where}.{loc}" if loc else where
        raise InputError(
            f"{first['msg']} (got {first.get('input')!r})",
            where=key,
            fix=f"see docs/formats.md for the keys of `{where}`",
        ) from None


def _mapping(data: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InputError(
            f"expected a mapping, got {type(data).__name__}",
            where=where,
            fix="write it as `key: value` lines",
        )
    return data


def resolve_model(data: Any) -> ModelArchitecture:
    """A catalog model name or an inline architecture."""
    if isinstance(data, str):
        try:
            return catalog.model(data)
        except InputError as err:
            raise type(err)(err.message, where="model", fix=err.fix) from None
    result: ModelArchitecture = _validated(ModelArchitecture, _mapping(data, "model"), "model")
    return result


def resolve_accelerator(data: Any) -> Accelerator:
    """A catalog accelerator name or an inline accelerator."""
    if isinstance(data, str):
        try:
            return catalog.accelerator(data)
        except InputError as err:
            raise type(err)(err.message, where="system.accelerator", fix=err.fix) from None
    inline: Accelerator = _validated(
        Accelerator, _mapping(data, "system.accelerator"), "system.accelerator"
    )
    return inline


def resolve_system(data: Any) -> SystemSpec:
    """The system block; scale-up and scale-out default to the catalog's integration."""
    raw = dict(_mapping(data, "system"))
    unknown = set(raw) - SYSTEM_KEYS
    if unknown:
        raise InputError(
            f"unknown key {sorted(unknown)[0]!r}",
            where=f"system.{sorted(unknown)[0]}",
            fix=f"allowed keys: {', '.join(sorted(SYSTEM_KEYS))}",
        )
    if "accelerator" not in raw:
        raise InputError("missing accelerator", where="system", fix="add `accelerator: H100`")
    acc = resolve_accelerator(raw.pop("accelerator"))
    known = catalog.find_accelerator(acc.name)
    if "scale_up" not in raw:
        default_up = acc.scale_up or (known.scale_up if known else None)
        if default_up is None:
            raise InputError(
                f"no scale-up domain known for {acc.name!r}",
                where="system.scale_up",
                fix="add `scale_up: {size: 8, bandwidth_gb_s: 450}`",
            )
        raw["scale_up"] = default_up
    if "scale_out" not in raw:
        raw["scale_out"] = (
            acc.scale_out
            or (known.scale_out if known else None)
            or ScaleOut(bandwidth_gb_s=DEFAULT_SCALE_OUT_GB_S)
        )
    if "count" not in raw:
        raise InputError("missing count", where="system", fix="add `count: 1024` (accelerators)")
    raw["accelerator"] = acc
    system: SystemSpec = _validated(SystemSpec, raw, "system")
    if isinstance(system.scale_up, ScaleUp) and system.scale_up.size > system.count:
        system = system.model_copy(
            update={"scale_up": system.scale_up.model_copy(update={"size": system.count})}
        )
    return system


def resolve_profile(system: SystemSpec, book: ProfileBook) -> EfficiencyProfile:
    """The profile rule of the module docstring, then the scenario's software-stack override."""
    profile = _profile_for(system, book)
    if system.flash_attention is not None:
        profile = profile.model_copy(update={"flash_attention": system.flash_attention})
    return profile


def _profile_for(system: SystemSpec, book: ProfileBook) -> EfficiencyProfile:
    if system.profile:
        return book.named(system.profile)
    known = catalog.find_accelerator(system.accelerator.name)
    if known is not None:
        found = book.for_accelerator(normalize_name(known.name))
        if found is not None:
            return found
    return EfficiencyProfile()


def scenario_from_mapping(data: Any, *, book: ProfileBook, name: str = "scenario") -> Scenario:
    """Parse and resolve a scenario mapping (keys in docs/formats.md)."""
    top = _mapping(data, "scenario")
    unknown = set(top) - TOP_LEVEL_KEYS
    if unknown:
        raise InputError(
            f"unknown key {sorted(unknown)[0]!r}",
            where=sorted(unknown)[0],
            fix=f"allowed top-level keys: {', '.join(sorted(TOP_LEVEL_KEYS))}",
        )
    for key in ("model", "system"):
        if key not in top:
            raise InputError(f"missing `{key}`", where=key, fix="see docs/formats.md")
    model = resolve_model(top["model"])
    system = resolve_system(top["system"])
    precision = top.get("precision", "bf16")
    if precision not in ("fp32", "tf32", "bf16", "fp16", "fp8", "fp4"):
        raise InputError(
            f"unknown precision {precision!r}",
            where="precision",
            fix="use one of: fp32, tf32, bf16, fp16, fp8, fp4",
        )
    parallelism = _validated(ParallelismSpec, top.get("parallelism") or {}, "parallelism")
    return Scenario(
        name=str(top.get("id") or top.get("name") or name),
        model=model,
        system=system,
        precision=precision,
        parallelism=parallelism,
        profile=resolve_profile(system, book),
    )
