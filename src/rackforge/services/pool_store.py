"""Supplier-pool use cases on the store: import files with history, export, read the history.

The database is `--db` when given, else `Settings.database_url` (RACKFORGE_DATABASE_URL),
else the program's own SQLite file, `<program_dir>/.rackforge/pool.db`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rackforge.config import Settings
from rackforge.errors import InputError
from rackforge.services.supply_pool import PoolFormat, export_pool, read_pool
from rackforge.store import Change, HistoryFilter, PoolStore, default_url

__all__ = ["PoolImport", "database_url", "export_stored_pool", "import_pool", "pool_history"]


@dataclass(frozen=True, slots=True)
class PoolImport:
    """What an import did: the pool's size and the changes it recorded (none: unchanged)."""

    database: str
    suppliers: int
    offers: int
    changes: tuple[Change, ...]


def database_url(program_dir: Path, settings: Settings, db: str | None = None) -> str:
    """The store's URL for a program: `db`, else the settings', else the program's SQLite."""
    return db or settings.database_url or default_url(program_dir)


def _open(program_dir: Path, settings: Settings, db: str | None) -> PoolStore:
    if not program_dir.is_dir():
        raise InputError(
            "not a program directory", where=str(program_dir), fix="give the program's folder"
        )
    return PoolStore.open(database_url(program_dir, settings, db))


def import_pool(
    program_dir: Path,
    settings: Settings,
    *,
    who: str,
    why: str = "",
    source: Path | None = None,
    db: str | None = None,
) -> PoolImport:
    """Read the pool from `source` (default: the program's CSV files) and store it.

    The files are read, and every bad row reported (`BadRowsError`), before the database is
    touched.
    """
    pool = read_pool(source or program_dir)
    with _open(program_dir, settings, db) as store:
        changes = store.save(pool, who=who, why=why)
        url = store.engine.url.render_as_string(hide_password=True)
    return PoolImport(url, len(pool.suppliers), len(pool.offers), tuple(changes))


def export_stored_pool(
    program_dir: Path, settings: Settings, to: Path, *, db: str | None = None
) -> list[Path]:
    """Write the stored pool to `to`: a workbook when it ends .xlsx, else a folder of CSV."""
    with _open(program_dir, settings, db) as store:
        pool = store.load()
    if not pool.suppliers:
        raise InputError(
            "no pool is stored yet",
            where=database_url(program_dir, settings, db),
            fix=f"run: rackforge supply pool import {program_dir} --who NAME",
        )
    fmt: PoolFormat = "xlsx" if to.suffix.lower() == ".xlsx" else "csv"
    return export_pool(pool, to, fmt, comments=["exported from the RackForge pool store"])


def pool_history(
    program_dir: Path,
    settings: Settings,
    *,
    supplier: str | None = None,
    db: str | None = None,
) -> list[Change]:
    """The recorded changes, oldest first: all, or a supplier's and its offers'."""
    with _open(program_dir, settings, db) as store:
        return store.history(HistoryFilter(supplier=supplier))
