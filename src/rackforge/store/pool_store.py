"""`PoolStore`: the supplier pool in a database (SQLite by default, PostgreSQL) with history.

`PoolStore.open(url)` connects and migrates the schema to the latest revision (Alembic,
`rackforge/store/migrations`); `save(pool, who, why)` replaces the stored pool with `pool`
in one transaction and records each difference (`rackforge.store.history`); `load()` gives
the stored pool back; `history(filter)` reads the recorded changes, oldest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from types import TracebackType
from typing import cast

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from rackforge.errors import InputError
from rackforge.store.history import Action, Change, Edit, Entity, HistoryFilter, diff
from rackforge.store.records import (
    offer_from_values,
    offer_key,
    offer_values,
    row_values,
    supplier_from_values,
    supplier_values,
    write_values,
)
from rackforge.store.tables import ChangeRow, OfferRow, SupplierRow
from rackforge.supply.pool import SupplierPool

__all__ = [
    "MIGRATIONS",
    "PoolStore",
    "StoreError",
    "alembic_config",
    "default_url",
    "migrate",
]

MIGRATIONS = Path(__file__).parent / "migrations"
Clock = Callable[[], dt.datetime]


class StoreError(InputError):
    """The database cannot be opened or used: a bad URL, a server that does not answer."""


def default_url(program_dir: Path) -> str:
    """The program's own SQLite database: `<program_dir>/.rackforge/pool.db`."""
    return f"sqlite:///{(program_dir / '.rackforge' / 'pool.db').resolve()}"


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration for the store's migrations, run on `connection`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database's schema up to `revision` (Alembic `upgrade`)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PoolStore:
    """The supplier pool in one database, with the history of every change to it."""

    def __init__(self, engine: Engine, *, clock: Clock = _utc_now) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    @classmethod
    def open(cls, url: str, *, clock: Clock = _utc_now) -> PoolStore:
        """Connect to `url` (a SQLAlchemy URL) and migrate it to the latest schema.

        A SQLite file's folder is made when missing. Raises StoreError for a URL SQLAlchemy
        cannot parse or a database that cannot be reached.
        """
        try:
            parsed = make_url(url)
        except ArgumentError as err:
            raise StoreError(
                f"not a database URL: {err}",
                where=url,
                fix="write sqlite:///path/pool.db or postgresql+psycopg://user@host:port/db",
            ) from None
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        where = parsed.render_as_string(hide_password=True)
        try:
            migrate(engine)
        except OperationalError as err:
            engine.dispose()
            raise StoreError(
                f"cannot open the database: {str(err.orig).strip().splitlines()[0]}",
                where=where,
                fix="check the URL, that the server runs and that the user may connect",
            ) from None
        except CommandError as err:
            engine.dispose()
            raise StoreError(
                f"the database's schema is unknown to this RackForge: {err}",
                where=where,
                fix="upgrade RackForge, or use another database",
            ) from None
        return cls(engine, clock=clock)

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> PoolStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            if self.engine.dialect.name == "postgresql":
                # two saves at once would each diff against the same stored pool
                session.execute(text("LOCK TABLE suppliers, offers IN EXCLUSIVE MODE"))
            yield session

    def save(self, pool: SupplierPool, who: str, why: str = "") -> list[Change]:
        """Store `pool` in place of the stored one; record and return what changed.

        Nothing is recorded when the pool equals the stored one (a reorder alone only updates
        the order). `who` names the person or system making the change.
        """
        if not who.strip():
            raise InputError("who made the change is not given", fix="pass who (a name)")
        at = self._clock().astimezone(dt.UTC)
        with self._transaction() as session:
            suppliers = {r.id: r for r in session.scalars(select(SupplierRow))}
            offers = {offer_key(r.supplier, r.part): r for r in session.scalars(select(OfferRow))}
            new_suppliers = {s.id: supplier_values(s) for s in pool.suppliers}
            new_offers = {offer_key(o.supplier, o.part): offer_values(o) for o in pool.offers}
            edits = [
                *diff(
                    "supplier",
                    {k: row_values(r) for k, r in suppliers.items()},
                    new_suppliers,
                    supplier_field="id",
                ),
                *diff(
                    "offer",
                    {k: row_values(r) for k, r in offers.items()},
                    new_offers,
                    supplier_field="supplier",
                ),
            ]
            for key in offers.keys() - new_offers.keys():
                session.delete(offers[key])
            session.flush()  # offers go before the suppliers they name
            for key in suppliers.keys() - new_suppliers.keys():
                session.delete(suppliers[key])
            session.flush()
            for position, (key, values) in enumerate(new_suppliers.items()):
                supplier_row = suppliers.get(key) or SupplierRow()
                write_values(supplier_row, {**values, "position": position})
                session.add(supplier_row)
            session.flush()
            for position, (key, values) in enumerate(new_offers.items()):
                offer_row = offers.get(key) or OfferRow()
                write_values(offer_row, {**values, "position": position})
                session.add(offer_row)
            session.add_all(_change_row(edit, at=at, who=who, why=why) for edit in edits)
        return [_change(edit, at=at, who=who, why=why) for edit in edits]

    def load(self) -> SupplierPool:
        """The stored pool, in the order it was saved (empty when nothing is stored)."""
        with self._sessions() as session:
            suppliers = session.scalars(select(SupplierRow).order_by(SupplierRow.position))
            offers = session.scalars(select(OfferRow).order_by(OfferRow.position))
            return SupplierPool(
                suppliers=tuple(supplier_from_values(row_values(r)) for r in suppliers),
                offers=tuple(offer_from_values(row_values(r)) for r in offers),
            )

    def history(self, only: HistoryFilter | None = None) -> list[Change]:
        """The recorded changes that `only` selects, oldest first."""
        only = only or HistoryFilter()
        query = select(ChangeRow)
        if only.supplier is not None:
            query = query.where(ChangeRow.supplier == only.supplier)
        if only.entity is not None:
            query = query.where(ChangeRow.entity == only.entity)
        if only.who is not None:
            query = query.where(ChangeRow.who == only.who)
        if only.since is not None:
            query = query.where(ChangeRow.at >= only.since)
        query = query.order_by(ChangeRow.id.desc())
        if only.limit is not None:
            query = query.limit(only.limit)
        with self._sessions() as session:
            rows = list(session.scalars(query))
        return [_from_row(row) for row in reversed(rows)]


def _change_row(edit: Edit, *, at: dt.datetime, who: str, why: str) -> ChangeRow:
    return ChangeRow(
        at=at,
        who=who,
        why=why,
        entity=edit.entity,
        key=edit.key,
        supplier=edit.supplier,
        action=edit.action,
        field=edit.field,
        old=edit.old,
        new=edit.new,
    )


def _change(edit: Edit, *, at: dt.datetime, who: str, why: str) -> Change:
    return Change(**{f.name: getattr(edit, f.name) for f in fields(edit)}, at=at, who=who, why=why)


def _from_row(row: ChangeRow) -> Change:
    # SQLite keeps no time zone: every time is stored in UTC
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)
    return Change(
        at=at,
        who=row.who,
        why=row.why,
        entity=cast(Entity, row.entity),
        key=row.key,
        supplier=row.supplier,
        action=cast(Action, row.action),
        field=row.field,
        old=row.old,
        new=row.new,
    )
