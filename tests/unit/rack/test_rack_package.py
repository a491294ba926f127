"""The rack package: a curated, sorted public surface, and no dependence on the catalog."""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType

from rackforge import rack


def test_the_package_exports_exactly_its_public_names() -> None:
    assert len(rack.__all__) == len(set(rack.__all__))
    assert all(hasattr(rack, name) for name in rack.__all__)
    public = {
        name
        for name, value in vars(rack).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)  # submodules
    }
    assert public == set(rack.__all__)


def test_the_rack_physics_imports_nothing_from_the_catalog_or_the_codesign_engine() -> None:
    package = Path(rack.__file__).parent
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                assert not name.startswith(("rackforge.catalog", "rackforge.codesign")), module
