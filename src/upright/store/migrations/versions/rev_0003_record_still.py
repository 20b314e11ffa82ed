"""An annotated still (JPEG) with each stored analysis, for the report.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add record.still_jpeg (nullable: older records and non-video records have none)."""
    with op.batch_alter_table("record") as batch:
        batch.add_column(sa.Column("still_jpeg", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    """Drop record.still_jpeg."""
    with op.batch_alter_table("record") as batch:
        batch.drop_column("still_jpeg")
