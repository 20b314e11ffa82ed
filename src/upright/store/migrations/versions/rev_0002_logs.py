"""Exercise session logs and run logs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _runner_fk() -> sa.Column[int]:
    return sa.Column(
        "runner_id",
        sa.Integer(),
        sa.ForeignKey("runner.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def upgrade() -> None:
    """Create session_log and run_log."""
    op.create_table(
        "session_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        _runner_fk(),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("exercises", sa.JSON(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("form", sa.String(10), nullable=False),
        sa.Column("pain_during", sa.Integer(), nullable=False),
        sa.Column("pain_next_morning", sa.Integer(), nullable=True),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "run_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        _runner_fk(),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("distance_km", sa.Float(), nullable=True),
        sa.Column("duration_min", sa.Float(), nullable=True),
        sa.Column("pain_during", sa.Integer(), nullable=False),
        sa.Column("pain_after", sa.Integer(), nullable=True),
        sa.Column("pain_next_morning", sa.Integer(), nullable=True),
        sa.Column("pain_onset_km", sa.Float(), nullable=True),
        sa.Column("pain_onset_min", sa.Float(), nullable=True),
        sa.Column("source_name", sa.Text(), nullable=True),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the two log tables."""
    for table in ("run_log", "session_log"):
        op.drop_table(table)
