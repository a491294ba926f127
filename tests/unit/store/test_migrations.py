"""The Alembic migrations build exactly the schema of the ORM tables, undo it, and bring a
database stored by an earlier RackForge up to date with its pool intact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, create_engine, inspect

from rackforge.services.supply_pool import read_pool
from rackforge.store import PoolStore
from rackforge.store.pool_store import alembic_config, migrate
from rackforge.store.records import Values, offer_values, supplier_values
from rackforge.store.tables import Base
from rackforge.supply.pool import SupplierPool

EXAMPLE = Path(__file__).parents[3] / "examples" / "frontier-2027"
BEFORE_STOCK = "0001"  # the last revision without offers.inventory_units


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = create_engine(database_url)
    yield created
    created.dispose()


def test_the_migrated_schema_equals_the_orm_metadata(engine: Engine) -> None:
    migrate(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrading_to_base_removes_every_table(engine: Engine) -> None:
    migrate(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}


def _row(values: Values, position: int, columns: set[str]) -> dict[str, Any]:
    """Values as an insert at an older revision: its columns only, dates as dates."""
    row: dict[str, Any] = {"position": position}
    for name, value in values.items():
        if name in columns:
            dated = name in {"qualification_since", "contract_start", "contract_end"}
            row[name] = dt.date.fromisoformat(value) if dated and value else value
    return row


def _store_at_the_old_revision(engine: Engine, pool: SupplierPool) -> None:
    """What RackForge before revision 0002 left: its schema, the pool's rows without stock."""
    migrate(engine, BEFORE_STOCK)
    old = MetaData()
    old.reflect(engine)
    suppliers, offers = old.tables["suppliers"], old.tables["offers"]
    assert "inventory_units" not in offers.columns
    with engine.begin() as connection:
        for position, supplier in enumerate(pool.suppliers):
            values = _row(supplier_values(supplier), position, set(suppliers.columns.keys()))
            connection.execute(suppliers.insert().values(values))
        for position, offer in enumerate(pool.offers):
            values = _row(offer_values(offer), position, set(offers.columns.keys()))
            connection.execute(offers.insert().values(values))


def test_a_database_stored_before_stock_opens_upgraded_with_no_stock(
    engine: Engine, database_url: str
) -> None:
    stocked = read_pool(EXAMPLE)
    unstocked = stocked.model_copy(
        update={
            "offers": tuple(o.model_copy(update={"inventory_units": 0}) for o in stocked.offers)
        }
    )
    _store_at_the_old_revision(engine, unstocked)
    with PoolStore.open(database_url) as store:
        with store.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == "0002"
        assert store.load() == unstocked
        assert store.save(unstocked, who="ana") == []  # the upgrade itself changed nothing
        changes = store.save(stocked, who="ana", why="stock on hand recorded")
        assert store.load() == stocked
    stock = {o.supplier + ":" + o.part.casefold(): o.inventory_units for o in stocked.offers}
    assert {(c.key, c.field, c.old, c.new) for c in changes} == {
        (key, "inventory_units", 0, units) for key, units in stock.items() if units
    }


def test_downgrading_past_stock_drops_only_its_column(engine: Engine) -> None:
    migrate(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), BEFORE_STOCK)
    columns = {c["name"] for c in inspect(engine).get_columns("offers")}
    assert "inventory_units" not in columns and "domestic_content" in columns
