"""Exercise form measured from video, per logged session.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

``measured_form`` holds one row per clip filmed for a logged exercise session: the
exercise (and side), the time held and the part of it with good form, the reps for a
repetition exercise, the first fault and when it came, and the clip's file name and
SHA-256 (the clip itself is not stored). Sessions logged before it have no rows: their
form is the one the runner typed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create measured_form."""
    op.create_table(
        "measured_form",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "session_log_id",
            sa.Integer(),
            sa.ForeignKey("session_log.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("exercise_key", sa.String(60), nullable=False),
        sa.Column("side", sa.String(10), nullable=True),
        sa.Column("held_s", sa.Float(), nullable=False),
        sa.Column("good_form_s", sa.Float(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=True),
        sa.Column("good_reps", sa.Integer(), nullable=True),
        sa.Column("first_fault", sa.String(60), nullable=True),
        sa.Column("first_fault_s", sa.Float(), nullable=True),
        sa.Column("clip_name", sa.Text(), nullable=False),
        sa.Column("clip_sha256", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    """Drop measured_form."""
    op.drop_table("measured_form")
