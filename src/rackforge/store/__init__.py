"""The store adapter: the supplier pool in SQLite (default) or PostgreSQL, with its history.

SQLAlchemy 2 tables (`tables.py`), the record ↔ row mapping (`records.py`), the per-record
diff kept as history (`history.py`) and `PoolStore` (`pool_store.py`); the schema is migrated
by Alembic (`migrations/`) whenever a store is opened.
"""

from rackforge.store.history import Change, HistoryFilter
from rackforge.store.pool_store import PoolStore, StoreError, default_url

__all__ = ["Change", "HistoryFilter", "PoolStore", "StoreError", "default_url"]
