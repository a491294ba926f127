"""Finds accelerators, interconnects and model architectures in the shipped catalog by name.

Each catalog file (package data next to this module) holds a `version:` and one list of
entries. An entry may carry `aliases:`, which are stripped before the rest is validated
against rackforge.catalog.schema. Lookups ignore case and punctuation (`normalize_name`), so
"H100", "h-100" and "H100 SXM" can all name one entry. Files are read once per process.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Generic, Protocol, Self, TypeVar

import yaml
from pydantic import ValidationError

from rackforge.catalog.schema import Accelerator, Interconnect, ModelArchitecture, normalize_name
from rackforge.errors import RackForgeError, UnknownNameError


class NamedEntry(Protocol):
    """A catalog record: a pydantic model with a `name`."""

    @property
    def name(self) -> str: ...

    @classmethod
    def model_validate(cls, obj: Any) -> Self: ...


EntryT = TypeVar("EntryT", bound=NamedEntry)

_PACKAGE = "rackforge.catalog"
_ACCELERATORS = "accelerators.yaml"
_INTERCONNECTS = "interconnects.yaml"
_MODELS = "models.yaml"


class CatalogError(RackForgeError):
    """A shipped catalog file is malformed: a RackForge bug, not something a user can fix."""


@dataclass(frozen=True)
class CatalogFile(Generic[EntryT]):
    """One parsed catalog file: its version and each entry under every key that names it."""

    file: str
    version: str
    by_key: dict[str, EntryT]

    def names(self) -> list[str]:
        """Every entry's canonical name, sorted, each once."""
        return sorted({entry.name for entry in self.by_key.values()})


def parse_catalog(
    text: str, *, file: str, list_key: str, entry_type: type[EntryT]
) -> CatalogFile[EntryT]:
    """Parse one catalog file's text; a malformed file raises CatalogError naming file and entry."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise CatalogError(f"{file}: expected a mapping with 'version' and '{list_key}'")
    unexpected = sorted(str(key) for key in document if key not in ("version", list_key))
    if unexpected:
        raise CatalogError(f"{file}: unexpected top-level keys {unexpected}")
    version = document.get("version")
    if not isinstance(version, str) or not version:
        raise CatalogError(f"{file}: 'version' must be a non-empty string such as \"2026.11\"")
    entries = document.get(list_key)
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{file}: '{list_key}' must be a non-empty list of entries")

    by_key = index_entries(entries, where=f"{file}: {list_key}", entry_type=entry_type)
    return CatalogFile(file=file, version=version, by_key=by_key)


def index_entries(
    entries: list[object], *, where: str, entry_type: type[EntryT]
) -> dict[str, EntryT]:
    """Validate a catalog list and key each entry by its normalised name and aliases."""
    by_key: dict[str, EntryT] = {}
    for index, raw in enumerate(entries):
        at = f"{where}[{index}]"
        entry, aliases = _validate_entry(raw, where=at, entry_type=entry_type)
        for key in dict.fromkeys(normalize_name(label) for label in (entry.name, *aliases)):
            if not key:
                raise CatalogError(f"{at} ({entry.name!r}): a name or alias has no letters")
            clash = by_key.get(key)
            if clash is not None:
                raise CatalogError(
                    f"{at} ({entry.name!r}): key {key!r} already names {clash.name!r}"
                )
            by_key[key] = entry
    return by_key


def _validate_entry(
    raw: object, *, where: str, entry_type: type[EntryT]
) -> tuple[EntryT, list[str]]:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected a mapping, got {type(raw).__name__}")
    fields = dict(raw)
    label = fields.get("name")
    if not isinstance(label, str) or not label:
        raise CatalogError(f"{where}: every entry needs a non-empty 'name'")
    aliases = fields.pop("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
        raise CatalogError(f"{where} ({label!r}): 'aliases' must be a list of strings")
    try:
        entry = entry_type.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'entry'}: {error['msg']}"
            for error in exc.errors()
        )
        raise CatalogError(f"{where} ({label!r}) is invalid: {problems}") from exc
    return entry, aliases


def _load(file: str, list_key: str, entry_type: type[EntryT]) -> CatalogFile[EntryT]:
    try:
        text = resources.files(_PACKAGE).joinpath(file).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogError(
            f"{file}: missing from the installed package (pyproject package-data "
            "'catalog/**/*.yaml' ships it)"
        ) from exc
    return parse_catalog(text, file=file, list_key=list_key, entry_type=entry_type)


@cache
def _accelerator_file() -> CatalogFile[Accelerator]:
    return _load(_ACCELERATORS, "accelerators", Accelerator)


@cache
def _interconnect_file() -> CatalogFile[Interconnect]:
    return _load(_INTERCONNECTS, "interconnects", Interconnect)


@cache
def _model_file() -> CatalogFile[ModelArchitecture]:
    return _load(_MODELS, "models", ModelArchitecture)


def _lookup(catalog: CatalogFile[EntryT], name: str, kind: str) -> EntryT:
    found = catalog.by_key.get(normalize_name(name))
    if found is None:
        raise UnknownNameError(
            f"no {kind} named {name!r} in the catalog", fix=_suggest(catalog, name)
        )
    return found


def _suggest(catalog: CatalogFile[EntryT], name: str) -> str:
    close = difflib.get_close_matches(normalize_name(name), catalog.by_key, n=5, cutoff=0.6)
    nearest = list(dict.fromkeys(catalog.by_key[key].name for key in close))
    return "use one of: " + ", ".join(nearest or catalog.names())


def accelerators() -> dict[str, Accelerator]:
    """Every catalog accelerator, keyed by its normalized name and each normalized alias."""
    return dict(_accelerator_file().by_key)


def accelerator(name: str) -> Accelerator:
    """The accelerator with this name or alias (case and punctuation ignored)."""
    return _lookup(_accelerator_file(), name, "accelerator")


def find_accelerator(name: str) -> Accelerator | None:
    """The accelerator with this name or alias, or None when the catalog has none."""
    return _accelerator_file().by_key.get(normalize_name(name))


def interconnects() -> dict[str, Interconnect]:
    """Every catalog interconnect, keyed by its normalized name and each normalized alias."""
    return dict(_interconnect_file().by_key)


def interconnect(name: str) -> Interconnect:
    """The interconnect with this name or alias (case and punctuation ignored)."""
    return _lookup(_interconnect_file(), name, "interconnect")


def models() -> dict[str, ModelArchitecture]:
    """Every catalog model architecture, keyed by its normalized name and each alias."""
    return dict(_model_file().by_key)


def model(name: str) -> ModelArchitecture:
    """The model architecture with this name or alias (case and punctuation ignored)."""
    return _lookup(_model_file(), name, "model")


def catalog_version() -> str:
    """The catalog's version, which every catalog file must state alike."""
    files = (_accelerator_file(), _interconnect_file(), _model_file())
    versions = {catalog.version for catalog in files}
    if len(versions) != 1:
        stated = ", ".join(f"{catalog.file} {catalog.version}" for catalog in files)
        raise CatalogError(f"catalog files disagree on version: {stated}")
    return versions.pop()
