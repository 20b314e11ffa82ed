"""Jobs: long work (pose estimation and analysis of a clip) queued outside a request.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-09

One row per job: its kind and parameters (JSON), the runner it is for (if any), its status
(queued, running, done, failed), progress from 0 to 1 with a message, the result (JSON),
when it was created, started and finished, and how many times it was started. A runner's
jobs go with the runner.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the job table."""
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column(
            "runner_id",
            sa.Integer(),
            sa.ForeignKey("runner.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
        sa.Column("status", sa.String(10), nullable=False, index=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    """Drop the job table."""
    op.drop_table("job")
