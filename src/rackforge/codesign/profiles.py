"""Versioned efficiency profiles and how a scenario picks one.

Rule (public contract): `system.profile: NAME[@VERSION]` picks a profile explicitly; otherwise an
accelerator whose name matches a catalog accelerator (case and punctuation ignored) uses that
accelerator's newest calibrated profile; any other accelerator gets the documented
first-principles defaults of `EfficiencyProfile`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rackforge.catalog.schema import normalize_name
from rackforge.codesign.profile import EfficiencyProfile
from rackforge.errors import UnknownNameError


@dataclass(frozen=True)
class ProfileBook:
    """Every known profile version, by profile name and by accelerator."""

    profiles: tuple[EfficiencyProfile, ...] = field(default=())

    @staticmethod
    def of(profiles: Iterable[EfficiencyProfile]) -> ProfileBook:
        return ProfileBook(tuple(profiles))

    def versions(self, name: str) -> list[EfficiencyProfile]:
        key = normalize_name(name)
        found = [p for p in self.profiles if normalize_name(p.name) == key]
        return sorted(found, key=lambda p: p.version)

    def named(self, ref: str) -> EfficiencyProfile:
        """`NAME` (newest version) or `NAME@VERSION`."""
        name, _, version = ref.partition("@")
        versions = self.versions(name)
        if version:
            versions = [p for p in versions if str(p.version) == version.lstrip("v")]
        if not versions:
            known = sorted({f"{p.name}@{p.version}" for p in self.profiles})
            raise UnknownNameError(
                f"no efficiency profile {ref!r}",
                where="system.profile",
                fix=f"use one of: {', '.join(known) or '(none saved yet)'}",
            )
        return versions[-1]

    def for_accelerator(self, accelerator_key: str) -> EfficiencyProfile | None:
        """The newest profile calibrated for a catalog accelerator, if any."""
        key = normalize_name(accelerator_key)
        found = [p for p in self.profiles if p.accelerator and normalize_name(p.accelerator) == key]
        return max(found, key=lambda p: p.version) if found else None

    def next_version(self, name: str) -> int:
        versions = self.versions(name)
        return versions[-1].version + 1 if versions else 1

    def with_profile(self, profile: EfficiencyProfile) -> ProfileBook:
        return ProfileBook((*self.profiles, profile))
