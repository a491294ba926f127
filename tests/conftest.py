"""Test-wide isolation: no test reads the profiles a user calibrated on this machine."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# the `postgres` fixture: a throwaway PostgreSQL cluster (tests/postgres_cluster.py)
pytest_plugins = ["postgres_cluster"]


@pytest.fixture(autouse=True, scope="session")
def _no_user_profiles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point RACKFORGE_PROFILE_DIR at an empty folder (CLI subprocesses inherit it)."""
    folder = tmp_path_factory.mktemp("profiles")
    previous = os.environ.get("RACKFORGE_PROFILE_DIR")
    os.environ["RACKFORGE_PROFILE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("RACKFORGE_PROFILE_DIR", None)
    else:
        os.environ["RACKFORGE_PROFILE_DIR"] = previous
