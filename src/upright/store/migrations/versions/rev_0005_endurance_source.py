"""Where an endurance result came from: typed (or timed at the terminal), or timed from
a clip by the test's own stop rule.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

``endurance_test.source`` is "typed" or "video"; every row stored before it existed was
typed (or timed with the guided timer), so they read "typed". A result timed from a clip
keeps the clip's file name and SHA-256, the moment in the clip the position was lost
(``ended_at_s``) and why (``ended_reason``), so the runner and their therapist can find
and check it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add endurance_test.source ("typed" for existing rows) and the clip's details."""
    with op.batch_alter_table("endurance_test") as batch:
        batch.add_column(sa.Column("source", sa.String(10), nullable=False, server_default="typed"))
        batch.add_column(sa.Column("source_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("ended_at_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("ended_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop the source columns of endurance_test."""
    with op.batch_alter_table("endurance_test") as batch:
        for name in ("ended_reason", "ended_at_s", "source_sha256", "source_name", "source"):
            batch.drop_column(name)
