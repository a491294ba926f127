"""Finds design-rule sets (rack_rules.yaml) by name.

As elsewhere in the catalog, a set may carry `aliases:`, lookups ignore case and punctuation,
a malformed file raises CatalogError naming the file and the entry, and the file is read once
per process.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

import yaml

from rackforge.catalog.loader import CatalogError, index_entries
from rackforge.catalog.rule_schema import RuleSet
from rackforge.catalog.schema import normalize_name
from rackforge.errors import UnknownNameError

_PACKAGE = "rackforge.catalog"
_RULES = "rack_rules.yaml"


@dataclass(frozen=True)
class RuleSetCatalog:
    """The rule-sets file: its version and its sets under every normalized name and alias."""

    version: str
    by_key: Mapping[str, RuleSet]

    def entries(self) -> list[RuleSet]:
        """Every set once, in file order."""
        return list({id(s): s for s in self.by_key.values()}.values())

    def __getitem__(self, name: str) -> RuleSet:
        found = self.by_key.get(normalize_name(name))
        if found is None:
            close = difflib.get_close_matches(normalize_name(name), self.by_key, n=5, cutoff=0.6)
            nearest = list(dict.fromkeys(self.by_key[key].name for key in close))
            names = nearest or [s.name for s in self.entries()]
            raise UnknownNameError(
                f"no rule set named {name!r}", fix="use one of: " + ", ".join(names)
            )
        return found


def parse_rule_sets(text: str, *, file: str) -> RuleSetCatalog:
    """Parse a rule-sets file; a malformed file raises CatalogError naming file and entry."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or set(document) != {"version", "rule_sets"}:
        raise CatalogError(f"{file}: expected a mapping with exactly 'version' and 'rule_sets'")
    version, entries = document["version"], document["rule_sets"]
    if not isinstance(version, str) or not version:
        raise CatalogError(f"{file}: 'version' must be a non-empty string such as \"2026.11\"")
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{file}: 'rule_sets' must be a non-empty list of entries")
    by_key = index_entries(entries, where=f"{file}: rule_sets", entry_type=RuleSet)
    return RuleSetCatalog(version=version, by_key=MappingProxyType(by_key))


def rule_sets() -> list[RuleSet]:
    """Every shipped rule set once, in file order."""
    return _rules_file().entries()


def rule_set(name: str) -> RuleSet:
    """The shipped rule set with this name or alias; UnknownNameError names the close ones."""
    return _rules_file()[name]


@cache
def _rules_file() -> RuleSetCatalog:
    try:
        text = resources.files(_PACKAGE).joinpath(_RULES).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogError(f"{_RULES}: missing from the installed package") from exc
    return parse_rule_sets(text, file=_RULES)
