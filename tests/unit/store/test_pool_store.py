"""PoolStore on SQLite and PostgreSQL: round trips, the history of edits, who, when and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from rackforge.errors import InputError
from rackforge.services.supply_pool import read_pool
from rackforge.store import HistoryFilter, PoolStore, StoreError
from rackforge.supply.pool import Audit, PriceBreak, SupplierPool

EXAMPLE = Path(__file__).parents[3] / "examples" / "frontier-2027"
MONDAY = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


class Clock:
    """A clock that moves one hour each time it is read."""

    def __init__(self) -> None:
        self.now = MONDAY

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(hours=1)
        return self.now


@pytest.fixture(scope="module")
def pool() -> SupplierPool:
    return read_pool(EXAMPLE)


@pytest.fixture
def store(database_url: str) -> Iterator[PoolStore]:
    with PoolStore.open(database_url, clock=Clock()) as opened:
        yield opened


def test_a_new_store_holds_an_empty_pool(store: PoolStore) -> None:
    assert store.load() == SupplierPool()
    assert store.history() == []


def test_the_saved_pool_loads_back_equal_in_its_order(store: PoolStore, pool: SupplierPool) -> None:
    store.save(pool, who="ana")
    assert store.load() == pool


def test_the_first_save_records_every_record_as_added(store: PoolStore, pool: SupplierPool) -> None:
    changes = store.save(pool, who="ana", why="first import")
    assert len(changes) == len(pool.suppliers) + len(pool.offers)
    assert {c.action for c in changes} == {"added"}
    assert all(c.field is None and c.old is None for c in changes)
    first = store.history()[0]
    assert (first.who, first.why, first.at) == (
        "ana",
        "first import",
        MONDAY + dt.timedelta(hours=1),
    )
    assert first.new["id"] == pool.suppliers[0].id


def test_a_second_save_with_no_change_records_nothing(store: PoolStore, pool: SupplierPool) -> None:
    store.save(pool, who="ana")
    before = store.history()
    assert store.save(pool, who="ben", why="again") == []
    assert store.history() == before


def test_an_edit_is_recorded_field_by_field_with_who_when_and_why(
    store: PoolStore, pool: SupplierPool
) -> None:
    store.save(pool, who="ana", why="first import")
    candidate = next(s for s in pool.suppliers if s.qualification == "candidate")
    audited = candidate.transition(
        "audited",
        dt.date(2026, 11, 20),
        audit=Audit(date=dt.date(2026, 11, 18), auditor="QA team", result="passed"),
    )
    offer = pool.offers[0]
    cheaper = offer.model_copy(
        update={"price_breaks": (PriceBreak(min_quantity=1, unit_price_usd=1.0),)}
    )
    edited = SupplierPool(
        suppliers=tuple(audited if s.id == candidate.id else s for s in pool.suppliers),
        offers=(cheaper, *pool.offers[1:]),
    )
    changes = store.save(edited, who="ben", why="audit passed; new quote")
    by_field = {(c.key, c.field): c for c in changes}
    assert set(by_field) == {
        (candidate.id, "qualification"),
        (candidate.id, "qualification_since"),
        (candidate.id, "audits"),
        (f"{offer.supplier}:{offer.part.casefold()}", "price_breaks"),
    }
    state = by_field[(candidate.id, "qualification")]
    assert (state.old, state.new, state.action) == ("candidate", "audited", "changed")
    assert by_field[(candidate.id, "audits")].new == [
        {"date": "2026-11-18", "auditor": "QA team", "result": "passed"}
    ]
    assert all(c.who == "ben" and c.why == "audit passed; new quote" for c in changes)
    assert store.history()[-len(changes) :] == changes
    assert store.load() == edited


def test_a_change_of_stock_is_recorded_as_one_field(store: PoolStore, pool: SupplierPool) -> None:
    store.save(pool, who="ana")
    offer = pool.offers[0]
    restocked = offer.model_copy(update={"inventory_units": offer.inventory_units + 96})
    edited = SupplierPool(suppliers=pool.suppliers, offers=(restocked, *pool.offers[1:]))
    (change,) = store.save(edited, who="ben", why="VMI hub count")
    assert (change.key, change.field, change.action) == (
        f"{offer.supplier}:{offer.part.casefold()}",
        "inventory_units",
        "changed",
    )
    assert (change.old, change.new) == (offer.inventory_units, offer.inventory_units + 96)
    assert store.load().offers[0].inventory_units == offer.inventory_units + 96


def test_removed_and_added_records_are_recorded_whole(store: PoolStore, pool: SupplierPool) -> None:
    store.save(pool, who="ana")
    dropped = pool.offers[-1]
    store.save(SupplierPool(suppliers=pool.suppliers, offers=pool.offers[:-1]), who="ben")
    removed = store.history()[-1]
    assert (removed.action, removed.entity, removed.supplier) == (
        "removed",
        "offer",
        dropped.supplier,
    )
    assert removed.old["part"] == dropped.part and removed.new is None
    changes = store.save(pool, who="cy")
    assert [(c.action, c.entity, c.new["part"]) for c in changes] == [
        ("added", "offer", dropped.part)
    ]


def test_history_of_a_supplier_includes_its_offers(store: PoolStore, pool: SupplierPool) -> None:
    store.save(pool, who="ana")
    supplier = pool.offers[0].supplier
    mine = store.history(HistoryFilter(supplier=supplier))
    expected = 1 + sum(o.supplier == supplier for o in pool.offers)
    assert len(mine) == expected
    assert {c.entity for c in mine} == {"supplier", "offer"}
    assert all(c.supplier == supplier for c in mine)
    assert store.history(HistoryFilter(who="nobody")) == []
    assert len(store.history(HistoryFilter(entity="supplier", limit=3))) == 3


def test_a_new_order_alone_records_nothing_but_is_kept(
    store: PoolStore, pool: SupplierPool
) -> None:
    store.save(pool, who="ana")
    turned = SupplierPool(suppliers=pool.suppliers[::-1], offers=pool.offers[::-1])
    assert store.save(turned, who="ben") == []
    assert store.load() == turned


def test_a_save_needs_who(store: PoolStore, pool: SupplierPool) -> None:
    with pytest.raises(InputError, match="who"):
        store.save(pool, who=" ")


def test_reopening_keeps_the_pool_and_history(database_url: str, pool: SupplierPool) -> None:
    with PoolStore.open(database_url) as first:
        first.save(pool, who="ana")
    with PoolStore.open(database_url) as again:
        assert again.load() == pool
        assert len(again.history()) == len(pool.suppliers) + len(pool.offers)


def test_a_url_that_is_no_url_is_an_input_error() -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        PoolStore.open("no url at all")


def test_an_unreachable_server_is_an_input_error_naming_the_fix() -> None:
    with pytest.raises(StoreError, match="server runs"):
        PoolStore.open("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_a_database_from_a_newer_rackforge_is_an_input_error(database_url: str) -> None:
    PoolStore.open(database_url).close()
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="upgrade RackForge"):
        PoolStore.open(database_url)
