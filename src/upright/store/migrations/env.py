"""Alembic environment for upright's store, configured programmatically.

:func:`upright.store.engine.migrate` passes an open connection in
``config.attributes["connection"]``; no ``alembic.ini`` is read.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from upright.store import clinic_models as _clinic_models  # noqa: F401 (its tables)
from upright.store.models import Base


def run_migrations_online(connection: Connection) -> None:
    """Apply the revisions on the connection handed over by upright."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):  # pragma: no cover - only through migrate()
    raise RuntimeError("upright migrations run through upright.store.migrate(), with a connection")
run_migrations_online(_connection)
