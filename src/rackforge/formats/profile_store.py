"""Efficiency profiles on disk: the catalog's built-in versions plus calibrated ones.

Calibrated versions live in the profile directory as `<name>@v<version>.yaml`; a new
calibration never overwrites an older version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rackforge.catalog.profiles import profile_documents
from rackforge.codesign.profile import EfficiencyProfile
from rackforge.codesign.profiles import ProfileBook
from rackforge.errors import InputError
from rackforge.formats.validation import input_error_from_pydantic
from rackforge.formats.yaml_file import load_yaml_mapping


def _profile(doc: dict[str, Any], where: str) -> EfficiencyProfile:
    try:
        return EfficiencyProfile.model_validate(doc)
    except ValidationError as err:
        raise input_error_from_pydantic(err, where, EfficiencyProfile) from None


def load_profile_book(profile_dir: Path | None) -> ProfileBook:
    """Built-in profiles, then every saved version under `profile_dir` (if it exists)."""
    profiles = [_profile(d, f"catalog profile {d.get('name')}") for d in profile_documents()]
    if profile_dir is not None and profile_dir.is_dir():
        for path in sorted(profile_dir.glob("*.yaml")):
            profiles.append(_profile(load_yaml_mapping(path), str(path)))
    return ProfileBook.of(profiles)


def save_profile(profile: EfficiencyProfile, profile_dir: Path) -> Path:
    """Write a profile version; refuses to overwrite an existing version."""
    profile_dir.mkdir(parents=True, exist_ok=True)
    path = profile_dir / f"{profile.name}@v{profile.version}.yaml"
    if path.exists():
        raise InputError(
            f"profile {profile.name} version {profile.version} already exists",
            where=str(path),
            fix="calibrate again (it picks the next version) or remove the file",
        )
    path.write_text(yaml.safe_dump(profile.model_dump(mode="json"), sort_keys=False))
    return path
