"""Offers: the finished units a supplier holds for the program (`inventory_units`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Offers stored before this revision recorded no stock: they get 0 (the server default), which
is also what a pool file without the column reads as, so saving such a pool again records no
change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch: SQLite alters a table by copying it; elsewhere it is a plain ALTER TABLE
    with op.batch_alter_table("offers") as batch:
        batch.add_column(
            sa.Column("inventory_units", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("inventory_units")
