"""The store's tables as SQLAlchemy 2 typed ORM classes: suppliers, offers and changes.

One row per `Supplier` (keyed by its stable id) and one per `Offer` (keyed by supplier and the
part as compared, `part_key`). Scalar fields are columns named as the CSV columns of
`rackforge.formats.pool_files`, so a change reads the same in the history as in the file.
Lists owned by one record (audits, certifications, price breaks, ...) are JSON columns: they
are always read and written whole with their record, never queried on their own, and their
order matters, so child tables would add joins and position columns and answer no query
the pool needs. `position` keeps the pool's order; it is not part of a record's history.

`changes` is the history: one row per added or removed record (`field` null, the whole record
in `old` or `new`) and one per changed field, with who, when and why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "ChangeRow", "OfferRow", "SupplierRow"]

# Named constraints, so that migrations name them the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every table of the store."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


class SupplierRow(Base):
    """One supplier of the pool (`rackforge.supply.pool.Supplier`)."""

    __tablename__ = "suppliers"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(200))
    tier: Mapped[int]
    qualification: Mapped[str] = mapped_column(String(20))
    qualification_since: Mapped[dt.date | None] = mapped_column(Date)
    audits: Mapped[list[Any]]
    certifications: Mapped[list[Any]]
    financial_risk: Mapped[int]
    geopolitical_risk: Mapped[int]
    sub_suppliers: Mapped[list[Any]]
    commodities: Mapped[list[Any]]
    ttr_weeks: Mapped[float | None]
    fictional: Mapped[bool]
    notes: Mapped[str] = mapped_column(Text)


class OfferRow(Base):
    """One offer of the pool (`rackforge.supply.pool.Offer`), keyed by supplier and part."""

    __tablename__ = "offers"

    supplier: Mapped[str] = mapped_column(String(200), ForeignKey("suppliers.id"), primary_key=True)
    part_key: Mapped[str] = mapped_column(String(400), primary_key=True)
    position: Mapped[int]
    part: Mapped[str] = mapped_column(String(400))
    part_name: Mapped[str] = mapped_column(Text)
    price_breaks: Mapped[list[Any]]
    capacity_per_week: Mapped[float]
    lead_time_weeks: Mapped[float]
    moq: Mapped[int]
    domestic_content: Mapped[float]
    # revision 0002: a server default fills the rows stored before it (no stock recorded)
    inventory_units: Mapped[int] = mapped_column(server_default="0")
    contract_committed_units: Mapped[int | None]
    contract_take_or_pay: Mapped[bool | None]
    contract_start: Mapped[dt.date | None] = mapped_column(Date)
    contract_end: Mapped[dt.date | None] = mapped_column(Date)
    surge_pct: Mapped[float | None]
    surge_within_weeks: Mapped[float | None]
    force_majeure_exclusions: Mapped[list[Any]]
    backup_country: Mapped[str | None] = mapped_column(String(2))
    backup_region: Mapped[str | None] = mapped_column(String(200))
    backup_city: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text)


class ChangeRow(Base):
    """One entry of the history: a record added or removed, or one field of it changed."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_supplier_at", "supplier", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(Text)
    entity: Mapped[str] = mapped_column(String(20))  # supplier | offer
    key: Mapped[str] = mapped_column(String(700))  # supplier id, or "supplier:part key"
    supplier: Mapped[str] = mapped_column(String(200))  # the supplier it concerns
    action: Mapped[str] = mapped_column(String(10))  # added | changed | removed
    field: Mapped[str | None] = mapped_column(String(100))  # None: the whole record
    old: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    new: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
