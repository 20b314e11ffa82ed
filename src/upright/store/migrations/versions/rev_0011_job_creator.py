"""Jobs remember the clinic account that started them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-11

``job.created_by`` is the id of the clinic account that submitted the job (None from the
command line and in single-user mode). Clinic mode lets a job that is for no runner be
seen only by its creator and by admins. Kept as a plain id, as the audit log keeps its
account: accounts are switched off, never deleted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``job.created_by``."""
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("created_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop ``job.created_by``."""
    with op.batch_alter_table("job") as batch:
        batch.drop_column("created_by")
