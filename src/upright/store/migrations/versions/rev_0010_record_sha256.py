"""Records know the clip they were measured from: its SHA-256.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10

``record.source_sha256`` holds the SHA-256 of the clip (or keypoint file) an analysis was
measured from, when the command that stored it knew it (``upright batch`` does). A unique
index on (runner, kind, SHA-256) keeps one clip from being stored twice for one runner,
even by two batches at once; records stored before (and those without a hash) have NULL,
which the index does not compare.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add record.source_sha256 and its unique index."""
    with op.batch_alter_table("record") as batch:
        batch.add_column(sa.Column("source_sha256", sa.String(64), nullable=True))
    op.create_index(
        "ix_record_runner_kind_sha256",
        "record",
        ["runner_id", "kind", "source_sha256"],
        unique=True,
    )


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("ix_record_runner_kind_sha256", table_name="record")
    with op.batch_alter_table("record") as batch:
        batch.drop_column("source_sha256")
