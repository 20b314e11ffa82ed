"""store layer: SQLAlchemy 2 + Alembic; a SQLite file by default, PostgreSQL by URL.

Open the database with :func:`open_store` (it applies the shipped migrations), then do
each unit of work in ``with store.session() as session:``, which commits on success and
rolls back on any exception. The functions below read and write within that session.
"""

from upright.store.backup import (
    BACKUP_SCHEMA_VERSION,
    BackupDocument,
    export_runner,
    import_backup,
    read_backup,
    validate_backup,
    write_backup,
)
from upright.store.engine import (
    DATA_DIR_ENV,
    DATABASE_URL_ENV,
    Store,
    data_dir,
    database_url,
    migrate,
    open_store,
)
from upright.store.models import (
    RECORD_KINDS,
    CheckUp,
    Clearance,
    EnduranceTest,
    Record,
    RecordKind,
    Runner,
)
from upright.store.repository import (
    Side,
    add_checkup,
    add_clearance,
    add_endurance_test,
    add_record,
    find_runner,
    get_or_create_runner,
    get_runner,
    has_clearance,
    latest_checkup,
    previous_endurance,
    records,
)

__all__ = [
    "BACKUP_SCHEMA_VERSION",
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "RECORD_KINDS",
    "BackupDocument",
    "CheckUp",
    "Clearance",
    "EnduranceTest",
    "Record",
    "RecordKind",
    "Runner",
    "Side",
    "Store",
    "add_checkup",
    "add_clearance",
    "add_endurance_test",
    "add_record",
    "data_dir",
    "database_url",
    "export_runner",
    "find_runner",
    "get_or_create_runner",
    "get_runner",
    "has_clearance",
    "import_backup",
    "latest_checkup",
    "migrate",
    "open_store",
    "previous_endurance",
    "read_backup",
    "records",
    "validate_backup",
    "write_backup",
]
