"""Built-in efficiency profiles shipped with the catalog, as raw documents.

The profile type belongs to the co-design engine (`rackforge.codesign.profile`); the catalog
only ships the versioned files, one per accelerator, each a list of versions.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def profile_documents() -> tuple[dict[str, Any], ...]:
    """Every version of every built-in profile, as mappings."""
    out: list[dict[str, Any]] = []
    folder = resources.files("rackforge.catalog") / "profiles"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        doc = yaml.safe_load(entry.read_text(encoding="utf-8"))
        for version in doc.get("versions", []):
            out.append({"name": doc["name"], "accelerator": doc.get("accelerator"), **version})
    return tuple(out)
