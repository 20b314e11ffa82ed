"""First schema: runner, checkup, endurance_test, clearance, record.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
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
    """Create the five tables."""
    op.create_table(
        "runner",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alias", sa.String(100), nullable=False, unique=True),
        sa.Column("sex", sa.String(10), nullable=True),
        sa.Column("age_band", sa.String(20), nullable=True),
        sa.Column("height_cm", sa.Float(), nullable=True),
        sa.Column("running_history", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "checkup",
        sa.Column("id", sa.Integer(), primary_key=True),
        _runner_fk(),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("red_flag_screen", sa.JSON(), nullable=True),
        sa.Column("triage", sa.JSON(), nullable=True),
        sa.Column("upright_version", sa.String(40), nullable=False),
    )
    op.create_table(
        "endurance_test",
        sa.Column("id", sa.Integer(), primary_key=True),
        _runner_fk(),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("test_key", sa.String(60), nullable=False, index=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("reps", sa.Integer(), nullable=True),
        sa.Column("side", sa.String(10), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
    )
    op.create_table(
        "clearance",
        sa.Column("id", sa.Integer(), primary_key=True),
        _runner_fk(),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clinician", sa.Text(), nullable=False),
        sa.Column("clears", sa.Text(), nullable=False),
    )
    op.create_table(
        "record",
        sa.Column("id", sa.Integer(), primary_key=True),
        _runner_fk(),
        sa.Column("kind", sa.String(20), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("schema_version", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    """Drop the five tables."""
    for table in ("record", "clearance", "endurance_test", "checkup", "runner"):
        op.drop_table(table)
