"""The rack package: a curated, sorted public surface; only its two composers read the catalog."""

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


# The modules that turn catalog entries into part lines or rules; every other one is physics.
CATALOG_COMPOSERS = {"design.py", "system_parts.py", "rules.py", "variant.py", "generations.py"}


def test_the_rack_physics_imports_nothing_from_the_catalog_or_the_codesign_engine() -> None:
    package = Path(rack.__file__).parent
    physics = [m for m in package.glob("*.py") if m.name not in CATALOG_COMPOSERS]
    assert {"power.py", "cooling.py", "layout.py", "checks.py", "figures.py"} <= {
        m.name for m in physics
    }
    for module in physics:
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


def test_the_catalog_composers_import_nothing_from_the_codesign_engine() -> None:
    package = Path(rack.__file__).parent
    for name in CATALOG_COMPOSERS:
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not any(m.startswith("rackforge.codesign") for m in imported), name
