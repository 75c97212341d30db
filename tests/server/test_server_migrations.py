"""The server schema's migrations: a database made by the first revision upgrades to the newest, keeps its
records, and ends up with exactly the tables and columns the models declare."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from casedesk.server.db import Database, alembic_config, make_engine
from casedesk.server.models import Base, Record

pytestmark = pytest.mark.server


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old-server.db'}"
    cluster = request.getfixturevalue("pg_cluster")
    return str(cluster.create_database("old_server"))


def test_a_first_revision_database_upgrades_and_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "s0001")
        conn.execute(
            text(
                "INSERT INTO records (table_name, row_id, client_id, owner_user_id, is_global, data, field_meta, "
                "version, seq, created_at, updated_at, updated_by) VALUES ('client', 'c-1', 'c-1', NULL, false, "
                "'{\"first_name\": \"Ada\"}', '{\"first_name\": [1, \"device-1\"]}', 1, 1, "
                "'2026-01-05 10:00:00+00:00', '2026-01-05 10:00:00+00:00', NULL)"
            )
        )
        conn.commit()
    engine.dispose()

    db = Database.open(database_url)
    try:
        with db.read() as s:
            record = s.execute(select(Record)).scalar_one()
            assert record.data == {"first_name": "Ada"}
            assert record.origin_device is None  # made before devices were remembered: sent to everyone
        inspector = inspect(db.engine)
        for table in Base.metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name
    finally:
        db.close()
