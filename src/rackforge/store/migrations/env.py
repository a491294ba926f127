"""Alembic's entry point for the store: migrate the connection `PoolStore` hands over.

`rackforge.store.pool_store.migrate` puts an open connection in `config.attributes`; with
none (the `alembic` command line) the URL comes from `sqlalchemy.url`, else
RACKFORGE_DATABASE_URL.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, create_engine

from rackforge.store.tables import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ["RACKFORGE_DATABASE_URL"]
    engine = create_engine(url)
    with engine.begin() as own:
        _run(own)
    engine.dispose()


_main()
