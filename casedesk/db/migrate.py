"""Run alembic migrations on open; refuse databases from a newer CaseDesk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from casedesk.errors import NewerVersionError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the database to `target`, refusing one written by a newer CaseDesk."""
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    with engine.connect() as conn:
        current = current_revision(conn)
        conn.rollback()
        if current is not None and current not in known:
            raise NewerVersionError(
                "This profile was written by a newer version of CaseDesk "
                f"(schema {current}). Please update CaseDesk; the profile was not changed."
            )
        if current == script.get_current_head() and target == "head":
            return
        command.upgrade(alembic_config(conn), target)
        conn.commit()
