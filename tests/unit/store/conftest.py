"""Every store test runs on SQLite and on a throwaway PostgreSQL cluster (`postgres`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from postgres_cluster import PostgresCluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a new database on the session's cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pool.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()
