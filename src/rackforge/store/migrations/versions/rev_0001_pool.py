"""The supplier pool: suppliers, offers and the changes history.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=700), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=True),
        sa.Column("old", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("new", sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    op.create_index("ix_changes_supplier_at", "changes", ["supplier", "at"], unique=False)
    op.create_table(
        "suppliers",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("qualification", sa.String(length=20), nullable=False),
        sa.Column("qualification_since", sa.Date(), nullable=True),
        sa.Column("audits", sa.JSON(), nullable=False),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.Column("financial_risk", sa.Integer(), nullable=False),
        sa.Column("geopolitical_risk", sa.Integer(), nullable=False),
        sa.Column("sub_suppliers", sa.JSON(), nullable=False),
        sa.Column("commodities", sa.JSON(), nullable=False),
        sa.Column("ttr_weeks", sa.Float(), nullable=True),
        sa.Column("fictional", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
    )
    op.create_table(
        "offers",
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("part_key", sa.String(length=400), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=400), nullable=False),
        sa.Column("part_name", sa.Text(), nullable=False),
        sa.Column("price_breaks", sa.JSON(), nullable=False),
        sa.Column("capacity_per_week", sa.Float(), nullable=False),
        sa.Column("lead_time_weeks", sa.Float(), nullable=False),
        sa.Column("moq", sa.Integer(), nullable=False),
        sa.Column("domestic_content", sa.Float(), nullable=False),
        sa.Column("contract_committed_units", sa.Integer(), nullable=True),
        sa.Column("contract_take_or_pay", sa.Boolean(), nullable=True),
        sa.Column("contract_start", sa.Date(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column("surge_pct", sa.Float(), nullable=True),
        sa.Column("surge_within_weeks", sa.Float(), nullable=True),
        sa.Column("force_majeure_exclusions", sa.JSON(), nullable=False),
        sa.Column("backup_country", sa.String(length=2), nullable=True),
        sa.Column("backup_region", sa.String(length=200), nullable=True),
        sa.Column("backup_city", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier"], ["suppliers.id"], name=op.f("fk_offers_supplier_suppliers")
        ),
        sa.PrimaryKeyConstraint("supplier", "part_key", name=op.f("pk_offers")),
    )


def downgrade() -> None:
    op.drop_table("offers")
    op.drop_table("suppliers")
    op.drop_index("ix_changes_supplier_at", table_name="changes")
    op.drop_table("changes")
