"""Run alembic migrations on open; refuse databases from a newer CaseDesk.

Opening a profile that is already at the newest schema (every open but the first after an update) only
reads the stored revision: alembic (about a third of a second to import) is loaded only when a migration
has to run. db.schema_version.HEAD_REVISION must name the newest file in migrations/versions; a test checks it does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, exc

from casedesk.db.schema_version import HEAD_REVISION
from casedesk.errors import NewerVersionError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The schema revision stored in the file (None for a new, empty database)."""
    try:
        row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    except exc.OperationalError as error:
        if "no such table" not in str(error.orig):
            raise
        connection.rollback()
        return None
    return None if row is None else str(row[0])


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the database to `target`, refusing one written by a newer CaseDesk."""
    with engine.connect() as conn:
        current = current_revision(conn)
        conn.rollback()
        if current == HEAD_REVISION and target == "head":
            return
        from alembic import command
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(alembic_config())
        known = {rev.revision for rev in script.walk_revisions()}
        if current is not None and current not in known:
            raise NewerVersionError(
                "This profile was written by a newer version of CaseDesk "
                f"(schema {current}). Please update CaseDesk; the profile was not changed."
            )
        if current == script.get_current_head() and target == "head":
            return
        command.upgrade(alembic_config(conn), target)
        conn.commit()
