"""The runner's norm population, and whether a logged session was done in full.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

``runner.population`` ("general" or "athlete") chooses the endurance norms with
``runner.sex``, so every command judges a runner's holds against one table; NULL reads as
"general", the default before it existed.

``session_log.completion`` is "full" when every exercise of the session the plan
prescribed was logged at its dose, "partial" otherwise. Sessions logged before upright
checked doses keep NULL: their values had no stated unit (seconds held per hold, in all,
or reps) and the plan they followed depended on the triage of that day, so whether they
were done in full cannot be judged. NULL never counts as "in full": such a session does
not count towards the two good sessions in a row that move a runner up a stage (the safe
choice; it still counts for a regress on pain or a next-morning flare).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add runner.population and session_log.completion (both nullable)."""
    with op.batch_alter_table("runner") as batch:
        batch.add_column(sa.Column("population", sa.String(10), nullable=True))
    with op.batch_alter_table("session_log") as batch:
        batch.add_column(sa.Column("completion", sa.String(10), nullable=True))


def downgrade() -> None:
    """Drop session_log.completion and runner.population."""
    with op.batch_alter_table("session_log") as batch:
        batch.drop_column("completion")
    with op.batch_alter_table("runner") as batch:
        batch.drop_column("population")
